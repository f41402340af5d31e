"""Hits and whole articles read back from a Whoosh index's stored fields."""

from __future__ import annotations

import json

from search.backends.whoosh import clusters
from search.backends.whoosh import schema as f
from search.fields import UNDETERMINED_LANGUAGE
from search.results import ArticleRecord, Hit


def hit(stored: dict, snippet: str, score: float | None, versions: int = 1) -> Hit:
    """Return a result-list entry for a stored document."""
    record = json.loads(stored.get(f.RECORD) or "{}")
    return Hit(
        id=stored[f.ID_FIELD],
        title=stored.get(f.TITLE) or "",
        source=stored.get(f.SOURCE) or None,
        authors=record.get("authors") or [],
        date=record.get("date"),
        language=stored.get(f.LANGUAGE) or UNDETERMINED_LANGUAGE,
        dateline=stored.get(f.DATELINE) or None,
        snippet=snippet,
        score=round(score, 4) if score is not None else None,
        cluster=stored.get(f.CLUSTER),
        versions=versions,
    )


def record(stored: dict) -> ArticleRecord:
    """Return the whole article a stored document holds (its own file only in `paths`)."""
    metadata = json.loads(stored.get(f.RECORD) or "{}")
    return ArticleRecord(
        id=stored[f.ID_FIELD],
        path=stored[f.PATH],
        title=stored.get(f.TITLE) or "",
        body=stored.get(f.BODY) or "",
        authors=metadata.get("authors") or [],
        date=metadata.get("date"),
        source=metadata.get("source"),
        url=metadata.get("url"),
        dateline=metadata.get("dateline"),
        agency=metadata.get("agency"),
        language=stored.get(f.LANGUAGE) or UNDETERMINED_LANGUAGE,
        language_confidence=metadata.get("language_confidence"),
        methods=metadata.get("methods") or {},
        paths=[stored[f.PATH]],
        cluster=stored.get(f.CLUSTER),
    )


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
