"""Killing a reindex (SIGKILL, even during the commit) leaves the served index intact; the next run completes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, write_corpus

import web
from app import create_app
from indexer.reindex import reindex
from search.backends.whoosh.store import ArchiveIndex

FILES = 120
BODY = "Officials met in Erbil on Tuesday to discuss the budget. The talks lasted for hours and ended late."


def corpus_files(word: str, count: int) -> dict[str, str]:
    return {f"{word}/{n // 50}/story{n}.txt": f"The {word} story {n}\n\n{BODY} {word} {n}.\n" for n in range(count)}


def hits(index: Path, word: str) -> int:
    """How many articles a search for word finds, asked the way users ask: the app's JSON API."""
    app = create_app({"TESTING": True, "WARM_INDEX": False, "INDEX_DIR": str(index)})
    try:
        answer = app.test_client().get(f"/api/search?q={word}&per_page=1")
        assert answer.status_code == 200, answer.text
        return answer.json["total"]
    finally:
        web.shutdown(app)


def start_reindex(corpus: Path, index: Path, marker: str, *extra: str) -> subprocess.Popen:
    # The marker in the environment is inherited by every worker, so leftover ones can be found.
    env = {"PATH": "/usr/bin:/bin", "CRASH_TEST_MARKER": marker}
    return subprocess.Popen(
        [sys.executable, "-m", "indexer", "--corpus", str(corpus), "--index", str(index), "--workers", "2", *extra],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when(process: subprocess.Popen, line_start: str, delay: float) -> None:
    """SIGKILL the run `delay` seconds after it logs a line starting with line_start."""
    for line in process.stderr:
        if line.startswith(line_start):
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:  # the process ended while we looked
            pass
    return found


def assert_served_index_unchanged(index: Path, live: Path, marker: str) -> None:
    archive = ArchiveIndex(index)
    try:
        assert archive.live_dir() == live and archive.article_count() == FILES
    finally:
        archive.close()
    assert hits(index, "walrus") == FILES and hits(index, "narwhal") == 0
    # Workers notice their reindex is gone and exit; none lingers holding files.
    deadline = time.monotonic() + 5
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker) == []


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to find leftover workers")
def test_sigkill_at_any_stage_leaves_the_served_index_intact_and_the_next_run_completes(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", corpus_files("walrus", FILES))
    index = tmp_path / "index"
    reindex(corpus, index, workers=2)
    live = ArchiveIndex(index).live_dir()
    write_corpus(corpus, corpus_files("narwhal", FILES))
    (corpus / "walrus/0/story0.txt").unlink()
    marker = uuid.uuid4().hex

    # While workers extract; during the commit of an update; during the commit of a rebuild.
    for options, line_start, delay in [
        ((), "reindex: 1/", 0.1),
        ((), "reindex: committing", 0.0),
        (("--full",), "reindex: committing", 0.0),
    ]:
        kill_when(start_reindex(corpus, index, marker, *options), line_start, delay)
        assert_served_index_unchanged(index, live, marker)

    # The dead runs' lock does not block (the kernel released it): the next run completes.
    done = start_reindex(corpus, index, marker, "--json")
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    assert hits(index, "narwhal") == FILES and hits(index, "walrus") == FILES - 1
    assert json.loads(out)["removed"] == 1
