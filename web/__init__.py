"""The Flask web layer: HTML pages, the JSON API, error pages and the reindex command."""

from __future__ import annotations

import threading

from flask import Flask

from search.store import ArchiveIndex

ARCHIVE_EXTENSION = "archive_index"
SEARCH_SLOTS_EXTENSION = "archive_search_slots"


def init_app(app: Flask) -> None:
    """Attach the archive index, routes, error handlers and CLI commands to an app."""
    from web import api, commands, errors, exports, pages

    app.extensions[ARCHIVE_EXTENSION] = ArchiveIndex(app.config["INDEX_DIR"])
    searches_at_once = int(app.config["SEARCHES_AT_ONCE"])
    if searches_at_once < 1:
        raise ValueError(f"SEARCHES_AT_ONCE must be 1 or more, not {searches_at_once}")
    app.extensions[SEARCH_SLOTS_EXTENSION] = threading.BoundedSemaphore(searches_at_once)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(exports.blueprint)
    errors.init_app(app)
    app.cli.add_command(commands.reindex_command)
    app.after_request(_security_headers)


def archive_index(app: Flask) -> ArchiveIndex:
    """Return the ArchiveIndex the app serves."""
    return app.extensions[ARCHIVE_EXTENSION]


def search_slots(app: Flask) -> threading.BoundedSemaphore:
    """Return the semaphore that lets SEARCHES_AT_ONCE searches run at a time."""
    return app.extensions[SEARCH_SLOTS_EXTENSION]


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
