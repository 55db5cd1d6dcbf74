#!/usr/bin/env bash
# Inbox benchmark (issue #11 targets), on SQLite and on PostgreSQL:
# - ingestion: ITEMS generated messages classified, stored and run through five moderation rules
#   by the fetch job's code (`tribune bench inbox-seed`), beside each part alone;
# - the inbox list (50 new items) and a full-text search (`livraison OR colis`), 50 connections
#   for SECONDS each (wrk on 127.0.0.1, p50/p99), beside the floor: the same SQL statement run
#   by the database's own client at the same concurrency (pgbench for PostgreSQL; for SQLite,
#   50 processes on its own library through Python's sqlite3 module).
# Usage: scripts/bench-inbox.sh [ITEMS, default 1000000] [SECONDS, default 10]
#   BENCH_BACKENDS="sqlite" to run one database only (default: "sqlite postgres").
set -euo pipefail
cd "$(dirname "$0")/.."
items="${1:-1000000}"
duration="${2:-10}"
pg_admin="${TRIBUNE_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
pg_db=tribune_bench_inbox

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | tail -1)
cargo build --release -q -p tribune --features sink
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/tribune"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

now=$(date +%s)
# The statements the store runs for the two pages (the list's first statement; the labels of
# the page's items are a second, small one). On SQLite a search page reads the workspace's
# matches newest first from FTS5, 200 at a time, then their rows: one statement here.
columns="id, workspace_id, channel_id, remote_ref, kind, in_reply_to, root_ref, thread_ref, author_remote_id, author_handle, author_name, author_url, text, url, links, created_at, received_at, lang, sentiment, toxicity, spam, network_status, status, snoozed_until, assignee_id, first_response_at, done_at"
list_sql="SELECT $columns FROM inbox_items WHERE workspace_id = 1 AND (status = 'new' OR (status = 'snoozed' AND snoozed_until <= $now)) ORDER BY id DESC LIMIT 51"
search_sqlite="SELECT $columns FROM inbox_items WHERE workspace_id = 1 AND id IN (SELECT rowid FROM inbox_fts WHERE inbox_fts MATCH 'workspace : \"w1\" AND search_text : (\"livraison\" OR \"colis\")' ORDER BY rowid DESC LIMIT 200) ORDER BY id DESC LIMIT 100"
search_pg="SELECT $columns FROM inbox_items WHERE workspace_id = 1 AND search @@ to_tsquery('simple', '(''livraison'' | ''colis'')') ORDER BY id DESC LIMIT 100"

# p50 and p99 (ms) of wrk's latency distribution.
wrk_run() {
  local url="$1" token="$2" out
  out=$(wrk -t2 -c50 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$url")
  local p50 p99 rps
  p50=$(awk '/^ +50%/ {print $2}' <<<"$out")
  p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  echo "$p50 $p99 $rps"
}

# The floor on SQLite: 50 processes (as pgbench's 50 clients), each with its own connection
# running the statement for SECONDS through SQLite's own library; p50 p99 (ms) and rate.
sqlite_floor() {
  python3 - "$1" "$2" "$duration" <<'PY'
import multiprocessing, sqlite3, sys, time
path, sql, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
def run(_):
    db = sqlite3.connect(path)
    db.execute(sql).fetchall()
    mine, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.perf_counter(); db.execute(sql).fetchall(); mine.append(time.perf_counter() - t)
    return mine
with multiprocessing.Pool(50) as pool:
    lat = sorted(x for part in pool.map(run, range(50)) for x in part)
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
print(f"{pct(0.5):.2f}ms {pct(0.99):.2f}ms {len(lat) / seconds:.0f}")
PY
}

# The floor on PostgreSQL: pgbench, 50 clients, per-statement log; p50 p99 (ms) and rate.
pg_floor() {
  local sql="$1" dir="$work/pgbench"
  rm -rf "$dir"; mkdir -p "$dir"
  echo "$sql;" > "$dir/query.sql"
  (cd "$dir" && "$pgbench" -n -c 50 -j 2 -T "$duration" -f query.sql -l "$pg_admin/$pg_db" >/dev/null 2>&1)
  cat "$dir"/pgbench_log.* | awk '{print $3}' | sort -n | awk -v d="$duration" '
    {v[NR]=$1} END {printf "%.2fms %.2fms %.0f\n", v[int(NR*0.5)]/1000, v[int(NR*0.99)]/1000, NR/d}'
}

results=()
run_backend() {
  local backend="$1" data="$work/$1" url_args=()
  mkdir -p "$data"
  if [ "$backend" = postgres ]; then
    psql -q "$pg_admin/postgres" -c "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db" >/dev/null
    url_args=(--database-url "$pg_admin/$pg_db")
  fi
  echo "== $backend: seeding $items items" >&2
  "$bin" --data-dir "$data" "${url_args[@]}" bench inbox-seed --items "$items" > "$work/seed-$backend"
  local token ws
  token=$(awk -F= '/^token=/ {print $2}' "$work/seed-$backend")
  ws=$(awk -F= '/^workspace=/ {print $2}' "$work/seed-$backend")
  : > "$work/out"
  "$bin" --data-dir "$data" "${url_args[@]}" serve --listen 127.0.0.1:0 > "$work/out" 2> "$work/err" &
  pid=$!
  until grep -q 'ready at' "$work/out" 2>/dev/null; do sleep 0.1; done
  local base
  base=$(grep -o 'http://[0-9.:]*' "$work/out")
  local list_url="$base/api/v1/workspaces/$ws/inbox?status=new&limit=50"
  local search_url="$base/api/v1/workspaces/$ws/inbox?q=livraison%20OR%20colis&limit=50"
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "$list_url"
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "$search_url"
  read -r list_p50 list_p99 list_rps < <(wrk_run "$list_url" "$token")
  read -r search_p50 search_p99 search_rps < <(wrk_run "$search_url" "$token")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  local floor_list floor_search
  if [ "$backend" = sqlite ]; then
    # Python's SQLite may be older than the one tribune bundles (FTS5's `contentless_delete`
    # needs 3.43): then that floor cannot be read, and says so.
    floor_list=$(sqlite_floor "$data/tribune.db" "$list_sql" 2>/dev/null || echo "n/a (Python's SQLite $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)') cannot read this database)")
    floor_search=$(sqlite_floor "$data/tribune.db" "$search_sqlite" 2>/dev/null || echo "n/a (Python's SQLite $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)') cannot read the FTS5 index)")
  else
    floor_list=$(pg_floor "$list_sql")
    floor_search=$(pg_floor "$search_pg")
  fi
  results+=("$backend|$(grep -E '^(ingest|classify|store|rules)_per_sec|^rules_matched' "$work/seed-$backend" | tr '\n' ' ')|list $list_p50 / $list_p99 ($list_rps req/s)|floor $floor_list|search $search_p50 / $search_p99 ($search_rps req/s)|floor $floor_search")
}

echo "tribune inbox benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $items items, wrk ${duration}s x 50 connections"
for backend in ${BENCH_BACKENDS:-sqlite postgres}; do
  run_backend "$backend"
done
for line in "${results[@]}"; do
  IFS='|' read -r backend ingest list floor_list search floor_search <<<"$line"
  echo
  echo "$backend"
  echo "  ingestion, items/s:        $ingest"
  echo "  list p50 / p99:            $list"
  echo "    floor (same SQL, p50 p99 rate): $floor_list"
  echo "  search p50 / p99:          $search"
  echo "    floor (same SQL, p50 p99 rate): $floor_search"
done
