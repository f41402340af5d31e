"""Clean a saved HTML page: metadata from the untouched document, then the main text without chrome."""

from __future__ import annotations

from bs4 import BeautifulSoup

from indexer.article import Article, SkipDocument


def extract_html(article: Article) -> Article:
    """Fill title, body and metadata of an HTML page (placeholder: all visible text)."""
    soup = BeautifulSoup(article.text, "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    if soup.title and soup.title.string:
        article.title = soup.title.string.strip()
        article.methods["title"] = "html-title"
    lines = [line.strip() for line in soup.get_text("\n").split("\n") if line.strip()]
    if not lines:
        raise SkipDocument("HTML page has no visible text")
    article.body = "\n\n".join(lines)
    return article
