"""Write articles into the Whoosh index: one single writer per run, committed atomically or not at all."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from types import TracebackType

from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import IndexWriter

from search import backend, duplicates
from search.backends.whoosh import schema as f
from search.backends.whoosh.store import LOCK_FILE, SCHEMA_VERSION_FILE, ArchiveIndex
from search.duplicates import Deduplicator
from search.errors import ReindexLocked
from search.fields import ROLE_COPY
from search.processes import exit_with_parent

# Folder name prefix of each full build; the pointer file names the live one.
BUILD_PREFIX = "index-"
# Index folders kept besides the live one, so a server still reading the previous one is not cut off.
KEEP_PREVIOUS_BUILDS = 1


# Record keys kept out of the stored metadata: the body is stored on its own, the rest is index-only.
NOT_IN_RECORD = frozenset({"body", "date", "near_keys"})


def copy_fields(record: dict, text_hash: str) -> dict:
    """Return the fields of an exact copy: which file holds it, nothing searchable."""
    return {
        f.ID_FIELD: record["id"],
        f.PATH: record["path"],
        f.CONTENT_HASH: record["content_hash"],
        f.BODY_HASH: text_hash,
        f.ROLE: ROLE_COPY,
        f.RECORD: json.dumps({"path": record["path"], "url": record.get("url")}, ensure_ascii=False),
    }


class _SegmentWriterProcess(SubWriterTask):
    """Whoosh's segment-writing process, which would otherwise wait forever for work from a killed reindex."""

    def __init__(self, *args, parent_pid: int) -> None:
        super().__init__(*args)
        self.parent_pid = parent_pid

    def run(self) -> None:
        # Ctrl+C reaches the whole process group; the reindex process alone decides how to stop.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        threading.Thread(target=exit_with_parent, args=(self.parent_pid,), daemon=True).start()
        super().run()


class _ParallelWriter(MpWriter):
    """Whoosh's multi-process writer, with writing processes that do not outlive the reindex."""

    def _new_task(self) -> SubWriterTask:
        args = (self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment)
        task = _SegmentWriterProcess(*args, parent_pid=os.getpid())
        self.tasks.append(task)
        task.start()
        return task


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
        f.HAS_AUTHOR: 1 if any(authors) else 0,
        f.BODY_HASH: duplicates.text_hash(record.get("title") or "", record.get("body") or ""),
        f.SPELL: f"{record.get('title') or ''}\n{record.get('body') or ''}",
        f.RECORD: json.dumps(
            {k: v for k, v in record.items() if k not in NOT_IN_RECORD} | {"date": day.isoformat() if day else None},
            ensure_ascii=False,
        ),
    }
    if record.get("topic_keys"):
        fields[f.TOPIC_KEYS] = " ".join(record["topic_keys"])
    if day:
        fields[f.DATE] = dt.datetime.combine(day, dt.time())
        fields[f.YEAR] = f"{day.year:04d}"
        fields[f.MONTH] = f"{day.year:04d}-{day.month:02d}"
    return fields


class IndexUpdate(backend.IndexUpdate):
    """A context manager for one reindex run: put and delete articles, then commit on success.

    Incremental runs write into the live index; full runs (or the first run) build a new index
    folder and switch the pointer to it only after it is completely committed.

    Duplicates are resolved as articles are put (search.duplicates decides): an article whose clean
    text is already indexed becomes a copy of it; one sharing enough near-duplicate keys with indexed
    articles joins their cluster. Whoosh cannot read documents it has not committed, so the articles this
    run put are remembered by hash and keys (search.duplicates.RunMemory, on disk), never whole; the
    index is looked up only for what it held before the run.
    """

    def __init__(self, archive: ArchiveIndex, full: bool = False, writer_processes: int = 1) -> None:
        """writer_processes: for a full build, how many processes write index segments in parallel."""
        self.archive = archive
        self.writer_processes = writer_processes
        # An index from another schema version cannot be updated in place.
        self.full = full or not archive.exists() or archive.schema_version() != f.SCHEMA_VERSION
        self._lock_handle = None
        self._writer: IndexWriter | None = None
        self._new_dir: Path | None = None
        self._committed = None  # reader of the index as it was before this run (incremental runs)
        self._columns: dict[str, object] = {}  # its column readers, opened on first use
        self._deleted: set[int] = set()  # its documents this run removes
        self._committed_copies: set[int] = set()
        self._dedup = Deduplicator()  # what this run put, by text hash and near-duplicate keys

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
                self._committed = ix.reader()
                self._committed_copies = set(self._docnums(f.ROLE, ROLE_COPY))
            self._writer = self._open_writer(ix)
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

    # -- the index as it was before this run ------------------------------------------
    def _docnums(self, fieldname: str, text: str) -> list[int]:
        """Documents of the committed index holding a term, except those this run removes."""
        reader = self._committed
        if reader is None or (fieldname, text) not in reader:
            return []
        return [
            docnum
            for docnum in reader.postings(fieldname, text).all_ids()
            if docnum not in self._deleted and not reader.is_deleted(docnum)
        ]

    def _column(self, fieldname: str):
        if fieldname not in self._columns:
            self._columns[fieldname] = self._committed.column_reader(fieldname)
        return self._columns[fieldname]

    def _remove(self, fieldname: str, text: str) -> None:
        for docnum in self._docnums(fieldname, text):
            self._deleted.add(docnum)
            if docnum not in self._committed_copies:
                self._dedup.removed(self._column(f.BODY_HASH)[docnum])
        self._writer.delete_by_term(fieldname, text)

    # search.duplicates.CommittedLookups, answered from the index as it was before this run.
    def has_article_with_text(self, text_hash: str) -> bool:
        return any(d not in self._committed_copies for d in self._docnums(f.BODY_HASH, text_hash))

    def clusters_with_key(self, key: str) -> set[str]:
        return {self._column(f.CLUSTER)[docnum] for docnum in self._docnums(f.NEAR_KEYS, key)}

    # -- changes ----------------------------------------------------------------------
    def put(self, record: dict) -> str:
        """Add an article, replacing any earlier version with the same id; return how it was indexed.

        "copy": its clean text is already indexed, so only its file is recorded; "version": it is a
        near-duplicate of indexed articles and joined their cluster; "article": a new story.
        """
        fields = index_fields(record)
        keys = [key for key in record.get("near_keys") or [] if key]
        decision = self._dedup.decide(record["id"], fields[f.BODY_HASH], keys, self)
        if decision.role == ROLE_COPY:
            copy = copy_fields(record, fields[f.BODY_HASH])
            if decision.copies_committed and self._new_dir is None:
                # Written at the end, once it is known whether this run removes the article it copies.
                self._dedup.wait(fields[f.BODY_HASH], copy)
            else:
                self._write(copy)
            return ROLE_COPY
        fields[f.CLUSTER] = decision.cluster
        if keys:
            fields[f.NEAR_KEYS] = " ".join(keys)
        if decision.role == f.ROLE_VERSION:
            fields[f.ROLE] = f.ROLE_VERSION
        self._write(fields)
        return decision.role

    def _open_writer(self, ix: whoosh_index.Index) -> IndexWriter:
        # Separate segment files, not one compound file: Whoosh-Reloaded copies every part of a compound
        # file into memory for each searcher that opens it (about 3 KB per article per searcher).
        if self._new_dir is None or self.writer_processes < 2:
            return ix.writer(compound=False)
        # A full build hands documents to processes that each write a segment of their own (kept as
        # they are: merging them in this process would cost what the parallel writing saved). They
        # are forked, and only ever use the queues Whoosh makes for them.
        return _ParallelWriter(
            ix, procs=self.writer_processes, multisegment=True, compound=False, subargs={"compound": False}
        )

    def _write(self, fields: dict) -> None:
        if self._new_dir is not None:
            # A new build holds each id once: no older version to look up and replace.
            self._writer.add_document(**fields)
        else:
            self._writer.update_document(**fields)

    def delete(self, article_id: str) -> None:
        """Remove the article with this id."""
        self._remove(f.ID_FIELD, article_id)

    def delete_file(self, relpath: str) -> None:
        """Remove every article read from one corpus file (a web archive holds many)."""
        self._remove(f.PATH, relpath)

    def orphaned_copies(self) -> list[str]:
        """Return the files of exact copies whose indexed article this run removed, and did not index again.

        The caller reads each again and puts it: the first becomes the article, the others its copies.
        Call it after the last put or delete; it also writes the copies kept waiting until now.
        """
        settled = self._dedup.settle()
        paths = {fields[f.PATH] for fields in settled.reread}
        for text_hash in settled.orphans:
            for docnum in self._docnums(f.BODY_HASH, text_hash):
                paths.add(self._committed.stored_fields(docnum)[f.PATH])
        for fields in settled.write:
            self._write(fields)
        return sorted(paths)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                self.orphaned_copies()  # copies still waiting are written (callers normally asked already)
                self._writer.commit()
                if self._new_dir is not None:
                    self.archive.set_live_dir(self._new_dir)
                    self._prune_old_builds()
            else:
                self._discard()
        finally:
            self._close_committed()
            self._dedup.close()
            if self._lock_handle is not None:
                self._lock_handle.close()

    def _discard(self) -> None:
        self._close_committed()
        if self._writer is not None:
            self._writer.cancel()
        if self._new_dir is not None:
            shutil.rmtree(self._new_dir, ignore_errors=True)

    def _close_committed(self) -> None:
        if self._committed is not None:
            self._committed.close()
            self._committed, self._columns = None, {}

    def _prune_old_builds(self) -> None:
        live = self.archive.live_dir()
        builds = sorted(
            (p for p in self.archive.root.iterdir() if p.is_dir() and p.name.startswith(BUILD_PREFIX) and p != live),
            key=lambda p: p.stat().st_mtime,
        )
        for old in builds[: max(len(builds) - KEEP_PREVIOUS_BUILDS, 0)]:
            shutil.rmtree(old, ignore_errors=True)
