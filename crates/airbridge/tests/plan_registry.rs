//! `airbridge flights`, `airbridge plan` and `airbridge manifest` on the registry, run as an
//! operator runs them: synthetic families registered, walked to the gate and processed, one
//! blocked by a confirmed sanctions hit, flights imported, a plan stored, a flight cancelled and
//! the plan made again, manifests printed. Every test runs on a SQLite file and on a database of
//! its own on a PostgreSQL server the tests start (`contract_tests!` at the end).

mod common;

use common::{Backend, Cli, database};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Everything here is run by a planner (the stored plan's audit event names them).
const PLANNER: Cli = Cli {
    actor: "cli:planner",
};

fn ok(db: &str, args: &[&str]) -> String {
    PLANNER.ok(db, args)
}

fn fails(db: &str, args: &[&str], code: i32) -> String {
    PLANNER.fails(db, args, code)
}

fn json(db: &str, args: &[&str]) -> serde_json::Value {
    PLANNER.json(db, args)
}

/// RFC 3339 for `hours` from now.
fn in_hours(hours: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(hours))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A birth date `days` ago.
fn born_days_ago(days: i64) -> String {
    let date = (time::OffsetDateTime::now_utc() - time::Duration::days(days)).date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Registers a case (principal with a passport, dependents by name) and returns its id.
fn register(
    db: &str,
    nation: &str,
    basis: &str,
    principal: (&str, &str),
    members: &[&str],
) -> String {
    let passport = format!(
        "passport:P{}{}:{nation}",
        principal.0.len(),
        principal.1.len()
    );
    let mut args = vec![
        "case",
        "add",
        "--nation",
        nation,
        "--basis",
        basis,
        "--given",
        principal.0,
        "--family",
        principal.1,
        "--dob",
        "1985-03-02",
        "--nationality",
        nation,
        "--doc",
        &passport,
    ];
    let members: Vec<String> = members.iter().map(|m| m.to_string()).collect();
    for member in &members {
        args.extend(["--member", member]);
    }
    let case = json(db, &args);
    format!("C{}", case["case"]["id"].as_i64().unwrap())
}

/// Walks every member of a case to `processed`, as the gate does.
fn process(db: &str, case: &str) {
    for to in ["eligible", "called_forward", "at_gate", "processed"] {
        ok(db, &["case", "status", case, to, "--at", "Abbey Gate"]);
    }
}

/// `case_id,flight_id` as `plan --output` writes it.
fn plan_file(path: &Path) -> BTreeMap<String, String> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[1].to_owned())
        })
        .collect()
}

/// (case, name, seat) rows of a CSV manifest.
fn manifest_rows(text: &str) -> Vec<(String, String, String)> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[1].to_owned(), r[4].to_owned(), r[8].to_owned())
        })
        .collect()
}

/// A synthetic UN-format list with one made-up individual.
const LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-05-08T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>ZARBAZ</FIRST_NAME>
<SECOND_NAME>QORBANIKHEL</SECOND_NAME><UN_LIST_TYPE>Test</UN_LIST_TYPE>
<REFERENCE_NUMBER>TST.001</REFERENCE_NUMBER><LISTED_ON>2020-01-01</LISTED_ON>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1985-03-02</DATE></INDIVIDUAL_DATE_OF_BIRTH>
</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>
"#;

fn the_registry_is_planned_stored_replanned_and_manifested(backend: Backend) {
    let (dir, db) = database(backend);
    ok(&db, &["init"]);
    for (code, name) in [
        ("US", "United States"),
        ("GB", "United Kingdom"),
        ("FR", "France"),
    ] {
        ok(&db, &["nation", "add", code, name]);
    }

    // Families: a US family of four with a lap infant, a US couple, a British journalist and
    // her brother, a US family whose principal is on a sanctions list, and a case not yet at
    // the gate.
    let smith = register(
        &db,
        "US",
        "national",
        ("John", "Doe"),
        &["spouse:Jane Doe", "child:Jim Doe"],
    );
    let infant = json(
        &db,
        &[
            "person",
            "add",
            "--nation",
            "US",
            "--given",
            "Baby",
            "--family",
            "Doe",
            "--dob",
            &born_days_ago(200),
        ],
    );
    let infant = format!("P{}", infant["id"].as_i64().unwrap());
    ok(
        &db,
        &["case", "add-member", &smith, &infant, "--relation", "child"],
    );
    let couple = register(
        &db,
        "US",
        "national",
        ("Walter", "Roe"),
        &["spouse:Wanda Roe"],
    );
    let journalist = register(
        &db,
        "GB",
        "at_risk:journalist:threatened for reporting",
        ("Zahra", "Karimi"),
        &["sibling:Omid Karimi"],
    );
    let blocked = register(
        &db,
        "US",
        "national",
        ("Zarbaz", "Qorbanikhel"),
        &["spouse:Gul Qorbanikhel"],
    );
    let waiting = register(&db, "US", "national", ("Early", "Bird"), &[]);
    for case in [&smith, &couple, &journalist, &blocked] {
        process(&db, case);
    }
    ok(&db, &["case", "status", &waiting, "eligible"]);

    // The sanctions hit on the principal of `blocked` is confirmed by an officer.
    let list = dir.path().join("un.xml");
    std::fs::write(&list, LIST).unwrap();
    ok(
        &db,
        &[
            "screening",
            "load",
            list.to_str().unwrap(),
            "--format",
            "un",
        ],
    );
    let hits = json(&db, &["screening", "hits"]);
    let hit = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| {
            h["entry_ref"] == "TST.001"
                && h["person_name"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("Zarbaz")
        })
        .unwrap_or_else(|| panic!("no hit on the listed name: {hits}"));
    ok(
        &db,
        &["screening", "decide", &hit["id"].to_string(), "confirmed"],
    );

    // Aircraft types, carriage and acceptance.
    ok(
        &db,
        &[
            "flights", "aircraft", "KC-4", "--seated", "4", "--floor", "6",
        ],
    );
    ok(
        &db,
        &[
            "flights",
            "agreement",
            "--carrier",
            "US",
            "--passengers",
            "GB",
            "--categories",
            "at_risk",
        ],
    );
    ok(&db, &["flights", "acceptance", "DOH", "--allow", "US,GB:*"]);
    let rules = ok(&db, &["flights", "rules"]);
    assert!(
        rules.contains("US flights may carry GB people: at_risk"),
        "{rules}"
    );
    assert!(
        rules.contains("DOH accepts US,GB (any category)"),
        "{rules}"
    );

    // A bad flights file is refused whole, each problem named by file, line and column.
    let bad = dir.path().join("bad-flights.csv");
    std::fs::write(
        &bad,
        format!(
            "flight_id,nation,aircraft,configuration,departs_at,destination\n\
             US1,US,KC-4,seated,{},DOH\n\
             DE1,DE,KC-4,seated,{},DOH\n\
             US9,US,KC-4,seated,2021-08-16T12:00:00Z,DOH\n\
             US8,US,B747,seated,{},DOH\n",
            in_hours(2),
            in_hours(2),
            in_hours(2)
        ),
    )
    .unwrap();
    let message = fails(&db, &["flights", "import", bad.to_str().unwrap()], 5);
    for expected in [
        "bad-flights.csv line 3, column `nation`: unknown nation DE",
        "bad-flights.csv line 4, column `departs_at`",
        "in the past",
        "bad-flights.csv line 5, column `aircraft`: unknown aircraft type 'B747'",
    ] {
        assert!(message.contains(expected), "{expected}: {message}");
    }
    assert!(
        ok(&db, &["flights", "list"]).trim().is_empty(),
        "nothing added"
    );
    let past = fails(
        &db,
        &[
            "flights",
            "add",
            "US7",
            "--nation",
            "US",
            "--aircraft",
            "KC-4",
            "--departs",
            "2021-08-16T12:00:00Z",
            "--destination",
            "DOH",
        ],
        5,
    );
    assert!(past.contains("in the past"), "{past}");
    let unknown_nation = fails(
        &db,
        &[
            "flights",
            "add",
            "DE7",
            "--nation",
            "DE",
            "--aircraft",
            "KC-4",
            "--departs",
            &in_hours(2),
            "--destination",
            "DOH",
        ],
        3,
    );
    assert!(unknown_nation.contains("nation DE"), "{unknown_nation}");

    // Two flights of four seats for seven seats of ready people: families must be fitted whole.
    let flights = dir.path().join("flights.csv");
    std::fs::write(
        &flights,
        format!(
            "flight_id,nation,aircraft,configuration,departs_at,destination,carries\n\
             US1,US,KC-4,seated,{},DOH,\n\
             US2,US,KC-4,seated,{},DOH,\n",
            in_hours(2),
            in_hours(4)
        ),
    )
    .unwrap();
    assert!(ok(&db, &["flights", "import", flights.to_str().unwrap()]).contains("Added 2 flights"));
    fails(&db, &["flights", "import", flights.to_str().unwrap()], 5);

    let first_file = dir.path().join("plan-1.csv");
    let summary = ok(&db, &["plan", "--output", first_file.to_str().unwrap()]);
    assert!(
        summary.contains("objective ") && summary.contains(" gap "),
        "{summary}"
    );
    assert!(summary.contains("plan 1 stored"), "{summary}");
    assert!(
        summary.contains("1 case(s) blocked by screening"),
        "{summary}"
    );
    let first = plan_file(&first_file);
    assert_eq!(
        first.keys().cloned().collect::<BTreeSet<_>>(),
        [&smith, &couple, &journalist, &blocked]
            .iter()
            .map(|c| c.to_string())
            .collect(),
        "the ready pool: processed cases only, not {waiting}"
    );
    assert_eq!(
        first[&blocked], "",
        "a blocked case is never put on a flight"
    );
    for case in [&smith, &couple, &journalist] {
        assert!(["US1", "US2"].contains(&first[case].as_str()), "{first:?}");
    }

    // Each flight's manifest: whole families, seats within the aircraft, the infant on a lap.
    let mut seen_people = 0;
    for flight in ["US1", "US2"] {
        let rows = manifest_rows(&ok(
            &db,
            &["manifest", "--flight", flight, "--format", "csv"],
        ));
        let cases: BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let planned: BTreeSet<&str> = first
            .iter()
            .filter(|(_, f)| f.as_str() == flight)
            .map(|(c, _)| c.as_str())
            .collect();
        assert_eq!(cases, planned, "{flight}: exactly the cases planned on it");
        let seats = rows.iter().filter(|r| r.2 == "seat").count();
        assert!(seats <= 4, "{flight}: {seats} seats of 4: {rows:?}");
        for case in &cases {
            let size = rows.iter().filter(|r| r.0 == *case).count();
            let expected = if *case == smith { 4 } else { 2 };
            assert_eq!(size, expected, "{flight}: family {case} whole");
        }
        if cases.contains(smith.as_str()) {
            assert!(
                rows.contains(&(smith.clone(), "Baby Doe".into(), "lap".into())),
                "{rows:?}"
            );
        }
        assert!(!rows.iter().any(|r| r.1.contains("Qorbanikhel")));
        seen_people += rows.len();
    }
    assert_eq!(
        seen_people, 8,
        "everyone ready and not blocked is on a flight"
    );

    // Stored and audited.
    let plan_events = json(&db, &["audit", "list", "--entity", "plan:1"]);
    assert_eq!(plan_events[0]["action"], "plan.run");
    assert_eq!(plan_events[0]["actor"], "cli:planner");
    let case_events = json(
        &db,
        &["audit", "list", "--entity", &format!("case:{couple}")],
    );
    assert!(
        case_events.as_array().unwrap().iter().any(
            |e| e["action"] == "case.flight" && e["after"]["flight"] == first[&couple].as_str()
        ),
        "{case_events}"
    );

    // Planning again with nothing changed moves nobody.
    let again = json(&db, &["plan"]);
    assert_eq!(
        (again["moved"].as_i64(), again["dropped"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(again["kept"].as_i64(), Some(8));

    // The people on US2 are told their flight; US1 is cancelled and a third flight added.
    let cancelled_flight = "US1";
    ok(&db, &["flights", "tell", "US2"]);
    ok(
        &db,
        &[
            "flights",
            "cancel",
            cancelled_flight,
            "--reason",
            "aircraft unserviceable",
        ],
    );
    fails(
        &db,
        &["manifest", "--flight", cancelled_flight, "--format", "csv"],
        5,
    );
    ok(
        &db,
        &[
            "flights",
            "add",
            "US3",
            "--nation",
            "US",
            "--aircraft",
            "KC-4",
            "--configuration",
            "floor",
            "--departs",
            &in_hours(6),
            "--destination",
            "DOH",
        ],
    );
    let second_file = dir.path().join("plan-2.csv");
    let replanned = json(&db, &["plan", "--output", second_file.to_str().unwrap()]);
    let second = plan_file(&second_file);
    for (case, flight) in &first {
        if flight == "US2" {
            assert_eq!(&second[case], "US2", "{case} kept its flight");
        }
        if flight == cancelled_flight {
            assert_eq!(&second[case], "US3", "{case} moved to the new flight");
        }
    }
    assert_eq!(second[&blocked], "");
    let moved: i64 = first
        .iter()
        .filter(|(_, f)| f.as_str() == cancelled_flight)
        .map(|(c, _)| if *c == smith { 4 } else { 2 })
        .sum();
    assert_eq!(replanned["moved"].as_i64(), Some(moved), "{replanned}");
    assert_eq!(replanned["kept"].as_i64(), Some(8 - moved), "{replanned}");
    assert_eq!(replanned["told_moved"], serde_json::json!([]));

    // The PDF manifest carries the names.
    let on_us2: Vec<&String> = second
        .iter()
        .filter(|(_, f)| f.as_str() == "US2")
        .map(|(c, _)| c)
        .collect();
    let pdf = dir.path().join("us2.pdf");
    ok(
        &db,
        &[
            "manifest",
            "--flight",
            "US2",
            "--format",
            "pdf",
            "--output",
            pdf.to_str().unwrap(),
        ],
    );
    let text = pdf_extract::extract_text_from_mem(&std::fs::read(&pdf).unwrap()).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = if on_us2.contains(&&couple) {
        "Walter Roe"
    } else {
        "John Doe"
    };
    assert!(text.contains("Flight US2"), "{text}");
    assert!(text.contains(name), "{name} in: {text}");
    let printed = json(&db, &["audit", "list", "--entity", "event:flight:US2"]);
    assert!(
        printed
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "manifest.print" && e["after"]["format"] == "pdf"),
        "{printed}"
    );

    // Bad requests get clear errors.
    let unknown = fails(
        &db,
        &["manifest", "--flight", "NOPE9", "--format", "csv"],
        3,
    );
    assert!(
        unknown.contains("flight NOPE9") && unknown.contains("does not exist"),
        "{unknown}"
    );
    fails(&db, &["manifest", "--flight", "US2", "--format", "pdf"], 5);
    let late = fails(
        &db,
        &["flights", "delay", "US2", "--to", "2021-08-16T12:00:00Z"],
        5,
    );
    assert!(late.contains("in the past"), "{late}");
    fails(&db, &["flights", "cancel", "NOPE9", "--reason", "x"], 3);
    fails(
        &db,
        &["flights", "delay", cancelled_flight, "--to", &in_hours(9)],
        5,
    );
    assert!(ok(&db, &["check"]).contains("Audit chain: ok"));
}

/// Two people ready for one seat: a US national and a British journalist. Each nation's weights
/// decide which of them flies first; setting them is audited and bad weights are refused.
fn priority_weights_decide_who_takes_the_last_seat(backend: Backend) {
    let (dir, db) = database(backend);
    ok(&db, &["init"]);
    ok(&db, &["nation", "add", "US", "United States"]);
    ok(&db, &["nation", "add", "GB", "United Kingdom"]);
    let national = register(&db, "US", "national", ("Ann", "Lee"), &[]);
    let journalist = register(
        &db,
        "GB",
        "at_risk:journalist:threatened for reporting",
        ("Bob", "Ray"),
        &[],
    );
    process(&db, &national);
    process(&db, &journalist);
    ok(&db, &["flights", "aircraft", "SOLO", "--seated", "1"]);
    ok(
        &db,
        &[
            "flights",
            "add",
            "US1",
            "--nation",
            "US",
            "--aircraft",
            "SOLO",
            "--departs",
            &in_hours(3),
            "--destination",
            "DOH",
            "--carries",
            "GB",
        ],
    );
    let flies = |name: &str| -> String {
        let path = dir.path().join(name);
        ok(
            &db,
            &["plan", "--fresh", "--output", path.to_str().unwrap()],
        );
        let plan = plan_file(&path);
        let flying: Vec<&String> = plan
            .iter()
            .filter(|(_, flight)| !flight.is_empty())
            .map(|(case, _)| case)
            .collect();
        assert_eq!(flying.len(), 1, "{plan:?}");
        flying[0].clone()
    };

    let line = ok(&db, &["flights", "weights", "GB", "--at-risk", "2"]);
    assert!(
        line.contains("GB: national 1, local staff 1, at risk 2"),
        "{line}"
    );
    assert_eq!(flies("first.csv"), journalist);

    ok(
        &db,
        &[
            "flights",
            "weights",
            "GB",
            "--at-risk",
            "0.5",
            "--medical",
            "1",
        ],
    );
    assert_eq!(flies("second.csv"), national);
    let rules = json(&db, &["flights", "rules"]);
    assert_eq!(rules["priority_weights"][0]["nation"], "GB");
    assert_eq!(rules["priority_weights"][0]["weights"]["at_risk"], 0.5);
    assert_eq!(rules["priority_weights"][0]["weights"]["medical"], 1.0);

    let events = json(&db, &["audit", "list", "--entity", "nation:GB"]);
    let sets: Vec<&serde_json::Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "weights.set")
        .collect();
    assert_eq!(sets.len(), 2, "{events}");

    let negative = fails(&db, &["flights", "weights", "GB", "--elderly=-1"], 5);
    assert!(
        negative.contains("--elderly: -1 is not a number ≥ 0"),
        "{negative}"
    );
    let nothing = fails(&db, &["flights", "weights", "GB"], 5);
    assert!(nothing.contains("give at least one weight"), "{nothing}");
    let unknown = fails(&db, &["flights", "weights", "DE", "--national", "2"], 3);
    assert!(unknown.contains("DE"), "{unknown}");
}

contract_tests!(
    the_registry_is_planned_stored_replanned_and_manifested,
    priority_weights_decide_who_takes_the_last_seat,
);
