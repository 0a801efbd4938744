//! `airbridge serve`'s background worker, through the binary: people registered through the
//! API are screened against the loaded sanctions list and matched against the registry for
//! duplicates without anyone running a command, as the CLI's import does.

mod common;

use common::*;
use std::time::{Duration, Instant};

/// Waits up to a minute for `done` to hold, asking every 200 ms.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the worker did not {what} within a minute"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn people_registered_through_the_api_are_screened_and_matched_by_the_worker() {
    let (_dir, db) = database(Backend::Sqlite);
    let un = un_list();
    assert!(
        un.exists(),
        "the shared UN list is missing at {}",
        un.display()
    );
    ok(
        &db,
        &["demo", "--persons", "600", "--no-serve", "--seed", "5"],
    );
    ok(&db, &["screening", "load", un.to_str().unwrap()]);
    ok(&db, &["dedup"]);
    let hits_before = json(&db, &["screening", "hits"]).as_array().unwrap().len();
    // A fully named person already registered, to send a copy of.
    let original = TESTER.fully_named_person(&db, |p| p["nation"] != "FR");
    let token = json(
        &db,
        &[
            "token",
            "create",
            "caseworker-fr",
            "--nation",
            "FR",
            "--role",
            "caseworker",
        ],
    );
    let token = token["token"].as_str().unwrap().to_owned();

    let server = Server::start(&db);
    // A man with the name and birth year of a listed Taliban official (TAi.155).
    let (status, listed) = server.post(
        "/api/persons",
        &token,
        &serde_json::json!({ "nation": "FR", "person": {
            "name": { "given": "Abdul Aziz", "family": "Abbasin" },
            "sex": "male",
            "birth_date": { "calendar": "gregorian", "year": 1969 },
        }}),
    );
    assert_eq!(status, 201, "{listed}");
    // And a second record of someone another nation registered.
    let (status, copy) = server.post(
        "/api/persons",
        &token,
        &serde_json::json!({ "nation": "FR", "person": {
            "name": original["person"]["name"],
            "birth_date": original["person"]["birth_date"],
        }}),
    );
    assert_eq!(status, 201, "{copy}");

    eventually("screen the listed name", || {
        json(&db, &["screening", "hits"])
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["person"] == listed["id"] && h["entry_ref"] == "TAi.155")
    });
    let copy_id = format!("P{}", copy["id"]);
    eventually("match the copy with the original", || {
        json(&db, &["dedup", "matches", &copy_id])["same_person"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == original["id"])
    });
    drop(server);
    assert!(json(&db, &["screening", "hits"]).as_array().unwrap().len() > hits_before);
    // Each registration queued one job, and the worker finished both, audited.
    let audit = json(&db, &["audit", "list", "--limit", "100000"]);
    let count = |action: &str| {
        audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == action)
            .count()
    };
    assert_eq!(count("job.enqueue"), 2);
    assert!(count("dedup.match") >= 2);
    assert!(ok(&db, &["audit", "verify"]).contains("intact"));
}
