"""bin/opensearch runs a real local OpenSearch cluster: one JVM per node, bound to 127.0.0.1 only.

Real processes, no mocks: each test starts bin/opensearch on free ports in a temp folder, talks to the
cluster over plain HTTP and stops it with SIGTERM like a user's Ctrl+C. They need Java 17 and Maven
(skipped with a message without them) and take about a minute together; select them with
`-k opensearch_cluster` (a custom marker would need registering in pyproject.toml first).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from opensearch_cluster import (
    READY_TIMEOUT,
    SCRIPT,
    STOP_TIMEOUT,
    TRANSPORT_OFFSET,
    clusters_in,
    free_port_base,
    jvms_of,
    needs_java,
)


@pytest.fixture
def start_cluster(tmp_path: Path) -> Iterator:
    """start_cluster(nodes, *options) starts bin/opensearch; every cluster is stopped at teardown."""
    yield from clusters_in(tmp_path)


def wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return
        if state == "Z":
            return
        time.sleep(0.1)
    raise AssertionError(f"process {pid} still runs after {timeout} s")


def call(method: str, url: str, body: object = None, *, ndjson: bool = False) -> dict:
    """An HTTP request with a JSON (or NDJSON) body; the JSON answer. HTTP errors raise."""
    data = None
    if body is not None:
        data = ("".join(json.dumps(line) + "\n" for line in body) if ndjson else json.dumps(body)).encode()
    content_type = "application/x-ndjson" if ndjson else "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=70) as answer:
        return json.load(answer)


def eventually(check, timeout: float, what: str):
    """Retry check() (a value when satisfied, else None; errors count as not yet) until timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if (value := check()) is not None:
                return value
        except (OSError, ValueError) as error:
            last = error
        time.sleep(0.5)
    raise AssertionError(f"{what} not within {timeout} s (last error: {last})")


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets LISTENing on port, from /proc/net/tcp and tcp6 (hex, as the kernel says)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                address, hex_port = fields[1].split(":")
                if fields[3] == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1, as IPv4 and as IPv4-mapped IPv6


def outside_address() -> str | None:
    """The machine's address towards the outside (no packet is sent), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        try:
            udp.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the route
        except OSError:
            return None
        address = udp.getsockname()[0]
    return None if address.startswith("127.") else address


def health(url: str) -> dict:
    return call("GET", f"{url}/_cluster/health")


@needs_java
def test_one_node_serves_on_loopback_only_and_stops_on_sigterm(start_cluster):
    cluster = start_cluster(1)
    ready = cluster.wait_for("OpenSearch is ready:", READY_TIMEOUT)
    assert f"http://127.0.0.1:{cluster.port}" in ready

    answer = health(cluster.urls[0])
    assert answer["number_of_nodes"] == 1
    assert answer["status"] in ("green", "yellow")

    for port in (cluster.port, cluster.port + TRANSPORT_OFFSET):
        addresses = listening_addresses(port)
        assert addresses, f"nothing listens on {port}"
        assert addresses <= LOOPBACK, f"port {port} is bound beyond 127.0.0.1: {addresses}"
    if outside := outside_address():
        with pytest.raises(OSError), socket.create_connection((outside, cluster.port), timeout=3):
            pass

    pid = cluster.pid(1)
    assert cluster.stop() == 0
    wait_gone(pid, 5)
    assert jvms_of(cluster.data) == []
    assert not (cluster.data / "node-1" / "node.pid").exists()


@needs_java
def test_three_nodes_keep_serving_when_one_is_killed(start_cluster):
    cluster = start_cluster(3, "--heap", "256m", "--keep-going")
    cluster.wait_for("OpenSearch is ready:", READY_TIMEOUT)
    assert ",".join(cluster.urls) in cluster.wait_for("All nodes", 5)
    assert health(cluster.urls[1])["number_of_nodes"] == 3

    first, third = cluster.urls[0], cluster.urls[2]
    call("PUT", f"{first}/news", {"settings": {"number_of_shards": 3, "number_of_replicas": 1}})
    actions = []
    for n in range(30):
        actions += [{"index": {"_index": "news", "_id": str(n)}}, {"title": f"article {n}", "body": "Baghdad"}]
    assert not call("POST", f"{first}/_bulk?refresh=true", actions, ndjson=True)["errors"]
    assert call("GET", f"{first}/_cluster/health/news?wait_for_status=green&timeout=60s")["status"] == "green"
    assert call("GET", f"{first}/news/_count")["count"] == 30

    victim = cluster.pid(2)
    os.kill(victim, signal.SIGKILL)
    wait_gone(victim, 10)
    assert f"node-2 (pid {victim}) was killed by signal 9" in cluster.wait_for("node-2", 15)

    def all_found(url: str):
        found = call("POST", f"{url}/news/_search", {"query": {"match": {"body": "baghdad"}}, "size": 0})
        return found if found["hits"]["total"]["value"] == 30 and found["_shards"]["failed"] == 0 else None

    for url in (first, third):
        eventually(lambda url=url: all_found(url), 30, f"all 30 articles found through {url}")

    def two_nodes():
        answer = health(first)
        return answer if answer["number_of_nodes"] == 2 else None

    assert eventually(two_nodes, 30, "the cluster noticing node-2 is gone")["status"] in ("yellow", "green")
    assert call("GET", f"{third}/news/_count")["count"] == 30

    assert cluster.stop() == 0
    assert jvms_of(cluster.data) == []


@needs_java
def test_a_node_dying_stops_the_cluster(start_cluster):
    cluster = start_cluster(1)
    cluster.wait_for("OpenSearch is ready:", READY_TIMEOUT)
    os.kill(cluster.pid(1), signal.SIGKILL)
    cluster.wait_for("node-1", 15)
    assert cluster.process.wait(timeout=STOP_TIMEOUT) == 1
    assert "was killed by signal 9" in cluster.log()
    assert jvms_of(cluster.data) == []


@needs_java
def test_a_port_in_use_is_refused(tmp_path):
    port = free_port_base(1)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port + TRANSPORT_OFFSET))
        holder.listen()
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--port", str(port), "--data", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"already in use on 127.0.0.1: port {port + TRANSPORT_OFFSET}" in done.stderr
    assert jvms_of(tmp_path) == []


def test_without_java_it_says_what_to_install(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": str(tmp_path), "HOME": str(tmp_path)},
    )
    assert done.returncode == 2
    assert "apt-get install openjdk-17-jdk-headless maven" in done.stderr
