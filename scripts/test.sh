#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, unit and integration tests on SQLite
# and PostgreSQL, and the browser test in headless Chromium. With CI=true, a PostgreSQL server
# that cannot be reached fails the run instead of skipping its half of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "PostgreSQL for the storage tests"
scripts/ensure-postgres.sh

step "cargo test (SQLite and PostgreSQL)"
cargo test --workspace --all-features

step "browser test (headless Chromium)"
scripts/browser-test.sh
