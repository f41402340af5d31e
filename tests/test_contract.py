"""The API against its own OpenAPI document, on every engine: schemathesis generates requests for every operation.

Schemathesis' fixture mode does not run under this pytest, so the apps it tests are built once at
import, one per engine (conftest.BACKENDS), on a copy of the seed corpus in a temporary folder
removed at exit.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from conftest import BACKENDS, SEED_CORPUS, drop_archive, engine_settings
from hypothesis import HealthCheck, settings
from opensearch_cluster import needs_java
from schemathesis.specs.openapi.checks import positive_data_acceptance

import web
from app import create_app
from indexer.reindex import reindex
from search.backends import open_backend

_folder = Path(tempfile.mkdtemp(prefix="contract-"))
atexit.register(shutil.rmtree, _folder, ignore_errors=True)


def _runs(backend: str) -> bool:
    """Whether this engine can run here (OpenSearch needs Java and Maven, or a cluster named)."""
    return backend != "opensearch" or not needs_java.args[0]


def _app(backend: str):
    engine = engine_settings(backend, _folder / backend)
    atexit.register(drop_archive, engine)
    opened = open_backend(engine)
    try:
        reindex(SEED_CORPUS, opened)
    finally:
        opened.close()
    return create_app({**engine, "CORPUS_DIR": str(SEED_CORPUS), "TESTING": True, "WARM_INDEX": False})


APPS = {backend: _app(backend) for backend in BACKENDS if _runs(backend)}


def teardown_module() -> None:
    for app in APPS.values():
        web.shutdown(app)


def _operations_test(backend: str):
    if backend not in APPS:

        @needs_java
        def skipped():
            pass

        return skipped
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APPS[backend])

    @schema.parametrize()
    # Derandomized so that CI runs are repeatable; raise max_examples by hand for a deeper search.
    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def test(case):
        # Some requests valid by the schema are still rightly refused with a documented 400: a query
        # with a syntax error, or `from` after `to`. Every other check (no server error, documented
        # statuses, content types and response schemas, rejection of invalid input) applies.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    return test


for _backend in BACKENDS:
    globals()[f"test_every_operation_answers_as_documented_on_{_backend}"] = _operations_test(_backend)
