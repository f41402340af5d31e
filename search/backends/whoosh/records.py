"""Hits and whole articles read back from a Whoosh index's stored fields."""

from __future__ import annotations

import json

from search.backends.whoosh import clusters
from search.backends.whoosh import schema as f
from search.results import ArticleRecord, Hit, hit_from_stored, record_from_stored


def hit(stored: dict, snippet: str, score: float | None, versions: int = 1) -> Hit:
    """Return a result-list entry for a stored document."""
    return hit_from_stored(stored, json.loads(stored.get(f.RECORD) or "{}"), snippet, score, versions)


def record(stored: dict) -> ArticleRecord:
    """Return the whole article a stored document holds (its own file only in `paths`)."""
    return record_from_stored(stored, json.loads(stored.get(f.RECORD) or "{}"))


def full_record(searcher, stored: dict, docnum: int | None = None) -> ArticleRecord:
    """Return an article's record with the files of its exact copies and the size of its cluster.

    With its document number, also how many similar articles it has (exports leave that out: it
    would cost a look-up per exported article).
    """
    article = record(stored)
    article.paths += clusters.copy_paths(searcher, stored)
    article.versions = clusters.versions(searcher, article.cluster)
    if docnum is not None:
        article.similar = len(clusters.similar_docs(searcher, docnum, stored))
    return article
