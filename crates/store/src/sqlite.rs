//! The SQLite backend: one file, WAL journal, foreign keys on, migrations compiled into the
//! binary. Writes take the database's write lock at `BEGIN IMMEDIATE`, so two writers never
//! deadlock on a lock upgrade and the audit chain is extended by one writer at a time. The
//! registry's statements are shared with PostgreSQL (`registry_sql.rs`, included at the end);
//! this file holds what only SQLite does: opening the file, its migrations, its integrity
//! checks and online backups.

use crate::audit::{self, AuditEvent, AuditFilter, AuditVerification, ChainedFields, GENESIS};
use crate::common::*;
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
use sqlx::{Pool, QueryBuilder, Row, Sqlite, Transaction};
use std::path::Path;
use std::time::Duration;

pub use crate::OpenMode;
pub use crate::common::now;

type Db = Sqlite;
type DbRow = SqliteRow;
type ThisStore = SqliteStore;

/// SQLite has one writer at a time, so a job claim needs no row locks.
const SKIP_LOCKED: &str = "";

/// A write transaction: `BEGIN IMMEDIATE` takes the database's write lock at once, so two
/// writers never deadlock on a lock upgrade and the audit chain grows one writer at a time.
async fn begin_write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

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
    (
        6,
        "jobs",
        include_str!("../migrations/sqlite/0006_jobs.sql"),
    ),
    (
        7,
        "accounts",
        include_str!("../migrations/sqlite/0007_accounts.sql"),
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
            .busy_timeout(Duration::from_secs(10))
            // 64 MiB of page cache: a long import would otherwise spill pages mid-transaction.
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
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
        problems.extend(registry_problems(&self.pool).await?);
        Ok(problems)
    }

    /// A consistent copy of the whole database in a new file, taken while others keep reading
    /// and writing (`VACUUM INTO` reads one snapshot). The file must not exist yet.
    pub async fn backup_to(&self, target: &Path) -> Result<()> {
        if target.exists() {
            return Err(StoreError::Invalid(format!(
                "{} already exists; a backup never overwrites a file",
                target.display()
            )));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(target.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

include!("registry_sql.rs");
include!("accounts_sql.rs");
