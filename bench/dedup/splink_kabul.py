#!/usr/bin/env python3
"""Deduplicate Kabul-style lists (`kabul_lists` example's records.csv) with Splink 5 (DuckDB).

    python splink_kabul.py --input records.csv --output clusters.csv [--threshold 0.95]
    python splink_kabul.py --self-test      # the Solar Hijri conversion against known days

Input: the `airbridge dedup` columns (record_id, given_name, family_name, father_name,
grandfather_name, full_name, sex, dob, passport, tazkira, document, phone, place_of_birth,
case_id, relation). Output: record_id,cluster_id for every record (singletons included).

The model is what a competent Splink user would write for this schema; it is not tuned on
the truth (the truth file is never read).

Pre-processing (plain Python, as a user would do before Splink):
  * names: lower case, punctuation and hyphens to spaces, spaces collapsed; "s/o", "d/o",
    "son of", "daughter of", "w/o", "ولد", "بنت" stripped from the father's column. Lists
    with only a full name: "X s/o Y Z" gives given X, father Y, family Z (father alone when Y
    is one word); "FAMILY Given" (first word in capitals, the rest not) gives family first;
    otherwise the last word is the family name and the rest the given name. Names in Arabic
    script are left as they are: Splink has no transliteration, and no transliteration
    package (unidecode, anyascii) is installed in the bench environment.
  * dob: Persian/Arabic-Indic digits to ASCII; the date read as Y-M-D or D/M/Y or D.M.Y or
    "D Mon Y" or "D <Afghan month> Y"; years 1250-1450 are Solar Hijri and converted to
    Gregorian with the Borkowski/jalaali arithmetic (33-year cycles, `jalaali_to_gregorian`);
    a **year alone becomes YYYY-01-01** (a Solar Hijri year alone becomes (Y+621)-01-01), so
    year-only dates fall in the "within a year" or "within 10 years" levels rather than being
    thrown away; unreadable dates become null.
  * sex: M/Male/H/m/مرد -> m, F/Female/w/زن -> f, else null.
  * phone: digits (Persian folded), last 9 digits. tazkira: digits only. passport: upper-case
    letters and digits. A list's single `document` column goes to passport when it begins with
    a letter, to tazkira otherwise.

Comparisons (null level first in each):
  given_name, family_name, father_name  NameComparison (exact | JW>=0.92 | JW>=0.88 | JW>=0.70 |
                                        else), term-frequency adjusted
  dob        DateOfBirthComparison (%Y-%m-%d): exact | DL<=1 | <=1 month | <=1 year | <=10 years | else
  tazkira    DamerauLevenshteinAtThresholds [1]: exact | DL<=1 | else
  passport   DamerauLevenshteinAtThresholds [1]
  phone      ExactMatch
  sex        ExactMatch

Blocking rules for prediction (union):
  given+family | given+dob | family+father | given+father | family+dob | father+dob |
  tazkira | passport | phone | given+family+father swapped given/family (l.given=r.family and
  l.family=r.given)

Training: probability_two_random_records_match from deterministic rules [tazkira; passport;
given+family+dob] with recall --recall (default 0.6: many records carry no document); u by
random sampling (--u-max-pairs, default 1e7 — Splink's docs: 1e7 adequate, >=1e8 for a final
model); m by EM in two sessions (--em), blocked on given+family (teaches dob, father,
documents, phone, sex), then on tazkira (pairs sharing a tazkira number are nearly all one
person: they teach the name, date, phone and sex comparisons). The other order (tazkira
first) stops at 200,000 persons with Splink's "m_probability value 9.8e-313 is below the
minimum allowed value of 1e-300" (EM drove a level's m to zero); at 5,000 persons both
orders give the same F1 to the third digit. Blocking EM on dob alone, as
Splink's FEBRL examples do, makes 347 M pairs at 200,000 persons (a year alone is YYYY-01-01,
so one year is one block): stopped at 14 GB resident and growing on this 23 GB machine; `--em
dob,names` still does it. Sessions on given+dob and family+father were tried too: EM's
"match" class became the family (m(given names differ) = 0.79: siblings). F1 at 5,000 persons
for the alternatives is in bench/dedup/README.md.
Predict at --threshold and cluster (connected components) at --threshold (default 0.95).

Candidate pairs by rule at 200,000 persons (seed 1, 328,525 records): given+family 3.5 M,
family+dob 2.8 M, given+dob 1.9 M, family+father 1.9 M, given+father 1.0 M, father+dob 0.8 M,
phone 0.55 M, tazkira 38 k, passport 12 k (before de-duplication of the union).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import sys
import time
from pathlib import Path

COLUMNS = ["given_name", "family_name", "father_name", "dob", "sex", "tazkira", "passport", "phone"]

# ---------------------------------------------------------------------------------------------
# Solar Hijri (jalaali) to Gregorian: the 33-year-cycle arithmetic of Kazimierz Borkowski as
# used by the jalaali libraries, written out here.

_BREAKS = [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192,
           2262, 2324, 2394, 2456, 3178]


def _div(a: int, b: int) -> int:
    return int(a / b)


def _mod(a: int, b: int) -> int:
    return a - _div(a, b) * b


def _jal_cal(jy: int) -> tuple[int, int, int]:
    """(leap, gregorian year, day of March of Nowruz) for Solar Hijri year jy."""
    gy = jy + 621
    leap_j = -14
    jp = _BREAKS[0]
    jump = 0
    for jm in _BREAKS[1:]:
        jump = jm - jp
        if jy < jm:
            break
        leap_j += _div(jump, 33) * 8 + _div(_mod(jump, 33), 4)
        jp = jm
    n = jy - jp
    leap_j += _div(n, 33) * 8 + _div(_mod(n, 33) + 3, 4)
    if _mod(jump, 33) == 4 and jump - n == 4:
        leap_j += 1
    leap_g = _div(gy, 4) - _div((_div(gy, 100) + 1) * 3, 4) - 150
    march = 20 + leap_j - leap_g
    if jump - n < 6:
        n = n - jump + _div(jump + 4, 33) * 33
    leap = _mod(_mod(n + 1, 33) - 1, 4)
    if leap == -1:
        leap = 4
    return leap, gy, march


def jalaali_to_gregorian(jy: int, jm: int, jd: int) -> dt.date | None:
    """The Gregorian day of Solar Hijri jy/jm/jd, or None when that day does not exist."""
    if not (1 <= jm <= 12 and 1 <= jd <= 31):
        return None
    leap, gy, march = _jal_cal(jy)
    month_len = 31 if jm <= 6 else 30 if jm <= 11 else (30 if leap == 0 else 29)
    if jd > month_len:
        return None
    day_of_year = (jm - 1) * 31 + jd - 1 if jm <= 7 else 186 + (jm - 7) * 30 + jd - 1
    return dt.date(gy, 3, march) + dt.timedelta(days=day_of_year)


_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_SH_MONTHS = {m: i + 1 for i, m in enumerate(
    ["hamal", "sawr", "jawza", "saratan", "asad", "sunbula", "mizan", "aqrab", "qaws", "jadi",
     "dalw", "hut"])}


YEAR_ONLY = "jan1"  # or "null": set by --year-only


def to_iso(text: str | None) -> str | None:
    """A birth date as ISO Gregorian (year alone -> YYYY-01-01, or None with --year-only null)."""
    if not text:
        return None
    t = text.translate(_DIGITS).strip().lower()
    words = [w for w in re.split(r"[\s/.\-]+", t) if w]
    y = m = d = None
    month_name = None
    nums = []
    for w in words:
        if w.isdigit():
            nums.append(w)
        elif w[:3] in _MONTHS and len(w) >= 3:
            month_name = ("g", _MONTHS[w[:3]])
        elif w in _SH_MONTHS:
            month_name = ("s", _SH_MONTHS[w])
        else:
            return None
    try:
        if month_name and len(nums) == 2:
            d, y, m = int(nums[0]), int(nums[1]), month_name[1]
        elif len(nums) == 1 and len(nums[0]) == 4:
            y = int(nums[0])
        elif len(nums) == 3 and len(nums[0]) == 4:
            y, m, d = (int(x) for x in nums)
        elif len(nums) == 3 and len(nums[2]) == 4:
            d, m, y = (int(x) for x in nums)
        else:
            return None
    except ValueError:
        return None
    solar = 1250 <= y <= 1450
    if m is None:
        return f"{y + 621 if solar else y:04d}-01-01" if YEAR_ONLY == "jan1" else None
    try:
        day = jalaali_to_gregorian(y, m, d) if solar else dt.date(y, m, d)
    except ValueError:
        return None
    return day.isoformat() if day else None


def self_test() -> int:
    known = {
        (1400, 1, 1): "2021-03-21", (1364, 1, 1): "1985-03-21", (1400, 5, 24): "2021-08-15",
        (1399, 12, 30): "2021-03-20", (1403, 1, 1): "2024-03-20", (1354, 1, 1): "1975-03-21",
        (1357, 10, 11): "1979-01-01", (1379, 10, 11): "2000-12-31", (1365, 5, 12): "1986-08-03",
    }
    bad = 0
    for (y, m, d), want in known.items():
        got = jalaali_to_gregorian(y, m, d)
        if str(got) != want:
            print(f"{y}/{m}/{d}: {got} != {want}")
            bad += 1
    assert jalaali_to_gregorian(1400, 12, 30) is None and jalaali_to_gregorian(1400, 7, 31) is None
    assert to_iso("۱۳۶۵/۰۵/۱۲") == "1986-08-03" and to_iso("12 Asad 1365") == "1986-08-03"
    assert to_iso("03/08/1986") == "1986-08-03" and to_iso("1365") == "1986-01-01"
    print("self-test", "failed" if bad else "ok")
    return 1 if bad else 0


# ---------------------------------------------------------------------------------------------
# Names.

_SO = re.compile(r"^\s*(s/o|d/o|w/o|son of|daughter of|wife of|ولد|بنت)\s+", re.I)
_SO_INNER = re.compile(r"\s+(s/o|d/o|w/o|son of|daughter of|wife of|ولد|بنت)\s+", re.I)


def clean(name: str | None) -> str | None:
    if not name:
        return None
    t = re.sub(r"[-_.,'’`]+", " ", name.lower())
    t = re.sub(r"\s+", " ", t).strip()
    return t or None


def split_full(full: str) -> tuple[str | None, str | None, str | None]:
    """(given, family, father) from one full-name column."""
    text = full.strip()
    father = None
    m = _SO_INNER.search(text)
    if m:
        before, after = text[: m.start()].strip(), text[m.end():].strip().split()
        text = before
        if len(after) >= 2:
            father, family_after = " ".join(after[:-1]), after[-1]
        else:
            father, family_after = (after[0] if after else None), None
        tokens = text.split()
        return " ".join(tokens) or None, family_after, father
    tokens = text.split()
    if len(tokens) >= 2 and tokens[0].isupper() and not all(t.isupper() for t in tokens[1:]):
        return " ".join(tokens[1:]), tokens[0], None
    if len(tokens) >= 2:
        return " ".join(tokens[:-1]), tokens[-1], None
    return (tokens[0] if tokens else None), None, None


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", (text or "").translate(_DIGITS))


def sex_of(text: str | None) -> str | None:
    t = (text or "").strip().lower()
    if t in {"m", "male", "h", "homme", "مرد"}:
        return "m"
    if t in {"f", "female", "w", "femme", "زن"}:
        return "f"
    return None


def prepare(row: dict[str, str]) -> dict[str, str | None]:
    given, family, father = row.get("given_name"), row.get("family_name"), row.get("father_name")
    if not given and not family and row.get("full_name"):
        given, family, full_father = split_full(row["full_name"])
        father = father or full_father
    if father:
        father = _SO.sub("", father)
    tazkira = digits(row.get("tazkira")) or None
    passport = re.sub(r"[^A-Z0-9]", "", (row.get("passport") or "").upper()) or None
    document = (row.get("document") or "").strip()
    if document:
        if document[:1].isalpha() and document[:1].isascii():
            passport = passport or re.sub(r"[^A-Z0-9]", "", document.upper())
        else:
            tazkira = tazkira or digits(document) or None
    phone = digits(row.get("phone"))
    return {
        "record_id": row["record_id"],
        "given_name": clean(given),
        "family_name": clean(family),
        "father_name": clean(father),
        "dob": to_iso(row.get("dob")),
        "sex": sex_of(row.get("sex")),
        "tazkira": tazkira,
        "passport": passport,
        "phone": phone[-9:] if len(phone) >= 9 else None,
    }


# ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", type=Path)
    ap.add_argument("--output", type=Path)
    ap.add_argument("--threshold", type=float, default=0.95)
    ap.add_argument("--recall", type=float, default=0.6)
    ap.add_argument("--u-max-pairs", type=float, default=1e7)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--save-model", type=Path, default=None, help="write the trained model JSON here")
    ap.add_argument("--year-only", choices=["jan1", "null"], default="jan1",
                    help="a birth year alone becomes YYYY-01-01 (default) or null")
    ap.add_argument("--em", default="names,tazkira",
                    help="EM sessions' blocking, comma-separated: names, tazkira, given_dob, "
                         "family_father, dob, phone (default names,tazkira)")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test()
    if not args.input or not args.output:
        ap.error("--input and --output are required")
    global YEAR_ONLY
    YEAR_ONLY = args.year_only

    t_start = time.perf_counter()
    import duckdb
    import pandas as pd
    import splink
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t0 = time.perf_counter()
    with args.input.open(newline="", encoding="utf-8") as fh:
        rows = [prepare(r) for r in csv.DictReader(fh)]
    df = pd.DataFrame(rows, columns=["record_id"] + COLUMNS)
    t_prepare = time.perf_counter() - t0

    t0 = time.perf_counter()
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads TO {int(args.threads)}")
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    con.register("prepared", df)
    con.execute("CREATE TABLE input_records AS SELECT * FROM prepared")
    con.unregister("prepared")
    del df, rows
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register("input_records")

    blocking_rules = [
        block_on("given_name", "family_name"),
        block_on("given_name", "dob"),
        block_on("family_name", "father_name"),
        block_on("given_name", "father_name"),
        block_on("family_name", "dob"),
        block_on("father_name", "dob"),
        block_on("tazkira"),
        block_on("passport"),
        block_on("phone"),
        "l.given_name = r.family_name and l.family_name = r.given_name",
    ]
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("father_name").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d",
                                 invalid_dates_as_null=True),
        cl.DamerauLevenshteinAtThresholds("tazkira", [1]),
        cl.DamerauLevenshteinAtThresholds("passport", [1]),
        cl.ExactMatch("phone"),
        cl.ExactMatch("sex"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="record_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=comparisons,
    )
    linker = Linker(sdf, settings, log_level="WARNING")
    t_load = time.perf_counter() - t0

    t0 = time.perf_counter()
    deterministic = [
        block_on("tazkira"),
        block_on("passport"),
        block_on("given_name", "family_name", "dob"),
    ]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=args.recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=args.u_max_pairs, seed=args.seed)
    sessions = {
        "given_dob": block_on("given_name", "dob"),
        "family_father": block_on("family_name", "father_name"),
        "dob": block_on("dob"),
        "names": block_on("given_name", "family_name"),
        "tazkira": block_on("tazkira"),
        "phone": block_on("phone"),
    }
    for rule in [sessions[s.strip()] for s in args.em.split(",")]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    lam = linker._settings_obj._probability_two_random_records_match
    if args.save_model:
        linker.misc.save_model_to_json(str(args.save_model), overwrite=True)
    t_train = time.perf_counter() - t0

    t0 = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=args.threshold)
    n_pairs = con.execute(f"SELECT count(*) FROM {pred.physical_name}").fetchall()[0][0]
    t_predict = time.perf_counter() - t0

    t0 = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=args.threshold)
    out = con.execute(
        f"SELECT record_id, cluster_id FROM {clusters.physical_name} ORDER BY record_id").fetchall()
    t_cluster = time.perf_counter() - t0

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["record_id", "cluster_id"])
        w.writerows(out)
    print(f"splink {splink.__version__} duckdb {duckdb.__version__} threads={threads} pid={os.getpid()}")
    print(f"records={len(out)} pairs_at_threshold={n_pairs} lambda={lam:.6g} recall={args.recall} "
          f"u_max_pairs={args.u_max_pairs:g} threshold={args.threshold}")
    print(f"time_prepare_s={t_prepare:.2f} time_load_s={t_load:.2f} time_training_s={t_train:.2f} "
          f"time_prediction_s={t_predict:.2f} time_clustering_s={t_cluster:.2f} "
          f"time_total_s={time.perf_counter() - t_start:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
