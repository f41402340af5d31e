"""Facet rules, written once for every engine: what each facet counts, pinned selections, month buckets."""

from __future__ import annotations

from search.facets import facet_plan, facet_values, month_buckets
from search.fields import FACETS
from search.request import build_request


def test_a_filtered_facet_is_counted_without_its_own_filter_and_collapsed_per_value():
    request = build_request({"q": ["oil"], "source": ["Wire"], "author": ["Ann Lee"], "language": ["en"]})
    plan = {facet.name: facet for facet in facet_plan(request)}
    assert list(plan) == list(FACETS)
    assert plan["source"].request.filters == {"author": ("Ann Lee",), "language": ("en",)}
    assert plan["source"].per_value
    # An article has several authors: the author facet collapses over the whole result instead.
    assert plan["author"].request.filters == {"source": ("Wire",), "language": ("en",)}
    assert not plan["author"].per_value
    # An unfiltered facet counts what the search itself shows.
    assert plan["year"].request == request and not plan["year"].per_value
    assert plan["source"].request.q == "oil"


def test_selected_values_are_pinned_and_values_ordered_by_count_then_name():
    counts = {"b": 3, "A": 3, "c": 1, "d": 5, "": 7}
    shown = facet_values(counts, selected=("c", "gone"), size=2)
    assert [(v.value, v.count, v.selected) for v in shown] == [
        ("d", 5, False),
        ("A", 3, False),
        ("c", 1, True),
        ("gone", 0, True),
    ]


def test_month_buckets_are_in_order_with_the_archive_total():
    buckets = month_buckets({"2024-02": 2, "2023-12": 1, "": 4}, {"2024-02": 10})
    assert [(b.value, b.count, b.total_in_archive) for b in buckets] == [("2023-12", 1, 1), ("2024-02", 2, 10)]
