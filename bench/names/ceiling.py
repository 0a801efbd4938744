#!/usr/bin/env python3
"""How much of a labelled name-pair set no name comparison can get right: the positives whose two
names share no similar token at all (an alias such as "Abu Hatim" for "Ahmad Ihsan Fayyad"), and
the ROC-AUC and recall that an oracle would reach if it ranked every other pair perfectly.

A token is a word of the name, folded to lower-case ASCII, with particles (al, bin, abu, ould…)
left out. Two tokens are similar when they share a character trigram (the word padded with a
space at each end) or when their consonant skeletons (vowels, y and w dropped, doubled letters
once) share a bigram other than the first letter alone. Both tests are generous on purpose: the
ceiling they give is an upper bound.

Names in a script other than Latin are romanised by `airbridge names key` (AIRBRIDGE_BIN, default
target/release/airbridge): for those the bound depends on our own romanisation.

The oracle gives each pair one of three scores: identical token sets highest, then pairs with a
similar token, then pairs with none. Positives with a similar token are placed above every
negative of their tier; ties count half, as in ROC-AUC.

    python3 bench/names/ceiling.py ../shared/data/names/ofac-test ../shared/data/names/un-test

(each argument is a set's stem: STEM.pairs.csv and STEM.labels.csv.)
"""

import bisect
import csv
import json
import os
import re
import subprocess
import sys
import unicodedata

PARTICLES = set(
    "al el ul ud ad ar as at az ash an abu abou bin ben ibn bint ould wuld walad wad "
    "abd abdul abdel abdal de la le van von der da di do dos das bou".split()
)
LATIN = re.compile(r"^[\x00-\x7f\u00c0-\u024f\u1e00-\u1eff'’ʿʾ.,\-() ]*$")


class Romaniser:
    """Romanises non-Latin names with the engine, once each."""

    def __init__(self, binary):
        self.binary = binary
        self.known = {}

    def __call__(self, name):
        if LATIN.match(name):
            decomposed = unicodedata.normalize("NFKD", name)
            return "".join(c for c in decomposed if not unicodedata.combining(c))
        if name not in self.known:
            run = subprocess.run(
                [self.binary, "names", "key", "--json", name], capture_output=True, text=True
            )
            try:
                self.known[name] = json.loads(run.stdout)["parsed"]["romanised"]
            except (ValueError, KeyError):
                self.known[name] = ""
        return self.known[name]


def tokens(text):
    words = re.split(r"[^a-z]+", text.lower())
    return [w for w in words if len(w) > 1 and w not in PARTICLES]


def grams(word, n):
    padded = f" {word} "
    return {padded[i : i + n] for i in range(len(padded) - n + 1)}


def skeleton(word):
    consonants = re.sub(r"[aeiouyw]", "", word)
    return re.sub(r"(.)\1+", r"\1", consonants)


def similar_tokens(x, y):
    if grams(x, 3) & grams(y, 3):
        return True
    sx, sy = skeleton(x), skeleton(y)
    if len(sx) < 2 or len(sy) < 2:
        return False
    return bool((grams(sx, 2) & grams(sy, 2)) - {f" {sx[0]}", f" {sy[0]}"})


def tier(a, b):
    """2 for the same tokens, 1 for a similar token, 0 for none."""
    if sorted(a) == sorted(b):
        return 2
    return int(any(similar_tokens(x, y) for x in a for y in b))


def auc(scored):
    negatives = sorted(s for s, positive in scored if not positive)
    total = 0.0
    positives = 0
    for score, positive in scored:
        if positive:
            positives += 1
            below = bisect.bisect_left(negatives, score)
            tied = bisect.bisect_right(negatives, score) - below
            total += below + 0.5 * tied
    return total / (positives * len(negatives))


def main():
    romanise = Romaniser(os.environ.get("AIRBRIDGE_BIN", "target/release/airbridge"))
    print(f"{'set':24} {'positives':>9} {'no similar token':>17} {'AUC ceiling':>11} {'recall ceiling':>14}")
    for stem in sys.argv[1:]:
        with open(stem + ".labels.csv", newline="", encoding="utf-8") as f:
            labels = {row["id"]: row["label"] == "1" for row in csv.DictReader(f)}
        scored = []
        unreachable = 0
        with open(stem + ".pairs.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                a = tokens(romanise(row["name_a"]))
                b = tokens(romanise(row["name_b"]))
                t = tier(a, b)
                positive = labels[row["id"]]
                if positive and t == 0:
                    unreachable += 1
                # A positive with a similar token ranks above every negative of its tier.
                scored.append((t + (0.5 if positive and t == 1 else 0.0), positive))
        positives = sum(1 for _, p in scored if p)
        share = unreachable / positives
        name = os.path.basename(stem)
        print(
            f"{name:24} {positives:9} {unreachable:8} ({share:.3f}) {auc(scored):11.4f} {1 - share:14.3f}"
        )


if __name__ == "__main__":
    main()
