//! Logging in and staying logged in, end to end through the router on a fresh database: the
//! session cookie, CSRF, the second factor, lockout, the login rate limit, the first-run setup
//! link and logging out.

mod common;

use airbridge_domain::{Access, NationCode, Role};
use airbridge_store::{Actor, AuditFilter, NewUser, SqliteStore, Store};
use airbridge_web::{AppState, RateLimit, WebConfig, router, totp};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::{fresh_store, nation};
use serde_json::json;
use std::net::SocketAddr;
use tower::ServiceExt;

const HOST: &str = "airbridge.test";
const PASSWORD: &str = "a long enough passphrase";

struct App {
    router: Router,
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn set_cookie(&self) -> &str {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The session cookie this reply sets, as a `Cookie` header value.
    fn cookie(&self) -> String {
        self.set_cookie()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// A hidden form field's value in the page.
    fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker).expect(&self.body) + marker.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

async fn app_with(config: WebConfig) -> App {
    let (store, dir) = fresh_store(&[("FR", "France")]).await;
    App {
        router: router(AppState::new(store.clone(), config)),
        store,
        _dir: dir,
    }
}

impl App {
    async fn add_user(&self, username: &str, role: Role) {
        let bound_to = role.is_bound_to_a_nation().then(|| nation("FR"));
        self.store
            .add_user(
                &Actor::new("test:setup"),
                NewUser {
                    username: username.into(),
                    display_name: format!("{username} Durand"),
                    access: Access::new(role, bound_to, None, None).unwrap(),
                    password_hash: airbridge_web::password::hash(PASSWORD).unwrap(),
                },
            )
            .await
            .unwrap();
    }

    /// Sends a request as a same-site browser would (unless `headers` say otherwise).
    async fn send(
        &self,
        method: &str,
        uri: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, String)>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, HOST);
        if method != "GET" {
            request = request
                .header(header::ORIGIN, format!("http://{HOST}"))
                .header("sec-fetch-site", "same-origin");
        }
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let mut request = match body {
            Some((content_type, body)) => request
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body)),
            None => request.body(Body::empty()),
        }
        .unwrap();
        for (name, value) in headers {
            request.headers_mut().insert(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        self.send_request(request).await
    }

    async fn send_request(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn post_form(&self, uri: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            "POST",
            uri,
            cookie,
            &[],
            Some(("application/x-www-form-urlencoded", body)),
        )
        .await
    }

    async fn login(&self, username: &str, password: &str) -> Reply {
        self.post_form(
            "/login",
            None,
            &[("username", username), ("password", password)],
        )
        .await
    }

    async fn actions(&self) -> Vec<String> {
        common::recent_events(&self.store)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect()
    }
}

#[tokio::test]
async fn logging_in_gives_a_strict_cookie_and_a_new_id_each_time() {
    let app = app_with(WebConfig::default()).await;
    app.add_user("amelie", Role::Caseworker).await;
    let page = app
        .send(
            "GET",
            "/login",
            None,
            &[("accept-language", "fr-FR,fr")],
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Connexion") && page.body.contains("lang=\"fr\""));
    let anonymous = app.send("GET", "/dashboard", None, &[], None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location(), "/login?next=%2Fdashboard");
    let first = app.login("Amelie", PASSWORD).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.location(), "/dashboard");
    let set_cookie = first.set_cookie();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain HTTP: {set_cookie}");
    assert!(set_cookie.starts_with("airbridge_session="));
    let dashboard = app
        .send("GET", "/dashboard", Some(&first.cookie()), &[], None)
        .await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(
        dashboard.body.contains("amelie Durand"),
        "{}",
        dashboard.body
    );
    assert!(dashboard.body.contains("Caseworker"));
    // Logging in again from the same browser replaces the session: the old id is dead.
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("username", "amelie"), ("password", PASSWORD)])
        .finish();
    let second = app
        .send(
            "POST",
            "/login",
            Some(&first.cookie()),
            &[],
            Some(("application/x-www-form-urlencoded", body)),
        )
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    assert_ne!(second.cookie(), first.cookie());
    let old = app
        .send("GET", "/dashboard", Some(&first.cookie()), &[], None)
        .await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
    assert!(old.location().starts_with("/login"));
    // The id in the cookie is 256 bits; the database holds only its SHA-256.
    let id = second.cookie().split('=').nth(1).unwrap().to_owned();
    assert_eq!(id.len(), 64);
    let stored = app
        .store
        .session(&id, airbridge_web::now(), 1_800)
        .await
        .unwrap();
    assert!(stored.is_none(), "the raw id is not a key in the store");
    let hashed = airbridge_store::audit::secret_hash(&id);
    assert!(
        app.store
            .session(&hashed, airbridge_web::now(), 1_800)
            .await
            .unwrap()
            .is_some()
    );
    let actions = app.actions().await;
    assert_eq!(
        actions.iter().filter(|a| *a == "auth.login").count(),
        2,
        "{actions:?}"
    );
}

#[tokio::test]
async fn over_tls_the_cookie_is_secure_and_host_prefixed() {
    let app = app_with(WebConfig {
        tls: true,
        ..WebConfig::default()
    })
    .await;
    app.add_user("amelie", Role::Caseworker).await;
    let reply = app.login("amelie", PASSWORD).await;
    let set_cookie = reply.set_cookie();
    assert!(
        set_cookie.starts_with("__Host-airbridge_session="),
        "{set_cookie}"
    );
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    let dashboard = app
        .send("GET", "/dashboard", Some(&reply.cookie()), &[], None)
        .await;
    assert_eq!(dashboard.status, StatusCode::OK);
}

#[tokio::test]
async fn unsafe_browser_requests_need_the_csrf_token_from_the_same_site() {
    let app = app_with(WebConfig::default()).await;
    app.add_user("amelie", Role::Caseworker).await;
    let cookie = app.login("amelie", PASSWORD).await.cookie();
    let dashboard = app
        .send("GET", "/dashboard", Some(&cookie), &[], None)
        .await;
    let csrf = dashboard.field("csrf");
    let person = json!({ "nation": "FR", "person": { "name": { "given": "Farid" } } }).to_string();
    let json_body = || Some(("application/json", person.clone()));
    let post = |headers: Vec<(&'static str, String)>| {
        let cookie = cookie.clone();
        let app = &app;
        let body = json_body();
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.send("POST", "/api/persons", Some(&cookie), &headers, body)
                .await
                .status
        }
    };
    assert_eq!(post(vec![]).await, StatusCode::FORBIDDEN, "no token");
    assert_eq!(
        post(vec![("x-csrf-token", "0".repeat(64))]).await,
        StatusCode::FORBIDDEN,
        "wrong token"
    );
    assert_eq!(
        post(vec![
            ("x-csrf-token", csrf.clone()),
            ("origin", "https://evil.example".into())
        ])
        .await,
        StatusCode::FORBIDDEN,
        "another site's page"
    );
    assert_eq!(
        post(vec![
            ("x-csrf-token", csrf.clone()),
            ("sec-fetch-site", "cross-site".into())
        ])
        .await,
        StatusCode::FORBIDDEN,
        "the browser says cross-site"
    );
    assert_eq!(
        post(vec![("x-csrf-token", csrf.clone())]).await,
        StatusCode::CREATED
    );
    // A bearer token is not a browser session: no CSRF token is needed.
    let token = app
        .store
        .create_token(
            &Actor::new("test:setup"),
            "integration",
            &Access::new(Role::Caseworker, NationCode::parse("FR").ok(), None, None).unwrap(),
        )
        .await
        .unwrap();
    let with_token = app
        .send(
            "POST",
            "/api/persons",
            None,
            &[("authorization", &format!("Bearer {token}"))],
            json_body(),
        )
        .await;
    assert_eq!(
        with_token.status,
        StatusCode::CREATED,
        "{}",
        with_token.body
    );
    // A login form posted from another site is refused too (login CSRF).
    let forged = app
        .send(
            "POST",
            "/login",
            None,
            &[("origin", "https://evil.example")],
            Some((
                "application/x-www-form-urlencoded",
                format!("username=amelie&password={PASSWORD}"),
            )),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // The logout form carries the token as a field; without it the session survives.
    assert_eq!(
        app.post_form("/logout", Some(&cookie), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let out = app
        .post_form("/logout", Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/login?notice=logged_out");
    assert!(out.set_cookie().contains("Max-Age=0"));
    let after = app.send("GET", "/api/me", Some(&cookie), &[], None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert!(app.actions().await.contains(&"auth.logout".to_owned()));
}

#[tokio::test]
async fn repeated_failures_lock_the_account_until_an_administrator_unlocks_it() {
    let app = app_with(WebConfig {
        lockout: airbridge_store::LockoutPolicy {
            max_failures: 3,
            lock_seconds: 3_600,
        },
        ..WebConfig::default()
    })
    .await;
    app.add_user("amelie", Role::Caseworker).await;
    for _ in 0..3 {
        let reply = app.login("amelie", "not the password at all").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(reply.body.contains("Wrong user name or password"));
        assert!(reply.set_cookie().is_empty());
    }
    let locked = app.login("amelie", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert!(locked.body.contains("locked"), "{}", locked.body);
    let unknown = app.login("nobody", PASSWORD).await;
    assert!(unknown.body.contains("Wrong user name or password"));
    let actions = app.actions().await;
    let failed = actions.iter().filter(|a| *a == "auth.login_failed").count();
    assert_eq!(
        failed, 5,
        "three wrong, one while locked, one unknown: {actions:?}"
    );
    assert_eq!(actions.iter().filter(|a| *a == "auth.lockout").count(), 1);
    let admin = app
        .store
        .create_token(
            &Actor::new("test:setup"),
            "fr-admin",
            &Access::new(Role::NationAdmin, NationCode::parse("FR").ok(), None, None).unwrap(),
        )
        .await
        .unwrap();
    let unlocked = app
        .send(
            "POST",
            "/api/users/amelie/unlock",
            None,
            &[("authorization", &format!("Bearer {admin}"))],
            None,
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);
    assert_eq!(
        app.login("amelie", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn login_attempts_are_limited_per_client_address() {
    let app = app_with(WebConfig {
        login_rate: RateLimit {
            burst: 2,
            refill_every: std::time::Duration::from_secs(3_600),
        },
        ..WebConfig::default()
    })
    .await;
    app.add_user("amelie", Role::Caseworker).await;
    let from = |address: &str, password: &str| {
        let body = format!("username=amelie&password={}", password.replace(' ', "+"));
        let mut request = Request::builder()
            .method("POST")
            .uri("/login")
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let address: SocketAddr = format!("{address}:40000").parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(address));
        request
    };
    for _ in 0..2 {
        let reply = app
            .send_request(from("192.0.2.10", "wrong password!"))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let limited = app.send_request(from("192.0.2.10", PASSWORD)).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body.contains("Too many login attempts"));
    let elsewhere = app.send_request(from("198.51.100.7", PASSWORD)).await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
    // The failures were recorded with the address they came from.
    let events = app
        .store
        .audit_list(&AuditFilter {
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.action == "auth.login_failed" && e.actor == "login:192.0.2.10")
    );
}

#[tokio::test]
async fn administrators_enrol_a_second_factor_then_always_use_it() {
    let app = app_with(WebConfig::default()).await;
    app.add_user("chef", Role::NationAdmin).await;
    let cookie = app.login("chef", PASSWORD).await.cookie();
    // Without a second factor, an administrator reaches only the enrolment page.
    let dashboard = app
        .send("GET", "/dashboard", Some(&cookie), &[], None)
        .await;
    assert_eq!(dashboard.status, StatusCode::SEE_OTHER);
    assert_eq!(dashboard.location(), "/account/totp");
    let api = app
        .send("GET", "/api/persons", Some(&cookie), &[], None)
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert!(api.body.contains("second factor"), "{}", api.body);
    let enrol = app
        .send("GET", "/account/totp", Some(&cookie), &[], None)
        .await;
    assert_eq!(enrol.status, StatusCode::OK);
    assert!(enrol.body.contains("otpauth://totp/Airbridge:chef?secret="));
    let secret = enrol.field("secret");
    let csrf = enrol.field("csrf");
    let wrong = app
        .post_form(
            "/account/totp",
            Some(&cookie),
            &[("csrf", &csrf), ("secret", &secret), ("code", "000000")],
        )
        .await;
    let now_code = totp::code_at_step(&secret, totp::step_at(airbridge_web::now())).unwrap();
    if now_code != "000000" {
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let enrolled = app
        .post_form(
            "/account/totp",
            Some(&cookie),
            &[("csrf", &csrf), ("secret", &secret), ("code", &now_code)],
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.send("GET", "/api/persons", Some(&cookie), &[], None)
            .await
            .status,
        StatusCode::OK
    );
    // From now on the password alone gives only the second-factor step.
    let half = app.login("chef", PASSWORD).await;
    assert_eq!(half.location(), "/login/totp");
    let half_cookie = half.cookie();
    let blocked = app
        .send("GET", "/dashboard", Some(&half_cookie), &[], None)
        .await;
    assert_eq!(blocked.location(), "/login/totp");
    let api = app
        .send("GET", "/api/me", Some(&half_cookie), &[], None)
        .await;
    assert_eq!(api.status, StatusCode::SEE_OTHER);
    let step_page = app
        .send("GET", "/login/totp", Some(&half_cookie), &[], None)
        .await;
    let half_csrf = step_page.field("csrf");
    let wrong_code = if now_code == "111111" {
        "222222"
    } else {
        "111111"
    };
    let refused = app
        .post_form(
            "/login/totp",
            Some(&half_cookie),
            &[("csrf", &half_csrf), ("code", wrong_code)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let code = totp::code_at_step(&secret, totp::step_at(airbridge_web::now())).unwrap();
    let full = app
        .post_form(
            "/login/totp",
            Some(&half_cookie),
            &[("csrf", &half_csrf), ("code", &code)],
        )
        .await;
    assert_eq!(full.status, StatusCode::SEE_OTHER);
    assert_eq!(full.location(), "/dashboard");
    assert_ne!(
        full.cookie(),
        half_cookie,
        "the id changes at the second step"
    );
    assert_eq!(
        app.send("GET", "/dashboard", Some(&full.cookie()), &[], None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.send("GET", "/dashboard", Some(&half_cookie), &[], None)
            .await
            .location(),
        "/login?next=%2Fdashboard"
    );
    // The same code cannot be used for a second login.
    let again = app.login("chef", PASSWORD).await;
    let again_page = app
        .send("GET", "/login/totp", Some(&again.cookie()), &[], None)
        .await;
    let replay = app
        .post_form(
            "/login/totp",
            Some(&again.cookie()),
            &[("csrf", &again_page.field("csrf")), ("code", &code)],
        )
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    let actions = app.actions().await;
    for wanted in [
        "user.totp_enrol",
        "auth.password_accepted",
        "auth.login",
        "auth.login_failed",
    ] {
        assert!(actions.iter().any(|a| a == wanted), "{wanted}: {actions:?}");
    }
}

#[tokio::test]
async fn the_setup_link_creates_the_first_administrator_once() {
    let app = app_with(WebConfig::default()).await;
    let token = "a-setup-token-for-this-test";
    let hash = airbridge_store::audit::secret_hash(token);
    assert!(
        app.store
            .create_setup_token(&hash, airbridge_web::now() + 3_600)
            .await
            .unwrap()
    );
    let form = app
        .send("GET", &format!("/setup?token={token}"), None, &[], None)
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.field("token"), token);
    let post = |password: &'static str, again: &'static str| {
        let app = &app;
        async move {
            app.post_form(
                "/setup",
                None,
                &[
                    ("token", token),
                    ("username", "root"),
                    ("display_name", "Première Administratrice"),
                    ("password", password),
                    ("password_again", again),
                ],
            )
            .await
        }
    };
    let short = post("short pass", "short pass").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short.body.contains("at least 12 characters"),
        "{}",
        short.body
    );
    let differ = post(PASSWORD, "another long passphrase").await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created = post(PASSWORD, PASSWORD).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    assert_eq!(created.location(), "/login?notice=created");
    assert_eq!(post(PASSWORD, PASSWORD).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.send("GET", &format!("/setup?token={token}"), None, &[], None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let users = app.store.list_users(None).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].access.role(), Role::SystemAdmin);
    let login = app.login("root", PASSWORD).await;
    let next = app
        .send("GET", "/dashboard", Some(&login.cookie()), &[], None)
        .await;
    assert_eq!(next.location(), "/account/totp");
}

#[tokio::test]
async fn nation_administrators_manage_only_their_nation() {
    let app = app_with(WebConfig::default()).await;
    let setup = Actor::new("test:setup");
    app.store
        .add_nation(&setup, NationCode::parse("DE").unwrap(), "Germany")
        .await
        .unwrap();
    let fr_admin = app
        .store
        .create_token(
            &setup,
            "fr-admin",
            &Access::new(Role::NationAdmin, NationCode::parse("FR").ok(), None, None).unwrap(),
        )
        .await
        .unwrap();
    let auth = format!("Bearer {fr_admin}");
    let create = |body: serde_json::Value| {
        let auth = auth.clone();
        let app = &app;
        async move {
            app.send(
                "POST",
                "/api/users",
                None,
                &[("authorization", &auth)],
                Some(("application/json", body.to_string())),
            )
            .await
        }
    };
    let made = create(json!({
        "username": "farid", "display_name": "Farid", "password": PASSWORD, "role": "caseworker"
    }))
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert!(
        made.body.contains("\"nation\":\"FR\""),
        "defaults to its nation"
    );
    assert!(!made.body.contains("argon2"));
    let short = create(json!({
        "username": "leila", "display_name": "Leila", "password": "too short", "role": "caseworker"
    }))
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("at least 12 characters"));
    for (body, why) in [
        (
            json!({ "username": "hans", "display_name": "Hans", "password": PASSWORD, "role": "caseworker", "nation": "DE" }),
            "another nation",
        ),
        (
            json!({ "username": "boss", "display_name": "Boss", "password": PASSWORD, "role": "system_admin" }),
            "a cross-nation role",
        ),
    ] {
        assert_eq!(create(body).await.status, StatusCode::FORBIDDEN, "{why}");
    }
}
