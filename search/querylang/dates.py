"""`date:` values and comparisons: whole years, months and days, read into DateRange nodes with their columns."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from search.errors import QuerySyntaxError
from search.querylang.tree import (
    TERM_START,
    DateRange,
)

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
