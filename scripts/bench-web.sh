#!/usr/bin/env bash
# Web benchmark (issue #3 targets): idle memory of `tribune serve` on SQLite, time from start to
# first response, and an authenticated page's throughput with 64 connections next to a static
# file served by the same binary in the same run. Load goes to 127.0.0.1 only, bounded in time.
# Usage: scripts/bench-web.sh [seconds per wrk run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
cargo build --release -p tribune -q
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/tribune"
dir="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

now_ms() { date +%s%3N; }

# Starts the server; sets $pid, $url and $elapsed (milliseconds from exec to the first 200).
start_server() {
  local t0 t1
  : > "$dir/out"
  t0=$(now_ms)
  "$bin" --data-dir "$dir/data" serve --listen 127.0.0.1:0 > "$dir/out" 2> "$dir/err" &
  pid=$!
  until grep -q 'ready at' "$dir/out" 2>/dev/null; do :; done
  url=$(grep -o 'http://[0-9.:]*' "$dir/out")
  until curl -fs -o /dev/null "$url/healthz"; do :; done
  t1=$(now_ms)
  elapsed=$((t1 - t0))
}

stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }

echo "tribune web benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk ${duration}s x 64 connections"

start_server
first=$elapsed
idle_fresh=$(rss_kb)
stop_server
printf '%s\n' 'a long enough passphrase' | "$bin" --data-dir "$dir/data" user create --email bench@example.fr --password-stdin --owner >/dev/null
token=$("$bin" --data-dir "$dir/data" token create --email bench@example.fr)

starts=()
for _ in 1 2 3 4 5; do start_server; starts+=("$elapsed"); stop_server; done
warm=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 3p)

start_server
curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"name":"Boulangerie Dupont"}' "$url/api/v1/workspaces"
jar="$dir/cookies"
csrf=$(curl -fs -c "$jar" "$url/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -fs -o /dev/null -b "$jar" -c "$jar" --data-urlencode "_csrf=$csrf" \
  --data-urlencode 'email=bench@example.fr' --data-urlencode 'password=a long enough passphrase' "$url/login"
session=$(awk '$6 == "tribune_session" {print $7}' "$jar")
page_status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: tribune_session=$session" "$url/w/1")
[ "$page_status" = 200 ] || { echo "authenticated page answered $page_status" >&2; exit 1; }
sleep 2
idle=$(rss_kb)

rps() { awk '/Requests\/sec/ {print $2}'; }
# A counter from /metrics (the store counts the SQL statements it runs, the web the time spent
# rendering templates), read before and after the page run to measure, not count by hand.
metric() { curl -fs "$url/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
page_requests() {
  curl -fs "$url/metrics" | awk '/^tribune_http_requests_total\{/ && /route="\/w\/\{ws\}"/ {n += $2} END {print n + 0}'
}
static_rps=$(wrk -t2 -c64 -d"${duration}s" "$url/static/app.css" | rps)
statements0=$(metric tribune_db_statements_total)
renders0=$(metric tribune_template_renders_total)
render_s0=$(metric tribune_template_render_seconds_total)
pages0=$(page_requests)
page_rps=$(wrk -t2 -c64 -d"${duration}s" -H "Cookie: tribune_session=$session" "$url/w/1" | rps)
statements1=$(metric tribune_db_statements_total)
renders1=$(metric tribune_template_renders_total)
render_s1=$(metric tribune_template_render_seconds_total)
pages1=$(page_requests)
per_page=$(echo "($statements1 - $statements0) / ($pages1 - $pages0)" | bc -l)
render_us=$(echo "($render_s1 - $render_s0) * 1000000 / ($renders1 - $renders0)" | bc -l)
health_rps=$(wrk -t2 -c64 -d"${duration}s" "$url/healthz" | rps)
loaded=$(rss_kb)

printf '\n%-52s %12s\n' "measure" "result"
printf '%-52s %9s ms\n' "start to first response, fresh data dir (migrations)" "$first"
printf '%-52s %9s ms\n' "start to first response, existing database (median of 5)" "$warm"
printf '%-52s %9.1f MB\n' "idle RSS, fresh start" "$(echo "$idle_fresh / 1024" | bc -l)"
printf '%-52s %9.1f MB\n' "idle RSS, after login and first pages" "$(echo "$idle / 1024" | bc -l)"
printf '%-52s %9.1f MB\n' "RSS after the load runs" "$(echo "$loaded / 1024" | bc -l)"
printf '%-52s %12s\n' "static file /static/app.css (baseline), req/s" "$static_rps"
printf '%-52s %12s\n' "authenticated page /w/1, req/s" "$page_rps"
printf '%-52s %12.2f\n' "  SQL statements per page (measured)" "$per_page"
printf '%-52s %9.1f µs\n' "  template rendering per page (mean, under load)" "$render_us"
printf '%-52s %12s\n' "/healthz (one SELECT 1), req/s" "$health_rps"
printf '%-52s %11.2f×\n' "authenticated page / static baseline" "$(echo "$page_rps / $static_rps" | bc -l)"
