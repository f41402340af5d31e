"""CSV, JSON Lines and Atom exports of a search, and related articles."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from xml.etree import ElementTree

import pytest
from conftest import sample_record

from web.exports import csv_cell

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def client(build_index):
    story = (
        "Militias attacked a base near Baghdad airport; Iraqi officials condemned the attack on the base. "
        "The Iraqi army closed the road to Baghdad."
    )
    archive = build_index(
        [
            sample_record(n, title=f"Attack {n}", body=f"{story} Report number {n}.", date=dt.date(2024, 1, n))
            for n in range(1, 13)
        ]
        + [
            sample_record(
                20,
                title='=HYPERLINK("http://evil")',
                body="Formula title about the attack on the base.",
                authors=["@eve"],
                source="+src",
            ),
            sample_record(21, title="Attack 1", body=story + " Report number 1."),
            sample_record(22, title="Weather", body="Sunny skies over Erbil all week, forecasters said."),
        ]
    )
    # Article 21 is an exact copy of article 1's text: its file is recorded, the text is indexed once.
    app = archive.app()
    return app.test_client()


def test_csv_has_every_match_not_one_page(client):
    response = client.get("/api/search.csv?q=attack&per_page=2")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 13  # 12 reports and the formula title; the exact copy is not a second article
    assert {"id", "title", "date", "authors", "source", "path"} <= set(rows[0])


def test_csv_cells_cannot_run_as_formulas(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/api/search.csv?q=formula").get_data(as_text=True))))
    assert rows[0]["title"].startswith("'=HYPERLINK")
    assert rows[0]["authors"] == "'@eve" and rows[0]["source"] == "'+src"
    assert csv_cell("-1+2") == "'-1+2" and csv_cell("plain") == "plain" and csv_cell(None) == ""


def test_csv_bad_query_is_a_json_400_before_streaming(client):
    response = client.get("/api/search.csv?q=%28attack")
    assert response.status_code == 400 and "unclosed parenthesis" in response.get_json()["error"]["message"]


def test_jsonl_export_has_whole_articles(client):
    lines = client.get("/api/export.jsonl?q=weather").get_data(as_text=True).splitlines()
    assert len(lines) == 1
    article = json.loads(lines[0])
    assert article["title"] == "Weather" and "forecasters said" in article["body"]


def test_atom_feed_is_newest_first_and_escaped(client):
    response = client.get("/search.atom?q=attack&per_page=3")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Attack 12", "Attack 11", "Attack 10"]
    assert entries[0].find(f"{ATOM}updated").text == "2024-01-12T00:00:00Z"
    assert entries[0].find(f"{ATOM}link").get("href").endswith("/articles/sample0012")
    formula = ElementTree.fromstring(client.get("/search.atom?q=formula").data).find(f"{ATOM}entry")
    assert formula.find(f"{ATOM}title").text == '=HYPERLINK("http://evil")'


def test_related_articles_leave_out_copies_and_unrelated_ones(client):
    data = client.get("/api/articles/sample0001/related").get_json()
    ids = [hit["id"] for hit in data["results"]]
    assert ids and "sample0001" not in ids and "sample0021" not in ids and "sample0022" not in ids
    assert all(hit["id"].startswith("sample00") for hit in data["results"])
    assert client.get("/api/articles/nope/related").status_code == 404
