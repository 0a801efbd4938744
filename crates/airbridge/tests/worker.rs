//! `airbridge serve`'s background worker, through the binary: people registered through the
//! API are screened against the loaded sanctions list and matched against the registry for
//! duplicates without anyone running a command, as the CLI's import does.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Child;
use std::time::{Duration, Instant};

/// A server on a free port, stopped when dropped.
struct Server {
    child: Child,
    host: String,
}

impl Server {
    fn start(db: &str) -> Server {
        let mut child = spawn_serve(db);
        let mut first = String::new();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        stderr.read_line(&mut first).unwrap();
        // The server goes on writing (a setup link, warnings): keep reading, or its next line
        // would fail on a closed pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stderr.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        let host = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("serve said: {first}"))
            .to_owned();
        Server { child, host }
    }

    fn post(&self, path: &str, token: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let body = body.to_string();
        let mut stream = std::net::TcpStream::connect(&self.host).unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.host,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let json = response
            .split_once("\r\n\r\n")
            .and_then(|(_, body)| serde_json::from_str(body).ok())
            .unwrap_or_default();
        (status, json)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("worker.db").display().to_string();
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
    let people = json(&db, &["person", "search", "--limit", "1000"]);
    let original = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            let name = &p["person"]["name"];
            name["given"].is_string()
                && name["family"].is_string()
                && name["father"].is_string()
                && p["person"]["birth_date"]["day"].is_u64()
                && p["nation"] != "FR"
        })
        .expect("the demo has fully named people")
        .clone();
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
