"""Web archives: one article per HTML page, capture metadata kept, damage reported precisely, earlier pages kept."""

from __future__ import annotations

import gzip as gzip_module
import json
import subprocess
import sys
import uuid
from pathlib import Path

from conftest import PROJECT_ROOT

from indexer.pipeline import article_id
from indexer.reindex import reindex
from indexer.warc import WarcReader
from search.backends.whoosh.store import ArchiveIndex

STORY = "Officials met in Erbil on Tuesday to discuss the budget. The talks lasted for hours and ended late. "


def page(title: str, published: str = "2024-11-05") -> bytes:
    return (
        f'<html lang="en"><head><title>{title}</title>'
        f'<meta property="article:published_time" content="{published}T08:00:00Z"></head>'
        f"<body><article><h1>{title}</h1><p>{STORY * 3}</p></article></body></html>"
    ).encode()


def warc_record(url: str, http: bytes, number: int, record_type: str = "response") -> bytes:
    """One WARC record, written by hand (warcio's writer leaves temporary files open)."""
    headers = (
        f"WARC/1.0\r\nWARC-Type: {record_type}\r\nWARC-Target-URI: {url}\r\n"
        f"WARC-Date: 2025-01-02T03:04:05Z\r\nWARC-Record-ID: <urn:uuid:{uuid.UUID(int=number)}>\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    )
    return headers.encode() + http + b"\r\n\r\n"


def http_response(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def write_warc(path: Path, pages: list[tuple[str, bytes]], gzip: bool = True, extras: bool = True) -> Path:
    """Write a WARC with one response per (url, html) and, between them, records that are not articles."""
    records = []
    for url, html in pages:
        records.append(http_response(html))
        if extras:
            records.append((url + ".png", http_response(b"PNG" * 50, "image/png")))
            records.append((url + "/old", http_response(page("Moved"), status="301 Moved Permanently")))
        records[-1 - 2 * extras] = (url, records[-1 - 2 * extras])
    blobs = [warc_record(url, http, number) for number, (url, http) in enumerate(records, start=1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    # A .warc.gz holds one gzip member per record, as the WARC standard recommends.
    path.write_bytes(b"".join(gzip_module.compress(blob) for blob in blobs) if gzip else b"".join(blobs))
    return path


def stories(count: int, site: str = "https://news.example") -> list[tuple[str, bytes]]:
    # Stories of other sites have headlines of their own: the same headline and text would be one article.
    headline = "Story number" if site == "https://news.example" else f"Story from {site.split('//')[1]} number"
    return [(f"{site}/story/{number}", page(f"{headline} {number}")) for number in range(count)]


def stored(index: Path) -> list[dict]:
    archive = ArchiveIndex(index)
    try:
        with archive.searcher() as searcher:
            return [dict(fields) for fields in searcher.all_stored_fields()]
    finally:
        archive.close()


def test_each_html_page_of_a_warc_becomes_an_article_with_capture_metadata(tmp_path):
    corpus = tmp_path / "corpus"
    write_warc(corpus / "crawls/2025/jan.warc.gz", stories(3))
    write_warc(corpus / "plain.warc", stories(2, "https://other.example"), gzip=False)
    summary = reindex(corpus, tmp_path / "index", workers=1)
    assert (summary.added, summary.written, summary.articles, summary.skipped) == (2, 5, 5, [])
    docs = stored(tmp_path / "index")
    assert len({doc["id"] for doc in docs}) == 5
    [first] = [doc for doc in docs if doc["path"] == "crawls/2025/jan.warc.gz" and doc["title"] == "Story number 0"]
    record = json.loads(first["record"])
    assert first["path"] == "crawls/2025/jan.warc.gz"
    assert record["url"] == "https://news.example/story/0" and record["methods"]["url"] == "warc"
    # The capture date is its own field; the publication date still comes from the page.
    assert record["captured"] == "2025-01-02T03:04:05Z" and record["date"] == "2024-11-05"
    assert first["id"] == article_id(f"crawls/2025/jan.warc.gz#{record['warc_record']}")


def test_a_big_warc_is_read_in_parts_by_the_workers(tmp_path):
    corpus = tmp_path / "corpus"
    write_warc(corpus / "big.warc.gz", stories(150), extras=False)
    summary = reindex(corpus, tmp_path / "index", workers=2)
    assert (summary.added, summary.written, summary.articles, summary.skipped) == (1, 150, 150, [])
    reader = WarcReader(corpus, "big.warc.gz", max_pages=64)
    assert len(list(reader)) == 64 and reader.next_offset
    rest = WarcReader(corpus, "big.warc.gz", start=reader.next_offset, max_pages=1000)
    assert len(list(rest)) == 86 and rest.next_offset is None and rest.damage is None


def test_a_truncated_warc_keeps_the_pages_before_the_damage_and_says_where(tmp_path):
    corpus = tmp_path / "corpus"
    whole = write_warc(tmp_path / "whole.warc.gz", stories(6), extras=False).read_bytes()
    offsets = _record_offsets(tmp_path / "whole.warc.gz")
    cut = offsets[4] + 40  # inside the fifth page's gzip member
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub/cut.warc.gz").write_bytes(whole[:cut])
    write_warc(corpus / "fine.warc.gz", stories(2, "https://fine.example"))
    summary = reindex(corpus, tmp_path / "index", workers=2)
    assert summary.articles == 4 + 2 and (summary.added, summary.removed) == (2, 0)
    [damage] = summary.skipped
    assert damage["path"] == "sub/cut.warc.gz"
    assert f"at byte {offsets[4]:,}" in damage["reason"]
    assert "the 4 article(s) before it were kept" in damage["reason"]
    assert "https://news.example/story/3" in damage["reason"]
    titles = {doc["title"] for doc in stored(tmp_path / "index")}
    assert {f"Story number {n}" for n in range(4)} <= titles and "Story number 4" not in titles
    # The damage is reported again by the next run, which does not read the unchanged file again.
    again = reindex(corpus, tmp_path / "index", workers=1)
    assert (again.unchanged, again.written) == (2, 0) and again.skipped == summary.skipped


def test_garbage_and_empty_archives_are_skipped_without_stopping_the_run(tmp_path):
    corpus = tmp_path / "corpus"
    write_warc(corpus / "good.warc.gz", stories(1))
    (corpus / "junk.warc.gz").write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(200)))
    (corpus / "text.warc").write_text("this is not a web archive\n" * 5)
    (corpus / "images.warc").write_bytes(warc_record("https://x.example/a.png", http_response(b"PNG", "image/png"), 1))
    summary = reindex(corpus, tmp_path / "index", workers=1)
    reasons = {item["path"]: item["reason"] for item in summary.skipped}
    assert set(reasons) == {"junk.warc.gz", "text.warc", "images.warc"}
    assert "damaged" in reasons["junk.warc.gz"] and "at byte 0" in reasons["junk.warc.gz"]
    assert "damaged" in reasons["text.warc"] and "at byte 0" in reasons["text.warc"]
    assert "no HTML page" in reasons["images.warc"]
    assert summary.articles == 1


def test_a_changed_warc_replaces_all_its_pages(tmp_path):
    corpus = tmp_path / "corpus"
    write_warc(corpus / "crawl.warc.gz", stories(3))
    reindex(corpus, tmp_path / "index", workers=1)
    write_warc(corpus / "crawl.warc.gz", stories(1, "https://moved.example"))
    summary = reindex(corpus, tmp_path / "index", workers=1)
    assert (summary.updated, summary.written, summary.articles) == (1, 1, 1)
    assert [json.loads(doc["record"])["url"] for doc in stored(tmp_path / "index")] == ["https://moved.example/story/0"]
    (corpus / "crawl.warc.gz").unlink()
    gone = reindex(corpus, tmp_path / "index", workers=1)
    assert (gone.removed, gone.articles) == (1, 0)


def test_extract_command_lists_the_pages_of_a_warc(tmp_path):
    warc = write_warc(tmp_path / "crawl.warc.gz", stories(2))
    done = subprocess.run(
        [sys.executable, "-m", "indexer.extract", str(warc)], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    pages = json.loads(done.stdout)
    assert [item["title"] for item in pages] == ["Story number 0", "Story number 1"]
    assert pages[0]["captured"] == "2025-01-02T03:04:05Z" and pages[0]["url"] == "https://news.example/story/0"


def _record_offsets(path: Path) -> list[int]:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        return [records.get_record_offset() for _ in records]
