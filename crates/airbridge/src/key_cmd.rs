//! How the binary unlocks a SQLite database, and the `airbridge db keygen|encrypt|rekey`
//! commands.
//!
//! Every SQLite file the binary creates is encrypted whole (SQLCipher) unless the operator
//! says `--no-encryption`. The key comes from exactly one of:
//! - `AIRBRIDGE_DB_KEY`: 32 bytes as 64 hexadecimal digits or base64;
//! - `--db-key-file FILE` (or `AIRBRIDGE_DB_KEY_FILE`): a file only its owner can read, not in
//!   the database's directory;
//! - a passphrase: `AIRBRIDGE_DB_PASSPHRASE`, or asked on the terminal with `--ask-passphrase`,
//!   stretched with Argon2id and the salt SQLCipher keeps in the file's first bytes;
//! - otherwise the database's own key file in the user's configuration directory
//!   (`$XDG_CONFIG_HOME/airbridge/keys/NAME-HASH.key`, named after the database's full path),
//!   created with a new random key, and announced on stderr, when a new database is created.
//!   This keeps `airbridge demo` working on a fresh machine with no setup, and the key apart
//!   from the data: copying the database's directory does not copy its key.
//!
//! Every command opens its database through [`open_store`], so none can forget the key. The
//! options are read once, at start (like `--db`), into [`configure`].

use crate::InvalidInput;
use airbridge_store::any::Location;
use airbridge_store::key::{DatabaseFile, default_key_file};
use airbridge_store::{AnyStore, DatabaseKey, Encryption, OpenMode, SqliteStore};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Mutex, OnceLock};
use zeroize::Zeroizing;

/// The global options that say how to unlock the SQLite database.
#[derive(Debug, Clone, Default, Args)]
pub struct KeyOptions {
    /// The SQLite database's key file (64 hex digits or base64 of 32 bytes; make one with
    /// `airbridge db keygen`). Other sources: AIRBRIDGE_DB_KEY, AIRBRIDGE_DB_PASSPHRASE, else
    /// the database's own key file in ~/.config/airbridge/keys/.
    #[arg(
        long,
        global = true,
        env = "AIRBRIDGE_DB_KEY_FILE",
        value_name = "FILE"
    )]
    pub db_key_file: Option<PathBuf>,
    /// Ask for the SQLite database's passphrase on the terminal.
    #[arg(long, global = true)]
    pub ask_passphrase: bool,
    /// Create or open a SQLite file without encryption (tests, benchmarks): anyone who copies
    /// the file can read every name in it.
    #[arg(long, global = true, env = "AIRBRIDGE_NO_ENCRYPTION")]
    pub no_encryption: bool,
}

static OPTIONS: OnceLock<KeyOptions> = OnceLock::new();

/// Records the key options of this run; called once by `main`.
pub fn configure(options: KeyOptions) {
    let _ = OPTIONS.set(options);
}

fn options() -> KeyOptions {
    OPTIONS.get().cloned().unwrap_or_default()
}

/// Where a key came from, for messages (never the key itself).
#[derive(Debug, Clone)]
pub enum KeySource {
    None,
    Environment,
    File(PathBuf),
    /// The database's own key file in the configuration directory.
    DefaultFile(PathBuf),
    Passphrase,
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::None => f.write_str("no key (--no-encryption)"),
            KeySource::Environment => f.write_str("the key in AIRBRIDGE_DB_KEY"),
            KeySource::File(path) => write!(f, "the key file {}", path.display()),
            KeySource::DefaultFile(path) => {
                write!(f, "the database's key file {}", path.display())
            }
            KeySource::Passphrase => f.write_str("the passphrase"),
        }
    }
}

/// How to open one SQLite file, and why.
#[derive(Debug, Clone)]
pub struct Unlock {
    pub encryption: Encryption,
    pub source: KeySource,
}

/// Whether resolving a key may create the database's default key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKey {
    /// A new database is being created: make it a key when none is given.
    CreateForNewDatabase,
    /// Only read keys (restores, verifying copies).
    Never,
}

/// Opens a database as every command should: a SQLite file with its key.
pub async fn open_store(location: &Location, mode: OpenMode) -> anyhow::Result<AnyStore> {
    match location {
        Location::Postgres(_) => Ok(AnyStore::open(location, mode).await?),
        Location::Sqlite(path) => {
            if mode == OpenMode::MustExist && !path.exists() {
                // The store's own message ("no such file; create it with …").
                return Ok(AnyStore::open(location, mode).await?);
            }
            let new_key = match mode {
                OpenMode::CreateIfMissing => NewKey::CreateForNewDatabase,
                OpenMode::MustExist => NewKey::Never,
            };
            let unlock = resolve(path, new_key)?;
            open_unlocked(location, mode, &unlock).await
        }
    }
}

/// Opens a database with a key already resolved (a backup with its database's key).
pub async fn open_unlocked(
    location: &Location,
    mode: OpenMode,
    unlock: &Unlock,
) -> anyhow::Result<AnyStore> {
    let store = AnyStore::open_with(location, mode, &unlock.encryption)
        .await
        .with_context(|| match &unlock.source {
            KeySource::None => format!("opening {} without encryption", location.display()),
            source => format!("opening {} with {source}", location.display()),
        })?;
    OPENED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(store.clone());
    Ok(store)
}

/// Every store this run opened, to be closed before the process exits.
static OPENED: Mutex<Vec<AnyStore>> = Mutex::new(Vec::new());

/// Closes every store this run opened, waiting for their connections to close. Called by
/// `main` before exiting: a pool merely dropped closes its SQLCipher connections on their own
/// threads, and a process exiting meanwhile runs OpenSSL's exit-time cleanup under them,
/// which crashed the process now and then (seen as a killed `person search`).
pub async fn close_all() {
    let stores = std::mem::take(&mut *OPENED.lock().unwrap_or_else(|p| p.into_inner()));
    for store in stores {
        store.close().await;
    }
}

/// The key for the SQLite file at `database`, from this run's options and environment.
pub fn resolve(database: &Path, new_key: NewKey) -> anyhow::Result<Unlock> {
    let options = options();
    let key_text = secret_variable("AIRBRIDGE_DB_KEY");
    let passphrase = secret_variable("AIRBRIDGE_DB_PASSPHRASE");
    let mut given: Vec<&str> = Vec::new();
    if key_text.is_some() {
        given.push("AIRBRIDGE_DB_KEY");
    }
    if options.db_key_file.is_some() {
        given.push("--db-key-file (or AIRBRIDGE_DB_KEY_FILE)");
    }
    if passphrase.is_some() {
        given.push("AIRBRIDGE_DB_PASSPHRASE");
    }
    if options.ask_passphrase {
        given.push("--ask-passphrase");
    }
    if options.no_encryption && !given.is_empty() {
        return Err(InvalidInput(format!(
            "--no-encryption and a key ({}) were both given; choose one",
            given.join(", ")
        ))
        .into());
    }
    if given.len() > 1 {
        return Err(InvalidInput(format!(
            "several database keys were given ({}); give one",
            given.join(", ")
        ))
        .into());
    }
    let file = DatabaseFile::inspect(database)
        .with_context(|| format!("cannot read {}", database.display()))?;
    if options.no_encryption {
        return Ok(Unlock {
            encryption: Encryption::Plaintext,
            source: KeySource::None,
        });
    }
    if let Some(text) = key_text {
        let key = DatabaseKey::parse(&text)
            .map_err(|e| InvalidInput(format!("AIRBRIDGE_DB_KEY: {e}")))?;
        return Ok(Unlock {
            encryption: Encryption::Key(key),
            source: KeySource::Environment,
        });
    }
    if let Some(path) = &options.db_key_file {
        let key = DatabaseKey::read_file(path, Some(database))
            .map_err(|e| InvalidInput(e.to_string()))?;
        return Ok(Unlock {
            encryption: Encryption::Key(key),
            source: KeySource::File(path.clone()),
        });
    }
    if let Some(passphrase) = passphrase {
        return Ok(Unlock {
            encryption: Encryption::Passphrase(passphrase),
            source: KeySource::Passphrase,
        });
    }
    if options.ask_passphrase {
        let confirm = file == DatabaseFile::New;
        return Ok(Unlock {
            encryption: Encryption::Passphrase(ask_passphrase(database, confirm)?),
            source: KeySource::Passphrase,
        });
    }
    default_unlock(database, &file, new_key)
}

/// No key given: the database's own key file in the configuration directory.
fn default_unlock(database: &Path, file: &DatabaseFile, new_key: NewKey) -> anyhow::Result<Unlock> {
    if *file == DatabaseFile::Plaintext {
        return Err(InvalidInput(format!(
            "{} is not encrypted (it was created with --no-encryption): pass --no-encryption to \
             use it as it is, or write an encrypted copy with `airbridge --db {} db encrypt --to \
             NEW.db`",
            database.display(),
            database.display()
        ))
        .into());
    }
    let key_file = default_key_file(&config_directory()?, database);
    if key_file.exists() {
        let key = DatabaseKey::read_file(&key_file, Some(database))
            .map_err(|e| InvalidInput(e.to_string()))?;
        return Ok(Unlock {
            encryption: Encryption::Key(key),
            source: KeySource::DefaultFile(key_file),
        });
    }
    if *file != DatabaseFile::New || new_key == NewKey::Never {
        return Err(InvalidInput(format!(
            "{} is encrypted and no key was given (its own key file would be {}); give its key \
             with --db-key-file FILE, AIRBRIDGE_DB_KEY or AIRBRIDGE_DB_PASSPHRASE (a backup opens \
             with the key of the database it was taken from)",
            database.display(),
            key_file.display()
        ))
        .into());
    }
    let key = DatabaseKey::generate()?;
    key.write_new_file(&key_file)?;
    eprintln!(
        "The new database {} is encrypted with a new key, written to {} (only you can read it). \
         Without that key nobody can open the database, you included: keep a copy apart from the \
         database (a password manager, a token), never beside it.",
        database.display(),
        key_file.display()
    );
    Ok(Unlock {
        encryption: Encryption::Key(key),
        source: KeySource::DefaultFile(key_file),
    })
}

/// `$XDG_CONFIG_HOME/airbridge/keys`, else `$HOME/.config/airbridge/keys`.
fn config_directory() -> anyhow::Result<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".config"))
        })
        .ok_or_else(|| {
            InvalidInput(
                "no configuration directory to keep the database's key in (neither \
                 XDG_CONFIG_HOME nor HOME is set): give a key with --db-key-file FILE, \
                 AIRBRIDGE_DB_KEY or AIRBRIDGE_DB_PASSPHRASE"
                    .to_owned(),
            )
        })?;
    Ok(base.join("airbridge").join("keys"))
}

fn secret_variable(name: &str) -> Option<Zeroizing<String>> {
    std::env::var(name)
        .ok()
        .map(Zeroizing::new)
        .filter(|value| !value.trim().is_empty())
}

fn ask_passphrase(database: &Path, confirm: bool) -> anyhow::Result<Zeroizing<String>> {
    let first = Zeroizing::new(
        rpassword::prompt_password(format!("Passphrase for {}: ", database.display()))
            .context("cannot read the passphrase from the terminal")?,
    );
    if first.is_empty() {
        return Err(InvalidInput("the passphrase is empty".to_owned()).into());
    }
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("The same passphrase again: ")
                .context("cannot read the passphrase from the terminal")?,
        );
        if *again != *first {
            return Err(InvalidInput("the two passphrases differ".to_owned()).into());
        }
    }
    Ok(first)
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Write a new random 256-bit key to a new file only you can read (0600).
    Keygen {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write an encrypted copy of a plaintext --db (one created with --no-encryption), with the
    /// key given as usual (a new key file in ~/.config/airbridge/keys/ when none is).
    Encrypt {
        /// The encrypted copy to write (it must not exist yet).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Encrypt --db with a new key, in place (stop every instance using it first). Backups
    /// taken before keep the old key: keep it as long as them.
    Rekey {
        /// The new key's file (make one with `airbridge db keygen`).
        #[arg(long, value_name = "FILE", conflicts_with = "new_passphrase")]
        new_key_file: Option<PathBuf>,
        /// A new passphrase, from AIRBRIDGE_NEW_DB_PASSPHRASE or asked on the terminal.
        #[arg(long)]
        new_passphrase: bool,
    },
}

pub async fn run(db: &Location, command: DbCommand, json: bool) -> anyhow::Result<ExitCode> {
    let Location::Sqlite(path) = db else {
        return Err(InvalidInput(format!(
            "{} is a PostgreSQL database: it relies on its server's encrypted volume \
             (docs/postgres.md); `airbridge db` encrypts SQLite files",
            db.display()
        ))
        .into());
    };
    match command {
        DbCommand::Keygen { out } => {
            DatabaseKey::generate()?
                .write_new_file(&out)
                .map_err(|e| InvalidInput(e.to_string()))?;
            report(
                json,
                serde_json::json!({ "key_file": out }),
                format!(
                    "Wrote a new key to {} (mode 0600). Use it with --db-key-file; keep a copy \
                     apart from the database.",
                    out.display()
                ),
            )?;
        }
        DbCommand::Encrypt { to } => {
            if to.exists() {
                return Err(InvalidInput(format!(
                    "{} already exists; an encrypted copy never overwrites a file",
                    to.display()
                ))
                .into());
            }
            if DatabaseFile::inspect(path)? != DatabaseFile::Plaintext {
                return Err(InvalidInput(format!(
                    "{} is not a plaintext SQLite database (to change an encrypted database's \
                     key: `airbridge db rekey`)",
                    path.display()
                ))
                .into());
            }
            let unlock = resolve(&to, NewKey::CreateForNewDatabase)?;
            if !unlock.encryption.is_encrypted() {
                return Err(InvalidInput(
                    "`db encrypt` with --no-encryption would write another plaintext copy"
                        .to_owned(),
                )
                .into());
            }
            let source = SqliteStore::open(path, OpenMode::MustExist).await?;
            let written = source.export_to(&to, &unlock.encryption).await;
            source.close().await;
            written?;
            let copy =
                open_unlocked(&Location::Sqlite(to.clone()), OpenMode::MustExist, &unlock).await?;
            let checked = crate::db_cmd::check(&copy).await;
            copy.close().await;
            let summary = checked?;
            report(
                json,
                serde_json::json!({ "encrypted": to, "from": path, "checked": summary }),
                format!(
                    "Wrote {} encrypted with {}: {summary}. The plaintext {} still holds every \
                     name in clear: delete it (and its copies) once you have checked the new file.",
                    to.display(),
                    unlock.source,
                    path.display()
                ),
            )?;
        }
        DbCommand::Rekey {
            new_key_file,
            new_passphrase,
        } => rekey(path, new_key_file, new_passphrase, json).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the database again under the new key beside it, checks the copy, then moves it into
/// place: a failed rekey leaves the database as it was.
async fn rekey(
    path: &Path,
    new_key_file: Option<PathBuf>,
    new_passphrase: bool,
    json: bool,
) -> anyhow::Result<()> {
    let location = Location::Sqlite(path.to_owned());
    let old = resolve(path, NewKey::Never)?;
    if !old.encryption.is_encrypted() {
        return Err(InvalidInput(format!(
            "{} is not encrypted: write an encrypted copy with `airbridge db encrypt --to FILE`",
            path.display()
        ))
        .into());
    }
    let (encryption, source) = if let Some(file) = &new_key_file {
        let key =
            DatabaseKey::read_file(file, Some(path)).map_err(|e| InvalidInput(e.to_string()))?;
        (Encryption::Key(key), KeySource::File(file.clone()))
    } else if new_passphrase {
        let passphrase = match secret_variable("AIRBRIDGE_NEW_DB_PASSPHRASE") {
            Some(passphrase) => passphrase,
            None => ask_passphrase(path, true)?,
        };
        (Encryption::Passphrase(passphrase), KeySource::Passphrase)
    } else {
        return Err(InvalidInput(
            "give the new key: --new-key-file FILE (make one with `airbridge db keygen --out \
             FILE`) or --new-passphrase"
                .to_owned(),
        )
        .into());
    };
    let new = Unlock { encryption, source };
    let directory = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging_directory = tempfile::Builder::new()
        .prefix(".airbridge-rekey-")
        .tempdir_in(directory)
        .with_context(|| format!("cannot write in {}", directory.display()))?;
    let staging = staging_directory.path().join("rekeyed.db");
    let store = open_unlocked(&location, OpenMode::MustExist, &old).await?;
    let AnyStore::Sqlite(sqlite) = &store else {
        unreachable!("a file path opens SQLite");
    };
    let written = sqlite.export_to(&staging, &new.encryption).await;
    store.close().await;
    written?;
    let copy = open_unlocked(
        &Location::Sqlite(staging.clone()),
        OpenMode::MustExist,
        &new,
    )
    .await?;
    let checked = crate::db_cmd::check(&copy).await;
    copy.close().await;
    let summary = checked?;
    for suffix in ["-wal", "-shm"] {
        let stale = PathBuf::from(format!("{}{suffix}", path.display()));
        if stale.exists() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("cannot remove {}", stale.display()))?;
        }
    }
    std::fs::rename(&staging, path)
        .with_context(|| format!("cannot move the rekeyed file to {}", path.display()))?;
    // The database's own key file no longer opens it; keep it under another name for the
    // backups taken before, so it is not tried again by mistake.
    let mut retired = None;
    if let KeySource::DefaultFile(old_file) = &old.source {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let renamed = PathBuf::from(format!("{}.replaced-{seconds}", old_file.display()));
        std::fs::rename(old_file, &renamed)
            .with_context(|| format!("cannot rename {}", old_file.display()))?;
        retired = Some(renamed);
    }
    let mut text = format!(
        "{} is now encrypted with {}: {summary}.",
        path.display(),
        new.source
    );
    if let Some(renamed) = &retired {
        text.push_str(&format!(
            " Its old key file is kept as {} for the backups taken before.",
            renamed.display()
        ));
    } else {
        text.push_str(" Backups taken before still need the old key.");
    }
    report(
        json,
        serde_json::json!({ "rekeyed": path, "checked": summary, "old_key_file": retired }),
        text,
    )
}

fn report(json: bool, value: serde_json::Value, text: String) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!("{text}");
    }
    Ok(())
}
