"""Shared fixtures: real corpora in temp folders, real Whoosh indexes built from them, the app."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app import create_app
from indexer.pipeline import similarity_keys
from indexer.reindex import reindex
from search.store import ArchiveIndex
from search.writer import IndexUpdate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = PROJECT_ROOT / "corpus"

# Small articles with known metadata, used where the seeds' text would make assertions vague.
SAMPLE_TEMPLATE = """{title}

By {author}

{date}

{body}
"""


def write_corpus(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} under folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


@pytest.fixture
def make_corpus(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Return a function that writes files into a fresh corpus folder."""
    return lambda files: write_corpus(tmp_path / "corpus", files)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index of the five seed articles, built once per test session (read-only for tests)."""
    corpus = tmp_path_factory.mktemp("seed-corpus")
    shutil.copytree(SEED_CORPUS, corpus, dirs_exist_ok=True)
    index = tmp_path_factory.mktemp("seed-index")
    summary = reindex(corpus, index)
    assert summary.added == 5 and not summary.skipped
    return index


@pytest.fixture
def seed_app(seed_index: Path):
    """The app serving the seed index."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(seed_index), "CORPUS_DIR": str(SEED_CORPUS)})
    yield app
    app.extensions["archive_index"].close()


@pytest.fixture
def client(seed_app):
    """A test client of the app serving the seed index."""
    return seed_app.test_client()


def sample_record(number: int, **fields) -> dict:
    """An index record as the indexer produces it, with defaults filled in."""
    record = {
        "id": f"sample{number:04d}",
        "path": f"sample/{number:04d}.txt",
        "content_hash": f"hash{number}",
        "title": f"Sample article {number}",
        "body": "Nothing of note happened.",
        "authors": [],
        "date": None,
        "source": None,
        "url": None,
        "dateline": None,
        "agency": None,
        "language": "en",
        "language_confidence": 0.99,
        "declared_language": None,
        "methods": {},
    }
    record.update(fields)
    return similarity_keys(record["title"], record["body"]) | record


@pytest.fixture
def build_index(tmp_path: Path) -> Iterator[Callable[[list[dict]], ArchiveIndex]]:
    """Return a function that writes records straight into a fresh real index and opens it."""
    opened: list[ArchiveIndex] = []

    def build(records: list[dict]) -> ArchiveIndex:
        archive = ArchiveIndex(tmp_path / f"index{len(opened)}")
        with IndexUpdate(archive, full=True) as update:
            for record in records:
                update.put(record)
        opened.append(archive)
        return archive

    yield build
    for archive in opened:
        archive.close()


@pytest.fixture(autouse=True)
def close_every_archive(monkeypatch):
    """Close every ArchiveIndex a test opened (apps make their own), so no index file is left open."""
    opened: list[ArchiveIndex] = []
    original_init = ArchiveIndex.__init__

    def tracking_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(ArchiveIndex, "__init__", tracking_init)
    yield
    for archive in opened:
        archive.close()
