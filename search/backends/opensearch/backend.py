"""SearchBackend on OpenSearch: the archive's alias on a cluster, searched with the query DSL.

Everything a search shows is defined above the engines (search.facets, search.collapse,
search.similar); this module asks the cluster for what those rules need and applies them the same
way the Whoosh engine does, so both give the same totals and counts:

- One `_search` per page: the query (copies left out) with the request's filters as `post_filter`,
  so each facet is counted by a `filter` aggregation with its own filters (search.facets' plan),
  the month chart by another, and the archive's months by a `global` one. Totals are exact
  (`track_total_hits`).
- Collapsing: OpenSearch's `collapse` keeps each group's best hit, not its *earliest matching*
  article, and counts groups only approximately. Instead the matched articles of clusters with
  several (the writer marks them `clustered`, usually a small part of the archive) are read first,
  doc values only, and search.collapse.hidden decides which to hide, exactly as on Whoosh; the hidden
  ids are left out of the page, the total and the counts.
- Pages past the cluster's 10,000-hit window are reached with `search_after`; exports read every
  match through a point in time with `search_after`, never capped.
- Snippets and marked paragraphs: marking.py (the cluster analyses, search.snippets cuts).
- A request that fails because the cluster is unreachable or the index is gone raises
  IndexUnavailable (a 503 in the one error shape), without credentials; one that outlives the
  search's deadline raises DeadlinePassed.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from opensearchpy.exceptions import ConnectionError, ConnectionTimeout, OpenSearchException, TransportError

from search import collapse, querylang, similar
from search.backend import EngineResult, SearchBackend
from search.backends.opensearch import analysis as a
from search.backends.opensearch.compiler import EXPANSION_REWRITE, compile_query
from search.backends.opensearch.marking import Marker
from search.backends.opensearch.store import DOC_VALUES_ONLY, OpenSearchStore
from search.backends.opensearch.writer import OpenSearchUpdate
from search.errors import IndexUnavailable, InvalidParameter, QueryTooBroad
from search.facets import FacetCount
from search.fields import MONTH_FACET, ROLE_COPY
from search.policy import DeadlinePassed
from search.request import SearchRequest
from search.results import ArticleRecord, Hit, hit_from_stored, record_from_stored
from search.snippets import fallback_snippet

# The archive's facet names -> keyword fields.
FACET_FIELDS: Mapping[str, str] = {
    "source": a.SOURCE_FACET,
    "language": a.LANGUAGE,
    "author": a.AUTHOR_FACET,
    "year": a.YEAR,
    MONTH_FACET: a.MONTH,
}
COPY = {"term": {a.ROLE: ROLE_COPY}}  # exact copies: never searched, only their files listed
MATCH_NOTHING = {"match_none": {}}
# The cluster's index.max_result_window: from + size beyond it is refused; deeper pages use search_after.
MAX_WINDOW = 10_000
READ_PAGE = 1_000  # hits per request when reading whole articles (exports, similar articles)
# Facet values asked for beyond facet_size, so ties at the cut are ordered by our rule, not the cluster's.
FACET_SLACK = 3
# Clustered matches a collapsed search reads to decide exactly (about 0.1 s per 10,000 on one node);
# past this, counts are estimated and flagged (OPENSEARCH_EXACT_COLLAPSE).
EXACT_COLLAPSE = 20_000
FACET_SHARD_SIZE = 500  # candidate values each shard reports for a facet (its counts are then made exact)
MAX_TIED = 5_000  # facet values fetched when the values shown end in a tie the cluster's cut went through
MONTHS = 10_000  # months in a month chart's aggregation: 800 years
PIT_KEEP_ALIVE = "5m"  # between two pages of an export
# Fields of a hit's source a result list needs.
HIT_SOURCE = [a.ID_FIELD, a.TITLE, a.BODY, a.SOURCE, a.DATELINE, a.LANGUAGE, a.CLUSTER, a.RECORD, a.TOPIC_KEYS]
# Doc values read of clustered articles to collapse them; the fields of the request's filters are read too.
CLUSTER_FIELDS = [a.CLUSTER, a.DATE]  # with the id and order every read of doc values gives (its sort keys)
READ_FILTER = "hits.total,hits.hits.fields,hits.hits.sort"  # what a read of doc values keeps of an answer
MATCH_ALL = {"match_all": {}}
SHARED_FILTER = "shared_filter_"  # aggregations sent under one copy of a filter they share (_filtered_aggs)
READ_ATTEMPTS = 3  # a read failing on the cluster's side is tried this many times in all
READ_RETRY_WAIT = 0.25  # seconds before the second attempt, doubled before the next
MAX_STEMS = 10_000  # stemmed pattern texts (and analysed query words) remembered
MARKED_CHARS = 32_768  # characters of a text that snippets and marks look at (Whoosh's highlighter: the same)
GENERATION_SECONDS = 1.0  # how long a looked-up generation is trusted (each look-up is two requests)
EXPLAINED_TERM = re.compile(r"(?<![\w.])([a-z_]+):(\S+?)(?:\^[0-9.]+)?(?=[\s)]|$)")


def sort_clause(sort: str) -> list[dict]:
    """The order of a search: by relevance (ties: indexed first, as Whoosh), or by date (undated last)."""
    if sort == "relevance":
        return [{"_score": "desc"}, {a.ORDER: "asc"}, {a.ID_FIELD: "asc"}]
    direction = "desc" if sort == "-date" else "asc"
    return [{a.DATE: {"order": direction, "missing": "_last"}}, {a.ORDER: "asc"}, {a.ID_FIELD: "asc"}]


def filter_clauses(request: SearchRequest, similar_ids: list[str] | None) -> list[dict]:
    """A request's filters: values of one facet OR together; facets, cluster, similar and dates AND."""
    parts: list[dict] = []
    if request.similar:
        parts.append({"ids": {"values": similar_ids}} if similar_ids else MATCH_NOTHING)
    for name, values in request.filters.items():
        parts.append({"terms": {FACET_FIELDS[name]: list(values)}})
    if request.cluster:
        parts.append({"term": {a.CLUSTER: request.cluster}})
    if request.date_from or request.date_to:
        days: dict[str, str] = {"format": "strict_date"}
        if request.date_from:
            days["gte"] = request.date_from.isoformat()
        if request.date_to:
            days["lte"] = request.date_to.isoformat()
        parts.append({"range": {a.DATE: days}})
    return parts


class _Clustered:
    """The clustered articles a collapsed search matched, earliest first, and which of them each request allows.

    filter_clauses() in Python. The requests of one search page (its own and one per facet, each
    without that facet's filter) share all but one filter, so each filter is tested once per search.
    At 1M articles, a query with two filters tested its 7,600 clustered matches three times over
    (81 ms of a 273 ms median page); tested once per filter, the page took 243 ms.
    """

    def __init__(self, docs: list[dict], similar_ids: set[str] | None) -> None:
        self.docs = docs
        self.similar_ids = similar_ids
        self.rank = {i: (doc[a.CLUSTER], i) for i, doc in enumerate(docs)}
        self._passing: dict[tuple, set[int]] = {}

    def __bool__(self) -> bool:
        return bool(self.docs)

    def allowed(self, request: SearchRequest) -> list[int]:
        """Indices of the articles that pass every filter of the request."""
        tests = [("scope", request.similar, request.cluster, request.date_from, request.date_to)]
        tests += [("facet", name, tuple(values)) for name, values in sorted(request.filters.items())]
        passing: set[int] | None = None
        for test in tests:
            if test not in self._passing:
                self._passing[test] = {i for i, doc in enumerate(self.docs) if self._passes(doc, test)}
            passing = self._passing[test] if passing is None else passing & self._passing[test]
        return sorted(passing or ())

    def _passes(self, doc: dict, test: tuple) -> bool:
        if test[0] == "facet":
            _, name, values = test
            return bool(set(doc.get(FACET_FIELDS[name]) or ()) & set(values))
        _, similar, cluster, date_from, date_to = test
        if similar and doc[a.ID_FIELD] not in (self.similar_ids or ()):
            return False
        if cluster and doc.get(a.CLUSTER) != cluster:
            return False
        day = doc.get(a.DATE)
        if date_from and (day is None or day < date_from.isoformat()):
            return False
        return not (date_to and (day is None or day > date_to.isoformat()))


def _filtered_aggs(specs: list[tuple[str, dict, dict]], applied: dict | None = None) -> dict:
    """Aggregations `name: (filter, inner aggregations)`, sending each distinct filter once.

    A collapsed search's filter holds the ids of the versions it hides (thousands, for a common
    word); the months and every facet not filtered on share it, and were sent and evaluated once
    each (with the rest of the reading, 300k articles: p95 340 -> 220 ms, bench/RESULTS.md). Those
    whose filter is `applied` (the query's own) get none. Read back with _flat_aggs.
    """
    aggs: dict[str, Any] = {}
    groups: list[tuple[dict, dict]] = []
    for name, agg_filter, inner in specs:
        if applied is not None and agg_filter == applied:
            aggs[name] = {"filter": MATCH_ALL, "aggs": inner}
            continue
        group = next((named for shared, named in groups if shared == agg_filter), None)
        if group is None:
            groups.append((agg_filter, group := {}))
        group[name] = {"filter": MATCH_ALL, "aggs": inner}
    for number, (agg_filter, named) in enumerate(groups):
        if len(named) == 1:
            ((name, agg),) = named.items()
            aggs[name] = {"filter": agg_filter, "aggs": agg["aggs"]}
        else:
            aggs[f"{SHARED_FILTER}{number}"] = {"filter": agg_filter, "aggs": named}
    return aggs


def _flat_aggs(results: dict) -> dict:
    """The answers of _filtered_aggs() by their names, whether or not they shared a filter."""
    flat = {}
    for name, value in results.items():
        if name.startswith(SHARED_FILTER):
            flat.update({inner: answer for inner, answer in value.items() if inner != "doc_count"})
        else:
            flat[name] = value
    return flat


def _shown_filter(request: SearchRequest, similar_ids: list[str] | None, hidden: list[str]) -> dict:
    clause: dict[str, Any] = {"filter": filter_clauses(request, similar_ids)}
    if hidden:
        clause["must_not"] = [{"ids": {"values": hidden}}]
    return {"bool": clause}


class TooManyClauses(QueryTooBroad):
    """The cluster refused a query for standing for more words than Lucene's clause limit (a 400 to the user)."""

    def __init__(self) -> None:
        super().__init__(
            "the query stands for more words than the search engine takes at once (1,024 in all, "
            "counting each word a prefix or wildcard stands for in each language): use fewer or narrower terms"
        )


class OpenSearchVocabulary:
    """The unstemmed title and body words of the live index (search.suggest.Vocabulary), from the spell field."""

    def __init__(self, backend: OpenSearchBackend) -> None:
        self.backend = backend

    def doc_frequency(self, word: str) -> int:
        body = {"query": {"term": {a.SPELL: word}}}
        return int(
            self.backend.call("count words", lambda: self.backend.client.count(index=self.backend.alias, body=body))[
                "count"
            ]
        )

    def candidates(self, word: str, limit: int, max_edits: int, prefix: int) -> list[str]:
        suggester = {
            "text": word,
            "term": {
                "field": a.SPELL,
                "size": limit,
                "max_edits": min(max_edits, 2),
                "prefix_length": prefix,
                "min_word_length": 1,
                "suggest_mode": "always",
                "sort": "score",
                "string_distance": "levenshtein",
                "max_term_freq": 1.0,
            },
        }
        answer = self.backend.call(
            "look up spellings",
            lambda: self.backend.client.search(index=self.backend.alias, body={"size": 0, "suggest": {"w": suggester}}),
        )
        return [option["text"] for entry in answer["suggest"]["w"] for option in entry["options"]][:limit]


class OpenSearchBackend(SearchBackend):
    """The archive under an alias on an OpenSearch cluster (store.py), read by any number of web processes."""

    name = "opensearch"
    # The cluster computes; this process mostly waits for it, so a waitress server's 8 threads may all search.
    searches_at_once = 8

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.store = OpenSearchStore(settings)
        self.client = self.store.client
        self.alias = self.store.alias
        self._generation: tuple[float, Any] = (0.0, None)
        self._per_generation: dict[str, Any] = {}
        self._per_generation_of: Any = None
        self._stems: dict[tuple[str, str], str] = {}
        self._cache_lock = threading.Lock()
        # Collapsed searches read up to this many clustered matches to count exactly; more are estimated.
        self.exact_collapse = int(settings.get("OPENSEARCH_EXACT_COLLAPSE") or EXACT_COLLAPSE)
        self._word_tokens: dict[tuple[str, tuple[str, ...]], list] = {}

    def web_processes(self) -> int:
        """One web process per core: the cluster holds the index, a web process only shapes requests and results."""
        return os.cpu_count() or 1

    def __repr__(self) -> str:
        return f"OpenSearchBackend({self.store!r})"

    # -- requests ---------------------------------------------------------------------------
    def call(self, doing: str, request, deadline: float | None = None):
        """Run a read request; cluster failures become IndexUnavailable, a passed deadline DeadlinePassed.

        A request that fails on the cluster's side (5xx, a node gone mid-request) is tried again,
        READ_ATTEMPTS times in all, while the deadline allows: a node dying costs a retry, not an error.
        """
        wait = READ_RETRY_WAIT
        for attempt in range(1, READ_ATTEMPTS + 1):
            if deadline is not None and time.monotonic() > deadline:
                raise DeadlinePassed
            try:
                return request()
            except ConnectionTimeout:
                if deadline is not None:
                    raise DeadlinePassed from None
                raise self.store.unavailable(ConnectionTimeout("timed out"), doing) from None
            except OpenSearchException as exc:
                if isinstance(exc, TransportError) and "too_many" in str(exc.info):
                    raise TooManyClauses from None
                status = exc.status_code if isinstance(exc, TransportError) else None
                transient = isinstance(exc, ConnectionError) or (isinstance(status, int) and status >= 500)
                if not transient or attempt == READ_ATTEMPTS:
                    raise self.store.unavailable(exc, doing) from None
            time.sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")

    @staticmethod
    def _timeout(deadline: float | None) -> dict:
        """Client request options ending the request at the deadline."""
        if deadline is None:
            return {}
        return {"request_timeout": max(deadline - time.monotonic(), 0.05)}

    def _search(self, body: dict, deadline: float | None, doing: str = "search", **options) -> dict:
        return self.call(
            doing,
            lambda: self.client.search(
                index=self.alias, body=body, allow_partial_search_results=False, **options, **self._timeout(deadline)
            ),
            deadline,
        )

    def _cached(self, name: str, build):
        """A value worked out once per committed generation (the languages held, the archive's months)."""
        generation = self.generation()
        with self._cache_lock:  # the threads of a server share this backend
            if generation != self._per_generation_of:
                self._per_generation, self._per_generation_of = {}, generation
            cache = self._per_generation
            if name in cache:
                return cache[name]
        value = build()
        with self._cache_lock:
            cache.setdefault(name, value)  # into the generation it was built for, even if another came since
        return value

    # -- state ------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.store.exists()

    def generation(self):
        looked_up, generation = self._generation
        if time.monotonic() - looked_up < GENERATION_SECONDS and generation is not None:
            return generation
        generation = self.store.generation()
        self._generation = (time.monotonic(), generation)
        return generation

    def article_count(self) -> int:
        return self.store.article_count()

    def location(self) -> str:
        return self.store.location()

    def rebuild_reason(self) -> str | None:
        return self.store.rebuild_reason()

    def health(self) -> dict:
        """The cluster's state for /healthz: its status and node count; red (shards missing) is unavailable."""
        answer = self.call("read the cluster health", lambda: self.client.cluster.health(index=self.alias, local=True))
        if answer.get("status") == "red":
            raise IndexUnavailable(
                f"the cluster at {', '.join(self.store.hosts)} is red: some of index {self.alias}'s shards have no copy"
            )
        return {"cluster": answer.get("status"), "nodes": answer.get("number_of_nodes")}

    def warm(self) -> None:
        self._fields()
        self._months_in_archive()

    def close(self) -> None:
        self.store.close()

    # -- what every search needs ------------------------------------------------------------
    def _fields(self) -> list[str]:
        """The content fields of the languages the index holds: plain words are read in each of them."""

        def build() -> list[str]:
            body = {"size": 0, "aggs": {"languages": {"terms": {"field": a.LANGUAGE, "size": 1000}}}}
            answer = self._search(body, None, "read the languages")
            used = {a.content_field(bucket["key"]) for bucket in answer["aggregations"]["languages"]["buckets"]}
            return [field for field in a.CONTENT_FIELDS if field in used] or [a.CONTENT]

        return self._cached("fields", build)

    def _months_in_archive(self) -> dict[str, int]:
        def build() -> dict[str, int]:
            body = {"size": 0, "query": {"bool": {"must_not": [COPY]}},
                    "aggs": {"months": {"terms": {"field": a.MONTH, "size": MONTHS}}}}  # fmt: skip
            answer = self._search(body, None, "count the archive's months")
            return {b["key"]: b["doc_count"] for b in answer["aggregations"]["months"]["buckets"]}

        return self._cached("months", build)

    def _stem(self, index_field: str, text: str) -> str:
        """A pattern's text, whole, as its field stems it (asked of the cluster once, then remembered)."""
        analyzer = a.pattern_analyzer(index_field)
        if analyzer is None:
            return text
        key = (analyzer, text)
        stemmed = self._stems.get(key)
        if stemmed is None:
            body = {"analyzer": analyzer, "text": text}
            answer = self.call("stem a pattern", lambda: self.client.indices.analyze(index=self.alias, body=body))
            tokens = answer.get("tokens") or []
            stemmed = tokens[0]["token"] if tokens else ""
            if len(self._stems) >= MAX_STEMS:
                self._stems.clear()
            self._stems[key] = stemmed
        return stemmed

    def _analyze_words(self, analyzer: str, words: list[str]) -> list[list[tuple[str, int, int]]]:
        """_analyze() for a query's words: remembered (pages of one search, and searches, repeat them)."""
        key = (analyzer, tuple(words))
        tokens = self._word_tokens.get(key)
        if tokens is None:
            tokens = self._analyze(analyzer, words)
            if len(self._word_tokens) >= MAX_STEMS:
                self._word_tokens.clear()
            self._word_tokens[key] = tokens
        return tokens

    def _analyze(self, analyzer: str, texts: list[str]) -> list[list[tuple[str, int, int]]]:
        """Each text's tokens (indexed form, start, end), from one `_analyze` call.

        Only the first MARKED_CHARS characters of a text are analysed (what Whoosh's highlighter
        looks at too), so a long article cannot exceed the cluster's token limit. The cluster counts
        offsets in UTF-16 units; they are turned into Python's character positions.
        """
        texts = [text[:MARKED_CHARS] for text in texts]
        if not any(texts):
            return [[] for _ in texts]
        body = {"analyzer": analyzer, "text": texts}
        answer = self.call("analyse text", lambda: self.client.indices.analyze(index=self.alias, body=body))
        positions = [_utf16_positions(text) for text in texts]
        starts, at = [], 0
        for position in positions:
            starts.append(at)
            at += len(position)  # values are analysed one after another, one offset apart
        result: list[list[tuple[str, int, int]]] = [[] for _ in texts]
        which = 0
        for token in answer["tokens"]:
            while which + 1 < len(texts) and token["start_offset"] >= starts[which + 1]:
                which += 1
            position, start = positions[which], starts[which]
            begin, end = token["start_offset"] - start, token["end_offset"] - start
            if 0 <= begin < end < len(position):
                result[which].append((token["token"], position[begin], position[end]))
        return result

    def compiled(self, query: querylang.Node, ranked: bool = False) -> dict:
        """The query DSL of a tree, on the fields this index holds, copies left out.

        ranked: patterns score each word they stand for (`scoring_boolean`), as Whoosh ranks a
        prefix by its expansions; otherwise they match with a constant score (counting needs no rank).
        """
        dsl = compile_query(query, self._fields(), stem=self._stem)
        if ranked:
            dsl = _rewritten(dsl, kinds=("prefix", "wildcard"))
        return {"bool": {"must": [dsl], "must_not": [COPY]}}

    # -- reading ---------------------------------------------------------------------------
    def check_expansions(self, query: querylang.Node, limit: int) -> None:
        """Count the indexed words each pattern stands for, per field, with the cluster's own query rewrite.

        `_validate/query?rewrite=true` with the `scoring_boolean` rewrite lists every word a
        pattern expands to in each shard; their union per field is what Whoosh counts. A shard where
        a pattern stands for more than Lucene's clause limit (1,024) refuses to list them: too broad.
        """
        for pattern in querylang.patterns(query):
            dsl = _rewritten(compile_query(pattern, self._fields(), stem=self._stem))
            answer = self.call(
                "check the query",
                lambda dsl=dsl: self.client.indices.validate_query(
                    index=self.alias, body={"query": dsl}, explain=True, rewrite=True, all_shards=True
                ),
            )
            failures = answer.get("_shards", {}).get("failures") or []
            if any("too_many" in str(failure.get("reason")) for failure in failures):
                raise querylang.too_broad(pattern, limit)
            if failures:
                raise IndexUnavailable(
                    self.store.redact(f"the cluster could not check the query: {failures[0].get('reason')}")
                )
            words: dict[str, set[str]] = {}
            for explained in answer.get("explanations", []):
                for field, word in EXPLAINED_TERM.findall(explained.get("explanation", "")):
                    words.setdefault(field, set()).add(word)
            if any(len(found) > limit for found in words.values()):
                raise querylang.too_broad(pattern, limit)

    def _similar_ids(self, article_id: str | None, deadline: float | None = None) -> list[str] | None:
        if not article_id:
            return None
        found = self._similar_of(article_id, deadline)
        return sorted(found) if found else []

    def _clustered(
        self,
        compiled: dict,
        request: SearchRequest,
        similar_ids: list[str] | None,
        deadline: float | None,
        limit: int | None = None,
    ) -> _Clustered | None:
        """The matched articles of clusters with several, doc values only, earliest first (search.collapse).

        Read with the fields the request filters on (for _Clustered.allowed), no others: the answer is about a
        hundred bytes per article less without them. None when there are more than `limit` (reading
        them one by one would take too long for a page). Empty when the request does not collapse.
        """
        if not request.collapse:
            return _Clustered([], None)
        query = {"bool": {"must": [compiled], "filter": [{"term": {a.CLUSTERED: True}}]}}
        fields = CLUSTER_FIELDS + [FACET_FIELDS[name] for name in sorted(request.filters)]
        docs = self._read_doc_values(query, fields, deadline, at_most=limit)
        if docs is None:
            return None
        for doc in docs:
            for name in (a.DATE, a.ID_FIELD, a.CLUSTER, a.ORDER):
                doc[name] = (doc.get(name) or (None,))[0]
        earliest_first = collapse.earliest_first_key
        docs.sort(key=lambda doc: earliest_first(doc[a.DATE] is not None, doc[a.DATE] or "", doc[a.ORDER]))
        return _Clustered(docs, set(similar_ids or ()))

    def _read_doc_values(
        self, query: dict, fields: list[str], deadline: float | None, at_most: int | None = None
    ) -> list[dict] | None:
        """Every hit of a query as {field: [doc values]}, its id and order included; None if over `at_most` match.

        Pages of MAX_WINDOW hits (doc values only, a few hundred bytes each), and the first one also
        counts the matches up to at_most + 1, so a search that stays exact costs one request per 10,000
        clustered matches and one that is estimated costs one request: 20,000 clustered matches were
        21 requests (a count and 20 pages of READ_PAGE) before.

        The id and order are the sort keys each hit carries anyway, and the answer is cut to fields,
        sort keys and total (`filter_path`). At 1M articles, the 10,000 clustered matches of `country`
        were 2.5 MB of JSON, 277 ms to answer and 28 ms to decode with _id and four doc values read;
        1.1 MB, 61 ms and 22 ms without _id (DOC_VALUES_ONLY), with two doc values and this filter.
        """
        body: dict[str, Any] = {
            "query": query,
            "size": MAX_WINDOW,
            "sort": [{a.ORDER: "asc"}, {a.ID_FIELD: "asc"}],
            **DOC_VALUES_ONLY,
            "docvalue_fields": [name for name in fields if name not in (a.ORDER, a.ID_FIELD)],
            "track_total_hits": False if at_most is None else at_most + 1,
        }
        docs: list[dict] = []
        while True:
            answer = self._search(body, deadline, "read matches", filter_path=READ_FILTER)
            if body["track_total_hits"] is not False:
                if answer["hits"]["total"]["value"] > at_most:
                    return None
                body = body | {"track_total_hits": False}
            hits = answer.get("hits", {}).get("hits", [])
            for hit in hits:
                doc = hit.get("fields", {})
                doc[a.ORDER], doc[a.ID_FIELD] = hit["sort"][:1], hit["sort"][1:]
                docs.append(doc)
            if len(hits) < MAX_WINDOW:
                return docs
            body = body | {"search_after": hits[-1]["sort"]}

    @staticmethod
    def _hidden(clustered: _Clustered, request: SearchRequest, per_facet: str | None = None) -> list[str]:
        """The ids search.collapse hides for this request (per_facet: collapsed within each of its values)."""
        if not request.collapse or not clustered:
            return []
        docs = clustered.docs
        values = None
        if per_facet is not None:
            field = FACET_FIELDS[per_facet]
            values = [tuple(doc.get(field) or ()) for doc in docs]
        hide = collapse.hidden(clustered.allowed(request), clustered.rank, set(), True, values)
        return sorted(docs[i][a.ID_FIELD] for i in hide)

    def search(
        self, query: querylang.Node, request: SearchRequest, plan: list[FacetCount], deadline: float | None
    ) -> EngineResult:
        compiled = self.compiled(query)
        similar_ids = self._similar_ids(request.similar, deadline)
        clustered = self._clustered(compiled, request, similar_ids, deadline, self.exact_collapse)
        if clustered is None:
            return self._estimated(query, compiled, request, plan, similar_ids, deadline)
        hidden = self._hidden(clustered, request)
        shown = _shown_filter(request, similar_ids, hidden)
        specs = [("months", shown, {"values": {"terms": {"field": a.MONTH, "size": MONTHS}}})]
        facet_filters: dict[str, dict] = {}
        for facet in plan:
            if facet.request == request:
                facet_filters[facet.name] = shown
            else:
                per_facet = facet.name if facet.per_value else None
                facet_hidden = self._hidden(clustered, facet.request, per_facet)
                facet_filters[facet.name] = _shown_filter(facet.request, similar_ids, facet_hidden)
            field = FACET_FIELDS[facet.name]
            selected = list(request.filters.get(facet.name, ()))
            inner: dict[str, Any] = {
                "top": {
                    "terms": {
                        "field": field,
                        "size": request.facet_size * FACET_SLACK,
                        "shard_size": FACET_SHARD_SIZE,
                        "order": [{"_count": "desc"}, {"_key": "asc"}],
                    }
                },
            }
            if selected:
                inner["selected"] = {"terms": {"field": field, "include": selected, "size": len(selected)}}
            specs.append((f"facet_{facet.name}", facet_filters[facet.name], inner))
        # When every count is over the shown matches (no filter chosen), the query itself filters them.
        applied = shown if all(agg_filter == shown for _, agg_filter, _ in specs) else None

        def scoped(matching: dict) -> dict:
            return {"bool": {"must": [matching], "filter": [shown]}} if applied is not None else matching

        start = (request.page - 1) * request.per_page
        body = {
            "query": scoped(compiled),
            "aggs": _filtered_aggs(specs, applied),
            "sort": sort_clause(request.sort),
            "track_total_hits": True,
            "_source": HIT_SOURCE,
        }
        if applied is None:
            body["post_filter"] = shown
        ranked = request.sort == "relevance" and any(True for _ in querylang.patterns(query))
        if ranked:
            body["query"] = scoped(self.compiled(query, ranked=True))
        try:
            answer, page = self._page(body, start, request.per_page, deadline)
        except TooManyClauses:
            if not ranked:
                raise IndexUnavailable("the cluster refused the query: it stands for too many words") from None
            # Lucene caps a query's clauses (1,024 in all): patterns that stand for more words together
            # are matched unranked, as they are counted.
            body["query"] = scoped(compiled)
            answer, page = self._page(body, start, request.per_page, deadline)
        results = _flat_aggs(answer["aggregations"])
        facet_counts: dict[str, dict[str, int]] = {}
        tied: dict[str, int] = {}  # facet -> the count of values tied across the cut the cluster made
        for facet in plan:
            counted = results[f"facet_{facet.name}"]
            counts = {b["key"]: b["doc_count"] for b in counted.get("selected", {}).get("buckets", [])}
            top = counted["top"]["buckets"]
            counts.update({b["key"]: b["doc_count"] for b in top})
            facet_counts[facet.name] = counts
            shown_values = min(request.facet_size, len(top)) - 1
            if len(top) == request.facet_size * FACET_SLACK and top[-1]["doc_count"] == top[shown_values]["doc_count"]:
                tied[facet.name] = top[-1]["doc_count"]
        if tied:
            self._untie(scoped(compiled), facet_filters, applied, tied, facet_counts, deadline)
        if self._shards() > 1 and any(facet_counts.values()):
            facet_counts = self._exact_counts(scoped(compiled), facet_filters, applied, facet_counts, deadline)
        return EngineResult(
            total=int(answer["hits"]["total"]["value"]),
            hits=self._hits(page, query, deadline, ranked=request.sort == "relevance"),
            facet_counts=facet_counts,
            month_counts={b["key"]: b["doc_count"] for b in results["months"]["values"]["buckets"]},
            months_in_archive=self._months_in_archive(),
        )

    def _estimated(
        self,
        query: querylang.Node,
        compiled: dict,
        request: SearchRequest,
        plan: list[FacetCount],
        similar_ids: list[str] | None,
        deadline: float | None,
    ) -> EngineResult:
        """A collapsed search over more clustered matches than EXACT_COLLAPSE: counted by estimate, said so.

        Stories are the matched articles alone in their cluster plus the distinct clusters of the
        others (a `cardinality` aggregation: HyperLogLog++, close to exact below 40,000 clusters,
        within a few percent above); facet and month values count their stories the same way. The
        page is OpenSearch's `collapse` on the cluster, each shown as its earliest matching article
        (inner hits), ranked by its cluster's best match; it reaches MAX_WINDOW stories at most.
        """
        start = (request.page - 1) * request.per_page
        if start + request.per_page > MAX_WINDOW:
            raise InvalidParameter(
                f"this search collapses more than {self.exact_collapse:,} near-duplicates: its stories are shown up "
                f"to number {MAX_WINDOW:,}; narrow it, show every version (collapse=0), or export it",
                param="page",
            )

        def filtered(facet_request: SearchRequest) -> dict:
            return _shown_filter(facet_request, similar_ids, [])

        shown = filtered(request)
        aggs: dict[str, Any] = {
            "stories": {"filter": shown, "aggs": STORIES},
            "months": {
                "filter": shown,
                "aggs": {"values": {"terms": {"field": a.MONTH, "size": MONTHS}, "aggs": STORIES_PER_VALUE}},
            },
        }
        for facet in plan:
            terms = {"field": FACET_FIELDS[facet.name], "size": request.facet_size * FACET_SLACK,
                     "shard_size": FACET_SHARD_SIZE}  # fmt: skip
            inner: dict[str, Any] = {"top": {"terms": terms, "aggs": STORIES_PER_VALUE}}
            if selected := list(request.filters.get(facet.name, ())):
                inner["selected"] = {"terms": {"field": terms["field"], "include": selected, "size": len(selected)},
                                     "aggs": STORIES_PER_VALUE}  # fmt: skip
            aggs[f"facet_{facet.name}"] = {"filter": filtered(facet.request), "aggs": inner}
        earliest = [{a.DATE: {"order": "asc", "missing": "_last"}}, {a.ORDER: "asc"}]
        body = {
            "query": self.compiled(query, ranked=request.sort == "relevance"),
            "post_filter": shown,
            "aggs": aggs,
            "sort": sort_clause(request.sort),
            "collapse": {
                "field": a.CLUSTER,
                "inner_hits": {"name": "earliest", "size": 1, "sort": earliest, "_source": HIT_SOURCE},
            },  # fmt: skip
            "track_total_hits": False,
            "_source": False,
            "from": start,
            "size": request.per_page,
        }
        try:
            answer = self._search(body, deadline)
        except TooManyClauses:
            answer = self._search(body | {"query": compiled}, deadline)
        page = []
        for head in answer["hits"]["hits"]:
            shown_hit = dict(head["inner_hits"]["earliest"]["hits"]["hits"][0])
            shown_hit["_score"] = head.get("_score")
            page.append(shown_hit)
        results = answer["aggregations"]
        facet_counts = {}
        for facet in plan:
            counted = results[f"facet_{facet.name}"]
            buckets = counted.get("selected", {}).get("buckets", []) + counted["top"]["buckets"]
            facet_counts[facet.name] = {bucket["key"]: _stories(bucket) for bucket in buckets}
        return EngineResult(
            total=_stories(results["stories"]),
            hits=self._hits(page, query, deadline, ranked=request.sort == "relevance"),
            facet_counts=facet_counts,
            month_counts={b["key"]: _stories(b) for b in results["months"]["values"]["buckets"]},
            months_in_archive=self._months_in_archive(),
            exact=False,
        )

    def _shards(self) -> int:
        """How many primary shards the live index has (its facet counts need a second look when more than one)."""

        def build() -> int:
            found = self.call("read the index settings", lambda: self.client.indices.get_settings(index=self.alias))
            return max(int(index["settings"]["index"]["number_of_shards"]) for index in found.values())

        return self._cached("shards", build)

    def _untie(
        self,
        compiled: dict,
        filters: dict[str, dict],
        applied: dict | None,
        tied: dict[str, int],
        counts: dict[str, dict[str, int]],
        deadline: float | None,
    ) -> None:
        """Add every value with at least the tied count, so that our order (case-insensitive) picks among them.

        The cluster cuts a facet's values at a count tie by byte order ("Zed" before "de Souza");
        search.facets orders ties by lower-cased value. When the values shown end in a tie that the
        cut went through, all values with that count are fetched (up to MAX_TIED).
        """
        terms = {
            name: {"field": FACET_FIELDS[name], "size": MAX_TIED, "min_doc_count": count, "shard_size": MAX_TIED}
            for name, count in tied.items()
        }
        found = self._value_counts(compiled, filters, applied, terms, deadline, "count tied facet values")
        for name, values in found.items():
            counts[name].update(values)

    def _exact_counts(
        self,
        compiled: dict,
        filters: dict[str, dict],
        applied: dict | None,
        candidates: dict[str, dict[str, int]],
        deadline: float | None,
    ) -> dict[str, dict[str, int]]:
        """Count the values found for each facet exactly, in one more request, on an index of several shards.

        A terms aggregation sums what each shard reports among its own top values, so on several
        shards a count can come out low (a value outside one shard's top is missing from the sum).
        Asked again for exactly these values (`include`), every shard reports every one of them.
        The values themselves are the shards' top FACET_SHARD_SIZE candidates; the counts shown are exact.
        """
        terms = {
            name: {"field": FACET_FIELDS[name], "include": sorted(counts), "size": len(counts)}
            for name, counts in candidates.items()
            if counts
        }
        found = self._value_counts(compiled, filters, applied, terms, deadline, "count facet values")
        return {name: {} for name in candidates} | found

    def _value_counts(
        self,
        compiled: dict,
        filters: dict[str, dict],
        applied: dict | None,
        terms: dict[str, dict],
        deadline: float | None,
        doing: str,
    ) -> dict[str, dict[str, int]]:
        """{facet: {value: count}} from one request: each facet's `terms` aggregation under its filter."""
        specs = [(name, filters[name], {"values": {"terms": facet_terms}}) for name, facet_terms in terms.items()]
        body = {"size": 0, "query": compiled, "aggs": _filtered_aggs(specs, applied)}
        answer = self._search(body, deadline, doing)
        return {
            name: {b["key"]: b["doc_count"] for b in counted["values"]["buckets"]}
            for name, counted in _flat_aggs(answer["aggregations"]).items()
        }

    def _page(self, body: dict, start: int, size: int, deadline: float | None) -> tuple[dict, list[dict]]:
        """The answer (total, aggregations) and the page of hits from `start`."""
        if start + size <= MAX_WINDOW:
            answer = self._search(body | {"from": start, "size": size}, deadline)
            return answer, answer["hits"]["hits"]
        return self._search(body | {"size": 0}, deadline), self._deep_page(body, start, size, deadline)

    def _deep_page(self, body: dict, start: int, size: int, deadline: float | None) -> list[dict]:
        """The hits from `start` on, past the cluster's window: skipped through with search_after, ids only."""
        walk = {k: v for k, v in body.items() if k != "aggs"} | {**DOC_VALUES_ONLY, "track_total_hits": False}
        # The same copy of each shard for every step (replicas may score a hair apart), so no hit repeats.
        preference = secrets.token_hex(8)
        after = None
        skipped = 0
        while skipped < start:
            step = min(MAX_WINDOW, start - skipped)
            request = walk | {"size": step} | ({"search_after": after} if after else {})
            hits = self._search(request, deadline, preference=preference)["hits"]["hits"]
            if not hits:
                return []
            skipped += len(hits)
            after = hits[-1]["sort"]
        request = {k: v for k, v in body.items() if k != "aggs"} | {"size": size, "track_total_hits": False}
        if after:
            request["search_after"] = after
        return self._search(request, deadline, preference=preference)["hits"]["hits"]

    def _hits(
        self, page: list[dict], query: querylang.Node | None, deadline: float | None, ranked: bool = True
    ) -> list[Hit]:
        """Result-list entries for a page of hits: snippets, versions and similar counts."""
        if not page:
            return []
        sources = [hit["_source"] for hit in page]
        versions, similar_counts = self._counts(sources, deadline)
        texts = [(s.get(a.BODY) or "", s.get(a.TITLE) or "", s.get(a.LANGUAGE)) for s in sources]
        if query is not None:
            snippets = Marker(query, self._analyze, self._stem, self._analyze_words).snippets(texts)
        else:
            snippets = [fallback_snippet(body) for body, _, _ in texts]
        hits = []
        for hit, source, similar_count, snippet in zip(page, sources, similar_counts, snippets, strict=True):
            score = hit.get("_score") if query is not None and ranked else None
            found = hit_from_stored(
                source, source.get(a.RECORD) or {}, snippet, score, versions.get(source.get(a.CLUSTER) or "", 1)
            )
            found.similar = similar_count
            hits.append(found)
        return hits

    @staticmethod
    def _similar_query(source: dict) -> dict | None:
        """Articles sharing enough topic keys with this one, its versions left out; None when it has too few."""
        keys = list(dict.fromkeys(source.get(a.TOPIC_KEYS) or []))
        if len(keys) < similar.SIMILAR_SHARED_KEYS:
            return None
        leave_out: list[dict] = [COPY, {"ids": {"values": [source[a.ID_FIELD]]}}]
        if source.get(a.CLUSTER):
            leave_out.append({"term": {a.CLUSTER: source[a.CLUSTER]}})
        return {
            "bool": {
                # Each shared key scores 1: the score is the number of keys shared.
                "should": [{"constant_score": {"filter": {"term": {a.TOPIC_KEYS: key}}, "boost": 1}} for key in keys],
                "minimum_should_match": similar.SIMILAR_SHARED_KEYS,
                "must_not": leave_out,
            }
        }

    def _counts(
        self, sources: list[dict], deadline: float | None, with_similar: bool = True
    ) -> tuple[dict[str, int], list[int]]:
        """Return the sizes of these articles' clusters, and each one's count of similar articles.

        Similar as search.similar says; one `_msearch` for a page of them.
        """
        clusters = sorted({source.get(a.CLUSTER) for source in sources if source.get(a.CLUSTER)})
        queries = [self._similar_query(source) if with_similar else None for source in sources]
        lines: list[dict] = []
        if clusters:
            query = {"bool": {"filter": [{"terms": {a.CLUSTER: clusters}}], "must_not": [COPY]}}
            aggs = {"clusters": {"terms": {"field": a.CLUSTER, "size": len(clusters)}}}
            lines += [{}, {"size": 0, "track_total_hits": False, "query": query, "aggs": aggs}]
        for query in queries:
            if query is not None:
                lines += [{}, {"size": 0, "track_total_hits": True, "query": query}]
        if not lines:
            return {}, [0] * len(sources)
        answer = self.call(
            "count versions and similar articles",
            lambda: self.client.msearch(index=self.alias, body=lines, **self._timeout(deadline)),
            deadline,
        )
        responses = iter(answer["responses"])
        for response in answer["responses"]:
            if "error" in response or response.get("_shards", {}).get("failed"):
                raise self.store.unavailable(TransportError(500, str(response["error"])[:200], {}), "count versions")
        versions = {}
        if clusters:
            buckets = next(responses)["aggregations"]["clusters"]["buckets"]
            versions = {bucket["key"]: bucket["doc_count"] for bucket in buckets}
        counts = [0 if query is None else int(next(responses)["hits"]["total"]["value"]) for query in queries]
        return versions, counts

    def _similar_of(self, article_id: str, deadline: float | None = None) -> dict[str, tuple[int, int, str | None]]:
        """{id: (keys shared, order, date)} of the articles similar to this one (empty for an unknown id)."""
        doc = self._get_article(article_id)
        if doc is None:
            return {}
        query = self._similar_query(doc)
        if query is None:
            return {}
        body: dict[str, Any] = {
            "query": query,
            "size": READ_PAGE,
            **DOC_VALUES_ONLY,
            "docvalue_fields": [a.ID_FIELD, a.ORDER, a.DATE],
            "sort": [{"_score": "desc"}, {a.ORDER: "asc"}, {a.ID_FIELD: "asc"}],
            "track_total_hits": False,
        }
        found = {}
        while True:
            hits = self._search(body, deadline, "find similar articles")["hits"]["hits"]
            for hit in hits:
                fields = hit["fields"]
                shared = round(hit["sort"][0])
                found[fields[a.ID_FIELD][0]] = (shared, fields[a.ORDER][0], (fields.get(a.DATE) or [None])[0])
            if len(hits) < READ_PAGE:
                return found
            body = body | {"search_after": hits[-1]["sort"]}

    def count(self, query: querylang.Node, request: SearchRequest, deadline: float | None) -> int:
        compiled = self.compiled(query)
        body = {
            "query": {
                "bool": {
                    "must": [compiled],
                    "filter": filter_clauses(request, self._similar_ids(request.similar, deadline)),
                }
            }
        }
        answer = self.call(
            "count matches", lambda: self.client.count(index=self.alias, body=body, **self._timeout(deadline)), deadline
        )
        return int(answer["count"])

    def vocabulary(self) -> OpenSearchVocabulary:
        return OpenSearchVocabulary(self)

    def matches(
        self, query: querylang.Node, request: SearchRequest, limit: int | None, deadline: float | None
    ) -> Iterator[ArticleRecord]:
        """Every shown article in order, read through a point in time with search_after (no 10,000 cap).

        The point in time is opened (and the clustered articles read) within the deadline, so what
        is exported is the index as it was when the export started, however long streaming takes.
        """
        compiled = self.compiled(query)
        similar_ids = self._similar_ids(request.similar, deadline)
        clustered = self._clustered(compiled, request, similar_ids, deadline)
        hidden = self._hidden(clustered, request)
        shown = _shown_filter(request, similar_ids, hidden)
        pit = self.call(
            "start an export",
            lambda: self.client.create_pit(
                index=self.alias,
                keep_alive=PIT_KEEP_ALIVE,
                allow_partial_pit_creation=False,  # every shard, or an error: never a silently short export
                **self._timeout(deadline),
            ),
            deadline,
        )["pit_id"]
        # Ranked as the page is (patterns by their words), unless the cluster refuses that many clauses.
        ranked = request.sort == "relevance" and any(True for _ in querylang.patterns(query))
        body: dict[str, Any] = {
            "query": {"bool": {"must": [self.compiled(query, ranked=ranked)], "filter": [shown]}},
            "sort": sort_clause(request.sort),
            "track_total_hits": False,
            "_source": True,
            "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE},
        }

        def read() -> Iterator[ArticleRecord]:
            nonlocal body, pit
            left = limit
            try:
                while left is None or left > 0:
                    size = READ_PAGE if left is None else min(READ_PAGE, left)
                    page_body = body | {"size": size}
                    try:
                        answer = self.call(
                            "read the export",
                            lambda page_body=page_body: self.client.search(
                                body=page_body, allow_partial_search_results=False
                            ),
                        )
                    except TooManyClauses:
                        if body["query"]["bool"]["must"][0] is compiled:
                            raise
                        body = body | {"query": {"bool": {"must": [compiled], "filter": [shown]}}}
                        continue
                    if answer["_shards"].get("failed"):
                        raise self.store.unavailable(TransportError(503, "shards failed", {}), "read the export")
                    pit = answer.get("pit_id", pit)
                    hits = answer["hits"]["hits"]
                    yield from self._records([hit["_source"] for hit in hits])
                    if len(hits) < size:
                        return
                    if left is not None:
                        left -= len(hits)
                    body = body | {"search_after": hits[-1]["sort"], "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE}}
            finally:
                with contextlib.suppress(OpenSearchException):
                    self.client.delete_pit(body={"pit_id": [pit]})

        return read()

    def _records(self, sources: list[dict], with_similar: bool = False) -> list[ArticleRecord]:
        """Whole articles with their copies' files and cluster sizes (two requests for a page of them)."""
        if not sources:
            return []
        versions, similar_counts = self._counts(sources, None, with_similar)
        hashes = sorted({s.get(a.BODY_HASH) for s in sources if s.get(a.BODY_HASH)})
        copies: dict[str, list[str]] = {}
        if hashes:
            query = {"bool": {"filter": [{"terms": {a.BODY_HASH: hashes}}, COPY]}}
            for fields in self._read_doc_values(query, [a.BODY_HASH, a.PATH], None):
                copies.setdefault(fields[a.BODY_HASH][0], []).append(fields[a.PATH][0])
        records = []
        for source, similar_count in zip(sources, similar_counts, strict=True):
            article = record_from_stored(source, source.get(a.RECORD) or {})
            article.paths += sorted(copies.get(source.get(a.BODY_HASH) or "", []))
            article.versions = versions.get(article.cluster or "", 1)
            article.similar = similar_count
            records.append(article)
        return records

    def _get_article(self, article_id: str) -> dict | None:
        """The source of the article with this id; for an exact copy's id, of the article it copies."""
        body = {"query": {"ids": {"values": [article_id]}}, "size": 1}
        hits = self._search(body, None, "read an article")["hits"]["hits"]
        if not hits:
            return None
        source = hits[0]["_source"]
        if source.get(a.ROLE) != ROLE_COPY:
            return source
        body = {"query": {"bool": {"filter": [{"term": {a.BODY_HASH: source[a.BODY_HASH]}}], "must_not": [COPY]}},
                "size": 1, "sort": [{a.ORDER: "asc"}]}  # fmt: skip
        hits = self._search(body, None, "read an article")["hits"]["hits"]
        return hits[0]["_source"] if hits else None

    def article(self, article_id: str) -> ArticleRecord | None:
        source = self._get_article(article_id)
        return self._records([source], with_similar=True)[0] if source is not None else None

    def related(self, article_id: str, limit: int) -> list[Hit] | None:
        doc = self._get_article(article_id)
        if doc is None:
            return None
        found = self._similar_of(article_id)
        day = (doc.get(a.RECORD) or {}).get("date")
        by_order = {order: (shared, other_day, other_id) for other_id, (shared, order, other_day) in found.items()}

        def distance(order: int) -> float | None:
            other_day = by_order[order][1]
            if day is None or other_day is None:
                return None
            return abs((_date(other_day) - _date(day)).total_seconds())

        chosen = similar.related_order({order: v[0] for order, v in by_order.items()}, distance, limit)
        ids = [by_order[order][2] for order in chosen]
        if not ids:
            return []
        body = {"query": {"ids": {"values": ids}}, "size": len(ids), "_source": HIT_SOURCE}
        by_id = {
            hit["_source"][a.ID_FIELD]: hit for hit in self._search(body, None, "read related articles")["hits"]["hits"]
        }
        page = [by_id[i] for i in ids if i in by_id]
        return self._hits(page, None, None)

    def marked_paragraphs(self, paragraphs: list[str], query: querylang.Node, language: str | None) -> list[str]:
        return Marker(query, self._analyze, self._stem, self._analyze_words).whole(paragraphs, language)

    # -- writing ---------------------------------------------------------------------------
    @property
    def state_dir(self) -> Path:
        return self.store.state_dir

    def update(self, full: bool = False, workers: int = 1) -> OpenSearchUpdate:
        return self.store.update(full=full, workers=workers)

    def indexed_files(self) -> dict[str, str]:
        return self.store.indexed_files()

    def ingest_report(self) -> list[dict]:
        return self.store.ingest_report()


def _story_aggs(precision: int) -> dict:
    """Sub-aggregations counting stories: articles alone in their cluster, plus distinct clusters of the others.

    precision: clusters counted (nearly) exactly; the estimate takes 8 bytes per unit of it per
    bucket in the cluster's memory, so buckets (months, facet values) count with less.
    """
    return {
        "alone": {"filter": {"term": {a.CLUSTERED: False}}},
        "clustered": {
            "filter": {"term": {a.CLUSTERED: True}},
            "aggs": {"clusters": {"cardinality": {"field": a.CLUSTER, "precision_threshold": precision}}},
        },
    }


STORIES = _story_aggs(40_000)  # the total: exact up to 40,000 clusters (the most OpenSearch allows)
STORIES_PER_VALUE = _story_aggs(3_000)  # each month or facet value: OpenSearch's default precision


def _stories(bucket: dict) -> int:
    """The stories of a bucket counted with STORIES."""
    return int(bucket["alone"]["doc_count"] + bucket["clustered"]["clusters"]["value"])


def _utf16_positions(text: str) -> list[int]:
    """For each UTF-16 offset into text, up to its end: the character position (its length: UTF-16 units + 1)."""
    if text.isascii() or all(ord(char) < 0x10000 for char in text):
        return list(range(len(text) + 1))
    positions = []
    for index, char in enumerate(text):
        positions += [index] * (2 if ord(char) >= 0x10000 else 1)
    return [*positions, len(text)]


def _date(day: str):
    import datetime as dt

    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.min)


def _rewritten(dsl, kinds: tuple[str, ...] = ("prefix", "wildcard", "fuzzy"), within: str | None = None):
    """The DSL with the patterns of these kinds listing their words (`scoring_boolean`) instead of constant scores.

    For counting a pattern's words (check_expansions), and for ranking by them: Whoosh ranks a
    prefix or wildcard by the words it stands for, a fuzzy word with a constant score.
    """
    if isinstance(dsl, dict):
        return {
            key: (
                "scoring_boolean"
                if key == "rewrite" and value == EXPANSION_REWRITE and within in kinds
                else _rewritten(value, kinds, key if key in ("prefix", "wildcard", "fuzzy") else within)
            )
            for key, value in dsl.items()
        }
    if isinstance(dsl, list):
        return [_rewritten(item, kinds, within) for item in dsl]
    return dsl


def from_settings(settings: Mapping[str, Any]) -> OpenSearchBackend:
    """Return the OpenSearch backend the settings describe (OPENSEARCH_URL, OPENSEARCH_INDEX, ..., INDEX_DIR)."""
    return OpenSearchBackend(settings)
