"""The reindex command, shared by `flask --app app reindex` and `python -m indexer`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from indexer.defaults import default_corpus_dir, default_index_dir
from indexer.reindex import ReindexSummary, reindex
from search.writer import ReindexLocked

BAR_WIDTH = 30
# Without a terminal, a log line every this many files (and at the end).
LOG_EVERY = 500


class Progress:
    """Report progress on stderr: a redrawn bar with rate and ETA on a terminal, log lines otherwise."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.interactive = self.stream.isatty()
        self.last_draw = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        eta = (total - done) / rate if rate else 0.0
        if self.interactive:
            if done < total and now - self.last_draw < 0.1:
                return
            self.last_draw = now
            filled = int(BAR_WIDTH * done / total) if total else BAR_WIDTH
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            line = f"\r[{bar}] {done}/{total} files  {rate:.1f}/s  ETA {eta:.0f}s"
            self.stream.write(line + ("\n" if done == total else ""))
            self.stream.flush()
        elif done == total or done % LOG_EVERY == 0:
            print(f"reindex: {done}/{total} files, {rate:.1f}/s, ETA {eta:.0f}s", file=self.stream, flush=True)


def summary_text(summary: ReindexSummary) -> str:
    """Return the human-readable summary of a reindex run."""
    lines = [
        f"{'Rebuilt' if summary.full else 'Updated'} index {summary.index} in {summary.seconds:.1f}s: "
        f"{summary.articles} articles",
        f"  added {summary.added}, updated {summary.updated}, removed {summary.removed}, "
        f"unchanged {summary.unchanged}, skipped {len(summary.skipped)}",
    ]
    lines += [f"  skipped {item['path']}: {item['reason']}" for item in summary.skipped]
    return "\n".join(lines)


def run_reindex(corpus: Path, index: Path, *, full: bool, as_json: bool) -> None:
    """Reindex and print the summary; exit non-zero (via click) only when the run itself failed."""
    try:
        summary = reindex(corpus, index, full=full, progress=None if as_json else Progress())
    except ReindexLocked as exc:
        raise click.ClickException(str(exc)) from None
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(summary.as_json(), ensure_ascii=False))
    else:
        click.echo(summary_text(summary))


def reindex_options(func):
    """Attach the reindex command's options to a click command function."""
    func = click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")(func)
    func = click.option(
        "--full", is_flag=True, help="Rebuild from scratch into a new index, switched to when complete."
    )(func)
    func = click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Index folder (default: $ARCHIVE_INDEX_DIR or instance/index).",
    )(func)
    func = click.option(
        "--corpus",
        "corpus_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Corpus folder (default: $ARCHIVE_CORPUS_DIR or corpus/).",
    )(func)
    return func


@click.command("reindex")
@reindex_options
def main(corpus_dir: Path | None, index_dir: Path | None, full: bool, as_json: bool) -> None:
    """Index new and changed files of the corpus and drop deleted ones."""
    run_reindex(corpus_dir or default_corpus_dir(), index_dir or default_index_dir(), full=full, as_json=as_json)
