#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, unit and integration tests on SQLite
# and PostgreSQL, connector tests against real local servers (started by scripts/peers/start.sh
# and left running for the next run; scripts/peers/stop.sh stops them), and the browser test in
# headless Chromium. With CI=true, a PostgreSQL server, a peer, a spelling dictionary or the
# Factur-X checker that cannot be reached or installed fails the run instead of skipping its tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "PostgreSQL for the storage tests"
scripts/ensure-postgres.sh

step "Hunspell dictionaries for the spell check tests"
scripts/ensure-dictionaries.sh

step "Factur-X checker (PyPI factur-x and pikepdf in target/facturx-venv)"
scripts/facturx/ensure-checker.sh

step "local peer servers for the connectors (Bluesky PDS + AppView, Mastodon API, WordPress)"
scripts/peers/start.sh
set -a
# shellcheck source=/dev/null
. target/peers/env
set +a

step "cargo test (SQLite and PostgreSQL, connectors against the local peers)"
# Snapshots (insta) are compared, never written: a changed API answer fails here, as under
# CI=true; review it with `cargo insta review` or INSTA_UPDATE=always.
INSTA_UPDATE=no cargo test --workspace --all-features

step "browser test (headless Chromium)"
scripts/browser-test.sh
