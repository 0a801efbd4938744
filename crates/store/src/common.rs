//! What both SQL backends share that touches no database: the clock as the store records it,
//! JSON in and out of columns, parsing stored codes back into domain types, the derived search
//! columns, and the checks made before a write.

use crate::records::*;
use crate::{Result, StoreError};
use airbridge_domain::{EvacuationStatus, NationCode, Person, PersonId, Relation};

/// The time now, as the store records it (RFC 3339, UTC).
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

pub(crate) fn parse_nation(text: &str) -> Result<NationCode> {
    NationCode::parse(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn parse_status(text: &str) -> Result<EvacuationStatus> {
    EvacuationStatus::parse(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn parse_relation(text: Option<String>) -> Result<Option<Relation>> {
    text.map(|t| Relation::parse(&t).ok_or_else(|| StoreError::Corrupt(format!("relation {t}"))))
        .transpose()
}

/// The Gregorian interval of a person's birth date, as days since 1970-01-01, for the indexed
/// columns.
pub(crate) fn birth_days(person: &Person) -> (Option<i64>, Option<i64>) {
    match &person.birth_date {
        Some(date) => {
            let (first, last) = date.gregorian_range();
            (
                Some(first.days_since_epoch()),
                Some(last.days_since_epoch()),
            )
        }
        None => (None, None),
    }
}

/// The names engine every stored key comes from (the same one the web search scores with).
pub(crate) fn name_engine() -> &'static airbridge_names::NameEngine {
    static ENGINE: std::sync::OnceLock<airbridge_names::NameEngine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(airbridge_names::NameEngine::new)
}

/// The rows of the `person_keys` index for one person:
/// - `n:` and a names-engine blocking key of their names (own, father's, grandfather's), which
///   every spelling and script of the name shares (Mohammad Hashem / محمد هاشم);
/// - `p:` and two of those keys together (see [`key_pairs`]);
/// - `w:` and each lower-cased word of the plain search text, for word-prefix search.
pub(crate) fn person_keys(person: &Person) -> Vec<String> {
    let mut keys: Vec<String> = name_keys(&person.name.searchable());
    keys.extend(key_pairs(&keys));
    keys.extend(
        search_text(person)
            .split_whitespace()
            .map(|word| format!("w:{word}")),
    );
    keys.sort();
    keys.dedup();
    keys
}

/// The `n:` keys of a name or a query: what a person's stored keys are looked up by.
pub fn name_keys(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    name_engine()
        .keys(text)
        .into_iter()
        .map(|key| format!("n:{key}"))
        .collect()
}

/// Keys a person holds at most for pairing: a name rarely has more parts worth keying, and
/// pairs grow as the square.
const PAIRED_KEYS: usize = 6;

/// The `p:` keys of a name: each two of its `n:` keys (the first [`PAIRED_KEYS`], in sorted
/// order). One key alone may be shared by tens of thousands of people (every Karimi); two
/// together (Zahra and Karimi) pick out a few, so a search of a full name reads few rows.
pub(crate) fn key_pairs(keys: &[String]) -> Vec<String> {
    let mut single: Vec<&str> = keys
        .iter()
        .filter_map(|k| k.strip_prefix("n:"))
        .take(PAIRED_KEYS)
        .collect();
    single.sort_unstable();
    single.dedup();
    let mut pairs = Vec::new();
    for (i, first) in single.iter().enumerate() {
        for second in &single[i + 1..] {
            pairs.push(format!("p:{first}&{second}"));
        }
    }
    pairs
}

/// The bounds of a word-prefix range in the `person_keys` index: every `w:` key that starts
/// with `word` sorts at or after the first bound and before the second.
pub(crate) fn word_range(word: &str) -> (String, String) {
    (format!("w:{word}"), format!("w:{word}\u{10FFFF}"))
}

/// What the stored keys were made with. Keys are derived data: when the names engine changes
/// how it keys names, the index is rebuilt on opening (see `ensure_name_index`). Probing the
/// engine with names in both scripts catches a change in its tables without anyone having to
/// remember to bump `NAME_INDEX_VERSION`, which is for changes in what is indexed.
pub(crate) fn name_index_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    // 2: pairs of name keys (`p:`).
    const NAME_INDEX_VERSION: &str = "2";
    const PROBES: &[&str] = &[
        "Mohammad Hashem Ahmadzai",
        "محمد هاشم احمدزی",
        "Abdurrahman Dawood",
        "Mawlawi Nasrullah s/o Abdul Rahman",
        "Khalid Qasim",
        "Xalid Kassem",
        "Zahra Hosseini",
        "زهرا حسینی",
        "Gul Bibi",
        "د پلار نوم",
        "Ahmad Shah Massoud",
        "Fatima bint Ali al-Hashimi",
    ];
    let mut hash = Sha256::new();
    hash.update(NAME_INDEX_VERSION.as_bytes());
    for probe in PROBES {
        for key in name_keys(probe) {
            hash.update(key.as_bytes());
            hash.update([0]);
        }
        hash.update([1]);
    }
    hash.finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The lower-cased text that plain name search looks in.
pub(crate) fn search_text(person: &Person) -> String {
    let mut text = person.name.searchable().to_lowercase();
    if let Some(placeholder) = &person.name.placeholder {
        text.push(' ');
        text.push_str(&placeholder.to_lowercase());
    }
    text
}

/// The part of a person a status change needs.
#[derive(Clone, Copy)]
pub(crate) struct Moving {
    pub(crate) id: PersonId,
    pub(crate) nation: NationCode,
    pub(crate) status: EvacuationStatus,
}

impl From<&PersonRecord> for Moving {
    fn from(record: &PersonRecord) -> Moving {
        Moving {
            id: record.id,
            nation: record.nation,
            status: record.status,
        }
    }
}

pub(crate) fn check_version(
    entity: &'static str,
    id: String,
    expected: Option<i64>,
    actual: i64,
) -> Result<()> {
    match expected {
        Some(expected) if expected != actual => Err(StoreError::Conflict {
            entity,
            id,
            expected,
            actual,
        }),
        _ => Ok(()),
    }
}

pub(crate) fn check_new_case(case: &NewCase) -> Result<()> {
    let principals = case
        .members
        .iter()
        .filter(|m| m.relation == Relation::Principal)
        .count();
    if principals != 1 {
        return Err(StoreError::Invalid(format!(
            "a case needs exactly one principal; case {} has {principals}",
            case.reference.as_deref().unwrap_or("(no reference)")
        )));
    }
    Ok(())
}

/// Seconds since 1970-01-01 UTC: job leases compare as numbers, not as formatted times.
pub(crate) fn epoch_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
