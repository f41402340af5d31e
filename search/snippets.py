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


# Context kept around a match in a snippet fragment, before the first and after the last marked word.
SNIPPET_SURROUND = 60
Span = tuple[int, int]  # start and end offsets of a matched word in the text


def marked_whole(text: str, spans: list[Span]) -> str:
    """Return the whole text escaped, with the words at these offsets in <mark>."""
    out, at = [], 0
    for start, end in sorted(spans):
        if start < at:
            continue
        out += [escape(text[at:start]), f"<mark>{escape(text[start:end])}</mark>"]
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def marked_fragments(
    text: str,
    spans: list[Span],
    top: int = SNIPPET_FRAGMENTS,
    maxchars: int = SNIPPET_CHARS,
    surround: int = SNIPPET_SURROUND,
) -> str:
    """Return up to `top` escaped fragments of text around the marked words, in text order, or "" without spans.

    For engines that find matched words' offsets but do not cut snippets (Whoosh's ContextFragmenter
    does the same for Whoosh): a fragment takes matches while they fit in `maxchars`, with
    `surround` characters of context cut at word boundaries; the fragments with most matches win.
    """
    spans = sorted(spans)
    if not spans:
        return ""
    groups: list[list[Span]] = []
    for span in spans:
        if groups and span[1] - groups[-1][0][0] <= maxchars:
            groups[-1].append(span)
        else:
            groups.append([span])
    best = sorted(sorted(range(len(groups)), key=lambda i: -len(groups[i]))[:top])
    fragments = []
    for group in (groups[i] for i in best):
        start, end = max(0, group[0][0] - surround), min(len(text), group[-1][1] + surround)
        if start > 0 and " " in text[start : group[0][0]]:
            start = text.index(" ", start, group[0][0]) + 1
        if end < len(text) and " " in text[group[-1][1] : end]:
            end = text.rindex(" ", group[-1][1], end)
        shifted = [(s - start, e - start) for s, e in group]
        fragments.append(" ".join(marked_whole(text[start:end], shifted).split()))
    return " … ".join(fragments)
