"""Metadata of a saved HTML page, read from the untouched document: JSON-LD, meta tags, <time>, <html lang>.

Each field has a cascade of small `extract_x(...) -> (value, method) | None` functions tried in order,
the most explicit markup first (JSON-LD, then meta tags, then visible markup).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bs4 import Tag

from indexer import dates
from indexer.html_content import HtmlElement, attribute_tokens, leading_text, text_of
from indexer.phrases import load_phrase_rules

RULES = json.loads((Path(__file__).parent / "rules" / "html.json").read_text(encoding="utf-8"))
ARTICLE_TYPES = {name.lower() for name in RULES["jsonld_article_types"]}
PUBLISHER_TYPES = {name.lower() for name in RULES["jsonld_publisher_types"]}
# The byline words of the phrase rules (indexer/rules/phrases/*.json), shared with the text-dump extractor.
BYLINE_PREFIXES = load_phrase_rules()["byline_prefixes"]
BYLINE_PREFIX = re.compile(
    r"^\s*(?:"
    + "|".join(re.escape(p.rstrip(": ")) for p in sorted(BYLINE_PREFIXES, key=len, reverse=True))
    + r")\s*[:\-]?\s+",
    re.IGNORECASE,
)
AUTHOR_SPLIT = re.compile("|".join(re.escape(sep) for sep in RULES["author_separators"]), re.IGNORECASE)
BYLINE_WORDS = {prefix.casefold().rstrip(": ") for prefix in BYLINE_PREFIXES}
URL_LIKE = re.compile(r"^\s*(?:https?://|www\.|@)\S*\s*$", re.IGNORECASE)
PARENTHESES = re.compile(r"\([^)]*\)?")
# Form markers and mail/URL signs do not occur in people's or desks' names.
NOT_IN_NAMES = re.compile(r"[*@#/\\=<>{}\[\]|]")
URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]([01]?\d)[/-]([0-3]?\d)(?:/|[-_.]|$)")
LANGUAGE_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")
TITLE_SEPARATORS = re.compile(r"(\s+[|\-–—·:»«/]\s+)")
WHITESPACE = re.compile(r"\s+")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Names longer than this are sentences (a bio, a caption), not a byline.
MAX_AUTHOR_WORDS = 6
MAX_AUTHOR_CHARS = 80
# Byline elements read at most; a page listing more is showing teasers of other stories.
MAX_BYLINES = 5
MAX_BYLINE_CHARS = 120
MAX_DATE_ELEMENTS = 10
MAX_DATE_TEXT_CHARS = 100
# JSON-LD from CMS templates sometimes carries trailing commas, which json.loads rejects.
TRAILING_COMMA = re.compile(r",\s*([}\]])")


@dataclass
class PageMetadata:
    """Everything read from the page markup before any cleaning, with how each field was found."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: dt.date | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    article_body: str | None = None  # JSON-LD articleBody, a hint for finding the content
    methods: dict[str, str] = field(default_factory=dict)


def clean_space(text: str | None) -> str:
    """Collapse runs of whitespace to one space, drop zero-width characters, and trim."""
    return WHITESPACE.sub(" ", (text or "").translate(ZERO_WIDTH)).strip()


# ---------------------------------------------------------------- collecting raw markup

INDEXED_TAGS = frozenset(RULES["metadata_tags"])
BYLINE_TOKENS = frozenset(RULES["byline_tokens"])
DATE_TOKENS = frozenset(RULES["date_tokens"])
ARTICLE_SCOPE = frozenset({"article", "main"})


@dataclass
class PageIndex:
    """The tags metadata is read from, gathered in one pass over the tree (each find_all is a full scan)."""

    tags: dict[str, list[HtmlElement]] = field(default_factory=dict)
    bylines: list[HtmlElement] = field(default_factory=list)  # rel/itemprop=author, byline/author class or id
    date_published: list[HtmlElement] = field(default_factory=list)  # itemprop=datePublished
    date_texts: list[HtmlElement] = field(default_factory=list)  # elements whose class/id says date or time

    def all(self, name: str) -> list[HtmlElement]:
        """Every indexed tag of this name, in document order."""
        return self.tags.get(name, [])


def index_page(root: HtmlElement) -> PageIndex:
    """Collect metadata-bearing tags in a single walk over the document."""
    index = PageIndex()
    for node in root.descendants:
        if type(node) is not Tag:
            continue  # text, comments and processing instructions
        name = node.name
        if name in INDEXED_TAGS:
            index.tags.setdefault(name, []).append(node)
        attrs = node.attrs
        itemprop = attrs.get("itemprop")
        if itemprop == "datePublished":
            index.date_published.append(node)
        rel = attrs.get("rel")
        if itemprop == "author" or (rel and "author" in rel.lower().split()):
            index.bylines.append(node)
            continue
        # Class and id tokens are cached per distinct string, so this costs a lookup for most tags.
        tokens = attribute_tokens(node)
        if tokens & BYLINE_TOKENS:
            index.bylines.append(node)
        elif tokens & DATE_TOKENS:
            index.date_texts.append(node)
    return index


def _in_article(tag: HtmlElement) -> bool:
    parent = tag.parent
    while parent is not None:
        if parent.name in ARTICLE_SCOPE:
            return True
        parent = parent.parent
    return False


def meta_values(index: PageIndex) -> dict[str, list[str]]:
    """Map each lower-cased meta name/property/itemprop/http-equiv to its non-empty contents, in order."""
    values: dict[str, list[str]] = {}
    for meta in index.all("meta"):
        content = meta.get("content")
        if not content or not isinstance(content, str) or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if isinstance(key, str) and key.strip():
                values.setdefault(key.strip().lower(), []).append(content.strip())
    return values


def _load_json(text: str) -> Any:
    text = text.strip()
    # Some CMSs wrap the JSON in an HTML comment or CDATA marker.
    for junk in ("<!--", "-->", "<![CDATA[", "]]>"):
        text = text.replace(junk, "")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        try:
            return json.loads(TRAILING_COMMA.sub(r"\1", text), strict=False)
        except ValueError:
            return None


def _types(item: dict) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1].lower() for k in kinds if isinstance(k, str)}


def jsonld_items(index: PageIndex) -> list[dict]:
    """Return the top-level JSON-LD objects of the page, @graph lists and mainEntity flattened in."""
    items: list[dict] = []

    def add(data: Any) -> None:
        if isinstance(data, list):
            for entry in data:
                add(entry)
        elif isinstance(data, dict):
            items.append(data)
            add(data.get("@graph"))
            main = data.get("mainEntity")
            if isinstance(main, dict) and _types(main) & ARTICLE_TYPES:
                add(main)

    for script in index.all("script"):
        kind = script.get("type")
        if isinstance(kind, str) and "ld+json" in kind.lower():
            add(_load_json(leading_text(script)))
    return items


def _article_items(items: list[dict]) -> list[dict]:
    articles = [item for item in items if _types(item) & ARTICLE_TYPES]
    # A VideoObject is a fallback only: an embedded clip must not outrank the story itself.
    articles.sort(key=lambda item: "videoobject" in _types(item))
    return articles


def _names(value: Any) -> list[str]:
    """Names in a JSON-LD person/organisation value: a string, a dict with "name", or a list of them."""
    if isinstance(value, str):
        return [html.unescape(value)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            return [html.unescape(n) for n in name if isinstance(n, str)]
        if isinstance(name, dict):
            return _names(name)
        return [html.unescape(name)] if isinstance(name, str) else []
    if isinstance(value, list):
        return [name for entry in value for name in _names(entry)]
    return []


def _first_string(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for entry in value:
            found = _first_string(entry)
            if found:
                return found
    if isinstance(value, dict):
        return _first_string(value.get("@value") or value.get("name") or value.get("@id") or value.get("url"))
    return None


# ---------------------------------------------------------------- title


def extract_title_jsonld(articles: list[dict]) -> str | None:
    """Headline of the first JSON-LD article object."""
    for item in articles:
        # CMSs often put HTML-escaped text into JSON-LD ("&#8216;").
        headline = clean_space(html.unescape(_first_string(item.get("headline") or item.get("name")) or ""))
        if headline:
            return headline
    return None


def extract_title_meta(meta: dict[str, list[str]]) -> str | None:
    """First title-like meta tag (og:title, twitter:title, dc.title...)."""
    for key in RULES["meta_title"]:
        if key in meta:
            return clean_space(meta[key][0])
    return None


def extract_h1(index: PageIndex) -> str | None:
    """Text of the first non-empty <h1>, preferring one inside <article> or <main>."""
    headings = [text for text in (clean_space(text_of(h1, " ")) for h1 in index.all("h1")) if text]
    if len(headings) > 1:
        inside = [clean_space(text_of(h1, " ")) for h1 in index.all("h1") if _in_article(h1)]
        headings = [text for text in inside if text] or headings
    return headings[0] if headings else None


def extract_html_title(index: PageIndex) -> str | None:
    """The <title> element's text."""
    titles = index.all("title")
    return clean_space(text_of(titles[0])) if titles else None


def _is_site_name(piece: str, site: str | None) -> bool:
    piece_key = piece.casefold().strip()
    if site and (piece_key in site.casefold() or site.casefold() in piece_key):
        return True
    # Without a declared site name, a short piece with a domain-like dot is the outlet ("ORF.at").
    return "." in piece_key and " " not in piece_key


def _strip_site_suffix(title: str, site: str | None) -> str:
    """Drop the outlet's name from the ends of a <title>/og:title ("Story - Outlet")."""
    pieces = TITLE_SEPARATORS.split(title)  # text, separator, text, separator, ...
    if len(pieces) < 3:
        return title
    texts, separators = pieces[0::2], pieces[1::2]
    while len(texts) > 1 and _is_site_name(texts[-1], site):
        texts.pop()
        separators.pop()
    while len(texts) > 1 and _is_site_name(texts[0], site):
        texts.pop(0)
        separators.pop(0)
    if len(texts) == len(pieces[0::2]) and len(texts) == 2:
        # Nothing named the site: the short end piece is most likely it.
        first, last = texts
        if len(last.split()) <= 3 < len(first.split()):
            texts = [first]
        elif len(first.split()) <= 3 < len(last.split()):
            texts = [last]
            separators = []
    joined = texts[0]
    for separator, text in zip(separators, texts[1:], strict=False):
        joined += separator + text
    return joined


def _title_key(title: str) -> str:
    return clean_space(title).casefold().strip(" .\"'“”«»‘’")


def choose_title(
    index: PageIndex, articles: list[dict], meta: dict[str, list[str]], site: str | None
) -> tuple[str, str] | None:
    """Pick the headline most of the page's declarations agree on; ties go to JSON-LD, og:title, title, h1."""
    candidates = []  # (title, method) in order of trust
    for title, method in (
        (extract_title_jsonld(articles), "json-ld"),
        (extract_title_meta(meta), "meta"),
        (extract_html_title(index), "html-title"),
        (extract_h1(index), "h1"),
    ):
        if title:
            if method in ("meta", "html-title"):
                title = _strip_site_suffix(title, site)
            candidates.append((title, method))
    if not candidates:
        return None
    votes: dict[str, int] = {}
    for title, _ in candidates:
        votes[_title_key(title)] = votes.get(_title_key(title), 0) + 1
    return max(candidates, key=lambda candidate: votes[_title_key(candidate[0])])


# ---------------------------------------------------------------- authors


def split_authors(text: str, visible: bool = False) -> list[str]:
    """Split a byline string ("By Jane Doe and John Roe") into names; drop what cannot be a name.

    Visible bylines also carry dates and counters, so there a name with a digit is rejected; declared
    metadata may name a desk like "BR24 Redaktion".
    """
    text = clean_space(text)
    if URL_LIKE.match(text):
        return []  # a profile link (article:author often is one), not a name
    text = PARENTHESES.sub(" ", text)  # "Jane Doe (jd)", "(dpa)": initials and credits, not names
    names = []
    for part in AUTHOR_SPLIT.split(BYLINE_PREFIX.sub("", text)):
        name = BYLINE_PREFIX.sub("", clean_space(part)).strip(" .:-–—()")
        if not name or name.casefold() in BYLINE_WORDS or NOT_IN_NAMES.search(name):
            continue
        if visible and any(ch.isdigit() for ch in name):
            continue
        if len(name) > MAX_AUTHOR_CHARS or len(name.split()) > MAX_AUTHOR_WORDS:
            continue
        if name not in names:
            names.append(name)
    return names


def _unique(names: list[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        name = clean_space(name)
        if name and name.casefold() not in {s.casefold() for s in seen}:
            seen.append(name)
    return seen


def extract_authors_jsonld(articles: list[dict]) -> list[str] | None:
    """Author names of the first JSON-LD article object that has any."""
    for item in articles:
        names = [n for raw in _names(item.get("author") or item.get("creator")) for n in split_authors(raw)]
        if names:
            return _unique(names)
    return None


def extract_authors_meta(meta: dict[str, list[str]]) -> list[str] | None:
    """Authors from author-like meta tags; profile URLs (article:author often is one) are skipped."""
    for key in RULES["meta_author"]:
        names = [n for raw in meta.get(key, []) for n in split_authors(raw)]
        if names:
            return _unique(names)
    return None


def extract_authors_byline(index: PageIndex) -> list[str] | None:
    """Authors from visible byline markup: rel=author links, itemprop=author, byline/author classes."""
    candidates = [tag for tag in index.bylines if _in_article(tag)] or index.bylines
    names = []
    for tag in candidates[:MAX_BYLINES]:
        text = clean_space(text_of(tag, " "))
        if len(text) <= MAX_BYLINE_CHARS:  # longer is an author bio box, not a byline
            names += split_authors(text, visible=True)
    return _unique(names) or None


# ---------------------------------------------------------------- date


def _date_of(value: str | None) -> dt.date | None:
    """The date in a machine-written value (ISO 8601 first, then written-out forms like "05.04.2025")."""
    if not value:
        return None
    day = dates.parse_iso_date(value) or dates.parse_date(value)
    return day if day and dates.plausible(day) else None


def extract_date_jsonld(articles: list[dict]) -> dt.date | None:
    """The datePublished (else dateCreated) of the JSON-LD article objects."""
    for key in ("datePublished", "dateCreated", "uploadDate"):
        for item in articles:
            day = _date_of(_first_string(item.get(key)))
            if day:
                return day
    return None


def extract_date_meta(meta: dict[str, list[str]]) -> dt.date | None:
    """Publication date from date-like meta tags, published before modified."""
    for key in RULES["meta_date"]:
        for value in meta.get(key, []):
            day = _date_of(value)
            if day:
                return day
    return None


def extract_date_time_element(index: PageIndex) -> dt.date | None:
    """The datetime of itemprop=datePublished or of a <time> element, the one inside <article> first."""
    times = index.all("time")
    candidates = index.date_published + [t for t in times if _in_article(t)] + times
    for tag in candidates:
        day = _date_of(tag.get("datetime") or tag.get("content"))
        if day:
            return day
    return None


def extract_date_text(index: PageIndex) -> dt.date | None:
    """A date in the visible text of a date-like element (class "date", "published"...), <article> first."""
    candidates = [tag for tag in index.date_texts if _in_article(tag)] + index.date_texts
    for tag in candidates[:MAX_DATE_ELEMENTS]:
        text = clean_space(text_of(tag, " "))
        if text and len(text) <= MAX_DATE_TEXT_CHARS:
            day = dates.parse_date(text)
            if day and dates.plausible(day):
                return day
    return None


def extract_date_url(url: str | None) -> dt.date | None:
    """A /2024/11/05/ style date in the page URL."""
    match = URL_DATE.search(url or "")
    return dates.make_date(*(int(part) for part in match.groups())) if match else None


# ---------------------------------------------------------------- source, url, language


def extract_source(articles: list[dict], items: list[dict], meta: dict[str, list[str]]) -> tuple[str, str] | None:
    """The outlet's name: og:site_name, JSON-LD publisher, a JSON-LD WebSite/Organization, app name."""
    if "og:site_name" in meta:
        return clean_space(meta["og:site_name"][0]), "meta"
    for item in articles:
        names = _names(item.get("publisher"))
        if names and clean_space(names[0]):
            return clean_space(names[0]), "json-ld"
    for item in items:
        if _types(item) & PUBLISHER_TYPES:
            names = _names(item)
            if names and clean_space(names[0]):
                return clean_space(names[0]), "json-ld"
    for key in RULES["meta_site"][1:]:
        if key in meta and len(meta[key][0]) <= MAX_AUTHOR_CHARS:
            return clean_space(meta[key][0]), "meta"
    return None


def extract_url(index: PageIndex, articles: list[dict], meta: dict[str, list[str]]) -> str | None:
    """Canonical URL: <link rel=canonical>, og:url, JSON-LD url / mainEntityOfPage."""
    for link in index.all("link"):
        rel, href = link.get("rel"), link.get("href")
        if rel and "canonical" in rel.lower().split() and href and href.startswith("http"):
            return href.strip()
    if "og:url" in meta and meta["og:url"][0].startswith("http"):
        return meta["og:url"][0]
    for item in articles:
        for key in ("url", "mainEntityOfPage"):
            value = _first_string(item.get(key))
            if value and value.startswith("http"):
                return value
    return None


def _primary_subtag(value: Any) -> str | None:
    match = LANGUAGE_TAG.match(value) if isinstance(value, str) else None
    return match.group(1).lower() if match else None


def extract_language(index: PageIndex, articles: list[dict], meta: dict[str, list[str]]) -> str | None:
    """Declared language: <html lang>, content-language meta, JSON-LD inLanguage, og:locale."""
    for root in index.all("html")[:1]:
        for attr in ("lang", "xml:lang"):
            code = _primary_subtag(root.get(attr))
            if code:
                return code
    for key in RULES["meta_language"][:-1]:
        for value in meta.get(key, []):
            code = _primary_subtag(value.split(",")[0])
            if code:
                return code
    for item in articles:
        code = _primary_subtag(_first_string(item.get("inLanguage")))
        if code:
            return code
    for value in meta.get("og:locale", []):
        code = _primary_subtag(value)
        if code:
            return code
    return None


# ---------------------------------------------------------------- all together


def read_metadata(root: HtmlElement) -> PageMetadata:
    """Read every metadata field from an untouched parsed page."""
    index = index_page(root)
    meta = meta_values(index)
    items = jsonld_items(index)
    articles = _article_items(items)
    found = PageMetadata()

    source = extract_source(articles, items, meta)
    if source:
        found.source, found.methods["source"] = source
    title = choose_title(index, articles, meta, found.source)
    if title:
        found.title, found.methods["title"] = title

    found.url = extract_url(index, articles, meta)
    for method, extractor in (
        ("json-ld", lambda: extract_authors_jsonld(articles)),
        ("meta", lambda: extract_authors_meta(meta)),
        ("byline", lambda: extract_authors_byline(index)),
    ):
        authors = extractor()
        if authors:
            found.authors, found.methods["authors"] = authors, method
            break

    for method, extractor in (
        ("json-ld", lambda: extract_date_jsonld(articles)),
        ("meta", lambda: extract_date_meta(meta)),
        ("time", lambda: extract_date_time_element(index)),
        ("text", lambda: extract_date_text(index)),
        ("url", lambda: extract_date_url(found.url)),
    ):
        day = extractor()
        if day:
            found.date, found.methods["date"] = day, method
            break

    found.language = extract_language(index, articles, meta)
    if found.language:
        found.methods["declared_language"] = "markup"
    for item in articles:
        body = item.get("articleBody")
        if isinstance(body, str) and body.strip():
            found.article_body = body
            break
    return found
