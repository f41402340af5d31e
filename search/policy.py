"""Search policy, the same for every entry point: how many searches compute at once, and for how long.

Pages, the JSON API, the CSV / JSON Lines / Atom exports and the article page's highlighting all
take a turn here. Searches are CPU-bound Python under one interpreter lock: run together they
interleave and all finish late, so SEARCHES_AT_ONCE compute at a time (default 1: with 8 clients it
served 23-28% more requests than 2 at 100k and 300k articles, with a lower p95; bench/RESULTS.md)
and the others wait, at most as long as one may run, then get a 503 `busy`. A search running past
the time limit is stopped with a 503 `query_timeout`, so it never holds a worker longer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from search.errors import ArchiveBusy, SearchTimeout

DEFAULT_TIME_LIMIT = 10.0
DEFAULT_SEARCHES_AT_ONCE = 1


class DeadlinePassed(Exception):
    """Raised by an engine when a search's deadline passed; the policy turns it into SearchTimeout."""


def past(deadline: float | None) -> bool:
    """Tell whether a deadline (a time.monotonic() value, None: none) has passed."""
    return deadline is not None and time.monotonic() > deadline


class SearchPolicy:
    """Hands out turns to compute a search, each with its deadline."""

    def __init__(
        self, time_limit: float | None = DEFAULT_TIME_LIMIT, searches_at_once: int = DEFAULT_SEARCHES_AT_ONCE
    ) -> None:
        if searches_at_once < 1:
            raise ValueError(f"SEARCHES_AT_ONCE must be 1 or more, not {searches_at_once}")
        self.time_limit = float(time_limit) if time_limit else None
        self.searches_at_once = searches_at_once
        self._slots = threading.BoundedSemaphore(searches_at_once)

    @contextmanager
    def turn(self) -> Iterator[float | None]:
        """Wait for a turn (ArchiveBusy when none comes within the time limit); yield the search's deadline.

        An engine that raises DeadlinePassed inside the turn is reported as SearchTimeout.
        """
        if not self._slots.acquire(timeout=self.time_limit if self.time_limit else -1):
            raise ArchiveBusy(f"the archive is busy: no search could start within {self.time_limit:g} s; try again")
        try:
            yield time.monotonic() + self.time_limit if self.time_limit else None
        except DeadlinePassed:
            raise SearchTimeout(
                f"the search took longer than {self.time_limit:g} s and was stopped; try fewer or more specific words"
            ) from None
        finally:
            self._slots.release()
