"""The embedded engine: a Whoosh index in a local folder, which needs nothing running.

Every use of Whoosh in the archive lives in this package: schema and analysis, the store that
follows the live index, the writer, the query compiler, set-based matching (docsets) and the
pieces of a search (filtering, counting, ranking, highlighting, clusters, records).
"""

from search.backends.whoosh.backend import WhooshBackend

__all__ = ["WhooshBackend"]
