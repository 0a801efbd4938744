#!/usr/bin/env python3
"""Builds `eu-dev`, a second development set of labelled name pairs, from the EU sanctions list
in ../shared/data (sanctions/eu/all_2026-01-28.json), for tuning the names engine on names of
Arabic, Persian and Afghan origin (ofac-dev has few of them).

Nobody who could be in an evaluation set is kept: an EU individual is dropped when any of its
names shares two or more distinctive tokens (three letters or more, not a particle) with any
name of a UN-listed individual (every UN version in the shared data) or of an OFAC 2021
individual in the SDGT programs or with Afghanistan in the remarks (the people of ofac-test and
un-test), or when a one- or two-token name of it equals such a name. Entries the list itself
marks as also on the UN list are dropped first.

Positives: two written forms of one listed person (primary name, aliases, original script),
kept when they share a similar-sounding token or one is in Arabic script. Negatives: forms of
two different people that share a name token (two different men called Mohammad), and random
pairs, about two negatives per positive. Seeded: the same files every run.

    python3 make_eu_dev.py --shared /work/shared/data --out /tmp/eu-dev
    # writes eu-dev.pairs.csv, eu-dev.labels.csv, eu-dev-arabic.pairs.csv, eu-dev-arabic.labels.csv
"""

import argparse
import csv
import json
import random
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

PARTICLES = {"al", "el", "bin", "ibn", "bint", "abu", "abd", "abdul", "ul", "ud", "ur", "de", "da",
             "del", "la", "van", "von", "der", "s", "o", "haji", "mullah", "mawlawi", "mohammad",
             "muhammad", "mohammed", "mohamed", "ahmad", "ahmed", "ali"}
ARABIC = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


def fold(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^\w\s]", " ", text.lower())


def tokens(name):
    return [t for t in fold(name).split() if t]


def distinctive(name):
    return {t for t in tokens(name) if len(t) >= 3 and t not in PARTICLES}


def skeleton(token):
    """A crude sound key: first letter class and consonants, for keeping pairs like the shared sets."""
    t = token.replace("kh", "k").replace("gh", "g").replace("q", "k").replace("ph", "f")
    t = t.replace("sh", "s").replace("th", "t").replace("dh", "d").replace("z", "s")
    if not t:
        return ""
    rest = re.sub(r"[aeiouyhw]", "", t[1:])
    rest = re.sub(r"(.)\1+", r"\1", rest)
    first = "a" if t[0] in "aeiou" else t[0]
    return first + rest[:3]


def similar_token(a, b):
    ka = {skeleton(t) for t in tokens(a) if len(t) >= 2}
    kb = {skeleton(t) for t in tokens(b) if len(t) >= 2}
    return bool(ka & kb)


def test_names(shared, earlier_un_versions=True):
    names = []
    versions = sorted((shared / "sanctions/un").glob("consolidated_*.xml"))
    if not earlier_un_versions:
        # Only the list un-test comes from (its people are also in the groups file below).
        versions = [v for v in versions if v.name == "consolidated_2026-05-08.xml"]
    for path in versions:
        root = ET.parse(path).getroot()
        for individual in root.iter("INDIVIDUAL"):
            parts = [(individual.findtext(tag) or "").strip()
                     for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            names.append(" ".join(p for p in parts if p))
            original = (individual.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
            if original:
                names.append(original)
            for alias in individual.iter("INDIVIDUAL_ALIAS"):
                for piece in (alias.findtext("ALIAS_NAME") or "").split(";"):
                    if piece.strip():
                        names.append(piece.strip())
    for line in open(shared / "names/groups/ofac_2021-04.jsonl", encoding="utf-8"):
        entry = json.loads(line)
        if entry["sdn_type"] != "individual":
            continue
        if "SDGT" in entry["program"] or "Afghan" in entry["remarks"]:
            names.append(entry["primary"])
            names.extend(alias["name"] for alias in entry["aliases"])
    for line in open(shared / "names/groups/un_2026-05-08.jsonl", encoding="utf-8"):
        entry = json.loads(line)
        names.append(entry["primary"])
        if entry.get("original_script"):
            names.append(entry["original_script"])
        names.extend(alias["name"] for alias in entry["aliases"])
    return names


def evaluation_overlap(shared, earlier_un_versions=True):
    """A test of whether a name could belong to a person of ofac-test or un-test: it shares
    two distinctive tokens with one of their names, or equals a short one. With
    `earlier_un_versions`, the people of every UN list version count, not only un-test's."""
    excluded_tokens = {}
    excluded_short = set()
    for name in test_names(shared, earlier_un_versions):
        toks = distinctive(name)
        for t in toks:
            excluded_tokens.setdefault(t, []).append(toks)
        folded = " ".join(sorted(tokens(name)))
        if len(tokens(name)) <= 2:
            excluded_short.add(folded)

    def overlaps_test(name):
        toks = distinctive(name)
        if " ".join(sorted(tokens(name))) in excluded_short:
            return True
        for t in toks:
            for other in excluded_tokens.get(t, ()):
                if len(toks & other) >= 2:
                    return True
        return False

    return overlaps_test


def pairs_of(people, rng):
    """Labelled pairs from people's written forms (see the module documentation)."""
    positives = []
    for forms in people:
        mine = []
        for i in range(len(forms)):
            for j in range(i + 1, len(forms)):
                a, b = forms[i], forms[j]
                if ARABIC.search(a) or ARABIC.search(b) or similar_token(a, b):
                    mine.append((a, b, 1))
        # People with many aliases (a Russian name in six transliterations) would otherwise
        # make most of the set: at most eight pairs a person.
        rng.shuffle(mine)
        positives.extend(mine[:8])
    by_token = {}
    for index, forms in enumerate(people):
        for form in forms:
            for t in set(tokens(form)):
                if len(t) >= 3:
                    by_token.setdefault(t, []).append((index, form))
    negatives = []
    shared_tokens = sorted(t for t, owners in by_token.items() if len({i for i, _ in owners}) >= 2)
    want_shared = int(1.6 * len(positives))
    attempts = 0
    while len(negatives) < want_shared and attempts < 50 * want_shared:
        attempts += 1
        owners = by_token[rng.choice(shared_tokens)]
        (i, a), (j, b) = rng.choice(owners), rng.choice(owners)
        if i != j:
            negatives.append((a, b, 0))
    for _ in range(int(0.4 * len(positives))):
        i, j = rng.randrange(len(people)), rng.randrange(len(people))
        if i != j:
            negatives.append((rng.choice(people[i]), rng.choice(people[j]), 0))
    negatives = list(dict.fromkeys(negatives))
    pairs = positives + negatives
    rng.shuffle(pairs)
    return pairs


def write(out, stem, rows):
    """Writes `stem`.pairs.csv and `stem`.labels.csv in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / f"{stem}.pairs.csv", "w", newline="", encoding="utf-8") as p, \
            open(out / f"{stem}.labels.csv", "w", newline="", encoding="utf-8") as l:
        pw, lw = csv.writer(p), csv.writer(l)
        pw.writerow(["id", "name_a", "name_b"])
        lw.writerow(["id", "label"])
        for k, (a, b, label) in enumerate(rows):
            pw.writerow([k, a, b])
            lw.writerow([k, label])
    print(f"{stem}: {len(rows)} pairs, {sum(r[2] for r in rows)} positives")


def arguments():
    """The command line every set builder takes (--shared, --out, --seed) and its seeded
    random source."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default="/work/shared/data", type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", default=7, type=int)
    args = parser.parse_args()
    return args, random.Random(args.seed)


def main():
    args, rng = arguments()

    overlaps_test = evaluation_overlap(args.shared)

    data = json.load(open(args.shared / "sanctions/eu/all_2026-01-28.json", encoding="utf-8"))
    people = []
    births = []
    dropped = 0
    for entity in data["entities"]:
        if entity["type"] != "individual" or entity["source"] != ["EU"]:
            continue
        forms = []
        for form in [entity["name"], *entity["aliases"]]:
            form = " ".join(form.split())
            if form and form not in forms:
                forms.append(form)
        if any(overlaps_test(form) for form in forms):
            dropped += 1
            continue
        people.append(forms)
        births.append(tuple(sorted(entity.get("birthdates") or [])))
    # The EU list names some people twice (listed again under another number): entries that
    # share a written form are one person, or the negatives would hold the same man twice.
    parent = list(range(len(people)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen = {}
    for index, forms in enumerate(people):
        keys = {" ".join(sorted(tokens(form))) for form in forms}
        # Same birth date and a same distinctive name token: the same person listed twice.
        if births[index]:
            keys |= {(births[index], t) for form in forms for t in distinctive(form)}
        for key in keys:
            if key in seen:
                parent[find(index)] = find(seen[key])
            else:
                seen[key] = index
    merged = {}
    for index, forms in enumerate(people):
        bucket = merged.setdefault(find(index), [])
        bucket.extend(f for f in forms if f not in bucket)
    people = list(merged.values())

    pairs = pairs_of(people, rng)

    write(args.out, "eu-dev", pairs)
    arabic_people = {i for i, forms in enumerate(people)
                     if any(ARABIC.search(f) for f in forms)
                     or any(t in {"mohammad", "muhammad", "mohammed", "mohamed", "ahmad", "ahmed", "ali",
                                  "hassan", "hussein", "hossein", "abdul", "abd", "al", "bin"}
                            for f in forms for t in tokens(f))}
    arabic_forms = {f for i in arabic_people for f in people[i]}
    write(args.out, "eu-dev-arabic", [r for r in pairs if r[0] in arabic_forms or r[1] in arabic_forms])
    print(f"EU-only individuals kept: {len(people)}; dropped as possible evaluation-set people: {dropped}")


if __name__ == "__main__":
    main()
