"""`python -m indexer.extract PATH`: print one file's clean article as JSON, without indexing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from indexer.article import SkipDocument
from indexer.pipeline import extract_path


def extraction_json(path: Path) -> dict:
    """Return the extraction result for one file in the shape scripts and the scorer expect."""
    article = extract_path(path)
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
