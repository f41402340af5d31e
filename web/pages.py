"""HTML pages for people: the search page and the article page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for

from search.schema import FACET_FIELDS
from search.service import get_article
from web import archive_index
from web.api import search_from_request

blueprint = Blueprint("pages", __name__)
FACET_LABELS = {"source": "Source", "language": "Language", "author": "Author", "year": "Year"}


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


@blueprint.get("/")
@blueprint.get("/search")
def search_page():
    """The search box, and results when a query or filter is given."""
    has_search = any(request.args.get(name) for name in ("q", "from", "to", *FACET_FIELDS))
    result = search_from_request() if has_search else None
    return render_template(
        "search.html",
        result=result,
        q=request.args.get("q", ""),
        facet_labels=FACET_LABELS,
        url_with=url_with,
        toggle_filter_url=toggle_filter_url,
    )


@blueprint.get("/articles/<article_id>")
def article_page(article_id: str):
    """One clean article with its metadata."""
    article = get_article(archive_index(current_app), article_id)
    if article is None:
        abort(404, description="There is no article with that id in the archive.")
    paragraphs = [p for p in article.body.split("\n\n") if p.strip()]
    return render_template("article.html", article=article, paragraphs=paragraphs)
