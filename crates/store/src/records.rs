//! The records the store hands out and takes in: domain values plus the registry's
//! bookkeeping (ids, nation, case, status, version, timestamps).

use airbridge_domain::{
    Case, CaseId, Eligibility, EvacuationStatus, NationCode, Person, PersonId, Relation,
};
pub use airbridge_domain::{NewCase, NewMember, StatusStep};
use serde::{Deserialize, Serialize};

/// Who makes a change: a user name, a token name or `cli:<login>`. Recorded on every audit
/// event and status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
}

impl Actor {
    pub fn new(name: impl Into<String>) -> Actor {
        Actor { name: name.into() }
    }
}

/// A person as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub id: PersonId,
    pub nation: NationCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    pub status: EvacuationStatus,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub person: Person,
}

/// A case as stored, with the people in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub case: Case,
    pub eligibility: Eligibility,
    pub version: i64,
    pub created_at: String,
    /// The members' records, in the order of `case.members`.
    pub people: Vec<PersonRecord>,
}

/// What to look for among people.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonQuery {
    #[serde(default)]
    pub nation: Option<NationCode>,
    /// Words each of which must begin a word of the person's names (case-insensitive): "ahm
    /// kar" finds Ahmad Karimi.
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub status: Option<EvacuationStatus>,
    #[serde(default)]
    pub case: Option<CaseId>,
    /// At most this many (default 50, at most 10,000).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only ids greater than this, for paging.
    #[serde(default)]
    pub after: Option<PersonId>,
}

/// What to look for among cases.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseQuery {
    #[serde(default)]
    pub nation: Option<NationCode>,
    #[serde(default)]
    pub reference: Option<String>,
    /// Only cases submitted by this organisation.
    #[serde(default)]
    pub organisation: Option<airbridge_domain::OrganisationId>,
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub after: Option<CaseId>,
}

pub(crate) fn page_limit(limit: Option<u32>) -> i64 {
    i64::from(limit.unwrap_or(50).clamp(1, 10_000))
}

/// A request to move one person to a new status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusRequest {
    pub person: PersonId,
    pub to: EvacuationStatus,
    #[serde(default)]
    pub reason: Option<String>,
    /// Where it happened: "Abbey Gate", "HKIA North", "Ramstein".
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

/// A status change as recorded: who, when, where, why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub id: i64,
    pub person: PersonId,
    pub from: EvacuationStatus,
    pub to: EvacuationStatus,
    pub actor: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A person a name search may be about: who shares a names-engine key with the query, and the
/// names to score (the plain search text: own, father's and grandfather's names, lower-cased).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameCandidate {
    pub id: PersonId,
    pub names: String,
    /// How many pairs of the query's keys the person shares; 0 when they share one key only.
    pub shared: u32,
}

/// How many people of a nation are in a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusTotal {
    pub nation: NationCode,
    pub status: EvacuationStatus,
    pub people: i64,
}

/// Who a valid API token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenOwner {
    pub name: String,
    /// The token's role and what it is bound to, as a user's.
    pub access: airbridge_domain::Access,
}

/// One row of an imported list that became (or updates) a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportMember {
    /// The row's identity within its source: its id column, or family id and position, or line.
    pub row_key: String,
    /// A hash of the row's content: equal means unchanged since the last import.
    pub fingerprint: String,
    pub relation: Relation,
    pub person: Person,
    /// Cells of the row that no field took: kept with the row.
    #[serde(default)]
    pub extra: Vec<(String, String)>,
}

/// Where a person came from: a row of an imported list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSource {
    pub source: String,
    pub row_key: String,
    pub imported_at: String,
    pub extra: Vec<(String, String)>,
}

/// A case of an imported list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportCase {
    pub reference: Option<String>,
    pub eligibility: Eligibility,
    pub members: Vec<ImportMember>,
}

/// A row that could not become a person, kept whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantineRow {
    pub row_key: String,
    pub sheet: Option<String>,
    pub line: i64,
    pub fingerprint: String,
    /// The row as it was: (header, value) pairs.
    pub raw: Vec<(String, String)>,
    /// Why it was refused (the import report's issues, as JSON).
    pub issues: serde_json::Value,
}

/// A whole list to import in one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportBatch {
    pub nation: NationCode,
    pub organisation: Option<airbridge_domain::OrganisationId>,
    /// The name the list is known by (its file name, or one given): rows are matched within it.
    pub source: String,
    pub cases: Vec<ImportCase>,
    pub rejected: Vec<QuarantineRow>,
}

/// Which list a streamed import (`Store::import_stream`) belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportHeader {
    pub nation: NationCode,
    pub organisation: Option<airbridge_domain::OrganisationId>,
    /// The name the list is known by (its file name, or one given): rows are matched within it.
    pub source: String,
}

/// One piece of a streamed import.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportFeed {
    /// Whole cases (a family split over pieces joins by its reference) and refused rows.
    Chunk {
        cases: Vec<ImportCase>,
        rejected: Vec<QuarantineRow>,
    },
    /// The list is complete: commit.
    Done,
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub people_created: usize,
    /// The new people, for the screening that follows an import.
    #[serde(default)]
    pub created: Vec<PersonId>,
    pub people_updated: Vec<PersonId>,
    pub people_unchanged: usize,
    pub cases_created: usize,
    pub quarantined: usize,
    /// Earlier quarantined rows now imported from a corrected file.
    pub quarantine_resolved: usize,
}

/// A quarantined row as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantineEntry {
    pub id: i64,
    pub nation: NationCode,
    pub source: String,
    pub row: QuarantineRow,
    pub status: String,
    pub created_at: String,
}

/// A sanctions list version to keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewList {
    pub source: String,
    pub version_date: Option<String>,
    /// SHA-256 of the file as published: the same file loads once.
    pub sha256: String,
    pub entries: i64,
    /// The parsed list, as JSON.
    pub content: String,
}

/// A version of a sanctions list as loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredList {
    pub id: i64,
    /// `un` or `ofac`.
    pub source: String,
    pub version_date: Option<String>,
    pub sha256: String,
    pub entries: i64,
    pub loaded_at: String,
}

/// A possible match of a registry person with a listed entry, to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewHit {
    pub person: PersonId,
    pub list_id: i64,
    pub entry_ref: String,
    pub listed_name: String,
    pub score: f64,
    pub explanation: serde_json::Value,
    /// Hash of the entry's content: a changed entry is screened afresh.
    pub entry_fingerprint: String,
    /// Hash of the person's screened details (names, birth date, nationalities, documents).
    pub person_fingerprint: String,
}

/// What a screening officer decided about a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HitDecision {
    /// The person is the listed individual: they are blocked from every manifest.
    Confirmed,
    /// Not the same person: not raised again for this person and entry unless either changes.
    FalsePositive,
}

impl HitDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            HitDecision::Confirmed => "confirmed",
            HitDecision::FalsePositive => "false_positive",
        }
    }
}

/// A recorded hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitRecord {
    pub id: i64,
    pub person: PersonId,
    pub nation: NationCode,
    pub person_name: String,
    pub list_id: i64,
    pub entry_ref: String,
    pub listed_name: String,
    pub score: f64,
    pub explanation: serde_json::Value,
    /// open, confirmed, false_positive, or superseded (the person or entry changed since).
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
    pub created_at: String,
}

/// The state of a background job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Claimed by a worker whose lease has not run out.
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<JobState> {
        [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }
}

/// A job a worker has claimed: it alone may finish it while its lease runs. `attempt` counts
/// claims, so a worker whose lease ran out and whose job was claimed again cannot finish it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobClaim {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub worker: String,
    pub attempt: i64,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum JobOutcome {
    Done(serde_json::Value),
    Failed(String),
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub state: JobState,
    pub attempts: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}
