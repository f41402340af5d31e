"""Facet and month counts over a Whoosh search's shown documents, from per-document value lists."""

from __future__ import annotations

import collections

from whoosh.query import Every

from search.backends.whoosh import docsets
from search.backends.whoosh import schema as f
from search.fields import MONTH_FACET, MULTI_VALUED_FACETS


def facet_counts(searcher, name: str, docs: list[int]) -> collections.Counter:
    """Count the values of a facet (or the months) among these documents."""
    fieldname = f.MONTH if name == MONTH_FACET else f.FACET_FIELDS[name]
    if name in MULTI_VALUED_FACETS:
        return docsets.count_value_lists(docsets.field_value_lists(searcher, fieldname), docs)
    return docsets.count_values(docsets.field_values(searcher, fieldname), docs)


def months_in_archive(searcher) -> dict[str, int]:
    """Return how many documents each month holds in the whole index (copies hold no month), once per generation."""

    def build() -> dict[str, int]:
        counts = facet_counts(searcher, MONTH_FACET, docsets.query_docs(searcher, Every()))
        return {month: n for month, n in counts.items() if month}

    return docsets.cached(searcher, "months", build)
