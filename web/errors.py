"""One error shape: JSON {"error": {"code", "message"}} under /api/, the error template elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search.errors import IndexUnavailable, QuerySyntaxError, SearchError

API_PREFIX = "/api/"


def wants_json() -> bool:
    """Tell whether the current request is for the JSON API."""
    return request.path.startswith(API_PREFIX) or request.path == "/healthz"


def error_response(status: int, code: str, message: str, headers: dict | None = None, **extra):
    """Render an error in the shape the current request expects."""
    if wants_json():
        body = {"error": {"code": code, "message": message, **{k: v for k, v in extra.items() if v is not None}}}
        return jsonify(body), status, headers or {}
    return render_template("error.html", status=status, code=code, message=message, **extra), status, headers or {}


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(SearchError)
    def search_error(exc: SearchError):
        column = exc.column if isinstance(exc, QuerySyntaxError) else None
        return error_response(exc.status, exc.code, exc.message, param=exc.param, column=column)

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(exc: IndexUnavailable):
        return error_response(503, "index_unavailable", f"The archive index is not available: {exc}")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        name = (exc.name or "error").lower().replace(" ", "_")
        # Keep the exception's own headers that matter to clients (Allow on a 405, Retry-After).
        headers = {k: v for k, v in exc.get_headers() if k.lower() in ("allow", "retry-after")}
        return error_response(exc.code or 500, name, exc.description or exc.name, headers=headers)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        # Never show a stack trace to a visitor; the log keeps it for the operator.
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(500, "internal_error", "Something went wrong on our side; it has been logged.")
