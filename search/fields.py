"""The archive's vocabulary, shared by every engine: what users may type, filter on and count.

Engines name their own index fields; these are the names in URLs, the query language and the
JSON API, so they never change with the engine behind them.
"""

from __future__ import annotations

# Field names users type in the query language (`author:wali`); `date:` takes dates, the rest words.
QUERY_FIELDS = ("title", "author", "source", "language", "dateline", "date")
DATE_FIELD = "date"
# Facets: request parameters that filter (values of one facet OR together) and are counted per search.
FACETS = ("source", "language", "author", "year")
# An article may have several authors; every other facet holds one value per article.
MULTI_VALUED_FACETS = frozenset({"author"})
# Counted for every search but not a filter: months drive the volume-over-time chart (narrowed with from/to).
MONTH_FACET = "month"
# The language stored when none could be determined.
UNDETERMINED_LANGUAGE = "und"

# How an article was indexed (IndexUpdate.put): a story of its own, an exact copy of an indexed article
# (only its file is recorded), or a near-duplicate that joined an earlier article's cluster.
ROLE_ARTICLE = "article"
ROLE_COPY = "copy"
ROLE_VERSION = "version"

# Ranking: title words count this many times as much as body words (BM25F field weight); bench/relevance.py
# found it better than scoring a title field and a body field separately.
TITLE_WEIGHT = 2
