//! The SQLite backend: one file, WAL journal, foreign keys on, migrations compiled into the
//! binary. Writes take the database's write lock at `BEGIN IMMEDIATE`, so two writers never
//! deadlock on a lock upgrade and the audit chain is extended by one writer at a time.

use crate::audit::{self, AuditEvent, AuditFilter, AuditVerification, ChainedFields, GENESIS};
use crate::records::*;
use crate::{Result, Store, StoreError, check_organisation_nation};
use airbridge_domain::{
    Case, CaseId, CaseMember, Eligibility, EvacuationStatus, Nation, NationCode, Organisation,
    OrganisationId, OrganisationKind, Person, PersonId, Relation,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};
use std::path::Path;
use std::time::Duration;

/// The schema's migrations, in order, compiled into the binary. A migration is never edited
/// once released; a change to the schema is a new file.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "registry",
        include_str!("../migrations/sqlite/0001_registry.sql"),
    ),
    (
        2,
        "imports",
        include_str!("../migrations/sqlite/0002_imports.sql"),
    ),
    (
        3,
        "nation_settings",
        include_str!("../migrations/sqlite/0003_nation_settings.sql"),
    ),
    (
        4,
        "screening",
        include_str!("../migrations/sqlite/0004_screening.sql"),
    ),
    (
        5,
        "import_extra",
        include_str!("../migrations/sqlite/0005_import_extra.sql"),
    ),
];

/// Applies the migrations the database has not seen, all in one write transaction, so two
/// processes opening a new file at once cannot both try to create the schema.
async fn migrate(pool: &SqlitePool) -> Result<()> {
    // The common case, a database already up to date, must not take the write lock: readers
    // open the file while a long import writes to it.
    let current: Option<i64> = sqlx::query_scalar(
        "SELECT max(version) FROM schema_migrations \
         WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations')",
    )
    .fetch_optional(pool)
    .await
    .ok()
    .flatten();
    if current == Some(MIGRATIONS.len() as i64) {
        return Ok(());
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (\
         version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT",
    )
    .execute(&mut *tx)
    .await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *tx)
        .await?;
    if let Some(newest) = applied.iter().max()
        && *newest > MIGRATIONS.len() as i64
    {
        return Err(StoreError::Corrupt(format!(
            "the database has schema version {newest}, newer than this airbridge knows; \
             use a newer airbridge"
        )));
    }
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
            .bind(version)
            .bind(name)
            .bind(now())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The embedded SQLite store.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

/// Whether opening may create a new database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file when it does not exist, then bring its schema up to date.
    CreateIfMissing,
    /// Refuse a missing file: commands other than `init` and `demo` should not scatter empty
    /// databases on a typo.
    MustExist,
}

/// The time now, as the store records it (RFC 3339, UTC).
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn parse_nation(text: &str) -> Result<NationCode> {
    NationCode::parse(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_status(text: &str) -> Result<EvacuationStatus> {
    EvacuationStatus::parse(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_relation(text: Option<String>) -> Result<Option<Relation>> {
    text.map(|t| Relation::parse(&t).ok_or_else(|| StoreError::Corrupt(format!("relation {t}"))))
        .transpose()
}

/// The Gregorian interval of a person's birth date, as days since 1970-01-01, for the indexed
/// columns.
fn birth_days(person: &Person) -> (Option<i64>, Option<i64>) {
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
fn search_text(person: &Person) -> String {
    let mut text = person.name.searchable().to_lowercase();
    if let Some(placeholder) = &person.name.placeholder {
        text.push(' ');
        text.push_str(&placeholder.to_lowercase());
    }
    text
}

const PERSON_COLUMNS: &str =
    "id, nation, case_id, relation, status, details, version, created_at, updated_at";

fn person_from_row(row: &SqliteRow) -> Result<PersonRecord> {
    let details: String = row.try_get("details")?;
    Ok(PersonRecord {
        id: PersonId(row.try_get("id")?),
        nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
        case: row.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        relation: parse_relation(row.try_get("relation")?)?,
        status: parse_status(&row.try_get::<String, _>("status")?)?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        person: from_json(&details, "person details")?,
    })
}

/// The part of a person a status change needs.
#[derive(Clone, Copy)]
struct Moving {
    id: PersonId,
    nation: NationCode,
    status: EvacuationStatus,
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

/// A write transaction that knows the head of the audit chain.
///
/// New rows (people, cases, documents, status changes, import rows, audit events) are buffered
/// and written with multi-row statements: one statement per table and thousand rows instead of
/// one per row is what lets a million-person list go in at a usable speed. Ids are given here,
/// under the write lock that `BEGIN IMMEDIATE` holds. Everything pending is written before any
/// read inside the transaction and before the commit, so callers see the same thing as before.
struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    last_seq: i64,
    last_hash: String,
    at: String,
    pending: Pending,
}

#[derive(Default)]
struct Pending {
    cases: Vec<CaseRow>,
    persons: Vec<PersonRow>,
    documents: Vec<(i64, &'static str, String, Option<String>)>,
    status_changes: Vec<StatusRow>,
    import_rows: Vec<ImportRow>,
    audits: Vec<AuditRow>,
    next_person: Option<i64>,
    next_case: Option<i64>,
    next_status_change: Option<i64>,
}

/// The tables whose ids a write transaction gives itself.
#[derive(Clone, Copy)]
enum IdTable {
    Persons,
    Cases,
    StatusChanges,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            IdTable::Persons => "persons",
            IdTable::Cases => "cases",
            IdTable::StatusChanges => "status_changes",
        }
    }
}

impl Pending {
    /// The next id to give in `table`, once known (forgotten at every flush).
    fn counter(&mut self, table: IdTable) -> &mut Option<i64> {
        match table {
            IdTable::Persons => &mut self.next_person,
            IdTable::Cases => &mut self.next_case,
            IdTable::StatusChanges => &mut self.next_status_change,
        }
    }

    fn rows(&self) -> usize {
        self.cases.len()
            + self.persons.len()
            + self.documents.len()
            + self.status_changes.len()
            + self.import_rows.len()
            + self.audits.len()
    }
}

struct CaseRow {
    id: i64,
    nation: NationCode,
    organisation: Option<i64>,
    reference: Option<String>,
    eligibility: String,
}

struct PersonRow {
    id: i64,
    nation: NationCode,
    case: Option<(i64, Relation)>,
    status: EvacuationStatus,
    display_name: String,
    search_name: String,
    birth: (Option<i64>, Option<i64>),
    details: String,
    version: i64,
}

struct StatusRow {
    id: i64,
    person: i64,
    from: EvacuationStatus,
    to: EvacuationStatus,
    actor: String,
    location: Option<String>,
    reason: Option<String>,
}

struct ImportRow {
    nation: NationCode,
    source: String,
    row_key: String,
    fingerprint: String,
    person: i64,
    extra: String,
}

struct AuditRow {
    seq: i64,
    actor: String,
    nation: Option<String>,
    action: String,
    entity_type: String,
    entity_id: String,
    before: Option<String>,
    after: Option<String>,
    payload_hash: String,
    prev_hash: String,
    hash: String,
}

/// Rows per multi-row statement: well under SQLite's 32,766 bound variables.
const ROWS_PER_STATEMENT: usize = 1_000;

/// Pending rows above which a case insertion writes them out, to bound memory.
const FLUSH_AT: usize = 20_000;

/// One audit event to append.
struct Audit<'a> {
    nation: Option<&'a str>,
    action: &'a str,
    entity_type: &'a str,
    entity_id: String,
    before: Option<String>,
    after: Option<String>,
}

impl WriteTx {
    async fn begin(pool: &SqlitePool) -> Result<WriteTx> {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let head = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (last_seq, last_hash) = match head {
            Some(row) => (row.try_get("seq")?, row.try_get("hash")?),
            None => (0, GENESIS.to_owned()),
        };
        Ok(WriteTx {
            tx,
            last_seq,
            last_hash,
            at: now(),
            pending: Pending::default(),
        })
    }

    async fn audit(&mut self, actor: &Actor, event: Audit<'_>) -> Result<()> {
        let seq = self.last_seq + 1;
        let payload_hash = audit::payload_hash(event.before.as_deref(), event.after.as_deref());
        let hash = audit::chain_hash(
            &self.last_hash,
            &ChainedFields {
                seq,
                at: &self.at,
                actor: &actor.name,
                nation: event.nation,
                action: event.action,
                entity_type: event.entity_type,
                entity_id: &event.entity_id,
                payload_hash: &payload_hash,
            },
        );
        self.pending.audits.push(AuditRow {
            seq,
            actor: actor.name.clone(),
            nation: event.nation.map(str::to_owned),
            action: event.action.to_owned(),
            entity_type: event.entity_type.to_owned(),
            entity_id: event.entity_id,
            before: event.before,
            after: event.after,
            payload_hash,
            prev_hash: self.last_hash.clone(),
            hash: hash.clone(),
        });
        self.last_seq = seq;
        self.last_hash = hash;
        Ok(())
    }

    async fn commit(mut self) -> Result<()> {
        self.flush().await?;
        self.tx.commit().await?;
        Ok(())
    }

    /// The next free id of a table, counted from what is stored and what is pending.
    async fn next_id(&mut self, table: IdTable) -> Result<i64> {
        let id = match *self.pending.counter(table) {
            Some(id) => id,
            None => {
                let max: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT coalesce(max(id), 0) FROM {}",
                    table.name()
                )))
                .fetch_one(&mut *self.tx)
                .await?;
                max + 1
            }
        };
        *self.pending.counter(table) = Some(id + 1);
        Ok(id)
    }

    /// Writes every pending row, parents before children (foreign keys are checked at once).
    async fn flush(&mut self) -> Result<()> {
        if self.pending.rows() == 0 {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let at = self.at.clone();
        for chunk in pending.cases.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Sqlite>::new(
                "INSERT INTO cases (id, nation, organisation, reference, eligibility, version, created_at, updated_at) ",
            )
            .push_values(chunk, |mut row, case| {
                row.push_bind(case.id)
                    .push_bind(case.nation.as_str().to_owned())
                    .push_bind(case.organisation)
                    .push_bind(case.reference.clone())
                    .push_bind(case.eligibility.clone())
                    .push_bind(1i64)
                    .push_bind(at.clone())
                    .push_bind(at.clone());
            })
            .build()
            .execute(&mut *self.tx)
            .await?;
        }
        for chunk in pending.persons.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Sqlite>::new(
                "INSERT INTO persons (id, nation, case_id, relation, status, display_name, search_name, \
                 birth_first, birth_last, details, version, created_at, updated_at) ",
            )
            .push_values(chunk, |mut row, person| {
                row.push_bind(person.id)
                    .push_bind(person.nation.as_str().to_owned())
                    .push_bind(person.case.map(|(c, _)| c))
                    .push_bind(person.case.map(|(_, r)| r.as_str()))
                    .push_bind(person.status.as_str())
                    .push_bind(person.display_name.clone())
                    .push_bind(person.search_name.clone())
                    .push_bind(person.birth.0)
                    .push_bind(person.birth.1)
                    .push_bind(person.details.clone())
                    .push_bind(person.version)
                    .push_bind(at.clone())
                    .push_bind(at.clone());
            })
            .build()
            .execute(&mut *self.tx)
            .await?;
        }
        for chunk in pending.documents.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Sqlite>::new("INSERT INTO documents (person_id, kind, number, issuer) ")
                .push_values(chunk, |mut row, (person, kind, number, issuer)| {
                    row.push_bind(*person)
                        .push_bind(*kind)
                        .push_bind(number.clone())
                        .push_bind(issuer.clone());
                })
                .build()
                .execute(&mut *self.tx)
                .await?;
        }
        for chunk in pending.status_changes.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Sqlite>::new(
                "INSERT INTO status_changes (id, person_id, from_status, to_status, actor, at, location, reason) ",
            )
            .push_values(chunk, |mut row, change| {
                row.push_bind(change.id)
                    .push_bind(change.person)
                    .push_bind(change.from.as_str())
                    .push_bind(change.to.as_str())
                    .push_bind(change.actor.clone())
                    .push_bind(at.clone())
                    .push_bind(change.location.clone())
                    .push_bind(change.reason.clone());
            })
            .build()
            .execute(&mut *self.tx)
            .await?;
        }
        for chunk in pending.import_rows.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Sqlite>::new(
                "INSERT INTO import_rows (nation, source, row_key, fingerprint, person_id, imported_at, extra) ",
            )
            .push_values(chunk, |mut row, import| {
                row.push_bind(import.nation.as_str().to_owned())
                    .push_bind(import.source.clone())
                    .push_bind(import.row_key.clone())
                    .push_bind(import.fingerprint.clone())
                    .push_bind(import.person)
                    .push_bind(at.clone())
                    .push_bind(import.extra.clone());
            })
            .build()
            .execute(&mut *self.tx)
            .await?;
        }
        for chunk in pending.audits.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Sqlite>::new(
                "INSERT INTO audit_events (seq, at, actor, nation, action, entity_type, entity_id, \
                 before, after, payload_hash, prev_hash, hash) ",
            )
            .push_values(chunk, |mut row, event| {
                row.push_bind(event.seq)
                    .push_bind(at.clone())
                    .push_bind(event.actor.clone())
                    .push_bind(event.nation.clone())
                    .push_bind(event.action.clone())
                    .push_bind(event.entity_type.clone())
                    .push_bind(event.entity_id.clone())
                    .push_bind(event.before.clone())
                    .push_bind(event.after.clone())
                    .push_bind(event.payload_hash.clone())
                    .push_bind(event.prev_hash.clone())
                    .push_bind(event.hash.clone());
            })
            .build()
            .execute(&mut *self.tx)
            .await?;
        }
        // Ids given from here on are counted afresh from the table.
        Ok(())
    }

    async fn person(&mut self, id: PersonId) -> Result<PersonRecord> {
        self.flush().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE id = ?"
        )))
        .bind(id.0)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "person",
            id: id.to_string(),
        })?;
        person_from_row(&row)
    }

    async fn organisation(&mut self, id: OrganisationId) -> Result<Organisation> {
        let row = sqlx::query("SELECT id, nation, name, kind FROM organisations WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "organisation",
                id: id.to_string(),
            })?;
        organisation_from_row(&row)
    }

    async fn require_nation(&mut self, nation: NationCode) -> Result<()> {
        let found = sqlx::query("SELECT 1 FROM nations WHERE code = ?")
            .bind(nation.as_str())
            .fetch_optional(&mut *self.tx)
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound {
                entity: "nation",
                id: format!("{nation} (add it with `airbridge nation add {nation} NAME`)"),
            });
        }
        Ok(())
    }

    /// Inserts a person and their documents; returns the new id.
    async fn insert_person(
        &mut self,
        nation: NationCode,
        case: Option<(CaseId, Relation)>,
        person: &Person,
        details: &str,
    ) -> Result<PersonId> {
        let id = self.next_id(IdTable::Persons).await?;
        self.pending.persons.push(PersonRow {
            id,
            nation,
            case: case.map(|(c, r)| (c.0, r)),
            status: EvacuationStatus::Registered,
            display_name: person.name.display(),
            search_name: search_text(person),
            birth: birth_days(person),
            details: details.to_owned(),
            version: 1,
        });
        self.insert_documents(PersonId(id), person).await?;
        Ok(PersonId(id))
    }

    /// Registers a validated person (on their own or in a case) with their `person.add` event.
    async fn register_person(
        &mut self,
        actor: &Actor,
        nation: NationCode,
        case: Option<(CaseId, Relation)>,
        person: &Person,
    ) -> Result<PersonId> {
        let details = to_json(person)?;
        let id = self.insert_person(nation, case, person, &details).await?;
        self.audit(
            actor,
            Audit {
                nation: Some(nation.as_str()),
                action: "person.add",
                entity_type: "person",
                entity_id: id.to_string(),
                before: None,
                after: Some(details),
            },
        )
        .await?;
        Ok(id)
    }

    /// Inserts a case with its members, their audit events and any status steps. The caller
    /// has checked the nation, the organisation and that there is one principal.
    async fn insert_case(
        &mut self,
        actor: &Actor,
        case: NewCase,
    ) -> Result<(CaseId, Vec<PersonId>)> {
        let case_id = self.next_id(IdTable::Cases).await?;
        self.pending.cases.push(CaseRow {
            id: case_id,
            nation: case.nation,
            organisation: case.organisation.map(|o| o.0),
            reference: case.reference.clone(),
            eligibility: to_json(&case.eligibility)?,
        });
        let case_id = CaseId(case_id);
        let mut members: Vec<CaseMember> = Vec::with_capacity(case.members.len());
        for member in case.members {
            let person = member.person.validated().map_err(|e| {
                StoreError::Invalid(format!(
                    "case {}: {e}",
                    case.reference.as_deref().unwrap_or("(no reference)")
                ))
            })?;
            let id = self
                .register_person(
                    actor,
                    case.nation,
                    Some((case_id, member.relation)),
                    &person,
                )
                .await?;
            members.push(CaseMember {
                person: id,
                relation: member.relation,
            });
        }
        let summary = serde_json::json!({
            "nation": case.nation,
            "organisation": case.organisation,
            "reference": case.reference,
            "eligibility": case.eligibility,
            "members": members,
        });
        self.audit(
            actor,
            Audit {
                nation: Some(case.nation.as_str()),
                action: "case.add",
                entity_type: "case",
                entity_id: case_id.to_string(),
                before: None,
                after: Some(to_json(&summary)?),
            },
        )
        .await?;
        // Status steps the case arrives with, through the same transition table; the new rows
        // are still pending, so their status is set there rather than updated afterwards.
        let first_member = self.pending.persons.len() - members.len();
        let mut statuses = vec![EvacuationStatus::Registered; members.len()];
        for step in &case.progress {
            for (index, member) in members.iter().enumerate() {
                let from = statuses[index];
                from.check_transition(step.to, step.reason.as_deref())?;
                let change_id = self.next_id(IdTable::StatusChanges).await?;
                let change = StatusChange {
                    id: change_id,
                    person: member.person,
                    from,
                    to: step.to,
                    actor: actor.name.clone(),
                    at: self.at.clone(),
                    location: step.location.clone(),
                    reason: step.reason.clone(),
                };
                self.pending.status_changes.push(StatusRow {
                    id: change_id,
                    person: member.person.0,
                    from,
                    to: step.to,
                    actor: actor.name.clone(),
                    location: step.location.clone(),
                    reason: step.reason.clone(),
                });
                self.audit(
                    actor,
                    Audit {
                        nation: Some(case.nation.as_str()),
                        action: "person.status",
                        entity_type: "person",
                        entity_id: member.person.to_string(),
                        before: Some(to_json(&serde_json::json!({ "status": from }))?),
                        after: Some(to_json(&change)?),
                    },
                )
                .await?;
                statuses[index] = step.to;
                let row = &mut self.pending.persons[first_member + index];
                row.status = step.to;
                row.version += 1;
            }
        }
        if self.pending.rows() > FLUSH_AT {
            self.flush().await?;
        }
        let ids = members.iter().map(|m| m.person).collect();
        Ok((case_id, ids))
    }

    /// Records which person an imported row became, with the cells no field took.
    async fn remember_import_row(
        &mut self,
        nation: NationCode,
        source: &str,
        member: &ImportMember,
        id: PersonId,
    ) -> Result<()> {
        self.pending.import_rows.push(ImportRow {
            nation,
            source: source.to_owned(),
            row_key: member.row_key.clone(),
            fingerprint: member.fingerprint.clone(),
            person: id.0,
            extra: to_json(&member.extra)?,
        });
        Ok(())
    }

    /// Rewrites a person's details and the indexes derived from them.
    async fn rewrite_person(&mut self, id: PersonId, person: &Person, details: &str) -> Result<()> {
        self.flush().await?;
        let (birth_first, birth_last) = birth_days(person);
        sqlx::query(
            "UPDATE persons SET display_name = ?, search_name = ?, birth_first = ?, birth_last = ?, \
             details = ?, version = version + 1, updated_at = ? WHERE id = ?",
        )
        .bind(person.name.display())
        .bind(search_text(person))
        .bind(birth_first)
        .bind(birth_last)
        .bind(details)
        .bind(&self.at)
        .bind(id.0)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM documents WHERE person_id = ?")
            .bind(id.0)
            .execute(&mut *self.tx)
            .await?;
        self.insert_documents(id, person).await
    }

    async fn insert_documents(&mut self, id: PersonId, person: &Person) -> Result<()> {
        for document in &person.documents {
            self.pending.documents.push((
                id.0,
                document.kind.as_str(),
                document.number().to_owned(),
                document.issuing_country.map(|c| c.to_string()),
            ));
        }
        Ok(())
    }

    async fn case_row(&mut self, id: CaseId) -> Result<(Case, Eligibility, i64, String)> {
        self.flush().await?;
        let row = sqlx::query(
            "SELECT id, nation, organisation, reference, eligibility, version, created_at \
             FROM cases WHERE id = ?",
        )
        .bind(id.0)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "case",
            id: id.to_string(),
        })?;
        let members = sqlx::query(
            "SELECT id, relation FROM persons WHERE case_id = ? ORDER BY relation != 'principal', id",
        )
        .bind(id.0)
        .fetch_all(&mut *self.tx)
        .await?;
        case_from_rows(&row, &members)
    }

    /// Applies one status change inside this transaction, with its history row and audit.
    async fn change_status(
        &mut self,
        actor: &Actor,
        record: Moving,
        to: EvacuationStatus,
        reason: Option<&str>,
        location: Option<&str>,
    ) -> Result<StatusChange> {
        record.status.check_transition(to, reason)?;
        self.flush().await?;
        if matches!(
            to,
            EvacuationStatus::Manifested | EvacuationStatus::Boarded | EvacuationStatus::Departed
        ) {
            let confirmed: Option<String> = sqlx::query_scalar(
                "SELECT entry_ref FROM screening_hits WHERE person_id = ? AND status = 'confirmed' LIMIT 1",
            )
            .bind(record.id.0)
            .fetch_optional(&mut *self.tx)
            .await?;
            if let Some(entry) = confirmed {
                return Err(StoreError::Invalid(format!(
                    "{} is a confirmed sanctions match ({entry}): blocked from every manifest",
                    record.id
                )));
            }
        }
        sqlx::query(
            "UPDATE persons SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
        )
        .bind(to.as_str())
        .bind(&self.at)
        .bind(record.id.0)
        .execute(&mut *self.tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO status_changes (person_id, from_status, to_status, actor, at, location, reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(record.id.0)
        .bind(record.status.as_str())
        .bind(to.as_str())
        .bind(&actor.name)
        .bind(&self.at)
        .bind(location)
        .bind(reason)
        .fetch_one(&mut *self.tx)
        .await?;
        let change = StatusChange {
            id,
            person: record.id,
            from: record.status,
            to,
            actor: actor.name.clone(),
            at: self.at.clone(),
            location: location.map(str::to_owned),
            reason: reason.map(str::to_owned),
        };
        self.audit(
            actor,
            Audit {
                nation: Some(record.nation.as_str()),
                action: "person.status",
                entity_type: "person",
                entity_id: record.id.to_string(),
                before: Some(to_json(&serde_json::json!({ "status": record.status }))?),
                after: Some(to_json(&change)?),
            },
        )
        .await?;
        Ok(change)
    }
}

fn stored_list(row: &SqliteRow) -> Result<StoredList> {
    Ok(StoredList {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        version_date: row.try_get("version_date")?,
        sha256: row.try_get("sha256")?,
        entries: row.try_get("entries")?,
        loaded_at: row.try_get("loaded_at")?,
    })
}

fn hit_from_row(row: &SqliteRow) -> Result<HitRecord> {
    Ok(HitRecord {
        id: row.try_get("id")?,
        person: PersonId(row.try_get("person_id")?),
        nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
        person_name: row.try_get("display_name")?,
        list_id: row.try_get("list_id")?,
        entry_ref: row.try_get("entry_ref")?,
        listed_name: row.try_get("listed_name")?,
        score: row.try_get("score")?,
        explanation: from_json(&row.try_get::<String, _>("explanation")?, "hit explanation")?,
        status: row.try_get("status")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
    })
}

fn organisation_from_row(row: &SqliteRow) -> Result<Organisation> {
    let kind: String = row.try_get("kind")?;
    Ok(Organisation {
        id: OrganisationId(row.try_get("id")?),
        nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
        name: row.try_get("name")?,
        kind: OrganisationKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("organisation kind {kind}")))?,
    })
}

fn case_from_rows(
    row: &SqliteRow,
    members: &[SqliteRow],
) -> Result<(Case, Eligibility, i64, String)> {
    let members = members
        .iter()
        .map(|m| {
            Ok(CaseMember {
                person: PersonId(m.try_get("id")?),
                relation: parse_relation(m.try_get("relation")?)?
                    .ok_or_else(|| StoreError::Corrupt("case member without relation".into()))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let eligibility: String = row.try_get("eligibility")?;
    Ok((
        Case {
            id: CaseId(row.try_get("id")?),
            nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
            organisation: row
                .try_get::<Option<i64>, _>("organisation")?
                .map(OrganisationId),
            reference: row.try_get("reference")?,
            members,
        },
        from_json(&eligibility, "eligibility")?,
        row.try_get("version")?,
        row.try_get("created_at")?,
    ))
}

fn check_version(
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

fn check_new_case(case: &NewCase) -> Result<()> {
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

impl SqliteStore {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub async fn open(path: &Path, mode: OpenMode) -> Result<SqliteStore> {
        let open_error = |reason: String| StoreError::Open {
            path: path.display().to_string(),
            reason,
        };
        if mode == OpenMode::MustExist && !path.exists() {
            return Err(open_error(
                "no such file; create it with `airbridge init` or `airbridge demo`, or pass --db"
                    .to_owned(),
            ));
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(mode == OpenMode::CreateIfMissing)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| open_error(e.to_string()))?;
        migrate(&pool)
            .await
            .map_err(|e| open_error(format!("migrations failed: {e}")))?;
        Ok(SqliteStore { pool })
    }

    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`: empty when the file is sound.
    pub async fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        problems.retain(|p| p != "ok");
        let orphans = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&self.pool)
            .await?;
        for row in orphans {
            let table: String = row.try_get(0)?;
            problems.push(format!("foreign key broken in {table}"));
        }
        // The registry's own invariants: a case always has exactly one principal, and every
        // person has the audit event that registered them.
        let bad_cases: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM persons p \
             WHERE p.case_id = c.id AND p.relation = 'principal') != 1 \
             AND EXISTS (SELECT 1 FROM persons p WHERE p.case_id = c.id)",
        )
        .fetch_one(&self.pool)
        .await?;
        if bad_cases > 0 {
            problems.push(format!("{bad_cases} cases without exactly one principal"));
        }
        let unaudited: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM persons p WHERE NOT EXISTS (SELECT 1 FROM audit_events a \
             WHERE a.entity_type = 'person' AND a.entity_id = 'P' || p.id AND a.action = 'person.add')",
        )
        .fetch_one(&self.pool)
        .await?;
        if unaudited > 0 {
            problems.push(format!(
                "{unaudited} people without their registration audit event"
            ));
        }
        Ok(problems)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Store for SqliteStore {
    async fn add_nation(&self, actor: &Actor, code: NationCode, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a nation needs a name".into()));
        }
        let mut tx = WriteTx::begin(&self.pool).await?;
        let exists = sqlx::query("SELECT 1 FROM nations WHERE code = ?")
            .bind(code.as_str())
            .fetch_optional(&mut *tx.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::AlreadyExists(format!("nation {code}")));
        }
        sqlx::query("INSERT INTO nations (code, name, created_at) VALUES (?, ?, ?)")
            .bind(code.as_str())
            .bind(name)
            .bind(&tx.at)
            .execute(&mut *tx.tx)
            .await?;
        let after = to_json(&Nation {
            code,
            name: name.to_owned(),
        })?;
        tx.audit(
            actor,
            Audit {
                nation: Some(code.as_str()),
                action: "nation.add",
                entity_type: "nation",
                entity_id: code.to_string(),
                before: None,
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn list_nations(&self) -> Result<Vec<Nation>> {
        sqlx::query("SELECT code, name FROM nations ORDER BY code")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(Nation {
                    code: parse_nation(&row.try_get::<String, _>("code")?)?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }

    async fn export_limit(&self, nation: NationCode) -> Result<i64> {
        sqlx::query_scalar("SELECT export_confirm_above FROM nations WHERE code = ?")
            .bind(nation.as_str())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "nation",
                id: nation.to_string(),
            })
    }

    async fn set_export_limit(&self, actor: &Actor, nation: NationCode, limit: i64) -> Result<()> {
        if limit < 0 {
            return Err(StoreError::Invalid(
                "the export confirmation size must be 0 or more".into(),
            ));
        }
        let mut tx = WriteTx::begin(&self.pool).await?;
        let before: Option<i64> =
            sqlx::query_scalar("SELECT export_confirm_above FROM nations WHERE code = ?")
                .bind(nation.as_str())
                .fetch_optional(&mut *tx.tx)
                .await?;
        let Some(before) = before else {
            return Err(StoreError::NotFound {
                entity: "nation",
                id: nation.to_string(),
            });
        };
        sqlx::query("UPDATE nations SET export_confirm_above = ? WHERE code = ?")
            .bind(limit)
            .bind(nation.as_str())
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(nation.as_str()),
                action: "nation.settings",
                entity_type: "nation",
                entity_id: nation.to_string(),
                before: Some(to_json(
                    &serde_json::json!({ "export_confirm_above": before }),
                )?),
                after: Some(to_json(
                    &serde_json::json!({ "export_confirm_above": limit }),
                )?),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn add_organisation(
        &self,
        actor: &Actor,
        nation: NationCode,
        name: &str,
        kind: OrganisationKind,
    ) -> Result<Organisation> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("an organisation needs a name".into()));
        }
        let mut tx = WriteTx::begin(&self.pool).await?;
        tx.require_nation(nation).await?;
        let exists = sqlx::query("SELECT 1 FROM organisations WHERE nation = ? AND name = ?")
            .bind(nation.as_str())
            .bind(name)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::AlreadyExists(format!(
                "organisation '{name}' of {nation}"
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (nation, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(nation.as_str())
        .bind(name)
        .bind(kind.as_str())
        .bind(&tx.at)
        .fetch_one(&mut *tx.tx)
        .await?;
        let organisation = Organisation {
            id: OrganisationId(id),
            nation,
            name: name.to_owned(),
            kind,
        };
        tx.audit(
            actor,
            Audit {
                nation: Some(nation.as_str()),
                action: "organisation.add",
                entity_type: "organisation",
                entity_id: organisation.id.to_string(),
                before: None,
                after: Some(to_json(&organisation)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(organisation)
    }

    async fn list_organisations(&self, nation: Option<NationCode>) -> Result<Vec<Organisation>> {
        sqlx::query(
            "SELECT id, nation, name, kind FROM organisations \
             WHERE (?1 IS NULL OR nation = ?1) ORDER BY nation, id",
        )
        .bind(nation.map(|n| n.to_string()))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(organisation_from_row)
        .collect()
    }

    async fn add_person(
        &self,
        actor: &Actor,
        nation: NationCode,
        person: Person,
    ) -> Result<PersonRecord> {
        let person = person
            .validated()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut tx = WriteTx::begin(&self.pool).await?;
        tx.require_nation(nation).await?;
        let id = tx.register_person(actor, nation, None, &person).await?;
        let record = tx.person(id).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn update_person(
        &self,
        actor: &Actor,
        id: PersonId,
        person: Person,
        expected_version: Option<i64>,
    ) -> Result<PersonRecord> {
        let person = person
            .validated()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let details = to_json(&person)?;
        let mut tx = WriteTx::begin(&self.pool).await?;
        let old = tx.person(id).await?;
        check_version("person", id.to_string(), expected_version, old.version)?;
        tx.rewrite_person(id, &person, &details).await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(old.nation.as_str()),
                action: "person.update",
                entity_type: "person",
                entity_id: id.to_string(),
                before: Some(to_json(&old.person)?),
                after: Some(details),
            },
        )
        .await?;
        let record = tx.person(id).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn get_person(&self, id: PersonId) -> Result<Option<PersonRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE id = ?"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(person_from_row)
        .transpose()
    }

    async fn search_persons(&self, query: &PersonQuery) -> Result<Vec<PersonRecord>> {
        let mut sql: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("SELECT {PERSON_COLUMNS} FROM persons WHERE 1 = 1"));
        if let Some(nation) = query.nation {
            sql.push(" AND nation = ").push_bind(nation.to_string());
        }
        if let Some(status) = query.status {
            sql.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(case) = query.case {
            sql.push(" AND case_id = ").push_bind(case.0);
        }
        if let Some(after) = query.after {
            sql.push(" AND id > ").push_bind(after.0);
        }
        if let Some(text) = &query.text {
            for word in text.to_lowercase().split_whitespace() {
                let escaped = word
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                sql.push(" AND search_name LIKE ")
                    .push_bind(format!("%{escaped}%"))
                    .push(" ESCAPE '\\'");
            }
        }
        sql.push(" ORDER BY id LIMIT ")
            .push_bind(page_limit(query.limit));
        sql.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(person_from_row)
            .collect()
    }

    async fn add_cases(&self, actor: &Actor, cases: Vec<NewCase>) -> Result<Vec<CaseId>> {
        for case in &cases {
            check_new_case(case)?;
        }
        let mut tx = WriteTx::begin(&self.pool).await?;
        let mut known_nations: Vec<NationCode> = Vec::new();
        let mut known_organisations: Vec<Organisation> = Vec::new();
        let mut ids = Vec::with_capacity(cases.len());
        for case in cases {
            if !known_nations.contains(&case.nation) {
                tx.require_nation(case.nation).await?;
                known_nations.push(case.nation);
            }
            if let Some(org) = case.organisation {
                let organisation = match known_organisations.iter().find(|o| o.id == org) {
                    Some(o) => o.clone(),
                    None => {
                        let o = tx.organisation(org).await?;
                        known_organisations.push(o.clone());
                        o
                    }
                };
                check_organisation_nation(&organisation, case.nation)?;
            }
            let (case_id, _) = tx.insert_case(actor, case).await?;
            ids.push(case_id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn person_sources(&self, id: PersonId) -> Result<Vec<PersonSource>> {
        sqlx::query(
            "SELECT source, row_key, imported_at, extra FROM import_rows WHERE person_id = ? ORDER BY imported_at",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(PersonSource {
                source: row.try_get("source")?,
                row_key: row.try_get("row_key")?,
                imported_at: row.try_get("imported_at")?,
                extra: from_json(&row.try_get::<String, _>("extra")?, "imported row's extra cells")?,
            })
        })
        .collect()
    }

    async fn add_case_member(
        &self,
        actor: &Actor,
        case: CaseId,
        person: PersonId,
        relation: Relation,
    ) -> Result<CaseRecord> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        let (existing, _, _, _) = tx.case_row(case).await?;
        let record = tx.person(person).await?;
        if let Some(other) = record.case {
            return Err(StoreError::Invalid(format!(
                "{person} is already in case {other}; a person belongs to one case"
            )));
        }
        if record.nation != existing.nation {
            return Err(StoreError::Invalid(format!(
                "{person} is registered with {}, case {case} with {}",
                record.nation, existing.nation
            )));
        }
        if relation == Relation::Principal && existing.principal().is_some() {
            return Err(StoreError::Invalid(format!(
                "case {case} already has a principal"
            )));
        }
        sqlx::query(
            "UPDATE persons SET case_id = ?, relation = ?, version = version + 1, updated_at = ? WHERE id = ?",
        )
        .bind(case.0)
        .bind(relation.as_str())
        .bind(&tx.at)
        .bind(person.0)
        .execute(&mut *tx.tx)
        .await?;
        sqlx::query("UPDATE cases SET version = version + 1, updated_at = ? WHERE id = ?")
            .bind(&tx.at)
            .bind(case.0)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(existing.nation.as_str()),
                action: "case.add_member",
                entity_type: "case",
                entity_id: case.to_string(),
                before: None,
                after: Some(to_json(&CaseMember { person, relation })?),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_case(case)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "case",
                id: case.to_string(),
            })
    }

    async fn get_case(&self, id: CaseId) -> Result<Option<CaseRecord>> {
        let Some(row) = sqlx::query(
            "SELECT id, nation, organisation, reference, eligibility, version, created_at \
             FROM cases WHERE id = ?",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let people: Vec<PersonRecord> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE case_id = ? ORDER BY relation != 'principal', id"
        )))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(person_from_row)
        .collect::<Result<_>>()?;
        let member_rows = sqlx::query(
            "SELECT id, relation FROM persons WHERE case_id = ? ORDER BY relation != 'principal', id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        let (case, eligibility, version, created_at) = case_from_rows(&row, &member_rows)?;
        Ok(Some(CaseRecord {
            case,
            eligibility,
            version,
            created_at,
            people,
        }))
    }

    async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<CaseRecord>> {
        let mut sql: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT id FROM cases WHERE 1 = 1");
        if let Some(nation) = query.nation {
            sql.push(" AND nation = ").push_bind(nation.to_string());
        }
        if let Some(reference) = &query.reference {
            sql.push(" AND reference = ").push_bind(reference.clone());
        }
        if let Some(after) = query.after {
            sql.push(" AND id > ").push_bind(after.0);
        }
        sql.push(" ORDER BY id LIMIT ")
            .push_bind(page_limit(query.limit));
        let ids: Vec<i64> = sql.build_query_scalar().fetch_all(&self.pool).await?;
        let mut cases = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(case) = self.get_case(CaseId(id)).await? {
                cases.push(case);
            }
        }
        Ok(cases)
    }

    async fn import_list(&self, actor: &Actor, batch: ImportBatch) -> Result<ImportOutcome> {
        let mut outcome = ImportOutcome::default();
        let nation = batch.nation;
        let source = batch.source.trim().to_owned();
        if source.is_empty() {
            return Err(StoreError::Invalid("an import needs a source name".into()));
        }
        let mut tx = WriteTx::begin(&self.pool).await?;
        tx.require_nation(nation).await?;
        if let Some(org) = batch.organisation {
            let organisation = tx.organisation(org).await?;
            check_organisation_nation(&organisation, nation)?;
        }
        // Every row this source brought before, read once: (fingerprint, person, case).
        let mut known: std::collections::HashMap<String, (String, i64, Option<i64>)> =
            std::collections::HashMap::new();
        for row in sqlx::query(
            "SELECT i.row_key, i.fingerprint, i.person_id, p.case_id FROM import_rows i \
             JOIN persons p ON p.id = i.person_id WHERE i.nation = ? AND i.source = ?",
        )
        .bind(nation.as_str())
        .bind(&source)
        .fetch_all(&mut *tx.tx)
        .await?
        {
            known.insert(
                row.try_get("row_key")?,
                (
                    row.try_get("fingerprint")?,
                    row.try_get("person_id")?,
                    row.try_get("case_id")?,
                ),
            );
        }
        for case in batch.cases {
            // Which of the case's rows were imported before, and into which case.
            let mut known_case: Option<CaseId> = None;
            let mut fresh: Vec<ImportMember> = Vec::new();
            for member in case.members {
                let Some((fingerprint, person_id, case_id)) = known.get(&member.row_key).cloned()
                else {
                    fresh.push(member);
                    continue;
                };
                let person_id = PersonId(person_id);
                if let Some(case_id) = case_id {
                    known_case.get_or_insert(CaseId(case_id));
                }
                if fingerprint == member.fingerprint {
                    outcome.people_unchanged += 1;
                    continue;
                }
                let person = member
                    .person
                    .validated()
                    .map_err(|e| StoreError::Invalid(format!("row {}: {e}", member.row_key)))?;
                let old = tx.person(person_id).await?;
                let details = to_json(&person)?;
                tx.rewrite_person(person_id, &person, &details).await?;
                tx.audit(
                    actor,
                    Audit {
                        nation: Some(nation.as_str()),
                        action: "person.update",
                        entity_type: "person",
                        entity_id: person_id.to_string(),
                        before: Some(to_json(&old.person)?),
                        after: Some(details),
                    },
                )
                .await?;
                sqlx::query(
                    "UPDATE import_rows SET fingerprint = ?, imported_at = ?, extra = ? \
                     WHERE nation = ? AND source = ? AND row_key = ?",
                )
                .bind(&member.fingerprint)
                .bind(&tx.at)
                .bind(to_json(&member.extra)?)
                .bind(nation.as_str())
                .bind(&source)
                .bind(&member.row_key)
                .execute(&mut *tx.tx)
                .await?;
                outcome.people_updated.push(person_id);
            }
            if fresh.is_empty() {
                continue;
            }
            let created: Vec<PersonId> = match known_case {
                // New rows of a family imported before join its case.
                Some(case_id) => {
                    let mut created = Vec::new();
                    for member in fresh {
                        let relation = if member.relation == Relation::Principal {
                            Relation::OtherRelative
                        } else {
                            member.relation
                        };
                        let person = member.person.clone().validated().map_err(|e| {
                            StoreError::Invalid(format!("row {}: {e}", member.row_key))
                        })?;
                        let id = tx
                            .register_person(actor, nation, Some((case_id, relation)), &person)
                            .await?;
                        tx.audit(
                            actor,
                            Audit {
                                nation: Some(nation.as_str()),
                                action: "case.add_member",
                                entity_type: "case",
                                entity_id: case_id.to_string(),
                                before: None,
                                after: Some(to_json(&CaseMember {
                                    person: id,
                                    relation,
                                })?),
                            },
                        )
                        .await?;
                        created.push(id);
                        tx.remember_import_row(nation, &source, &member, id).await?;
                    }
                    created
                }
                None => {
                    // The people move into the new case; their rows' identities stay behind.
                    let mut rows = Vec::with_capacity(fresh.len());
                    let mut members = Vec::with_capacity(fresh.len());
                    for mut member in fresh {
                        members.push(NewMember {
                            relation: member.relation,
                            person: std::mem::take(&mut member.person),
                        });
                        rows.push(member);
                    }
                    let new_case = NewCase {
                        nation,
                        organisation: batch.organisation,
                        reference: case.reference.clone(),
                        eligibility: case.eligibility.clone(),
                        members,
                        progress: Vec::new(),
                    };
                    check_new_case(&new_case)?;
                    let (_, ids) = tx.insert_case(actor, new_case).await?;
                    outcome.cases_created += 1;
                    for (member, id) in rows.iter().zip(&ids) {
                        tx.remember_import_row(nation, &source, member, *id).await?;
                    }
                    ids
                }
            };
            outcome.people_created += created.len();
            outcome.created.extend(created);
        }
        // Rows refused now go to quarantine (once per content); rows accepted now close the
        // quarantine entries they were refused under before.
        for row in &batch.rejected {
            let inserted = sqlx::query(
                "INSERT INTO quarantine (nation, source, row_key, sheet, line, fingerprint, raw, issues, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (nation, source, fingerprint) DO NOTHING",
            )
            .bind(nation.as_str())
            .bind(&source)
            .bind(&row.row_key)
            .bind(&row.sheet)
            .bind(row.line)
            .bind(&row.fingerprint)
            .bind(to_json(&row.raw)?)
            .bind(to_json(&row.issues)?)
            .bind(&tx.at)
            .execute(&mut *tx.tx)
            .await?;
            if inserted.rows_affected() > 0 {
                outcome.quarantined += 1;
            }
        }
        tx.flush().await?;
        let resolved = sqlx::query(
            "UPDATE quarantine SET status = 'resolved', resolved_at = ? \
             WHERE nation = ? AND source = ? AND status = 'open' AND row_key IN \
             (SELECT row_key FROM import_rows WHERE nation = ? AND source = ?)",
        )
        .bind(&tx.at)
        .bind(nation.as_str())
        .bind(&source)
        .bind(nation.as_str())
        .bind(&source)
        .execute(&mut *tx.tx)
        .await?;
        outcome.quarantine_resolved = resolved.rows_affected() as usize;
        tx.audit(
            actor,
            Audit {
                nation: Some(nation.as_str()),
                action: "list.import",
                entity_type: "source",
                entity_id: source.clone(),
                before: None,
                after: Some(to_json(&outcome)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn list_quarantine(
        &self,
        nation: Option<NationCode>,
        all: bool,
    ) -> Result<Vec<QuarantineEntry>> {
        sqlx::query(
            "SELECT id, nation, source, row_key, sheet, line, fingerprint, raw, issues, status, created_at \
             FROM quarantine WHERE (?1 IS NULL OR nation = ?1) AND (?2 OR status = 'open') ORDER BY id",
        )
        .bind(nation.map(|n| n.to_string()))
        .bind(all)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(QuarantineEntry {
                id: row.try_get("id")?,
                nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
                source: row.try_get("source")?,
                row: QuarantineRow {
                    row_key: row.try_get("row_key")?,
                    sheet: row.try_get("sheet")?,
                    line: row.try_get("line")?,
                    fingerprint: row.try_get("fingerprint")?,
                    raw: from_json(&row.try_get::<String, _>("raw")?, "quarantined row")?,
                    issues: from_json(&row.try_get::<String, _>("issues")?, "quarantine issues")?,
                },
                status: row.try_get("status")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
    }

    async fn set_eligibility(
        &self,
        actor: &Actor,
        case: CaseId,
        eligibility: Eligibility,
        expected_version: Option<i64>,
    ) -> Result<CaseRecord> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        let (existing, old, version, _) = tx.case_row(case).await?;
        check_version("case", case.to_string(), expected_version, version)?;
        let after = to_json(&eligibility)?;
        sqlx::query(
            "UPDATE cases SET eligibility = ?, version = version + 1, updated_at = ? WHERE id = ?",
        )
        .bind(&after)
        .bind(&tx.at)
        .bind(case.0)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(existing.nation.as_str()),
                action: "case.eligibility",
                entity_type: "case",
                entity_id: case.to_string(),
                before: Some(to_json(&old)?),
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_case(case)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "case",
                id: case.to_string(),
            })
    }

    async fn set_status(&self, actor: &Actor, request: StatusRequest) -> Result<StatusChange> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        let record = tx.person(request.person).await?;
        check_version(
            "person",
            request.person.to_string(),
            request.expected_version,
            record.version,
        )?;
        let change = tx
            .change_status(
                actor,
                (&record).into(),
                request.to,
                request.reason.as_deref(),
                request.location.as_deref(),
            )
            .await?;
        tx.commit().await?;
        Ok(change)
    }

    async fn set_case_status(
        &self,
        actor: &Actor,
        case: CaseId,
        to: EvacuationStatus,
        reason: Option<String>,
        location: Option<String>,
    ) -> Result<Vec<StatusChange>> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        let (existing, _, _, _) = tx.case_row(case).await?;
        let mut changes = Vec::with_capacity(existing.members.len());
        for member in &existing.members {
            let record = tx.person(member.person).await?;
            let change = tx
                .change_status(
                    actor,
                    (&record).into(),
                    to,
                    reason.as_deref(),
                    location.as_deref(),
                )
                .await
                .map_err(|e| match e {
                    StoreError::Transition(t) => {
                        StoreError::Invalid(format!("case {case} cannot move: {}: {t}", record.id))
                    }
                    other => other,
                })?;
            changes.push(change);
        }
        tx.commit().await?;
        Ok(changes)
    }

    async fn status_history(&self, person: PersonId) -> Result<Vec<StatusChange>> {
        sqlx::query(
            "SELECT id, person_id, from_status, to_status, actor, at, location, reason \
             FROM status_changes WHERE person_id = ? ORDER BY id",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(StatusChange {
                id: row.try_get("id")?,
                person: PersonId(row.try_get("person_id")?),
                from: parse_status(&row.try_get::<String, _>("from_status")?)?,
                to: parse_status(&row.try_get::<String, _>("to_status")?)?,
                actor: row.try_get("actor")?,
                at: row.try_get("at")?,
                location: row.try_get("location")?,
                reason: row.try_get("reason")?,
            })
        })
        .collect()
    }

    async fn purge_person(&self, actor: &Actor, id: PersonId, reason: &str) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a purge needs a reason (it is recorded in the audit trail)".into(),
            ));
        }
        let mut tx = WriteTx::begin(&self.pool).await?;
        let record = tx.person(id).await?;
        if record.relation == Some(Relation::Principal)
            && let Some(case) = record.case
        {
            let others: i64 =
                sqlx::query_scalar("SELECT count(*) FROM persons WHERE case_id = ? AND id != ?")
                    .bind(case.0)
                    .bind(id.0)
                    .fetch_one(&mut *tx.tx)
                    .await?;
            if others > 0 {
                return Err(StoreError::Invalid(format!(
                    "{id} is the principal of case {case}, which still has {others} other \
                     members: purge them first, or the case would have no principal"
                )));
            }
        }
        for statement in [
            "DELETE FROM documents WHERE person_id = ?",
            "DELETE FROM import_rows WHERE person_id = ?",
            "DELETE FROM screening_hits WHERE person_id = ?",
            "DELETE FROM status_changes WHERE person_id = ?",
            "DELETE FROM persons WHERE id = ?",
        ] {
            sqlx::query(statement)
                .bind(id.0)
                .execute(&mut *tx.tx)
                .await?;
        }
        sqlx::query(
            "UPDATE audit_events SET before = NULL, after = NULL \
             WHERE entity_type = 'person' AND entity_id = ?",
        )
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(record.nation.as_str()),
                action: "person.purge",
                entity_type: "person",
                entity_id: id.to_string(),
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "reason": reason.trim(),
                    "case": record.case,
                }))?),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
        nation: Option<NationCode>,
    ) -> Result<String> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a token needs a name".into()));
        }
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Invalid(format!("no randomness available: {e}")))?;
        let secret = format!(
            "ab_{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let mut tx = WriteTx::begin(&self.pool).await?;
        if let Some(nation) = nation {
            tx.require_nation(nation).await?;
        }
        let exists = sqlx::query("SELECT 1 FROM api_tokens WHERE name = ?")
            .bind(name)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::AlreadyExists(format!("token '{name}'")));
        }
        sqlx::query(
            "INSERT INTO api_tokens (name, token_hash, nation, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(name)
        .bind(audit::secret_hash(&secret))
        .bind(nation.map(|n| n.to_string()))
        .bind(&tx.at)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: nation.as_ref().map(NationCode::as_str),
                action: "token.create",
                entity_type: "token",
                entity_id: name.to_owned(),
                before: None,
                after: Some(to_json(
                    &serde_json::json!({ "name": name, "nation": nation }),
                )?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    async fn check_api_token(&self, secret: &str) -> Result<Option<TokenOwner>> {
        let row = sqlx::query(
            "SELECT name, nation FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
        )
        .bind(audit::secret_hash(secret.trim()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(TokenOwner {
                name: row.try_get("name")?,
                nation: row
                    .try_get::<Option<String>, _>("nation")?
                    .map(|n| parse_nation(&n))
                    .transpose()?,
            })
        })
        .transpose()
    }

    async fn record_event(
        &self,
        actor: &Actor,
        nation: Option<NationCode>,
        action: &str,
        subject: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        tx.audit(
            actor,
            Audit {
                nation: nation.as_ref().map(NationCode::as_str),
                action,
                entity_type: "event",
                entity_id: subject.to_owned(),
                before: None,
                after: Some(to_json(&details)?),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn store_list(&self, actor: &Actor, list: NewList) -> Result<(StoredList, bool)> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        let existing = sqlx::query(
            "SELECT id, source, version_date, sha256, entries, loaded_at FROM sanctions_lists WHERE sha256 = ?",
        )
        .bind(&list.sha256)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if let Some(row) = existing {
            return Ok((stored_list(&row)?, false));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sanctions_lists (source, version_date, sha256, entries, content, loaded_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&list.source)
        .bind(&list.version_date)
        .bind(&list.sha256)
        .bind(list.entries)
        .bind(&list.content)
        .bind(&tx.at)
        .fetch_one(&mut *tx.tx)
        .await?;
        let stored = StoredList {
            id,
            source: list.source,
            version_date: list.version_date,
            sha256: list.sha256,
            entries: list.entries,
            loaded_at: tx.at.clone(),
        };
        tx.audit(
            actor,
            Audit {
                nation: None,
                action: "sanctions.load",
                entity_type: "sanctions_list",
                entity_id: id.to_string(),
                before: None,
                after: Some(to_json(&stored)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((stored, true))
    }

    async fn latest_lists(&self) -> Result<Vec<(StoredList, String)>> {
        sqlx::query(
            "SELECT id, source, version_date, sha256, entries, loaded_at, content FROM sanctions_lists \
             WHERE id IN (SELECT max(id) FROM sanctions_lists GROUP BY source) ORDER BY source",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| Ok((stored_list(row)?, row.try_get("content")?)))
        .collect()
    }

    async fn record_hits(&self, actor: &Actor, hits: Vec<NewHit>) -> Result<usize> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        let mut new = 0;
        for hit in hits {
            let previous = sqlx::query(
                "SELECT id, status, entry_fingerprint, person_fingerprint FROM screening_hits \
                 WHERE person_id = ? AND entry_ref = ? ORDER BY id DESC LIMIT 1",
            )
            .bind(hit.person.0)
            .bind(&hit.entry_ref)
            .fetch_optional(&mut *tx.tx)
            .await?;
            if let Some(previous) = &previous {
                let same = previous.try_get::<String, _>("entry_fingerprint")?
                    == hit.entry_fingerprint
                    && previous.try_get::<String, _>("person_fingerprint")?
                        == hit.person_fingerprint;
                if same {
                    continue;
                }
                if previous.try_get::<String, _>("status")? == "open" {
                    sqlx::query("UPDATE screening_hits SET status = 'superseded' WHERE id = ?")
                        .bind(previous.try_get::<i64, _>("id")?)
                        .execute(&mut *tx.tx)
                        .await?;
                }
            }
            let record = tx.person(hit.person).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO screening_hits (person_id, list_id, entry_ref, listed_name, score, explanation, \
                 entry_fingerprint, person_fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(hit.person.0)
            .bind(hit.list_id)
            .bind(&hit.entry_ref)
            .bind(&hit.listed_name)
            .bind(hit.score)
            .bind(to_json(&hit.explanation)?)
            .bind(&hit.entry_fingerprint)
            .bind(&hit.person_fingerprint)
            .bind(&tx.at)
            .fetch_one(&mut *tx.tx)
            .await?;
            tx.audit(
                actor,
                Audit {
                    nation: Some(record.nation.as_str()),
                    action: "screening.hit",
                    entity_type: "person",
                    entity_id: hit.person.to_string(),
                    before: None,
                    after: Some(to_json(&serde_json::json!({
                        "hit": id, "list": hit.list_id, "entry": hit.entry_ref, "score": hit.score,
                    }))?),
                },
            )
            .await?;
            new += 1;
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn list_hits(
        &self,
        status: Option<String>,
        nation: Option<NationCode>,
    ) -> Result<Vec<HitRecord>> {
        sqlx::query(
            "SELECT h.id, h.person_id, p.nation, p.display_name, h.list_id, h.entry_ref, h.listed_name, \
             h.score, h.explanation, h.status, h.decided_by, h.decided_at, h.reason, h.created_at \
             FROM screening_hits h JOIN persons p ON p.id = h.person_id \
             WHERE (?1 IS NULL OR h.status = ?1) AND (?2 IS NULL OR p.nation = ?2) \
             ORDER BY h.score DESC, h.id",
        )
        .bind(status)
        .bind(nation.map(|n| n.to_string()))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(hit_from_row)
        .collect()
    }

    async fn decide_hit(
        &self,
        actor: &Actor,
        hit: i64,
        decision: HitDecision,
        reason: Option<String>,
    ) -> Result<HitRecord> {
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        if decision == HitDecision::FalsePositive && reason.is_none() {
            return Err(StoreError::Invalid(
                "a false positive needs a reason (e.g. 'birth date 1990, listed person born 1963')"
                    .into(),
            ));
        }
        let mut tx = WriteTx::begin(&self.pool).await?;
        let row =
            sqlx::query("SELECT person_id, status, entry_ref FROM screening_hits WHERE id = ?")
                .bind(hit)
                .fetch_optional(&mut *tx.tx)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    entity: "screening hit",
                    id: format!("H{hit}"),
                })?;
        let before: String = row.try_get("status")?;
        if before == "superseded" {
            return Err(StoreError::Invalid(format!(
                "hit H{hit} was superseded by a newer one (the person or the entry changed); decide that one"
            )));
        }
        let person = PersonId(row.try_get("person_id")?);
        let record = tx.person(person).await?;
        sqlx::query(
            "UPDATE screening_hits SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?",
        )
        .bind(decision.as_str())
        .bind(&actor.name)
        .bind(&tx.at)
        .bind(&reason)
        .bind(hit)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(record.nation.as_str()),
                action: "screening.decide",
                entity_type: "person",
                entity_id: person.to_string(),
                before: Some(to_json(
                    &serde_json::json!({ "hit": hit, "status": before }),
                )?),
                after: Some(to_json(&serde_json::json!({
                    "hit": hit, "status": decision.as_str(), "reason": reason,
                    "entry": row.try_get::<String, _>("entry_ref")?,
                }))?),
            },
        )
        .await?;
        tx.commit().await?;
        self.list_hits(None, None)
            .await?
            .into_iter()
            .find(|h| h.id == hit)
            .ok_or_else(|| StoreError::NotFound {
                entity: "screening hit",
                id: format!("H{hit}"),
            })
    }

    async fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let mut sql: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT seq, at, actor, nation, action, entity_type, entity_id, before, after, hash \
             FROM audit_events WHERE 1 = 1",
        );
        if let Some(entity_type) = &filter.entity_type {
            sql.push(" AND entity_type = ")
                .push_bind(entity_type.clone());
        }
        if let Some(entity_id) = &filter.entity_id {
            sql.push(" AND entity_id = ").push_bind(entity_id.clone());
        }
        if let Some(actor) = &filter.actor {
            sql.push(" AND actor = ").push_bind(actor.clone());
        }
        if let Some(after) = filter.after {
            sql.push(" AND seq > ").push_bind(after);
        }
        // Newest `limit` events, shown oldest first.
        sql.push(" ORDER BY seq DESC LIMIT ")
            .push_bind(i64::from(filter.limit.unwrap_or(100).clamp(1, 100_000)));
        let mut events = sql
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let json = |column: &str| -> Result<Option<serde_json::Value>> {
                    row.try_get::<Option<String>, _>(column)?
                        .map(|text| from_json(&text, "audit payload"))
                        .transpose()
                };
                Ok(AuditEvent {
                    seq: row.try_get("seq")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    nation: row.try_get("nation")?,
                    action: row.try_get("action")?,
                    entity_type: row.try_get("entity_type")?,
                    entity_id: row.try_get("entity_id")?,
                    before: json("before")?,
                    after: json("after")?,
                    hash: row.try_get("hash")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        events.reverse();
        Ok(events)
    }

    async fn audit_verify(&self) -> Result<AuditVerification> {
        use futures_util::StreamExt;
        let mut rows = sqlx::query(
            "SELECT seq, at, actor, nation, action, entity_type, entity_id, before, after, \
             payload_hash, prev_hash, hash FROM audit_events ORDER BY seq",
        )
        .fetch(&self.pool);
        let mut previous = GENESIS.to_owned();
        let mut expected_seq = 1i64;
        let mut events = 0i64;
        while let Some(row) = rows.next().await {
            let row = row?;
            events += 1;
            let seq: i64 = row.try_get("seq")?;
            let before: Option<String> = row.try_get("before")?;
            let after: Option<String> = row.try_get("after")?;
            let stored_payload: String = row.try_get("payload_hash")?;
            let prev_hash: String = row.try_get("prev_hash")?;
            let hash: String = row.try_get("hash")?;
            let nation: Option<String> = row.try_get("nation")?;
            let fields = ChainedFields {
                seq,
                at: &row.try_get::<String, _>("at")?,
                actor: &row.try_get::<String, _>("actor")?,
                nation: nation.as_deref(),
                action: &row.try_get::<String, _>("action")?,
                entity_type: &row.try_get::<String, _>("entity_type")?,
                entity_id: &row.try_get::<String, _>("entity_id")?,
                payload_hash: &stored_payload,
            };
            let problem = if seq != expected_seq {
                Some(format!(
                    "expected event {expected_seq}, found {seq}: an event is missing or out of order"
                ))
            } else if prev_hash != previous {
                Some("its link to the previous event does not match".to_owned())
            } else if (before.is_some() || after.is_some())
                && audit::payload_hash(before.as_deref(), after.as_deref()) != stored_payload
            {
                Some("its before/after data was altered".to_owned())
            } else if audit::chain_hash(&previous, &fields) != hash {
                Some("its fields were altered".to_owned())
            } else {
                None
            };
            if let Some(problem) = problem {
                return Ok(AuditVerification {
                    events,
                    broken_at: Some((seq, problem)),
                });
            }
            previous = hash;
            expected_seq += 1;
        }
        Ok(AuditVerification {
            events,
            broken_at: None,
        })
    }

    async fn totals(&self) -> Result<Vec<StatusTotal>> {
        sqlx::query(
            "SELECT nation, status, count(*) AS people FROM persons GROUP BY nation, status ORDER BY nation, status",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(StatusTotal {
                nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
                status: parse_status(&row.try_get::<String, _>("status")?)?,
                people: row.try_get("people")?,
            })
        })
        .collect()
    }
}
