//! The pages people see: logging in (password, then a second factor when the account has
//! one), logging out, enrolling a second factor, creating the first administrator, and a
//! placeholder dashboard that says who you are. Server-rendered with askama (HTML-escaped),
//! in the browser's language when it is English or French.

use crate::auth::{ClientAddress, MaybePrincipal, Principal, Source, session_cookie};
use crate::error::PageError;
use crate::i18n::{Lang, Texts};
use crate::policy::Permission;
use crate::{AppState, password, secrets, totp};
use airbridge_domain::{Access, Role};
use airbridge_store::{FailedLogin, LoginAttempt, NewSession, NewUser, Store, StoreError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// A session awaiting its second factor lives this long.
const HALF_SESSION_SECONDS: i64 = 5 * 60;

/// The language chosen with the switch (a cookie), else the browser's.
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    let chosen = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == crate::screens::LANG_COOKIE)
        .map(|(_, value)| value.trim());
    match chosen {
        Some("fr") => return Lang::Fr,
        Some("en") => return Lang::En,
        _ => {}
    }
    Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// Percent-encodes a value for a query string.
pub(crate) fn encode_query(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Where to go after logging in: a path on this site, never another site.
pub(crate) fn local_path(next: &str) -> &str {
    // Printable ASCII only: browsers drop tabs and newlines, which could turn "/\t/x" into
    // "//x", another site.
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic())
    {
        next
    } else {
        "/dashboard"
    }
}

/// The header's "logged in as", its logout form and the screens the caller may open.
pub(crate) struct Nav {
    pub display_name: String,
    pub csrf: String,
    /// (path, message id) of each screen the caller's role may open.
    pub links: Vec<(&'static str, &'static str)>,
}

/// The screens of the menu and the permission each needs.
const MENU: [(&str, &str, Permission); 11] = [
    ("/dashboard", "nav.dashboard", Permission::Authenticated),
    ("/gate", "nav.gate", Permission::GateCheckIn),
    ("/gate/flags", "nav.flags", Permission::ReadGateFlags),
    ("/live", "nav.live", Permission::ReadTotals),
    ("/flights", "nav.flights", Permission::ReadFlights),
    ("/search", "nav.search", Permission::ReadPersons),
    ("/screening", "nav.screening", Permission::ReadScreening),
    ("/dedup", "nav.dedup", Permission::ReadPersons),
    ("/import", "nav.import", Permission::WritePersons),
    ("/users", "nav.users", Permission::ManageUsers),
    ("/audit", "nav.audit", Permission::ReadAudit),
];

pub(crate) fn nav(principal: &Principal) -> Option<Nav> {
    let enrolling = principal.role().needs_second_factor() && !principal.totp_enrolled;
    principal.csrf_token().map(|csrf| Nav {
        display_name: principal.display_name.clone(),
        csrf: csrf.to_owned(),
        links: MENU
            .iter()
            .filter(|(_, _, permission)| {
                !enrolling && crate::policy::allows(principal.role(), *permission)
            })
            .map(|(path, label, _)| (*path, *label))
            .collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub t: Texts,
    pub nav: Option<Nav>,
    pub message: &'static str,
    pub is_error: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    t: Texts,
    nav: Option<Nav>,
    notice: Option<&'static str>,
    is_error: bool,
    username: String,
    next: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    t: Texts,
    nav: Option<Nav>,
    csrf: String,
    failed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "enrol.html")]
struct EnrolPage {
    t: Texts,
    nav: Option<Nav>,
    csrf: String,
    secret: String,
    uri: String,
    failed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
struct SetupPage {
    t: Texts,
    nav: Option<Nav>,
    problem: Option<String>,
    token: String,
    username: String,
    display_name: String,
}

#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

pub(crate) async fn login_form(
    MaybePrincipal(principal): MaybePrincipal,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    if principal.is_some() {
        return Redirect::to("/dashboard").into_response();
    }
    let notice = match query.notice.as_deref() {
        Some("logged_out") => Some("login.logged_out"),
        Some("created") => Some("setup.done"),
        Some("locked") => Some("login.locked"),
        _ if query.next.is_some() => Some("login.expired"),
        _ => None,
    };
    LoginPage {
        t: Texts {
            lang: lang_of(&headers),
        },
        nav: None,
        notice,
        is_error: query.notice.as_deref() == Some("locked"),
        username: String::new(),
        next: local_path(query.next.as_deref().unwrap_or("/dashboard")).to_owned(),
    }
    .into_response()
}

#[derive(Deserialize)]
pub(crate) struct LoginBody {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Hashing is slow on purpose: keep it off the async workers.
async fn verify_password(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || password::verify(&password, &phc))
        .await
        .unwrap_or(false)
}

/// Starts a session and answers with its cookie and where to go next.
async fn start_session<S: Store>(
    state: &AppState<S>,
    username: &str,
    second_factor_done: bool,
    replaces: Option<String>,
    address: Option<&str>,
    location: &str,
) -> Result<Response, StoreError> {
    let (id, id_hash) = crate::auth::new_session_id();
    let lifetime = if second_factor_done {
        state.config.session_lifetime_seconds
    } else {
        HALF_SESSION_SECONDS
    };
    state
        .store
        .start_session(
            username,
            NewSession {
                id_hash,
                csrf_token: secrets::random_hex(32),
                second_factor_done,
                now: crate::auth::now(),
                lifetime,
            },
            replaces.as_deref(),
            address,
        )
        .await?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                session_cookie(state.config.tls, &id, lifetime),
            ),
            (header::LOCATION, location.to_owned()),
        ],
    )
        .into_response())
}

pub(crate) async fn login<S: Store>(
    State(state): State<AppState<S>>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(body): Form<LoginBody>,
) -> Response {
    let lang = lang_of(&headers);
    let page = |status: StatusCode, notice: &'static str, username: &str| {
        (
            status,
            LoginPage {
                t: Texts { lang },
                nav: None,
                notice: Some(notice),
                is_error: true,
                username: username.to_owned(),
                next: local_path(&body.next).to_owned(),
            },
        )
            .into_response()
    };
    let client = address.as_deref().unwrap_or("unknown");
    if !state
        .login_limiter
        .try_acquire(client, std::time::Instant::now())
    {
        tracing::warn!(address = client, "login attempts refused by the rate limit");
        return page(StatusCode::TOO_MANY_REQUESTS, "login.too_many", "");
    }
    let typed = body.username.trim().to_owned();
    let credentials = match state.store.user_credentials(&typed).await {
        Ok(credentials) => credentials,
        Err(error) => return PageError::internal(error, lang).into_response(),
    };
    let now = crate::auth::now();
    let phc = credentials
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_owned());
    let password_ok = verify_password(body.password, phc).await && credentials.is_some();
    let failure = match &credentials {
        _ if !password_ok => Some("password"),
        Some(c) if c.user.disabled => Some("disabled"),
        Some(c) if c.user.locked_until.is_some_and(|until| until > now) => Some("locked"),
        _ => None,
    };
    if let Some(reason) = failure {
        let attempt = LoginAttempt {
            username: &typed,
            address: address.as_deref(),
            reason,
            now,
        };
        return match state
            .store
            .login_failed(attempt, state.config.lockout)
            .await
        {
            // Only someone who knows the password learns that the account is locked.
            Ok(FailedLogin::Locked { .. }) if reason == "locked" => {
                page(StatusCode::UNAUTHORIZED, "login.locked", &typed)
            }
            Ok(_) => page(StatusCode::UNAUTHORIZED, "login.failed", &typed),
            Err(error) => PageError::internal(error, lang).into_response(),
        };
    }
    let Some(credentials) = credentials else {
        return PageError::internal("a login passed without an account", lang).into_response();
    };
    let second_factor_done = credentials.totp_secret.is_none();
    let location = if second_factor_done {
        local_path(&body.next)
    } else {
        "/login/totp"
    };
    let replaces = crate::auth::session_id_from(&headers, state.config.tls)
        .map(|id| airbridge_store::audit::secret_hash(&id));
    start_session(
        &state,
        &credentials.user.username,
        second_factor_done,
        replaces,
        address.as_deref(),
        location,
    )
    .await
    .unwrap_or_else(|error| PageError::internal(error, lang).into_response())
}

pub(crate) async fn second_factor_form(principal: Principal, headers: HeaderMap) -> Response {
    SecondFactorPage {
        t: Texts {
            lang: lang_of(&headers),
        },
        nav: None,
        csrf: principal.csrf_token().unwrap_or_default().to_owned(),
        failed: false,
    }
    .into_response()
}

#[derive(Deserialize)]
pub(crate) struct CodeBody {
    code: String,
}

pub(crate) async fn second_factor<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(body): Form<CodeBody>,
) -> Response {
    let lang = lang_of(&headers);
    let Source::Session { id_hash, csrf } = &principal.source else {
        return Redirect::to("/login").into_response();
    };
    let client = address.as_deref().unwrap_or("unknown");
    if !state
        .login_limiter
        .try_acquire(client, std::time::Instant::now())
    {
        return PageError::new(StatusCode::TOO_MANY_REQUESTS, "login.too_many", lang)
            .into_response();
    }
    let result: Result<Response, StoreError> = async {
        let now = crate::auth::now();
        let credentials = state.store.user_credentials(&principal.name).await?;
        let step = credentials.as_ref().and_then(|c| {
            c.totp_secret
                .as_deref()
                .and_then(|secret| totp::matching_step(secret, &body.code, now))
        });
        if let (Some(step), Some(credentials)) = (step, &credentials)
            && state
                .store
                .claim_totp_step(credentials.user.id, step)
                .await?
        {
            return start_session(
                &state,
                &principal.name,
                true,
                Some(id_hash.clone()),
                address.as_deref(),
                "/dashboard",
            )
            .await;
        }
        let outcome = state
            .store
            .login_failed(
                LoginAttempt {
                    username: &principal.name,
                    address: address.as_deref(),
                    reason: "second_factor",
                    now,
                },
                state.config.lockout,
            )
            .await?;
        if let FailedLogin::Locked { .. } = outcome {
            state.store.end_session(id_hash).await?;
            return Ok((
                StatusCode::SEE_OTHER,
                [
                    (
                        header::SET_COOKIE,
                        crate::auth::clear_cookie(state.config.tls),
                    ),
                    (header::LOCATION, "/login?notice=locked".to_owned()),
                ],
            )
                .into_response());
        }
        Ok((
            StatusCode::UNAUTHORIZED,
            SecondFactorPage {
                t: Texts { lang },
                nav: None,
                csrf: csrf.clone(),
                failed: true,
            },
        )
            .into_response())
    }
    .await;
    result.unwrap_or_else(|error| PageError::internal(error, lang).into_response())
}

pub(crate) async fn logout<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
) -> Response {
    if let Source::Session { id_hash, .. } = &principal.source
        && let Err(error) = state.store.end_session(id_hash).await
    {
        return PageError::internal(error, lang_of(&headers)).into_response();
    }
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                crate::auth::clear_cookie(state.config.tls),
            ),
            (header::LOCATION, "/login?notice=logged_out".to_owned()),
        ],
    )
        .into_response()
}

fn enrol_page(principal: &Principal, lang: Lang, secret: String, failed: bool) -> EnrolPage {
    EnrolPage {
        t: Texts { lang },
        nav: nav(principal),
        csrf: principal.csrf_token().unwrap_or_default().to_owned(),
        uri: totp::provisioning_uri("Airbridge", &principal.name, &secret),
        secret,
        failed,
    }
}

pub(crate) async fn enrol_form(principal: Principal, headers: HeaderMap) -> Response {
    enrol_page(&principal, lang_of(&headers), totp::new_secret(), false).into_response()
}

#[derive(Deserialize)]
pub(crate) struct EnrolBody {
    secret: String,
    code: String,
}

pub(crate) async fn enrol<S: Store>(
    State(state): State<AppState<S>>,
    principal: Principal,
    headers: HeaderMap,
    Form(body): Form<EnrolBody>,
) -> Response {
    let lang = lang_of(&headers);
    let secret = body.secret.trim().to_owned();
    // The key travels through the form; it must be one this page could have made.
    let well_formed = secret.len() >= 32
        && secret
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    if !well_formed || totp::matching_step(&secret, &body.code, crate::auth::now()).is_none() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            enrol_page(&principal, lang, secret, true),
        )
            .into_response();
    }
    match state
        .store
        .set_user_totp(&principal.actor(), &principal.name, Some(secret))
        .await
    {
        Ok(_) => Redirect::to("/dashboard").into_response(),
        Err(error) => PageError::internal(error, lang).into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct SetupQuery {
    #[serde(default)]
    token: String,
}

pub(crate) async fn setup_form<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Query(query): Query<SetupQuery>,
) -> Response {
    let lang = lang_of(&headers);
    match state.store.count_users().await {
        Ok(0) if !query.token.is_empty() => SetupPage {
            t: Texts { lang },
            nav: None,
            problem: None,
            token: query.token,
            username: String::new(),
            display_name: String::new(),
        }
        .into_response(),
        Ok(_) => PageError::new(StatusCode::NOT_FOUND, "setup.gone", lang).into_response(),
        Err(error) => PageError::internal(error, lang).into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct SetupBody {
    token: String,
    username: String,
    display_name: String,
    password: String,
    password_again: String,
}

pub(crate) async fn setup<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Form(body): Form<SetupBody>,
) -> Response {
    let lang = lang_of(&headers);
    let t = Texts { lang };
    let again = |problem: String| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            SetupPage {
                t,
                nav: None,
                problem: Some(problem),
                token: body.token.clone(),
                username: body.username.clone(),
                display_name: body.display_name.clone(),
            },
        )
            .into_response()
    };
    if body.password != body.password_again {
        return again(t.get("setup.mismatch").to_owned());
    }
    let password = body.password.clone();
    let hashed = tokio::task::spawn_blocking(move || password::hash(&password)).await;
    let phc = match hashed {
        Ok(Ok(phc)) => phc,
        Ok(Err(password::PasswordError::TooShort)) => {
            return again(t.get("password.too_short").to_owned());
        }
        Ok(Err(error)) => return PageError::internal(error, lang).into_response(),
        Err(error) => return PageError::internal(error, lang).into_response(),
    };
    let Ok(access) = Access::new(Role::SystemAdmin, None, None, None) else {
        return PageError::internal("system administrator access refused", lang).into_response();
    };
    let user = NewUser {
        username: body.username.clone(),
        display_name: body.display_name.clone(),
        access,
        password_hash: phc,
    };
    let token_hash = airbridge_store::audit::secret_hash(body.token.trim());
    match state
        .store
        .add_first_user(&token_hash, crate::auth::now(), user)
        .await
    {
        Ok(_) => Redirect::to("/login?notice=created").into_response(),
        Err(StoreError::NotFound { .. }) => {
            PageError::new(StatusCode::NOT_FOUND, "setup.gone", lang).into_response()
        }
        Err(error @ StoreError::Invalid(_)) => again(error.to_string()),
        Err(error) => PageError::internal(error, lang).into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn after_login_only_this_site_is_a_destination() {
        for (next, go) in [
            ("/api/persons?q=x", "/api/persons?q=x"),
            ("//evil.example", "/dashboard"),
            ("/\\evil.example", "/dashboard"),
            ("/\t/evil.example", "/dashboard"),
            ("https://evil.example", "/dashboard"),
            ("", "/dashboard"),
        ] {
            assert_eq!(super::local_path(next), go, "{next:?}");
        }
    }
}
