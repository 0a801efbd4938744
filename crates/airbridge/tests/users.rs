//! `airbridge users …` and the first-run setup link of `airbridge serve`, through the binary.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};

#[test]
fn accounts_are_managed_from_the_shell_without_a_password_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("users.db").display().to_string();
    ok(&db, &["init"]);
    ok(&db, &["nation", "add", "FR", "France"]);
    let short = dir.path().join("short.txt");
    std::fs::write(&short, "too short\n").unwrap();
    let refused = airbridge(
        &db,
        &[
            "users",
            "add",
            "--username",
            "root",
            "--role",
            "system-admin",
            "--password-file",
            short.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(5));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("at least 12 characters"), "{message}");
    // Without a terminal and without --password-file there is no password to read.
    let no_terminal = airbridge(
        &db,
        &[
            "users",
            "add",
            "--username",
            "root",
            "--role",
            "system-admin",
        ],
    );
    assert!(!no_terminal.status.success());
    let good = dir.path().join("password.txt");
    std::fs::write(&good, "a long enough passphrase\n").unwrap();
    let added = ok(
        &db,
        &[
            "users",
            "add",
            "--username",
            "root",
            "--role",
            "system-admin",
            "--display-name",
            "Root Admin",
            "--password-file",
            good.to_str().unwrap(),
        ],
    );
    assert!(added.contains("system_admin"), "{added}");
    assert!(added.contains("second factor"), "{added}");
    let wrong_binding = airbridge(
        &db,
        &[
            "users",
            "add",
            "--username",
            "amelie",
            "--role",
            "caseworker",
            "--password-file",
            good.to_str().unwrap(),
        ],
    );
    assert_eq!(wrong_binding.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&wrong_binding.stderr).contains("give its nation"));
    ok(
        &db,
        &[
            "users",
            "add",
            "--username",
            "amelie",
            "--role",
            "caseworker",
            "--nation",
            "FR",
            "--password-file",
            good.to_str().unwrap(),
        ],
    );
    let list = ok(&db, &["users", "list"]);
    assert!(list.contains("root") && list.contains("amelie"), "{list}");
    assert!(!list.contains("argon2"));
    assert!(ok(&db, &["users", "disable", "amelie"]).contains("[disabled]"));
    ok(&db, &["users", "unlock", "amelie"]);
    ok(&db, &["users", "reset-totp", "root"]);
    let missing = airbridge(&db, &["users", "disable", "nobody"]);
    assert_eq!(missing.status.code(), Some(3));
    let json: serde_json::Value =
        serde_json::from_str(&ok(&db, &["--json", "users", "list", "--nation", "FR"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    // Tokens take a role too.
    let token = ok(
        &db,
        &[
            "token",
            "create",
            "abbey-1",
            "--nation",
            "FR",
            "--role",
            "gate-officer",
            "--gate",
            "Abbey Gate",
        ],
    );
    assert!(token.contains("ab_"), "{token}");
    let no_gate = airbridge(
        &db,
        &[
            "token",
            "create",
            "abbey-2",
            "--nation",
            "FR",
            "--role",
            "gate-officer",
        ],
    );
    assert_eq!(no_gate.status.code(), Some(5));
    let audit = ok(&db, &["audit", "list", "--limit", "100"]);
    for action in [
        "user.add",
        "user.disable",
        "user.unlock",
        "user.totp_reset",
        "token.create",
    ] {
        assert!(audit.contains(action), "{action}: {audit}");
    }
}

#[test]
fn serve_offers_a_one_time_setup_link_while_there_is_no_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("setup.db").display().to_string();
    ok(&db, &["init"]);
    let mut server = spawn_serve(&db);
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    let mut link = None;
    for line in lines.by_ref().take(10) {
        let line = line.unwrap();
        if let Some(at) = line.find("http://") {
            let url = line[at..].split_whitespace().next().unwrap().to_owned();
            if url.contains("/setup?token=") {
                link = Some(url);
                break;
            }
        }
    }
    let link = link.expect("serve prints a setup link");
    let rest = link.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let response = get(host, &format!("/{path}"));
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("name=\"token\""), "{response}");
    // Once an account exists, no link is offered.
    let password = dir.path().join("password.txt");
    std::fs::write(&password, "a long enough passphrase\n").unwrap();
    ok(
        &db,
        &[
            "users",
            "add",
            "--username",
            "root",
            "--role",
            "system-admin",
            "--password-file",
            password.to_str().unwrap(),
        ],
    );
    let mut again = spawn_serve(&db);
    let mut first = String::new();
    BufReader::new(again.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("serving on"), "{first}");
    // Once the server answers, it has decided whether to offer a link.
    let host = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    assert!(get(&host, "/healthz").starts_with("HTTP/1.1 200"));
    again.kill().unwrap();
    again.wait().unwrap();
    let audit = ok(&db, &["audit", "list", "--limit", "100"]);
    assert_eq!(audit.matches("setup.token").count(), 1, "{audit}");
}

fn get(host: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}
