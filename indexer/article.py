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
    read (path, raw, sidecar) -> decode (text, fmt) -> strip (body) -> metadata -> sidecar -> language.
    """

    path: str  # corpus-relative path with forward slashes; the article id derives from it
    raw: bytes = b""
    fmt: str = "text"  # "text" or "html"
    sidecar: bytes = b""  # contents of the file's .meta.json sidecar, if it has one
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
    detected_language: str | None = None  # what detection said, kept beside the one chosen
    # How each metadata field was found, e.g. {"date": "json-ld", "title": "first-line"}.
    methods: dict[str, str] = field(default_factory=dict)
    # Only for a record of a web archive (WARC): when it was captured (WARC-Date, ISO 8601, not the
    # publication date) and its WARC-Record-ID, which tells the articles of one WARC file apart.
    captured: str | None = None
    warc_record: str | None = None
    # Problems that did not reject the file (e.g. an invalid sidecar), reported in the run's summary.
    warnings: list[str] = field(default_factory=list)

    def metadata(self) -> dict:
        """Return the JSON-friendly metadata and body (no raw bytes, no source text)."""
        data = asdict(self)
        for key in ("raw", "sidecar", "text", "encoding", "warnings"):
            data.pop(key)
        data["date"] = self.date.isoformat() if self.date else None
        return data
