#!/usr/bin/env python3
"""Builds Latin ⇄ Arabic-script development pairs (crates/names/README.md):

- `demo-names`: the demo's own Afghan name stock (crates/demo/data/kabul_names.tsv and
  names.tsv: a name's Dari spelling against its first two Latin spellings, and its Pashto
  spelling when given), each against the Arabic-script spelling of a random other name too;
- `translit-test` and `translit-test-sh`: the NETransliteration *test* split (the dictionary
  is derived from the training split only): each Latin token against its Arabic-script
  spelling, against another token's with the same first letter and against a random one's;
  `-sh` keeps the words with a ش, one mismatch each.

    python3 bench/names/make_script_pairs.py --out /tmp/script-pairs
"""
import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_eu_dev import write  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def demo_names(rng):
    rows = []
    for name in ("kabul_names.tsv", "names.tsv"):
        for line in open(ROOT / "crates/demo/data" / name, encoding="utf-8"):
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                continue
            latin = [s.strip() for s in fields[2].split(",")]
            rows.extend((spelling, fields[1]) for spelling in latin[:2])
            if len(fields) > 3 and fields[3].strip():
                rows.append((latin[0], fields[3].strip()))
    pairs = [(a, b, 1) for a, b in rows]
    for a, b in rows:
        other = rng.choice(rows)
        if other[1] != b:
            pairs.append((a, other[1], 0))
    return pairs


def translit(shared, rng):
    rows = []
    for line in open(shared / "names/translit/netranslit-wd-arabic/data_wd_arabic_20", encoding="utf-8"):
        fields = line.rstrip("\n").split("\t")
        if len(fields) < 2:
            continue
        latin, arabic = fields[0], fields[1].replace(" ", "")
        if latin.isascii() and len(latin) >= 3:
            rows.append((latin, arabic))
    every = []
    for latin, arabic in rows:
        every.append((latin, arabic, 1))
        other = rng.choice(rows)
        if other[0] != latin and other[0][0] == latin[0]:
            every.append((latin, other[1], 0))
        other = rng.choice(rows)
        if other[0] != latin:
            every.append((latin, other[1], 0))
    shin = [row for row in rows if "ش" in row[1]]
    sh = []
    for latin, arabic in shin:
        sh.append((latin, arabic, 1))
        other = rng.choice(shin)
        if other[0] != latin:
            sh.append((latin, other[1], 0))
    return every, sh


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default="/work/shared/data", type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    write(args.out, "demo-names", demo_names(random.Random(1)))
    every, sh = translit(args.shared, random.Random(5))
    write(args.out, "translit-test", every)
    write(args.out, "translit-test-sh", sh)


if __name__ == "__main__":
    main()
