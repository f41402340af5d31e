"""Which documents a query matches, and per-document facet values, as plain lists read straight from postings.

A search page needs every match (for the total, the facet counts and the month buckets) but scores
for only a page of them. Whoosh finds every match by walking a matcher one document at a time in
Python; here each term's postings are read a block at a time and queries are combined with set
operations, which run in C. Facet values live in lists indexed by document number, built once per
index generation and shared by its searchers, so counting them is one C-level pass over the matches.
Matching words and phrases are scored here too, with Whoosh's BM25F formula over whole postings
blocks. Tests check every result against Whoosh's own matchers and scorer.
"""

from __future__ import annotations

import bisect
import collections
import itertools
import sys
import threading
import time
from array import array, typecodes
from collections.abc import Iterable

from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.collectors import TimeLimit
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import ID
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

# Documents walked between looks at the clock, where a query's matches are walked one by one.
DEADLINE_CHECK_EVERY = 1024
# Sorts after every real key in the (signed 64-bit) sort-key arrays: dates are about 6e16.
LAST = 2**63 - 1


def _leaf_ids(matcher) -> list[int]:
    """Return every document number a postings matcher yields, reading whole blocks at a time.

    Deleted documents are included: the reader wraps its postings to leave them out one by one,
    and callers take them out in one set operation instead.
    """
    if type(matcher) is FilterMatcher and matcher._exclude:  # noqa: SLF001
        matcher = matcher.child
    if type(matcher) is not W3LeafMatcher:  # another codec, or a wrapper: its own (slower) walk
        return list(matcher.all_ids())
    ids: list[int] = []
    while matcher.is_active():
        block = matcher._ids if matcher._ids is not None else (matcher._read_ids() or matcher._ids)  # noqa: SLF001
        ids.extend(block[matcher._i :] if matcher._i else block)  # noqa: SLF001
        matcher._next_block()  # noqa: SLF001
    return ids


def _leaf_blocks(matcher) -> list[tuple]:
    """Return (document numbers, term frequencies) of every block of a raw postings matcher."""
    blocks = []
    while matcher.is_active():
        if matcher._ids is None:  # noqa: SLF001
            matcher._read_ids()  # noqa: SLF001
        if matcher._weights is None:  # noqa: SLF001
            matcher._read_weights()  # noqa: SLF001
        blocks.append((matcher._ids, matcher._weights))  # noqa: SLF001
        matcher._next_block()  # noqa: SLF001
    return blocks


# Postings blocks read during one request, {(reader, field, word): blocks}: scoring reuses what matching read.
Memo = dict


def _memo_blocks(reader, fieldname: str, btext: bytes, memo: Memo) -> list[tuple] | None:
    key = (id(reader), fieldname, btext)
    if key not in memo:
        matcher = _raw_postings(reader, fieldname, btext)
        memo[key] = _leaf_blocks(matcher) if type(matcher) is W3LeafMatcher else None
    return memo[key]


def term_docs(reader, fieldname: str, btext: bytes, memo: Memo | None = None) -> list[int]:
    """Return the documents (segment numbers, deleted ones included) whose field holds this indexed term."""
    if (fieldname, btext) not in reader:
        return []
    if memo is not None:
        blocks = _memo_blocks(reader, fieldname, btext, memo)
        if blocks is not None:
            return list(itertools.chain.from_iterable(ids for ids, _ in blocks))
    return _leaf_ids(reader.postings(fieldname, btext))


def _term_btext(searcher, node: wq.Term) -> bytes | None:
    if node.fieldname not in searcher.schema:
        return None
    try:
        return searcher.schema[node.fieldname].to_bytes(node.text)
    except ValueError:  # a value the field cannot hold (a word in a numeric field) matches nothing
        return None


def _walk(matcher, deadline: float | None) -> set[int]:
    """Return every document a matcher yields, one at a time, stopping with TimeLimit past the deadline."""
    if deadline is None:
        return set(matcher.all_ids())
    docs = set()
    for count, docnum in enumerate(matcher.all_ids()):
        if not count % DEADLINE_CHECK_EVERY and time.monotonic() > deadline:
            raise TimeLimit
        docs.add(docnum)
    return docs


def _raw_postings(reader, fieldname: str, btext: bytes):
    matcher = reader.postings(fieldname, btext)
    return matcher.child if type(matcher) is FilterMatcher and matcher._exclude else matcher  # noqa: SLF001


def _word_positions(reader, field, fieldname: str, btext: bytes, docs: set[int] | None) -> dict[int, list[int]] | None:
    """Return the positions of an indexed word in each document holding it (of `docs`, when given).

    None: postings of another kind, left to Whoosh's matcher.
    """
    matcher = _raw_postings(reader, fieldname, btext)
    if type(matcher) is not W3LeafMatcher:
        return None
    decode = field.format.decoder("positions")
    positions: dict[int, list[int]] = {}
    while matcher.is_active():
        if matcher._ids is None:  # noqa: SLF001
            matcher._read_ids()  # noqa: SLF001
        block = matcher._ids  # noqa: SLF001
        if docs is None or not docs.isdisjoint(block):
            matcher._read_values()  # noqa: SLF001
            values = matcher._values  # noqa: SLF001
            for place, docnum in enumerate(block):
                if docs is None or docnum in docs:
                    positions[docnum] = decode(values[place])
        matcher._next_block()  # noqa: SLF001
    return positions


def _phrase_docs(searcher, node: wq.Phrase, deadline: float | None) -> set[int] | None:
    """Return the documents holding a phrase's words one after another (None: left to Whoosh's matcher).

    Each word's postings are read once, rarest first, keeping only documents that held every word
    before it; then consecutive positions are found with set operations.
    """
    reader, field = searcher.reader(), searcher.schema[node.fieldname]
    if node.slop != 1 or not field.format.supports("positions") or not node.words:
        return None
    words = [field.to_bytes(word) for word in node.words]
    if any((node.fieldname, word) not in reader for word in words):
        return set()
    docs: set[int] | None = None
    positions: dict[bytes, dict[int, list[int]]] = {}
    for word in sorted(set(words), key=lambda w: reader.doc_frequency(node.fieldname, w)):
        found = _word_positions(reader, field, node.fieldname, word, docs)
        if found is None:
            return None
        positions[word], docs = found, set(found)
        if not docs:
            return set()
        if deadline is not None and time.monotonic() > deadline:
            raise TimeLimit
    matched = set()
    for docnum in docs or ():
        # Phrase starts: where the first word is, and each later word follows at its distance from the first.
        starts = set(positions[words[0]][docnum])
        for distance, word in enumerate(words[1:], start=1):
            starts.intersection_update([p - distance for p in positions[word][docnum]])
            if not starts:
                break
        if starts:
            matched.add(docnum)
    return matched


def _segment_docs(
    searcher, node: wq.Query, deadline: float | None = None, memo: Memo | None = None
) -> set[int] | range:
    """Return the documents of one segment a query matches (deleted ones may be included)."""
    reader = searcher.reader()
    kind = type(node)
    if kind is wq.Term:
        btext = _term_btext(searcher, node)
        return set(term_docs(reader, node.fieldname, btext, memo)) if btext is not None else set()
    if kind is wq.And:
        parts = sorted((_segment_docs(searcher, sub, deadline, memo) for sub in node.subqueries), key=len)
        if not parts:
            return set()
        result = set(parts[0])
        for part in parts[1:]:
            if not result:
                break
            result.intersection_update(part)
        return result
    if kind is wq.Or and not node.minmatch:
        result = set()
        for sub in node.subqueries:
            result.update(_segment_docs(searcher, sub, deadline, memo))
        return result
    if kind is wq.AndNot:
        return set(_segment_docs(searcher, node.a, deadline, memo)).difference(
            _segment_docs(searcher, node.b, deadline, memo)
        )
    if kind is wq.Every and not node.fieldname:
        return range(reader.doc_count_all())
    if kind is wq.Not:
        return set(range(reader.doc_count_all())).difference(_segment_docs(searcher, node.query, deadline, memo))
    if kind is wq.Phrase:
        docs = _phrase_docs(searcher, node, deadline)
        if docs is not None:
            return docs
    if kind is wq.ConstantScoreQuery:  # scores do not matter here
        return _segment_docs(searcher, node.child, deadline, memo)
    if isinstance(node, wq.NumericRange):  # dates too: a union of the indexed terms that cover the range
        return _segment_docs(searcher, node._compile_query(reader), deadline, memo)  # noqa: SLF001
    if isinstance(node, wq.MultiTerm):
        # Prefixes, wildcards, fuzzy words: the union of the postings of the words they expand to.
        result = set()
        for btext in node._btexts(reader):  # noqa: SLF001 - Whoosh's own expansion
            result.update(term_docs(reader, node.field(), btext, memo))
        return result
    # Phrases with slop, fielded match-all and the rest: Whoosh's matcher knows their meaning.
    return _walk(node.matcher(searcher, searcher.boolean_context()), deadline)


def query_docs(searcher, query: wq.Query, deadline: float | None = None, memo: Memo | None = None) -> list[int]:
    """Return the sorted document numbers (of the whole searcher) of the live documents a query matches.

    deadline: a time.monotonic() after which it stops with whoosh's TimeLimit. memo: keeps the
    postings blocks read, for bm25_scores in the same request.
    """
    found: list[int] = []
    for subsearcher, offset in searcher.leaf_searchers():
        if deadline is not None and time.monotonic() > deadline:
            raise TimeLimit
        docs = _segment_docs(subsearcher, query, deadline, memo)
        deleted = subsearcher.reader().deleted_docs_set if subsearcher.reader().has_deletions() else None
        if deleted:
            docs = set(docs).difference(deleted)
        local = sorted(docs) if not isinstance(docs, range) else docs
        found.extend(local if not offset else [d + offset for d in local])
    return found


# Set on a searcher by ArchiveIndex: the dict of values worked out once per index generation, which
# every searcher of that generation shares (their document numbers are the same).
GENERATION_CACHE = "_archive_generation_cache"


def generation_cache(searcher) -> dict:
    """Return the searcher's per-generation cache (its own, when no ArchiveIndex gave it a shared one).

    Its "lock" (reentrant) guards building values and changing the bounded caches kept in it.
    """
    cache = searcher.__dict__.get(GENERATION_CACHE)
    if cache is None:
        cache = searcher.__dict__.setdefault(GENERATION_CACHE, new_generation_cache())
    return cache


def new_generation_cache() -> dict:
    """Return an empty per-generation cache."""
    return {"lock": threading.RLock()}


def cached(searcher, key: str, build):
    """Return a value worked out once per index generation: build() the first time, under the lock."""
    cache = generation_cache(searcher)
    try:
        return cache[key]
    except KeyError:
        pass
    with cache["lock"]:
        if key not in cache:
            cache[key] = build()
        return cache[key]


def field_values(searcher, fieldname: str, default: str = "") -> list:
    """Return each document's indexed value of a single-valued field (default where it has none), by number.

    Built from the field's postings once per searcher: a few C-level passes instead of a Python walk over
    a column of every document.
    """

    def build() -> list:
        values: list = [default] * searcher.doc_count_all()
        field = searcher.schema[fieldname]
        for subsearcher, offset in searcher.leaf_searchers():
            reader = subsearcher.reader()
            for btext in reader.lexicon(fieldname):
                value = field.from_bytes(btext)
                for docnum in term_docs(reader, fieldname, btext):
                    values[docnum + offset] = value
        return values

    return cached(searcher, f"values:{fieldname}", build)


def field_value_lists(searcher, fieldname: str) -> list[tuple]:
    """Return each document's indexed values of a multi-valued field (an empty tuple where it has none)."""

    def build() -> list[tuple]:
        lists: list = [()] * searcher.doc_count_all()
        field = searcher.schema[fieldname]
        for subsearcher, offset in searcher.leaf_searchers():
            reader = subsearcher.reader()
            for btext in reader.lexicon(fieldname):
                value = field.from_bytes(btext)
                for docnum in term_docs(reader, fieldname, btext):
                    lists[docnum + offset] = (*lists[docnum + offset], value)
        return lists

    return cached(searcher, f"lists:{fieldname}", build)


def numeric_column_array(column) -> array | None:
    """Return a numeric column reader's stored values as one array (None for other readers).

    Whoosh reads such a column one file read and unpack per document; its values lie one after
    another, big-endian, so one read and a byte swap do the same. Relies on Whoosh-Reloaded 2.7's
    reader layout (pinned in requirements.txt); other readers take the generic way.
    """
    if type(column) is not NumericColumn.Reader or column._reverse:
        return None
    typecode = column._typecode
    if typecode not in typecodes or array(typecode).itemsize != column._fixedlen:
        return None
    stored = min(column._count, column._doccount)  # documents after the last stored value hold the default
    values = array(typecode, column._dbfile.get(column._basepos, stored * column._fixedlen) if stored else b"")
    if sys.byteorder == "little":
        values.byteswap()
    values.extend([column._default] * (column._doccount - stored))
    return values


def segment_column_values(leaf, fieldname: str) -> list:
    """Return the values of one column of one segment, in document order, as its field reads them back."""
    if not leaf.doc_count_all():
        return []  # an index without articles reads as one empty reader, which has no columns
    column = leaf.column_reader(fieldname, translate=False)
    field = leaf.schema[fieldname]
    numbers = numeric_column_array(column)
    if numbers is not None:
        return list(map(field.from_column_value, numbers))
    if type(column) is VarBytesColumn.Reader and isinstance(field, ID):
        # Text columns (paths, hashes, sources): their values lie one after another in the segment file,
        # so one read and slices replace a file read per document. Relies on Whoosh-Reloaded 2.7's
        # reader layout (pinned in requirements.txt); other column types take the generic way below.
        lengths = column._lengths
        total = sum(lengths)
        data = column._dbfile.get(column._basepos, total) if total else b""
        values, position = [], 0
        for length in lengths:
            values.append(data[position : position + length].decode("utf-8"))
            position += length
        return values
    return list(map(field.from_column_value, column))


def column_values(searcher, fieldname: str, translate: bool = True) -> list:
    """Return a sortable field's column value per document, read once per generation.

    translate=False keeps Whoosh's stored form (dates as sortable integers), which is cheaper to read.
    """

    def build() -> list:
        if translate:
            return [
                value
                for leaf, _ in searcher.reader().leaf_readers()
                for value in segment_column_values(leaf, fieldname)
            ]
        # Segment by segment: a segment where no document has the field has no column, and Whoosh's
        # multi-segment column reader then leaves its documents out instead of giving them the default.
        values: list = []
        for leaf, _ in searcher.reader().leaf_readers():
            if not leaf.doc_count_all():
                continue
            column = leaf.column_reader(fieldname, translate=False)
            numbers = numeric_column_array(column)
            values.extend(numbers if numbers is not None else column)
        return values

    return cached(searcher, f"column:{fieldname}:{translate}", build)


def count_values(values: list, docs: Iterable[int]) -> collections.Counter:
    """Count the values these documents hold in a per-document value list."""
    return collections.Counter(map(values.__getitem__, docs))


def count_value_lists(lists: list[tuple], docs: Iterable[int]) -> collections.Counter:
    """Count the values these documents hold in a per-document list of value tuples."""
    return collections.Counter(itertools.chain.from_iterable(map(lists.__getitem__, docs)))


class ConstantDocs(wq.WrappingQuery):
    """A prefix, wildcard or range read as its set of documents (fast), each scoring the query's boost.

    That is what Whoosh's constant-score option means for them; Whoosh itself walks a tree of every
    expanded word's postings, which for a short prefix takes most of a second.
    """

    def matcher(self, searcher, context=None):
        """Return a matcher over the documents of this segment the wrapped query matches."""
        docs = _segment_docs(searcher, self.child)
        reader = searcher.reader()
        if reader.has_deletions():
            docs = set(docs).difference(reader.deleted_docs_set)
        if not docs:
            return NullMatcher()
        return ListMatcher(array("I", sorted(docs)), all_weights=self.child.boost)


def _is_expanding(node: wq.Query) -> bool:
    return isinstance(node, wq.MultiTerm) or type(node) is wq.Every


def _is_constant(node: wq.Query) -> bool:
    # Ranges and match-all: every match scores the query's boost.
    return isinstance(node, wq.NumericRange) or type(node) in (wq.Every, wq.TermRange)


def _scored_as_words(node: wq.Query) -> bool:
    # Whoosh scores a phrase as the sum of its words' scores (tests check this stays true).
    return type(node) is wq.Phrase and node.slop == 1 and node.boost == 1.0 and bool(node.words)


def _for_scoring(node: wq.Query) -> wq.Query:
    if _is_expanding(node):
        return ConstantDocs(node)
    if _scored_as_words(node):
        return wq.And([wq.Term(node.fieldname, word) for word in node.words])
    return node


def rankable(query: wq.Query) -> wq.Query:
    """Return the query to score the documents it matches with, giving the same scores faster.

    Prefixes, wildcards, ranges and match-all become constant-scoring document lists; a phrase
    becomes its words joined by AND, whose scores Whoosh can bound by postings block (the matches
    themselves come from query_docs, which checks the words' positions).
    """
    return query.accept(_for_scoring)


def constant_score(query: wq.Query) -> float | None:
    """Return the score every match of this query gets when it is one constant-scoring part (None otherwise)."""
    return query.boost if _is_constant(query) else None


def _scoring_leaves(searcher, query: wq.Query) -> tuple[list[tuple[str, bytes]], float] | None:
    """Return the indexed words whose scores add up to a query's score, plus what every match adds.

    None: the query is not a sum of word scores. Whoosh scores AND and OR as the sum of their
    matching parts' scores, a phrase as its words', AND NOT as its first part, and a range as its
    boost (which, inside an AND, every match gets). A prefix or wildcard is scored as the words it
    stands for, ORed: an article using more of them, more often, ranks higher (Whoosh's own
    constant-score reading would leave its matches in index order).
    """
    if query.boost != 1.0:
        return None
    if type(query) is wq.Term:
        btext = _term_btext(searcher, query)
        return ([(query.fieldname, btext)] if btext is not None else []), 0.0
    if _scored_as_words(query):
        to_bytes = searcher.schema[query.fieldname].to_bytes
        return [(query.fieldname, to_bytes(word)) for word in query.words], 0.0
    if type(query) in (wq.Prefix, wq.Wildcard):
        return [(query.field(), btext) for btext in query._btexts(searcher.reader())], 0.0  # noqa: SLF001
    if type(query) is wq.AndNot:  # scored as its first part
        return _scoring_leaves(searcher, query.a)
    if type(query) is wq.And or (type(query) is wq.Or and not query.minmatch):
        leaves, constant = [], 0.0
        for sub in query.subqueries:
            if type(query) is wq.And and _is_constant(sub):
                constant += sub.boost
                continue
            found = _scoring_leaves(searcher, sub)
            if found is None:
                return None
            leaves += found[0]
            constant += found[1]
        return leaves, constant
    return None


# A field length as Whoosh's scorer reads it back from the byte it stores (0: the field is empty).
LENGTH_OF_BYTE = [byte_to_length(b) if b else 0 for b in range(256)]


def _length_column(reader, fieldname: str) -> array | None:
    """Return the length bytes of a field in one segment as one array (None: read them document by document)."""
    # Whoosh-Reloaded 2.7's per-document reader keeps them in a column of its own (pinned in requirements.txt).
    cached_reader = getattr(getattr(reader, "_perdoc", None), "_cached_reader", None)
    if cached_reader is None:
        return None
    column = cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    # No column (no document of the segment has the field): the generic way gives Whoosh's default.
    return numeric_column_array(column) if column is not None else None


def _field_lengths(searcher, subsearcher, offset: int, fieldname: str) -> array:
    # Whoosh's stored (quantised) length of a field per document, as its scorer reads it.
    def build() -> array:
        reader = subsearcher.reader()
        stored = _length_column(reader, fieldname)
        if stored is not None:
            return array("I", map(LENGTH_OF_BYTE.__getitem__, stored))
        # None (an empty field) never meets a word of it. An array: 4 bytes a document, not a Python int each.
        return array("I", (reader.doc_field_length(d, fieldname, 1) or 0 for d in range(reader.doc_count_all())))

    return cached(searcher, f"lengths:{fieldname}:{offset}", build)


def field_lengths(searcher, fieldnames: Iterable[str]) -> None:
    """Read the stored lengths of these fields in every segment now (scoring needs them)."""
    for subsearcher, offset in searcher.leaf_searchers():
        for fieldname in fieldnames:
            _field_lengths(searcher, subsearcher, offset, fieldname)


def bm25_scores(searcher, query: wq.Query, docs: list[int], memo: Memo | None = None) -> dict[int, float] | None:
    """Return the relevance score Whoosh would give each of these documents (None: a query or model it cannot).

    The BM25F formula is Whoosh's, with its own idf and average length, applied to whole postings
    blocks instead of through a matcher per document. docs: sorted document numbers the query matches.
    """
    found = _scoring_leaves(searcher, query)
    if found is None or type(searcher.weighting) is not scoring.BM25F:
        return None
    leaves, constant = found
    scores = dict.fromkeys(docs, constant)
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.doc_count_all()
        local = {docnum - offset for docnum in docs[bisect.bisect_left(docs, offset) : bisect.bisect_left(docs, end)]}
        if not local:
            continue
        reader = subsearcher.reader()
        for fieldname, btext in leaves:
            if (fieldname, btext) not in reader:
                continue
            scorer = searcher.weighting.scorer(subsearcher, fieldname, btext)
            blocks = _memo_blocks(reader, fieldname, btext, memo if memo is not None else {})
            if type(scorer) is not scoring.BM25FScorer or blocks is None:
                return None
            lengths = _field_lengths(searcher, subsearcher, offset, fieldname)
            idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            for ids, frequencies in blocks:
                if local.isdisjoint(ids):
                    continue
                for docnum, tf in zip(ids, frequencies, strict=True):
                    if docnum in local:
                        # scoring.bm25, written out: a call per posting would cost as much as the rest
                        fl = lengths[docnum]
                        scores[docnum + offset] += idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))
    return scores
