"""The JSON API for scripts: search, articles and health, from the same functions as the pages."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort, current_app, jsonify, request, url_for

from search.errors import IndexUnavailable
from search.fields import FACETS
from search.request import build_request
from search.results import SearchResult
from web import archive_of
from web.openapi import openapi_document

blueprint = Blueprint("api", __name__)


def search_from_request(collapse_by_default: bool = False) -> SearchResult:
    """Validate the current request's parameters and run the search (shared with the HTML page).

    Scripts get every article unless they ask for `collapse=1`; the pages collapse unless told `collapse=0`.
    """
    request_ = build_request(request.args.to_dict(flat=False), collapse_by_default=collapse_by_default)
    return archive_of(current_app).search(request_)


def _page_url(result: SearchResult, page: int) -> str | None:
    if page < 1 or page > result.pages:
        return None
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for("api.api_search", _external=False, **args)


def result_json(result: SearchResult) -> dict:
    """Return a SearchResult in the API's documented JSON shape."""
    req = result.request
    filters: dict = {name: list(req.filters.get(name, ())) for name in FACETS}
    filters["from"] = req.date_from.isoformat() if req.date_from else None
    filters["to"] = req.date_to.isoformat() if req.date_to else None
    return {
        "query": {
            "q": req.q,
            "parsed": result.parsed,
            "filters": filters,
            "sort": req.sort,
            "collapse": req.collapse,
            "cluster": req.cluster,
            "similar": req.similar,
        },
        "total": result.total,
        "total_exact": result.exact,
        "page": req.page,
        "per_page": req.per_page,
        "pages": result.pages,
        "took_ms": result.took_ms,
        "results": [asdict(hit) for hit in result.hits],
        "facets": {name: [asdict(v) for v in values] for name, values in result.facets.items()}
        | {"month": [asdict(bucket) for bucket in result.months]},
        "suggestion": result.suggestion,
        "next": _page_url(result, req.page + 1),
        "prev": _page_url(result, req.page - 1),
    }


@blueprint.get("/api/search")
def api_search():
    """Search the archive; see the README for parameters and the answer's shape."""
    return jsonify(result_json(search_from_request()))


@blueprint.get("/api/articles/<article_id>")
def api_article(article_id: str):
    """Return one whole article (metadata and body) as JSON."""
    article = archive_of(current_app).article(article_id)
    if article is None:
        abort(404, description=f"no article with id {article_id!r}")
    return jsonify(asdict(article))


@blueprint.get("/api/articles/<article_id>/related")
def api_related(article_id: str):
    """Return the articles most like this one (naming the same people and places), not its copies or versions."""
    hits = archive_of(current_app).related(article_id)
    if hits is None:
        abort(404, description=f"no article with id {article_id!r}")
    return jsonify({"id": article_id, "results": [asdict(hit) for hit in hits]})


@blueprint.get("/api/openapi.json")
def api_openapi():
    """Return the OpenAPI description of this API."""
    return jsonify(openapi_document())


@blueprint.get("/healthz")
def healthz():
    """Report whether the index can be opened, how many articles it holds, and where (never a secret)."""
    try:
        return jsonify(archive_of(current_app).health())
    except IndexUnavailable as exc:
        return jsonify({"status": "unavailable", "articles": 0, "message": str(exc)}), 503
