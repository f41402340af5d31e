"""`python -m indexer.extract PATH`: print one file's clean article as JSON, without indexing.

For a web archive (.warc, .warc.gz) it prints a JSON list: one object per HTML page, each with its
"captured" date and "warc_record" id besides the usual fields, then a "skipped" object per page that
could not be used, and one for damage to the file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from indexer.article import Article, SkipDocument
from indexer.pipeline import extract_path, process
from indexer.read import file_format
from indexer.warc import WarcReader


def article_json(article: Article) -> dict:
    """Return one extracted article in the shape scripts and the scorer expect."""
    return {
        "title": article.title,
        "body": article.body,
        "author": article.authors,
        "date": article.date.isoformat() if article.date else None,
        "language": article.language,
        "site": article.source,
        "dateline": article.dateline,
        "agency": article.agency,
        "url": article.url,
        "methods": article.methods,
    }


def extraction_json(path: Path) -> dict | list[dict]:
    """Return the extraction result for one file (a list for a web archive)."""
    path = Path(path)
    if file_format(path.name) == "warc":
        return warc_json(path)
    article = extract_path(path)
    return article_json(article) | ({"warnings": article.warnings} if article.warnings else {})


def warc_json(path: Path) -> list[dict]:
    """Return every HTML page of a web archive, extracted, and what could not be used ({"skipped": reason})."""
    reader = WarcReader(path.parent, path.name, max_pages=sys.maxsize)
    pages = []
    for article in reader:
        try:
            pages.append(
                article_json(process(article)) | {"captured": article.captured, "warc_record": article.warc_record}
            )
        except SkipDocument as skip:
            pages.append({"url": article.url, "warc_record": article.warc_record, "skipped": skip.reason})
    pages += [{"url": item["path"].partition("#")[2], "skipped": item["reason"]} for item in reader.skipped]
    if reader.damage:
        pages.append({"skipped": f"web archive is damaged: {reader.damage}"})
    return pages


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; exit status 1 and the reason on stderr when the file is skipped."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m indexer.extract PATH", file=sys.stderr)
        return 2
    try:
        result = extraction_json(Path(args[0]))
    except SkipDocument as exc:
        print(f"{args[0]}: skipped: {exc.reason}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
