"""The archive's Flask application: `create_app()` for WSGI servers, `python app.py` to serve it.

`python app.py` builds the index from the corpus when none exists yet, then serves the
archive on http://127.0.0.1:5000 (PORT and HOST override): with waitress in one process, or with
WEB_PROCESSES gunicorn workers (web/server.py says which and why).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask

import web
from indexer.defaults import CORPUS_ENV, INDEX_ENV, PROJECT_ROOT
from web.server import ServerSettingError, run_one_process, run_processes, web_processes

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then ARCHIVE_* environment variables, then `config`."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"), instance_relative_config=True)
    app.config.from_mapping(
        INDEX_DIR=str(Path(app.instance_path) / "index"),
        CORPUS_DIR=str(PROJECT_ROOT / "corpus"),
        JSON_SORT_KEYS=False,
        # Seconds one search may run before it is stopped with a 503 (a worker is never held longer).
        SEARCH_TIME_LIMIT=10.0,
        # Searches computed at once; the others wait their turn. None: the engine's own default
        # (Whoosh 1, search/policy.py says why; OpenSearch 8, the cluster does the work).
        SEARCHES_AT_ONCE=None,
        # The engine: "whoosh" (embedded: an index folder, nothing to run); search/backends/ lists them.
        BACKEND="whoosh",
        # Warm the index in a background thread now and after every reindex (search/warming.py).
        WARM_INDEX=True,
        # Processes `python app.py` serves with. None: the engine's own default (Whoosh 1, OpenSearch one
        # per core; web/server.py says why).
        WEB_PROCESSES=None,
    )
    app.json.sort_keys = False
    app.config.from_pyfile("config.py", silent=True)
    # ARCHIVE_INDEX_DIR -> INDEX_DIR, ARCHIVE_CORPUS_DIR -> CORPUS_DIR, and so on.
    app.config.from_prefixed_env("ARCHIVE")
    if config:
        app.config.update(config)
    web.init_app(app)
    return app


def serve(app: Flask, host: str, port: int) -> None:
    """Make sure an index exists, say what is served, and run the production WSGI server(s)."""
    from indexer.cli import Progress, summary_text
    from indexer.defaults import default_max_file_bytes, default_max_text_chars
    from indexer.reindex import reindex

    backend = web.archive_of(app).backend
    processes = web_processes(app.config.get("WEB_PROCESSES"), backend.web_processes())
    reason = backend.rebuild_reason()
    if reason:
        print(f"{reason}; building it from {app.config['CORPUS_DIR']} ...", flush=True)
        summary = reindex(
            Path(app.config["CORPUS_DIR"]),
            backend,
            progress=Progress(),
            max_file_bytes=default_max_file_bytes(),
            max_text_chars=default_max_text_chars(),
        )
        print(summary_text(summary), flush=True)
    count = backend.article_count()
    if processes > 1:
        # Every worker opens the index anew after the fork (web/server.py); this process only supervises.
        settings = dict(app.config)
        web.shutdown(app)
        print(f"Serving {count} articles from the index at {backend.location()} with {processes} processes", flush=True)
        print(f"Open http://{host}:{port}/ (Ctrl+C stops)", flush=True)
        run_processes(lambda: create_app(settings), host, port, processes)
        return
    # What searches read once per index generation (facet values, sort keys, duplicates), read before the
    # first request (the app's warmer then looks after every reindex): otherwise the first visitor waits.
    warmer = web.warmer_of(app)
    if warmer is not None:
        warmer.check()
    print(f"Serving {count} articles from the index at {backend.location()}", flush=True)
    print(f"Open http://{host}:{port}/ (Ctrl+C stops)", flush=True)
    run_one_process(app, host, port)


def main() -> int:
    """Entry point of `python app.py`."""
    host = os.environ.get("HOST", DEFAULT_HOST)
    try:
        port = int(os.environ.get("PORT", DEFAULT_PORT))
    except ValueError:
        print(f"PORT must be a number, not {os.environ['PORT']!r}", file=sys.stderr)
        return 2
    from search.errors import IndexUnavailable

    try:
        serve(create_app(), host, port)
    except ServerSettingError as exc:
        print(f"Cannot serve: {exc}", file=sys.stderr)
        return 2
    except IndexUnavailable as exc:  # e.g. a cluster that cannot be reached: say so, no traceback
        print(f"Cannot serve: {exc}", file=sys.stderr)
        return 1
    return 0


# The environment variable names are part of the public interface; keep them discoverable here.
__all__ = ["create_app", "CORPUS_ENV", "INDEX_ENV"]

if __name__ == "__main__":
    sys.exit(main())
