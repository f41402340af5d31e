"""Warm each index generation as soon as it is committed, so the first search after a reindex does not wait.

A reindex runs in another process; the server only learns of its commit by looking. Without this,
the first request on the new generation works out what the engine keeps per generation (for
Whoosh: facet values, sort keys and duplicates, most of a second at 300k articles) while its
visitor waits. The app factory starts one per app, so every way of serving warms.
"""

from __future__ import annotations

import logging
import threading

from search.backend import SearchBackend
from search.errors import IndexUnavailable

log = logging.getLogger(__name__)

# How often a server looks for a new index generation to warm.
WARM_CHECK_SECONDS = 2.0


class GenerationWarmer:
    """Looks for a new generation every `interval` seconds in a background thread, and warms it."""

    def __init__(self, backend: SearchBackend, interval: float = WARM_CHECK_SECONDS) -> None:
        self.backend = backend
        self.interval = interval
        self.warmed = None  # the generation warmed last
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        """Warm the live generation unless it already is; tell whether it had to."""
        with self._lock:
            generation = self.backend.generation()
            if generation is None or generation == self.warmed:
                return False
            try:
                self.backend.warm()
            except (IndexUnavailable, FileNotFoundError):
                return False  # a commit landed meanwhile: the next look warms that one
            self.warmed = generation
            return True

    def start(self) -> None:
        """Warm now and after every commit, in a background thread, until stop()."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="generation-warmer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop looking, and wait for a warming in progress to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        unavailable = None  # the last reason the index could not be read, said once until it changes
        while True:
            try:
                self.check()
                unavailable = None
            except IndexUnavailable as exc:  # no index yet, or its engine unreachable: requests say so too
                if str(exc) != unavailable:
                    log.warning("cannot warm the index: %s", exc)
                unavailable = str(exc)
            except Exception:  # noqa: BLE001 - the server must keep serving; a request then does the work itself
                log.exception("warming the new index generation failed")
            if self._stop.wait(self.interval):
                return
