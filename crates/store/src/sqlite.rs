//! The SQLite backend: one file, WAL journal, foreign keys on, migrations compiled into the
//! binary. Writes run on one connection of their own and take the database's write lock at
//! `BEGIN IMMEDIATE`, so two writers never deadlock on a lock upgrade and the audit chain is
//! extended by one writer at a time; reads run on four others, beside it. The
//! registry's statements are shared with PostgreSQL (`registry_sql.rs`, included at the end);
//! this file holds what only SQLite does: opening the file, its migrations, its integrity
//! checks and online backups.

use crate::audit::{self, AuditEvent, AuditFilter, AuditVerification, ChainedFields, GENESIS};
use crate::common::*;
use crate::field::*;
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
use sqlx::{ConnectOptions, Connection, Pool, QueryBuilder, Row, Sqlite, Transaction};
use std::path::Path;
use std::time::Duration;

/// SQLite's result code when a file is not a database, which is what SQLCipher answers when
/// the key does not decrypt the first page.
const SQLITE_NOTADB: &str = "26";

const WRONG_KEY_HELP: &str = "give the key it was created with (AIRBRIDGE_DB_KEY, --db-key-file \
     FILE or AIRBRIDGE_DB_PASSPHRASE); a backup opens with the key of the database it was taken from";

/// Every connection's settings. With a key, `PRAGMA key` is the first statement each pooled
/// connection runs, before the journal and foreign-key pragmas (sqlx runs a `key` pragma
/// first), and sqlx does not log those statements, so the key never reaches a log.
///
/// An existing encrypted file is first tried with the key on one connection that is closed
/// whatever the outcome: a pool whose connections fail while connecting leaves their threads
/// closing SQLCipher handles as the process exits, which crashed it now and then.
async fn connect_options(
    path: &Path,
    mode: OpenMode,
    encryption: &Encryption,
    file: &DatabaseFile,
) -> Result<SqliteConnectOptions> {
    let open_error = |reason: String| StoreError::Open {
        path: path.display().to_string(),
        reason,
    };
    let mut options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(mode == OpenMode::CreateIfMissing)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // 64 MiB of page cache: a long import would otherwise spill pages mid-transaction.
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory")
        // A checkpoint copies the journal into the file and syncs it. Run by the committing
        // connection (SQLite's default, every 1,000 pages), it makes one write in a few hundred
        // wait for the disk; this bound (256 MiB) serves the command line (long imports). A
        // server turns it off and checkpoints in the background (`checkpoint`).
        .pragma("wal_autocheckpoint", "65536");
    match (encryption, file) {
        (Encryption::Plaintext, DatabaseFile::Encrypted { .. }) => Err(open_error(format!(
            "the database is encrypted and no key was given: {WRONG_KEY_HELP}"
        ))),
        (Encryption::Plaintext, _) => Ok(options),
        (_, DatabaseFile::Plaintext) => Err(open_error(
            "the database is not encrypted (it was created with --no-encryption): open it with \
             --no-encryption, or write an encrypted copy with `airbridge db encrypt --to FILE`"
                .to_owned(),
        )),
        (encryption, file) => {
            let key = crate::key::sqlcipher_key(encryption, file)
                .map_err(|e| open_error(e.to_string()))?;
            let keyed = |options: SqliteConnectOptions| {
                options
                    .pragma("key", format!("\"{}\"", key.as_str()))
                    .log_statements(log::LevelFilter::Off)
                    .log_slow_statements(log::LevelFilter::Off, Duration::from_secs(1))
            };
            if matches!(file, DatabaseFile::Encrypted { .. }) {
                // Setting the key reads nothing; the first read shows whether it fits.
                let mut probe = sqlx::SqliteConnection::connect_with(&keyed(
                    SqliteConnectOptions::new().filename(path),
                ))
                .await
                .map_err(|e| open_error(e.to_string()))?;
                let read = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sqlite_master")
                    .fetch_one(&mut probe)
                    .await;
                let _ = probe.close().await;
                if let Err(error) = read {
                    return Err(open_error(match &error {
                        sqlx::Error::Database(db)
                            if db.code().as_deref() == Some(SQLITE_NOTADB) =>
                        {
                            format!(
                                "the database is encrypted and this key does not open it: {WRONG_KEY_HELP}"
                            )
                        }
                        _ => error.to_string(),
                    }));
                }
            }
            options = keyed(options);
            Ok(options)
        }
    }
}

pub use crate::OpenMode;
pub use crate::common::now;
use crate::key::{DatabaseFile, Encryption};

type Db = Sqlite;
type DbRow = SqliteRow;
type ThisStore = SqliteStore;

/// SQLite has one writer at a time, so a job claim needs no row locks.
const SKIP_LOCKED: &str = "";

/// How the buffered inserts begin. `OR FAIL` stops at a failing row without undoing what the
/// statement did before it, so SQLite keeps no statement journal (a copy of every page the
/// statement touches); a failed insert fails the whole transaction anyway.
const INSERT_ROWS: &str = "INSERT OR FAIL INTO";

/// Run at the start of an import's transaction: foreign keys checked at its commit rather
/// than row by row, so an insert needs no statement journal for them either (SQLite
/// resets it at the end of the transaction).
const DEFER_FOREIGN_KEYS: Option<&str> = Some("PRAGMA defer_foreign_keys = ON");

/// The name index (`person_terms`, migration 0012) is a contentless full-text index: one
/// document per person, whose terms are the person's keys (see [`name_term`]). It keeps each
/// key's people as one compressed list rather than a row per key and person, so an import of a
/// million people writes megabytes of it rather than tens of millions of B-tree cells.
const DELETE_NAME_KEYS: &str = "DELETE FROM person_terms WHERE rowid = $1";

/// A lookup in the name index over every nation names each nation's terms: it needs the list.
const NAME_INDEX_LISTS_NATIONS: bool = true;

/// Empties the name index before it is rebuilt.
const CLEAR_NAME_INDEX: &str = "INSERT INTO person_terms (person_terms) VALUES ('delete-all')";

/// Writes a write transaction's pending rows (see `WriteTx`), parents before children
/// (foreign keys are checked at once, or at the commit of an import), through rusqlite: one
/// prepared single-row statement per table, bound and stepped on this thread. sqlx's
/// multi-row statements cost more in binding, copying and freeing their thousands of values
/// than SQLite spends storing them.
async fn write_pending(
    conn: &mut sqlx::SqliteConnection,
    pending: Pending,
    at: String,
) -> Result<()> {
    airbridge_sqlite_handle::with_rusqlite(conn, |db| write_pending_rows(db, pending, &at)).await?;
    Ok(())
}

fn write_pending_rows(
    db: &airbridge_sqlite_handle::rusqlite::Connection,
    pending: Pending,
    at: &str,
) -> airbridge_sqlite_handle::rusqlite::Result<()> {
    use airbridge_sqlite_handle::rusqlite::params;
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
    if !cases.is_empty() {
        let mut insert = db.prepare(&format!(
            "{INSERT_ROWS} cases (id, nation, organisation, reference, eligibility, version, \
             created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)"
        ))?;
        for case in &cases {
            insert.execute(params![
                case.id,
                case.nation.as_str(),
                case.organisation,
                case.reference,
                case.eligibility,
                at
            ])?;
        }
    }
    if !persons.is_empty() {
        let mut insert = db.prepare(&format!(
            "{INSERT_ROWS} persons (id, nation, case_id, relation, status, display_name, \
             search_name, birth_first, birth_last, details, version, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)"
        ))?;
        for person in &persons {
            insert.execute(params![
                person.id,
                person.nation.as_str(),
                person.case.map(|(case, _)| case),
                person.case.map(|(_, relation)| relation.as_str()),
                person.status.as_str(),
                person.display_name,
                person.search_name,
                person.birth.0,
                person.birth.1,
                person.details,
                person.version,
                at
            ])?;
        }
    }
    if !keys.is_empty() {
        // One document per person, whose keys come together (as `WriteTx::index_person` and
        // `register_person` queue them). Plain `INSERT`: the full-text index takes no
        // conflict clause.
        let mut insert = db.prepare("INSERT INTO person_terms (rowid, terms) VALUES (?1, ?2)")?;
        let mut terms = String::new();
        let mut keys = keys.into_iter().peekable();
        while let Some((key, nation, person)) = keys.next() {
            if !terms.is_empty() {
                terms.push(' ');
            }
            terms.push_str(&name_term(nation, &key));
            if keys.peek().is_none_or(|(_, _, next)| *next != person) {
                insert.execute(params![person, terms])?;
                terms.clear();
            }
        }
    }
    if !documents.is_empty() {
        let mut insert = db.prepare(&format!(
            "{INSERT_ROWS} documents (person_id, kind, number, issuer) VALUES (?1, ?2, ?3, ?4)"
        ))?;
        for (person, kind, number, issuer) in &documents {
            insert.execute(params![person, kind, number, issuer])?;
        }
    }
    if !status_changes.is_empty() {
        let mut insert = db.prepare(&format!(
            "{INSERT_ROWS} status_changes (id, person_id, from_status, to_status, actor, at, \
             location, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ))?;
        for change in &status_changes {
            insert.execute(params![
                change.id,
                change.person,
                change.from.as_str(),
                change.to.as_str(),
                change.actor,
                at,
                change.location,
                change.reason
            ])?;
        }
    }
    if !import_rows.is_empty() {
        let mut insert = db.prepare(&format!(
            "{INSERT_ROWS} import_rows (nation, source, row_key, fingerprint, person_id, \
             imported_at, extra) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        ))?;
        for row in &import_rows {
            insert.execute(params![
                row.nation.as_str(),
                row.source,
                row.row_key,
                row.fingerprint,
                row.person,
                at,
                row.extra
            ])?;
        }
    }
    if !audits.is_empty() {
        let mut insert = db.prepare(&format!(
            "{INSERT_ROWS} audit_events (seq, at, actor, nation, action, entity_type, entity_id, \
             before, after, payload_hash, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        ))?;
        for event in &audits {
            insert.execute(params![
                event.seq,
                at,
                event.actor,
                event.nation,
                event.action,
                event.entity_type,
                event.entity_id,
                event.before,
                event.after,
                event.payload_hash,
                event.prev_hash,
                event.hash
            ])?;
        }
    }
    Ok(())
}

/// Pushes a `SELECT` of the people (column `person_id`, each once) who hold one of `keys` in
/// `nations`, or, with `prefix`, a key that starts with one of them.
fn push_key_rows(
    sql: &mut QueryBuilder<Sqlite>,
    keys: &[String],
    prefix: bool,
    nations: Nations<'_>,
) {
    let one;
    let nations: &[NationCode] = match nations {
        Nations::One(nation) => {
            one = [nation];
            &one
        }
        Nations::Each(all) => all,
    };
    let mut expression = String::new();
    for nation in nations {
        for key in keys {
            if !expression.is_empty() {
                expression.push_str(" OR ");
            }
            expression.push('"');
            expression.push_str(&name_term(*nation, key));
            expression.push('"');
            if prefix {
                expression.push('*');
            }
        }
    }
    if expression.is_empty() {
        sql.push("SELECT CAST(NULL AS INTEGER) AS person_id WHERE 0 = 1");
    } else {
        sql.push("SELECT rowid AS person_id FROM person_terms WHERE person_terms MATCH ")
            .push_bind(expression);
    }
}

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
    (
        8,
        "field",
        include_str!("../migrations/sqlite/0008_field.sql"),
    ),
    (
        9,
        "flights",
        include_str!("../migrations/sqlite/0009_flights.sql"),
    ),
    (
        10,
        "dedup",
        include_str!("../migrations/sqlite/0010_dedup.sql"),
    ),
    (
        11,
        "person_keys",
        include_str!("../migrations/sqlite/0011_person_keys.sql"),
    ),
    (
        12,
        "person_terms",
        include_str!("../migrations/sqlite/0012_person_terms.sql"),
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

/// Journal frames (pages) past which the server's checkpoint starts the journal again even
/// under load: 1 GiB, half a minute of check-ins at 1,000 a second.
pub const RESTART_FRAMES: i64 = 262_144;

/// What a checkpoint found and did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Whether it could not finish (a reader or writer was in the way); it is tried again.
    pub busy: bool,
    /// Frames in the journal.
    pub frames: i64,
    /// Frames now copied into the database file.
    pub copied: i64,
}

async fn wal_checkpoint(pool: &SqlitePool) -> Result<Checkpoint> {
    let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(pool)
        .await?;
    Ok(Checkpoint {
        busy: row.try_get::<i64, _>(0)? != 0,
        frames: row.try_get(1)?,
        copied: row.try_get(2)?,
    })
}

/// The embedded SQLite store.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// Readers: any number run at once beside the writer (WAL).
    pool: SqlitePool,
    /// The one connection every write transaction runs on. SQLite admits one writer at a
    /// time anyway; queueing writers here, rather than letting several connections race for
    /// the lock, means no writer sleeps in SQLite's busy handler (whose back-off steps reach
    /// 100 ms), and the writer's page cache stays valid from one transaction to the next (a
    /// connection drops its whole cache whenever *another* connection has committed).
    writer: SqlitePool,
    /// The journal's length at the last [`checkpoint`](Self::checkpoint).
    journal_frames: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl SqliteStore {
    /// Opens (or creates) a database file **without encryption** and brings its schema up to
    /// date. For tests and tools; the binary opens through [`SqliteStore::open_with`] with the
    /// operator's key, so its files are encrypted unless created with `--no-encryption`.
    pub async fn open(path: &Path, mode: OpenMode) -> Result<SqliteStore> {
        SqliteStore::open_with(path, mode, &Encryption::Plaintext).await
    }

    /// Opens (or creates) the database file, encrypted whole with SQLCipher unless
    /// `encryption` is [`Encryption::Plaintext`], and brings its schema up to date. A wrong or
    /// missing key, or a key for a file that is not encrypted, is refused with a message that
    /// says which and how to fix it.
    pub async fn open_with(
        path: &Path,
        mode: OpenMode,
        encryption: &Encryption,
    ) -> Result<SqliteStore> {
        // SQLCipher's OpenSSL, initialised before the first connection and told not to free
        // its global state at exit. Otherwise a connection thread still ending (its
        // thread-local OpenSSL state released after the pool has closed it) races OpenSSL's
        // `atexit` cleanup: the finished process then aborts with "double free or corruption"
        // (CI saw it once after a complete `person search`) or a segmentation fault (once, the
        // store's contract tests after all had passed). The operating system reclaims the
        // memory anyway. Once per process; later calls do nothing.
        openssl_sys::init();
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
        let file = DatabaseFile::inspect(path).map_err(|e| open_error(e.to_string()))?;
        let options = connect_options(path, mode, encryption, &file).await?;
        let wrong_key = |error: sqlx::Error| {
            let not_a_database = matches!(&error, sqlx::Error::Database(db) if db.code().as_deref() == Some(SQLITE_NOTADB));
            match (not_a_database, encryption.is_encrypted()) {
                (true, true) => open_error(format!(
                    "the database is encrypted and this key does not open it: {WRONG_KEY_HELP}"
                )),
                (true, false) => open_error(
                    "this is not a SQLite database, or one encrypted with a key that was not given"
                        .to_owned(),
                ),
                (false, _) => open_error(error.to_string()),
            }
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await
            .map_err(wrong_key)?;
        // A wrong key shows on the first read of the file, which connecting may not have made.
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sqlite_master")
            .fetch_one(&pool)
            .await
            .map_err(wrong_key)?;
        migrate(&pool)
            .await
            .map_err(|e| open_error(format!("migrations failed: {e}")))?;
        // Kept open for the process's life: its page cache is the warm one.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(wrong_key)?;
        let store = SqliteStore {
            pool,
            writer,
            journal_frames: Default::default(),
        };
        store
            .ensure_name_index()
            .await
            .map_err(|e| open_error(format!("rebuilding the name index failed: {e}")))?;
        Ok(store)
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
        // On an encrypted database SQLCipher writes the copy encrypted with the same key and salt.
        sqlx::query("VACUUM INTO $1")
            .bind(target.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Writes the whole database into a new file with another encryption: a new key
    /// (`airbridge db rekey`), or encrypted from a plaintext file (`airbridge db encrypt`).
    /// SQLCipher's `sqlcipher_export` copies the schema and every row within one read
    /// transaction, so writers elsewhere do not tear the copy. The file must not exist yet.
    pub async fn export_to(&self, target: &Path, encryption: &Encryption) -> Result<()> {
        if target.exists() {
            return Err(StoreError::Invalid(format!(
                "{} already exists; an encrypted copy never overwrites a file",
                target.display()
            )));
        }
        let key = crate::key::sqlcipher_key(encryption, &DatabaseFile::New)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        // An attached database opens with the main one's flags, which may not allow creating
        // a file: SQLite takes an existing empty file as a new database.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(target)
            .map_err(|e| StoreError::Invalid(format!("cannot write {}: {e}", target.display())))?;
        let mut connection = self.pool.acquire().await?;
        // The key is bound, never spliced into the statement, so no statement log can show it.
        sqlx::query("ATTACH DATABASE $1 AS export KEY $2")
            .bind(target.display().to_string())
            .bind(key.as_str())
            .execute(&mut *connection)
            .await?;
        let copied = async {
            sqlx::raw_sql("BEGIN").execute(&mut *connection).await?;
            let exported = sqlx::query("SELECT sqlcipher_export('export')")
                .execute(&mut *connection)
                .await;
            let ended = sqlx::raw_sql(if exported.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            })
            .execute(&mut *connection)
            .await;
            exported?;
            ended?;
            Ok::<(), sqlx::Error>(())
        }
        .await;
        let detached = sqlx::raw_sql("DETACH DATABASE export")
            .execute(&mut *connection)
            .await;
        copied?;
        detached?;
        Ok(())
    }

    /// Hands the journal's upkeep to [`checkpoint`](Self::checkpoint), for a server that
    /// calls it every second: the writer stops checkpointing inside its own commits.
    pub async fn checkpoint_in_background(&self) -> Result<()> {
        sqlx::query("PRAGMA wal_autocheckpoint = 0")
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Keeps the journal short off the path of any request; a server calls it every second.
    ///
    /// A PASSIVE checkpoint on a reader connection copies what the journal holds into the
    /// file without waiting for anyone: the writer goes on meanwhile. SQLite starts the journal
    /// again from its beginning only when a writer finds every frame already copied, which
    /// under steady load does not happen (the writer has always added some since), and the
    /// copy that lets it happen stalls writing for 50–200 ms on a small server (measured with
    /// `bench/field`). So that copy runs on the writer's own connection, queued like any
    /// write, only when it costs nobody — no frame was added since the last call — or when the
    /// journal holds [`RESTART_FRAMES`]; the next write then starts the journal again.
    pub async fn checkpoint(&self) -> Result<Checkpoint> {
        let passive = wal_checkpoint(&self.pool).await?;
        let before = self
            .journal_frames
            .swap(passive.frames, std::sync::atomic::Ordering::Relaxed);
        let idle = passive.frames > 0 && passive.frames == before && !passive.busy;
        if idle || passive.frames >= RESTART_FRAMES {
            return wal_checkpoint(&self.writer).await;
        }
        Ok(passive)
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

include!("registry_sql.rs");
include!("accounts_sql.rs");
include!("field_sql.rs");
include!("flights_sql.rs");
include!("dedup_sql.rs");
