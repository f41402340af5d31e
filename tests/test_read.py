"""Listing a corpus and reading files: which files count, and clear reasons for unreadable ones."""

from __future__ import annotations

import os

import pytest

from indexer.article import SkipDocument
from indexer.read import iter_corpus, read_article


def test_corpus_listing_is_sorted_nested_and_ignores_sidecars_and_hidden(make_corpus):
    corpus = make_corpus(
        {
            "b.txt": "x",
            "a/z.html": "x",
            "a/y.htm": "x",
            "noext": "x",
            "img.png": "x",
            "a.meta.json": "{}",
            ".git/config": "x",
            ".hidden.txt": "x",
        }
    )
    assert list(iter_corpus(corpus)) == ["b.txt", "noext", "a/y.htm", "a/z.html"]


def test_html_suffix_sets_the_format(make_corpus):
    corpus = make_corpus({"page.HTML": "<p>x</p>", "dump.txt": "x"})
    assert read_article(corpus, "page.HTML").fmt == "html"
    assert read_article(corpus, "dump.txt").fmt == "text"


def test_missing_file_is_a_skip_not_a_crash(make_corpus):
    corpus = make_corpus({})
    with pytest.raises(SkipDocument, match="disappeared"):
        read_article(corpus, "gone.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_is_a_skip(make_corpus):
    corpus = make_corpus({"secret.txt": "x"})
    (corpus / "secret.txt").chmod(0)
    with pytest.raises(SkipDocument, match="permission denied"):
        read_article(corpus, "secret.txt")
