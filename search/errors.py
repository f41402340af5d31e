"""Errors the search layer reports to its callers, each with a message a person understands, whatever the engine."""

from __future__ import annotations


class SearchError(Exception):
    """A request the archive cannot answer as asked; `code` is a stable machine-readable name."""

    code = "bad_request"
    status = 400  # the HTTP status a web layer should answer with

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class InvalidParameter(SearchError):
    """A request parameter (page, per_page, sort, a filter, a date) has an unusable value."""

    code = "invalid_parameter"


class QuerySyntaxError(SearchError):
    """The query text cannot be read; `column` (1-based) points at the problem when known."""

    code = "query_syntax"

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message, param="q")
        self.column = column


class QueryTooBroad(SearchError):
    """A wildcard, prefix or fuzzy word stands for more indexed words than one search may expand to."""

    code = "query_too_broad"


class SearchTimeout(SearchError):
    """A search ran longer than the time limit and was stopped, so that it does not hold a worker."""

    code = "query_timeout"
    status = 503


class ArchiveBusy(SearchError):
    """No search could start in time: as many as may run at once were running (a server limit)."""

    code = "busy"
    status = 503


class IndexUnavailable(Exception):
    """No usable index exists where the archive is configured to look (or its engine cannot be reached)."""


class ReindexLocked(Exception):
    """Another reindex is running on the same index."""
