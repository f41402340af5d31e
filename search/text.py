"""Engine-neutral text normalisation: the tokenizer and folding every search engine and the query reader share.

A word typed with or without accents or Arabic vowel marks must be one term in every engine,
and the query language must read a query back ("read as ...") without asking an engine how
it analyses text. So the pieces that do not depend on Whoosh live here: the token pattern,
the folding of accents, marks, Arabic letter variants and digits, and `tokens()`, which is
what an unstemmed, stop-word-free field makes of a text (search/backends/whoosh/analysis.py builds the
Whoosh analyzers from the same pieces).
"""

from __future__ import annotations

import re
import unicodedata

# Word characters plus combining marks (Latin, Hebrew, Arabic, Indic) and the Arabic tatweel: the
# default \w+ pattern would split بَغْدَاد at each vowel mark.
_MARKS = "\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u0900-\u0dff"
TOKEN_PATTERN = rf"[\w{_MARKS}]+(?:\.?[\w{_MARKS}]+)*"
_TOKEN = re.compile(TOKEN_PATTERN)
# Letters written several ways in Arabic-script text, mapped to one form (after marks are removed).
ARABIC_LETTER_FORMS = str.maketrans(
    {
        "\u0622": "\u0627",  # alef with madda -> alef
        "\u0623": "\u0627",  # alef with hamza above
        "\u0625": "\u0627",  # alef with hamza below
        "\u0671": "\u0627",  # alef wasla
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u06cc": "\u064a",  # Persian yeh
        "\u06c0": "\u0647",  # heh with yeh above
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u06a9": "\u0643",  # keheh (Persian kaf) -> kaf
        "\u0640": None,  # tatweel
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)


def _fold_char(char: str) -> str:
    # Cyrillic й is a letter of its own, not и with a mark; the Russian stemmer needs it.
    if "\u0400" <= char <= "\u04ff":
        return char
    return "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))


def fold(text: str) -> str:
    """Fold a token: drop accents and vowel marks, unify Arabic letter forms and digits."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", "".join(map(_fold_char, text))).translate(ARABIC_LETTER_FORMS)


def tokens(text: str) -> list[str]:
    """Return the words of a text as an unstemmed field indexes them: split, lower-cased, folded.

    Tokens that fold to nothing (a lone combining mark) are dropped, as the analyzers drop them.
    """
    folded = (fold(match.group().lower()) for match in _TOKEN.finditer(text))
    return [token for token in folded if token]
