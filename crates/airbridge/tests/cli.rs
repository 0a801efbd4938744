//! The `airbridge` binary end to end: commands, output, exit codes, and a crash in the middle
//! of a large write. Every test runs twice: on a SQLite file, and on a database of its own on a
//! PostgreSQL server these tests start (`contract_tests!` at the end lists them).

mod common;

use common::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Whether a database holds an Airbridge registry (a SQLite file exists, a PostgreSQL
/// database has the schema).
fn holds_registry(db: &str) -> bool {
    if db.starts_with("postgres://") {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(airbridge_store::PgStore::holds_registry(db))
            .unwrap()
    } else {
        std::path::Path::new(db).exists()
    }
}

fn a_case_from_registration_to_the_gate(backend: Backend) {
    let (_dir, db) = database(backend);
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
    // The names engine finds the name in another spelling and in Arabic script; the status
    // filter still holds.
    for query in ["Muhammad Hashim Ahmadzai", "محمد هاشم احمدزی"] {
        let found = ok(&db, &["person", "search", query, "--nation", "FR"]);
        assert!(
            found.contains("P1") && found.contains("at_gate"),
            "{query}: {found}"
        );
        let other = ok(&db, &["person", "search", query, "--status", "registered"]);
        assert!(!other.contains("P1 "), "{query}: {other}");
    }

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

fn bad_input_is_refused_with_a_clear_message_and_exit_code(backend: Backend) {
    let (_dir, db) = database(backend);
    // No database yet: refused, and no registry is created by the attempt.
    let message = fails(&db, &["nation", "list"], 5);
    assert!(message.contains("airbridge init"), "{message}");
    assert!(!holds_registry(&db));
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

fn the_demo_builds_a_consistent_database(backend: Backend) {
    let (_dir, db) = database(backend);
    let out = ok(
        &db,
        &["demo", "--persons", "3000", "--no-serve", "--seed", "9"],
    );
    assert!(out.contains("Operator token"), "{out}");
    let nations = ok(&db, &["--json", "nation", "list"]);
    let nations: Vec<serde_json::Value> = serde_json::from_str(&nations).unwrap();
    assert!(nations.len() >= 6);
    let check = ok(&db, &["check"]);
    let expected = match backend {
        Backend::Sqlite => "SQLite integrity: ok",
        Backend::Postgres => "PostgreSQL integrity: ok",
    };
    assert!(check.contains(expected), "{check}");
    // A second demo into the same file is refused unless --fresh.
    fails(&db, &["demo", "--persons", "10", "--no-serve"], 5);
    ok(&db, &["demo", "--persons", "10", "--no-serve", "--fresh"]);
    let found = ok(&db, &["--json", "person", "search", "--limit", "100"]);
    let found: Vec<serde_json::Value> = serde_json::from_str(&found).unwrap();
    assert_eq!(found.len(), 10);
}

/// A process killed with SIGKILL in the middle of a large demo build leaves a database that
/// opens, passes `PRAGMA integrity_check`, keeps every case whole and every audit link intact.
fn killed_mid_build_leaves_a_consistent_database(backend: Backend) {
    let (_dir, db) = database(backend);
    let mut child = command(&db)
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

/// The people's data in an export: the registry's own columns (ids, status) left out, since a
/// new database gives new ids and registers everyone anew.
fn data_columns(text: &str) -> Vec<Vec<String>> {
    let body = text.split_once('\n').map(|(_, rest)| rest).unwrap_or("");
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|record| {
            let record = record.unwrap();
            record
                .iter()
                .enumerate()
                .filter(|(index, _)| ![0, 1, 3].contains(index))
                .map(|(_, cell)| cell.to_owned())
                .collect()
        })
        .collect()
}

fn import_reports_every_row_and_is_idempotent(backend: Backend) {
    let (dir, db) = database(backend);
    ok(&db, &["init"]);
    ok(&db, &["nation", "add", "FR", "France"]);
    let list = dir.path().join("liste-ambassade.csv");
    std::fs::write(
        &list,
        "نام;تخلص;نام پدر;تاریخ تولد;شماره تذکره;Téléphone;Relation;Famille\n\
         محمد هاشم;احمدزی;عبدالرحمن;۱۳۶۵/۰۵/۱۲;1400-0101-12345;0701234567;principal;F1\n\
         ;;;1370;;;épouse;F1\n\
         Fatima;;;1399-13-01;;12;fille;F1\n\
         ;;;;;;;F2\n\
         Karim;Rahimi;;34;;;;F3\n",
    )
    .unwrap();
    let report = dir.path().join("report.csv");
    let out = ok(
        &db,
        &[
            "import",
            list.to_str().unwrap(),
            "--nation",
            "FR",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert!(
        out.contains(
            "5 rows: 1 accepted, 3 accepted with warnings, 1 rejected; 4 people in 2 cases"
        ),
        "{out}"
    );
    assert!(
        out.contains("line 4: warning [تاریخ تولد = \"1399-13-01\"]"),
        "{out}"
    );
    assert!(out.contains("line 5: REJECTED"), "{out}");
    let report = std::fs::read_to_string(report).unwrap();
    assert!(
        report.lines().any(|l| l.starts_with(",5,rejected")),
        "{report}"
    );
    let shown = ok(&db, &["person", "show", "P1"]);
    assert!(
        shown.contains("from list     liste-ambassade.csv (family:F1#1)"),
        "{shown}"
    );
    let quarantine = ok(&db, &["quarantine"]);
    assert!(
        quarantine.contains("line 5") && quarantine.contains("Famille=F2"),
        "{quarantine}"
    );

    let again = ok(&db, &["import", list.to_str().unwrap(), "--nation", "FR"]);
    assert!(
        again.contains(
            "0 people and 0 cases new, 0 people updated, 4 unchanged; 0 rows quarantined"
        ),
        "{again}"
    );
    let dry = ok(
        &db,
        &[
            "import",
            list.to_str().unwrap(),
            "--nation",
            "FR",
            "--dry-run",
        ],
    );
    assert!(dry.contains("Dry run"));

    // A corrected list: the date fixed, the rejected row given a name.
    std::fs::write(
        &list,
        "نام;تخلص;نام پدر;تاریخ تولد;شماره تذکره;Téléphone;Relation;Famille\n\
         محمد هاشم;احمدزی;عبدالرحمن;۱۳۶۵/۰۵/۱۲;1400-0101-12345;0701234567;principal;F1\n\
         ;;;1370;;;épouse;F1\n\
         Fatima;;;1399-12-01;;12;fille;F1\n\
         Zarmina;;;;;;;F2\n\
         Karim;Rahimi;;34;;;;F3\n",
    )
    .unwrap();
    let corrected = ok(&db, &["import", list.to_str().unwrap(), "--nation", "FR"]);
    assert!(corrected.contains("1 people and 1 cases new, 1 people updated, 3 unchanged; 0 rows quarantined (1 earlier ones resolved)"), "{corrected}");
    assert!(ok(&db, &["quarantine"]).contains("No quarantined rows"));

    // Bad files: clear errors, nothing written.
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    assert!(
        fails(
            &db,
            &["import", empty.to_str().unwrap(), "--nation", "FR"],
            5
        )
        .contains("empty")
    );
    let nameless = dir.path().join("nameless.csv");
    std::fs::write(&nameless, "Colour,Size\nred,4\n").unwrap();
    assert!(
        fails(
            &db,
            &["import", nameless.to_str().unwrap(), "--nation", "FR"],
            5
        )
        .contains("no column holds names")
    );
    let fake = dir.path().join("fake.xlsx");
    std::fs::write(&fake, b"PK\x03\x04 not really a workbook").unwrap();
    assert!(
        fails(
            &db,
            &["import", fake.to_str().unwrap(), "--nation", "FR"],
            5
        )
        .contains("spreadsheet")
    );
}

fn export_then_import_into_an_empty_database_gives_the_same_data(backend: Backend) {
    let (dir, db) = database(backend);
    ok(
        &db,
        &["demo", "--persons", "400", "--no-serve", "--seed", "3"],
    );
    let first = dir.path().join("fr.csv");
    ok(
        &db,
        &["nation", "set", "US", "--export-confirm-above", "10"],
    );
    let message = fails(
        &db,
        &["export", "--nation", "US", "-o", first.to_str().unwrap()],
        5,
    );
    assert!(message.contains("--confirm"), "{message}");
    let staff = dir.path().join("staff.csv");
    ok(
        &db,
        &[
            "export",
            "--nation",
            "US",
            "--category",
            "local_staff",
            "-o",
            staff.to_str().unwrap(),
            "--confirm",
        ],
    );
    let staff_rows = std::fs::read_to_string(&staff).unwrap().lines().count() - 2;
    ok(
        &db,
        &[
            "export",
            "--nation",
            "US",
            "-o",
            first.to_str().unwrap(),
            "--confirm",
        ],
    );
    let exported = std::fs::read_to_string(&first).unwrap();
    assert!(exported.contains("# Airbridge export of") && exported.contains("by cli:test"));
    assert!(
        !exported
            .lines()
            .any(|l| l.split(',').any(|cell| cell.starts_with(['=', '+', '@']))),
        "no cell may start a formula"
    );

    let empty = another_database(backend, &dir, "empty.db");
    ok(&empty, &["init"]);
    ok(&empty, &["nation", "add", "US", "United States"]);
    let out = ok(
        &empty,
        &["import", first.to_str().unwrap(), "--nation", "US"],
    );
    assert!(out.contains(" 0 rejected"), "{out}");
    let second = dir.path().join("again.csv");
    ok(
        &empty,
        &[
            "export",
            "--nation",
            "US",
            "-o",
            second.to_str().unwrap(),
            "--confirm",
        ],
    );
    let again = std::fs::read_to_string(&second).unwrap();
    let (before, after) = (data_columns(&exported), data_columns(&again));
    assert!(before.len() > 100, "{}", before.len());
    assert!(
        staff_rows > 0 && staff_rows < before.len(),
        "{staff_rows} local staff of {}",
        before.len()
    );
    assert_eq!(before, after);
    let audit = ok(&db, &["audit", "list", "--limit", "1"]);
    assert!(audit.contains("list.export"), "{audit}");

    // XLSX carries the same data as CSV, and reads back the same.
    let workbook = dir.path().join("us.xlsx");
    ok(
        &db,
        &[
            "export",
            "--nation",
            "US",
            "--format",
            "xlsx",
            "-o",
            workbook.to_str().unwrap(),
            "--confirm",
        ],
    );
    let from_xlsx = another_database(backend, &dir, "xlsx.db");
    ok(&from_xlsx, &["init"]);
    ok(&from_xlsx, &["nation", "add", "US", "United States"]);
    let out = ok(
        &from_xlsx,
        &["import", workbook.to_str().unwrap(), "--nation", "US"],
    );
    assert!(out.contains(" 0 rejected"), "{out}");
    let third = dir.path().join("third.csv");
    ok(
        &from_xlsx,
        &[
            "export",
            "--nation",
            "US",
            "-o",
            third.to_str().unwrap(),
            "--confirm",
        ],
    );
    assert_eq!(
        before,
        data_columns(&std::fs::read_to_string(&third).unwrap())
    );

    // PFIF: names, sex and Gregorian dates travel; the rest stays home.
    let pfif = dir.path().join("us.pfif.xml");
    ok(
        &db,
        &[
            "export",
            "--nation",
            "US",
            "--format",
            "pfif",
            "-o",
            pfif.to_str().unwrap(),
            "--confirm",
        ],
    );
    let fresh = another_database(backend, &dir, "pfif.db");
    ok(&fresh, &["init"]);
    ok(&fresh, &["nation", "add", "US", "United States"]);
    let out = ok(
        &fresh,
        &["import", pfif.to_str().unwrap(), "--nation", "US"],
    );
    assert!(out.contains(&format!("{} rows", before.len())), "{out}");
    assert!(out.contains(" 0 rejected"), "{out}");
}

fn planted_sanctioned_names_are_found_reviewed_and_blocked(backend: Backend) {
    let (dir, db) = database(backend);
    let un = un_list();
    if !un.exists() {
        // shared/ lies beside the repository on developers' machines and in CI.
        panic!("the shared UN list is missing at {}", un.display());
    }
    ok(
        &db,
        &["demo", "--persons", "3000", "--no-serve", "--seed", "11"],
    );
    let out = ok(&db, &["screening", "load", un.to_str().unwrap()]);
    assert!(out.contains("new hits to review"), "{out}");
    let hits: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&db, &["--json", "screening", "hits"])).unwrap();
    let planted: Vec<&serde_json::Value> = hits
        .iter()
        .filter(|h| {
            [
                "TAi.155", "TAi.094", "TAi.173", "TAi.139", "TAi.148", "TAi.088", "TAi.007",
                "TAi.097",
            ]
            .contains(&h["entry_ref"].as_str().unwrap())
        })
        .collect();
    assert!(planted.len() >= 3, "{hits:?}");
    // Loading the same version again (by the name for it, `sanctions load`) does
    // nothing; screening again raises nothing new.
    assert!(ok(&db, &["sanctions", "load", un.to_str().unwrap()]).contains("already loaded"));
    assert!(ok(&db, &["screening", "run"]).contains(": 0 new hits"));

    let hit = planted[0]["id"].as_i64().unwrap().to_string();
    let person = format!("P{}", planted[0]["person"].as_i64().unwrap());
    fails(&db, &["screening", "decide", &hit, "false_positive"], 5);
    ok(&db, &["screening", "decide", &hit, "confirmed"]);
    for to in ["eligible", "called_forward", "at_gate", "processed"] {
        let _ = airbridge(&db, &["status", "set", &person, to]);
    }
    let message = fails(&db, &["status", "set", &person, "manifested"], 5);
    assert!(message.contains("confirmed sanctions match"), "{message}");

    // An imported list is screened as it comes in.
    let list = dir.path().join("list.csv");
    std::fs::write(
        &list,
        "Name,DOB\nAbdul Ghafar Shinwari,1965-03-29\nZarmina Sadat,1990\n",
    )
    .unwrap();
    let out = ok(&db, &["import", list.to_str().unwrap(), "--nation", "FR"]);
    assert!(out.contains("Screened 2 new or changed people"), "{out}");
    assert!(!out.contains(": 0 new hits"), "{out}");
}

/// The situation report from a demo database, as CSV and PDF, all nations and one; each
/// written report is in the audit trail. SQLite only: the figures come from the same store
/// calls on both backends, which the store's contract tests cover.
#[test]
fn the_situation_report_is_written_as_csv_and_pdf_and_audited() {
    let (dir, db) = database(Backend::Sqlite);
    ok(
        &db,
        &["demo", "--persons", "3000", "--no-serve", "--seed", "5"],
    );
    let csv = dir.path().join("sitrep.csv");
    let out = ok(
        &db,
        &[
            "sitrep",
            "--format",
            "csv",
            "--output",
            csv.to_str().unwrap(),
        ],
    );
    assert!(
        out.contains("Situation report (All nations) written"),
        "{out}"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let registered = |section: &str, nation: &str| -> Vec<i64> {
        rows.iter()
            .filter(|r| r[0] == section && r[1] == nation && r[5] == "registered")
            .map(|r| r[6].parse().unwrap())
            .collect()
    };
    let nations: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] == "nation" && r[5] == "registered")
        .map(|r| r[1].as_str())
        .collect();
    assert!(nations.len() >= 2, "{text}");
    let total = registered("total", "");
    assert_eq!(total.len(), 1, "{text}");
    assert!(total[0] > 0);
    let by_nation: i64 = nations.iter().map(|n| registered("nation", n)[0]).sum();
    assert_eq!(by_nation, total[0]);
    // The file says who wrote it: the command's actor.
    assert!(
        rows.iter()
            .any(|r| r[0] == "report" && r[5] == "generated_by" && r[6] == TESTER.actor),
        "{text}"
    );

    let france = dir.path().join("sitrep-fr.csv");
    ok(
        &db,
        &[
            "sitrep",
            "--format",
            "csv",
            "--nation",
            "FR",
            "--output",
            france.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&france).unwrap();
    let nations: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap()[1].to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    assert!(
        !nations.is_empty() && nations.iter().all(|n| n == "FR"),
        "{text}"
    );

    let pdf = dir.path().join("sitrep.pdf");
    ok(
        &db,
        &[
            "sitrep",
            "--format",
            "pdf",
            "--output",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    fails(
        &db,
        &[
            "sitrep", "--format", "csv", "--nation", "France", "--output", "x.csv",
        ],
        5,
    );

    let audit: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&db, &["--json", "audit", "list", "--limit", "3"])).unwrap();
    let seen: Vec<(&str, &str)> = audit
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["after"]["format"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("report.sitrep", "csv"),
            ("report.sitrep", "csv"),
            ("report.sitrep", "pdf")
        ]
    );
}

/// Runs each named test on both backends: `sqlite::NAME` and `postgres::NAME`.
fn a_long_list_is_imported_in_pieces_with_its_families_whole(backend: Backend) {
    let (dir, db) = database(backend);
    ok(&db, &["init"]);
    ok(&db, &["nation", "add", "FR", "France"]);
    // 20,000 rows in families of four, read in pieces of about 8,000 rows; family F1 comes
    // back at the very end, two pieces after its first run.
    let mut text = String::from("Family ID,Relation,Given name,Surname,Date of birth\n");
    let mut rows = 0;
    for family in 1..=5_000 {
        for (relation, given) in [
            ("principal", "Ahmad"),
            ("wife", "Zahra"),
            ("son", "Karim"),
            ("daughter", "Maryam"),
        ] {
            text.push_str(&format!(
                "F{family},{relation},{given},Family{family},{}\n",
                1950 + family % 60
            ));
            rows += 1;
        }
    }
    text.push_str("F1,son,Omid,Family1,2010\n");
    rows += 1;
    let list = dir.path().join("long.csv");
    std::fs::write(&list, text).unwrap();
    let dry = ok(
        &db,
        &[
            "import",
            list.to_str().unwrap(),
            "--nation",
            "FR",
            "--dry-run",
        ],
    );
    assert!(
        dry.contains(&format!("{rows} rows: {rows} accepted")),
        "{dry}"
    );
    assert!(dry.contains("Dry run: nothing was written."), "{dry}");
    let out = ok(&db, &["import", list.to_str().unwrap(), "--nation", "FR"]);
    assert!(
        out.contains(&format!("Written: {rows} people and 5000 cases new")),
        "{out}"
    );
    let omid = ok(&db, &["person", "show", "P20001"]);
    assert!(omid.contains("Omid"), "{omid}");
    let case = ok(&db, &["case", "show", "C1"]);
    assert_eq!(
        case.matches("Family1").count(),
        5,
        "the late row joined its family's case: {case}"
    );
    let again = ok(&db, &["import", list.to_str().unwrap(), "--nation", "FR"]);
    assert!(
        again.contains(&format!(
            "Written: 0 people and 0 cases new, 0 people updated, {rows} unchanged"
        )),
        "{again}"
    );
    assert!(ok(&db, &["check"]).contains("ok"));
}

contract_tests!(
    a_case_from_registration_to_the_gate,
    bad_input_is_refused_with_a_clear_message_and_exit_code,
    the_demo_builds_a_consistent_database,
    killed_mid_build_leaves_a_consistent_database,
    import_reports_every_row_and_is_idempotent,
    export_then_import_into_an_empty_database_gives_the_same_data,
    planted_sanctioned_names_are_found_reviewed_and_blocked,
    a_long_list_is_imported_in_pieces_with_its_families_whole,
);
