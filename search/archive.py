"""The archive as the web layer and scripts see it: one search function behind pages, API and exports.

Here the archive's rules meet an engine: the query is parsed once into our own syntax tree
(search.querylang), every search takes its turn under the search policy (search.policy), and
the engine's findings are shaped by rules written once for every engine (facets pinned and
ordered, month buckets, suggestions offered only when they find more).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

from search import querylang
from search.backend import SearchBackend
from search.errors import SearchError
from search.facets import facet_plan, facet_values, month_buckets
from search.fields import FACETS
from search.policy import SearchPolicy
from search.request import SearchRequest
from search.results import ArticleRecord, Hit, SearchResult
from search.similar import RELATED_LIMIT
from search.snippets import escape
from search.suggest import respell


class Archive:
    """An engine and the search policy every entry point obeys."""

    def __init__(self, backend: SearchBackend, policy: SearchPolicy | None = None) -> None:
        self.backend = backend
        self.policy = policy or SearchPolicy()

    def _query(self, text: str) -> querylang.Node:
        return querylang.parse(text)

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a validated search: one page of hits with snippets, exact total, facet and month counts.

        A query that cannot be read is a QuerySyntaxError; a prefix or wildcard standing for too many
        words QueryTooBroad; a search past the time limit SearchTimeout; no turn in time ArchiveBusy.
        """
        started = time.perf_counter()
        query = self._query(request.q)
        with self.policy.turn() as deadline:
            self.backend.check_expansions(query, querylang.MAX_EXPANSIONS)
            found = self.backend.search(query, request, facet_plan(request), deadline)
            suggestion = respell(request.q, found.total, self.backend.vocabulary())
            if suggestion is not None:
                # Offered only when it would really find more (with the same filters, nothing collapsed).
                try:
                    better = self.backend.count(self._query(suggestion), request, deadline)
                except SearchError:
                    better = 0
                suggestion = suggestion if better > found.total else None
        return SearchResult(
            request=request,
            parsed=querylang.describe(query),
            total=found.total,
            pages=math.ceil(found.total / request.per_page) if found.total else 0,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            hits=found.hits,
            facets={
                name: facet_values(found.facet_counts.get(name, {}), request.filters.get(name, ()), request.facet_size)
                for name in FACETS
            },
            months=month_buckets(found.month_counts, found.months_in_archive),
            suggestion=suggestion,
            exact=found.exact,
        )

    def matches(self, request: SearchRequest, limit: int | None = None) -> Iterator[ArticleRecord]:
        """Yield every article the search shows (all pages, or the first `limit`), in its sort order.

        For exports and feeds: the matching and ordering take a turn under the policy, like any
        search; reading and sending the articles afterwards does not hold it.
        """
        query = self._query(request.q)
        with self.policy.turn() as deadline:
            self.backend.check_expansions(query, querylang.MAX_EXPANSIONS)
            return self.backend.matches(query, request, limit, deadline)

    def article(self, article_id: str) -> ArticleRecord | None:
        """Return the article with this id (an exact copy's id gives the article it copies), or None."""
        return self.backend.article(article_id)

    def related(self, article_id: str, limit: int = RELATED_LIMIT) -> list[Hit] | None:
        """Return the articles most like this one (search.similar), or None for an unknown id."""
        return self.backend.related(article_id, limit)

    def marked_paragraphs(self, body: str, q: str, language: str | None = None) -> list[str]:
        """Split an article body into paragraphs, HTML-escaped, with the words a query matched in <mark>.

        A query that cannot be read, or stands for too many words, marks nothing: the article still shows.
        """
        paragraphs = [p for p in body.split("\n\n") if p.strip()]
        plain = [escape(p) for p in paragraphs]
        if not q.strip():
            return plain
        try:
            query = self._query(q)
            with self.policy.turn():
                self.backend.check_expansions(query, querylang.MAX_EXPANSIONS)
                return self.backend.marked_paragraphs(paragraphs, query, language)
        except SearchError:
            return plain

    def health(self) -> dict:
        """Return {"status", "articles", "index", "backend", ...what the engine adds}.

        Raises IndexUnavailable when nothing can be searched.
        """
        count = self.backend.article_count()
        found = {"status": "ok", "articles": count, "index": self.backend.location(), "backend": self.backend.name}
        return found | self.backend.health()

    def close(self) -> None:
        """Release what the engine holds open."""
        self.backend.close()
