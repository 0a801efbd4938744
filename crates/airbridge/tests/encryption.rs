//! Encryption at rest through the `airbridge` binary, on real files: a fresh machine's first
//! `demo` encrypts the database with a new key kept in the configuration directory; the file,
//! its backup and its write-ahead files hold none of the demo's names in clear; a wrong or
//! missing key is refused with a message saying what to do; passphrases, key files,
//! `--no-encryption`, `db encrypt` and `db rekey` each work as documented.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A machine of its own: a configuration directory and a data directory apart.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("config")).unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        Machine { dir }
    }

    fn data(&self, name: &str) -> PathBuf {
        self.dir.path().join("data").join(name)
    }

    fn keys(&self) -> PathBuf {
        self.dir
            .path()
            .join("config")
            .join("airbridge")
            .join("keys")
    }

    /// Runs `airbridge --db DB ARGS` with only the environment given (no key unless named).
    fn run(&self, db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = common::keyless(db);
        command
            .args(args)
            .env("AIRBRIDGE_ACTOR", common::TESTER.actor)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"));
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().expect("the binary runs")
    }

    fn ok(&self, db: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
        let output = self.run(db, args, env);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            output.status.success(),
            "airbridge {args:?} failed: {stderr}"
        );
        (String::from_utf8(output.stdout).unwrap(), stderr)
    }

    /// The command fails with "refused input" (5); returns its message.
    fn refused(&self, db: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
        let output = self.run(db, args, env);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(
            output.status.code(),
            Some(5),
            "airbridge {args:?}: {stderr}"
        );
        stderr
    }
}

/// Every name word of five letters or more among the people stored (via the decrypted view).
fn stored_names(machine: &Machine, db: &Path, env: &[(&str, &str)]) -> BTreeSet<String> {
    let (out, _) = machine.ok(
        db,
        &["--json", "person", "search", "--limit", "100000"],
        env,
    );
    let people: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let mut names = BTreeSet::new();
    for person in &people {
        for part in ["given", "family", "father", "full"] {
            if let Some(text) = person["person"]["name"][part].as_str() {
                names.extend(
                    text.split_whitespace()
                        // Six bytes or more: a shorter word turns up by chance in megabytes of
                        // ciphertext (five bytes: about once in a thousand runs).
                        .filter(|word| word.len() >= 6)
                        .map(str::to_owned),
                );
            }
        }
    }
    names
}

/// The names (and SQLite's plaintext header) found in clear anywhere in a file, in one pass.
fn clear_text(path: &Path, names: &BTreeSet<String>) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let mut patterns: Vec<&str> = names.iter().map(String::as_str).collect();
    patterns.push("SQLite format 3");
    let matcher = aho_corasick::AhoCorasick::new(&patterns).unwrap();
    let found: BTreeSet<&str> = matcher
        .find_overlapping_iter(&bytes)
        .map(|hit| patterns[hit.pattern().as_usize()])
        .collect();
    found.into_iter().map(str::to_owned).collect()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

#[test]
fn the_first_demo_on_a_fresh_machine_is_encrypted_with_a_key_kept_elsewhere() {
    let machine = Machine::new();
    let db = machine.data("airbridge.db");
    let (_, stderr) = machine.ok(
        &db,
        &["demo", "--persons", "2000", "--seed", "4", "--no-serve"],
        &[],
    );
    assert!(stderr.contains("encrypted with a new key"), "{stderr}");
    let key_files: Vec<PathBuf> = std::fs::read_dir(machine.keys())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(key_files.len(), 1, "{key_files:?}");
    let key_file = &key_files[0];
    assert!(stderr.contains(&key_file.display().to_string()), "{stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Nothing but the database (and its write-ahead files) beside it: no key, no salt file.
    for entry in std::fs::read_dir(machine.data("")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            name.starts_with("airbridge.db"),
            "{name} beside the database"
        );
    }

    // The key file is found again without any option.
    let names = stored_names(&machine, &db, &[]);
    assert!(names.len() > 100, "{}", names.len());
    let backup = machine.data("backup.db");
    let (out, _) = machine.ok(&db, &["backup", "--to", backup.to_str().unwrap()], &[]);
    assert!(
        out.contains("encrypted with the database's key file"),
        "{out}"
    );
    for file in [
        db.clone(),
        with_suffix(&db, "-wal"),
        with_suffix(&db, "-shm"),
        backup.clone(),
    ] {
        if file.exists() {
            assert_eq!(clear_text(&file, &names), Vec::<String>::new(), "{file:?}");
        }
    }
    let (out, _) = machine.ok(&db, &["--json", "audit", "verify"], &[]);
    let audit: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(audit["broken_at"].is_null(), "{audit}");

    // The backup opens with its database's key, and with no other.
    let key_option = key_file.to_str().unwrap();
    machine.ok(&backup, &["--db-key-file", key_option, "check"], &[]);
    let missing = machine.refused(&backup, &["check"], &[]);
    assert!(
        missing.contains("is encrypted and no key was given"),
        "{missing}"
    );
    let other_key = machine.dir.path().join("config").join("other.key");
    machine.ok(
        &db,
        &["db", "keygen", "--out", other_key.to_str().unwrap()],
        &[],
    );
    let wrong = machine.refused(
        &backup,
        &["--db-key-file", other_key.to_str().unwrap(), "check"],
        &[],
    );
    assert!(
        wrong.contains("the database is encrypted and this key does not open it"),
        "{wrong}"
    );
    assert!(
        wrong.contains("other.key"),
        "the message names the key used: {wrong}"
    );

    // Restored over the database, the backup opens with the database's own key file.
    machine.ok(
        &db,
        &["restore", "--from", backup.to_str().unwrap(), "--replace"],
        &[],
    );
    machine.ok(&db, &["check"], &[]);
}

#[test]
fn key_files_must_be_private_and_kept_apart_from_the_database() {
    let machine = Machine::new();
    let db = machine.data("registry.db");
    let beside = machine.data("registry.key");
    machine.ok(
        &db,
        &["db", "keygen", "--out", beside.to_str().unwrap()],
        &[],
    );
    let refused = machine.refused(
        &db,
        &["--db-key-file", beside.to_str().unwrap(), "init"],
        &[],
    );
    assert!(
        refused.contains("same directory as the database"),
        "{refused}"
    );

    let elsewhere = machine.dir.path().join("config").join("registry.key");
    machine.ok(
        &db,
        &["db", "keygen", "--out", elsewhere.to_str().unwrap()],
        &[],
    );
    let again = machine.refused(
        &db,
        &["db", "keygen", "--out", elsewhere.to_str().unwrap()],
        &[],
    );
    assert!(again.contains("never overwritten"), "{again}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o640)).unwrap();
        let open = machine.refused(
            &db,
            &["--db-key-file", elsewhere.to_str().unwrap(), "init"],
            &[],
        );
        assert!(open.contains("chmod 600"), "{open}");
        std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    machine.ok(
        &db,
        &["--db-key-file", elsewhere.to_str().unwrap(), "init"],
        &[],
    );
    assert!(
        !machine.keys().exists(),
        "no default key file when a key is given"
    );

    let key = "ab".repeat(32);
    let both = machine.refused(
        &db,
        &["--db-key-file", elsewhere.to_str().unwrap(), "check"],
        &[("AIRBRIDGE_DB_KEY", &key)],
    );
    assert!(both.contains("several database keys"), "{both}");
    let malformed = machine.refused(&db, &["check"], &[("AIRBRIDGE_DB_KEY", "abc")]);
    assert!(malformed.contains("AIRBRIDGE_DB_KEY"), "{malformed}");
    assert!(
        !malformed.contains("abc"),
        "the key is never echoed: {malformed}"
    );
}

#[test]
fn plaintext_only_when_asked_then_encrypted_and_rekeyed() {
    let machine = Machine::new();
    let plain = machine.data("bench.db");
    machine.ok(
        &plain,
        &["--no-encryption", "demo", "--persons", "300", "--no-serve"],
        &[],
    );
    assert!(!machine.keys().exists(), "no key for a plaintext database");
    let names = stored_names(&machine, &plain, &[("AIRBRIDGE_NO_ENCRYPTION", "true")]);
    assert!(
        !clear_text(&plain, &names).is_empty(),
        "the control: a plaintext file shows its names"
    );
    let refused = machine.refused(&plain, &["check"], &[]);
    assert!(refused.contains("is not encrypted"), "{refused}");
    assert!(refused.contains("db encrypt"), "{refused}");

    // db encrypt: a copy under a passphrase.
    let secret = [("AIRBRIDGE_DB_PASSPHRASE", "tarmac at dawn, gate three")];
    let encrypted = machine.data("encrypted.db");
    machine.ok(
        &plain,
        &["db", "encrypt", "--to", encrypted.to_str().unwrap()],
        &secret,
    );
    assert_eq!(clear_text(&encrypted, &names), Vec::<String>::new());
    assert_eq!(stored_names(&machine, &encrypted, &secret), names);
    let wrong = machine.refused(
        &encrypted,
        &["check"],
        &[("AIRBRIDGE_DB_PASSPHRASE", "tarmac at dusk")],
    );
    assert!(wrong.contains("this key does not open it"), "{wrong}");
    assert!(wrong.contains("the passphrase"), "{wrong}");

    // db rekey: from the passphrase to a key file; the old passphrase no longer opens it.
    let new_key = machine.dir.path().join("config").join("new.key");
    machine.ok(
        &encrypted,
        &["db", "keygen", "--out", new_key.to_str().unwrap()],
        &[],
    );
    machine.ok(
        &encrypted,
        &["db", "rekey", "--new-key-file", new_key.to_str().unwrap()],
        &secret,
    );
    machine.refused(&encrypted, &["check"], &secret);
    let (out, _) = machine.ok(
        &encrypted,
        &[
            "--json",
            "--db-key-file",
            new_key.to_str().unwrap(),
            "check",
        ],
        &[],
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["healthy"], true, "{report}");
    assert_eq!(clear_text(&encrypted, &names), Vec::<String>::new());
}
