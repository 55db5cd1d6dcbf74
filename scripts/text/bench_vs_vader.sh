#!/usr/bin/env bash
# Installs VADER and vaderSentiment-fr into a venv under target/, builds tribune-text's
# CLI, and prints sentiment macro-F1 side by side on the dev files.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/target/vader-venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "vaderSentiment==3.3.2" "vadersentiment-fr==1.3.4"
fi
cargo build -q --release -p tribune-text --features cli --example text --manifest-path "$ROOT/Cargo.toml"
"$VENV/bin/python" "$ROOT/scripts/text/bench_vs_vader.py" "$@"
