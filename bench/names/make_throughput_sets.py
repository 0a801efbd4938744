#!/usr/bin/env python3
"""Writes two pair files for timing `airbridge names score` on names that do not repeat as
check-goals' file does (ofac-test's pairs a hundred times over):

- `distinct.csv`: 1,000,000 distinct pairs drawn at random among every distinct name of the
  pair files given (the shared sets and any development sets), so each name comes back about
  forty times, in no order;
- `allnew.csv`: the first 500,000 of them, a random capitalised word of seven letters added to
  each name, so that every name is new.

    python3 make_throughput_sets.py --out /tmp/tp /work/shared/data/names/*.pairs.csv \\
        /work/shared/data/names/opensanctions-name-bench/person.pairs.csv
    /usr/bin/time -f "%e s %M KB" airbridge names score --input /tmp/tp/distinct.csv --output /dev/null
"""

import argparse
import csv
import random
from pathlib import Path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", default=1, type=int)
    parser.add_argument("pairs", nargs="+", type=Path)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    names = set()
    for path in args.pairs:
        for row in csv.DictReader(open(path, encoding="utf-8")):
            names.update((row["name_a"], row["name_b"]))
    names = sorted(names)
    seen, pairs = set(), []
    while len(pairs) < 1_000_000:
        a, b = rng.randrange(len(names)), rng.randrange(len(names))
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            pairs.append((names[a], names[b]))
    args.out.mkdir(parents=True, exist_ok=True)
    letters = "abcdefghiklmnoprstuz"

    def word():
        return "".join(rng.choice(letters) for _ in range(7)).capitalize()

    with open(args.out / "distinct.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name_a", "name_b"])
        writer.writerows((k, a, b) for k, (a, b) in enumerate(pairs))
    with open(args.out / "allnew.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name_a", "name_b"])
        writer.writerows((k, f"{a} {word()}", f"{b} {word()}") for k, (a, b) in enumerate(pairs[:500_000]))
    print(f"{len(names)} distinct names; wrote distinct.csv and allnew.csv in {args.out}")


if __name__ == "__main__":
    main()
