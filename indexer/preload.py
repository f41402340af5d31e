"""Warm up extraction once in the process that forks reindex workers, so each worker starts ready.

Imported (never called) by the forkserver: indexer.workers.PRELOAD_MODULES.
"""

from langdetect.detector_factory import init_factory

import indexer.pipeline  # noqa: F401 - imported for its side effect: every extraction module loaded

# langdetect reads its language profiles (about half a second) on first use; forked workers inherit them.
init_factory()
