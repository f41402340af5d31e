"""Text analysis per language: tokenizing that keeps combining marks, stemming, and orthographic folding.

Every language gets the same tokenizer and the same folding, so a word with or without accents
or Arabic vowel marks is one term. Languages Whoosh can stem are stemmed after the folding, so
"deportacion" typed without its accent stems like "deportación" (bench/multilingual.py measured
folding after stemming: unaccented queries then missed). Stop words are removed before folding,
since the stop lists are spelled with accents.
"""

from __future__ import annotations

import unicodedata

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import has_stemmer, has_stopwords, languages

# Word characters plus combining marks (Latin, Hebrew, Arabic, Indic) and the Arabic tatweel: the
# default \w+ pattern would split بَغْدَاد at each vowel mark.
_MARKS = "\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u0900-\u0dff"
TOKEN_PATTERN = rf"[\w{_MARKS}]+(?:\.?[\w{_MARKS}]+)*"
# Whoosh's Arabic stemmer strips far too much (الأمريكية -> امر): Arabic is folded, not stemmed.
UNSTEMMED = frozenset({"ar"})
STEMMED_LANGUAGES = tuple(code for code in languages if has_stemmer(code) and code not in UNSTEMMED)
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


class FoldFilter(Filter):
    """Apply fold() to each token (offsets stay those of the original text, so highlighting works)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            if token.text:
                yield token


def generic_analyzer():
    """Analyzer for languages without a stemmer (and undetermined ones): tokenize, lowercase, fold."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | FoldFilter()


def language_analyzer(code: str):
    """Analyzer for one language: its stop words, folding, then its stemmer when Whoosh has them."""
    if code not in STEMMED_LANGUAGES:
        return generic_analyzer()
    chain = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()
    if has_stopwords(code):
        chain = chain | StopFilter(lang=code)
    return chain | FoldFilter() | StemFilter(lang=code)
