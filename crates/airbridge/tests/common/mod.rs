//! Helpers shared by the integration tests of the `airbridge` binary: running it on a database
//! with the test key, checking its exit code, reading its `--json` output, and the two backends
//! (a SQLite file, or a database of its own on a PostgreSQL server the tests start) that
//! `contract_tests!` runs a test on.
//!
//! Each test file is a crate of its own and uses only some of these.
#![allow(dead_code)]

use airbridge_store::testing::TestPostgres;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

/// The database key of these tests: SQLite files are encrypted, as on an operator's machine,
/// and never with a key file from the real configuration directory.
pub const TEST_KEY: &str = "6a0e1d2c3b4a59687f0e1d2c3b4a59687f0e1d2c3b4a59687f0e1d2c3b4a5968";

/// The binary, with nothing set.
pub fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_airbridge"))
}

/// `airbridge --db DB` with none of the operator's key settings (no key, key file,
/// passphrase or `AIRBRIDGE_NO_ENCRYPTION`).
pub fn keyless(db: impl AsRef<OsStr>) -> Command {
    let mut command = binary();
    command
        .arg("--db")
        .arg(db)
        .env_remove("AIRBRIDGE_DB_KEY")
        .env_remove("AIRBRIDGE_DB_KEY_FILE")
        .env_remove("AIRBRIDGE_DB_PASSPHRASE")
        .env_remove("AIRBRIDGE_NO_ENCRYPTION");
    command
}

/// `airbridge --db DB` with the test key and no other key setting.
pub fn command(db: impl AsRef<OsStr>) -> Command {
    let mut command = keyless(db);
    command.env("AIRBRIDGE_DB_KEY", TEST_KEY);
    command
}

/// `airbridge --db DB serve --port 0` with the test key, started; its stderr (where it says
/// its address) is piped, its stdout discarded.
pub fn spawn_serve(db: &str) -> Child {
    command(db)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// Commands run to completion by one actor (`AIRBRIDGE_ACTOR`, recorded in the audit trail).
#[derive(Clone, Copy, Debug)]
pub struct Cli {
    pub actor: &'static str,
}

/// The actor of most tests.
pub const TESTER: Cli = Cli { actor: "cli:test" };

impl Cli {
    /// `airbridge --db DB ARGS` with the test key and no input; its output, whatever the exit.
    pub fn run(self, db: &str, args: &[&str]) -> Output {
        command(db)
            .args(args)
            .env("AIRBRIDGE_ACTOR", self.actor)
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs")
    }

    /// Runs a command that must succeed; its stdout.
    pub fn ok(self, db: &str, args: &[&str]) -> String {
        let output = self.run(db, args);
        assert!(
            output.status.success(),
            "airbridge {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs a command that must exit with `code`; its stderr.
    pub fn fails(self, db: &str, args: &[&str], code: i32) -> String {
        let output = self.run(db, args);
        assert_eq!(
            output.status.code(),
            Some(code),
            "airbridge {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stderr).unwrap()
    }

    /// Runs `airbridge --json ARGS`, which must succeed; its output parsed.
    pub fn json(self, db: &str, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(db, &all)).unwrap()
    }
}

/// [`Cli::run`] as `cli:test`.
pub fn airbridge(db: &str, args: &[&str]) -> Output {
    TESTER.run(db, args)
}

/// [`Cli::ok`] as `cli:test`.
pub fn ok(db: &str, args: &[&str]) -> String {
    TESTER.ok(db, args)
}

/// [`Cli::fails`] as `cli:test`.
pub fn fails(db: &str, args: &[&str], code: i32) -> String {
    TESTER.fails(db, args, code)
}

/// [`Cli::json`] as `cli:test`.
pub fn json(db: &str, args: &[&str]) -> serde_json::Value {
    TESTER.json(db, args)
}

/// The shared UN consolidated list (`shared/` lies beside the repository).
pub fn un_list() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/sanctions/un/consolidated_2026-05-08.xml")
}

/// Where a test's registry lives.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One PostgreSQL server for the whole test binary, started on first use.
pub fn postgres() -> &'static TestPostgres {
    static SERVER: OnceLock<TestPostgres> = OnceLock::new();
    SERVER.get_or_init(|| TestPostgres::start().expect("these tests need a PostgreSQL server"))
}

/// A new, empty database on the test server; its URL.
pub fn fresh_postgres() -> String {
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(postgres().fresh_database())
        .unwrap()
}

/// A new, empty database named `name`: a file in `dir`, or a database on the test server.
pub fn another_database(backend: Backend, dir: &tempfile::TempDir, name: &str) -> String {
    match backend {
        Backend::Sqlite => dir.path().join(name).display().to_string(),
        Backend::Postgres => fresh_postgres(),
    }
}

/// A new, empty database and the directory it (or anything else the test writes) lives in.
pub fn database(backend: Backend) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = another_database(backend, &dir, "registry.db");
    (dir, db)
}

/// Runs each named `fn(Backend)` as two tests, `sqlite::NAME` and `postgres::NAME`.
#[macro_export]
macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name($crate::common::Backend::Sqlite)
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    super::$name($crate::common::Backend::Postgres)
                }
            )*
        }
    };
}
