"""Query language on a real index, on every engine: safe +/- operators, fields and narrow date ranges.

How text is read into the tree (syntax errors, columns, the description) is tested in test_querylang.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import sample_record

from search.request import build_request


@pytest.mark.parametrize("text", ["Update: talks resume", "10:30 meeting", "see https://example.org/a", '"zzz:foo"'])
def test_colons_that_are_not_fields_stay_searchable(text, build_index):
    archive = build_index([sample_record(1, body=f"Whatever it says: {text}")])
    assert archive.search(build_request({"q": [text]})).total == 1


@pytest.fixture
def archive(build_index):
    return build_index(
        [
            sample_record(
                1,
                title="Sadr supporters protest",
                body="Followers of al-Sadr gathered in Tahrir Square.",
                date=dt.date(2024, 11, 5),
            ),
            sample_record(
                2,
                title="Iran-backed groups",
                body="Iran-backed militias claimed the attack.",
                date=dt.date(2024, 6, 15),
            ),
            sample_record(
                3,
                title="Iran talks",
                body="Diplomats from Iran met in Vienna; nothing was backed.",
                date=dt.date(2024, 8, 31),
                authors=["Zhelwan Z. Wali"],
                source="Rudaw",
            ),
            sample_record(4, title="Market report", body="Oil prices fell, traders said.", date=dt.date(2023, 1, 2)),
        ]
    )


def ids(archive, q, **params):
    request = build_request({"q": [q], **{k: [v] for k, v in params.items()}})
    return {hit.id[-1] for hit in archive.search(request).hits}


def test_hyphenated_words_are_not_exclusions(archive):
    assert ids(archive, "al-Sadr") == {"1"}
    assert ids(archive, "Iran-backed") == {"2"}


def test_minus_at_the_start_of_a_word_excludes(archive):
    assert ids(archive, "Iran -militias") == {"3"}
    assert ids(archive, "Iran NOT Vienna") == {"2"}
    assert ids(archive, "(Vienna OR Tahrir) -Sadr") == {"3"}


def test_lowercase_or_is_a_word_not_an_operator(archive):
    assert ids(archive, "Iran OR Oil") == {"2", "3", "4"}
    assert ids(archive, "Iran or Oil") == set()


def test_phrases_prefix_and_fuzzy(archive):
    assert ids(archive, '"Tahrir Square"') == {"1"}
    assert ids(archive, '"Square Tahrir"') == set()
    assert ids(archive, '"diplomats Vienna"~3') == {"3"}
    assert ids(archive, "milit*") == {"2"}
    assert ids(archive, "Viena~") == {"3"}


def test_fields(archive):
    assert ids(archive, "author:wali") == {"3"}
    assert ids(archive, "source:rudaw") == {"3"}
    assert ids(archive, "title:Iran") == {"2", "3"}
    assert ids(archive, "language:en") == {"1", "2", "3", "4"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("date:2024-11", {"1"}),
        ("date:2024-06-15", {"2"}),
        ("date:2024-06-16", set()),
        ("date:2024-07", set()),
        ("date:>2024-08", {"1"}),
        ("date:>=2024-08", {"1", "3"}),
        ("date:<=2024-06-15", {"2", "4"}),
        ("date:[2024-06-01 TO 2024-06-30]", {"2"}),
        ("date:[2024-06-16 TO 2024-08-30]", set()),
        ("date:<2024", {"4"}),
    ],
)
def test_date_ranges_are_exact_not_whole_years(archive, q, expected):
    assert ids(archive, q) == expected
