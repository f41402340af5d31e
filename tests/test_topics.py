"""Topic keys (the names an article is about) and the similar articles they find."""

from __future__ import annotations

import datetime as dt

from conftest import sample_record

from indexer.topics import topic_keys
from search.request import build_request


def test_names_are_capitalised_mid_sentence_and_never_lower_case():
    body = (
        "Police in Mosul arrested three men. Officials said the men came from Mosul and Tal Afar. "
        "Officials from Baghdad flew to Mosul on Sunday, and Baghdad promised help. Tal Afar was calm."
    )
    keys = topic_keys("Arrests in Mosul", body)
    assert keys[0] == "mosul" and set(keys) == {"mosul", "baghdad", "tal", "afar"}
    # "Officials" and "Police" only start sentences; "officials" is also written in lower case.
    assert "officials" not in keys and "police" not in keys


def test_a_headline_in_capitals_adds_weight_only_to_names_of_the_body():
    body = "Shares of Kodak rose on Monday. Analysts said Kodak would keep its film business in Rochester."
    assert topic_keys("KODAK REAFFIRMS COMMITMENT TO PHOTOGRAPHY", body) == ["kodak"]


def test_possessives_name_the_same_person():
    body = "The aides of Reagan met on Monday. Reagan's spokesman said that Reagan would speak."
    assert topic_keys("", body) == ["reagan"]


def test_names_mentioned_once_are_not_keys():
    assert topic_keys("", "Officials met in Erbil on Tuesday to discuss the budget.") == []


def test_text_without_capital_letters_uses_its_most_repeated_long_words():
    body = "پەرلەمانی کوردستان کۆبوونەوەی کرد. پەرلەمانی کوردستان بڕیاری دا."
    assert topic_keys("", body) == ["پەرلەمانی", "کوردستان"]


STORY = "Blinken met Sudani in Baghdad on {day}. Sudani told Blinken that Baghdad wanted calm. {extra}"


def similar_archive(build_index):
    records = [
        sample_record(
            1, title="Blinken in Baghdad", body=STORY.format(day="Monday", extra=""), date=dt.date(2024, 11, 4)
        ),
        sample_record(
            2,
            title="Talks in Baghdad",
            body=STORY.format(day="Tuesday", extra="Talks went on."),
            date=dt.date(2024, 11, 5),
        ),
        sample_record(
            3,
            title="Sudani and Blinken",
            body="Sudani spoke to reporters. Later Sudani and Blinken took questions; Blinken left for Amman.",
            date=dt.date(2024, 11, 20),
        ),
        sample_record(
            4, title="Weather", body="Rain is expected over Erbil. Erbil airport stays open.", date=dt.date(2024, 11, 5)
        ),
    ]
    return build_index(records)


def test_similar_articles_share_names_and_are_counted_on_every_hit(build_index):
    archive = similar_archive(build_index)
    hits = {hit.id: hit for hit in archive.search(build_request({"q": ["*"]})).hits}
    assert (hits["sample0001"].similar, hits["sample0003"].similar, hits["sample0004"].similar) == (2, 2, 0)
    listed = archive.search(build_request({"similar": ["sample0001"]}))
    assert {hit.id for hit in listed.hits} == {"sample0002", "sample0003"} and listed.total == 2
    # Most names in common first, then closest in time.
    assert [hit.id for hit in archive.related("sample0001")] == ["sample0002", "sample0003"]
    assert archive.related("sample0004") == []
    assert archive.article("sample0001").similar == 2


def test_similar_lists_nothing_for_an_unknown_article(build_index):
    archive = similar_archive(build_index)
    assert archive.search(build_request({"similar": ["nope"]})).total == 0


def test_the_page_links_n_similar_to_the_list_of_them(build_index):
    archive = similar_archive(build_index)
    app = archive.app()
    client = app.test_client()
    page = client.get("/search?q=Blinken").get_data(as_text=True)
    assert 'href="/search?similar=sample0001">2 similar</a>' in page
    listed = client.get("/search?similar=sample0001").get_data(as_text=True)
    assert listed.count('class="hit"') == 2 and "Similar to <span" in listed and "Blinken in Baghdad" in listed
    api = client.get("/api/search?similar=sample0001").get_json()
    assert api["total"] == 2 and api["query"]["similar"] == "sample0001"
