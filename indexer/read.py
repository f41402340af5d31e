"""Find article files in a corpus folder and read their bytes (and their sidecars), within size limits."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

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


def name_suffix(name: str) -> str:
    """Return a file name's last suffix as pathlib does ("a.b.txt" -> ".txt", "notes" and "notes." -> "")."""
    # Plain string work: called for every corpus file on every run, where Path objects cost more than the rest.
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def file_format(name: str) -> str | None:
    """Return how a file is read, by its name: "text", "html", "warc", or None when it is not an article file."""
    lower = name.lower()
    if name.startswith(".") or lower.endswith(IGNORED_SUFFIXES):
        return None
    dot = lower.rfind(".")  # name_suffix(), inlined: this runs for every name in the corpus, twice a run
    suffix = lower[dot:] if 0 < dot < len(lower) - 1 else ""
    if suffix in ARTICLE_SUFFIXES:
        return "html" if suffix in HTML_SUFFIXES else "text"
    return "warc" if lower.endswith(WARC_SUFFIXES) else None


def is_article_file(name: str) -> bool:
    """Tell whether a file name looks like a saved article (or a web archive of them) we can read."""
    return file_format(name) is not None


def sidecar_path(relpath: str) -> str:
    """Return the corpus-relative path of the sidecar that belongs to an article file (same stem)."""
    parent, _, name = relpath.rpartition("/")
    suffix = name_suffix(name)
    stem = name[: -len(suffix)] if suffix else name
    return f"{parent}/{stem}{SIDECAR_SUFFIX}" if parent else f"{stem}{SIDECAR_SUFFIX}"


def read_sidecar(root: Path, relpath: str) -> tuple[bytes, str | None]:
    """Return the bytes of an article's sidecar (b"" if it has none) and a warning when it cannot be read."""
    raw, problem, _ = _read_sidecar(root, relpath)
    return raw, problem


# What _read_sidecar says of the sidecar's stat when the sidecar exists but could not be read.
UNREADABLE_SIDECAR = "unreadable"


def _read_sidecar(root: Path, relpath: str) -> tuple[bytes, str | None, os.stat_result | str | None]:
    """read_sidecar(), plus the sidecar's stat taken before reading it (None: no sidecar; or UNREADABLE_SIDECAR)."""
    full = os.path.join(root, sidecar_path(relpath))
    name = full.rpartition("/")[2]
    try:
        status = os.stat(full)
        if not stat.S_ISREG(status.st_mode):
            return b"", f"sidecar {name} is not a regular file; extracted metadata kept", status
        with open(full, "rb") as handle:
            raw = handle.read(MAX_SIDECAR_BYTES + 1)
    except FileNotFoundError:
        return b"", None, None
    except OSError as exc:
        problem = f"sidecar {name} cannot be read ({exc.strerror or exc}); extracted metadata kept"
        return b"", problem, UNREADABLE_SIDECAR
    if len(raw) > MAX_SIDECAR_BYTES:
        return b"", f"sidecar {name} is over the {MAX_SIDECAR_BYTES:,}-byte limit; extracted metadata kept", status
    return raw, None, status


def iter_corpus(root: Path) -> Iterator[str]:
    """Yield corpus-relative paths (forward slashes) of article files, sorted, in nested folders."""
    # os.scandir on plain strings: a run lists every corpus file, and pathlib objects per file cost
    # more than the listing itself. The order is os.walk's: a folder's files, then its sorted subfolders.
    yield from _walk(os.fspath(root), "")


def _walk(folder: str, prefix: str) -> Iterator[str]:
    """Yield the article files under folder as prefix + relative path; unreadable folders are passed over."""
    files, subfolders = [], []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()  # follows symlinks: a link to a folder is neither read nor entered
                except OSError:
                    is_dir = False
                if is_dir:
                    if not entry.name.startswith("."):
                        try:
                            followed = entry.is_symlink()
                        except OSError:
                            followed = True
                        if not followed:
                            subfolders.append(entry.name)
                elif file_format(entry.name) is not None:
                    files.append(entry.name)
    except OSError:
        return
    files.sort()
    for name in files:
        yield prefix + name
    subfolders.sort()
    for name in subfolders:
        yield from _walk(f"{folder}/{name}", f"{prefix}{name}/")


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


def regular_file_stat(path: str | os.PathLike) -> os.stat_result:
    """Return the stat of a regular file; raise SkipDocument for pipes, sockets and devices (reading may hang)."""
    status = os.stat(path)
    if not stat.S_ISREG(status.st_mode):
        raise SkipDocument(NOT_REGULAR)
    return status


def regular_file_size(path: str | os.PathLike) -> int:
    """Return the size of a regular file; raise SkipDocument for pipes, sockets and devices (reading may hang)."""
    return regular_file_stat(path).st_size


# "Racy git": a file modified this soon before it was statted can be modified again within the
# filesystem's timestamp granularity (2 s on FAT, 1 s on ext3 and HFS+) keeping its size and mtime,
# so its stat does not prove it unchanged later: it is hashed again next run instead of remembered.
RACY_SECONDS = 2


class FileStamp(NamedTuple):
    """A file's size and modification time (and its sidecar's), as statted before reading it.

    A later run that stats the same stamp, for a file whose hash the index holds, takes it as unchanged.
    """

    size: int
    mtime_ns: int
    sidecar_size: int | None = None  # None: no sidecar
    sidecar_mtime_ns: int | None = None


def file_stamp(status: os.stat_result, statted_ns: int, sidecar: os.stat_result | None = None) -> FileStamp | None:
    """Return the stamp of a file statted at statted_ns (epoch ns); None when modified too recently to trust."""
    newest = max(status.st_mtime_ns, sidecar.st_mtime_ns if sidecar else 0)
    if statted_ns - newest < RACY_SECONDS * 1_000_000_000:
        return None
    if sidecar is None:
        return FileStamp(status.st_size, status.st_mtime_ns)
    return FileStamp(status.st_size, status.st_mtime_ns, sidecar.st_size, sidecar.st_mtime_ns)


def current_stamp(root: str, relpath: str) -> FileStamp | None:
    """Stat a corpus file (and its sidecar, unless it is a web archive) as it is now; None when it cannot be."""
    try:
        status = os.stat(f"{root}/{relpath}")
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    if file_format(relpath.rpartition("/")[2]) == "warc":  # web archives have no sidecar
        return FileStamp(status.st_size, status.st_mtime_ns)
    try:
        sidecar = os.stat(f"{root}/{sidecar_path(relpath)}")
    except FileNotFoundError:
        return FileStamp(status.st_size, status.st_mtime_ns)
    except OSError:
        return None
    return FileStamp(status.st_size, status.st_mtime_ns, sidecar.st_size, sidecar.st_mtime_ns)


def read_article(root: Path, relpath: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Article:
    """Read one file's bytes into a new Article, or raise SkipDocument saying why not."""
    return read_stamped_article(root, relpath, max_bytes)[0]


def read_stamped_article(
    root: Path, relpath: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[Article, FileStamp | None]:
    """Read one file into a new Article, with its stamp (stat before reading; None when not to be trusted)."""
    full = os.path.join(root, relpath)
    try:
        statted_ns = time.time_ns()  # taken before the stat: the racy check errs towards hashing again
        status = regular_file_stat(full)
        if status.st_size > max_bytes:
            raise SkipDocument(f"file is {status.st_size:,} bytes, over the {max_bytes:,}-byte limit")
        with open(full, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise unreadable(exc) from None
    if not raw.strip():
        raise SkipDocument("file is empty")
    fmt = "html" if file_format(relpath.rpartition("/")[2]) == "html" else "text"
    sidecar, problem, sidecar_status = _read_sidecar(root, relpath)
    # A sidecar that could not be read may become readable without changing: such a file is not remembered.
    stamp = None if sidecar_status == UNREADABLE_SIDECAR else file_stamp(status, statted_ns, sidecar_status)
    article = Article(path=relpath, raw=raw, fmt=fmt, sidecar=sidecar, warnings=[problem] if problem else [])
    return article, stamp
