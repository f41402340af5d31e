"""Dates in free text and ISO strings, in many languages, and the plausibility rule."""

from __future__ import annotations

import datetime as dt

import pytest

from indexer.dates import find_dates, parse_date, parse_iso_date, plausible

NOV_5 = dt.date(2024, 11, 5)


@pytest.mark.parametrize(
    "text",
    [
        "Nov. 05, 2024 • 3 min read",
        "05.11.2024",
        "5.11.2024, 17:47 Uhr",
        "5 novembre 2024",
        "Publié le 5 novembre 2024 à 10h00",
        "5. November 2024",
        "November 5, 2024",
        "November 5th, 2024 at 06:21 pm",
        "Tuesday 5 November 2024",
        "2024-11-05",
        "2024/11/05 23:17",
        "5 de noviembre de 2024",
        "5 novembre 2024 alle 10:00",
        "5 de novembro de 2024",
        "5 november 2024",
        "05 Kasım 2024",
        "5 نوفمبر 2024",
        "5 تشرين الثاني 2024",
        "5. listopadu 2024",
        "5 listopada 2024",
        "5 ноября 2024 г.",
        "tisdag 5 november 2024",
        "2024年11月5日",
        "2024년 11월 5일",
    ],
)
def test_parse_date_formats(text: str) -> None:
    assert parse_date(text) == NOV_5


def test_month_first_only_when_day_first_is_impossible() -> None:
    assert parse_date("11/05/2024") == dt.date(2024, 5, 11)
    assert parse_date("05/13/2024") == dt.date(2024, 5, 13)


@pytest.mark.parametrize(
    "text",
    [
        "31.02.2024",  # no such day
        "5 November 2999",  # in the future
        "5 November 1750",  # before 1800
        "May 2024",  # no day
        "1.5 million people in 2024",
        "",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


def test_find_dates_in_reading_order() -> None:
    text = "Published 3 May 2024 | Updated: 2024-05-04 08:00"
    assert find_dates(text) == [dt.date(2024, 5, 3), dt.date(2024, 5, 4)]


def test_parse_iso_date_keeps_working() -> None:
    assert parse_iso_date("2024-11-05T08:07:00+03:00") == NOV_5
    assert parse_iso_date("2024-02-30") is None
    assert parse_iso_date("") is None


def test_plausible() -> None:
    today = dt.date(2024, 11, 5)
    assert plausible(dt.date(2024, 11, 6), today=today)  # a time zone ahead of ours
    assert not plausible(dt.date(2024, 11, 7), today=today)
    assert not plausible(dt.date(1799, 12, 31), today=today)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 tammikuuta 2024", "2024-01-05"),
        ("2024. március 5.", "2024-03-05"),
        ("5 martie 2024", "2024-03-05"),
        ("5 تشرینی دووەم 2024", "2024-11-05"),
        ("5 Mijdar 2024", "2024-11-05"),
        ("۵ نوامبر ۲۰۲۴", "2024-11-05"),
    ],
)
def test_month_names_of_the_archives_other_languages(text, expected):
    assert parse_date(text).isoformat() == expected
