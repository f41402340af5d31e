"""Write articles into the archive's OpenSearch index: one run at a time, a full build switched in atomically.

What the Whoosh writer promises, on a cluster. Duplicates are decided with search.duplicates as
articles are put, looking up what the index held before the run with term queries. Incremental
runs write into the live index with its scheduled refresh off, so searches keep seeing the index
as it was until the commit (one explicit refresh); full runs build a new `<alias>-<stamp>` index
nobody reads and move the alias to it in one `_aliases` call once it is complete and at least
yellow. A run that fails deletes its half-built index; the alias never points at one.

One run at a time: a lock document in `<alias>-lock`, created with op_type=create, names its
holder (pid, host) and carries a heartbeat a background thread refreshes. A lock whose heartbeat is
older than LOCK_STALE_SECONDS, or whose holder was on this host and is gone, belonged to a killed
run and is taken over (with the document's sequence number, so two runs cannot both take it).

Writes go in bulk batches (BATCH_DOCS documents or BATCH_BYTES), retried with exponential backoff
on 429 and 5xx answers; any other per-document error fails the run with the documents named.
Before its commit a run checks that the index holds exactly the documents it expects.

Unlike Whoosh, an incremental run that fails after some batches were written cannot take them back:
they become visible at the next refresh, and the next run (which compares file hashes with what the
index holds) brings the index in line with the corpus.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from opensearchpy.exceptions import (
    ConflictError,
    ConnectionError,
    ConnectionTimeout,
    NotFoundError,
    OpenSearchException,
    RequestError,
    TransportError,
)

from search import backend, duplicates
from search.backends.opensearch import analysis as a
from search.backends.opensearch.store import DOC_VALUES_ONLY, REQUEST_TIMEOUT, SCHEMA_VERSION, OpenSearchStore
from search.duplicates import Deduplicator
from search.errors import IndexUnavailable, ReindexLocked
from search.fields import ROLE_COPY, ROLE_VERSION

BATCH_DOCS = 500  # documents per bulk request
BATCH_BYTES = 5 * 1024 * 1024  # or this much request body, whichever comes first
RETRY_ATTEMPTS = 6  # per bulk request (and per document a 429 refused), with backoff
RETRY_FIRST_WAIT = 0.5  # seconds, doubled after each attempt
RETRY_MAX_WAIT = 8.0
HEALTH_WAIT = 60  # seconds: a new index must be at least yellow within this before the alias moves to it
# A full build is merged into segments of at most this size (Lucene's own cap on the segments it merges),
# and waited for this long before the alias moves anyway, the merge going on in the node.
MERGED_SEGMENT_BYTES = 5 * 1024**3
MERGE_WAIT = 3600
LOCK_ID = "reindex"
HEARTBEAT_SECONDS = 10.0
LOCK_STALE_SECONDS = 60.0  # a lock whose heartbeat is older belonged to a killed run
LOOKUP_PAGE = 1_000
MAX_CLUSTERS_PER_KEY = 1_000


class BulkWriteError(RuntimeError):
    """Documents the cluster refused to write (or delete), other than by being busy."""


def copy_document(record: dict, text_hash: str) -> dict:
    """Return the document of an exact copy: which file holds it, nothing searchable."""
    return {
        a.ID_FIELD: record["id"],
        a.PATH: record["path"],
        a.CONTENT_HASH: record["content_hash"],
        a.BODY_HASH: text_hash,
        a.ROLE: ROLE_COPY,
        a.RECORD: {"path": record["path"], "url": record.get("url")},
    }


def new_index_name(prefix: str) -> str:
    """`<alias>-<UTC timestamp>-<random>`: lower case, as index names must be, and unique."""
    return f"{prefix}{time.strftime('%Y%m%dt%H%M%S', time.gmtime())}-{secrets.token_hex(4)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Lock:
    """The run's lock document in <alias>-lock, with a heartbeat thread; every write checks it is still ours."""

    def __init__(self, store: OpenSearchStore) -> None:
        self.store = store
        self.client = store.client
        self.body = {"pid": os.getpid(), "host": socket.gethostname(), "token": secrets.token_hex(8), "building": None}
        self._seq: tuple[int, int] | None = None  # (_seq_no, _primary_term) of our last write
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost: str | None = None  # why the lock stopped being ours

    def acquire(self) -> None:
        try:
            self.client.indices.create(
                index=self.store.lock_index,
                body={"settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}},
                      "mappings": {"dynamic": False}},
            )  # fmt: skip
        except RequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise
        body = self._stamped()
        try:
            answer = self.client.create(index=self.store.lock_index, id=LOCK_ID, body=body, refresh="true")
        except ConflictError:
            answer = self._take_over(body)
        self._seq = (answer["_seq_no"], answer["_primary_term"])
        self._thread = threading.Thread(target=self._beat, name=f"reindex-lock-{self.store.alias}", daemon=True)
        self._thread.start()

    def _stamped(self) -> dict:
        return self.body | {"heartbeat": time.time()}

    def _take_over(self, body: dict) -> dict:
        try:
            held = self.client.get(index=self.store.lock_index, id=LOCK_ID)
        except NotFoundError:  # released meanwhile
            return self.client.create(index=self.store.lock_index, id=LOCK_ID, body=body, refresh="true")
        holder = held["_source"]
        age = time.time() - float(holder.get("heartbeat") or 0)
        gone = holder.get("host") == socket.gethostname() and not _pid_alive(int(holder.get("pid") or 0))
        if age <= LOCK_STALE_SECONDS and not gone:
            raise ReindexLocked(
                f"another reindex is already running on {self.store.alias} (pid {holder.get('pid')} on "
                f"{holder.get('host')}, last heartbeat {age:.0f} s ago)"
            )
        try:
            return self.client.index(
                index=self.store.lock_index, id=LOCK_ID, body=body, refresh="true",
                if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"],
            )  # fmt: skip
        except ConflictError:
            raise ReindexLocked(f"another reindex took over the stale lock on {self.store.alias} just now") from None

    def write(self, **changes: Any) -> None:
        """Change the lock document (heartbeat, the index being built), only while it is ours."""
        with self._mutex:
            if self.lost or self._seq is None:
                return
            self.body.update(changes)
            try:
                answer = self.client.index(
                    index=self.store.lock_index, id=LOCK_ID, body=self._stamped(), refresh="true",
                    if_seq_no=self._seq[0], if_primary_term=self._seq[1],
                )  # fmt: skip
            except (ConflictError, NotFoundError):
                self.lost = f"the reindex lock on {self.store.alias} was taken over by another run"
                return
            self._seq = (answer["_seq_no"], answer["_primary_term"])

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            # A failed beat is tried again at the next; a lock left stale long enough is taken over.
            with contextlib.suppress(OpenSearchException):
                self.write()
            if self.lost:
                return

    def check(self) -> None:
        if self.lost:
            raise ReindexLocked(self.lost)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=REQUEST_TIMEOUT + 5)
        with self._mutex:
            if self._seq is None or self.lost:
                return
            with contextlib.suppress(ConflictError, NotFoundError):
                self.client.delete(
                    index=self.store.lock_index, id=LOCK_ID, refresh="true",
                    if_seq_no=self._seq[0], if_primary_term=self._seq[1],
                )  # fmt: skip
            self._seq = None


class OpenSearchUpdate(backend.IndexUpdate):
    """A context manager for one reindex run on the cluster: put and delete articles, then commit on success.

    Duplicates are resolved as articles are put, exactly as the Whoosh writer does (search.duplicates
    decides): copies of articles indexed before the run are written at the end (late copies), once it
    is known whether the run removed the article they copy; then the first of them takes its place.
    """

    def __init__(self, store: OpenSearchStore, full: bool = False) -> None:
        self.store = store
        self.client = store.client
        self._full_asked = full
        self.full = full
        self._lock: _Lock | None = None
        self._target: str | None = None  # the index written: the live one, or the one being built
        self._building: str | None = None  # full runs: the new index
        # Incremental runs: the live index, where what was committed before the run is looked up.
        self._lookup_index: str | None = None
        self._deleted: set[str] = set()  # ids of committed documents this run removes
        self._dedup = Deduplicator()
        self._batch: list[str] = []  # bulk request lines
        self._batch_docs = 0
        self._batch_bytes = 0
        self._before = 0  # documents in the target index when the run started
        self._created = 0  # documents the bulk answers say were created
        self._removed = 0  # and deleted
        self._clustered: set[str] = set()  # clusters whose first article this run marked as having others
        self._last_order = 0

    # -- the run -----------------------------------------------------------------------
    def __enter__(self) -> OpenSearchUpdate:
        self._lock = _Lock(self.store)
        try:
            self._lock.acquire()
        except OpenSearchException as exc:
            self._lock = None
            raise self.store.unavailable(exc, "take the reindex lock") from None
        try:
            # Decided under the lock: the run that held it may just have built the index.
            self.full = self._full_asked or self.store.rebuild_reason() is not None
            if self.full:
                self._building = new_index_name(self.store.prefix)
                self._lock.write(building=self._building)
                body = a.index_body(self.store.shards, self.store.replicas)
                body["settings"]["index"]["refresh_interval"] = "-1"  # refreshed once, when complete
                body["mappings"] = body["mappings"] | {"_meta": {"schema_version": SCHEMA_VERSION, "commits": 1}}
                self.client.indices.create(index=self._building, body=body, request_timeout=HEALTH_WAIT + 30)
                self._target = self._building
            else:
                live = self.store.live_index()
                self._target = self._lookup_index = live
                # Writes of a run killed before its commit become visible now, and are counted as there.
                self.client.indices.refresh(index=live)
                self._set_refresh(live, "-1")
                self._before = self.store.count(live)
        except BaseException as exc:
            self._discard()
            self._release()
            if isinstance(exc, OpenSearchException):
                raise self.store.unavailable(exc, "start the reindex") from None
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                try:
                    self._commit()
                except BaseException:
                    self._discard()
                    raise
            else:
                self._discard()
        finally:
            self._release()

    def _commit(self) -> None:
        self.orphaned_copies()  # copies still waiting are written (callers normally asked already)
        self._flush()
        self._lock.check()
        target = self._target
        self._set_refresh(target, None)
        self.client.indices.refresh(index=target)
        expected = self._before + self._created - self._removed
        found = self.store.count(target)
        if found != expected:
            raise RuntimeError(
                f"index {target} holds {found} documents after the reindex, not the {expected} it wrote "
                f"({self._before} before, {self._created} created, {self._removed} deleted)"
            )
        if self._building is None:
            meta = self.store.meta(target)
            meta["commits"] = int(meta.get("commits", 0)) + 1
            self.client.indices.put_mapping(index=target, body={"_meta": meta})
            self._delete_leftovers(keep=target)  # builds of killed full runs (this run holds the lock)
            return
        self._merge(target)
        # (`timeout` is the cluster's wait here; opensearch-py takes it as its own unless request_timeout is given.)
        health = self.client.cluster.health(
            index=target, wait_for_status="yellow", timeout=f"{HEALTH_WAIT}s", request_timeout=HEALTH_WAIT + 30
        )
        if health.get("timed_out") or health.get("status") not in ("yellow", "green"):
            raise IndexUnavailable(f"the new index {target} did not become ready ({health.get('status')})")
        self._lock.check()
        old = self.store.live_index()
        actions: list[dict] = [{"remove": {"index": old, "alias": self.store.alias}}] if old else []
        actions.append({"add": {"index": target, "alias": self.store.alias}})
        self.client.indices.update_aliases(body={"actions": actions})  # one atomic switch
        self._building = None  # live now: never discarded
        self._delete_leftovers(keep=target)

    def _merge(self, index: str) -> None:
        """Merge a full build into as few segments as Lucene keeps, before it goes live.

        A bulk build leaves tens of segments (27 at 1M articles), and a search pays per segment: a
        collapsed search's hidden ids are looked up in each, every aggregation walks each. Merged into
        one, the 1M-article index answered the search page in a p95 of 276 ms instead of 331 (median
        128 instead of 151; bench/RESULTS.md, "The OpenSearch search page at 1M"), and shrank 2.4 -> 2.2 GiB as the
        replaced documents went. The merge took 66 s after a 1,088 s build. Incremental runs leave
        merging to the cluster's own policy.
        """
        stats = self.client.indices.stats(index=index, metric="store")
        size = stats["indices"][index]["primaries"]["store"]["size_in_bytes"] / max(self.store.shards, 1)
        segments = max(1, -(-int(size) // MERGED_SEGMENT_BYTES))
        # Timing out only stops the wait: the node finishes the merge, and the index is whole either way.
        with contextlib.suppress(ConnectionTimeout):
            self.client.indices.forcemerge(index=index, max_num_segments=segments, request_timeout=MERGE_WAIT)
        self.client.indices.refresh(index=index)  # searches read the merged segments, not the ones they replaced

    def _delete_leftovers(self, keep: str) -> None:
        """Delete this archive's indices other than the live one: the previous build, and builds of killed runs."""
        try:
            names = self.client.indices.get(index=f"{self.store.prefix}*", expand_wildcards="open,closed")
        except NotFoundError:
            return
        for name in names:
            if name != keep and self.store.is_build_name(name):
                with contextlib.suppress(NotFoundError):
                    self.client.indices.delete(index=name)

    def _discard(self) -> None:
        """Throw away what a failed run built: the new index (incremental writes cannot be taken back)."""
        self._batch, self._batch_docs, self._batch_bytes = [], 0, 0
        # The next full build deletes a leftover index; the first error is the one to report.
        with contextlib.suppress(OpenSearchException):
            if self._building is not None:
                self.client.indices.delete(index=self._building, ignore_unavailable=True)
                self._building = None
            elif self._target is not None:
                self._set_refresh(self._target, None)

    def _release(self) -> None:
        self._dedup.close()
        if self._lock is not None:
            with contextlib.suppress(OpenSearchException):  # a lock left behind goes stale and is taken over
                self._lock.release()
            self._lock = None

    def _set_refresh(self, index: str, interval: str | None) -> None:
        self.client.indices.put_settings(index=index, body={"index": {"refresh_interval": interval}})

    # -- the index as it was before this run ---------------------------------------------
    def _committed(self, query: dict, fields: list[str]) -> list[dict]:
        """The doc values of the committed documents a query matches, except those this run removes."""
        if self._lookup_index is None:
            return []
        body: dict[str, Any] = {
            "query": {"bool": {"filter": [query], "must_not": [{"ids": {"values": sorted(self._deleted)}}]}},
            "size": LOOKUP_PAGE,
            "sort": [{a.ID_FIELD: "asc"}],
            **DOC_VALUES_ONLY,
            "docvalue_fields": [a.ID_FIELD, *fields],
        }
        found: list[dict] = []
        while True:
            hits = self._call(lambda body=body: self.client.search(index=self._lookup_index, body=body))["hits"]["hits"]
            names = body["docvalue_fields"]
            found += [{name: (hit["fields"].get(name) or [None])[0] for name in names} for hit in hits]
            if len(hits) < LOOKUP_PAGE:
                return found
            body = body | {"search_after": hits[-1]["sort"]}

    # search.duplicates.CommittedLookups, answered from the index as it was before this run.
    def has_article_with_text(self, text_hash: str) -> bool:
        if self._lookup_index is None:
            return False
        query = {
            "bool": {
                "filter": [{"term": {a.BODY_HASH: text_hash}}],
                "must_not": [{"term": {a.ROLE: ROLE_COPY}}, {"ids": {"values": sorted(self._deleted)}}],
            }
        }
        answer = self._call(lambda: self.client.count(index=self._lookup_index, body={"query": query}))
        return answer["count"] > 0

    def clusters_with_key(self, key: str) -> set[str]:
        return self.clusters_with_keys([key]).get(key, set())

    def clusters_with_keys(self, keys: list[str]) -> dict[str, set[str]]:
        """clusters_with_key() for all of an article's keys in one request (search.duplicates asks so)."""
        if self._lookup_index is None or not keys:
            return {}
        unique = sorted(set(keys))
        body = {
            "size": 0,
            "query": {
                "bool": {
                    "filter": [{"terms": {a.NEAR_KEYS: unique}}],
                    "must_not": [{"ids": {"values": sorted(self._deleted)}}],
                }
            },
            "aggs": {
                "keys": {
                    "terms": {"field": a.NEAR_KEYS, "include": unique, "size": len(unique)},
                    "aggs": {"clusters": {"terms": {"field": a.CLUSTER, "size": MAX_CLUSTERS_PER_KEY}}},
                }
            },
        }
        answer = self._call(lambda: self.client.search(index=self._lookup_index, body=body))
        return {
            bucket["key"]: {inner["key"] for inner in bucket["clusters"]["buckets"]}
            for bucket in answer["aggregations"]["keys"]["buckets"]
        }

    def _next_order(self) -> int:
        """A number larger than every earlier article's: microseconds since 1970, kept increasing."""
        self._last_order = max(self._last_order + 1, time.time_ns() // 1000)
        return self._last_order

    def _has_versions(self, cluster: str) -> bool:
        """Whether the cluster already has versions (an article put again keeps its mark)."""
        if cluster in self._clustered:
            return True
        if self._lookup_index is None:
            return False  # a full build puts each article once, before any version of it
        query = {
            "bool": {
                "filter": [{"term": {a.CLUSTER: cluster}}, {"term": {a.ROLE: ROLE_VERSION}}],
                "must_not": [{"ids": {"values": sorted(self._deleted)}}],
            }
        }
        answer = self._call(lambda: self.client.count(index=self._lookup_index, body={"query": query}))
        if answer["count"] > 0:
            self._clustered.add(cluster)
        return answer["count"] > 0

    def _remove(self, query: dict) -> None:
        for doc in self._committed(query, [a.ROLE, a.BODY_HASH]):
            self._deleted.add(doc[a.ID_FIELD])
            if doc[a.ROLE] != ROLE_COPY:
                self._dedup.removed(doc[a.BODY_HASH])
            self._add_action({"delete": {"_id": doc[a.ID_FIELD]}})

    # -- changes -----------------------------------------------------------------------
    def put(self, record: dict) -> str:
        """Add an article, replacing any earlier version with the same id; return how it was indexed.

        "copy": its clean text is already indexed, so only its file is recorded; "version": it is a
        near-duplicate of indexed articles and joined their cluster; "article": a new story.
        """
        text = duplicates.text_hash(record.get("title") or "", record.get("body") or "")
        keys = [key for key in record.get("near_keys") or [] if key]
        decision = self._dedup.decide(record["id"], text, keys, self)
        if decision.role == ROLE_COPY:
            copy = copy_document(record, text)
            if decision.copies_committed and self._building is None:
                # Written at the end, once it is known whether this run removes the article it copies.
                self._dedup.wait(text, copy)
            else:
                self._write(copy)
            return ROLE_COPY
        clustered = decision.role == ROLE_VERSION or self._has_versions(decision.cluster)
        if decision.role == ROLE_VERSION and decision.cluster not in self._clustered:
            # The cluster's first article now has company: searches that collapse must read it too.
            self._clustered.add(decision.cluster)
            self._add_action({"update": {"_id": decision.cluster}}, {"doc": {a.CLUSTERED: True}})
        doc = a.document(
            record, cluster=decision.cluster, role=decision.role, order=self._next_order(), clustered=clustered
        )
        self._write(doc)
        return decision.role

    def delete(self, article_id: str) -> None:
        """Remove the article with this id."""
        self._remove({"ids": {"values": [article_id]}})

    def delete_file(self, relpath: str) -> None:
        """Remove every article read from one corpus file (a web archive holds many)."""
        self._remove({"term": {a.PATH: relpath}})

    def orphaned_copies(self) -> list[str]:
        """Return the files of exact copies whose indexed article this run removed, and did not index again.

        The caller reads each again and puts it: the first becomes the article, the others its copies.
        Call it after the last put or delete; it also writes the copies kept waiting until now.
        """
        settled = self._dedup.settle()
        paths = {doc[a.PATH] for doc in settled.reread}
        for text in settled.orphans:
            paths.update(doc[a.PATH] for doc in self._committed({"term": {a.BODY_HASH: text}}, [a.PATH]))
        for doc in settled.write:
            self._write(doc)
        return sorted(paths)

    # -- bulk writing ------------------------------------------------------------------
    def _write(self, doc: dict) -> None:
        self._add_action({"index": {"_id": doc[a.ID_FIELD]}}, doc)

    def _add_action(self, action: dict, doc: dict | None = None) -> None:
        lines = [json.dumps(action)] + ([json.dumps(doc, ensure_ascii=False)] if doc is not None else [])
        self._batch += lines
        self._batch_docs += 1
        self._batch_bytes += sum(len(line.encode()) + 1 for line in lines)
        if self._batch_docs >= BATCH_DOCS or self._batch_bytes >= BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        """Send the batch; documents refused for being busy are sent again, with backoff; other refusals fail."""
        lines, self._batch, self._batch_docs, self._batch_bytes = self._batch, [], 0, 0
        wait = RETRY_FIRST_WAIT
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            if not lines:
                return
            self._lock.check()
            answer = self._call(lambda lines=lines: self.client.bulk(index=self._target, body="\n".join(lines) + "\n"))
            retry: list[str] = []
            failed: list[str] = []
            pairs = _pairs(lines)
            for action_lines, item in zip(pairs, answer["items"], strict=True):
                ((kind, result),) = item.items()
                status = result.get("status", 500)
                if status == 429 and attempt < RETRY_ATTEMPTS:
                    retry += action_lines
                elif kind in ("delete", "update") and status == 404:
                    continue  # gone already (an update marks a cluster's first article, which may be removed)
                elif status >= 300:
                    failed.append(f"{kind} {result.get('_id')}: {status} {_reason(result.get('error'))}")
                elif result.get("result") == "created":
                    self._created += 1
                elif result.get("result") == "deleted":
                    self._removed += 1
            if failed:
                more = f" (and {len(failed) - 5} more)" if len(failed) > 5 else ""
                raise BulkWriteError(
                    f"OpenSearch refused {len(failed)} document(s) of index {self._target}: "
                    + "; ".join(failed[:5])
                    + more
                )
            lines = retry
            if lines:
                time.sleep(wait)
                wait = min(wait * 2, RETRY_MAX_WAIT)
        if lines:
            raise BulkWriteError(f"OpenSearch stayed too busy to write {len(lines)} line(s) of bulk to {self._target}")

    def _call(self, request: Callable[[], Any]) -> Any:
        """Run a request, again with exponential backoff when the cluster is busy (429), failing (5xx) or gone."""
        wait = RETRY_FIRST_WAIT
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                return request()
            except (ConnectionError, TransportError) as exc:
                status = exc.status_code if isinstance(exc.status_code, int) else None
                transient = isinstance(exc, ConnectionError) or status == 429 or (status or 0) >= 500
                if not transient or attempt == RETRY_ATTEMPTS:
                    raise self.store.unavailable(exc, f"write to {self._target}") from None
            time.sleep(wait)
            wait = min(wait * 2, RETRY_MAX_WAIT)
        raise AssertionError("unreachable")


def _pairs(lines: list[str]) -> Iterable[list[str]]:
    """Split bulk lines into one list per action (a delete is one line, an index two)."""
    index = 0
    while index < len(lines):
        width = 1 if lines[index].startswith('{"delete"') else 2
        yield lines[index : index + width]
        index += width


def _reason(error: Any) -> str:
    """A bulk item's error, in a line: its type and reason."""
    if isinstance(error, dict):
        return f"{error.get('type', 'error')}: {error.get('reason', '')}"
    return str(error)
