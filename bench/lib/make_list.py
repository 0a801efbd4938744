#!/usr/bin/env python3
"""A synthetic list for `airbridge import` benchmarks: ROWS rows in families of 1-6, with Dari
and Latin names, Solar Hijri and Gregorian dates, phones and tazkira numbers. The same ROWS
always give the same file (seeded). Shared by bench/import.sh and bench/scale/run.sh.

    python3 bench/lib/make_list.py PATH ROWS
"""
import csv
import random
import sys

path, rows = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
given = ["Mohammad", "Ahmad", "Hashem", "Farid", "Karim", "Fatima", "Zahra", "Maryam",
         "محمد", "احمد", "فرید", "زهرا", "مریم", "Abdul Rahman", "Nasrullah", "Shabnam"]
family = ["Ahmadzai", "Popalzai", "Rahimi", "Karimi", "احمدزی", "رحیمی", "Sadat", "", ""]
relations = ["wife", "son", "daughter", "child", "mother"]
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["Family ID", "Relation", "Given name", "Surname", "Father name",
                "Date of birth", "Tazkira", "Phone", "Sex"])
    n, fam = 0, 0
    while n < rows:
        fam += 1
        size = min(rng.randint(1, 6), rows - n)
        for k in range(size):
            dob = (f"{rng.randint(1330, 1400)}/{rng.randint(1, 12):02}/{rng.randint(1, 29):02}"
                   if rng.random() < 0.5 else str(rng.randint(1950, 2020)))
            w.writerow([f"F{fam}", "principal" if k == 0 else rng.choice(relations),
                        rng.choice(given), rng.choice(family), rng.choice(given), dob,
                        f"1400-{rng.randint(1000, 9999)}-{rng.randint(10000, 99999)}",
                        f"07{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}",
                        rng.choice(["m", "f"])])
        n += size
