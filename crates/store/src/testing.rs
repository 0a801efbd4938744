//! A throwaway PostgreSQL server for tests and benchmarks: `initdb` and `pg_ctl` from
//! PostgreSQL's binaries (`AIRBRIDGE_PG_BIN`, else `/usr/lib/postgresql/15/bin`) in a temporary
//! directory, listening on a free port of 127.0.0.1, trusting local connections.
//!
//! PostgreSQL refuses to run as root, and CI runs tests as root: then the server runs as the
//! system user `airbridge-pg` (created when missing) through `runuser`. A watchdog process
//! stops the server and removes its directory when the process that started it exits, since a
//! test binary's statics are never dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The unprivileged user the server runs as when the tests run as root.
const SERVER_USER: &str = "airbridge-pg";

/// A running PostgreSQL server.
#[derive(Debug)]
pub struct TestPostgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    run_as: Option<String>,
    databases: AtomicUsize,
}

/// Why a test server could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot start a test PostgreSQL server: {0}")]
pub struct TestPostgresError(String);

fn fail(message: impl Into<String>) -> TestPostgresError {
    TestPostgresError(message.into())
}

fn postgres_bin() -> PathBuf {
    std::env::var_os("AIRBRIDGE_PG_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/postgresql/15/bin"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The uid and gid of `user`, creating it as a system user when missing.
fn server_user() -> Result<(u32, u32), TestPostgresError> {
    let lookup = || -> Option<(u32, u32)> {
        let id = |flag: &str| -> Option<u32> {
            let out = Command::new("id").args([flag, SERVER_USER]).output().ok()?;
            if !out.status.success() {
                return None;
            }
            String::from_utf8_lossy(&out.stdout).trim().parse().ok()
        };
        Some((id("-u")?, id("-g")?))
    };
    if let Some(ids) = lookup() {
        return Ok(ids);
    }
    let status = Command::new("useradd")
        .args(["--system", "--no-create-home", "--user-group"])
        .args(["--shell", "/usr/sbin/nologin", SERVER_USER])
        .status()
        .map_err(|e| fail(format!("useradd: {e}")))?;
    // Another test binary may have created the user at the same moment.
    lookup().ok_or_else(|| fail(format!("useradd {SERVER_USER} failed ({status})")))
}

fn free_port() -> Result<u16, TestPostgresError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| fail(e.to_string()))?;
    Ok(listener
        .local_addr()
        .map_err(|e| fail(e.to_string()))?
        .port())
}

impl TestPostgres {
    /// Starts a new server; it stops when this value is dropped or, at the latest, when this
    /// process exits.
    pub fn start() -> Result<TestPostgres, TestPostgresError> {
        let bin = postgres_bin();
        if !bin.join("pg_ctl").exists() {
            return Err(fail(format!(
                "no pg_ctl in {} (install postgresql-15, or set AIRBRIDGE_PG_BIN)",
                bin.display()
            )));
        }
        let dir = tempfile::Builder::new()
            .prefix("airbridge-pg-")
            .tempdir()
            .map_err(|e| fail(e.to_string()))?
            .keep();
        let run_as = if is_root() {
            let (uid, gid) = server_user()?;
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .map_err(|e| fail(format!("chown {}: {e}", dir.display())))?;
            Some(SERVER_USER.to_owned())
        } else {
            None
        };
        let mut server = TestPostgres {
            dir,
            bin,
            port: 0,
            run_as,
            databases: AtomicUsize::new(0),
        };
        server.run(
            "initdb",
            &[
                "-D",
                &server.data().display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-locale",
                "--encoding=UTF8",
                "--no-sync",
            ],
        )?;
        server.watch_parent();
        // A free port may be taken by someone else before the server binds it: try a few.
        let mut last = None;
        for _ in 0..5 {
            server.port = free_port()?;
            match server.start_server() {
                Ok(()) => return Ok(server),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| fail("no port")))
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Runs one of PostgreSQL's programs, as the server's user when we are root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(path);
                command
            }
            None => Command::new(path),
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), TestPostgresError> {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| fail(format!("{program}: {e}")))?;
        if !out.status.success() {
            return Err(fail(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(())
    }

    fn start_server(&self) -> Result<(), TestPostgresError> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c max_connections=300 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.display()
        );
        self.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                &self.data().display().to_string(),
                "-l",
                &self.dir.join("server.log").display().to_string(),
                "-o",
                &options,
            ],
        )
    }

    /// Stops the server at once, as a crash would (committed data survives: commits are
    /// synchronous, and `fsync=off` only matters if the machine itself fails).
    pub fn stop(&self) -> Result<(), TestPostgresError> {
        self.run(
            "pg_ctl",
            &[
                "stop",
                "-w",
                "-m",
                "immediate",
                "-D",
                &self.data().display().to_string(),
            ],
        )
    }

    /// Starts the server again on the same port after [`TestPostgres::stop`].
    pub fn restart(&self) -> Result<(), TestPostgresError> {
        self.start_server()
    }

    /// A watchdog that stops the server and removes its directory once this process is gone.
    fn watch_parent(&self) {
        let pg_ctl = self.command("pg_ctl");
        let mut stop: Vec<String> = std::iter::once(pg_ctl.get_program())
            .chain(pg_ctl.get_args())
            .map(|part| part.to_string_lossy().into_owned())
            .collect();
        stop.extend(
            ["stop", "-m", "immediate", "-D"]
                .into_iter()
                .map(str::to_owned),
        );
        stop.push(self.data().display().to_string());
        let quoted: Vec<String> = stop.iter().map(|part| shell_quote(part)).collect();
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            stop = quoted.join(" "),
            dir = shell_quote(&self.dir.display().to_string()),
        );
        // The watchdog must outlive us: its own session, no pipes to the test harness.
        let _ = Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's directory (data, log, socket).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The URL of `database` on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a new, empty database and returns its URL.
    pub async fn fresh_database(&self) -> Result<String, TestPostgresError> {
        use sqlx::Connection;
        let number = self.databases.fetch_add(1, Ordering::SeqCst);
        let name = format!("airbridge_test_{}_{number}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres"))
            .await
            .map_err(|e| fail(e.to_string()))?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .map_err(|e| fail(e.to_string()))?;
        admin.close().await.map_err(|e| fail(e.to_string()))?;
        Ok(self.url(&name))
    }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
