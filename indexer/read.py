"""Find article files in a corpus folder and read their bytes, within size limits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from indexer.article import Article, SkipDocument

TEXT_SUFFIXES = frozenset({".txt", ""})
HTML_SUFFIXES = frozenset({".html", ".htm"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
# Sidecar and housekeeping files live next to articles but are not articles.
IGNORED_SUFFIXES = (".meta.json",)


def is_article_file(name: str) -> bool:
    """Tell whether a file name looks like a saved article we can read."""
    if name.startswith(".") or name.endswith(IGNORED_SUFFIXES):
        return False
    return Path(name).suffix.lower() in ARTICLE_SUFFIXES


def iter_corpus(root: Path) -> Iterator[str]:
    """Yield corpus-relative paths (forward slashes) of article files, sorted, in nested folders."""
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if is_article_file(name):
                full = Path(dirpath, name)
                yield full.relative_to(root).as_posix()


def read_article(root: Path, relpath: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Article:
    """Read one file's bytes into a new Article, or raise SkipDocument saying why not."""
    full = Path(root, relpath)
    try:
        size = full.stat().st_size
        if size > max_bytes:
            raise SkipDocument(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        with full.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise SkipDocument("file disappeared before it could be read") from None
    except IsADirectoryError:
        raise SkipDocument("is a directory, not a file") from None
    except PermissionError:
        raise SkipDocument("permission denied") from None
    except OSError as exc:
        raise SkipDocument(f"cannot read file: {exc.strerror or exc}") from None
    if not raw.strip():
        raise SkipDocument("file is empty")
    suffix = full.suffix.lower()
    fmt = "html" if suffix in HTML_SUFFIXES else "text"
    return Article(path=relpath, raw=raw, fmt=fmt)
