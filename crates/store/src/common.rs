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
