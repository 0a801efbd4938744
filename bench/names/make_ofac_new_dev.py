#!/usr/bin/env python3
"""Builds `ofac-new-dev`, a third development set of labelled name pairs: the OFAC individuals
listed after the April 2021 list that ofac-dev and ofac-test come from (entity numbers absent
from sanctions/ofac/2021-04/sdn.csv, present in the May 2024 sdn.csv), with their a.k.a.
names from the February 2026 alt.csv. Its make-up is OFAC's, like ofac-test's (primary names
and aliases, surname first), and it holds Arabic, Persian and Afghan names that ofac-dev lacks
(the 2021 SDGT and Afghan people went to ofac-test).

Nobody who could be in an evaluation set is kept, by the rule of make_eu_dev.py: a person is
dropped when any of its names shares two distinctive tokens with a name of an ofac-test or
un-test person, or equals a short one. Pairs are built as for eu-dev (at most eight positives a
person; negatives that share a name token, and random ones). `ofac-new-dev-mideast` is the
subset of people in programs about the Middle East and South Asia (SDGT, Iran, Syria, Yemen,
Lebanon, Iraq, Hizballah, Afghanistan).

    python3 make_ofac_new_dev.py --shared /work/shared/data --out /tmp/ofac-new-dev
"""

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_eu_dev import arguments, evaluation_overlap, pairs_of, write  # noqa: E402

MIDEAST = ("SDGT", "IRAN", "IRGC", "IFSR", "NPWMD", "SYRIA", "YEMEN", "LEBANON", "IRAQ", "HIZBALLAH",
           "HRIT", "FTO", "AFGHAN")


def rows(path):
    with open(path, encoding="latin-1", newline="") as f:
        for row in csv.reader(f):
            if row and row[0].strip().isdigit():
                yield [field.strip() for field in row]


def clean(name):
    name = name.strip().strip('"')
    return "" if name == "-0-" else " ".join(name.split())


def main():
    args, rng = arguments()
    ofac = args.shared / "sanctions/ofac"
    old = {int(row[0]) for row in rows(ofac / "2021-04/sdn.csv")}
    aliases = {}
    for row in rows(ofac / "2026-02/alt.csv"):
        if len(row) > 3 and clean(row[3]):
            aliases.setdefault(int(row[0]), []).append(clean(row[3]))
    overlaps_test = evaluation_overlap(args.shared)
    people, mideast, dropped = [], set(), 0
    for row in rows(ofac / "2024-05/sdn.csv"):
        number = int(row[0])
        if number in old or len(row) < 4 or row[2] != "individual":
            continue
        forms = []
        for form in [clean(row[1]), *aliases.get(number, [])]:
            if form and form not in forms:
                forms.append(form)
        if any(overlaps_test(form) for form in forms):
            dropped += 1
            continue
        if any(program in row[3].upper() for program in MIDEAST):
            mideast.add(len(people))
        people.append(forms)
    pairs = pairs_of(people, rng)
    write(args.out, "ofac-new-dev", pairs)
    forms = {f for i in mideast for f in people[i]}
    write(args.out, "ofac-new-dev-mideast",
          [r for r in pairs if r[0] in forms or r[1] in forms])
    print(f"individuals listed after April 2021 kept: {len(people)} "
          f"({len(mideast)} Middle East / South Asia); dropped as possible evaluation-set people: {dropped}")


if __name__ == "__main__":
    main()
