#!/usr/bin/env bash
# Job queue benchmark: N posts (default 100,000) due in the same second, published to a no-op
# counting sink by 3 `tribune worker` processes on PostgreSQL — zero lost and zero duplicated
# checked against the sink's counts, jobs/s and lateness (due → publish call) measured — next
# to, in the same run on the same server: the floor (3 plain `SELECT … FOR UPDATE SKIP LOCKED`
# loops deleting N no-op rows) and graphile-worker (npm, pinned; 3 worker processes running the
# same number of no-op jobs, in a database of its own). Prints one table with ratios.
# Usage: scripts/bench-jobs.sh [N]
#   BENCH_CONCURRENCY (jobs at once per worker, default 16), BENCH_CHANNELS (sink channels the
#   posts are spread over, default 1000: tribune publishes one post at a time per channel),
#   TRIBUNE_TEST_POSTGRES_URL (the server, default postgres://postgres@127.0.0.1:5432/postgres),
#   BENCH_SKIP_GRAPHILE=1 (no npm: tribune and the floor only, e.g. in the CI's short run).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
concurrency="${BENCH_CONCURRENCY:-16}"
channels="${BENCH_CHANNELS:-1000}"
[ "$channels" -gt "$n" ] && channels="$n"
graphile_version="0.17.3" # the last release that runs on Node 20
admin_url="${TRIBUNE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
server_url="${admin_url%/*}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
work="$target/bench-jobs"
mkdir -p "$work"

scripts/ensure-postgres.sh >/dev/null
cargo build --release -q -p tribune --features sink
bin="$target/release/tribune"

run_id="$(date +%s)_$$"
tribune_db="tribune_bench_${run_id}"
graphile_db="graphile_bench_${run_id}"
results="$work/results-${run_id}.jsonl"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $tribune_db WITH (FORCE)" >/dev/null 2>&1 || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $graphile_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work/data-$run_id" "$work/sink-$run_id.url"
}
trap cleanup EXIT

echo "job queue benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $n jobs, 3 workers × concurrency $concurrency"

# --- tribune -------------------------------------------------------------------------------
psql "$admin_url" -qc "CREATE DATABASE $tribune_db" >/dev/null
export TRIBUNE_DATABASE_URL="$server_url/$tribune_db"
TRIBUNE_SECRET_KEY="$(head -c 32 /dev/urandom | base64)"
export TRIBUNE_SECRET_KEY
export TRIBUNE_ALLOW_HTTP_NETWORKS=true
export TRIBUNE_DATA_DIR="$work/data-$run_id"
export RUST_LOG="${RUST_LOG:-warn}"
"$bin" migrate >/dev/null

"$bin" bench sink > "$work/sink-$run_id.url" &
pids+=($!)
until [ -s "$work/sink-$run_id.url" ]; do sleep 0.05; done
sink="$(head -n1 "$work/sink-$run_id.url")"

"$bin" bench seed --posts "$n" --channels "$channels" --sink "$sink"
for _ in 1 2 3; do
  "$bin" worker --concurrency "$concurrency" &
  pids+=($!)
done
sleep 1 # let the workers start and go idle; what is measured starts at the due time
due="$("$bin" bench release --in-secs 2)"
"$bin" bench check --sink "$sink" --due "$due" --name "tribune: publish jobs to the no-op sink" --out "$results"
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()

# --- the floor -----------------------------------------------------------------------------
"$bin" bench floor --jobs "$n" --loops 3 --name "floor: 3 plain SKIP LOCKED loops" --out "$results"

# --- graphile-worker -----------------------------------------------------------------------
if [ "${BENCH_SKIP_GRAPHILE:-}" != "1" ]; then
  npm_dir="$work/graphile-$graphile_version"
  if [ ! -f "$npm_dir/node_modules/graphile-worker/package.json" ]; then
    mkdir -p "$npm_dir"
    echo '{"private": true}' > "$npm_dir/package.json"
    (cd "$npm_dir" && npm install --no-audit --no-fund --save-exact "graphile-worker@$graphile_version" >/dev/null)
  fi
  script="$PWD/scripts/bench-jobs/graphile.js"
  graphile() { (cd "$npm_dir" && NODE_PATH="$npm_dir/node_modules" node "$script" "$@"); }
  export GRAPHILE_DATABASE_URL="$server_url/$graphile_db"
  # Twice: graphile-worker's defaults, then with its batching (local queue, batched completes).
  for mode in default batched; do
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS $graphile_db WITH (FORCE)" >/dev/null
    psql "$admin_url" -qc "CREATE DATABASE $graphile_db" >/dev/null
    graphile seed "$n"
    queue=""
    [ "$mode" = batched ] && queue=$((concurrency * 4))
    outs=()
    for i in 1 2 3; do
      out="$work/graphile-$run_id-$mode-$i.json"
      outs+=("$out")
      graphile work "$concurrency" "$out" $queue &
      pids+=($!)
    done
    sleep 2 # node's start
    due="$(graphile release 2)"
    for pid in "${pids[@]}"; do wait "$pid"; done
    pids=()
    graphile summarize "$n" "$due" "graphile-worker $graphile_version ($mode)" "$results" "${outs[@]}"
    rm -f "${outs[@]}"
  done
fi

echo
"$bin" bench table "$results"
echo "(results: $results)"
