#!/usr/bin/env bash
# Calendar benchmark (issue #10): a workspace with 2,000 posts in one month (20 sink channels,
# SQLite, the freelancer's default), and the month view of that month rendered by the server —
# its latency with one connection (what a person waits for) and its throughput with 16, next to
# a static file served by the same binary in the same run. Load goes to 127.0.0.1 only.
# Usage: scripts/bench-calendar.sh [posts, default 2000] [seconds per wrk run, default 8]
set -euo pipefail
cd "$(dirname "$0")/.."
posts="${1:-2000}"
duration="${2:-8}"
month="2099-03"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
cargo build --release -q -p tribune --features sink
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/tribune"
dir="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

export TRIBUNE_DATA_DIR="$dir/data"
export TRIBUNE_ALLOW_HTTP_NETWORKS=true
export RUST_LOG="${RUST_LOG:-warn}"

echo "calendar benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $posts posts in $month, SQLite"

"$bin" bench sink > "$dir/sink.url" &
pids+=($!)
until [ -s "$dir/sink.url" ]; do sleep 0.05; done
sink="$(head -n1 "$dir/sink.url")"
# The instance needs its owner before anyone can log in (first run otherwise leads to setup).
printf '%s\n' 'a long enough passphrase' | "$bin" user create --email owner@example.invalid --password-stdin --owner >/dev/null
"$bin" bench seed --posts "$posts" --channels 20 --sink "$sink" --month "$month"

"$bin" serve --listen 127.0.0.1:0 > "$dir/out" 2> "$dir/err" &
pids+=($!)
until grep -q 'ready at' "$dir/out" 2>/dev/null; do sleep 0.05; done
url=$(grep -o 'http://[0-9.:]*' "$dir/out")
jar="$dir/cookies"
csrf=$(curl -fs -c "$jar" "$url/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -fs -o /dev/null -b "$jar" -c "$jar" --data-urlencode "_csrf=$csrf" \
  --data-urlencode 'email=bench@example.invalid' \
  --data-urlencode 'password=bench password, not a secret' "$url/login"
session=$(awk '$6 == "tribune_session" {print $7}' "$jar")
page="$url/w/1/calendar?month=$month"
shown=$(curl -fs -H "Cookie: tribune_session=$session" "$page" | grep -o 'data-post="' | wc -l)
[ "$shown" -ge "$posts" ] || { echo "the month view shows $shown posts, expected $posts" >&2; exit 1; }
bytes=$(curl -fs -H "Cookie: tribune_session=$session" "$page" | wc -c)

latency() { wrk -t1 -c1 -d"${duration}s" --latency "$@" | awk '$1 == "50%" {p50=$2} $1 == "99%" {p99=$2} END {print p50, p99}'; }
rps() { wrk -t2 -c16 -d"${duration}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
read -r static_p50 static_p99 < <(latency "$url/static/app.css")
read -r page_p50 page_p99 < <(latency -H "Cookie: tribune_session=$session" "$page")
static_rps=$(rps "$url/static/app.css")
page_rps=$(rps -H "Cookie: tribune_session=$session" "$page")

printf '\n%-60s %12s\n' "measure" "result"
printf '%-60s %12s\n' "posts in the month view (rendered, draggable)" "$shown"
printf '%-60s %12s\n' "page size, bytes" "$bytes"
printf '%-60s %12s\n' "static file, latency p50 / p99 (1 connection)" "$static_p50 / $static_p99"
printf '%-60s %12s\n' "month view, latency p50 / p99 (1 connection; target < 100ms)" "$page_p50 / $page_p99"
printf '%-60s %12s\n' "static file (baseline), req/s (16 connections)" "$static_rps"
printf '%-60s %12s\n' "month view, req/s (16 connections)" "$page_rps"
printf '%-60s %11.4f×\n' "month view / static baseline (req/s)" "$(echo "$page_rps / $static_rps" | bc -l)"
