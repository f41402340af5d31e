"""How facet counts and the month chart are defined, whichever engine counts them.

Rules written once: a facet you filter on is counted as if its own filter were not there (so
its other values stay visible and choosable), with near-duplicates collapsed within each of its
values (its counts then say how many stories choosing that value alone would show); a selected
value is always listed, with 0 when the search no longer finds it; values are ordered by count,
then by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from search.fields import FACETS, MULTI_VALUED_FACETS
from search.request import SearchRequest
from search.results import FacetValue, MonthBucket


@dataclass(frozen=True)
class FacetCount:
    """How one facet is counted for a search: over which matches, collapsed how."""

    name: str
    # The request whose filters select the articles counted: the search's own, less this facet's filter.
    request: SearchRequest
    # Collapse near-duplicates within each value of this facet instead of over the whole result.
    per_value: bool


def facet_plan(request: SearchRequest) -> list[FacetCount]:
    """Return how every facet is counted for this request (engines count; this decides what)."""
    plan = []
    for name in FACETS:
        if name in request.filters:
            others = {key: values for key, values in request.filters.items() if key != name}
            # Multi-valued facets collapse over the whole result: one story has several authors.
            per_value = name not in MULTI_VALUED_FACETS
            plan.append(FacetCount(name, dataclasses.replace(request, filters=others), per_value))
        else:
            plan.append(FacetCount(name, request, per_value=False))
    return plan


def facet_values(counts: Mapping[str, int], selected: tuple[str, ...], size: int) -> list[FacetValue]:
    """Return the facet values to show: the `size` most common, plus every selected one (pinned)."""
    values = [FacetValue(str(v), n, str(v) in selected) for v, n in counts.items() if v not in (None, "")]
    present = {v.value for v in values}
    # A selected value keeps its place in the list even when the query no longer matches it.
    values += [FacetValue(v, 0, True) for v in selected if v not in present]
    values.sort(key=lambda item: (-item.count, item.value.lower()))
    return values[:size] + [v for v in values[size:] if v.selected]


def month_buckets(counts: Mapping[str, int], in_archive: Mapping[str, int]) -> list[MonthBucket]:
    """Return one bucket per month the results fall in, with how many articles the archive holds that month."""
    return [MonthBucket(month, n, in_archive.get(month, n)) for month, n in sorted(counts.items()) if month]
