//! The `airbridge` binary end to end: commands, output, exit codes, and a crash in the middle
//! of a large write.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn airbridge(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_airbridge"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("AIRBRIDGE_ACTOR", "cli:test")
        .output()
        .expect("the binary runs")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let output = airbridge(db, args);
    assert!(
        output.status.success(),
        "airbridge {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn fails(db: &Path, args: &[&str], code: i32) -> String {
    let output = airbridge(db, args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "airbridge {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).unwrap()
}

fn database() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    (dir, db)
}

#[test]
fn a_case_from_registration_to_the_gate() {
    let (_dir, db) = database();
    ok(&db, &["init"]);
    ok(&db, &["nation", "add", "fr", "France"]);
    let org = ok(
        &db,
        &[
            "--json",
            "org",
            "add",
            "--nation",
            "FR",
            "--kind",
            "embassy",
            "Embassy of France",
        ],
    );
    let org: serde_json::Value = serde_json::from_str(&org).unwrap();
    assert_eq!(org["kind"], "embassy");

    let case = ok(
        &db,
        &[
            "--json",
            "case",
            "add",
            "--nation",
            "FR",
            "--org",
            "O1",
            "--reference",
            "FR-EMB-1",
            "--basis",
            "worked:Embassy of France:interpreter",
            "--given",
            "Mohammad Hashem",
            "--family",
            "Ahmadzai",
            "--father",
            "Abdul Rahman",
            "--dob",
            "۱۳۶۵/۰۵/۱۲",
            "--doc",
            "tazkira:1400-0101-12345:AF",
            "--phone",
            "0701234567",
            "--member",
            "spouse:Fatima",
            "--member",
            "child:",
        ],
    );
    let case: serde_json::Value = serde_json::from_str(&case).unwrap();
    assert_eq!(case["people"].as_array().unwrap().len(), 3);
    assert_eq!(
        case["people"][0]["person"]["birth_date"]["calendar"],
        "solar_hijri"
    );
    assert_eq!(
        case["people"][2]["person"]["name"]["placeholder"],
        "child 2"
    );

    let shown = ok(&db, &["person", "show", "P1"]);
    assert!(
        shown.contains("1365-05-12 SH  (Gregorian 1986-08-03)"),
        "{shown}"
    );
    assert!(shown.contains("+93701234567"));

    ok(&db, &["case", "status", "C1", "eligible"]);
    ok(
        &db,
        &[
            "case",
            "status",
            "C1",
            "called_forward",
            "--at",
            "Abbey Gate",
        ],
    );
    ok(
        &db,
        &["status", "set", "P1", "at_gate", "--at", "Abbey Gate"],
    );
    let history = ok(&db, &["status", "history", "P1"]);
    assert_eq!(history.lines().count(), 3);
    assert!(history.contains("at Abbey Gate"));

    let found = ok(&db, &["person", "search", "hashem", "--nation", "FR"]);
    assert_eq!(found.lines().count(), 1);
    assert!(found.contains("at_gate"));

    let audit = ok(&db, &["--json", "audit", "list", "--entity", "person:P1"]);
    let audit: Vec<serde_json::Value> = serde_json::from_str(&audit).unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "person.add",
            "person.status",
            "person.status",
            "person.status"
        ]
    );
    assert!(audit.iter().all(|e| e["actor"] == "cli:test"));
    assert!(ok(&db, &["audit", "verify"]).contains("intact"));
    assert!(ok(&db, &["check"]).contains("Audit chain: ok"));
}

#[test]
fn bad_input_is_refused_with_a_clear_message_and_exit_code() {
    let (_dir, db) = database();
    // No database yet: refused, and no file is created by the attempt.
    let message = fails(&db, &["nation", "list"], 5);
    assert!(message.contains("airbridge init"), "{message}");
    assert!(!db.exists());
    ok(&db, &["init"]);
    let message = fails(&db, &["nation", "add", "France", "France"], 5);
    assert!(message.contains("ISO 3166-1"), "{message}");
    ok(&db, &["nation", "add", "FR", "France"]);
    fails(&db, &["nation", "add", "FR", "France again"], 4);
    let message = fails(
        &db,
        &[
            "person",
            "add",
            "--nation",
            "FR",
            "--given",
            "A",
            "--dob",
            "1400/12/30",
        ],
        5,
    );
    assert!(
        message.contains("--dob") && message.contains("Solar Hijri"),
        "{message}"
    );
    let message = fails(
        &db,
        &[
            "person", "add", "--nation", "FR", "--given", "A", "--phone", "12",
        ],
        5,
    );
    assert!(message.contains("--phone"), "{message}");
    fails(&db, &["person", "add", "--nation", "FR"], 5);
    fails(&db, &["person", "add", "--nation", "DE", "--given", "A"], 3);
    fails(&db, &["person", "show", "P42"], 3);
    ok(
        &db,
        &["person", "add", "--nation", "FR", "--given", "Karim"],
    );
    let message = fails(&db, &["status", "set", "P1", "boarded"], 5);
    assert!(
        message.contains("from 'registered' they may go to"),
        "{message}"
    );
    fails(
        &db,
        &["status", "set", "P1", "eligible", "--expected-version", "7"],
        4,
    );
    fails(&db, &["status", "set", "P1", "flying"], 5);
    // None of the refusals wrote anything: one nation, one person, their two audit events.
    let audit = ok(&db, &["--json", "audit", "list"]);
    let audit: Vec<serde_json::Value> = serde_json::from_str(&audit).unwrap();
    assert_eq!(audit.len(), 2);
    fails(&db, &["frobnicate"], 2);
}

#[test]
fn the_demo_builds_a_consistent_database() {
    let (_dir, db) = database();
    let out = ok(
        &db,
        &["demo", "--persons", "3000", "--no-serve", "--seed", "9"],
    );
    assert!(out.contains("Operator token"), "{out}");
    let nations = ok(&db, &["--json", "nation", "list"]);
    let nations: Vec<serde_json::Value> = serde_json::from_str(&nations).unwrap();
    assert!(nations.len() >= 6);
    assert!(ok(&db, &["check"]).contains("SQLite integrity: ok"));
    // A second demo into the same file is refused unless --fresh.
    fails(&db, &["demo", "--persons", "10", "--no-serve"], 5);
    ok(&db, &["demo", "--persons", "10", "--no-serve", "--fresh"]);
    let found = ok(&db, &["--json", "person", "search", "--limit", "100"]);
    let found: Vec<serde_json::Value> = serde_json::from_str(&found).unwrap();
    assert_eq!(found.len(), 10);
}

/// A process killed with SIGKILL in the middle of a large demo build leaves a database that
/// opens, passes `PRAGMA integrity_check`, keeps every case whole and every audit link intact.
#[test]
fn killed_mid_build_leaves_a_consistent_database() {
    let (_dir, db) = database();
    let mut child = Command::new(env!("CARGO_BIN_EXE_airbridge"))
        .arg("--db")
        .arg(&db)
        .args(["demo", "--persons", "1000000", "--no-serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until several batches have committed (read through the WAL while it writes), then
    // kill without warning, most likely in the middle of the next batch.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let output = airbridge(&db, &["--json", "audit", "list", "--limit", "1"]);
        let latest = serde_json::from_slice::<Vec<serde_json::Value>>(&output.stdout)
            .ok()
            .and_then(|events| events.first().and_then(|e| e["seq"].as_i64()))
            .unwrap_or(0);
        if latest > 20_000 || Instant::now() > deadline {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the build was still running when killed");

    let report = ok(&db, &["--json", "check"]);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["healthy"], true, "{report}");
    assert!(
        report["audit"]["events"].as_i64().unwrap() > 20_000,
        "{report}"
    );
    // The database is usable afterwards.
    ok(
        &db,
        &[
            "person", "add", "--nation", "FR", "--given", "After", "--family", "Crash",
        ],
    );
    assert!(ok(&db, &["audit", "verify"]).contains("intact"));
}
