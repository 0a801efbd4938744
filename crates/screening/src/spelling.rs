//! A name written as one string: the Latin comparison forms of its compared tokens joined
//! without spaces or hyphens, and whether two such strings are within one typing slip.
//!
//! The names engine compares names token by token, which a slip across a word boundary defeats:
//! "MYONGC-HIN" for Myong-Chin, "AREFULLAHA REF" for Arefullah Aref, "ADBUL BARI" for the
//! compound Abdulbari, "BADUR REHMAN" for Abdur Rehman, "AFIZ" for Faiz (whose first sound
//! differs, so no token rule pairs them). Written as one string each is the listed name with at
//! most one letter changed, added, dropped, or two neighbours swapped. Screening therefore also
//! asks whether the query, so written, is within one such edit of a listed name; candidates come
//! from a deletion neighbourhood (SymSpell): two strings one edit apart share the string itself
//! or a copy with one letter left out.
//!
//! Names with a token romanised from Arabic script are not written so: their short vowels are
//! missing, so letters do not line up with a Latin spelling.

use airbridge_names::ParsedName;

/// Shortest string compared so: below this one edit is too much of the name.
pub(crate) const MIN_LETTERS: usize = 4;
/// Longest: long chains of names are compared token by token only (their neighbourhoods would
/// be large, and one slip in forty letters is what the token rules already see).
pub(crate) const MAX_LETTERS: usize = 40;

/// The name as one lower-case Latin string, if it can be compared so: each compared token as
/// written when it is plain ASCII (the names engine's form normalises compounds, Abdur to
/// Abdul, which would hide the slip), else its folded Latin form (Türk as turk).
pub(crate) fn one_string(parsed: &ParsedName) -> Option<Box<str>> {
    let mut letters = String::new();
    for token in parsed.tokens.iter().filter(|token| token.is_compared()) {
        if token.vowelless {
            return None;
        }
        let written = if token.text.is_ascii() {
            &token.text
        } else {
            &token.form
        };
        letters.extend(
            written
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase()),
        );
        if letters.len() > MAX_LETTERS {
            return None;
        }
    }
    (letters.len() >= MIN_LETTERS).then(|| letters.into_boxed_str())
}

/// FNV-1a of `letters` with the letter at `skip` left out (none when `skip` is out of range).
fn hash_without(letters: &[u8], skip: usize) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, &letter) in letters.iter().enumerate() {
        if i != skip {
            hash ^= u64::from(letter);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    // Mixed with the length kept: strings of different lengths share a hash even more rarely.
    let kept = letters.len() - usize::from(skip < letters.len());
    hash ^ (kept as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The keys of a string: its own hash and the hash of each one-letter deletion, sorted and
/// distinct. Two strings one edit apart always share one.
pub(crate) fn neighbourhood(letters: &str, out: &mut Vec<u64>) {
    let letters = letters.as_bytes();
    let start = out.len();
    out.push(hash_without(letters, usize::MAX));
    out.extend((0..letters.len()).map(|skip| hash_without(letters, skip)));
    out[start..].sort_unstable();
    let mut distinct = start;
    for i in start..out.len() {
        if distinct == start || out[i] != out[distinct - 1] {
            out[distinct] = out[i];
            distinct += 1;
        }
    }
    out.truncate(distinct);
}

/// How many edits apart two strings are, when at most one: 0 if equal, 1 for one letter
/// changed, added or dropped, or two neighbours swapped; `None` beyond.
pub(crate) fn edits_within_one(a: &str, b: &str) -> Option<u8> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return Some(0);
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let first = short
        .iter()
        .zip(long)
        .position(|(x, y)| x != y)
        .unwrap_or(short.len());
    let one = match long.len() - short.len() {
        // Changed: the rest agrees; swapped: the next two are crossed and the rest agrees.
        0 => {
            short[first + 1..] == long[first + 1..]
                || (first + 1 < short.len()
                    && short[first] == long[first + 1]
                    && short[first + 1] == long[first]
                    && short[first + 2..] == long[first + 2..])
        }
        // Dropped from the short one: the long one without its letter at the first difference.
        1 => short[first..] == long[first + 1..],
        _ => false,
    };
    one.then_some(1)
}

/// The name similarity two one-string names earn: the same letters only spaced differently
/// count as the same name; one slip as a near match, nearer the longer the name.
pub(crate) fn similarity(edits: u8, letters: usize) -> f64 {
    match edits {
        0 => 1.0,
        // 0.8 for four letters, 0.9 from eight.
        1 => (1.0 - 0.8 / letters.max(MIN_LETTERS) as f64).clamp(0.8, 0.9),
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slips_across_word_boundaries_are_one_edit_or_none() {
        assert_eq!(
            edits_within_one("changmyongchin", "changmyongchin"),
            Some(0)
        );
        assert_eq!(
            edits_within_one("adbulbariakhund", "abdulbariakhund"),
            Some(1)
        );
        assert_eq!(edits_within_one("badurrehman", "abdurrehman"), Some(1));
        assert_eq!(edits_within_one("afiz", "faiz"), Some(1));
        assert_eq!(edits_within_one("arefullaha", "arefullah"), Some(1));
        assert_eq!(edits_within_one("karim", "karin"), Some(1));
        assert_eq!(edits_within_one("karim", "kraim"), Some(1));
        assert_eq!(edits_within_one("karim", "krima"), None);
        assert_eq!(edits_within_one("karim", "kari"), Some(1));
        assert_eq!(edits_within_one("karim", "ka"), None);
        assert_eq!(edits_within_one("abcd", "badc"), None);
    }

    #[test]
    fn similarity_rises_with_length() {
        assert_eq!(similarity(0, 4), 1.0);
        assert!((similarity(1, 4) - 0.8).abs() < 1e-9);
        assert!((similarity(1, 8) - 0.9).abs() < 1e-9);
        assert!((similarity(1, 30) - 0.9).abs() < 1e-9);
        assert_eq!(similarity(2, 30), 0.0);
    }

    /// Optimal-string-alignment distance, the plain way, to check the shortcut against.
    fn osa(a: &[u8], b: &[u8]) -> usize {
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        d[a.len()][b.len()]
    }

    fn shares_a_key(a: &str, b: &str) -> bool {
        let (mut keys_a, mut keys_b) = (Vec::new(), Vec::new());
        neighbourhood(a, &mut keys_a);
        neighbourhood(b, &mut keys_b);
        keys_a.iter().any(|key| keys_b.binary_search(key).is_ok())
    }

    proptest! {
        #[test]
        fn agrees_with_the_distance_and_the_keys_find_every_pair(
            a in "[abdhik]{1,9}",
            edit in 0usize..4,
            at in 0usize..10,
            letter in "[abdhik]",
        ) {
            // b: a with one random edit of the chosen kind (or none).
            let mut b = a.clone().into_bytes();
            let at = at.min(b.len().saturating_sub(1));
            match edit {
                0 => b[at] = letter.as_bytes()[0],
                1 => { b.insert(at, letter.as_bytes()[0]); }
                2 => { b.remove(at); }
                _ => if at + 1 < b.len() { b.swap(at, at + 1); },
            }
            let b = String::from_utf8(b).unwrap();
            let distance = osa(a.as_bytes(), b.as_bytes());
            let within = edits_within_one(&a, &b);
            prop_assert_eq!(within.map(usize::from), (distance <= 1).then_some(distance));
            prop_assert_eq!(within, edits_within_one(&b, &a));
            if distance <= 1 {
                prop_assert!(shares_a_key(&a, &b), "{} {}", a, b);
            }
        }

        #[test]
        fn far_strings_are_never_within_one(a in "[a-e]{0,8}", b in "[a-e]{0,8}") {
            let distance = osa(a.as_bytes(), b.as_bytes());
            prop_assert_eq!(
                edits_within_one(&a, &b).map(usize::from),
                (distance <= 1).then_some(distance)
            );
        }
    }
}
