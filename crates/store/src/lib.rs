//! Airbridge's storage: the [`Store`] interface every backend implements, the records it returns,
//! the SQLite backend that runs embedded by default, the PostgreSQL backend for servers with
//! several instances, and [`AnyStore`], which opens either from a database URL.
//!
//! Rules every backend keeps (the contract tests in `tests/contract.rs` check them):
//! - every mutation writes its audit event in the same transaction, so a change without its
//!   audit event, or an audit event without its change, never exists;
//! - a failed call changes nothing;
//! - nothing is deleted, except by [`Store::purge_person`], which is itself audited;
//! - status changes go through the domain's transition table, never around it;
//! - a write that names a stale version is refused with [`StoreError::Conflict`].

pub mod accounts;
pub mod any;
pub mod audit;
mod common;
pub mod copy;
pub mod dedup;
pub mod field;
mod field_queue;
pub mod flights;
pub mod key;
pub mod postgres;
mod records;
pub mod sqlite;
pub mod testing;

pub use accounts::{
    FailedLogin, LockoutPolicy, LoginAttempt, NewSession, NewUser, SessionRecord, UserCredentials,
    UserRecord,
};
pub use any::AnyStore;
pub use audit::{AuditEvent, AuditFilter, AuditVerification};
pub use common::name_engine;
pub use dedup::*;
pub use field::*;
pub use field_queue::CheckInQueue;
pub use flights::*;
pub use key::{DatabaseKey, Encryption, KeyError};
pub use postgres::PgStore;
pub use records::*;
pub use sqlite::{Checkpoint, RESTART_FRAMES, SqliteStore};

use airbridge_domain::{
    Access, CaseId, Eligibility, EvacuationStatus, NationCode, Organisation, OrganisationKind,
    Person, PersonId, Relation, TransitionError,
};
use std::future::Future;

/// Why a store call failed. `kind()` tells callers (CLI exit codes, HTTP statuses) what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: String },
    #[error(
        "{entity} {id} was changed by someone else (version {actual}, you had {expected}); reload it and try again"
    )]
    Conflict {
        entity: &'static str,
        id: String,
        expected: i64,
        actual: i64,
    },
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("{0}")]
    Invalid(String),
    #[error("the database at {path} cannot be used: {reason}")]
    Open { path: String, reason: String },
    /// The database server could not be reached, after retrying: nothing was changed.
    #[error("the database is unreachable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    /// A lost connection is told apart from a failed statement: the message says the database
    /// is unreachable, which is what an operator needs to know first.
    fn from(error: sqlx::Error) -> StoreError {
        match error {
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                StoreError::Unavailable(error.to_string())
            }
            sqlx::Error::Database(ref db) if postgres::is_transient(&error) => {
                StoreError::Unavailable(db.message().to_owned())
            }
            // PostgreSQL stores no NUL character in text (character_not_in_repertoire,
            // untranslatable_character): the caller's input, not a failure of the server.
            sqlx::Error::Database(ref db)
                if matches!(db.code().as_deref(), Some("22021" | "22P05")) =>
            {
                StoreError::Invalid(
                    "text may not hold a NUL character (U+0000) or another character the \
                     database cannot store: remove it"
                        .into(),
                )
            }
            other => StoreError::Database(other),
        }
    }
}

/// The broad class of a [`StoreError`], stable for scripts and HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Conflict,
    Invalid,
    Internal,
}

impl StoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotFound { .. } => ErrorKind::NotFound,
            StoreError::Conflict { .. } | StoreError::AlreadyExists(_) => ErrorKind::Conflict,
            StoreError::Transition(_) | StoreError::Invalid(_) | StoreError::Open { .. } => {
                ErrorKind::Invalid
            }
            StoreError::Unavailable(_) | StoreError::Database(_) | StoreError::Corrupt(_) => {
                ErrorKind::Internal
            }
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Whether opening may create a new database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the database when it does not exist, then bring its schema up to date.
    CreateIfMissing,
    /// Refuse a missing SQLite file or an empty PostgreSQL database: commands other than `init`
    /// and `demo` should not scatter empty databases on a typo.
    MustExist,
}

/// The registry's storage interface. SQLite and PostgreSQL implement it, and one contract test
/// suite (`tests/contract.rs`) runs against both. Every store also keeps deduplication
/// ([`DedupStore`]) and flights and plans ([`FlightStore`]), so code generic over a store (the
/// web layer) reaches them.
pub trait Store: DedupStore + FlightStore + Clone + Send + Sync + 'static {
    // --- nations and organisations -------------------------------------------------------
    fn add_nation(
        &self,
        actor: &Actor,
        code: NationCode,
        name: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    fn list_nations(&self) -> impl Future<Output = Result<Vec<airbridge_domain::Nation>>> + Send;
    /// Exports of more people than this need an explicit confirmation.
    fn export_limit(&self, nation: NationCode) -> impl Future<Output = Result<i64>> + Send;
    fn set_export_limit(
        &self,
        actor: &Actor,
        nation: NationCode,
        limit: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    fn add_organisation(
        &self,
        actor: &Actor,
        nation: NationCode,
        name: &str,
        kind: OrganisationKind,
    ) -> impl Future<Output = Result<Organisation>> + Send;
    fn list_organisations(
        &self,
        nation: Option<NationCode>,
    ) -> impl Future<Output = Result<Vec<Organisation>>> + Send;

    // --- people and cases ------------------------------------------------------------------
    /// Registers a person on their own (not in a case yet), status `registered`.
    fn add_person(
        &self,
        actor: &Actor,
        nation: NationCode,
        person: Person,
    ) -> impl Future<Output = Result<PersonRecord>> + Send;
    /// Replaces a person's details. `expected_version` guards against lost updates.
    fn update_person(
        &self,
        actor: &Actor,
        id: PersonId,
        person: Person,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<PersonRecord>> + Send;
    fn get_person(&self, id: PersonId)
    -> impl Future<Output = Result<Option<PersonRecord>>> + Send;
    fn search_persons(
        &self,
        query: &PersonQuery,
    ) -> impl Future<Output = Result<Vec<PersonRecord>>> + Send;
    /// The people (of `nation`, or all) whose names share a names-engine blocking key with
    /// `text`, in any spelling or script: those sharing the most keys first, at most `limit`.
    /// The candidates of a name search, light (no details read): the caller scores their names
    /// with the names engine, then reads the people it keeps with [`Store::get_persons`].
    fn name_candidates(
        &self,
        nation: Option<NationCode>,
        text: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<NameCandidate>>> + Send;
    /// The people with these ids, in the order asked (ids not found are left out).
    fn get_persons(
        &self,
        ids: &[PersonId],
    ) -> impl Future<Output = Result<Vec<PersonRecord>>> + Send;
    /// The imported rows a person came from, with the cells no field took.
    fn person_sources(
        &self,
        id: PersonId,
    ) -> impl Future<Output = Result<Vec<PersonSource>>> + Send;
    /// Registers whole cases (principal and dependents) in one transaction: all or none.
    fn add_cases(
        &self,
        actor: &Actor,
        cases: Vec<NewCase>,
    ) -> impl Future<Output = Result<Vec<CaseId>>> + Send;
    /// Puts an already registered person (not yet in a case) into a case.
    fn add_case_member(
        &self,
        actor: &Actor,
        case: CaseId,
        person: PersonId,
        relation: Relation,
    ) -> impl Future<Output = Result<CaseRecord>> + Send;
    fn get_case(&self, id: CaseId) -> impl Future<Output = Result<Option<CaseRecord>>> + Send;
    fn list_cases(&self, query: &CaseQuery)
    -> impl Future<Output = Result<Vec<CaseRecord>>> + Send;
    fn set_eligibility(
        &self,
        actor: &Actor,
        case: CaseId,
        eligibility: Eligibility,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<CaseRecord>> + Send;

    /// Imports a list in one transaction: new rows become people and cases, rows seen before
    /// with the same content change nothing, rows whose content changed update their person,
    /// rejected rows go to quarantine. All or nothing.
    fn import_list(
        &self,
        actor: &Actor,
        batch: ImportBatch,
    ) -> impl Future<Output = Result<ImportOutcome>> + Send {
        async move {
            let (sender, feed) = tokio::sync::mpsc::channel(2);
            let header = ImportHeader {
                nation: batch.nation,
                organisation: batch.organisation,
                source: batch.source,
            };
            // Both fit in the channel, so neither send waits for the import to read.
            let chunk = ImportFeed::Chunk {
                cases: batch.cases,
                rejected: batch.rejected,
            };
            if sender.send(chunk).await.is_err() || sender.send(ImportFeed::Done).await.is_err() {
                return Err(StoreError::Invalid("the import could not be fed".into()));
            }
            drop(sender);
            self.import_stream(actor, header, feed).await
        }
    }
    /// Imports a list fed in pieces, in one transaction, as `import_list` does: the pieces are
    /// written as they come, so a list of any size is held one piece at a time. Nothing is
    /// committed unless the feed ends with `ImportFeed::Done`; a feed closed before it (the
    /// reader failed) rolls everything back. Cases of one family that come in different
    /// pieces (the same reference) join the case made for the first.
    fn import_stream(
        &self,
        actor: &Actor,
        header: ImportHeader,
        feed: tokio::sync::mpsc::Receiver<ImportFeed>,
    ) -> impl Future<Output = Result<ImportOutcome>> + Send;
    /// The quarantined rows of a nation (`open` only, unless `all`).
    fn list_quarantine(
        &self,
        nation: Option<NationCode>,
        all: bool,
    ) -> impl Future<Output = Result<Vec<QuarantineEntry>>> + Send;

    // --- status ------------------------------------------------------------------------------
    fn set_status(
        &self,
        actor: &Actor,
        change: StatusRequest,
    ) -> impl Future<Output = Result<StatusChange>> + Send;
    /// Moves every member of a case together; refused whole if any member cannot move.
    fn set_case_status(
        &self,
        actor: &Actor,
        case: CaseId,
        to: EvacuationStatus,
        reason: Option<String>,
        location: Option<String>,
    ) -> impl Future<Output = Result<Vec<StatusChange>>> + Send;
    fn status_history(
        &self,
        person: PersonId,
    ) -> impl Future<Output = Result<Vec<StatusChange>>> + Send;

    // --- removal ------------------------------------------------------------------------------
    /// Erases a person's personal data: their row, documents and history, and the payloads of
    /// their audit events (the chain of hashes stays whole). Audited, with the reason.
    fn purge_person(
        &self,
        actor: &Actor,
        id: PersonId,
        reason: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    // --- API tokens ---------------------------------------------------------------------------
    /// Creates a token with a role and what it is bound to; returns the secret, which is shown
    /// once and never stored (only its SHA-256 is). Audited.
    fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        access: &Access,
    ) -> impl Future<Output = Result<String>> + Send;
    /// Creates a token as before roles existed: without a nation an operator's (a system
    /// administrator's), with one that nation's administrator's.
    fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
        nation: Option<NationCode>,
    ) -> impl Future<Output = Result<String>> + Send {
        let access = Access::legacy_token(nation);
        async move { self.create_token(actor, name, &access).await }
    }
    /// The token's name and access when the secret is valid and not revoked.
    fn check_api_token(
        &self,
        secret: &str,
    ) -> impl Future<Output = Result<Option<TokenOwner>>> + Send;

    // --- accounts and sessions (statements in `accounts_sql.rs`) ------------------------------
    /// Creates an account. Audited (never with its password hash).
    fn add_user(
        &self,
        actor: &Actor,
        user: NewUser,
    ) -> impl Future<Output = Result<UserRecord>> + Send;
    /// An account with its password hash and second-factor secret, for a login.
    fn user_credentials(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<UserCredentials>>> + Send;
    /// Every account, or one nation's.
    fn list_users(
        &self,
        nation: Option<NationCode>,
    ) -> impl Future<Output = Result<Vec<UserRecord>>> + Send;
    fn count_users(&self) -> impl Future<Output = Result<i64>> + Send;
    /// Disables (and logs out everywhere) or enables an account. Audited.
    fn set_user_disabled(
        &self,
        actor: &Actor,
        username: &str,
        disabled: bool,
    ) -> impl Future<Output = Result<UserRecord>> + Send;
    /// Lifts a lockout and clears the count of failures. Audited.
    fn unlock_user(
        &self,
        actor: &Actor,
        username: &str,
    ) -> impl Future<Output = Result<UserRecord>> + Send;
    /// Enrols a second-factor secret, or removes it (`None`). Audited, without the secret.
    fn set_user_totp(
        &self,
        actor: &Actor,
        username: &str,
        secret: Option<String>,
    ) -> impl Future<Output = Result<UserRecord>> + Send;
    /// Records a failed login: audited, counted against the account, and the account locked
    /// when the policy says so (that is audited too).
    fn login_failed(
        &self,
        attempt: LoginAttempt<'_>,
        policy: LockoutPolicy,
    ) -> impl Future<Output = Result<FailedLogin>> + Send;
    /// Remembers the time step of a second-factor code; false when that step (or a later one)
    /// was used already, so a code cannot be replayed.
    fn claim_totp_step(&self, user_id: i64, step: i64)
    -> impl Future<Output = Result<bool>> + Send;
    /// Starts a session for an account (ending `replaces`, the session it grows from, so the id
    /// changes at every step of a login). A complete login clears the count of failures.
    /// Audited: `auth.login`, or `auth.password_accepted` while the second factor is awaited.
    fn start_session(
        &self,
        username: &str,
        session: NewSession,
        replaces: Option<&str>,
        address: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The live session with this id hash: none when it is unknown, idle for `idle_seconds`,
    /// past its absolute expiry or its account is disabled (such a session is ended).
    fn session(
        &self,
        id_hash: &str,
        now: i64,
        idle_seconds: i64,
    ) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;
    /// Ends a session (a logout). Audited.
    fn end_session(&self, id_hash: &str) -> impl Future<Output = Result<()>> + Send;
    /// Keeps a one-time setup token (its hash) while the database has no account; false when
    /// it has one already.
    fn create_setup_token(
        &self,
        token_hash: &str,
        expires_at: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Creates the first account with a setup token that is unused and unexpired, while no
    /// account exists. The token is spent in the same transaction. Audited.
    fn add_first_user(
        &self,
        token_hash: &str,
        now: i64,
        user: NewUser,
    ) -> impl Future<Output = Result<UserRecord>> + Send;

    /// Records an event that changes nothing in the registry but must be traced: an export, a
    /// download, a list read in bulk.
    fn record_event(
        &self,
        actor: &Actor,
        nation: Option<NationCode>,
        action: &str,
        subject: &str,
        details: serde_json::Value,
    ) -> impl Future<Output = Result<()>> + Send;

    // --- sanctions screening ---------------------------------------------------------------
    /// Keeps a version of a sanctions list (its parsed content as JSON). Loading the same file
    /// again changes nothing; returns the stored version and whether it is new.
    fn store_list(
        &self,
        actor: &Actor,
        list: NewList,
    ) -> impl Future<Output = Result<(StoredList, bool)>> + Send;
    /// The newest version of each source, with its content.
    fn latest_lists(&self) -> impl Future<Output = Result<Vec<(StoredList, String)>>> + Send;
    /// Records hits, skipping those already raised for the same person and entry as they are now
    /// (whatever was decided about them); a hit on a changed person or entry supersedes the old
    /// one. Returns how many were new.
    fn record_hits(
        &self,
        actor: &Actor,
        hits: Vec<NewHit>,
    ) -> impl Future<Output = Result<usize>> + Send;
    fn list_hits(
        &self,
        status: Option<String>,
        nation: Option<NationCode>,
    ) -> impl Future<Output = Result<Vec<HitRecord>>> + Send;
    /// An officer's decision on a hit; a false positive needs a reason. Audited, and may be
    /// revised by a later decision.
    fn decide_hit(
        &self,
        actor: &Actor,
        hit: i64,
        decision: HitDecision,
        reason: Option<String>,
    ) -> impl Future<Output = Result<HitRecord>> + Send;

    // --- audit and totals ----------------------------------------------------------------------
    fn audit_list(
        &self,
        filter: &AuditFilter,
    ) -> impl Future<Output = Result<Vec<AuditEvent>>> + Send;
    fn audit_verify(&self) -> impl Future<Output = Result<AuditVerification>> + Send;
    fn totals(&self) -> impl Future<Output = Result<Vec<StatusTotal>>> + Send;

    // --- field operations (call-forward, gates, outbox, live figures) ---------------------------
    /// Calls cases forward to a gate for a window: see [`CallForwardRequest`]. One
    /// transaction; cases nobody in which may be called are skipped and say why.
    fn call_forward(
        &self,
        actor: &Actor,
        request: CallForwardRequest,
    ) -> impl Future<Output = Result<CallForwardResult>> + Send;
    /// Revokes a pass (a reason is required); its case's members stay called forward until
    /// called again or marked no-show. Audited.
    fn revoke_pass(
        &self,
        actor: &Actor,
        pass: i64,
        reason: &str,
    ) -> impl Future<Output = Result<PassRecord>> + Send;
    /// The pass with this code hash, whatever its state.
    fn pass_by_hash(
        &self,
        code_hash: &str,
    ) -> impl Future<Output = Result<Option<PassRecord>>> + Send;
    /// Every pass a case was given, newest last.
    fn case_passes(&self, case: CaseId) -> impl Future<Output = Result<Vec<PassRecord>>> + Send;
    /// Records a gate's action and applies its settled outcome (see [`CheckIn`] and
    /// `airbridge_field::gate`). Refusals are recorded and audited too; a re-sent action
    /// changes nothing. The caller checks beforehand that the pass is one it may act on.
    fn check_in(
        &self,
        actor: &Actor,
        check_in: CheckIn,
    ) -> impl Future<Output = Result<CheckInOutcome>> + Send;
    /// Many gates' actions in one transaction (see [`CheckInQueue`], which gathers them): each
    /// is applied as `check_in` would, inside a savepoint, so one that fails changes nothing
    /// and answers its own error. The outer error is for the whole batch (nothing committed).
    fn check_in_batch(
        &self,
        items: Vec<(Actor, CheckIn)>,
    ) -> impl Future<Output = Result<Vec<Result<CheckInOutcome>>>> + Send;
    /// The cases holding an issued or used pass for `gate`, with their members: what a gate
    /// page keeps for working offline.
    fn gate_expected(
        &self,
        gate: &str,
        nation: Option<NationCode>,
    ) -> impl Future<Output = Result<Vec<ExpectedCase>>> + Send;
    fn gate_flags(
        &self,
        nation: Option<NationCode>,
        open_only: bool,
    ) -> impl Future<Output = Result<Vec<GateFlagRecord>>> + Send;
    /// A person looked at a flag and says what they found. Audited.
    fn clear_gate_flag(
        &self,
        actor: &Actor,
        id: i64,
        note: &str,
    ) -> impl Future<Output = Result<GateFlagRecord>> + Send;
    /// Members still called forward whose pass's window ended before `now` (RFC 3339) and who
    /// never came become no-shows. Returns how many.
    fn mark_no_shows(&self, actor: &Actor, now: &str)
    -> impl Future<Output = Result<usize>> + Send;
    /// Queued messages, oldest first.
    fn outbox_queued(&self, limit: u32) -> impl Future<Output = Result<Vec<OutboxMessage>>> + Send;
    /// What an adapter did with a message: sent (its body is dropped) or failed (kept for a
    /// retry, with the error). Audited, without the body.
    fn outbox_result(
        &self,
        actor: &Actor,
        id: i64,
        result: std::result::Result<(), String>,
    ) -> impl Future<Output = Result<OutboxMessage>> + Send;
    /// People by nation, category and status, counted by the database.
    fn live_counts(
        &self,
        nation: Option<NationCode>,
    ) -> impl Future<Output = Result<Vec<LiveCount>>> + Send;
    /// People per day reaching called-forward, no-show, departed and arrived, by nation.
    fn day_counts(
        &self,
        nation: Option<NationCode>,
    ) -> impl Future<Output = Result<Vec<DayCount>>> + Send;
    /// Boarding progress per flight (the location recorded with manifested, boarded and
    /// departed).
    fn flight_counts(
        &self,
        nation: Option<NationCode>,
    ) -> impl Future<Output = Result<Vec<FlightCount>>> + Send;

    // --- background jobs -------------------------------------------------------------------------
    /// Queues a job (screening after a list update, deduplication, sending the outbox). Audited.
    fn enqueue_job(
        &self,
        actor: &Actor,
        kind: &str,
        payload: serde_json::Value,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// Claims the oldest job that is queued, or whose worker's lease ran out, for `worker`
    /// during `lease`. Several instances may claim at once: each job goes to one of them.
    /// Claiming is scheduling, not a change to the registry, so it writes no audit event; the
    /// job row records who holds it.
    fn claim_job(
        &self,
        worker: &str,
        lease: std::time::Duration,
    ) -> impl Future<Output = Result<Option<JobClaim>>> + Send;
    /// Finishes a claimed job. Refused with a conflict when the claim is no longer the job's
    /// (its lease ran out and another worker claimed it, or it was finished). Audited.
    fn finish_job(
        &self,
        actor: &Actor,
        claim: &JobClaim,
        outcome: JobOutcome,
    ) -> impl Future<Output = Result<()>> + Send;
    fn list_jobs(
        &self,
        state: Option<JobState>,
    ) -> impl Future<Output = Result<Vec<JobRecord>>> + Send;
}

/// An organisation id and the nation it belongs to must agree; backends call this.
pub(crate) fn check_organisation_nation(
    organisation: &Organisation,
    nation: NationCode,
) -> Result<()> {
    if organisation.nation != nation {
        return Err(StoreError::Invalid(format!(
            "organisation {} belongs to {}, not {}",
            organisation.id, organisation.nation, nation
        )));
    }
    Ok(())
}
