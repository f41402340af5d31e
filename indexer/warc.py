"""Read the HTML pages a web archive (.warc, .warc.gz) captured: one Article per HTML response record.

A WARC file is read in parts of RECORDS_PER_PART pages, each starting at the byte offset where the
previous one stopped, so a multi-gigabyte archive never sits in memory and shows progress. Damage (a
truncated gzip member, a record cut short, bytes that are not WARC) ends the reading of the file
and is described precisely; the pages read before it are kept.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.statusandheaders import StatusAndHeadersParserException

from indexer.article import Article
from indexer.read import DEFAULT_MAX_FILE_BYTES, regular_file_size, unreadable

# Records that carry a captured page: "response" (crawlers) and "resource" (e.g. browser-based capture tools).
PAGE_RECORD_TYPES = frozenset({"response", "resource"})
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Bounds memory (pages held by one worker task) and gives progress within one big archive.
RECORDS_PER_PART = 64
# Exceptions warcio raises on input that is not (or no longer) WARC. (It also raises AttributeError when
# a record's header block is cut short, as it reads None as a header line: caught on its own.)
WARC_READ_ERRORS = (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, ValueError)


def media_type(content_type: str | None) -> str:
    """Return the bare media type of a Content-Type header ("text/html; charset=x" -> "text/html")."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _page_media_type(record) -> str | None:
    """Return the media type of a record's captured page, or None when the record is not a successful capture."""
    if record.rec_type not in PAGE_RECORD_TYPES:
        return None
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode() or ""
        # Redirects, errors and "not modified" replies are not articles.
        if not status.startswith("2"):
            return None
        return media_type(record.http_headers.get_header("Content-Type"))
    return media_type(record.rec_headers.get_header("Content-Type"))


class WarcReader:
    """Iterate the HTML pages of one WARC file from a byte offset as Articles.

    After iteration: `next_offset` is where the next part starts (None when the file is done),
    `damage` says why reading stopped early (None if it did not), and `skipped` lists pages that
    were not usable ({"path", "reason"}).
    """

    def __init__(
        self,
        root: Path,
        relpath: str,
        start: int = 0,
        max_pages: int = RECORDS_PER_PART,
        max_page_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> None:
        self.full_path = Path(root, relpath)
        self.relpath = relpath
        self.start = start
        self.max_pages = max_pages
        self.max_page_bytes = max_page_bytes
        self.next_offset: int | None = None
        self.damage: str | None = None
        self.skipped: list[dict[str, str]] = []

    def __iter__(self) -> Iterator[Article]:
        try:
            size = regular_file_size(self.full_path)
            handle = self.full_path.open("rb")
        except OSError as exc:
            raise unreadable(exc) from None
        # warcio prints what it finds wrong to stderr (and carries on); keep that for the reason instead.
        noise = io.StringIO()
        pages = 0
        with handle:
            handle.seek(self.start)
            records = ArchiveIterator(handle)
            position = self.start  # where the record being read starts
            while True:
                try:
                    with contextlib.redirect_stderr(noise):
                        record = next(records, None)
                        if record is None:
                            break
                        article, problem = self._page(record)
                        records.read_to_end()
                except AttributeError:
                    self.damage = "a record whose header block is cut short"
                    break
                except WARC_READ_ERRORS as exc:
                    self.damage = f"data not readable as WARC ({_printable(str(exc))})"
                    break
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                broken = self._incomplete(record)
                if broken:
                    self.damage = f"the record of {uri or 'an unnamed target'} {broken}"
                    break
                position = records.offset
                if problem:
                    self.skipped.append({"path": f"{self.relpath}#{uri}", "reason": problem})
                if article is not None:
                    pages += 1
                    yield article
                if pages >= self.max_pages and position < size:
                    self.next_offset = position
                    return
            if self.damage is None and position < size:
                handle.seek(position)
                if handle.read(64).strip():
                    self.damage = "data that is not a complete WARC record (a truncated or corrupt file)"
        if self.damage:
            said = _printable(noise.getvalue())
            self.damage = f"{self.damage} at byte {position:,}" + (f" (warcio: {said})" if said else "")

    @staticmethod
    def _incomplete(record) -> str | None:
        """Say how a record read to its end is incomplete (None when it is whole)."""
        declared = (record.rec_headers.get_header("Content-Length") or "").strip()
        # warcio reads a record without a usable Content-Length to the end of the file, unlimited.
        if not declared.isdigit() or not isinstance(record.raw_stream, LimitReader):
            return "has no valid Content-Length (its header block is cut short or corrupt)"
        missing = record.raw_stream.limit
        if missing > 0:
            return f"is cut short ({int(declared) - missing:,} of {int(declared):,} bytes)"
        return None

    def _page(self, record) -> tuple[Article | None, str | None]:
        """Return the Article of an HTML page record (None for other records) or why the page is not usable."""
        if _page_media_type(record) not in HTML_MEDIA_TYPES:
            return None, None
        payload = record.content_stream().read(self.max_page_bytes + 1)
        if len(payload) > self.max_page_bytes:
            return None, f"page is over the {self.max_page_bytes:,}-byte limit"
        if not payload.strip():
            return None, "page is empty"
        headers = record.rec_headers
        record_id = headers.get_header("WARC-Record-ID")
        article = Article(
            path=self.relpath,
            raw=payload,
            fmt="html",
            url=headers.get_header("WARC-Target-URI") or None,
            captured=headers.get_header("WARC-Date") or None,
            warc_record=record_id or _stand_in_id(record),
        )
        if article.url:
            article.methods["url"] = "warc"
        return article, None


def _printable(text: str, limit: int = 120) -> str:
    """Shorten a library message for a reason line: one line, no binary junk from the damaged bytes."""
    return "".join(ch if ch.isprintable() else "?" for ch in " ".join(text.split()))[:limit]


def _stand_in_id(record) -> str:
    """A stand-in id for the rare record without a WARC-Record-ID: its target and capture date."""
    headers = record.rec_headers
    return f"{headers.get_header('WARC-Target-URI')}@{headers.get_header('WARC-Date')}"


def damage_reason(damage: str, pages_kept: int, last_url: str | None) -> str:
    """Return the reason shown for a damaged WARC file, saying which of its pages were kept."""
    if not pages_kept:
        return f"web archive is damaged: {damage}; no article was read before it"
    return (
        f"web archive is damaged: {damage}; the {pages_kept} article(s) before it were kept "
        f"(the last one {last_url or 'unnamed'}), the rest of the file was not read"
    )
