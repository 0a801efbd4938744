//! `airbridge serve`: the HTTP server (HTTPS with `--tls-cert`/`--tls-key`, through rustls),
//! until Ctrl-C or SIGTERM. On a database without any account it prints a one-time setup link
//! (valid one hour) that lets the first administrator be created in a browser.

use crate::cli::ServeArgs;
use airbridge_store::{AnyStore, Store};
use airbridge_web::{AppState, WebConfig, router, secrets};
use anyhow::Context;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use std::net::SocketAddr;
use std::time::Duration;

/// How long the first-run setup link works.
const SETUP_LINK_SECONDS: i64 = 60 * 60;

pub async fn serve(store: AnyStore, args: &ServeArgs) -> anyhow::Result<()> {
    let public_url = args.public_url.as_deref().map(public_url).transpose()?;
    let address = format!("{}:{}", args.bind, args.port);
    let listener = std::net::TcpListener::bind(&address).with_context(|| {
        format!("cannot listen on {address}: is another server using the port? try --port")
    })?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            RustlsConfig::from_pem_file(cert, key)
                .await
                .with_context(|| {
                    format!(
                        "cannot use the TLS certificate {} with the key {}",
                        cert.display(),
                        key.display()
                    )
                })?,
        ),
        _ => None,
    };
    let handle = Handle::new();
    tokio::spawn({
        let handle = handle.clone();
        async move {
            shutdown().await;
            handle.graceful_shutdown(Some(Duration::from_secs(10)));
        }
    });
    let local = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!("Airbridge is serving on {scheme}://{local}/  (Ctrl-C to stop)");
    offer_setup_link(&store, &format!("{scheme}://{local}")).await?;
    run(store.clone(), listener, tls, public_url, handle).await?;
    store.close().await;
    Ok(())
}

/// Serves until the handle is told to shut down. Public to the crate for the TLS test.
pub(crate) async fn run(
    store: AnyStore,
    listener: std::net::TcpListener,
    tls: Option<RustlsConfig>,
    public_url: Option<String>,
    handle: Handle<SocketAddr>,
) -> anyhow::Result<()> {
    listener.set_nonblocking(true)?;
    let config = WebConfig {
        tls: tls.is_some(),
        public_url,
        ..WebConfig::default()
    };
    // The journal is checkpointed here, every second, rather than by whichever request's
    // commit crosses SQLite's threshold.
    store
        .checkpoint_in_background()
        .await
        .context("could not set the journal's upkeep")?;
    let upkeep = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                every.tick().await;
                match store.checkpoint().await {
                    Ok(Some(done)) => {
                        tracing::debug!(done.busy, done.frames, done.copied, "checkpoint")
                    }
                    Ok(None) => {}
                    Err(error) => tracing::debug!(%error, "checkpoint skipped"),
                }
            }
        })
    };
    // Screening and duplicate matching of people changed through the web app.
    let worker = tokio::spawn(crate::jobs::work(store.clone()));
    // Connection info gives the login rate limit each client's address.
    let app =
        router(AppState::new(store, config)).into_make_service_with_connect_info::<SocketAddr>();
    let served = match tls {
        Some(tls) => {
            axum_server::from_tcp_rustls(listener, tls)?
                .handle(handle)
                .serve(app)
                .await
        }
        None => {
            axum_server::from_tcp(listener)?
                .handle(handle)
                .serve(app)
                .await
        }
    };
    upkeep.abort();
    worker.abort();
    served.context("server failed")
}

/// `--public-url` as the pass links need it: an http or https address with a host, without
/// a trailing slash.
fn public_url(text: &str) -> Result<String, crate::InvalidInput> {
    let url = text.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(crate::InvalidInput(format!(
            "--public-url '{text}' is not an address people can open: write https://airbridge.example.org"
        )));
    }
    Ok(url.to_owned())
}

/// Prints a one-time link to create the first administrator, when there is no account.
async fn offer_setup_link(store: &AnyStore, base: &str) -> anyhow::Result<()> {
    if store.count_users().await? > 0 {
        return Ok(());
    }
    let token = secrets::random_hex(32);
    let hash = airbridge_store::audit::secret_hash(&token);
    let expires = airbridge_web::now() + SETUP_LINK_SECONDS;
    if store.create_setup_token(&hash, expires).await? {
        eprintln!(
            "No account exists yet. Create the first administrator within one hour at:\n  \
             {base}/setup?token={token}\n\
             (the link works once; or run: airbridge users add --username NAME --role system-admin)"
        );
    }
    Ok(())
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airbridge_domain::{Access, NationCode, Role};
    use airbridge_store::{Actor, NewUser, OpenMode};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn a_public_url_is_an_http_address_without_its_last_slash() {
        let check = |text: &str| public_url(text).ok();
        assert_eq!(
            check("https://airbridge.example.org/").as_deref(),
            Some("https://airbridge.example.org")
        );
        assert_eq!(
            check(" http://10.0.0.5:8080 ").as_deref(),
            Some("http://10.0.0.5:8080")
        );
        assert_eq!(check("airbridge.example.org"), None);
        assert_eq!(check("https://"), None);
        assert_eq!(check("https://air bridge"), None);
        assert_eq!(check("ftp://airbridge.example.org"), None);
    }

    /// A request over TLS to a server with an rcgen certificate: the page answers, and the
    /// session cookie is `Secure` with the `__Host-` prefix.
    #[tokio::test]
    async fn serves_https_and_marks_the_session_cookie_secure() {
        let dir = tempfile::tempdir().unwrap();
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&cert_path, certified.cert.pem()).unwrap();
        std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();
        let store = AnyStore::open(
            &airbridge_store::any::Location::Sqlite(dir.path().join("tls.db")),
            OpenMode::CreateIfMissing,
        )
        .await
        .unwrap();
        let setup = Actor::new("test:setup");
        let fr = NationCode::parse("FR").unwrap();
        store.add_nation(&setup, fr, "France").await.unwrap();
        let password = "a long enough passphrase";
        store
            .add_user(
                &setup,
                NewUser {
                    username: "amelie".into(),
                    display_name: "Amélie".into(),
                    access: Access::new(Role::Caseworker, Some(fr), None, None).unwrap(),
                    password_hash: airbridge_web::password::hash(password).unwrap(),
                },
            )
            .await
            .unwrap();
        let tls = RustlsConfig::from_pem_file(&cert_path, &key_path)
            .await
            .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let handle = Handle::new();
        let server = tokio::spawn(run(store, listener, Some(tls), None, handle.clone()));

        let mut roots = rustls::RootCertStore::empty();
        roots.add(certified.cert.der().clone()).unwrap();
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
        let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let mut stream = connector.connect(name, tcp).await.unwrap();
        let form = format!("username=amelie&password={}", password.replace(' ', "+"));
        let request = format!(
            "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 303"), "{response}");
        let cookie = response
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
            .unwrap_or_default();
        assert!(cookie.contains("__Host-airbridge_session="), "{cookie}");
        assert!(cookie.contains("; Secure"), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));

        handle.graceful_shutdown(None);
        server.await.unwrap().unwrap();
    }
}
