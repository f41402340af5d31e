"""Validate raw request parameters into a SearchRequest before any engine sees them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from search.errors import InvalidParameter
from search.fields import FACETS
from search.querylang import MAX_QUERY_CHARS

DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
# Deep pages cost as much as fetching every hit before them (at most MAX_PAGE * MAX_PER_PAGE);
# scripts that want everything should use the CSV or JSON Lines export instead.
MAX_PAGE = 1000
SORTS = ("relevance", "date", "-date")
MAX_FILTER_VALUES = 50
MAX_FILTER_CHARS = 200
DEFAULT_FACET_SIZE = 10
FLAG_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
MAX_FACET_SIZE = 100


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: query text, paging, sort and filters."""

    q: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = "relevance"
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet name -> values (OR)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    facet_size: int = DEFAULT_FACET_SIZE
    collapse: bool = False  # show each cluster of near-duplicates once, as its earliest matching article
    cluster: str | None = None  # only the articles of this cluster (its "versions")
    similar: str | None = None  # only the articles similar to the article with this id


def _single(params: Mapping[str, Sequence[str]], name: str, default: str = "") -> str:
    values = [v for v in params.get(name, ()) if v != ""]
    if len(set(values)) > 1:
        raise InvalidParameter(f"'{name}' was given {len(values)} different values; give it once", param=name)
    return values[0].strip() if values else default


def _integer(params: Mapping[str, Sequence[str]], name: str, default: int, low: int, high: int) -> int:
    raw = _single(params, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(f"'{name}' must be a whole number, not {raw[:40]!r}", param=name) from None
    if not low <= value <= high:
        raise InvalidParameter(f"'{name}' must be between {low} and {high}, not {value}", param=name)
    return value


def _day(params: Mapping[str, Sequence[str]], name: str) -> dt.date | None:
    raw = _single(params, name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(f"'{name}' must be a date as YYYY-MM-DD, not {raw[:40]!r}", param=name) from None


def _flag(params: Mapping[str, Sequence[str]], name: str, default: bool) -> bool:
    raw = _single(params, name).lower()
    if not raw:
        return default
    if raw not in FLAG_VALUES:
        raise InvalidParameter(f"'{name}' must be 1 or 0, not {raw[:40]!r}", param=name)
    return FLAG_VALUES[raw]


def build_request(params: Mapping[str, Sequence[str]], collapse_by_default: bool = False) -> SearchRequest:
    """Turn {parameter name: list of values} (as in a URL) into a SearchRequest, or raise InvalidParameter.

    collapse_by_default: whether near-duplicates are collapsed when `collapse` is not given (the pages do).
    """
    longest = max((len(value) for value in params.get("q", ())), default=0)
    if longest > MAX_QUERY_CHARS:
        raise InvalidParameter(f"'q' is {longest:,} characters long; the limit is {MAX_QUERY_CHARS:,}", param="q")
    q = _single(params, "q")
    per_page = _integer(params, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    page = _integer(params, "page", 1, 1, MAX_PAGE)
    sort = _single(params, "sort", "relevance")
    if sort not in SORTS:
        raise InvalidParameter(f"'sort' must be one of {', '.join(SORTS)}, not {sort[:40]!r}", param="sort")
    filters: dict[str, tuple[str, ...]] = {}
    for name in FACETS:
        values = tuple(dict.fromkeys(v.strip() for v in params.get(name, ()) if v.strip()))
        if len(values) > MAX_FILTER_VALUES:
            raise InvalidParameter(f"at most {MAX_FILTER_VALUES} values of '{name}' at once", param=name)
        if any(len(v) > MAX_FILTER_CHARS for v in values):
            raise InvalidParameter(f"a '{name}' value is longer than {MAX_FILTER_CHARS} characters", param=name)
        if values:
            # Language codes are stored lower-case; people type "EN" too.
            filters[name] = tuple(v.lower() for v in values) if name == "language" else values
    date_from, date_to = _day(params, "from"), _day(params, "to")
    if date_from and date_to and date_from > date_to:
        raise InvalidParameter(f"'from' ({date_from}) is after 'to' ({date_to})", param="from")
    facet_size = _integer(params, "facet_size", DEFAULT_FACET_SIZE, 1, MAX_FACET_SIZE)
    cluster = _single(params, "cluster") or None
    similar = _single(params, "similar") or None
    for name, value in (("cluster", cluster), ("similar", similar)):
        if value is not None and len(value) > MAX_FILTER_CHARS:
            raise InvalidParameter(f"'{name}' is longer than {MAX_FILTER_CHARS} characters", param=name)
    collapse = _flag(params, "collapse", collapse_by_default)
    return SearchRequest(q, page, per_page, sort, filters, date_from, date_to, facet_size, collapse, cluster, similar)
