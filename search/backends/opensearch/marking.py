"""Marking matched words in stored text on OpenSearch: the cluster analyses, this decides what is marked.

The body is stored, not indexed (its words are in the content field with the title), so the
cluster's own highlighter cannot cut snippets from it alone. Instead the query's words are analysed
once per language with the article's content analyzer (one `_analyze` call), the texts to mark
are analysed the same way (one call for a page of them, with offsets), and a token is marked when
its indexed form is one of the query's words or fits one of its patterns. So "Angriffe" marks
"Angriff" in German text, a prefix marks the words it expanded to, and the marks sit on the
original words; search.snippets cuts and escapes the fragments.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from search import querylang as ql
from search.backends.opensearch import analysis as a
from search.backends.opensearch.compiler import MAX_FUZZY_EDITS, pattern_text
from search.snippets import Span, fallback_snippet, marked_fragments, marked_whole, title_led_snippet

# (analyzer, texts) -> the tokens of each text: (indexed form, start offset, end offset).
Analyze = Callable[[str, list[str]], list[list[tuple[str, int, int]]]]
# Fields whose words are marked in the body and title (author:, source: ... words are not in them).
MARKED_FIELDS = (None, "title")
BATCH_CHARS = 65_536  # characters of text analysed in one request for a page's snippets


def _edits(a_word: str, b_word: str, limit: int) -> int:
    """Levenshtein distance (no transpositions, as the compiler asks), stopping early past limit."""
    previous = list(range(len(b_word) + 1))
    for i, char in enumerate(a_word, 1):
        current = [i]
        for j, other in enumerate(b_word, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _glob(pattern: str) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL)


class Marker:
    """The words of one query, ready to mark texts of any language."""

    def __init__(
        self,
        query: ql.Node,
        analyze: Analyze,
        stem: Callable[[str, str], str] | None,
        analyze_words: Analyze | None = None,
    ) -> None:
        """analyze: tokens of texts; analyze_words: the same for the query's words (may remember them)."""
        self.analyze = analyze
        self.analyze_words = analyze_words or analyze
        self.stem = stem
        leaves = [leaf for leaf in ql.leaves(query) if leaf.field in MARKED_FIELDS]
        self.words = [leaf.text for leaf in leaves if isinstance(leaf, (ql.Word, ql.Phrase))]
        self.patterns = [leaf for leaf in leaves if isinstance(leaf, (ql.Prefix, ql.Wildcard, ql.Fuzzy))]
        self._tests: dict[str, Callable[[str], bool]] = {}

    def _test(self, language: str | None) -> Callable[[str], bool]:
        """Return a test of an indexed word: does the query match it in this language's content field."""
        field = a.content_field(language)
        if field in self._tests:
            return self._tests[field]
        analyzer = a.content_analyzer((language or "").lower()) if field != a.CONTENT else a.GENERIC_ANALYZER
        terms = (
            {token for tokens in self.analyze_words(analyzer, self.words) for token, _, _ in tokens}
            if self.words
            else set()
        )
        checks: list[Callable[[str], bool]] = [terms.__contains__]
        for leaf in self.patterns:
            raw = leaf.pattern if isinstance(leaf, ql.Wildcard) else leaf.text
            text = pattern_text(field, raw, self.stem)
            if not text:
                continue
            if isinstance(leaf, ql.Prefix):
                checks.append(lambda token, text=text: token.startswith(text))
            elif isinstance(leaf, ql.Wildcard):
                glob = _glob(text)
                checks.append(lambda token, glob=glob: glob.fullmatch(token) is not None)
            else:
                edits, keep = min(leaf.max_edits, MAX_FUZZY_EDITS), leaf.prefix_length
                checks.append(
                    lambda token, text=text, edits=edits, keep=keep: (
                        token[:keep] == text[:keep] and _edits(token, text, edits) <= edits
                    )
                )
        test = (lambda token: any(check(token) for check in checks)) if terms or len(checks) > 1 else (lambda _: False)
        self._tests[field] = test
        return test

    def spans(self, texts: list[str], language: str | None) -> list[list[Span]]:
        """Return the offsets of the matched words in each text (read in `language`)."""
        test = self._test(language)
        if not any(texts) or not (self.words or self.patterns):
            return [[] for _ in texts]
        field = a.content_field(language)
        analyzer = a.content_analyzer((language or "").lower()) if field != a.CONTENT else a.GENERIC_ANALYZER
        return [
            [(start, end) for token, start, end in tokens if test(token)] for tokens in self.analyze(analyzer, texts)
        ]

    def snippets(self, articles: list[tuple[str, str, str | None]]) -> list[str]:
        """Return each article's snippet (body, title, language): fragments around matches in the body.

        When only the title matched, the marked title leads the start of the body; with no match, the
        start alone (search.snippets' rules). Articles of one language are analysed in one call, up to
        BATCH_CHARS characters of text a call.
        """
        found: list[str] = [""] * len(articles)
        by_language: dict[str | None, list[int]] = {}
        for number, (_, _, language) in enumerate(articles):
            by_language.setdefault(language, []).append(number)
        for language, numbers in by_language.items():
            batches: list[list[int]] = [[]]
            size = 0
            for number in numbers:
                length = len(articles[number][0]) + len(articles[number][1])
                if batches[-1] and size + length > BATCH_CHARS:
                    batches.append([])
                    size = 0
                batches[-1].append(number)
                size += length
            for batch in batches:
                spans = self.spans([text for n in batch for text in articles[n][:2]], language)
                for at, n in enumerate(batch):
                    found[n] = self._snippet(articles[n][0], articles[n][1], spans[2 * at], spans[2 * at + 1])
        return found

    def snippet(self, body: str, title: str, language: str | None) -> str:
        """Return one article's snippet (see snippets())."""
        return self.snippets([(body, title, language)])[0]

    @staticmethod
    def _snippet(body: str, title: str, body_spans: list[Span], title_spans: list[Span]) -> str:
        if body_spans:
            return marked_fragments(body, body_spans)
        led = title_led_snippet(marked_whole(title, title_spans), body)
        return led if led is not None else fallback_snippet(body)

    def whole(self, texts: list[str], language: str | None) -> list[str]:
        """Each text whole, escaped, with every matched word marked."""
        return [marked_whole(text, spans) for text, spans in zip(texts, self.spans(texts, language), strict=True)]
