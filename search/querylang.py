"""The archive's query language, read once into a small engine-neutral tree that each search engine compiles.

Queries used to be read by Whoosh's own parser, so a Whoosh query object was the only form a
query had. With a second engine the language has to be ours: `parse()` reads the text into the
frozen nodes below, `describe()` reads a tree back ("read as ..." on the page) without asking
any engine, and each engine compiles the tree (search/backends/whoosh/compiler.py for Whoosh).

The reading reproduces the Whoosh parser configuration the archive used
(search/backends/whoosh/reference.py: fields, `-`/`+` only at the start of a term, fuzzy `~`),
step for step, because people's saved searches and links must keep finding the same articles:
adjacent terms are joined by the default operator (`Group`: all required, or any when an engine
compiles with match_all=False),
NOT binds tightest, then AND, then OR, then ANDNOT, then the juxtaposition of terms; a `-term`
is taken out of the whole group it stands in (`a OR b -c` is (a OR b) minus c). Words are kept
as typed: engines analyse them per field (stemming, stop words), and a word that analyses into
several tokens (`Iran-backed`) is a phrase.

Kept from Whoosh's undocumented syntax, because it was cheap to keep exactly:
- `ANDNOT` (an infix `AndNot`, binding looser than OR);
- `'single quoted words'` (one `Word` of the quoted text, so a phrase with stop words removed);
- `*:*` (`Everything`);
- `word^2`, `"a phrase"^2`, `(a group)^2` (a `Boost`: it changes ranking, so it had meaning);
- fuzzy prefix lengths `Viena~2/3` and term edit distances `~0`..`~9`.

Deliberately different from the Whoosh reading (tests/test_querylang.py lists each with an example):
- `ANDMAYBE` and `REQUIRE` are ordinary words (they were Whoosh operators).
- `+word` means the word is required. Whoosh made the *other* terms optional (`+Blinken Baghdad`
  found articles without Baghdad); now `+a b` is `a b`, and with match_all=False the + words are
  required and at least one of the others.
- `-word` and `+word` work inside parentheses: `x (a -b)` was an error ("cannot read the query").
- Operators with nothing to act on vanish instead of failing: `NOT NOT a` reads `a`,
  `a ANDNOT ANDNOT b` reads `a b`.
- `[a TO b]` is a range only right after `date:`; elsewhere it is ordinary words (Whoosh made a
  term range of any field). A `date:` range takes YYYY, YYYY-MM or YYYY-MM-DD at either end, or
  nothing for an open end, and anything else is a syntax error with its column (Whoosh accepted
  `20240101`, misread `2024-6` as the year 2024 and failed on `2024-1-5` without a column).
- A `date:` value ends at a parenthesis: `(Iraq date:2024)` was an error ("'2024)' is not a date").
- `-date:...` and `+date:...` are read like any `date:` term. Whoosh read them with its own date
  parser: `x -date:>2024-08` and `x -date:soon` excluded nothing, and `-date:2024-2` meant all of 2024.
- `date:` is a field only where it starts a term (not glued to a preceding word, as in
  `x.date:2024`); index fields that are not query fields (`body:`, `content:`) are never fields.
  A `date:` inside single quotes is plain text.
- A boost applies to what it follows only. Whoosh let `a^2 OR b` and `(a b)^2 AND c` pass the boost
  on to the whole OR / AND (so `a^2 OR b` ranked exactly like `a OR b`), and in parentheses nested
  as an operand its normalisation could keep or drop a boost on the left of an ANDNOT depending on
  how it had merged groups (`((a ANDNOT b c^0.5)^3) OR d` with match_all=False).
- A stray `^2` inside parentheses after an operator is an ordinary word (Whoosh searched it in no field).
- `describe()` normalises fielded words the neutral way (lower-cased and folded) instead of with
  each field's own analyzer, so `title:attacks` reads `title:attacks` (was `title:attack`), a
  fielded stop word stays, and a fielded word of several tokens reads as a phrase. A fuzzy prefix
  length is shown (`viena~2/3`), and a pattern that is too broad is named as typed (lower-cased
  and folded, not stemmed) in the error message.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from search.errors import QuerySyntaxError, QueryTooBroad
from search.fields import DATE_FIELD, QUERY_FIELDS
from search.text import fold, tokens

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


# --- Checks on the raw text -----------------------------------------------------------------------


def _unknown_field_error(name: str, column: int) -> QuerySyntaxError:
    known = ", ".join(sorted(QUERY_FIELD_NAMES))
    return QuerySyntaxError(f"unknown field '{name}:' at column {column}; known fields: {known}", column)


def check_syntax(text: str) -> None:
    """Raise QuerySyntaxError for unbalanced quotes or parentheses, deep nesting or unknown fields."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    open_quote: int | None = None
    open_parens: list[int] = []
    for index, char in enumerate(text):
        if char == '"':
            open_quote = index if open_quote is None else None
        elif open_quote is not None:
            continue
        elif char == "(":
            open_parens.append(index)
            if len(open_parens) > MAX_NESTING:
                raise QuerySyntaxError(
                    f"parentheses nested deeper than {MAX_NESTING} levels at column {index + 1}", index + 1
                )
        elif char == ")":
            if not open_parens:
                raise QuerySyntaxError(f"')' at column {index + 1} closes nothing", index + 1)
            open_parens.pop()
    if open_quote is not None:
        raise QuerySyntaxError(f"unclosed quote opened at column {open_quote + 1}", open_quote + 1)
    if open_parens:
        column = open_parens[-1] + 1
        raise QuerySyntaxError(f"unclosed parenthesis opened at column {column}", column)
    outside_quotes = re.sub(r'"[^"]*"', lambda m: " " * len(m.group()), text)
    for match in FIELD_PREFIX.finditer(outside_quotes):
        if match.group(1) not in QUERY_FIELD_NAMES:
            raise _unknown_field_error(match.group(1), match.start() + 1)


# --- Dates ----------------------------------------------------------------------------------------

# Where `date:` starts a term: not glued to a word, or right after a `-`/`+` operator (`-date:2023`).
DATE_START = re.compile(r"(?<![\w.:/])date:")
SIGNED_TERM = re.compile(TERM_START + r"[-+]date:")
# `date:` then an optional comparison and a year, month or day (ending at a space, quote or parenthesis).
DATE_TERM = re.compile(r"date:(>=|<=|>|<)?(?!\[)([^\s()\"]*)")
# Whoosh's range syntax, kept for `date:[A TO B]` (`to` in any case, `]` or `}` to close, quotes allowed).
DATE_RANGE = re.compile(
    r"""
    date:
    (?P<open>\{|\[)
    (?P<start>('[^']*?'\s+)|([^\]}]+?(?=[Tt][Oo])))?
    [Tt][Oo]
    (?P<end>(\s+'[^']*?')|([^\]}]+?))?
    (?P<close>}|])
    """,
    re.VERBOSE,
)
PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def date_period(value: str) -> tuple[dt.date, dt.date] | None:
    """Return the first and last day of a year, month or day written as YYYY, YYYY-MM or YYYY-MM-DD."""
    match = PARTIAL_DATE.match(value)
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day is not None:
            first = last = dt.date(year, month, day)
        elif month is not None:
            first = dt.date(year, month, 1)
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
        else:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None
    return first, last


def _not_a_date(value: str, column: int) -> QuerySyntaxError:
    return QuerySyntaxError(f"'{value}' at column {column} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD", column)


def _period(value: str, column: int) -> tuple[dt.date, dt.date]:
    period = date_period(value)
    if period is None:
        raise _not_a_date(value, column)
    return period


def _date_term(match: re.Match, offset: int) -> DateRange:
    operator, value = match.group(1) or "", match.group(2)
    first, last = _period(value, offset + match.start(2) + 1)
    one_day = dt.timedelta(days=1)
    # Comparisons are about whole periods: date:>2024-08 means September 2024 or later.
    if operator == ">":
        return DateRange(last + one_day, None)
    if operator == ">=":
        return DateRange(first, None)
    if operator == "<":
        return DateRange(None, first - one_day)
    if operator == "<=":
        return DateRange(None, last)
    return DateRange(first, last)


def _range_end(match: re.Match, group: str, offset: int) -> tuple[dt.date, dt.date] | None:
    raw = match.group(group)
    if raw is None:
        return None
    value = raw.strip()
    column = offset + match.start(group) + 1 + (len(raw) - len(raw.lstrip()))
    if len(value) > 1 and value.startswith("'") and value.endswith("'"):
        value, column = value[1:-1], column + 1
    return _period(value, column) if value else None


def _scan_dates(text: str) -> dict[int, tuple[int, DateRange]]:
    """Find every `date:` term outside double quotes: {start: (end, range)}; a value that is not a date is an error."""
    found: dict[int, tuple[int, DateRange]] = {}
    offset = 0
    for part in re.split(r'("[^"]*")', text):
        if not part.startswith('"'):
            consumed = 0
            for start in DATE_START.finditer(part):
                at = offset + start.start()
                signed = at > 0 and text[at - 1] in "-+"
                if start.start() < consumed or (signed and not SIGNED_TERM.match(text, at - 1)):
                    continue
                if part.startswith("date:[", start.start()):
                    match = DATE_RANGE.match(part, start.start())
                    if not match:
                        raise _not_a_date(re.match(r"\S*", part[start.end() :]).group(), offset + start.end() + 1)
                    first = _range_end(match, "start", offset)
                    last = _range_end(match, "end", offset)
                    node = DateRange(first[0] if first else None, last[1] if last else None)
                else:
                    match = DATE_TERM.match(part, start.start())
                    node = _date_term(match, offset)
                found[offset + match.start()] = (offset + match.end(), node)
                consumed = match.end()
        offset += len(part)
    return found


# --- Reading: Whoosh's tagging and filters, on our own syntax nodes ---------------------------------
# Each step below is the Whoosh qparser plugin of the same name (whoosh/qparser/plugins.py), in the
# order the archive's parser ran them; the quirks they have are the behaviour people know.


class _Syn:
    has_fieldname = False
    has_text = False
    has_boost = False

    def is_ws(self) -> bool:
        return False

    def is_text(self) -> bool:
        return False

    def set_fieldname(self, name: str, override: bool = False) -> None:
        if self.has_fieldname and (self.fieldname is None or override):
            self.fieldname = name

    def set_boost(self, boost: float) -> None:
        if self.has_boost:
            self.boost = boost


class _Space(_Syn):
    def is_ws(self) -> bool:
        return True


class _Marker(_Syn):
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "open", "close", "plus", "minus", "every"


class _Op(_Syn):
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "not", "and", "or", "andnot"


class _FieldName(_Syn):
    has_fieldname = True

    def __init__(self, fieldname: str, original: str) -> None:
        self.fieldname = fieldname
        self.original = original


class _BoostMark(_Syn):
    def __init__(self, boost: float, original: str) -> None:
        self.boost = boost
        self.original = original


class _Fuzziness(_Syn):
    def __init__(self, maxdist: int, prefix: int, original: str) -> None:
        self.maxdist = maxdist
        self.prefix = prefix
        self.original = original


class _Text(_Syn):
    has_fieldname = has_text = has_boost = True

    def __init__(self, text: str) -> None:
        self.fieldname: str | None = None
        self.text = text
        self.boost = 1.0

    def is_text(self) -> bool:
        return True


class _WordT(_Text):
    pass


class _WildT(_Text):
    pass


class _PrefixT(_Text):
    pass


class _PhraseT(_Text):
    def __init__(self, text: str, slop: int) -> None:
        super().__init__(text)
        self.slop = slop


class _FuzzyT(_Text):
    def __init__(self, word: _WordT, maxdist: int, prefix: int) -> None:
        super().__init__(word.text)
        self.maxdist = maxdist
        self.prefix = prefix


class _DateT(_Syn):
    has_fieldname = has_boost = True

    def __init__(self, node: DateRange) -> None:
        self.fieldname = DATE
        self.node = node
        self.boost = 1.0


class _Group(_Syn):
    has_boost = True

    def __init__(self, nodes: list[_Syn] | None = None) -> None:
        self.nodes = nodes or []
        self.boost = 1.0

    def set_fieldname(self, name: str, override: bool = False) -> None:
        for node in self.nodes:
            node.set_fieldname(name, override)


class _Implicit(_Group):
    """Terms joined by the default operator (Whoosh's parser.group)."""


class _AndG(_Group):
    pass


class _OrG(_Group):
    pass


class _NotG(_Group):
    pass


class _AndNotG(_Group):
    has_boost = False


class _Multi(_Group):
    """An unfielded term, to be searched in the default fields (Whoosh's MultifieldPlugin group)."""


def _to_word(node: _Syn) -> _WordT:
    return _WordT(node.original)


def _regex_tagger(pattern: str, make, flags: int = 0):
    expr = re.compile(pattern, flags)

    def tag(text: str, pos: int) -> tuple[_Syn, int] | None:
        match = expr.match(text, pos)
        return (make(match), match.end()) if match else None

    return tag


def _make_boost(match: re.Match) -> _Syn:
    try:
        return _BoostMark(float(match.group("boost")), match.group(0))
    except ValueError:
        return _WordT(match.group(0))


def _make_fuzziness(match: re.Match) -> _Syn:
    maxdist, prefix = match.group("maxdist"), match.group("prefix")
    return _Fuzziness(int(maxdist) if maxdist else 1, int(prefix) if prefix else 0, match.group(0))


QMARKS = "?\u055e\u061f\u1367"
# In Whoosh's priority order: the first tagger that matches at a position wins.
_TAGGERS = [
    _regex_tagger(r"(?<=\s)ANDNOT(?=\s)", lambda m: _Op("andnot")),
    _regex_tagger(r"[*]:[*]", lambda m: _Marker("every")),
    _regex_tagger(r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)", lambda m: _WordT(m.group("text"))),
    _regex_tagger(r"(?P<text>\w+|[*]):", lambda m: _FieldName(m.group("text"), m.group(0))),
    _regex_tagger(f"(?P<text>[*{QMARKS}])", lambda m: _WildT(m.group("text"))),
    _regex_tagger(
        r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?',
        lambda m: _PhraseT(m.group("text"), int(m.group("slop") or 1)),
    ),
    _regex_tagger(r"[(]", lambda m: _Marker("open")),
    _regex_tagger(r"[)]", lambda m: _Marker("close")),
    _regex_tagger(r"(^|(?<=(\s|[()])))NOT(?=\s)", lambda m: _Op("not")),
    _regex_tagger(r"(?<=\s)AND(?=\s)", lambda m: _Op("and")),
    _regex_tagger(r"(?<=\s)OR(?=\s)", lambda m: _Op("or")),
    _regex_tagger(r"\^(?P<boost>[0-9]*(\.[0-9]+)?)($|(?=[ \t\r\n)]))", _make_boost),
    _regex_tagger(r"(?<=\S)~(?P<maxdist>[0-9])?(/(?P<prefix>[1-9][0-9]*))?", _make_fuzziness),
    _regex_tagger(TERM_START + r"\+(?=\S)", lambda m: _Marker("plus")),
    _regex_tagger(TERM_START + r"-(?=\S)", lambda m: _Marker("minus")),
    _regex_tagger(r"\s+", lambda m: _Space()),
]


def _tag(text: str, dates: dict[int, tuple[int, DateRange]]) -> list[_Syn]:
    """Cut the text into syntax nodes; text no tagger claims becomes words."""
    found: list[_Syn] = []
    prev = pos = 0
    while pos < len(text):
        tagged = None
        if pos in dates:
            end, node = dates[pos]
            tagged = (_DateT(node), end)
        else:
            for tagger in _TAGGERS:
                tagged = tagger(text, pos)
                if tagged:
                    break
        if tagged:
            if prev < pos:
                found.append(_WordT(text[prev:pos]))
            found.append(tagged[0])
            prev = pos = tagged[1]
        else:
            pos += 1
    if prev < len(text):
        found.append(_WordT(text[prev:]))
    return found


def _groups(nodes: list[_Syn]) -> _Group:
    stack: list[_Group] = [_Implicit()]
    for node in nodes:
        if isinstance(node, _Marker) and node.kind == "open":
            stack.append(_Implicit())
        elif isinstance(node, _Marker) and node.kind == "close":
            if len(stack) > 1:
                last = stack.pop()
                stack[-1].nodes.append(last)
        else:
            stack[-1].nodes.append(node)
    top = stack[0]
    for level in stack[1:]:
        top.nodes.extend(level.nodes)
    if len(top.nodes) == 1 and isinstance(top.nodes[0], _Group):
        boost, top = top.boost, top.nodes[0]
        top.boost = boost
    return top


def _clean_boost(group: _Group) -> None:
    # Only at the top level, as in Whoosh: a boost that follows nothing boostable is a word.
    for i, node in enumerate(group.nodes):
        if isinstance(node, _BoostMark) and (not i or not group.nodes[i - 1].has_boost):
            group.nodes[i] = _to_word(node)


def _fuzzy_terms(group: _Group) -> None:
    nodes, result, i = group.nodes, [], 0
    while i < len(nodes):
        node = nodes[i]
        if i < len(nodes) - 1 and type(node) is _WordT and isinstance(nodes[i + 1], _Fuzziness):
            node = _FuzzyT(node, nodes[i + 1].maxdist, nodes[i + 1].prefix)
            i += 1
        if isinstance(node, _Fuzziness):
            node = _to_word(node)
        if isinstance(node, _Group):
            _fuzzy_terms(node)
        result.append(node)
        i += 1
    group.nodes = result


def _wildcards(group: _Group) -> None:
    nodes, i = group.nodes, 0
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, _WildT):
            if i < len(nodes) - 1 and nodes[i + 1].is_text():
                node.text += nodes.pop(i + 1).text
            if i > 0 and nodes[i - 1].is_text():
                node.text = nodes.pop(i - 1).text + node.text
            else:
                i += 1
        else:
            if isinstance(node, _Group):
                _wildcards(node)
            i += 1
    for i, node in enumerate(nodes):
        if isinstance(node, _WildT):
            text = node.text
            if len(text) > 1 and not any(mark in text for mark in QMARKS) and text.find("*") == len(text) - 1:
                nodes[i] = _PrefixT(text[:-1])


def _fieldnames(group: _Group) -> None:
    # A name that is not a query field is text, glued to the text after it ("10:30", "Update:").
    kept: list[_Syn] = []
    unknown: _FieldName | None = None
    for node in group.nodes:
        if isinstance(node, _FieldName) and node.fieldname not in TEXT_FIELDS:
            unknown = node
            continue
        if unknown:
            if node.has_text:
                node.text = unknown.original + node.text
            else:
                kept.append(_to_word(unknown))
            unknown = None
        kept.append(node)
    if unknown:
        kept.append(_to_word(unknown))
    result: list[_Syn] = []
    i = len(kept)
    while i > 0:
        i -= 1
        node = kept[i]
        if isinstance(node, _FieldName):
            node = _to_word(node)
        elif isinstance(node, _Group):
            _fieldnames(node)
        if i > 0 and not node.is_ws() and isinstance(kept[i - 1], _FieldName):
            node.set_fieldname(kept[i - 1].fieldname)
            i -= 1
        result.append(node)
    result.reverse()
    group.nodes = result


def _multifield(group: _Group) -> None:
    for i, node in enumerate(group.nodes):
        if isinstance(node, _Group):
            _multifield(node)
        elif node.has_fieldname and node.fieldname is None:
            group.nodes[i] = _Multi([node])


def _drop_space(group: _Group) -> None:
    group.nodes = [node for node in group.nodes if not node.is_ws()]
    for node in group.nodes:
        if isinstance(node, _Group):
            _drop_space(node)


def _boosts(group: _Group) -> None:
    result: list[_Syn] = []
    for node in group.nodes:
        if isinstance(node, _Group):
            _boosts(node)
        elif isinstance(node, _BoostMark):
            if result and result[-1].has_boost:
                result[-1].set_boost(node.boost)
                continue
            node = _to_word(node)
        result.append(node)
    group.nodes = result


def _plus_minus(group: _Group, top: bool) -> _Group:
    """Take `+` terms and `-` terms out of each group: (+required AND rest) minus any excluded."""
    for i, node in enumerate(group.nodes):
        if isinstance(node, _Implicit):
            group.nodes[i] = _plus_minus(node, False)
    required: list[_Syn] = []
    optional: list[_Syn] = []
    banned: list[_Syn] = []
    target = optional
    for node in group.nodes:
        if isinstance(node, _Marker) and node.kind == "plus":
            target = required
        elif isinstance(node, _Marker) and node.kind == "minus":
            target = banned
        else:
            target.append(node)
            target = optional
    if not required and not banned:
        group.nodes = optional
        return group
    core: _Group = _Implicit(optional)
    if required:
        core = _AndG([*required, core])
    if banned:
        core = _AndNotG([core, _OrG(banned)])
    if top:
        return core
    group.nodes = [core]
    return group


_INFIX = {"and": _AndG, "or": _OrG, "andnot": _AndNotG}


def _operators(group: _Group) -> None:
    nodes = group.nodes
    for kind in ("not", "and", "or", "andnot"):
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if not (isinstance(node, _Op) and node.kind == kind):
                i += 1
            elif kind == "not":
                del nodes[i]
                if i < len(nodes):
                    nodes[i] = _NotG([nodes[i]])
            elif 0 < i < len(nodes) - 1:
                left, right, cls = nodes[i - 1], nodes[i + 1], _INFIX[kind]
                # Only operator groups absorb a neighbour; a parenthesis keeps its boost to itself.
                if cls is not _AndNotG and type(left) is cls:
                    left.nodes.append(right)
                    del nodes[i : i + 2]
                else:
                    nodes[i - 1 : i + 2] = [cls([left, right])]
            else:
                del nodes[i]
    for node in nodes:
        if isinstance(node, _Group):
            _operators(node)


def _boosted(node: Node, boost: float) -> Node:
    return node if boost == 1.0 else Boost(node, boost)


def _leaf(node: _Text, field: str | None) -> Leaf:
    if isinstance(node, _PhraseT):
        return Phrase(node.text, node.slop, field)
    if isinstance(node, _PrefixT):
        return Prefix(node.text, field)
    if isinstance(node, _WildT):
        return Wildcard(node.text, field)
    if isinstance(node, _FuzzyT):
        return Fuzzy(node.text, node.maxdist, node.prefix, field)
    return Word(node.text, field)


def _tree(node: _Syn) -> Node | None:
    """Turn the rearranged syntax nodes into the tree; operators left with nothing to act on vanish."""
    if isinstance(node, _Multi):
        return _boosted(_leaf(node.nodes[0], None), node.boost)
    if isinstance(node, _Text):
        return _boosted(_leaf(node, node.fieldname), node.boost)
    if isinstance(node, _DateT):
        return _boosted(node.node, node.boost)
    if isinstance(node, _Marker) and node.kind == "every":
        return Everything()
    if not isinstance(node, _Group):
        return None
    children = tuple(child for child in map(_tree, node.nodes) if child is not None)
    if isinstance(node, _NotG):
        return Not(children[0]) if children else None
    if isinstance(node, _AndNotG):
        return AndNot(*children) if len(children) == 2 else (children[0] if children else None)
    if isinstance(node, _AndG):
        return And(children)
    if isinstance(node, _OrG):
        return Or(children)
    return _boosted(Group(children), node.boost)


def parse(text: str) -> Node:
    """Read user query text into a tree; an empty query (or `*`) matches every article.

    Raises QuerySyntaxError, with the 1-based column where known, for text that cannot be read.
    """
    text = CONTROL_CHARS.sub(" ", text or "").strip()
    if not text or text == MATCH_EVERYTHING:
        return Everything()
    check_syntax(text)
    top = _groups(_tag(text, _scan_dates(text)))
    _clean_boost(top)
    _fuzzy_terms(top)
    _wildcards(top)
    _fieldnames(top)
    _multifield(top)
    _drop_space(top)
    _boosts(top)
    top = _plus_minus(top, True)
    _operators(top)
    return _tree(top) or Group(())


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


def too_broad(pattern: Pattern, limit: int = MAX_EXPANSIONS) -> QueryTooBroad:
    """Return the error an engine raises when `pattern` matches more than `limit` indexed words."""
    return QueryTooBroad(
        f"'{describe(pattern)}' matches more than {limit:,} different words; make it longer or more specific",
        param="q",
    )
