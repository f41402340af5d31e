"""Extract a corpus once, then load the same articles into any engine without extracting again.

    .venv/bin/python bench/records.py save CORPUS RECORDS [--workers W]
    .venv/bin/python bench/records.py load CORPUS RECORDS [--index DIR] [--workers W]

Extraction bounds a full build on this machine (at 300k, a Whoosh build spent 2,442 CPU seconds in
its extraction workers and 149 in writing), and a benchmark that builds every engine at 1M articles
from files would extract the same million files three times. `save` runs the reindexer's own
extraction (indexer.workers.run_jobs, one worker process per CPU by default) over every file of
CORPUS and writes each outcome to RECORDS; its wall time is the extraction throughput at that size.
`load` is a full reindex (`python -m indexer --full`, the engine chosen by the same ARCHIVE_*
settings) whose outcomes are read back from RECORDS instead of extracted: the same bookkeeping, the
same index writer, the same stat cache (so an incremental run after it is the real one), the same
JSON summary. Outcomes are replayed in the order they were saved (the order the workers finished in).

RECORDS is a stream of pickles: a header (corpus, extractor version, job settings), then one
FileOutcome per file (or part of a web archive). It is only ever read back by this script, on the
machine that wrote it.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.defaults import backend_settings  # noqa: E402
from indexer.pipeline import DEFAULT_MAX_TEXT_CHARS, EXTRACTOR_VERSION, FileJob, FileOutcome  # noqa: E402
from indexer.read import DEFAULT_MAX_FILE_BYTES, iter_corpus  # noqa: E402
from indexer.reindex import Extract, reindex  # noqa: E402
from indexer.workers import default_workers, run_jobs  # noqa: E402
from search.backends import open_backend  # noqa: E402

FORMAT = 1


def header(corpus: Path) -> dict:
    """What a records file was made from: it is replayed only into a run over the same corpus and extractor."""
    return {
        "format": FORMAT,
        "corpus": str(corpus.resolve()),
        "extractor": EXTRACTOR_VERSION,
        "max_file_bytes": DEFAULT_MAX_FILE_BYTES,
        "max_text_chars": DEFAULT_MAX_TEXT_CHARS,
    }


def save(corpus: Path, records: Path, workers: int) -> dict:
    """Extract every file of corpus into records (written under a temporary name, renamed when complete)."""
    started = time.perf_counter()
    jobs = (
        FileJob(path, full=True, max_file_bytes=DEFAULT_MAX_FILE_BYTES, max_text_chars=DEFAULT_MAX_TEXT_CHARS)
        for path in iter_corpus(corpus)
    )
    partial = records.with_name(records.name + ".partial")
    files = articles = skipped = 0
    with partial.open("wb", buffering=1 << 20) as out:
        pickle.dump(header(corpus), out, protocol=pickle.HIGHEST_PROTOCOL)
        for outcome in run_jobs(corpus, jobs, workers):
            pickle.dump(outcome, out, protocol=pickle.HIGHEST_PROTOCOL)
            files += outcome.next_job is None
            articles += len(outcome.records)
            skipped += len(outcome.skipped)
    os.replace(partial, records)
    seconds = time.perf_counter() - started
    return {"files": files, "articles": articles, "skipped": skipped, "workers": workers, "seconds": seconds,
            "bytes": records.stat().st_size}  # fmt: skip


def replay(records: Path) -> Extract:
    """Return an Extract that hands a full reindex the outcomes saved in records."""

    def extract(corpus: Path, jobs: Iterable[FileJob], workers: int) -> Iterator[FileOutcome]:
        # The run must have handed out every job before their outcomes come back: it keys them by path.
        for job in jobs:
            if not job.full:
                raise SystemExit("records replay only a full reindex")
        with records.open("rb", buffering=1 << 20) as source:
            made = pickle.load(source)
            if made != header(corpus):
                raise SystemExit(f"{records} was saved from {made}, not from {header(corpus)}: save it again")
            while True:
                try:
                    yield pickle.load(source)
                except EOFError:
                    return

    return extract


def main() -> int:
    """Save or load, as the command line says."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["save", "load"])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("records", type=Path)
    parser.add_argument("--index", type=Path, help="index folder (default: the ARCHIVE_* settings, as the CLI)")
    parser.add_argument("--workers", type=int, default=default_workers(), help="extraction (save) or index writers")
    args = parser.parse_args()
    if args.command == "save":
        print(json.dumps(save(args.corpus, args.records, args.workers)))
        return 0
    backend = open_backend(backend_settings(args.index))
    try:
        summary = reindex(args.corpus, backend, full=True, workers=args.workers, extract=replay(args.records))
    finally:
        backend.close()
    print(json.dumps(summary.as_json(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
