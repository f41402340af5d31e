"""The search and article pages in a real headless Chromium, against a real WSGI server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import threading

import pytest

import web
from app import create_app

pytestmark = pytest.mark.browser

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# The machine has no general network: stop Chromium's background calls home, which fail noisily.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Find the system Chromium: $CHROMIUM_PATH, else the first candidate on PATH."""
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    return next((found for name in CHROMIUM_CANDIDATES if (found := shutil.which(name))), None)


@pytest.fixture(scope="module")
def live_server(seed_index: dict):
    """Serve the seed index with waitress on a free port of 127.0.0.1."""
    from waitress.server import create_server

    app = create_app(seed_index)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)
    web.shutdown(app)


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if not path:
        pytest.skip(
            "Chromium not found: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_search_facet_article_round_trip(page, live_server, tmp_path):
    page.goto(live_server + "/")
    page.get_by_label("Search the archive").fill("Blinken")
    page.get_by_role("button", name="Search").click()
    hits = page.locator("li.hit")
    assert hits.count() == 5
    assert page.locator("li.hit mark").first.inner_text() == "Blinken"
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

    page.locator("aside.facets a", has_text="en").first.click()
    assert page.locator("a.chip").inner_text().startswith("Language: en")
    assert hits.count() == 5
    page.locator("a.chip").click()
    assert page.locator("a.chip").count() == 0

    page.get_by_role("link", name="oldest").click()
    assert "sort=date" in page.url and page.locator("p.sort strong").inner_text() == "oldest"

    first_title = hits.first.locator("h3").inner_text()
    hits.first.locator("h3 a").click()
    assert page.locator("h1").inner_text() == first_title
    assert page.locator(".body p").count() >= 3
    assert page.locator(".body mark").count() >= 1  # reached from a search: its words are marked
    page.screenshot(path=str(tmp_path / "article.png"), full_page=True)

    related = page.locator("section.related a").first
    related_title = related.inner_text()
    related.click()
    assert page.locator("h1").inner_text() == related_title != first_title


def test_paging_keeps_the_query(page, live_server):
    page.goto(live_server + "/search?q=Blinken&per_page=2")
    page.get_by_role("link", name="Next →").click()
    assert "q=Blinken" in page.url and "page=2" in page.url
    assert page.locator("li.hit").count() == 2


def test_broken_query_shows_where_it_is_wrong(page, live_server):
    page.goto(live_server + "/")
    page.get_by_label("Search the archive").fill('"Blinken visit')
    page.get_by_role("button", name="Search").click()
    assert "unclosed quote" in page.locator(".error .message").inner_text()


def test_small_screen_stacks_the_layout(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(live_server + "/?q=Blinken")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(tmp_path / "search-360.png"), full_page=True)
    context.close()
    assert width <= 360
