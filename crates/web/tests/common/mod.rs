//! What the web tests share: a fresh database with its nations, accounts that log in through
//! sessions started directly in the store, and small builders of domain values.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use airbridge_domain::{Access, NationCode, Person, Role};
use airbridge_store::sqlite::OpenMode;
use airbridge_store::{Actor, AuditEvent, AuditFilter, NewSession, NewUser, SqliteStore, Store};
use airbridge_web::totp;
use std::path::Path;

/// A well-formed Argon2id hash that no password opens: accounts whose sessions the tests start
/// in the store, never through the login form.
pub const PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA";

/// The two nations most tests need: one whose records the caller reaches, one it must not.
pub const FRANCE_AND_GERMANY: &[(&str, &str)] = &[("FR", "France"), ("DE", "Germany")];

pub fn nation(code: &str) -> NationCode {
    NationCode::parse(code).unwrap()
}

pub fn person(value: serde_json::Value) -> Person {
    serde_json::from_value(value).unwrap()
}

/// A time `later` from now, in RFC 3339 (a flight's departure).
pub fn from_now(later: time::Duration) -> String {
    (time::OffsetDateTime::now_utc() + later)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A new SQLite database in a new temporary directory (kept alive by the caller), with
/// `nations`.
pub async fn fresh_store(nations: &[(&str, &str)]) -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), nations).await;
    (store, dir)
}

/// A new SQLite database in `dir`, with `nations`.
pub async fn store_in(dir: &Path, nations: &[(&str, &str)]) -> SqliteStore {
    let store = SqliteStore::open(&dir.join("airbridge.db"), OpenMode::CreateIfMissing)
        .await
        .unwrap();
    add_nations(&store, nations).await;
    store
}

/// Adds nations (code, name) to any backend.
pub async fn add_nations(store: &impl Store, nations: &[(&str, &str)]) {
    let setup = Actor::new("test:setup");
    for (code, name) in nations {
        store.add_nation(&setup, nation(code), name).await.unwrap();
    }
}

/// Accounts (username, role, nation) with the hash no password opens, each named after itself;
/// a role that needs a second factor has one enrolled.
pub async fn add_accounts(store: &SqliteStore, accounts: &[(&str, Role, Option<&str>)]) {
    let setup = Actor::new("test:setup");
    for (username, role, code) in accounts {
        store
            .add_user(
                &setup,
                NewUser {
                    username: (*username).into(),
                    display_name: (*username).into(),
                    access: Access::new(*role, code.map(nation), None, None).unwrap(),
                    password_hash: PHC.into(),
                },
            )
            .await
            .unwrap();
        if role.needs_second_factor() {
            store
                .set_user_totp(&setup, username, Some(totp::new_secret()))
                .await
                .unwrap();
        }
    }
}

/// A logged-in session for an account, second factor done: its cookie and CSRF token.
pub async fn start_session(store: &SqliteStore, username: &str) -> (String, String) {
    let (id, id_hash) = airbridge_web::new_session_id();
    let csrf = airbridge_web::secrets::random_hex(16);
    store
        .start_session(
            username,
            NewSession {
                id_hash,
                csrf_token: csrf.clone(),
                second_factor_done: true,
                now: airbridge_web::now(),
                lifetime: 3_600,
            },
            None,
            None,
        )
        .await
        .unwrap();
    (format!("airbridge_session={id}"), csrf)
}

/// Garbage for a path or query parameter, percent-encoded: markup, quotes and a NUL character.
/// Up to 1,000 events of the audit trail, as the store lists them.
pub async fn recent_events(store: &impl Store) -> Vec<AuditEvent> {
    store
        .audit_list(&AuditFilter {
            limit: Some(1_000),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// Those of [`recent_events`] whose action is `action`.
pub async fn audited(store: &impl Store, action: &str) -> Vec<AuditEvent> {
    recent_events(store)
        .await
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

pub const GARBAGE: &str = "zz%3Cb%3E%27%22%00";

/// Every query parameter a screen or the API reads, each given [`GARBAGE`].
pub fn garbage_query() -> String {
    [
        "q",
        "nation",
        "status",
        "case",
        "reference",
        "limit",
        "after",
        "entity",
        "entity_type",
        "entity_id",
        "actor",
        "page",
        "gate",
        "show",
        "decided",
        "done",
        "to",
        "token",
        "next",
        "notice",
        "name",
        "organisation",
    ]
    .iter()
    .map(|name| format!("{name}={GARBAGE}"))
    .collect::<Vec<_>>()
    .join("&")
}
