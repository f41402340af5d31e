"""Spelling suggestions: when a query finds little, the same query with rare words respelled as common ones.

The rule is the archive's; the vocabulary (how often a word occurs, which indexed words are
spelled closely) is the engine's. Words are looked up unstemmed over title and body together, so
a word that exists only in the body is never "corrected" into a title word.
"""

from __future__ import annotations

import re
from typing import Protocol

# Words worth checking for a better spelling; longer "words" are pasted junk and slow to correct.
SUGGESTABLE_WORD = re.compile(r"(?<![\w:*~])([^\W\d_]{3,30})(?![\w:*~])")
# Suggest only when a query finds this few articles...
SUGGEST_BELOW_HITS = 3
# ...and for words in fewer articles than this, when a spelling in at least this many times more exists.
RARE_WORD_DOCS = 2
BETTER_BY = 5
# Candidates looked at per word: within 2 edits, first letter kept (it keeps the look-up to a small
# part of the vocabulary).
CANDIDATES = 3
MAX_EDITS = 2
SAME_PREFIX = 1
OPERATORS = frozenset({"AND", "OR", "NOT"})


class Vocabulary(Protocol):
    """An engine's indexed words, unstemmed, over title and body."""

    def doc_frequency(self, word: str) -> int:
        """Return in how many articles the (lower-case) word occurs."""

    def candidates(self, word: str, limit: int, max_edits: int, prefix: int) -> list[str]:
        """Return up to `limit` indexed words within `max_edits` of word, sharing its first `prefix` letters."""


def respell(text: str, total: int, vocabulary: Vocabulary) -> str | None:
    """Return the query with rare or unknown words respelled as common indexed words, or None.

    Quoted phrases are respelled too; field names, operators and excluded words are left alone.
    """
    if total >= SUGGEST_BELOW_HITS or not text:
        return None
    changed = False

    def better(match: re.Match) -> str:
        nonlocal changed
        word = match.group(1)
        if word in OPERATORS or text[max(match.start() - 1, 0)] == "-":
            return word
        lower = word.lower()
        frequency = vocabulary.doc_frequency(lower)
        if frequency >= RARE_WORD_DOCS:
            return word
        for candidate in vocabulary.candidates(lower, CANDIDATES, MAX_EDITS, SAME_PREFIX):
            if vocabulary.doc_frequency(candidate) >= max(frequency * BETTER_BY, 1):
                changed = True
                return candidate
        return word

    respelled = SUGGESTABLE_WORD.sub(better, text)
    return respelled if changed else None
