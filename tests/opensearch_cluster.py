"""A real local OpenSearch cluster for tests: bin/opensearch on free ports in a temp folder, always stopped.

Shared by every test that needs a cluster (tests of bin/opensearch itself, and of the OpenSearch
engine). Real processes, no mocks; without Java 17 and Maven those tests are skipped with a message
saying what to install.
"""

from __future__ import annotations

import atexit
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT_ROOT / "bin" / "opensearch"
TRANSPORT_OFFSET = 100  # as in bin/opensearch
READY_TIMEOUT = 200  # the first run also fetches the jars from Maven Central
STOP_TIMEOUT = 40  # bin/opensearch itself SIGKILLs nodes after 20 s

MISSING = [tool for tool in ("java", "javac", "mvn") if not shutil.which(tool)]
needs_java = pytest.mark.skipif(
    bool(MISSING) and not os.environ.get("OPENSEARCH_TEST_URL"),
    reason=f"{', '.join(MISSING)} not found: install Java 17 and Maven "
    "(Debian/Ubuntu: sudo apt-get install openjdk-17-jdk-headless maven)",
)


# Point the engine's tests at a running cluster instead of starting one (e.g. bin/opensearch --port 9250).
TEST_URL_ENV = "OPENSEARCH_TEST_URL"
_shared: dict[str, str] = {}


def shared_cluster_url() -> str:
    """The URL of one single-node cluster for the whole test run: started at first use, stopped at exit.

    OPENSEARCH_TEST_URL names a running cluster to use instead. Each archive on it lives under an
    alias of its own, so tests never see each other's indices.
    """
    if os.environ.get(TEST_URL_ENV):
        return os.environ[TEST_URL_ENV]
    if "url" not in _shared:
        folder = Path(tempfile.mkdtemp(prefix="opensearch-tests-"))
        cluster = Cluster(folder / "data", nodes=1)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        atexit.register(cluster.cleanup)
        cluster.wait_for("OpenSearch is ready:", READY_TIMEOUT)
        _shared["url"] = cluster.urls[0]
    return _shared["url"]


def drop_indices(url: str, alias: str) -> None:
    """Delete every index of one test archive (`<alias>-...`, its lock included)."""
    from opensearchpy import OpenSearch

    client = OpenSearch(url.split(","), timeout=30, max_retries=0)
    try:
        names = list(client.indices.get(index=f"{alias}-*", expand_wildcards="open,closed"))
        if names:
            client.indices.delete(index=",".join(names))
    finally:
        client.close()


class Cluster:
    """A running bin/opensearch: its process, its output (read in a thread, so reads can time out), its ports."""

    def __init__(self, data: Path, nodes: int, *extra: str, port: int | None = None) -> None:
        """port: the first HTTP port (default: a free range); a restarted cluster takes its old one."""
        self.data, self.nodes = data, nodes
        self.port = port or free_port_base(nodes)
        self.urls = [f"http://127.0.0.1:{self.port + n}" for n in range(nodes)]
        command = [sys.executable, str(SCRIPT), "--nodes", str(nodes), "--port", str(self.port), "--data", str(data)]
        self.process = subprocess.Popen(
            [*command, *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT_ROOT
        )
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def wait_for(self, text: str, timeout: float) -> str:
        """The first output line (from now on) that contains text; fails with all output so far."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                self.process.wait(timeout=STOP_TIMEOUT)
                pytest.fail(f"bin/opensearch exited ({self.process.returncode}) before {text!r}:\n{self.log()}")
            self.output.append(line)
            if text in line:
                return line
        pytest.fail(f"no {text!r} from bin/opensearch within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return "".join(self.output)

    def pid(self, node: int) -> int:
        return int((self.data / f"node-{node}" / "node.pid").read_text())

    def stop(self) -> int:
        """SIGTERM bin/opensearch (as Ctrl+C would), wait for it; its exit status."""
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=STOP_TIMEOUT)
        self.wait_for("All nodes stopped.", timeout=5)
        return status

    def cleanup(self) -> None:
        """Whatever happened in the test: no bin/opensearch and no JVM of this data folder left."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for pid in jvms_of(self.data):
            os.kill(pid, signal.SIGKILL)
        self._reader.join(timeout=10)  # it ends at end of output: then the pipe can be closed
        self.process.stdout.close()


def clusters_in(folder: Path) -> Iterator:
    """Yield start(nodes, *options), which starts bin/opensearch under folder; stop every cluster afterwards."""
    clusters: list[Cluster] = []

    def start(nodes: int, *extra: str) -> Cluster:
        clusters.append(Cluster(folder / f"data{len(clusters)}", nodes, *extra))
        return clusters[-1]

    try:
        yield start
    finally:
        for cluster in clusters:
            cluster.cleanup()


def free_port_base(nodes: int) -> int:
    """A port P such that P..P+nodes-1 and P+100..P+100+nodes-1 are all free on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        ports = [first + n for first in (base, base + TRANSPORT_OFFSET) for n in range(nodes)]
        if ports[-1] <= 65535 and all(port_is_free(port) for port in ports):
            return base
    raise AssertionError("no free range of ports found")


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def jvms_of(data: Path) -> list[int]:
    """Pids of the live (not zombie) processes whose command line mentions the data folder: its JVMs."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone meanwhile
        if state != "Z" and any(str(data).encode() in arg for arg in cmdline) and b"NodeMain" in cmdline:
            pids.append(int(entry.name))
    return pids
