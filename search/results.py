"""What searches and look-ups answer, the same whichever engine found it: pages and API render these."""

from __future__ import annotations

from dataclasses import dataclass, field

from search.request import SearchRequest


@dataclass
class Hit:
    """One article in a result list."""

    id: str
    title: str
    source: str | None
    authors: list[str]
    date: str | None
    language: str
    dateline: str | None
    snippet: str  # HTML-escaped text, matches wrapped in <mark>
    score: float | None
    cluster: str | None = None  # its near-duplicate cluster
    versions: int = 1  # articles in that cluster, itself included
    similar: int = 0  # other articles naming enough of the same people and places (not its versions)


@dataclass
class FacetValue:
    """One value of a facet with how many matching articles have it."""

    value: str
    count: int
    selected: bool


@dataclass
class MonthBucket:
    """Matching articles in one month, beside all archived articles of that month."""

    value: str  # YYYY-MM
    count: int
    total_in_archive: int


@dataclass
class SearchResult:
    """The answer to a SearchRequest, shaped for both the HTML page and the JSON API."""

    request: SearchRequest
    parsed: str
    total: int
    pages: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    months: list[MonthBucket] = field(default_factory=list)
    suggestion: str | None = None
    # Whether total, facet and month counts are exact. False only where an engine can only estimate
    # them (OpenSearch collapsing more clustered matches than it reads one by one): pages say "about".
    exact: bool = True


@dataclass
class ArticleRecord:
    """A whole stored article: metadata, clean body, and how each field was found."""

    id: str
    path: str
    title: str
    body: str
    authors: list[str]
    date: str | None
    source: str | None
    url: str | None
    dateline: str | None
    agency: str | None
    language: str
    language_confidence: float | None
    methods: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)  # every corpus file holding this text: its own, then copies
    cluster: str | None = None
    versions: int = 1
    similar: int = 0
