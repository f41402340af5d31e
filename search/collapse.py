"""What a search shows of near-duplicates and exact copies, whichever engine holds them.

Exact copies never show: they only record another file holding an indexed article's text.
With collapse, each cluster of near-duplicates shows once, as its earliest article *that the
search matches*: earliest by date (undated articles last), then in the order they were indexed.
Totals and facet counts then count stories, not copies of them.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence


def hidden(
    docs: Collection[int],
    rank: Mapping[int, tuple[str, int]],
    copies: set[int],
    collapse: bool,
    values: Sequence[Hashable] | None = None,
) -> set[int]:
    """Return which of these matched documents a search must not show.

    rank: document -> (its cluster, its place in the cluster's earliest-first order), for documents
    of clusters with several articles. values: collapse within each value of a facet (a value per
    document), so its counts say how many stories choosing that value alone would show.
    """
    hide = copies.intersection(docs) if copies else set()
    if collapse and rank:
        first: dict[tuple, tuple[int, int]] = {}  # (cluster, facet value) -> (place, document) of its earliest match
        for docnum in sorted(rank.keys() & set(docs)):
            cluster, place = rank[docnum]
            key = (cluster, values[docnum] if values is not None else None)
            if key in first:
                hide.add(max(first[key], (place, docnum))[1])
                first[key] = min(first[key], (place, docnum))
            else:
                first[key] = (place, docnum)
    return hide


def earliest_first_key(dated: bool, day: object, order: int) -> tuple:
    """Sort key of a cluster's articles: dated before undated, earlier dates first, then indexing order."""
    return (0, day, order) if dated else (1, 0, order)
