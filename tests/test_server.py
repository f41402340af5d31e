"""`python app.py` as people run it: one waitress process or several gunicorn workers, on every engine."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SEED_CORPUS, drop_archive, engine_settings

from web.server import MAX_WEB_PROCESSES, ServerSettingError, web_processes

START_SECONDS = 120
STORY = "Harbour strike ends\n\nDock workers in Rotterdam voted on Friday to end the harbour strike after nine days.\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`python app.py` in a process of its own, with ARCHIVE_* settings in its environment."""

    def __init__(self, settings: dict, **extra: str) -> None:
        self.port = free_port()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PORT": str(self.port), **extra}
        env |= {f"ARCHIVE_{key}": str(value) for key, value in settings.items()}
        self.process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        ready = threading.Event()

        def read() -> None:
            for line in self.process.stdout:
                self.output.append(line)
                if line.startswith("Open http://"):
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        ready.wait(START_SECONDS)
        if self.process.poll() is not None or not self.answers():
            self.stop()
            pytest.fail("the server did not start:\n" + "".join(self.output))

    def answers(self) -> bool:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                return self.get("/healthz")[0] == 200
            except OSError:
                time.sleep(0.2)
        return False

    def get(self, path: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def total(self) -> int:
        status, body = self.get("/api/search?q=")
        assert status == 200, body
        return body["total"]

    def workers(self) -> set[int]:
        """The worker processes: children running the same command as the server (not the indexer's helpers)."""
        try:
            own = Path(f"/proc/{self.process.pid}/cmdline").read_bytes()
        except OSError:
            return set()
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if parent == self.process.pid and (entry / "cmdline").read_bytes() == own:
                    found.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
        return found

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self.process.stdout.close()


def wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def settings(tmp_path: Path, backend_name: str):
    """An archive of its own (not built yet), on this engine, served from a copy of the seed corpus."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    found = engine_settings(backend_name, tmp_path / "index") | {"CORPUS_DIR": str(corpus)}
    yield found
    drop_archive(found)


def test_several_processes_build_serve_and_replace_a_killed_worker(settings, tmp_path):
    server = Server(settings, ARCHIVE_WEB_PROCESSES="2", HOME=str(tmp_path / "home"))
    try:
        # Nothing but the one port: no control socket that another archive's server would share.
        assert not (tmp_path / "home" / ".gunicorn").exists()
        assert any("building it from" in line for line in server.output)  # built before the workers started
        assert any("with 2 processes" in line for line in server.output)
        # The server answers once its first worker does; gunicorn starts the others a moment apart.
        assert wait_for(lambda: len(server.workers()) == 2)
        workers = server.workers()
        assert all(server.total() == 5 for _ in range(10))
        killed = min(workers)
        os.kill(killed, signal.SIGKILL)
        assert wait_for(lambda: len(server.workers()) == 2 and killed not in server.workers())
        assert all(server.total() == 5 for _ in range(10))
        workers = server.workers()
    finally:
        code = server.stop()
    assert code == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # the workers ended with the server


def test_every_process_sees_a_reindex_from_another_process(settings):
    server = Server(settings, ARCHIVE_WEB_PROCESSES="2")
    try:
        Path(settings["CORPUS_DIR"], "harbour.txt").write_text(STORY)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        env |= {f"ARCHIVE_{key}": str(value) for key, value in settings.items()}
        done = subprocess.run(
            [sys.executable, "-m", "indexer", "--workers", "1"], cwd=PROJECT_ROOT, env=env, capture_output=True
        )
        assert done.returncode == 0, done.stderr
        # Each request may reach either worker: twenty in a row agree once both have moved on.
        assert wait_for(lambda: all(server.total() == 6 for _ in range(20)))
        status, body = server.get("/api/search?q=Rotterdam")
        assert status == 200 and body["total"] == 1
    finally:
        server.stop()


def test_unset_the_engine_decides(settings, backend_name):
    server = Server(settings)
    try:
        expected = {"whoosh": 1, "opensearch": os.cpu_count() or 1}[backend_name]
        # One process is waitress in the server's own process: no workers below it.
        assert wait_for(lambda: len(server.workers()) == (expected if expected > 1 else 0))
        assert server.total() == 5
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize("value", ["0", str(MAX_WEB_PROCESSES + 1), "many", "1.5"])
def test_a_bad_setting_is_refused_before_anything_starts(tmp_path, value):
    port = free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PORT": str(port), "ARCHIVE_WEB_PROCESSES": value}
    env |= {"ARCHIVE_INDEX_DIR": str(tmp_path / "index")}
    done = subprocess.run([sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert f"Cannot serve: WEB_PROCESSES must be a whole number from 1 to {MAX_WEB_PROCESSES}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "index").exists()  # refused before building anything


def test_without_gunicorn_an_unset_setting_falls_back_and_an_explicit_one_is_refused(monkeypatch):
    assert web_processes(None, 4) == 4 and web_processes("", 1) == 1 and web_processes(3, 1) == 3
    assert web_processes(None, 1000) == MAX_WEB_PROCESSES
    monkeypatch.setattr("web.server.several_processes_possible", lambda: "several web processes need gunicorn")
    assert web_processes(None, 4) == 1
    assert web_processes(1, 4) == 1
    with pytest.raises(ServerSettingError, match="WEB_PROCESSES=2: several web processes need gunicorn; set it to 1"):
        web_processes(2, 1)
    with pytest.raises(ServerSettingError, match="not True"):
        web_processes(True, 1)
