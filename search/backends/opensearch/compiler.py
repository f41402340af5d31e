"""Compile a query tree (search.querylang) into OpenSearch's query DSL, reading it as Whoosh does.

The tree is engine-neutral; saved searches must find the same articles whichever engine serves
them, so this mirrors search/backends/whoosh/compiler.py step for step: the whole tree is read once
per content field (one per language) and the readings are joined with OR; in each reading a word
is analysed the way that field analyses it, a word of several tokens is a phrase, and a word that
analyses into nothing (a stop word) vanishes. Whoosh then normalises its query, and what is left
where words vanished follows rules of its own (an AND or OR loses the child, a NOT of nothing is
nothing, `title:the ANDNOT x` is x but `title:"the" ANDNOT x` is nothing, and `*:*` inside a group
makes the group match everything); those rules are reproduced here on a small tree of the same shapes
(_Term, _And, _Or, _Not, _AndNot, _Every, _NULL) before it is written out as DSL.

Which words vanish is decided here, in Python, not by the cluster: `zero_terms_query: "all"` would
keep a stop word out of an AND, but in an OR (`the OR attacks`) it would match every article, and
under a NOT (`x -the`) none; and a reading made only of stop words must be dropped, not match all.
The stop lists, token pattern and folding the index uses are in analysis.py, so the answer is the
cluster's. Stemming, though, only the cluster does: words and phrases are sent as text (`match`,
`match_phrase`, `intervals`: _Reading.phrase says how slop is read) for the cluster to analyse,
and the text of a prefix, wildcard or fuzzy word, which Whoosh stems as one whole token, is
stemmed through the optional `stem` callable (the backend asks the cluster's analysis API with
analysis.pattern_analyzer()); without it those are lower-cased and folded only.

User text only ever reaches the cluster as the value of a leaf query: never `query_string` or
`simple_query_string`, whose own syntax would read it a second time.

Expansions: a prefix, wildcard or fuzzy word matches every indexed word it stands for, through the
`constant_score` rewrite, which has no cap (`max_expansions` only caps the scoring rewrites) and
builds no boolean clauses, so `indices.query.bool.max_clause_count` (1024) is never reached. The
archive's own limit (querylang.MAX_EXPANSIONS, 2000 words) is the backend's check_expansions,
before a query is compiled, as with Whoosh. Constant scores rank nothing: ranking by the words a
pattern stands for, as Whoosh does, is for the backend (a scoring rewrite stops at 1024 words).
Lucene's fuzzy matching stops at 2 edits: `~3` and more are searched as `~2` (Whoosh went on to 9).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from search import querylang as ql
from search.backends.opensearch import analysis as a
from search.text import fold

# Lucene's Levenshtein automata go up to this many edits.
MAX_FUZZY_EDITS = 2
# Matches every word a pattern stands for, unscored and without boolean clauses (see the module docstring).
EXPANSION_REWRITE = "constant_score"

# (index field, lower-cased folded text) -> that text, whole, as the field stems it (analysis.pattern_analyzer).
Stemmer = Callable[[str, str], str]


# --- Whoosh's query shapes, as far as normalising them needs ---------------------------------------


class _Null:
    """Whoosh's NullQuery: what is left when everything vanished (truthy, like Whoosh's)."""

    boost = 1.0

    def field(self) -> str | None:
        return None

    def with_boost(self, boost: float) -> _Null:
        return self


_NULL = _Null()


@dataclass(frozen=True)
class _Term:
    """A leaf in one field: a word, phrase, pattern or date range, as the DSL query `kind` with `body`."""

    name: str
    kind: str
    body: str  # JSON, so that leaves compare and hash as Whoosh's terms do
    boost: float = 1.0

    def field(self) -> str | None:
        return self.name

    def with_boost(self, boost: float) -> _Term:
        return _Term(self.name, self.kind, self.body, boost)

    def dsl(self) -> dict:
        body = json.loads(self.body)
        if self.kind not in ("match_phrase", "intervals"):
            return {self.kind: {self.name: _with_boost(body, self.boost)}}
        # Whoosh scores a phrase by its words (each word's frequency, not the phrase's): the phrase
        # selects, its words rank. Lucene alone would score how often the whole phrase occurs.
        words = body["query"] if self.kind == "match_phrase" else " ".join(_interval_words(body))
        scored = {"match": {self.name: _with_boost({"query": words, "operator": "and"}, self.boost)}}
        return {"bool": {"filter": [{self.kind: {self.name: body}}], "must": [scored]}}


def _interval_words(rule: dict) -> list[str]:
    """The words of an intervals rule, in order."""
    if "match" in rule:
        return [rule["match"]["query"]]
    return [word for inner in rule["all_of"]["intervals"] for word in _interval_words(inner)]


@dataclass(frozen=True)
class _Every:
    """Every document (name None) or every document with a term in one field."""

    name: str | None = None
    boost: float = 1.0

    def field(self) -> str | None:
        return self.name

    def with_boost(self, boost: float) -> _Every:
        return _Every(self.name, boost)


@dataclass(frozen=True)
class _Compound:
    children: tuple = ()
    boost: float = 1.0

    def __bool__(self) -> bool:
        return bool(self.children)  # as Whoosh's: an empty group is false

    def field(self) -> str | None:
        if self.children:
            first = self.children[0].field()
            if all(child.field() == first for child in self.children[1:]):
                return first
        return None

    def with_boost(self, boost: float) -> _Compound:
        return type(self)(self.children, boost)


class _And(_Compound):
    pass


class _Or(_Compound):
    pass


@dataclass(frozen=True)
class _Not:
    child: object
    boost: float = 1.0

    def field(self) -> str | None:
        return None

    def with_boost(self, boost: float) -> _Not:
        return _Not(self.child, boost)


@dataclass(frozen=True)
class _AndNot:
    positive: object
    negative: object
    boost = 1.0  # not a field: as Whoosh's, its boost is its sides'

    def field(self) -> str | None:
        first = self.positive.field()
        return first if self.negative.field() == first else None

    def with_boost(self, boost: float) -> _AndNot:
        return _AndNot(self.positive.with_boost(boost), self.negative.with_boost(boost))


def _normalize(query):
    """Whoosh's Query.normalize() for these shapes (whoosh/query/compound.py, wrappers.py)."""
    if isinstance(query, _Not):
        child = _normalize(query.child)
        return _NULL if child is _NULL else _Not(child, query.boost)
    if isinstance(query, _AndNot):
        positive, negative = _normalize(query.positive), _normalize(query.negative)
        if positive is _NULL:
            return _NULL
        return positive if negative is _NULL else _AndNot(positive, negative)
    if not isinstance(query, _Compound):
        return query
    children = []
    for child in map(_normalize, query.children):
        if type(child) is type(query):  # merged into this one, its boost passed on to its children
            children += [grandchild.with_boost(grandchild.boost * child.boost) for grandchild in child.children]
        else:
            children.append(child)
    if all(child is _NULL for child in children):
        return _NULL
    if any(isinstance(child, _Every) and child.name is None for child in children):
        return _Every()  # an unfielded Every makes the whole group Every, even in an AND
    # A fielded Every swallows its siblings in the same field (date:[TO] swallows other date ranges).
    every_fields = {child.name for child in children if isinstance(child, _Every)}
    kept: list = []
    for child in children:
        if child is _NULL or child in kept:
            continue
        if isinstance(child, _Every):
            if any(isinstance(other, _Every) and other.name == child.name for other in kept):
                continue
        elif child.field() in every_fields:
            continue
        kept.append(child)
    if not kept:
        return _NULL
    if len(kept) == 1:
        only = kept[0]
        return only.with_boost(only.boost * query.boost) if (query.boost != 1.0 or only.boost != 1.0) else only
    return type(query)(tuple(kept), query.boost)


# --- Reading the tree once per content field --------------------------------------------------------


def _index_field(name: str) -> str:
    return a.QUERY_FIELDS[name]


def _language_of(index_field: str) -> str | None:
    """The language whose stop words and stemmer an index field uses (None: neither)."""
    if index_field == a.TITLE:
        return a.TITLE_LANGUAGE
    for code, content in a.LANGUAGE_CONTENT.items():
        if content == index_field:
            return code
    return None


def word_tokens(index_field: str, text: str) -> list[str]:
    """The tokens a word or phrase leaves in a query on this field, unstemmed: how many, and which vanish.

    Whoosh's analysis up to the stemmer (which never removes a token), as the index reproduces it:
    the token pattern, lower-casing, its minimum length and stop words where it has them (compared
    before folding), then folding.
    """
    if index_field == a.LANGUAGE:
        return [text.lower()] if text else []
    if index_field in a.STANDARD_FIELDS:
        found = [match.group().lower() for match in a.STANDARD_TOKEN.finditer(text)]
        return [t for t in found if len(t) >= a.MIN_TOKEN_CHARS and t not in a.STOP_WORDS_DEFAULT]
    stops = a.STOP_WORDS.get(_language_of(index_field) or "")
    kept = []
    for match in a.TOKEN.finditer(text):
        lowered = match.group().lower()
        if stops is not None and (len(lowered) < a.MIN_TOKEN_CHARS or lowered in stops):
            continue
        if folded := fold(lowered):
            kept.append(folded)
    return kept


def pattern_text(index_field: str, text: str, stem: Stemmer | None) -> str | None:
    """The text of a prefix, wildcard or fuzzy word in this field, as Whoosh's analyzer leaves it untokenized.

    Lower-cased; folded in the fields that fold; stemmed in the fields that stem, unless it is a
    stop word (Whoosh keeps those in patterns, unstemmed). None when nothing is left.
    """
    lowered = text.lower()
    if index_field in a.STANDARD_FIELDS or index_field == a.LANGUAGE:
        return lowered or None
    folded = fold(lowered)
    if not folded:
        return None
    language = _language_of(index_field)
    stops = a.STOP_WORDS.get(language or "")
    stopped = stops is not None and (len(lowered) < a.MIN_TOKEN_CHARS or lowered in stops)
    if stem is not None and not stopped and a.pattern_analyzer(index_field):
        return stem(index_field, folded) or None
    return folded


def _with_boost(body: dict, boost: float) -> dict:
    return body if boost == 1.0 else {**body, "boost": boost}


def _leaf(index_field: str, kind: str, body: dict, boost: float) -> _Term:
    return _Term(index_field, kind, json.dumps(body, ensure_ascii=False), boost)


def _escape_wildcard(pattern: str) -> str:
    """Whoosh reads a backslash in a pattern as itself; Lucene as an escape."""
    return pattern.replace("\\", "\\\\")


class _Reading:
    """Builds one content field's reading of the tree, as Whoosh's _Compiler does, before normalising."""

    def __init__(self, default_field: str, match_all: bool, stem: Stemmer | None) -> None:
        self.default_field = default_field
        self.group = _And if match_all else _Or
        self.stem = stem

    def compile(self, node: ql.Node, boost: float = 1.0):
        if isinstance(node, ql.Boost):
            return self.compile(node.child, node.factor)
        if isinstance(node, ql.LEAVES):
            if node.field is None:
                found = self.leaf(node, self.default_field, 1.0)
                return _Or((found,) if found is not None else (), boost)
            return self.leaf(node, _index_field(node.field), boost)
        if isinstance(node, ql.DateRange):
            return date_range(node, boost)
        if isinstance(node, ql.Everything):
            return _Every()
        if isinstance(node, ql.Not):
            child = self.compile(node.child)
            return _Not(child) if child else None
        if isinstance(node, ql.AndNot):
            positive, negative = self.compile(node.positive), self.compile(node.negative)
            # As Whoosh's BinaryGroup: a side that is None (not merely an empty group) leaves the other.
            if positive is None:
                return _NULL if negative is None else negative
            if negative is None:
                return positive
            return _AndNot(positive, negative)
        children = tuple(found for found in map(self.compile, node.children) if found is not None)
        if isinstance(node, ql.Group):
            return self.group(children, boost)
        return (_Or if isinstance(node, ql.Or) else _And)(children, boost)

    def leaf(self, leaf: ql.Leaf, index_field: str, boost: float):
        if isinstance(leaf, ql.Phrase):
            return self.phrase(leaf, index_field, boost)
        if isinstance(leaf, ql.Word):
            return self.word(leaf.text, index_field, boost)
        text = pattern_text(index_field, leaf.text if not isinstance(leaf, ql.Wildcard) else leaf.pattern, self.stem)
        if text is None:
            return None
        if isinstance(leaf, ql.Prefix):
            return _leaf(index_field, "prefix", {"value": text, "rewrite": EXPANSION_REWRITE}, boost)
        if isinstance(leaf, ql.Wildcard):
            if text == "*":
                return _Every(index_field, boost)  # Whoosh's Wildcard("*").normalize()
            body = {"value": _escape_wildcard(text), "rewrite": EXPANSION_REWRITE}
            return _leaf(index_field, "wildcard", body, boost)
        body = {
            "value": text,
            "fuzziness": min(leaf.max_edits, MAX_FUZZY_EDITS),
            "prefix_length": leaf.prefix_length,
            "transpositions": False,  # Whoosh counts a swap of two letters as two edits
            "rewrite": EXPANSION_REWRITE,
        }
        return _leaf(index_field, "fuzzy", body, boost)

    def word(self, text: str, index_field: str, boost: float):
        """Whoosh's term_query: no token vanishes (None), one is a term, several a phrase (or all of them)."""
        found = word_tokens(index_field, text)
        if not found:
            return None
        if len(found) == 1 or index_field == a.LANGUAGE:
            return _leaf(index_field, "match", {"query": text}, boost)
        if index_field in a.STANDARD_FIELDS:
            # Whoosh's TEXT() reads several tokens as a group of terms, joined like adjacent terms.
            operator = "and" if self.group is _And else "or"
            return _leaf(index_field, "match", {"query": text, "operator": operator}, boost)
        return _leaf(index_field, "match_phrase", {"query": text}, boost)

    def phrase(self, leaf: ql.Phrase, index_field: str, boost: float):
        """A phrase: nothing left is Whoosh's empty Phrase (NullQuery once normalised), one token a term.

        Whoosh's slop s means each next word within s positions after the previous one (1: adjacent).
        An exact phrase is `match_phrase`. A looser one is a chain of `intervals`, in order, with at
        most s-1 positions between each word and the next (Lucene's phrase slop s-1 would also take
        the words in another order, and counts the gaps of all the words together). Stop words leave
        no position in the index (analysis.py), so neither form counts them, as Whoosh does not.
        """
        found = word_tokens(index_field, leaf.text)
        if not found:
            return _NULL
        if len(found) == 1:
            return _leaf(index_field, "match", {"query": leaf.text}, boost)
        if leaf.slop <= 1:
            return _leaf(index_field, "match_phrase", {"query": leaf.text}, boost)
        rule: dict = {"match": {"query": _raw_words(index_field, leaf.text)[0]}}
        for word in _raw_words(index_field, leaf.text)[1:]:
            pair = [rule, {"match": {"query": word}}]
            rule = {"all_of": {"intervals": pair, "max_gaps": leaf.slop - 1, "mode": "ordered"}}
        return _leaf(index_field, "intervals", rule, boost)


def _raw_words(index_field: str, text: str) -> list[str]:
    """The words of a phrase as typed, one per token that stays (each is analysed by the cluster)."""
    pattern = a.STANDARD_TOKEN if index_field in a.STANDARD_FIELDS else a.TOKEN
    return [match.group() for match in pattern.finditer(text) if word_tokens(index_field, match.group())]


def date_range(node: ql.DateRange, boost: float = 1.0):
    """Whole days, both ends inclusive; open ends allowed; no ends at all is every dated article (as Whoosh)."""
    if node.start is None and node.end is None:
        return _Every(a.DATE, boost)
    body: dict = {"format": "strict_date"}
    if node.start is not None:
        body["gte"] = node.start.isoformat()
    if node.end is not None:
        body["lt"] = (node.end + dt.timedelta(days=1)).isoformat()  # the whole last day
    return _leaf(a.DATE, "range", body, boost)


# --- DSL -------------------------------------------------------------------------------------------

MATCH_NOTHING = {"match_none": {}}


def _dsl(query) -> dict:
    if isinstance(query, _Term):
        return query.dsl()
    if isinstance(query, _Every):
        inner = {"match_all": {}} if query.name is None else {"exists": {"field": query.name}}
        return {next(iter(inner)): _with_boost(next(iter(inner.values())), query.boost)}
    if query is _NULL:
        return MATCH_NOTHING
    if isinstance(query, _Not):
        return {"bool": _with_boost({"must_not": [_dsl(query.child)]}, query.boost)}
    if isinstance(query, _AndNot):
        return {"bool": {"must": [_dsl(query.positive)], "must_not": [_dsl(query.negative)]}}
    children = [_dsl(child) for child in query.children]
    if isinstance(query, _And):
        return {"bool": _with_boost({"must": children}, query.boost)}
    return {"bool": _with_boost({"should": children, "minimum_should_match": 1}, query.boost)}


def compile_query(node: ql.Node, fields: list[str], match_all: bool = True, *, stem: Stemmer | None = None) -> dict:
    """Return the OpenSearch query for a tree, read once per content field in `fields` and joined with OR.

    `fields` are the content fields of the languages the index holds (analysis.CONTENT_FIELDS);
    adjacent terms are all required unless match_all is False. `stem` stems the text of prefix,
    wildcard and fuzzy words in stemming fields (see the module docstring). A query that vanishes
    entirely (only stop words) is `match_none`, as Whoosh's NullQuery matches nothing. Copies and
    filters are the caller's to add.
    """
    if isinstance(node, ql.Everything):
        return {"match_all": {}}
    readings: list = []
    for content in fields:
        reading = _Reading(content, match_all, stem).compile(node)
        reading = _normalize(reading if reading else _NULL)
        if reading is not _NULL and reading not in readings:
            readings.append(reading)
    if not readings:
        return MATCH_NOTHING
    if len(readings) == 1:
        return _dsl(readings[0])
    return {"bool": {"should": [_dsl(reading) for reading in readings], "minimum_should_match": 1}}
