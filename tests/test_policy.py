"""The search policy every entry point obeys: turns (busy after the time limit) and deadlines (timeouts)."""

from __future__ import annotations

import threading
import time

import pytest

from search.errors import ArchiveBusy, SearchTimeout
from search.policy import DeadlinePassed, SearchPolicy, past


def test_a_turn_carries_a_deadline_and_a_passed_deadline_is_a_timeout():
    policy = SearchPolicy(time_limit=5)
    with policy.turn() as deadline:
        assert deadline is not None and 4 < deadline - time.monotonic() <= 5
        assert not past(deadline)
    with pytest.raises(SearchTimeout, match="longer than 5 s"), policy.turn():
        raise DeadlinePassed


def test_no_turn_within_the_time_limit_is_busy_and_a_turn_is_given_back():
    policy = SearchPolicy(time_limit=0.1, searches_at_once=1)
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with policy.turn():
            taken.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(5)
        with pytest.raises(ArchiveBusy, match="busy"), policy.turn():
            pass
    finally:
        release.set()
        holder.join()
    with policy.turn():  # its turn came
        pass


def test_searches_at_once_must_be_positive():
    with pytest.raises(ValueError, match="SEARCHES_AT_ONCE"):
        SearchPolicy(searches_at_once=0)
