"""Load test: 8 concurrent clients against the production WSGI server while incremental reindexes commit.

    .venv/bin/python bench/load.py ../shared/data/news-bench/news.jsonl [--articles 3000] [--seconds 60]

Writes a corpus of real news items (text files) to a temporary folder, indexes it, starts
`python app.py` (waitress) on a free port of 127.0.0.1, then runs a bounded loop of clients
for --seconds while another process adds new files and runs `python -m indexer` every few
seconds. Every response is checked (status 200, JSON with the documented keys, totals that
never go down while articles are only added). Prints latency percentiles, throughput, errors,
the reindex commits that happened, and the server's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "oil",
    "market prices",
    '"interest rates"',
    "bank*",
    "government -election",
    "trade OR tariff",
    "company profit",
    "minister",
    "dollar",
    "strike",
]
REQUIRED_KEYS = {"query", "total", "results", "facets", "page", "pages"}


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_articles(items: list[dict], folder: Path) -> None:
    """Write news items as text dumps: headline, date line, body."""
    folder.mkdir(parents=True, exist_ok=True)
    for item in items:
        text = f"{item['title']}\n\n{item.get('date') or ''}\n\n{item['body']}\n"
        (folder / f"{item['id']}.txt").write_text(text, encoding="utf-8")


def rss_kb(pid: int) -> int:
    """Return the resident set size of a process in KiB (0 if gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def main() -> int:
    """Run the load test and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("jsonl", type=Path)
    parser.add_argument("--articles", type=int, default=3000, help="articles indexed before the load starts")
    parser.add_argument("--batch", type=int, default=50, help="articles added per reindex during the load")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with args.jsonl.open(encoding="utf-8") as handle:
        items = [json.loads(line) for _, line in zip(range(args.articles + 100 * args.batch), handle, strict=False)]
    work = Path(tempfile.mkdtemp(prefix="load-"))
    corpus, index = work / "corpus", work / "index"
    write_articles(items[: args.articles], corpus)
    env = {**os.environ, "ARCHIVE_CORPUS_DIR": str(corpus), "ARCHIVE_INDEX_DIR": str(index)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "indexer", "--json"], cwd=ROOT, env=env, check=True, capture_output=True)
    print(f"initial index of {args.articles} articles: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    port = free_port()
    server_log = (work / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env={**env, "PORT": str(port)}, stdout=server_log, stderr=server_log
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).read()
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    stop = threading.Event()
    latencies: list[float] = []
    errors: list[str] = []
    commits: list[dict] = []
    peak_rss = [0]
    lock = threading.Lock()
    last_total = {"everything": 0}

    def client(number: int) -> None:
        rng = random.Random(number)
        while not stop.is_set():
            query = rng.choice(QUERIES)
            url = f"{base}/api/search?" + urllib.parse.urlencode({"q": query, "page": rng.choice([1, 1, 1, 2])})
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    body = json.loads(response.read())
                    status = response.status
            except (urllib.error.URLError, ConnectionError, json.JSONDecodeError, TimeoutError) as exc:
                with lock:
                    errors.append(f"{query}: {exc}")
                continue
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                if status != 200 or not set(body) >= REQUIRED_KEYS:
                    errors.append(f"{query}: status {status}, keys {sorted(body)}")
            if rng.random() < 0.1:  # the whole archive only grows: its count must never go down
                with urllib.request.urlopen(f"{base}/api/search?q=", timeout=30) as response:
                    total = json.loads(response.read())["total"]
                with lock:
                    if total < last_total["everything"]:
                        errors.append(f"total went down: {total} < {last_total['everything']}")
                    last_total["everything"] = max(total, last_total["everything"])

    def reindexer() -> None:
        offset = args.articles
        while not stop.is_set() and offset + args.batch <= len(items):
            write_articles(items[offset : offset + args.batch], corpus)
            offset += args.batch
            done = subprocess.run(
                [sys.executable, "-m", "indexer", "--json"], cwd=ROOT, env=env, capture_output=True, text=True
            )
            if done.returncode == 0:
                commits.append(json.loads(done.stdout))
            else:
                errors.append(f"reindex failed: {done.stderr[-300:]}")
            stop.wait(2)

    def watch_memory() -> None:
        while not stop.is_set():
            peak_rss[0] = max(peak_rss[0], rss_kb(server.pid))
            stop.wait(0.5)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    threads += [threading.Thread(target=reindexer), threading.Thread(target=watch_memory)]
    load_started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - load_started
    server.terminate()
    server.wait(timeout=10)
    ordered = sorted(latencies)

    def pct(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")

    added = sum(c["added"] for c in commits)
    print(
        f"\n{args.clients} clients, {duration:.0f} s, {args.articles} articles at the start, "
        f"{len(commits)} reindex commits during the load adding {added} articles\n"
    )
    print("| requests | errors | req/s | p50 ms | p95 ms | p99 ms | mean ms | server peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    mean = statistics.fmean(ordered) * 1000 if ordered else float("nan")
    print(
        f"| {len(latencies)} | {len(errors)} | {len(latencies) / duration:.1f} | {pct(0.5):.0f} | {pct(0.95):.0f} | "
        f"{pct(0.99):.0f} | {mean:.0f} | {peak_rss[0] / 1024:.0f} |"
    )
    for error in errors[:10]:
        print("error:", error)
    if errors:
        print(f"server log: {work / 'server.log'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
