"""Bring an index up to date with a corpus folder: add new files, update changed ones, drop deleted ones.

Workers read and extract files in parallel (indexer.workers); this process alone writes the index,
in one IndexUpdate that commits at the end or not at all. A file's problems (skipped pages of a
web archive, an invalid sidecar) are remembered next to the index, keyed by the file's hash, so
every run reports them until the file changes, not only the run that read it.

Like git's index, a stat cache next to the index remembers the size and modification time each
indexed file (and its sidecar) had when it was hashed: a file that still has them, and whose
remembered hash is the one the index holds, is unchanged without being read. The cross-check with
the index makes the cache an accelerator only: a stale, missing or damaged cache costs hashing, and
never hides a change the index has not seen. What it cannot see is a file rewritten with its size and
modification time restored (os.utime, some copy tools): `rehash` hashes every file to find those.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from indexer.pipeline import DEFAULT_MAX_TEXT_CHARS, EXTRACTOR_VERSION, FileJob, FileOutcome, run_job
from indexer.read import DEFAULT_MAX_FILE_BYTES, FileStamp, current_stamp, iter_corpus
from indexer.workers import default_workers, run_jobs
from search.backend import IndexUpdate, SearchBackend
from search.backends import open_backend
from search.fields import ROLE_COPY, ROLE_VERSION

# How files become outcomes: (corpus, jobs, workers) -> outcomes, in any order. By default worker
# processes extract them (indexer.workers.run_jobs); bench/records.py replays outcomes saved from one
# extraction, so every engine of the scale benchmark loads the same articles without extracting again.
Extract = Callable[[Path, Iterable[FileJob], int], Iterator[FileOutcome]]

# In the index root, beside the index folders: the problems of indexed files, {path: {digest, skipped, warnings}}.
PROBLEMS_FILE = "ingest-problems.json"
# Beside it, the stat cache: {"format", "extractor", "files": {path: [size, mtime_ns, sidecar_size,
# sidecar_mtime_ns, content hash]}} (sidecar values null when the file has none).
STAT_CACHE_FILE = "stat-cache.json"
# Bump when the entries change shape; a cache of another format (or extractor version) is ignored.
STAT_CACHE_FORMAT = 1


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


def load_stat_cache(index_root: Path) -> dict[str, list]:
    """Return the stat cache {path: [size, mtime_ns, sidecar_size, sidecar_mtime_ns, hash]}; empty when unusable."""
    try:
        data = json.loads((Path(index_root) / STAT_CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, unreadable, not UTF-8, not JSON
        return {}
    # A new extractor version changes every file's hash: the index's old hashes must not be confirmed.
    if not isinstance(data, dict) or (data.get("format"), data.get("extractor")) != (
        STAT_CACHE_FORMAT,
        EXTRACTOR_VERSION,
    ):
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def save_stat_cache(index_root: Path, files: dict[str, list]) -> None:
    """Write the stat cache atomically (a temp file renamed over the old one)."""
    target = Path(index_root) / STAT_CACHE_FILE
    tmp = target.with_name(f".{STAT_CACHE_FILE}.{os.getpid()}.tmp")
    data = {"format": STAT_CACHE_FORMAT, "extractor": EXTRACTOR_VERSION, "files": files}
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, target)


def count_files(corpus: Path) -> int:
    """Count the article files of a corpus, for the progress ETA.

    A second walk (about half a second per 100,000 files) rather than a list of every path: memory
    stays per file only where the run needs it, and the walk that hands out files sees the corpus as it is then.
    """
    return sum(1 for _ in iter_corpus(corpus))


class _Run:
    """The bookkeeping of one reindex run: turns worker outcomes into index writes and summary counts."""

    def __init__(
        self,
        update: IndexUpdate,
        known: dict[str, str],
        problems: dict[str, dict],
        stat_cache: dict[str, list] | None = None,
    ) -> None:
        self.update = update
        self.known = known  # path -> hash of files in the index not seen on disk yet
        self.stat_cache = stat_cache or {}  # of the last run (empty: every file is hashed)
        self.new_stat_cache: dict[str, list] = {}  # written after this run commits
        self.recognised = 0  # files found unchanged by their stat, never handed to a worker
        self.seen: dict[str, str | None] = {}  # hash in the index of each file handed out and not complete yet
        self.old_problems = problems
        self.new_problems: dict[str, dict] = {}
        self.summary = ReindexSummary(full=update.full)
        # Files whose outcome is still partial (web archives read in parts): articles written, problems so far.
        self.open_files: dict[str, dict] = {}

    def jobs(self, corpus: Path, max_file_bytes: int, max_text_chars: int) -> Iterator[FileJob]:
        root = os.fspath(corpus)
        for relpath in iter_corpus(corpus):
            known_hash = self.known.pop(relpath, None)
            if known_hash is not None and self._unchanged_by_stat(root, relpath, known_hash):
                continue
            self.seen[relpath] = known_hash
            yield FileJob(
                relpath,
                known_hash=known_hash,
                full=self.update.full,
                max_file_bytes=max_file_bytes,
                max_text_chars=max_text_chars,
            )

    def _unchanged_by_stat(self, root: str, relpath: str, known_hash: str) -> bool:
        """Tell (and count) whether a file has the size and mtime it had when hashed, and that hash is indexed."""
        entry = self.stat_cache.get(relpath)
        if not (isinstance(entry, list) and len(entry) == 5 and entry[4] == known_hash):
            return False
        stamp = current_stamp(root, relpath)
        if stamp is None or list(stamp) != entry[:4]:
            return False
        self.recognised += 1
        self.summary.unchanged += 1
        self._carry_problems(relpath, known_hash)
        self.new_stat_cache[relpath] = entry
        return True

    def _carry_problems(self, path: str, digest: str | None) -> None:
        """Report again the remembered problems of an unchanged file (and keep remembering them)."""
        remembered = self.old_problems.get(path)
        if remembered and remembered.get("digest") == digest:
            self.summary.skipped += remembered.get("skipped", [])
            self.summary.warnings += remembered.get("warnings", [])
            self.new_problems[path] = remembered

    def _remember_stat(self, path: str, outcome: FileOutcome, stamp: FileStamp | None) -> None:
        """Keep a stat cache entry for a file hashed and indexed by this run (none when its stamp is not trusted)."""
        if stamp is not None and outcome.digest is not None:
            self.new_stat_cache[path] = [*stamp, outcome.digest]
        else:
            self.new_stat_cache.pop(path, None)

    def take(self, outcome: FileOutcome) -> bool:
        """Write one outcome into the index; return True when its file is complete."""
        path, summary = outcome.path, self.summary
        known_hash = self.seen[path] if outcome.next_job is not None else self.seen.pop(path)
        summary.skipped += outcome.skipped
        summary.warnings += outcome.warnings
        if outcome.unchanged:
            summary.unchanged += 1
            self._carry_problems(path, outcome.digest)
            self._remember_stat(path, outcome, outcome.stamp)
            return True
        state = self.open_files.setdefault(path, {"written": 0, "skipped": [], "warnings": [], "stamp": None})
        if outcome.first_part:
            state["stamp"] = outcome.stamp  # a web archive is statted before its first part is read
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
        if state["written"]:  # files with nothing indexed are not remembered: the next run reads them again
            self._remember_stat(path, outcome, state["stamp"])
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
            stamp, written = None, 0
            while job is not None:  # a web archive is read in parts
                outcome = run_job(corpus, job)
                stamp = outcome.stamp if outcome.first_part else stamp
                for record in outcome.records:
                    self._put(record)
                written += len(outcome.records)
                job = outcome.next_job
            # Read again: what the index now holds for it is this reading's hash.
            if written:
                self._remember_stat(relpath, outcome, stamp)
            else:
                self.new_stat_cache.pop(relpath, None)

    def drop_deleted(self) -> None:
        for relpath in self.known:
            self.summary.removed += 1
            if not self.update.full:
                self.update.delete_file(relpath)


def reindex(
    corpus: Path,
    target: SearchBackend | Path | str,
    *,
    full: bool = False,
    rehash: bool = False,
    workers: int | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
    progress: ProgressReporter | None = None,
    extract: Extract = run_jobs,
) -> ReindexSummary:
    """Update the index from the files under corpus and return what changed.

    target: the engine to write to, or the folder of an embedded (Whoosh) index.
    workers: processes extracting in parallel (default: one per CPU; 1 runs everything in this process).
    rehash: hash every file, not trusting the size and mtime the stat cache remembers (a new cache is written).
    extract: turns the run's jobs into outcomes (see Extract).
    """
    started = time.monotonic()
    corpus = Path(corpus)
    folder = isinstance(target, (str, Path))
    backend = open_backend({"BACKEND": "whoosh", "INDEX_DIR": str(target)}) if folder else target
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist")
    workers = workers or default_workers()
    try:
        # Indexing is most of a full build's work: it is spread over as many processes as extraction.
        state = backend.state_dir
        state.mkdir(parents=True, exist_ok=True)
        with backend.update(full=full, workers=workers) as update:
            # Read under the lock, so a run that just finished is seen.
            # A rebuild reads every file anyway.
            stat_cache = {} if update.full or rehash else load_stat_cache(state)
            run = _Run(update, backend.indexed_files(), load_problems(state), stat_cache)
            run.summary.workers = workers
            total, done, shown = count_files(corpus), 0, 0
            if progress:
                progress.note(f"reading {total} files with {workers} worker(s)")
            with closing(extract(corpus, run.jobs(corpus, max_file_bytes, max_text_chars), workers)) as outcomes:
                for outcome in outcomes:
                    if run.take(outcome):
                        done += 1
                        shown = done + run.recognised
                        if progress:
                            progress(shown, max(total, shown))
            if progress and run.recognised and shown != done + run.recognised:
                shown = done + run.recognised  # the last files were all recognised by their stat
                progress(shown, max(total, shown))
            run.drop_deleted()
            run.promote_copies(corpus, max_file_bytes, max_text_chars)
            # Saved before the commit: entries are keyed by file hash, so ones the index does not hold are ignored.
            save_problems(state, run.new_problems)
            if progress:
                progress.note(f"committing {run.summary.written} articles to the index")
        # Only after the commit: entries then describe what the index holds. (Written outside the
        # run's lock: a run starting meanwhile reads an older cache, which the index cross-check corrects.)
        # The index is committed: without a cache the next run only hashes every file again.
        with suppress(OSError):
            save_stat_cache(state, run.new_stat_cache)
        summary = run.summary
        summary.articles = backend.article_count()
        summary.report = backend.ingest_report()
        summary.index = backend.location()
    finally:
        if backend is not target:
            backend.close()
    summary.seconds = time.monotonic() - started
    return summary
