"""Plot the engines side by side from bench/scale.sh's results: latency against size, throughput against clients.

    .venv/bin/python bench/plot_engines.py RESULTS_DIR [--out RESULTS_DIR/engines.png]

Reads every RESULTS_DIR/engines-N.json (bench/search_scale.py --json, one per corpus size) and draws
three panels:
  1. the full UI request in-process (median solid, p95 dashed) against the documents indexed, one
     colour per engine (the archive on Whoosh, and on each OpenSearch cluster), both axes logarithmic;
  2. HTTP requests per second against concurrent clients, at the largest size, one line per server
     (engine and web processes);
  3. HTTP p95 against concurrent clients, the same servers.
Needs matplotlib (bench/requirements.txt).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers

import matplotlib.pyplot as plt  # noqa: E402
from plot_scale import log_axes  # noqa: E402

COLOURS = ["tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange", "tab:brown"]


def load(folder: Path) -> list[dict]:
    """Read the result files, smallest corpus first."""
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("engines-*.json")]
    return sorted(runs, key=lambda run: run["documents"])


def plot(runs: list[dict], out: Path) -> None:
    """Draw the three panels and save them as one PNG."""
    fig, (latency, rate, tail) = plt.subplots(1, 3, figsize=(16, 5.5), dpi=110)
    sizes = [run["documents"] for run in runs]
    engines = {"service": "Whoosh"} | {label: label for label in runs[-1].get("engines", [])}
    for colour, (path, name) in zip(COLOURS, engines.items(), strict=False):
        for statistic, style, fill in (("median", "-", "full"), ("p95", "--", "none")):
            values = [run["in_process"][path]["all"][statistic] for run in runs if path in run["in_process"]]
            shown = [run["documents"] for run in runs if path in run["in_process"]]
            latency.plot(shown, values, style, color=colour, marker="o", fillstyle=fill, label=f"{name}, {statistic}")
    log_axes(latency, sizes, [run["label"] for run in runs])
    latency.set_xlabel("corpus size (documents indexed)")
    latency.set_ylabel("full UI request in-process (ms)")
    latency.set_title("Latency against size (one client)", fontsize=10)
    latency.legend(fontsize=7)

    largest = runs[-1]
    servers: dict[str, list[dict]] = {}
    for run in largest["http"]:
        name = "Whoosh" if run["engine"] == "whoosh" else run["engine"]
        servers.setdefault(f"{name}, {run['web_processes']} web process(es)", []).append(run)
    clients = sorted({run["clients"] for run in largest["http"]})
    for colour, (name, points) in zip(COLOURS, servers.items(), strict=False):
        points.sort(key=lambda run: run["clients"])
        xs = [run["clients"] for run in points]
        rate.plot(xs, [run["requests_per_s"] for run in points], "-", color=colour, marker="o", label=name)
        tail.plot(xs, [run["latency"]["all"]["p95"] for run in points], "--", color=colour, marker="o", label=name)
    for ax, what in ((rate, "requests per second"), (tail, "p95 (ms)")):
        log_axes(ax, clients, [str(c) for c in clients])
        ax.set_xlabel("concurrent HTTP clients")
        ax.set_ylabel(what)
        ax.legend(fontsize=7)
    rate.set_title(f"HTTP throughput at {largest['label']}", fontsize=10)
    tail.set_title(f"HTTP p95 at {largest['label']} (errors: none unless noted)", fontsize=10)
    machine = largest.get("machine", {})
    fig.suptitle(
        f"Whoosh and OpenSearch on one machine ({machine.get('cpus', '?')} CPUs): search page requests, "
        "collapsed, with hits, snippets, every facet and months",
        fontsize=11,
    )
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format="png")
    plt.close(fig)


def main() -> int:
    """Read the results folder and write the PNG."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="the folder bench/scale.sh wrote (engines-N.json)")
    parser.add_argument("--out", type=Path, help="the PNG (default: RESULTS/engines.png)")
    args = parser.parse_args()
    runs = load(args.results)
    if not runs:
        print(f"no engines-N.json in {args.results}", file=sys.stderr)
        return 1
    out = args.out or args.results / "engines.png"
    plot(runs, out)
    print(f"{out}: {', '.join(run['label'] for run in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
