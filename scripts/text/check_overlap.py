#!/usr/bin/env python3
"""Checks the hand-written training sets (data/text/train/*.tsv) against the dev files for
exact and near-duplicate texts, and prints every pair found.

    python3 scripts/text/check_overlap.py [DEV_DIR] [--threshold 0.5]

- exact: same text after lowercasing, removing accents and punctuation;
- near: Jaccard similarity of word bigram sets >= threshold (default 0.5), or of
  character 5-gram sets >= threshold + 0.2 (catches reworded lines that keep phrasing).

Exit status 1 when an exact or near duplicate is found, so it can gate a commit.
"""
import glob
import os
import re
import sys
import unicodedata

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def norm(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def bigrams(n):
    w = n.split()
    return {(a, b) for a, b in zip(w, w[1:])} or {(x,) for x in w}


def chars(n, k=5):
    return {n[i:i + k] for i in range(max(1, len(n) - k + 1))}


def jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


def rows(path):
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if "\t" in line and not line.startswith("#"):
                yield i, line.rstrip("\n").split("\t", 1)[1]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    threshold = 0.5
    if "--threshold" in sys.argv:
        threshold = float(sys.argv[sys.argv.index("--threshold") + 1])
        args = [a for a in args if a != str(sys.argv[sys.argv.index("--threshold") + 1])]
    dev_dir = args[0] if args else os.path.join(ROOT, "..", "shared", "data", "classifiers", "dev")
    dev = []
    for path in sorted(glob.glob(os.path.join(dev_dir, "*.tsv"))):
        name = os.path.basename(path)
        for i, text in rows(path):
            n = norm(text)
            dev.append((name, i, text, n, bigrams(n), chars(n)))
    by_exact = {}
    for d in dev:
        by_exact.setdefault(d[3], []).append(d)
    # Reviews and e-mails are checked exactly only (too large for pairwise checks, and not
    # the kind of text written here).
    small = [d for d in dev if d[0] not in ("sentiment_en.tsv", "sentiment_fr.tsv", "spam_en.tsv")]
    found = 0
    checked = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "data", "text", "train", "*.tsv"))):
        name = os.path.basename(path)
        for i, text in rows(path):
            checked += 1
            n = norm(text)
            for d in by_exact.get(n, []):
                print(f"EXACT {name}:{i} = {d[0]}:{d[1]}\n  {text}\n  {d[2]}")
                found += 1
            b, c = bigrams(n), chars(n)
            for d in small:
                jb, jc = jaccard(b, d[4]), jaccard(c, d[5])
                if d[3] != n and (jb >= threshold or jc >= threshold + 0.2):
                    print(f"NEAR {name}:{i} ~ {d[0]}:{d[1]} (bigrams {jb:.2f}, chars {jc:.2f})"
                          f"\n  {text}\n  {d[2]}")
                    found += 1
    print(f"checked {checked} training lines against {len(dev)} dev lines: {found} overlaps",
          file=sys.stderr)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
