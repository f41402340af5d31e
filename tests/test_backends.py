"""The seam between the archive and its engines: one setting chooses the engine, nothing else knows Whoosh,
and every entry point (pages, API, exports, feeds, highlighting) obeys the same search policy.
"""

from __future__ import annotations

import ast
import time

import pytest
from conftest import PROJECT_ROOT, engine_settings, open_archive, sample_record, write_corpus

import web
from app import create_app
from indexer.reindex import reindex
from search.backends import UnknownBackend, open_backend
from search.backends.whoosh import WhooshBackend
from search.request import build_request
from web import archive_of, warmer_of

WHOOSH_PACKAGE = PROJECT_ROOT / "search" / "backends" / "whoosh"


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_outside_the_whoosh_backend_imports_whoosh():
    sources = [PROJECT_ROOT / "app.py", *(PROJECT_ROOT / "web").rglob("*.py")]
    sources += (PROJECT_ROOT / "indexer").rglob("*.py")
    sources += [path for path in (PROJECT_ROOT / "search").rglob("*.py") if WHOOSH_PACKAGE not in path.parents]
    assert len(sources) > 30
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in sources
        if any(name == "whoosh" or name.startswith("whoosh.") for name in imported_modules(path))
    ]
    assert offenders == []
    # The check itself finds an import where there is one.
    assert "whoosh" in imported_modules(WHOOSH_PACKAGE / "compiler.py")


def test_one_setting_chooses_the_engine(tmp_path, monkeypatch):
    backend = open_backend({"INDEX_DIR": str(tmp_path / "index")})
    assert isinstance(backend, WhooshBackend) and backend.name == "whoosh"
    with pytest.raises(UnknownBackend, match="BACKEND must be one of"):
        open_backend({"BACKEND": "solr", "INDEX_DIR": str(tmp_path)})
    monkeypatch.setenv("ARCHIVE_BACKEND", "nosuchengine")
    with pytest.raises(UnknownBackend):
        create_app({"INDEX_DIR": str(tmp_path / "index")})


def test_the_app_factory_warms_the_index_in_the_background(build_index):
    archive = build_index([sample_record(n, title=f"Oil {n}") for n in (1, 2)])
    app = create_app({"TESTING": True, **archive.settings})  # as `waitress-serve --call app:create_app` makes it
    try:
        warmer = warmer_of(app)
        deadline = time.monotonic() + 30
        while warmer.warmed is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert warmer.warmed is not None and warmer.warmed == archive.backend.generation()
    finally:
        web.shutdown(app)


@pytest.fixture
def archive(build_index):
    return build_index([sample_record(n, title=f"Oil report {n}", body=f"Oil prices moved {n}.") for n in range(1, 6)])


@pytest.mark.parametrize("path", ["/api/search.csv?q=oil", "/api/export.jsonl?q=oil", "/search.atom?q=oil"])
def test_exports_and_feeds_wait_their_turn_like_searches(archive, path):
    app = archive.app(SEARCH_TIME_LIMIT=0.2, SEARCHES_AT_ONCE=1)
    client = app.test_client()
    with archive_of(app).policy.turn():  # one search is running
        busy = client.get(path)
    assert busy.status_code == 503 and b"busy" in busy.data
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/api/search.csv?q=oil", "/api/export.jsonl?q=oil", "/search.atom?q=oil"])
def test_exports_and_feeds_have_the_time_limit(archive, path):
    response = archive.app(SEARCH_TIME_LIMIT=1e-9).test_client().get(path)
    assert response.status_code == 503 and b"longer than" in response.data


def test_article_page_highlighting_caps_pattern_expansion(build_index):
    words = " ".join(f"alpha{n}" for n in range(2100))
    archive = build_index([sample_record(1, title="Alphabet soup", body=f"Alphabet soup. {words}")])
    client = archive.app().test_client()
    marked = client.get("/articles/sample0001?q=soup").get_data(as_text=True)
    assert "<mark>soup</mark>" in marked
    # alpha* stands for over 2,000 words: the page still shows, with nothing marked (not a 500, not a hang).
    broad = client.get("/articles/sample0001?q=alpha*")
    assert broad.status_code == 200 and "<mark>" not in broad.get_data(as_text=True)
    assert "alpha2099" in broad.get_data(as_text=True)
    # The search itself refuses it with a clear message.
    refused = client.get("/api/search?q=alpha*")
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "query_too_broad"


def test_engine_settings_are_the_apps_settings(tmp_path):
    settings = engine_settings("whoosh", tmp_path / "index")
    app = create_app({"TESTING": True, "WARM_INDEX": False, **settings})
    try:
        assert archive_of(app).backend.name == "whoosh"
        assert warmer_of(app) is None
    finally:
        web.shutdown(app)


def test_an_empty_corpus_makes_an_empty_archive_that_answers(tmp_path, backend_name):
    # Whoosh reads an index without articles as one empty reader with no columns: this was a traceback.
    settings = engine_settings(backend_name, tmp_path / "index")
    backend = open_backend(settings)
    try:
        summary = reindex(write_corpus(tmp_path / "corpus", {}), backend)
        assert (summary.added, summary.articles, summary.skipped) == (0, 0, [])
    finally:
        backend.close()
    archive = open_archive(settings)
    try:
        client = archive.app().test_client()
        assert client.get("/healthz").get_json()["articles"] == 0
        for url in ("/api/search?q=harbour", "/api/search?q=&collapse=1&sort=date", "/api/search?q=harb*&source=x"):
            answer = client.get(url)
            assert answer.status_code == 200 and answer.get_json()["total"] == 0, url
        assert client.get("/?q=harbour").status_code == 200
        assert client.get("/api/search.csv?q=").get_data(as_text=True).count("\n") == 1  # the header alone
    finally:
        archive.close()


def test_facet_values_tied_at_the_cut_are_chosen_case_insensitively(build_index):
    # 50 authors with one article each: the 10 shown are the first 10 by lower-cased name on every
    # engine. (A cluster's own cut orders ties by bytes, upper case first: the 30 values it would
    # return hold none of these.)
    names = [f"Zed {n:02d}" for n in range(40)] + [f"aaron {n}" for n in range(10)]
    archive = build_index(
        [sample_record(n, body="Ships in the harbour.", authors=[name]) for n, name in enumerate(names)]
    )
    result = archive.search(build_request({"q": ["harbour"], "facet_size": ["10"]}))
    assert [(value.value, value.count) for value in result.facets["author"]] == [
        (name, 1) for name in sorted(names, key=str.lower)[:10]
    ]
