"""Default corpus and index locations, shared by the web app and the command line."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_PREFIX = "ARCHIVE_"
CORPUS_ENV = "ARCHIVE_CORPUS_DIR"
INDEX_ENV = "ARCHIVE_INDEX_DIR"
BACKEND_ENV = "ARCHIVE_BACKEND"


def default_corpus_dir() -> Path:
    """The corpus folder: $ARCHIVE_CORPUS_DIR, else the embedded corpus/ of the project."""
    return Path(os.environ.get(CORPUS_ENV) or PROJECT_ROOT / "corpus")


def default_index_dir() -> Path:
    """The index folder: $ARCHIVE_INDEX_DIR, else index/ in the project's instance folder."""
    return Path(os.environ.get(INDEX_ENV) or PROJECT_ROOT / "instance" / "index")


def backend_settings(index_dir: Path | None = None) -> dict[str, str]:
    """The engine settings of the command line: ARCHIVE_* environment variables without the prefix.

    The same names the web app reads (BACKEND, INDEX_DIR, ...); index_dir (--index) wins over INDEX_DIR.
    """
    settings = {
        name.removeprefix(SETTINGS_PREFIX): value
        for name, value in os.environ.items()
        if name.startswith(SETTINGS_PREFIX)
    }
    settings["INDEX_DIR"] = str(index_dir or default_index_dir())
    return settings


MAX_FILE_MB_ENV = "ARCHIVE_MAX_FILE_MB"
MAX_TEXT_CHARS_ENV = "ARCHIVE_MAX_TEXT_CHARS"


def default_max_file_bytes() -> int:
    """The largest file read: $ARCHIVE_MAX_FILE_MB megabytes, else 20 MB."""
    from indexer.read import DEFAULT_MAX_FILE_BYTES

    value = os.environ.get(MAX_FILE_MB_ENV)
    return int(float(value) * 1024 * 1024) if value else DEFAULT_MAX_FILE_BYTES


def default_max_text_chars() -> int:
    """The longest clean article text indexed: $ARCHIVE_MAX_TEXT_CHARS, else 2,000,000 characters."""
    from indexer.pipeline import DEFAULT_MAX_TEXT_CHARS

    value = os.environ.get(MAX_TEXT_CHARS_ENV)
    return int(value) if value else DEFAULT_MAX_TEXT_CHARS
