"""The query tree: the frozen nodes every engine compiles, and the limits of the language."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from search.fields import DATE_FIELD, QUERY_FIELDS

MAX_QUERY_CHARS = 1000
# A wildcard, prefix or fuzzy word may stand for at most this many indexed words (`a*` could mean
# most of the vocabulary, and each word is searched). Engines check it with `patterns()` and `too_broad()`.
MAX_EXPANSIONS = 2000
MAX_NESTING = 20
MATCH_EVERYTHING = "*"
DATE = DATE_FIELD
# Names users type before a colon (each engine maps them to its index fields).
TEXT_FIELDS = tuple(name for name in QUERY_FIELDS if name != DATE_FIELD)
QUERY_FIELD_NAMES = frozenset(QUERY_FIELDS)
# `name:value` where name is one token glued to a value: only then is `name` meant as a field,
# so "Update: talks" and "10:30" stay plain words.
FIELD_PREFIX = re.compile(r"(?<![\w.:/-])([A-Za-z_][A-Za-z0-9_]*):(?=[^\s:/])")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# '+' and '-' are operators only at the start of a term, so "al-Sadr" and "Iran-backed" stay whole.
TERM_START = r"(?:^|(?<=[\s(]))"
NOTHING_SEARCHABLE = "(nothing searchable: only very common or very short words)"


# --- The tree -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word as typed (`Iran-backed`); engines analyse it, and several tokens make a phrase."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Phrase:
    """The raw text between double quotes; `slop` from `"..."~N` (1 is exact)."""

    text: str
    slop: int = 1
    field: str | None = None


@dataclass(frozen=True)
class Prefix:
    """`milit*`: any word starting with the text (not tokenized)."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Wildcard:
    """`*tack`, `b?g`, `a*b`: a glob pattern (not tokenized)."""

    pattern: str
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    """`Viena~`, `Viena~2`, `Viena~2/3`: words within `max_edits` edits sharing `prefix_length` letters."""

    text: str
    max_edits: int = 1
    prefix_length: int = 0
    field: str | None = None


@dataclass(frozen=True)
class DateRange:
    """Articles dated from `start` to `end`, whole days, both inclusive; None is an open end."""

    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class Everything:
    """Every article: the empty query, `*` alone, or `*:*`."""


@dataclass(frozen=True)
class Group:
    """Terms side by side (the whole query or a parenthesis): all required, or any with match_all=False."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class And:
    """Explicit `AND`, and `+` terms with the rest of their group."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Explicit `OR`, and the `-` terms a group excludes."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """`NOT x`."""

    child: Node


@dataclass(frozen=True)
class AndNot:
    """`positive` without `negative`: from `-word` (negative is an Or of the group's excluded terms) or `ANDNOT`."""

    positive: Node
    negative: Node


@dataclass(frozen=True)
class Boost:
    """`x^2`: ranks matches of a word, phrase, date range or parenthesis `factor` times higher."""

    child: Node
    factor: float


Leaf = Word | Phrase | Prefix | Wildcard | Fuzzy
Pattern = Prefix | Wildcard | Fuzzy
Node = Leaf | DateRange | Everything | Group | And | Or | Not | AndNot | Boost
LEAVES = (Word, Phrase, Prefix, Wildcard, Fuzzy)


def leaves(node: Node) -> Iterator[Leaf]:
    """Yield every word, phrase and pattern of a tree, excluded ones too (engines mark what they match)."""
    if isinstance(node, LEAVES):
        yield node
    elif isinstance(node, (Group, And, Or)):
        for child in node.children:
            yield from leaves(child)
    elif isinstance(node, (Not, Boost)):
        yield from leaves(node.child)
    elif isinstance(node, AndNot):
        yield from leaves(node.positive)
        yield from leaves(node.negative)


def patterns(node: Node) -> Iterator[Pattern]:
    """Yield the prefix, wildcard and fuzzy words of a tree: each stands for many indexed words."""
    if isinstance(node, (Prefix, Wildcard, Fuzzy)):
        yield node
    elif isinstance(node, (Group, And, Or)):
        for child in node.children:
            yield from patterns(child)
    elif isinstance(node, Not):
        yield from patterns(node.child)
    elif isinstance(node, AndNot):
        yield from patterns(node.positive)
        yield from patterns(node.negative)
    elif isinstance(node, Boost):
        yield from patterns(node.child)
