"""The Whoosh index schema: field names, analyzers, and which index field each query field and facet reads."""

from __future__ import annotations

from whoosh import scoring
from whoosh.analysis import IDAnalyzer, StandardAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search.backends.whoosh.analysis import STEMMED_LANGUAGES, language_analyzer
from search.fields import MONTH_FACET, MULTI_VALUED_FACETS, ROLE_COPY, ROLE_VERSION, TITLE_WEIGHT

# Field names, used everywhere instead of string literals.
ID_FIELD = "id"
PATH = "path"
CONTENT_HASH = "content_hash"
TITLE = "title"
BODY = "body"  # stored only: words are searched in CONTENT
# Title (TITLE_WEIGHT times) and body, in the field of the article's language: plain words are
# searched there. Languages Whoosh can stem have a field each; all others share CONTENT.
CONTENT = "content"
LANGUAGE_CONTENT = {code: f"content_{code}" for code in STEMMED_LANGUAGES}
CONTENT_FIELDS = (CONTENT, *LANGUAGE_CONTENT.values())
AUTHORS = "authors"
SOURCE = "source"
DATELINE = "dateline"
LANGUAGE = "language"
DATE = "date"
YEAR = "year"
MONTH = "month"
AUTHOR_FACET = "author_facet"
SOURCE_FACET = "source_facet"
RECORD = "record"  # the whole article metadata as JSON, for the article page and API
HAS_DATE = "has_date"  # 1 when the date is known: undated articles sort after dated ones
HAS_AUTHOR = "has_author"  # 1 when an author is known (a column, for the ingest report)
BODY_HASH = "body_hash"  # hash of headline and clean text: identical copies share it
SPELL = "spell"  # title and body words, unstemmed, in one field: the source of spelling suggestions
# Duplicates. An exact copy (same clean text as an indexed article) is kept as a small "copy" document
# that records its file and is never searched; near-duplicates (a lightly edited wire story) are full
# articles that share a CLUSTER id: the id of the first article of the cluster that was indexed.
CLUSTER = "cluster"
ROLE = "role"  # ROLE_COPY, ROLE_VERSION (joined an earlier article's cluster), or absent
NEAR_KEYS = "near_keys"  # near-duplicate band keys (indexer.fingerprint), looked up when indexing
# The names an article is most about (indexer.topics); search.similar says which articles are similar.
TOPIC_KEYS = "topic_keys"

# Bump when fields or analyzers change, or the modules analyzers live in (Whoosh pickles them into the
# index): an index built with another version is rebuilt in full. 9: analysis moved into this package.
SCHEMA_VERSION = 9

# The title is the strongest signal of what an article is about. Its words are written into CONTENT
# TITLE_WEIGHT times: that is BM25F's field weight (term frequencies added before saturation), which
# bench/relevance.py found better than scoring a title field and a body field separately.

# BM25F parameters (Whoosh's defaults; bench/relevance.py compares alternatives on a judged collection).
BM25_B = 0.75
BM25_K1 = 1.2

# Query-language field names users type (`author:wali`, search.fields.QUERY_FIELDS) -> index field searched.
QUERY_FIELDS = {
    "title": TITLE,
    "author": AUTHORS,
    "source": SOURCE,
    "language": LANGUAGE,
    "dateline": DATELINE,
    "date": DATE,
}
# Fields a plain word is looked up in, with their weights.
DEFAULT_SEARCH_FIELDS = dict.fromkeys(CONTENT_FIELDS, 1.0)
# Facet name (search.fields.FACETS) -> index field holding one exact value per article (or several, comma-separated).
FACET_FIELDS = {
    "source": SOURCE_FACET,
    "language": LANGUAGE,
    "author": AUTHOR_FACET,
    "year": YEAR,
}
# Separator for multi-valued keyword fields; names never contain it after cleaning.
KEYWORD_SEPARATOR = ","


def weighting() -> scoring.BM25F:
    """Return the ranking function searchers use."""
    return scoring.BM25F(B=BM25_B, K1=BM25_K1)


def content_field(language: str | None) -> str:
    """Return the field an article in this language is searched in."""
    return LANGUAGE_CONTENT.get((language or "").lower(), CONTENT)


def build_schema() -> Schema:
    """Return a fresh Whoosh schema for the archive index."""
    # Titles are searched with `title:`; most of the archive is English, so English stemming.
    title_analyzer = language_analyzer("en")
    return Schema(
        **{
            ID_FIELD: ID(stored=True, unique=True),
            # Columns too: each reindex reads every file's path and hash without loading stored articles.
            PATH: ID(stored=True, sortable=True),
            CONTENT_HASH: ID(stored=True, sortable=True),
            # A hyphenated or dotted word ("Iran-backed") is searched as a phrase, not as two loose words.
            TITLE: TEXT(stored=True, analyzer=title_analyzer, multitoken_query="phrase"),
            **{
                field: TEXT(analyzer=language_analyzer(code), multitoken_query="phrase")
                for code, field in [("und", CONTENT), *LANGUAGE_CONTENT.items()]
            },
            BODY: STORED(),
            AUTHORS: TEXT(stored=True),
            SOURCE: TEXT(stored=True),
            DATELINE: TEXT(stored=True),
            LANGUAGE: ID(stored=True, sortable=True, analyzer=IDAnalyzer(lowercase=True)),
            DATE: DATETIME(stored=True, sortable=True),
            YEAR: ID(sortable=True),
            MONTH: ID(sortable=True),
            AUTHOR_FACET: KEYWORD(commas=True, lowercase=False, scorable=False),
            SOURCE_FACET: ID(sortable=True),
            HAS_DATE: NUMERIC(sortable=True),
            HAS_AUTHOR: NUMERIC(sortable=True),
            BODY_HASH: ID(stored=True, sortable=True),
            CLUSTER: ID(stored=True, sortable=True),
            ROLE: ID(stored=True),
            NEAR_KEYS: KEYWORD(lowercase=False, scorable=False),
            TOPIC_KEYS: KEYWORD(lowercase=False, scorable=False),
            # No positions: suggestions only need which words exist and how often.
            SPELL: TEXT(analyzer=StandardAnalyzer(stoplist=None, minsize=3), phrase=False),
            RECORD: STORED(),
        }
    )


__all__ = ["MONTH_FACET", "MULTI_VALUED_FACETS", "ROLE_COPY", "ROLE_VERSION", "TITLE_WEIGHT"]
