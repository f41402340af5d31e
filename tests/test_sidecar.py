"""Sidecar metadata (article.meta.json): overrides extraction, counts as a change, invalid ones are warned about."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from indexer.article import Article
from indexer.pipeline import process
from indexer.read import read_article, sidecar_path
from indexer.reindex import reindex
from indexer.sidecar import InvalidSidecar, parse_sidecar
from search.backends.whoosh.store import ArchiveIndex

DUMP = """Budget talks in Erbil

By Jane Roe

5 November 2024

Officials met in Erbil on Tuesday to discuss the budget. The talks lasted for hours and ended late.
"""
SIDECAR = {
    "url": "https://rudaw.example/budget",
    "source": "Rudaw",
    "published": "2024-11-06",
    "authors": ["Hiwa Shilani", "Dana Taib"],
    "language": "en-GB",
}


def records(index) -> dict[str, dict]:
    archive = ArchiveIndex(index)
    try:
        with archive.searcher() as searcher:
            return {fields["path"]: json.loads(fields["record"]) for fields in searcher.all_stored_fields()}
    finally:
        archive.close()


def test_sidecar_path_shares_the_stem():
    assert sidecar_path("a/b/article.txt") == "a/b/article.meta.json"
    assert sidecar_path("page.html") == "page.meta.json"
    assert sidecar_path("notes") == "notes.meta.json"


def test_sidecar_overrides_what_extraction_found(make_corpus):
    corpus = make_corpus({"a.txt": DUMP, "a.meta.json": json.dumps(SIDECAR)})
    article = process(read_article(corpus, "a.txt"))
    assert article.date == dt.date(2024, 11, 6) and article.methods["date"] == "sidecar"
    assert article.authors == ["Hiwa Shilani", "Dana Taib"] and article.methods["authors"] == "sidecar"
    assert (article.source, article.url, article.language) == ("Rudaw", "https://rudaw.example/budget", "en")
    assert article.warnings == []


def test_without_sidecar_extraction_stands(make_corpus):
    article = process(read_article(make_corpus({"a.txt": DUMP}), "a.txt"))
    assert article.date == dt.date(2024, 11, 5) and article.methods["date"] != "sidecar"
    assert article.authors == ["Jane Roe"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (json.dumps({"published": "2024-02-30"}).encode(), "not a real date"),
        (json.dumps({"published": "5 Nov 2024"}).encode(), "YYYY-MM-DD"),
        (json.dumps({"authors": "Jane Roe"}).encode(), "list of names"),
        (json.dumps({"source": 7}).encode(), "non-empty string"),
        (json.dumps({"language": "English!"}).encode(), "language code"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_invalid_sidecars_say_why(content, reason):
    with pytest.raises(InvalidSidecar, match=reason):
        parse_sidecar(content)


def test_invalid_sidecar_is_a_warning_and_the_article_keeps_extracted_metadata():
    article = Article(path="a.txt", raw=DUMP.encode(), sidecar=b'{"published": "2024-13-01", "source": "Rudaw"}')
    process(article)
    assert article.date == dt.date(2024, 11, 5) and article.source is None
    assert len(article.warnings) == 1 and "a.meta.json" in article.warnings[0] and "2024-13-01" in article.warnings[0]


def test_unknown_keys_are_warned_about_but_known_ones_apply():
    article = process(Article(path="x.txt", raw=DUMP.encode(), sidecar=b'{"author": ["A"], "source": "Rudaw"}'))
    assert article.source == "Rudaw"
    assert article.authors == ["Jane Roe"] and "unknown key(s) author" in article.warnings[0]


def test_reindex_applies_sidecars_and_a_changed_sidecar_updates_the_article(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": DUMP, "a.meta.json": json.dumps(SIDECAR), "b.html": "<p>" + DUMP + "</p>"})
    index = tmp_path / "index"
    first = reindex(corpus, index, workers=2)
    assert (first.added, first.warnings) == (2, [])
    assert records(index)["a.txt"]["source"] == "Rudaw"
    (corpus / "a.meta.json").write_text(json.dumps(SIDECAR | {"source": "Kurdistan24"}))
    (corpus / "b.meta.json").write_text(json.dumps({"source": "Rudaw"}))
    second = reindex(corpus, index, workers=2)
    assert (second.updated, second.unchanged, second.added) == (2, 0, 0)
    assert records(index)["a.txt"]["source"] == "Kurdistan24" and records(index)["b.html"]["source"] == "Rudaw"
    (corpus / "a.meta.json").unlink()
    third = reindex(corpus, index, workers=1)
    assert third.updated == 1 and records(index)["a.txt"]["source"] is None


def test_reindex_reports_invalid_sidecars_on_every_run_until_fixed(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": DUMP, "a.meta.json": '{"published": "yesterday"}'})
    index = tmp_path / "index"
    first = reindex(corpus, index, workers=1)
    assert first.added == 1 and first.skipped == []
    [warning] = first.warnings
    assert warning["path"] == "a.txt" and "YYYY-MM-DD" in warning["reason"]
    assert records(index)["a.txt"]["date"] == "2024-11-05"
    second = reindex(corpus, index, workers=1)
    assert (second.unchanged, second.warnings) == (1, first.warnings)
    (corpus / "a.meta.json").write_text('{"published": "2024-11-07"}')
    fixed = reindex(corpus, index, workers=1)
    assert (fixed.updated, fixed.warnings) == (1, []) and records(index)["a.txt"]["date"] == "2024-11-07"
    assert reindex(corpus, index, workers=1).warnings == []
