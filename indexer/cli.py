"""The reindex command, shared by `flask --app app reindex` and `python -m indexer`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TextIO

import click

from indexer.defaults import backend_settings, default_corpus_dir, default_max_file_bytes, default_max_text_chars
from indexer.reindex import ReindexSummary, reindex
from indexer.workers import default_workers
from search.backend import SearchBackend
from search.backends import open_backend
from search.errors import IndexUnavailable, ReindexLocked

BAR_WIDTH = 30
# Without a terminal, a log line after the first file (the workers are up), then every this many seconds
# and at the end, so cron logs stay short.
LOG_EVERY_SECONDS = 5.0
# On a terminal, the bar is redrawn at most this often.
REDRAW_SECONDS = 0.1
# Exit statuses: a run that failed (bad corpus, crash) exits 1 through click.
EXIT_LOCKED = 75  # EX_TEMPFAIL: another reindex holds the index; trying again later works
EXIT_STRICT = 3  # --strict and at least one file was skipped
# Options that `flask --app app reindex` (web/commands.py) does not list as parameters travel in the click
# context instead, so the shared option set can grow without changing every command that uses it.
CONTEXT_KEY = "indexer.reindex_options"


class Progress:
    """Report progress on stderr: a redrawn bar with rate and ETA on a terminal, log lines otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.interactive = self.stream.isatty()
        self.last_draw = 0.0
        self.last_log = self.started

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        eta = (total - done) / rate if rate else 0.0
        if self.interactive:
            if done < total and now - self.last_draw < REDRAW_SECONDS:
                return
            self.last_draw = now
            filled = int(BAR_WIDTH * done / total) if total else BAR_WIDTH
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            line = f"\r[{bar}] {done}/{total} files  {rate:.1f}/s  ETA {eta:.0f}s"
            self.stream.write(line + ("\n" if done == total else ""))
            self.stream.flush()
        elif done in (1, total) or now - self.last_log >= LOG_EVERY_SECONDS:
            self.last_log = now
            print(f"reindex: {done}/{total} files, {rate:.1f}/s, ETA {eta:.0f}s", file=self.stream, flush=True)

    def note(self, message: str) -> None:
        """Say what the run is doing now (a stage rather than a file)."""
        print(f"reindex: {message}", file=self.stream, flush=True)


def summary_text(summary: ReindexSummary) -> str:
    """Return the human-readable summary of a reindex run."""
    lines = [
        f"{'Rebuilt' if summary.full else 'Updated'} index {summary.index} in {summary.seconds:.1f}s "
        f"with {summary.workers} worker(s): {summary.articles} articles",
        f"  added {summary.added}, updated {summary.updated}, removed {summary.removed}, "
        f"unchanged {summary.unchanged}, skipped {len(summary.skipped)} (files); "
        f"{summary.written} articles written"
        + (f" ({summary.copies} exact copies, {summary.near_duplicates} near-duplicates)" if summary.written else ""),
    ]
    lines += [f"  skipped {item['path']}: {item['reason']}" for item in summary.skipped]
    lines += [f"  warning {item['path']}: {item['reason']}" for item in summary.warnings]
    if summary.report:
        lines.append("  ingest report (articles lacking a date / an author / a language):")
        width = max(len(row["source"] or "(no source)") for row in summary.report)
        lines += [
            f"    {row['source'] or '(no source)':<{width}}  {row['articles']:>7} articles  "
            f"{row['no_date']:>6} no date  {row['no_author']:>6} no author  {row['no_language']:>6} no language"
            for row in summary.report
        ]
    return "\n".join(lines)


class _ExitStatus(click.ClickException):
    """A failure with its own exit status, message printed by click."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def run_reindex(
    corpus: Path,
    target: SearchBackend | Path,
    *,
    full: bool,
    as_json: bool,
    workers: int | None = None,
    strict: bool | None = None,
    rehash: bool | None = None,
) -> None:
    """Reindex and print the summary; exit non-zero (via click) when the run failed, or with --strict on skips.

    target: the engine to write to (or an embedded index's folder).

    workers, strict and rehash default to the --workers, --strict and --rehash given on the command line.
    """
    given = click.get_current_context(silent=True)
    extra = given.meta.get(CONTEXT_KEY, {}) if given else {}
    workers = workers if workers is not None else extra.get("workers")
    strict = strict if strict is not None else extra.get("strict", False)
    rehash = rehash if rehash is not None else extra.get("rehash", False)
    limits = {
        "max_file_bytes": extra.get("max_file_mb") and int(extra["max_file_mb"] * 1024 * 1024),
        "max_text_chars": extra.get("max_text_chars"),
    }
    limits = {name: value or LIMIT_DEFAULTS[name]() for name, value in limits.items()}
    try:
        summary = reindex(
            corpus,
            target,
            full=full,
            rehash=rehash,
            workers=workers,
            progress=None if as_json else Progress(),
            **limits,
        )
    except ReindexLocked as exc:
        raise _ExitStatus(str(exc), EXIT_LOCKED) from None
    except (FileNotFoundError, IndexUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(summary.as_json(), ensure_ascii=False))
    else:
        click.echo(summary_text(summary))
    if strict and summary.skipped:
        raise _ExitStatus(f"--strict: {len(summary.skipped)} file(s) or page(s) skipped", EXIT_STRICT)


# Limits given on neither the command line nor in the environment take these defaults.
LIMIT_DEFAULTS = {"max_file_bytes": default_max_file_bytes, "max_text_chars": default_max_text_chars}


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> object:
    ctx.meta.setdefault(CONTEXT_KEY, {})[param.name] = value
    return value


def reindex_options(func):
    """Attach the reindex command's options to a click command function.

    The function receives corpus_dir, index_dir, full and as_json; --workers, --strict, --rehash and
    the limits reach run_reindex through the click context.
    """
    func = click.option(
        "--max-text-chars",
        type=click.IntRange(min=1),
        default=None,
        expose_value=False,
        callback=_remember,
        help="Skip articles whose clean text is longer (default: $ARCHIVE_MAX_TEXT_CHARS or 2,000,000).",
    )(func)
    func = click.option(
        "--max-file-mb",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        expose_value=False,
        callback=_remember,
        help="Skip files larger than this (default: $ARCHIVE_MAX_FILE_MB or 20).",
    )(func)
    func = click.option(
        "--rehash",
        is_flag=True,
        expose_value=False,
        callback=_remember,
        help="Hash every file, even those whose size and modification time are unchanged since the last run.",
    )(func)
    func = click.option(
        "--strict",
        is_flag=True,
        expose_value=False,
        callback=_remember,
        help="Exit with status 3 if any file (or web archive page) is skipped.",
    )(func)
    func = click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        expose_value=False,
        callback=_remember,
        help=f"Processes extracting in parallel (default: one per CPU, here {default_workers()}; 1: in this process).",
    )(func)
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
    backend = open_backend(backend_settings(index_dir))
    try:
        run_reindex(corpus_dir or default_corpus_dir(), backend, full=full, as_json=as_json)
    finally:
        backend.close()
