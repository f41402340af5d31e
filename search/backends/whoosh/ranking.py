"""The order of a Whoosh search's shown documents: by date from per-document sort keys, or by BM25F relevance."""

from __future__ import annotations

import heapq
import time
from array import array

from whoosh import collectors
from whoosh.collectors import TimeLimit
from whoosh.query import Query

from search.backends.whoosh import docsets
from search.backends.whoosh import schema as f


def date_keys(searcher, newest_first: bool) -> array:
    """Return each document's place in date order (undated last), as a list by document number, once per searcher."""

    def build() -> array:
        dated = docsets.column_values(searcher, f.HAS_DATE)
        dates = docsets.column_values(searcher, f.DATE, translate=False)  # sortable integers
        sign = -1 if newest_first else 1
        # A signed 64-bit array: 8 bytes a document instead of a Python int each.
        # has_date is 1 for a dated article (a copy holds none: Whoosh reads that as the largest number).
        return array("q", (sign * day if has == 1 else docsets.LAST for has, day in zip(dated, dates, strict=True)))

    return docsets.cached(searcher, "newest_first" if newest_first else "oldest_first", build)


class DeadlineCollector(collectors.WrappingCollector):
    """Stops a search with TimeLimit once a deadline (time.monotonic()) passes, checked at every matching document.

    Whoosh's TimeLimitCollector bypasses a FilterCollector wrapped inside it (filters are then
    ignored) and its SIGALRM mode only works in the main thread; this one sits inside the filter.
    """

    def __init__(self, child: collectors.Collector, deadline: float) -> None:
        super().__init__(child)
        self.deadline = deadline

    def collect(self, sub_docnum: int):
        if time.monotonic() > self.deadline:
            raise TimeLimit
        return self.child.collect(sub_docnum)

    def collect_matches(self) -> None:
        for sub_docnum in self.child.matches():
            self.collect(sub_docnum)


def ranked(
    searcher,
    query: Query,
    shown: list[int],
    sort: str,
    limit: int | None,
    deadline: float | None,
    memo: docsets.Memo | None = None,
) -> list[tuple[int, float | None]]:
    """Return the first `limit` shown documents (all: None) in the requested order, with relevance scores.

    By date, they are picked from per-document sort keys. By relevance: when every match scores
    alike (a lone prefix, range or match-all), in index order, as Whoosh ranks ties; words and
    phrases are scored with Whoosh's BM25F over whole postings blocks (docsets.bm25_scores); any
    other query is scored by Whoosh's own matchers, limited to the shown documents.
    """
    if not shown:
        return []
    if sort != "relevance":
        keys = date_keys(searcher, newest_first=sort == "-date").__getitem__
        ordered = heapq.nsmallest(limit, shown, key=keys) if limit else sorted(shown, key=keys)
        return [(docnum, None) for docnum in ordered]
    constant = docsets.constant_score(query)
    if constant is not None:
        return [(docnum, constant) for docnum in shown[:limit]]
    scores = docsets.bm25_scores(searcher, query, shown, memo)
    if scores is not None:
        best_first = lambda docnum: (-scores[docnum], docnum)  # noqa: E731 - ties in index order, as Whoosh
        ordered = heapq.nsmallest(limit, shown, key=best_first) if limit else sorted(shown, key=best_first)
        return [(docnum, scores[docnum]) for docnum in ordered]
    collector = searcher.collector(limit=limit)
    if deadline is not None:
        collector = DeadlineCollector(collector, deadline)
    collector = collectors.FilterCollector(collector, allow=set(shown))
    searcher.search_with_collector(docsets.rankable(query), collector)
    return [(hit.docnum, hit.score) for hit in collector.results()]
