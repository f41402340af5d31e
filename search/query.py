"""Read the archive's query language into a Whoosh query, reporting syntax errors with their column.

Whoosh's parser accepts broken input silently (unclosed quotes, unknown fields, runaway
nesting), so the text is checked here first and any parser exception becomes a
QuerySyntaxError instead of a server error.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from whoosh import qparser
from whoosh.qparser import plugins
from whoosh.query import (
    And,
    AndNot,
    Every,
    FuzzyTerm,
    MultiTerm,
    Not,
    NullQuery,
    NumericRange,
    Or,
    Phrase,
    Prefix,
    Query,
    Term,
    Wildcard,
)
from whoosh.util.times import long_to_datetime

from search.errors import QuerySyntaxError, QueryTooBroad
from search.schema import CONTENT, DATE, DEFAULT_SEARCH_FIELDS, QUERY_FIELDS

MAX_QUERY_CHARS = 1000
# A wildcard, prefix or fuzzy word may stand for at most this many indexed words (`a*` could mean
# most of the vocabulary, and each word is searched).
MAX_EXPANSIONS = 2000
MATCH_EVERYTHING = "*"
MAX_NESTING = 20
# `name:value` where name is one token glued to a value: only then is `name` meant as a field,
# so "Update: talks" and "10:30" stay plain words.
FIELD_PREFIX = re.compile(r"(?<![\w.:/-])([A-Za-z_][A-Za-z0-9_]*):(?=[^\s:/])")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# '+' and '-' are operators only at the start of a term, so "al-Sadr" and "Iran-backed" stay whole.
TERM_START = r"(?:^|(?<=[\s(]))"


def _unknown_field_error(name: str, column: int) -> QuerySyntaxError:
    known = ", ".join(sorted(QUERY_FIELDS))
    return QuerySyntaxError(f"unknown field '{name}:' at column {column}; known fields: {known}", column)


# `date:` followed by an optional comparison and a year, month or day; ranges in brackets are left to Whoosh.
DATE_TERM = re.compile(r"(?<![\w.:/-])date:(>=|<=|>|<)?(?!\[)(\S*)")
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


def _rewrite_date_term(match: re.Match, offset: int) -> str:
    operator, value = match.group(1) or "", match.group(2)
    period = date_period(value)
    if period is None:
        column = offset + match.start(2) + 1
        raise QuerySyntaxError(f"'{value}' at column {column} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD", column)
    first, last = period
    one_day = dt.timedelta(days=1)
    # Comparisons are about whole periods: date:>2024-08 means September 2024 or later.
    if operator == ">":
        return f"date:[{(last + one_day).isoformat()} TO]"
    if operator == ">=":
        return f"date:[{first.isoformat()} TO]"
    if operator == "<":
        return f"date:[TO {(first - one_day).isoformat()}]"
    if operator == "<=":
        return f"date:[TO {last.isoformat()}]"
    return f"date:[{first.isoformat()} TO {last.isoformat()}]"


def rewrite_dates(text: str) -> str:
    """Turn `date:` terms and comparisons outside quotes into explicit day ranges Whoosh reads correctly."""
    rewritten, offset = [], 0
    for part in re.split(r'("[^"]*")', text):
        if part.startswith('"'):
            rewritten.append(part)
        else:
            rewritten.append(DATE_TERM.sub(lambda m, at=offset: _rewrite_date_term(m, at), part))
        offset += len(part)
    return "".join(rewritten)


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
        if match.group(1) not in QUERY_FIELDS:
            raise _unknown_field_error(match.group(1), match.start() + 1)


def build_parser(schema, match_all: bool = True, field_boosts: dict[str, float] | None = None) -> qparser.QueryParser:
    """Return the archive's query parser: fields aliased, operators made safe.

    Plain words are looked up in every field of `field_boosts` (default: the content field of
    every language), each analysed the way that field is, so a German word is stemmed as German
    for German articles. People expect every word to be required (`match_all`); ranking long
    natural-language questions (as relevance benchmarks do) needs any word to count instead.
    """
    boosts = field_boosts or DEFAULT_SEARCH_FIELDS
    parser = qparser.MultifieldParser(
        list(boosts), schema, fieldboosts=boosts, group=qparser.AndGroup if match_all else qparser.OrGroup
    )
    aliases: dict[str, list[str]] = {}
    for typed, field in QUERY_FIELDS.items():
        if typed != field:
            aliases.setdefault(field, []).append(typed)
    parser.add_plugin(plugins.FieldAliasPlugin(aliases))
    parser.add_plugin(plugins.FuzzyTermPlugin())
    parser.add_plugin(plugins.PlusMinusPlugin(plusexpr=TERM_START + r"\+(?=\S)", minusexpr=TERM_START + r"-(?=\S)"))
    return parser


class AnyLanguageParser:
    """Reads a query once per language field; an article matches when its own language's reading does.

    A word that is a stop word in one language but not another (English "the") would otherwise
    be required in fields where it was never indexed; reading the whole query per language keeps
    each language's stop words, stemming and AND/OR/NOT logic to its own articles.
    """

    def __init__(self, schema, fields: list[str], match_all: bool = True) -> None:
        self.parsers = [build_parser(schema, match_all, {field: 1.0}) for field in fields]

    def parse(self, text: str) -> Query:
        """Parse text for every language and join the readings with OR."""
        readings: list[Query] = []
        for parser in self.parsers:
            reading = parser.parse(text)
            if reading is not NullQuery and reading not in readings:
                readings.append(reading)
        if not readings:
            return NullQuery
        return readings[0] if len(readings) == 1 else Or(readings)


def describe_parser(schema) -> qparser.QueryParser:
    """Return a parser that reads plain words into one field, for showing how a query was read."""
    return build_parser(schema, field_boosts={CONTENT: 1.0})


def parse_query(text: str, parser: qparser.QueryParser) -> Query:
    """Parse user query text; an empty query matches every article."""
    text = CONTROL_CHARS.sub(" ", text or "").strip()
    if not text or text == MATCH_EVERYTHING:
        return Every()
    check_syntax(text)
    text = rewrite_dates(text)
    try:
        return parser.parse(text)
    except Exception as exc:  # Whoosh raises assorted IndexError/ValueError/TypeError on odd input
        raise QuerySyntaxError(f"cannot read the query: {exc}") from None


def check_expansions(query: Query, reader, limit: int | None = None) -> None:
    """Raise QueryTooBroad when a wildcard, prefix or fuzzy word matches too many indexed words."""
    limit = limit or MAX_EXPANSIONS
    for node in query.leaves():
        # Wildcards, prefixes, fuzzy words and term ranges expand to indexed words; numeric ranges do not.
        if isinstance(node, MultiTerm) and not isinstance(node, NumericRange):
            for count, _ in enumerate(node._btexts(reader), start=1):  # noqa: SLF001 - Whoosh's expansion
                if count > limit:
                    raise QueryTooBroad(
                        f"'{_describe_leaf(node)}' matches more than {limit:,} different words; "
                        "make it longer or more specific",
                        param="q",
                    )


_FIELD_NAMES_TYPED = {field: typed for typed, field in QUERY_FIELDS.items()}


def _describe_value(fieldname: str | None, text: str) -> str:
    # A word searched where plain words are searched needs no field name.
    searched_by_default = fieldname in DEFAULT_SEARCH_FIELDS
    prefix = "" if fieldname is None or searched_by_default else f"{_FIELD_NAMES_TYPED.get(fieldname, fieldname)}:"
    return prefix + text


def _describe_day(ticks: int | None) -> str:
    return long_to_datetime(ticks).date().isoformat() if ticks is not None else ""


def _describe_leaf(node: Query, bare: bool = False) -> str:
    """Describe a single-field query; `bare` leaves out the field name (a word searched in all default fields)."""
    if bare:
        node = node.copy()
        node.fieldname = None
    if isinstance(node, Every):
        return "*"
    if isinstance(node, NumericRange) and node.fieldname == DATE:
        return f"date:[{_describe_day(node.start)} TO {_describe_day(node.end)}]".replace("[ TO", "[TO").replace(
            " TO ]", " TO]"
        )
    if isinstance(node, Phrase):
        slop = f"~{node.slop}" if node.slop > 1 else ""
        return _describe_value(node.fieldname, '"' + " ".join(node.words) + '"' + slop)
    if isinstance(node, FuzzyTerm):
        return _describe_value(node.fieldname, f"{node.text}~{node.maxdist if node.maxdist > 1 else ''}")
    if isinstance(node, Prefix):
        return _describe_value(node.fieldname, f"{node.text}*")
    if isinstance(node, Wildcard):
        return _describe_value(node.fieldname, node.text)
    if isinstance(node, Term):
        return _describe_value(node.fieldname, str(node.text))
    return str(node)


def _describe_or(node: Or) -> list[str]:
    """Describe an Or's parts once each (a word searched in several fields reads as one word)."""
    parts: list[str] = []
    for child in node.subqueries:
        text = describe_query(child, False)
        if text not in parts:
            parts.append(text)
    return parts


def describe_query(node: Query, top: bool = True) -> str:
    """Render a parsed query back in the archive's own query language, so users see how it was read."""
    if isinstance(node, NullQuery.__class__) or node is NullQuery:
        return "(nothing searchable: only very common or very short words)"
    if isinstance(node, AndNot):
        return f"{describe_query(node.a, False)} -({describe_query(node.b, False)})"
    if isinstance(node, Not):
        return f"-({describe_query(node.query, False)})"
    if isinstance(node, Or):
        parts = _describe_or(node)
        if len(parts) == 1:
            return parts[0]
        text = " OR ".join(parts)
        return text if top else f"({text})"
    if isinstance(node, And):
        text = " AND ".join(describe_query(child, False) for child in node.subqueries)
        return text if top else f"({text})"
    return _describe_leaf(node)
