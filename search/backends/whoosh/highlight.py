"""Marking matched words in stored text with Whoosh's highlighter: snippets for hits, whole paragraphs for pages."""

from __future__ import annotations

from whoosh import highlight
from whoosh.query import Query

from search.backends.whoosh import schema as f
from search.snippets import SNIPPET_CHARS, SNIPPET_FRAGMENTS, escape, fallback_snippet, title_led_snippet


class MarkFormatter(highlight.Formatter):
    """Escape all text and wrap matched words in <mark>."""

    between = " … "

    def _text(self, text: str) -> str:
        return escape(text)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"


class Marker:
    """Marks the words a query matched in stored text (the body is stored, not indexed, so Whoosh can't).

    Each article is marked with the words matched in its own language's field, analysed that
    language's way, so "Angriffe" marks "Angriff" in German text; the marks sit on the original
    words.
    """

    def __init__(self, searcher, query: Query) -> None:
        # Prefixes, wildcards and fuzzy words are expanded to the indexed words they matched.
        # Leaf by leaf: Whoosh's existing_terms on a compound query reuses its `fieldname` argument
        # as a loop variable and so skips every field after the first.
        self.terms: dict[str, set[str]] = {}
        reader = searcher.reader()
        for leaf in query.leaves():
            for fieldname, text in leaf.existing_terms(reader, phrases=True, expand=True):
                word = text.decode("utf-8") if isinstance(text, bytes) else text
                self.terms.setdefault(fieldname, set()).add(word)
        self.schema = searcher.schema
        self.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        self.formatter = MarkFormatter()

    def _words(self, language: str | None) -> tuple[frozenset[str], object]:
        field = f.content_field(language)
        words = self.terms.get(field, set()) | self.terms.get(f.TITLE, set())
        return frozenset(words), self.schema[field].analyzer

    def snippet(self, body: str, title: str = "", language: str | None = None) -> str:
        """Return up to three escaped fragments around matches in the body.

        When only the title matched, the marked title leads the start of the body; with no
        match at all, the start of the body alone.
        """
        words, analyzer = self._words(language)
        if words:
            fragments = highlight.highlight(
                body, words, analyzer, self.fragmenter, self.formatter, top=SNIPPET_FRAGMENTS
            )
            if fragments:
                return " ".join(fragments.split())
            led = title_led_snippet(self.whole(title, language), body)
            if led is not None:
                return led
        return fallback_snippet(body)

    def whole(self, text: str, language: str | None = None) -> str:
        """Return the whole text escaped, with every matched word marked."""
        words, analyzer = self._words(language)
        if words:
            marked = highlight.highlight(text, words, analyzer, highlight.WholeFragmenter(), self.formatter)
            if marked:
                return marked
        return escape(text)
