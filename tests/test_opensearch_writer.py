"""The OpenSearch store and writer index a corpus as the Whoosh engine does, and never show a half-built index.

Real engines, no mocks: the test run's OpenSearch node (bin/opensearch, started at first use on a
free port, stopped at exit: opensearch_cluster.shared_cluster_url) and Whoosh index folders in temp
folders, both filled by the real reindexer from real corpus files. Whoosh is the reference: each
run's summary counts and indexed files are compared. Each test works under an alias of its own
(`t<uuid8>`), so tests never see each other's indices; an unrelated index made at the start must be
untouched at the end. Needs Java 17 and Maven (skipped with a message without them); select with `-k
opensearch_writer`.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SEED_CORPUS, write_corpus
from opensearch_cluster import free_port_base, needs_java, shared_cluster_url
from test_duplicates import WIRE_CORPUS, WIRE_STORY, article, corpus_files
from test_fingerprint import OTHER_STORY

from indexer.reindex import ReindexSummary, reindex
from search.backends.opensearch import writer
from search.backends.opensearch.store import SCHEMA_VERSION, OpenSearchStore
from search.backends.opensearch.writer import LOCK_ID, BulkWriteError
from search.backends.whoosh.backend import WhooshBackend
from search.errors import IndexUnavailable, ReindexLocked

REQUEST_TIMEOUT = 30
KILL_TIMEOUT = 120  # for the killed reindex's index to appear
COUNTS = ("added", "updated", "removed", "unchanged", "written", "copies", "near_duplicates", "articles")

pytestmark = needs_java


@pytest.fixture(scope="module")
def cluster_url() -> str:
    """The test run's node (opensearch_cluster.shared_cluster_url): every test works under an alias of its own."""
    return shared_cluster_url()


@pytest.fixture(scope="module")
def client(cluster_url: str):
    from opensearchpy import OpenSearch

    opened = OpenSearch([cluster_url], timeout=REQUEST_TIMEOUT, max_retries=0)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def unrelated(client) -> Iterator[str]:
    """An index outside every test's prefix, with one document: nothing here may touch it."""
    name = f"unrelated-{uuid.uuid4().hex[:8]}"
    client.indices.create(index=name)
    client.index(index=name, id="1", body={"note": "not the archive's"}, refresh="true")
    yield name


@pytest.fixture
def open_store(cluster_url: str, tmp_path: Path, unrelated: str) -> Iterator:
    """Return a function opening a store under a fresh alias (or a given one); every store is closed afterwards."""
    stores: list[OpenSearchStore] = []

    def open_one(alias: str | None = None, **settings: str) -> OpenSearchStore:
        alias = alias or f"t{uuid.uuid4().hex[:8]}"
        config = {
            "OPENSEARCH_URL": cluster_url,
            "OPENSEARCH_INDEX": alias,
            "INDEX_DIR": str(tmp_path / "state"),
            **settings,
        }
        stores.append(OpenSearchStore(config))
        return stores[-1]

    yield open_one
    for store in stores:
        store.close()


def builds(client, store: OpenSearchStore) -> list[str]:
    """The archive's indices on the cluster (the lock index left out)."""
    return sorted(name for name in client.indices.get(index=f"{store.prefix}*") if name != store.lock_index)


def seed_copy(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    return corpus


def counts(summary: ReindexSummary) -> dict[str, int]:
    return {name: getattr(summary, name) for name in COUNTS}


def both(corpus: Path, store: OpenSearchStore, whoosh: WhooshBackend, **options) -> ReindexSummary:
    """Reindex on both engines; the summaries, files, article counts and ingest reports must agree."""
    reference = reindex(corpus, whoosh, workers=1, **options)
    summary = reindex(corpus, store, workers=1, **options)
    assert counts(summary) == counts(reference)
    assert store.indexed_files() == whoosh.indexed_files()
    assert store.article_count() == whoosh.article_count() == summary.articles
    assert store.ingest_report() == whoosh.ingest_report() == summary.report
    return summary


@pytest.fixture
def whoosh(tmp_path: Path) -> Iterator[WhooshBackend]:
    engine = WhooshBackend(tmp_path / "whoosh")
    yield engine
    engine.close()


WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "vu", "ze") for b in ("ban", "dor", "fel",
         "gim", "hus", "jat", "kep", "lor", "mun", "nix", "pod", "rek", "sul", "tav", "wen")]  # fmt: skip


def sample_corpus(folder: Path, count: int, start: int = 0) -> Path:
    """Articles of unrelated random words (no copies, no near-duplicates), one file each."""
    files = {}
    for number in range(start, start + count):
        rng = random.Random(number)
        body = " ".join(rng.choice(WORDS) for _ in range(80))
        files[f"sample/{number:04d}.txt"] = f"Report number {number} {rng.choice(WORDS)}\n\n{body}.\n"
    return write_corpus(folder, files)


# -- first run, incremental runs -------------------------------------------------------------
def test_first_run_indexes_the_seed_articles_behind_the_alias(tmp_path, open_store, client):
    corpus, store = seed_copy(tmp_path), open_store()
    assert store.rebuild_reason() and store.generation() is None and store.indexed_files() == {}
    summary = reindex(corpus, store, workers=1)
    assert summary.full and summary.added == 5 and not summary.skipped
    assert store.article_count() == 5 == summary.articles
    live = list(client.indices.get_alias(name=store.alias))
    assert live == builds(client, store) and store.is_build_name(live[0])
    assert store.rebuild_reason() is None and store.generation() == (live[0], 1)
    reference = WhooshBackend(tmp_path / "whoosh")
    try:
        reindex(corpus, reference, workers=1)
        assert store.indexed_files() == reference.indexed_files() and len(reference.indexed_files()) == 5
    finally:
        reference.close()
    assert (store.state_dir / "stat-cache.json").exists() and store.state_dir.name == f"opensearch-{store.alias}"


def test_incremental_run_changes_adds_and_removes_as_whoosh_does(tmp_path, open_store, whoosh):
    corpus, store = seed_copy(tmp_path), open_store()
    both(corpus, store, whoosh)
    first = store.generation()
    names = sorted(path.name for path in corpus.iterdir())
    with (corpus / names[0]).open("a", encoding="utf-8") as changed:
        changed.write("\nA paragraph added later, with news of its own about the budget talks.\n")
    (corpus / names[1]).unlink()
    (corpus / "new.txt").write_text(f"Central bank holds rates\n\n{OTHER_STORY}\n", encoding="utf-8")
    summary = both(corpus, store, whoosh)
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (1, 1, 1, 3)
    assert not summary.full and store.generation() != first and store.generation()[0] == first[0]
    again = both(corpus, store, whoosh)
    assert (again.added, again.updated, again.removed, again.unchanged, again.written) == (0, 0, 0, 5, 0)


def test_an_index_of_another_schema_version_is_rebuilt_in_full(tmp_path, open_store, client):
    corpus, store = seed_copy(tmp_path), open_store()
    reindex(corpus, store, workers=1)
    old = store.live_index()
    client.indices.put_mapping(index=old, body={"_meta": {"schema_version": SCHEMA_VERSION - 1, "commits": 1}})
    assert "another version" in store.rebuild_reason()
    summary = reindex(corpus, store, workers=1)
    assert summary.full and store.live_index() != old and builds(client, store) == [store.live_index()]
    assert store.rebuild_reason() is None and store.article_count() == 5


# -- duplicates --------------------------------------------------------------------------------
def test_copies_and_near_duplicates_are_decided_as_whoosh_decides(tmp_path, open_store, whoosh, monkeypatch):
    story = article("Suspects held in Mosul", WIRE_STORY, "2024-03-02", "Wire")
    corpus = write_corpus(tmp_path / "corpus", corpus_files(WIRE_CORPUS | {"a/saved": story, "b/saved-again": story}))
    store = open_store()
    first = both(corpus, store, whoosh)
    assert (first.copies, first.near_duplicates) == (2, 2)
    # The indexed article of the copies goes: its first copy takes over.
    for suffix in (".txt", ".meta.json"):
        (corpus / f"a/saved{suffix}").unlink()
        (corpus / f"wire/first{suffix}").unlink()
    both(corpus, store, whoosh)
    # A new copy of an article changed in the same run becomes the article (a late copy).
    shutil.copy(corpus / "b/saved-again.txt", corpus / "0-new-copy.txt")
    (corpus / "b/saved-again.txt").write_text(f"Central bank holds rates\n\n{OTHER_STORY} Updated.\n", "utf-8")
    both(corpus, store, whoosh)
    # Nothing changes on the next run; a full rebuild decides the same.
    again = both(corpus, store, whoosh)
    assert again.written == 0
    both(corpus, store, whoosh, full=True)
    # A full build sent in many small bulk requests decides the same.
    monkeypatch.setattr(writer, "BATCH_DOCS", 3)
    both(corpus, store, whoosh, full=True)


# -- full rebuilds -----------------------------------------------------------------------------
def test_a_full_rebuild_switches_the_alias_atomically(tmp_path, open_store, client, monkeypatch):
    monkeypatch.setattr(writer, "BATCH_DOCS", 7)  # many bulk requests
    corpus, store = sample_corpus(tmp_path / "corpus", 150), open_store()
    reindex(corpus, store, workers=1)
    sample_corpus(corpus, 150, start=150)
    seen: list[int] = []
    done = threading.Event()
    result: dict = {}

    def rebuild() -> None:
        try:
            result["summary"] = reindex(corpus, store, workers=1, full=True)
        except BaseException as exc:  # reported by the test below
            result["error"] = exc
        finally:
            done.set()

    def count() -> None:
        while not done.is_set():
            seen.append(client.count(index=store.alias)["count"])

    counter = threading.Thread(target=count)
    counter.start()
    rebuilder = threading.Thread(target=rebuild)
    rebuilder.start()
    rebuilder.join(timeout=300)
    counter.join(timeout=60)
    assert not rebuilder.is_alive() and not counter.is_alive() and "error" not in result, result
    seen.append(client.count(index=store.alias)["count"])
    assert set(seen) <= {150, 300} and seen[0] == 150 and seen[-1] == 300, sorted(set(seen))
    assert seen.count(150) > 10  # counted all along the build, not only before and after it
    assert result["summary"].articles == 300 and builds(client, store) == [store.live_index()]


def test_a_full_build_goes_live_merged_and_an_incremental_run_is_left_to_the_merge_policy(
    tmp_path, open_store, client, monkeypatch
):
    monkeypatch.setattr(writer, "BATCH_DOCS", 7)
    flush = writer.OpenSearchUpdate._flush

    def flush_and_refresh(update: writer.OpenSearchUpdate) -> None:  # a segment per bulk request
        flush(update)
        client.indices.refresh(index=update._target)

    monkeypatch.setattr(writer.OpenSearchUpdate, "_flush", flush_and_refresh)
    corpus, store = sample_corpus(tmp_path / "corpus", 60), open_store()

    def segments() -> int:
        return len(client.cat.segments(index=store.live_index(), format="json"))

    reindex(corpus, store, workers=1)
    assert segments() == 1 and store.article_count() == 60
    sample_corpus(corpus, 30, start=60)
    reindex(corpus, store, workers=1)
    assert segments() > 1 and store.article_count() == 90  # not merged: written in place, searchable as it is


def test_a_failed_full_rebuild_leaves_the_live_index_alone(tmp_path, open_store, client):
    corpus, store = seed_copy(tmp_path), open_store()
    reindex(corpus, store, workers=1)
    live, generation = store.live_index(), store.generation()
    with pytest.raises(RuntimeError, match="boom"), store.update(full=True) as update:
        assert update.full and len(builds(client, store)) == 2
        raise RuntimeError("boom")
    assert builds(client, store) == [live] and store.generation() == generation and store.article_count() == 5


def test_a_refused_document_fails_the_run_naming_it(tmp_path, open_store, client):
    corpus, store = seed_copy(tmp_path), open_store()
    reindex(corpus, store, workers=1)
    live = store.live_index()
    for full in (True, False):
        refused = r"refused 1 document.*index bad-doc: 400 strict_dynamic_mapping"
        with pytest.raises(BulkWriteError, match=refused), store.update(full=full) as update:
            update._write({"id": "bad-doc", "no_such_field": 1})
        assert builds(client, store) == [live] and store.article_count() == 5
    assert client.count(index=store.lock_index)["count"] == 0


# -- one run at a time ---------------------------------------------------------------------------
def test_a_second_concurrent_update_is_refused_and_a_stale_lock_taken_over(tmp_path, open_store, client):
    corpus, store = seed_copy(tmp_path), open_store()
    reindex(corpus, store, workers=1)
    other = open_store(store.alias)
    with store.update():
        with pytest.raises(ReindexLocked, match=rf"pid {os.getpid()} on "):
            other.update().__enter__()
        with pytest.raises(ReindexLocked):
            reindex(corpus, other, workers=1)
    assert reindex(corpus, other, workers=1).unchanged == 5  # released on exit
    # A live holder on another machine (fresh heartbeat) keeps it; a silent one (a minute old) loses it.
    holder = {"pid": 12345, "host": "elsewhere.example", "token": "x", "building": None}
    client.index(index=store.lock_index, id=LOCK_ID, body=holder | {"heartbeat": time.time()}, refresh="true")
    with pytest.raises(ReindexLocked, match="pid 12345 on elsewhere.example"):
        reindex(corpus, store, workers=1)
    client.index(index=store.lock_index, id=LOCK_ID, body=holder | {"heartbeat": time.time() - 3600}, refresh="true")
    assert reindex(corpus, store, workers=1).unchanged == 5
    assert client.count(index=store.lock_index)["count"] == 0


def test_the_lock_heartbeat_is_refreshed_while_a_run_lasts(tmp_path, open_store, client, monkeypatch):
    monkeypatch.setattr(writer, "HEARTBEAT_SECONDS", 0.1)
    store = open_store()
    reindex(seed_copy(tmp_path), store, workers=1)
    with store.update():
        first = client.get(index=store.lock_index, id=LOCK_ID)["_source"]
        deadline = time.monotonic() + 10
        while client.get(index=store.lock_index, id=LOCK_ID)["_source"]["heartbeat"] == first["heartbeat"]:
            assert time.monotonic() < deadline, "no heartbeat"
            time.sleep(0.05)
        assert first["pid"] == os.getpid()


KILLED_RUN = """
import sys
from indexer.reindex import reindex
from search.backends.opensearch.store import OpenSearchStore
store = OpenSearchStore({"OPENSEARCH_URL": sys.argv[1], "OPENSEARCH_INDEX": sys.argv[2], "INDEX_DIR": sys.argv[3]})
reindex(sys.argv[4], store, workers=1, full=True)
"""


def test_a_reindex_killed_mid_build_leaves_the_previous_index_live(
    tmp_path, open_store, client, cluster_url, unrelated
):
    corpus, store = sample_corpus(tmp_path / "corpus", 100), open_store()
    reindex(corpus, store, workers=1)
    live = store.live_index()
    sample_corpus(corpus, 200, start=100)
    command = [sys.executable, "-c", KILLED_RUN, cluster_url, store.alias, str(tmp_path / "state"), str(corpus)]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + KILL_TIMEOUT
        while len(builds(client, store)) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, process.communicate(timeout=10)[0].decode()
        assert len(builds(client, store)) == 2
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        process.stdout.close()
    assert store.live_index() == live and store.article_count() == 100 and len(builds(client, store)) == 2
    # The killed run's lock names a process of this host that is gone: the next run takes it over.
    summary = reindex(corpus, store, workers=1)
    assert summary.articles == 300 == store.article_count()
    assert builds(client, store) == [store.live_index()]
    assert client.count(index=unrelated)["count"] == 1


# -- credentials and other indices -----------------------------------------------------------------
def test_credentials_are_never_shown(tmp_path, open_store):
    user, password = "archive-user-7f3", "pa55-word-c0ffee"
    store = open_store(OPENSEARCH_USER=user, OPENSEARCH_PASSWORD=password)
    summary = reindex(seed_copy(tmp_path), store, workers=1)  # the dev cluster ignores them
    port = free_port_base(1)
    nowhere = open_store(
        store.alias,
        OPENSEARCH_URL=f"http://{user}:{password}@127.0.0.1:{port}",
        OPENSEARCH_USER=user,
        OPENSEARCH_PASSWORD=password,
    )
    shown = [store.location(), repr(store), summary.index, nowhere.location(), repr(nowhere)]
    for attempt in (nowhere.article_count, nowhere.exists, nowhere.indexed_files, nowhere.ingest_report,
                    nowhere.rebuild_reason, lambda: nowhere.update().__enter__()):  # fmt: skip
        with pytest.raises(IndexUnavailable) as caught:
            attempt()
        shown += [str(caught.value), repr(caught.value)]
    assert all(user not in text and password not in text for text in shown), shown
    assert f"127.0.0.1:{port}" in str(caught.value)


def test_indices_outside_the_prefix_are_untouched(client, unrelated, open_store):
    # Runs last in this module: every test above has run its reindexes by now.
    assert client.count(index=unrelated)["count"] == 1
    assert client.get(index=unrelated, id="1")["_source"] == {"note": "not the archive's"}
    assert not open_store().is_build_name(unrelated)
