"""Spelling suggestions, written once for every engine over its vocabulary."""

from __future__ import annotations

from search.suggest import SUGGEST_BELOW_HITS, respell


def edits(a: str, b: str) -> int:
    """Levenshtein distance."""
    row = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, other in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (char != other))
    return row[-1]


class Vocabulary:
    """A small real vocabulary: word -> articles holding it; candidates within the edit distance, commonest first."""

    def __init__(self, frequencies: dict[str, int]) -> None:
        self.frequencies = frequencies

    def doc_frequency(self, word: str) -> int:
        return self.frequencies.get(word, 0)

    def candidates(self, word: str, limit: int, max_edits: int, prefix: int) -> list[str]:
        close = [
            other
            for other in self.frequencies
            if other[:prefix] == word[:prefix] and other != word and edits(other, word) <= max_edits
        ]
        return sorted(close, key=lambda other: -self.frequencies[other])[:limit]


VOCABULARY = Vocabulary({"baghdad": 40, "bagdad": 1, "blinken": 30, "erbil": 20})


def test_a_rare_word_is_respelled_as_a_common_one():
    assert respell("Bagdad Blinken", 0, VOCABULARY) == "baghdad Blinken"
    assert respell('"Blinkn visit"', 0, VOCABULARY) == '"blinken visit"'


def test_no_suggestion_when_the_query_finds_enough_or_nothing_is_better():
    assert respell("Bagdad", SUGGEST_BELOW_HITS, VOCABULARY) is None
    assert respell("Erbil", 0, VOCABULARY) is None
    assert respell("zzzz", 0, VOCABULARY) is None


def test_operators_fields_and_excluded_words_are_left_alone():
    assert respell("Blinkn OR -Bagdad title:Bagdad", 0, VOCABULARY) == "blinken OR -Bagdad title:Bagdad"
