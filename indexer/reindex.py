"""Bring an index up to date with a corpus folder: add new files, update changed ones, drop deleted ones."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.article import Article, SkipDocument
from indexer.pipeline import article_id, content_hash, process
from indexer.read import DEFAULT_MAX_FILE_BYTES, iter_corpus, read_article
from search.store import ArchiveIndex
from search.writer import IndexUpdate

# Called after each file with (files done, files in all).
ProgressCallback = Callable[[int, int], None]


@dataclass
class ReindexSummary:
    """What one reindex run did, for people (text) and scripts (JSON)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"path", "reason"}
    articles: int = 0  # articles in the index after the run
    index: str = ""
    seconds: float = 0.0
    full: bool = False

    def as_json(self) -> dict:
        """Return the summary as the JSON object scripts rely on."""
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "articles": self.articles,
            "index": self.index,
            "seconds": round(self.seconds, 3),
            "full": self.full,
        }


def article_record(article: Article, digest: str) -> dict:
    """Build the plain index record of a processed article (the indexer's last step)."""
    return article.metadata() | {
        "id": article_id(article.path),
        "content_hash": digest,
        "date": article.date,
    }


def reindex(
    corpus: Path,
    index_root: Path,
    *,
    full: bool = False,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: ProgressCallback | None = None,
) -> ReindexSummary:
    """Update the index at index_root from the files under corpus and return what changed."""
    started = time.monotonic()
    corpus, archive = Path(corpus), ArchiveIndex(index_root)
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist")
    known = archive.indexed_files()
    paths = list(iter_corpus(corpus))
    with IndexUpdate(archive, full=full) as update:
        summary = ReindexSummary(full=update.full)
        for done, relpath in enumerate(paths, start=1):
            try:
                article = read_article(corpus, relpath, max_file_bytes)
                digest = content_hash(article.raw)
                if not update.full and known.get(relpath) == digest:
                    summary.unchanged += 1
                    continue
                update.put(article_record(process(article), digest))
                if relpath not in known:
                    summary.added += 1
                elif known[relpath] == digest:
                    summary.unchanged += 1
                else:
                    summary.updated += 1
            except SkipDocument as skip:
                summary.skipped.append({"path": relpath, "reason": skip.reason})
            finally:
                if progress:
                    progress(done, len(paths))
        on_disk = set(paths)
        for relpath in known:
            if relpath not in on_disk:
                summary.removed += 1
                if not update.full:
                    update.delete(article_id(relpath))
    summary.articles = archive.article_count()
    summary.index = str(archive.live_dir())
    summary.seconds = time.monotonic() - started
    archive.close()
    return summary
