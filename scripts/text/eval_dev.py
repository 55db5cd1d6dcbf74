#!/usr/bin/env python3
"""Scores every dev file in DIR (default ../shared/data/classifiers/dev) with the classifier
its name says, one line per file: file, task, n, accuracy, macro-F1, lowest recall.
Sentiment files with a neutral class are scored three-class (`tribune text eval`'s macro-F1
averages the labels present in the file). Nothing is tuned here: it only measures.

    python3 scripts/text/eval_dev.py [DIR] [--json]
"""
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    as_json = "--json" in sys.argv
    folder = args[0] if args else os.path.join(ROOT, "..", "shared", "data", "classifiers", "dev")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "tribune-text", "--features", "cli",
                    "--example", "text"], cwd=ROOT, check=True)
    exe = os.path.join(target, "release", "examples", "text")
    results = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".tsv"):
            continue
        task = name.split("_")[0]
        lang = "fr" if "_fr" in name else "en"
        out = subprocess.run([exe, "eval", "--task", task, "--lang", lang, "--json",
                              os.path.join(folder, name)], capture_output=True, check=True)
        r = json.loads(out.stdout)
        results[name] = r
        low = min(((k, v["recall"]) for k, v in r["labels"].items() if v["support"]),
                  key=lambda kv: kv[1])
        if not as_json:
            print(f"{name:28s} {task:10s} {r['n']:6d} {r['accuracy']:.3f} {r['macro_f1']:.3f}"
                  f"  lowest recall {low[0]} {low[1]:.2f}")
    if as_json:
        json.dump(results, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
