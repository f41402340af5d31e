"""Fast matching and scoring (search.backends.whoosh.docsets) give exactly what Whoosh's own matchers and scorer give.

Whoosh is the oracle here, so this test imports it: an index of several segments with deleted
documents, searched with every kind of query the language has.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from conftest import sample_record
from whoosh import sorting
from whoosh.query import MultiTerm, Term

from search import querylang
from search.archive import Archive
from search.backends.whoosh import WhooshBackend, docsets
from search.backends.whoosh import schema as f
from search.backends.whoosh.backend import compiled_query
from search.backends.whoosh.store import ArchiveIndex
from search.backends.whoosh.writer import IndexUpdate
from search.request import build_request

WORDS = [
    "oil",
    "price",
    "rise",
    "fall",
    "bank",
    "rate",
    "central",
    "minister",
    "prime",
    "talks",
    "new",
    "york",
    "stock",
    "market",
    "trade",
    "deal",
]
SOURCES = ["Reuters", "BBC", "AP", None]
AUTHORS = ["Ann Lee", "Bo Chen", "Cy Diaz"]
QUERIES = [
    "oil",
    "oil price",
    "oil OR bank",
    "oil -price",
    "oil AND (bank OR rate)",
    '"oil price"',
    '"new york stock market"',
    '"price price"',
    '"oil price" bank',
    '"oil price"~3',
    "pri*",
    "ra?e",
    "title:oil",
    "author:lee",
    "source:reuters",
    "date:2020",
    "date:>=2021-06",
    "oil date:2021",
    "",
    "nosuchword",
    '"oil nosuchword"',
    "NOT oil",
]


def _records(rng: random.Random, first: int, count: int) -> list[dict]:
    records = []
    for number in range(first, first + count):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 60)))
        records.append(
            sample_record(
                number,
                title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))),
                body=body,
                source=rng.choice(SOURCES),
                authors=rng.sample(AUTHORS, rng.randint(0, 2)),
                date=dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 900)) if rng.random() < 0.9 else None,
            )
        )
    return records


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    rng = random.Random(7)
    archive = ArchiveIndex(tmp_path_factory.mktemp("docsets") / "index")
    with IndexUpdate(archive, full=True) as update:
        for record in _records(rng, 1, 150):
            update.put(record)
    for batch in range(2):  # later runs add segments and delete documents from earlier ones
        with IndexUpdate(archive) as update:
            for number in rng.sample(range(1, 150), 12):
                update.delete_file(f"sample/{number:04d}.txt")
            for record in _records(rng, 200 + 100 * batch, 60):
                update.put(record)
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def searcher(archive):
    with archive.searcher() as searcher:
        # The cases this module exists for: several segments, and deleted documents in them.
        assert len(searcher.leaf_searchers()) > 1
        assert searcher.doc_count() < searcher.doc_count_all()
        yield searcher


# Whoosh's AND NOT keeps some documents holding the excluded word once a segment has deletions;
# for it, the oracle is the difference of the two parts' matches.
EXCLUDING = {"oil -price": ("oil", "price")}


def _whoosh_docs(searcher, text: str) -> set[int]:
    return set(searcher.docs_for_query(compiled_query(searcher, querylang.parse(text))))


@pytest.mark.parametrize("text", QUERIES)
def test_query_docs_are_the_live_documents_whoosh_matches(searcher, text):
    query = compiled_query(searcher, querylang.parse(text))
    if text in EXCLUDING:
        kept, dropped = EXCLUDING[text]
        expected = _whoosh_docs(searcher, kept) - _whoosh_docs(searcher, dropped)
    else:
        expected = _whoosh_docs(searcher, text)
    assert docsets.query_docs(searcher, query) == sorted(expected)


def test_an_excluded_word_is_in_no_hit(archive):
    request = build_request({"q": ["oil -price"], "per_page": ["100"], "collapse": ["0"]})
    result = Archive(WhooshBackend(archive)).search(request)
    assert result.total > 0
    assert result.total == len(result.hits)
    assert all("price" not in f"{hit.title} {hit.snippet}".split() for hit in result.hits)
    bodies = [WhooshBackend(archive).article(hit.id).body for hit in result.hits]
    assert all("price" not in body.split() for body in bodies)


SCORED_BY_WHOOSH = {'"oil price"~3', "date:2020", "date:>=2021-06", "", "NOT oil"}


def _scored(node: MultiTerm) -> MultiTerm:
    node = node.copy()
    node.constantscore = False
    return node


@pytest.mark.parametrize("text", QUERIES)
def test_scores_are_whooshs(searcher, text):
    query = compiled_query(searcher, querylang.parse(text))
    docs = docsets.query_docs(searcher, query)
    scores = docsets.bm25_scores(searcher, query, docs)
    if scores is None:
        # Only queries that are not sums of word scores are left to Whoosh's matchers.
        assert text in SCORED_BY_WHOOSH
        return
    assert text not in SCORED_BY_WHOOSH
    # A prefix or wildcard is scored as the words it stands for: Whoosh does that without constant scoring.
    plain = query.accept(lambda node: node.with_boost(node.boost) if not isinstance(node, MultiTerm) else _scored(node))
    expected = {hit.docnum: hit.score for hit in searcher.search(plain, limit=None)}
    if text in EXCLUDING:  # Whoosh also scores documents it should have excluded
        expected = {docnum: score for docnum, score in expected.items() if docnum in scores}
    assert scores.keys() == expected.keys()
    assert all(scores[d] == pytest.approx(expected[d], rel=1e-12) for d in expected)


def test_plain_words_and_phrases_are_scored_without_whooshs_matchers(searcher):
    for text in ["oil", "oil price", "oil OR bank", '"oil price" bank', "oil AND (bank OR rate)"]:
        query = compiled_query(searcher, querylang.parse(text))
        assert docsets.bm25_scores(searcher, query, docsets.query_docs(searcher, query)) is not None, text


@pytest.mark.parametrize("name", ["source", "language", "year"])
def test_field_values_are_the_column_values(searcher, name):
    column = list(searcher.reader().column_reader(f.FACET_FIELDS[name]))
    assert docsets.field_values(searcher, f.FACET_FIELDS[name]) == column


def test_value_lists_hold_every_author_of_each_document(searcher):
    reader = searcher.reader()
    expected: dict[int, list[str]] = {}
    for btext in reader.lexicon(f.AUTHOR_FACET):
        for docnum in searcher.docs_for_query(Term(f.AUTHOR_FACET, btext.decode())):
            expected.setdefault(docnum, []).append(btext.decode())
    assert any(len(names) > 1 for names in expected.values())
    lists = docsets.field_value_lists(searcher, f.AUTHOR_FACET)
    for docnum in range(searcher.doc_count_all()):
        if not reader.is_deleted(docnum):
            assert sorted(lists[docnum]) == sorted(expected.get(docnum, [])), docnum


def _whoosh_order(searcher, text: str, sort: str) -> list[str]:
    query = compiled_query(searcher, querylang.parse(text))
    sortedby = None
    if sort != "relevance":
        sortedby = sorting.MultiFacet(
            [sorting.FieldFacet(f.HAS_DATE, reverse=True), sorting.FieldFacet(f.DATE, reverse=sort == "-date")]
        )
    results = searcher.search(query, limit=None, sortedby=sortedby)
    return [hit[f.ID_FIELD] for hit in results]


@pytest.mark.parametrize("sort", ["relevance", "date", "-date"])
@pytest.mark.parametrize("text", ["oil", "oil price", '"oil price"', "pri*", "date:2021", ""])
def test_search_pages_in_whooshs_order(archive, searcher, text, sort):
    expected = _whoosh_order(searcher, text, sort)
    found = []
    for page in range(1, 100):
        params = {"q": [text], "sort": [sort], "page": [str(page)], "collapse": ["0"]}
        result = Archive(WhooshBackend(archive)).search(build_request(params))
        found += [hit.id for hit in result.hits]
        if page >= result.pages:
            break
    assert result.total == len(expected)
    if sort != "relevance" or (text and not text.endswith("*") and not text.startswith("date:")):
        assert found == expected
    else:
        # A prefix, range or match-all scores every match alike: ties go in index order.
        assert sorted(found) == sorted(expected)


def test_column_values_cover_a_segment_without_that_column(whoosh_store):
    # The second commit's only article has no date, so its segment has no date column at all.
    archive = whoosh_store([sample_record(n, title=f"Oil {n}", date=dt.date(2024, 1, n)) for n in (1, 2)])
    with IndexUpdate(archive) as update:
        update.put(sample_record(3, title="Oil 3"))
    with archive.searcher() as searcher:
        dates = docsets.column_values(searcher, f.DATE, translate=False)
        assert len(dates) == searcher.doc_count_all() == 3
    newest = Archive(WhooshBackend(archive)).search(build_request({"q": ["oil"], "sort": ["-date"]}))
    assert [hit.title for hit in newest.hits] == ["Oil 2", "Oil 1", "Oil 3"]  # undated last


def test_numeric_columns_read_whole_are_whooshs_values(searcher):
    for leaf, _ in searcher.reader().leaf_readers():
        dates = leaf.column_reader(f.DATE, translate=False)
        assert docsets.numeric_column_array(dates) is not None  # the fast way is the one taken
        for fieldname, translate in [(f.DATE, False), (f.HAS_DATE, True)]:
            column = leaf.column_reader(fieldname, translate=translate)
            expected = [column[docnum] for docnum in range(leaf.doc_count_all())]
            if translate:
                assert docsets.segment_column_values(leaf, fieldname) == expected
            else:
                assert list(docsets.numeric_column_array(column)) == expected
    assert len(docsets.column_values(searcher, f.DATE, translate=False)) == searcher.doc_count_all()


def test_field_lengths_read_whole_are_whooshs(searcher):
    fields = [field for field in f.CONTENT_FIELDS if searcher.reader().field_length(field)]
    assert fields
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        for fieldname in fields:
            assert docsets._length_column(reader, fieldname) is not None  # the fast way is the one taken
            expected = [reader.doc_field_length(d, fieldname, 1) or 0 for d in range(reader.doc_count_all())]
            assert list(docsets._field_lengths(searcher, subsearcher, offset, fieldname)) == expected, fieldname
