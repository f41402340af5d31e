"""Search service: totals, paging, sorting, filters, facet counts and escaped snippets on a real index."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import sample_record

from search.errors import QuerySyntaxError
from search.request import build_request

D = dt.date


@pytest.fixture
def archive(build_index):
    return build_index(
        [
            sample_record(
                1,
                title="Blinken visits Baghdad",
                body="Blinken met the prime minister in Baghdad.",
                source="Rudaw",
                authors=["Zhelwan Z. Wali"],
                date=D(2024, 11, 5),
                language="en",
            ),
            sample_record(
                2,
                title="Attacks on US troops",
                body="Militias attacked a base near Baghdad airport.",
                source="Rudaw",
                authors=["Ahmed Aziz", "Zhelwan Z. Wali"],
                date=D(2023, 11, 6),
            ),
            sample_record(
                3,
                title="Besuch in Bagdad",
                body="Blinken warnt proiranische Milizen in Bagdad.",
                source="n-tv",
                date=D(2023, 11, 5),
                language="de",
            ),
            sample_record(
                4,
                title="Blinken in Cyprus",
                body="A maritime corridor to Gaza was discussed by Blinken.",
                source="AFP",
                date=None,
            ),
            sample_record(
                5,
                title="Unrelated weather report",
                body="Rain is expected <script>alert(1)</script> soon.",
                source="AFP",
                date=D(2022, 1, 1),
            ),
        ]
    )


def run(archive, **params):
    as_lists = {k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in params.items()}
    return archive.search(build_request(as_lists))


def test_total_is_exact_and_all_words_are_required(archive):
    assert run(archive, q="Blinken").total == 3
    assert run(archive, q="Blinken Baghdad").total == 1
    assert run(archive, q="Blinken OR Militias").total == 4


def test_title_match_outranks_body_match(build_index):
    archive = build_index(
        [
            sample_record(1, title="Weather", body="A long report that mentions Erbil once among many other words."),
            sample_record(2, title="Erbil airport reopens", body="A long report about flights and many other words."),
        ]
    )
    assert [hit.id for hit in run(archive, q="Erbil").hits] == ["sample0002", "sample0001"]


def test_paging_slices_results_and_counts_pages(archive):
    first = run(archive, q="", per_page=2)
    third = run(archive, q="", per_page=2, page=3)
    assert first.total == 5 and first.pages == 3
    assert len(first.hits) == 2 and len(third.hits) == 1
    assert {h.id for h in first.hits}.isdisjoint(h.id for h in third.hits)
    assert run(archive, q="", per_page=2, page=4).hits == []


def test_sort_by_date_puts_undated_articles_last(archive):
    newest = [hit.date for hit in run(archive, sort="-date").hits]
    oldest = [hit.date for hit in run(archive, sort="date").hits]
    assert newest == ["2024-11-05", "2023-11-06", "2023-11-05", "2022-01-01", None]
    assert oldest == ["2022-01-01", "2023-11-05", "2023-11-06", "2024-11-05", None]


def test_values_of_one_filter_or_together_and_different_filters_and(archive):
    assert run(archive, source=["Rudaw", "AFP"]).total == 4
    assert run(archive, source=["Rudaw", "AFP"], year="2024").total == 1
    assert run(archive, author="Zhelwan Z. Wali").total == 2
    assert run(archive, language="de").total == 1


def test_date_range_filter_is_inclusive(archive):
    assert {h.id for h in run(archive, **{"from": "2023-11-05", "to": "2023-11-05"}).hits} == {"sample0003"}
    assert run(archive, **{"from": "2023-11-07"}).total == 1


def test_facet_counts_follow_the_query(archive):
    result = run(archive, q="Blinken")
    sources = {v.value: v.count for v in result.facets["source"]}
    assert sources == {"Rudaw": 1, "n-tv": 1, "AFP": 1}
    assert {v.value: v.count for v in result.facets["year"]} == {"2024": 1, "2023": 1}
    authors = {v.value: v.count for v in run(archive, q="").facets["author"]}
    assert authors == {"Zhelwan Z. Wali": 2, "Ahmed Aziz": 1}


def test_selected_facet_keeps_other_values_countable(archive):
    result = run(archive, source="Rudaw")
    assert result.total == 2
    by_value = {v.value: v for v in result.facets["source"]}
    assert by_value["Rudaw"].selected and by_value["Rudaw"].count == 2
    assert not by_value["AFP"].selected and by_value["AFP"].count == 2
    # Other facets are counted within the filtered results.
    assert {v.value: v.count for v in result.facets["year"]} == {"2023": 1, "2024": 1}


def test_snippet_marks_matches_and_escapes_text(archive):
    hit = run(archive, q="rain").hits[0]
    assert "<mark>Rain</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_snippet_shows_the_marked_title_when_only_the_title_matched(archive):
    hit = run(archive, q="title:weather").hits[0]
    assert hit.snippet.startswith("Unrelated <mark>weather</mark> report — Rain is expected &lt;script&gt;")


def test_snippet_falls_back_to_the_start_of_the_body(archive):
    hit = run(archive, q="", sort="date").hits[0]
    assert hit.snippet.startswith("Rain is expected &lt;script&gt;")


def test_stemming_finds_other_word_forms(archive):
    assert {h.id for h in run(archive, q="attack").hits} == {"sample0002"}


def test_syntax_error_is_reported(archive):
    with pytest.raises(QuerySyntaxError):
        run(archive, q="(Blinken")


def test_get_article_returns_everything_or_none(archive):
    article = archive.article("sample0002")
    assert article.authors == ["Ahmed Aziz", "Zhelwan Z. Wali"]
    assert article.date == "2023-11-06" and article.source == "Rudaw"
    assert article.body.startswith("Militias attacked")
    assert archive.article("../../etc/passwd") is None


def test_month_buckets_count_matches_beside_the_whole_archive(archive):
    months = run(archive, q="Blinken").months
    assert [(m.value, m.count, m.total_in_archive) for m in months] == [("2023-11", 1, 2), ("2024-11", 1, 1)]


def test_facet_size_caps_values_but_keeps_selected_ones(archive):
    result = run(archive, facet_size=1, source="n-tv")
    assert [v.value for v in result.facets["source"]] == ["AFP", "n-tv"]  # top value, plus the selected one
    assert len(run(archive, facet_size=1).facets["source"]) == 1


def test_language_filter_ignores_case(archive):
    assert run(archive, language="DE").total == 1


@pytest.fixture
def spelling_archive(build_index):
    body = "Militias attacked the base. The militia leaders spoke to reporters about the attacks."
    return build_index(
        [sample_record(n, title=f"Report {n}", body=body) for n in range(1, 7)]
        + [sample_record(9, title="War", body="A separate article about a war and Sadr.")]
    )


def test_did_you_mean_respells_unknown_words(spelling_archive):
    result = run(spelling_archive, q="milita leaders")
    assert result.total == 0 and result.suggestion == "militia leaders"


def test_no_suggestion_for_words_that_exist_or_when_enough_is_found(spelling_archive):
    assert run(spelling_archive, q="Sadr").suggestion is None  # rare but real: not "corrected" to "war"
    assert run(spelling_archive, q="militia").suggestion is None
    assert run(spelling_archive, q="qqqqzzzz").suggestion is None  # nothing close enough


def test_a_pasted_giant_word_is_not_corrected(spelling_archive):
    assert run(spelling_archive, q="militia" * 100).suggestion is None
