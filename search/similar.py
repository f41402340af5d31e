"""Which articles are similar to one, and in what order related articles come, whichever engine stores them.

An article's topic keys are the names it mentions most (indexer.topics). Articles sharing
SIMILAR_SHARED_KEYS of them are similar; its own versions (near-duplicates) are left out, since
they are the same story, not similar ones. Related articles are the similar ones naming most
of the same names first, then those published closest to it.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable, Hashable, Iterable

# Articles sharing at least this many topic keys are "similar".
SIMILAR_SHARED_KEYS = 2
# Related articles shown on an article page.
RELATED_LIMIT = 5


def similar_counts(
    keys: Iterable[str], docs_with_key: Callable[[str], Iterable[Hashable]], leave_out: Iterable[Hashable]
) -> dict[Hashable, int]:
    """Return {article: keys shared} of the articles sharing enough of these topic keys.

    docs_with_key(key): the articles whose topic keys include key; leave_out: the article itself
    and its versions.
    """
    keys = list(keys)
    if len(keys) < SIMILAR_SHARED_KEYS:
        return {}
    shared = collections.Counter(itertools.chain.from_iterable(docs_with_key(key) for key in keys))
    excluded = set(leave_out)
    return {d: n for d, n in shared.items() if n >= SIMILAR_SHARED_KEYS and d not in excluded}


def related_order(
    similar: dict[Hashable, int], distance_in_time: Callable[[Hashable], float | None], limit: int
) -> list[Hashable]:
    """Return the `limit` most related of the similar articles: most shared keys, then closest in time.

    distance_in_time(article): seconds between its date and the article's (None when either is undated,
    which comes after every dated one). Ties keep the engine's own order of articles.
    """

    def closeness(other: Hashable) -> tuple:
        seconds = distance_in_time(other)
        return (1, 0) if seconds is None else (0, seconds)

    return sorted(similar, key=lambda other: (-similar[other], *closeness(other), other))[:limit]
