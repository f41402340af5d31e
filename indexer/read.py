"""Find article files in a corpus folder and read their bytes (and their sidecars), within size limits."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from indexer.article import Article, SkipDocument

TEXT_SUFFIXES = frozenset({".txt", ""})
HTML_SUFFIXES = frozenset({".html", ".htm"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
# Web archives hold many articles each; matched on the end of the name, as ".warc.gz" has two dots.
WARC_SUFFIXES = (".warc", ".warc.gz")
# The limit applies to one article: a file, or one record of a web archive (archives themselves have none).
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
# Metadata stated by whoever saved the article, next to it: article.txt -> article.meta.json.
SIDECAR_SUFFIX = ".meta.json"
MAX_SIDECAR_BYTES = 256 * 1024
# Sidecar and housekeeping files live next to articles but are not articles.
IGNORED_SUFFIXES = (SIDECAR_SUFFIX,)


def file_format(name: str) -> str | None:
    """Return how a file is read, by its name: "text", "html", "warc", or None when it is not an article file."""
    lower = name.lower()
    if name.startswith(".") or lower.endswith(IGNORED_SUFFIXES):
        return None
    if lower.endswith(WARC_SUFFIXES):
        return "warc"
    suffix = Path(lower).suffix
    if suffix in HTML_SUFFIXES:
        return "html"
    return "text" if suffix in TEXT_SUFFIXES else None


def is_article_file(name: str) -> bool:
    """Tell whether a file name looks like a saved article (or a web archive of them) we can read."""
    return file_format(name) is not None


def sidecar_path(relpath: str) -> str:
    """Return the corpus-relative path of the sidecar that belongs to an article file (same stem)."""
    parent, _, name = relpath.rpartition("/")
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix else name
    return f"{parent}/{stem}{SIDECAR_SUFFIX}" if parent else f"{stem}{SIDECAR_SUFFIX}"


def read_sidecar(root: Path, relpath: str) -> tuple[bytes, str | None]:
    """Return the bytes of an article's sidecar (b"" if it has none) and a warning when it cannot be read."""
    full = Path(root, sidecar_path(relpath))
    try:
        if not stat.S_ISREG(full.stat().st_mode):
            return b"", f"sidecar {full.name} is not a regular file; extracted metadata kept"
        with full.open("rb") as handle:
            raw = handle.read(MAX_SIDECAR_BYTES + 1)
    except FileNotFoundError:
        return b"", None
    except OSError as exc:
        return b"", f"sidecar {full.name} cannot be read ({exc.strerror or exc}); extracted metadata kept"
    if len(raw) > MAX_SIDECAR_BYTES:
        return b"", f"sidecar {full.name} is over the {MAX_SIDECAR_BYTES:,}-byte limit; extracted metadata kept"
    return raw, None


def iter_corpus(root: Path) -> Iterator[str]:
    """Yield corpus-relative paths (forward slashes) of article files, sorted, in nested folders."""
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if is_article_file(name):
                full = Path(dirpath, name)
                yield full.relative_to(root).as_posix()


NOT_REGULAR = "not a regular file (a pipe, socket or device): reading it could block forever"


def unreadable(exc: OSError) -> SkipDocument:
    """Turn an error from opening or reading a file into the skip reason people see."""
    if isinstance(exc, FileNotFoundError):
        return SkipDocument("file disappeared before it could be read")
    if isinstance(exc, IsADirectoryError):
        return SkipDocument("is a directory, not a file")
    if isinstance(exc, PermissionError):
        return SkipDocument("permission denied")
    return SkipDocument(f"cannot read file: {exc.strerror or exc}")


def regular_file_size(path: Path) -> int:
    """Return the size of a regular file; raise SkipDocument for pipes, sockets and devices (reading may hang)."""
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):
        raise SkipDocument(NOT_REGULAR)
    return status.st_size


def read_article(root: Path, relpath: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Article:
    """Read one file's bytes into a new Article, or raise SkipDocument saying why not."""
    full = Path(root, relpath)
    try:
        size = regular_file_size(full)
        if size > max_bytes:
            raise SkipDocument(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        with full.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise unreadable(exc) from None
    if not raw.strip():
        raise SkipDocument("file is empty")
    fmt = "html" if file_format(full.name) == "html" else "text"
    sidecar, problem = read_sidecar(root, relpath)
    return Article(path=relpath, raw=raw, fmt=fmt, sidecar=sidecar, warnings=[problem] if problem else [])
