//! The records of field operations: call-forward waves, passes, what gates did, the outbox of
//! messages, and the live counts and figures the situation report is made from.

use airbridge_domain::{CaseId, EvacuationStatus, NationCode, PersonId};
pub use airbridge_field::{GateAction, GateEvent, GateFlag};
use serde::{Deserialize, Serialize};

/// Call a set of cases forward to one gate for one time window.
///
/// The caller chooses the cases, draws each pass code from a secure random source and renders
/// the messages (`airbridge_field::messages`); the store keeps only each code's hash and does
/// the rest in one transaction: members who may be called (eligible, or a no-show called again)
/// move to `called_forward` at the gate, any pass the case still held is revoked, the new pass
/// and its messages are written, and all of it is audited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallForwardRequest {
    pub nation: NationCode,
    pub gate: String,
    /// Where and how to come, as the messages say it (e.g. "Abbey Gate, the canal side").
    pub rendezvous: String,
    /// The window, RFC 3339 UTC (`2021-08-22T06:00:00Z`).
    pub valid_from: String,
    pub valid_until: String,
    pub passes: Vec<NewPass>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPass {
    pub case: CaseId,
    /// `PassCode::hash()`: never the code itself.
    pub code_hash: String,
    /// One per recipient (never one message to many).
    pub messages: Vec<NewMessage>,
}

/// A message to one person, waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMessage {
    pub person: Option<PersonId>,
    /// `sms`, `whatsapp`, `email`…: which adapter sends it.
    pub channel: String,
    /// E.164 phone number or e-mail address.
    pub recipient: String,
    /// `fa-AF` (Dari), `ps` (Pashto), `en`, `fr`.
    pub language: String,
    pub body: String,
}

/// What a call-forward did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallForwardResult {
    pub wave: i64,
    pub passes: Vec<PassRecord>,
    /// Cases not called, and why (nobody in them may be called now).
    pub skipped: Vec<(CaseId, String)>,
    pub messages: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassState {
    Issued,
    Used,
    Revoked,
}

impl PassState {
    pub fn as_str(self) -> &'static str {
        match self {
            PassState::Issued => "issued",
            PassState::Used => "used",
            PassState::Revoked => "revoked",
        }
    }
}

/// A pass as stored. Expiry is not a state: a pass is expired when `valid_until` has passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassRecord {
    pub id: i64,
    pub wave: i64,
    pub case: CaseId,
    pub nation: NationCode,
    pub gate: String,
    pub rendezvous: String,
    pub valid_from: String,
    pub valid_until: String,
    pub state: PassState,
    pub issued_at: String,
    /// Where and when it was first used (device time of the holding gate's first action).
    pub used_gate: Option<String>,
    pub used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub revoke_reason: Option<String>,
}

/// A gate's action sent to the server: at once when online, from the queue when back online.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckIn {
    /// The pass shown (its hash, computed by the page or the server from the typed code).
    /// `None` for someone found by name search who has no pass with them: then `case` is given
    /// and the action is flagged for review.
    pub code_hash: Option<String>,
    pub case: Option<CaseId>,
    pub event: GateEvent,
    /// Whether the gate acted offline (it could not ask the server): the action is recorded
    /// even when the pass was used elsewhere, and settled by `airbridge_field::resolve`.
    pub offline: bool,
    /// Names given at the gate to dependents listed without one ("child 3"), by person id.
    #[serde(default)]
    pub names: Vec<(PersonId, String)>,
    /// The versions of the members the gate saw; a member changed since is flagged.
    #[serde(default)]
    pub seen_versions: Vec<(PersonId, i64)>,
}

/// Why a pass was refused at a gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    #[error(
        "no pass has this code: it may be forged; check the person's documents and search by name"
    )]
    Unknown,
    #[error("this pass was revoked at {at}: {reason}")]
    Revoked { at: String, reason: String },
    #[error("this pass was valid until {until}: the case must be called forward again")]
    Expired { until: String },
    #[error("this pass is valid from {from}: too early")]
    NotYet { from: String },
    #[error("this pass was already used at {gate} at {at}: a pass admits once")]
    AlreadyUsed { gate: String, at: String },
    #[error("this pass is for {gate}, not this gate")]
    OtherGate { gate: String },
    #[error("{0}")]
    Invalid(String),
}

/// What became of a gate's action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CheckInOutcome {
    /// Recorded; the members' statuses follow the settled outcome.
    Applied {
        pass: Option<Box<PassRecord>>,
        changes: Vec<crate::StatusChange>,
        /// Flags raised for a person to look at (also kept in `gate_flags`).
        flags: Vec<String>,
    },
    /// This action (its `op_id`) was recorded before: nothing changed.
    Duplicate,
    /// Refused and audited; nothing changed.
    Refused { refusal: Refusal },
}

/// A flag raised at a gate, waiting for a person to look at it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateFlagRecord {
    pub id: i64,
    pub pass: Option<i64>,
    pub case: Option<CaseId>,
    pub nation: Option<NationCode>,
    pub gate: String,
    pub op_id: String,
    pub flag: String,
    pub raised_at: String,
    pub cleared_at: Option<String>,
    pub cleared_by: Option<String>,
    pub note: Option<String>,
}

/// A case expected at a gate, with what a gate needs offline: its pass's hash and window and
/// its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedCase {
    pub pass: PassRecord,
    pub code_hash: String,
    pub members: Vec<crate::PersonRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    Queued,
    Sent,
    Failed,
}

/// A message in the outbox. Once sent, its body is dropped (the pass code with it): only who,
/// when, in which language and how remain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub pass: Option<i64>,
    pub person: Option<PersonId>,
    pub nation: NationCode,
    pub channel: String,
    pub recipient: String,
    pub language: String,
    pub body: Option<String>,
    pub state: MessageState,
    pub attempts: i64,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub error: Option<String>,
}

/// People by nation, category and status, counted in the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveCount {
    pub nation: NationCode,
    /// `national`, `local_staff`, `at_risk`, or `undecided` (no eligibility yet, or no case).
    pub category: String,
    pub status: EvacuationStatus,
    pub people: i64,
}

/// People per day who reached a status (from the status history), by nation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub nation: NationCode,
    pub status: EvacuationStatus,
    pub people: i64,
}

/// People on a flight, from the location their boarding and departure were recorded with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlightCount {
    pub flight: String,
    pub manifested: i64,
    pub boarded: i64,
    pub departed: i64,
    /// The day of its first departure, when it has flown.
    pub departed_on: Option<String>,
}
