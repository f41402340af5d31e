"""Run one file through every indexer step: read -> decode -> strip and metadata -> sidecar -> language.

`run_job` is what a reindex worker does with one corpus file: hash it, and unless it is unchanged,
turn it into index records. Jobs and outcomes are small and picklable (paths in, records out, no raw
bytes), so they can cross process boundaries cheaply.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from indexer.article import Article, SkipDocument
from indexer.decode import decode
from indexer.fingerprint import band_keys
from indexer.html import extract_html
from indexer.language import detect
from indexer.phrases import distinct_words
from indexer.read import (
    DEFAULT_MAX_FILE_BYTES,
    FileStamp,
    file_format,
    file_stamp,
    read_article,
    read_stamped_article,
    regular_file_stat,
    sidecar_path,
    unreadable,
)
from indexer.sidecar import apply_sidecar
from indexer.textdump import extract_text
from indexer.topics import topic_keys
from indexer.warc import WarcReader, damage_reason

EXTRACTORS = {"text": extract_text, "html": extract_html}
# Longer than this, a "story" is a dump of something else (a log, a book); it is skipped, not indexed.
DEFAULT_MAX_TEXT_CHARS = 2_000_000
# Shorter than this, what is left is not an article (an error page, a stub).
MIN_BODY_CHARS = 40
# Fewer different words than this (indexer.phrases.distinct_words), and it is not text but a letter held
# down, one long code or a row of numbers: the shortest real stub ("Police closed the road.") has more.
MIN_DISTINCT_WORDS = 4
# Block size for hashing web archives, which are read as a stream rather than whole.
HASH_BLOCK_BYTES = 1024 * 1024


def article_id(key: str) -> str:
    """Return the stable id of the article stored at a corpus-relative path (or path#WARC-record-id)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def article_key(article: Article) -> str:
    """Return what an article's id derives from: its path, plus the record id for a page of a web archive."""
    return f"{article.path}#{article.warc_record}" if article.warc_record else article.path


# Bump when extraction changes what it produces, so the next incremental reindex re-extracts every file.
EXTRACTOR_VERSION = "6"


def content_hash(raw: bytes, sidecar: bytes = b"") -> str:
    """Return the hash that tells whether a file, its sidecar, or the extractor changed since it was indexed."""
    digest = hashlib.sha256(EXTRACTOR_VERSION.encode() + b"\0" + raw)
    if sidecar:
        # Only files with a sidecar hash it, so files without one keep the hash they were indexed with.
        digest.update(b"\0sidecar\0" + sidecar)
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    """Return content_hash() of a file read as a stream (for web archives, which can be any size)."""
    return stamped_file_hash(path)[0]


def stamped_file_hash(path: Path) -> tuple[str, FileStamp | None]:
    """Return file_hash() of a file and its stamp, statted before it is read (None when too recent to trust)."""
    digest = hashlib.sha256(EXTRACTOR_VERSION.encode() + b"\0")
    statted_ns = time.time_ns()
    status = regular_file_stat(path)
    with open(path, "rb") as handle:
        while block := handle.read(HASH_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest(), file_stamp(status, statted_ns)


def require_words(text: str) -> None:
    """Skip a text that has no words (20,000 times the letter D, one endless token, only numbers)."""
    if distinct_words(text, MIN_DISTINCT_WORDS) < MIN_DISTINCT_WORDS:
        raise SkipDocument(
            f"the text has no words (fewer than {MIN_DISTINCT_WORDS} different ones in {len(text):,} characters)"
        )


def process(article: Article, max_text_chars: int = DEFAULT_MAX_TEXT_CHARS) -> Article:
    """Decode, clean and describe an Article whose raw bytes are already read."""
    # A URL known before extraction is where a web archive captured the page: it beats what the page says.
    captured_url = article.url
    decode(article)
    if article.fmt == "text" and len(article.text) >= MIN_BODY_CHARS:
        require_words(article.text)  # said before the extractor finds no paragraph in it, which says less
    EXTRACTORS[article.fmt](article)
    if len(article.body) < MIN_BODY_CHARS:
        raise SkipDocument(f"no article text found (only {len(article.body)} characters left after cleaning)")
    require_words(article.body)
    if len(article.body) > max_text_chars:
        raise SkipDocument(
            f"article text is {len(article.body):,} characters, over the {max_text_chars:,}-character limit"
        )
    if not article.title:
        article.title = article.body.split("\n", 1)[0][:120]
        article.methods["title"] = "first-body-line"
    if captured_url:
        article.url, article.methods["url"] = captured_url, "warc"
    apply_sidecar(article, f"sidecar {sidecar_path(article.path).rpartition('/')[2]}")
    # Detection is most of the extraction time; a language the sidecar states needs none.
    if article.methods.get("language") != "sidecar":
        detect(article)
    return article


def similarity_keys(title: str, body: str) -> dict[str, list[str]]:
    """Return the keys that find an article's near-duplicates and similar articles in the index."""
    return {"near_keys": band_keys(body), "topic_keys": topic_keys(title, body)}


def article_record(article: Article, digest: str) -> dict:
    """Build the plain index record of a processed article (the indexer's last step)."""
    return (
        article.metadata()
        | {"id": article_id(article_key(article)), "content_hash": digest, "date": article.date}
        | similarity_keys(article.title, article.body)
    )


def extract_file(root: Path, relpath: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Article:
    """Read and process the file at root/relpath; raise SkipDocument when it is not usable."""
    return process(read_article(root, relpath, max_bytes))


def extract_path(path: Path) -> Article:
    """Process a single file given by any path (used by the extract command)."""
    path = Path(path)
    return extract_file(path.parent, path.name)


@dataclass(frozen=True)
class FileJob:
    """One corpus file for a worker: what the index knows of it, and for a web archive where to go on."""

    path: str
    known_hash: str | None = None  # content hash in the index (None: a new file)
    full: bool = False  # re-extract even when unchanged (a rebuild)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    # Web archives are read in parts: the byte offset to go on from, the hash computed by the first
    # part, and how many pages earlier parts kept (for the damage report).
    resume_at: int = 0
    digest: str | None = None
    kept_before: int = 0
    last_url: str | None = None


@dataclass
class FileOutcome:
    """What a worker made of one file (or one part of a web archive): index records and problems."""

    path: str
    first_part: bool = True
    digest: str | None = None  # None when the file could not be read
    unchanged: bool = False  # same hash as in the index: not extracted again
    # Size and mtime of the file (and its sidecar) statted before reading, for the stat cache; None when
    # unknown or modified too recently to trust (then it is hashed again next run). First part only.
    stamp: FileStamp | None = None
    records: list[dict] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"path", "reason"}
    warnings: list[dict[str, str]] = field(default_factory=list)  # {"path", "reason"}
    next_job: FileJob | None = None  # the next part of a web archive still to read

    def problems(self) -> dict[str, list[dict[str, str]]]:
        """Return the skipped pages and warnings of this outcome."""
        return {"skipped": self.skipped, "warnings": self.warnings}


def run_job(root: Path, job: FileJob) -> FileOutcome:
    """Hash one file and, unless it is unchanged, read it into index records; never raises SkipDocument."""
    if file_format(job.path.rpartition("/")[2]) == "warc":
        return _run_warc_job(Path(root), job)
    try:
        article, stamp = read_stamped_article(root, job.path, job.max_file_bytes)
    except SkipDocument as skip:
        return FileOutcome(job.path, skipped=[{"path": job.path, "reason": skip.reason}])
    digest = content_hash(article.raw, article.sidecar)
    if digest == job.known_hash and not job.full:
        return FileOutcome(job.path, digest=digest, unchanged=True, stamp=stamp)
    try:
        process(article, job.max_text_chars)
    except SkipDocument as skip:
        return FileOutcome(job.path, digest=digest, skipped=[{"path": job.path, "reason": skip.reason}])
    warnings = [{"path": job.path, "reason": text} for text in article.warnings]
    return FileOutcome(
        job.path, digest=digest, records=[article_record(article, digest)], warnings=warnings, stamp=stamp
    )


def _run_warc_job(root: Path, job: FileJob) -> FileOutcome:
    first = job.resume_at == 0
    outcome = FileOutcome(job.path, first_part=first)
    try:
        try:
            if job.digest:  # a later part: the first part hashed and stamped the file
                outcome.digest = job.digest
            else:
                outcome.digest, outcome.stamp = stamped_file_hash(root / job.path)
        except OSError as exc:
            raise unreadable(exc) from None
    except SkipDocument as skip:
        outcome.skipped.append({"path": job.path, "reason": skip.reason})
        return outcome
    if first and outcome.digest == job.known_hash and not job.full:
        outcome.unchanged = True
        return outcome
    reader = WarcReader(root, job.path, job.resume_at, max_page_bytes=job.max_file_bytes)
    last_url = job.last_url
    try:
        for article in reader:
            try:
                outcome.records.append(article_record(process(article, job.max_text_chars), outcome.digest))
                last_url = article.url
            except SkipDocument as skip:
                outcome.skipped.append({"path": f"{job.path}#{article.url or ''}", "reason": skip.reason})
    except SkipDocument as skip:
        outcome.skipped.append({"path": job.path, "reason": skip.reason})
        return outcome
    outcome.skipped += reader.skipped
    kept = job.kept_before + len(outcome.records)
    if reader.next_offset is not None:
        outcome.next_job = replace(
            job, resume_at=reader.next_offset, digest=outcome.digest, kept_before=kept, last_url=last_url
        )
    elif reader.damage:
        outcome.skipped.append({"path": job.path, "reason": damage_reason(reader.damage, kept, last_url)})
    elif not kept:
        outcome.skipped.append({"path": job.path, "reason": "web archive holds no HTML page with article text"})
    return outcome


def run_chunk(root: Path, jobs: list[FileJob]) -> list[FileOutcome]:
    """Run several jobs (what one worker process is handed at a time, to keep messages few)."""
    return [run_job(root, job) for job in jobs]
