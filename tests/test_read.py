"""Listing a corpus and reading files: which files count, and clear reasons for unreadable ones."""

from __future__ import annotations

import os

import pytest

from indexer.article import SkipDocument
from indexer.read import file_format, iter_corpus, read_article, sidecar_path


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


def test_symlinked_folders_are_not_entered_and_linked_files_are_listed(make_corpus, tmp_path):
    corpus = make_corpus({"a/x.txt": "x", "b.txt": "x"})
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "y.txt").write_text("x")
    (corpus / "linked").symlink_to(outside, target_is_directory=True)
    (corpus / "link.txt").symlink_to(corpus / "b.txt")
    assert list(iter_corpus(corpus)) == ["b.txt", "link.txt", "a/x.txt"]
    assert list(iter_corpus(tmp_path / "missing")) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.txt", "text"),
        ("notes", "text"),
        ("notes.", "text"),
        ("v1.2.TXT", "text"),
        ("page.HTM", "html"),
        ("a.b.html", "html"),
        ("crawl.WARC.gz", "warc"),
        ("crawl.warc", "warc"),
        ("x.tar.gz", None),
        ("img.png", None),
        ("a.meta.json", None),
        (".hidden.txt", None),
    ],
)
def test_file_format_by_name(name, expected):
    assert file_format(name) == expected


def test_sidecar_path_replaces_the_last_suffix():
    assert sidecar_path("a/b/story.html") == "a/b/story.meta.json"
    assert sidecar_path("v1.2.txt") == "v1.2.meta.json"
    assert sidecar_path("notes") == "notes.meta.json"


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
