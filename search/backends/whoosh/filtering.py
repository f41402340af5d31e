"""Which matched documents a Whoosh search shows: its filters allow them, and they are not hidden duplicates."""

from __future__ import annotations

import datetime as dt
import itertools

from whoosh.query import And, DateRange, NullQuery, Or, Query, Term

from search import collapse
from search.backends.whoosh import clusters, docsets
from search.backends.whoosh import schema as f
from search.request import SearchRequest

# Filters (facet values, date ranges) remembered per searcher as a byte per document: 1 where allowed.
MAX_CACHED_FILTERS = 64  # each takes 1 byte per document: about 300 KB at 300k articles


def filter_query(searcher, request: SearchRequest) -> Query | None:
    """Combine a request's filters: values of one facet OR together; facets, cluster, similar and dates AND."""
    parts: list[Query] = []
    if request.similar:
        parts.append(_similar_query(searcher, request.similar))
    for name, values in request.filters.items():
        parts.append(Or([Term(f.FACET_FIELDS[name], value) for value in values]))
    if request.cluster:
        parts.append(Term(f.CLUSTER, request.cluster))
    if request.date_from or request.date_to:
        start = dt.datetime.combine(request.date_from, dt.time.min) if request.date_from else None
        end = dt.datetime.combine(request.date_to, dt.time.max) if request.date_to else None
        parts.append(DateRange(f.DATE, start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def _similar_query(searcher, article_id: str) -> Query:
    """Return a query for the articles similar to this one (none when the id is unknown)."""
    docnum = clusters.article_docnum(searcher, article_id)
    similar = clusters.similar_docs(searcher, docnum, searcher.stored_fields(docnum)) if docnum is not None else {}
    ids = [searcher.stored_fields(d)[f.ID_FIELD] for d in sorted(similar)]
    return Or([Term(f.ID_FIELD, i) for i in ids]) if ids else NullQuery


def filter_mask(searcher, query: Query | None) -> bytearray | None:
    """Return which documents a filter allows (None: no filter), worked out once per searcher and filter."""
    if query is None:
        return None
    shared = docsets.generation_cache(searcher)
    cache = docsets.cached(searcher, "filters", dict)
    allowed = cache.get(query)
    if allowed is None:
        allowed = bytearray(searcher.doc_count_all())
        for docnum in docsets.query_docs(searcher, query):
            allowed[docnum] = 1
        with shared["lock"]:
            while len(cache) >= MAX_CACHED_FILTERS:
                cache.pop(next(iter(cache)))
            cache[query] = allowed
    return allowed


def shown(
    searcher, matched: list[int], request: SearchRequest, collapse_by: bool, per_facet: str | None = None
) -> list[int]:
    """Return the matched documents a search shows: those its filters allow, less copies and collapsed versions.

    per_facet: collapse within each value of this facet (search.facets decides when).
    """
    allowed = filter_mask(searcher, filter_query(searcher, request))
    docs = list(filter(allowed.__getitem__, matched)) if allowed is not None else matched
    dup = clusters.duplicates(searcher)
    values = docsets.field_values(searcher, f.FACET_FIELDS[per_facet]) if per_facet is not None else None
    hide = collapse.hidden(docs, dup.rank, dup.copies, collapse_by, values)
    return list(itertools.filterfalse(hide.__contains__, docs)) if hide else docs
