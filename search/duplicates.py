"""How copies and near-duplicates are decided as articles are written, whichever engine stores them.

An article whose headline and clean text (whitespace aside) are already indexed is an exact
copy: only its file is recorded. Otherwise it joins the near-duplicate cluster with which it
shares the most MinHash band keys (indexer.fingerprint), at least NEAR_DUPLICATE_SHARED_KEYS of
them (ties: the smallest cluster id); with none, it starts a cluster named by its own id. An
engine supplies look-ups of what it had committed before the run; this remembers what the run put
(RunMemory), however many articles that is, so a full build never asks the engine what it is building.
"""

from __future__ import annotations

import collections
import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from search.fields import ROLE_ARTICLE, ROLE_COPY, ROLE_VERSION

# Articles sharing at least this many near-duplicate band keys are near-duplicates
# (indexer.fingerprint gives the odds: 3% of words changed joins 98% of the time, unrelated texts never).
NEAR_DUPLICATE_SHARED_KEYS = 2


def text_hash(title: str, body: str) -> str:
    """Return the hash that identical articles share: same headline and clean text, whitespace aside."""
    return hashlib.sha1(" ".join(f"{title}\n{body}".split()).encode()).hexdigest()


class CommittedLookups(Protocol):
    """What an engine's committed index answers while a run writes (less what the run removed)."""

    def has_article_with_text(self, text_hash: str) -> bool:
        """Tell whether an article (not a copy) with this text hash is indexed."""

    def clusters_with_key(self, key: str) -> Iterable[str]:
        """Return the clusters of the indexed articles holding this near-duplicate key."""


def clusters_with_keys(committed: CommittedLookups, keys: list[str]) -> dict[str, set[str]]:
    """Return {key: clusters holding it} for an article's keys: in one request where the engine can.

    An engine whose look-ups are requests to a server offers `clusters_with_keys(keys)`; the
    answer is the same as asking key by key.
    """
    batch = getattr(committed, "clusters_with_keys", None)
    if batch is not None:
        return batch(keys)
    return {key: set(committed.clusters_with_key(key)) for key in keys}


@dataclass(frozen=True)
class Decision:
    """How one article is written."""

    role: str  # ROLE_ARTICLE, ROLE_COPY or ROLE_VERSION
    cluster: str | None  # its cluster (None for a copy)
    copies_committed: bool = False  # a copy of an article indexed before this run (not one put by it)


@dataclass
class Settled:
    """What an incremental run does about copies once its puts and deletes are done (Deduplicator.settle)."""

    orphans: set[str]  # text hashes whose indexed article the run removed and did not index again
    write: list  # copies kept waiting whose article is still there: write them now
    reread: list  # copies kept waiting whose article is gone: read their files again (one becomes the article)


class RunMemory:
    """The text hashes and near-duplicate keys (with their cluster) of the articles one run put.

    Kept in SQLite's private temporary database (a file in the temporary folder that SQLite deletes
    when the run ends, however it ends), with a bounded page cache: a dict of 8 keys per article
    would take about 1.4 GB at a million articles. It replaced remembering 20,000 articles and then
    asking the engine: on OpenSearch those were two requests per article, and a 300k build slowed
    from 112 to 33 articles/s as they grew with the index (bench/RESULTS.md). A look-up here costs
    under 0.2 ms per article. Like the dict before it, it keeps the first cluster given to a key.
    """

    CACHE_KIB = 32 * 1024
    COMMIT_EVERY = 1_000  # statements grouped per transaction (one each would sync the journal)

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._pending = 0

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            # An empty name is SQLite's private temporary database; the writer thread may differ from the creator's.
            db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA cache_size = -{self.CACHE_KIB}")
            db.execute("CREATE TABLE texts (hash TEXT PRIMARY KEY) WITHOUT ROWID")
            db.execute("CREATE TABLE near_keys (key TEXT PRIMARY KEY, cluster TEXT NOT NULL) WITHOUT ROWID")
            db.execute("BEGIN")
            self._db = db
        return self._db

    def has_text(self, text: str) -> bool:
        """Tell whether the run put an article (not a copy) with this text hash."""
        if self._db is None:
            return False
        return self._db.execute("SELECT 1 FROM texts WHERE hash = ?", (text,)).fetchone() is not None

    def clusters_of(self, keys: list[str]) -> dict[str, str]:
        """Return {key: cluster} for those of these keys the run's articles hold."""
        if self._db is None or not keys:
            return {}
        unique = list(set(keys))
        marks = ",".join("?" * len(unique))
        return dict(self._db.execute(f"SELECT key, cluster FROM near_keys WHERE key IN ({marks})", unique))

    def add(self, text: str, cluster: str, keys: list[str]) -> None:
        """Remember an article the run put: its text hash, and its keys where no earlier article gave them a cluster."""
        db = self._open()
        db.execute("INSERT OR IGNORE INTO texts VALUES (?)", (text,))
        db.executemany("INSERT OR IGNORE INTO near_keys VALUES (?, ?)", [(key, cluster) for key in keys])
        self._pending += 1
        if self._pending >= self.COMMIT_EVERY:
            db.execute("COMMIT")
            db.execute("BEGIN")
            self._pending = 0

    def close(self) -> None:
        """Forget everything (SQLite deletes the file)."""
        if self._db is not None:
            self._db.close()
            self._db = None


class Deduplicator:
    """Decides each article's role as a run puts it, remembering the run's own articles by hash and keys.

    An incremental run may remove the article an exact copy copies. Copies of committed articles
    therefore wait (wait()) until the run's removals are known (removed()); settle() then says which
    to write and which files to read again, so that the first of them becomes the article.
    """

    def __init__(self) -> None:
        self.run = RunMemory()  # the articles put in this run, by text hash and near-duplicate keys
        self.removed_texts: set[str] = set()  # text hashes of committed articles (not copies) the run removed
        self.waiting: list[tuple[str, object]] = []  # (text hash, engine's copy record) of copies kept waiting

    def decide(self, article_id: str, text: str, keys: list[str], committed: CommittedLookups) -> Decision:
        """Return how to write an article with this id, text hash and near-duplicate keys, and remember it."""
        if self.run.has_text(text):
            return Decision(ROLE_COPY, None)
        if committed.has_article_with_text(text):
            return Decision(ROLE_COPY, None, copies_committed=True)
        cluster = self._cluster_for(keys, committed) or article_id
        self.run.add(text, cluster, keys)
        return Decision(ROLE_ARTICLE if cluster == article_id else ROLE_VERSION, cluster)

    def _cluster_for(self, keys: list[str], committed: CommittedLookups) -> str | None:
        """Return the cluster sharing the most near-duplicate keys (enough of them), or None."""
        votes: collections.Counter[str] = collections.Counter()
        found = clusters_with_keys(committed, keys) if keys else {}
        in_run = self.run.clusters_of(keys)
        for key in keys:
            clusters = {in_run[key]} if key in in_run else set()
            clusters.update(found.get(key, ()))
            votes.update(clusters)
        eligible = [(-n, cluster) for cluster, n in votes.items() if n >= NEAR_DUPLICATE_SHARED_KEYS and cluster]
        return min(eligible)[1] if eligible else None

    def removed(self, text: str) -> None:
        """Note that the run removed the committed article (not a copy) with this text hash."""
        self.removed_texts.add(text)

    def wait(self, text: str, copy: object) -> None:
        """Keep a copy of a committed article until settle(): the run may still remove that article."""
        self.waiting.append((text, copy))

    def settle(self) -> Settled:
        """Say which waiting copies to write and which to read again, and which texts lost their article."""
        orphans = {text for text in self.removed_texts if not self.run.has_text(text)}
        waiting, self.waiting = self.waiting, []
        return Settled(
            orphans=orphans,
            write=[copy for text, copy in waiting if text not in orphans],
            reread=[copy for text, copy in waiting if text in orphans],
        )

    def close(self) -> None:
        """End the run: its memory goes."""
        self.run.close()
