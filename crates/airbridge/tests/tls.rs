//! `airbridge serve --tls-cert --tls-key` as an operator runs it: the binary, a self-signed
//! certificate made by the test (rcgen), and a rustls client that trusts only that
//! certificate. The handshake succeeds, `/healthz` answers, and the session cookie after a
//! login is `Secure` with the `__Host-` prefix.

mod common;

use common::*;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

/// One request over TLS to `host` for the name `localhost`; the whole answer as text, or the
/// error the handshake or the exchange ended with.
fn try_https(host: &str, roots: &rustls::RootCertStore, request: &str) -> std::io::Result<String> {
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots.clone())
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let connection = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut stream = rustls::StreamOwned::new(connection, TcpStream::connect(host)?);
    stream.write_all(request.as_bytes())?;
    stream.flush()?;
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        // A server may close without a TLS close_notify once it has answered.
        Err(e) if e.kind() == ErrorKind::UnexpectedEof && !answer.is_empty() => {}
        Err(e) => return Err(e),
    }
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

fn https(host: &str, roots: &rustls::RootCertStore, request: &str) -> String {
    try_https(host, roots, request).unwrap_or_else(|e| panic!("TLS exchange failed: {e}"))
}

#[test]
fn serve_speaks_tls_with_the_given_certificate_and_the_cookie_is_secure() {
    let (dir, db) = database(Backend::Sqlite);
    ok(&db, &["init"]);
    ok(&db, &["nation", "add", "FR", "France"]);
    let password = "a long enough passphrase";
    let password_file = dir.path().join("password.txt");
    std::fs::write(&password_file, format!("{password}\n")).unwrap();
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
            password_file.to_str().unwrap(),
        ],
    );

    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let server = Server::start_with(
        &db,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();

    let health = https(
        &server.host,
        &roots,
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    // Plain HTTP on the same port is not served.
    let mut plain = TcpStream::connect(&server.host).unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(
        !String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "plain HTTP answered over the TLS port"
    );

    // A client that does not trust the certificate cannot connect.
    let stranger = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let mut other_roots = rustls::RootCertStore::empty();
    other_roots.add(stranger.cert.der().clone()).unwrap();
    let refused = try_https(
        &server.host,
        &other_roots,
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("certificate")),
        "a certificate nobody trusts: {refused:?}"
    );

    let form = format!("username=amelie&password={}", password.replace(' ', "+"));
    let login = https(
        &server.host,
        &roots,
        &format!(
            "POST /login HTTP/1.1\r\nHost: localhost\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{form}",
            form.len()
        ),
    );
    assert!(login.starts_with("HTTP/1.1 303"), "{login}");
    let cookie = login
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap_or_default();
    assert!(cookie.contains("__Host-airbridge_session="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}
