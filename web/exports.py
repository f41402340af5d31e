"""Search results for scripts and feed readers: CSV and JSON Lines (all matches, streamed) and Atom."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import asdict
from xml.etree import ElementTree

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for

from search.request import build_request
from search.results import ArticleRecord
from web import archive_of

blueprint = Blueprint("exports", __name__)

CSV_COLUMNS = (
    "id",
    "title",
    "source",
    "authors",
    "date",
    "language",
    "dateline",
    "agency",
    "url",
    "path",
    "cluster",
    "versions",
)
# A spreadsheet runs a cell starting with one of these as a formula; a leading quote makes it text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_DEFAULT_ENTRIES = 20
FEED_SUMMARY_CHARS = 400


def csv_cell(value: object) -> str:
    """Return a value as CSV cell text that a spreadsheet will not run as a formula."""
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _matches(sort_default: str = "relevance", limit: int | None = None) -> Iterator[ArticleRecord]:
    """Validate the request and start the search now, so errors become a 400 before anything streams."""
    params = request.args.to_dict(flat=False)
    params.setdefault("sort", [sort_default])
    matches = archive_of(current_app).matches(build_request(params), limit=limit)
    first = next(matches, None)
    return itertools.chain([first], matches) if first is not None else iter(())


@blueprint.get("/api/search.csv")
def search_csv():
    """Every article matching the search as CSV rows (not only one page)."""
    matches = _matches()

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for article in matches:
            writer.writerow([csv_cell(getattr(article, column)) for column in CSV_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    headers = {"Content-Disposition": 'attachment; filename="search.csv"'}
    return Response(stream_with_context(rows()), mimetype="text/csv", headers=headers)


@blueprint.get("/api/export.jsonl")
def export_jsonl():
    """Every article matching the search, whole (metadata and body), one JSON object per line."""
    matches = _matches()
    lines = (json.dumps(asdict(article), ensure_ascii=False) + "\n" for article in matches)
    return Response(stream_with_context(lines), mimetype="application/x-ndjson")


def _atom_time(day: str | None) -> str:
    return f"{day}T00:00:00Z" if day else dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@blueprint.get("/search.atom")
def search_atom():
    """The newest articles matching a search as an Atom feed, to follow a saved search."""
    params = request.args.to_dict(flat=False)
    per_page = build_request({"per_page": params.get("per_page", [str(FEED_DEFAULT_ENTRIES)])}).per_page
    articles = list(_matches(sort_default="-date", limit=per_page))
    q = request.args.get("q", "")
    ElementTree.register_namespace("", ATOM_NS)
    feed = ElementTree.Element(f"{{{ATOM_NS}}}feed")

    def add(parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    add(feed, "title", f"News archive: {q}" if q else "News archive")
    add(feed, "id", request.url)
    add(feed, "link", rel="self", href=request.url)
    add(feed, "link", rel="alternate", href=url_for("pages.search_page", _external=True, **params))
    add(feed, "updated", _atom_time(articles[0].date if articles else None))
    for article in articles:
        entry = add(feed, "entry")
        add(entry, "title", article.title)
        link = url_for("pages.article_page", article_id=article.id, _external=True)
        add(entry, "id", link)
        add(entry, "link", href=link)
        add(entry, "updated", _atom_time(article.date))
        for name in article.authors or [article.source or "unknown"]:
            add(add(entry, "author"), "name", name)
        summary = " ".join(article.body.split())[:FEED_SUMMARY_CHARS]
        add(entry, "summary", summary)
    body = ElementTree.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body, mimetype="application/atom+xml")
