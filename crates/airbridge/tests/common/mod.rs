//! Helpers shared by the integration tests of the `airbridge` binary: running it on a database
//! with the test key, checking its exit code, reading its `--json` output, serving on a free
//! port, finding a fully named person in a demo registry, and the two backends
//! (a SQLite file, or a database of its own on a PostgreSQL server the tests start) that
//! `contract_tests!` runs a test on.
//!
//! Each test file is a crate of its own and uses only some of these.
#![allow(dead_code)]

use airbridge_store::testing::TestPostgres;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
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
    spawn_serve_with(db, &[])
}

/// The same with more arguments to `serve` (`--tls-cert FILE`, …).
pub fn spawn_serve_with(db: &str, more: &[&str]) -> Child {
    command(db)
        .args(["serve", "--port", "0"])
        .args(more)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// `airbridge serve` on a free port, with the test key; stopped when dropped.
pub struct Server {
    child: Child,
    /// Its address, `127.0.0.1:PORT`.
    pub host: String,
}

impl Server {
    /// Starts the server and reads its address from the first line it writes.
    pub fn start(db: &str) -> Server {
        Server::start_with(db, &[])
    }

    /// The same with more arguments to `serve`; the address is read whether it says http or
    /// https.
    pub fn start_with(db: &str, more: &[&str]) -> Server {
        let mut child = spawn_serve_with(db, more);
        let mut first = String::new();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        stderr.read_line(&mut first).unwrap();
        // The server goes on writing (a setup link, warnings): keep reading, or its next line
        // would fail on a closed pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stderr.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        let host = first
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("serve said: {first}"))
            .to_owned();
        Server { child, host }
    }

    /// Posts JSON with a bearer token on a connection of its own; the status and the answer
    /// (`null` when it is not JSON).
    pub fn post(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let body = body.to_string();
        let mut stream = std::net::TcpStream::connect(&self.host).unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.host,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let json = response
            .split_once("\r\n\r\n")
            .and_then(|(_, body)| serde_json::from_str(body).ok())
            .unwrap_or_default();
        (status, json)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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

    /// A registered person (of the first thousand `person search` gives) with a given name,
    /// a family name, a father's name and a birth date down to the day, for whom `also` holds.
    pub fn fully_named_person(
        self,
        db: &str,
        also: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let people = self.json(db, &["person", "search", "--limit", "1000"]);
        people
            .as_array()
            .unwrap()
            .iter()
            .find(|p| {
                let name = &p["person"]["name"];
                name["given"].is_string()
                    && name["family"].is_string()
                    && name["father"].is_string()
                    && p["person"]["birth_date"]["day"].is_u64()
                    && also(p)
            })
            .expect("the demo has fully named people")
            .clone()
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
