//! sqlx's SQLite connection lent to rusqlite, for bulk writes.
//!
//! sqlx runs each statement on a worker thread, binds every value through its own argument
//! list and copies it again into SQLite. For an import of a million people that machinery
//! costs more than SQLite's own work. rusqlite's prepared statements, bound and stepped on the
//! caller's thread, do not. This crate lends a locked sqlx connection, inside whatever
//! transaction it has open, to rusqlite for the length of one closure.
//!
//! It is the workspace's only unsafe code, in one call, kept apart so the rest keeps
//! `unsafe_code = "forbid"`.

use std::borrow::Cow;
use std::fmt;

pub use rusqlite;

/// A statement rusqlite ran that SQLite refused, as sqlx reports its own: callers handle one
/// kind of database error whichever library ran the statement.
#[derive(Debug)]
struct Refused {
    message: String,
    /// SQLite's extended result code.
    code: Option<i32>,
    source: rusqlite::Error,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refused {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl sqlx::error::DatabaseError for Refused {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        self.code.map(|code| Cow::Owned(code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        use sqlx::error::ErrorKind;
        match self.code {
            Some(ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                ErrorKind::UniqueViolation
            }
            Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => ErrorKind::ForeignKeyViolation,
            Some(ffi::SQLITE_CONSTRAINT_NOTNULL) => ErrorKind::NotNullViolation,
            Some(ffi::SQLITE_CONSTRAINT_CHECK) => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

fn to_sqlx(error: rusqlite::Error) -> sqlx::Error {
    let code = match &error {
        rusqlite::Error::SqliteFailure(failure, _) => Some(failure.extended_code),
        _ => None,
    };
    sqlx::Error::Database(Box::new(Refused {
        message: error.to_string(),
        code,
        source: error,
    }))
}

/// Runs `work` on `connection` through rusqlite, on the calling thread, and returns what it
/// returns; SQLite's errors come back as sqlx's (`sqlx::Error::Database`, with SQLite's
/// extended result code). Whatever transaction the connection has open stays open:
/// statements run inside it, and sqlx commits or rolls back as usual afterwards.
///
/// `work` should be short enough to block the calling thread (a batch of rows, not a whole
/// import): it runs synchronously.
pub async fn with_rusqlite<R>(
    connection: &mut sqlx::SqliteConnection,
    work: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<R>,
) -> Result<R, sqlx::Error> {
    // The lock keeps sqlx's worker thread off the handle until it is released, after `work`.
    let mut locked = connection.lock_handle().await?;
    let raw = locked.as_raw_handle().as_ptr();
    // SAFETY: `raw` is an open connection (sqlx holds it open for as long as `locked` lives),
    // and nothing else uses it while `locked` is held: sqlx's worker waits for the lock. The
    // rusqlite connection does not own the handle (`from_handle` never closes it), is dropped
    // before the lock is released, and cannot leave `work`: it is lent by reference, and every
    // statement prepared on it borrows it, so is finalised inside `work`. sqlx's own prepared
    // statements are left alone.
    #[allow(unsafe_code)]
    let lent = unsafe { rusqlite::Connection::from_handle(raw) }.map_err(to_sqlx)?;
    let result = work(&lent).map_err(to_sqlx);
    drop(lent);
    drop(locked);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection, Row};

    #[tokio::test]
    async fn statements_run_inside_the_sqlx_transaction_and_roll_back_with_it() {
        let mut connection = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            .execute(&mut connection)
            .await
            .unwrap();

        let mut tx = connection.begin().await.unwrap();
        let inserted = with_rusqlite(&mut tx, |db| {
            let mut insert = db.prepare("INSERT INTO t (id, name) VALUES (?1, ?2)")?;
            for (id, name) in [(1, "Ahmad"), (2, "Maryam")] {
                insert.execute(rusqlite::params![id, name])?;
            }
            Ok(db.changes())
        })
        .await
        .unwrap();
        assert_eq!(inserted, 1);
        // sqlx sees the rows inside its transaction…
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(count, 2);
        tx.rollback().await.unwrap();
        // …and they go with it.
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(&mut connection)
            .await
            .unwrap();
        assert_eq!(count, 0);

        // The connection is sqlx's again, whole: a committed write stays.
        let mut tx = connection.begin().await.unwrap();
        with_rusqlite(&mut tx, |db| {
            db.execute("INSERT INTO t (id, name) VALUES (3, 'Karim')", [])
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let row = sqlx::query("SELECT name FROM t WHERE id = 3")
            .fetch_one(&mut connection)
            .await
            .unwrap();
        assert_eq!(row.get::<String, _>("name"), "Karim");
    }

    #[tokio::test]
    async fn sqlites_refusals_come_back_as_sqlx_database_errors() {
        let mut connection = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        let failed = with_rusqlite(&mut connection, |db| {
            db.execute("INSERT INTO missing (id) VALUES (1)", [])
        })
        .await
        .unwrap_err();
        assert!(
            failed.to_string().contains("no such table: missing"),
            "{failed}"
        );

        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .execute(&mut connection)
            .await
            .unwrap();
        let failed = with_rusqlite(&mut connection, |db| {
            db.execute("INSERT INTO t (id) VALUES (1)", [])?;
            db.execute("INSERT INTO t (id) VALUES (1)", [])
        })
        .await
        .unwrap_err();
        let sqlx::Error::Database(refused) = failed else {
            panic!("not a database error: {failed}");
        };
        assert!(refused.is_unique_violation(), "{refused}");
        assert_eq!(refused.code().as_deref(), Some("1555"));
        // The connection still works through sqlx afterwards.
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(&mut connection)
            .await
            .unwrap();
        assert_eq!(count, 1);
    }
}
