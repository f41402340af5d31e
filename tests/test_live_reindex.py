"""Zero downtime: the running app answers from the last commit during a reindex, and sees the new one after it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from conftest import PROJECT_ROOT, write_corpus

import web
from app import create_app
from indexer.reindex import reindex

OLD, NEW = 30, 200
BODY = "Officials met in Erbil on Tuesday to discuss the budget. The talks lasted for hours and ended late."
CLIENTS = 3
# Between searches, so the clients leave the two CPUs of a small machine to the reindex.
PAUSE_SECONDS = 0.02


def files(word: str, count: int) -> dict[str, str]:
    return {f"{word}/{n // 50}/{n}.txt": f"The {word} report {n}\n\n{BODY} {word} {n}.\n" for n in range(count)}


def test_searches_keep_working_during_a_reindex_and_see_its_commit(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", files("walrus", OLD))
    index = tmp_path / "index"
    reindex(corpus, index, workers=1)
    app = create_app({"TESTING": True, "INDEX_DIR": str(index), "CORPUS_DIR": str(corpus)})
    write_corpus(corpus, files("narwhal", NEW))

    answers: list[tuple[int, int | None, int | None]] = []  # (status, walrus total, narwhal total)
    stop = threading.Event()

    def ask() -> None:
        client = app.test_client()
        while not stop.is_set():
            old = client.get("/api/search?q=walrus&per_page=1")
            new = client.get("/api/search?q=narwhal&per_page=1")
            status = max(old.status_code, new.status_code)
            answers.append((status, old.json.get("total"), new.json.get("total")))
            time.sleep(PAUSE_SECONDS)

    threads = [threading.Thread(target=ask) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "indexer", "--corpus", str(corpus), "--index", str(index), "--workers", "2"],
            cwd=PROJECT_ROOT,
            env={"PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        during = len(answers)
        deadline = time.monotonic() + 5
        while not (answers and answers[-1][2] == NEW) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        web.shutdown(app)

    assert run.returncode == 0, run.stderr
    assert during > 20, "the clients did not search while the reindex ran"
    assert {status for status, _, _ in answers} == {200}
    # The old articles stay found throughout; the new ones appear all at once, at the commit.
    assert {old for _, old, _ in answers} == {OLD}
    assert {new for _, _, new in answers} == {0, NEW}
    assert answers[-1][2] == NEW
