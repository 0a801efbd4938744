//! Moving and keeping a registry with the `airbridge` binary: `migrate` from SQLite onto
//! PostgreSQL and back (verified by counts, checksums and the audit chain), `backup` and
//! `restore` on both backends, and two `airbridge` processes writing to one PostgreSQL database.

mod common;

use common::*;
use std::process::Command;

/// What a registry holds, as its users see it: everyone with their ids and versions, the
/// quarantine, and the whole audit trail.
fn contents(db: &str) -> (serde_json::Value, serde_json::Value, serde_json::Value) {
    (
        json(db, &["person", "search", "--limit", "10000"]),
        json(db, &["quarantine", "--all"]),
        json(db, &["audit", "list", "--limit", "100000"]),
    )
}

#[test]
fn a_laptop_registry_moves_onto_postgres_and_back_verified() {
    let dir = tempfile::tempdir().unwrap();
    let laptop = dir.path().join("embassy.db").display().to_string();
    ok(
        &laptop,
        &["demo", "--persons", "1500", "--no-serve", "--seed", "5"],
    );
    // Some history beyond the demo: a status change, a purge, a quarantined import row.
    let added = json(
        &laptop,
        &["person", "add", "--nation", "FR", "--given", "Walked-in"],
    );
    let walked_in = format!("P{}", added["id"]);
    ok(&laptop, &["status", "set", &walked_in, "eligible"]);
    ok(
        &laptop,
        &["person", "purge", "P2", "--reason", "registered twice"],
    );
    let list = dir.path().join("list.csv");
    std::fs::write(&list, "Name,DOB\nZarmina Sadat,1990\n,1991\n").unwrap();
    ok(
        &laptop,
        &["import", list.to_str().unwrap(), "--nation", "FR"],
    );

    // Flights and a stored plan move too.
    let departs = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    ok(
        &laptop,
        &[
            "flights", "aircraft", "C-17A", "--seated", "102", "--floor", "450",
        ],
    );
    ok(
        &laptop,
        &[
            "flights",
            "add",
            "FR1",
            "--nation",
            "FR",
            "--aircraft",
            "C-17A",
            "--departs",
            &departs,
            "--destination",
            "DOH",
        ],
    );
    ok(&laptop, &["flights", "weights", "FR", "--at-risk", "1.5"]);
    ok(&laptop, &["plan"]);

    let server = fresh_postgres();
    let report = json(
        "unused.db",
        &[
            "migrate",
            "--from",
            &format!("sqlite:{laptop}"),
            "--to",
            &server,
        ],
    );
    assert_eq!(report["verified"], true, "{report}");
    let tables = report["tables"].as_array().unwrap();
    assert_eq!(
        tables.len(),
        29,
        "every table, accounts, field operations and flights included; the name index is \
         derived data, built by the target"
    );
    assert!(!tables.iter().any(|t| t["table"] == "person_keys"));
    for table in ["flights", "plan_runs", "priority_weights"] {
        let copied = tables.iter().find(|t| t["table"] == table).unwrap();
        assert_eq!(copied["rows"], 1, "{copied}");
    }
    for table in tables {
        assert_eq!(
            table["source_checksum"], table["target_checksum"],
            "{table}"
        );
    }
    let persons = tables.iter().find(|t| t["table"] == "persons").unwrap();
    assert!(persons["rows"].as_u64().unwrap() >= 1500, "{persons}");
    assert_eq!(report["audit"]["broken_at"], serde_json::Value::Null);

    // The same registry, to the id and to the audit event, and healthy on the server.
    assert_eq!(contents(&laptop), contents(&server));
    assert_eq!(json(&server, &["check"])["healthy"], true);
    assert!(ok(&server, &["audit", "verify"]).contains("intact"));
    // And usable: the ids go on from the laptop's.
    let added = json(
        &server,
        &["person", "add", "--nation", "FR", "--given", "Moved"],
    );
    assert!(added["id"].as_i64().unwrap() > 1500, "{added}");

    // A target that holds data is refused, and left as it was.
    let before = contents(&server);
    let message = fails(
        "unused.db",
        &["migrate", "--from", &laptop, "--to", &server],
        5,
    );
    assert!(message.contains("already holds data"), "{message}");
    assert_eq!(before, contents(&server));

    // Back from the server into a new file: the same again.
    let back = dir.path().join("back.db").display().to_string();
    let report = json(
        "unused.db",
        &[
            "migrate",
            "--from",
            &server,
            "--to",
            &format!("sqlite:{back}"),
        ],
    );
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(contents(&server), contents(&back));
}

#[test]
fn a_sqlite_backup_is_a_consistent_copy_that_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db").display().to_string();
    ok(
        &db,
        &["demo", "--persons", "600", "--no-serve", "--seed", "8"],
    );
    let backup = dir.path().join("live.backup").display().to_string();
    let out = ok(&db, &["backup", "--to", &backup]);
    assert!(out.contains("audit chain ok"), "{out}");
    let saved = contents(&db);
    // A backup never overwrites a file.
    fails(&db, &["backup", "--to", &backup], 5);

    // Life goes on after the backup.
    ok(
        &db,
        &["person", "add", "--nation", "FR", "--given", "Later"],
    );
    assert_ne!(contents(&db), saved);

    // Restoring into a new file gives the registry as it was at the backup.
    let restored = dir.path().join("restored.db").display().to_string();
    let out = ok(&restored, &["restore", "--from", &backup]);
    assert!(out.contains("integrity ok"), "{out}");
    assert_eq!(contents(&restored), saved);
    // Over an existing file only with --replace.
    fails(&db, &["restore", "--from", &backup], 5);
    ok(&db, &["restore", "--from", &backup, "--replace"]);
    assert_eq!(contents(&db), saved);

    // A damaged backup is refused and the target is left as it was.
    let mut bytes = std::fs::read(&backup).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 4096].fill(0xA5);
    let damaged = dir.path().join("damaged.backup");
    std::fs::write(&damaged, &bytes).unwrap();
    let output = airbridge(
        &db,
        &["restore", "--from", damaged.to_str().unwrap(), "--replace"],
    );
    assert!(!output.status.success());
    assert_eq!(contents(&db), saved);
    // A backup of the other kind is named as such.
    let message = fails(&fresh_postgres(), &["restore", "--from", &backup], 5);
    assert!(message.contains("not a pg_dump backup"), "{message}");
}

#[test]
fn a_postgres_backup_restores_into_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_postgres();
    ok(
        &db,
        &["demo", "--persons", "600", "--no-serve", "--seed", "4"],
    );
    let dump = dir.path().join("airbridge.dump").display().to_string();
    let out = ok(&db, &["backup", "--to", &dump]);
    assert!(out.contains("pg_dump"), "{out}");
    let saved = contents(&db);

    let restored = fresh_postgres();
    let out = ok(&restored, &["restore", "--from", &dump]);
    assert!(out.contains("audit chain ok"), "{out}");
    assert_eq!(contents(&restored), saved);
    assert_eq!(json(&restored, &["check"])["healthy"], true);
    // The restored registry keeps refusing to rewrite its history.
    let message = fails(&restored, &["restore", "--from", &dump], 5);
    assert!(message.contains("already holds a registry"), "{message}");
}

/// Two `airbridge` processes register people in one PostgreSQL database at the same time:
/// nobody is lost, every id is given once, and the audit chain stays one line.
#[test]
fn two_processes_write_to_one_postgres_database() {
    let db = fresh_postgres();
    ok(&db, &["init"]);
    ok(&db, &["nation", "add", "FR", "France"]);
    // The first process is given the database with --db, the second by the environment.
    let script = |name: &str, database: &str| {
        let mut script = String::new();
        for n in 0..15 {
            script.push_str(&format!(
                "\"{}\" {database} person add --nation FR --given {name}{n} >/dev/null || exit 1\n",
                env!("CARGO_BIN_EXE_airbridge")
            ));
        }
        script
    };
    let children: Vec<_> = [("first", "--db \"$DB\""), ("second", "")]
        .into_iter()
        .map(|(name, database)| {
            Command::new("sh")
                .args(["-c", &script(name, database)])
                .env("DB", &db)
                .env("AIRBRIDGE_DATABASE_URL", &db)
                .env_remove("AIRBRIDGE_DB")
                .env("AIRBRIDGE_ACTOR", format!("cli:{name}"))
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let people = json(&db, &["person", "search", "--limit", "100"]);
    let mut ids: Vec<i64> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=30).collect::<Vec<i64>>());
    let check = json(&db, &["check"]);
    assert_eq!(check["healthy"], true, "{check}");
    assert_eq!(check["audit"]["events"], 31);
}
