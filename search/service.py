"""The one search function the HTML pages and the JSON API both call, and article look-up."""

from __future__ import annotations

import collections
import datetime as dt
import heapq
import html
import itertools
import json
import logging
import math
import re
import threading
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from whoosh import collectors, highlight
from whoosh.collectors import TimeLimit
from whoosh.query import And, DateRange, Every, NullQuery, Or, Query, Term

from search import docsets
from search import schema as f
from search.errors import SearchError, SearchTimeout
from search.query import AnyLanguageParser, check_expansions, describe_parser, describe_query, parse_query
from search.request import SearchRequest
from search.schema import MONTH_FACET
from search.store import ArchiveIndex, IndexUnavailable

log = logging.getLogger(__name__)

SNIPPET_FRAGMENTS = 3
# How often a server looks for a new index generation to warm (GenerationWarmer).
WARM_CHECK_SECONDS = 2.0
SNIPPET_CHARS = 200
FALLBACK_SNIPPET_CHARS = 240


@dataclass
class Hit:
    """One article in a result list."""

    id: str
    title: str
    source: str | None
    authors: list[str]
    date: str | None
    language: str
    dateline: str | None
    snippet: str  # HTML-escaped text, matches wrapped in <mark>
    score: float | None
    cluster: str | None = None  # its near-duplicate cluster
    versions: int = 1  # articles in that cluster, itself included
    similar: int = 0  # other articles naming enough of the same people and places (not its versions)


@dataclass
class FacetValue:
    """One value of a facet with how many matching articles have it."""

    value: str
    count: int
    selected: bool


@dataclass
class MonthBucket:
    """Matching articles in one month, beside all archived articles of that month."""

    value: str  # YYYY-MM
    count: int
    total_in_archive: int


@dataclass
class SearchResult:
    """The answer to a SearchRequest, shaped for both the HTML page and the JSON API."""

    request: SearchRequest
    parsed: str
    total: int
    pages: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    months: list[MonthBucket] = field(default_factory=list)
    suggestion: str | None = None


@dataclass
class ArticleRecord:
    """A whole stored article: metadata, clean body, and how each field was found."""

    id: str
    path: str
    title: str
    body: str
    authors: list[str]
    date: str | None
    source: str | None
    url: str | None
    dateline: str | None
    agency: str | None
    language: str
    language_confidence: float | None
    methods: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)  # every corpus file holding this text: its own, then copies
    cluster: str | None = None
    versions: int = 1
    similar: int = 0


class MarkFormatter(highlight.Formatter):
    """Escape all text and wrap matched words in <mark>."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{html.escape(highlight.get_text(text, token, replace), quote=False)}</mark>"


class Marker:
    """Marks the words a query matched in stored text (the body is stored, not indexed, so Whoosh can't).

    Each article is marked with the words matched in its own language's field, analysed that
    language's way, so "Angriffe" marks "Angriff" in German text; the marks sit on the original
    words.
    """

    def __init__(self, searcher, query: Query) -> None:
        # Prefixes, wildcards and fuzzy words are expanded to the indexed words they matched.
        # Leaf by leaf: Whoosh's existing_terms on a compound query reuses its `fieldname` argument
        # as a loop variable and so skips every field after the first.
        self.terms: dict[str, set[str]] = {}
        reader = searcher.reader()
        for leaf in query.leaves():
            for fieldname, text in leaf.existing_terms(reader, phrases=True, expand=True):
                word = text.decode("utf-8") if isinstance(text, bytes) else text
                self.terms.setdefault(fieldname, set()).add(word)
        self.schema = searcher.schema
        self.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        self.formatter = MarkFormatter()

    def _words(self, language: str | None) -> tuple[frozenset[str], object]:
        field = f.content_field(language)
        words = self.terms.get(field, set()) | self.terms.get(f.TITLE, set())
        return frozenset(words), self.schema[field].analyzer

    def snippet(self, body: str, title: str = "", language: str | None = None) -> str:
        """Return up to three escaped fragments around matches in the body.

        When only the title matched, the marked title leads the start of the body; with no
        match at all, the start of the body alone.
        """
        words, analyzer = self._words(language)
        if words:
            fragments = highlight.highlight(
                body, words, analyzer, self.fragmenter, self.formatter, top=SNIPPET_FRAGMENTS
            )
            if fragments:
                return " ".join(fragments.split())
            marked_title = self.whole(title, language)
            if "<mark>" in marked_title:
                return f"{marked_title} — {_fallback_snippet(body)}"
        return _fallback_snippet(body)

    def whole(self, text: str, language: str | None = None) -> str:
        """Return the whole text escaped, with every matched word marked."""
        words, analyzer = self._words(language)
        if words:
            marked = highlight.highlight(text, words, analyzer, highlight.WholeFragmenter(), self.formatter)
            if marked:
                return marked
        return html.escape(text, quote=False)


def _filter_query(request: SearchRequest, skip_facet: str | None = None, searcher=None) -> Query | None:
    """Combine filters: values of one facet OR together, different facets and dates AND.

    With a searcher, `similar` (the articles similar to one) is among them.
    """
    parts: list[Query] = []
    if request.similar and searcher is not None:
        parts.append(_similar_query(searcher, request.similar))
    for name, values in request.filters.items():
        if name != skip_facet:
            parts.append(Or([Term(f.FACET_FIELDS[name], value) for value in values]))
    if request.cluster:
        parts.append(Term(f.CLUSTER, request.cluster))
    if request.date_from or request.date_to:
        start = dt.datetime.combine(request.date_from, dt.time.min) if request.date_from else None
        end = dt.datetime.combine(request.date_to, dt.time.max) if request.date_to else None
        parts.append(DateRange(f.DATE, start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


# Filters (facet values, date ranges) remembered per searcher as a byte per document: 1 where allowed.
MAX_CACHED_FILTERS = 64  # each takes 1 byte per document: about 300 KB at 300k articles


def _filter_mask(searcher, filter_query: Query | None) -> bytearray | None:
    """Return which documents a filter allows (None: no filter), worked out once per searcher and filter."""
    if filter_query is None:
        return None
    shared = docsets.generation_cache(searcher)
    cache = docsets.cached(searcher, "filters", dict)
    allowed = cache.get(filter_query)
    if allowed is None:
        allowed = bytearray(searcher.doc_count_all())
        for docnum in docsets.query_docs(searcher, filter_query):
            allowed[docnum] = 1
        with shared["lock"]:
            while len(cache) >= MAX_CACHED_FILTERS:
                cache.pop(next(iter(cache)))
            cache[filter_query] = allowed
    return allowed


def _facet_counts(searcher, name: str, docs: list[int]) -> collections.Counter:
    """Count the values of a facet (or the months) among these documents, from per-document value lists."""
    fieldname = f.MONTH if name == MONTH_FACET else f.FACET_FIELDS[name]
    if name in f.MULTI_VALUED_FACETS:
        return docsets.count_value_lists(docsets.field_value_lists(searcher, fieldname), docs)
    return docsets.count_values(docsets.field_values(searcher, fieldname), docs)


def _facet_values(counts: dict, selected: tuple[str, ...], size: int) -> list[FacetValue]:
    values = [FacetValue(str(v), n, str(v) in selected) for v, n in counts.items() if v not in (None, "")]
    present = {v.value for v in values}
    # A selected value keeps its place in the list even when the query no longer matches it.
    values += [FacetValue(v, 0, True) for v in selected if v not in present]
    values.sort(key=lambda item: (-item.count, item.value.lower()))
    return [v for v in values[:size]] + [v for v in values[size:] if v.selected]


def _parser(searcher):
    """The query parser for this index: plain words are analysed for every language it holds."""

    def build():
        reader = searcher.reader()
        present = [field for field in f.CONTENT_FIELDS if reader.field_length(field)]
        return AnyLanguageParser(searcher.schema, present or [f.CONTENT])

    return docsets.cached(searcher, "parser", build)


def _describe_parser(searcher):
    return docsets.cached(searcher, "describe", lambda: describe_parser(searcher.schema))


def _months_in_archive(searcher) -> dict[str, int]:
    def build() -> dict[str, int]:
        counts = _facet_counts(searcher, MONTH_FACET, docsets.query_docs(searcher, Every()))
        return {month: n for month, n in counts.items() if month}

    return docsets.cached(searcher, "months", build)


def _month_buckets(counts: dict, searcher) -> list[MonthBucket]:
    in_archive = _months_in_archive(searcher)
    return [MonthBucket(month, n, in_archive.get(month, n)) for month, n in sorted(counts.items()) if month]


def _date_keys(searcher, newest_first: bool) -> array:
    """Return each document's place in date order (undated last), as a list by document number, once per searcher."""

    def build() -> array:
        dated = docsets.column_values(searcher, f.HAS_DATE)
        dates = docsets.column_values(searcher, f.DATE, translate=False)  # sortable integers
        sign = -1 if newest_first else 1
        # A signed 64-bit array: 8 bytes a document instead of a Python int each.
        # has_date is 1 for a dated article (a copy holds none: Whoosh reads that as the largest number).
        return array("q", (sign * day if has == 1 else docsets.LAST for has, day in zip(dated, dates, strict=True)))

    return docsets.cached(searcher, "newest_first" if newest_first else "oldest_first", build)


@dataclass
class Duplicates:
    """The exact copies and near-duplicate clusters of one index generation, worked out once per searcher."""

    copies: set[int]  # documents that only record another file holding an article's text
    members: dict[str, list[int]]  # cluster with several articles -> its articles, earliest first
    rank: dict[int, tuple[str, int]]  # article of such a cluster -> (cluster, place in it)


def duplicates(searcher) -> Duplicates:
    """Return the copies and clusters of the searcher's index generation (computed once, then cached).

    Every article's cluster column holds the id of its cluster's first article (its own id, when it
    started one), so the clusters with several articles are the column's repeated values.
    """

    def build() -> Duplicates:
        copies = set(docsets.query_docs(searcher, Term(f.ROLE, f.ROLE_COPY)))
        clusters = docsets.column_values(searcher, f.CLUSTER)
        shared = {cluster for cluster, n in collections.Counter(clusters).items() if n > 1 and cluster}
        groups: dict[str, list[int]] = {}
        for docnum in docsets.query_docs(searcher, Every()):
            if clusters[docnum] in shared and docnum not in copies:
                groups.setdefault(clusters[docnum], []).append(docnum)
        reader = searcher.reader()
        dated, dates = reader.column_reader(f.HAS_DATE), reader.column_reader(f.DATE)

        def earliest_first(docnum: int) -> tuple:
            # Undated articles last; the date column holds a default for them.
            return (0, dates[docnum], docnum) if dated[docnum] else (1, 0, docnum)

        members = {cluster: sorted(docnums, key=earliest_first) for cluster, docnums in groups.items()}
        members = {cluster: docnums for cluster, docnums in members.items() if len(docnums) > 1}
        return Duplicates(
            copies=copies,
            members=members,
            rank={
                docnum: (cluster, place) for cluster, docnums in members.items() for place, docnum in enumerate(docnums)
            },
        )

    return docsets.cached(searcher, "duplicates", build)


def _hidden(searcher, docs: list[int], collapse: bool, per_facet: str | None = None) -> set[int]:
    """Return which of these matched documents a search must not show.

    Exact copies never show; with collapse, neither does any article of a cluster but the earliest
    one among the documents. per_facet: collapse within each value of this (single-valued) facet,
    so its counts say how many stories choosing that value alone would show.
    """
    dup = duplicates(searcher)
    hidden = dup.copies.intersection(docs) if dup.copies else set()
    if collapse and dup.rank:
        values = None
        if per_facet is not None and per_facet not in f.MULTI_VALUED_FACETS:
            values = docsets.field_values(searcher, f.FACET_FIELDS[per_facet])
        first: dict[tuple, tuple[int, int]] = {}  # (cluster, facet value) -> (place, document) of its earliest match
        for docnum in sorted(dup.rank.keys() & set(docs)):
            cluster, place = dup.rank[docnum]
            key = (cluster, values[docnum] if values is not None else None)
            if key in first:
                hidden.add(max(first[key], (place, docnum))[1])
                first[key] = min(first[key], (place, docnum))
            else:
                first[key] = (place, docnum)
    return hidden


def _shown(
    searcher, matched: list[int], filter_query: Query | None, collapse: bool, per_facet: str | None = None
) -> list[int]:
    """Return the matched documents a search shows: those its filters allow, less copies and collapsed versions."""
    allowed = _filter_mask(searcher, filter_query)
    docs = list(filter(allowed.__getitem__, matched)) if allowed is not None else matched
    hidden = _hidden(searcher, docs, collapse, per_facet)
    return list(itertools.filterfalse(hidden.__contains__, docs)) if hidden else docs


def _similar_query(searcher, article_id: str) -> Query:
    """Return a query for the articles similar to this one (none when the id is unknown)."""
    docnum = _article_docnum(searcher, article_id)
    similar = similar_docs(searcher, docnum, searcher.stored_fields(docnum)) if docnum is not None else {}
    ids = [searcher.stored_fields(d)[f.ID_FIELD] for d in sorted(similar)]
    return Or([Term(f.ID_FIELD, i) for i in ids]) if ids else NullQuery


# Articles per topic key remembered per searcher (a page of hits often shares its commonest names),
# up to this many document numbers in all: about 1.6 MB as arrays.
MAX_CACHED_TOPIC_DOCS = 200_000


def _topic_docs(searcher, key: str) -> array:
    cache = docsets.cached(searcher, "topic_docs", dict)
    docs = cache.get(key)
    if docs is None:
        docs = array("I", docsets.query_docs(searcher, Term(f.TOPIC_KEYS, key)))
        with docsets.generation_cache(searcher)["lock"]:
            while cache and sum(map(len, cache.values())) + len(docs) > MAX_CACHED_TOPIC_DOCS:
                cache.pop(next(iter(cache)))
            cache[key] = docs
    return docs


def similar_docs(searcher, docnum: int, stored: dict) -> dict[int, int]:
    """Return {document: names shared} of the articles sharing enough topic keys with this one.

    Its own versions (near-duplicates) are left out: they are the same story, not similar ones.
    Each topic key's postings list the articles that name it among their main names, so this
    reads a few short lists.
    """
    keys = json.loads(stored.get(f.RECORD) or "{}").get("topic_keys") or []
    if len(keys) < f.SIMILAR_SHARED_KEYS:
        return {}
    shared = collections.Counter(itertools.chain.from_iterable(_topic_docs(searcher, key) for key in keys))
    leave_out = {docnum, *duplicates(searcher).members.get(stored.get(f.CLUSTER) or "", [])}
    return {d: n for d, n in shared.items() if n >= f.SIMILAR_SHARED_KEYS and d not in leave_out}


def _versions(searcher, cluster: str | None) -> int:
    members = duplicates(searcher).members.get(cluster or "")
    return len(members) if members else 1


def _hit(stored: dict, snippet: str, score: float | None, versions: int = 1) -> Hit:
    record = json.loads(stored.get(f.RECORD) or "{}")
    return Hit(
        id=stored[f.ID_FIELD],
        title=stored.get(f.TITLE) or "",
        source=stored.get(f.SOURCE) or None,
        authors=record.get("authors") or [],
        date=record.get("date"),
        language=stored.get(f.LANGUAGE) or "und",
        dateline=stored.get(f.DATELINE) or None,
        snippet=snippet,
        score=round(score, 4) if score is not None else None,
        cluster=stored.get(f.CLUSTER),
        versions=versions,
    )


def _fallback_snippet(body: str) -> str:
    text = " ".join(body.split())
    if len(text) > FALLBACK_SNIPPET_CHARS:
        text = text[:FALLBACK_SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return html.escape(text, quote=False)


# Words worth checking for a better spelling; longer "words" are pasted junk and slow to correct.
SUGGESTABLE_WORD = re.compile(r"(?<![\w:*~])([^\W\d_]{3,30})(?![\w:*~])")
# Suggest only when a query finds this few articles...
SUGGEST_BELOW_HITS = 3
# ...and for words in fewer articles than this, when a spelling in at least this many times more exists.
RARE_WORD_DOCS = 2
BETTER_BY = 5


def suggest(searcher, text: str, total: int) -> str | None:
    """Return the query with rare or unknown words respelled as common indexed words, or None.

    Words are looked up in one combined unstemmed field, so a word that exists only in the body
    is never "corrected" into a title word (Whoosh's per-field correct_query does that).
    """
    if total >= SUGGEST_BELOW_HITS or not text:
        return None
    corrector = searcher.corrector(f.SPELL)
    changed = False

    def respell(match: re.Match) -> str:
        nonlocal changed
        word = match.group(1)
        if word in {"AND", "OR", "NOT"} or text[max(match.start() - 1, 0)] == "-":
            return word
        lower = word.lower()
        frequency = searcher.doc_frequency(f.SPELL, lower)
        if frequency >= RARE_WORD_DOCS:
            return word
        # Assume the first letter is right: it keeps the look-up to a small part of the vocabulary.
        for candidate in corrector.suggest(lower, limit=3, maxdist=2, prefix=1):
            if searcher.doc_frequency(f.SPELL, candidate) >= max(frequency * BETTER_BY, 1):
                changed = True
                return candidate
        return word

    # Quoted phrases are respelled too; field names and operators are left alone by the pattern.
    respelled = SUGGESTABLE_WORD.sub(respell, text)
    return respelled if changed else None


class DeadlineCollector(collectors.WrappingCollector):
    """Stops a search with TimeLimit once a deadline (time.monotonic()) passes, checked at every matching document.

    Whoosh's TimeLimitCollector bypasses a FilterCollector wrapped inside it (filters are then
    ignored) and its SIGALRM mode only works in the main thread; this one sits inside the filter.
    """

    def __init__(self, child: collectors.Collector, deadline: float) -> None:
        super().__init__(child)
        self.deadline = deadline

    def collect(self, sub_docnum: int):
        if time.monotonic() > self.deadline:
            raise TimeLimit
        return self.child.collect(sub_docnum)

    def collect_matches(self) -> None:
        for sub_docnum in self.child.matches():
            self.collect(sub_docnum)


def _deadline(time_limit: float | None) -> float | None:
    return time.monotonic() + time_limit if time_limit else None


def _timed_out(time_limit: float | None) -> SearchTimeout:
    return SearchTimeout(
        f"the search took longer than {time_limit:g} s and was stopped; try fewer or more specific words"
    )


def _ranked(
    searcher,
    query: Query,
    shown: list[int],
    sort: str,
    limit: int | None,
    deadline: float | None,
    memo: docsets.Memo | None = None,
) -> list[tuple[int, float | None]]:
    """Return the first `limit` shown documents (all: None) in the requested order, with relevance scores.

    By date, they are picked from per-document sort keys. By relevance: when every match scores
    alike (a lone prefix, range or match-all), in index order, as Whoosh ranks ties; words and
    phrases are scored with Whoosh's BM25F over whole postings blocks (docsets.bm25_scores); any
    other query is scored by Whoosh's own matchers, limited to the shown documents.
    """
    if not shown:
        return []
    if sort != "relevance":
        keys = _date_keys(searcher, newest_first=sort == "-date").__getitem__
        ordered = heapq.nsmallest(limit, shown, key=keys) if limit else sorted(shown, key=keys)
        return [(docnum, None) for docnum in ordered]
    constant = docsets.constant_score(query)
    if constant is not None:
        return [(docnum, constant) for docnum in shown[:limit]]
    scores = docsets.bm25_scores(searcher, query, shown, memo)
    if scores is not None:
        best_first = lambda docnum: (-scores[docnum], docnum)  # noqa: E731 - ties in index order, as Whoosh
        ordered = heapq.nsmallest(limit, shown, key=best_first) if limit else sorted(shown, key=best_first)
        return [(docnum, scores[docnum]) for docnum in ordered]
    collector = searcher.collector(limit=limit)
    if deadline is not None:
        collector = DeadlineCollector(collector, deadline)
    collector = collectors.FilterCollector(collector, allow=set(shown))
    searcher.search_with_collector(docsets.rankable(query), collector)
    return [(hit.docnum, hit.score) for hit in collector.results()]


def search(archive: ArchiveIndex, request: SearchRequest, time_limit: float | None = None) -> SearchResult:
    """Run a validated search: one page of hits with snippets, exact total, and facet counts.

    With a time_limit (seconds), a search that runs longer raises SearchTimeout instead of
    holding the caller; broad wildcards are refused up front (QueryTooBroad).
    """
    started = time.perf_counter()
    deadline = _deadline(time_limit)
    with archive.searcher() as searcher:
        parser = _parser(searcher)
        query = parse_query(request.q, parser)
        check_expansions(query, searcher.reader())
        window = request.page * request.per_page
        filter_query = _filter_query(request, searcher=searcher)
        try:
            # Every match once, unscored: the total, facets and months come from it, and every filtered view.
            memo: docsets.Memo = {}
            matched = docsets.query_docs(searcher, query, deadline, memo)
            shown = _shown(searcher, matched, filter_query, request.collapse)
            page = _ranked(searcher, query, shown, request.sort, window, deadline, memo)
            del memo
        except TimeLimit:
            raise _timed_out(time_limit) from None
        total = len(shown)
        months = _month_buckets(_facet_counts(searcher, MONTH_FACET, shown), searcher)
        facets = {}
        for name in f.FACET_FIELDS:
            if name in request.filters:
                # Counts of a filtered facet ignore its own filter, so the other values stay choosable.
                others_filter = _filter_query(request, skip_facet=name, searcher=searcher)
                others = _shown(searcher, matched, others_filter, request.collapse, per_facet=name)
                counts = _facet_counts(searcher, name, others)
                facets[name] = _facet_values(counts, request.filters[name], request.facet_size)
            else:
                facets[name] = _facet_values(_facet_counts(searcher, name, shown), (), request.facet_size)
        suggestion = suggest(searcher, request.q, total)
        if suggestion is not None:
            # Offer it only when it would really find more.
            better = docsets.query_docs(searcher, parse_query(suggestion, parser))
            suggestion = suggestion if len(_shown(searcher, better, filter_query, collapse=False)) > total else None
        marker = Marker(searcher, query)
        parsed = describe_query(parse_query(request.q, _describe_parser(searcher)))
        hits = []
        start = (request.page - 1) * request.per_page
        for docnum, score in page[start:window]:
            stored = searcher.stored_fields(docnum)
            snippet = marker.snippet(stored.get(f.BODY, ""), stored.get(f.TITLE, ""), stored.get(f.LANGUAGE))
            hit_record = _hit(stored, snippet, score, _versions(searcher, stored.get(f.CLUSTER)))
            hit_record.similar = len(similar_docs(searcher, docnum, stored))
            hits.append(hit_record)
    return SearchResult(
        request=request,
        parsed=parsed,
        total=total,
        pages=math.ceil(total / request.per_page) if total else 0,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        hits=hits,
        facets={name: facets[name] for name in f.FACET_FIELDS},
        months=months,
        suggestion=suggestion,
    )


def _article_docnum(searcher, article_id: str) -> int | None:
    """Return the document of the article with this id; for an exact copy's id, the article it copies."""
    docnum = searcher.document_number(**{f.ID_FIELD: article_id})
    copies = duplicates(searcher).copies
    if docnum is None or docnum not in copies:
        return docnum
    same_text = searcher.document_numbers(**{f.BODY_HASH: searcher.stored_fields(docnum).get(f.BODY_HASH)})
    return next((d for d in same_text if d not in copies), None)


def get_article(archive: ArchiveIndex, article_id: str) -> ArticleRecord | None:
    """Return the stored article with this id, or None; the id of an exact copy gives the article it copies."""
    with archive.searcher() as searcher:
        docnum = _article_docnum(searcher, article_id)
        if docnum is None:
            return None
        return _full_record(searcher, searcher.stored_fields(docnum), docnum)


def _full_record(searcher, stored: dict, docnum: int | None = None) -> ArticleRecord:
    """Return an article's record with the files of its exact copies and the size of its cluster.

    With its document number, also how many similar articles it has (exports leave that out: it
    would cost a look-up per exported article).
    """
    record = _record(stored)
    copies = duplicates(searcher).copies
    if copies:
        same_text = searcher.document_numbers(**{f.BODY_HASH: stored.get(f.BODY_HASH)})
        record.paths += sorted(searcher.stored_fields(d)[f.PATH] for d in same_text if d in copies)
    record.versions = _versions(searcher, record.cluster)
    if docnum is not None:
        record.similar = len(similar_docs(searcher, docnum, stored))
    return record


def related(archive: ArchiveIndex, article_id: str, limit: int = 5) -> list[Hit] | None:
    """Return the articles most like this one, or None for an unknown id.

    They are its similar articles (similar_docs): those naming most of the same people and places
    first, then those published closest to it. Its copies and versions are not among them.
    """
    with archive.searcher() as searcher:
        docnum = _article_docnum(searcher, article_id)
        if docnum is None:
            return None
        similar = similar_docs(searcher, docnum, searcher.stored_fields(docnum))
        reader = searcher.reader()
        dated, dates = reader.column_reader(f.HAS_DATE), reader.column_reader(f.DATE)
        day = dates[docnum] if dated[docnum] else None

        def closeness(other: int) -> tuple:
            if day is None or not dated[other]:
                return (1, 0)
            return (0, abs((dates[other] - day).total_seconds()))

        ranked = sorted(similar, key=lambda other: (-similar[other], *closeness(other), other))[:limit]
        hits = []
        for other in ranked:
            stored = searcher.stored_fields(other)
            hit = _hit(
                stored, _fallback_snippet(stored.get(f.BODY, "")), None, _versions(searcher, stored.get(f.CLUSTER))
            )
            hit.similar = len(similar_docs(searcher, other, stored))
            hits.append(hit)
        return hits


def _record(stored: dict) -> ArticleRecord:
    record = json.loads(stored.get(f.RECORD) or "{}")
    return ArticleRecord(
        id=stored[f.ID_FIELD],
        path=stored[f.PATH],
        title=stored.get(f.TITLE) or "",
        body=stored.get(f.BODY) or "",
        authors=record.get("authors") or [],
        date=record.get("date"),
        source=record.get("source"),
        url=record.get("url"),
        dateline=record.get("dateline"),
        agency=record.get("agency"),
        language=stored.get(f.LANGUAGE) or "und",
        language_confidence=record.get("language_confidence"),
        methods=record.get("methods") or {},
        paths=[stored[f.PATH]],
        cluster=stored.get(f.CLUSTER),
    )


def iter_matches(archive: ArchiveIndex, request: SearchRequest, limit: int | None = None) -> Iterator[ArticleRecord]:
    """Yield every article matching the request (all pages), in its sort order, for exports and feeds."""
    with archive.searcher() as searcher:
        query = parse_query(request.q, _parser(searcher))
        check_expansions(query, searcher.reader())
        filter_query = _filter_query(request, searcher=searcher)
        shown = _shown(searcher, docsets.query_docs(searcher, query), filter_query, request.collapse)
        for docnum, _score in _ranked(searcher, query, shown, request.sort, limit, deadline=None):
            yield _full_record(searcher, searcher.stored_fields(docnum))


def marked_paragraphs(archive: ArchiveIndex, body: str, q: str, language: str | None = None) -> list[str]:
    """Split an article body into paragraphs, HTML-escaped, with the words a query matched in <mark>."""
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    if not q.strip():
        return [html.escape(p, quote=False) for p in paragraphs]
    with archive.searcher() as searcher:
        try:
            marker = Marker(searcher, parse_query(q, _parser(searcher)))
        except SearchError:
            return [html.escape(p, quote=False) for p in paragraphs]
        return [marker.whole(p, language) for p in paragraphs]


def warm(searcher) -> None:
    """Work out everything searches need once per index generation, so no request waits for it.

    Servers call it through prepare() before they take requests, and GenerationWarmer after each commit.
    """
    _parser(searcher)
    _describe_parser(searcher)
    duplicates(searcher)
    _months_in_archive(searcher)  # also every document's month
    for name, fieldname in f.FACET_FIELDS.items():
        if name in f.MULTI_VALUED_FACETS:
            docsets.field_value_lists(searcher, fieldname)
        else:
            docsets.field_values(searcher, fieldname)
    _date_keys(searcher, newest_first=True)
    _date_keys(searcher, newest_first=False)
    present = [field for field in f.CONTENT_FIELDS if searcher.reader().field_length(field)]
    docsets.field_lengths(searcher, present)


def prepare(archive: ArchiveIndex) -> None:
    """Warm the live index generation (see warm()): servers call it before they take requests."""
    with archive.searcher() as searcher:
        warm(searcher)


class GenerationWarmer:
    """Warms each index generation as soon as it is committed, so the first search after a reindex does not wait.

    A reindex runs in another process; the server only learns of its commit by looking. Without this,
    the first request on the new generation works out its facet values, sort keys and duplicates
    (most of a second at 300k articles) while its visitor waits.
    """

    def __init__(self, archive: ArchiveIndex, interval: float = WARM_CHECK_SECONDS) -> None:
        self.archive = archive
        self.interval = interval
        self.warmed: tuple[str, int] | None = None  # the generation warmed last
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        """Warm the live generation unless it already is; tell whether it had to."""
        generation = self.archive.generation()
        if generation is None or generation == self.warmed:
            return False
        try:
            prepare(self.archive)
        except (IndexUnavailable, FileNotFoundError):
            return False  # a commit landed meanwhile: the next look warms that one
        self.warmed = generation
        return True

    def start(self) -> None:
        """Look for a new generation every `interval` seconds in a background thread, until stop()."""
        self._thread = threading.Thread(target=self._run, name="generation-warmer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop looking, and wait for a warming in progress to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - the server must keep serving; a request then does the work itself
                log.exception("warming the new index generation failed")
