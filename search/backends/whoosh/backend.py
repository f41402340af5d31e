"""SearchBackend on Whoosh: an index folder on this machine, searched in this process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from whoosh.collectors import TimeLimit
from whoosh.query import Query

from search import querylang, similar
from search.backend import EngineResult, SearchBackend
from search.backends.whoosh import clusters, compiler, counting, docsets, filtering, ranking, records
from search.backends.whoosh import schema as f
from search.backends.whoosh.highlight import Marker
from search.backends.whoosh.store import ArchiveIndex
from search.backends.whoosh.writer import IndexUpdate
from search.facets import FacetCount
from search.fields import MONTH_FACET, MULTI_VALUED_FACETS
from search.policy import DeadlinePassed
from search.request import SearchRequest
from search.results import ArticleRecord, Hit
from search.snippets import fallback_snippet

# Compiled queries remembered per index generation (a page and its next page compile the same query).
MAX_CACHED_QUERIES = 64


class WhooshVocabulary:
    """The unstemmed title and body words of the live index (search.suggest.Vocabulary)."""

    def __init__(self, index: ArchiveIndex) -> None:
        self.index = index

    def doc_frequency(self, word: str) -> int:
        with self.index.searcher() as searcher:
            return searcher.doc_frequency(f.SPELL, word)

    def candidates(self, word: str, limit: int, max_edits: int, prefix: int) -> list[str]:
        with self.index.searcher() as searcher:
            return list(searcher.corrector(f.SPELL).suggest(word, limit=limit, maxdist=max_edits, prefix=prefix))


class WhooshBackend(SearchBackend):
    """The archive in a Whoosh index folder (an index root whose pointer file names the live build)."""

    name = "whoosh"

    def __init__(self, index: ArchiveIndex | Path | str) -> None:
        """index: the index root folder (or a store already open on it)."""
        self.index = index if isinstance(index, ArchiveIndex) else ArchiveIndex(index)

    # -- state ------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.index.exists()

    def generation(self):
        return self.index.generation()

    def article_count(self) -> int:
        return self.index.article_count()

    def location(self) -> str:
        return str(self.index.live_dir() or self.index.root)

    def rebuild_reason(self) -> str | None:
        if not self.index.exists():
            return f"No index at {self.index.root} yet"
        if self.index.schema_version() != f.SCHEMA_VERSION:
            return f"The index at {self.index.live_dir()} was built by another version of the archive"
        return None

    def warm(self) -> None:
        """Work out what searches read once per generation: facet values, sort keys, duplicates, field lengths.

        Most of a second at 300k articles (bench/RESULTS.md): servers do it before they take
        requests and after every commit (search.warming), so no visitor waits for it.
        """
        with self.index.searcher() as searcher:
            _present_fields(searcher)
            clusters.duplicates(searcher)
            counting.months_in_archive(searcher)  # also every document's month
            for name, fieldname in f.FACET_FIELDS.items():
                if name in MULTI_VALUED_FACETS:
                    docsets.field_value_lists(searcher, fieldname)
                else:
                    docsets.field_values(searcher, fieldname)
            ranking.date_keys(searcher, newest_first=True)
            ranking.date_keys(searcher, newest_first=False)
            docsets.field_lengths(searcher, _present_fields(searcher))

    def close(self) -> None:
        self.index.close()

    # -- reading ---------------------------------------------------------------------------
    def check_expansions(self, query: querylang.Node, limit: int) -> None:
        with self.index.searcher() as searcher:
            compiler.check_expansions(query, searcher.schema, searcher.reader(), _present_fields(searcher), limit)

    def search(
        self, query: querylang.Node, request: SearchRequest, plan: list[FacetCount], deadline: float | None
    ) -> EngineResult:
        with self.index.searcher() as searcher:
            compiled = compiled_query(searcher, query)
            window = request.page * request.per_page
            try:
                # Every match once, unscored: the total, facets and months come from it, and every filtered view.
                memo: docsets.Memo = {}
                matched = docsets.query_docs(searcher, compiled, deadline, memo)
                shown = filtering.shown(searcher, matched, request, request.collapse)
                page = ranking.ranked(searcher, compiled, shown, request.sort, window, deadline, memo)
                del memo
            except TimeLimit:
                raise DeadlinePassed from None
            facet_counts = {}
            for facet in plan:
                docs = shown
                if facet.request != request:
                    per_facet = facet.name if facet.per_value else None
                    docs = filtering.shown(searcher, matched, facet.request, request.collapse, per_facet)
                facet_counts[facet.name] = counting.facet_counts(searcher, facet.name, docs)
            marker = Marker(searcher, compiled)
            hits = []
            for docnum, score in page[(request.page - 1) * request.per_page : window]:
                stored = searcher.stored_fields(docnum)
                snippet = marker.snippet(stored.get(f.BODY, ""), stored.get(f.TITLE, ""), stored.get(f.LANGUAGE))
                found = records.hit(stored, snippet, score, clusters.versions(searcher, stored.get(f.CLUSTER)))
                found.similar = len(clusters.similar_docs(searcher, docnum, stored))
                hits.append(found)
            return EngineResult(
                total=len(shown),
                hits=hits,
                facet_counts=facet_counts,
                month_counts=counting.facet_counts(searcher, MONTH_FACET, shown),
                months_in_archive=counting.months_in_archive(searcher),
            )

    def count(self, query: querylang.Node, request: SearchRequest, deadline: float | None) -> int:
        with self.index.searcher() as searcher:
            try:
                matched = docsets.query_docs(searcher, compiled_query(searcher, query), deadline)
            except TimeLimit:
                raise DeadlinePassed from None
            return len(filtering.shown(searcher, matched, request, collapse_by=False))

    def vocabulary(self) -> WhooshVocabulary:
        return WhooshVocabulary(self.index)

    def matches(
        self, query: querylang.Node, request: SearchRequest, limit: int | None, deadline: float | None
    ) -> Iterator[ArticleRecord]:
        stack = ExitStack()
        searcher = stack.enter_context(self.index.searcher())
        try:
            compiled = compiled_query(searcher, query)
            matched = docsets.query_docs(searcher, compiled, deadline)
            shown = filtering.shown(searcher, matched, request, request.collapse)
            order = ranking.ranked(searcher, compiled, shown, request.sort, limit, deadline)
        except TimeLimit:
            stack.close()
            raise DeadlinePassed from None
        except BaseException:
            stack.close()
            raise

        def read() -> Iterator[ArticleRecord]:
            with stack:
                for docnum, _score in order:
                    yield records.full_record(searcher, searcher.stored_fields(docnum))

        return read()

    def article(self, article_id: str) -> ArticleRecord | None:
        with self.index.searcher() as searcher:
            docnum = clusters.article_docnum(searcher, article_id)
            if docnum is None:
                return None
            return records.full_record(searcher, searcher.stored_fields(docnum), docnum)

    def related(self, article_id: str, limit: int) -> list[Hit] | None:
        with self.index.searcher() as searcher:
            docnum = clusters.article_docnum(searcher, article_id)
            if docnum is None:
                return None
            found = clusters.similar_docs(searcher, docnum, searcher.stored_fields(docnum))
            reader = searcher.reader()
            dated, dates = reader.column_reader(f.HAS_DATE), reader.column_reader(f.DATE)
            day = dates[docnum] if dated[docnum] else None

            def distance(other: int) -> float | None:
                if day is None or not dated[other]:
                    return None
                return abs((dates[other] - day).total_seconds())

            hits = []
            for other in similar.related_order(found, distance, limit):
                stored = searcher.stored_fields(other)
                versions = clusters.versions(searcher, stored.get(f.CLUSTER))
                related_hit = records.hit(stored, fallback_snippet(stored.get(f.BODY, "")), None, versions)
                related_hit.similar = len(clusters.similar_docs(searcher, other, stored))
                hits.append(related_hit)
            return hits

    def marked_paragraphs(self, paragraphs: list[str], query: querylang.Node, language: str | None) -> list[str]:
        with self.index.searcher() as searcher:
            marker = Marker(searcher, compiled_query(searcher, query))
            return [marker.whole(paragraph, language) for paragraph in paragraphs]

    # -- writing ---------------------------------------------------------------------------
    @property
    def state_dir(self) -> Path:
        return self.index.root

    def update(self, full: bool = False, workers: int = 1) -> IndexUpdate:
        return IndexUpdate(self.index, full=full, writer_processes=workers)

    def indexed_files(self) -> dict[str, str]:
        return self.index.indexed_files()

    def ingest_report(self) -> list[dict]:
        return self.index.ingest_report()


def _present_fields(searcher) -> list[str]:
    """The content fields of the languages this index holds: plain words are read for each of them."""

    def build() -> list[str]:
        reader = searcher.reader()
        return [field for field in f.CONTENT_FIELDS if reader.field_length(field)] or [f.CONTENT]

    return docsets.cached(searcher, "content_fields", build)


def compiled_query(searcher, query: querylang.Node) -> Query:
    """Return the archive's query compiled for this index (remembered per generation: pages repeat queries)."""
    cache = docsets.cached(searcher, "compiled", dict)
    compiled = cache.get(query)
    if compiled is None:
        compiled = compiler.compile_query(query, searcher.schema, _present_fields(searcher))
        with docsets.generation_cache(searcher)["lock"]:
            while len(cache) >= MAX_CACHED_QUERIES:
                cache.pop(next(iter(cache)))
            cache[query] = compiled
    return compiled
