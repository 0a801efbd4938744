#!/usr/bin/env python3
"""A synthetic list for `airbridge import` benchmarks: ROWS rows in families of 1-6, with Dari
and Latin names, Solar Hijri and Gregorian dates, phones and tazkira numbers. The same ROWS
always give the same file (seeded). Shared by bench/import.sh and bench/scale/run.sh.

Names come from the demo's name stock (crates/demo/data/kabul_names.tsv: 332 male and 159
female given names, 172 family names, most common first), drawn with Zipf-like weights by
rank as real lists repeat them: a few names very often, most rarely. A name is written in
Dari script for about a third of the people, a family name is missing for a fifth, and a
given name is sometimes two (Mohammad Nabi). Nearly every full name is then its own, as in a
real list; an earlier version drew from 16 given and 7 family names, so every name (and the
work done on it) repeated thousands of times.

    python3 bench/lib/make_list.py PATH ROWS
"""
import csv
import os
import random
import sys

path, rows = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
stock = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                     "crates", "demo", "data", "kabul_names.tsv")
names = {"male": [], "female": [], "family": []}
with open(stock, encoding="utf-8") as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        kind, dari, latin = line.rstrip("\n").split("\t")[:3]
        names[kind].append((latin, dari))
# Zipf-like weights by rank (1/rank), the demo generator's way of drawing them.
weights = {kind: [1.0 / (rank + 1) for rank in range(len(pool))] for kind, pool in names.items()}


def draw(kind, dari):
    latin, arabic = rng.choices(names[kind], weights[kind])[0]
    return arabic if dari else latin


def given(sex, dari):
    first = draw("male" if sex == "m" else "female", dari)
    if rng.random() < 0.15:
        second = draw("male" if sex == "m" else "female", dari)
        if second != first:
            first += " " + second
    return first


# Each relation with the sex it implies (a child's is drawn).
relations = [("wife", "f"), ("son", "m"), ("daughter", "f"), ("child", None), ("mother", "f")]
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["Family ID", "Relation", "Given name", "Surname", "Father name",
                "Date of birth", "Tazkira", "Phone", "Sex"])
    n, fam = 0, 0
    while n < rows:
        fam += 1
        size = min(rng.randint(1, 6), rows - n)
        dari = rng.random() < 0.35
        surname = draw("family", dari) if rng.random() < 0.8 else ""
        for k in range(size):
            relation, sex = ("principal", None) if k == 0 else rng.choice(relations)
            sex = sex or rng.choice(["m", "f"])
            dob = (f"{rng.randint(1330, 1400)}/{rng.randint(1, 12):02}/{rng.randint(1, 29):02}"
                   if rng.random() < 0.5 else str(rng.randint(1950, 2020)))
            w.writerow([f"F{fam}", relation,
                        given(sex, dari), surname, draw("male", dari), dob,
                        f"1400-{rng.randint(1000, 9999)}-{rng.randint(10000, 99999)}",
                        f"07{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}",
                        sex])
        n += size
