"""Garbage next to good files: each is indexed correctly or skipped with a precise reason; nothing aborts."""

from __future__ import annotations

import codecs
import gzip
import os
import threading

import pytest
from conftest import engine_settings, open_archive

from indexer import read
from indexer.reindex import reindex
from search.request import build_request

STORY = (
    "Officials met in Erbil on Tuesday to discuss the budget for the coming year. The talks lasted "
    "for hours and ended late in the evening, a spokesman for the ministry said afterwards."
)
TITLE = "Budget talks in Erbil"
WARC_RECORD = (
    b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.org/a\r\n"
    b"WARC-Date: 2024-11-05T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
    b"Content-Type: application/http; msgtype=response\r\nContent-Length: 9999\r\n\r\n"
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>cut"
)


def good(n: int) -> str:
    return f"{TITLE} {n}\n\n{STORY}\n"


@pytest.fixture
def hostile_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files: dict[str, bytes] = {
        "good1.txt": good(1).encode(),
        "binary.txt": os.urandom(4096).replace(b"\x00", b"\x01") + b"\x00" * 64,
        "empty.txt": b"",
        "whitespace.txt": b" \n\t\n  \r\n",
        "invalid-utf8.txt": good(2).encode() + b"\xff\xfe\xfa broken bytes",
        "latin1.txt": f"Café talks in Erbil 3\n\n{STORY} Réunion à Erbil.".encode("latin-1"),
        "cp1252.txt": f"Talks in Erbil 4\n\n{STORY} “Quoted” – dash.".encode("cp1252"),
        "utf16.txt": codecs.BOM_UTF16_LE + good(5).encode("utf-16-le"),
        "deep.html": b"<html><body>" + b"<div>" * 10_000 + STORY.encode() + b"</div>" * 10_000 + b"</body></html>",
        "no-body.html": f"<html><head><title>{TITLE} 6</title></head><p>{STORY}</p></html>".encode(),
        "truncated.warc.gz": gzip.compress(WARC_RECORD)[:-20],
        "good2.txt": good(7).encode(),
        "one-letter.txt": b"D" * 20_000,
        "one-token.txt": b"aGVsbG8gd29ybGQ" * 1_400,
        "letter-words.txt": b"D " * 10_000,
        "numbers.html": b"<html><body><p>" + b"12 345 6789 " * 100 + b"</p></body></html>",
    }
    for name, content in files.items():
        (corpus / name).write_bytes(content)
    (corpus / "huge.txt").write_bytes(b"word " * (read.DEFAULT_MAX_FILE_BYTES // 5 + 10))
    os.symlink("loop.txt", corpus / "loop.txt")
    os.mkfifo(corpus / "pipe.txt")
    return corpus


def test_every_file_is_indexed_or_skipped_with_a_reason(hostile_corpus, tmp_path):
    summary = reindex(hostile_corpus, tmp_path / "index", workers=1)
    reasons = {item["path"]: item["reason"] for item in summary.skipped}
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["empty.txt"] and "empty" in reasons["whitespace.txt"]
    assert "limit" in reasons["huge.txt"]
    assert "symbolic links" in reasons["loop.txt"]
    assert "not a regular file" in reasons["pipe.txt"]
    assert any(path.startswith("truncated.warc.gz") for path in reasons)
    for wordless in ("one-letter.txt", "one-token.txt", "letter-words.txt", "numbers.html"):
        assert "the text has no words" in reasons[wordless], (wordless, reasons.get(wordless))
    archive = open_archive(engine_settings("whoosh", tmp_path / "index"))
    try:
        indexed = archive.backend.indexed_files()
        for name in (
            "good1.txt",
            "good2.txt",
            "invalid-utf8.txt",
            "latin1.txt",
            "cp1252.txt",
            "utf16.txt",
            "no-body.html",
        ):
            assert name in indexed, (name, reasons.get(name))
        # Every file is accounted for: indexed, or skipped with its reason.
        listed = set(read.iter_corpus(hostile_corpus))
        assert listed <= set(indexed) | {path.split("#")[0] for path in reasons}
        # Text in other encodings was decoded, not mangled.
        assert archive.search(build_request({"q": ["Réunion"]})).total == 1
        assert archive.search(build_request({"q": ["“Quoted”"]})).total == 1
    finally:
        archive.close()


def test_deeply_nested_html_does_not_crash(hostile_corpus, tmp_path):
    summary = reindex(hostile_corpus, tmp_path / "index", workers=1)
    reasons = {item["path"]: item["reason"] for item in summary.skipped}
    archive = open_archive(engine_settings("whoosh", tmp_path / "index"))
    try:
        assert "deep.html" in archive.backend.indexed_files() or reasons["deep.html"]
    finally:
        archive.close()


def test_a_file_deleted_while_the_run_lists_files_is_skipped(make_corpus, tmp_path, monkeypatch):
    corpus = make_corpus({"stay.txt": good(1), "vanish.txt": good(2)})
    real_iter = read.iter_corpus
    calls = []

    def listing_then_delete(root):
        names = list(real_iter(root))
        calls.append(root)
        if len(calls) == 2:  # the run lists the corpus twice: to count, then to read
            (corpus / "vanish.txt").unlink()
        yield from names

    monkeypatch.setattr("indexer.reindex.iter_corpus", listing_then_delete)
    summary = reindex(corpus, tmp_path / "index", workers=1)
    assert {item["path"]: item["reason"] for item in summary.skipped} == {
        "vanish.txt": "file disappeared before it could be read"
    }
    assert summary.added == 1


def test_a_pipe_never_blocks_a_run(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text(good(1))
    os.mkfifo(corpus / "pipe.txt")
    os.mkfifo(corpus / "story.meta.json")
    done = threading.Event()
    result = {}

    def run():
        result["summary"] = reindex(corpus, tmp_path / "index", workers=1)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(20), "reindex blocked on a named pipe"
    summary = result["summary"]
    assert summary.added == 1 and [item["path"] for item in summary.skipped] == ["pipe.txt"]
    assert any("not a regular file" in w["reason"] for w in summary.warnings)
