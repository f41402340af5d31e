"""Build the Whoosh backend from the archive's settings: it needs only INDEX_DIR, the index folder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search.backends.whoosh.backend import WhooshBackend


def from_settings(settings: Mapping[str, Any]) -> WhooshBackend:
    """Return the Whoosh backend of the index folder INDEX_DIR."""
    index_dir = settings.get("INDEX_DIR")
    if not index_dir:
        raise ValueError("INDEX_DIR must name the index folder of the whoosh backend")
    return WhooshBackend(index_dir)
