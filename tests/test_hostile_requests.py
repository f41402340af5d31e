"""Hostile and broken requests: each gets a 4xx with a clear message or a sane answer, never a 500."""

from __future__ import annotations

import pytest
from conftest import sample_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from search import querylang
from search.errors import QueryTooBroad, SearchTimeout
from search.request import build_request
from web import archive_of

PARAMETERS = ["q", "page", "per_page", "sort", "source", "language", "author", "year", "from", "to", "facet_size"]
QUERY_PIECES = [
    '"',
    "(",
    ")",
    "*",
    "?",
    "~",
    "^",
    ":",
    "-",
    "+",
    "[",
    "]",
    "{",
    "}",
    "\\",
    "/",
    "AND",
    "OR",
    "NOT",
    "TO",
    "date:",
    "title:",
    "zzz:",
    "2024-13",
    "\x00",
    "\u202e",
    "Blinken",
    " ",
]
# Deterministic examples: CI must not fail one day in a hundred; widen by hand when hunting.
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def assert_well_formed(response) -> None:
    assert response.status_code in (200, 400, 404), response.get_data(as_text=True)[:300]
    if response.status_code == 200:
        return
    body = response.get_json()
    assert set(body["error"]) >= {"code", "message"} and body["error"]["message"]
    assert "Traceback" not in response.get_data(as_text=True)


@FUZZ
@given(q=st.lists(st.sampled_from(QUERY_PIECES) | st.text(max_size=8), max_size=12).map("".join))
def test_any_query_text_is_answered_or_refused_cleanly(client, q):
    assert_well_formed(client.get("/api/search", query_string={"q": q}))


@FUZZ
@given(
    params=st.lists(st.tuples(st.sampled_from(PARAMETERS + ["unknown", "page[]"]), st.text(max_size=12)), max_size=8)
)
def test_any_parameters_are_answered_or_refused_cleanly(client, params):
    assert_well_formed(client.get("/api/search", query_string=params))
    page = client.get("/search", query_string=params)
    assert page.status_code in (200, 400) and b"Traceback" not in page.data


@FUZZ
@given(article_id=st.text(min_size=1, max_size=30))
def test_any_article_id_is_found_or_404(client, article_id):
    for path in ("/api/articles/{}", "/api/articles/{}/related", "/articles/{}", "/articles/{}/original"):
        response = client.get(path.format(article_id.replace("/", "%2F")))
        assert response.status_code in (200, 404, 308), (path, article_id)


@pytest.mark.parametrize(
    ("query_string", "status"),
    [
        ("q=*", 200),
        ("q=*tack", 200),
        ("q=Blinken%00%01%1F", 200),
        ("q=" + "x" * 10_000, 400),
        ("q=" + "(" * 500 + "x" + ")" * 500, 400),
        ("q=title:", 200),
        ("q=date:2024-02-30", 400),
        ("q=date:[2024-01-01 TO yesterday]", 400),
        ("page=1&page=2", 400),
        ("page=2&page=2", 200),
        ("page=1e3", 400),
        ("per_page=%20", 200),
        ("unknown=1&another=2", 200),
        ("facet_size=0", 400),
        ("language=" + "x" * 300, 400),
    ],
)
def test_listed_hostile_requests(client, query_string, status):
    response = client.get(f"/api/search?{query_string}")
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert_well_formed(response)


def test_lone_star_matches_everything(client):
    assert client.get("/api/search?q=*").get_json()["total"] == 5


@pytest.fixture
def wide_archive(build_index):
    words = " ".join(f"alpha{n}" for n in range(60))
    return build_index([sample_record(n, body=f"{words} common words here {n}") for n in range(1, 301)])


def test_a_wildcard_matching_too_many_words_is_refused(wide_archive):
    query = querylang.parse("alpha*")
    wide_archive.backend.check_expansions(query, limit=100)
    with pytest.raises(QueryTooBroad, match="more than 50 different words"):
        wide_archive.backend.check_expansions(query, limit=50)


def test_a_search_over_its_time_limit_is_stopped(wide_archive):
    request = build_request({"q": ["common"]})
    assert wide_archive.with_policy(time_limit=5).search(request).total == 300
    with pytest.raises(SearchTimeout, match="longer than"):
        wide_archive.with_policy(time_limit=1e-9).search(request)


def test_the_time_limit_keeps_filters_working(build_index):
    archive = build_index([sample_record(1, language="de"), sample_record(2, language="en")])
    assert archive.with_policy(time_limit=5).search(build_request({"language": ["de"]})).total == 1


def test_a_timed_out_search_is_a_503_in_the_api(wide_archive):
    app = wide_archive.app(SEARCH_TIME_LIMIT=1e-9)
    response = app.test_client().get("/api/search?q=common")
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "query_timeout"


def test_debug_is_off_unless_asked(seed_app):
    assert not seed_app.debug


def test_searches_past_the_limit_at_once_wait_then_get_a_busy_503(wide_archive):
    app = wide_archive.app(SEARCH_TIME_LIMIT=0.2, SEARCHES_AT_ONCE=1)
    client = app.test_client()
    with archive_of(app).policy.turn():  # one search is running
        response = client.get("/api/search?q=common")
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "busy"
        page = client.get("/?q=common")
        assert page.status_code == 503 and "busy" in page.get_data(as_text=True)
    assert client.get("/api/search?q=common").status_code == 200  # its turn came


def test_searches_at_once_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="SEARCHES_AT_ONCE"):
        create_app({"INDEX_DIR": str(tmp_path), "SEARCHES_AT_ONCE": 0})
