#!/usr/bin/env python3
"""Writes a copy of a labelled pair set with its Latin names written the way the UN list writes
them: given names first, family name last, no comma, all in capitals ("AL-TIKRITI, Omar
Sabawi" -> "OMAR SABAWI AL-TIKRITI"); Arabic-script names are left as they are. For checking
on the development sets how the engine does when a name does not say which word is the
person's own (un-test is written so; it is evaluated only, never looked into).

    python3 un_style.py ../shared/data/names/ofac-dev /tmp/unstyle/ofac-dev
    # reads ofac-dev.pairs.csv and .labels.csv, writes /tmp/unstyle/ofac-dev.pairs.csv, .labels.csv
"""

import csv
import re
import shutil
import sys
from pathlib import Path

ARABIC = re.compile("[\u0600-\u06ff]")


def un_style(name):
    if ARABIC.search(name):
        return name
    if "," in name:
        family, given = name.split(",", 1)
        name = f"{given.strip()} {family.strip()}"
    return name.upper()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with open(f"{source}.pairs.csv", newline="", encoding="utf-8") as src, \
            open(f"{target}.pairs.csv", "w", newline="", encoding="utf-8") as dst:
        reader, writer = csv.reader(src), csv.writer(dst)
        writer.writerow(next(reader))
        for row in reader:
            writer.writerow([row[0], un_style(row[1]), un_style(row[2])])
    shutil.copy(f"{source}.labels.csv", f"{target}.labels.csv")


if __name__ == "__main__":
    main()
