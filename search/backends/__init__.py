"""The engines the archive can run on, chosen by one setting: BACKEND (environment ARCHIVE_BACKEND).

`whoosh` (the default) is embedded: an index folder on this machine, nothing to run. `opensearch`
keeps the archive on an OpenSearch cluster (OPENSEARCH_URL, OPENSEARCH_INDEX, ...; README, "More
than one machine"), for archives that outgrow one machine. Each engine
is a module here implementing search.backend.SearchBackend; it is imported only when chosen, so
an engine's client library is needed only by those who use it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from search.backend import SearchBackend

DEFAULT_BACKEND = "whoosh"
# Setting value -> "module:factory"; the factory takes the settings mapping (config keys as in app.py).
BACKENDS = {
    "whoosh": "search.backends.whoosh.factory:from_settings",
    "opensearch": "search.backends.opensearch.backend:from_settings",
}


class UnknownBackend(ValueError):
    """BACKEND names no engine the archive has."""


def open_backend(settings: Mapping[str, Any]) -> SearchBackend:
    """Return the engine the settings choose (BACKEND, default whoosh), configured from the same settings."""
    name = str(settings.get("BACKEND") or DEFAULT_BACKEND).strip().lower()
    if name not in BACKENDS:
        raise UnknownBackend(f"BACKEND must be one of {', '.join(sorted(BACKENDS))}, not {name!r}")
    module_name, factory = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module_name), factory)(settings)
