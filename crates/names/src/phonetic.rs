//! Phonetic skeletons of name tokens and a weighted edit distance over them.
//!
//! Transliterations of one name differ mostly in vowels (Hashim/Hashem, Umar/Omar), doubled
//! letters (Abdullah/Abdulah), digraphs (kh/x, gh/g, ph/f, dh/z) and a few consonant pairs that
//! different conventions write differently (q/k, th/s, d/z, w/v, ch/sh). The skeleton keeps the
//! consonants in one code per sound, drops vowels except a marker for a word-initial one, and
//! collapses doubles. The weighted distance then makes the remaining near-pairs cheap.
//!
//! Codes: lower-case letters are themselves; `x` is kh, `S` sh, `C` ch, `T` th, `a` a
//! word-initial vowel. Non-ASCII letters pass through unchanged.

/// True for the letters that are vowels in Latin spellings of names.
fn is_vowel(byte: u8) -> bool {
    matches!(byte, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The separator [`skeleton`] skips: written between two letters that must not be read as one
/// digraph.
pub(crate) const SEPARATOR: char = '\'';

/// True when `before` followed by `after` would be read as a digraph (s-h as sh, d-h as dh,
/// p-h as ph, s-j and t-j as the Swedish sh and ch …) although they are two letters: joined
/// words, table romanisations (سجادی is s-j-a-d-i, not sh-a-d-i). Not z-j: Latin spellings
/// of جوزجان and یازجی write it the same way, and the skeleton reads both alike.
pub(crate) fn false_digraph(before: &str, after: &str) -> bool {
    (after.starts_with('h') && before.ends_with(['s', 'k', 'g', 'z', 'c', 't', 'd', 'p']))
        || (after.starts_with('j') && before.ends_with(['s', 't']))
}

/// Computes the consonant skeleton of a folded Latin token.
pub fn skeleton(form: &str) -> String {
    let bytes = form.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut index = 0;
    let len = bytes.len();
    let at = |i: usize| -> u8 { if i < len { bytes[i] } else { 0 } };
    let vowelish = |i: usize| -> bool { i < len && (is_vowel(bytes[i]) || bytes[i] == b'y') };
    while index < len {
        let byte = bytes[index];
        let next = at(index + 1);
        let (code, step): (Option<u8>, usize) = match byte {
            // Burmese writes its aspirated t as ht at the start of a word, and lists drop the
            // h as often as not (Htun / Tun, Htet / Tet).
            b'h' if index == 0 && next == b't' && at(index + 2) != b'h' => (None, 1),
            b'a' | b'e' | b'i' | b'o' | b'u' => (if index == 0 { Some(b'a') } else { None }, 1),
            b'y' => {
                if index == 0 && vowelish(index + 1) {
                    (Some(b'y'), 1)
                } else if index == 0 {
                    (Some(b'a'), 1)
                } else {
                    (None, 1)
                }
            }
            // A separator the Arabic-script table puts between two letters that are not a
            // digraph (sp'hr is s-p-h-r, not s-f-r).
            b'\'' => (None, 1),
            b'w' | b'v' => {
                // "aw"/"au" and "ow"/"ou" are the same diphthong: w is a consonant before a vowel,
                // and after a consonant or a word boundary (vowelless romanisations: nik'wrz).
                let after_consonant = index > 0 && !vowelish(index - 1);
                if index == 0 || vowelish(index + 1) || after_consonant {
                    (Some(b'v'), 1)
                } else {
                    (None, 1)
                }
            }
            b'k' if next == b'h' => (Some(b'x'), 2),
            // Inside a word after a vowel, x is ks in European spellings (Maxim, Alexei, Aljaxej);
            // at the start it is kh, as in Uzbek, Somali and Spanish-era spellings (Xalid).
            b'x' if index > 0 && is_vowel(bytes[index - 1]) => {
                if out.last() != Some(&b'k') {
                    out.push(b'k');
                }
                (Some(b's'), 1)
            }
            b'x' => (Some(b'x'), 1),
            b'g' if next == b'h' => (Some(b'g'), 2),
            b's' if next == b'h' => (Some(b'S'), 2),
            b's' if next == b'c' && at(index + 2) == b'h' => (Some(b'S'), 3),
            b't' if next == b'c' && at(index + 2) == b'h' => (Some(b'C'), 3),
            b'c' if next == b'h' => (Some(b'C'), 2),
            // Swedish and Dutch transliterations of Russian write ch as tj and sh as sj
            // (Tjernysjov = Chernyshov); old Indonesian spelling writes tj for c as well.
            // After s it is t and j (Dastjerdi, Dastjani, Sevostjanov = Sevastyanov); sj tj,
            // Swedish for shch (Chrusjtjov), reads the same.
            b't' if next == b'j' && !(index > 0 && bytes[index - 1] == b's') => (Some(b'C'), 2),
            b's' if next == b'j' => (Some(b'S'), 2),
            b'z' if next == b'j' => (Some(b'z'), 2),
            // The Slavic adjective ending -ij/-yj is -iy/-y in English spellings (Jevgenij).
            b'j' if index + 1 == len && index > 0 && matches!(bytes[index - 1], b'i' | b'y') => {
                (None, 1)
            }
            b't' if next == b'h' => (Some(b'T'), 2),
            b'd' if next == b'h' => (Some(b'z'), 2),
            b'd' if next == b'j' => (Some(b'j'), 2),
            // Russian transliteration writes j as dzh (Dzhamal, Dzheykhun).
            b'd' if next == b'z' && at(index + 2) == b'h' => (Some(b'j'), 3),
            b'z' if next == b'h' => (Some(b'z'), 2),
            b'p' if next == b'h' => (Some(b'f'), 2),
            b'c' if next == b'k' => (Some(b'k'), 2),
            b'q' | b'c' => (Some(b'k'), 1),
            b'h' => {
                // A final h after a vowel is silent spelling (Abdullah/Abdulla, Fatimah/Fatima).
                let previous_vowel = index > 0 && is_vowel(bytes[index - 1]);
                if index + 1 == len && previous_vowel {
                    (None, 1)
                } else {
                    (Some(b'h'), 1)
                }
            }
            other => (Some(other), 1),
        };
        if let Some(code) = code
            && out.last() != Some(&code)
        {
            out.push(code);
        }
        index += step;
    }
    // Only ASCII codes were produced from ASCII input, and non-ASCII bytes were copied whole.
    String::from_utf8(out).unwrap_or_default()
}

/// Cost of substituting one skeleton code for another, in tenths.
const fn substitution_cost(a: u8, b: u8) -> u8 {
    if a == b {
        return 0;
    }
    let (low, high) = if a < b { (a, b) } else { (b, a) };
    match (low, high) {
        // g/j: Egyptian spellings write ج as g (Gamal, Wagih, Hegazi).
        // j/y: German and Slavic spellings write y as j (Jusuf, Jahja, Jevgenij).
        (b'T', b's')
        | (b'T', b't')
        | (b'b', b'p')
        | (b'g', b'k')
        | (b'k', b'x')
        | (b'g', b'j')
        | (b'j', b'y') => 3,
        (b'T', b'd')
        | (b'S', b's')
        | (b'C', b'S')
        | (b'd', b'z')
        | (b'j', b'z')
        | (b'b', b'v')
        | (b'f', b'v')
        // German and Czech spellings write kh as ch (Machluf, Chalil, Chamenei).
        | (b'C', b'x') => 4,
        (b'g', b'h')
        | (b'h', b'x')
        | (b'a', b'h')
        | (b'C', b'j')
        | (b'T', b'z')
        | (b'd', b't') => 5,
        (b'a', b'y') | (b'a', b'v') | (b'v', b'y') | (b'a', b'j') => 5,
        _ => 10,
    }
}

/// Cost of inserting or deleting a skeleton code, in tenths.
const fn indel_cost(code: u8) -> u8 {
    match code {
        b'h' | b'a' | b'v' | b'y' => 5,
        _ => 10,
    }
}

/// The costs as lookup tables, built at compile time: the distance runs in the hot path.
struct CostTables {
    substitution: [[u8; 128]; 128],
    indel: [u8; 256],
}

const fn build_cost_tables() -> CostTables {
    let mut substitution = [[10u8; 128]; 128];
    let mut indel = [10u8; 256];
    let mut a = 0;
    while a < 128 {
        let mut b = 0;
        while b < 128 {
            substitution[a][b] = substitution_cost(a as u8, b as u8);
            b += 1;
        }
        indel[a] = indel_cost(a as u8);
        a += 1;
    }
    CostTables {
        substitution,
        indel,
    }
}

static COSTS: CostTables = build_cost_tables();

#[inline]
pub(crate) fn substitute(a: u8, b: u8) -> u32 {
    if a < 128 && b < 128 {
        u32::from(COSTS.substitution[a as usize][b as usize])
    } else if a == b {
        0
    } else {
        10
    }
}

#[inline]
fn indel(code: u8) -> u32 {
    u32::from(COSTS.indel[code as usize])
}

/// Weighted edit distance between two skeletons, in tenths of an edit.
#[cfg(test)]
fn weighted_distance(a: &[u8], b: &[u8]) -> u32 {
    weighted_distance_within(a, b, u32::MAX)
}

/// Weighted edit distance between two skeletons, in tenths of an edit, where only distances up
/// to `limit` matter: exact up to `limit`, some distance above it otherwise. The programme
/// stops at the first row whose every cell is past the limit (no path comes back under it).
///
/// Skeletons are short (names rarely exceed 12 codes), so a two-row dynamic programme on the
/// stack is cheap; longer inputs fall back to a heap buffer.
pub fn weighted_distance_within(a: &[u8], b: &[u8], limit: u32) -> u32 {
    if a == b {
        return 0;
    }
    // Every code of the longer skeleton past the shorter's length costs at least half an edit.
    let gap = 5 * a.len().abs_diff(b.len()) as u64;
    if gap > u64::from(limit) {
        return limit.saturating_add(1);
    }
    if b.len() <= SHORT && a.len() <= SHORT && a.is_ascii() && b.is_ascii() {
        return short_weighted_distance(a, b, limit);
    }
    let mut stack_previous = [0u32; 33];
    let mut stack_current = [0u32; 33];
    let mut heap: Vec<u32>;
    let (mut previous, mut current): (&mut [u32], &mut [u32]) = if b.len() < 33 {
        (
            &mut stack_previous[..=b.len()],
            &mut stack_current[..=b.len()],
        )
    } else {
        heap = vec![0; 2 * (b.len() + 1)];
        let (left, right) = heap.split_at_mut(b.len() + 1);
        (left, right)
    };
    previous[0] = 0;
    for (j, &code) in b.iter().enumerate() {
        previous[j + 1] = previous[j] + indel(code);
    }
    for &code_a in a {
        current[0] = previous[0] + indel(code_a);
        let mut lowest = current[0];
        for (j, &code_b) in b.iter().enumerate() {
            let substitute = previous[j] + substitute(code_a, code_b);
            let delete = previous[j + 1] + indel(code_a);
            let insert = current[j] + indel(code_b);
            let cell = substitute.min(delete).min(insert);
            current[j + 1] = cell;
            lowest = lowest.min(cell);
        }
        if lowest > limit {
            return lowest;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Skeletons this long or shorter take [`short_weighted_distance`].
const SHORT: usize = 32;

/// [`weighted_distance_within`] of two ASCII skeletons of at most [`SHORT`] codes: one row of
/// 16-bit cells updated in place, the costs of the row's code looked up once.
fn short_weighted_distance(a: &[u8], b: &[u8], limit: u32) -> u32 {
    let width = b.len();
    let mut inserts = [0u16; SHORT];
    for (cost, &code) in inserts.iter_mut().zip(b) {
        *cost = indel(code) as u16;
    }
    let mut row = [0u16; SHORT + 1];
    for j in 0..width {
        row[j + 1] = row[j] + inserts[j];
    }
    for &code_a in a {
        let substitutions = &COSTS.substitution[usize::from(code_a & 127)];
        let delete = indel(code_a) as u16;
        // `diagonal` is the previous row's cell to the left, `left` this row's.
        let mut diagonal = row[0];
        row[0] += delete;
        let mut left = row[0];
        let mut lowest = left;
        for ((&code_b, &insert), cell) in b.iter().zip(&inserts).zip(&mut row[1..=width]) {
            let up = *cell;
            let best = (diagonal + u16::from(substitutions[usize::from(code_b & 127)]))
                .min(up + delete)
                .min(left + insert);
            diagonal = up;
            *cell = best;
            left = best;
            lowest = lowest.min(best);
        }
        if u32::from(lowest) > limit {
            return u32::from(lowest);
        }
    }
    u32::from(row[width])
}

/// Similarity of two skeletons in [0, 1] from the weighted distance, where only similarities
/// of `floor` or more matter: exact from `floor` up, some similarity below it otherwise.
pub fn skeleton_similarity_from(a: &str, b: &str, floor: f64) -> f64 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    // 1 − distance / longest ≥ floor needs distance ≤ (1 − floor) · longest (in tenths here);
    // one tenth more keeps rounding on the safe side.
    let limit = (10.0 * (1.0 - floor).max(0.0) * longest as f64).min(f64::from(u32::MAX - 1));
    let limit = limit as u32 + 1;
    let distance = f64::from(weighted_distance_within(a.as_bytes(), b.as_bytes(), limit)) / 10.0;
    (1.0 - distance / longest as f64).max(0.0)
}

/// Edit similarity of two byte strings in [0, 1] (1 − edits / longer length, an adjacent swap
/// counting as one edit), for vowel-aware comparison.
pub fn edit_similarity(a: &[u8], b: &[u8]) -> f64 {
    edit_similarity_from(a, b, 0.0)
}

/// [`edit_similarity`] where only similarities of `floor` or more matter: exact from `floor`
/// up, some similarity below it otherwise.
pub fn edit_similarity_from(a: &[u8], b: &[u8], floor: f64) -> f64 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    if a == b {
        return 1.0;
    }
    let limit = ((1.0 - floor).max(0.0) * longest as f64) as usize + 1;
    1.0 - edit_distance(a, b, limit) as f64 / longest as f64
}

/// Edit distance where swapping two adjacent letters is one edit, as inserting, deleting or
/// replacing one is (the optimal-string-alignment distance): a typist's Afiz for Faiz, Badur
/// for Abdur, Mohmamad for Mohammad, is one slip, not two. Exact up to `limit`, some distance
/// above it otherwise.
fn edit_distance(a: &[u8], b: &[u8], limit: usize) -> usize {
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    if let Some(distance) = swap_distance_by_bits(a, b) {
        return distance;
    }
    const STACK: usize = 41;
    let width = b.len() + 1;
    if width <= STACK {
        let mut rows = [0usize; 3 * STACK];
        edit_distance_in(a, b, &mut rows[..3 * width], limit)
    } else {
        edit_distance_in(a, b, &mut vec![0; 3 * width], limit)
    }
}

/// [`edit_distance`] computed a column of the programme at a time in the bits of a word
/// (Hyyrö's bit-vector algorithm for the distance with adjacent swaps, 2003), for ASCII
/// spellings the shorter of which fits a word; `None` otherwise. Each column costs a dozen
/// word operations instead of a row of cells.
fn swap_distance_by_bits(a: &[u8], b: &[u8]) -> Option<usize> {
    let (pattern, text) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if pattern.is_empty() {
        return Some(text.len());
    }
    if pattern.len() > 63 || !pattern.is_ascii() || !text.is_ascii() {
        return None;
    }
    // Where each letter stands in the pattern.
    let mut places = [0u64; 128];
    for (i, &letter) in pattern.iter().enumerate() {
        places[usize::from(letter)] |= 1 << i;
    }
    let last = 1u64 << (pattern.len() - 1);
    // Vertical differences between neighbouring cells of the column: +1 (positive) or −1
    // (negative), else 0; the column starts as 0, 1, 2, … down the pattern.
    let (mut positive, mut negative) = ((last << 1) - 1, 0u64);
    let mut diagonal_zero = 0u64;
    let mut previous_places = 0u64;
    let mut distance = pattern.len();
    for &letter in text {
        let here = places[usize::from(letter)];
        // Cells reached by swapping this letter with the one before.
        let swapped = ((!diagonal_zero & here) << 1) & previous_places;
        diagonal_zero =
            (((here & positive).wrapping_add(positive)) ^ positive) | here | negative | swapped;
        let mut horizontal_positive = negative | !(diagonal_zero | positive);
        let mut horizontal_negative = diagonal_zero & positive;
        if horizontal_positive & last != 0 {
            distance += 1;
        } else if horizontal_negative & last != 0 {
            distance -= 1;
        }
        horizontal_positive = (horizontal_positive << 1) | 1;
        horizontal_negative <<= 1;
        positive = horizontal_negative | !(diagonal_zero | horizontal_positive);
        negative = horizontal_positive & diagonal_zero;
        previous_places = here;
    }
    Some(distance)
}

/// [`edit_distance`] in `rows`: three rows of `b.len() + 1` cells, used in turn as the row two
/// back (for a swap), the row one back and the row being filled.
fn edit_distance_in(a: &[u8], b: &[u8], rows: &mut [usize], limit: usize) -> usize {
    let width = b.len() + 1;
    let (mut before, mut previous, mut current) = (0, width, 2 * width);
    for j in 0..width {
        rows[previous + j] = j;
    }
    // A swap reaches back two rows, so a path crosses at least one of any two rows in a row:
    // once two rows running are past the limit, so is the distance.
    let mut previous_lowest = 0;
    for i in 1..=a.len() {
        rows[current] = i;
        let mut lowest = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[previous + j - 1] + cost)
                .min(rows[previous + j] + 1)
                .min(rows[current + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[before + j - 2] + 1);
            }
            rows[current + j] = best;
            lowest = lowest.min(best);
        }
        if lowest > limit && previous_lowest > limit {
            return lowest.min(previous_lowest);
        }
        previous_lowest = lowest;
        (before, previous, current) = (previous, current, before);
    }
    rows[previous + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(form: &str, expected: &str) {
        assert_eq!(skeleton(form), expected, "skeleton of {form}");
    }

    #[test]
    fn skeletons_bring_spellings_together() {
        check("hashim", "hSm");
        check("hashem", "hSm");
        check("mawlawi", "mlv");
        check("maulavi", "mlv");
        check("abdullah", "abdl");
        check("abdulla", "abdl");
        check("khalid", "xld");
        check("xalid", "xld");
        check("qasim", "ksm");
        check("kasim", "ksm");
        check("umar", "amr");
        check("omar", "amr");
        check("ghulam", "glm");
        check("gulam", "glm");
        check("mustapha", "mstf");
        check("yusuf", "ysf");
        check("youssef", "ysf");
        check("ahmadzai", "ahmdz");
        check("ahmdzi", "ahmdz");
        // Swedish tj is ch, but not after s, where it is t and j or y.
        check("tjernysjov", "CrnS");
        check("dastjerdi", "dstjrd");
        check("sevostjanov", "svstjn");
        // Burmese ht is t at the start of a word; th stays th.
        check("htun", "tn");
        check("tun", "tn");
        check("htet", "t");
        check("hthein", "hTn");
    }

    #[test]
    fn weighted_distance_makes_near_pairs_cheap() {
        assert_eq!(weighted_distance(b"Tmn", b"smn"), 3);
        assert_eq!(weighted_distance(b"rmzn", b"rmdn"), 4);
        assert_eq!(weighted_distance(b"abc", b"abc"), 0);
        assert_eq!(weighted_distance(b"", b"ab"), 15);
        assert!((edit_similarity(b"kitten", b"sitting") - (1.0 - 3.0 / 7.0)).abs() < 1e-9);
        // An adjacent swap is one edit.
        assert!((edit_similarity(b"faiz", b"afiz") - 0.75).abs() < 1e-9);
        assert!((edit_similarity(b"abdur", b"badur") - 0.8).abs() < 1e-9);
        assert!((edit_similarity(b"ca", b"abc") - (1.0 - 3.0 / 3.0)).abs() < 1e-9);
    }

    /// The whole programme, for checking the ones that stop early.
    fn full_edit_distance(a: &[u8], b: &[u8]) -> usize {
        let width = b.len() + 1;
        edit_distance_in(a, b, &mut vec![0; 3 * width], usize::MAX - 1)
    }

    proptest::proptest! {
        // The one-row programme of short skeletons is the general one.
        #[test]
        fn short_weighted_distance_is_the_programmes(
            a in "[abdhkmsvyStzgx]{0,32}",
            b in "[abdhkmsvyStzgx]{0,32}",
        ) {
            let long_a = a.clone() + &"q".repeat(SHORT);
            let long_b = b.clone() + &"q".repeat(SHORT);
            // Past SHORT codes the general programme runs; a common tail adds nothing.
            proptest::prop_assert_eq!(
                weighted_distance(a.as_bytes(), b.as_bytes()),
                weighted_distance(long_a.as_bytes(), long_b.as_bytes())
            );
        }

        // The bit-vector distance is the programme's, swaps included, either way round.
        #[test]
        fn distance_by_bits_is_the_programmes(
            a in "[abdhkmsvyS]{0,20}",
            b in "[abdhkmsvyS]{0,20}",
        ) {
            let full = full_edit_distance(a.as_bytes(), b.as_bytes());
            proptest::prop_assert_eq!(swap_distance_by_bits(a.as_bytes(), b.as_bytes()), Some(full));
            proptest::prop_assert_eq!(swap_distance_by_bits(b.as_bytes(), a.as_bytes()), Some(full));
        }
    }

    #[test]
    fn distance_by_bits_on_long_and_foreign_spellings() {
        let long = "a".repeat(63) + "b";
        let long = long.as_bytes();
        assert_eq!(
            swap_distance_by_bits(long, long),
            None,
            "64 letters do not fit"
        );
        assert_eq!(swap_distance_by_bits(&long[1..], &long[1..]), Some(0));
        assert_eq!(swap_distance_by_bits(&long[1..], &long[..63]), Some(1));
        assert_eq!(swap_distance_by_bits("é".as_bytes(), b"e"), None);
        assert_eq!(edit_distance("café".as_bytes(), b"cafe", 9), 2);
        assert_eq!(edit_distance(b"mohmamad", b"mohammad", 9), 1);
    }

    proptest::proptest! {
        // Distances cut off at a limit are exact up to it and past it beyond: over a small
        // alphabet, so that near strings, swaps and cheap substitutions are common.
        #[test]
        fn limited_distances_are_exact_up_to_the_limit(
            a in "[abdhkmsvyS]{0,12}",
            b in "[abdhkmsvyS]{0,12}",
            limit in 0u32..60,
        ) {
            let full = weighted_distance(a.as_bytes(), b.as_bytes());
            let cut = weighted_distance_within(a.as_bytes(), b.as_bytes(), limit);
            if full <= limit {
                proptest::prop_assert_eq!(cut, full);
            } else {
                proptest::prop_assert!(cut > limit, "{} vs {}: {} within {}", a, b, cut, limit);
            }
            let full = full_edit_distance(a.as_bytes(), b.as_bytes());
            let limit = limit as usize / 5;
            let cut = edit_distance(a.as_bytes(), b.as_bytes(), limit);
            if full <= limit {
                proptest::prop_assert_eq!(cut, full);
            } else {
                proptest::prop_assert!(cut > limit, "{} vs {}: {} within {}", a, b, cut, limit);
            }
        }

        #[test]
        fn similarities_from_a_floor_are_exact_above_it(
            a in "[abdhkmsvyS]{0,12}",
            b in "[abdhkmsvyS]{0,12}",
            floor in 0.0f64..1.0,
        ) {
            let exact = edit_similarity(a.as_bytes(), b.as_bytes());
            let cut = edit_similarity_from(a.as_bytes(), b.as_bytes(), floor);
            if exact >= floor {
                proptest::prop_assert_eq!(cut, exact);
            } else {
                proptest::prop_assert!(cut < floor);
            }
            let exact = skeleton_similarity_from(&a, &b, 0.0);
            let cut = skeleton_similarity_from(&a, &b, floor);
            if exact >= floor {
                proptest::prop_assert_eq!(cut, exact);
            } else {
                proptest::prop_assert!(cut < floor);
            }
        }
    }
}
