#!/usr/bin/env python3
"""How far any blocking could go on a labelled list: for each true pair, the number of
character trigrams its two records share field by field (a misspelt name still shares some;
a pseudonym shares none). Prints the true pairs that share none (no key made of the fields'
characters can bring them together) and, for a few recall levels, how many trigrams a pair
must share to keep that share of true pairs and what share of random pairs share as many
(the share of all pairs such blocking would compare).

    python3 bench/dedup/shared_trigrams.py RECORDS.csv TRUTH.csv [FIELD ...]

RECORDS has `record_id` and the fields (default: every column but record_id); TRUTH has
`record_id,entity_id`. Not a test; pure Python, about a minute for 50,000 records.
"""
import csv
import itertools
import random
import sys
from collections import defaultdict

records_path, truth_path, *fields = sys.argv[1:]
with open(records_path, newline="", encoding="utf-8") as f:
    records = list(csv.DictReader(f))
if not fields:
    fields = [name for name in records[0] if name != "record_id"]
with open(truth_path, newline="", encoding="utf-8") as f:
    entity = {row["record_id"]: row["entity_id"] for row in csv.DictReader(f)}


def trigrams(record):
    grams = set()
    for field in fields:
        value = (record.get(field) or "").strip().lower()
        if value:
            padded = f"#{value}#"
            grams.update((field, padded[i:i + 3]) for i in range(len(padded) - 2))
    return grams


grams = [trigrams(r) for r in records]
members = defaultdict(list)
for index, record in enumerate(records):
    members[entity[record["record_id"]]].append(index)
true_shared = sorted(
    len(grams[a] & grams[b])
    for ids in members.values()
    for a, b in itertools.combinations(ids, 2)
)
rng = random.Random(1)
random_shared = []
while len(random_shared) < 200_000:
    a, b = rng.randrange(len(records)), rng.randrange(len(records))
    if a != b and entity[records[a]["record_id"]] != entity[records[b]["record_id"]]:
        random_shared.append(len(grams[a] & grams[b]))
none = sum(1 for shared in true_shared if shared == 0)
print(f"fields: {', '.join(fields)}")
print(f"true pairs: {len(true_shared)}; sharing no trigram: {none} "
      f"({none / len(true_shared):.4f}), so no blocking short of every pair keeps more "
      f"than {1 - none / len(true_shared):.4f}")
for recall in (0.995, 0.99, 0.98, 0.95, 0.90):
    need = true_shared[int((1 - recall) * len(true_shared))]
    share = sum(1 for s in random_shared if s >= need) / len(random_shared)
    print(f"keep {recall:.3f}: share >= {need} trigrams; "
          f"{share:.4f} of random pairs do too")
