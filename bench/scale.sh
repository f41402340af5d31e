#!/usr/bin/env bash
# The whole scale benchmark in one command: every size on every engine, side by side, then the plots.
#
#   bench/scale.sh [SIZES] [OUT]     # defaults: 100000,300000,1000000 and /tmp/archive-scale/results
#
# Engines (ENGINES, default "whoosh,os1,os3"): Whoosh; OpenSearch with one node (1 shard); OpenSearch
# with three nodes and 3 shards (no replica: one machine). Both clusters are started here by
# bin/opensearch on 127.0.0.1 (ports 9250 and 9260-9262, HEAP per node, default 2g; data under
# WORK/os1 and WORK/os3, kept between runs) and stopped at the end.
#
# For each size, from the project folder:
#   1. bench/index_scale.py on each engine: the corpus WORK/corpus-N (generated once, reused), extracted
#      once with one worker per CPU into WORK/records (bench/records.py: the extraction throughput), a
#      full reindex that loads those records into the engine, then an incremental one from files after 1%
#      new articles (kept, so every engine ends up holding the same N + 1% articles): time, articles/s,
#      peak memory of every process (the JVMs' RSS and heap too), CPU seconds per part, size on disk.
#      FROM_FILES=1 makes every full reindex extract the files itself instead (about 35 minutes per
#      engine at 1M on 2 cores);
#   2. bench/search_scale.py on the Whoosh index with both clusters beside it: the full UI request
#      (collapsed, as the search page asks it) in-process per engine, and over HTTP (`python app.py`,
#      WEB_PROCESSES at each engine's default, Whoosh also with 2) with 1, 8 and 32 clients; SQLite FTS5
#      over the same articles stays in the tables as the yardstick;
# then bench/plot_engines.py draws OUT/engines.png. Every figure is printed and saved as JSON in OUT.
# Sizes already measured (their JSON in OUT) are skipped: delete the JSON to measure again.
# At 1M on 2 cores this takes about two hours and 45 GB of disk at its peak; run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${1:-100000,300000,1000000}
out=${2:-/tmp/archive-scale/results}
work=${WORK:-/tmp/archive-scale}
engines=${ENGINES:-whoosh,os1,os3}
heap=${HEAP:-2g}
seconds=${SECONDS_PER_RUN:-20}
py=.venv/bin/python
records=(--records "$work/records")
[ -n "${FROM_FILES:-}" ] && records=()
cpus=$(nproc)
mkdir -p "$out" "$work"

pids=()
stop_clusters() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait || true; }
trap stop_clusters EXIT

start_cluster() {  # nodes port: start bin/opensearch in the background and wait until it answers
    local nodes=$1 port=$2 log="$out/opensearch-$1node.log"
    bin/opensearch --nodes "$nodes" --port "$port" --data "$work/os$nodes" --heap "$heap" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 600); do
        grep -q "OpenSearch is ready" "$log" && return 0
        kill -0 "${pids[-1]}" 2>/dev/null || { cat "$log" >&2; return 1; }
        sleep 1
    done
    echo "the $nodes-node cluster did not start; see $log" >&2
    return 1
}

has() { [[ ",$engines," == *",$1,"* ]]; }
os1=http://127.0.0.1:9250
os3=http://127.0.0.1:9260,http://127.0.0.1:9261,http://127.0.0.1:9262
has os1 && start_cluster 1 9250
has os3 && start_cluster 3 9260

for size in ${sizes//,/ }; do
    if has whoosh && [ ! -s "$out/index-whoosh-$size.json" ]; then
        "$py" bench/index_scale.py --sizes "$size" --workers "$cpus" --keep-index --work "$work" \
            "${records[@]}" --json "$out/index-whoosh-$size.json" | tee "$out/index-whoosh-$size.md"
    fi
    if has os1 && [ ! -s "$out/index-os1-$size.json" ]; then
        ARCHIVE_OPENSEARCH_SHARDS=1 ARCHIVE_OPENSEARCH_REPLICAS=0 "$py" bench/index_scale.py --sizes "$size" \
            --workers "$cpus" --keep-index --work "$work" --opensearch "$os1" --label os1 \
            "${records[@]}" --json "$out/index-os1-$size.json" | tee "$out/index-os1-$size.md"
    fi
    if has os3 && [ ! -s "$out/index-os3-$size.json" ]; then
        ARCHIVE_OPENSEARCH_SHARDS=3 ARCHIVE_OPENSEARCH_REPLICAS=0 "$py" bench/index_scale.py --sizes "$size" \
            --workers "$cpus" --keep-index --work "$work" --opensearch "$os3" --label os3 \
            "${records[@]}" --json "$out/index-os3-$size.json" | tee "$out/index-os3-$size.md"
    fi
    if [ ! -s "$out/engines-$size.json" ]; then
        others=()
        has os1 && others+=(--opensearch "$os1" --opensearch-index "scale$size" --opensearch-label "OpenSearch 1 node")
        has os3 && others+=(--opensearch "$os3" --opensearch-index "scale$size" --opensearch-label "OpenSearch 3 nodes")
        "$py" bench/search_scale.py "$work/index-$size" --collapse --repeat 5 --clients 1,8,32 --seconds "$seconds" \
            --whoosh-processes 2 "${others[@]}" --json "$out/engines-$size.json" | tee "$out/engines-$size.md"
    fi
done
"$py" bench/plot_engines.py "$out" --out "$out/engines.png"
echo "Figures in $out; copy the plot to bench/engines.png with the tables in bench/RESULTS.md."
