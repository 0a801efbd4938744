//! The PostgreSQL backend: for a ministry's servers, with several Airbridge instances in front of
//! one database. The same registry as SQLite (the statements are shared: see `registry_sql.rs`),
//! with what a server needs on top:
//! - every write transaction takes one advisory lock (`pg_advisory_xact_lock`) before it reads
//!   the audit chain's head, so the chain grows one writer at a time across every instance and
//!   ids are given under the lock, as SQLite's `BEGIN IMMEDIATE` does;
//! - job claims skip rows another instance is claiming (`FOR UPDATE SKIP LOCKED`);
//! - migrations run in one transaction (PostgreSQL's DDL is transactional), so a migration that
//!   fails leaves the schema as it was;
//! - a server that cannot be reached, or is restarting, is retried with backoff before a call
//!   gives up, and a call that gives up has changed nothing.

use crate::audit::{self, AuditEvent, AuditFilter, AuditVerification, ChainedFields, GENESIS};
use crate::common::*;
use crate::field::*;
use crate::records::*;
use crate::{OpenMode, Result, Store, StoreError, check_organisation_nation};
use airbridge_domain::{
    Case, CaseId, CaseMember, Eligibility, EvacuationStatus, Nation, NationCode, Organisation,
    OrganisationId, OrganisationKind, Person, PersonId, Relation,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Connection, Pool, Postgres, QueryBuilder, Row, Transaction};
use std::str::FromStr;
use std::time::Duration;

type Db = Postgres;
type DbRow = PgRow;
type ThisStore = PgStore;

/// Claims lock the row they take and pass over rows other instances hold.
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

/// How the buffered multi-row inserts begin (SQLite adds `OR FAIL`).
const INSERT_ROWS: &str = "INSERT INTO";

/// PostgreSQL checks foreign keys row by row with no statement journal to avoid.
const DEFER_FOREIGN_KEYS: Option<&str> = None;

/// Multi-row `INSERT` statements of `rows`, [`ROWS_PER_STATEMENT`] at a time, each built when
/// asked for: `head` is the statement up to `VALUES`, `push` binds one row's values.
fn insert_statements<T, F>(
    head: String,
    rows: Vec<T>,
    mut push: F,
) -> impl Iterator<Item = QueryBuilder<Db>>
where
    F: FnMut(&mut sqlx::query_builder::Separated<'_, Db, &'static str>, T),
{
    let mut rows = rows.into_iter().peekable();
    std::iter::from_fn(move || {
        rows.peek()?;
        let mut builder = QueryBuilder::<Db>::new(head.as_str());
        builder.push_values(rows.by_ref().take(ROWS_PER_STATEMENT), |mut row, item| {
            push(&mut row, item)
        });
        Some(builder)
    })
}

/// Writes a write transaction's pending rows (see `WriteTx`), parents before children
/// (foreign keys are checked at once, or at the commit of an import), as multi-row
/// statements. The rows move into the statements (nothing is copied), and each statement is
/// built while the one before it runs on the database.
async fn write_pending(
    conn: &mut <Db as sqlx::Database>::Connection,
    pending: Pending,
    at: String,
) -> Result<()> {
    let Pending {
        cases,
        persons,
        documents,
        keys,
        status_changes,
        import_rows,
        audits,
        ..
    } = pending;

    let cases = {
        let at = at.clone();
        insert_statements(
            format!(
                "{INSERT_ROWS} cases (id, nation, organisation, reference, eligibility, version, created_at, updated_at) "
            ),
            cases,
            move |row, case| {
                row.push_bind(case.id)
                    .push_bind(case.nation.as_str())
                    .push_bind(case.organisation)
                    .push_bind(case.reference)
                    .push_bind(case.eligibility)
                    .push_bind(1i64)
                    .push_bind(at.clone())
                    .push_bind(at.clone());
            },
        )
    };
    let persons = {
        let at = at.clone();
        insert_statements(
            format!(
                "{INSERT_ROWS} persons (id, nation, case_id, relation, status, display_name, search_name, \
                 birth_first, birth_last, details, version, created_at, updated_at) "
            ),
            persons,
            move |row, person| {
                row.push_bind(person.id)
                    .push_bind(person.nation.as_str())
                    .push_bind(person.case.map(|(c, _)| c))
                    .push_bind(person.case.map(|(_, r)| r.as_str()))
                    .push_bind(person.status.as_str())
                    .push_bind(person.display_name)
                    .push_bind(person.search_name)
                    .push_bind(person.birth.0)
                    .push_bind(person.birth.1)
                    .push_bind(person.details)
                    .push_bind(person.version)
                    .push_bind(at.clone())
                    .push_bind(at.clone());
            },
        )
    };
    let keys = name_index_statements(keys);
    let documents = insert_statements(
        format!("{INSERT_ROWS} documents (person_id, kind, number, issuer) "),
        documents,
        |row, (person, kind, number, issuer)| {
            row.push_bind(person)
                .push_bind(kind)
                .push_bind(number)
                .push_bind(issuer);
        },
    );
    let status_changes = {
        let at = at.clone();
        insert_statements(
            format!(
                "{INSERT_ROWS} status_changes (id, person_id, from_status, to_status, actor, at, location, reason) "
            ),
            status_changes,
            move |row, change| {
                row.push_bind(change.id)
                    .push_bind(change.person)
                    .push_bind(change.from.as_str())
                    .push_bind(change.to.as_str())
                    .push_bind(change.actor)
                    .push_bind(at.clone())
                    .push_bind(change.location)
                    .push_bind(change.reason);
            },
        )
    };
    let import_rows = {
        let at = at.clone();
        insert_statements(
            format!(
                "{INSERT_ROWS} import_rows (nation, source, row_key, fingerprint, person_id, imported_at, extra) "
            ),
            import_rows,
            move |row, import| {
                row.push_bind(import.nation.as_str())
                    .push_bind(import.source)
                    .push_bind(import.row_key)
                    .push_bind(import.fingerprint)
                    .push_bind(import.person)
                    .push_bind(at.clone())
                    .push_bind(import.extra);
            },
        )
    };
    let audits = insert_statements(
        format!(
            "{INSERT_ROWS} audit_events (seq, at, actor, nation, action, entity_type, entity_id, \
             before, after, payload_hash, prev_hash, hash) "
        ),
        audits,
        move |row, event| {
            row.push_bind(event.seq)
                .push_bind(at.clone())
                .push_bind(event.actor)
                .push_bind(event.nation)
                .push_bind(event.action)
                .push_bind(event.entity_type)
                .push_bind(event.entity_id)
                .push_bind(event.before)
                .push_bind(event.after)
                .push_bind(event.payload_hash)
                .push_bind(event.prev_hash)
                .push_bind(event.hash);
        },
    );
    let mut statements = cases
        .chain(persons)
        .chain(keys)
        .chain(documents)
        .chain(status_changes)
        .chain(import_rows)
        .chain(audits);
    let mut current = statements.next();
    while let Some(mut statement) = current {
        // Polled first, the statement goes to the database; the next one is built
        // meanwhile (the SQLite driver runs statements on a thread of its own).
        let (done, next) =
            futures_util::future::join(statement.build().execute(&mut *conn), async {
                statements.next()
            })
            .await;
        done?;
        current = next;
    }
    Ok(())
}

/// The name index is a table of (key, nation, person) rows (migration 0011).
const DELETE_NAME_KEYS: &str = "DELETE FROM person_keys WHERE person_id = $1";

/// A lookup in the name index over every nation reads every row: it needs no list of nations.
const NAME_INDEX_LISTS_NATIONS: bool = false;

/// Empties the name index before it is rebuilt.
const CLEAR_NAME_INDEX: &str = "DELETE FROM person_keys";

/// Statements writing the name index's keys, a row each.
fn name_index_statements(
    keys: Vec<(String, NationCode, i64)>,
) -> impl Iterator<Item = QueryBuilder<Postgres>> {
    insert_statements(
        format!("{INSERT_ROWS} person_keys (key, nation, person_id) "),
        keys,
        |row, (key, nation, person)| {
            row.push_bind(key)
                .push_bind(nation.as_str())
                .push_bind(person);
        },
    )
}

/// Pushes a `SELECT` of the people (column `person_id`) who hold one of `keys` in `nations`,
/// or, with `prefix`, a key that starts with one of them. A person may come once per key.
fn push_key_rows(
    sql: &mut QueryBuilder<Postgres>,
    keys: &[String],
    prefix: bool,
    nations: Nations<'_>,
) {
    sql.push("SELECT person_id FROM person_keys WHERE (");
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        if prefix {
            let (from, to) = key_range(key);
            sql.push("(key >= ")
                .push_bind(from)
                .push(" AND key < ")
                .push_bind(to)
                .push(")");
        } else {
            sql.push("key = ").push_bind(key.clone());
        }
    }
    sql.push(")");
    if let Nations::One(nation) = nations {
        sql.push(" AND nation = ").push_bind(nation.to_string());
    }
}

/// The advisory lock every write transaction holds until it ends: the audit chain's tail.
const WRITE_LOCK: i64 = 0x4149_5242_5752_4954; // "AIRBWRIT"
/// The advisory lock migrations hold, so two instances starting at once do not both migrate.
const MIGRATION_LOCK: i64 = 0x4149_5242_4d49_4752; // "AIRBMIGR"

/// The schema's migrations, in order: the same versions as SQLite's, in PostgreSQL's dialect.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "registry",
        include_str!("../migrations/postgres/0001_registry.sql"),
    ),
    (
        2,
        "imports",
        include_str!("../migrations/postgres/0002_imports.sql"),
    ),
    (
        3,
        "nation_settings",
        include_str!("../migrations/postgres/0003_nation_settings.sql"),
    ),
    (
        4,
        "screening",
        include_str!("../migrations/postgres/0004_screening.sql"),
    ),
    (
        5,
        "import_extra",
        include_str!("../migrations/postgres/0005_import_extra.sql"),
    ),
    (
        6,
        "jobs",
        include_str!("../migrations/postgres/0006_jobs.sql"),
    ),
    (
        7,
        "accounts",
        include_str!("../migrations/postgres/0007_accounts.sql"),
    ),
    (
        8,
        "field",
        include_str!("../migrations/postgres/0008_field.sql"),
    ),
    (
        9,
        "flights",
        include_str!("../migrations/postgres/0009_flights.sql"),
    ),
    (
        10,
        "dedup",
        include_str!("../migrations/postgres/0010_dedup.sql"),
    ),
    (
        11,
        "person_keys",
        include_str!("../migrations/postgres/0011_person_keys.sql"),
    ),
];

/// How patiently a transient fault is retried: `RETRIES` more times after pauses of 0.2 s
/// doubling to 3.2 s, about 6 s in all, enough for a restart or a failover to a standby. Within
/// a call, the pool itself also keeps trying to connect for `ACQUIRE_TIMEOUT` each time.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);
const RETRIES: u32 = 5;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// Runs `attempt` again after a pause while it fails with a transient fault (the server
/// unreachable, restarting or out of connections). Only used where nothing has been written
/// yet: opening, and starting a transaction.
async fn with_retries<T, F, Fut>(what: &str, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, sqlx::Error>>,
{
    let started = std::time::Instant::now();
    let mut backoff = FIRST_BACKOFF;
    let mut tries = 0;
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) if is_transient(&error) && tries < RETRIES => {
                tries += 1;
                tracing::warn!(%error, attempt = tries, "{what}: PostgreSQL unavailable, retrying");
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            Err(error) if is_transient(&error) => {
                let error = match error {
                    sqlx::Error::PoolTimedOut => "no connection to the server".to_owned(),
                    other => other.to_string(),
                };
                return Err(StoreError::Unavailable(format!(
                    "{what}: {error} (after {} attempts over {} s)",
                    tries + 1,
                    started.elapsed().as_secs()
                )));
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// Faults that may pass: no connection, the server starting or shutting down, too many
/// connections, a standby not yet promoted.
pub(crate) fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db) => matches!(
            db.code().as_deref(),
            // cannot_connect_now, admin_shutdown, crash_shutdown, too_many_connections,
            // read_only_sql_transaction (a standby), connection_failure.
            Some("57P03" | "57P01" | "57P02" | "53300" | "25006" | "08006" | "08001")
        ),
        _ => false,
    }
}

/// A write transaction holding the write lock. Under READ COMMITTED every statement after the
/// lock sees what the previous holder committed, so the chain's head and the largest ids are
/// read fresh.
async fn begin_write(pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
    with_retries("starting a write", || async {
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    })
    .await
}

/// Applies the migrations the database has not seen, in one transaction under the migration
/// lock: all of them or, when one fails, none.
async fn migrate(pool: &PgPool) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (\
         version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
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
            .await
            .map_err(|e| StoreError::Corrupt(format!("migration {version} ({name}): {e}")))?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(version)
        .bind(name)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The PostgreSQL store.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    /// Where write transactions start: the same pool (the server orders writers with its
    /// advisory lock), named apart so the shared statements read alike on both backends.
    writer: PgPool,
}

/// A database URL with its password hidden, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`), retrying while the
    /// server is unreachable, and brings the schema up to date (`CreateIfMissing`) or checks
    /// that it is there (`MustExist`: an empty database is refused, as a missing SQLite file is).
    pub async fn open(url: &str, mode: OpenMode) -> Result<PgStore> {
        let shown = redact_url(url);
        let open_error = |reason: String| StoreError::Open {
            path: shown.clone(),
            reason,
        };
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| open_error(format!("not a PostgreSQL URL: {e}")))?
            .application_name("airbridge");
        // One plain connection first: its error says why (refused, unknown host, bad
        // password), where the pool's would only say it timed out.
        let first = with_retries("cannot connect", || {
            sqlx::PgConnection::connect_with(&options)
        })
        .await
        .map_err(|e| match e {
            StoreError::Unavailable(reason) => open_error(reason),
            other => open_error(other.to_string()),
        })?;
        first.close().await.map_err(|e| open_error(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| open_error(e.to_string()))?;
        if mode == OpenMode::MustExist {
            let has_schema: bool =
                sqlx::query_scalar("SELECT to_regclass('schema_migrations') IS NOT NULL")
                    .fetch_one(&pool)
                    .await
                    .map_err(|e| open_error(e.to_string()))?;
            if !has_schema {
                return Err(open_error(
                    "the database holds no Airbridge registry; create it with `airbridge init` \
                     or `airbridge demo`, or check --db"
                        .to_owned(),
                ));
            }
        }
        migrate(&pool)
            .await
            .map_err(|e| open_error(format!("migrations failed, schema unchanged: {e}")))?;
        let store = PgStore {
            writer: pool.clone(),
            pool,
        };
        store
            .ensure_name_index()
            .await
            .map_err(|e| open_error(format!("rebuilding the name index failed: {e}")))?;
        Ok(store)
    }

    /// PostgreSQL's equivalent of SQLite's integrity checks: the schema is complete, every
    /// constraint is validated, the audit trail's append-only triggers are in place and
    /// enabled, and the registry's own invariants hold. (Foreign keys are enforced by the
    /// server itself, so no orphan can exist while the constraints are valid.)
    pub async fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let version: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM schema_migrations")
            .fetch_one(&self.pool)
            .await?;
        if version != Some(MIGRATIONS.len() as i64) {
            problems.push(format!(
                "schema version {} instead of {}",
                version.unwrap_or(0),
                MIGRATIONS.len()
            ));
        }
        let unvalidated: Vec<String> = sqlx::query_scalar(
            "SELECT conname::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE n.nspname = current_schema() AND NOT c.convalidated",
        )
        .fetch_all(&self.pool)
        .await?;
        for name in unvalidated {
            problems.push(format!("constraint {name} is not validated"));
        }
        let triggers: Vec<String> = sqlx::query_scalar(
            "SELECT tgname::text FROM pg_trigger \
             WHERE tgrelid = to_regclass('audit_events') AND NOT tgisinternal AND tgenabled <> 'D'",
        )
        .fetch_all(&self.pool)
        .await?;
        for wanted in [
            "audit_events_no_delete",
            "audit_events_redact_only",
            "audit_events_no_truncate",
        ] {
            if !triggers.iter().any(|t| t == wanted) {
                problems.push(format!(
                    "the audit trail's trigger {wanted} is missing or disabled"
                ));
            }
        }
        problems.extend(registry_problems(&self.pool).await?);
        Ok(problems)
    }

    /// Whether the database at `url` holds an Airbridge schema, without changing it (a restore
    /// goes only into a database that does not).
    pub async fn holds_registry(url: &str) -> Result<bool> {
        let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Open {
            path: redact_url(url),
            reason: format!("not a PostgreSQL URL: {e}"),
        })?;
        let mut connection = with_retries("cannot connect", || {
            sqlx::PgConnection::connect_with(&options)
        })
        .await?;
        let found: bool = sqlx::query_scalar("SELECT to_regclass('schema_migrations') IS NOT NULL")
            .fetch_one(&mut connection)
            .await?;
        connection.close().await?;
        Ok(found)
    }

    /// Removes the whole registry from a database, audit trail included, in one transaction:
    /// what `airbridge demo --fresh` does to a throwaway database (as it deletes a SQLite file).
    pub async fn erase(url: &str) -> Result<()> {
        let store = PgStore::open(url, OpenMode::CreateIfMissing).await?;
        let mut tx = store.pool.begin().await?;
        sqlx::raw_sql(
            "DROP TABLE IF EXISTS dedup_pairs, dedup_clusters, dedup_runs, priority_weights, plan_assignments, plan_runs, acceptance_rules, \
             carriage_agreements, flights, aircraft_types, outbox, gate_flags, gate_events, passes, call_forwards, \
             sessions, setup_tokens, users, jobs, screening_hits, \
             sanctions_lists, quarantine, import_rows, audit_events, api_tokens, status_changes, \
             documents, person_keys, name_index, persons, cases, organisations, nations, schema_migrations; \
             DROP FUNCTION IF EXISTS audit_events_append_only();",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        store.close().await;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

include!("registry_sql.rs");
include!("accounts_sql.rs");
include!("field_sql.rs");
include!("flights_sql.rs");
include!("dedup_sql.rs");
