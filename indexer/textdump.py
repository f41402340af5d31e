"""Clean a browser-style text dump: drop page furniture lines, find title and byline metadata."""

from __future__ import annotations

from indexer.article import Article, SkipDocument


def extract_text(article: Article) -> Article:
    """Fill title, body and metadata of a plain-text dump (placeholder: first line is the title)."""
    lines = [line.strip() for line in article.text.split("\n") if line.strip()]
    if not lines:
        raise SkipDocument("no text lines")
    article.title = lines[0]
    article.methods["title"] = "first-line"
    article.body = "\n\n".join(lines[1:])
    return article
