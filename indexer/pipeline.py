"""Run one file through every indexer step: read -> decode -> strip and metadata -> language."""

from __future__ import annotations

import hashlib
from pathlib import Path

from indexer.article import Article, SkipDocument
from indexer.decode import decode
from indexer.html import extract_html
from indexer.language import detect
from indexer.read import DEFAULT_MAX_FILE_BYTES, read_article
from indexer.textdump import extract_text

EXTRACTORS = {"text": extract_text, "html": extract_html}
# Shorter than this, what is left is not an article (an error page, a stub).
MIN_BODY_CHARS = 40


def article_id(relpath: str) -> str:
    """Return the stable id of the article stored at a corpus-relative path."""
    return hashlib.sha1(relpath.encode("utf-8")).hexdigest()[:16]


# Bump when extraction changes what it produces, so the next incremental reindex re-extracts every file.
EXTRACTOR_VERSION = "1"


def content_hash(raw: bytes) -> str:
    """Return the hash that tells whether a file (or the extractor reading it) changed since it was indexed."""
    return hashlib.sha256(EXTRACTOR_VERSION.encode() + b"\0" + raw).hexdigest()


def process(article: Article) -> Article:
    """Decode, clean and describe an Article whose raw bytes are already read."""
    decode(article)
    EXTRACTORS[article.fmt](article)
    if len(article.body) < MIN_BODY_CHARS:
        raise SkipDocument(f"no article text found (only {len(article.body)} characters left after cleaning)")
    if not article.title:
        article.title = article.body.split("\n", 1)[0][:120]
        article.methods["title"] = "first-body-line"
    return detect(article)


def extract_file(root: Path, relpath: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Article:
    """Read and process the file at root/relpath; raise SkipDocument when it is not usable."""
    return process(read_article(root, relpath, max_bytes))


def extract_path(path: Path) -> Article:
    """Process a single file given by any path (used by the extract command)."""
    path = Path(path)
    return extract_file(path.parent, path.name)
