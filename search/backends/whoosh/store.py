"""Where an index lives on disk: the live index an index root points at, and searchers that follow it.

An index root holds one or more Whoosh index folders and a pointer file naming the live one.
A full rebuild writes a new folder and swaps the pointer atomically, so readers never see a
half-built index; incremental updates commit into the live folder (Whoosh renames its table
of contents into place, so a crash leaves the previous commit readable).
"""

from __future__ import annotations

import os
import pickle
import re
import threading
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import compress
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.query import Term
from whoosh.searching import Searcher

from search.backends.whoosh.docsets import GENERATION_CACHE, new_generation_cache, segment_column_values
from search.backends.whoosh.schema import (
    CONTENT_HASH,
    HAS_AUTHOR,
    HAS_DATE,
    LANGUAGE,
    PATH,
    ROLE,
    ROLE_COPY,
    SCHEMA_VERSION,
    SOURCE_FACET,
    weighting,
)
from search.errors import IndexUnavailable
from search.fields import UNDETERMINED_LANGUAGE

POINTER_FILE = "CURRENT"
# Idle searchers kept for reuse: about one per server thread.
MAX_IDLE_SEARCHERS = 16
OPEN_ATTEMPTS = 5
SCHEMA_VERSION_FILE = "schema-version"
# Whoosh names each commit's table of contents _MAIN_<generation>.toc.
TOC_NAME = re.compile(r"_MAIN_(\d+)\.toc$")
LOCK_FILE = "reindex.lock"


def _generation(folder: Path) -> int:
    """Return the latest committed generation in a Whoosh index folder (-1 if none)."""
    latest = -1
    with os.scandir(folder) as entries:
        for entry in entries:
            match = TOC_NAME.match(entry.name)
            if match:
                latest = max(latest, int(match.group(1)))
    return latest


def open_dir(folder: Path) -> whoosh_index.Index:
    """Open a Whoosh index folder, or raise IndexUnavailable when this version of the archive cannot read it.

    Whoosh pickles the schema, analyzer classes included, into each commit: an index written by a
    version of the archive whose analyzers lived in other modules cannot be unpickled here
    (ModuleNotFoundError, AttributeError). SCHEMA_VERSION changes with such a move, so reindexing
    rebuilds it in full; until then searches answer 503 with this message, never a 500.
    """
    try:
        return whoosh_index.open_dir(str(folder))
    except (ModuleNotFoundError, AttributeError, pickle.UnpicklingError) as exc:
        reason = str(exc)
        with warnings.catch_warnings():
            # Whoosh leaves the table of contents it failed to read open: close it, quietly, now.
            warnings.simplefilter("ignore", ResourceWarning)
            traceback.clear_frames(exc.__traceback__)
    raise IndexUnavailable(
        f"the index at {folder} was built by another version of the archive and cannot be read "
        f"({reason}); rebuild it: reindex --full"
    )


class ArchiveIndex:
    """An index root folder; hands out searchers on its latest committed state, reopening only on change."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._key: tuple[str, int] | None = None  # (index folder, generation) the idle searchers read
        self._idle: list[Searcher] = []
        # What searches work out once per generation (docsets), shared by its searchers: one copy
        # however many requests run at once. Only the latest generation's is kept here.
        self._cache_key: tuple | None = None
        self._generation_cache: dict = new_generation_cache()

    # -- locating the live index -------------------------------------------------
    def live_dir(self) -> Path | None:
        """Return the folder of the live index, or None when none has been committed yet."""
        try:
            name = (self.root / POINTER_FILE).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        folder = self.root / name
        if not name or "/" in name:
            return None
        # A committed table of contents is there. (whoosh's exists_in() opens the index, and fails when a
        # commit in another process deletes the table of contents it is reading: a reindex must not cause 500s.)
        try:
            return folder if _generation(folder) >= 0 else None
        except (FileNotFoundError, NotADirectoryError):
            return None

    def schema_version(self) -> int | None:
        """Return the schema version the live index was built with (None if unknown or no index)."""
        folder = self.live_dir()
        try:
            return int((folder / SCHEMA_VERSION_FILE).read_text(encoding="utf-8")) if folder else None
        except (FileNotFoundError, ValueError):
            return None

    def exists(self) -> bool:
        """Tell whether a committed index is there to search."""
        return self.live_dir() is not None

    def set_live_dir(self, folder: Path) -> None:
        """Point the root at another index folder, atomically (write a temp file, rename it)."""
        tmp = self.root / f".{POINTER_FILE}.{os.getpid()}.tmp"
        tmp.write_text(folder.name + "\n", encoding="utf-8")
        os.replace(tmp, self.root / POINTER_FILE)

    def open(self) -> whoosh_index.Index:
        """Open the live Whoosh index, or raise IndexUnavailable."""
        folder = self.live_dir()
        if folder is None:
            raise IndexUnavailable(f"no index has been built in {self.root} yet")
        return open_dir(folder)

    def generation(self) -> tuple[str, int] | None:
        """Name the committed state searchers would open now: (index folder, commit generation), None if none."""
        try:
            return self._current_key()
        except (IndexUnavailable, FileNotFoundError, NotADirectoryError):
            return None

    # -- searchers ----------------------------------------------------------------
    def _current_key(self) -> tuple[str, int]:
        folder = self.live_dir()
        if folder is None:
            raise IndexUnavailable(f"no index has been built in {self.root} yet")
        return folder.name, _generation(folder)

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Lend a searcher on the latest commit, for the caller's use alone until the block ends.

        Whoosh searchers share file positions, so two threads reading through one corrupt each
        other's reads: each request gets its own, and idle ones are kept for the next request.
        Whoosh's Searcher.refresh() can return stale or doubled documents, so a changed index
        gets fresh searchers; the old ones are closed as their requests finish.
        """
        key = self._current_key()
        with self._lock:
            if key != self._key:
                for idle in self._idle:
                    idle.close()
                self._idle, self._key = [], key
            searcher = self._idle.pop() if self._idle else None
        if searcher is None:
            searcher = self._open_searcher(key)
        try:
            yield searcher
        finally:
            with self._lock:
                if key == self._key and len(self._idle) < MAX_IDLE_SEARCHERS:
                    self._idle.append(searcher)
                    searcher = None
            if searcher is not None:
                searcher.close()

    def _open_searcher(self, key: tuple[str, int]) -> Searcher:
        # A commit landing just now deletes the table of contents we were about to read: look again.
        for _ in range(OPEN_ATTEMPTS - 1):
            try:
                return self._searcher_on(key)
            except FileNotFoundError:
                key = self._current_key()
        return self._searcher_on(key)

    def _searcher_on(self, key: tuple[str, int]) -> Searcher:
        index = open_dir(self.root / key[0])
        searcher = _with_cached_columns(index.searcher(weighting=weighting()))
        # What it actually opened (a commit may have landed since the key was read): its segments and
        # their deletions fix every document number.
        opened = (
            key[0],
            tuple(
                (r.segment().segment_id(), r.segment().deleted_count())
                for r, _ in searcher.reader().leaf_readers()
                if r.segment() is not None  # an index with no article has an empty reader, no segment
            ),
        )
        with self._lock:
            if opened != self._cache_key:
                self._cache_key, self._generation_cache = opened, new_generation_cache()
            searcher.__dict__[GENERATION_CACHE] = self._generation_cache
        return searcher

    def close(self) -> None:
        """Close the idle searchers (lent ones are closed when given back)."""
        with self._lock:
            for idle in self._idle:
                idle.close()
            self._idle, self._key = [], None

    # -- summaries ------------------------------------------------------------------
    def article_count(self) -> int:
        """Return how many articles the live index holds."""
        with self.searcher() as searcher:
            # Exact copies are documents too, but not articles of their own.
            copies = sum(1 for _ in searcher.docs_for_query(Term(ROLE, ROLE_COPY)))
            return searcher.doc_count() - copies

    def indexed_files(self) -> dict[str, str]:
        """Return {corpus-relative path: content hash} of every indexed file (empty if no index).

        Read from columns, so a reindex does not load every stored article to learn what changed.
        """
        if not self.exists():
            return {}
        try:
            with self.searcher() as searcher:
                return self._indexed_files(searcher)
        except IndexUnavailable:
            if self.schema_version() == SCHEMA_VERSION:
                raise
            return {}  # an index of another version, about to be rebuilt in full, that cannot even be read

    @staticmethod
    def _indexed_files(searcher) -> dict[str, str]:
        reader = searcher.reader()
        if all(reader.has_column(name) for name in (PATH, CONTENT_HASH)):
            return dict(_live_rows(reader, PATH, CONTENT_HASH))
        # An index built by an older version, about to be rebuilt: its stored fields still say what it holds.
        return {fields[PATH]: fields[CONTENT_HASH] for fields in searcher.all_stored_fields()}

    def ingest_report(self) -> list[dict]:
        """Per source (None: unknown), how many articles the index holds and how many lack a date, author, language.

        Read from columns: memory grows with the number of sources only. Sources with the most
        articles come first.
        """
        rows: dict[str | None, dict] = {}
        with self.searcher() as searcher:
            copies = set(searcher.docs_for_query(Term(ROLE, ROLE_COPY)))
            columns = _live_rows(searcher.reader(), SOURCE_FACET, HAS_DATE, HAS_AUTHOR, LANGUAGE, with_docnum=True)
            for docnum, source, dated, authored, language in columns:
                if docnum in copies:
                    continue
                source = source or None
                row = rows.setdefault(
                    source, {"source": source, "articles": 0, "no_date": 0, "no_author": 0, "no_language": 0}
                )
                row["articles"] += 1
                row["no_date"] += not dated
                row["no_author"] += not authored
                row["no_language"] += language in ("", UNDETERMINED_LANGUAGE)
        return sorted(rows.values(), key=lambda row: (-row["articles"], row["source"] or ""))


def _with_cached_columns(searcher: Searcher) -> Searcher:
    """Make each segment of the searcher open a column reader once, not once per search.

    Whoosh builds a column reader for every facet of every search, and for segments under 32,768
    documents that means rebuilding its offsets with a Python loop over every document: a cost
    that grows with the archive, paid again on each request. Column readers only read, so one per
    field and segment serves every search this searcher makes (a searcher serves one request at a time).
    """
    for reader, _ in searcher.reader().leaf_readers():
        original, opened = reader.column_reader, {}

        def column_reader(fieldname, column=None, reverse=False, translate=True, _original=original, _opened=opened):
            if column is not None:
                return _original(fieldname, column, reverse, translate)
            key = (fieldname, reverse, translate)
            if key not in _opened:
                _opened[key] = _original(fieldname, reverse=reverse, translate=translate)
            return _opened[key]

        reader.column_reader = column_reader
    return searcher


def _live_rows(reader, *fieldnames: str, with_docnum: bool = False) -> Iterator[tuple]:
    """Yield the column values of every document not deleted, one tuple per document.

    Segment by segment, each column read whole (see docsets.segment_column_values): every reindex reads the
    paths and hashes of the whole archive, and Whoosh's per-document column access costs several
    times more than the values themselves.
    """
    for leaf, base in reader.leaf_readers():
        count = leaf.doc_count_all()
        rows: Iterator[tuple] = zip(*(segment_column_values(leaf, name) for name in fieldnames), strict=True)
        docnums: Iterator[int] = iter(range(base, base + count))
        if leaf.has_deletions():
            alive = [not leaf.is_deleted(docnum) for docnum in range(count)]
            rows, docnums = compress(rows, alive), compress(docnums, alive)
        yield from ((docnum, *values) for docnum, values in zip(docnums, rows, strict=True)) if with_docnum else rows
