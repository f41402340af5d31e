"""Apply an article's sidecar (article.meta.json): metadata its saver stated, which wins over extraction."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from indexer.article import Article

METHOD = "sidecar"
# A language is given as a BCP 47 tag ("en", "pt-BR"); the index keeps its primary subtag, like extraction does.
LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
DATE_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidSidecar(ValueError):
    """The sidecar cannot be used; the message says why (shown to users as a warning)."""


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidSidecar(f'"{key}" must be a non-empty string, not {json.dumps(value)[:60]}')
    return value.strip()


def _published(key: str, value: Any) -> dt.date:
    text = _text(key, value)
    if not DATE_FORMAT.match(text):
        raise InvalidSidecar(f'"{key}" must be a date written YYYY-MM-DD, not "{text[:40]}"')
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidSidecar(f'"{key}" is not a real date: "{text}"') from None


def _authors(key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise InvalidSidecar(f'"{key}" must be a list of names (strings), not {json.dumps(value)[:60]}')
    return [name.strip() for name in value if name.strip()]


def _language(key: str, value: Any) -> str:
    text = _text(key, value)
    match = LANGUAGE_TAG.match(text)
    if not match:
        raise InvalidSidecar(f'"{key}" must be a language code such as "en" or "pt-BR", not "{text[:40]}"')
    return match.group(1).lower()


# Sidecar key -> (Article attribute it sets, how the value is checked and converted).
FIELDS: dict[str, tuple[str, Callable[[str, Any], Any]]] = {
    "url": ("url", _text),
    "source": ("source", _text),
    "published": ("date", _published),
    "authors": ("authors", _authors),
    "language": ("language", _language),
}


def parse_sidecar(raw: bytes) -> tuple[dict[str, Any], list[str]]:
    """Return ({Article attribute: value} a sidecar states, its unknown keys), or raise InvalidSidecar.

    A key set to null counts as not given.
    """
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidSidecar("is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InvalidSidecar(f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InvalidSidecar(f"must be a JSON object, not {type(data).__name__}")
    stated = {
        attribute: convert(key, data[key]) for key, (attribute, convert) in FIELDS.items() if data.get(key) is not None
    }
    return stated, sorted(set(data) - set(FIELDS))


def apply_sidecar(article: Article, sidecar_name: str = "sidecar") -> Article:
    """Override the extracted metadata with the article's sidecar; an invalid one only adds a warning."""
    if not article.sidecar:
        return article
    try:
        stated, unknown = parse_sidecar(article.sidecar)
    except InvalidSidecar as exc:
        article.warnings.append(f"{sidecar_name} {exc}; extracted metadata kept")
        return article
    if unknown:
        # Usually a misspelling ("author" for "authors") whose metadata would otherwise be lost silently.
        article.warnings.append(
            f"{sidecar_name} has unknown key(s) {', '.join(unknown)}, ignored (known: {', '.join(FIELDS)})"
        )
    for attribute, value in stated.items():
        setattr(article, attribute, value)
        article.methods[attribute] = METHOD
    if "language" in stated:
        # The saver knows; detection's own confidence no longer describes the value.
        article.language_confidence = 1.0
    return article
