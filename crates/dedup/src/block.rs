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
    /// The same exact birth day with a names-engine key (any name part, so swapped given and
    /// family names still meet).
    BirthDay,
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
    /// Postcode with street number.
    PostcodeStreet,
    /// Suburb with street number.
    SuburbStreet,
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
}

fn key<T: Hash>(rule: Rule, parts: T) -> u64 {
    // SipHash with fixed keys: stable across runs and platforms of the same width.
    let mut hasher = DefaultHasher::new();
    rule.hash(&mut hasher);
    parts.hash(&mut hasher);
    hasher.finish()
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
    if let Some(number) = &record.soc_sec_id {
        keys.push(key(Rule::SocSecId, number));
    }
    if let Some(email) = &record.email {
        keys.push(key(Rule::Email, email));
    }
    if let Some(digits) = record.birth.as_ref().and_then(|b| b.digits.as_ref()) {
        for name_key in name_keys {
            keys.push(key(Rule::BirthDay, (digits, name_key)));
        }
        if let Some(postcode) = &record.postcode {
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
    if let Some(postcode) = &record.postcode {
        for name_key in name_keys {
            keys.push(key(Rule::PostcodeName, (postcode, name_key)));
        }
        if let Some(street) = &record.street_number {
            keys.push(key(Rule::PostcodeStreet, (postcode, street)));
        }
    }
    if let (Some(suburb), Some(street)) = (&record.suburb, &record.street_number) {
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
        names.push(key(Rule::NamePair, &name.keys));
        if let Some(father) = record.father.as_ref().filter(|f| !f.keys.is_empty()) {
            names.push(key(Rule::FatherName, (&name.keys, &father.keys)));
        }
    }
    let documents = record
        .documents
        .iter()
        .map(|document| key(Rule::Document, document))
        .collect();
    [birth.into_iter().collect(), names, documents]
}

/// Candidate pairs `(i, j)` with `i < j`, sorted and without duplicates, from every record's
/// keys; blocks larger than `max_block` are skipped.
pub(crate) fn candidate_pairs(
    keys: &[Vec<u64>],
    max_block: usize,
) -> (Vec<(u32, u32)>, BlockingReport) {
    let mut entries: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .flat_map(|(record, keys)| keys.iter().map(move |&k| (k, record as u32)))
        .collect();
    entries.par_sort_unstable();
    let mut report = BlockingReport {
        keys: entries.len(),
        ..BlockingReport::default()
    };
    let blocks: Vec<&[(u64, u32)]> = entries.chunk_by(|a, b| a.0 == b.0).collect();
    report.blocks = blocks.len();
    let mut pairs: Vec<u64> = blocks
        .par_iter()
        .filter(|block| block.len() >= 2 && block.len() <= max_block)
        .flat_map_iter(|block| {
            block
                .iter()
                .enumerate()
                .flat_map(move |(index, &(_, first))| {
                    block[index + 1..]
                        .iter()
                        .map(move |&(_, second)| (u64::from(first) << 32) | u64::from(second))
                })
        })
        .collect();
    for block in &blocks {
        if block.len() > max_block {
            report.oversized_blocks += 1;
            report.records_in_oversized_blocks += block.len();
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    report.candidate_pairs = pairs.len();
    let pairs = pairs
        .into_iter()
        .map(|pair| ((pair >> 32) as u32, pair as u32))
        .collect();
    (pairs, report)
}

#[cfg(test)]
mod tests {
    use super::year_buckets;

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
