"""HTML pages for people: the search page, the article page and the original file as plain text."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for

from search.errors import SearchError
from search.fields import FACETS
from search.querylang import MAX_QUERY_CHARS
from search.results import MonthBucket, SearchResult
from web import archive_of
from web.api import search_from_request

blueprint = Blueprint("pages", __name__)
FACET_LABELS = {"source": "Source", "language": "Language", "author": "Author", "year": "Year"}
CHART_WIDTH, CHART_HEIGHT = 640, 120
MAX_BAR_WIDTH = 40  # a few months should read as a few bars, not one slab
RELATED_ON_PAGE = 5


@dataclass
class ChartBar:
    """One month of the volume chart, laid out for the SVG."""

    x: float
    width: float
    height: float
    label: str
    href: str


def url_with(**changes) -> str:
    """Return the current search URL with some parameters replaced (None removes one); resets the page."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value if isinstance(value, list) else [value]
    return url_for("pages.search_page", **args)


def toggle_filter_url(name: str, value: str) -> str:
    """Return the current search URL with one facet value added, or removed if already selected."""
    values = request.args.getlist(name)
    values = [v for v in values if v != value] if value in values else [*values, value]
    return url_with(**{name: values or None})


def chart_bars(months: list[MonthBucket]) -> list[ChartBar]:
    """Lay out one bar per month of the results; each links to that month's date range."""
    if not months:
        return []
    tallest = max(bucket.count for bucket in months)
    width = min(CHART_WIDTH / len(months), MAX_BAR_WIDTH)
    bars = []
    for index, bucket in enumerate(months):
        year, month = (int(part) for part in bucket.value.split("-"))
        last_day = calendar.monthrange(year, month)[1]
        share = (
            f", {bucket.count / bucket.total_in_archive:.0%} of the month's archive" if bucket.total_in_archive else ""
        )
        bars.append(
            ChartBar(
                x=round(index * width, 2),
                width=round(max(width - 1, 1), 2),
                height=round(max(CHART_HEIGHT * bucket.count / tallest, 1), 2),
                label=f"{bucket.value}: {bucket.count} article{'s' if bucket.count != 1 else ''}{share}",
                href=url_with(**{"from": f"{bucket.value}-01", "to": f"{bucket.value}-{last_day:02d}"}),
            )
        )
    return bars


@blueprint.get("/")
@blueprint.get("/search")
def search_page():
    """The search box, and results when a query or filter is given."""
    has_search = any(request.args.get(name) for name in ("q", "from", "to", "cluster", "similar", *FACETS))
    try:
        # People want one entry per story: near-duplicates are collapsed unless the page says otherwise.
        result = search_from_request(collapse_by_default=True) if has_search else None
    except SearchError as error:
        # The search box keeps what was typed, so the mistake can be fixed where it is shown.
        return render_search_page(None, error), error.status
    return render_search_page(result, None)


def render_search_page(result: SearchResult | None, error: SearchError | None) -> str:
    """Render the search page for a result, an error, or neither (the bare search box)."""
    bars = chart_bars(result.months) if result else []
    return render_template(
        "search.html",
        result=result,
        error=error,
        column=getattr(error, "column", None),
        q=request.args.get("q", ""),
        facet_labels=FACET_LABELS,
        url_with=url_with,
        toggle_filter_url=toggle_filter_url,
        bars=bars,
        chart=(min(CHART_WIDTH, round(sum(bar.width + 1 for bar in bars))) or CHART_WIDTH, CHART_HEIGHT),
        query_string=_formats_query(result) if result else "",
        similar_title=_similar_title(result),
    )


def _similar_title(result: SearchResult | None) -> str | None:
    """Return the headline of the article whose similar articles are listed, if any."""
    if result is None or not result.request.similar:
        return None
    article = archive_of(current_app).article(result.request.similar)
    return article.title if article else None


def _formats_query(result: SearchResult) -> str:
    """Return the query string of the same results as JSON, CSV and Atom (which do not collapse unless told)."""
    args = request.args.to_dict(flat=False)
    args["collapse"] = ["1" if result.request.collapse else "0"]
    return urlencode(args, doseq=True)


@blueprint.get("/articles/<article_id>")
def article_page(article_id: str):
    """One clean article with its metadata; the words of `q` are marked when reached from a search."""
    archive = archive_of(current_app)
    article = archive.article(article_id)
    if article is None:
        abort(404, description="There is no article with that id in the archive.")
    q = request.args.get("q", "")
    return render_template(
        "article.html",
        article=article,
        paragraphs=archive.marked_paragraphs(article.body, q[:MAX_QUERY_CHARS], article.language),
        related=archive.related(article_id, RELATED_ON_PAGE) or [],
        q=q,
    )


@blueprint.get("/articles/<article_id>/original")
def original_file(article_id: str):
    """The file the article came from, exactly as stored in the corpus, always as plain text."""
    article = archive_of(current_app).article(article_id)
    if article is None:
        abort(404, description="There is no article with that id in the archive.")
    corpus = Path(current_app.config["CORPUS_DIR"]).resolve()
    target = (corpus / article.path).resolve()
    # Only files inside the corpus are served, whatever links or ".." the stored path holds.
    if not target.is_relative_to(corpus) or not target.is_file():
        abort(404, description="The original file is no longer in the corpus.")
    response = send_file(target, mimetype="text/plain", as_attachment=False, download_name=target.name)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
