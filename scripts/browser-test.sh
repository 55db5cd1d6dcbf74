#!/usr/bin/env bash
# Browser test: a person's first session in real headless Chromium
# (first-run setup -> log in -> workspace in French -> English -> log out), with
# WCAG AA contrast checked by axe-core on the main pages in light and dark schemes, and,
# with the peers' SMTP sink, a client approving a post from the e-mailed link
# (tests/browser/first-session.test.js; screenshots in target/screenshots/); and issue #10's
# chain on the local Bluesky network: compose with a typo and an image without alt text, fix,
# submit, the client approves from the e-mail, calendar, published, the record read back from
# the PDS (tests/browser/publish-chain-bluesky.test.js; screenshots in
# target/screenshots-bluesky-chain/); and the inbox on the local Bluesky network: a fan's
# replies (one hostile) and mention arrive, are triaged with the keyboard, and the answer is
# read back from the PDS (tests/browser/inbox-bluesky.test.js; target/screenshots-inbox/).
#
# The peers (scripts/peers/start.sh) are found through the TRIBUNE_TEST_* variables, read from
# target/peers/env when they are not set.
#
# Usage: scripts/browser-test.sh
# Needs: cargo, node >= 20, npm; installs Debian's chromium and Hunspell dictionaries when missing
# (as root, non-interactively). Safe to run repeatedly.
set -euo pipefail

cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM" ]; then
    echo "==> installing chromium"
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
    else
        echo "chromium is missing and we are not root: install it with 'apt-get install chromium chromium-driver'" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update </dev/null
    "${SUDO[@]}" apt-get install -y chromium chromium-driver </dev/null
fi
"$CHROMIUM" --version 2>/dev/null  # (Debian's wrapper prints a harmless "[: unexpected operator" on stderr)

# The composer step shows a spelling note: it needs the French dictionary.
scripts/ensure-dictionaries.sh

# Never let playwright fetch browsers; we use the system chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

echo "==> npm ci (tests/browser)"
# npm ci wipes and reinstalls node_modules; skip it when the installed tree
# already matches the lockfile (npm writes node_modules/.package-lock.json).
if [ -f tests/browser/node_modules/.package-lock.json ] &&
    [ -d tests/browser/node_modules/playwright-core ] &&
    [ -d tests/browser/node_modules/axe-core ] &&
    [ ! tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
    echo "node_modules is up to date"
else
    (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund)
fi

echo "==> cargo build -p tribune"
cargo build -p tribune

if [ -z "${TRIBUNE_TEST_SMTP_DIR:-}" ] && [ -f target/peers/env ]; then
    set -a
    # shellcheck source=/dev/null
    . target/peers/env
    set +a
fi

echo "==> node --test tests/browser/"
export TRIBUNE_BIN="${TRIBUNE_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/debug/tribune}"
export CHROMIUM
# One file at a time: each starts its own server and browser, and the machine may be small.
node --test --test-concurrency=1 tests/browser/
