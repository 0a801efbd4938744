//! One store type for the binary: SQLite or PostgreSQL, chosen by the database's location
//! (`--db`, `AIRBRIDGE_DATABASE_URL`): a file path or `sqlite:PATH` opens SQLite,
//! `postgres://…` (or `postgresql://…`) opens PostgreSQL. Every call is passed to the backend.

use crate::accounts::*;
use crate::audit::{AuditEvent, AuditFilter, AuditVerification};
use crate::field::*;
use crate::records::*;
use crate::sqlite::Checkpoint;
use crate::{Encryption, OpenMode, PgStore, Result, SqliteStore, Store};
use airbridge_domain::{
    Access, CaseId, Eligibility, EvacuationStatus, Nation, NationCode, Organisation,
    OrganisationKind, Person, PersonId, Relation,
};
use std::path::PathBuf;

/// Where a database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// Reads `PATH`, `sqlite:PATH`, `sqlite://PATH` or `postgres://…`.
    pub fn parse(text: &str) -> Location {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Location::Postgres(text.to_owned());
        }
        let path = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
            .unwrap_or(text);
        Location::Sqlite(PathBuf::from(path))
    }

    /// The location as shown to people: a path, or a URL without its password.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => crate::postgres::redact_url(url),
        }
    }
}

/// A store on either backend.
#[derive(Debug, Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl AnyStore {
    /// Opens without a key: a SQLite file is not encrypted (tests and tools; see
    /// [`AnyStore::open_with`]).
    pub async fn open(location: &Location, mode: OpenMode) -> Result<AnyStore> {
        AnyStore::open_with(location, mode, &Encryption::Plaintext).await
    }

    /// Opens a database; a SQLite file is encrypted whole as `encryption` says. PostgreSQL
    /// relies on its server's encrypted volume (docs/postgres.md), so the key is not used there.
    pub async fn open_with(
        location: &Location,
        mode: OpenMode,
        encryption: &Encryption,
    ) -> Result<AnyStore> {
        Ok(match location {
            Location::Sqlite(path) => {
                AnyStore::Sqlite(SqliteStore::open_with(path, mode, encryption).await?)
            }
            Location::Postgres(url) => AnyStore::Postgres(PgStore::open(url, mode).await?),
        })
    }

    /// The backend's name, for messages: `SQLite` or `PostgreSQL`.
    pub fn backend(&self) -> &'static str {
        match self {
            AnyStore::Sqlite(_) => "SQLite",
            AnyStore::Postgres(_) => "PostgreSQL",
        }
    }

    /// The backend's own integrity checks and the registry's invariants: empty when sound.
    pub async fn integrity_problems(&self) -> Result<Vec<String>> {
        match self {
            AnyStore::Sqlite(store) => store.integrity_problems().await,
            AnyStore::Postgres(store) => store.integrity_problems().await,
        }
    }

    /// Background upkeep a server runs every second: SQLite's journal checkpointed off the
    /// request path (see [`SqliteStore::checkpoint`]); nothing for PostgreSQL, whose server does
    /// its own.
    /// Before a server's first [`checkpoint`](Self::checkpoint): writers stop checkpointing
    /// inside their commits (SQLite); nothing for PostgreSQL.
    pub async fn checkpoint_in_background(&self) -> Result<()> {
        match self {
            AnyStore::Sqlite(store) => store.checkpoint_in_background().await,
            AnyStore::Postgres(_) => Ok(()),
        }
    }

    pub async fn checkpoint(&self) -> Result<Option<Checkpoint>> {
        match self {
            AnyStore::Sqlite(store) => store.checkpoint().await.map(Some),
            AnyStore::Postgres(_) => Ok(None),
        }
    }

    pub async fn close(&self) {
        match self {
            AnyStore::Sqlite(store) => store.close().await,
            AnyStore::Postgres(store) => store.close().await,
        }
    }
}

/// Passes one call to whichever backend this is.
macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($store) => $call.await,
            AnyStore::Postgres($store) => $call.await,
        }
    };
}

impl Store for AnyStore {
    async fn add_nation(&self, actor: &Actor, code: NationCode, name: &str) -> Result<()> {
        delegate!(self, s => s.add_nation(actor, code, name))
    }
    async fn list_nations(&self) -> Result<Vec<Nation>> {
        delegate!(self, s => s.list_nations())
    }
    async fn export_limit(&self, nation: NationCode) -> Result<i64> {
        delegate!(self, s => s.export_limit(nation))
    }
    async fn set_export_limit(&self, actor: &Actor, nation: NationCode, limit: i64) -> Result<()> {
        delegate!(self, s => s.set_export_limit(actor, nation, limit))
    }
    async fn add_organisation(
        &self,
        actor: &Actor,
        nation: NationCode,
        name: &str,
        kind: OrganisationKind,
    ) -> Result<Organisation> {
        delegate!(self, s => s.add_organisation(actor, nation, name, kind))
    }
    async fn list_organisations(&self, nation: Option<NationCode>) -> Result<Vec<Organisation>> {
        delegate!(self, s => s.list_organisations(nation))
    }
    async fn add_person(
        &self,
        actor: &Actor,
        nation: NationCode,
        person: Person,
    ) -> Result<PersonRecord> {
        delegate!(self, s => s.add_person(actor, nation, person))
    }
    async fn update_person(
        &self,
        actor: &Actor,
        id: PersonId,
        person: Person,
        expected_version: Option<i64>,
    ) -> Result<PersonRecord> {
        delegate!(self, s => s.update_person(actor, id, person, expected_version))
    }
    async fn get_person(&self, id: PersonId) -> Result<Option<PersonRecord>> {
        delegate!(self, s => s.get_person(id))
    }
    async fn search_persons(&self, query: &PersonQuery) -> Result<Vec<PersonRecord>> {
        delegate!(self, s => s.search_persons(query))
    }
    async fn name_candidates(
        &self,
        nation: Option<NationCode>,
        text: &str,
        limit: u32,
    ) -> Result<Vec<NameCandidate>> {
        delegate!(self, s => s.name_candidates(nation, text, limit))
    }
    async fn get_persons(&self, ids: &[PersonId]) -> Result<Vec<PersonRecord>> {
        delegate!(self, s => s.get_persons(ids))
    }
    async fn person_sources(&self, id: PersonId) -> Result<Vec<PersonSource>> {
        delegate!(self, s => s.person_sources(id))
    }
    async fn add_cases(&self, actor: &Actor, cases: Vec<NewCase>) -> Result<Vec<CaseId>> {
        delegate!(self, s => s.add_cases(actor, cases))
    }
    async fn add_case_member(
        &self,
        actor: &Actor,
        case: CaseId,
        person: PersonId,
        relation: Relation,
    ) -> Result<CaseRecord> {
        delegate!(self, s => s.add_case_member(actor, case, person, relation))
    }
    async fn get_case(&self, id: CaseId) -> Result<Option<CaseRecord>> {
        delegate!(self, s => s.get_case(id))
    }
    async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<CaseRecord>> {
        delegate!(self, s => s.list_cases(query))
    }
    async fn set_eligibility(
        &self,
        actor: &Actor,
        case: CaseId,
        eligibility: Eligibility,
        expected_version: Option<i64>,
    ) -> Result<CaseRecord> {
        delegate!(self, s => s.set_eligibility(actor, case, eligibility, expected_version))
    }
    async fn import_stream(
        &self,
        actor: &Actor,
        header: ImportHeader,
        feed: tokio::sync::mpsc::Receiver<ImportFeed>,
    ) -> Result<ImportOutcome> {
        delegate!(self, s => s.import_stream(actor, header, feed))
    }
    async fn list_quarantine(
        &self,
        nation: Option<NationCode>,
        all: bool,
    ) -> Result<Vec<QuarantineEntry>> {
        delegate!(self, s => s.list_quarantine(nation, all))
    }
    async fn set_status(&self, actor: &Actor, change: StatusRequest) -> Result<StatusChange> {
        delegate!(self, s => s.set_status(actor, change))
    }
    async fn set_case_status(
        &self,
        actor: &Actor,
        case: CaseId,
        to: EvacuationStatus,
        reason: Option<String>,
        location: Option<String>,
    ) -> Result<Vec<StatusChange>> {
        delegate!(self, s => s.set_case_status(actor, case, to, reason, location))
    }
    async fn status_history(&self, person: PersonId) -> Result<Vec<StatusChange>> {
        delegate!(self, s => s.status_history(person))
    }
    async fn purge_person(&self, actor: &Actor, id: PersonId, reason: &str) -> Result<()> {
        delegate!(self, s => s.purge_person(actor, id, reason))
    }
    async fn create_token(&self, actor: &Actor, name: &str, access: &Access) -> Result<String> {
        delegate!(self, s => s.create_token(actor, name, access))
    }
    async fn check_api_token(&self, secret: &str) -> Result<Option<TokenOwner>> {
        delegate!(self, s => s.check_api_token(secret))
    }
    async fn add_user(&self, actor: &Actor, user: NewUser) -> Result<UserRecord> {
        delegate!(self, s => s.add_user(actor, user))
    }
    async fn user_credentials(&self, username: &str) -> Result<Option<UserCredentials>> {
        delegate!(self, s => s.user_credentials(username))
    }
    async fn list_users(&self, nation: Option<NationCode>) -> Result<Vec<UserRecord>> {
        delegate!(self, s => s.list_users(nation))
    }
    async fn count_users(&self) -> Result<i64> {
        delegate!(self, s => s.count_users())
    }
    async fn set_user_disabled(
        &self,
        actor: &Actor,
        username: &str,
        disabled: bool,
    ) -> Result<UserRecord> {
        delegate!(self, s => s.set_user_disabled(actor, username, disabled))
    }
    async fn unlock_user(&self, actor: &Actor, username: &str) -> Result<UserRecord> {
        delegate!(self, s => s.unlock_user(actor, username))
    }
    async fn set_user_totp(
        &self,
        actor: &Actor,
        username: &str,
        secret: Option<String>,
    ) -> Result<UserRecord> {
        delegate!(self, s => s.set_user_totp(actor, username, secret))
    }
    async fn login_failed(
        &self,
        attempt: LoginAttempt<'_>,
        policy: LockoutPolicy,
    ) -> Result<FailedLogin> {
        delegate!(self, s => s.login_failed(attempt, policy))
    }
    async fn claim_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        delegate!(self, s => s.claim_totp_step(user_id, step))
    }
    async fn start_session(
        &self,
        username: &str,
        session: NewSession,
        replaces: Option<&str>,
        address: Option<&str>,
    ) -> Result<()> {
        delegate!(self, s => s.start_session(username, session, replaces, address))
    }
    async fn session(
        &self,
        id_hash: &str,
        now: i64,
        idle_seconds: i64,
    ) -> Result<Option<SessionRecord>> {
        delegate!(self, s => s.session(id_hash, now, idle_seconds))
    }
    async fn end_session(&self, id_hash: &str) -> Result<()> {
        delegate!(self, s => s.end_session(id_hash))
    }
    async fn create_setup_token(&self, token_hash: &str, expires_at: i64) -> Result<bool> {
        delegate!(self, s => s.create_setup_token(token_hash, expires_at))
    }
    async fn add_first_user(
        &self,
        token_hash: &str,
        now: i64,
        user: NewUser,
    ) -> Result<UserRecord> {
        delegate!(self, s => s.add_first_user(token_hash, now, user))
    }
    async fn record_event(
        &self,
        actor: &Actor,
        nation: Option<NationCode>,
        action: &str,
        subject: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        delegate!(self, s => s.record_event(actor, nation, action, subject, details))
    }
    async fn store_list(&self, actor: &Actor, list: NewList) -> Result<(StoredList, bool)> {
        delegate!(self, s => s.store_list(actor, list))
    }
    async fn latest_lists(&self) -> Result<Vec<(StoredList, String)>> {
        delegate!(self, s => s.latest_lists())
    }
    async fn record_hits(&self, actor: &Actor, hits: Vec<NewHit>) -> Result<usize> {
        delegate!(self, s => s.record_hits(actor, hits))
    }
    async fn list_hits(
        &self,
        status: Option<String>,
        nation: Option<NationCode>,
    ) -> Result<Vec<HitRecord>> {
        delegate!(self, s => s.list_hits(status, nation))
    }
    async fn decide_hit(
        &self,
        actor: &Actor,
        hit: i64,
        decision: HitDecision,
        reason: Option<String>,
    ) -> Result<HitRecord> {
        delegate!(self, s => s.decide_hit(actor, hit, decision, reason))
    }
    async fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        delegate!(self, s => s.audit_list(filter))
    }
    async fn audit_verify(&self) -> Result<AuditVerification> {
        delegate!(self, s => s.audit_verify())
    }
    async fn call_forward(
        &self,
        actor: &Actor,
        request: CallForwardRequest,
    ) -> Result<CallForwardResult> {
        delegate!(self, s => s.call_forward(actor, request))
    }
    async fn revoke_pass(&self, actor: &Actor, pass: i64, reason: &str) -> Result<PassRecord> {
        delegate!(self, s => s.revoke_pass(actor, pass, reason))
    }
    async fn pass_by_hash(&self, code_hash: &str) -> Result<Option<PassRecord>> {
        delegate!(self, s => s.pass_by_hash(code_hash))
    }
    async fn case_passes(&self, case: CaseId) -> Result<Vec<PassRecord>> {
        delegate!(self, s => s.case_passes(case))
    }
    async fn check_in(&self, actor: &Actor, check_in: CheckIn) -> Result<CheckInOutcome> {
        delegate!(self, s => s.check_in(actor, check_in))
    }
    async fn check_in_batch(
        &self,
        items: Vec<(Actor, CheckIn)>,
    ) -> Result<Vec<Result<CheckInOutcome>>> {
        delegate!(self, s => s.check_in_batch(items))
    }
    async fn gate_expected(
        &self,
        gate: &str,
        nation: Option<NationCode>,
    ) -> Result<Vec<ExpectedCase>> {
        delegate!(self, s => s.gate_expected(gate, nation))
    }
    async fn gate_flags(
        &self,
        nation: Option<NationCode>,
        open_only: bool,
    ) -> Result<Vec<GateFlagRecord>> {
        delegate!(self, s => s.gate_flags(nation, open_only))
    }
    async fn clear_gate_flag(&self, actor: &Actor, id: i64, note: &str) -> Result<GateFlagRecord> {
        delegate!(self, s => s.clear_gate_flag(actor, id, note))
    }
    async fn mark_no_shows(&self, actor: &Actor, now: &str) -> Result<usize> {
        delegate!(self, s => s.mark_no_shows(actor, now))
    }
    async fn outbox_queued(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        delegate!(self, s => s.outbox_queued(limit))
    }
    async fn outbox_result(
        &self,
        actor: &Actor,
        id: i64,
        result: std::result::Result<(), String>,
    ) -> Result<OutboxMessage> {
        delegate!(self, s => s.outbox_result(actor, id, result))
    }
    async fn live_counts(&self, nation: Option<NationCode>) -> Result<Vec<LiveCount>> {
        delegate!(self, s => s.live_counts(nation))
    }
    async fn day_counts(&self, nation: Option<NationCode>) -> Result<Vec<DayCount>> {
        delegate!(self, s => s.day_counts(nation))
    }
    async fn flight_counts(&self, nation: Option<NationCode>) -> Result<Vec<FlightCount>> {
        delegate!(self, s => s.flight_counts(nation))
    }
    async fn totals(&self) -> Result<Vec<StatusTotal>> {
        delegate!(self, s => s.totals())
    }
    async fn enqueue_job(
        &self,
        actor: &Actor,
        kind: &str,
        payload: serde_json::Value,
    ) -> Result<i64> {
        delegate!(self, s => s.enqueue_job(actor, kind, payload))
    }
    async fn claim_job(
        &self,
        worker: &str,
        lease: std::time::Duration,
    ) -> Result<Option<JobClaim>> {
        delegate!(self, s => s.claim_job(worker, lease))
    }
    async fn finish_job(&self, actor: &Actor, claim: &JobClaim, outcome: JobOutcome) -> Result<()> {
        delegate!(self, s => s.finish_job(actor, claim, outcome))
    }
    async fn list_jobs(&self, state: Option<JobState>) -> Result<Vec<JobRecord>> {
        delegate!(self, s => s.list_jobs(state))
    }
}
