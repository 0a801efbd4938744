#!/usr/bin/env python3
"""Builds `un-old-dev`, a small development set of un-test's make-up: the UN Consolidated List's
individuals who were listed in an earlier version in ../shared/data (2020-03-20, 2024-09-26,
2026-01-28) and are gone from the 2026-05-08 list that un-test comes from (delisted, mostly
former Iraqi officials and deceased Al-Qaida members). Names as the UN writes them: the primary
name given-first in capitals (FIRST_NAME … FOURTH_NAME), the "Good"-quality aliases, and the
name in its original script (Arabic for most of them).

Nobody who could be in an evaluation set is kept: a person is dropped when any of its names
shares two distinctive tokens with a name of an un-test person (the 2026-05-08 list) or an
ofac-test person, or equals a short one (the rule of make_eu_dev.py, without the earlier UN
versions this set is drawn from). Pairs are built as for eu-dev: every pair of a person's forms
that share a similar-sounding token or where one is in Arabic script (at most eight a person),
negatives that share a name token, and random ones.

About fifty people: too few to tune constants on, enough to read how Arabic-script originals
fare against the UN's Latin forms.

    python3 make_un_old_dev.py --shared /work/shared/data --out /tmp/un-old-dev
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_eu_dev import arguments, evaluation_overlap, pairs_of, write  # noqa: E402

CURRENT = "consolidated_2026-05-08.xml"


def forms_of(individual):
    parts = [(individual.findtext(tag) or "").strip()
             for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    forms = [" ".join(" ".join(p for p in parts if p).split())]
    original = " ".join((individual.findtext("NAME_ORIGINAL_SCRIPT") or "").split())
    if original:
        forms.append(original)
    for alias in individual.iter("INDIVIDUAL_ALIAS"):
        if (alias.findtext("QUALITY") or "").strip() != "Good":
            continue
        for piece in (alias.findtext("ALIAS_NAME") or "").split(";"):
            forms.append(" ".join(piece.split()))
    unique = []
    for form in forms:
        if form and form not in unique:
            unique.append(form)
    return unique


def main():
    args, rng = arguments()
    un = args.shared / "sanctions/un"
    current = {(i.findtext("REFERENCE_NUMBER") or "").strip()
               for i in ET.parse(un / CURRENT).getroot().iter("INDIVIDUAL")}
    earlier = {}
    for path in sorted(un.glob("consolidated_*.xml"), reverse=True):
        if path.name == CURRENT:
            continue
        for individual in ET.parse(path).getroot().iter("INDIVIDUAL"):
            reference = (individual.findtext("REFERENCE_NUMBER") or "").strip()
            if reference and reference not in current and reference not in earlier:
                earlier[reference] = forms_of(individual)
    overlaps_test = evaluation_overlap(args.shared, earlier_un_versions=False)
    people, dropped = [], 0
    for reference in sorted(earlier):
        forms = earlier[reference]
        if any(overlaps_test(form) for form in forms):
            dropped += 1
            continue
        people.append(forms)
    write(args.out, "un-old-dev", pairs_of(people, rng))
    print(f"delisted UN individuals kept: {len(people)}; dropped as possible evaluation-set people: {dropped}")


if __name__ == "__main__":
    main()
