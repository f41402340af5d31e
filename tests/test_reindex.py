"""Reindexing a corpus folder: counts of what changed, skipped files with reasons, stable ids."""

from __future__ import annotations

import json
import os
import time

from indexer.pipeline import article_id
from indexer.reindex import reindex
from indexer.workers import run_jobs
from search.backends.whoosh.store import ArchiveIndex

STORY = "Officials met in Erbil on Tuesday to discuss the budget. The talks lasted for hours and ended late."


def story(title: str, extra: str = "") -> str:
    return f"{title}\n\n{STORY} {extra}\n"


def indexed(index) -> dict[str, str]:
    archive = ArchiveIndex(index)
    try:
        return archive.indexed_files()
    finally:
        archive.close()


def test_first_run_adds_everything_in_nested_folders(make_corpus, tmp_path):
    corpus = make_corpus(
        {"a.txt": story("Budget talks"), "2024/11/b.txt": story("More talks"), "c": story("No suffix")}
    )
    summary = reindex(corpus, tmp_path / "index")
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (3, 0, 0, 0)
    assert summary.articles == 3 and summary.skipped == []
    assert set(indexed(tmp_path / "index")) == {"a.txt", "2024/11/b.txt", "c"}


def test_second_run_detects_new_changed_deleted_and_unchanged(make_corpus, tmp_path):
    corpus = make_corpus({"keep.txt": story("Kept"), "change.txt": story("Before"), "gone.txt": story("Gone")})
    index = tmp_path / "index"
    reindex(corpus, index)
    (corpus / "change.txt").write_text(story("After", "Something new."), encoding="utf-8")
    (corpus / "gone.txt").unlink()
    (corpus / "new.txt").write_text(story("New"), encoding="utf-8")
    summary = reindex(corpus, index)
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (1, 1, 1, 1)
    assert set(indexed(index)) == {"keep.txt", "change.txt", "new.txt"}
    again = reindex(corpus, index)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)


def test_full_rebuild_reports_against_the_previous_index(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": story("A"), "b.txt": story("B")})
    index = tmp_path / "index"
    reindex(corpus, index)
    (corpus / "b.txt").unlink()
    summary = reindex(corpus, index, full=True)
    assert summary.full and (summary.added, summary.unchanged, summary.removed) == (0, 1, 1)
    assert set(indexed(index)) == {"a.txt"}


def test_broken_files_are_skipped_with_reasons_and_the_rest_indexed(make_corpus, tmp_path):
    corpus = make_corpus(
        {
            "good.txt": story("Good"),
            "binary.txt": bytes(range(256)) * 4,
            "empty.txt": "",
            "blank.txt": "   \n\n  ",
            "tiny.txt": "Hi",
            "notes.meta.json": "{}",
            ".hidden.txt": story("Hidden"),
        }
    )
    summary = reindex(corpus, tmp_path / "index")
    reasons = {item["path"]: item["reason"] for item in summary.skipped}
    assert set(reasons) == {"binary.txt", "empty.txt", "blank.txt", "tiny.txt"}
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["empty.txt"] and "empty" in reasons["blank.txt"]
    assert "no article text" in reasons["tiny.txt"]
    assert summary.added == 1 and set(indexed(tmp_path / "index")) == {"good.txt"}


def test_oversized_file_is_skipped(make_corpus, tmp_path):
    corpus = make_corpus({"big.txt": story("Big", "word " * 1000), "ok.txt": story("Ok")})
    summary = reindex(corpus, tmp_path / "index", max_file_bytes=2000)
    assert [item["path"] for item in summary.skipped] == ["big.txt"]
    assert "limit" in summary.skipped[0]["reason"]


def test_ids_are_stable_across_reindexing(make_corpus, tmp_path):
    corpus = make_corpus({"x/a.txt": story("A")})
    reindex(corpus, tmp_path / "one")
    reindex(corpus, tmp_path / "two", full=True)
    archive_one, archive_two = ArchiveIndex(tmp_path / "one"), ArchiveIndex(tmp_path / "two")
    with archive_one.searcher() as s1, archive_two.searcher() as s2:
        assert s1.document(path="x/a.txt")["id"] == s2.document(path="x/a.txt")["id"] == article_id("x/a.txt")
    archive_one.close()
    archive_two.close()


def test_summary_json_has_the_documented_keys(make_corpus, tmp_path):
    summary = reindex(make_corpus({"a.txt": story("A"), "b.txt": ""}), tmp_path / "index")
    data = json.loads(json.dumps(summary.as_json()))
    assert {"added", "updated", "removed", "unchanged", "skipped"} <= set(data)
    assert data["skipped"] == [{"path": "b.txt", "reason": "file is empty"}]


def stored_records(index) -> dict[str, dict]:
    archive = ArchiveIndex(index)
    try:
        with archive.searcher() as searcher:
            return {fields["id"]: json.loads(fields["record"]) for fields in searcher.all_stored_fields()}
    finally:
        archive.close()


def test_parallel_and_in_process_runs_build_the_same_index(make_corpus, tmp_path):
    files = {f"{n % 7}/s{n}.txt": story(f"Story {n}", f"Number {n}.") for n in range(60)}
    corpus = make_corpus(files | {"bad.txt": "", "x.html": "<html><body><p>Hi</p></body></html>"})
    one = reindex(corpus, tmp_path / "one", workers=1)
    two = reindex(corpus, tmp_path / "two", workers=2)
    assert (one.added, one.workers, two.added, two.workers) == (60, 1, 60, 2)
    assert sorted(one.skipped, key=str) == sorted(two.skipped, key=str) and len(one.skipped) == 2
    assert stored_records(tmp_path / "one") == stored_records(tmp_path / "two")


def test_outcomes_extracted_once_can_be_replayed_into_another_index(make_corpus, tmp_path):
    # The scale benchmark extracts a corpus once and loads the same outcomes into every engine.
    files = {f"{n % 5}/s{n}.txt": story(f"Story {n}", f"Number {n}.") for n in range(30)}
    corpus = make_corpus(files | {"bad.txt": ""})
    an_hour_ago = time.time() - 3600  # a file modified seconds ago has no trusted stamp: it is hashed again
    for path in corpus.rglob("*.txt"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    reindex(corpus, tmp_path / "extracted", full=True, workers=2)
    saved = []

    def save_then_replay(root, jobs, workers):
        if not saved:
            saved.extend(run_jobs(root, list(jobs), workers))
        else:
            list(jobs)  # the run hands out every job before the saved outcomes come back
        yield from saved

    reindex(corpus, tmp_path / "saving", full=True, extract=save_then_replay)
    replayed = reindex(corpus, tmp_path / "replayed", full=True, extract=save_then_replay)
    assert (replayed.added, replayed.written, len(replayed.skipped)) == (30, 30, 1)
    assert stored_records(tmp_path / "replayed") == stored_records(tmp_path / "extracted")
    # The stat cache is written as by an extracting run: the next run hands out only the file that
    # had no article (such files are read again every run), and finds the other 30 by their stat.
    handed_out = []

    def watch(root, jobs, workers):
        jobs = list(jobs)
        handed_out.extend(job.path for job in jobs)
        return run_jobs(root, jobs, workers)

    after = reindex(corpus, tmp_path / "replayed", extract=watch)
    assert handed_out == ["bad.txt"]
    assert (after.added, after.updated, after.unchanged, after.written, after.articles) == (0, 0, 30, 0, 30)


def test_ingest_report_counts_missing_metadata_per_source(make_corpus, tmp_path):
    dated = "Budget talks\n\nBy Jane Roe\n\n5 November 2024\n\n" + STORY + "\n"
    corpus = make_corpus(
        {
            "a.txt": dated,
            "a.meta.json": json.dumps({"source": "Rudaw"}),
            "b.txt": story("Undated"),
            "b.meta.json": json.dumps({"source": "Rudaw"}),
            "c.txt": story("No source"),
            "d.txt": "Kurze Meldung\n\n" + "Die Gespräche in Erbil dauerten bis spät in die Nacht. " * 3,
            "d.meta.json": json.dumps({"source": "Rudaw", "authors": ["A. B."], "published": "2024-01-02"}),
        }
    )
    summary = reindex(corpus, tmp_path / "index", workers=1)
    assert summary.report == [
        {"source": "Rudaw", "articles": 3, "no_date": 1, "no_author": 1, "no_language": 0},
        {"source": None, "articles": 1, "no_date": 1, "no_author": 1, "no_language": 0},
    ]
    assert summary.as_json()["report"] == summary.report


def test_a_changed_file_that_is_now_unusable_leaves_the_index(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": story("A"), "b.txt": story("B")})
    reindex(corpus, tmp_path / "index")
    (corpus / "a.txt").write_text("")
    summary = reindex(corpus, tmp_path / "index")
    assert (summary.removed, summary.unchanged, summary.articles) == (1, 1, 1)
    assert summary.skipped == [{"path": "a.txt", "reason": "file is empty"}]


def test_an_index_from_an_older_version_without_columns_is_rebuilt(make_corpus, tmp_path):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema

    from search.backends.whoosh.store import POINTER_FILE, SCHEMA_VERSION_FILE

    # What an older version left: paths and hashes stored, but not as columns.
    old = tmp_path / "index" / "index-old"
    old.mkdir(parents=True)
    schema = Schema(id=ID(stored=True), path=ID(stored=True), content_hash=ID(stored=True))
    ix = whoosh_index.create_in(str(old), schema)
    with ix.writer() as writer:
        writer.add_document(id="x", path="a.txt", content_hash="old")
    (old / SCHEMA_VERSION_FILE).write_text("6")
    (tmp_path / "index" / POINTER_FILE).write_text("index-old\n")
    corpus = make_corpus({"a.txt": story("Budget talks"), "b.txt": story("More talks", "Second day.")})
    summary = reindex(corpus, tmp_path / "index")
    assert summary.full and (summary.added, summary.updated, summary.articles) == (1, 1, 2)
    assert set(indexed(tmp_path / "index")) == {"a.txt", "b.txt"}
