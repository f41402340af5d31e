"""Search latency in-process with a warm searcher: the archive's search() beside raw Whoosh doing the same work.

    .venv/bin/python bench/search_speed.py ../shared/data/news-bench/news.jsonl [--limit N] [--repeat 5]

Builds (or reuses, with --index DIR) an index of the news items through the archive's own writer,
then runs a fixed, seeded query mix. For each query, "service" is the full request the pages and
the API make (validation, parsing, hits, snippets, every facet, month buckets, suggestion check);
"raw" is plain Whoosh on the same index doing the same searching, grouping and highlighting with
none of the service's own work. Figures: median and p95 per query kind, and service/raw.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh import highlight, sorting  # noqa: E402  (the raw-Whoosh side lives in the benchmark only)
from whoosh.query import And, Term  # noqa: E402

from search.archive import Archive  # noqa: E402
from search.backends.whoosh import WhooshBackend  # noqa: E402
from search.backends.whoosh import schema as f  # noqa: E402
from search.backends.whoosh.highlight import MarkFormatter  # noqa: E402
from search.backends.whoosh.reference import build_parser  # noqa: E402
from search.backends.whoosh.store import ArchiveIndex  # noqa: E402
from search.backends.whoosh.writer import IndexUpdate  # noqa: E402
from search.request import build_request  # noqa: E402

SEED = 20261122


def load_records(path: Path, limit: int | None):
    """Yield archive records from the news-bench JSON lines."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                return
            item = json.loads(line)
            day = dt.date.fromisoformat(item["date"]) if item.get("date") else None
            yield {
                "id": item["id"],
                "path": f"{item['id']}.txt",
                "content_hash": "",
                "title": item["title"],
                "body": item["body"],
                "authors": [],
                "date": day,
                "source": item.get("source"),
                "language": "en",
            }


def build(path: Path, limit: int | None, root: Path) -> ArchiveIndex:
    """Index the records unless an index is already there."""
    archive = ArchiveIndex(root)
    if not archive.exists():
        started = time.perf_counter()
        with IndexUpdate(archive, full=True) as update:
            for record in load_records(path, limit):
                update.put(record)
        print(f"indexed in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return archive


def query_mix(archive: ArchiveIndex) -> dict[str, list[dict[str, str]]]:
    """Return the seeded query mix: kind -> list of request parameters."""
    rng = random.Random(SEED)
    english = f.content_field("en")
    with archive.searcher() as searcher:
        reader = searcher.reader()
        terms = [(term.decode(), reader.doc_frequency(english, term)) for term in reader.lexicon(english)]
    words = [t for t, _ in terms if t.isalpha() and len(t) > 3]
    df = dict(terms)
    common = sorted(words, key=lambda t: -df[t])[:200]
    rare = [t for t in words if 3 <= df[t] <= 20]
    pick = lambda pool, n: rng.sample(pool, n)  # noqa: E731
    mix = {
        "common word": [{"q": w} for w in pick(common, 8)],
        "rare word": [{"q": w} for w in pick(rare, 8)],
        "two words (AND)": [{"q": f"{a} {b}"} for a, b in zip(pick(common, 8), pick(common[50:], 8), strict=True)],
        "phrase": [
            {"q": f'"{p}"'}
            for p in (
                "oil prices",
                "interest rates",
                "prime minister",
                "stock market",
                "trade deficit",
                "central bank",
                "video games",
                "net profit",
            )
        ],
        "prefix": [{"q": f"{w[:4]}*"} for w in pick(common, 8)],
        "two filters": [{"q": w, "source": "Reuters", "year": "1987"} for w in pick(common, 8)],
        "date-sorted": [{"q": w, "sort": "-date"} for w in pick(common, 8)],
        "page 5": [{"q": w, "page": "5"} for w in pick(common, 8)],
    }
    return mix


def raw_search(searcher, parser, params: dict[str, str]) -> int:
    """Do the same Whoosh work as the service with plain calls: parse, search, group, highlight."""
    query = parser.parse(params["q"])
    filters = []
    if "source" in params:
        filters.append(Term(f.SOURCE_FACET, params["source"]))
    if "year" in params:
        filters.append(Term(f.YEAR, params["year"]))
    page = int(params.get("page", 1))
    groups = {
        name: sorting.FieldFacet(field, allow_overlap=name in f.MULTI_VALUED_FACETS)
        for name, field in f.FACET_FIELDS.items()
    }
    groups["month"] = sorting.FieldFacet(f.MONTH)
    sortedby = sorting.FieldFacet(f.DATE, reverse=True) if params.get("sort") == "-date" else None
    results = searcher.search(
        query,
        filter=And(filters) if filters else None,
        limit=page * 10,
        groupedby=groups,
        maptype=sorting.Count,
        sortedby=sortedby,
    )
    # The body is stored, not indexed: mark it with the matched words, as Whoosh's own highlighter does.
    terms = frozenset(t.decode() for _, t in query.existing_terms(searcher.reader(), phrases=True, expand=True))
    fragmenter = highlight.ContextFragmenter(maxchars=200, surround=60)
    analyzer = searcher.schema[f.content_field("en")].analyzer
    for hit in results[(page - 1) * 10 : page * 10]:
        highlight.highlight(hit[f.BODY], terms, analyzer, fragmenter, MarkFormatter(), top=3)
    for name in groups:
        results.groups(name)
    return len(results)


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    """Run the query mix through both paths and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("jsonl", type=Path)
    parser.add_argument("--limit", type=int, help="index only the first N items")
    parser.add_argument("--index", type=Path, help="index folder to build or reuse (default: a temp folder)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = build(args.jsonl, args.limit, args.index or Path(tmp) / "index")
        mix = query_mix(archive)
        service = Archive(WhooshBackend(archive))  # what the pages and the API call, search policy included
        timings: dict[str, dict[str, list[float]]] = collections.defaultdict(lambda: {"service": [], "raw": []})
        with archive.searcher() as searcher:
            count = searcher.doc_count()
            # Plain Whoosh: one parser over the one field these (English) articles are in.
            whoosh_parser = build_parser(searcher.schema, field_boosts={f.content_field("en"): 1.0})
            for kind, queries in mix.items():
                for params in queries:
                    request = build_request({k: [v] for k, v in params.items()})
                    service.search(request)  # warm caches for this query on both paths
                    raw_search(searcher, whoosh_parser, params)
                    for _ in range(args.repeat):
                        started = time.perf_counter()
                        service.search(request)
                        middle = time.perf_counter()
                        raw_search(searcher, whoosh_parser, params)
                        timings[kind]["service"].append((middle - started) * 1000)
                        timings[kind]["raw"].append((time.perf_counter() - middle) * 1000)
        archive.close()
    print(f"\n{count} articles; {args.repeat} runs of each query; milliseconds\n")
    print("| query kind | service median | service p95 | raw median | raw p95 | service/raw (median) |")
    print("| --- | --- | --- | --- | --- | --- |")
    all_service, all_raw = [], []
    for kind, both in timings.items():
        s, r = both["service"], both["raw"]
        all_service += s
        all_raw += r
        print(
            f"| {kind} | {statistics.median(s):.1f} | {percentile(s, 0.95):.1f} | {statistics.median(r):.1f} | "
            f"{percentile(r, 0.95):.1f} | {statistics.median(s) / statistics.median(r):.2f} |"
        )
    print(
        f"| all | {statistics.median(all_service):.1f} | {percentile(all_service, 0.95):.1f} | "
        f"{statistics.median(all_raw):.1f} | {percentile(all_raw, 0.95):.1f} | "
        f"{statistics.median(all_service) / statistics.median(all_raw):.2f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
