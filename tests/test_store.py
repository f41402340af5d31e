"""Index store: searchers follow commits (no stale results), full rebuilds swap atomically, one writer at a time."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from conftest import sample_record

from search.archive import Archive
from search.backends.whoosh import WhooshBackend
from search.backends.whoosh.docsets import generation_cache
from search.backends.whoosh.store import POINTER_FILE, ArchiveIndex
from search.backends.whoosh.writer import IndexUpdate
from search.errors import IndexUnavailable, ReindexLocked
from search.request import build_request
from search.warming import GenerationWarmer


def search(archive: ArchiveIndex, request):
    return Archive(WhooshBackend(archive)).search(request)


def titles(archive: ArchiveIndex) -> list[str]:
    with archive.searcher() as searcher:
        return sorted(fields["title"] for fields in searcher.all_stored_fields())


def test_missing_index_is_reported(tmp_path):
    archive = ArchiveIndex(tmp_path / "nothing")
    assert not archive.exists()
    assert archive.indexed_files() == {}
    with pytest.raises(IndexUnavailable):
        archive.article_count()


def test_a_searcher_sees_updates_and_deletions_after_commit(whoosh_store):
    archive = whoosh_store([sample_record(1, title="First"), sample_record(2, title="Second")])
    assert titles(archive) == ["First", "Second"]
    with IndexUpdate(archive) as update:
        update.put(sample_record(1, title="First, revised"))
        update.delete("sample0002")
    assert titles(archive) == ["First, revised"]
    assert archive.article_count() == 1


def test_searcher_is_reused_until_the_index_changes(whoosh_store):
    archive = whoosh_store([sample_record(1)])
    with archive.searcher() as first:
        pass
    with archive.searcher() as again:
        assert again is first
    with IndexUpdate(archive) as update:
        update.put(sample_record(2))
    with archive.searcher() as fresh:
        assert fresh is not first


def test_searcher_in_use_stays_open_while_a_new_one_serves_new_requests(whoosh_store):
    archive = whoosh_store([sample_record(1)])
    with archive.searcher() as old:
        with IndexUpdate(archive) as update:
            update.put(sample_record(2))
        with archive.searcher() as new:
            assert new.doc_count() == 2
        assert old.doc_count() == 1  # still readable: not closed under the running request


def test_full_rebuild_switches_only_when_committed(whoosh_store):
    archive = whoosh_store([sample_record(1, title="Old")])
    before = archive.live_dir()
    with pytest.raises(RuntimeError), IndexUpdate(archive, full=True) as update:
        update.put(sample_record(2, title="Half-built"))
        raise RuntimeError("crash in the middle of a rebuild")
    assert archive.live_dir() == before and titles(archive) == ["Old"]
    with IndexUpdate(archive, full=True) as update:
        update.put(sample_record(3, title="New"))
    assert archive.live_dir() != before and titles(archive) == ["New"]
    assert (archive.root / POINTER_FILE).read_text().strip() == archive.live_dir().name


def test_failed_incremental_update_leaves_the_last_commit(whoosh_store):
    archive = whoosh_store([sample_record(1, title="Kept")])
    with pytest.raises(RuntimeError), IndexUpdate(archive) as update:
        update.delete("sample0001")
        raise RuntimeError("crash before commit")
    assert titles(archive) == ["Kept"]


def test_second_concurrent_writer_is_refused(whoosh_store):
    archive = whoosh_store([sample_record(1)])
    with IndexUpdate(archive), pytest.raises(ReindexLocked, match="already running"):
        IndexUpdate(ArchiveIndex(archive.root)).__enter__()
    with IndexUpdate(archive) as update:  # the lock is released afterwards
        update.put(sample_record(2))
    assert archive.article_count() == 2


def test_index_from_an_older_schema_is_rebuilt_in_full(whoosh_store):
    from search.backends.whoosh.store import SCHEMA_VERSION_FILE

    archive = whoosh_store([sample_record(1)])
    (archive.live_dir() / SCHEMA_VERSION_FILE).write_text("1")
    assert IndexUpdate(archive).full
    (archive.live_dir() / SCHEMA_VERSION_FILE).unlink()
    assert IndexUpdate(archive).full


def test_requests_at_the_same_time_never_share_a_searcher(whoosh_store):
    archive = whoosh_store([sample_record(1)])
    with archive.searcher() as first, archive.searcher() as second:
        assert first is not second  # Whoosh searchers share file positions: one per request
    with archive.searcher() as again:
        assert again in (first, second)  # idle ones are reused


def test_parallel_searches_read_correctly(whoosh_store):
    import concurrent.futures

    archive = whoosh_store([sample_record(n, title=f"Story {n}", body=f"word{n} shared text") for n in range(200)])

    def titles(n: int) -> set[str]:
        with archive.searcher() as searcher:
            return (
                {hit["title"] for hit in searcher.documents()}
                if n % 2
                else {searcher.document(id=f"sample{n % 200:04d}")["title"]}
            )

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for n, result in zip(range(400), pool.map(titles, range(400)), strict=True):
            assert result == ({f"Story {k}" for k in range(200)} if n % 2 else {f"Story {n % 200}"})


def test_searchers_of_one_generation_share_what_searches_work_out(whoosh_store):
    archive = whoosh_store([sample_record(1, title="Oil"), sample_record(2, title="Oil again")])
    with archive.searcher() as first, archive.searcher() as second:
        assert first is not second  # two requests at once
        assert generation_cache(first) is generation_cache(second)
        before = generation_cache(first)
    assert search(archive, build_request({"q": ["oil"]})).total == 2
    with IndexUpdate(archive) as update:
        update.delete("sample0002")
    with archive.searcher() as searcher:
        assert generation_cache(searcher) is not before  # new document numbers, new values
    assert search(archive, build_request({"q": ["oil"]})).total == 1


def test_warming_works_out_everything_a_search_needs(whoosh_store):
    archive = whoosh_store(
        [
            sample_record(n, title=f"Oil {n}", source="Wire", authors=["Ann Lee"], date=dt.date(2024, 1, n))
            for n in (1, 2)
        ]
    )
    WhooshBackend(archive).warm()
    with archive.searcher() as searcher:
        warmed = set(generation_cache(searcher))
    for params in [{"q": ["oil"]}, {"q": ["oil"], "sort": ["-date"]}, {"q": ["oil"], "sort": ["date"]}, {"q": [""]}]:
        search(archive, build_request(params))
    with archive.searcher() as searcher:
        # Only the bounded caches of filters, topic keys and compiled queries grow with use.
        assert set(generation_cache(searcher)) - warmed <= {"filters", "topic_docs", "compiled"}


def test_the_warmer_warms_each_new_generation_once(whoosh_store):
    archive = whoosh_store([sample_record(n, title=f"Oil {n}", date=dt.date(2024, 1, n)) for n in (1, 2)])
    warmer = GenerationWarmer(WhooshBackend(archive))
    assert warmer.check()  # the first generation
    assert not warmer.check()  # nothing new committed
    with IndexUpdate(archive) as update:
        update.delete("sample0002")
    assert warmer.check()
    assert warmer.warmed == archive.generation()
    with archive.searcher() as searcher:
        # Warmed before any search ran on the new generation.
        assert {"duplicates", "months", "newest_first"} <= set(generation_cache(searcher))


def test_the_warmer_finds_a_commit_by_itself(whoosh_store):
    archive = whoosh_store([sample_record(n, title=f"Oil {n}", date=dt.date(2024, 1, n)) for n in (1, 2)])
    warmer = GenerationWarmer(WhooshBackend(archive), interval=0.01)
    warmer.check()
    first = warmer.warmed
    warmed_again = threading.Event()
    original = warmer.check

    def check() -> bool:
        changed = original()
        if changed:
            warmed_again.set()
        return changed

    warmer.check = check
    warmer.start()
    try:
        with IndexUpdate(archive) as update:
            update.put(sample_record(3, title="Oil 3"))
        assert warmed_again.wait(timeout=30)
    finally:
        warmer.stop()
    assert warmer.warmed != first
    assert warmer.warmed == archive.generation()


def test_the_warmer_waits_for_an_index(tmp_path):
    warmer = GenerationWarmer(WhooshBackend(tmp_path / "nothing"))
    assert not warmer.check()
    assert warmer.warmed is None


def test_an_index_whose_schema_this_version_cannot_read_is_a_503_until_rebuilt(tmp_path, monkeypatch, make_corpus):
    # Whoosh pickles analyzer classes into the index: an older version's, from a module since moved, cannot load.
    import importlib
    import sys

    from whoosh import index as whoosh_index
    from whoosh.analysis import RegexTokenizer
    from whoosh.fields import ID, TEXT, Schema

    import web
    from app import create_app
    from indexer.reindex import reindex
    from search.backends.whoosh.store import SCHEMA_VERSION_FILE

    modules = tmp_path / "modules"
    modules.mkdir()
    module = (
        "from whoosh.analysis import Filter\n\n\n"
        "class Keep(Filter):\n    def __call__(self, tokens):\n        yield from tokens\n"
    )
    (modules / "moved_analysis.py").write_text(module)
    monkeypatch.syspath_prepend(str(modules))
    keep = importlib.import_module("moved_analysis").Keep
    index = tmp_path / "index"
    old = index / "index-old"
    old.mkdir(parents=True)
    schema = Schema(
        id=ID(stored=True), path=ID(stored=True), content_hash=ID(stored=True), body=TEXT(RegexTokenizer() | keep())
    )
    with whoosh_index.create_in(str(old), schema).writer() as writer:
        writer.add_document(id="x", path="a.txt", content_hash="old", body="Budget talks")
    (old / SCHEMA_VERSION_FILE).write_text("8")
    (index / POINTER_FILE).write_text("index-old\n")
    (modules / "moved_analysis.py").unlink()
    monkeypatch.delitem(sys.modules, "moved_analysis")
    importlib.invalidate_caches()

    app = create_app({"TESTING": True, "WARM_INDEX": False, "INDEX_DIR": str(index)})
    try:
        client = app.test_client()
        health = client.get("/healthz")
        assert health.status_code == 503 and "another version" in health.get_json()["message"]
        refused = client.get("/api/search?q=budget")
        assert refused.status_code == 503 and refused.get_json()["error"]["code"] == "index_unavailable"
        assert web.archive_of(app).backend.rebuild_reason()  # bin/serve rebuilds it before serving
        corpus = make_corpus({"a.txt": "Budget talks\n\nOfficials met in Erbil on Tuesday to discuss the budget.\n"})
        summary = reindex(corpus, index, workers=1)
        assert summary.full and summary.articles == 1
        assert client.get("/api/search?q=budget").get_json()["total"] == 1
    finally:
        web.shutdown(app)
