"""Read the archive's query language into a Whoosh query, reporting syntax errors with their column.

Whoosh's parser accepts broken input silently (unclosed quotes, unknown fields, runaway
nesting), so the text is checked here first and any parser exception becomes a
QuerySyntaxError instead of a server error.
"""

from __future__ import annotations

import re

from whoosh import qparser
from whoosh.qparser import plugins
from whoosh.query import Every, Query

from search.errors import QuerySyntaxError
from search.schema import DEFAULT_SEARCH_FIELDS, QUERY_FIELDS

MAX_QUERY_CHARS = 1000
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


def build_parser(schema) -> qparser.QueryParser:
    """Return the archive's query parser: all words required, fields aliased, operators made safe."""
    parser = qparser.MultifieldParser(
        list(DEFAULT_SEARCH_FIELDS), schema, fieldboosts=DEFAULT_SEARCH_FIELDS, group=qparser.AndGroup
    )
    aliases: dict[str, list[str]] = {}
    for typed, field in QUERY_FIELDS.items():
        if typed != field:
            aliases.setdefault(field, []).append(typed)
    parser.add_plugin(plugins.FieldAliasPlugin(aliases))
    parser.add_plugin(plugins.GtLtPlugin())
    parser.add_plugin(plugins.FuzzyTermPlugin())
    parser.add_plugin(plugins.PlusMinusPlugin(plusexpr=TERM_START + r"\+(?=\S)", minusexpr=TERM_START + r"-(?=\S)"))
    return parser


def parse_query(text: str, parser: qparser.QueryParser) -> Query:
    """Parse user query text; an empty query matches every article."""
    text = CONTROL_CHARS.sub(" ", text or "").strip()
    if not text:
        return Every()
    check_syntax(text)
    try:
        return parser.parse(text)
    except Exception as exc:  # Whoosh raises assorted IndexError/ValueError/TypeError on odd input
        raise QuerySyntaxError(f"cannot read the query: {exc}") from None
