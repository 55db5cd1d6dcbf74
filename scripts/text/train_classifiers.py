#!/usr/bin/env python3
"""Train tribune-text's learned classifiers (toxicity, spam, three-class sentiment) and write
crates/tribune-text/models/{toxicity,spam,sentiment3}_linear.bin.

    python3 scripts/text/train_classifiers.py [--dev DIR] [--only TASK] [--report]

Training data (docs/text/DATA.md):
- data/text/train/*.tsv: hand-written for tribune, CC0 (README beside them);
- English sentiment also uses the human-rated tweets and Amazon review snippets of PyPI
  `vaderSentiment==3.3.2`'s sdist (MIT; mean rating >= 0.5 pos, <= -0.5 neg, in between
  neutral), fetched by scripts/text/fetch_sources.sh; every fifth tweet is held out as the
  English social test set (target/text-data/tweets_test.tsv). Without the sdist English
  sentiment trains on the hand-written set only.

Every labelled row also teaches the other tasks what it is not: a complaint from the
sentiment set is neither toxic nor spam, a spam row is not toxic, a toxic row is not spam.

Augmentation (deterministic, seed fixed): toxicity rows get spelling variants of the way
people dodge filters (leetspeak, dots or spaces inside a word, asterisks, Cyrillic
look-alikes, stretched letters), on toxic and ok rows alike; spam rows get the small
template variations spammers use (brand, handle, amount, domain swapped; links masked as
`site[.]com` or written with look-alike digits), ham rows the same swaps without masking.
Variants stay in the group of their source row, so the validation split never holds a
variant of a training row.

Word salads (random mixes of the words and emoji of the rows that are neither toxic nor spam,
with invented product names and numbers) are added as ok / ham hard negatives; they are
fitted, never validated on.

Settings are chosen by macro-F1 (three-class for sentiment) on a 20% split of the TRAINING
data by source row (toxicity and spam: 3-fold cross-validation, predictions pooled), scored on the
held-out source rows (not their variants): L2 strength
and epochs; for toxicity and spam the weight of the positive class; for sentiment the
weight of the review snippets (validated on social text only) and, per language with at
least 300 validation rows, neutral/positive logit offsets if they gain >= 0.005. The dev
files are never used to choose anything. --dev DIR only drops training rows equal (normalised) to a dev row, as a guard.

Features come from the Rust code itself (`examples/classifier_features.rs`), so training and
inference cannot disagree. Deterministic: pure Python, fixed seeds.
"""
import argparse
import glob
import io
import math
import os
import random
import re
import struct
import subprocess
import sys
import tarfile
import unicodedata

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "data", "text", "train")
SRC = os.path.join(ROOT, "target", "text-data", "src")
MODELS = os.path.join(ROOT, "crates", "tribune-text", "models")
BITS = 18  # learned.rs BITS

TASKS = {
    "toxicity": {"labels": ["ok", "toxic"], "out": "toxicity_linear.bin", "folds": 3},
    "spam": {"labels": ["ham", "spam"], "out": "spam_linear.bin", "folds": 3},
    "sentiment": {"labels": ["neg", "neu", "pos"], "out": "sentiment3_linear.bin"},
}


def normalise(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or "\t" not in line:
                continue
            label, text = line.split("\t", 1)
            rows.append((label.strip(), text.strip()))
    return rows


# ---------------------------------------------------------------- augmentation

LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}
VOWELS = "aeiouy"


def load_profanity():
    words = set()
    for name in ("profanity_fr.txt", "profanity_en.txt"):
        with open(os.path.join(MODELS, name), encoding="utf-8") as f:
            for line in f:
                w = line.strip()
                if w and not w.startswith("#") and " " not in w and len(w) >= 4:
                    words.add(w)
    return words


def obfuscate_word(word, kind, rng):
    letters = list(word)
    inner = [i for i in range(1, len(letters) - 1) if letters[i].isalpha()]
    if kind == "leet":
        cand = [i for i in inner if letters[i].lower() in LEET]
        for i in rng.sample(cand, min(len(cand), rng.choice([1, 2]))):
            letters[i] = LEET[letters[i].lower()]
        return "".join(letters)
    if kind == "dots":
        return ".".join(letters)
    if kind == "spaces":
        return " ".join(letters)
    if kind == "hyphens":
        return "-".join(letters)
    if kind == "star":
        cand = [i for i in inner if letters[i].lower() in VOWELS]
        if cand:
            letters[rng.choice(cand)] = "*"
        return "".join(letters)
    if kind == "cyrillic":
        return "".join(CYRILLIC.get(c, c) if rng.random() < 0.7 else c for c in letters)
    if kind == "stretch":
        cand = [i for i in range(len(letters)) if letters[i].lower() in VOWELS]
        if cand:
            i = rng.choice(cand)
            letters[i] = letters[i] * rng.choice([3, 4])
        return "".join(letters)
    if kind == "caps":
        return word.upper()
    return word


KINDS = ["leet", "dots", "spaces", "star", "cyrillic", "stretch", "hyphens", "caps"]
WORD_RE = re.compile(r"[A-Za-zÀ-ÿœæ]{4,}")


def toxicity_variants(text, profanity, rng, n=2):
    """Spelling variants of the most abuse-like words (or of a random long word)."""
    out = []
    words = [m for m in WORD_RE.finditer(text)]
    if not words:
        return out
    for _ in range(n):
        targets = [m for m in words if normalise(m.group()) in profanity]
        if not targets:
            targets = [rng.choice(words)]
        m = rng.choice(targets)
        kind = rng.choice(KINDS)
        new = obfuscate_word(m.group(), kind, rng)
        variant = text[: m.start()] + new + text[m.end():]
        if variant != text:
            out.append(variant)
    return out


BRANDS_FR = ["Vélonova", "Maison Garance", "Pixelune", "Trokko", "Verdi Banque", "Linéa Fit",
             "Sportéo", "Alto Mobile", "Brioche & Co", "Optika", "Cinélune", "Jardiloo"]
BRANDS_EN = ["Northwind", "Glimmer", "Hartley Books", "Copperleaf", "Tidewell", "Brightway Gym",
             "Zephyr Air", "Mapleview", "Lumen Labs", "Harborline", "Peakform", "Orchard Lane"]
HANDLES = ["@amelie.rx", "@j_dupuis", "@sam.k", "@nina_pht", "@leo_mrc", "@kate.w", "@dan_ortiz",
           "@chloe.b22", "@max_fit", "@ellie.rae"]
TLDS = ["xyz", "top", "click", "site", "online", "buzz", "shop", "info", "net", "com", "fr"]
DOMAIN_RE = re.compile(r"\b([a-z0-9-]+)\.([a-z]{2,10})\b")
MONEY_RE = re.compile(r"\d[\d ,.]*\s?(€|\$)|\$\s?\d[\d,.]*")


def spam_variants(text, label, lang, rng, n=3):
    brands = BRANDS_FR if lang == "fr" else BRANDS_EN
    out = []
    for k in range(n):
        t = text
        for b in brands:
            if b in t:
                t = t.replace(b, rng.choice(brands))
        t = re.sub(r"@[A-Za-z0-9_.]+", lambda m: rng.choice(HANDLES) if rng.random() < 0.6
                   else m.group(), t)
        if label == "spam":
            def dom(m):
                name, tld = m.group(1), m.group(2)
                if name in ("exemple", "example", "www"):
                    return m.group()
                choice = rng.random()
                if choice < 0.3:
                    return f"{name}[.]{rng.choice(TLDS)}"
                if choice < 0.45:
                    return f"{name} dot {tld}"
                if choice < 0.7:
                    swapped = name.replace("o", "0", 1) if "o" in name else name.replace("l", "1", 1)
                    return f"{swapped}.{tld}"
                return f"{name}.{rng.choice(TLDS)}"
            t = DOMAIN_RE.sub(dom, t)
            if rng.random() < 0.3:
                t = t + " " + rng.choice(["🔥", "💰", "🚀", "✅", "👇", "💸", "🤑"]) * rng.choice([1, 2, 3])
        def money(m):
            digits = re.sub(r"\D", "", m.group())
            if not digits:
                return m.group()
            value = int(digits) * rng.choice([1, 2, 3, 5]) // rng.choice([1, 2])
            return m.group().replace(digits[:len(str(value))], str(value)[:len(digits)], 1)
        t = MONEY_RE.sub(money, t)
        if k == n - 1 and rng.random() < 0.5:
            t = t.lower()
        if t != text:
            out.append(t)
    return out


# ---------------------------------------------------------------- data

def vader_rated(member):
    """(label, text) of one rated set in vaderSentiment's sdist (mean rating >= 0.5 pos,
    <= -0.5 neg, in between neutral)."""
    found = glob.glob(os.path.join(SRC, "vaderSentiment-3.3.2", "*", "additional_resources",
                                   "hutto_ICWSM_2014.tar.gz"))
    if not found:
        print("note: vaderSentiment sdist not fetched; English sentiment trains on the "
              "hand-written set only", file=sys.stderr)
        return []
    rows = []
    with tarfile.open(found[0]) as tar:
        data = tar.extractfile(f"hutto_ICWSM_2014/{member}").read()
    for line in io.StringIO(data.decode("utf-8", errors="replace")):
        parts = line.rstrip("\r\n").split("\t")
        if len(parts) < 3:
            continue
        rating = float(parts[1])
        body = " ".join("\t".join(parts[2:]).split())
        label = "pos" if rating >= 0.5 else "neg" if rating <= -0.5 else "neu"
        rows.append((label, body))
    return rows


REVIEW_GROUPS = 10_000_000
TWEETS_TEST = os.path.join(ROOT, "target", "text-data", "tweets_test.tsv")


def vader_tweets():
    """The rated tweets, minus every fifth one, kept out of training entirely and written
    to target/text-data/tweets_test.tsv: the English social-media test set (three classes)
    on which scripts/text/bench_vs_vader.py compares with VADER."""
    rows = vader_rated("tweets_GroundTruth.txt")
    test = [r for i, r in enumerate(rows) if i % 5 == 0]
    if test:
        os.makedirs(os.path.dirname(TWEETS_TEST), exist_ok=True)
        with open(TWEETS_TEST, "w", encoding="utf-8") as f:
            f.writelines(f"{label}\t{text}\n" for label, text in test)
    return [r for i, r in enumerate(rows) if i % 5 != 0]


SALAD_SYLLABLES = ["ka", "lo", "mi", "ber", "tan", "vo", "ri", "sel", "do", "pa", "nu", "zo",
                   "fen", "ta", "gri", "mo"]


def word_salads(rows_by_lang, bad_words, rng, n=300):
    """Hard negatives for text that is no sentence at all (lists of keywords, product
    names, scraped fragments): words drawn at random from the hand-written rows that are
    neither toxic nor spam (minus every word that also occurs in a toxic or spam row and
    the registry profanity lists), mixed with invented product names, numbers and the emoji of those rows. They
    are `ok` / `ham`: a random mix of harmless words insults nobody and sells nothing."""
    out = []
    for lang, texts in sorted(rows_by_lang.items()):
        vocab = sorted({w for t in texts for w in re.findall(r"[^\W\d_][\w'’-]*", t.lower())
                        if normalise(w) not in bad_words and len(w) > 1})
        # Emoji and emoticons of the same rows, as people write them between words.
        emoji = sorted({c for t in texts for c in t if unicodedata.category(c) == "So"})
        for _ in range(n):
            words = []
            for _ in range(rng.randint(6, 36)):
                r = rng.random()
                if r < 0.1:
                    words.append("".join(rng.choice(SALAD_SYLLABLES)
                                         for _ in range(rng.randint(2, 3))) + str(rng.randint(0, 99)))
                elif r < 0.13:
                    words.append(str(rng.randint(1, 9999)))
                elif r < 0.2 and emoji:
                    words.append(rng.choice(emoji))
                else:
                    words.append(rng.choice(vocab))
            out.append((lang, " ".join(words)))
    return out


def build(dev_dir):
    """Rows per task: (label, lang, text, group, weight)."""
    rng = random.Random(20261130)
    profanity = load_profanity()
    seen = set()
    if dev_dir:
        for path in sorted(glob.glob(os.path.join(dev_dir, "*.tsv"))):
            for _, text in read_tsv(path):
                seen.add(normalise(text))
    dropped = 0
    data = {t: [] for t in TASKS}
    group = 0

    def add(task, label, lang, text, g, weight=1.0):
        nonlocal dropped
        if normalise(text) in seen:
            dropped += 1
            return
        data[task].append((label, lang, text, g, weight))

    for lang in ("fr", "en"):
        for label, text in read_tsv(os.path.join(DATA, f"toxicity_{lang}.tsv")):
            group += 1
            variants = [text] + toxicity_variants(text, profanity, rng)
            for v in variants:
                add("toxicity", label, lang, v, group)
                add("spam", "ham", lang, v, group, 0.5)
        for label, text in read_tsv(os.path.join(DATA, f"spam_{lang}.tsv")):
            group += 1
            variants = [text] + spam_variants(text, label, lang, rng)
            for v in variants:
                add("spam", label, lang, v, group)
                add("toxicity", "ok", lang, v, group, 0.5)
        for label, text in read_tsv(os.path.join(DATA, f"sentiment_{lang}.tsv")):
            group += 1
            add("sentiment", label, lang, text, group, 2.0)
            add("toxicity", "ok", lang, text, group, 0.5)
            add("spam", "ham", lang, text, group, 0.5)
    # Word salads (hard negatives), each its own group with a negative id: they are fitted
    # but never in the validation split, which stays made of real comments.
    clean = {"fr": [], "en": []}
    bad_count, clean_count = {}, {}
    for lang in ("fr", "en"):
        for name, bad_label in (("toxicity", "toxic"), ("spam", "spam"), ("sentiment", None)):
            for label, text in read_tsv(os.path.join(DATA, f"{name}_{lang}.tsv")):
                counts = bad_count if label == bad_label else clean_count
                for w in set(normalise(text).split()):
                    counts[w] = counts.get(w, 0) + 1
                if label != bad_label:
                    clean[lang].append(text)
    # A word more frequent in toxic or spam rows than in the others is left out of the
    # salads, and so is every word of the registry profanity lists.
    bad = set(profanity) | {w for w, c in bad_count.items() if c > clean_count.get(w, 0)}
    for n, (lang, text) in enumerate(word_salads(clean, bad, random.Random(5))):
        add("toxicity", "ok", lang, text, -1 - n, 0.5)
        add("spam", "ham", lang, text, -1 - n, 0.5)
    for label, text in vader_tweets():
        group += 1
        add("sentiment", label, "en", text, group, 1.0)
    # Rated Amazon review snippets (Hu & Liu 2004, in the same sdist): reviews are where
    # the polar English dev file comes from; they weigh half a hand-written comment.
    # Their groups start at REVIEW_GROUPS: fitted, never in the validation split, which
    # holds social text only (comments and tweets).
    for n, (label, text) in enumerate(vader_rated("amazonReviewSnippets_GroundTruth.txt")):
        add("sentiment", label, "en", text, REVIEW_GROUPS + n, 0.5)
    print(f"decontamination: dropped {dropped} rows equal to a dev row", file=sys.stderr)
    return data


# ---------------------------------------------------------------- features and training

def features(rows):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "tribune-text", "--example",
                    "classifier_features"], cwd=ROOT, check=True)
    exe = os.path.join(target, "release", "examples", "classifier_features")
    data = "".join(f"{i}\t{lang}\t{text}\n" for i, (_, lang, text, _, _) in enumerate(rows))
    out = subprocess.run([exe], input=data.encode("utf-8"), capture_output=True,
                         check=True).stdout.decode("utf-8")
    xs = []
    for line in out.splitlines():
        _, idx = line.split("\t")
        xs.append([(int(i), float(v)) for i, v in (p.split(":") for p in idx.split())])
    assert len(xs) == len(rows), "feature extractor dropped lines"
    return xs


def train(xs, ys, ws, k, l2, epochs, seed=7):
    """Softmax (k=3) or logistic (k=1) regression, AdaGrad, lazy L2 on touched weights."""
    w = {}
    g2 = {}
    bias = [0.0] * k
    gb = [1e-8] * k
    lr = 0.3
    order = list(range(len(xs)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for n in order:
            x, y, weight = xs[n], ys[n], ws[n]
            z = list(bias)
            for i, v in x:
                row = w.get(i)
                if row:
                    for c in range(k):
                        z[c] += row[c] * v
            if k == 1:
                p = [1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z[0]))))]
                err = [(p[0] - y) * weight]
            else:
                m = max(z)
                e = [math.exp(v - m) for v in z]
                s = sum(e)
                err = [(e[c] / s - (1.0 if c == y else 0.0)) * weight for c in range(k)]
            for c in range(k):
                gb[c] += err[c] * err[c]
                bias[c] -= lr * err[c] / math.sqrt(gb[c])
            for i, v in x:
                row = w.get(i)
                if row is None:
                    row = w[i] = [0.0] * k
                    g2[i] = [1e-8] * k
                grow = g2[i]
                for c in range(k):
                    g = err[c] * v + l2 * row[c]
                    grow[c] += g * g
                    row[c] -= lr * g / math.sqrt(grow[c])
    return bias, w


def logits(model, x, k):
    bias, w = model
    z = list(bias)
    for i, v in x:
        row = w.get(i)
        if row:
            for c in range(k):
                z[c] += row[c] * v
    return z


def language_feature(xs, rows, lang):
    """The index of the `lang:xx` flag: the one feature every row of `lang` has and no row
    of another language has (the feature code is in Rust; this finds it from its output)."""
    mine, others = None, set()
    for x, r in zip(xs, rows):
        idx = {i for i, v in x if v == 1.0}
        if r[1] == lang:
            mine = idx if mine is None else mine & idx
        else:
            others |= idx
    found = sorted((mine or set()) - others)
    return found[0] if len(found) == 1 else None


OFFSETS = (-1.0, -0.6, -0.3, 0.0, 0.3, 0.6, 1.0)


def class_offsets(zs, gold, k):
    """Additive offsets for the neutral and positive logits that maximise three-class
    macro-F1 on `zs` (validation logits of one language); ties go to the smallest change."""
    best = None
    for dn in OFFSETS:
        for dp in OFFSETS:
            pred = [max(range(k), key=lambda c, z=z: z[c] + (dn if c == 1 else dp if c == 2 else 0.0))
                    for z in zs]
            f1 = macro_f1(gold, pred, k)
            key = (round(f1, 4), -abs(dn) - abs(dp))
            if best is None or key > best[0]:
                best = (key, dn, dp)
    return best[1], best[2], best[0][0]


def predict(model, x, k):
    bias, w = model
    z = list(bias)
    for i, v in x:
        row = w.get(i)
        if row:
            for c in range(k):
                z[c] += row[c] * v
    if k == 1:
        return 1 if z[0] >= 0 else 0
    return max(range(k), key=lambda c: z[c])


def macro_f1(gold, pred, n_labels):
    f1s = []
    for c in range(n_labels):
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        np_ = sum(1 for p in pred if p == c)
        ng = sum(1 for g in gold if g == c)
        if ng == 0:
            continue
        f1s.append(2 * tp / (np_ + ng) if np_ + ng else 0.0)
    return sum(f1s) / len(f1s)


def balance(rows, labels):
    """Per language, each class weighs as much as the others."""
    counts = {}
    for label, lang, _, _, w in rows:
        counts[(lang, label)] = counts.get((lang, label), 0) + w
    out = []
    for label, lang, _, _, w in rows:
        total = sum(counts.get((lang, l), 0) for l in labels)
        present = sum(1 for l in labels if counts.get((lang, l), 0) > 0)
        out.append(w * total / (present * counts[(lang, label)]))
    return out


def write(path, model, k):
    bias, w = model
    top = max((abs(v) for row in w.values() for v in row), default=1.0) or 1.0
    scale = top / 32767.0
    rows = []
    for i in sorted(w):
        q = [max(-32767, min(32767, round(v / scale))) for v in w[i]]
        if any(q):
            rows.append((i, q))
    with open(path, "wb") as f:
        f.write(b"TSM1" + struct.pack("<IIf", BITS, k, scale))
        f.write(struct.pack(f"<{k}f", *bias))
        f.write(struct.pack("<I", len(rows)))
        f.write(struct.pack(f"<{len(rows)}I", *(i for i, _ in rows)))
        f.write(struct.pack(f"<{len(rows) * k}h", *(v for _, q in rows for v in q)))
    print(f"wrote {path}: {os.path.getsize(path)} bytes, {len(rows)} features", file=sys.stderr)


def reweigh(rows, ws, ys, k, cw):
    """Binary tasks: the positive class times `cw`; sentiment: review snippets times `cw`."""
    if k == 1:
        return [w * (cw if y == 1 else 1.0) for w, y in zip(ws, ys)]
    return [w * (cw if r[3] >= REVIEW_GROUPS else 1.0) for w, r in zip(ws, rows)]


def run_task(task, rows):
    labels = TASKS[task]["labels"]
    k = 1 if len(labels) == 2 else len(labels)
    ys = [labels.index(r[0]) for r in rows]
    ws = balance(rows, labels)
    xs = features(rows)
    groups = sorted({r[3] for r in rows if 0 < r[3] < REVIEW_GROUPS})
    rng = random.Random(11)
    rng.shuffle(groups)
    # Toxicity's choice from one 20% split moved between retrainings with small data
    # changes (L2 1e-3 -> 3e-3 -> 1e-2 -> 3e-3, 5 to 20 epochs): it is chosen by 3-fold
    # cross-validation instead (every source row scored once, predictions pooled).
    folds = TASKS[task].get("folds", 1)
    held_out = [set(groups[: len(groups) // 5])] if folds == 1 else \
        [set(groups[f::folds]) for f in range(folds)]
    splits = []
    for valid_groups in held_out:
        fit = [n for n, r in enumerate(rows) if r[3] not in valid_groups]
        # Validation: the source rows of the held-out groups only, as a reader would see
        # them (their generated variants are neither fitted nor scored), never a word
        # salad. The source is the first row of its group (build() adds it first).
        seen_groups = set()
        valid = []
        for n, r in enumerate(rows):
            if r[3] in valid_groups and r[3] not in seen_groups:
                seen_groups.add(r[3])
                valid.append(n)
        splits.append((fit, valid))
    valid = [n for _, v in splits for n in v]
    counts = {}
    for r in rows:
        counts[r[0]] = counts.get(r[0], 0) + 1
    print(f"{task}: {len(rows)} rows {counts}; {folds} split(s), fit {len(splits[0][0])}, "
          f"validation {len(valid)}", file=sys.stderr)
    results = []
    valid_logits = {}
    # Binary tasks: the weight of the positive class (toxic, spam) next to the balanced
    # one; it moves the decision point at 0.5 without a threshold to ship.
    # Sentiment: the weight of the review snippets (a multiple of their 0.5) instead.
    # (0.7 was never chosen for toxicity; left out of its three times longer search.)
    class_weights = (0.5, 1.0) if k > 1 else (1.0, 1.4) if folds > 1 else (0.7, 1.0, 1.4)
    grid = [(1e-4, 5), (1e-4, 10), (1e-3, 5), (1e-3, 10)] if k > 1 else \
        [(l2, e) for l2 in (1e-3, 3e-3, 1e-2) for e in (5, 10, 20)]
    for cw in class_weights:
        wcls = reweigh(rows, ws, ys, k, cw)
        for l2, epochs in grid:
            zs = []
            for fit, part in splits:
                model = train([xs[n] for n in fit], [ys[n] for n in fit],
                              [wcls[n] for n in fit], k, l2, epochs)
                zs.extend(logits(model, xs[n], k) for n in part)
            pred = [max(range(k), key=lambda c, z=z: z[c]) if k > 1 else int(z[0] >= 0)
                    for z in zs]
            f1 = macro_f1([ys[n] for n in valid], pred, len(labels))
            valid_logits[(l2, epochs, cw)] = zs
            per_lang = "".join(
                f" {lang} {macro_f1([ys[n] for n in valid if rows[n][1] == lang], [p for n, p in zip(valid, pred) if rows[n][1] == lang], len(labels)):.4f}"
                for lang in ("fr", "en"))
            print(f"  weight {cw:g} l2 {l2:g} epochs {epochs}: validation macro-F1 {f1:.4f}"
                  f" ({per_lang.strip()})", file=sys.stderr)
            results.append((f1, l2, epochs, cw))
    top = max(r[0] for r in results)
    # The most regularised, then the balanced class weight, then fewest epochs, within
    # 0.005 of the best.
    _, l2, epochs, cw = max((r for r in results if r[0] >= top - 0.005),
                            key=lambda r: (r[1], -abs(math.log(r[3])), -r[2]))
    print(f"  chosen class weight {cw:g}, l2 {l2:g}, {epochs} epochs (best split F1 {top:.4f});"
          " training on all", file=sys.stderr)
    model = train(xs, ys, reweigh(rows, ws, ys, k, cw), k, l2, epochs)
    if k > 1:
        # Per language, offsets of the neutral and positive logits chosen on the validation
        # split of the chosen setting (English social text is mostly tweets, where neutral
        # is rarer than in the hand-written comments), folded into the `lang:xx` flag's
        # weights; only for a language with at least 300 validation rows.
        zs = valid_logits[(l2, epochs, cw)]
        for lang in ("fr", "en"):
            mine = [j for j, n in enumerate(valid) if rows[n][1] == lang]
            feature = language_feature(xs, rows, lang)
            if len(mine) < 300 or feature is None:
                print(f"  {lang}: no class offsets ({len(mine)} validation rows)", file=sys.stderr)
                continue
            gold = [ys[valid[j]] for j in mine]
            before = macro_f1(gold, [max(range(k), key=lambda c, z=zs[j]: z[c]) for j in mine], k)
            dn, dp, after = class_offsets([zs[j] for j in mine], gold, k)
            if after < before + 0.005:
                # Within the grid's tolerance: a row or two of the split, not a calibration.
                print(f"  {lang}: no class offsets (best {dn:+g}/{dp:+g} gains "
                      f"{after - before:.4f} < 0.005)", file=sys.stderr)
                continue
            print(f"  {lang}: offsets neutral {dn:+g}, positive {dp:+g} on feature {feature}: "
                  f"validation macro-F1 {before:.4f} -> {after:.4f}", file=sys.stderr)
            row = model[1].setdefault(feature, [0.0] * k)
            row[1] += dn
            row[2] += dp
    write(os.path.join(MODELS, TASKS[task]["out"]), model, k)
    return top


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", help="directory of evaluation files (only to drop equal rows)")
    ap.add_argument("--only", choices=sorted(TASKS))
    args = ap.parse_args()
    data = build(args.dev)
    for task in TASKS:
        if args.only and task != args.only:
            continue
        run_task(task, data[task])


if __name__ == "__main__":
    main()
