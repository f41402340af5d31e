"""Shared fixtures: real corpora in temp folders, real indexes built from them on every engine, the app.

The backend contract: fixtures that build or serve an archive (build_index, seed_index, seed_app,
client) are parametrised by engine (BACKENDS), so every test using them runs against each engine,
with the same assertions. Tests of one engine's internals use that engine's own fixtures
(whoosh_store).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from opensearch_cluster import drop_indices, needs_java, shared_cluster_url

import web
from app import create_app
from indexer.pipeline import similarity_keys
from indexer.reindex import reindex
from search.archive import Archive
from search.backend import SearchBackend
from search.backends import open_backend
from search.backends.whoosh.store import ArchiveIndex
from search.backends.whoosh.writer import IndexUpdate
from search.policy import SearchPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = PROJECT_ROOT / "corpus"
# The engines the backend contract runs against.
BACKENDS = ("whoosh", "opensearch")

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


def engine_settings(backend: str, folder: Path) -> dict:
    """The app settings that put an archive on this engine, in a place of its own.

    Whoosh: the index folder. OpenSearch: an alias of its own on the test run's cluster
    (opensearch_cluster.shared_cluster_url), with folder for the reindexer's bookkeeping.
    """
    settings = {"BACKEND": backend, "INDEX_DIR": str(folder)}
    if backend == "opensearch":
        settings |= {"OPENSEARCH_URL": shared_cluster_url(), "OPENSEARCH_INDEX": f"t{uuid.uuid4().hex[:10]}"}
    return settings


def drop_archive(settings: dict) -> None:
    """Remove what an archive left outside its folder (a cluster's indices), once a test is done with it."""
    if settings.get("BACKEND") == "opensearch":
        drop_indices(settings["OPENSEARCH_URL"], settings["OPENSEARCH_INDEX"])


class TestArchive(Archive):
    """An Archive a test built, which remembers the settings that open it again (for apps)."""

    __test__ = False  # not a test class, whatever pytest makes of its name

    def __init__(self, backend: SearchBackend, settings: dict, policy: SearchPolicy | None = None) -> None:
        super().__init__(backend, policy)
        self.settings = settings
        self._apps: list[Flask] = []

    def with_policy(self, **policy) -> Archive:
        """Return the same archive under another search policy (time limit, searches at once)."""
        return Archive(self.backend, SearchPolicy(**policy))

    def app(self, **config) -> Flask:
        """Return an app serving this archive (shut down with it)."""
        app = create_app({"TESTING": True, "WARM_INDEX": False, **self.settings, **config})
        self._apps.append(app)
        return app

    def close(self) -> None:
        for app in self._apps:
            web.shutdown(app)
        super().close()
        drop_archive(self.settings)


def open_archive(settings: dict) -> TestArchive:
    """Return the archive these settings open (close it when done)."""
    return TestArchive(open_backend(settings), settings)


@pytest.fixture(
    scope="session",
    params=[pytest.param(name, marks=[needs_java] if name == "opensearch" else []) for name in BACKENDS],
)
def backend_name(request: pytest.FixtureRequest) -> str:
    """The engine of the contract tests (each test using it runs once per engine)."""
    return request.param


@pytest.fixture
def make_corpus(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Return a function that writes files into a fresh corpus folder."""
    return lambda files: write_corpus(tmp_path / "corpus", files)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, backend_name: str) -> dict:
    """The settings of a real index of the five seed articles, built once per session and engine (read-only)."""
    corpus = tmp_path_factory.mktemp("seed-corpus")
    shutil.copytree(SEED_CORPUS, corpus, dirs_exist_ok=True)
    settings = engine_settings(backend_name, tmp_path_factory.mktemp("seed-index"))
    backend = open_backend(settings)
    try:
        summary = reindex(corpus, backend)
    finally:
        backend.close()
    assert summary.added == 5 and not summary.skipped
    return settings


@pytest.fixture
def seed_app(seed_index: dict):
    """The app serving the seed index."""
    app = create_app({"TESTING": True, "WARM_INDEX": False, **seed_index, "CORPUS_DIR": str(SEED_CORPUS)})
    yield app
    web.shutdown(app)


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
def build_index(tmp_path: Path, backend_name: str) -> Iterator[Callable[[list[dict]], TestArchive]]:
    """Return a function that writes records straight into a fresh real index on the engine, and opens it."""
    opened: list[TestArchive] = []

    def build(records: list[dict]) -> TestArchive:
        settings = engine_settings(backend_name, tmp_path / f"index{len(opened)}")
        backend = open_backend(settings)
        with backend.update(full=True) as update:
            for record in records:
                update.put(record)
        archive = TestArchive(backend, settings)
        opened.append(archive)
        return archive

    yield build
    for archive in opened:
        archive.close()


@pytest.fixture
def whoosh_store(tmp_path: Path) -> Iterator[Callable[[list[dict]], ArchiveIndex]]:
    """Return a function that writes records straight into a fresh Whoosh index folder and opens its store."""
    opened: list[ArchiveIndex] = []

    def build(records: list[dict]) -> ArchiveIndex:
        archive = ArchiveIndex(tmp_path / f"store{len(opened)}")
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
    """Close every Whoosh store a test opened (apps make their own), so no index file is left open."""
    opened: list[ArchiveIndex] = []
    original_init = ArchiveIndex.__init__

    def tracking_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(ArchiveIndex, "__init__", tracking_init)
    yield
    for archive in opened:
        archive.close()
