"""`flask --app app reindex`: the indexer's reindex command on the app's configured engine and folders."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from indexer.cli import reindex_options, run_reindex
from search.backends import open_backend
from web import warmer_of


@click.command("reindex")
@reindex_options
@with_appcontext
def reindex_command(corpus_dir: Path | None, index_dir: Path | None, full: bool, as_json: bool) -> None:
    """Index new and changed files of the corpus and drop deleted ones."""
    warmer = warmer_of(current_app)
    if warmer is not None:
        warmer.stop()  # this process writes the index; nobody here searches it
    settings = dict(current_app.config)
    if index_dir is not None:
        settings["INDEX_DIR"] = str(index_dir)
    backend = open_backend(settings)
    try:
        run_reindex(corpus_dir or Path(current_app.config["CORPUS_DIR"]), backend, full=full, as_json=as_json)
    finally:
        backend.close()
