"""Checks on the raw query text before it is read: balanced quotes and parentheses, nesting, known fields, length."""

from __future__ import annotations

import re

from search.errors import QuerySyntaxError
from search.querylang.tree import (
    FIELD_PREFIX,
    MAX_NESTING,
    MAX_QUERY_CHARS,
    QUERY_FIELD_NAMES,
)


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
