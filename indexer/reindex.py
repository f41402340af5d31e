"""Bring an index up to date with a corpus folder: add new files, update changed ones, drop deleted ones.

Workers read and extract files in parallel (indexer.workers); this process alone writes the index,
in one IndexUpdate that commits at the end or not at all. A file's problems (skipped pages of a
web archive, an invalid sidecar) are remembered next to the index, keyed by the file's hash, so
every run reports them until the file changes, not only the run that read it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from indexer.pipeline import DEFAULT_MAX_TEXT_CHARS, FileJob, FileOutcome, run_job
from indexer.read import DEFAULT_MAX_FILE_BYTES, iter_corpus
from indexer.workers import default_workers, run_jobs
from search.schema import ROLE_COPY, ROLE_VERSION
from search.store import ArchiveIndex
from search.writer import IndexUpdate

# In the index root, beside the index folders: the problems of indexed files, {path: {digest, skipped, warnings}}.
PROBLEMS_FILE = "ingest-problems.json"


class ProgressReporter(Protocol):
    """Told after each file how far the run is, and about its stages."""

    def __call__(self, done: int, total: int) -> None: ...

    def note(self, message: str) -> None: ...


@dataclass
class ReindexSummary:
    """What one reindex run did, for people (text) and scripts (JSON). Counts are of corpus files."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"path", "reason"}
    warnings: list[dict[str, str]] = field(default_factory=list)  # {"path", "reason"}: indexed, but with a problem
    written: int = 0  # articles written into the index by this run
    copies: int = 0  # of them, exact copies of an indexed article: recorded, not indexed again
    near_duplicates: int = 0  # of them, near-duplicates that joined an earlier article's cluster
    articles: int = 0  # articles in the index after the run
    report: list[dict] = field(default_factory=list)  # per source: articles and missing metadata (ingest report)
    index: str = ""
    seconds: float = 0.0
    full: bool = False
    workers: int = 1

    def as_json(self) -> dict:
        """Return the summary as the JSON object scripts rely on."""
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "written": self.written,
            "copies": self.copies,
            "near_duplicates": self.near_duplicates,
            "articles": self.articles,
            "report": self.report,
            "index": self.index,
            "seconds": round(self.seconds, 3),
            "full": self.full,
            "workers": self.workers,
        }


def load_problems(index_root: Path) -> dict[str, dict]:
    """Return the remembered problems of indexed files (empty when there are none or the file is unreadable)."""
    try:
        data = json.loads((Path(index_root) / PROBLEMS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def save_problems(index_root: Path, problems: dict[str, dict]) -> None:
    """Write the problems of indexed files atomically (a temp file renamed over the old one)."""
    target = Path(index_root) / PROBLEMS_FILE
    tmp = target.with_name(f".{PROBLEMS_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(problems, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)


def count_files(corpus: Path) -> int:
    """Count the article files of a corpus (a second walk is cheaper than holding every path for the ETA)."""
    return sum(1 for _ in iter_corpus(corpus))


class _Run:
    """The bookkeeping of one reindex run: turns worker outcomes into index writes and summary counts."""

    def __init__(self, update: IndexUpdate, known: dict[str, str], problems: dict[str, dict]) -> None:
        self.update = update
        self.known = known  # path -> hash of files in the index not seen on disk yet
        self.seen: dict[str, str | None] = {}  # hash in the index of each file handed out and not complete yet
        self.old_problems = problems
        self.new_problems: dict[str, dict] = {}
        self.summary = ReindexSummary(full=update.full)
        # Files whose outcome is still partial (web archives read in parts): articles written, problems so far.
        self.open_files: dict[str, dict] = {}

    def jobs(self, corpus: Path, max_file_bytes: int, max_text_chars: int) -> Iterator[FileJob]:
        for relpath in iter_corpus(corpus):
            known_hash = self.known.pop(relpath, None)
            self.seen[relpath] = known_hash
            yield FileJob(
                relpath,
                known_hash=known_hash,
                full=self.update.full,
                max_file_bytes=max_file_bytes,
                max_text_chars=max_text_chars,
            )

    def take(self, outcome: FileOutcome) -> bool:
        """Write one outcome into the index; return True when its file is complete."""
        path, summary = outcome.path, self.summary
        known_hash = self.seen[path] if outcome.next_job is not None else self.seen.pop(path)
        summary.skipped += outcome.skipped
        summary.warnings += outcome.warnings
        if outcome.unchanged:
            summary.unchanged += 1
            remembered = self.old_problems.get(path)
            if remembered and remembered.get("digest") == outcome.digest:
                summary.skipped += remembered.get("skipped", [])
                summary.warnings += remembered.get("warnings", [])
                self.new_problems[path] = remembered
            return True
        state = self.open_files.setdefault(path, {"written": 0, "skipped": [], "warnings": []})
        if outcome.first_part and known_hash is not None and not self.update.full:
            # A changed file replaces all its old articles (a web archive may have lost some pages).
            self.update.delete_file(path)
        for record in outcome.records:
            self._put(record)
        state["written"] += len(outcome.records)
        state["skipped"] += outcome.skipped
        state["warnings"] += outcome.warnings
        if outcome.next_job is not None:
            return False
        del self.open_files[path]
        summary.written += state["written"]
        if not state["written"]:
            summary.removed += known_hash is not None  # it had articles; its new version has none
        elif known_hash is None:
            summary.added += 1
        elif known_hash == outcome.digest:
            summary.unchanged += 1  # a full rebuild reads unchanged files again
        else:
            summary.updated += 1
        if state["written"] and (state["skipped"] or state["warnings"]):
            self.new_problems[path] = {
                "digest": outcome.digest,
                "skipped": state["skipped"],
                "warnings": state["warnings"],
            }
        return True

    def _put(self, record: dict) -> None:
        role = self.update.put(record)
        self.summary.copies += role == ROLE_COPY
        self.summary.near_duplicates += role == ROLE_VERSION

    def promote_copies(self, corpus: Path, max_file_bytes: int, max_text_chars: int) -> None:
        """Index again the copies of articles this run removed: the first of each becomes the article."""
        for relpath in self.update.orphaned_copies():
            self.update.delete_file(relpath)
            job: FileJob | None = FileJob(
                relpath, full=True, max_file_bytes=max_file_bytes, max_text_chars=max_text_chars
            )
            while job is not None:  # a web archive is read in parts
                outcome = run_job(corpus, job)
                for record in outcome.records:
                    self._put(record)
                job = outcome.next_job

    def drop_deleted(self) -> None:
        for relpath in self.known:
            self.summary.removed += 1
            if not self.update.full:
                self.update.delete_file(relpath)


def reindex(
    corpus: Path,
    index_root: Path,
    *,
    full: bool = False,
    workers: int | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
    progress: ProgressReporter | None = None,
) -> ReindexSummary:
    """Update the index at index_root from the files under corpus and return what changed.

    workers: processes extracting in parallel (default: one per CPU; 1 runs everything in this process).
    """
    started = time.monotonic()
    corpus, archive = Path(corpus), ArchiveIndex(index_root)
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist")
    workers = workers or default_workers()
    try:
        # Indexing is most of a full build's work: it is spread over as many processes as extraction.
        with IndexUpdate(archive, full=full, writer_processes=workers) as update:
            # Read under the lock, so a run that just finished is seen.
            run = _Run(update, archive.indexed_files(), load_problems(archive.root))
            run.summary.workers = workers
            total, done = count_files(corpus), 0
            if progress:
                progress.note(f"reading {total} files with {workers} worker(s)")
            with closing(run_jobs(corpus, run.jobs(corpus, max_file_bytes, max_text_chars), workers)) as outcomes:
                for outcome in outcomes:
                    if run.take(outcome):
                        done += 1
                        if progress:
                            progress(done, max(total, done))
            run.drop_deleted()
            run.promote_copies(corpus, max_file_bytes, max_text_chars)
            # Saved before the commit: entries are keyed by file hash, so ones the index does not hold are ignored.
            save_problems(archive.root, run.new_problems)
            if progress:
                progress.note(f"committing {run.summary.written} articles to the index")
        summary = run.summary
        summary.articles = archive.article_count()
        summary.report = archive.ingest_report()
        summary.index = str(archive.live_dir())
    finally:
        archive.close()
    summary.seconds = time.monotonic() - started
    return summary
