"""The Flask web layer: HTML pages, the JSON API, error pages and the reindex command."""

from __future__ import annotations

from flask import Flask

from search.archive import Archive
from search.backends import open_backend
from search.policy import SearchPolicy
from search.warming import GenerationWarmer

ARCHIVE_EXTENSION = "archive"
WARMER_EXTENSION = "archive_warmer"


def init_app(app: Flask) -> None:
    """Attach the archive (the configured engine under the search policy), routes, error handlers, commands.

    With WARM_INDEX (the default), a background thread warms the index now and after every
    reindex, whichever server runs the app (`python app.py`, `waitress-serve --call app:create_app`).
    """
    from web import api, commands, errors, exports, pages

    backend = open_backend(app.config)
    at_once = app.config.get("SEARCHES_AT_ONCE")
    at_once = backend.searches_at_once if at_once in (None, "") else at_once
    archive = Archive(backend, SearchPolicy(float(app.config["SEARCH_TIME_LIMIT"]), int(at_once)))
    app.extensions[ARCHIVE_EXTENSION] = archive
    if app.config.get("WARM_INDEX", True):
        warmer = GenerationWarmer(archive.backend)
        app.extensions[WARMER_EXTENSION] = warmer
        warmer.start()
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(exports.blueprint)
    errors.init_app(app)
    app.cli.add_command(commands.reindex_command)
    app.after_request(_security_headers)


def archive_of(app: Flask) -> Archive:
    """Return the Archive the app serves."""
    return app.extensions[ARCHIVE_EXTENSION]


def warmer_of(app: Flask) -> GenerationWarmer | None:
    """Return the app's background warmer (None when WARM_INDEX is off)."""
    return app.extensions.get(WARMER_EXTENSION)


def shutdown(app: Flask) -> None:
    """Stop the app's warmer and close its archive (servers end with the process; tests call this)."""
    warmer = warmer_of(app)
    if warmer is not None:
        warmer.stop()
    archive_of(app).close()


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
