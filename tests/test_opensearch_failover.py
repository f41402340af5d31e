"""Three nodes in three JVMs: SIGKILL one while searches and a full reindex run; nothing is lost.

A real cluster (bin/opensearch --nodes 3 --keep-going --restart-after), the archive's index with 3
primaries and 1 replica, the app serving it from this process and the reindex command in another.
While four threads search, node-2 is killed with SIGKILL: every search must answer 200 with the
same total, the reindex must complete or fail with a clear message (then the next run completes),
no article may be lost, and once the script has started the node again the cluster returns to
green. Needs Java 17 and Maven.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SAMPLE_TEMPLATE, TestArchive, engine_settings, write_corpus
from opensearch_cluster import READY_TIMEOUT, Cluster, needs_java

from search.backends import open_backend

pytestmark = needs_java

ARTICLES = 600  # enough for the reindex to be mid-way when the node dies
NEW = 40  # files added before the full reindex (they never match the searches)
SEARCHERS = 4
GREEN_TIMEOUT = 180


def _corpus(folder: Path) -> Path:
    files = {
        f"desk{n % 6}/report-{n:04d}.txt": SAMPLE_TEMPLATE.format(
            title=f"Harbour report number {n}",
            author=f"Reporter {n % 11}",
            date=f"March {n % 28 + 1}, 2024",
            body=f"Ships waited in the harbour on day {n}. " * 20 + f"Cargo {n} was unloaded.",
        )
        for n in range(ARTICLES)
    }
    return write_corpus(folder, files)


def _reindex(settings: dict, corpus: Path, *options: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **{f"ARCHIVE_{key}": str(value) for key, value in settings.items()}}
    return subprocess.run(
        [sys.executable, "-m", "indexer", "--corpus", str(corpus), "--workers", "1", *options],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _health(backend) -> dict:
    return backend.client.cluster.health()


def test_killing_a_node_during_searches_and_a_reindex_loses_nothing(tmp_path):
    cluster = Cluster(tmp_path / "data", 3, "--heap", "256m", "--keep-going", "--restart-after", "5")
    try:
        cluster.wait_for("OpenSearch is ready:", READY_TIMEOUT)
        settings = engine_settings("opensearch", tmp_path / "state") | {
            "OPENSEARCH_URL": ",".join(cluster.urls),
            "OPENSEARCH_SHARDS": 3,
            "OPENSEARCH_REPLICAS": 1,
        }
        corpus = _corpus(tmp_path / "corpus")
        first = _reindex(settings, corpus)
        assert first.returncode == 0, first.stderr
        archive = TestArchive(open_backend(settings), settings)
        live = archive.backend.store.live_index()
        assert (
            archive.backend.client.indices.get_settings(index=live)[live]["settings"]["index"]["number_of_shards"]
            == "3"
        )
        backend = archive.backend
        backend.client.cluster.health(wait_for_status="green", timeout="60s", request_timeout=90)
        app = archive.app()
        expected = app.test_client().get("/api/search?q=harbour&per_page=1").get_json()["total"]
        assert expected == ARTICLES
        stories = app.test_client().get("/api/search?q=harbour&per_page=1&collapse=1").get_json()["total"]

        answers: list[tuple[int, int | None]] = []
        stop = threading.Event()

        def search() -> None:
            client = app.test_client()
            while not stop.is_set():
                response = client.get("/api/search?q=harbour&per_page=5&collapse=1")
                found = response.get_json() or {}
                answers.append((response.status_code, found.get("total") or found.get("error", {}).get("message")))

        searchers = [threading.Thread(target=search) for _ in range(SEARCHERS)]
        for thread in searchers:
            thread.start()
        for n in range(NEW):
            (corpus / f"late/note-{n}.txt").parent.mkdir(exist_ok=True)
            (corpus / f"late/note-{n}.txt").write_text(
                SAMPLE_TEMPLATE.format(
                    title=f"A note on the budget {n}", author="Clerk", date="April 2, 2024",
                    body=f"The council discussed the budget for item {n} at length. " * 5,
                ),
                encoding="utf-8",
            )  # fmt: skip
        env = {**os.environ, **{f"ARCHIVE_{key}": str(value) for key, value in settings.items()}}
        rebuild = subprocess.Popen(
            [sys.executable, "-m", "indexer", "--corpus", str(corpus), "--workers", "1", "--full"],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(2)  # the rebuild is writing now
        victim = cluster.pid(2)
        os.kill(victim, signal.SIGKILL)
        searched_before = len(answers)
        out, err = rebuild.communicate(timeout=600)
        time.sleep(3)  # searches go on a while after the rebuild ended too
        stop.set()
        for thread in searchers:
            thread.join(timeout=60)

        assert len(answers) > searched_before + 10  # searches really ran after the kill
        assert {status for status, _ in answers} == {200}, [a for a in answers if a[0] != 200][:3]
        assert {total for _, total in answers} == {stories}, {total for _, total in answers}
        if rebuild.returncode != 0:  # it may fail, cleanly: a message, then the next run completes
            assert "Traceback" not in err and err.strip(), err
            again = _reindex(settings, corpus, "--full")
            assert again.returncode == 0, again.stderr
        assert backend.article_count() == ARTICLES + NEW
        client = app.test_client()
        assert client.get("/api/search?q=harbour").get_json()["total"] == ARTICLES
        assert client.get("/api/search?q=budget").get_json()["total"] == NEW
        assert backend.store.live_index() != live  # the full rebuild was switched in

        cluster.wait_for("node-2 started again", 60)
        deadline = time.monotonic() + GREEN_TIMEOUT
        while (health := _health(backend))["status"] != "green" or health["number_of_nodes"] != 3:
            assert time.monotonic() < deadline, f"the cluster did not return to green: {health}"
            time.sleep(2)
        archive.close()
    finally:
        cluster.cleanup()


@pytest.mark.parametrize("option", ["--restart-after"])
def test_restarting_needs_keep_going(option, tmp_path):
    # Without --keep-going a dying node stops the whole cluster; restarting it is meaningless there.
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bin" / "opensearch"), option, "5", "--data", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and "--keep-going" in result.stderr
