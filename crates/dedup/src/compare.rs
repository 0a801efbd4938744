//! Comparison levels: how well two records agree, field by field, as small integers.
//!
//! Each record is prepared once (names parsed by the names engine, dates turned into Gregorian
//! day ranges, numbers normalised) so that comparing a pair is only lookups and a few string
//! measures. A pair becomes a [`Vector`]: one level per comparison, [`NULL`] when either side
//! lacks the field (missing data is no evidence either way, as in Fellegi–Sunter practice).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use airbridge_domain::{PartialDate, Sex};
use airbridge_names::{NameEngine, NameParts, ParsedName};
use rayon::prelude::*;

use crate::record::Record;

/// The level of a comparison when either record lacks the field.
pub const NULL: u8 = u8::MAX;

/// How a field is compared, and what its levels mean (level 0 is always "disagree").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    Given,
    Family,
    /// Whole names, used when either record does not split its name into given and family.
    FullName,
    Father,
    Grandfather,
    BirthDate,
    Sex,
    PlaceOfBirth,
    Document,
    SocSecId,
    Phone,
    Postcode,
    StreetNumber,
    Address1,
    Address2,
    Suburb,
    State,
    Email,
    Occupation,
}

/// Every comparison, in [`Vector`] order.
pub const COMPARISONS: [Comparison; 19] = [
    Comparison::Given,
    Comparison::Family,
    Comparison::FullName,
    Comparison::Father,
    Comparison::Grandfather,
    Comparison::BirthDate,
    Comparison::Sex,
    Comparison::PlaceOfBirth,
    Comparison::Document,
    Comparison::SocSecId,
    Comparison::Phone,
    Comparison::Postcode,
    Comparison::StreetNumber,
    Comparison::Address1,
    Comparison::Address2,
    Comparison::Suburb,
    Comparison::State,
    Comparison::Email,
    Comparison::Occupation,
];

/// The number of comparisons in a vector.
pub const FIELD_COUNT: usize = COMPARISONS.len();

/// One level per comparison for a pair of records.
pub type Vector = [u8; FIELD_COUNT];

const NAME_LEVELS: &[&str] = &[
    "different",
    "names-engine score 0.60-0.80",
    "names-engine score 0.80-0.92",
    "names-engine score >= 0.92",
    "exact",
];
const DATE_LEVELS: &[&str] = &[
    "more than a year apart",
    "within a year",
    "compatible (year only, month only or 1 January placeholder)",
    "one digit edit or transposition",
    "same day",
];
const EXACT_LEVELS: &[&str] = &["different", "same"];
const CODE_LEVELS: &[&str] = &["different", "one edit or transposition", "exact"];
const PHONE_LEVELS: &[&str] = &["different", "same last 7 digits", "same number"];
const TEXT_LEVELS: &[&str] = &[
    "different",
    "Jaro-Winkler 0.80-0.92",
    "Jaro-Winkler >= 0.92",
    "exact",
];

/// Scores at or above which a names-engine comparison reaches levels 1, 2 and 3.
const NAME_BANDS: [f64; 3] = [0.60, 0.80, 0.92];

impl Comparison {
    pub fn name(self) -> &'static str {
        match self {
            Comparison::Given => "given_name",
            Comparison::Family => "family_name",
            Comparison::FullName => "full_name",
            Comparison::Father => "father_name",
            Comparison::Grandfather => "grandfather_name",
            Comparison::BirthDate => "birth_date",
            Comparison::Sex => "sex",
            Comparison::PlaceOfBirth => "place_of_birth",
            Comparison::Document => "document",
            Comparison::SocSecId => "soc_sec_id",
            Comparison::Phone => "phone",
            Comparison::Postcode => "postcode",
            Comparison::StreetNumber => "street_number",
            Comparison::Address1 => "address_1",
            Comparison::Address2 => "address_2",
            Comparison::Suburb => "suburb",
            Comparison::State => "state",
            Comparison::Email => "email",
            Comparison::Occupation => "occupation",
        }
    }

    /// What each level means, from level 0 ("disagree") up.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Comparison::Given
            | Comparison::Family
            | Comparison::FullName
            | Comparison::Father
            | Comparison::Grandfather => NAME_LEVELS,
            Comparison::BirthDate => DATE_LEVELS,
            Comparison::Sex | Comparison::State => EXACT_LEVELS,
            Comparison::Document
            | Comparison::SocSecId
            | Comparison::Postcode
            | Comparison::StreetNumber
            | Comparison::Email => CODE_LEVELS,
            Comparison::Phone => PHONE_LEVELS,
            Comparison::PlaceOfBirth
            | Comparison::Address1
            | Comparison::Address2
            | Comparison::Suburb
            | Comparison::Occupation => TEXT_LEVELS,
        }
    }

    /// Whether the top level is adjusted for how common the agreed value is.
    pub fn term_frequency_adjusted(self) -> bool {
        matches!(
            self,
            Comparison::Given | Comparison::Family | Comparison::FullName | Comparison::Father
        )
    }
}

/// A name ready to compare: parsed once, with a plain form for exact agreement and frequency.
/// A run parses each distinct text once and its records share it (see [`Names`]): registries
/// repeat names, and a parsed name is far larger than its text.
#[derive(Debug, Clone)]
pub(crate) struct NameValue {
    pub parsed: ParsedName,
    /// Lower case with single spaces: the key for exact agreement and term frequency.
    pub plain: String,
    /// Position among the run's distinct names, so that comparisons of two names can be
    /// remembered; [`UNSHARED`] for a name outside the table (a record matched later).
    pub id: u32,
    /// Position among the run's distinct plain forms, for counting value frequencies.
    pub plain_id: u32,
    /// The names engine's blocking keys of the name, hashed (sorted, no duplicates).
    pub keys: Vec<u64>,
    /// A hash of the keys of the name's own spelling, without those of its related names
    /// (the `~` keys of Tom for Thomas): model training pairs names spelt alike, not names
    /// that are only related.
    pub spelling: u64,
}

/// The id of a name that is in no table.
pub(crate) const UNSHARED: u32 = u32::MAX;

/// A shared parsed name.
pub(crate) type Name = Arc<NameValue>;

/// The distinct name texts of a run, each parsed once.
#[derive(Debug, Default)]
pub(crate) struct Names {
    by_text: HashMap<String, u32>,
    /// By id; `None` for a text with nothing in it.
    values: Vec<Option<Name>>,
    /// How many distinct plain forms there are.
    pub plains: usize,
    /// Each distinct whole name of a record that has no other name (see [`whole_only`]), with
    /// its parts when the names engine can tell them apart.
    splits: HashMap<String, Option<NameParts>>,
}

/// The names a record is compared by: its parts as written or, for a record with only a whole
/// name that the names engine can split ("Karima d/o Mohammad", "AHMADZAI Karima": see
/// `NameEngine::split`), that name's parts, so that it is compared part by part with records
/// that have them and gets their blocking keys.
struct RecordNames<'r> {
    given: Option<&'r str>,
    family: Option<&'r str>,
    father: Option<&'r str>,
    grandfather: Option<&'r str>,
    /// The whole name as written, unless it was split.
    full: Option<&'r str>,
}

/// The whole name of a record that has no given, family or father's name.
fn whole_only(record: &Record) -> Option<&str> {
    match (&record.full, &record.given, &record.family, &record.father) {
        (Some(full), None, None, None) => Some(full),
        _ => None,
    }
}

fn record_names<'r>(record: &'r Record, split: Option<&'r NameParts>) -> RecordNames<'r> {
    match split {
        Some(parts) => RecordNames {
            given: Some(&parts.given),
            family: parts.family.as_deref(),
            father: parts.father.as_deref(),
            grandfather: record.grandfather.as_deref(),
            full: None,
        },
        None => RecordNames {
            given: record.given.as_deref(),
            family: record.family.as_deref(),
            father: record.father.as_deref(),
            grandfather: record.grandfather.as_deref(),
            full: record.full.as_deref(),
        },
    }
}

/// The whole name of a record as text: `full` as written, else given and family joined.
fn full_text<'r>(names: &RecordNames<'r>) -> Option<Cow<'r, str>> {
    match (names.full, names.given, names.family) {
        (Some(full), _, _) => Some(Cow::Borrowed(full)),
        (None, Some(given), Some(family)) => Some(Cow::Owned(format!("{given} {family}"))),
        (None, Some(only), None) | (None, None, Some(only)) => Some(Cow::Borrowed(only)),
        (None, None, None) => None,
    }
}

impl Names {
    /// Collects and parses (on all cores) every name text of `records`.
    pub fn new(engine: &NameEngine, records: &[Record]) -> Names {
        let mut wholes: Vec<&str> = records.iter().filter_map(whole_only).collect();
        wholes.sort_unstable();
        wholes.dedup();
        let splits: HashMap<String, Option<NameParts>> = wholes
            .par_iter()
            .map(|&text| (text.to_owned(), engine.split(text)))
            .collect();
        drop(wholes);
        let mut by_text: HashMap<String, u32> = HashMap::new();
        let mut add = |text: &str| {
            if !by_text.contains_key(text) {
                let id = by_text.len() as u32;
                by_text.insert(text.to_owned(), id);
            }
        };
        for record in records {
            let split = whole_only(record).and_then(|text| splits.get(text)?.as_ref());
            let names = record_names(record, split);
            for part in [names.given, names.family, names.father, names.grandfather]
                .into_iter()
                .flatten()
            {
                add(part);
            }
            if let Some(full) = full_text(&names) {
                add(&full);
            }
        }
        let mut ordered: Vec<(&str, u32)> = by_text.iter().map(|(t, &i)| (t.as_str(), i)).collect();
        ordered.sort_unstable_by_key(|&(_, id)| id);
        // Each value goes into its `Arc` as it is made: collecting the values first and
        // wrapping them after would keep the first vector's buffer (a few hundred bytes per
        // name, written) for the whole run, as the wrapping reuses it in place.
        let mut values: Vec<Option<Name>> = ordered
            .par_iter()
            .map(|&(text, id)| name_value(engine, text, id).map(Arc::new))
            .collect();
        let mut plains: HashMap<&str, u32> = HashMap::new();
        let mut plain_ids = vec![0u32; values.len()];
        for (slot, value) in plain_ids.iter_mut().zip(&values) {
            if let Some(value) = value {
                let next = plains.len() as u32;
                *slot = *plains.entry(value.plain.as_str()).or_insert(next);
            }
        }
        let count = plains.len();
        drop(plains);
        for (value, plain_id) in values.iter_mut().zip(plain_ids) {
            // Not yet shared: the table holds the only reference.
            if let Some(value) = value.as_mut().and_then(Arc::get_mut) {
                value.plain_id = plain_id;
            }
        }
        Names {
            by_text,
            values,
            plains: count,
            splits,
        }
    }

    /// The parts of `record`'s whole name, if it has only that and it splits (looked up, or
    /// split now for a record these names were not collected from).
    fn split_of(&self, engine: &NameEngine, record: &Record) -> Option<Cow<'_, NameParts>> {
        let text = whole_only(record)?;
        match self.splits.get(text) {
            Some(split) => split.as_ref().map(Cow::Borrowed),
            None => engine.split(text).map(Cow::Owned),
        }
    }

    /// The shared name for `text`, or a fresh one (not shared) when the table lacks it.
    pub fn get(&self, engine: &NameEngine, text: &str) -> Option<Name> {
        match self.by_text.get(text) {
            Some(&id) => self.values[id as usize].clone(),
            None => name_value(engine, text, UNSHARED).map(Arc::new),
        }
    }
}

/// A birth date ready to compare.
#[derive(Debug, Clone)]
pub(crate) struct BirthValue {
    /// Gregorian days since 1970 of the first and last day the date may stand for; absent for
    /// an unreadable date kept as text.
    pub range: Option<(i64, i64)>,
    /// Whether the date is a real day (not year or month only, not a 1 January placeholder).
    pub precise: bool,
    /// Digits `YYYYMMDD` of a precise Gregorian day, or the digits of an unreadable date, for
    /// typo comparison.
    pub digits: Option<String>,
}

/// A record prepared for comparison and blocking.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub given: Option<Name>,
    pub family: Option<Name>,
    /// The whole name: `full` as written, else given and family joined.
    pub full: Option<Name>,
    pub father: Option<Name>,
    pub grandfather: Option<Name>,
    /// Whether the record splits its name into given and family parts.
    pub split: bool,
    pub birth: Option<BirthValue>,
    pub sex: Sex,
    pub place_of_birth: Option<String>,
    pub documents: Vec<String>,
    /// Phone numbers as E.164 (or plain digits when invalid).
    pub phones: Vec<String>,
    /// The fields of a civil registry (address, email…), boxed: evacuation lists rarely have
    /// them, and a large run holds hundreds of thousands of prepared records. `None` when the
    /// record has none of them.
    other: Option<Box<OtherFields>>,
}

/// The fields of [`Prepared`] that evacuation lists rarely have.
#[derive(Debug, Clone, Default)]
pub(crate) struct OtherFields {
    pub soc_sec_id: Option<String>,
    pub postcode: Option<String>,
    pub street_number: Option<String>,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub suburb: Option<String>,
    pub state: Option<String>,
    pub email: Option<String>,
    pub occupation: Option<String>,
}

/// A record's other fields when it has none.
static NO_OTHER_FIELDS: OtherFields = OtherFields {
    soc_sec_id: None,
    postcode: None,
    street_number: None,
    address_1: None,
    address_2: None,
    suburb: None,
    state: None,
    email: None,
    occupation: None,
};

impl OtherFields {
    fn is_empty(&self) -> bool {
        [
            &self.soc_sec_id,
            &self.postcode,
            &self.street_number,
            &self.address_1,
            &self.address_2,
            &self.suburb,
            &self.state,
            &self.email,
            &self.occupation,
        ]
        .iter()
        .all(|field| field.is_none())
    }
}

fn plain(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn plain_field(text: &Option<String>) -> Option<String> {
    text.as_deref().map(plain).filter(|s| !s.is_empty())
}

fn name_value(engine: &NameEngine, text: &str, id: u32) -> Option<NameValue> {
    let plain = plain(text);
    if plain.is_empty() {
        return None;
    }
    let parsed = engine.parse(text);
    let texts = engine.keys_parsed(&parsed);
    let hash = |key: &String| {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        hasher.finish()
    };
    let mut keys: Vec<u64> = texts.iter().map(hash).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut spelling = DefaultHasher::new();
    for key in texts.iter().filter(|key| !key.starts_with('~')) {
        key.hash(&mut spelling);
    }
    Some(NameValue {
        parsed,
        plain,
        id,
        plain_id: UNSHARED,
        keys,
        spelling: spelling.finish(),
    })
}

fn birth_value(date: Option<&PartialDate>, text: Option<&str>) -> Option<BirthValue> {
    if let Some(date) = date {
        // A 1 January (or 1 Hamal) date is usually a placeholder for "born that year": it
        // stands for the whole year, like a year-only date.
        let widened = date
            .is_first_of_year()
            .then(|| PartialDate::year_only(date.calendar(), date.year()).ok())
            .flatten();
        let (first, last) = widened.unwrap_or(*date).gregorian_range();
        let precise = date.exact_gregorian().is_some() && !date.is_first_of_year();
        let digits =
            precise.then(|| format!("{:04}{:02}{:02}", first.year(), first.month(), first.day()));
        return Some(BirthValue {
            range: Some((first.days_since_epoch(), last.days_since_epoch())),
            precise,
            digits,
        });
    }
    let digits: String = text?.chars().filter(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(BirthValue {
        range: None,
        precise: true,
        digits: Some(digits),
    })
}

impl Prepared {
    /// Prepares `record` with its names from `names` (parsed there when missing).
    pub fn new(engine: &NameEngine, names: &Names, record: &Record) -> Prepared {
        let split = names.split_of(engine, record);
        let parts = record_names(record, split.as_deref());
        let named = |part: Option<&str>| part.and_then(|t| names.get(engine, t));
        let given = named(parts.given);
        let family = named(parts.family);
        let full = full_text(&parts).and_then(|text| names.get(engine, &text));
        let mut phones: Vec<String> = record.phones.iter().map(|p| p.e164().to_owned()).collect();
        phones.extend(record.phone_digits.iter().cloned());
        let mut documents = record.documents.clone();
        documents.sort();
        documents.dedup();
        Prepared {
            split: given.is_some() && parts.full.is_none(),
            given,
            family,
            full,
            father: named(parts.father),
            grandfather: named(parts.grandfather),
            birth: birth_value(
                record.birth_date.as_ref(),
                record.birth_date_text.as_deref(),
            ),
            sex: record.sex,
            place_of_birth: plain_field(&record.place_of_birth),
            documents,
            phones,
            other: Some(OtherFields {
                soc_sec_id: record.soc_sec_id.clone(),
                postcode: plain_field(&record.postcode),
                street_number: plain_field(&record.street_number),
                address_1: plain_field(&record.address_1),
                address_2: plain_field(&record.address_2),
                suburb: plain_field(&record.suburb),
                state: plain_field(&record.state),
                email: plain_field(&record.email),
                occupation: plain_field(&record.occupation),
            })
            .filter(|other| !other.is_empty())
            .map(Box::new),
        }
    }

    /// The record's address, email and other registry fields (all `None` when it has none).
    pub fn other(&self) -> &OtherFields {
        self.other.as_deref().unwrap_or(&NO_OTHER_FIELDS)
    }
}

/// Optimal string alignment distance of at most one (one substitution, insertion, deletion or
/// adjacent transposition), without building a matrix: this runs on every sampled pair.
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    match (a.len(), b.len()) {
        (0, 0) | (1, 0) | (0, 1) => true,
        (x, y) if x == y => {
            a[1..] == b[1..] || (x >= 2 && a[0] == b[1] && a[1] == b[0] && a[2..] == b[2..])
        }
        (x, y) if x == y + 1 => a[1..] == *b,
        (x, y) if x + 1 == y => *a == b[1..],
        _ => false,
    }
}

fn name_level_uncached(engine: &NameEngine, a: &NameValue, b: &NameValue) -> u8 {
    if a.plain == b.plain {
        return 4;
    }
    let score = engine.score_parsed(&a.parsed, &b.parsed);
    NAME_BANDS.iter().filter(|band| score >= **band).count() as u8
}

/// A multiplicative hash of a pair of ids (the keys are already well spread small integers).
#[derive(Default)]
pub(crate) struct PairHasher(u64);

impl Hasher for PairHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Remembered name levels of pairs of shared names beyond this many are forgotten, so that a
/// registry of mostly distinct names keeps the memory bounded.
const CACHE_LIMIT: usize = 1 << 20;

/// Compares prepared records, remembering the level of each pair of shared names it has seen:
/// registries repeat names, and the names engine's alignment is the costly part of a
/// comparison. One per thread (it is not shared); the levels are the same with or without it.
pub(crate) struct Comparer<'e> {
    pub engine: &'e NameEngine,
    cache: HashMap<u64, u8, BuildHasherDefault<PairHasher>>,
}

impl<'e> Comparer<'e> {
    pub fn new(engine: &'e NameEngine) -> Comparer<'e> {
        Comparer {
            engine,
            cache: HashMap::default(),
        }
    }

    fn name_level(&mut self, a: &Option<Name>, b: &Option<Name>) -> u8 {
        let (Some(a), Some(b)) = (a, b) else {
            return NULL;
        };
        if a.id == b.id && a.id != UNSHARED {
            return 4;
        }
        if a.id == UNSHARED || b.id == UNSHARED {
            return name_level_uncached(self.engine, a, b);
        }
        let key = (u64::from(a.id) << 32) | u64::from(b.id);
        if let Some(&level) = self.cache.get(&key) {
            return level;
        }
        let level = name_level_uncached(self.engine, a, b);
        if self.cache.len() >= CACHE_LIMIT {
            self.cache.clear();
        }
        self.cache.insert(key, level);
        level
    }

    /// Compares two prepared records.
    pub fn compare(&mut self, a: &Prepared, b: &Prepared) -> Vector {
        let mut vector = [NULL; FIELD_COUNT];
        if a.split && b.split {
            vector[0] = self.name_level(&a.given, &b.given);
            vector[1] = self.name_level(&a.family, &b.family);
            // Lists swap given and family names; a crossed agreement counts as a fuzzy one.
            let strong = |level: u8| level != NULL && level >= 3;
            if vector[0] < 2
                && vector[1] < 2
                && strong(self.name_level(&a.given, &b.family))
                && strong(self.name_level(&a.family, &b.given))
            {
                vector[0] = 2;
                vector[1] = 2;
            }
        } else {
            vector[2] = self.name_level(&a.full, &b.full);
        }
        vector[3] = self.name_level(&a.father, &b.father);
        vector[4] = self.name_level(&a.grandfather, &b.grandfather);
        vector[5] = date_level(&a.birth, &b.birth);
        vector[6] = match (a.sex, b.sex) {
            (Sex::Male | Sex::Female, Sex::Male | Sex::Female) => u8::from(a.sex == b.sex),
            _ => NULL,
        };
        vector[7] = text_level(&a.place_of_birth, &b.place_of_birth);
        vector[8] = documents_level(&a.documents, &b.documents);
        vector[9] = code_level(&a.other().soc_sec_id, &b.other().soc_sec_id);
        vector[10] = phones_level(&a.phones, &b.phones);
        vector[11] = code_level(&a.other().postcode, &b.other().postcode);
        vector[12] = code_level(&a.other().street_number, &b.other().street_number);
        vector[13] = text_level(&a.other().address_1, &b.other().address_1);
        vector[14] = text_level(&a.other().address_2, &b.other().address_2);
        vector[15] = text_level(&a.other().suburb, &b.other().suburb);
        vector[16] = exact_level(&a.other().state, &b.other().state);
        vector[17] = code_level(&a.other().email, &b.other().email);
        vector[18] = text_level(&a.other().occupation, &b.other().occupation);
        vector
    }
}

fn date_level(a: &Option<BirthValue>, b: &Option<BirthValue>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else {
        return NULL;
    };
    if a.precise && b.precise {
        match (&a.digits, &b.digits) {
            (Some(x), Some(y)) if x == y => return 4,
            (Some(x), Some(y)) if within_one_edit(x, y) => return 3,
            _ => {}
        }
    }
    let (Some((a_first, a_last)), Some((b_first, b_last))) = (a.range, b.range) else {
        // An unreadable date that is not one edit from the other says nothing more.
        return if a.precise && b.precise { 0 } else { NULL };
    };
    if a_first <= b_last && b_first <= a_last {
        // Two different real days are not compatible evidence, only close ones.
        if a.precise && b.precise {
            return 1;
        }
        return 2;
    }
    let gap = (a_first - b_last).max(b_first - a_last);
    if gap <= 366 { 1 } else { 0 }
}

fn code_level(a: &Option<String>, b: &Option<String>) -> u8 {
    match (a, b) {
        (Some(a), Some(b)) if a == b => 2,
        (Some(a), Some(b)) if a.len() >= 3 && within_one_edit(a, b) => 1,
        (Some(_), Some(_)) => 0,
        _ => NULL,
    }
}

fn exact_level<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> u8 {
    match (a, b) {
        (Some(a), Some(b)) => u8::from(a == b),
        _ => NULL,
    }
}

fn text_level(a: &Option<String>, b: &Option<String>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else {
        return NULL;
    };
    if a == b {
        return 3;
    }
    let similarity = strsim::jaro_winkler(a, b);
    if similarity >= 0.92 {
        2
    } else if similarity >= 0.80 {
        1
    } else {
        0
    }
}

fn documents_level(a: &[String], b: &[String]) -> u8 {
    if a.is_empty() || b.is_empty() {
        return NULL;
    }
    let mut level = 0;
    for x in a {
        for y in b {
            if x == y {
                return 2;
            }
            if x.len() >= 5 && within_one_edit(x, y) {
                level = 1;
            }
        }
    }
    level
}

fn last_seven(number: &str) -> &str {
    number
        .get(number.len().saturating_sub(7)..)
        .unwrap_or(number)
}

fn phones_level(a: &[String], b: &[String]) -> u8 {
    if a.is_empty() || b.is_empty() {
        return NULL;
    }
    let mut level = 0;
    for x in a {
        for y in b {
            if x == y {
                return 2;
            }
            if last_seven(x) == last_seven(y) {
                level = 1;
            }
        }
    }
    level
}

/// Compares two prepared records once (nothing remembered).
pub(crate) fn compare(engine: &NameEngine, a: &Prepared, b: &Prepared) -> Vector {
    Comparer::new(engine).compare(a, b)
}

#[cfg(test)]
mod tests {
    use super::within_one_edit;

    #[test]
    fn one_edit() {
        let check = |a: &str, b: &str, expected: bool| {
            assert_eq!(within_one_edit(a, b), expected, "{a:?} {b:?}");
            assert_eq!(within_one_edit(b, a), expected, "{b:?} {a:?}");
        };
        check("1234567", "1234567", true);
        check("1234567", "1234967", true);
        check("1234567", "1243567", true);
        check("1234567", "123567", true);
        check("1234567", "12345678", true);
        check("1234567", "2134567", true);
        check("1234567", "1234576", true);
        check("1234567", "1243576", false);
        check("1234567", "7654321", false);
        check("", "", true);
        check("", "ab", false);
    }
}
