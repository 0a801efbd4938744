//! Who is calling, and whether they may: the [`Principal`] built from a session cookie or a
//! bearer token, the guard every route passes through (authentication, the second-factor
//! rule for administrators, CSRF on unsafe methods from a browser, the route's permission), and
//! the session cookie.

use crate::error::{ApiError, PageError};
use crate::policy::{self, Permission};
use crate::routes::{Kind, RouteSpec};
use crate::{AppState, secrets};
use airbridge_domain::{Access, NationCode, OrganisationId, Role};
use airbridge_store::{Actor, Store, TokenOwner, audit::secret_hash};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::time::Instant;

/// Where a caller's identity came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A browser session: the hash of its id (to end it) and its CSRF token.
    Session { id_hash: String, csrf: String },
    /// An API token (integrations); CSRF does not apply to it.
    Token,
}

/// An authenticated caller: the actor recorded in the audit trail, its role and what it is
/// bound to.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account's user name, or the token's name.
    pub name: String,
    pub display_name: String,
    pub access: Access,
    pub source: Source,
    /// Whether the account has a second factor (tokens: not applicable, false).
    pub totp_enrolled: bool,
    /// False for a session whose password was accepted but whose second factor is awaited.
    pub second_factor_done: bool,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        match self.source {
            Source::Session { .. } => Actor::new(format!("user:{}", self.name)),
            Source::Token => Actor::new(format!("token:{}", self.name)),
        }
    }

    pub fn role(&self) -> Role {
        self.access.role()
    }

    /// The nation the caller is bound to; `None` for cross-nation roles.
    pub fn nation(&self) -> Option<NationCode> {
        self.access.nation()
    }

    pub fn organisation(&self) -> Option<OrganisationId> {
        self.access.organisation()
    }

    /// Whether a record of `nation` is within the caller's reach.
    pub fn may_act_for(&self, nation: NationCode) -> bool {
        self.nation().is_none_or(|own| own == nation)
    }

    /// The nation a query is limited to: the caller's own, or what a cross-nation caller asked.
    pub fn scope(&self, asked: Option<NationCode>) -> Result<Option<NationCode>, ApiError> {
        match (self.nation(), asked) {
            (Some(own), Some(asked)) if own != asked => Err(ApiError::forbidden(format!(
                "you act for {own} and cannot read {asked}'s records"
            ))),
            (Some(own), _) => Ok(Some(own)),
            (None, asked) => Ok(asked),
        }
    }

    pub fn csrf_token(&self) -> Option<&str> {
        match &self.source {
            Source::Session { csrf, .. } => Some(csrf),
            Source::Token => None,
        }
    }

    /// An administrator's session without a second factor may only enrol one (and log out).
    fn must_enrol_second_factor(&self) -> bool {
        matches!(self.source, Source::Session { .. })
            && self.role().needs_second_factor()
            && !self.totp_enrolled
    }
}

/// The principal the guard found, for handlers. Every route but the public ones has one.
impl<S: Store> FromRequestParts<AppState<S>> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(ApiError::unauthorised)
    }
}

/// The principal if there is one (public pages behave differently for a logged-in caller).
pub struct MaybePrincipal(pub Option<Principal>);

impl<S: Store> FromRequestParts<AppState<S>> for MaybePrincipal {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybePrincipal(parts.extensions.get::<Principal>().cloned()))
    }
}

/// The client's address, when the server was started with connection info.
pub struct ClientAddress(pub Option<String>);

impl<S: Store> FromRequestParts<AppState<S>> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip().to_string()),
        ))
    }
}

/// Seconds since 1970-01-01 UTC.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The session cookie's name: with the `__Host-` prefix over TLS (the browser then insists
/// on `Secure`, `Path=/` and no domain).
pub fn cookie_name(tls: bool) -> &'static str {
    if tls {
        "__Host-airbridge_session"
    } else {
        "airbridge_session"
    }
}

/// The `Set-Cookie` value that gives the browser a session id.
pub fn session_cookie(tls: bool, id: &str, max_age: i64) -> String {
    let secure = if tls { "; Secure" } else { "" };
    format!(
        "{}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}",
        cookie_name(tls)
    )
}

/// The `Set-Cookie` value that makes the browser forget its session id.
pub fn clear_cookie(tls: bool) -> String {
    session_cookie(tls, "", 0)
}

/// A new session id (256 random bits, hex) and its hash, the only form the store sees.
pub fn new_session_id() -> (String, String) {
    let id = secrets::random_hex(32);
    let hash = secret_hash(&id);
    (id, hash)
}

pub(crate) fn session_id_from(headers: &HeaderMap, tls: bool) -> Option<String> {
    let wanted = cookie_name(tls);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// How long an API token found valid is taken as valid without asking the database again.
pub const TOKEN_CACHE_SECONDS: u64 = 2;
/// The most tokens remembered; past it the memory starts empty again.
const TOKEN_CACHE_ENTRIES: usize = 4_096;

/// API tokens found valid in the last [`TOKEN_CACHE_SECONDS`], by the hash of their secret, so
/// an integration sending a thousand requests a second (a gate's scanners behind one relay, the
/// check-in benchmark) costs the database one token read every two seconds, not one per
/// request. Only valid tokens are kept: a guessed or revoked secret always reaches the
/// database, and a revoked token stops working within two seconds.
#[derive(Default)]
pub struct TokenCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (TokenOwner, Instant)>>,
}

impl TokenCache {
    fn get(&self, key: &str, now: Instant) -> Option<TokenOwner> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(_, found)| now.duration_since(*found).as_secs() < TOKEN_CACHE_SECONDS)
            .map(|(owner, _)| owner.clone())
    }

    fn put(&self, key: String, owner: TokenOwner, now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= TOKEN_CACHE_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (owner, now));
    }
}

/// Finds the caller: a bearer token first, then a session cookie. A bearer token that is not
/// valid is an error, not an anonymous call.
async fn identify<S: Store>(
    state: &AppState<S>,
    headers: &HeaderMap,
) -> Result<Option<Principal>, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(ApiError::unauthorised)?;
        let key = secret_hash(secret.trim());
        let owner = match state.tokens.get(&key, Instant::now()) {
            Some(owner) => owner,
            None => {
                let owner = state
                    .store
                    .check_api_token(secret)
                    .await?
                    .ok_or_else(ApiError::unauthorised)?;
                state.tokens.put(key, owner.clone(), Instant::now());
                owner
            }
        };
        return Ok(Some(Principal {
            display_name: owner.name.clone(),
            name: owner.name,
            access: owner.access,
            source: Source::Token,
            totp_enrolled: false,
            second_factor_done: true,
        }));
    }
    let Some(id) = session_id_from(headers, state.config.tls) else {
        return Ok(None);
    };
    let id_hash = secret_hash(&id);
    let session = state
        .store
        .session(&id_hash, now(), state.config.session_idle_seconds)
        .await?;
    Ok(session.map(|session| Principal {
        name: session.user.username,
        display_name: session.user.display_name,
        access: session.user.access,
        totp_enrolled: session.user.totp_enrolled,
        second_factor_done: session.second_factor_done,
        source: Source::Session {
            id_hash,
            csrf: session.csrf_token,
        },
    }))
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A browser's own claim of where a request comes from: refused when it names another site.
/// `Sec-Fetch-Site` is sent by current browsers; `Origin` by all on unsafe methods. Clients
/// that send neither (scripts, curl) are not browsers a forged page could drive.
fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        return origin == "null" || !origin_host.eq_ignore_ascii_case(host);
    }
    false
}

/// The most a form body may be when the guard reads it for its CSRF field.
const FORM_LIMIT: usize = 64 * 1024;

/// Checks the session's CSRF token, from the `X-CSRF-Token` header or a form's `csrf` field.
/// A form body is read and put back for the handler.
async fn check_csrf_token(request: Request, expected: &str) -> Result<Request, Request> {
    let matches = |given: &str| {
        given.len() == expected.len()
            && given
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    };
    if let Some(given) = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if matches(given) {
            Ok(request)
        } else {
            Err(request)
        };
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // An upload's body is not read here (it may be megabytes): its form carries the token in
    // its action's query string. The pages keep referrers to this site, so it does not leak.
    if content_type.starts_with("multipart/form-data") {
        let given = request
            .uri()
            .query()
            .and_then(|q| form_field(q.as_bytes(), "csrf"));
        return if given.is_some_and(|given| matches(&given)) {
            Ok(request)
        } else {
            Err(request)
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(request);
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return Err(Request::from_parts(parts, Body::empty()));
    };
    let found = form_field(&bytes, "csrf").is_some_and(|given| matches(&given));
    let request = Request::from_parts(parts, Body::from(bytes));
    if found { Ok(request) } else { Err(request) }
}

/// One field of an url-encoded form.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// A refusal, in the form the route speaks: JSON for the API, a page or a redirect for pages.
fn refuse(spec: &RouteSpec, request: &Request, refusal: Refusal) -> Response {
    let lang = crate::pages::lang_of(request.headers());
    match (spec.kind, refusal) {
        (Kind::Api, Refusal::Anonymous) => ApiError::unauthorised().into_response(),
        (Kind::Page, Refusal::Anonymous) => {
            let next = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next = if request.method() == Method::GET {
                next
            } else {
                "/dashboard"
            };
            Redirect::to(&format!("/login?next={}", crate::pages::encode_query(next)))
                .into_response()
        }
        (Kind::Api, Refusal::Forbidden(message)) => ApiError::forbidden(message).into_response(),
        (Kind::Page, Refusal::Forbidden(_)) => {
            PageError::new(StatusCode::FORBIDDEN, "error.forbidden", lang).into_response()
        }
        (Kind::Api, Refusal::Csrf) => ApiError::forbidden(
            "this browser request lacks its CSRF token (X-CSRF-Token) or comes from another site",
        )
        .into_response(),
        (Kind::Page, Refusal::Csrf) => {
            PageError::new(StatusCode::FORBIDDEN, "error.csrf", lang).into_response()
        }
        (Kind::Api, Refusal::MustEnrol) => ApiError::forbidden(
            "an administrator must enrol a second factor first: open /account/totp in a browser",
        )
        .into_response(),
        (Kind::Page, Refusal::MustEnrol) => Redirect::to("/account/totp").into_response(),
        (_, Refusal::SecondFactorPending) => Redirect::to("/login/totp").into_response(),
        (_, Refusal::AlreadyDone) => Redirect::to("/dashboard").into_response(),
    }
}

enum Refusal {
    Anonymous,
    Forbidden(String),
    Csrf,
    MustEnrol,
    /// A half-logged-in session asked for anything but the second-factor step.
    SecondFactorPending,
    /// A complete session asked for the second-factor step.
    AlreadyDone,
}

/// The guard in front of every route of the table: finds the caller, applies the
/// second-factor rule, CSRF and the route's permission, then hands the request (with its
/// [`Principal`]) to the handler.
pub async fn guard<S: Store>(
    state: AppState<S>,
    spec: &'static RouteSpec,
    mut request: Request,
    next: Next,
) -> Response {
    let principal = match identify(&state, request.headers()).await {
        Ok(principal) => principal,
        Err(error) => {
            return match spec.kind {
                Kind::Api => error.into_response(),
                Kind::Page if error.status == StatusCode::UNAUTHORIZED => {
                    refuse(spec, &request, Refusal::Anonymous)
                }
                Kind::Page => PageError::from_api(&error, crate::pages::lang_of(request.headers()))
                    .into_response(),
            };
        }
    };
    let unsafe_method = is_unsafe(request.method());
    // A browser request that a page on another site made is refused before anything else,
    // logged in or not (this also covers login CSRF on the public forms).
    let from_browser = !matches!(principal.as_ref().map(|p| &p.source), Some(Source::Token));
    if unsafe_method && from_browser && cross_site(request.headers()) {
        return refuse(spec, &request, Refusal::Csrf);
    }
    if spec.permission == Permission::Public {
        if let Some(principal) = principal.filter(|p| p.second_factor_done) {
            request.extensions_mut().insert(principal);
        }
        return next.run(request).await;
    }
    let Some(principal) = principal else {
        return refuse(spec, &request, Refusal::Anonymous);
    };
    match (spec.permission, principal.second_factor_done) {
        (Permission::SecondFactorStep, true) => {
            return refuse(spec, &request, Refusal::AlreadyDone);
        }
        (Permission::SecondFactorStep, false) => {}
        (Permission::Authenticated, false) if spec.path == "/logout" => {}
        (_, false) => return refuse(spec, &request, Refusal::SecondFactorPending),
        (_, true) => {}
    }
    if principal.must_enrol_second_factor()
        && !matches!(spec.permission, Permission::EnrolSecondFactor)
        && spec.path != "/logout"
    {
        return refuse(spec, &request, Refusal::MustEnrol);
    }
    if spec.permission == Permission::EnrolSecondFactor && principal.source == Source::Token {
        return refuse(
            spec,
            &request,
            Refusal::Forbidden("an API token has no account to enrol".into()),
        );
    }
    if !policy::allows(principal.role(), spec.permission) {
        return refuse(
            spec,
            &request,
            Refusal::Forbidden(format!(
                "a {} may not do this ({:?})",
                principal.role(),
                spec.permission
            )),
        );
    }
    if unsafe_method && let Source::Session { csrf, .. } = &principal.source {
        request = match check_csrf_token(request, csrf).await {
            Ok(request) => request,
            Err(request) => return refuse(spec, &request, Refusal::Csrf),
        };
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn owner(name: &str) -> TokenOwner {
        TokenOwner {
            name: name.into(),
            access: Access::legacy_token(None),
        }
    }

    #[test]
    fn a_cached_token_is_forgotten_after_two_seconds() {
        let cache = TokenCache::default();
        let start = Instant::now();
        assert_eq!(cache.get("h1", start), None);
        cache.put("h1".into(), owner("relay"), start);
        assert_eq!(cache.get("h1", start), Some(owner("relay")));
        let almost = start + Duration::from_millis(TOKEN_CACHE_SECONDS * 1000 - 1);
        assert_eq!(cache.get("h1", almost), Some(owner("relay")));
        let later = start + Duration::from_secs(TOKEN_CACHE_SECONDS);
        assert_eq!(
            cache.get("h1", later),
            None,
            "expired: the database decides again"
        );
        assert_eq!(cache.get("h2", start), None);
    }

    #[test]
    fn a_full_cache_starts_again_empty() {
        let cache = TokenCache::default();
        let now = Instant::now();
        for i in 0..TOKEN_CACHE_ENTRIES {
            cache.put(format!("h{i}"), owner("t"), now);
        }
        assert!(cache.get("h0", now).is_some());
        cache.put("new".into(), owner("n"), now);
        assert!(cache.get("h0", now).is_none());
        assert_eq!(cache.get("new", now), Some(owner("n")));
    }
}
