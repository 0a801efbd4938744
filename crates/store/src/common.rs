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

/// A validated person with everything their rows are made of besides ids: the details as
/// stored, the derived search columns, the name-index keys and the payload hash of their
/// registration event. None of it needs the database, so a streamed import makes it on a
/// thread of its own while the rows before it are written.
pub(crate) struct Derived {
    pub(crate) person: Person,
    pub(crate) details: String,
    pub(crate) display_name: String,
    pub(crate) search_name: String,
    pub(crate) birth: (Option<i64>, Option<i64>),
    pub(crate) keys: Vec<String>,
    /// `audit::payload_hash` of a `person.add` event: nothing before, the details after.
    pub(crate) added_hash: String,
}

impl Derived {
    /// Validates `person` (the error says what is wrong with it) and derives the rest.
    pub(crate) fn of(person: Person) -> std::result::Result<Derived, String> {
        let person = person.validated().map_err(|e| e.to_string())?;
        let details = serde_json::to_string(&person).map_err(|e| e.to_string())?;
        Ok(Derived {
            display_name: person.name.display(),
            search_name: search_text(&person),
            birth: birth_days(&person),
            keys: person_keys(&person),
            added_hash: crate::audit::payload_hash(None, Some(&details)),
            details,
            person,
        })
    }
}

/// The names engine every stored key comes from; search scores with it too, so that what the
/// index keys and what the scoring reads always agree.
pub fn name_engine() -> &'static airbridge_names::NameEngine {
    static ENGINE: std::sync::OnceLock<airbridge_names::NameEngine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(airbridge_names::NameEngine::new)
}

/// The keys of the name index for one person:
/// - `n:` and a names-engine blocking key of their names (own, father's, grandfather's), which
///   every spelling and script of the name shares (Mohammad Hashem / محمد هاشم);
/// - `p:` and two of those keys together (see [`key_pairs`]);
/// - `w:` and each lower-cased word of the plain search text, for word-prefix search.
pub(crate) fn person_keys(person: &Person) -> Vec<String> {
    let mut keys: Vec<String> = name_keys(&person.name.searchable());
    keys.extend(key_pairs(&keys));
    keys.extend(search_words(&search_text(person)).map(|word| format!("w:{word}")));
    keys.sort();
    keys.dedup();
    keys
}

/// The `n:` keys of a name or a query: what a person's stored keys are looked up by.
pub(crate) fn name_keys(text: &str) -> Vec<String> {
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

/// The lower-cased words of a name or a query, split at spaces and punctuation (so that
/// "Abd-al-Rahman" has the word "rahman" and "<b>" the word "b"), never inside a word: marks
/// and the zero-width non-joiner of Persian spelling stay in the word they belong to.
pub(crate) fn search_words(text: &str) -> impl Iterator<Item = String> + '_ {
    const PUNCTUATION: &[char] = &[
        '،', '؛', '؟', '«', '»', '٫', '٬', '‘', '’', '“', '”', '–', '—', '…',
    ];
    text.split(|c: char| c.is_whitespace() || c.is_ascii_punctuation() || PUNCTUATION.contains(&c))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

/// The bounds of a key-prefix range in PostgreSQL's `person_keys` index: every key that starts
/// with `prefix` sorts at or after the first bound and before the second.
pub(crate) fn key_range(prefix: &str) -> (String, String) {
    (prefix.to_owned(), format!("{prefix}\u{10FFFF}"))
}

/// Which nations a lookup in the name index reads: one, or each of a list (every nation of
/// the registry, for a reader who may see them all).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Nations<'a> {
    One(NationCode),
    Each(&'a [NationCode]),
}

/// A name-index key of one nation as a single term of SQLite's full-text index: the nation in
/// lower case, then the key's bytes in hexadecimal. Hexadecimal keeps every key one token of
/// ASCII letters and digits whatever its script, and a key's prefix is its term's prefix, so a
/// word-prefix search is a prefix query. Nation codes are always two letters, so no two
/// (nation, key) pairs share a term. Written digit by digit into one string, rather than with
/// `hex::encode`, because the import's writer thread makes one for every key of every person.
pub(crate) fn name_term(nation: NationCode, key: &str) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut term = String::with_capacity(2 + 2 * key.len());
    term.push_str(&nation.as_str().to_ascii_lowercase());
    for byte in key.bytes() {
        term.push(char::from(DIGITS[usize::from(byte >> 4)]));
        term.push(char::from(DIGITS[usize::from(byte & 15)]));
    }
    term
}

/// What the stored keys were made with. Keys are derived data: when the names engine changes
/// how it keys names, the index is rebuilt on opening (see `ensure_name_index`). The digest of
/// the engine's data files and probes of the engine with names in both scripts catch a change
/// in its tables or its rules without anyone having to remember to bump `NAME_INDEX_VERSION`,
/// which is for changes in what is indexed.
pub(crate) fn name_index_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    // 2: pairs of name keys (`p:`); 3: words split at punctuation too.
    const NAME_INDEX_VERSION: &str = "3";
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
        "Bill Englefield",
        "Sameerah Haddad",
        "Cebrail Guzel",
        "Hichem Nikolic",
        "فيكتور تشيرنوميردين",
        "Htun Htun Oo",
        "RI, Chae-Sik",
        "Abd Alkarim Mo7ammad",
        "Alena Petrakovitš Ananičová",
        "Noor Agha",
        "Marzieh Vahid Dastjerdi",
        "Aminjan Karimov",
        "Abdul Raheem",
        "علی خامنه ای",
        "ګل احمد",
        "Mao Tse-tung",
        "فاطمه نوری همسر",
        "Fatima Noori, wife of Ahmad",
        "Magomed Farmanowicz Mahomedow",
        "Vlastimir Djordjevic Kiszczak",
        "Gholamreza Ahmadi",
    ];
    let mut hash = Sha256::new();
    hash.update(NAME_INDEX_VERSION.as_bytes());
    hash.update(airbridge_names::data_digest().to_le_bytes());
    for probe in PROBES {
        for key in name_keys(probe) {
            hash.update(key.as_bytes());
            hash.update([0]);
        }
        hash.update([1]);
    }
    hex::encode(&hash.finalize()[..12])
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
    check_principals(
        case.reference.as_deref(),
        case.members.iter().map(|m| m.relation),
    )
}

/// That the members of a new case (`reference`, if it has one) have exactly one principal.
pub(crate) fn check_principals(
    reference: Option<&str>,
    relations: impl Iterator<Item = Relation>,
) -> Result<()> {
    let principals = relations.filter(|r| *r == Relation::Principal).count();
    if principals != 1 {
        return Err(StoreError::Invalid(format!(
            "a case needs exactly one principal; case {} has {principals}",
            reference.unwrap_or("(no reference)")
        )));
    }
    Ok(())
}

/// Seconds since 1970-01-01 UTC: job leases compare as numbers, not as formatted times.
pub(crate) fn epoch_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_spaces_and_punctuation_but_not_inside_a_word() {
        let words = |t: &str| search_words(t).collect::<Vec<_>>();
        assert_eq!(
            words("Abd-al-Rahman  O'Brien"),
            ["abd", "al", "rahman", "o", "brien"]
        );
        assert_eq!(
            words("<script>alert(1)</script>"),
            ["script", "alert", "1", "script"]
        );
        assert_eq!(words("زهرا، حسینی"), ["زهرا", "حسینی"]);
        // The zero-width non-joiner and vowel marks belong to their word.
        assert_eq!(words("می\u{200C}خواهم مُحَمَّد"), ["می\u{200C}خواهم", "مُحَمَّد"]);
        assert!(words(" %_ ").is_empty());
    }

    #[test]
    fn name_terms_are_ascii_words_that_keep_prefixes_and_nations_apart() {
        let fr = NationCode::parse("FR").unwrap();
        let de = NationCode::parse("DE").unwrap();
        assert_eq!(name_term(fr, "w:ab"), "fr773a6162");
        let arabic = name_term(fr, "w:زهرا");
        assert!(arabic.bytes().all(|b| b.is_ascii_alphanumeric()));
        // A word's term starts with the term of each of its prefixes, and only of those.
        assert!(name_term(fr, "w:زهرا").starts_with(&name_term(fr, "w:زه")));
        assert!(!name_term(fr, "w:زهرا").starts_with(&name_term(fr, "w:ز ")));
        assert_ne!(name_term(fr, "n:a"), name_term(de, "n:a"));
        // Lower-case hexadecimal: the tokenizer folds case, so no two keys may differ by it.
        assert_ne!(name_term(fr, "w:A"), name_term(fr, "w:a"));
    }

    #[test]
    fn key_pairs_join_each_two_name_keys_once() {
        let keys: Vec<String> = ["n:b", "n:a", "w:x", "n:c", "n:a"]
            .map(String::from)
            .to_vec();
        assert_eq!(key_pairs(&keys), ["p:a&b", "p:a&c", "p:b&c"]);
        assert!(key_pairs(&["n:a".to_owned()]).is_empty());
    }

    #[test]
    fn the_same_name_in_both_scripts_gets_a_shared_key() {
        let latin = name_keys("Zahra Hosseini");
        let arabic = name_keys("زهرا حسینی");
        assert!(
            latin.iter().any(|k| arabic.contains(k)),
            "{latin:?} / {arabic:?}"
        );
        assert!(latin.iter().all(|k| k.starts_with("n:")));
        assert!(name_keys("  ").is_empty());
    }
}
