"""The one search function the HTML pages and the JSON API both call, and article look-up."""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import time
from dataclasses import dataclass, field

from whoosh import highlight, sorting
from whoosh.query import And, DateRange, Or, Query, Term

from search import schema as f
from search.query import build_parser, describe_query, parse_query
from search.request import SearchRequest
from search.store import ArchiveIndex

SNIPPET_FRAGMENTS = 3
SNIPPET_CHARS = 200
FALLBACK_SNIPPET_CHARS = 240


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


@dataclass
class FacetValue:
    """One value of a facet with how many matching articles have it."""

    value: str
    count: int
    selected: bool


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
    suggestion: str | None = None


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


class MarkFormatter(highlight.Formatter):
    """Escape all text and wrap matched words in <mark>."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{html.escape(highlight.get_text(text, token, replace), quote=False)}</mark>"


def _filter_query(request: SearchRequest, skip_facet: str | None = None) -> Query | None:
    """Combine filters: values of one facet OR together, different facets and dates AND."""
    parts: list[Query] = []
    for name, values in request.filters.items():
        if name != skip_facet:
            parts.append(Or([Term(f.FACET_FIELDS[name], value) for value in values]))
    if request.date_from or request.date_to:
        start = dt.datetime.combine(request.date_from, dt.time.min) if request.date_from else None
        end = dt.datetime.combine(request.date_to, dt.time.max) if request.date_to else None
        parts.append(DateRange(f.DATE, start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def _facet(name: str) -> sorting.FieldFacet:
    return sorting.FieldFacet(f.FACET_FIELDS[name], allow_overlap=name in f.MULTI_VALUED_FACETS)


def _facet_values(counts: dict, selected: tuple[str, ...]) -> list[FacetValue]:
    values = [FacetValue(str(v), n, str(v) in selected) for v, n in counts.items() if v not in (None, "")]
    present = {v.value for v in values}
    # A selected value keeps its place in the list even when the query no longer matches it.
    values += [FacetValue(v, 0, True) for v in selected if v not in present]
    return sorted(values, key=lambda item: (-item.count, item.value.lower()))


def _sort_facet(sort: str) -> sorting.MultiFacet | None:
    if sort == "relevance":
        return None
    newest_first = sort == "-date"
    # Undated articles go last either way.
    return sorting.MultiFacet(
        [sorting.FieldFacet(f.HAS_DATE, reverse=True), sorting.FieldFacet(f.DATE, reverse=newest_first)]
    )


def _hit(stored: dict, snippet: str, score: float | None) -> Hit:
    record = json.loads(stored.get(f.RECORD) or "{}")
    return Hit(
        id=stored[f.ID_FIELD],
        title=stored.get(f.TITLE) or "",
        source=stored.get(f.SOURCE) or None,
        authors=record.get("authors") or [],
        date=record.get("date"),
        language=stored.get(f.LANGUAGE) or "und",
        dateline=stored.get(f.DATELINE) or None,
        snippet=snippet,
        score=round(score, 4) if score is not None else None,
    )


def _fallback_snippet(body: str) -> str:
    text = " ".join(body.split())
    if len(text) > FALLBACK_SNIPPET_CHARS:
        text = text[:FALLBACK_SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return html.escape(text, quote=False)


def search(archive: ArchiveIndex, request: SearchRequest) -> SearchResult:
    """Run a validated search: one page of hits with snippets, exact total, and facet counts."""
    started = time.perf_counter()
    with archive.searcher() as searcher:
        query = parse_query(request.q, build_parser(searcher.schema))
        selected_facets = [name for name in f.FACET_FIELDS if name in request.filters]
        plain_facets = {name: _facet(name) for name in f.FACET_FIELDS if name not in request.filters}
        window = request.page * request.per_page
        results = searcher.search(
            query,
            filter=_filter_query(request),
            limit=window,
            sortedby=_sort_facet(request.sort),
            groupedby=plain_facets or None,
            maptype=sorting.Count,
        )
        results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        results.formatter = MarkFormatter()
        total = len(results)
        facets = {name: _facet_values(results.groups(name), ()) for name in plain_facets}
        # Counts of a filtered facet ignore its own filter, so the other values stay choosable.
        for name in selected_facets:
            others = searcher.search(
                query,
                filter=_filter_query(request, skip_facet=name),
                limit=1,
                groupedby={name: _facet(name)},
                maptype=sorting.Count,
            )
            facets[name] = _facet_values(others.groups(name), request.filters[name])
        hits = []
        start = (request.page - 1) * request.per_page
        for hit in results[start:window]:
            snippet = " ".join(hit.highlights(f.BODY, top=SNIPPET_FRAGMENTS).split())
            snippet = snippet or _fallback_snippet(hit.get(f.BODY, ""))
            hits.append(_hit(hit.fields(), snippet, hit.score if request.sort == "relevance" else None))
    return SearchResult(
        request=request,
        parsed=describe_query(query),
        total=total,
        pages=math.ceil(total / request.per_page) if total else 0,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        hits=hits,
        facets={name: facets[name] for name in f.FACET_FIELDS},
    )


def get_article(archive: ArchiveIndex, article_id: str) -> ArticleRecord | None:
    """Return the stored article with this id, or None."""
    with archive.searcher() as searcher:
        stored = searcher.document(**{f.ID_FIELD: article_id})
    if stored is None:
        return None
    record = json.loads(stored.get(f.RECORD) or "{}")
    return ArticleRecord(
        id=stored[f.ID_FIELD],
        path=stored[f.PATH],
        title=stored.get(f.TITLE) or "",
        body=stored.get(f.BODY) or "",
        authors=record.get("authors") or [],
        date=record.get("date"),
        source=record.get("source"),
        url=record.get("url"),
        dateline=record.get("dateline"),
        agency=record.get("agency"),
        language=stored.get(f.LANGUAGE) or "und",
        language_confidence=record.get("language_confidence"),
        methods=record.get("methods") or {},
    )
