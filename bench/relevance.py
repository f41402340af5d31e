"""Ranking quality on a judged test collection in BEIR format: nDCG@10 and Recall@100, side by side.

    .venv/bin/python bench/relevance.py ../shared/data/scifact [--out bench/out/relevance.json]
    .venv/bin/python bench/relevance.py ../shared/data/scifact --opensearch http://127.0.0.1:9200

With --opensearch the archive as served on that cluster (the OpenSearch backend, under an alias
of its own that is deleted afterwards) is ranked beside the Whoosh variants.

The folder holds corpus.jsonl (_id, title, text), queries.jsonl (_id, text) and qrels/test.tsv.
Documents are indexed with the archive's own schema, analyzers and writer (title and body as the
article's title and body); each variant ranks the same queries in the same run, so the figures
compare directly. Queries are natural-language sentences, so words are OR-ed (any word counts)
as in the published BM25 baselines.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh import index as whoosh_index  # noqa: E402  (raw-Whoosh baseline lives in the benchmark only)
from whoosh import qparser, scoring  # noqa: E402
from whoosh.analysis import StemmingAnalyzer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402

from search import querylang  # noqa: E402
from search.backends.opensearch.backend import sort_clause  # noqa: E402
from search.backends.opensearch.compiler import compile_query as compile_opensearch  # noqa: E402
from search.backends.whoosh import schema as f  # noqa: E402
from search.backends.whoosh.compiler import compile_query  # noqa: E402
from search.backends.whoosh.reference import build_parser  # noqa: E402
from search.backends.whoosh.store import ArchiveIndex  # noqa: E402
from search.backends.whoosh.writer import IndexUpdate  # noqa: E402

backend_sort = sort_clause("relevance")
QUERY_SYNTAX = re.compile(r"[^\w\s]")  # questions are plain words here, never query syntax


class AnyLanguageParser:
    """The archive's reading of a query as served (our query language compiled for Whoosh), any word counting."""

    def __init__(self, schema, fields: list[str], match_all: bool = True) -> None:
        self.schema, self.fields, self.match_all = schema, fields, match_all

    def parse(self, text: str):
        return compile_query(querylang.parse(text), self.schema, self.fields, self.match_all)


def load_collection(folder: Path) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    """Read corpus, test queries and judgments of a BEIR folder."""
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        corpus = [json.loads(line) for line in handle]
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / "test.tsv").open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            query_id, doc_id, score = line.rstrip("\n").split("\t")
            qrels.setdefault(query_id, {})[doc_id] = int(score)
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        queries = {q["_id"]: q["text"] for q in map(json.loads, handle) if q["_id"] in qrels}
    return corpus, queries, qrels


def ndcg_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    """Return nDCG@k of one ranking against graded judgments."""
    dcg = sum((2 ** judged.get(doc, 0) - 1) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum((2**rel - 1) / math.log2(rank + 2) for rank, rel in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], judged: dict[str, int], k: int = 100) -> float:
    """Return the share of relevant documents found in the top k."""
    relevant = {doc for doc, rel in judged.items() if rel > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def _record(doc: dict) -> dict:
    return {
        "id": doc["_id"],
        "path": doc["_id"],
        "content_hash": "",
        "title": doc.get("title", ""),
        "body": doc.get("text", ""),
        "authors": [],
        "date": None,
        "language": "en",
    }


def build_archive_index(corpus: list[dict], root: Path) -> ArchiveIndex:
    """Index the collection through the archive's own writer and schema."""
    archive = ArchiveIndex(root)
    with IndexUpdate(archive, full=True) as update:
        for doc in corpus:
            update.put(_record(doc))
    return archive


def evaluate_opensearch(url: str, corpus: list[dict], queries, qrels, state: Path) -> dict[str, float]:
    """Index the collection on a cluster through the OpenSearch backend and rank the queries as it serves them."""
    from search.backends.opensearch.backend import OpenSearchBackend

    alias = f"relevance{int(time.time())}"
    backend = OpenSearchBackend({"OPENSEARCH_URL": url, "OPENSEARCH_INDEX": alias, "INDEX_DIR": str(state)})
    try:
        started = time.perf_counter()
        with backend.update(full=True) as update:
            for doc in corpus:
                update.put(_record(doc))
        print(f"OpenSearch index built in {time.perf_counter() - started:.1f}s", file=sys.stderr)

        def rank(text: str) -> list[str]:
            dsl = compile_opensearch(querylang.parse(text), backend._fields(), match_all=False, stem=backend._stem)  # noqa: SLF001
            body = {"query": dsl, "size": 100, "_source": False, "docvalue_fields": ["id"], "sort": backend_sort}
            return [hit["fields"]["id"][0] for hit in backend.client.search(index=alias, body=body)["hits"]["hits"]]

        return scored(rank, queries, qrels)
    finally:
        names = list(backend.client.indices.get(index=f"{alias}-*"))
        if names:
            backend.client.indices.delete(index=",".join(names))
        backend.close()


def build_flat_index(corpus: list[dict], root: Path):
    """Index title and text as one field with a stemming analyzer: plain Whoosh, the reference point."""
    root.mkdir()
    ix = whoosh_index.create_in(str(root), Schema(id=ID(stored=True), content=TEXT(analyzer=StemmingAnalyzer())))
    with ix.writer() as writer:
        for doc in corpus:
            writer.add_document(id=doc["_id"], content=f"{doc.get('title', '')}\n{doc.get('text', '')}")
    return ix


def scored(rank, queries: dict[str, str], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Rank every query with rank(text) -> ids, best first; return mean nDCG@10, Recall@100, median ms per query."""
    ndcgs, recalls, times = [], [], []
    for query_id, text in queries.items():
        started = time.perf_counter()
        ranked = rank(QUERY_SYNTAX.sub(" ", text))
        times.append(time.perf_counter() - started)
        ndcgs.append(ndcg_at(ranked, qrels[query_id]))
        recalls.append(recall_at(ranked, qrels[query_id]))
    return {
        "ndcg@10": statistics.fmean(ndcgs),
        "recall@100": statistics.fmean(recalls),
        "median_ms": statistics.median(times) * 1000,
    }


def evaluate(searcher, parser, queries, qrels, id_field: str) -> dict[str, float]:
    """Rank every query with a Whoosh searcher and parser (scored())."""
    return scored(
        lambda text: [hit[id_field] for hit in searcher.search(parser.parse(text), limit=100)], queries, qrels
    )


def main() -> int:
    """Run every variant over the collection and print a table (and JSON with --out)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="BEIR-format folder")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--opensearch", metavar="URL", help="also rank on this OpenSearch cluster (its backend)")
    args = parser.parse_args()
    corpus, queries, qrels = load_collection(args.folder)
    print(f"{len(corpus)} documents, {len(queries)} test queries", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        archive = build_archive_index(corpus, Path(tmp) / "archive")
        print(f"archive index built in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        ix = whoosh_index.open_dir(str(archive.live_dir()))
        served = (
            f"title x{f.TITLE_WEIGHT} + body in the article language's field, BM25F B={f.BM25_B:g} K1={f.BM25_K1:g}"
        )
        english = f.content_field("en")
        variants = [
            (f"archive as served: {served}", AnyLanguageParser, f.weighting()),
            ("as served, plus the title field scored apart (^0.5)", {english: 1.0, f.TITLE: 0.5}, f.weighting()),
            ("as served, BM25 B=0.4 K1=0.9 (Anserini's)", AnyLanguageParser, scoring.BM25F(B=0.4, K1=0.9)),
        ]
        for name, fields, weighting in variants:
            with ix.searcher(weighting=weighting) as searcher:
                if fields is AnyLanguageParser:
                    present = [field for field in f.CONTENT_FIELDS if searcher.reader().field_length(field)]
                    query_parser = AnyLanguageParser(searcher.schema, present, match_all=False)
                else:
                    query_parser = build_parser(searcher.schema, match_all=False, field_boosts=fields)
                rows.append({"variant": name, **evaluate(searcher, query_parser, queries, qrels, f.ID_FIELD)})
        flat = build_flat_index(corpus, Path(tmp) / "flat")
        with flat.searcher() as searcher:
            flat_parser = qparser.QueryParser("content", flat.schema, group=qparser.OrGroup)
            rows.append(
                {
                    "variant": "raw Whoosh: title x1 + body in one field, StemmingAnalyzer, BM25F defaults",
                    **evaluate(searcher, flat_parser, queries, qrels, "id"),
                }
            )
        archive.close()
        if args.opensearch:
            rows.append(
                {
                    "variant": "archive as served on OpenSearch: same fields and analysis, Lucene BM25 k1=1.2 b=0.75",
                    **evaluate_opensearch(args.opensearch, corpus, queries, qrels, Path(tmp) / "state"),
                }
            )
    print("\n| variant | nDCG@10 | Recall@100 | median ms/query |\n| --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['variant']} | {row['ndcg@10']:.4f} | {row['recall@100']:.4f} | {row['median_ms']:.1f} |")
    print("| Lucene BM25 flat (published, Anserini) | 0.6789 | 0.9253 | |")
    print("| Lucene BM25 multifield (published, Anserini) | 0.6647 | 0.9076 | |")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
