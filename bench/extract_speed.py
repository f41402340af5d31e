"""HTML extraction speed in one process: the archive's extractor beside trafilatura, a bs4 parse and an lxml parse.

    .venv/bin/pip install -r bench/requirements.txt     # once: trafilatura is a benchmark-only dependency
    .venv/bin/python bench/extract_speed.py [--pages 'GLOB'] [--rounds 5]

Defaults to the 226 pages of ../shared/data/extraction-dev/sets/*/html/*.html. Every page is read and
decoded once up front (the archive's own decode step), so only extraction is timed. Each round walks all
pages; for every page the contenders run back to back, in an order that rotates from page to page, so
load on the machine falls on all of them alike. Timing is CPU time of this process (one thread, so pages
per second per core); wall-clock figures are printed beside it. Every timed call ends with a collection of
the young generation, so the garbage a call leaves (a dead BeautifulSoup tree) is paid by that call and
not by the next contender.

  ours         indexer.html.extract_html: one BeautifulSoup parse (lxml parser), metadata, main text
  trafilatura  trafilatura.extract(html, with_metadata=True): main text plus title, author, date
  bs4 parse    BeautifulSoup(html, "lxml") with default options alone: the plain tree-building cost
  bs4 ours     indexer.html_content.parse_html alone (the options and paused collector the extractor uses)
  lxml parse   lxml.etree.HTML alone: the parser under bs4, without bs4's Python tree (a floor)

Printed: median pages/s over the rounds (min-max beside it), and the ratio ours / trafilatura.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import glob
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lxml.etree  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

from indexer.article import Article, SkipDocument  # noqa: E402
from indexer.decode import decode_bytes  # noqa: E402
from indexer.html import collector_paused, extract_html  # noqa: E402
from indexer.html_content import parse_html  # noqa: E402

DEFAULT_PAGES = str(ROOT.parent / "shared" / "data" / "extraction-dev" / "sets" / "*" / "html" / "*.html")


def run_ours(text: str) -> None:
    """Extract one page the way the indexer does."""
    # A page without visible text raises SkipDocument after the full attempt; that time counts too.
    with contextlib.suppress(SkipDocument):
        extract_html(Article(path="page.html", fmt="html", text=text))


def run_bs4(text: str) -> None:
    """Parse one page into a BeautifulSoup tree with default options and nothing else."""
    BeautifulSoup(text, "lxml")


def run_bs4_ours(text: str) -> None:
    """Parse one page the way the extractor does and nothing else."""
    with collector_paused():
        parse_html(text)


def run_lxml(text: str) -> None:
    """Parse one page into an lxml tree and nothing else."""
    lxml.etree.HTML(text.encode("utf-8"))  # bytes: a str naming an encoding in an XML declaration is refused


def trafilatura_runner() -> Callable[[str], None]:
    """Return trafilatura's extract with metadata, or exit with the install hint when it is missing."""
    try:
        import trafilatura
    except ImportError:
        sys.exit("trafilatura is not installed: .venv/bin/pip install -r bench/requirements.txt")

    def run(text: str) -> None:
        trafilatura.extract(text, with_metadata=True)

    return run


def load_pages(pattern: str) -> list[str]:
    """Decoded text of every page matching the glob, sorted by path."""
    paths = sorted(glob.glob(pattern))
    if not paths:
        sys.exit(f"no pages match {pattern}")
    return [decode_bytes(Path(path).read_bytes())[0] for path in paths]


def measure(pages: list[str], contenders: dict[str, Callable[[str], None]], rounds: int) -> dict[str, dict]:
    """Per contender and round: pages per CPU second and per wall second, interleaved page by page."""
    names = list(contenders)
    results: dict[str, dict[str, list[float]]] = {name: {"cpu": [], "wall": []} for name in names}
    for round_number in range(rounds):
        cpu = dict.fromkeys(names, 0.0)
        wall = dict.fromkeys(names, 0.0)
        for index, text in enumerate(pages):
            shift = (index + round_number) % len(names)
            for name in names[shift:] + names[:shift]:
                start_cpu, start_wall = time.process_time(), time.perf_counter()
                contenders[name](text)
                gc.collect(0)  # this call's own garbage, freed inside its own timing
                cpu[name] += time.process_time() - start_cpu
                wall[name] += time.perf_counter() - start_wall
        for name in names:
            results[name]["cpu"].append(len(pages) / cpu[name])
            results[name]["wall"].append(len(pages) / wall[name])
        # Older garbage is collected between rounds, outside any timed call.
        gc.collect()
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=DEFAULT_PAGES, help="glob of HTML pages (default: the dev set)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds over all pages (default 5)")
    args = parser.parse_args(argv)
    pages = load_pages(args.pages)
    contenders = {
        "ours": run_ours,
        "trafilatura": trafilatura_runner(),
        "bs4 parse": run_bs4,
        "bs4 ours": run_bs4_ours,
        "lxml parse": run_lxml,
    }
    # One untimed pass warms caches, lazy imports and regex compilation for every contender.
    for run in contenders.values():
        for text in pages:
            run(text)
    results = measure(pages, contenders, args.rounds)
    print(f"{len(pages)} pages, {args.rounds} rounds, one process, interleaved page by page")
    print(f"{'contender':<12} {'pages/s per core (median)':>26} {'min-max':>14} {'wall pages/s':>13}")
    for name, figures in results.items():
        cpu = figures["cpu"]
        print(
            f"{name:<12} {statistics.median(cpu):>26.1f} {min(cpu):>6.1f}-{max(cpu):<7.1f}"
            f" {statistics.median(figures['wall']):>13.1f}"
        )
    ratios = [ours / other for ours, other in zip(results["ours"]["cpu"], results["trafilatura"]["cpu"], strict=True)]
    print(f"ours / trafilatura: {statistics.median(ratios):.2f} (median of per-round ratios)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
