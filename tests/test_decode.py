"""Decoding bytes: BOMs, declared charsets, UTF-8, single-byte fallback, binary detection."""

from __future__ import annotations

import codecs

import pytest

from indexer.article import Article, SkipDocument
from indexer.decode import decode, decode_bytes

TEXT = "Erbil – Kurdistan’s “capital” café"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_text_comes_back_whatever_the_encoding(raw, encoding):
    assert decode_bytes(raw) == (TEXT, encoding)


def test_declared_charset_wins_over_guessing():
    raw = '<html><head><meta charset="iso-8859-7"></head><body>Αθήνα</body></html>'.encode("iso-8859-7")
    text, encoding = decode_bytes(raw)
    assert "Αθήνα" in text and encoding == "iso8859-7"


def test_page_saved_as_utf8_under_an_old_declaration_is_read_as_utf8():
    # Saving tools re-encode a page to UTF-8 and keep its <meta charset>: trusting it would give "FÃ¼r".
    raw = '<html><head><meta charset="iso-8859-1"></head><body>Für Straße</body></html>'.encode()
    text, encoding = decode_bytes(raw)
    assert "Für Straße" in text and encoding == "utf-8"


def test_declared_single_byte_charset_still_reads_bytes_that_are_not_utf8():
    raw = '<html><head><meta charset="iso-8859-1"></head><body>Für Straße</body></html>'.encode("latin-1")
    text, encoding = decode_bytes(raw)
    assert "Für Straße" in text and encoding == "iso8859-1"


def test_bad_bytes_never_raise():
    text, _ = decode_bytes(b"caf\xe9 \x81\x8d\x8f\x90\x9d end")
    assert text.startswith("caf") and text.endswith("end")


def test_binary_is_skipped():
    with pytest.raises(SkipDocument, match="binary"):
        decode(Article(path="x.txt", raw=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20))


def test_html_saved_as_txt_is_read_as_html():
    article = decode(Article(path="x.txt", raw=b"<!DOCTYPE html><html><body><p>Hi</p></body></html>"))
    assert article.fmt == "html"


def test_line_endings_are_normalised():
    assert decode(Article(path="x.txt", raw=b"one\r\ntwo\rthree")).text == "one\ntwo\nthree"
