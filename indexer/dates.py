"""Parse publication dates and reject impossible ones (in the future, or before 1800)."""

from __future__ import annotations

import datetime as dt
import re

EARLIEST_DATE = dt.date(1800, 1, 1)
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def plausible(day: dt.date, today: dt.date | None = None) -> bool:
    """Tell whether a date can be a publication date: not before 1800, not after today."""
    today = today or dt.date.today()
    # One day of slack: a page stamped in a time zone ahead of ours.
    return EARLIEST_DATE <= day <= today + dt.timedelta(days=1)


def parse_iso_date(value: str) -> dt.date | None:
    """Read the date part of an ISO 8601 string ("2024-11-05T08:07:00+03:00"); None if absent or impossible."""
    match = ISO_DATE.search(value or "")
    if not match:
        return None
    try:
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return day if plausible(day) else None
