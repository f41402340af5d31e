"""The OpenAPI 3 description of the JSON API, with example requests that the test suite replays."""

from __future__ import annotations

from search.fields import FACETS
from search.request import DEFAULT_FACET_SIZE, DEFAULT_PER_PAGE, MAX_FACET_SIZE, MAX_PAGE, MAX_PER_PAGE, SORTS

STRING_OR_NULL = {"type": ["string", "null"]}
EMPTY = {"type": "string", "maxLength": 0}


def _or_empty(schema: dict) -> dict:
    """Allow an empty value too: empty parameters count as not given (an HTML form sends its empty fields)."""
    return {"anyOf": [schema, EMPTY]}


OPTIONAL_DAY = _or_empty({"type": "string", "format": "date"})


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


SEARCH_PARAMETERS = [
    {
        "name": "q",
        "in": "query",
        "schema": {"type": "string", "maxLength": 1000},
        "description": "Query in the archive's query language (see the README); empty matches everything.",
    },
    {
        "name": "page",
        "in": "query",
        "schema": _or_empty({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": _or_empty({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}),
    },
    {
        "name": "sort",
        "in": "query",
        "schema": _or_empty({"type": "string", "enum": list(SORTS), "default": "relevance"}),
        "description": "`date` is oldest first, `-date` newest first; undated articles come last.",
    },
    *[
        {
            "name": name,
            "in": "query",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
            "description": f"Only articles with this {name}; repeat to accept any of several values.",
        }
        for name in FACETS
    ],
    {
        "name": "from",
        "in": "query",
        "schema": OPTIONAL_DAY,
        "description": "Only articles published on or after this day.",
    },
    {
        "name": "to",
        "in": "query",
        "schema": OPTIONAL_DAY,
        "description": "Only articles published on or before this day.",
    },
    {
        "name": "collapse",
        "in": "query",
        "schema": _or_empty({"type": "string", "enum": ["1", "0", "true", "false"], "default": "0"}),
        "description": "1: show each cluster of near-duplicates (wire copies, lightly edited versions) once, "
        "as its earliest matching article; its `versions` says how many the cluster holds. "
        "Totals and facet counts then count clusters.",
    },
    {
        "name": "cluster",
        "in": "query",
        "schema": {"type": "string", "maxLength": 200},
        "description": "Only the articles of this near-duplicate cluster (a hit's `cluster`).",
    },
    {
        "name": "similar",
        "in": "query",
        "schema": {"type": "string", "maxLength": 200},
        "description": "Only the articles similar to the article with this id (a hit's `similar` counts them).",
    },
    {
        "name": "facet_size",
        "in": "query",
        "schema": _or_empty(
            {"type": "integer", "minimum": 1, "maximum": MAX_FACET_SIZE, "default": DEFAULT_FACET_SIZE}
        ),
    },
]
# Exports return every match, so paging and facet parameters do not apply; the feed takes per_page entries.
EXPORT_PARAMETERS = [p for p in SEARCH_PARAMETERS if p["name"] not in ("page", "per_page", "facet_size")]
FEED_PARAMETERS = [p for p in SEARCH_PARAMETERS if p["name"] not in ("page", "facet_size")]
ARTICLE_ID = {"name": "article_id", "in": "path", "required": True, "schema": {"type": "string"}}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "param": {"type": "string"},
                    "column": {"type": "integer"},
                },
            }
        },
    },
    "Hit": {
        "type": "object",
        "required": [
            "id",
            "title",
            "source",
            "authors",
            "date",
            "language",
            "dateline",
            "snippet",
            "score",
            "cluster",
            "versions",
            "similar",
        ],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "source": STRING_OR_NULL,
            "authors": {"type": "array", "items": {"type": "string"}},
            "date": {"type": ["string", "null"], "format": "date"},
            "language": {"type": "string"},
            "dateline": STRING_OR_NULL,
            "snippet": {"type": "string", "description": "HTML-escaped text; matches wrapped in <mark>."},
            "score": {"type": ["number", "null"], "description": "Relevance; null when sorted by date."},
            "cluster": {**STRING_OR_NULL, "description": "Its near-duplicate cluster (filter with `cluster=`)."},
            "versions": {"type": "integer", "description": "Articles in that cluster, itself included."},
            "similar": {
                "type": "integer",
                "description": "Other articles naming enough of the same people and places (listed by `similar=<id>`).",
            },
        },
    },
    "FacetValue": {
        "type": "object",
        "required": ["value", "count", "selected"],
        "properties": {"value": {"type": "string"}, "count": {"type": "integer"}, "selected": {"type": "boolean"}},
    },
    "MonthBucket": {
        "type": "object",
        "required": ["value", "count", "total_in_archive"],
        "properties": {
            "value": {"type": "string", "description": "YYYY-MM"},
            "count": {"type": "integer"},
            "total_in_archive": {"type": "integer", "description": "Articles of that month in the whole archive."},
        },
    },
    "SearchResponse": {
        "type": "object",
        "required": [
            "query",
            "total",
            "total_exact",
            "page",
            "per_page",
            "pages",
            "took_ms",
            "results",
            "facets",
            "suggestion",
            "next",
            "prev",
        ],
        "properties": {
            "query": {
                "type": "object",
                "required": ["q", "parsed", "filters", "sort", "collapse", "cluster", "similar"],
                "properties": {
                    "q": {"type": "string"},
                    "parsed": {"type": "string", "description": "How the archive read the query."},
                    "filters": {"type": "object"},
                    "sort": {"type": "string"},
                    "collapse": {"type": "boolean"},
                    "cluster": STRING_OR_NULL,
                    "similar": STRING_OR_NULL,
                },
            },
            "total": {
                "type": "integer",
                "description": "Matching articles (stories, with collapse); exact unless total_exact is false.",
            },
            "total_exact": {
                "type": "boolean",
                "description": "False when total, facet and month counts are estimates: only on OpenSearch, when a "
                "collapsed search matches more near-duplicate articles than it reads one by one.",
            },
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
            "took_ms": {"type": "number"},
            "results": {"type": "array", "items": _ref("Hit")},
            "facets": {
                "type": "object",
                "properties": {
                    **{name: {"type": "array", "items": _ref("FacetValue")} for name in FACETS},
                    "month": {"type": "array", "items": _ref("MonthBucket")},
                },
            },
            "suggestion": {**STRING_OR_NULL, "description": "A respelled query that finds more, if any."},
            "next": STRING_OR_NULL,
            "prev": STRING_OR_NULL,
        },
    },
    "Article": {
        "type": "object",
        "required": ["id", "path", "title", "body", "authors", "date", "source", "language", "methods"],
        "properties": {
            "id": {"type": "string"},
            "path": {"type": "string", "description": "The file, relative to the corpus folder."},
            "title": {"type": "string"},
            "body": {"type": "string", "description": "Clean text; paragraphs separated by a blank line."},
            "authors": {"type": "array", "items": {"type": "string"}},
            "date": {"type": ["string", "null"], "format": "date"},
            "source": STRING_OR_NULL,
            "url": STRING_OR_NULL,
            "dateline": STRING_OR_NULL,
            "agency": STRING_OR_NULL,
            "language": {"type": "string"},
            "language_confidence": {"type": ["number", "null"]},
            "methods": {"type": "object", "description": "How each metadata field was found."},
            "paths": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Every corpus file holding this article: its own first, then exact copies.",
            },
            "cluster": STRING_OR_NULL,
            "versions": {"type": "integer", "description": "Articles in its near-duplicate cluster, itself included."},
            "similar": {
                "type": "integer",
                "description": "Other articles naming enough of the same people and places.",
            },
        },
    },
    "Related": {
        "type": "object",
        "required": ["id", "results"],
        "properties": {"id": {"type": "string"}, "results": {"type": "array", "items": _ref("Hit")}},
    },
    "Health": {
        "type": "object",
        "required": ["status", "articles"],
        "properties": {
            "status": {"type": "string"},
            "articles": {"type": "integer"},
            "index": {"type": "string", "description": "where the index is (a folder, or a cluster's index)"},
            "backend": {"type": "string", "description": "the engine serving the archive (whoosh or opensearch)"},
            "cluster": {
                "type": "string",
                "enum": ["green", "yellow", "red"],
                "description": "opensearch only: the cluster's health as the archive's index sees it",
            },
            "nodes": {"type": "integer", "description": "opensearch only: nodes in the cluster"},
            "message": {"type": "string"},
        },
    },
}

SEARCH_ERRORS = {
    "400": _error("The query or a parameter cannot be used; the message says why."),
    "503": _error("No index can be opened (or, on OpenSearch, the cluster cannot be reached)."),
}


def openapi_document() -> dict:
    """Return the OpenAPI document; `x-examples` list requests with the status each answers with."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "News archive API",
            "version": "1.0.0",
            "description": "Search a local archive of news articles.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search, one page of results with facets",
                    "parameters": SEARCH_PARAMETERS,
                    "responses": {"200": _json("Results.", "SearchResponse"), **SEARCH_ERRORS},
                    "x-examples": [
                        {"request": "/api/search?q=Blinken", "status": 200},
                        {"request": "/api/search?q=Blinken&language=en&sort=-date&per_page=2&page=2", "status": 200},
                        {"request": "/api/search?q=%22Blinken", "status": 400},
                        {"request": "/api/search?q=Blinken&per_page=1000", "status": 400},
                    ],
                }
            },
            "/api/search.csv": {
                "get": {
                    "summary": "Every matching article as CSV rows (streamed; formula-safe cells)",
                    "parameters": EXPORT_PARAMETERS,
                    "responses": {"200": {"description": "CSV.", "content": {"text/csv": {}}}, **SEARCH_ERRORS},
                    "x-examples": [
                        {"request": "/api/search.csv?q=Blinken", "status": 200},
                        {"request": "/api/search.csv?q=(Blinken", "status": 400},
                    ],
                }
            },
            "/api/export.jsonl": {
                "get": {
                    "summary": "Every matching article, whole, one JSON object per line",
                    "parameters": EXPORT_PARAMETERS,
                    "responses": {
                        "200": {
                            "description": "JSON Lines of Article objects.",
                            "content": {"application/x-ndjson": {}},
                        },
                        **SEARCH_ERRORS,
                    },
                    "x-examples": [{"request": "/api/export.jsonl?q=Blinken&language=en", "status": 200}],
                }
            },
            "/search.atom": {
                "get": {
                    "summary": "The newest matching articles as an Atom feed",
                    "parameters": FEED_PARAMETERS,
                    "responses": {
                        "200": {"description": "Atom feed.", "content": {"application/atom+xml": {}}},
                        "400": {"description": "Bad query or parameter (HTML page)."},
                    },
                    "x-examples": [{"request": "/search.atom?q=Blinken", "status": 200}],
                }
            },
            "/api/articles/{article_id}": {
                "get": {
                    "summary": "One whole article",
                    "parameters": [ARTICLE_ID],
                    "responses": {"200": _json("The article.", "Article"), "404": _error("No such article.")},
                    "x-examples": [{"request": "/api/articles/no-such-id", "status": 404}],
                }
            },
            "/api/articles/{article_id}/related": {
                "get": {
                    "summary": "Articles most like this one, copies of it left out",
                    "parameters": [ARTICLE_ID],
                    "responses": {"200": _json("Related articles.", "Related"), "404": _error("No such article.")},
                    "x-examples": [{"request": "/api/articles/no-such-id/related", "status": 404}],
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Whether the index can be opened, and how many articles it holds",
                    "responses": {"200": _json("Serving.", "Health"), "503": _json("No index.", "Health")},
                    "x-examples": [{"request": "/healthz", "status": 200}],
                }
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
                    "x-examples": [{"request": "/api/openapi.json", "status": 200}],
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
