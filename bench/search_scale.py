"""Search latency at one corpus size: in-process (archive, raw Whoosh, SQLite FTS5) and over HTTP against `app.py`.

    .venv/bin/python bench/search_scale.py INDEX_ROOT [--label 100k] [--repeat 5] [--clients 1,8] [--seconds 30]
        [--json OUT] [--fts5-db PATH] [--no-http] [--searches-at-once 1,2,8] [--opensearch URL --opensearch-index A]

INDEX_ROOT is an archive index root built by the real reindex command (`python -m indexer --corpus DIR
--index INDEX_ROOT --full`). Every request of a fixed, seeded query mix (bench/search_speed.py's, with
the two filters set to the index's commonest source and that source's commonest year) is the full
request the pages and the API make: hits, snippets, every facet, month buckets. Its words are typed
as real words (the commonest word each sampled stem comes from), which both engines can stem.

In-process, with warm searchers, each request runs --repeat times through
  service  Archive(backend).search(build_request(params)), as the web layer calls it;
  raw      plain Whoosh doing the same searching, grouping and highlighting (bench/search_speed.py);
  FTS5     SQLite FTS5 over the same articles with the same semantics (bench/fts5.py; the database is
           built beside the index root on the first run and reused while the article count matches).
Over HTTP, for each --clients count, a fresh production server (`python app.py`, waitress, 127.0.0.1,
a free port) is warmed with every request once, then that many keep-alive clients cycle through the
mix for --seconds. Every response must be a 200 with the documented keys (exit status 1 otherwise).

With --opensearch URLS (repeatable: one per cluster, each with its --opensearch-index ALIAS and an
--opensearch-label), the same requests also go through the archive on that OpenSearch cluster,
interleaved with the others: its alias must hold the same corpus, written by the real command
(`ARCHIVE_BACKEND=opensearch ... python -m indexer --corpus DIR --full`); a table puts it beside the
service on Whoosh, with whether the totals agree. Over HTTP, each engine gets its own server runs:
`python app.py` with the engine's settings and its default WEB_PROCESSES (Whoosh 1, OpenSearch one
per core), and Whoosh also with every count in --whoosh-processes. The server's memory is the sum of
the peak resident sets of its processes (the supervisor and its workers); a cluster's JVMs are
reported beside it (their resident set and heap in use after the run).

Prints Markdown tables (milliseconds): median, p95, p99 per query kind and overall; service/raw and
service/FTS5; requests/s, errors and the server's peak RSS (VmHWM). --json writes the figures for
bench/plot_scale.py.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.client
import itertools
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

from fts5 import Fts5Archive, Unsupported  # noqa: E402
from index_scale import Cluster, descendants, status_kib  # noqa: E402
from search_speed import percentile, query_mix, raw_search  # noqa: E402
from whoosh.query import Term  # noqa: E402

from search.archive import Archive  # noqa: E402
from search.backends import open_backend  # noqa: E402
from search.backends.whoosh import WhooshBackend  # noqa: E402
from search.backends.whoosh import schema as f  # noqa: E402
from search.backends.whoosh.reference import build_parser  # noqa: E402
from search.backends.whoosh.store import ArchiveIndex  # noqa: E402
from search.request import build_request  # noqa: E402

PATHS = ("service", "raw", "fts5")
REQUIRED_KEYS = {"query", "total", "results", "facets", "page", "pages"}
SERVER_START_SECONDS = 120
WARM_CLIENTS = 16

Mix = dict[str, list[dict[str, str]]]


def log(text: str) -> None:
    """Progress goes to stderr, so stdout holds only the tables."""
    print(text, file=sys.stderr, flush=True)


def commonest_source_and_year(archive: ArchiveIndex) -> tuple[str | None, str | None]:
    """Return the source with the most articles and the year in which it has the most (None when there are none)."""
    with archive.searcher() as searcher:
        reader = searcher.reader()
        sources = [t.decode() for t in reader.lexicon(f.SOURCE_FACET)]
        if not sources:
            return None, None
        source = max(sources, key=lambda s: reader.doc_frequency(f.SOURCE_FACET, s.encode()))
        years = [t.decode() for t in reader.lexicon(f.YEAR)]
        in_source = Term(f.SOURCE_FACET, source)

        def in_year(year: str) -> int:
            return len(searcher.search(Term(f.YEAR, year), filter=in_source, limit=None, scored=False))

        return source, max(years, key=in_year, default=None)


def surface_word(searcher, stem: str) -> str:
    """Return the commonest indexed word (unstemmed) that English analysis turns into this stem, else the stem."""
    reader = searcher.reader()
    analyzer = searcher.schema[f.content_field("en")].analyzer
    best, best_frequency = stem, 0
    # Porter stems start with all but (at most) the last letter of their words: "compani" <- "company".
    for term in reader.expand_prefix(f.SPELL, stem[:-1] or stem):
        word = term.decode() if isinstance(term, bytes) else term
        if word.isalpha() and [token.text for token in analyzer(word)] == [stem]:
            frequency = reader.doc_frequency(f.SPELL, word)
            if frequency > best_frequency:
                best, best_frequency = word, frequency
    return best


def scale_mix(archive: ArchiveIndex) -> Mix:
    """Return the seeded query mix (kind -> request parameters), as people would type it, for this index.

    search_speed.py draws its words from the index's stemmed vocabulary ("hous", "compani"); each is
    typed here as its commonest real word ("house", "company"), which the archive stems back to the
    same term (so the same matches) but which FTS5 can stem too (its Porter stemmer turns "hous"
    into "hou", which matches nothing). Prefixes stay stems: both engines expand them over stems.
    The two filters are the index's commonest source and that source's commonest year.
    Plain parameter dicts, as in a URL: a new API parameter is tried by adding it to a kind's dicts.
    """
    mix = query_mix(archive)
    with archive.searcher() as searcher:
        words: dict[str, str] = {}

        def typed(q: str) -> str:
            for stem in q.split():
                if stem not in words:
                    words[stem] = surface_word(searcher, stem) if stem.isalpha() else stem
            return " ".join(words[stem] for stem in q.split())

        for kind, queries in mix.items():
            if kind not in ("prefix", "phrase"):
                mix[kind] = [{**params, "q": typed(params["q"])} for params in queries]
    source, year = commonest_source_and_year(archive)
    if source and year:
        mix["two filters"] = [{**params, "source": source, "year": year} for params in mix["two filters"]]
    return mix


def summary(values: list[float]) -> dict[str, float]:
    """Median, p95 and p99 (nearest rank) of latencies in milliseconds."""
    if not values:
        return {"n": 0, "median": float("nan"), "p95": float("nan"), "p99": float("nan")}
    return {
        "n": len(values),
        "median": round(statistics.median(values), 3),
        "p95": round(percentile(values, 0.95), 3),
        "p99": round(percentile(values, 0.99), 3),
    }


def summarise(samples: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Per-kind summaries plus "all" over every sample."""
    result = {kind: summary(values) for kind, values in samples.items()}
    result["all"] = summary([v for values in samples.values() for v in values])
    return result


def timed(call: Callable[[], object]) -> tuple[float, object]:
    """Run a call; return its wall time in milliseconds and its answer."""
    started = time.perf_counter()
    answer = call()
    return (time.perf_counter() - started) * 1000, answer


# -- in-process ---------------------------------------------------------------------------------------


def run_in_process(
    archive: ArchiveIndex,
    fts: Fts5Archive,
    mix: Mix,
    repeat: int,
    others: dict[str, Archive] | None = None,
    collapse: bool = False,
) -> tuple[dict, dict]:
    """Time every request on the three paths (and the service on each other engine, by label), interleaved.

    collapse: the archive's requests collapse near-duplicates, as the search page does (raw Whoosh and FTS5,
    the yardsticks, cannot).

    Returns (samples per path and kind, totals).
    """
    others = others or {}
    paths = (*PATHS, *others)
    samples: dict[str, dict[str, list[float]]] = {path: collections.defaultdict(list) for path in paths}
    totals: dict[str, list[dict]] = collections.defaultdict(list)
    service = Archive(WhooshBackend(archive))  # what the pages and the API call, search policy included
    with archive.searcher() as searcher:
        # Plain Whoosh: one parser over the one field these (English) articles are in, as search_speed.py does.
        whoosh_parser = build_parser(searcher.schema, field_boosts={f.content_field("en"): 1.0})
        for kind, queries in mix.items():
            log(f"in-process: {kind}")
            for params in queries:
                request = build_request({k: [v] for k, v in params.items()}, collapse_by_default=collapse)
                calls: dict[str, Callable[[], object]] = {
                    "service": lambda request=request: service.search(request),
                    "raw": lambda params=params: raw_search(searcher, whoosh_parser, params),
                    "fts5": lambda params=params: fts.search(params),
                }
                for label, other in others.items():
                    calls[label] = lambda request=request, other=other: other.search(request)
                # The first run of each warms caches on every path, and gives the answers to compare.
                served = service.search(request)
                try:
                    answered = fts.search(params)
                except Unsupported as exc:
                    log(f"  FTS5 skips {params}: {exc}")
                    calls.pop("fts5")
                    answered = None
                totals[kind].append(
                    {
                        "params": params,
                        "service": served.total,
                        "raw": raw_search(searcher, whoosh_parser, params),
                        "fts5": answered.total if answered else None,
                        # How many of the page's hits both return: the rankings differ in detail (BM25F with
                        # the title repeated vs. FTS5's per-column bm25), ties in date order differ too.
                        "same_hits": len({h.id for h in served.hits} & {h.id for h in answered.hits})
                        if answered
                        else None,
                        "page_hits": len(served.hits),
                        **{label: other.search(request).total for label, other in others.items()},
                    }
                )
                for _ in range(repeat):
                    for path, call in calls.items():
                        samples[path][kind].append(timed(call)[0])
    return samples, totals


# -- over HTTP -----------------------------------------------------------------------------------------


class Engine:
    """An OpenSearch cluster holding the same corpus: its label, the app settings that serve it, its JVMs."""

    def __init__(self, label: str, urls: str, alias: str) -> None:
        self.label = label
        self.cluster = Cluster(urls, alias)
        self.settings = {"BACKEND": "opensearch", "OPENSEARCH_URL": urls, "OPENSEARCH_INDEX": alias}

    def archive(self) -> Archive:
        return Archive(open_backend({**self.settings, "INDEX_DIR": tempfile.mkdtemp()}))

    def jvm_memory(self) -> dict:
        """Resident set (this machine's JVMs), heap in use and heap maximum of the nodes, summed, in MiB."""
        pids = self.cluster.node_pids()
        used, most = self.cluster.heap_mib()
        return {
            "jvm_rss_mib": round(sum(status_kib(pid, "VmRSS") for pid in pids) / 1024, 1),
            "jvm_heap_used_mib": round(used, 1),
            "jvm_heap_max_mib": round(most, 1),
            "nodes": len(pids),
        }


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The production server (`python app.py`) on a free port of 127.0.0.1, serving one archive."""

    def __init__(
        self,
        index_root: Path,
        log_path: Path,
        searches_at_once: int | None = None,
        engine: dict[str, str] | None = None,
        processes: int | None = None,
    ) -> None:
        self.port = free_port()
        env = {**os.environ, "ARCHIVE_INDEX_DIR": str(index_root), "HOST": "127.0.0.1", "PORT": str(self.port)}
        env |= {f"ARCHIVE_{key}": value for key, value in (engine or {}).items()}
        if searches_at_once is not None:
            env["ARCHIVE_SEARCHES_AT_ONCE"] = str(searches_at_once)
        if processes is not None:
            env["ARCHIVE_WEB_PROCESSES"] = str(processes)
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with status {self.process.returncode}; see {log_path}")
            probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                if get(probe, "/healthz")[0] == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                probe.close()
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not answer within {SERVER_START_SECONDS}s; see {log_path}")
            time.sleep(0.2)

    def pids(self) -> set[int]:
        """The server's processes: itself and, with several web processes, its workers."""
        return {self.process.pid} | descendants(self.process.pid)

    def peak_rss_mib(self) -> float:
        """The sum of the peak resident sets of the server's processes."""
        return round(sum(status_kib(pid) for pid in self.pids()) / 1024, 1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    """GET a path on a (kept-alive) connection; return status and body."""
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


COLLAPSE = {"collapse": "0"}  # the API's default; main() sets it to "1" for --collapse, as the search page does


def api_path(params: dict[str, str]) -> str:
    """The API URL path of one request of the mix."""
    return "/api/search?" + urllib.parse.urlencode({**params, **COLLAPSE})


def check(status: int, body: bytes) -> tuple[str | None, dict | None]:
    """Return (error or None, parsed answer)."""
    try:
        answer = json.loads(body)
    except ValueError:
        return f"status {status}, not JSON: {body[:120]!r}", None
    if status != 200 or not isinstance(answer, dict) or not set(answer) >= REQUIRED_KEYS:
        return f"status {status}: {body[:200]!r}", None
    return None, answer


def run_http(
    index_root: Path,
    mix: Mix,
    expected_totals: dict[str, list[dict]],
    clients: int,
    seconds: float,
    work: Path,
    searches_at_once: int | None = None,
    engine: Engine | None = None,
    processes: int | None = None,
) -> dict:
    """Start a fresh server, warm it, run `clients` keep-alive clients for `seconds`; return the figures.

    searches_at_once: the server's SEARCHES_AT_ONCE (None: its default); engine: the archive served (None:
    the Whoosh index at index_root); processes: its WEB_PROCESSES (None: the engine's default).
    """
    label = engine.label if engine else "whoosh"
    log_path = work / f"server-{label}-{clients}-{searches_at_once}-{processes}.log"
    server = Server(index_root, log_path, searches_at_once, engine.settings if engine else None, processes)
    errors: list[str] = []
    # Kinds interleaved (one query of each kind, then the next of each), so every kind gets its share.
    rounds = max(len(queries) for queries in mix.values())
    flat = [(kind, api_path(queries[i])) for i in range(rounds) for kind, queries in mix.items() if i < len(queries)]
    # Each engine's totals in-process (an OpenSearch estimate past its exact-collapse limit may differ from Whoosh's).
    key = engine.label if engine else "service"
    expected = {api_path(row["params"]): row[key] for rows in expected_totals.values() for row in rows}

    def warm() -> None:
        # Each request once, and a check that the server searches the same index as the in-process run.
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        for _, path in flat:
            try:
                error, answer = check(*get(connection, path))
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"warm-up {path}: {exc!r}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                continue
            if error is None and answer["total"] != expected[path]:
                error = f"total {answer['total']} over HTTP, {expected[path]} in-process"
            if error:
                errors.append(f"warm-up {path}: {error}")
        connection.close()

    try:
        # As many warm-up clients as measured ones, up to WARM_CLIENTS (two processes of 8 threads): each server
        # thread's searcher gets its per-index caches.
        warmers = [threading.Thread(target=warm) for _ in range(min(clients, WARM_CLIENTS))]
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join()
        samples: dict[str, list[float]] = collections.defaultdict(list)
        lock = threading.Lock()
        stop = threading.Event()

        def client(number: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            position = number * len(flat) // clients
            while not stop.is_set():
                kind, path = flat[position % len(flat)]
                position += 1
                began = time.perf_counter()
                try:
                    status, body = get(conn, path)
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        errors.append(f"{path}: {exc!r}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                    continue
                elapsed = (time.perf_counter() - began) * 1000
                error, _ = check(status, body)
                with lock:
                    if error:
                        errors.append(f"{path}: {error}")
                    else:
                        samples[kind].append(elapsed)
            conn.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        stop.wait(seconds)
        stop.set()
        for thread in threads:
            thread.join()
        duration = time.perf_counter() - started
        peak = server.peak_rss_mib()
        workers = len(server.pids()) - 1 or 1  # gunicorn's workers below the server, or waitress in it
        jvm = engine.jvm_memory() if engine else {}
    finally:
        server.stop()
    requests = sum(len(values) for values in samples.values())
    return {
        "engine": label,
        "web_processes": workers,
        **jvm,
        "clients": clients,
        "searches_at_once": searches_at_once,
        "seconds": round(duration, 2),
        "requests": requests,
        "errors": len(errors),
        "error_samples": errors[:10],
        "requests_per_s": round(requests / duration, 2),
        "server_peak_rss_mib": peak,
        "latency": summarise(samples),
    }


# -- report ----------------------------------------------------------------------------------------------


def ratio(a: float, b: float) -> str:
    """a/b for a table cell ("—" when either is missing)."""
    return f"{a / b:.2f}" if b and b == b and a == a else "—"


def ms(value: float) -> str:
    """Milliseconds for a table cell."""
    return f"{value:.1f}" if value == value else "—"


def print_totals(totals: dict[str, list[dict]]) -> None:
    """Archive and FTS5 totals side by side: the same order means the two answer the same question."""
    print("\nMatching articles, archive beside FTS5 (different stemmer variants and stop words: close, not equal)\n")
    print(
        "| query kind | first query | archive | raw Whoosh | FTS5 | sum over the kind: archive | FTS5 "
        "| hits on the page in both |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind, rows in totals.items():
        first = rows[0]
        query = " ".join(f"{k}={v}" for k, v in first["params"].items())
        compared = [row for row in rows if row["fts5"] is not None]
        same = sum(row["same_hits"] for row in compared)
        shown = sum(row["page_hits"] for row in compared)
        cells = [kind, f"`{query}`", first["service"], first["raw"], "—" if first["fts5"] is None else first["fts5"]]
        if compared:
            cells += [sum(row["service"] for row in compared), sum(row["fts5"] for row in compared), f"{same}/{shown}"]
        else:  # a parameter FTS5 does not reproduce (see fts5.Unsupported)
            cells += ["—", "—", "—"]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")


def print_in_process(figures: dict[str, dict[str, dict[str, float]]], count: int, repeat: int) -> None:
    """The in-process table: the three paths side by side per query kind."""
    print(f"\nIn-process, warm searchers: {count} articles, {repeat} runs of each query; milliseconds\n")
    head = " | ".join(f"{name} median | {name} p95 | {name} p99" for name in ("service", "raw", "FTS5"))
    print(f"| query kind | {head} | service/raw | service/FTS5 |")
    print("|" + " --- |" * 12)
    for kind in figures["service"]:
        cells = []
        for path in PATHS:
            stats = figures[path].get(kind, summary([]))
            cells += [ms(stats["median"]), ms(stats["p95"]), ms(stats["p99"])]
        service, raw, fts = (figures[path].get(kind, summary([]))["median"] for path in PATHS)
        label = f"**{kind}**" if kind == "all" else kind
        print(f"| {label} | {' | '.join(cells)} | {ratio(service, raw)} | {ratio(service, fts)} |")


def print_engines(
    figures: dict[str, dict[str, dict[str, float]]], totals: dict[str, list[dict]], labels: list[str]
) -> None:
    """The archive's service on Whoosh beside the same service on each OpenSearch cluster, per query kind."""
    print("\nThe full UI request (hits, snippets, every facet, months) in-process, per engine; milliseconds\n")
    heads = " | ".join(f"{label} median | {label} p95 | {label}/Whoosh p95 | totals equal" for label in labels)
    print(f"| query kind | Whoosh median | Whoosh p95 | {heads} |")
    print("|" + " --- |" * (3 + 4 * len(labels)))
    for kind in figures["service"]:
        whoosh = figures["service"][kind]
        rows = [row for rows in totals.values() for row in rows] if kind == "all" else totals.get(kind, [])
        cells = [f"**{kind}**" if kind == "all" else kind, ms(whoosh["median"]), ms(whoosh["p95"])]
        for label in labels:
            other = figures[label].get(kind, summary([]))
            equal = sum(row["service"] == row[label] for row in rows)
            cells += [ms(other["median"]), ms(other["p95"]), ratio(other["p95"], whoosh["p95"]), f"{equal}/{len(rows)}"]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")


def print_http(runs: list[dict], count: int) -> None:
    """The HTTP tables: one summary row per engine, server and client count, then latencies per query kind."""
    print(f"\nOver HTTP (`python app.py`), {count} articles; milliseconds\n")
    print(
        "| engine | web processes | clients | searches at once | requests | errors | req/s | median | p95 | p99 "
        "| server peak RSS MiB (all processes) | JVMs RSS / heap in use / heap max MiB |"
    )
    print("|" + " --- |" * 12)
    for run in runs:
        stats = run["latency"]["all"]
        at_once = run.get("searches_at_once") or "default"
        jvm = "-"
        if run.get("jvm_rss_mib"):
            jvm = f"{run['jvm_rss_mib']:.0f} / {run['jvm_heap_used_mib']:.0f} / {run['jvm_heap_max_mib']:.0f}"
        print(
            f"| {run.get('engine', 'whoosh')} | {run.get('web_processes', 1)} | {run['clients']} | {at_once} | "
            f"{run['requests']} | {run['errors']} | {run['requests_per_s']:.1f} | {ms(stats['median'])} | "
            f"{ms(stats['p95'])} | {ms(stats['p99'])} | {run['server_peak_rss_mib']:.0f} | {jvm} |"
        )
    kinds = [kind for kind in runs[0]["latency"] if kind != "all"]
    heads = [f"{r.get('engine', 'whoosh')} {r.get('web_processes', 1)}p {r['clients']}cl median | p95" for r in runs]
    print("\n| query kind | " + " | ".join(heads) + " |")
    print("|" + " --- |" * (1 + 2 * len(runs)))
    for kind in kinds:
        cells = []
        for run in runs:
            stats = run["latency"].get(kind, summary([]))
            cells += [ms(stats["median"]), ms(stats["p95"])]
        print(f"| {kind} | {' | '.join(cells)} |")
    for run in runs:
        for error in run["error_samples"]:
            print(f"error ({run.get('engine', 'whoosh')}, {run['clients']} clients): {error}")


def folder_mib(path: Path) -> float:
    """Size of a file or of every file under a folder, in MiB."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 2**20, 1)


def main() -> int:
    """Run the in-process and HTTP measurements on one index and print (and optionally save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index_root", type=Path, help="archive index root (the folder ARCHIVE_INDEX_DIR names)")
    parser.add_argument("--label", help="name of this corpus size in tables and plots (default: 10k for 10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="in-process runs of each query")
    parser.add_argument("--clients", default="1,8", help="comma-separated concurrent HTTP client counts")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each HTTP run")
    parser.add_argument("--json", type=Path, help="write the figures here, for plot_scale.py")
    parser.add_argument("--fts5-db", type=Path, help="SQLite database file (default: beside the index root)")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    parser.add_argument(
        "--opensearch", metavar="URLS", action="append", default=[], help="also time the archive on this cluster"
    )
    parser.add_argument(
        "--opensearch-index", action="append", default=[], help="its alias, holding the same corpus (`reindex` into it)"
    )
    parser.add_argument("--opensearch-label", action="append", default=[], help="its name in the tables")
    parser.add_argument(
        "--collapse", action="store_true", help="collapse near-duplicates in every request, as the search page does"
    )
    parser.add_argument(
        "--no-whoosh-http", action="store_true", help="over HTTP, serve only the OpenSearch clusters (a re-run)"
    )
    parser.add_argument(
        "--whoosh-processes", default="", help="comma-separated WEB_PROCESSES to also serve Whoosh with over HTTP"
    )
    parser.add_argument(
        "--searches-at-once",
        default="",
        help="comma-separated SEARCHES_AT_ONCE settings of the server to compare over HTTP (default: its own)",
    )
    args = parser.parse_args()
    archive = ArchiveIndex(args.index_root)
    # app.py rebuilds a missing or outdated index from the corpus folder: never let it do that to a benchmark index.
    if not archive.exists() or archive.schema_version() != f.SCHEMA_VERSION:
        print(f"{args.index_root}: no index of schema version {f.SCHEMA_VERSION} there", file=sys.stderr)
        return 2
    # Corpus size is the number of corpus items indexed (documents); exact copies among them are not articles.
    with archive.searcher() as searcher:
        documents = searcher.doc_count()
    count = archive.article_count()
    label = args.label or (f"{round(documents / 1000)}k" if documents >= 1000 else str(documents))
    fts = Fts5Archive.for_index(args.index_root, args.fts5_db, log=log)
    mix = scale_mix(archive)
    engines = [
        Engine(label or f"OpenSearch {n + 1}", urls, alias)
        for n, (urls, alias, label) in enumerate(
            itertools.zip_longest(args.opensearch, args.opensearch_index, args.opensearch_label)
        )
    ]
    others = {engine.label: engine.archive() for engine in engines}
    COLLAPSE["collapse"] = "1" if args.collapse else "0"
    samples, totals = run_in_process(archive, fts, mix, args.repeat, others, args.collapse)
    in_process = {path: summarise(values) for path, values in samples.items()}
    http_runs = []
    if not args.no_http:
        work = Path(tempfile.mkdtemp(prefix="search-scale-"))
        client_counts = [int(c) for c in args.clients.split(",") if c.strip()]
        at_once_settings = [int(v) for v in args.searches_at_once.split(",") if v.strip()] or [None]
        whoosh_processes = [int(v) for v in args.whoosh_processes.split(",") if v.strip()]
        servers: list[tuple[Engine | None, int | None, int | None]] = []
        if not args.no_whoosh_http:
            servers += [(None, None, a) for a in at_once_settings]
            servers += [(None, p, None) for p in whoosh_processes]
        servers += [(engine, None, None) for engine in engines]
        for engine, processes, at_once in servers:
            for clients in client_counts:
                name = engine.label if engine else "whoosh"
                log(f"HTTP {name}: {clients} clients for {args.seconds:g}s, processes {processes or 'default'}, "
                    f"searches at once: {at_once or 'default'}")  # fmt: skip
                http_runs.append(
                    run_http(args.index_root, mix, totals, clients, args.seconds, work, at_once, engine, processes)
                )
    archive.close()

    sizes = f"index {folder_mib(archive.live_dir())} MiB, FTS5 database {folder_mib(fts.path)} MiB"
    print(f"\n## {label}: {documents} documents, {count} articles (the rest are exact copies); {sizes}")
    print_totals(totals)
    print_in_process(in_process, count, args.repeat)
    if engines:
        print_engines(in_process, totals, [engine.label for engine in engines])
    for other in others.values():
        other.close()
    if http_runs:
        print_http(http_runs, count)
    fts.close()
    if args.json:
        figures = {
            "label": label,
            "documents": documents,
            "articles": count,
            "index_root": str(args.index_root.resolve()),
            "index_mib": folder_mib(archive.live_dir()),
            "fts5_mib": folder_mib(fts.path),
            "date": dt.datetime.now().isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
            },
            "repeat": args.repeat,
            "mix": mix,
            "totals": totals,
            "in_process": in_process,
            "http": http_runs,
            "engines": [engine.label for engine in engines],
            "collapse": args.collapse,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
        log(f"figures written to {args.json}")
    return 1 if any(run["errors"] for run in http_runs) else 0


if __name__ == "__main__":
    sys.exit(main())
