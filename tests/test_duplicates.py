"""Duplicates: exact copies are indexed once with every file recorded; near-duplicates share a cluster."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import engine_settings, open_archive
from test_fingerprint import OTHER_STORY, WIRE_STORY, edited

from indexer.pipeline import article_id
from indexer.reindex import reindex
from search.archive import Archive
from search.request import build_request

# Wire copies run by three outlets on different days, lightly edited, and an unrelated story.
EDITED_WIRE = edited(WIRE_STORY, 3) + " Additional reporting by the outlet's own correspondent in Erbil."
WIRE_WITH_MOSQUE = WIRE_STORY.replace("near the old bridge", "near the great mosque")


def article(title: str, body: str, day: str, source: str) -> dict[str, str]:
    return {"text": f"{title}\n\n{body}\n", "meta": json.dumps({"published": day, "source": source})}


def corpus_files(articles: dict[str, dict[str, str]]) -> dict[str, str]:
    files = {}
    for stem, parts in articles.items():
        files[f"{stem}.txt"] = parts["text"]
        files[f"{stem}.meta.json"] = parts["meta"]
    return files


WIRE_CORPUS = {
    "wire/first": article("Suspects held in Mosul", WIRE_STORY, "2024-03-02", "Wire"),
    "daily/copy": article("Police arrest three in Mosul", EDITED_WIRE, "2024-03-03", "Daily"),
    "weekly/copy": article("Mosul arrests before the vote", WIRE_WITH_MOSQUE, "2024-03-05", "Weekly"),
    "bank/rates": article("Central bank holds rates", OTHER_STORY, "2024-03-04", "Daily"),
}


@pytest.fixture
def archive(tmp_path, backend_name):
    """Return open_index(corpus): reindex the corpus into the test's archive (the same one each time) and open it."""
    opened = []
    settings = engine_settings(backend_name, tmp_path / "index")

    def open_index(corpus, **options):
        opened.append(open_archive(settings))
        reindex(corpus, opened[-1].backend, workers=1, **options)
        return opened[-1]

    yield open_index
    for item in opened:
        item.close()


def titles(archive: Archive, **params: str) -> list[str]:
    request = build_request({name: [value] for name, value in params.items()})
    return [hit.title for hit in archive.search(request).hits]


# -- exact copies -----------------------------------------------------------------------
def test_the_same_article_saved_twice_is_indexed_once_with_both_files(make_corpus, archive):
    story = article("Suspects held in Mosul", WIRE_STORY, "2024-03-02", "Wire")
    corpus = make_corpus(corpus_files({"a/saved": story, "b/saved-again": story}))
    summary = reindex(corpus, corpus.parent / "first-index", workers=1)
    assert (summary.added, summary.written, summary.copies, summary.articles) == (2, 2, 1, 1)
    index = archive(corpus)
    assert index.backend.article_count() == 1
    assert set(index.backend.indexed_files()) == {"a/saved.txt", "b/saved-again.txt"}
    assert titles(index, q="Mosul") == ["Suspects held in Mosul"]
    record = index.article(article_id("a/saved.txt"))
    assert record.paths == ["a/saved.txt", "b/saved-again.txt"]
    # The copy's id leads to the article it copies.
    assert index.article(article_id("b/saved-again.txt")).id == record.id
    # Copies are not counted in facets or the ingest report either.
    result = index.search(build_request({"q": ["*"]}))
    assert result.total == 1 and [v.count for v in result.facets["source"]] == [1]
    assert [row["articles"] for row in index.backend.ingest_report()] == [1]


def test_deleting_the_indexed_file_lets_its_copy_take_over(make_corpus, archive):
    story = article("Suspects held in Mosul", WIRE_STORY, "2024-03-02", "Wire")
    corpus = make_corpus(corpus_files({"a/saved": story, "b/saved-again": story}))
    first = archive(corpus)
    (corpus / "a/saved.txt").unlink()
    (corpus / "a/saved.meta.json").unlink()
    summary = reindex(corpus, first.backend, workers=1)
    assert summary.removed == 1 and summary.articles == 1
    index = archive(corpus)
    assert titles(index, q="Mosul") == ["Suspects held in Mosul"]
    assert index.article(article_id("b/saved-again.txt")).paths == ["b/saved-again.txt"]
    # Nothing changes on the next run.
    again = reindex(corpus, index.backend, workers=1)
    assert (again.added, again.updated, again.removed, again.written, again.articles) == (0, 0, 0, 0, 1)


def test_changing_the_indexed_file_keeps_the_old_text_through_its_copy(make_corpus, archive):
    story = article("Suspects held in Mosul", WIRE_STORY, "2024-03-02", "Wire")
    corpus = make_corpus(corpus_files({"a/saved": story, "b/saved-again": story}))
    archive(corpus)
    (corpus / "a/saved.txt").write_text(f"Central bank holds rates\n\n{OTHER_STORY}\n", encoding="utf-8")
    index = archive(corpus)
    assert index.backend.article_count() == 2
    assert titles(index, q="Mosul") == ["Suspects held in Mosul"]
    assert index.article(article_id("b/saved-again.txt")).paths == ["b/saved-again.txt"]


def test_a_new_copy_of_an_article_changed_in_the_same_run_becomes_the_article(make_corpus, archive):
    story = article("Suspects held in Mosul", WIRE_STORY, "2024-03-02", "Wire")
    # "z/" sorts after "a/": the copy is read before its original's change is seen.
    corpus = make_corpus(corpus_files({"z/original": story}))
    archive(corpus)
    shutil.copy(corpus / "z/original.txt", corpus / "a-new-copy.txt")
    shutil.copy(corpus / "z/original.meta.json", corpus / "a-new-copy.meta.json")
    (corpus / "z/original.txt").write_text(f"Central bank holds rates\n\n{OTHER_STORY}\n", encoding="utf-8")
    index = archive(corpus)
    assert index.backend.article_count() == 2
    assert titles(index, q="Mosul") == ["Suspects held in Mosul"]
    assert index.article(article_id("a-new-copy.txt")).id == article_id("a-new-copy.txt")


# -- near-duplicates --------------------------------------------------------------------
def test_wire_copies_share_a_cluster_and_collapse_to_the_earliest(make_corpus, archive):
    index = archive(make_corpus(corpus_files(WIRE_CORPUS)))
    every = index.search(build_request({"q": ["Mosul"]}))
    assert every.total == 3 and {hit.versions for hit in every.hits} == {3}
    assert len({hit.cluster for hit in every.hits}) == 1
    collapsed = index.search(build_request({"q": ["Mosul"], "collapse": ["1"]}))
    assert [hit.title for hit in collapsed.hits] == ["Suspects held in Mosul"] and collapsed.total == 1
    assert collapsed.hits[0].versions == 3
    # Counts agree with what is shown: one story, from the outlet that ran it first.
    assert [(v.value, v.count) for v in collapsed.facets["source"]] == [("Wire", 1)]
    assert sum(bucket.count for bucket in collapsed.months) == 1
    # The cluster filter lists every version, oldest first.
    versions = titles(index, cluster=every.hits[0].cluster, sort="date")
    assert versions == ["Suspects held in Mosul", "Police arrest three in Mosul", "Mosul arrests before the vote"]
    # The unrelated story is alone in its cluster.
    assert index.search(build_request({"q": ["bank"], "collapse": ["1"]})).hits[0].versions == 1


def test_collapse_shows_the_earliest_version_the_query_matches(make_corpus, archive):
    index = archive(make_corpus(corpus_files(WIRE_CORPUS)))
    # Only the third outlet's edit mentions the mosque.
    assert titles(index, q="mosque", collapse="1") == ["Mosul arrests before the vote"]
    # With a source filter, the earliest version from that source stands for the story.
    assert titles(index, q="Mosul", source="Daily", collapse="1") == ["Police arrest three in Mosul"]
    result = index.search(build_request({"q": ["Mosul"], "source": ["Daily"], "collapse": ["1"]}))
    counts = {v.value: v.count for v in result.facets["source"]}
    # Each source's count is what choosing it alone would show: its own earliest version, once.
    assert counts == {"Daily": 1, "Wire": 1, "Weekly": 1}


def test_a_near_duplicate_added_later_joins_the_indexed_cluster(make_corpus, archive):
    corpus = make_corpus(corpus_files({"wire/first": WIRE_CORPUS["wire/first"]}))
    first = archive(corpus)
    (corpus / "daily").mkdir()
    (corpus / "daily/copy.txt").write_text(WIRE_CORPUS["daily/copy"]["text"], encoding="utf-8")
    summary = reindex(corpus, first.backend, workers=1)
    assert (summary.added, summary.near_duplicates) == (1, 1)
    index = archive(corpus)
    assert titles(index, q="Mosul", collapse="1") == ["Suspects held in Mosul"]
    hits = index.search(build_request({"q": ["Mosul"]})).hits
    assert len(hits) == 2 and hits[0].cluster == hits[1].cluster == article_id("wire/first.txt")


def test_collapsing_is_a_parameter_of_the_api_and_on_by_default_in_the_page(make_corpus, archive):
    index = archive(make_corpus(corpus_files(WIRE_CORPUS)))
    app = index.app()
    client = app.test_client()
    api = client.get("/api/search?q=Mosul").get_json()
    assert api["total"] == 3 and api["query"]["collapse"] is False
    collapsed = client.get("/api/search?q=Mosul&collapse=1").get_json()
    assert collapsed["total"] == 1 and collapsed["results"][0]["versions"] == 3
    bad = client.get("/api/search?q=Mosul&collapse=maybe")
    assert bad.status_code == 400 and bad.get_json()["error"]["param"] == "collapse"
    page = client.get("/search?q=Mosul").get_data(as_text=True)
    assert page.count('class="hit"') == 1 and ">3 versions</a>" in page
    assert "collapse=1" in page.split('class="formats"')[1]  # the JSON/CSV/Atom links give the same results
    link = page.split('class="versions" href="')[1].split('"')[0].replace("&amp;", "&")
    versions = client.get(link).get_data(as_text=True)
    assert versions.count('class="hit"') == 3 and "Versions of one story" in versions
    every = client.get("/search?q=Mosul&collapse=0").get_data(as_text=True)
    assert every.count('class="hit"') == 3


def test_related_articles_leave_out_versions_of_the_same_story(make_corpus, archive):
    index = archive(make_corpus(corpus_files(WIRE_CORPUS)))
    app = index.app()
    related = app.test_client().get(f"/api/articles/{article_id('wire/first.txt')}/related").get_json()
    assert article_id("daily/copy.txt") not in {hit["id"] for hit in related["results"]}
    page = app.test_client().get(f"/articles/{article_id('wire/first.txt')}").get_data(as_text=True)
    assert "3 versions of this story" in page


class Committed:
    """What an engine's committed index answers (search.duplicates.CommittedLookups), as plain data."""

    def __init__(self, texts: set[str], clusters_by_key: dict[str, set[str]]) -> None:
        self.texts, self.clusters_by_key = texts, clusters_by_key

    def has_article_with_text(self, text_hash: str) -> bool:
        return text_hash in self.texts

    def clusters_with_key(self, key: str) -> set[str]:
        return self.clusters_by_key.get(key, set())


def test_the_write_time_rules_decide_copies_and_clusters_once_for_every_engine():
    from search.duplicates import Deduplicator

    committed = Committed({"old-text"}, {"k1": {"c-old"}, "k2": {"c-old"}, "k3": {"c-other"}})
    dedup = Deduplicator()
    assert dedup.decide("a", "old-text", [], committed).copies_committed  # a copy of an indexed article
    assert dedup.decide("b", "text-b", ["k1", "k2", "k3"], committed).cluster == "c-old"  # 2 keys shared
    assert dedup.decide("c", "text-b", [], committed).role == "copy"  # a copy of an article of this run
    alone = dedup.decide("d", "text-d", ["k3"], committed)
    assert (alone.role, alone.cluster) == ("article", "d")  # one shared key is not enough
    # Keys of articles put in this run count too; ties go to the smaller cluster id.
    assert dedup.decide("e", "text-e", ["k1", "k2", "x", "y"], committed).cluster == "c-old"
    assert dedup.decide("b-run", "text-b-run", ["x2", "y2"], committed).cluster == "b-run"
    assert dedup.decide("f", "text-f", ["x2", "y2", "k1", "k2"], committed).cluster == "b-run"
    # A key keeps the first cluster the run gave it: p1 stays p's when r, a story of its own, holds it too.
    assert dedup.decide("p", "text-p", ["p1", "p2", "p3"], committed).cluster == "p"
    assert dedup.decide("r", "text-r", ["p1", "r2", "r3"], committed).cluster == "r"
    assert dedup.decide("s", "text-s", ["p1", "p3"], committed).cluster == "p"


def test_waiting_copies_are_written_or_read_again_once_removals_are_known():
    from search.duplicates import Deduplicator

    dedup = Deduplicator()
    dedup.wait("kept", {"path": "copy-of-kept.txt"})
    dedup.wait("gone", {"path": "copy-of-gone.txt"})
    dedup.wait("back", {"path": "copy-of-back.txt"})
    dedup.removed("gone")
    dedup.removed("back")
    dedup.decide("new", "back", [], Committed(set(), {}))  # the run indexed that text again
    settled = dedup.settle()
    assert settled.orphans == {"gone"}
    assert settled.write == [{"path": "copy-of-kept.txt"}, {"path": "copy-of-back.txt"}]
    assert settled.reread == [{"path": "copy-of-gone.txt"}]
    assert dedup.settle().write == []  # settled once


def test_a_run_remembers_its_articles_outside_python_memory():
    # A full build of a million articles remembers 8 keys each; in dicts that was about 1.4 GB.
    import random
    import tracemalloc

    from search.duplicates import Deduplicator

    rng = random.Random(7)
    articles = [
        (f"id{n}", f"text{n}", [f"{band}-{rng.getrandbits(64):016x}" for band in range(8)]) for n in range(10_000)
    ]
    dedup, nothing = Deduplicator(), Committed(set(), {})
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for identifier, text, keys in articles:
        dedup.decide(identifier, text, keys, nothing)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 1_000_000, grown  # a dict of 80,000 keys takes about 10 MB
    # Yet it remembers every one: the same text is a copy, a near-duplicate joins the first article's cluster.
    first_id, first_text, first_keys = articles[0]
    assert dedup.decide("again", first_text, [], nothing).role == "copy"
    assert dedup.decide("edited", "text-edited", first_keys[:3], nothing).cluster == first_id
    last_id, _, last_keys = articles[-1]
    assert dedup.decide("edited-last", "text-edited-last", last_keys[5:], nothing).cluster == last_id
    dedup.close()
    assert dedup.decide("after", first_text, [], nothing).role == "article"  # closed: the run's memory went
