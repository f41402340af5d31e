"""Every route, as HTML and JSON, against a real index of the seed articles."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import sample_record

import web
from app import create_app

SEED_TITLES = {
    "Blinken stresses Iraq not be ‘drawn’ into regional war, urges Baghdad to ‘control’ Iran-backed factions",
    "Blinken visits Baghdad amid string of attacks on US troops",
    "Sudani, Blinken discuss preventing regional escalation: US statement",
    "Surprise visit to Iraq: Blinken warns pro-Iranian militias",
    "Blinken on surprise visit to Baghdad: Iraq",
}


def test_api_search_finds_all_seeds_in_the_documented_shape(client):
    data = client.get("/api/search?q=Blinken").get_json()
    assert set(data) >= {"query", "total", "page", "per_page", "pages", "took_ms", "results", "facets", "suggestion"}
    assert data["query"]["q"] == "Blinken" and data["query"]["parsed"] == "blinken"
    assert data["query"]["sort"] == "relevance"
    assert data["total"] == 5 and data["pages"] == 1 and data["page"] == 1 and data["per_page"] == 10
    assert {hit["title"] for hit in data["results"]} == SEED_TITLES
    for hit in data["results"]:
        assert set(hit) == {
            *("id", "title", "source", "authors", "date", "language", "dateline", "snippet", "score"),
            *("cluster", "versions", "similar"),
        }
        assert "<mark>Blinken</mark>" in hit["snippet"]
        assert hit["language"] == "en"
    assert set(data["facets"]) == {"source", "language", "author", "year", "month"}
    assert data["facets"]["language"] == [{"value": "en", "count": 5, "selected": False}]


def test_api_search_paging_links(client):
    data = client.get("/api/search?q=Blinken&per_page=2&page=2").get_json()
    assert len(data["results"]) == 2 and data["pages"] == 3
    assert "page=3" in data["next"] and "page=1" in data["prev"]
    assert client.get("/api/search?q=Blinken&per_page=2&page=3").get_json()["next"] is None


def test_api_search_filters_and_sort(client):
    data = client.get("/api/search?q=Blinken&language=en&language=de&sort=-date").get_json()
    assert data["total"] == 5 and data["query"]["filters"]["language"] == ["en", "de"]
    assert data["query"]["sort"] == "-date"
    assert all(hit["score"] is None for hit in data["results"])
    assert client.get("/api/search?q=Blinken&language=de").get_json()["total"] == 0


@pytest.mark.parametrize(
    ("query", "param", "words"),
    [
        ("q=%22Blinken", "q", "unclosed quote"),
        ("q=(Blinken", "q", "unclosed parenthesis"),
        ("q=foo:bar", "q", "unknown field"),
        ("q=Blinken&page=0", "page", "between 1"),
        ("q=Blinken&page=-1", "page", "between 1"),
        ("q=Blinken&page=two", "page", "whole number"),
        ("q=Blinken&per_page=100000", "per_page", "between 1 and 100"),
        ("q=Blinken&sort=random", "sort", "one of"),
        ("q=Blinken&from=2024-13-01", "from", "YYYY-MM-DD"),
        ("q=Blinken&from=2024-02-01&to=2024-01-01", "from", "after"),
        ("q=a&q=b", "q", "once"),
    ],
)
def test_api_bad_requests_are_400_with_a_message(client, query, param, words):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] in {"query_syntax", "invalid_parameter"}
    assert error["param"] == param and words in error["message"]


def test_api_article_and_unknown_ids(client):
    hit = client.get("/api/search?q=Sudani+statement").get_json()["results"][0]
    article = client.get(f"/api/articles/{hit['id']}").get_json()
    assert article["title"] == hit["title"] and article["path"].endswith(".txt")
    assert "Iraqi security forces arrested five people" in article["body"]
    assert article["language"] == "en" and "methods" in article
    for bad in ["nope", "..%2F..%2Fetc%2Fpasswd", "%00"]:
        response = client.get(f"/api/articles/{bad}")
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_healthz(client, tmp_path):
    assert client.get("/healthz").get_json()["articles"] == 5
    app = create_app({"INDEX_DIR": str(tmp_path / "none")})
    empty = app.test_client()
    response = empty.get("/healthz")
    assert response.status_code == 503 and response.get_json()["articles"] == 0
    assert empty.get("/api/search?q=x").status_code == 503
    web.shutdown(app)


def test_search_page_lists_results_with_links_and_metadata(client):
    empty = client.get("/")
    assert empty.status_code == 200 and b'name="q"' in empty.data and b'class="hit"' not in empty.data
    page = client.get("/?q=Blinken").get_data(as_text=True)
    links = re.findall(r'<h3><a href="(/articles/[0-9a-f]+)\?q=Blinken">', page)
    assert len(links) == 5
    assert "5 articles" in page and "<mark>Blinken</mark>" in page
    article = client.get(links[0]).get_data(as_text=True)
    assert "<h1>" in article and "Language</dt><dd>en" in article


def test_search_page_facet_links_filter_and_unfilter(client):
    page = client.get("/search?q=Blinken").get_data(as_text=True)
    link = re.search(r'<a href="([^"]*language=en[^"]*)"', page).group(1).replace("&amp;", "&")
    filtered = client.get(link).get_data(as_text=True)
    assert "Language: en" in filtered and 'aria-current="true"' in filtered
    remove = re.search(r'<a href="([^"]*)" class="chip"', filtered).group(1).replace("&amp;", "&")
    assert "language=" not in remove


def test_search_page_bad_query_is_a_400_page(client):
    response = client.get("/?q=%22Blinken")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "unclosed quote" in text and "column 1" in text and "Traceback" not in text
    assert 'value="&#34;Blinken"' in text  # the search box keeps the query to fix it
    assert '<mark class="at">&#34;</mark>Blinken' in text


def test_unknown_article_page_is_a_404_page(client):
    response = client.get("/articles/does-not-exist")
    assert response.status_code == 404 and "Not found" in response.get_data(as_text=True)


def test_security_headers(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"]


def test_article_text_and_query_echo_are_escaped(build_index):
    archive = build_index(
        [
            sample_record(
                1,
                title="<script>alert(1)</script> title",
                body="Body with <img src=x onerror=alert(2)> tag.",
                authors=["<b>Eve</b>"],
                source="<i>Src</i>",
            )
        ]
    )
    app = archive.app()
    client = app.test_client()
    page = client.get("/?q=tag+OR+%3Cscript%3E").get_data(as_text=True)
    article = client.get("/articles/sample0001").get_data(as_text=True)
    marked = client.get("/articles/sample0001?q=tag+%3Cimg%3E").get_data(as_text=True)
    assert "<mark>tag</mark>" in marked
    for html in (page, article, marked):
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>Eve" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert json.loads(client.get("/api/search?q=tag").data)["results"][0]["title"].startswith("<script>")


def test_article_page_marks_the_searched_words_and_lists_related(client):
    hit = client.get("/api/search?q=Sudani+statement").get_json()["results"][0]
    page = client.get(f"/articles/{hit['id']}?q=Sudani").get_data(as_text=True)
    assert "<mark>Sudani</mark>" in page and "Back to results" in page
    assert 'class="related"' in page and page.count("/articles/") > 2
    plain = client.get(f"/articles/{hit['id']}").get_data(as_text=True)
    assert "<mark>" not in plain


def test_original_file_is_served_as_plain_text(client):
    hit = client.get("/api/search?q=Blinken").get_json()["results"][0]
    with client.get(f"/articles/{hit['id']}/original") as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "Blinken" in response.get_data(as_text=True)
    assert client.get("/articles/nope/original").status_code == 404


def test_original_file_outside_the_corpus_is_never_served(build_index, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    (tmp_path / "corpus").mkdir()
    archive = build_index([sample_record(1, path="../secret.txt")])
    app = archive.app(CORPUS_DIR=str(tmp_path / "corpus"))
    response = app.test_client().get("/articles/sample0001/original")
    assert response.status_code == 404 and b"do not serve" not in response.data


def test_search_page_volume_chart_and_suggestion(build_index):
    records = [
        sample_record(n, title="Militia report", body=f"Militia leaders spoke ({n}).", date=dt.date(2024, month, 1))
        for n, month in enumerate([1, 1, 3, 3, 3], start=1)
    ]
    archive = build_index(records)
    app = archive.app()
    client = app.test_client()
    page = client.get("/?q=militia").get_data(as_text=True)
    assert page.count("<rect ") == 2
    assert "2024-03: 3 articles, 100% of the month&#39;s archive" in page
    assert "from=2024-03-01&amp;to=2024-03-31" in page
    assert "Did you mean" not in page
    misspelled = client.get("/?q=milita").get_data(as_text=True)
    assert 'Did you mean <a href="/search?q=militia">militia</a>' in misspelled
    assert "No articles match" in misspelled


def test_parsed_query_is_shown_only_when_it_differs_from_what_was_typed(client):
    assert "read as" not in client.get("/?q=Blinken").get_data(as_text=True)
    shown = client.get("/?q=Blinken+-Iraq").get_data(as_text=True)
    assert "read as <code>blinken -(iraq)</code>" in shown
