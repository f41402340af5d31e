"""The stat cache: unchanged files (same size and mtime, hash still indexed) are not read again; no change is missed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from test_warc import stories, write_warc

import indexer.pipeline
from indexer.read import RACY_SECONDS
from indexer.reindex import STAT_CACHE_FILE, reindex
from search.backends.whoosh.store import ArchiveIndex

STORY = "Officials met in Erbil on Tuesday to discuss the budget. The talks lasted for hours and ended late."
# Files are dated this long ago, so they are not racily clean (modified within RACY_SECONDS of being read).
AGE_SECONDS = 600


def story(title: str, extra: str = "") -> str:
    # The title is in the text too: articles with the same text are copies of one another, not articles.
    return f"{title}\n\n{STORY} This is the story of {title}. {extra}\n"


def age(corpus: Path, seconds: float = AGE_SECONDS) -> None:
    """Date every file of the corpus `seconds` ago (as files saved earlier are)."""
    when = time.time() - seconds
    for path in corpus.rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))


def indexed(index: Path) -> dict[str, str]:
    archive = ArchiveIndex(index)
    try:
        return archive.indexed_files()
    finally:
        archive.close()


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The corpus files read (hashed) by runs with workers=1, in order."""
    paths: list[str] = []
    read_article, file_hash = indexer.pipeline.read_stamped_article, indexer.pipeline.stamped_file_hash

    def counted_read(root, relpath, *args):
        paths.append(relpath)
        return read_article(root, relpath, *args)

    def counted_hash(path):
        paths.append(Path(path).name)
        return file_hash(path)

    monkeypatch.setattr(indexer.pipeline, "read_stamped_article", counted_read)
    monkeypatch.setattr(indexer.pipeline, "stamped_file_hash", counted_hash)
    return paths


def counts(summary) -> tuple[int, int, int, int]:
    return summary.added, summary.updated, summary.removed, summary.unchanged


def test_an_unchanged_file_is_not_read_again(make_corpus, tmp_path, reads):
    corpus = make_corpus({"a.txt": story("A"), "sub/b.txt": story("B")})
    age(corpus)
    index = tmp_path / "index"
    assert counts(reindex(corpus, index, workers=1)) == (2, 0, 0, 0)
    assert sorted(reads) == ["a.txt", "sub/b.txt"]
    reads.clear()
    (corpus / "new.txt").write_text(story("New"), encoding="utf-8")
    summary = reindex(corpus, index, workers=1)
    assert counts(summary) == (1, 0, 0, 2) and summary.articles == 3
    assert reads == ["new.txt"]


def test_an_unchanged_file_is_recognised_even_when_it_could_not_be_read(make_corpus, tmp_path, monkeypatch):
    corpus = make_corpus({"a.txt": story("A")})
    age(corpus)
    reindex(corpus, tmp_path / "index", workers=1)

    def unreadable(*args):
        raise AssertionError("an unchanged file was read")

    monkeypatch.setattr(indexer.pipeline, "read_stamped_article", unreadable)
    assert counts(reindex(corpus, tmp_path / "index", workers=2)) == (0, 0, 0, 1)


def test_same_size_and_a_new_mtime_is_a_change(make_corpus, tmp_path, reads):
    corpus = make_corpus({"a.txt": story("Budget talks"), "b.txt": story("Other")})
    age(corpus)
    index = tmp_path / "index"
    reindex(corpus, index, workers=1)
    before = indexed(index)["a.txt"]
    (corpus / "a.txt").write_text(story("Budget TALKS"), encoding="utf-8")  # same length
    age(corpus, AGE_SECONDS / 2)
    reads.clear()
    summary = reindex(corpus, index, workers=1)
    assert counts(summary) == (0, 1, 0, 1)
    assert indexed(index)["a.txt"] != before


def test_content_changed_with_size_and_mtime_restored_is_missed_unless_rehash(make_corpus, tmp_path, reads):
    # The documented trade-off: the stat cache trusts size and mtime, as git does; --rehash does not.
    corpus = make_corpus({"a.txt": story("Budget talks")})
    age(corpus)
    index = tmp_path / "index"
    reindex(corpus, index, workers=1)
    before = indexed(index)["a.txt"]
    stat = (corpus / "a.txt").stat()
    (corpus / "a.txt").write_text(story("Budget TALKS"), encoding="utf-8")
    os.utime(corpus / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    reads.clear()
    assert counts(reindex(corpus, index, workers=1)) == (0, 0, 0, 1)
    assert reads == [] and indexed(index)["a.txt"] == before
    assert counts(reindex(corpus, index, workers=1, rehash=True)) == (0, 1, 0, 0)
    assert reads == ["a.txt"] and indexed(index)["a.txt"] != before


def test_an_edited_sidecar_is_a_change_of_its_article(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": story("A"), "a.meta.json": json.dumps({"source": "Rudaw"})})
    age(corpus)
    index = tmp_path / "index"
    reindex(corpus, index, workers=1)
    (corpus / "a.meta.json").write_text(json.dumps({"source": "Kurdistan24"}), encoding="utf-8")
    age(corpus, AGE_SECONDS / 2)
    summary = reindex(corpus, index, workers=1)
    assert counts(summary) == (0, 1, 0, 0)
    assert summary.report[0]["source"] == "Kurdistan24"
    (corpus / "a.meta.json").unlink()
    assert counts(reindex(corpus, index, workers=1)) == (0, 1, 0, 0)


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json",
        b"\xff\xfe garbage",
        b"[1, 2, 3]",
        b'{"format": 1, "files": []}',
        b'{"format": 999, "extractor": "2", "files": {}}',
        b'{"format": 1, "extractor": "0", "files": {}}',  # another extractor version: its hashes are stale
    ],
)
def test_a_damaged_or_foreign_cache_is_ignored(make_corpus, tmp_path, reads, damage):
    corpus = make_corpus({"a.txt": story("A"), "b.txt": story("B")})
    age(corpus)
    index = tmp_path / "index"
    reindex(corpus, index, workers=1)
    (index / STAT_CACHE_FILE).write_bytes(damage)
    reads.clear()
    assert counts(reindex(corpus, index, workers=1)) == (0, 0, 0, 2)
    assert sorted(reads) == ["a.txt", "b.txt"]
    reads.clear()
    assert counts(reindex(corpus, index, workers=1)) == (0, 0, 0, 2)  # the cache was written again
    assert reads == []


def test_a_cache_entry_whose_hash_the_index_does_not_hold_is_not_trusted(make_corpus, tmp_path, reads):
    corpus = make_corpus({"a.txt": story("A"), "b.txt": story("B")})
    age(corpus)
    index = tmp_path / "index"
    reindex(corpus, index, workers=1)
    cache = json.loads((index / STAT_CACHE_FILE).read_text(encoding="utf-8"))
    cache["files"]["a.txt"][4] = "0" * 64  # as after a crash between the index commit and the cache write
    cache["files"]["b.txt"] = "not an entry"
    (index / STAT_CACHE_FILE).write_text(json.dumps(cache), encoding="utf-8")
    reads.clear()
    assert counts(reindex(corpus, index, workers=1)) == (0, 0, 0, 2)
    assert sorted(reads) == ["a.txt", "b.txt"]


def test_a_racily_clean_file_is_read_again_next_run(make_corpus, tmp_path, reads):
    corpus = make_corpus({"old.txt": story("Old"), "fresh.txt": story("Fresh")})
    age(corpus)
    now = time.time()
    os.utime(corpus / "fresh.txt", (now, now))  # modified as it is read: a same-size edit could keep this mtime
    index = tmp_path / "index"
    reindex(corpus, index, workers=1)
    cached = json.loads((index / STAT_CACHE_FILE).read_text(encoding="utf-8"))["files"]
    assert set(cached) == {"old.txt"}
    reads.clear()
    assert counts(reindex(corpus, index, workers=1)) == (0, 0, 0, 2)
    assert reads == ["fresh.txt"]
    assert RACY_SECONDS < AGE_SECONDS


def test_deleted_files_are_still_removed(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": story("A"), "b.txt": story("B")})
    age(corpus)
    index = tmp_path / "index"
    reindex(corpus, index, workers=1)
    (corpus / "b.txt").unlink()
    summary = reindex(corpus, index, workers=1)
    assert counts(summary) == (0, 0, 1, 1) and summary.articles == 1
    assert set(indexed(index)) == {"a.txt"}
    assert set(json.loads((index / STAT_CACHE_FILE).read_text(encoding="utf-8"))["files"]) == {"a.txt"}


def test_problems_of_unchanged_files_are_still_reported(make_corpus, tmp_path, reads):
    corpus = make_corpus({"a.txt": story("A"), "a.meta.json": "{not json", "empty.txt": ""})
    age(corpus)
    index = tmp_path / "index"
    first = reindex(corpus, index, workers=1)
    assert [item["path"] for item in first.warnings] == ["a.txt"]
    assert first.skipped == [{"path": "empty.txt", "reason": "file is empty"}]
    reads.clear()
    again = reindex(corpus, index, workers=1)
    assert counts(again) == (0, 0, 0, 1)
    assert again.warnings == first.warnings and again.skipped == first.skipped
    assert reads == ["empty.txt"]  # a skipped file is not remembered: it is tried again


def test_an_unchanged_web_archive_is_not_hashed_again(tmp_path, reads):
    corpus = tmp_path / "corpus"
    write_warc(corpus / "crawl.warc.gz", stories(3))
    age(corpus)
    index = tmp_path / "index"
    assert reindex(corpus, index, workers=1).written == 3
    assert reads == ["crawl.warc.gz"]
    reads.clear()
    assert counts(reindex(corpus, index, workers=1)) == (0, 0, 0, 1)
    assert reads == []


def test_a_full_rebuild_reads_everything_and_writes_a_fresh_cache(make_corpus, tmp_path, reads):
    corpus = make_corpus({"a.txt": story("A"), "b.txt": story("B")})
    age(corpus)
    index = tmp_path / "index"
    reindex(corpus, index, workers=1)
    (index / STAT_CACHE_FILE).unlink()
    reads.clear()
    assert reindex(corpus, index, workers=1, full=True).unchanged == 2
    assert sorted(reads) == ["a.txt", "b.txt"]
    reads.clear()
    assert counts(reindex(corpus, index, workers=1)) == (0, 0, 0, 2)
    assert reads == []
