"""Reading a tree back in the query language ("read as ..."), without asking any engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from search.errors import QueryTooBroad
from search.querylang.tree import (
    DATE,
    LEAVES,
    MAX_EXPANSIONS,
    NOTHING_SEARCHABLE,
    AndNot,
    Boost,
    DateRange,
    Everything,
    Fuzzy,
    Leaf,
    Node,
    Not,
    Or,
    Pattern,
    Phrase,
    Prefix,
    Wildcard,
    Word,
)
from search.text import fold, tokens

# --- Reading a tree back --------------------------------------------------------------------------
# describe() shows how the archive reads a query the way it showed it when Whoosh read it for one
# unstemmed field: so the tree is lowered to the same shapes Whoosh built (_Q below, the words
# analysed by search.text) and simplified by the same rules as Whoosh's normalize().

_DEFAULT = ""  # the field of unfielded words


@dataclass(frozen=True)
class _QTerm:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class _QPhrase:
    field: str
    words: tuple[str, ...]
    slop: int = 1
    boost: float = 1.0


@dataclass(frozen=True)
class _QPattern:
    kind: str  # "prefix" or "wildcard"
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class _QFuzzy:
    field: str
    text: str
    max_edits: int
    prefix_length: int
    boost: float = 1.0


@dataclass(frozen=True)
class _QRange:
    start: dt.date | None
    end: dt.date | None
    boost: float = 1.0
    field: str = DATE


@dataclass(frozen=True)
class _QEvery:
    field: str | None
    boost: float = 1.0


@dataclass(frozen=True)
class _QAnd:
    subs: tuple
    boost: float = 1.0


@dataclass(frozen=True)
class _QOr:
    subs: tuple
    boost: float = 1.0


@dataclass(frozen=True)
class _QNot:
    query: object
    boost: float = 1.0  # meaningless, but Whoosh keeps NOTs of different boosts apart when removing duplicates


@dataclass(frozen=True)
class _QAndNot:
    a: object
    b: object


class _QNull:
    """Matches nothing (Whoosh's NullQuery)."""


_NULL = _QNull()
_COMPOUND = (_QAnd, _QOr)


def _lower_leaf(leaf: Leaf, field: str, boost: float):
    if isinstance(leaf, Word):
        words = tokens(leaf.text)
        if len(words) > 1:
            return _QPhrase(field, tuple(words), 1, boost)
        return _QTerm(field, words[0], boost) if words else None
    if isinstance(leaf, Phrase):
        return _QPhrase(field, tuple(tokens(leaf.text)), leaf.slop, boost)
    text = fold((leaf.pattern if isinstance(leaf, Wildcard) else leaf.text).lower())
    if not text:
        return None
    if isinstance(leaf, Fuzzy):
        return _QFuzzy(field, text, leaf.max_edits, leaf.prefix_length, boost)
    return _QPattern("prefix" if isinstance(leaf, Prefix) else "wildcard", field, text, boost)


def _truthy(query) -> bool:
    return query is not None and not (isinstance(query, _COMPOUND) and not query.subs)


def _lower(node: Node, boost: float = 1.0):
    """The query Whoosh's parser built for `node` in one unstemmed field (before normalize)."""
    if isinstance(node, Boost):
        return _lower(node.child, node.factor)
    if isinstance(node, LEAVES):
        if node.field is None:
            query = _lower_leaf(node, _DEFAULT, 1.0)
            return _QOr((query,) if query is not None else (), boost)
        return _lower_leaf(node, node.field, boost)
    if isinstance(node, DateRange):
        if node.start is None and node.end is None:
            return _QEvery(DATE, boost)
        return _QRange(node.start, node.end, boost)
    if isinstance(node, Everything):
        return _QEvery(None)
    if isinstance(node, Not):
        query = _lower(node.child)
        return _QNot(query) if _truthy(query) else None
    if isinstance(node, AndNot):
        a, b = _lower(node.positive), _lower(node.negative)
        if a is None or b is None:
            return _NULL if a is None and b is None else (a if b is None else b)
        return _QAndNot(a, b)
    subs = tuple(query for query in map(_lower, node.children) if query is not None)
    return _QOr(subs, boost) if isinstance(node, Or) else _QAnd(subs, boost)


def _field(query) -> str | None:
    if isinstance(query, _COMPOUND):
        fields = {_field(sub) for sub in query.subs}
        return fields.pop() if len(fields) == 1 else None
    if isinstance(query, _QAndNot):
        field = _field(query.a)
        return field if _field(query.b) == field else None
    return getattr(query, "field", None)


def _with_boost(query, boost: float):
    if isinstance(query, _QAndNot):
        return _QAndNot(_with_boost(query.a, boost), query.b)
    if isinstance(query, _QNull):
        return query
    return type(query)(**{**query.__dict__, "boost": boost})


def _normalize(query):
    """Whoosh's Query.normalize(), for the shapes _lower() builds."""
    if isinstance(query, _QPhrase):
        if not query.words:
            return _NULL
        return _QTerm(query.field, query.words[0]) if len(query.words) == 1 else query
    if isinstance(query, _QPattern) and query.kind == "wildcard":
        text = query.text
        if text == "*":
            return _QEvery(query.field, query.boost)
        if "*" not in text and "?" not in text:
            return _QTerm(query.field, text, query.boost)
        if "?" not in text and text.find("*") == len(text) - 1:
            return _QPattern("prefix", query.field, text[:-1], query.boost)
        return query
    if isinstance(query, _QNot):
        inner = _normalize(query.query)
        return inner if inner is _NULL else _QNot(inner, query.boost)
    if isinstance(query, _QAndNot):
        a, b = _normalize(query.a), _normalize(query.b)
        if a is _NULL:
            return _NULL
        return a if b is _NULL else _QAndNot(a, b)
    if isinstance(query, _COMPOUND):
        return _normalize_compound(query)
    return query


def _normalize_compound(query):
    subs = []
    for sub in query.subs:
        sub = _normalize(sub)
        if type(sub) is type(query):
            subs += [_with_boost(inner, getattr(inner, "boost", 1.0) * sub.boost) for inner in sub.subs]
        else:
            subs.append(sub)
    if all(sub is _NULL for sub in subs):
        return _NULL
    if any(isinstance(sub, _QEvery) and sub.field is None for sub in subs):
        return _QEvery(None)
    every_fields = set()
    kept = []
    for sub in subs:
        if _field(sub) in every_fields:
            continue
        if isinstance(sub, _QEvery):
            every_fields.add(sub.field)
        kept.append(sub)
    unique = []
    for sub in kept:
        if (not isinstance(sub, _QEvery) and _field(sub) in every_fields) or sub in unique:
            continue
        unique.append(sub)
    unique = [sub for sub in unique if sub is not _NULL]
    if not unique:
        return _NULL
    if len(unique) == 1:
        sub = unique[0]
        sub_boost = getattr(sub, "boost", 1.0)
        return sub if query.boost == 1.0 and sub_boost == 1.0 else _with_boost(sub, sub_boost * query.boost)
    return type(query)(tuple(unique), query.boost)


def _value(field: str, text: str) -> str:
    return text if field == _DEFAULT else f"{field}:{text}"


def _describe_leaf(query) -> str:
    if isinstance(query, _QEvery):
        return "*"
    if isinstance(query, _QRange):
        start = query.start.isoformat() if query.start else ""
        end = query.end.isoformat() if query.end else ""
        return f"date:[{start} TO {end}]".replace("[ TO", "[TO").replace(" TO ]", " TO]")
    if isinstance(query, _QPhrase):
        slop = f"~{query.slop}" if query.slop > 1 else ""
        return _value(query.field, '"' + " ".join(query.words) + '"' + slop)
    if isinstance(query, _QFuzzy):
        edits = str(query.max_edits) if query.max_edits > 1 else ""
        prefix = f"/{query.prefix_length}" if query.prefix_length else ""
        return _value(query.field, f"{query.text}~{edits}{prefix}")
    if isinstance(query, _QPattern):
        return _value(query.field, query.text + ("*" if query.kind == "prefix" else ""))
    return _value(query.field, query.text)


def _render(query, top: bool = True) -> str:
    if query is _NULL:
        return NOTHING_SEARCHABLE
    if isinstance(query, _QAndNot):
        return f"{_render(query.a, False)} -({_render(query.b, False)})"
    if isinstance(query, _QNot):
        return f"-({_render(query.query, False)})"
    if isinstance(query, _QOr):
        parts: list[str] = []
        for sub in query.subs:
            text = _render(sub, False)
            if text not in parts:
                parts.append(text)
        if len(parts) == 1:
            return parts[0]
        text = " OR ".join(parts)
        return text if top else f"({text})"
    if isinstance(query, _QAnd):
        text = " AND ".join(_render(sub, False) for sub in query.subs)
        return text if top else f"({text})"
    return _describe_leaf(query)


def describe(node: Node) -> str:
    """Render a tree in the archive's own query language, so users see how their query was read.

    Words are shown lower-cased and folded, as one unstemmed field without stop words reads them;
    a query whose words are all punctuation reads as NOTHING_SEARCHABLE.
    """
    query = _lower(node)
    return _render(_normalize(query) if _truthy(query) else _NULL)


def too_broad(pattern: Pattern, limit: int = MAX_EXPANSIONS) -> QueryTooBroad:
    """Return the error an engine raises when `pattern` matches more than `limit` indexed words."""
    return QueryTooBroad(
        f"'{describe(pattern)}' matches more than {limit:,} different words; make it longer or more specific",
        param="q",
    )
