"""Whoosh analyzers per language: search.text's tokenizing and folding, then stop words and stemming.

Every language gets the same tokenizer and the same folding, so a word with or without accents
or Arabic vowel marks is one term. Languages Whoosh can stem are stemmed after the folding, so
"deportacion" typed without its accent stems like "deportación" (bench/multilingual.py measured
folding after stemming: unaccented queries then missed). Stop words are removed before folding,
since the stop lists are spelled with accents.
"""

from __future__ import annotations

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import has_stemmer, has_stopwords, languages

from search.text import TOKEN_PATTERN, fold

# Whoosh's Arabic stemmer strips far too much (الأمريكية -> امر): Arabic is folded, not stemmed.
UNSTEMMED = frozenset({"ar"})
STEMMED_LANGUAGES = tuple(code for code in languages if has_stemmer(code) and code not in UNSTEMMED)


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
