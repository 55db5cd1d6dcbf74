#!/usr/bin/env bash
# Installs the Hunspell dictionaries the spell check tests use (Debian's hunspell-fr and
# hunspell-en-us, into /usr/share/hunspell) when they are missing, as root or through sudo -n.
# With CI=true a dictionary that cannot be installed is an error; otherwise the tests that need
# it are skipped with a message.
set -euo pipefail

dir=/usr/share/hunspell
installed() {
  [ -f "$dir/en_US.aff" ] && [ -f "$dir/en_US.dic" ] &&
    { [ -f "$dir/fr.dic" ] || [ -f "$dir/fr_FR.dic" ]; }
}

if installed; then
  echo "Hunspell dictionaries present in $dir"
  exit 0
fi
echo "==> installing hunspell-fr and hunspell-en-us"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  SUDO=(false)
fi
export DEBIAN_FRONTEND=noninteractive
if command -v apt-get >/dev/null 2>&1 && [ "${SUDO[0]:-}" != false ]; then
  "${SUDO[@]}" apt-get install -y hunspell-fr hunspell-en-us </dev/null ||
    { "${SUDO[@]}" apt-get update </dev/null && "${SUDO[@]}" apt-get install -y hunspell-fr hunspell-en-us </dev/null; } ||
    true
fi
if installed; then
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "the Hunspell dictionaries are required with CI=true: apt-get install hunspell-fr hunspell-en-us" >&2
  exit 1
fi
echo "Hunspell dictionaries missing: the spell check tests that need them will be skipped" >&2
