"""Clean a saved HTML page: metadata from the untouched document, then the main text without chrome."""

from __future__ import annotations

import gc
import html
from collections.abc import Iterator
from contextlib import contextmanager

from indexer.article import Article, SkipDocument
from indexer.datelines import agency_of, dateline_of
from indexer.html_content import extract_content, parse_html, text_of
from indexer.html_metadata import read_metadata

# Use JSON-LD articleBody instead of the extracted text when it is this many times longer.
DECLARED_BODY_PREFERRED_RATIO = 2.0


def split_declared_body(text: str | None) -> list[str]:
    """Paragraphs of a JSON-LD articleBody (plain text with line breaks, sometimes with HTML tags left in)."""
    if not text:
        return []
    if "<" in text and ">" in text:
        text = text_of(parse_html(text), "\n")
    return [line.strip() for line in html.unescape(text).splitlines() if line.strip()]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block, if it runs; restore it after."""
    # A BeautifulSoup tree is many thousands of linked objects, all alive while it is built and read,
    # and each automatic collection pass re-scans them: about a third of the extraction time. The dead
    # tree is collected once, after the block. With threads, a block entered while another holds the
    # collector paused leaves it to that one, so the collector is never left off.
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def extract_html(article: Article) -> Article:
    """Fill title, body and metadata of an HTML page."""
    # One BeautifulSoup parse (over lxml). Metadata is read first; the content step never modifies the
    # tree either (it walks it into text blocks and decides on those), so no copy of the document is needed.
    with collector_paused():
        root = parse_html(article.text)
        meta = read_metadata(root)
        paragraphs = extract_content(root, meta.title)
        del root  # nothing returned refers to the tree: it is garbage as soon as the collector runs
    declared_body = split_declared_body(meta.article_body)
    if len(" ".join(declared_body)) > DECLARED_BODY_PREFERRED_RATIO * len(" ".join(paragraphs)):
        # The page's own JSON-LD articleBody holds much more than the markup shows: the story
        # is rendered by script or behind a paywall overlay.
        paragraphs = declared_body
        article.methods["body"] = "json-ld"
    else:
        article.methods["body"] = "markup"
    if not paragraphs:
        raise SkipDocument("HTML page has no article text (nothing visible, or only menus and notices)")
    article.body = "\n\n".join(paragraphs)
    if meta.title:
        article.title = meta.title
    article.authors = meta.authors
    article.date = meta.date
    article.source = meta.source
    article.url = meta.url
    article.declared_language = meta.language
    article.methods.update(meta.methods)
    article.dateline, article.agency = dateline_of(paragraphs[0])
    article.agency = article.agency or agency_of(article.authors)
    return article
