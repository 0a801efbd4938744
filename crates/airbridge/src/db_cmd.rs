//! `airbridge migrate`, `backup` and `restore`: moving a registry from one database to another
//! (a laptop's SQLite file onto a PostgreSQL server), and keeping copies of it.
//!
//! A SQLite backup is a consistent snapshot taken while the registry is in use (`VACUUM INTO`);
//! a PostgreSQL backup is `pg_dump`'s custom format. Each is checked after it is written, and a
//! restore is checked (integrity and the audit chain) before it replaces anything.

use crate::InvalidInput;
use crate::key_cmd::{KeySource, NewKey, open_store, open_unlocked, resolve};
use airbridge_store::any::Location;
use airbridge_store::{AnyStore, OpenMode, PgStore, Store};
use anyhow::{Context, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The registry to copy: PATH, sqlite:PATH or postgres://…
    #[arg(long, value_name = "PATH|URL")]
    pub from: String,
    /// Where to copy it: an empty database (postgres://…, or a new SQLite file).
    #[arg(long, value_name = "PATH|URL")]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write (it must not exist yet).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore into --db.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Replace an existing SQLite file at --db (stop every instance using it first).
    #[arg(long)]
    pub replace: bool,
}

/// `airbridge migrate --from … --to …`: copies every table, then compares counts and checksums
/// and verifies the audit chain on the target.
pub async fn migrate(args: MigrateArgs, json: bool) -> anyhow::Result<ExitCode> {
    let from = Location::parse(&args.from);
    let to = Location::parse(&args.to);
    if from == to {
        return Err(InvalidInput("--from and --to name the same database".into()).into());
    }
    let source = open_store(&from, OpenMode::MustExist)
        .await
        .context("opening the source (--from)")?;
    let target = open_store(&to, OpenMode::CreateIfMissing)
        .await
        .context("opening the target (--to)")?;
    let report = source.copy_into(&target).await?;
    source.close().await;
    target.close().await;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("Copied {} → {}", from.display(), to.display());
        println!(
            "{:<16} {:>10}  {:<32}  {:<32}",
            "table", "rows", "source checksum", "target checksum"
        );
        for table in &report.tables {
            println!(
                "{:<16} {:>10}  {:<32}  {:<32}",
                table.table, table.rows, table.source_checksum, table.target_checksum
            );
        }
        match &report.audit.broken_at {
            None => println!(
                "Audit chain on the target: ok ({} events)",
                report.audit.events
            ),
            Some((seq, why)) => println!("Audit chain on the target: BROKEN at {seq}: {why}"),
        }
        println!(
            "{}",
            if report.verified {
                "Verified: every table's count and checksum match."
            } else {
                "NOT verified: the target differs from the source (see above)."
            }
        );
    }
    Ok(if report.verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::exit::INTERNAL)
    })
}

/// `airbridge backup --to FILE`.
pub async fn backup(db: &Location, args: BackupArgs, json: bool) -> anyhow::Result<ExitCode> {
    if args.to.exists() {
        return Err(InvalidInput(format!(
            "{} already exists; a backup never overwrites a file",
            args.to.display()
        ))
        .into());
    }
    let summary = match db {
        Location::Sqlite(path) => {
            if !path.exists() {
                return Err(InvalidInput(format!("{} does not exist", path.display())).into());
            }
            let unlock = resolve(path, NewKey::Never)?;
            let store = open_unlocked(db, OpenMode::MustExist, &unlock).await?;
            let AnyStore::Sqlite(sqlite) = &store else {
                bail!("{} is not a SQLite database", db.display());
            };
            // An encrypted database's copy is encrypted with the same key (and salt).
            sqlite.backup_to(&args.to).await?;
            store.close().await;
            // The copy is checked as a restore would check it, with the database's key.
            let copy = open_unlocked(
                &Location::Sqlite(args.to.clone()),
                OpenMode::MustExist,
                &unlock,
            )
            .await
            .context("the backup cannot be opened")?;
            let checked = check(&copy).await;
            copy.close().await;
            let protection = match &unlock.source {
                KeySource::None => "NOT encrypted (--no-encryption)".to_owned(),
                source => format!("encrypted with {source}"),
            };
            format!("{}; {protection}", checked?)
        }
        Location::Postgres(url) => {
            run_tool(
                Command::new(postgres_tool("pg_dump"))
                    .args(["--format=custom", "--no-owner", "--file"])
                    .arg(&args.to)
                    .arg(url),
                "pg_dump",
            )?;
            run_tool(
                Command::new(postgres_tool("pg_restore"))
                    .arg("--list")
                    .arg(&args.to),
                "pg_restore --list (checking the dump)",
            )?;
            "pg_dump custom format, readable by pg_restore".to_owned()
        }
    };
    let size = std::fs::metadata(&args.to).map(|m| m.len()).unwrap_or(0);
    if json {
        println!(
            "{}",
            serde_json::json!({ "backup": args.to, "bytes": size, "checked": summary })
        );
    } else {
        println!(
            "Backup of {} written to {} ({size} bytes): {summary}",
            db.display(),
            args.to.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `airbridge restore --from FILE`: into a new (or, with --replace, an existing) SQLite file,
/// or into an empty PostgreSQL database.
pub async fn restore(db: &Location, args: RestoreArgs, json: bool) -> anyhow::Result<ExitCode> {
    let magic = read_magic(&args.from)?;
    let summary = match db {
        Location::Sqlite(target) => {
            // A plaintext backup starts with SQLite's header, an encrypted one with its salt;
            // opening it with the key tells the rest.
            if magic.starts_with(b"PGDMP") || magic.is_empty() {
                return Err(InvalidInput(format!(
                    "{} is not a SQLite backup (a PostgreSQL dump restores into postgres://…)",
                    args.from.display()
                ))
                .into());
            }
            if target.exists() && !args.replace {
                return Err(InvalidInput(format!(
                    "{} already exists; pass --replace to overwrite it (stop every instance using it first)",
                    target.display()
                ))
                .into());
            }
            restore_sqlite(&args.from, target).await?
        }
        Location::Postgres(url) => {
            if !magic.starts_with(b"PGDMP") {
                return Err(InvalidInput(format!(
                    "{} is not a pg_dump backup (a SQLite backup restores into a file, or moves \
                     onto PostgreSQL with `airbridge migrate`)",
                    args.from.display()
                ))
                .into());
            }
            if PgStore::holds_registry(url).await? {
                return Err(InvalidInput(format!(
                    "{} already holds a registry; restore into an empty database",
                    db.display()
                ))
                .into());
            }
            run_tool(
                Command::new(postgres_tool("pg_restore"))
                    .args(["--single-transaction", "--exit-on-error", "--no-owner"])
                    .arg("--dbname")
                    .arg(url)
                    .arg(&args.from),
                "pg_restore",
            )?;
            let store = open_store(db, OpenMode::MustExist).await?;
            let checked = check(&store).await;
            store.close().await;
            checked?
        }
    };
    if json {
        println!(
            "{}",
            serde_json::json!({ "restored": db.display(), "from": args.from, "checked": summary })
        );
    } else {
        println!(
            "Restored {} from {}: {summary}",
            db.display(),
            args.from.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Copies the backup beside the target, opens and checks the copy (bringing an older backup's
/// schema up to date), and only then moves it into place: a failed restore leaves the target
/// as it was, and the backup itself is never changed.
async fn restore_sqlite(backup: &Path, target: &Path) -> anyhow::Result<String> {
    let directory = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = tempfile::Builder::new()
        .prefix(".airbridge-restore-")
        .suffix(".db")
        .tempfile_in(directory)
        .with_context(|| format!("cannot write in {}", directory.display()))?;
    std::fs::copy(backup, staging.path())
        .with_context(|| format!("cannot read {}", backup.display()))?;
    // The backup opens with the key given for the target (or the target's own key file): the
    // key of the database the backup was taken from.
    let unlock = match resolve(backup, NewKey::Never) {
        Ok(unlock) => unlock,
        Err(first) => resolve(target, NewKey::Never).map_err(|_| first)?,
    };
    let store = open_unlocked(
        &Location::Sqlite(staging.path().to_owned()),
        OpenMode::MustExist,
        &unlock,
    )
    .await
    .context("the backup cannot be opened")?;
    let checked = check(&store).await;
    store.close().await;
    let summary = checked?;
    for suffix in ["-wal", "-shm"] {
        let stale = PathBuf::from(format!("{}{suffix}", target.display()));
        if stale.exists() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("cannot remove {}", stale.display()))?;
        }
    }
    staging
        .persist(target)
        .with_context(|| format!("cannot move the restored file to {}", target.display()))?;
    Ok(summary)
}

/// Integrity and audit chain of an opened copy, as one line; an error when either fails.
pub(crate) async fn check(store: &AnyStore) -> anyhow::Result<String> {
    let problems = store.integrity_problems().await?;
    if !problems.is_empty() {
        bail!("the copy is damaged: {}", problems.join("; "));
    }
    let audit = store.audit_verify().await?;
    if let Some((seq, why)) = audit.broken_at {
        bail!("the copy's audit chain is broken at event {seq}: {why}");
    }
    let people: i64 = store.totals().await?.iter().map(|t| t.people).sum();
    Ok(format!(
        "integrity ok, audit chain ok ({} events), {people} people",
        audit.events
    ))
}

fn read_magic(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut magic = Vec::with_capacity(16);
    std::fs::File::open(path)
        .with_context(|| format!("cannot open {}", path.display()))?
        .take(16)
        .read_to_end(&mut magic)?;
    Ok(magic)
}

/// A PostgreSQL client program: from `AIRBRIDGE_PG_BIN`, else PostgreSQL 15's directory when
/// present, else the PATH.
fn postgres_tool(name: &str) -> PathBuf {
    let directory = std::env::var_os("AIRBRIDGE_PG_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/postgresql/15/bin"));
    let candidate = directory.join(name);
    if candidate.exists() {
        candidate
    } else {
        PathBuf::from(name)
    }
}

fn run_tool(command: &mut Command, what: &str) -> anyhow::Result<()> {
    let output = command.output().with_context(|| {
        format!("cannot run {what} (install postgresql-client, or set AIRBRIDGE_PG_BIN)")
    })?;
    if !output.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
