"""Parse publication dates (ISO strings and free text in many languages) and reject impossible ones."""

from __future__ import annotations

import datetime as dt
import re

from indexer.phrases import load_phrase_rules

EARLIEST_DATE = dt.date(1800, 1, 1)
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")

# Numeric forms, tried on the whole text; \d also matches Arabic-Indic digits, which int() reads.
YEAR_FIRST = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
DAY_FIRST = re.compile(r"(?<![\d.])(\d{1,2})\s?[./-]\s?(\d{1,2})\s?[./-]\s?(\d{4})(?!\d)")
CJK_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
# Words and numbers of running text; an ordinal suffix ("5th", "1er", "5º") is dropped with the group.
DATE_TOKEN = re.compile(r"(\d{1,4})(?:st|nd|rd|th|er|e|º|ª|\.)?(?!\w)|[^\W\d_]+")
# Words allowed between day, month and year: "5 de noviembre de 2024", "the 5th of November".
DATE_FILLERS = frozenset({"de", "del", "of", "the", "den", "der", "le", "el", "di", "du", "em", "în", "a"})


# Month names of every language, casefolded, without a final abbreviation dot.
MONTHS: dict[str, int] = {name.casefold(): number for name, number in load_phrase_rules()["months"].items()}
# Some months are two words ("كانون الثاني", "tishrin al-awwal"): matched as a token pair.
TWO_WORD_MONTHS = frozenset(name for name in MONTHS if " " in name)


def plausible(day: dt.date, today: dt.date | None = None) -> bool:
    """Tell whether a date can be a publication date: not before 1800, not after today."""
    today = today or dt.date.today()
    # One day of slack: a page stamped in a time zone ahead of ours.
    return EARLIEST_DATE <= day <= today + dt.timedelta(days=1)


def parse_iso_date(value: str) -> dt.date | None:
    """Read the date of an ISO 8601 string ("2024-11-05T08:07:00+03:00"); None if absent or impossible."""
    match = ISO_DATE.search(value or "")
    return make_date(*(int(part) for part in match.groups())) if match else None


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """Return the date if it exists and is plausible, else None."""
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None
    return value if plausible(value) else None


def _numeric_dates(text: str) -> list[tuple[int, dt.date]]:
    found = []
    for match in YEAR_FIRST.finditer(text):
        year, month, day = (int(part) for part in match.groups())
        value = make_date(year, month, day)
        if value:
            found.append((match.start(), value))
    for match in CJK_DATE.finditer(text):
        year, month, day = (int(part) for part in match.groups())
        value = make_date(year, month, day)
        if value:
            found.append((match.start(), value))
    for match in DAY_FIRST.finditer(text):
        first, second, year = (int(part) for part in match.groups())
        # Day first is the rule outside the US; month first only when day first is impossible.
        value = make_date(year, second, first) or make_date(year, first, second)
        if value:
            found.append((match.start(), value))
    return found


def _month_of(tokens: list[tuple[int, str, bool]], index: int) -> tuple[int, int] | None:
    """Return (month number, tokens used) if a month name starts at tokens[index]."""
    word = tokens[index][1]
    if index + 1 < len(tokens) and TWO_WORD_MONTHS:
        pair = f"{word} {tokens[index + 1][1]}"
        if pair in TWO_WORD_MONTHS:
            return MONTHS[pair], 2
    if word in MONTHS:
        return MONTHS[word], 1
    return None


def _number(tokens: list[tuple[int, str, bool]], index: int, step: int) -> tuple[int, int] | None:
    """Return (value, index) of the number next to tokens[index] in direction step, skipping filler words."""
    index += step
    while 0 <= index < len(tokens) and tokens[index][1] in DATE_FILLERS:
        index += step
    if 0 <= index < len(tokens) and tokens[index][2]:
        return int(tokens[index][1]), index
    return None


def _worded_dates(text: str) -> list[tuple[int, dt.date]]:
    """Dates with a month name: "5 novembre 2024", "Nov. 05, 2024", "5. November 2024", "2024 Nov 5"."""
    tokens = []
    for match in DATE_TOKEN.finditer(text):
        number = match.group(1)
        tokens.append((match.start(), number if number else match.group(0).casefold(), bool(number)))
    found = []
    for index, (position, _word, is_number) in enumerate(tokens):
        if is_number:
            continue
        month = _month_of(tokens, index)
        if not month:
            continue
        number, width = month
        last = index + width - 1
        before = _number(tokens, index, -1)
        after = _number(tokens, last, +1)
        value = None
        if before and after and before[0] <= 31 and after[0] >= 1000:
            value = make_date(after[0], number, before[0])  # 5 November 2024
            position = tokens[before[1]][0]
        if not value and after and after[0] <= 31:
            year = _number(tokens, after[1], +1)
            if year and year[0] >= 1000:
                value = make_date(year[0], number, after[0])  # November 5, 2024
        if not value and before and after and before[0] >= 1000 and after[0] <= 31:
            value = make_date(before[0], number, after[0])  # 2024 November 5
            position = tokens[before[1]][0]
        if value:
            found.append((position, value))
    return found


def find_dates(text: str) -> list[dt.date]:
    """Return every plausible date written in text, in reading order (numeric, CJK or with a month name)."""
    if not text or not any(ch.isdigit() for ch in text):
        return []
    found = sorted(_numeric_dates(text) + _worded_dates(text), key=lambda item: item[0])
    dates: list[dt.date] = []
    for _position, value in found:
        if value not in dates:
            dates.append(value)
    return dates


def parse_date(text: str) -> dt.date | None:
    """Return the first plausible date written in text ("Nov. 05, 2024", "5. November 2024", "05.11.2024")."""
    dates = find_dates(text)
    return dates[0] if dates else None
