"""Collapse rules, written once for every engine: copies never show; a cluster shows its earliest match."""

from __future__ import annotations

from search.collapse import earliest_first_key, hidden

# Documents 1-3 form cluster "a" (earliest first: 2, 1, 3); 5 and 6 form "b"; 4 is alone; 9 is a copy.
RANK = {2: ("a", 0), 1: ("a", 1), 3: ("a", 2), 6: ("b", 0), 5: ("b", 1)}


def test_copies_are_hidden_with_or_without_collapse():
    assert hidden([1, 4, 9], RANK, {9}, collapse=False) == {9}


def test_each_cluster_shows_its_earliest_matching_article():
    assert hidden([1, 2, 3, 4, 5, 6], RANK, set(), collapse=True) == {1, 3, 5}
    # The earliest article of "a" does not match: the earliest one that does shows.
    assert hidden([1, 3, 4], RANK, set(), collapse=True) == {3}


def test_collapsing_within_each_value_of_a_facet():
    values = {1: "Wire", 2: "Daily", 3: "Wire", 4: "Wire", 5: "Daily", 6: "Daily"}
    # Per source: "a" shows 2 for Daily and 1 for Wire; "b" shows 6 for Daily.
    assert hidden([1, 2, 3, 4, 5, 6], RANK, set(), collapse=True, values=values) == {3, 5}


def test_earliest_first_puts_undated_last_and_breaks_ties_by_indexing_order():
    keys = sorted([earliest_first_key(False, 0, 1), earliest_first_key(True, 20, 3), earliest_first_key(True, 10, 2)])
    assert keys == [(0, 10, 2), (0, 20, 3), (1, 0, 1)]
