#!/usr/bin/env bash
# The whole scale benchmark in one command: index every size, search each index, plot latency against size.
#
#   bench/scale.sh [SIZES] [OUT]     # defaults: 10000,30000,100000,300000 and /tmp/archive-scale/results
#
# Runs, in turn and from the project folder: bench/index_scale.py over SIZES (1-worker runs up to 30k,
# every index kept in /tmp/archive-scale/index-N), bench/search_scale.py on each index (the 100k and
# larger ones also with the server's SEARCHES_AT_ONCE set to 1, 2 and 8), then bench/plot_scale.py into
# OUT/scale-latency.png. Every figure is printed and saved as JSON in OUT. At 300k this takes about an
# hour and a half and 3 GB of /tmp; run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${1:-10000,30000,100000,300000}
out=${2:-/tmp/archive-scale/results}
py=.venv/bin/python
mkdir -p "$out"

"$py" bench/index_scale.py --sizes "$sizes" --skip-single-worker-above 30000 --keep-index \
    --json "$out/index.json" | tee "$out/index.md"
for size in ${sizes//,/ }; do
    at_once=()
    [ "$size" -ge 100000 ] && at_once=(--searches-at-once 1,2,8)
    "$py" bench/search_scale.py "/tmp/archive-scale/index-$size" --repeat 5 --clients 1,8 --seconds 15 \
        "${at_once[@]}" --json "$out/search-$size.json" | tee "$out/search-$size.md"
done
"$py" bench/plot_scale.py "$out"/search-*.json --out "$out/scale-latency.png"
echo "Figures in $out; copy the plot to bench/scale-latency.png with the tables in bench/RESULTS.md."
