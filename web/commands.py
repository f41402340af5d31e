"""`flask --app app reindex`: the indexer's reindex command with the app's configured folders."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from indexer.cli import reindex_options, run_reindex


@click.command("reindex")
@reindex_options
@with_appcontext
def reindex_command(corpus_dir: Path | None, index_dir: Path | None, full: bool, as_json: bool) -> None:
    """Index new and changed files of the corpus and drop deleted ones."""
    run_reindex(
        corpus_dir or Path(current_app.config["CORPUS_DIR"]),
        index_dir or Path(current_app.config["INDEX_DIR"]),
        full=full,
        as_json=as_json,
    )
