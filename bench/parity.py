"""Both engines side by side: the same articles and searches on each, and whether the answers agree.

    .venv/bin/python bench/parity.py ../shared/data/news-bench/news.jsonl --opensearch http://127.0.0.1:9200 [--every 1]

Indexes the news benchmark (every Nth item with --every) into a Whoosh index in a temp folder and
into an OpenSearch cluster (an alias of its own, deleted afterwards), through each engine's own
writer, then runs the searches of bench/parity_queries.txt on both through the archive's one
search function. For each: whether totals, facet counts and month counts are identical (both
engines count exactly), and the overlap of the top 10 hits (ranking differs: Lucene's BM25 is not
Whoosh's BM25F, and scores of equal documents tie differently). tests/test_opensearch_parity.py
runs the same comparison on a sample in the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.pipeline import similarity_keys  # noqa: E402
from search.archive import Archive  # noqa: E402
from search.backends import open_backend  # noqa: E402
from search.request import build_request  # noqa: E402

QUERIES = Path(__file__).resolve().parent / "parity_queries.txt"


def news_record(item: dict) -> dict:
    """An index record (as the indexer makes it) of a news item: id, title, body, source, date (YYYY-MM-DD)."""
    title, body = item.get("title") or "", item.get("body") or ""
    record = {
        "id": item["id"],
        "path": f"news/{item['id']}.txt",
        "content_hash": item["id"],
        "title": title,
        "body": body,
        "authors": list(item.get("authors") or []),
        "date": dt.date.fromisoformat(item["date"]) if item.get("date") else None,
        "source": item.get("source"),
        "url": None,
        "dateline": None,
        "agency": None,
        "language": "en",
        "language_confidence": None,
        "declared_language": None,
        "methods": {},
    }
    return record | similarity_keys(title, body)


def news_records(path: Path, every: int = 1, limit: int | None = None) -> list[dict]:
    """Index records of every `every`-th news item, the first `limit` of those."""
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number % every:
                continue
            records.append(news_record(json.loads(line)))
            if limit is not None and len(records) >= limit:
                break
    return records


def parity_requests(path: Path = QUERIES) -> list[str]:
    """The query strings of the parity searches (comments and blank lines left out)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@dataclass
class Comparison:
    """One search on both engines."""

    query: str
    totals: tuple[int, int]
    same_facets: bool
    same_months: bool
    top10_overlap: float  # share of the first engine's top 10 also in the other's (1.0 when both are empty)
    same_order: bool  # the page's hits are the same, in the same order
    ms: tuple[float, float] = (0.0, 0.0)  # median milliseconds of the search on each engine (with --repeat)


def _timed(archive: Archive, request, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        archive.search(request)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times) if times else 0.0


def compare(first: Archive, second: Archive, query: str, repeat: int = 0) -> Comparison:
    """Run one API query string on both archives and compare what they answer (and time it `repeat` times)."""
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    request = build_request(params)
    a, b = first.search(request), second.search(request)
    ms = (_timed(first, request, repeat), _timed(second, request, repeat))
    top_a, top_b = [hit.id for hit in a.hits[:10]], [hit.id for hit in b.hits[:10]]
    overlap = len(set(top_a) & set(top_b)) / len(top_a) if top_a else float(not top_b)
    return Comparison(
        query=query,
        totals=(a.total, b.total),
        same_facets=a.facets == b.facets,
        same_months=a.months == b.months,
        top10_overlap=overlap,
        same_order=[hit.id for hit in a.hits] == [hit.id for hit in b.hits],
        ms=ms,
    )


def build(settings: dict, records: list[dict]) -> Archive:
    """Write the records into a new archive on the engine the settings name, through its own writer."""
    backend = open_backend(settings)
    with backend.update(full=True) as update:
        for record in records:
            update.put(record)
    return Archive(backend)


def main() -> int:
    """Build both archives, compare every parity search, print a table; exit 1 when any count differs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("news", type=Path, help="news.jsonl of the news benchmark")
    parser.add_argument("--opensearch", metavar="URL", required=True, help="the cluster to compare with")
    parser.add_argument("--every", type=int, default=1, help="index every Nth item only")
    parser.add_argument("--repeat", type=int, default=5, help="time each search this many times per engine (5)")
    args = parser.parse_args()
    records = news_records(args.news, args.every)
    with tempfile.TemporaryDirectory() as tmp:
        alias = f"parity{int(time.time())}"
        timings = {}
        started = time.perf_counter()
        whoosh = build({"BACKEND": "whoosh", "INDEX_DIR": f"{tmp}/whoosh"}, records)
        timings["whoosh"] = time.perf_counter() - started
        started = time.perf_counter()
        settings = {"BACKEND": "opensearch", "OPENSEARCH_URL": args.opensearch, "OPENSEARCH_INDEX": alias,
                    "INDEX_DIR": f"{tmp}/opensearch"}  # fmt: skip
        opensearch = build(settings, records)
        timings["opensearch"] = time.perf_counter() - started
        print(f"{len(records)} articles; built in {timings['whoosh']:.1f} s (Whoosh), "
              f"{timings['opensearch']:.1f} s (OpenSearch)", file=sys.stderr)  # fmt: skip
        try:
            rows = [compare(whoosh, opensearch, query, args.repeat) for query in parity_requests()]
        finally:
            client = opensearch.backend.client
            names = list(client.indices.get(index=f"{alias}-*"))
            if names:
                client.indices.delete(index=",".join(names))
            whoosh.close()
            opensearch.close()
    print("| query | total (Whoosh / OpenSearch) | facets | months | top-10 overlap | ms Whoosh / OpenSearch |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        same = "same" if row.totals[0] == row.totals[1] else "**differ**"
        print(f"| `{row.query}` | {row.totals[0]} / {row.totals[1]} ({same}) | "
              f"{'same' if row.same_facets else '**differ**'} | {'same' if row.same_months else '**differ**'} | "
              f"{row.top10_overlap:.1f} | {row.ms[0]:.1f} / {row.ms[1]:.1f} |")  # fmt: skip
    overlaps = [row.top10_overlap for row in rows]
    exact = sum(row.totals[0] == row.totals[1] and row.same_facets and row.same_months for row in rows)
    print(f"\n{exact} of {len(rows)} searches: identical totals, facet and month counts; "
          f"top-10 overlap mean {statistics.fmean(overlaps):.2f}, median {statistics.median(overlaps):.2f}, "
          f"min {min(overlaps):.1f}")  # fmt: skip
    if args.repeat:
        for engine, side in (("Whoosh", 0), ("OpenSearch", 1)):
            times = sorted(row.ms[side] for row in rows)
            print(f"{engine}: median of the searches' medians {statistics.median(times):.1f} ms, "
                  f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms")  # fmt: skip
        ratios = [row.ms[1] / row.ms[0] for row in rows if row.ms[0]]
        print(f"OpenSearch/Whoosh per search: median ratio {statistics.median(ratios):.2f}")
    return 0 if exact == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
