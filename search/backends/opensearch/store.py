"""The archive on an OpenSearch cluster: where it lives, what state it is in, and the start of its writes.

Searches read an alias (OPENSEARCH_INDEX, `archive` by default); it points at one concrete index
named `<alias>-<timestamp>-<random>`. A full rebuild builds a new such index and moves the alias to
it in one atomic `_aliases` call, as the Whoosh engine switches its pointer file; incremental runs
write into the live index. The store touches no index whose name does not start with `<alias>-`, so
several archives (and anything else) can share a cluster.

The committed state is named by the live index and a commit counter kept in its mapping's `_meta`
(bumped by every commit), with the schema version the index was built with: a version of the archive
whose analysis or mapping differs (SCHEMA_VERSION) rebuilds in full. Credentials come from settings
and go to the client only: messages, logs and `location()` name the alias and hosts without them.
The reading side (search.backend.SearchBackend) is built on this store in a later step.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError, OpenSearchException, TransportError

from search.backends.opensearch import analysis as a
from search.errors import IndexUnavailable
from search.fields import ROLE_COPY, UNDETERMINED_LANGUAGE

if TYPE_CHECKING:
    from search.backends.opensearch.writer import OpenSearchUpdate

# Bump whenever analysis.py's settings or mapping (or what documents hold) change: indices of
# another version are rebuilt in full by the next reindex.
SCHEMA_VERSION = 3
DEFAULT_ALIAS = "archive"
DEFAULT_URL = "http://localhost:9200"
REQUEST_TIMEOUT = 30  # seconds, for every request unless one says otherwise
# Connections kept open per node. urllib3 keeps one unless told: each of a web process's concurrent
# searches (8, each up to two requests at once) then opened a new connection and dropped it after.
POOL_CONNECTIONS = 32
SCROLL_PAGE = 5_000  # documents per page when reading every indexed file
SCROLL_KEEP_ALIVE = "2m"
# What a search reading doc values alone asks for instead of documents: neither _source nor the stored
# fields, _id among them. Each _id is read from the compressed block of stored fields that holds whole
# articles, so the 10,000 clustered matches of `country` at 1M articles took the node 265 ms with it and
# 55 ms without (bench/RESULTS.md, "The OpenSearch search page at 1M"). Such hits carry `fields` and `sort`.
DOC_VALUES_ONLY = MappingProxyType({"_source": False, "stored_fields": "_none_"})
REPORT_PAGE = 1_000  # sources per page of the ingest report's aggregation
LOCK_SUFFIX = "lock"  # the lock index is <alias>-lock


def _flag(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("0", "false", "no", "off")


def _public_url(url: str) -> str:
    """The URL without user name or password (scheme, host and port only)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


class OpenSearchStore:
    """An archive alias on a cluster: its state, its files and its ingest report, and reindex runs on it."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        """settings: the archive's settings (OPENSEARCH_URL, OPENSEARCH_INDEX, ..., INDEX_DIR)."""
        urls = [url.strip() for url in str(settings.get("OPENSEARCH_URL") or DEFAULT_URL).split(",") if url.strip()]
        self.alias = str(settings.get("OPENSEARCH_INDEX") or DEFAULT_ALIAS).strip()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.]*", self.alias):
            raise ValueError("OPENSEARCH_INDEX must be lower-case letters, digits, _ and . (no -), e.g. archive")
        self.shards = int(settings.get("OPENSEARCH_SHARDS") or 1)
        self.replicas = int(settings.get("OPENSEARCH_REPLICAS") or 0)
        index_dir = settings.get("INDEX_DIR")
        if not index_dir:
            raise ValueError("INDEX_DIR must name a local folder for the reindexer's bookkeeping")
        self._state_dir = Path(index_dir) / f"opensearch-{self.alias}"
        self.hosts = [_public_url(url) for url in urls]
        # Only ever compared against messages, to keep them out; never shown.
        self._secrets = [s for s in (settings.get("OPENSEARCH_PASSWORD"), settings.get("OPENSEARCH_USER")) if s] + [
            part for url in urls for part in (urlsplit(url).password, urlsplit(url).username) if part
        ]
        # A request a node cannot take (gone, restarting) is sent to the next node; with one node, not again.
        options: dict[str, Any] = {
            "timeout": REQUEST_TIMEOUT,
            "max_retries": len(urls) - 1,
            "pool_maxsize": POOL_CONNECTIONS,
        }
        if settings.get("OPENSEARCH_USER"):
            options["http_auth"] = (str(settings["OPENSEARCH_USER"]), str(settings.get("OPENSEARCH_PASSWORD") or ""))
        if settings.get("OPENSEARCH_CA_CERTS"):
            options["ca_certs"] = str(settings["OPENSEARCH_CA_CERTS"])
        if any(url.startswith("https") for url in urls):
            options["verify_certs"] = _flag(settings.get("OPENSEARCH_VERIFY_CERTS"), True)
        self.client = OpenSearch(urls, **options)

    def __repr__(self) -> str:
        return f"OpenSearchStore(alias={self.alias!r}, hosts={self.hosts!r})"

    # -- names ----------------------------------------------------------------------------
    @property
    def prefix(self) -> str:
        """Every index of this archive starts with it; no other index is ever read, written or deleted."""
        return f"{self.alias}-"

    @property
    def lock_index(self) -> str:
        return f"{self.prefix}{LOCK_SUFFIX}"

    def is_build_name(self, name: str) -> bool:
        """Tell whether an index name is one this store creates for the archive (not the lock, not another's)."""
        return re.fullmatch(re.escape(self.prefix) + r"\d{8}t\d{6}-[0-9a-f]{8}", name) is not None

    @property
    def state_dir(self) -> Path:
        """The local folder of the reindexer's stat cache and problems file."""
        return self._state_dir

    def redact(self, text: str) -> str:
        """Return text with every credential this store knows replaced."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(str(secret), "***")
        return text

    def unavailable(self, exc: BaseException, doing: str) -> IndexUnavailable:
        """An IndexUnavailable for a request that failed, saying what and where, without credentials."""
        if isinstance(exc, NotFoundError):
            return IndexUnavailable(f"no index {self.alias} on {', '.join(self.hosts)} yet: run a reindex")
        detail = exc.__class__.__name__
        if isinstance(exc, TransportError) and isinstance(exc.status_code, int):
            detail += f" {exc.status_code} {exc.error}"
        return IndexUnavailable(
            self.redact(f"cannot {doing} on OpenSearch at {', '.join(self.hosts)} (index {self.alias}): {detail}")
        )

    # -- state ----------------------------------------------------------------------------
    def live_index(self) -> str | None:
        """Return the concrete index the alias points at (None: no alias yet); IndexUnavailable if unreachable."""
        try:
            # local: this node's copy of the cluster state, so reads need no elected cluster manager
            # (while a new one is elected after a node died, they would wait for it).
            found = self.client.indices.get_alias(name=self.alias, local=True)
        except NotFoundError:
            return None
        except OpenSearchException as exc:
            raise self.unavailable(exc, "look up the alias") from None
        names = sorted(name for name in found if name.startswith(self.prefix))
        if len(names) > 1:
            raise IndexUnavailable(f"alias {self.alias} points at several indices: {', '.join(names)}")
        return names[0] if names else None

    def meta(self, index: str) -> dict:
        """Return the `_meta` of an index's mapping (schema_version, commits)."""
        try:
            mapping = self.client.indices.get_mapping(index=index, local=True)
        except OpenSearchException as exc:
            raise self.unavailable(exc, "read the index mapping") from None
        return dict(mapping.get(index, {}).get("mappings", {}).get("_meta") or {})

    def exists(self) -> bool:
        """Tell whether the alias names a committed index."""
        return self.live_index() is not None

    def generation(self) -> tuple[str, int] | None:
        """Name the committed state searches read now: (live index, commit counter); None without an index."""
        live = self.live_index()
        if live is None:
            return None
        return live, int(self.meta(live).get("commits", 0))

    def schema_version(self) -> int | None:
        live = self.live_index()
        return None if live is None else self.meta(live).get("schema_version")

    def rebuild_reason(self) -> str | None:
        """Say why the index must be rebuilt before it can serve, or None."""
        live = self.live_index()
        if live is None:
            return f"No index {self.alias} on {', '.join(self.hosts)} yet"
        version = self.meta(live).get("schema_version")
        if version != SCHEMA_VERSION:
            return f"The index {live} was built by another version of the archive (schema {version})"
        return None

    def location(self) -> str:
        """Where the archive is, for people: the alias, its index and the hosts (never credentials)."""
        return f"OpenSearch index {self.alias} at {', '.join(self.hosts)}"

    def count(self, index: str, query: dict | None = None) -> int:
        """Return how many documents of an index (copies included) a query matches."""
        body = {"query": query} if query else None
        try:
            return int(self.client.count(index=index, body=body)["count"])
        except OpenSearchException as exc:
            raise self.unavailable(exc, "count documents") from None

    def article_count(self) -> int:
        """Return how many articles (not exact copies) the live index holds."""
        return self.count(self.alias, {"bool": {"must_not": [{"term": {a.ROLE: ROLE_COPY}}]}})

    # -- summaries ------------------------------------------------------------------------
    def indexed_files(self) -> dict[str, str]:
        """Return {corpus-relative path: content hash} of every indexed file, copies included (empty: no index).

        Read by scrolling over doc values in pages of SCROLL_PAGE: no document is loaded, and
        there is no 10,000-hit ceiling.
        """
        live = self.live_index()
        if live is None:
            return {}
        files: dict[str, str] = {}
        for hit in self.scan(live, {"match_all": {}}, [a.PATH, a.CONTENT_HASH]):
            fields = hit.get("fields", {})
            if a.PATH in fields:
                files[fields[a.PATH][0]] = (fields.get(a.CONTENT_HASH) or [""])[0]
        return files

    def scan(self, index: str, query: dict, fields: list[str]) -> Iterator[dict]:
        """Yield every hit of a query (doc values of `fields` only), scrolling; the scroll is always cleared."""
        body = {"query": query, "size": SCROLL_PAGE, "sort": ["_doc"], **DOC_VALUES_ONLY, "docvalue_fields": fields}
        scroll_id = None
        try:
            page = self.client.search(index=index, body=body, scroll=SCROLL_KEEP_ALIVE)
            while True:
                scroll_id = page.get("_scroll_id")
                hits = page["hits"]["hits"]
                if not hits:
                    return
                yield from hits
                page = self.client.scroll(body={"scroll_id": scroll_id, "scroll": SCROLL_KEEP_ALIVE})
        except OpenSearchException as exc:
            raise self.unavailable(exc, "read the indexed files") from None
        finally:
            if scroll_id:
                with contextlib.suppress(OpenSearchException):  # it expires on its own
                    self.client.clear_scroll(body={"scroll_id": [scroll_id]})

    def ingest_report(self) -> list[dict]:
        """Per source (None: unknown), articles and how many lack a date, an author, a language; copies left out.

        A composite aggregation, paged: memory grows with the number of sources only. Sources with
        the most articles come first, as the Whoosh store lists them.
        """
        rows: dict[str | None, dict] = {}
        composite: dict[str, Any] = {
            "size": REPORT_PAGE,
            "sources": [{"source": {"terms": {"field": a.SOURCE_FACET, "missing_bucket": True}}}],
        }
        body = {
            "size": 0,
            "query": {"bool": {"must_not": [{"term": {a.ROLE: ROLE_COPY}}]}},
            "aggs": {
                "sources": {
                    "composite": composite,
                    "aggs": {
                        "no_date": {"filter": {"term": {a.HAS_DATE: False}}},
                        "no_author": {"filter": {"term": {a.HAS_AUTHOR: False}}},
                        "no_language": {"filter": {"terms": {a.LANGUAGE: ["", UNDETERMINED_LANGUAGE]}}},
                    },
                }
            },
        }
        while True:
            try:
                answer = self.client.search(index=self.alias, body=body)
            except OpenSearchException as exc:
                raise self.unavailable(exc, "read the ingest report") from None
            result = answer["aggregations"]["sources"]
            for bucket in result["buckets"]:
                source = bucket["key"]["source"] or None
                row = rows.setdefault(
                    source, {"source": source, "articles": 0, "no_date": 0, "no_author": 0, "no_language": 0}
                )
                row["articles"] += bucket["doc_count"]
                for name in ("no_date", "no_author", "no_language"):
                    row[name] += bucket[name]["doc_count"]
            if not result["buckets"] or "after_key" not in result:
                break
            composite["after"] = result["after_key"]
        return sorted(rows.values(), key=lambda row: (-row["articles"], row["source"] or ""))

    # -- writing --------------------------------------------------------------------------
    def update(self, full: bool = False, workers: int = 1) -> OpenSearchUpdate:
        """Start a reindex run's writes (search.backend.IndexUpdate); workers is accepted, the cluster parallelises."""
        from search.backends.opensearch.writer import OpenSearchUpdate  # it imports this module

        return OpenSearchUpdate(self, full=full)

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()
