"""Snippets of a hit's text when no match can be marked, and the escaping every snippet gets.

A snippet is HTML-escaped text with matched words in <mark>; engines mark the matches, and these
rules decide what shows when they cannot: the start of the body, led by the marked title when only
the title matched.
"""

from __future__ import annotations

import html

# Fragments around matches in a hit's snippet, and the characters of each.
SNIPPET_FRAGMENTS = 3
SNIPPET_CHARS = 200
# The start of the body shown when no match is in the body.
FALLBACK_SNIPPET_CHARS = 240


def escape(text: str) -> str:
    """Return text escaped for HTML (quotes left alone: snippets are element text, never attributes)."""
    return html.escape(text, quote=False)


def fallback_snippet(body: str) -> str:
    """Return the start of the body, escaped, cut at a word within FALLBACK_SNIPPET_CHARS."""
    text = " ".join(body.split())
    if len(text) > FALLBACK_SNIPPET_CHARS:
        text = text[:FALLBACK_SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return escape(text)


def title_led_snippet(marked_title: str, body: str) -> str | None:
    """Return the marked title leading the start of the body, when the title holds a match (else None)."""
    return f"{marked_title} — {fallback_snippet(body)}" if "<mark>" in marked_title else None
