//! Airbridge's HTTP layer: the JSON API and its OpenAPI description, the screens, metrics
//! and access control.
//!
//! Deny by default: every route is declared in one table ([`ROUTES`]) with the [`Permission`]
//! it needs, and the router is built from that table, each route behind one guard that finds
//! the caller (a session cookie or a bearer token, as a [`Principal`]), enforces CSRF on a
//! browser's unsafe requests and checks the permission against the role ([`policy`]). Handlers
//! then keep callers to their records: another nation's record answers 404, exactly as a
//! missing one does, so nobody can probe what exists elsewhere. Handlers hold no logic of
//! their own: they check access, call the store and map its errors through [`ApiError`].

mod admin;
mod auth;
mod counts;
mod dedup;
mod error;
mod field;
mod field_pages;
mod flights;
pub mod i18n;
mod import;
pub mod jobs;
pub mod limit;
pub mod metrics;
pub mod openapi;
mod pages;
pub mod password;
pub mod planning;
pub mod policy;
mod reads;
mod routes;
mod screens;
pub mod search;
pub mod secrets;
pub mod sitrep;
pub mod totp;

pub use auth::{Principal, Source, clear_cookie, cookie_name, new_session_id, now};
pub use error::{ApiError, PageError};
pub use import::MAX_UPLOAD_BYTES;
pub use limit::{RateLimit, RateLimiter};
pub use policy::Permission;
pub use reads::{GATE_EXPECTED_ACTION, LIST_READ_ACTION};
pub use routes::{Kind, ROUTES, RouteSpec, Scope, Verb, router};

use airbridge_store::{LockoutPolicy, Store};
use std::sync::Arc;

/// How the web layer behaves; [`WebConfig::default`] is what `airbridge serve` uses.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Served over TLS: the session cookie gets `Secure` and the `__Host-` prefix.
    pub tls: bool,
    /// A session unused this long ends.
    pub session_idle_seconds: i64,
    /// A session ends this long after its login, however active.
    pub session_lifetime_seconds: i64,
    pub lockout: LockoutPolicy,
    pub login_rate: RateLimit,
    /// Pass codes a caller may have refused as unknown or mistyped before it must wait: a
    /// guesser meets this long before the 50-bit code space.
    pub gate_refusal_rate: RateLimit,
    /// The address people reach the server at (`https://airbridge.example.org`), for the
    /// pass links in call-forward messages; without it the links are paths (`/p/…`).
    pub public_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            tls: false,
            session_idle_seconds: 30 * 60,
            session_lifetime_seconds: 12 * 60 * 60,
            lockout: LockoutPolicy::default(),
            login_rate: RateLimit::default(),
            gate_refusal_rate: RateLimit::default(),
            public_url: None,
        }
    }
}

/// At most this many gate check-ins share one transaction.
const CHECK_IN_BATCH: usize = 256;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState<S: Store> {
    pub store: S,
    pub config: Arc<WebConfig>,
    pub login_limiter: Arc<RateLimiter>,
    /// Refused pass codes per caller (`field.rs`).
    pub refusal_limiter: Arc<RateLimiter>,
    /// The live figures' latest JSON, shared by every open stream (`field.rs`).
    pub live: Arc<field::LiveCache>,
    pub metrics: Arc<metrics::Metrics>,
    /// Gate check-ins, applied in batches by one task (group commit): see
    /// `airbridge_store::CheckInQueue`.
    pub check_ins: airbridge_store::CheckInQueue,
    /// API tokens found valid in the last two seconds (`auth.rs`).
    pub(crate) tokens: Arc<auth::TokenCache>,
    /// The dashboard's counts, kept until the registry changes (`counts.rs`).
    pub(crate) counts: Arc<counts::CountsCache>,
    /// The expected list each gate session last took (`reads.rs`).
    pub(crate) gate_taken: Arc<reads::GateTaken>,
    /// The names engine search scores with, weighted by the registry's own names
    /// (`search.rs`).
    pub search_engine: Arc<search::SearchEngine>,
}

impl<S: Store> AppState<S> {
    /// Must be called inside a tokio runtime (it starts the check-in task).
    pub fn new(store: S, config: WebConfig) -> AppState<S> {
        AppState {
            check_ins: airbridge_store::CheckInQueue::start(store.clone(), CHECK_IN_BATCH),
            store,
            login_limiter: Arc::new(RateLimiter::new(config.login_rate)),
            refusal_limiter: Arc::new(RateLimiter::new(config.gate_refusal_rate)),
            live: Arc::new(field::LiveCache::default()),
            tokens: Arc::new(auth::TokenCache::default()),
            counts: Arc::new(counts::CountsCache::default()),
            gate_taken: Arc::new(reads::GateTaken::default()),
            search_engine: Arc::new(search::SearchEngine::default()),
            metrics: Arc::new(metrics::Metrics::default()),
            config: Arc::new(config),
        }
    }
}
