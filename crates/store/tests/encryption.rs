//! Encryption at rest, on real files: the demo's people stored in an encrypted SQLite database
//! leave none of their names in clear in the database file, its write-ahead log, its shared
//! memory file or a backup; the file opens with its key (or passphrase) and refuses a wrong or
//! missing one with a message saying so; the audit chain verifies on it and on its copies.

use airbridge_demo::{DemoConfig, generate, nations};
use airbridge_store::key::DatabaseFile;
use airbridge_store::{
    Actor, DatabaseKey, Encryption, NewCase, OpenMode, SqliteStore, Store, StoreError,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

fn key(byte: u8) -> Encryption {
    Encryption::Key(DatabaseKey::parse(&format!("{byte:02x}").repeat(32)).unwrap())
}

fn passphrase(text: &str) -> Encryption {
    Encryption::Passphrase(Zeroizing::new(text.to_owned()))
}

/// Stores `persons` of the demo's people and returns every name part they carry (the words a
/// thief would look for), keeping the store open so its -wal and -shm files still exist.
async fn load_demo(store: &SqliteStore, persons: usize) -> BTreeSet<String> {
    let actor = Actor::new("test:encryption");
    let scenario = nations();
    let mut organisations = Vec::new();
    for nation in &scenario {
        store
            .add_nation(&actor, nation.code, nation.name)
            .await
            .unwrap();
        let mut ids = Vec::new();
        for (name, kind) in &nation.organisations {
            ids.push(
                store
                    .add_organisation(&actor, nation.code, name, *kind)
                    .await
                    .unwrap()
                    .id,
            );
        }
        organisations.push(ids);
    }
    let mut names = BTreeSet::new();
    let mut batch: Vec<NewCase> = Vec::new();
    for demo_case in generate(DemoConfig { persons, seed: 11 }) {
        let mut case = demo_case.case;
        case.organisation = Some(organisations[demo_case.nation][demo_case.organisation]);
        for member in &case.members {
            let name = &member.person.name;
            for part in [&name.given, &name.family, &name.father, &name.full]
                .into_iter()
                .flatten()
            {
                names.extend(
                    part.split_whitespace()
                        // Six bytes or more: a shorter word turns up by chance in megabytes of
                        // ciphertext (five bytes: about once in a thousand runs).
                        .filter(|word| word.len() >= 6)
                        .map(str::to_owned),
                );
            }
        }
        batch.push(case);
        if batch.len() == 500 {
            store
                .add_cases(&actor, std::mem::take(&mut batch))
                .await
                .unwrap();
        }
    }
    store.add_cases(&actor, batch).await.unwrap();
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

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn open_error(result: Result<SqliteStore, StoreError>) -> String {
    match result {
        Ok(_) => panic!("the database opened"),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn an_encrypted_database_holds_no_name_in_clear_and_opens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    let store = SqliteStore::open_with(&path, OpenMode::CreateIfMissing, &key(0x5a))
        .await
        .unwrap();
    let names = load_demo(&store, 3_000).await;
    assert!(
        names.len() > 100,
        "the demo has many names: {}",
        names.len()
    );

    // While the store is open: the database, its write-ahead log and its shared memory index.
    let wal = sibling(&path, "-wal");
    assert!(wal.exists(), "a write-ahead log while the store is open");
    for file in [&path, &wal, &sibling(&path, "-shm")] {
        if file.exists() {
            assert_eq!(clear_text(file, &names), Vec::<String>::new(), "{file:?}");
        }
    }
    // The control: the names are there to be found once decrypted.
    let people = store.totals().await.unwrap();
    assert_eq!(people.iter().map(|t| t.people).sum::<i64>(), 3_000);

    let backup = dir.path().join("backup.db");
    store.backup_to(&backup).await.unwrap();
    assert_eq!(clear_text(&backup, &names), Vec::<String>::new());
    store.close().await;
    assert_eq!(clear_text(&path, &names), Vec::<String>::new());

    // The right key opens the database and its backup; the audit chain verifies on both.
    for file in [&path, &backup] {
        let again = SqliteStore::open_with(file, OpenMode::MustExist, &key(0x5a))
            .await
            .unwrap();
        let audit = again.audit_verify().await.unwrap();
        assert_eq!(audit.broken_at, None, "{file:?}");
        assert!(audit.events > 3_000);
        assert_eq!(
            again.integrity_problems().await.unwrap(),
            Vec::<String>::new()
        );
        again.close().await;
    }

    // A wrong key, no key, and a passphrase are each refused with a message that says so.
    let wrong = open_error(SqliteStore::open_with(&path, OpenMode::MustExist, &key(0x5b)).await);
    assert!(
        wrong.contains("the database is encrypted and this key does not open it"),
        "{wrong}"
    );
    let missing = open_error(SqliteStore::open(&path, OpenMode::MustExist).await);
    assert!(
        missing.contains("the database is encrypted and no key was given"),
        "{missing}"
    );
    let guessed =
        open_error(SqliteStore::open_with(&backup, OpenMode::MustExist, &passphrase("x")).await);
    assert!(guessed.contains("this key does not open it"), "{guessed}");
}

#[tokio::test]
async fn a_passphrase_database_keeps_its_salt_in_its_header_and_its_backups() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("passphrase.db");
    let secret = "long night at abbey gate";
    let store = SqliteStore::open_with(&path, OpenMode::CreateIfMissing, &passphrase(secret))
        .await
        .unwrap();
    let names = load_demo(&store, 300).await;
    let backup = dir.path().join("passphrase-backup.db");
    store.backup_to(&backup).await.unwrap();
    store.close().await;

    // No side file: the salt is the file's first 16 bytes, the same in the backup.
    let salt = |file: &Path| match DatabaseFile::inspect(file).unwrap() {
        DatabaseFile::Encrypted { salt } => salt,
        other => panic!("{file:?} is {other:?}"),
    };
    assert_eq!(salt(&path), salt(&backup));
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");

    for file in [&path, &backup] {
        assert_eq!(clear_text(file, &names), Vec::<String>::new());
        let again = SqliteStore::open_with(file, OpenMode::MustExist, &passphrase(secret))
            .await
            .unwrap();
        assert_eq!(again.audit_verify().await.unwrap().broken_at, None);
        again.close().await;
        let wrong = open_error(
            SqliteStore::open_with(file, OpenMode::MustExist, &passphrase("abbey gate")).await,
        );
        assert!(wrong.contains("this key does not open it"), "{wrong}");
    }
}

#[tokio::test]
async fn a_plaintext_database_is_refused_a_key_and_exports_to_an_encrypted_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");
    let store = SqliteStore::open(&path, OpenMode::CreateIfMissing)
        .await
        .unwrap();
    let names = load_demo(&store, 300).await;
    store.close().await;
    assert_eq!(
        DatabaseFile::inspect(&path).unwrap(),
        DatabaseFile::Plaintext
    );
    assert!(
        !clear_text(&path, &names).is_empty(),
        "the control: a plaintext file shows its names"
    );
    let refused = open_error(SqliteStore::open_with(&path, OpenMode::MustExist, &key(1)).await);
    assert!(
        refused.contains("the database is not encrypted"),
        "{refused}"
    );

    // `db encrypt`: plaintext → encrypted copy; then `db rekey`: that copy → a new key.
    let plain = SqliteStore::open(&path, OpenMode::MustExist).await.unwrap();
    let encrypted = dir.path().join("encrypted.db");
    plain.export_to(&encrypted, &key(1)).await.unwrap();
    plain.close().await;
    assert_eq!(clear_text(&encrypted, &names), Vec::<String>::new());
    let first = SqliteStore::open_with(&encrypted, OpenMode::MustExist, &key(1))
        .await
        .unwrap();
    let rekeyed = dir.path().join("rekeyed.db");
    first
        .export_to(&rekeyed, &passphrase("new passphrase"))
        .await
        .unwrap();
    first.close().await;
    assert_eq!(clear_text(&rekeyed, &names), Vec::<String>::new());
    let old = open_error(SqliteStore::open_with(&rekeyed, OpenMode::MustExist, &key(1)).await);
    assert!(old.contains("this key does not open it"), "{old}");
    let copy = SqliteStore::open_with(&rekeyed, OpenMode::MustExist, &passphrase("new passphrase"))
        .await
        .unwrap();
    assert_eq!(copy.audit_verify().await.unwrap().broken_at, None);
    assert_eq!(
        copy.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
    let people: i64 = copy.totals().await.unwrap().iter().map(|t| t.people).sum();
    assert_eq!(people, 300);
    copy.close().await;

    // The copies keep the audit trail's append-only triggers: a raw connection holding the
    // key still cannot delete an event.
    use sqlx::Connection;
    let mut raw = sqlx::SqliteConnection::connect_with(
        &sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&encrypted)
            .pragma("key", format!("\"x'{}'\"", "01".repeat(32))),
    )
    .await
    .unwrap();
    let refused = sqlx::query("DELETE FROM audit_events")
        .execute(&mut raw)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");
}
