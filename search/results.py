"""What searches and look-ups answer, the same whichever engine found it: pages and API render these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from search.fields import UNDETERMINED_LANGUAGE
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


# Every engine stores an article under these names (id, path, title, body, source, dateline, language,
# cluster) beside its metadata as the indexer made it; hits and records are read back the same way.
def hit_from_stored(stored: Mapping, metadata: Mapping, snippet: str, score: float | None, versions: int = 1) -> Hit:
    """Return a result-list entry for a stored article (metadata: its record, as the indexer made it)."""
    return Hit(
        id=stored["id"],
        title=stored.get("title") or "",
        source=stored.get("source") or None,
        authors=metadata.get("authors") or [],
        date=metadata.get("date"),
        language=stored.get("language") or UNDETERMINED_LANGUAGE,
        dateline=stored.get("dateline") or None,
        snippet=snippet,
        score=round(score, 4) if score is not None else None,
        cluster=stored.get("cluster"),
        versions=versions,
    )


def record_from_stored(stored: Mapping, metadata: Mapping) -> ArticleRecord:
    """Return the whole article a stored document holds (its own file only in `paths`)."""
    return ArticleRecord(
        id=stored["id"],
        path=stored["path"],
        title=stored.get("title") or "",
        body=stored.get("body") or "",
        authors=metadata.get("authors") or [],
        date=metadata.get("date"),
        source=metadata.get("source"),
        url=metadata.get("url"),
        dateline=metadata.get("dateline"),
        agency=metadata.get("agency"),
        language=stored.get("language") or UNDETERMINED_LANGUAGE,
        language_confidence=metadata.get("language_confidence"),
        methods=metadata.get("methods") or {},
        paths=[stored["path"]],
        cluster=stored.get("cluster"),
    )
