#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use is reachable (TRIBUNE_TEST_POSTGRES_URL, default
# postgres://postgres@127.0.0.1:5432/postgres). Starts a local Debian cluster when one is installed
# but stopped. With CI=true an unreachable server is an error; otherwise the PostgreSQL half of
# the tests is skipped with a message.
set -euo pipefail
url="${TRIBUNE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

reachable() {
  if command -v psql >/dev/null 2>&1; then
    psql "$url" -Atqc 'SELECT 1' >/dev/null 2>&1
  else
    (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
  fi
}

if reachable; then
  echo "PostgreSQL reachable at ${url%%@*}@…"
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in /etc/postgresql/*; do
    pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start 2>/dev/null || true
  done
  for _ in $(seq 1 30); do
    reachable && { echo "PostgreSQL started"; exit 0; }
    sleep 1
  done
fi
if [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required with CI=true but $url cannot be reached" >&2
  exit 1
fi
echo "PostgreSQL not reachable: its half of the storage tests will be skipped" >&2
