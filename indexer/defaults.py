"""Default corpus and index locations, shared by the web app and the command line."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS_ENV = "ARCHIVE_CORPUS_DIR"
INDEX_ENV = "ARCHIVE_INDEX_DIR"


def default_corpus_dir() -> Path:
    """The corpus folder: $ARCHIVE_CORPUS_DIR, else the embedded corpus/ of the project."""
    return Path(os.environ.get(CORPUS_ENV) or PROJECT_ROOT / "corpus")


def default_index_dir() -> Path:
    """The index folder: $ARCHIVE_INDEX_DIR, else index/ in the project's instance folder."""
    return Path(os.environ.get(INDEX_ENV) or PROJECT_ROOT / "instance" / "index")
