"""Whoosh's own query parser, configured as the archive read queries before it had a language of its own.

The archive never calls this: search.querylang reads (and describes) queries and the compiler
(compiler.py) turns them into Whoosh queries. It is kept as the reference those are tested
against (tests/test_querylang.py: the compiled query must equal what this parser gives, and the
description what describe_query gives), and as the raw-Whoosh side of the benchmarks.
"""

from __future__ import annotations

import datetime as dt
import re

from whoosh import qparser
from whoosh.qparser import plugins
from whoosh.query import (
    And,
    AndNot,
    Every,
    FuzzyTerm,
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

from search import querylang
from search.backends.whoosh.schema import CONTENT, DATE, DEFAULT_SEARCH_FIELDS, QUERY_FIELDS
from search.errors import QuerySyntaxError

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# '+' and '-' are operators only at the start of a term, so "al-Sadr" and "Iran-backed" stay whole.
TERM_START = r"(?:^|(?<=[\s(]))"
# `date:` followed by an optional comparison and a year, month or day; ranges in brackets are left to Whoosh.
DATE_TERM = re.compile(r"(?<![\w.:/-])date:(>=|<=|>|<)?(?!\[)(\S*)")


def _rewrite_date_term(match: re.Match, offset: int) -> str:
    operator, value = match.group(1) or "", match.group(2)
    period = querylang.date_period(value)
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


def parse_query(text: str, parser) -> Query:
    """Parse query text the way the archive did with Whoosh's parser (an empty query or `*`: every article)."""
    text = CONTROL_CHARS.sub(" ", text or "").strip()
    if not text or text == querylang.MATCH_EVERYTHING:
        return Every()
    querylang.check_syntax(text)
    text = rewrite_dates(text)
    try:
        return parser.parse(text)
    except Exception as exc:  # Whoosh raises assorted IndexError/ValueError/TypeError on odd input
        raise QuerySyntaxError(f"cannot read the query: {exc}") from None


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
