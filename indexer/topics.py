"""Topic keys: the names an article is about (people, places, organisations), for finding similar articles.

News articles on the same story name the same people and places. A name is a word the article capitalises
in mid-sentence and never writes in lower case, met at least twice, a headline mention counting
double. An article's topic keys are its most frequent
names; articles sharing enough of them are "similar" (search.similar.SIMILAR_SHARED_KEYS).
Scripts without capital letters fall back to the article's most repeated long words.
"""

from __future__ import annotations

import re
from collections import Counter

TOPIC_KEYS = 6
MIN_MENTIONS = 2
HEADLINE_WEIGHT = 2
MIN_NAME_CHARS = 2  # "UN", "EU" are names too
MIN_CASELESS_WORD_CHARS = 5
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
POSSESSIVE = re.compile(r"['’]s$")  # "Reagan's" names Reagan


# After these (or at the start of a line) a capital letter only says a sentence begins.
SENTENCE_START = frozenset(".!?…:;\"“”'‘’«»()[]—–-•*\n")


def _has_case(text: str) -> bool:
    return any(char.isupper() for char in text)


def _names(text: str) -> tuple[Counter[str], set[str], set[str]]:
    """Count capitalised words; also return the words seen capitalised mid-sentence, and in lower case."""
    capitalised: Counter[str] = Counter()
    mid_sentence, lower_case = set(), set()
    for match in WORD.finditer(text):
        word, key = match.group(), POSSESSIVE.sub("", match.group().casefold())
        if word.islower():
            lower_case.add(key)
        elif word[0].isupper() and len(word) >= MIN_NAME_CHARS:
            capitalised[key] += 1
            before = text[: match.start()].rstrip(" \t")
            if before and before[-1] not in SENTENCE_START:
                mid_sentence.add(key)
    return capitalised, mid_sentence, lower_case


def topic_keys(title: str, body: str) -> list[str]:
    """Return up to TOPIC_KEYS names the article is most about, lower-cased, most mentioned first."""
    counts: Counter[str] = Counter()
    if _has_case(body):
        # Names are learnt from the body: headlines are often all capitals or capitalise every word.
        capitalised, mid_sentence, lower_case = _names(body)
        names = mid_sentence - lower_case
        counts.update({key: n for key, n in capitalised.items() if key in names})
        headline = {POSSESSIVE.sub("", word.casefold()) for word in WORD.findall(title)}
        counts.update({key: HEADLINE_WEIGHT for key in headline if key in names})
    else:
        counts.update(word for word in WORD.findall(body) if len(word) >= MIN_CASELESS_WORD_CHARS)
        counts.update({word: HEADLINE_WEIGHT for word in WORD.findall(title) if len(word) >= MIN_CASELESS_WORD_CHARS})
    # Most mentioned first; Counter keeps first-seen order among equals, which is stable for a given text.
    return [key for key, n in counts.most_common() if n >= MIN_MENTIONS][:TOPIC_KEYS]
