#!/usr/bin/env python3
"""Derive arabic_dictionary.tsv and frequencies.tsv from the NETransliteration
Wikidata English->Arabic *training* split (data_wd_arabic_80, CC0 data).

Only the 80% training split is read; the 20% split stays untouched for checking.
Usage: python3 derive_translit.py /work/shared/data/names/translit/netranslit-wd-arabic/data_wd_arabic_80 OUT_DIR
The Arabic-script folding below mirrors `script::fold_arabic_char` in src/script.rs.
"""
import collections, re, sys, unicodedata

FOLD = {
    "\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0629": "\u0647",
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
    "\u0624": "\u0648", "\u0626": "\u06cc", "\u06d5": "\u0647", "\u06c0": "\u0647",
}
DROP = set(chr(c) for c in range(0x064B, 0x0660)) | {"\u0670", "\u0640", "\u200c", "\u200d", "\u0621"}

def fold_ar(s):
    return "".join(FOLD.get(c, c) for c in s if c not in DROP and not c.isspace())

# Rough consonant classes, used only to reject misaligned pairs (akhmet for ahmad is kept,
# zog for ahmad is not): both sides must share their consonant-class skeleton up to one edit.
AR_CLASS = {"ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "s", "ج": "j", "چ": "j", "ح": "h", "خ": "k",
            "د": "d", "ذ": "z", "ر": "r", "ز": "z", "ژ": "z", "س": "s", "ش": "s", "ص": "s", "ض": "z",
            "ظ": "z", "ع": "", "غ": "g", "ف": "f", "ق": "k", "ک": "k", "گ": "g", "ل": "l", "م": "m",
            "ن": "n", "و": "", "ه": "h", "ی": "", "ا": "", "ټ": "t", "ډ": "d", "ړ": "r", "ږ": "z",
            "ښ": "s", "ګ": "g", "ڼ": "n", "ې": "", "ۍ": ""}

def ar_skel(s):
    out = "".join(AR_CLASS.get(c, "") for c in s)
    return re.sub(r"(.)\1+", r"\1", out).rstrip("h")

def lat_skel(s):
    for a, b in (("kh", "k"), ("gh", "g"), ("sh", "s"), ("ch", "j"), ("th", "s"), ("dh", "z"), ("zh", "z"),
                 ("ph", "f"), ("q", "k"), ("c", "k"), ("x", "k"), ("v", "b"), ("p", "b"), ("w", ""), ("y", ""),
                 ("g", "g"), ("d", "d")):
        s = s.replace(a, b)
    s = re.sub(r"[aeiou]", "", s)
    return re.sub(r"(.)\1+", r"\1", s).rstrip("h")

def lev(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]

def fold_lat(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if "a" <= c <= "z")

def convention_penalty(ar, en):
    """How far a Latin spelling follows French, Turkish or Egyptian conventions where the
    English-language lists Airbridge reads use others: ch or plain s for ش (Chakib, Sebnem for
    Shakib, Shabnam), c for a س/ص (Naceri), dj or g for ج, t for a final د, no vowel after the
    first consonant."""
    penalty = 0
    if "ش" in ar and "چ" not in ar and "sh" not in en:
        penalty += 1
    if any(letter in ar for letter in "سصث") and re.search(r"c(?!h)", en):
        penalty += 1
    if "ج" in ar and ("dj" in en or ("j" not in en and "g" in en)):
        penalty += 1
    # Turkish writes a final د as t (Murat, Ahmet, Mehmet for Murad, Ahmad, Muhammad).
    if ar.endswith("د") and en.endswith("t"):
        penalty += 1
    # Two consonants at the start (Mrad for مراد) leave out the short vowel lists write (Murad).
    if re.match(r"(?!sh|kh|gh|ch|th|zh|ph)[b-df-hj-np-tv-z]{2}", en):
        penalty += 1
    return penalty


def best_spelling(ar, counts):
    """The spelling to read `ar` as: among those seen at least a tenth as often as the most
    frequent, the one following English-language conventions best, then the most frequent."""
    ranked = counts.most_common()
    top = ranked[0][1]
    # Ties keep the order in which most_common lists them (first seen first), as before.
    candidates = [(rank, en) for rank, (en, n) in enumerate(ranked) if n * 10 >= top]
    return min(candidates, key=lambda item: (convention_penalty(ar, item[1]), item[0]))[1]


src, out = sys.argv[1], sys.argv[2]
by_ar = collections.defaultdict(collections.Counter)
freq = collections.Counter()
for line in open(src, encoding="utf-8"):
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 3:
        continue
    en, ar, n = fold_lat(parts[0]), fold_ar(parts[1]), int(parts[2])
    if not en or not ar:
        continue
    freq[en] += n
    # Alignment noise: the Latin form should not be far longer than the Arabic letters allow.
    if len(en) <= 2 * len(ar) + 2 and lev(ar_skel(ar), lat_skel(en)) <= 1:
        by_ar[ar][en] += n

with open(f"{out}/arabic_dictionary.tsv", "w", encoding="utf-8") as f:
    f.write("# Arabic-script word (folded) -> Latin spelling (see best_spelling), with its count.\n")
    f.write("# Source: NETransliteration-COLING2018 (github steveash, @5d5f59e5), Wikidata person names,\n")
    f.write("# English->Arabic token-aligned, TRAINING split data_wd_arabic_80 only. Data CC0.\n")
    f.write("# Generated by data/derive/derive_translit.py; entries seen once are kept only if unambiguous.\n")
    for ar in sorted(by_ar):
        c = by_ar[ar]
        en = best_spelling(ar, c)
        total = sum(c.values())
        if total < 2 and len(c) > 1:
            continue
        f.write(f"{ar}\t{en}\t{total}\n")

with open(f"{out}/frequencies.tsv", "w", encoding="utf-8") as f:
    f.write("# Latin name-token -> count among Wikidata person names (English labels).\n")
    f.write("# Source: NETransliteration-COLING2018 (github steveash, @5d5f59e5), TRAINING split data_wd_arabic_80, CC0.\n")
    f.write("# Generated by data/derive/derive_translit.py. Tokens seen once are left out (the engine treats unseen as rare).\n")
    for en, n in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0])):
        if n >= 2:
            f.write(f"{en}\t{n}\n")
