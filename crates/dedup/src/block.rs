//! Blocking: which pairs are worth comparing at all.
//!
//! Comparing every pair is quadratic, so each record gets a few keys and only records sharing a
//! key are compared. Several rules run side by side so that a pair missed by one (a misspelt
//! name, a Solar Hijri year against a Gregorian day, a missing birth date) is still caught by
//! another (the father's name, a document, a phone, a postcode). A key shared by too many
//! records (a very common name in one year) would cost more than it finds: such blocks are
//! skipped and counted, and the other rules cover them.

use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;

use crate::compare::Prepared;

/// The blocking rules, for reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A names-engine key of the whole name, with the birth year (± 1).
    NameYear,
    /// Two names-engine keys of the whole name together, whatever the birth date.
    NamePair,
    /// The father's name key with a key of the person's own name.
    FatherName,
    /// The father's name key with a key of the person's own name and the birth year (± 1):
    /// what tells a child from the namesakes of a large registry.
    FatherNameYear,
    /// The family name key with a key of the given name and the birth year (± 1).
    FamilyNameYear,
    /// The family name, the father's name and the given name together, whatever the date.
    FamilyFatherName,
    /// The family name key with the given name's first letter: a nickname or an initial
    /// ("Art", "A.") for the given name, whatever the date.
    FamilyInitial,
    /// The given name key with the family name's first three letters: a misspelt family name.
    GivenFamilyPrefix,
    Document,
    Phone,
    SocSecId,
    Email,
    /// The name part of an e-mail address (before the @), for a misspelt domain: weak.
    EmailName,
    /// The same exact birth day with a names-engine key (any name part, so swapped given and
    /// family names still meet).
    BirthDay,
    /// The same exact day of birth (a real day, not a placeholder), whatever else: weak, for
    /// records with a damaged or missing name in a small list.
    BirthDayAlone,
    /// The same exact birth day with the postcode.
    BirthDayPostcode,
    /// The same exact birth day with the initials of the name, in any order: catches names
    /// too damaged for the names engine's keys.
    BirthDayInitials,
    /// The same exact birth day with the place of birth.
    BirthDayPlace,
    /// One name part's key alone (the given, the family or the whole name's): useful only
    /// where the name is rare, which the block cap decides; in a large registry of common
    /// names these blocks are all skipped.
    RareName,
    /// Postcode with a names-engine key.
    PostcodeName,
    /// Place of birth with one name part's key (as [`Rule::RareName`], whatever the date):
    /// a namesake from elsewhere stays apart, a record with a damaged date does not.
    PlacePart,
    /// Occupation with one name part's key, likewise (staff lists carry it).
    OccupationPart,
    /// Postcode with street number.
    PostcodeStreet,
    /// The postcode alone: weak, for a record whose name is a pen name or nickname the names
    /// engine does not know, where the list is small or the postcode rare.
    PostcodeAlone,
    /// Suburb with street number.
    SuburbStreet,
}

impl Rule {
    /// Whether the rule is weak: its blocks are capped at a quarter of the others'.
    pub fn is_weak(self) -> bool {
        matches!(
            self,
            Rule::BirthDayAlone | Rule::EmailName | Rule::PostcodeAlone
        )
    }
}

/// What blocking did: how many blocks, how many were too large, how many pairs came out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockingReport {
    pub keys: usize,
    pub blocks: usize,
    pub oversized_blocks: usize,
    /// Records in the skipped oversized blocks, summed over blocks.
    pub records_in_oversized_blocks: usize,
    pub candidate_pairs: usize,
    /// Whether every pair was compared instead: a list small enough for it needs no keys
    /// (see [`crate::Config::exhaustive_pairs`]).
    pub exhaustive: bool,
}

fn key<T: Hash>(rule: Rule, parts: T) -> u64 {
    // SipHash with fixed keys: stable across runs and platforms of the same width. The lowest
    // bit tells a weak rule's keys (see `WEAK_SHARE`).
    let mut hasher = DefaultHasher::new();
    rule.hash(&mut hasher);
    parts.hash(&mut hasher);
    (hasher.finish() & !1) | u64::from(rule.is_weak())
}

/// A weak rule's blocks are kept only up to this share of the block cap: its key alone says
/// little (a birth day, the name part of an e-mail address), so it is worth comparing a
/// block's records only in a small list, where it is nearly all true pairs.
const WEAK_SHARE: usize = 4;

/// The largest block kept for `key` under the cap `max_block`.
fn cap_of(key: u64, max_block: usize) -> usize {
    if key & 1 == 1 {
        max_block / WEAK_SHARE
    } else {
        max_block
    }
}

/// Buckets such that two years at most one apart always share one: year y lies in buckets
/// ⌊y/2⌋ and ⌊(y+1)/2⌋.
fn year_buckets(first_day: i64, last_day: i64) -> Vec<i64> {
    let year = |day: i64| (day as f64 / 365.2425 + 1970.0).floor() as i64;
    let (first, last) = (year(first_day), year(last_day));
    let mut buckets = Vec::new();
    // A range longer than a few years is no date worth blocking on.
    if last - first > 2 {
        return buckets;
    }
    for y in first..=last {
        buckets.push(y.div_euclid(2));
        buckets.push((y + 1).div_euclid(2));
    }
    buckets.sort_unstable();
    buckets.dedup();
    buckets
}

/// The blocking keys of one record.
pub(crate) fn record_keys(record: &Prepared) -> Vec<u64> {
    let mut keys = Vec::new();
    let no_keys: &[u64] = &[];
    let name_keys = record.full.as_ref().map_or(no_keys, |name| &name.keys);
    // The person's own name: the given name when the list splits names, else the whole name.
    let given_keys = record.given.as_ref().map_or(name_keys, |name| &name.keys);
    let family_keys = record.family.as_ref().map_or(no_keys, |name| &name.keys);
    let father_keys = record.father.as_ref().map_or(no_keys, |name| &name.keys);
    let buckets = match record.birth.as_ref().and_then(|b| b.range) {
        Some((first, last)) => year_buckets(first, last),
        None => Vec::new(),
    };
    for name_key in name_keys {
        for bucket in &buckets {
            keys.push(key(Rule::NameYear, (name_key, bucket)));
        }
    }
    for (index, first) in name_keys.iter().enumerate() {
        for second in &name_keys[index + 1..] {
            keys.push(key(Rule::NamePair, (first, second)));
        }
    }
    for father_key in father_keys {
        for given_key in given_keys {
            keys.push(key(Rule::FatherName, (father_key, given_key)));
            for bucket in &buckets {
                keys.push(key(Rule::FatherNameYear, (father_key, given_key, bucket)));
            }
            for family_key in family_keys {
                keys.push(key(
                    Rule::FamilyFatherName,
                    (family_key, father_key, given_key),
                ));
            }
        }
    }
    for family_key in family_keys {
        for given_key in given_keys {
            for bucket in &buckets {
                keys.push(key(Rule::FamilyNameYear, (family_key, given_key, bucket)));
            }
        }
    }
    for name_key in given_keys.iter().chain(family_keys).chain(name_keys) {
        keys.push(key(Rule::RareName, name_key));
        if let Some(place) = &record.place_of_birth {
            keys.push(key(Rule::PlacePart, (place, name_key)));
        }
        if let Some(occupation) = &record.other().occupation {
            keys.push(key(Rule::OccupationPart, (occupation, name_key)));
        }
    }
    if let (Some(given), Some(family)) = (&record.given, &record.family) {
        if let Some(initial) = given.plain.chars().next() {
            for family_key in family_keys {
                keys.push(key(Rule::FamilyInitial, (family_key, initial)));
            }
        }
        let prefix: String = family.plain.chars().take(3).collect();
        for given_key in &given.keys {
            keys.push(key(Rule::GivenFamilyPrefix, (given_key, &prefix)));
        }
    }
    for document in &record.documents {
        keys.push(key(Rule::Document, document));
    }
    for phone in &record.phones {
        let last_seven = phone.get(phone.len().saturating_sub(7)..).unwrap_or(phone);
        keys.push(key(Rule::Phone, last_seven));
    }
    if let Some(number) = &record.other().soc_sec_id {
        keys.push(key(Rule::SocSecId, number));
    }
    if let Some(email) = &record.other().email {
        keys.push(key(Rule::Email, email));
        if let Some((name, _)) = email.split_once('@').filter(|(name, _)| !name.is_empty()) {
            keys.push(key(Rule::EmailName, name));
        }
    }
    let real_day = record
        .birth
        .as_ref()
        .filter(|b| b.precise && b.range.is_some());
    if let Some(digits) = real_day.and_then(|b| b.digits.as_ref()) {
        keys.push(key(Rule::BirthDayAlone, digits));
    }
    if let Some(digits) = record.birth.as_ref().and_then(|b| b.digits.as_ref()) {
        for name_key in name_keys {
            keys.push(key(Rule::BirthDay, (digits, name_key)));
        }
        if let Some(postcode) = &record.other().postcode {
            keys.push(key(Rule::BirthDayPostcode, (digits, postcode)));
        }
        if let Some(place) = &record.place_of_birth {
            keys.push(key(Rule::BirthDayPlace, (digits, place)));
        }
        if let Some(name) = &record.full {
            let mut initials: Vec<char> = name
                .plain
                .split(' ')
                .filter_map(|word| word.chars().next())
                .collect();
            initials.sort_unstable();
            keys.push(key(Rule::BirthDayInitials, (digits, initials)));
        }
    }
    if let Some(postcode) = &record.other().postcode {
        keys.push(key(Rule::PostcodeAlone, postcode));
        for name_key in name_keys {
            keys.push(key(Rule::PostcodeName, (postcode, name_key)));
        }
        if let Some(street) = &record.other().street_number {
            keys.push(key(Rule::PostcodeStreet, (postcode, street)));
        }
    }
    if let (Some(suburb), Some(street)) = (&record.other().suburb, &record.other().street_number) {
        keys.push(key(Rule::SuburbStreet, (suburb, street)));
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Keys of the two EM training sessions: the exact birth day; and the whole set of the name's
/// engine keys (so variant spellings meet), alone and with the father's name keys. Pairs
/// sharing one are trained on with the fields the keys used left out of the E-step. The name
/// with the father keeps the second session's blocks small in a large registry, where the
/// name alone makes blocks of namesakes too large to use. A third session trains on pairs that
/// share a document number: nearly all one person, so whatever else they disagree on is how
/// one person's records differ (without it, a large registry's namesakes of one generation
/// taught EM that birth dates a year apart are common among matches).
pub(crate) fn training_keys(record: &Prepared) -> [Vec<u64>; 3] {
    let birth = record
        .birth
        .as_ref()
        .filter(|b| b.range.is_some())
        .and_then(|b| b.digits.as_ref())
        .map(|digits| key(Rule::BirthDay, digits));
    let mut names = Vec::new();
    if let Some(name) = record.full.as_ref().filter(|name| !name.keys.is_empty()) {
        names.push(key(Rule::NamePair, name.spelling));
        if let Some(father) = record.father.as_ref().filter(|f| !f.keys.is_empty()) {
            names.push(key(Rule::FatherName, (name.spelling, father.spelling)));
        }
    }
    let documents = record
        .documents
        .iter()
        .map(|document| key(Rule::Document, document))
        .collect();
    [birth.into_iter().collect(), names, documents]
}

/// Every pair `(i, j)` with `i < j` of `records` records, sorted: the candidates of a list
/// small enough to compare whole.
pub(crate) fn all_pairs(records: usize) -> (Vec<(u32, u32)>, BlockingReport) {
    let records = records as u32;
    let pairs: Vec<(u32, u32)> = (0..records)
        .flat_map(|a| (a + 1..records).map(move |b| (a, b)))
        .collect();
    let report = BlockingReport {
        candidate_pairs: pairs.len(),
        exhaustive: true,
        ..BlockingReport::default()
    };
    (pairs, report)
}

/// Candidate pairs `(i, j)` with `i < j`, sorted and without duplicates, from the keys
/// `key(record)` makes of each record (on all cores, never holding every record's keys
/// apart); blocks larger than `max_block` are skipped.
///
/// `room` more pairs per pair found are reserved in the vector: pairs added to it later (the
/// household pairs) then need no copy of the whole vector. The room is address space only
/// until it is written, not resident memory.
pub(crate) fn candidate_pairs<F>(
    records: &[Prepared],
    key: F,
    max_block: usize,
    room: f64,
) -> (Vec<(u32, u32)>, BlockingReport)
where
    F: Fn(&Prepared) -> Vec<u64> + Sync,
{
    let entries: Vec<(u64, u32)> = records
        .par_iter()
        .enumerate()
        .flat_map_iter(|(index, record)| key(record).into_iter().map(move |k| (k, index as u32)))
        .collect();
    pairs_of_entries(entries, records.len(), max_block, room)
}

/// Candidate pairs of `(key, record)` entries: every two records sharing a key whose block
/// is at most `max_block` records (a quarter of it for a weak rule's key).
fn pairs_of_entries(
    mut entries: Vec<(u64, u32)>,
    records: usize,
    max_block: usize,
    room: f64,
) -> (Vec<(u32, u32)>, BlockingReport) {
    entries.par_sort_unstable();
    let mut report = BlockingReport {
        keys: entries.len(),
        ..BlockingReport::default()
    };
    // Each record's places in the blocks kept: the rest of its block after it, as a range of
    // `members` (whose records are in ascending order within a block).
    let mut counts = vec![0u32; records + 1];
    for block in entries.chunk_by(|a, b| a.0 == b.0) {
        report.blocks += 1;
        if block.len() > cap_of(block[0].0, max_block) {
            report.oversized_blocks += 1;
            report.records_in_oversized_blocks += block.len();
        } else if block.len() >= 2 {
            for &(_, record) in &block[..block.len() - 1] {
                counts[record as usize] += 1;
            }
        }
    }
    let mut offsets = counts;
    let mut total = 0u32;
    for slot in offsets.iter_mut() {
        let count = *slot;
        *slot = total;
        total += count;
    }
    let mut places = vec![(0u32, 0u32); total as usize];
    let mut next = offsets.clone();
    let mut start = 0usize;
    for block in entries.chunk_by(|a, b| a.0 == b.0) {
        let end = start + block.len();
        if block.len() >= 2 && block.len() <= cap_of(block[0].0, max_block) {
            for (index, &(_, record)) in block[..block.len() - 1].iter().enumerate() {
                let slot = &mut next[record as usize];
                places[*slot as usize] = ((start + index + 1) as u32, end as u32);
                *slot += 1;
            }
        }
        start = end;
    }
    drop(next);
    let members: Vec<u32> = entries.iter().map(|&(_, record)| record).collect();
    drop(entries);
    // Each record's partners after it, from all its blocks at once: a pair that shares
    // several keys is listed once, and the pairs come out sorted.
    let parts = (0..records)
        .into_par_iter()
        .flat_map_iter(|first| {
            let mine = &places[offsets[first] as usize..offsets[first + 1] as usize];
            let mut partners: Vec<u32> = mine
                .iter()
                .flat_map(|&(from, to)| members[from as usize..to as usize].iter().copied())
                .filter(|&second| second as usize > first)
                .collect();
            partners.sort_unstable();
            partners.dedup();
            partners
                .into_iter()
                .map(move |second| (first as u32, second))
        })
        .collect_vec_list();
    let found: usize = parts.iter().map(Vec::len).sum();
    let mut pairs = Vec::with_capacity(found + (found as f64 * room) as usize);
    for part in parts {
        pairs.extend(part);
    }
    report.candidate_pairs = pairs.len();
    (pairs, report)
}

#[cfg(test)]
mod tests {
    use super::{cap_of, pairs_of_entries, year_buckets};
    use proptest::prelude::*;
    use std::collections::{BTreeSet, HashMap};

    proptest! {
        /// The pairs are those of every two records sharing a key whose block is within the
        /// cap (a quarter of it for the odd keys of weak rules), each once, sorted; the report
        /// counts keys, blocks and skipped blocks.
        #[test]
        fn pairs_are_every_two_records_of_a_kept_block(
            keys in proptest::collection::vec(proptest::collection::btree_set(0u64..12, 0..4), 0..30),
            max_block in 2usize..12,
        ) {
            let entries: Vec<(u64, u32)> = keys
                .iter()
                .enumerate()
                .flat_map(|(record, keys)| keys.iter().map(move |&k| (k, record as u32)))
                .collect();
            let mut blocks: HashMap<u64, Vec<u32>> = HashMap::new();
            for &(key, record) in &entries {
                blocks.entry(key).or_default().push(record);
            }
            let mut expected = BTreeSet::new();
            let kept = |key: &u64, members: &Vec<u32>| members.len() <= cap_of(*key, max_block);
            for (_, members) in blocks.iter().filter(|(k, m)| kept(k, m)) {
                for &a in members {
                    for &b in members {
                        if a < b {
                            expected.insert((a, b));
                        }
                    }
                }
            }
            let (pairs, report) = pairs_of_entries(entries.clone(), keys.len(), max_block, 0.0);
            prop_assert_eq!(pairs, expected.into_iter().collect::<Vec<_>>());
            prop_assert_eq!(report.keys, entries.len());
            prop_assert_eq!(report.blocks, blocks.len());
            let oversized: Vec<&Vec<u32>> =
                blocks.iter().filter(|(k, m)| !kept(k, m)).map(|(_, m)| m).collect();
            prop_assert_eq!(report.oversized_blocks, oversized.len());
            prop_assert_eq!(
                report.records_in_oversized_blocks,
                oversized.iter().map(|m| m.len()).sum::<usize>()
            );
        }
    }

    #[test]
    fn years_one_apart_share_a_bucket() {
        let day_of = |year: i64| ((year - 1970) as f64 * 365.2425) as i64 + 100;
        for year in 1940..1960 {
            let a = year_buckets(day_of(year), day_of(year));
            for other in [year - 1, year, year + 1] {
                let b = year_buckets(day_of(other), day_of(other));
                assert!(a.iter().any(|x| b.contains(x)), "{year} {other}");
            }
            let far = year_buckets(day_of(year + 3), day_of(year + 3));
            assert!(!a.iter().any(|x| far.contains(x)), "{year} +3");
        }
    }
}
