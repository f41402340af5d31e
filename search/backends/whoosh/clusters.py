"""Exact copies, near-duplicate clusters and similar articles in a Whoosh index, worked out once per generation.

The rules are search.collapse's and search.similar's; this reads what they need from columns
and postings.
"""

from __future__ import annotations

import collections
import json
from array import array
from dataclasses import dataclass

from whoosh.query import Every, Term

from search import similar
from search.backends.whoosh import docsets
from search.backends.whoosh import schema as f
from search.collapse import earliest_first_key
from search.fields import ROLE_COPY

# Articles per topic key remembered per searcher (a page of hits often shares its commonest names),
# up to this many document numbers in all: about 1.6 MB as arrays.
MAX_CACHED_TOPIC_DOCS = 200_000


@dataclass
class Duplicates:
    """The exact copies and near-duplicate clusters of one index generation, worked out once per searcher."""

    copies: set[int]  # documents that only record another file holding an article's text
    members: dict[str, list[int]]  # cluster with several articles -> its articles, earliest first
    rank: dict[int, tuple[str, int]]  # article of such a cluster -> (cluster, place in it)


def duplicates(searcher) -> Duplicates:
    """Return the copies and clusters of the searcher's index generation (computed once, then cached).

    Every article's cluster column holds the id of its cluster's first article (its own id, when it
    started one), so the clusters with several articles are the column's repeated values.
    """

    def build() -> Duplicates:
        if not searcher.doc_count_all():
            return Duplicates(copies=set(), members={}, rank={})  # an empty index has no columns to read
        copies = set(docsets.query_docs(searcher, Term(f.ROLE, ROLE_COPY)))
        clusters = docsets.column_values(searcher, f.CLUSTER)
        shared = {cluster for cluster, n in collections.Counter(clusters).items() if n > 1 and cluster}
        groups: dict[str, list[int]] = {}
        for docnum in docsets.query_docs(searcher, Every()):
            if clusters[docnum] in shared and docnum not in copies:
                groups.setdefault(clusters[docnum], []).append(docnum)
        reader = searcher.reader()
        dated, dates = reader.column_reader(f.HAS_DATE), reader.column_reader(f.DATE)

        def earliest_first(docnum: int) -> tuple:
            # The date column holds a default for undated articles; the order of indexing breaks ties.
            return earliest_first_key(bool(dated[docnum]), dates[docnum] if dated[docnum] else 0, docnum)

        members = {cluster: sorted(docnums, key=earliest_first) for cluster, docnums in groups.items()}
        members = {cluster: docnums for cluster, docnums in members.items() if len(docnums) > 1}
        return Duplicates(
            copies=copies,
            members=members,
            rank={
                docnum: (cluster, place) for cluster, docnums in members.items() for place, docnum in enumerate(docnums)
            },
        )

    return docsets.cached(searcher, "duplicates", build)


def versions(searcher, cluster: str | None) -> int:
    """Return how many articles the cluster holds (1 for an article alone in its cluster)."""
    members = duplicates(searcher).members.get(cluster or "")
    return len(members) if members else 1


def article_docnum(searcher, article_id: str) -> int | None:
    """Return the document of the article with this id; for an exact copy's id, the article it copies."""
    docnum = searcher.document_number(**{f.ID_FIELD: article_id})
    copies = duplicates(searcher).copies
    if docnum is None or docnum not in copies:
        return docnum
    same_text = searcher.document_numbers(**{f.BODY_HASH: searcher.stored_fields(docnum).get(f.BODY_HASH)})
    return next((d for d in same_text if d not in copies), None)


def copy_paths(searcher, stored: dict) -> list[str]:
    """Return the files of the exact copies of an article, sorted."""
    copies = duplicates(searcher).copies
    if not copies:
        return []
    same_text = searcher.document_numbers(**{f.BODY_HASH: stored.get(f.BODY_HASH)})
    return sorted(searcher.stored_fields(d)[f.PATH] for d in same_text if d in copies)


def _topic_docs(searcher, key: str) -> array:
    cache = docsets.cached(searcher, "topic_docs", dict)
    docs = cache.get(key)
    if docs is None:
        docs = array("I", docsets.query_docs(searcher, Term(f.TOPIC_KEYS, key)))
        with docsets.generation_cache(searcher)["lock"]:
            while cache and sum(map(len, cache.values())) + len(docs) > MAX_CACHED_TOPIC_DOCS:
                cache.pop(next(iter(cache)))
            cache[key] = docs
    return docs


def similar_docs(searcher, docnum: int, stored: dict) -> dict[int, int]:
    """Return {document: names shared} of the articles similar to this one (search.similar's rule).

    Each topic key's postings list the articles that name it among their main names, so this
    reads a few short lists.
    """
    keys = json.loads(stored.get(f.RECORD) or "{}").get("topic_keys") or []
    leave_out = {docnum, *duplicates(searcher).members.get(stored.get(f.CLUSTER) or "", [])}
    return similar.similar_counts(keys, lambda key: _topic_docs(searcher, key), leave_out)
