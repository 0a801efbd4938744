#!/usr/bin/env python3
"""How cost grows with the registry: reads the rows bench/scale/run.sh appended to its
results.tsv and prints, for each backend and step, the ratio from each size to the next
(wall time, CPU time, peak RSS, database size) as a Markdown table. When a step was measured
several times at one size, the last measurement counts.

    python3 bench/scale/growth.py /tmp/airbridge-bench-scale/results.tsv
"""
import sys

FIELDS = ["backend", "persons", "step", "wall", "user", "sys", "server", "rss", "size",
          "load", "date", "commit"]

rows = {}
order = []
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        row = dict(zip(FIELDS, line.rstrip("\n").split("\t")))
        if row.get("wall") in (None, "", "failed"):
            continue
        key = (row["backend"], row["step"])
        if key not in rows:
            rows[key] = {}
            order.append(key)
        rows[key][int(row["persons"])] = row


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def ratio(a, b):
    a, b = number(a), number(b)
    return f"×{b / a:.1f}" if a and b is not None else ""


def cpu(row):
    total = number(row["user"]) + number(row["sys"])
    server = number(row["server"])
    return total + server if server is not None else total


print("| backend | step | persons | wall | CPU (user + sys, + server) | peak RSS | database size |")
print("|---|---|---|---|---|---|---|")
for key in order:
    sizes = sorted(rows[key])
    for small, large in zip(sizes, sizes[1:]):
        a, b = rows[key][small], rows[key][large]
        rss = f"{a['rss']} → {b['rss']} MB"
        print(f"| {key[0]} | {key[1]} | {small:,} → {large:,} | {ratio(a['wall'], b['wall'])} "
              f"| {ratio(cpu(a), cpu(b))} | {rss} | {ratio(a['size'], b['size'])} |")
