"""Plot search latency against corpus size from bench/search_scale.py's JSON files.

    .venv/bin/python bench/plot_scale.py RESULT.json [RESULT.json ...] [--out bench/scale-latency.png]

One JSON file per corpus size (`search_scale.py INDEX_ROOT --json RESULT.json`). Draws the median
(solid) and p95 (dashed) of the in-process full request, over the whole query mix, for the archive
(search.archive.Archive.search), raw Whoosh doing the same work, and SQLite FTS5, against the number of
documents indexed, both axes logarithmic. Needs matplotlib (bench/requirements.txt).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedLocator, NullLocator, StrMethodFormatter  # noqa: E402

# search_scale.py's in-process paths -> legend name and colour.
PATHS = {
    "service": ("archive (search.archive)", "tab:blue"),
    "raw": ("raw Whoosh", "tab:orange"),
    "fts5": ("SQLite FTS5", "tab:green"),
}
# Line style and marker fill of each statistic: solid and filled for the median, dashed and hollow for p95.
STATISTICS = {"median": ("-", "full"), "p95": ("--", "none")}


def load(paths: list[Path]) -> list[dict]:
    """Read the result files, smallest corpus first; one file per size (a later file of a size replaces one)."""
    by_size: dict[int, dict] = {}
    for path in paths:
        figures = json.loads(path.read_text(encoding="utf-8"))
        by_size[figures["documents"]] = figures
    return [by_size[size] for size in sorted(by_size)]


def log_axes(ax, ticks: list[int], labels: list[str]) -> None:
    """Make both axes logarithmic in plain numbers, x ticked only at the measured values, with a light grid.

    The x ticks carry their labels ("100k"), not powers of ten that no run used.
    """
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels(labels)
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
    ax.yaxis.set_minor_formatter(StrMethodFormatter("{x:g}"))
    ax.grid(True, which="both", alpha=0.3)


def plot(runs: list[dict], out: Path) -> None:
    """Draw the figure and save it as a PNG."""
    sizes = [run["documents"] for run in runs]
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=120)
    for path, (name, colour) in PATHS.items():
        for statistic, (style, fill) in STATISTICS.items():
            values = [run["in_process"][path]["all"][statistic] for run in runs]
            ax.plot(sizes, values, style, color=colour, marker="o", fillstyle=fill, label=f"{name}, {statistic}")
    log_axes(ax, sizes, [run["label"] for run in runs])
    ax.set_xlabel("corpus size (documents indexed)")
    ax.set_ylabel("latency of the full request (ms)")
    machine = runs[-1].get("machine", {})
    ax.set_title(
        "Search latency in-process, warm searcher: hits, snippets, all facets, months\n"
        f"{machine.get('cpus', '?')} CPUs, Python {machine.get('python', '?')}, "
        f"SQLite {machine.get('sqlite', '?')}; {runs[-1].get('repeat', '?')} runs of each query",
        fontsize=10,
    )
    # Below the axes, where it can never hide a point.
    ax.legend(fontsize=8, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format="png")
    plt.close(fig)


def main() -> int:
    """Read the JSON files named on the command line and write the PNG."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="JSON files written by search_scale.py --json")
    parser.add_argument("--out", type=Path, default=Path("bench/scale-latency.png"))
    args = parser.parse_args()
    runs = load(args.results)
    plot(runs, args.out)
    sizes = ", ".join(f"{run['label']} ({run['documents']} documents)" for run in runs)
    print(f"{args.out}: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
