"""What only a cluster can get wrong: past the 10,000-hit window, secrets, and the cluster going away.

Real OpenSearch, no mocks: the test run's shared node for the deep-paging archive, and a node of
its own (bin/opensearch in a temp folder) for the cluster-down tests, stopped and started again
on the same data. The rest of the engine's behaviour is the backend contract (every test built on
conftest's build_index, seed_index, seed_app and client runs on both engines) and the parity check
(test_opensearch_parity.py). Needs Java 17 and Maven, or OPENSEARCH_TEST_URL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SEED_CORPUS, TestArchive, engine_settings, sample_record, write_corpus
from opensearch_cluster import READY_TIMEOUT, Cluster, needs_java

from search.backends import open_backend
from search.request import build_request

pytestmark = needs_java

# Just past what the cluster lets one request page through (index.max_result_window).
DEEP = 10_050
FIRST_DAY = dt.date(1990, 1, 1)
# Every article is a near-duplicate of the two next to it: DEEP // VERSIONS stories, every article clustered.
VERSIONS = 3


@pytest.fixture(scope="module")
def deep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestArchive]:
    """An archive of DEEP short articles, article n dated n days after FIRST_DAY, in clusters of VERSIONS."""
    settings = engine_settings("opensearch", tmp_path_factory.mktemp("deep"))
    backend = open_backend(settings)
    with backend.update(full=True) as update:
        for n in range(DEEP):
            update.put(
                sample_record(n, title=f"Harbour report {n}", body=f"Ships in harbour, entry {n}.",
                              date=FIRST_DAY + dt.timedelta(days=n), source=f"Desk {n % 7}",
                              near_keys=[f"story{n // VERSIONS}-{k}" for k in range(3)])
            )  # fmt: skip
    archive = TestArchive(backend, settings)
    yield archive
    archive.close()


def test_pages_past_ten_thousand_hits_come_in_order(deep):
    request = build_request({"q": ["harbour"], "sort": ["date"], "per_page": ["100"], "page": ["101"]})
    result = deep.search(request)
    assert result.total == DEEP and result.pages == 101
    assert [hit.id for hit in result.hits] == [f"sample{n:04d}" for n in range(10_000, DEEP)]
    newest = deep.search(build_request({"q": ["harbour"], "sort": ["-date"], "per_page": ["100"], "page": ["100"]}))
    assert [hit.date for hit in newest.hits][:2] == [
        str(FIRST_DAY + dt.timedelta(days=DEEP - 9_901 - n)) for n in (0, 1)
    ]
    # Relevance pages past the window line up with the pages before them: no hit twice, none lost.
    ranked = [build_request({"q": ["harbour"], "per_page": ["100"], "page": [str(p)]}) for p in (100, 101)]
    ids = [hit.id for request in ranked for hit in deep.search(request).hits]
    assert len(ids) == len(set(ids)) == 150


def test_exports_stream_every_match_past_ten_thousand(deep):
    client = deep.app().test_client()
    lines = client.get("/api/export.jsonl?q=harbour&sort=date").get_data(as_text=True).splitlines()
    assert len(lines) == DEEP
    assert [json.loads(lines[n])["id"] for n in (0, 9_999, 10_000, DEEP - 1)] == [
        f"sample{n:04d}" for n in (0, 9_999, 10_000, DEEP - 1)
    ]
    rows = list(csv.reader(io.StringIO(client.get("/api/search.csv?q=harbour&source=Desk 3").get_data(as_text=True))))
    assert len(rows) - 1 == len([n for n in range(DEEP) if n % 7 == 3])


def test_facet_counts_and_months_cover_the_whole_archive(deep):
    result = deep.search(build_request({"q": ["harbour"], "facet_size": ["3"]}))
    assert [(v.value, v.count) for v in result.facets["source"]] == [
        ("Desk 0", 1436),
        ("Desk 1", 1436),
        ("Desk 2", 1436),
    ]
    assert sum(month.count for month in result.months) == DEEP
    assert all(month.count == month.total_in_archive for month in result.months)


def test_collapse_counts_exactly_past_one_page_of_clustered_matches(deep):
    # More clustered matches than one request reads: the collapse reads them in pages, and stays exact.
    result = deep.search(build_request({"q": ["harbour"], "collapse": ["1"], "sort": ["date"], "per_page": ["5"]}))
    assert result.total == DEEP // VERSIONS and result.exact
    assert [hit.id for hit in result.hits] == [f"sample{n:04d}" for n in range(0, 5 * VERSIONS, VERSIONS)]
    assert all(hit.versions == VERSIONS for hit in result.hits)
    last = deep.search(build_request({"q": ["harbour"], "collapse": ["1"], "sort": ["-date"], "per_page": ["1"]}))
    assert [hit.id for hit in last.hits] == [f"sample{DEEP - VERSIONS:04d}"]  # the earliest of the last story
    # Every count hides the same 6,700 versions: one story, one count, in every month and year.
    counted = deep.search(build_request({"q": ["harbour"], "collapse": ["1"], "facet_size": ["40"]}))
    assert sum(month.count for month in counted.months) == DEEP // VERSIONS
    assert sum(value.count for value in counted.facets["year"]) == DEEP // VERSIONS


def test_collapsed_counts_under_a_filter_hide_versions_per_count(deep):
    # Thousands of hidden versions, and counts over different sets: the chosen desk's stories, and
    # each desk's own stories for the desk facet (as if no desk were chosen, collapsed within each desk).
    per_desk = {f"Desk {d}": len(range(d, DEEP, 7)) for d in range(7)}
    request = build_request({"q": ["harbour"], "collapse": ["1"], "source": ["Desk 3"], "facet_size": ["40"]})
    result = deep.search(request)
    # A story's 3 versions are on 3 different desks, so each Desk 3 article is a story of its own there.
    assert result.total == per_desk["Desk 3"] and result.exact
    assert {value.value: value.count for value in result.facets["source"]} == per_desk
    assert sum(month.count for month in result.months) == per_desk["Desk 3"]
    assert sum(value.count for value in result.facets["year"]) == per_desk["Desk 3"]


def test_health_names_the_cluster_but_never_its_credentials(deep):
    secret = "pa55-w0rd-never-shown"
    url = deep.settings["OPENSEARCH_URL"].replace("http://", f"http://archivist:{secret}@")
    app = deep.app(OPENSEARCH_URL=url, OPENSEARCH_USER="archivist", OPENSEARCH_PASSWORD=secret)
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200
    health = answer.get_json()
    assert health["backend"] == "opensearch" and health["articles"] == DEEP
    assert health["cluster"] in ("green", "yellow") and health["nodes"] == 1
    assert deep.settings["OPENSEARCH_INDEX"] in health["index"]
    assert secret not in answer.get_data(as_text=True) and "archivist" not in answer.get_data(as_text=True)


# --- The cluster going away ----------------------------------------------------------------------


def _reindex(settings: dict, corpus: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **{f"ARCHIVE_{key}": str(value) for key, value in settings.items()}}
    return subprocess.run(
        [sys.executable, "-m", "indexer", "--corpus", str(corpus)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_a_cluster_that_goes_away_is_a_503_and_a_failed_reindex_that_changes_nothing(tmp_path):
    cluster = Cluster(tmp_path / "data", nodes=1)
    try:
        cluster.wait_for("OpenSearch is ready:", READY_TIMEOUT)
        settings = engine_settings("opensearch", tmp_path / "state") | {"OPENSEARCH_URL": cluster.urls[0]}
        corpus = write_corpus(
            tmp_path / "corpus", {p.name: p.read_text(encoding="utf-8") for p in SEED_CORPUS.glob("*.txt")}
        )
        built = _reindex(settings, corpus)
        assert built.returncode == 0, built.stderr
        stat_cache = {p: p.read_bytes() for p in Path(settings["INDEX_DIR"]).rglob("*") if p.is_file()}
        archive = TestArchive(open_backend(settings), settings)
        client = archive.app().test_client()
        assert client.get("/api/search?q=Iraq").get_json()["total"] == 5

        assert cluster.stop() == 0
        answer = client.get("/api/search?q=Iraq")
        assert answer.status_code == 503
        error = answer.get_json()["error"]
        assert error["code"] == "index_unavailable" and cluster.urls[0] in error["message"]
        assert client.get("/healthz").status_code == 503
        assert client.get("/?q=Iraq").status_code == 503
        assert client.get("/api/search.csv?q=Iraq").status_code == 503
        (corpus / "new.txt").write_text("A new story\n\nIt happened in Basra today, officials said.", encoding="utf-8")
        failed = _reindex(settings, corpus)
        assert failed.returncode != 0
        assert "cannot" in failed.stderr and cluster.urls[0] in failed.stderr and "Traceback" not in failed.stderr
        assert {p: p.read_bytes() for p in Path(settings["INDEX_DIR"]).rglob("*") if p.is_file()} == stat_cache

        # Back on the same data: nothing was lost, nothing half-written; the next run completes.
        again = Cluster(tmp_path / "data", nodes=1, port=cluster.port)
        try:
            again.wait_for("OpenSearch is ready:", READY_TIMEOUT)
            assert client.get("/api/search?q=Iraq").get_json()["total"] == 5
            assert _reindex(settings, corpus).returncode == 0
            assert client.get("/api/search?q=Basra").get_json()["total"] == 1
        finally:
            archive.close()
            again.cleanup()
    finally:
        cluster.cleanup()


def test_marks_land_on_the_words_after_emoji_and_in_long_articles(tmp_path):
    # The cluster counts offsets in UTF-16 units; a long article exceeds its default token limit.
    settings = engine_settings("opensearch", tmp_path / "marks")
    backend = open_backend(settings)
    long_body = "Ships waited in the harbour. " + "Cargo was unloaded slowly. " * 3_000 + "The harbour closed."
    with backend.update(full=True) as update:
        update.put(
            sample_record(1, title="Party 🎉 at the port", body="🎉😀 Crowds 🎉 cheered in the harbour 🚢 today.")
        )
        update.put(sample_record(2, title="A long day at the port", body=long_body))
    archive = TestArchive(backend, settings)
    try:
        hits = {hit.id: hit.snippet for hit in archive.search(build_request({"q": ["harbour"]})).hits}
        assert "cheered in the <mark>harbour</mark> 🚢" in hits["sample0001"]
        assert "in the <mark>harbour</mark>." in hits["sample0002"]
        marked = archive.marked_paragraphs("🎉😀 Crowds 🎉 cheered in the harbour 🚢 today.", "crowds harbour")
        assert marked == ["🎉😀 <mark>Crowds</mark> 🎉 cheered in the <mark>harbour</mark> 🚢 today."]
        page = archive.app().test_client().get("/articles/sample0002?q=harbour")
        assert page.status_code == 200 and "<mark>harbour</mark>" in page.get_data(as_text=True)
    finally:
        archive.close()


def test_patterns_standing_for_many_words_together_still_search(tmp_path):
    # Ranked by their words, two prefixes of 1,000 and 500 words pass Lucene's 1,024-clause limit:
    # pages and exports fall back to matching them unranked instead of failing.
    settings = engine_settings("opensearch", tmp_path / "wide")
    backend = open_backend(settings)
    with backend.update(full=True) as update:
        update.put(sample_record(1, body=" ".join(f"w{n:04d}" for n in range(1_500))))
        update.put(sample_record(2, body="w0001 and nothing else"))
    archive = TestArchive(backend, settings)
    try:
        client = archive.app().test_client()
        answer = client.get("/api/search?q=w0* OR w1*")
        assert answer.status_code == 200 and answer.get_json()["total"] == 2
        lines = client.get("/api/export.jsonl?q=w0* OR w1*").get_data(as_text=True).splitlines()
        assert len(lines) == 2
    finally:
        archive.close()
