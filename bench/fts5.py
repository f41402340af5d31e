"""SQLite FTS5 answering the benchmark's query mix over the same articles as an archive index: the speed anchor.

    .venv/bin/python bench/fts5.py INDEX_ROOT [--db PATH] [-q QUERY] [--source S] [--year Y] [--sort=-date] [--page N]

Importable (bench/search_scale.py uses it): `Fts5Archive.for_index(root)` loads the articles
stored in an archive index (title, body, source, date, authors, language) into an SQLite file
beside the index root, reused while its article count matches the index's. `search(params)`
takes the same request parameters as the archive's API and does the same work as one full
request there: the top 10 hits ranked by bm25 with the title weighted 2 (the archive's
TITLE_WEIGHT), a marked snippet for each, the exact total, counts of every facet value
(source, language, author, year) over all matches, and the month buckets.

Only the query syntax of the benchmark mix is translated: words (all required), "phrases" and
prefixes (`word*`). Anything else raises Unsupported, so a query is never silently answered
with other semantics.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sqlite3
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.backends.whoosh import schema as f  # noqa: E402
from search.backends.whoosh.store import ArchiveIndex  # noqa: E402

# Bump when the tables below change: an older database file is then rebuilt.
FORMAT_VERSION = 1
PER_PAGE = 10
FACET_SIZE = 10
# The archive's TITLE_WEIGHT, as bm25() column weights (title, body).
TITLE_WEIGHT = float(f.TITLE_WEIGHT)
# FTS5's snippet() gives one fragment of at most 64 tokens; the archive gives up to three of 200 characters.
SNIPPET_TOKENS = 64
# Marks that cannot occur in text, swapped for <mark> after HTML-escaping (the archive escapes snippets too).
OPEN_MARK, CLOSE_MARK = "\x02", "\x03"
# Request parameters this translation honours; facet filters are the archive's facet names.
FILTERS = ("source", "language", "author", "year")
KNOWN_PARAMS = frozenset({"q", "page", "per_page", "sort", *FILTERS})
# One query item: a "phrase" or a bare word, optionally ending in * (prefix).
QUERY_ITEM = re.compile(r'"([^"]+)"|(\S+)')
PLAIN_WORD = re.compile(r"^\w+\*?$")
OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})

SCHEMA_SQL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='porter unicode61');
CREATE TABLE docs(
    docid INTEGER PRIMARY KEY,  -- = fts.rowid
    id TEXT NOT NULL,
    source TEXT,
    language TEXT,
    date TEXT,  -- YYYY-MM-DD or NULL
    year TEXT,
    month TEXT  -- YYYY-MM
);
-- Authors are a multi-valued facet (an article counts once under each of its authors), as in the archive.
CREATE TABLE authors(docid INTEGER NOT NULL, name TEXT NOT NULL);
CREATE INDEX authors_docid ON authors(docid);
"""


class Unsupported(ValueError):
    """The request uses query syntax or parameters this translation does not reproduce."""


@dataclass
class Fts5Hit:
    """One hit, with the fields the archive's result list shows."""

    id: str
    title: str
    source: str | None
    date: str | None
    language: str | None
    authors: list[str]
    snippet: str
    score: float | None


@dataclass
class Fts5Result:
    """The answer to one request: total, one page of hits, facet counts, month buckets."""

    total: int
    hits: list[Fts5Hit]
    facets: dict[str, list[tuple[str, int]]]
    months: list[tuple[str, int, int]] = field(default_factory=list)  # (YYYY-MM, matches, all articles)
    match: str = ""


def match_expression(q: str) -> str:
    """Translate the archive query syntax of the benchmark mix into an FTS5 MATCH expression.

    Every item is quoted, so words FTS5 treats as operators or syntax ("and", "near", hyphens)
    stay plain words; FTS5 ANDs items separated by spaces, like the archive does.
    """
    items = []
    for phrase, word in QUERY_ITEM.findall(q):
        if phrase:
            items.append('"' + phrase.replace('"', '""') + '"')
        elif word in OPERATORS or not PLAIN_WORD.match(word):
            raise Unsupported(f"query item {word!r} is outside the benchmark's syntax (words, phrases, prefixes)")
        elif word.endswith("*"):
            items.append(f'"{word[:-1]}"*')
        else:
            items.append(f'"{word}"')
    if not items:
        raise Unsupported("an empty query (the whole archive) is not part of the benchmark mix")
    return " ".join(items)


def default_db_path(index_root: Path) -> Path:
    """The database file beside the index root (not inside it: the root belongs to the archive's writer)."""
    index_root = Path(index_root).resolve()
    return index_root.parent / f"{index_root.name}.fts5.sqlite"


def _stored_rows(archive: ArchiveIndex):
    """Yield (fts row, docs row, author names) for every article of the archive index."""
    with archive.searcher() as searcher:
        # Exact copies are documents that only record another file holding an indexed text: never searched.
        articles = (stored for stored in searcher.all_stored_fields() if stored.get(f.ROLE) != f.ROLE_COPY)
        for docid, stored in enumerate(articles, start=1):
            record = json.loads(stored.get(f.RECORD) or "{}")
            day = stored.get(f.DATE)
            date = day.date().isoformat() if day else None
            # The archive's author facet holds each name with its keyword separator blanked out.
            authors = [n.replace(f.KEYWORD_SEPARATOR, " ").strip() for n in record.get("authors") or []]
            yield (
                (docid, stored.get(f.TITLE) or "", stored.get(f.BODY) or ""),
                (
                    docid,
                    stored[f.ID_FIELD],
                    stored.get(f.SOURCE) or None,
                    stored.get(f.LANGUAGE) or None,
                    date,
                    date[:4] if date else None,
                    date[:7] if date else None,
                ),
                [(docid, name) for name in dict.fromkeys(authors) if name],
            )


def build_database(archive: ArchiveIndex, path: Path) -> int:
    """Write every article of the archive index into a new SQLite file at path; return the article count."""
    tmp = path.with_name(path.name + ".building")
    tmp.unlink(missing_ok=True)
    connection = sqlite3.connect(tmp)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA_SQL)
        count = 0
        with connection:
            for fts_row, doc_row, author_rows in _stored_rows(archive):
                connection.execute("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", fts_row)
                connection.execute("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", doc_row)
                connection.executemany("INSERT INTO authors VALUES (?, ?)", author_rows)
                count += 1
            # One merged b-tree per term, as after any bulk load (FTS5 otherwise keeps its incremental segments).
            connection.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            connection.executemany(
                "INSERT INTO meta VALUES (?, ?)", [("doc_count", str(count)), ("format", str(FORMAT_VERSION))]
            )
        connection.execute("ANALYZE")
    finally:
        connection.close()
    tmp.replace(path)
    return count


def _database_count(path: Path) -> int | None:
    """Return the article count a database file was built with, or None when it is missing or of another format."""
    if not path.exists():
        return None
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()
    if meta.get("format") != str(FORMAT_VERSION):
        return None
    return int(meta["doc_count"])


class Fts5Archive:
    """A read-only connection to the FTS5 copy of an archive index, answering the benchmark's requests."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        # Memory-mapped reads and an in-memory temp table: the closest to how Whoosh reads its files.
        self.connection.executescript(
            "PRAGMA mmap_size = 4294967296; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;"
            "CREATE TEMP TABLE matched(docid INTEGER PRIMARY KEY, rank REAL);"
        )
        self._months_in_archive: dict[str, int] | None = None

    @classmethod
    def for_index(cls, index_root: Path, path: Path | None = None, log=None) -> Fts5Archive:
        """Open the database for an archive index, building it first when missing or out of date."""
        archive = ArchiveIndex(index_root)
        path = Path(path) if path else default_db_path(index_root)
        wanted = archive.article_count()
        if _database_count(path) != wanted:
            started = time.perf_counter()
            count = build_database(archive, path)
            if log:
                log(f"FTS5: loaded {count} articles into {path} in {time.perf_counter() - started:.1f}s")
        elif log:
            log(f"FTS5: reusing {path} ({wanted} articles)")
        archive.close()
        return cls(path)

    def article_count(self) -> int:
        """Return how many articles the database holds."""
        return self.connection.execute("SELECT count(*) FROM docs").fetchone()[0]

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def months_in_archive(self) -> dict[str, int]:
        """All articles per month (worked out once, as the archive does once per searcher)."""
        if self._months_in_archive is None:
            rows = self.connection.execute("SELECT month, count(*) FROM docs WHERE month IS NOT NULL GROUP BY month")
            self._months_in_archive = dict(rows)
        return self._months_in_archive

    def search(self, params: Mapping[str, str]) -> Fts5Result:
        """Answer one request given as the archive API's parameters (one value each)."""
        unknown = set(params) - KNOWN_PARAMS
        if unknown:
            raise Unsupported(f"parameters not reproduced with FTS5: {', '.join(sorted(unknown))}")
        match = match_expression(params.get("q", ""))
        page = int(params.get("page", 1))
        per_page = int(params.get("per_page", PER_PAGE))
        sort = params.get("sort", "relevance")
        filters = {name: params[name] for name in FILTERS if params.get(name)}
        db = self.connection
        # Every match once, with its score: totals, facets and the page are all read from it.
        db.execute("DELETE FROM temp.matched")
        score = "bm25(fts, ?, 1.0)" if sort == "relevance" else "NULL"
        args: tuple = (TITLE_WEIGHT, match) if sort == "relevance" else (match,)
        db.execute(f"INSERT INTO temp.matched SELECT rowid, {score} FROM fts WHERE fts MATCH ?", args)  # noqa: S608

        def where(skip: str | None = None) -> tuple[str, list[str]]:
            clauses, values = [], []
            for name, value in filters.items():
                if name == skip:
                    continue
                if name == "author":
                    clauses.append("EXISTS (SELECT 1 FROM authors a WHERE a.docid = d.docid AND a.name = ?)")
                else:
                    clauses.append(f"d.{name} = ?")
                values.append(value.lower() if name == "language" else value)
            return (" WHERE " + " AND ".join(clauses) if clauses else ""), values

        joined = "FROM temp.matched m JOIN docs d ON d.docid = m.docid"
        clause, values = where()
        total = db.execute(f"SELECT count(*) {joined}{clause}", values).fetchone()[0]
        # Newest first puts undated articles last, as the archive does; ties keep index order.
        order = {
            "relevance": "m.rank, d.docid",
            "-date": "d.date IS NULL, d.date DESC, d.docid",
            "date": "d.date IS NULL, d.date, d.docid",
        }[sort]
        page_rows = db.execute(
            f"SELECT d.docid, d.id, d.source, d.date, d.language, m.rank {joined}{clause} "
            f"ORDER BY {order} LIMIT ? OFFSET ?",
            [*values, per_page, (page - 1) * per_page],
        ).fetchall()
        # A filtered facet is counted without its own filter, so its other values stay choosable (as in the archive).
        facets: dict[str, list[tuple[str, int]]] = {}
        for name in FILTERS:
            facet_clause, facet_values = where(skip=name)
            if name == "author":
                sql = (
                    f"SELECT a.name, count(*) AS n {joined} JOIN authors a ON a.docid = d.docid{facet_clause} "
                    "GROUP BY a.name ORDER BY n DESC, a.name LIMIT ?"
                )
            else:
                sql = (
                    f"SELECT d.{name}, count(*) AS n {joined}{facet_clause} "
                    f"GROUP BY d.{name} HAVING d.{name} IS NOT NULL ORDER BY n DESC, d.{name} LIMIT ?"
                )
            facets[name] = db.execute(sql, [*facet_values, FACET_SIZE]).fetchall()
        in_archive = self.months_in_archive()
        months = [
            (month, n, in_archive.get(month, n))
            for month, n in db.execute(
                f"SELECT d.month, count(*) {joined}{clause} GROUP BY d.month HAVING d.month IS NOT NULL", values
            )
        ]
        hits = self._hits(match, page_rows)
        return Fts5Result(total=total, hits=hits, facets=facets, months=months, match=match)

    def _hits(self, match: str, page_rows: list[tuple]) -> list[Fts5Hit]:
        if not page_rows:
            return []
        docids = [row[0] for row in page_rows]
        marks = ", ".join("?" * len(docids))
        # snippet() needs the full-text cursor of the match: one more MATCH restricted to this page's rows.
        snippets = {
            docid: (title, snippet)
            for docid, title, snippet in self.connection.execute(
                f"SELECT rowid, title, snippet(fts, 1, ?, ?, ' … ', ?) FROM fts "
                f"WHERE fts MATCH ? AND rowid IN ({marks})",
                [OPEN_MARK, CLOSE_MARK, SNIPPET_TOKENS, match, *docids],
            )
        }
        authors: dict[int, list[str]] = {}
        for docid, name in self.connection.execute(
            f"SELECT docid, name FROM authors WHERE docid IN ({marks}) ORDER BY rowid", docids
        ):
            authors.setdefault(docid, []).append(name)
        hits = []
        for docid, article_id, source, date, language, rank in page_rows:
            title, snippet = snippets.get(docid, ("", ""))
            marked = html.escape(snippet, quote=False).replace(OPEN_MARK, "<mark>").replace(CLOSE_MARK, "</mark>")
            # bm25() is lower for better matches; shown negated so higher is better, as Whoosh scores are.
            score = round(-rank, 4) if rank is not None else None
            hits.append(Fts5Hit(article_id, title, source, date, language, authors.get(docid, []), marked, score))
        return hits


def main() -> int:
    """Build (or reuse) the database for an index and answer one query, printed as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index_root", type=Path)
    parser.add_argument("--db", type=Path, help="database file (default: beside the index root)")
    parser.add_argument("-q", default="oil prices")
    parser.add_argument("--source")
    parser.add_argument("--year")
    parser.add_argument("--sort", choices=("relevance", "date", "-date"), default="relevance")
    parser.add_argument("--page", type=int, default=1)
    args = parser.parse_args()
    fts = Fts5Archive.for_index(args.index_root, args.db, log=lambda text: print(text, file=sys.stderr))
    params = {"q": args.q, "sort": args.sort, "page": str(args.page)}
    params |= {name: value for name in ("source", "year") if (value := getattr(args, name))}
    started = time.perf_counter()
    result = fts.search(params)
    took = (time.perf_counter() - started) * 1000
    print(json.dumps({"took_ms": round(took, 2), **result.__dict__}, default=lambda o: o.__dict__, indent=1))
    fts.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
