//! Gate check-ins end to end through the binary: a server killed with SIGKILL in the middle of
//! a load of check-ins loses none it acknowledged, and serves again on the same database.

mod common;

use airbridge_store::{AnyStore, DatabaseKey, Encryption, OpenMode, Store};
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Starts `serve` on a free port; returns the process and its address once it answers.
fn serve(db: &str) -> (Child, String) {
    let mut server = spawn_serve(db);
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    let host = lines
        .by_ref()
        .take(20)
        .map(|line| line.unwrap())
        .find_map(|line| {
            line.split("http://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .map(str::to_owned)
        })
        .expect("serve prints its address");
    // Keep draining its messages so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (server, host)
}

/// One HTTP/1.1 request on its own connection; the status code and body, or `None` when the
/// connection failed (the server is gone).
fn post(host: &str, path: &str, token: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(host).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

struct Pass {
    code: String,
    members: Vec<i64>,
}

#[test]
fn a_killed_server_loses_no_acknowledged_check_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gate.db").display().to_string();
    ok(&db, &["demo", "--persons", "20000", "--no-serve"]);
    let now = time::OffsetDateTime::now_utc();
    let at = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let passes_file = dir.path().join("passes.csv");
    ok(
        &db,
        &[
            "call-forward",
            "--nation",
            "US",
            "--gate",
            "Abbey Gate",
            "--rendezvous",
            "South car park",
            "--from",
            &at(now - time::Duration::hours(1)),
            "--until",
            &at(now + time::Duration::hours(3)),
            "--ready",
            "1000",
            "--passes-out",
            passes_file.to_str().unwrap(),
        ],
    );
    let passes: Vec<Pass> = csv::Reader::from_path(&passes_file)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            Pass {
                code: r[2].to_owned(),
                members: r[3].split(' ').map(|m| m.parse().unwrap()).collect(),
            }
        })
        .collect();
    assert!(passes.len() > 200, "only {} ready cases", passes.len());
    let token: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &[
            "--json",
            "token",
            "create",
            "gate-kill",
            "--nation",
            "US",
            "--role",
            "gate_officer",
            "--gate",
            "Abbey Gate",
        ],
    ))
    .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();

    let (mut server, host) = serve(&db);
    let passes = Arc::new(passes);
    let acknowledged = Arc::new(Mutex::new(Vec::<usize>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|client| {
            let (passes, acknowledged, stop) = (passes.clone(), acknowledged.clone(), stop.clone());
            let (host, token) = (host.clone(), token.clone());
            std::thread::spawn(move || {
                for i in (client..passes.len()).step_by(8) {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let pass = &passes[i];
                    let body = serde_json::json!({
                        "code": pass.code,
                        "op_id": format!("kill-{i}"),
                        "at_ms": 0,
                        "action": "admit",
                        "members": pass.members,
                        "offline": false,
                    })
                    .to_string();
                    match post(&host, "/api/gate/check-in", &token, &body) {
                        Some((200, answer)) => {
                            assert!(answer.contains("\"applied\""), "{answer}");
                            acknowledged.lock().unwrap().push(i);
                        }
                        Some((status, answer)) => panic!("check-in answered {status}: {answer}"),
                        // The server was killed under this request.
                        None => break,
                    }
                }
            })
        })
        .collect();
    // Kill without warning once a good part of the load is through, requests still in flight.
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged.lock().unwrap().len() < passes.len() / 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() < passes.len(),
        "the load ended before the kill"
    );

    // Restarted on the same database, the server serves; every acknowledged check-in is there.
    let (mut again, host) = serve(&db);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let lost: Vec<usize> = rt.block_on(async {
        let key = DatabaseKey::parse(TEST_KEY).unwrap();
        let store = AnyStore::open_with(
            &airbridge_store::any::Location::Sqlite(db.clone().into()),
            OpenMode::MustExist,
            &Encryption::Key(key),
        )
        .await
        .unwrap();
        let mut lost = Vec::new();
        for &i in &acknowledged {
            let code = airbridge_field::PassCode::parse(&passes[i].code).unwrap();
            let pass = store.pass_by_hash(&code.hash()).await.unwrap().unwrap();
            let mut admitted = pass.used_gate.as_deref() == Some("Abbey Gate");
            for member in &passes[i].members {
                let person = store
                    .get_person(airbridge_domain::PersonId(*member))
                    .await
                    .unwrap()
                    .unwrap();
                admitted &= person.status == airbridge_domain::EvacuationStatus::AtGate;
            }
            if !admitted {
                lost.push(i);
            }
        }
        lost
    });
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged check-ins lost: {lost:?}",
        lost.len(),
        acknowledged.len()
    );
    // The next pass is admitted by the restarted server; an acknowledged one is refused as used.
    let next = (0..passes.len())
        .find(|i| !acknowledged.contains(i))
        .unwrap();
    let body = |i: usize, op: &str| {
        serde_json::json!({
            "code": passes[i].code, "op_id": op, "at_ms": 0, "action": "admit",
            "members": passes[i].members, "offline": false,
        })
        .to_string()
    };
    let (status, answer) = post(
        &host,
        "/api/gate/check-in",
        &token,
        &body(next, "after-restart"),
    )
    .unwrap();
    // It may have been applied just before the kill without its answer getting out.
    assert!(
        status == 200 || (status == 409 && answer.contains("already_used")),
        "{status} {answer}"
    );
    let (status, answer) = post(
        &host,
        "/api/gate/check-in",
        &token,
        &body(acknowledged[0], "again"),
    )
    .unwrap();
    assert_eq!(status, 409, "{answer}");
    assert!(answer.contains("already_used"), "{answer}");
    again.kill().unwrap();
    again.wait().unwrap();
    eprintln!(
        "killed with {} of {} check-ins acknowledged; none lost",
        acknowledged.len(),
        passes.len()
    );
}
