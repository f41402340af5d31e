"""The one record type that flows through the indexer, and the one way to reject a file."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field


class SkipDocument(Exception):
    """Raised by any indexer step to reject a file; the message is the reason shown to users."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Article:
    """One saved news file on its way to becoming an index document.

    Each step of the pipeline fills in its own fields:
    read (path, raw) -> decode (text, fmt) -> strip (body) -> metadata -> language.
    """

    path: str  # corpus-relative path with forward slashes; the article id derives from it
    raw: bytes = b""
    fmt: str = "text"  # "text" or "html"
    text: str = ""  # decoded file contents
    encoding: str = ""
    title: str = ""
    body: str = ""  # clean article text, paragraphs separated by a blank line
    authors: list[str] = field(default_factory=list)
    date: dt.date | None = None
    source: str | None = None  # the outlet, e.g. "Rudaw"
    url: str | None = None
    dateline: str | None = None  # place the story was filed from, e.g. "Erbil"
    agency: str | None = None  # wire agency credited, e.g. "AFP"
    language: str = "und"
    language_confidence: float = 0.0
    declared_language: str | None = None  # what the page itself says (html lang, meta)
    # How each metadata field was found, e.g. {"date": "json-ld", "title": "first-line"}.
    methods: dict[str, str] = field(default_factory=dict)

    def metadata(self) -> dict:
        """Return the JSON-friendly metadata and body (no raw bytes, no source text)."""
        data = asdict(self)
        for key in ("raw", "text", "encoding"):
            data.pop(key)
        data["date"] = self.date.isoformat() if self.date else None
        return data
