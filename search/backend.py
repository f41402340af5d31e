"""The one interface every search engine implements: what the web layer and the reindexer may ask of it.

The archive's behaviour is defined above the engines (search.archive, search.facets,
search.collapse, search.similar, search.duplicates, search.suggest, search.policy); an engine
stores articles and answers these calls, each in its own way. Queries reach an engine as the
archive's own syntax tree (search.querylang), which it compiles into its own query. A new engine
is one module (or package) in search/backends/ implementing SearchBackend and IndexUpdate, named
in search.backends.BACKENDS, and run through the backend contract tests.

Deadlines are time.monotonic() values (None: no limit): an engine checks them while it works and
raises search.policy.DeadlinePassed once one has passed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from search import querylang
from search.facets import FacetCount
from search.request import SearchRequest
from search.results import ArticleRecord, Hit
from search.suggest import Vocabulary


@dataclass
class EngineResult:
    """What an engine finds for one search, before the archive's rules shape it into a SearchResult."""

    total: int  # articles the search shows (filters applied, copies and, with collapse, versions left out)
    hits: list[Hit]  # the requested page, in order, with snippets, versions and similar counts
    facet_counts: dict[str, dict[str, int]]  # facet name -> value -> count, as the facet plan asked
    month_counts: dict[str, int]  # YYYY-MM -> shown articles of that month
    months_in_archive: dict[str, int] = field(default_factory=dict)  # YYYY-MM -> articles archived that month
    exact: bool = True  # False: total, facet and month counts are estimates (the engine could not count them)


class IndexUpdate(ABC):
    """One reindex run's writes: a context manager that commits on success and changes nothing on failure.

    Only one runs at a time on an index (entering raises search.errors.ReindexLocked otherwise). A
    full update builds a complete new index that searches see only once it is committed; an
    incremental one changes the live index in one commit. Copies and near-duplicates are decided
    with search.duplicates as articles are put.
    """

    full: bool  # whether this run rebuilds the index (asked for, or the index is missing or outdated)

    @abstractmethod
    def __enter__(self) -> IndexUpdate: ...

    @abstractmethod
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    @abstractmethod
    def put(self, record: dict) -> str:
        """Add an article record (as the indexer makes it), replacing one with the same id; return its role."""

    @abstractmethod
    def delete(self, article_id: str) -> None:
        """Remove the article with this id."""

    @abstractmethod
    def delete_file(self, relpath: str) -> None:
        """Remove every article read from one corpus file (a web archive holds many)."""

    @abstractmethod
    def orphaned_copies(self) -> list[str]:
        """Return the files of exact copies whose article this run removed and did not index again.

        The caller reads each again and puts it: the first becomes the article, the others its copies.
        Called after the last put or delete.
        """


class SearchBackend(ABC):
    """An engine holding the archive: health, searching, article look-ups, and writing."""

    name: str = ""
    # Searches a process lets run at once unless SEARCHES_AT_ONCE says otherwise (search.policy): one for an
    # engine computing in this process under the interpreter lock, more for one waiting on a server.
    searches_at_once: int = 1

    # -- state ------------------------------------------------------------------------------
    @abstractmethod
    def exists(self) -> bool:
        """Tell whether a committed index is there to search."""

    @abstractmethod
    def generation(self) -> Hashable | None:
        """Name the committed state searches would read now (None: no index); it changes with every commit."""

    @abstractmethod
    def article_count(self) -> int:
        """Return how many articles (not copies) the index holds; raise IndexUnavailable when there is none."""

    @abstractmethod
    def location(self) -> str:
        """Say where the index is, for people (a folder, a cluster's index name); never a secret."""

    @abstractmethod
    def rebuild_reason(self) -> str | None:
        """Say why the index must be rebuilt before it can serve (missing, built by another version), or None."""

    def health(self) -> dict:
        """What /healthz adds about the engine itself (a cluster's status); never a secret."""
        return {}

    def web_processes(self) -> int:
        """Web processes a server runs for this engine unless WEB_PROCESSES says otherwise (web/server.py).

        One by default: an engine searching inside the web process holds its index caches once per
        process, and each extra process holds them again.
        """
        return 1

    def warm(self) -> None:  # noqa: B027 - optional: engines that keep nothing per generation need not warm
        """Work out now what searches of the current generation need, so no request waits for it."""

    def close(self) -> None:  # noqa: B027 - optional: engines holding nothing open need not close
        """Release what the engine holds open (files, connections)."""

    # -- reading ---------------------------------------------------------------------------
    @abstractmethod
    def check_expansions(self, query: querylang.Node, limit: int) -> None:
        """Raise QueryTooBroad when a prefix, wildcard or fuzzy word of the query stands for over `limit` words."""

    @abstractmethod
    def search(
        self, query: querylang.Node, request: SearchRequest, plan: list[FacetCount], deadline: float | None
    ) -> EngineResult:
        """Find the request's page of hits, its exact total, the facet counts of the plan and the month counts."""

    @abstractmethod
    def count(self, query: querylang.Node, request: SearchRequest, deadline: float | None) -> int:
        """Return how many articles the query finds with the request's filters, nothing collapsed."""

    @abstractmethod
    def vocabulary(self) -> Vocabulary:
        """Return the indexed words spelling suggestions are looked up in."""

    @abstractmethod
    def matches(
        self, query: querylang.Node, request: SearchRequest, limit: int | None, deadline: float | None
    ) -> Iterator[ArticleRecord]:
        """Return every article the search shows (the first `limit`), in its sort order, for exports.

        The matching and ordering happen before this returns, within the deadline; the iterator
        only reads articles, so it can stream after the search's turn has ended.
        """

    @abstractmethod
    def article(self, article_id: str) -> ArticleRecord | None:
        """Return the article with this id (an exact copy's id gives the article it copies), or None."""

    @abstractmethod
    def related(self, article_id: str, limit: int) -> list[Hit] | None:
        """Return the article's most related articles (search.similar's order), or None for an unknown id."""

    @abstractmethod
    def marked_paragraphs(self, paragraphs: list[str], query: querylang.Node, language: str | None) -> list[str]:
        """Return the paragraphs HTML-escaped, with the words the query matches (read in `language`) in <mark>."""

    # -- writing ---------------------------------------------------------------------------
    @property
    @abstractmethod
    def state_dir(self) -> Path:
        """A local folder the reindexer keeps its bookkeeping in (stat cache, problems of indexed files)."""

    @abstractmethod
    def update(self, full: bool = False, workers: int = 1) -> IndexUpdate:
        """Start a reindex run's writes (see IndexUpdate); workers: processes it may use to write."""

    @abstractmethod
    def indexed_files(self) -> dict[str, str]:
        """Return {corpus-relative path: content hash} of every indexed file (empty when there is no index)."""

    @abstractmethod
    def ingest_report(self) -> list[dict]:
        """Per source, how many articles the index holds and how many lack a date, an author, a language."""
