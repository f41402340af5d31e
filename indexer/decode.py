"""Turn a file's bytes into text: BOM, declared charset, UTF-8, then a single-byte fallback."""

from __future__ import annotations

import codecs
import re

from indexer.article import Article, SkipDocument

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# <meta charset="x"> or <meta http-equiv=Content-Type content="text/html; charset=x">
DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
FALLBACK_ENCODING = "cp1252"
HTML_START = re.compile(r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
# Share of control characters above which a "text" file is really binary.
MAX_CONTROL_SHARE = 0.01


def _declared_charset(raw: bytes) -> str | None:
    match = DECLARED_CHARSET.search(raw[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decode bytes to (text, encoding used); never raises on bad bytes."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace"), encoding
    declared = _declared_charset(raw)
    if declared and declared != "utf-8" and not raw.isascii():
        # Saved pages are often re-encoded to UTF-8 by the tool that saved them while the page still
        # declares its old charset; bytes that decode as UTF-8, multi-byte sequences and all, are almost
        # never text in another charset ("FÃ¼r" is what trusting the declaration would show).
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    if declared:
        try:
            return raw.decode(declared), declared
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode(FALLBACK_ENCODING), FALLBACK_ENCODING
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls > MAX_CONTROL_SHARE * max(len(sample), 1)


def decode(article: Article) -> Article:
    """Fill article.text and article.encoding; spot HTML saved without an .html suffix."""
    text, encoding = decode_bytes(article.raw)
    if _looks_binary(text):
        raise SkipDocument("binary data, not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SkipDocument("file has no text")
    if article.fmt == "text" and HTML_START.match(text):
        article.fmt = "html"
    article.text = text
    article.encoding = encoding
    return article
