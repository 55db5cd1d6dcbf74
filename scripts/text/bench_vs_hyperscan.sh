#!/usr/bin/env bash
# Installs Hyperscan's Python bindings (PyPI `hyperscan`) into a venv under target/, then runs
# the matcher benchmark, which prints, in the same run and on the same posts: tribune's
# compiled matcher (full boolean matching of 10,000 queries), Hyperscan's literal prefilter
# over the same queries' terms, and each query evaluated in turn (the floor); then the memory
# of 100,000 compiled queries. Results: docs/text/BENCHMARKS.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/target/hyperscan-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import hyperscan" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "hyperscan==0.9.1"
fi
export TRIBUNE_HYPERSCAN_PYTHON="$VENV/bin/python"
# One core, as the target says; taskset is optional.
PIN=()
if command -v taskset >/dev/null; then
  PIN=(taskset -c 0)
fi
cd "$ROOT"
cargo bench -q -p tribune-text --bench matcher --no-run
"${PIN[@]}" cargo bench -q -p tribune-text --bench matcher "$@"
