"""Helper processes that end with the process that started them, even when it was killed with SIGKILL.

A reindex starts extraction workers (indexer.workers) and, for full builds, segment-writing
processes (search.backends.whoosh.writer); a SIGKILL gives it no chance to stop them, so each
looks for it and leaves once it is gone.
"""

from __future__ import annotations

import os
import time

# How often a helper process of a reindex checks that the reindex is still alive.
PARENT_CHECK_SECONDS = 0.5


def exit_with_parent(parent_pid: int) -> None:
    """Wait in a helper process of a reindex, and end it as soon as the reindex is gone (even after SIGKILL)."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        try:
            os.kill(parent_pid, 0)
        except (ProcessLookupError, PermissionError):  # gone, or the pid now belongs to another user
            os._exit(1)
