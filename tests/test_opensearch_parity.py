"""Both engines give the same answers: the seeds and a generated news corpus on Whoosh and on a real OpenSearch node.

The seeds are reindexed from their files. The generated corpus (1,600 news-like articles from a
fixed seed, with the words the searches look for, dates, sources and 150 authors, then exact
copies and edited versions under other sources and dates, so collapse has clusters spanning facet
values to decide) is written through each engine's own writer, on OpenSearch into 3 shards. The 50
searches of bench/parity_queries.txt (every kind of the query language, filters, sorts, collapse,
paging) must give identical totals, facet counts and month counts, which both engines count
exactly. Sorted by date, pages are identical too (both break ties by indexing order). By relevance
the engines' BM25 formulas differ, so the top-10 overlap is printed (and must stay high).
bench/parity.py runs the same comparison on the real news benchmark, by hand (its data may not ship
with tests; bench/RESULTS.md has the figures). Needs Java 17 and Maven, or OPENSEARCH_TEST_URL.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import urllib.parse
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SEED_CORPUS, TestArchive, engine_settings
from opensearch_cluster import needs_java

sys.path.insert(0, str(PROJECT_ROOT / "bench"))
from parity import compare, news_record, parity_requests  # noqa: E402

import web  # noqa: E402
from app import create_app  # noqa: E402
from indexer.pipeline import similarity_keys  # noqa: E402
from indexer.reindex import reindex  # noqa: E402
from search import querylang  # noqa: E402
from search.backends import open_backend  # noqa: E402
from search.facets import facet_plan  # noqa: E402
from search.request import build_request  # noqa: E402

# Articles of the generated corpus (the news benchmark itself is for benchmarks run by hand only).
ARTICLES = 1_600
# Mean share of Whoosh's top 10 that OpenSearch also ranks in its top 10 (measured here: see the printout).
MIN_MEAN_OVERLAP = 0.75

pytestmark = needs_java

# Words of the generated news: those the parity searches look for, with news-like fillers and stop words.
TOPICS = [
    "oil",
    "prices",
    "gas",
    "crude",
    "opec",
    "trade",
    "deficit",
    "japan",
    "canada",
    "canadian",
    "dividend",
    "dividends",
    "quarterly",
    "quarter",
    "military",
    "militia",
    "militias",
    "computer",
    "computers",
    "exchange",
    "exchanges",
    "bank",
    "banks",
    "loan",
    "loans",
    "stake",
    "shares",
    "company",
    "companies",
    "profit",
    "profits",
    "market",
    "markets",
    "talks",
    "sells",
    "sold",
    "net",
    "game",
    "games",
    "music",
    "interest",
    "rates",
    "rate",
    "billion",
    "official",
    "officials",
    "minister",
    "prime",
    "dollar",
    "u.k.",
    "u.s.",
    "al-qaeda",
    "e-mail",
    "station",
    "nation",
    "action",
    "information",
    "production",
    "education",
]
FILLERS = [
    "said",
    "year",
    "government",
    "new",
    "week",
    "group",
    "first",
    "last",
    "president",
    "report",
    "plans",
    "expected",
    "earlier",
    "people",
    "city",
    "country",
    "state",
    "agency",
    "month",
    "figures",
    "spokesman",
    "analysts",
    "record",
    "higher",
    "lower",
    "rise",
    "fall",
    "percent",
    "since",
]
STOPS = ["the", "of", "and", "to", "a", "in", "on", "for", "with", "by", "at", "from", "as", "that", "it", "was", "is"]
PHRASES = ("oil prices", "trade deficit", "interest rates", "prime minister", "U.S. dollar")
SOURCES = ("Reuters", "Reuters", "Reuters", "AG News", "BBC", "AP", "AFP")


def generated_news(count: int = ARTICLES, seed: int = 20261207) -> list[dict]:
    """News-like records from a fixed seed: the same corpus every run, many shared words, dates and sources."""
    rng = random.Random(seed)
    words = TOPICS + FILLERS * 2 + STOPS * 4

    def text(length: int) -> str:
        out = []
        while len(out) < length:
            out += rng.choice(PHRASES).split() if rng.random() < 0.04 else [rng.choice(words)]
        return " ".join(out)

    items = []
    for n in range(count):
        source = rng.choice(SOURCES)
        if rng.random() < 0.05:
            day = None
        elif source == "Reuters":
            day = dt.date(1987, 2, 1) + dt.timedelta(days=rng.randrange(240))
        else:
            day = dt.date(2004, 7, 1) + dt.timedelta(days=rng.randrange(365))
        title = text(rng.randint(4, 8)).capitalize()
        body = ". ".join(text(rng.randint(8, 20)).capitalize() for _ in range(rng.randint(4, 9))) + "."
        items.append({"id": f"gen{n:05d}", "title": title, "body": body, "source": source,
                      "date": day.isoformat() if day else None})  # fmt: skip
    return [news_record(item) for item in items]


def _build(backend: str, folder: Path, records: list[dict], **extra) -> TestArchive:
    settings = engine_settings(backend, folder) | extra
    engine = open_backend(settings)
    with engine.update(full=True) as update:
        for record in records:
            update.put(record)
    return TestArchive(engine, settings)


def _with_duplicates(records: list[dict]) -> list[dict]:
    """The records, then exact copies of some (another file) and edited versions of others (another source, later).

    Each gets one or two of 150 authors: a facet with many values, counted across shards.
    """
    records = [
        record | {"authors": [f"Writer {n * 7 % 150}"] + ([f"Writer {n * 11 % 150}"] if n % 3 == 0 else [])}
        for n, record in enumerate(records)
    ]
    copies = [
        record
        | {"id": f"copy-{record['id']}", "path": f"copies/{record['id']}.txt", "content_hash": "c" + record["id"]}
        for record in records[:40:4]
    ]
    versions = []
    for number, record in enumerate(records[1:200:5]):
        body = record["body"] + " Additional reporting by the copy desk."
        later = record["date"].replace(year=2005) if record["date"] else None
        versions.append(
            record
            | similarity_keys(record["title"], body)
            | {"id": f"version-{record['id']}", "path": f"versions/{record['id']}.txt", "content_hash": f"v{number}",
               "body": body, "source": "Copy Desk" if number % 2 else record["source"], "date": later}
        )  # fmt: skip
    return records + copies + versions


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    records = _with_duplicates(generated_news())
    folder = tmp_path_factory.mktemp("parity")
    whoosh = _build("whoosh", folder / "whoosh", records)
    # Three shards: counts summed over shards must still be exact.
    opensearch = _build("opensearch", folder / "opensearch", records, OPENSEARCH_SHARDS=3)
    yield whoosh, opensearch
    whoosh.close()
    opensearch.close()


def test_the_sample_holds_duplicates_to_collapse(engines):
    whoosh, _ = engines
    assert whoosh.backend.article_count() > 1000
    collapsed, uncollapsed = compare(*engines, "q=&collapse=1"), compare(*engines, "q=")
    assert collapsed.totals[0] < uncollapsed.totals[0] - 20  # collapse has clusters to decide here
    assert collapsed.totals == (collapsed.totals[0],) * 2 and uncollapsed.totals == (uncollapsed.totals[0],) * 2
    per_source = compare(*engines, "q=&collapse=1&source=Copy Desk&source=Reuters")
    assert per_source.same_facets and per_source.totals[0] == per_source.totals[1]


@pytest.fixture(scope="module")
def ranked_engines(engines, tmp_path_factory):
    """Whoosh, and the same corpus on OpenSearch in one shard: ranking statistics over the whole corpus, as Whoosh's.

    (With 3 shards of 550 generated articles each shard's word statistics differ enough to reorder near
    ties: the overlap measured 0.66 there, 0.96 in one shard.)
    """
    records = _with_duplicates(generated_news())
    single = _build("opensearch", tmp_path_factory.mktemp("ranked"), records, OPENSEARCH_SHARDS=1)
    yield engines[0], single
    single.close()


def test_the_top_ten_mostly_agree(ranked_engines, capsys):
    overlaps = [compare(*ranked_engines, query).top10_overlap for query in parity_requests()]
    with capsys.disabled():
        print(
            f"\ntop-10 overlap over {len(overlaps)} searches: mean {statistics.fmean(overlaps):.2f}, "
            f"median {statistics.median(overlaps):.2f}, min {min(overlaps):.1f}"
        )
    assert statistics.fmean(overlaps) >= MIN_MEAN_OVERLAP


def test_fifty_searches_count_the_same_on_both_engines(engines):
    rows = [compare(*engines, query) for query in parity_requests()]
    assert len(rows) == 50
    differ = [row for row in rows if row.totals[0] != row.totals[1] or not row.same_facets or not row.same_months]
    assert not differ, "\n".join(f"{row.query}: totals {row.totals}, facets {row.same_facets}" for row in differ)
    by_date = [row for row in rows if "sort=date" in row.query or "sort=-date" in row.query]
    assert by_date and all(row.same_order for row in by_date)


def test_facet_counts_stay_exact_when_shards_report_few_candidates(engines, monkeypatch):
    # With each shard reporting only 10 candidate values, a single pass sums some counts low (here the
    # authors of source:reuters); the second pass counts exactly the values shown. (Which values make
    # the top can still differ with so few candidates: FACET_SHARD_SIZE is 500.)
    from search.backends.opensearch import backend

    monkeypatch.setattr(backend, "FACET_SHARD_SIZE", 10)
    whoosh, opensearch = engines
    for query in [
        "q=oil",
        "q=trade ANDNOT japan",
        "q=source:reuters",
        "q=&collapse=1&facet_size=10",
        "q=&author=Writer 7",
    ]:
        request = build_request(urllib.parse.parse_qs(query, keep_blank_values=True))
        every_count = whoosh.backend.search(querylang.parse(request.q), request, facet_plan(request), None).facet_counts
        shown = opensearch.search(request).facets
        for name, values in shown.items():
            assert values, (query, name)
            assert all(value.count == every_count[name].get(value.value, 0) for value in values), (query, name)


def test_collapsing_more_clustered_matches_than_it_reads_is_an_estimate_and_says_so(engines):
    whoosh, exact = engines
    settings = exact.settings | {"OPENSEARCH_EXACT_COLLAPSE": 60}  # of about 80 clustered articles
    estimating = TestArchive(open_backend(settings), settings)
    try:
        collapsed = build_request({"q": [""], "collapse": ["1"], "per_page": ["50"]})
        truth, estimate = whoosh.search(collapsed), estimating.search(collapsed)
        assert not estimate.exact and truth.exact
        assert abs(estimate.total - truth.total) <= truth.total * 0.01
        clusters = [hit.cluster for hit in estimate.hits]
        assert len(clusters) == len(set(clusters)) == 50  # each story once on a page
        by_source = {value.value: value.count for value in estimate.facets["source"]}
        assert by_source["Copy Desk"] > 0
        # Estimated, a story counts in each month (and facet value) its matching versions fall in.
        every_version = whoosh.search(build_request({"q": [""], "collapse": ["0"]}))
        months = [sum(m.count for m in found.months) for found in (truth, estimate, every_version)]
        assert months[0] <= months[1] <= months[2]
        # Few clustered matches (or none collapsed): counted exactly, as always.
        for params in ({"q": ['"interest rates" AND bank'], "collapse": ["1"]}, {"q": [""]}):
            request = build_request(params)
            assert estimating.search(request).exact and estimating.search(request).total == whoosh.search(request).total
        app = create_app({"TESTING": True, "WARM_INDEX": False, **settings})
        client = app.test_client()
        answer = client.get("/api/search?q=&collapse=1").get_json()
        assert answer["total_exact"] is False and answer["total"] == estimate.total
        assert f"about</span> {estimate.total:,}".replace(",", "") in client.get("/?q=*").get_data(as_text=True)
        far = client.get("/api/search?q=&collapse=1&per_page=100&page=101")
        assert far.status_code == 400 and far.get_json()["error"]["code"] == "invalid_parameter"
        assert client.get("/api/search?q=&collapse=0&per_page=100&page=16").status_code == 200
        web.shutdown(app)
    finally:
        estimating.backend.close()


@pytest.fixture(scope="module")
def seed_engines(tmp_path_factory):
    """The five seed articles, reindexed from their files by the real reindexer into each engine."""
    opened = []
    for name in ("whoosh", "opensearch"):
        settings = engine_settings(name, tmp_path_factory.mktemp(f"seeds-{name}"))
        engine = open_backend(settings)
        assert reindex(SEED_CORPUS, engine, workers=1).articles == 5
        opened.append(TestArchive(engine, settings))
    yield tuple(opened)
    for archive in opened:
        archive.close()


def test_the_seeds_count_the_same_on_both_engines(seed_engines):
    seed_queries = [
        "q=Blinken Iraq", "q=milit*", 'q="prime minister"', "q=title:iran OR Baghdad", "q=Blinkin",
        "q=author:wali", "q=date:2024-11", "q=Iraq&sort=-date&collapse=1", "q=&language=en&facet_size=2",
    ]  # fmt: skip
    rows = [compare(*seed_engines, query) for query in [*parity_requests(), *seed_queries]]
    differ = [row.query for row in rows if row.totals[0] != row.totals[1] or not row.same_facets or not row.same_months]
    assert not differ
    assert sum(row.totals[0] > 0 for row in rows) >= 12  # the seeds answer many of them
    whoosh, opensearch = seed_engines
    request = build_request({"q": ["Blinkin"]})
    assert whoosh.search(request).suggestion == opensearch.search(request).suggestion == "blinken"
