"""Write articles into the index: one single writer per run, committed atomically or not at all."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from types import TracebackType

from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from search import schema as f
from search.store import LOCK_FILE, SCHEMA_VERSION_FILE, ArchiveIndex

# Folder name prefix of each full build; the pointer file names the live one.
BUILD_PREFIX = "index-"
# Index folders kept besides the live one, so a server still reading the previous one is not cut off.
KEEP_PREVIOUS_BUILDS = 1


class ReindexLocked(Exception):
    """Another reindex is running on the same index."""


def index_fields(record: dict) -> dict:
    """Map a plain article record (as the indexer produces it) to Whoosh field values."""
    day: dt.date | None = record.get("date")
    authors = [name.replace(f.KEYWORD_SEPARATOR, " ").strip() for name in record.get("authors") or []]
    fields = {
        f.ID_FIELD: record["id"],
        f.PATH: record["path"],
        f.CONTENT_HASH: record["content_hash"],
        f.TITLE: record.get("title") or "",
        f.BODY: record.get("body") or "",
        f.content_field(record.get("language")): "\n".join(
            [record.get("title") or ""] * f.TITLE_WEIGHT + [record.get("body") or ""]
        ),
        f.AUTHORS: "; ".join(authors),
        f.SOURCE: record.get("source") or "",
        f.SOURCE_FACET: record.get("source") or "",
        f.DATELINE: record.get("dateline") or "",
        f.LANGUAGE: record.get("language") or "und",
        f.AUTHOR_FACET: f.KEYWORD_SEPARATOR.join(name for name in authors if name),
        f.HAS_DATE: 1 if day else 0,
        f.BODY_HASH: hashlib.sha1(" ".join((record.get("body") or "").split()).encode()).hexdigest(),
        f.SPELL: f"{record.get('title') or ''}\n{record.get('body') or ''}",
        f.RECORD: json.dumps(
            {k: v for k, v in record.items() if k not in ("body", "date")} | {"date": day.isoformat() if day else None},
            ensure_ascii=False,
        ),
    }
    if day:
        fields[f.DATE] = dt.datetime.combine(day, dt.time())
        fields[f.YEAR] = f"{day.year:04d}"
        fields[f.MONTH] = f"{day.year:04d}-{day.month:02d}"
    return fields


class IndexUpdate:
    """A context manager for one reindex run: put and delete articles, then commit on success.

    Incremental runs write into the live index; full runs (or the first run) build a new index
    folder and switch the pointer to it only after it is completely committed.
    """

    def __init__(self, archive: ArchiveIndex, full: bool = False) -> None:
        self.archive = archive
        # An index from another schema version cannot be updated in place.
        self.full = full or not archive.exists() or archive.schema_version() != f.SCHEMA_VERSION
        self._lock_handle = None
        self._writer: IndexWriter | None = None
        self._new_dir: Path | None = None

    def __enter__(self) -> IndexUpdate:
        self.archive.root.mkdir(parents=True, exist_ok=True)
        self._acquire_lock()
        try:
            if self.full:
                stamp = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9}"
                self._new_dir = self.archive.root / f"{BUILD_PREFIX}{stamp}"
                self._new_dir.mkdir()
                ix = whoosh_index.create_in(str(self._new_dir), f.build_schema())
                (self._new_dir / SCHEMA_VERSION_FILE).write_text(str(f.SCHEMA_VERSION), encoding="utf-8")
            else:
                ix = self.archive.open()
            # Separate segment files, not one compound file: Whoosh-Reloaded copies every part of a compound
            # file into memory for each searcher that opens it (about 3 KB per article per searcher).
            self._writer = ix.writer(compound=False)
        except BaseException:
            self._discard()
            raise
        return self

    def _acquire_lock(self) -> None:
        # flock is released by the kernel when the process dies, so a crashed run never blocks the next.
        handle = open(self.archive.root / LOCK_FILE, "a+")  # noqa: SIM115 - held for the whole run
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise ReindexLocked(
                f"another reindex is already running on {self.archive.root}" + (f" ({holder})" if holder else "")
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        self._lock_handle = handle

    def put(self, record: dict) -> None:
        """Add an article, replacing any earlier version with the same id."""
        self._writer.update_document(**index_fields(record))

    def delete(self, article_id: str) -> None:
        """Remove the article with this id."""
        self._writer.delete_by_term(f.ID_FIELD, article_id)

    def delete_file(self, relpath: str) -> None:
        """Remove every article read from one corpus file (a web archive holds many)."""
        self._writer.delete_by_term(f.PATH, relpath)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                self._writer.commit()
                if self._new_dir is not None:
                    self.archive.set_live_dir(self._new_dir)
                    self._prune_old_builds()
            else:
                self._discard()
        finally:
            if self._lock_handle is not None:
                self._lock_handle.close()

    def _discard(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        if self._new_dir is not None:
            shutil.rmtree(self._new_dir, ignore_errors=True)

    def _prune_old_builds(self) -> None:
        live = self.archive.live_dir()
        builds = sorted(
            (p for p in self.archive.root.iterdir() if p.is_dir() and p.name.startswith(BUILD_PREFIX) and p != live),
            key=lambda p: p.stat().st_mtime,
        )
        for old in builds[: max(len(builds) - KEEP_PREVIOUS_BUILDS, 0)]:
            shutil.rmtree(old, ignore_errors=True)
