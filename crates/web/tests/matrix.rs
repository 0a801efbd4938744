//! The authorisation matrix: every route of the route table, for every role and an anonymous
//! caller, against a record of the caller's own nation and one of another nation, each request
//! sent through the router onto a real database holding records in both nations.
//!
//! What each request should get is written out by hand in `EXPECTED` below, route by route; it
//! is not derived from the policy code, so a change to the policy that this table does not
//! share makes the test fail. A route in the table without an expectation fails the test by
//! name, and so does an expectation for a route that no longer exists.
//!
//! Outcomes: `o` allowed (2xx, or a redirect that is not to the login page), `a` refused as
//! anonymous (401, or a redirect to the login page), `f` forbidden (403), `m` missing (404:
//! another nation's record looks like no record), `p` public (anything but `a` or `f`).

mod common;

use airbridge_domain::{
    Access, CaseId, EvacuationStatus, NationCode, OrganisationId, OrganisationKind, Person,
    PersonId, Role,
};
use airbridge_field::{GateAction, GateEvent, PassCode};
use airbridge_store::testing::TestPostgres;
use airbridge_store::{
    Actor, AircraftTypeRecord, AnyStore, CallForwardRequest, CheckIn, CheckInOutcome,
    Configuration, DedupStore, FlightStore, NewCase, NewDedupRun, NewFlight, NewHit, NewList,
    NewMatches, NewMember, NewPass, NewPlanRun, NewReviewPair, NewSession, NewUser, OpenMode,
    Store,
};
use airbridge_web::{AppState, Kind, ROUTES, RateLimit, Verb, WebConfig, router, totp};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{FRANCE_AND_GERMANY, GARBAGE, PHC, add_nations, from_now, garbage_query, nation};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

/// The callers, in the order of the columns of `EXPECTED`.
const WHO: [Option<Role>; 8] = [
    None,
    Some(Role::SystemAdmin),
    Some(Role::NationAdmin),
    Some(Role::Caseworker),
    Some(Role::ScreeningOfficer),
    Some(Role::GateOfficer),
    Some(Role::Coordinator),
    Some(Role::NgoSubmitter),
];

/// Route → expected outcome, own nation then other nation, for each caller of `WHO`:
/// anonymous, system admin, nation admin, caseworker, screening officer, gate officer,
/// coordinator, NGO submitter.
const EXPECTED: &[(&str, &str)] = &[
    //                                                anon SA NA CW SO GO CO NGO
    ("GET /", "pp pp pp pp pp pp pp pp"),
    ("GET /healthz", "pp pp pp pp pp pp pp pp"),
    ("GET /login", "pp pp pp pp pp pp pp pp"),
    ("POST /login", "pp pp pp pp pp pp pp pp"),
    ("GET /login/totp", "aa oo oo oo oo oo oo oo"),
    ("POST /login/totp", "aa oo oo oo oo oo oo oo"),
    ("POST /logout", "aa oo oo oo oo oo oo oo"),
    ("GET /setup", "pp pp pp pp pp pp pp pp"),
    ("POST /setup", "pp pp pp pp pp pp pp pp"),
    ("GET /lang", "pp pp pp pp pp pp pp pp"),
    ("GET /dashboard", "aa oo oo oo oo oo oo oo"),
    ("GET /search", "aa oo of of of ff ff ff"),
    ("GET /cases/{id}", "aa oo om om om ff ff om"),
    ("GET /persons/{id}", "aa oo om om om ff ff ff"),
    ("GET /screening", "aa oo oo ff oo ff ff ff"),
    ("POST /screening/{id}", "aa oo om ff om ff ff ff"),
    // The queue lists the pairs the caller may see (a nation's, or all for a cross-nation
    // role); deciding needs both records within reach: the other nation's pair is missing.
    ("GET /dedup", "aa oo oo oo oo ff ff ff"),
    ("POST /dedup/decide", "aa oo om om ff ff ff ff"),
    ("GET /audit", "aa oo ff ff ff ff ff ff"),
    ("GET /users", "aa oo oo ff ff ff ff ff"),
    ("POST /users", "aa oo of ff ff ff ff ff"),
    ("POST /users/{username}", "aa oo om ff ff ff ff ff"),
    ("GET /import", "aa oo oo oo ff ff ff ff"),
    ("POST /import", "aa oo of of ff ff ff ff"),
    ("GET /metrics", "pp pp pp pp pp pp pp pp"),
    ("GET /api/openapi.json", "pp pp pp pp pp pp pp pp"),
    ("GET /api/dashboard", "aa oo oo oo oo oo oo oo"),
    ("GET /api/search", "aa oo of of of ff ff ff"),
    ("POST /api/import", "aa oo of of ff ff ff ff"),
    ("GET /account/totp", "aa oo oo oo oo oo oo oo"),
    ("POST /account/totp", "aa oo oo oo oo oo oo oo"),
    ("GET /api/me", "aa oo oo oo oo oo oo oo"),
    ("GET /api/nations", "aa oo oo oo oo ff oo ff"),
    ("POST /api/nations", "aa oo ff ff ff ff ff ff"),
    ("GET /api/organisations", "aa oo of of of ff oo ff"),
    ("GET /api/persons", "aa oo of of of ff ff ff"),
    ("POST /api/persons", "aa oo of of ff ff ff ff"),
    ("GET /api/persons/{id}", "aa oo om om om ff ff ff"),
    ("PUT /api/persons/{id}", "aa oo om om ff ff ff ff"),
    ("GET /api/persons/{id}/history", "aa oo om om om ff ff ff"),
    ("POST /api/persons/{id}/status", "aa oo om om ff ff ff ff"),
    ("GET /api/cases", "aa oo of of of ff ff of"),
    ("POST /api/cases", "aa oo of of ff ff ff of"),
    ("GET /api/cases/{id}", "aa oo om om om ff ff om"),
    ("POST /api/cases/{id}/status", "aa oo om om ff ff ff ff"),
    ("PUT /api/cases/{id}/eligibility", "aa oo om om ff ff ff ff"),
    ("GET /api/totals", "aa oo oo oo oo ff oo ff"),
    ("GET /api/screening/hits", "aa oo of ff of ff ff ff"),
    (
        "POST /api/screening/hits/{id}/decision",
        "aa oo om ff om ff ff ff",
    ),
    ("GET /api/dedup/pairs", "aa oo of of of ff ff ff"),
    (
        "POST /api/dedup/pairs/{a}/{b}/decision",
        "aa oo om om ff ff ff ff",
    ),
    ("GET /api/audit", "aa oo ff ff ff ff ff ff"),
    ("POST /api/call-forward", "aa oo of of ff ff ff ff"),
    ("POST /api/passes/{id}/revoke", "aa oo om om ff ff ff ff"),
    ("GET /api/gate/expected", "aa oo of ff ff of ff ff"),
    ("POST /api/gate/check-in", "aa oo om ff ff om ff ff"),
    // A sync answers each action on its own: another nation's pass is refused inside a 200.
    ("POST /api/gate/sync", "aa oo oo ff ff oo ff ff"),
    ("GET /api/gate/flags", "aa oo of of ff of ff ff"),
    ("POST /api/gate/flags/{id}/clear", "aa oo om om ff ff ff ff"),
    ("GET /api/live", "aa oo oo oo oo ff oo ff"),
    ("GET /api/live/stream", "aa oo oo oo oo ff oo ff"),
    // Asked for another nation by name: refused to a caller bound to one.
    ("GET /api/sitrep.csv", "aa oo of of of ff oo ff"),
    ("GET /api/sitrep.pdf", "aa oo of of of ff oo ff"),
    ("GET /gate", "aa oo oo ff ff oo ff ff"),
    ("GET /gate/flags", "aa oo oo oo ff oo ff ff"),
    ("POST /gate/flags/{id}", "aa oo om om ff ff ff ff"),
    ("GET /live", "aa oo oo oo oo ff oo ff"),
    // Flights: a nation reads its own flights (another nation's, carrying none of its people,
    // is missing); the coordinator counts every flight but reads no names, so prints no
    // manifest; planning places every nation's people, so only cross-nation roles plan.
    ("GET /flights", "aa oo oo oo ff ff oo ff"),
    ("GET /api/flights", "aa oo oo oo ff ff oo ff"),
    ("POST /flights/plan", "aa oo ff ff ff ff oo ff"),
    ("POST /api/flights/plan", "aa oo ff ff ff ff oo ff"),
    ("GET /flights/{id}", "aa oo om om ff ff oo ff"),
    ("GET /api/flights/{id}", "aa oo om om ff ff oo ff"),
    ("GET /flights/{id}/manifest.pdf", "aa oo om om ff ff ff ff"),
    ("GET /flights/{id}/manifest.csv", "aa oo om om ff ff ff ff"),
    ("GET /p/{code}", "pp pp pp pp pp pp pp pp"),
    ("GET /static/gate.js", "pp pp pp pp pp pp pp pp"),
    ("GET /static/live.js", "pp pp pp pp pp pp pp pp"),
    ("GET /gate-sw.js", "pp pp pp pp pp pp pp pp"),
    ("GET /api/users", "aa oo of ff ff ff ff ff"),
    ("POST /api/users", "aa oo of ff ff ff ff ff"),
    (
        "POST /api/users/{username}/disable",
        "aa oo om ff ff ff ff ff",
    ),
    (
        "POST /api/users/{username}/enable",
        "aa oo om ff ff ff ff ff",
    ),
    (
        "POST /api/users/{username}/unlock",
        "aa oo om ff ff ff ff ff",
    ),
    (
        "POST /api/users/{username}/reset-totp",
        "aa oo om ff ff ff ff ff",
    ),
    ("POST /api/tokens", "aa oo of ff ff ff ff ff"),
];

const GATE: &str = "Abbey Gate";
const HOST: &str = "airbridge.test";
const LOGIN_PASSWORD: &str = "matrix login passphrase";

/// The records of one nation that requests are aimed at.
struct NationRecords {
    code: NationCode,
    ngo: OrganisationId,
    person: PersonId,
    case: i64,
    hit: i64,
    /// An account that administrators act on.
    target_user: String,
    /// A flight of the nation's, on the plan in force.
    flight: String,
}

struct Fixture {
    store: AnyStore,
    router: Router,
    own: NationRecords,
    other: NationRecords,
    /// Each role's account (for sessions) and token, bound to the own nation where bound.
    accounts: BTreeMap<&'static str, (String, String)>,
    fresh: AtomicUsize,
    /// Nations created through the API so far (each needs a new code).
    nations_made: AtomicUsize,
    _dir: tempfile::TempDir,
}

fn access_for(role: Role, own: &NationRecords) -> Access {
    let nation = role.is_bound_to_a_nation().then_some(own.code);
    let organisation = (role == Role::NgoSubmitter).then_some(own.ngo);
    let gate = (role == Role::GateOfficer).then(|| GATE.to_owned());
    Access::new(role, nation, organisation, gate).unwrap()
}

fn simple_person(given: &str) -> Person {
    serde_json::from_value(json!({ "name": { "given": given, "family": "Ahmadzai" } })).unwrap()
}

fn one_person_case(code: NationCode, organisation: Option<OrganisationId>) -> NewCase {
    NewCase {
        nation: code,
        organisation,
        reference: None,
        eligibility: Default::default(),
        progress: Default::default(),
        members: vec![NewMember {
            relation: airbridge_domain::Relation::Principal,
            person: simple_person("Zarmina"),
        }],
    }
}

async fn nation_records(store: &AnyStore, code: &str, list_id: i64) -> NationRecords {
    let setup = Actor::new("test:setup");
    let code = nation(code);
    let ngo = store
        .add_organisation(&setup, code, "Relief NGO", OrganisationKind::Ngo)
        .await
        .unwrap()
        .id;
    let person = store
        .add_person(&setup, code, simple_person("Hashem"))
        .await
        .unwrap()
        .id;
    let case = store
        .add_cases(&setup, vec![one_person_case(code, Some(ngo))])
        .await
        .unwrap()[0]
        .0;
    store
        .record_hits(
            &setup,
            vec![NewHit {
                person,
                list_id,
                entry_ref: format!("TAi.{code}"),
                listed_name: "HASHEM AHMADZAI".into(),
                score: 0.9,
                explanation: json!({}),
                entry_fingerprint: "e".into(),
                person_fingerprint: "p".into(),
            }],
        )
        .await
        .unwrap();
    let hit = store
        .list_hits(None, Some(code))
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.person == person)
        .unwrap()
        .id;
    let target_user = format!("target-{}", code.as_str().to_lowercase());
    store
        .add_user(
            &setup,
            NewUser {
                username: target_user.clone(),
                display_name: "Target".into(),
                access: Access::new(Role::Caseworker, Some(code), None, None).unwrap(),
                password_hash: PHC.into(),
            },
        )
        .await
        .unwrap();
    NationRecords {
        code,
        ngo,
        person,
        case,
        hit,
        target_user,
        flight: format!("{code}100"),
    }
}

async fn fixture(store: AnyStore, dir: tempfile::TempDir) -> Fixture {
    add_nations(&store, FRANCE_AND_GERMANY).await;
    let setup = Actor::new("test:setup");
    let (list, _) = store
        .store_list(
            &setup,
            NewList {
                source: "un".into(),
                version_date: None,
                sha256: "x".into(),
                entries: 1,
                content: "{}".into(),
            },
        )
        .await
        .unwrap();
    let own = nation_records(&store, "FR", list.id).await;
    let other = nation_records(&store, "DE", list.id).await;
    // A flight of each nation and a plan in force (empty: nobody is ready), for the flights'
    // routes.
    store
        .set_aircraft_type(
            &setup,
            AircraftTypeRecord {
                name: "C-17A".into(),
                seated_capacity: 100,
                floor_loaded_capacity: 150,
            },
        )
        .await
        .unwrap();
    let departs_at = from_now(time::Duration::days(2));
    store
        .add_flights(
            &setup,
            [&own, &other]
                .into_iter()
                .map(|n| NewFlight {
                    id: n.flight.clone(),
                    nation: n.code,
                    aircraft: "C-17A".into(),
                    configuration: Configuration::Seated,
                    departs_at: departs_at.clone(),
                    destination: "DOH".into(),
                    carries: Vec::new(),
                })
                .collect(),
        )
        .await
        .unwrap();
    store
        .save_plan(
            &setup,
            NewPlanRun {
                solver: "test".into(),
                objective: 0.0,
                upper_bound: 0.0,
                gap: 0.0,
                cases_ready: 0,
                people_assigned: 0,
                seat_prices: Vec::new(),
                assignments: Vec::new(),
            },
        )
        .await
        .unwrap();
    // A deduplication run that queued the two nations' people as a possible pair (the queue's
    // routes need one; each decision gets a fresh pair, see `review_pair`).
    store
        .save_dedup_run(
            &setup,
            NewDedupRun {
                records: 2,
                pairs_scored: 1,
                links: 0,
                threshold: 0.9,
                review_low: 0.3,
                review_high: 0.98,
                clusters: vec![(own.person, own.person), (other.person, other.person)],
                review: vec![NewReviewPair {
                    a: own.person,
                    b: other.person,
                    probability: 0.7,
                    explanation: json!({ "fields": [{ "field": "given name", "level": "exact", "weight": 3.5 }] }),
                }],
                model: json!({}),
            },
        )
        .await
        .unwrap();
    let mut accounts = BTreeMap::new();
    for role in Role::ALL {
        let username = format!("matrix-{}", role.as_str().replace('_', "-"));
        store
            .add_user(
                &setup,
                NewUser {
                    username: username.clone(),
                    display_name: format!("Matrix {role}"),
                    access: access_for(role, &own),
                    password_hash: PHC.into(),
                },
            )
            .await
            .unwrap();
        if role.needs_second_factor() {
            store
                .set_user_totp(&setup, &username, Some(totp::new_secret()))
                .await
                .unwrap();
        }
        let token = store
            .create_token(&setup, &username, &access_for(role, &own))
            .await
            .unwrap();
        accounts.insert(role.as_str(), (username, token));
    }
    // One account with a real password, for the login form.
    let login_hash = airbridge_web::password::hash(LOGIN_PASSWORD).unwrap();
    store
        .add_user(
            &setup,
            NewUser {
                username: "matrix-login".into(),
                display_name: "Matrix login".into(),
                access: Access::new(Role::Caseworker, Some(own.code), None, None).unwrap(),
                password_hash: login_hash,
            },
        )
        .await
        .unwrap();
    let config = WebConfig {
        // The matrix logs in once per caller; the limiter has its own test.
        login_rate: RateLimit {
            burst: 10_000,
            refill_every: std::time::Duration::from_secs(1),
        },
        ..WebConfig::default()
    };
    Fixture {
        router: router(AppState::new(store.clone(), config)),
        store,
        own,
        other,
        accounts,
        fresh: AtomicUsize::new(0),
        nations_made: AtomicUsize::new(0),
        _dir: dir,
    }
}

/// What one request of the matrix sends.
struct Call {
    uri: String,
    body: Option<Body>,
    content_type: &'static str,
}

fn json_call(uri: String, body: Value) -> Call {
    Call {
        uri,
        body: Some(Body::from(body.to_string())),
        content_type: "application/json",
    }
}

fn form_call(uri: &str, fields: &[(&str, &str)]) -> Call {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    Call {
        uri: uri.to_owned(),
        body: Some(Body::from(body)),
        content_type: "application/x-www-form-urlencoded",
    }
}

/// A multipart form with text fields and one file, as a browser uploads it.
fn multipart_call(uri: &str, fields: &[(&str, &str)], file_name: &str, content: &str) -> Call {
    let boundary = "matrixboundary7d93";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    ));
    Call {
        uri: uri.to_owned(),
        body: Some(Body::from(body)),
        content_type: "multipart/form-data; boundary=matrixboundary7d93",
    }
}

fn get(uri: String) -> Call {
    Call {
        uri,
        body: None,
        content_type: "",
    }
}

impl Fixture {
    fn fresh(&self) -> usize {
        self.fresh.fetch_add(1, Ordering::SeqCst)
    }

    /// The request for a route aimed at one nation's records. Routes that change a record
    /// beyond repeating get a fresh one, so every allowed request can succeed.
    async fn call_for(&self, key: &str, target: &NationRecords) -> Call {
        let setup = Actor::new("test:setup");
        let n = target.code;
        let gate = form_urlencoded::byte_serialize(GATE.as_bytes()).collect::<String>();
        match key {
            "GET /" => get("/".into()),
            "GET /healthz" => get("/healthz".into()),
            "GET /login" => get("/login".into()),
            "POST /login" => form_call(
                "/login",
                &[("username", "matrix-login"), ("password", LOGIN_PASSWORD)],
            ),
            "GET /login/totp" => get("/login/totp".into()),
            "POST /login/totp" => form_call("/login/totp", &[("code", "000000")]),
            "POST /logout" => form_call("/logout", &[]),
            "GET /setup" => get("/setup?token=nothing".into()),
            "POST /setup" => form_call(
                "/setup",
                &[
                    ("token", "nothing"),
                    ("username", "intruder"),
                    ("display_name", "Intruder"),
                    ("password", "a long enough password"),
                    ("password_again", "a long enough password"),
                ],
            ),
            "GET /lang" => get("/lang?to=fr".into()),
            "GET /dashboard" => get("/dashboard".into()),
            "GET /search" => get(format!("/search?q=Hashem&nation={n}")),
            "GET /cases/{id}" => get(format!("/cases/C{}", target.case)),
            "GET /persons/{id}" => get(format!("/persons/{}", target.person)),
            "GET /screening" => get("/screening?status=all".into()),
            "POST /screening/{id}" => form_call(
                &format!("/screening/H{}", target.hit),
                &[
                    ("decision", "false_positive"),
                    ("reason", "born decades apart"),
                ],
            ),
            "GET /audit" => get("/audit?entity=person:P1".into()),
            "GET /users" => get("/users".into()),
            "POST /users" => {
                let username = format!("page-user-{}", self.fresh());
                form_call(
                    "/users",
                    &[
                        ("username", &username),
                        ("display_name", "Page user"),
                        ("password", "a long enough password"),
                        ("role", "caseworker"),
                        ("nation", n.as_str()),
                    ],
                )
            }
            "POST /users/{username}" => form_call(
                &format!("/users/{}", target.target_user),
                &[("action", "unlock")],
            ),
            "GET /import" => get("/import".into()),
            "POST /import" => multipart_call(
                "/import",
                &[("nation", n.as_str())],
                "list.csv",
                &format!(
                    "Given name,Family name\nImported{},Ahmadzai\n",
                    self.fresh()
                ),
            ),
            "GET /metrics" => get("/metrics".into()),
            "GET /api/openapi.json" => get("/api/openapi.json".into()),
            "GET /api/dashboard" => get("/api/dashboard".into()),
            "GET /api/search" => get(format!("/api/search?q=Hashem&nation={n}")),
            "POST /api/import" => Call {
                uri: format!("/api/import?nation={n}&name=api-list.csv"),
                body: Some(Body::from(format!(
                    "Given name,Family name\nApi{},Ahmadzai\n",
                    self.fresh()
                ))),
                content_type: "text/csv",
            },
            "GET /account/totp" => get("/account/totp".into()),
            "POST /account/totp" => {
                let secret = totp::new_secret();
                let code =
                    totp::code_at_step(&secret, totp::step_at(airbridge_web::now())).unwrap();
                form_call("/account/totp", &[("secret", &secret), ("code", &code)])
            }
            "GET /api/me" => get("/api/me".into()),
            "GET /api/nations" => get("/api/nations".into()),
            "POST /api/nations" => {
                // A request is built for every caller, allowed or not: enough codes for both
                // runs (16 callers each).
                let codes = "IT ES NL BE PT PL SE DK NO FI IE AT CH CZ SK HU RO BG GR HR SI EE LV \
                     LT LU MT CY IS CA US AU NZ JP KR TR AE QA SA UZ TJ"
                    .split_whitespace()
                    .collect::<Vec<_>>();
                let code = codes[self.nations_made.fetch_add(1, Ordering::SeqCst)];
                json_call("/api/nations".into(), json!({ "code": code, "name": code }))
            }
            "GET /api/organisations" => get(format!("/api/organisations?nation={n}")),
            "GET /api/persons" => get(format!("/api/persons?nation={n}")),
            "POST /api/persons" => json_call(
                "/api/persons".into(),
                json!({ "nation": n, "person": { "name": { "given": "Farid" } } }),
            ),
            "GET /api/persons/{id}" => get(format!("/api/persons/{}", target.person)),
            "PUT /api/persons/{id}" => json_call(
                format!("/api/persons/{}", target.person),
                json!({ "person": { "name": { "given": "Hashem", "family": "Ahmadzai" } } }),
            ),
            "GET /api/persons/{id}/history" => {
                get(format!("/api/persons/{}/history", target.person))
            }
            "POST /api/persons/{id}/status" => {
                let person = self
                    .store
                    .add_person(&setup, n, simple_person("Moving"))
                    .await
                    .unwrap();
                json_call(
                    format!("/api/persons/{}/status", person.id),
                    json!({ "to": "eligible" }),
                )
            }
            "GET /api/cases" => get(format!("/api/cases?nation={n}")),
            "POST /api/cases" => json_call(
                "/api/cases".into(),
                json!(one_person_case(n, Some(target.ngo))),
            ),
            "GET /api/cases/{id}" => get(format!("/api/cases/C{}", target.case)),
            "POST /api/cases/{id}/status" => {
                let case = self
                    .store
                    .add_cases(&setup, vec![one_person_case(n, None)])
                    .await
                    .unwrap()[0];
                json_call(
                    format!("/api/cases/{case}/status"),
                    json!({ "to": "eligible" }),
                )
            }
            "PUT /api/cases/{id}/eligibility" => json_call(
                format!("/api/cases/C{}/eligibility", target.case),
                json!({ "eligibility": { "bases": [ { "basis": "national" } ] } }),
            ),
            "GET /api/totals" => get("/api/totals".into()),
            "GET /api/screening/hits" => get(format!("/api/screening/hits?nation={n}")),
            "POST /api/screening/hits/{id}/decision" => json_call(
                format!("/api/screening/hits/H{}/decision", target.hit),
                json!({ "decision": "false_positive", "reason": "born decades apart" }),
            ),
            "GET /dedup" => get("/dedup".into()),
            "POST /dedup/decide" => {
                let (a, b) = self.review_pair(n).await;
                form_call(
                    "/dedup/decide",
                    &[
                        ("a", &a.to_string()),
                        ("b", &b.to_string()),
                        ("decision", "not_same"),
                        ("reason", "different fathers, checked by phone"),
                        ("version", "1"),
                    ],
                )
            }
            "GET /api/dedup/pairs" => get(format!("/api/dedup/pairs?nation={n}")),
            "POST /api/dedup/pairs/{a}/{b}/decision" => {
                let (a, b) = self.review_pair(n).await;
                json_call(
                    format!("/api/dedup/pairs/{a}/{b}/decision"),
                    json!({ "decision": "same", "expected_version": 1 }),
                )
            }
            "GET /api/audit" => get("/api/audit".into()),
            "POST /api/call-forward" => {
                let case = self.eligible_case(n).await;
                json_call(
                    "/api/call-forward".into(),
                    json!({
                        "nation": n, "gate": GATE, "rendezvous": "the canal side",
                        "valid_from": WINDOW.0, "valid_until": WINDOW.1, "cases": [case],
                    }),
                )
            }
            "POST /api/passes/{id}/revoke" => {
                let called = self.called_case(n).await;
                json_call(
                    format!("/api/passes/{}/revoke", called.pass),
                    json!({ "reason": "the family was reunited elsewhere", "case": called.case }),
                )
            }
            "GET /api/gate/expected" => get(format!("/api/gate/expected?gate={gate}&nation={n}")),
            "POST /api/gate/check-in" => {
                let called = self.called_case(n).await;
                json_call(
                    "/api/gate/check-in".into(),
                    self.check_in_body(&called, false),
                )
            }
            "POST /api/gate/sync" => {
                let called = self.called_case(n).await;
                json_call(
                    "/api/gate/sync".into(),
                    json!({ "events": [self.check_in_body(&called, true)] }),
                )
            }
            "GET /api/gate/flags" => get(format!("/api/gate/flags?nation={n}")),
            "POST /api/gate/flags/{id}/clear" => {
                let flag = self.flag(n).await;
                json_call(
                    format!("/api/gate/flags/{flag}/clear"),
                    json!({ "note": "the same family: one gate was offline" }),
                )
            }
            "GET /api/live" => get("/api/live".into()),
            "GET /api/live/stream" => get("/api/live/stream".into()),
            "GET /api/sitrep.csv" => get(format!("/api/sitrep.csv?nation={n}")),
            "GET /api/sitrep.pdf" => get(format!("/api/sitrep.pdf?nation={n}")),
            "GET /gate" => get(format!("/gate?gate={gate}")),
            "GET /gate/flags" => get("/gate/flags".into()),
            "POST /gate/flags/{id}" => {
                let flag = self.flag(n).await;
                form_call(
                    &format!("/gate/flags/{flag}"),
                    &[("note", "the same family: one gate was offline")],
                )
            }
            "GET /live" => get("/live".into()),
            "GET /flights" => get("/flights".into()),
            "GET /api/flights" => get("/api/flights".into()),
            "POST /flights/plan" => form_call("/flights/plan", &[]),
            "POST /api/flights/plan" => json_call("/api/flights/plan".into(), json!({})),
            "GET /flights/{id}" => get(format!("/flights/{}", target.flight)),
            "GET /api/flights/{id}" => get(format!("/api/flights/{}", target.flight)),
            "GET /flights/{id}/manifest.pdf" => {
                get(format!("/flights/{}/manifest.pdf", target.flight))
            }
            "GET /flights/{id}/manifest.csv" => {
                get(format!("/flights/{}/manifest.csv", target.flight))
            }
            "GET /p/{code}" => get(format!(
                "/p/{}",
                PassCode::from_entropy([self.fresh() as u8, 1, 2, 3, 4, 5, 6, 7]).as_str()
            )),
            "GET /static/gate.js" => get("/static/gate.js".into()),
            "GET /static/live.js" => get("/static/live.js".into()),
            "GET /gate-sw.js" => get("/gate-sw.js".into()),
            "GET /api/users" => get(format!("/api/users?nation={n}")),
            "POST /api/users" => json_call(
                "/api/users".into(),
                json!({
                    "username": format!("new-user-{}", self.fresh()),
                    "display_name": "New user",
                    "password": "a long enough password",
                    "role": "caseworker",
                    "nation": n,
                }),
            ),
            "POST /api/users/{username}/disable" => json_call(
                format!("/api/users/{}/disable", target.target_user),
                json!({}),
            ),
            "POST /api/users/{username}/enable" => json_call(
                format!("/api/users/{}/enable", target.target_user),
                json!({}),
            ),
            "POST /api/users/{username}/unlock" => json_call(
                format!("/api/users/{}/unlock", target.target_user),
                json!({}),
            ),
            "POST /api/users/{username}/reset-totp" => json_call(
                format!("/api/users/{}/reset-totp", target.target_user),
                json!({}),
            ),
            "POST /api/tokens" => json_call(
                "/api/tokens".into(),
                json!({ "name": format!("new-token-{}", self.fresh()), "role": "caseworker", "nation": n }),
            ),
            other => panic!("the matrix has no request for route {other}: add one to call_for"),
        }
    }

    /// Two new people of `nation` queued as a possible pair by matching, for one decision.
    async fn review_pair(&self, nation: NationCode) -> (PersonId, PersonId) {
        let setup = Actor::new("test:setup");
        let mut people = Vec::new();
        for given in ["Gul Ahmad", "Gulahmad"] {
            let person = self
                .store
                .add_person(&setup, nation, simple_person(given))
                .await
                .unwrap()
                .id;
            people.push(person);
        }
        let queued = self
            .store
            .save_matches(
                &setup,
                NewMatches {
                    clusters: people.iter().map(|p| (*p, *p)).collect(),
                    review: vec![NewReviewPair {
                        a: people[0],
                        b: people[1],
                        probability: 0.8,
                        explanation: json!({ "fields": [] }),
                    }],
                },
            )
            .await
            .unwrap();
        assert_eq!(queued, 1);
        (people[0], people[1])
    }

    /// A new one-person case of `nation`, eligible to be called forward.
    async fn eligible_case(&self, nation: NationCode) -> CaseId {
        let setup = Actor::new("test:setup");
        let case = self
            .store
            .add_cases(&setup, vec![one_person_case(nation, None)])
            .await
            .unwrap()[0];
        self.store
            .set_case_status(&setup, case, EvacuationStatus::Eligible, None, None)
            .await
            .unwrap();
        case
    }

    /// A new case called forward to `GATE`, with its pass and the pass's code.
    async fn called_case(&self, nation: NationCode) -> Called {
        let setup = Actor::new("test:setup");
        let case = self.eligible_case(nation).await;
        let n = self.fresh() as u64;
        let code = PassCode::from_entropy((n * 7_919 + 13).to_le_bytes());
        let result = self
            .store
            .call_forward(
                &setup,
                CallForwardRequest {
                    nation,
                    gate: GATE.into(),
                    rendezvous: "the canal side".into(),
                    valid_from: WINDOW.0.into(),
                    valid_until: WINDOW.1.into(),
                    passes: vec![NewPass {
                        case,
                        code_hash: code.hash(),
                        messages: vec![],
                    }],
                },
            )
            .await
            .unwrap();
        let member = self.store.get_case(case).await.unwrap().unwrap().people[0].id;
        Called {
            case,
            member,
            pass: result.passes[0].id,
            code,
        }
    }

    fn check_in_body(&self, called: &Called, offline: bool) -> Value {
        json!({
            "code": called.code.to_string(),
            "op_id": format!("matrix-op-{}", self.fresh()),
            "at_ms": 1_629_600_000_000i64,
            "action": "admit",
            "members": [called.member],
            "gate": GATE,
            "offline": offline,
        })
    }

    /// A new open flag in `nation`: one pass admitted offline at two gates.
    async fn flag(&self, nation: NationCode) -> i64 {
        let setup = Actor::new("test:setup");
        let called = self.called_case(nation).await;
        for (gate, at_ms) in [(GATE, 1_000), ("North Gate", 2_000)] {
            let outcome = self
                .store
                .check_in(
                    &setup,
                    CheckIn {
                        code_hash: Some(called.code.hash()),
                        case: None,
                        event: GateEvent {
                            op_id: format!("matrix-flag-{}", self.fresh()),
                            gate: gate.into(),
                            at_ms,
                            action: GateAction::Admit {
                                members: vec![called.member.0],
                            },
                        },
                        offline: true,
                        names: vec![],
                        seen_versions: vec![],
                    },
                )
                .await
                .unwrap();
            assert!(
                matches!(outcome, CheckInOutcome::Applied { .. }),
                "{outcome:?}"
            );
        }
        self.store
            .gate_flags(Some(nation), true)
            .await
            .unwrap()
            .into_iter()
            .filter(|f| f.case == Some(called.case))
            .map(|f| f.id)
            .max()
            .expect("two gates admitting one pass raise a flag")
    }

    /// A fresh session for a role's account: its cookie and CSRF token.
    async fn session_for(&self, role: Role) -> (String, String) {
        let (username, _) = &self.accounts[role.as_str()];
        let (id, id_hash) = airbridge_web::new_session_id();
        let csrf = format!("csrf-{}", self.fresh());
        self.store
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
        (id, csrf)
    }

    async fn send(
        &self,
        method: &str,
        call: Call,
        credentials: Credentials,
    ) -> (char, StatusCode, String) {
        let mut request = Request::builder()
            .method(method)
            .uri(&call.uri)
            .header(header::HOST, HOST)
            .header(header::ORIGIN, format!("http://{HOST}"))
            .header("sec-fetch-site", "same-origin");
        match credentials {
            Credentials::None => {}
            Credentials::Session { id, csrf } => {
                request = request
                    .header(
                        header::COOKIE,
                        format!("{}={id}", airbridge_web::cookie_name(false)),
                    )
                    .header("x-csrf-token", csrf);
            }
            Credentials::Token(token) => {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
        }
        if call.body.is_some() {
            request = request.header(header::CONTENT_TYPE, call.content_type);
        }
        let request = request.body(call.body.unwrap_or_else(Body::empty)).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        // An event stream never ends: its status and type are what the matrix looks at.
        let streaming = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let bytes = if streaming {
            axum::body::Bytes::new()
        } else {
            axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .unwrap()
        };
        let outcome = match status.as_u16() {
            401 => 'a',
            300..=399 if location.starts_with("/login?next=") => 'a',
            403 => 'f',
            404 => 'm',
            200..=399 => 'o',
            _ => 'x',
        };
        let detail = format!(
            "{status} {location} {}",
            String::from_utf8_lossy(&bytes)
                .chars()
                .take(300)
                .collect::<String>()
        );
        (outcome, status, detail)
    }
}

/// A case called forward to `GATE` for the matrix's requests.
struct Called {
    case: CaseId,
    member: PersonId,
    pass: i64,
    code: PassCode,
}

/// A pass window that holds whenever the test runs.
const WINDOW: (&str, &str) = ("2020-01-01T00:00:00Z", "2099-12-31T23:59:59Z");

enum Credentials {
    None,
    Session { id: String, csrf: String },
    Token(String),
}

fn expectations() -> BTreeMap<&'static str, Vec<[char; 2]>> {
    EXPECTED
        .iter()
        .map(|(key, cells)| {
            let cells: Vec<[char; 2]> = cells
                .split_whitespace()
                .map(|cell| {
                    let chars: Vec<char> = cell.chars().collect();
                    assert_eq!(chars.len(), 2, "{key}: cell {cell}");
                    [chars[0], chars[1]]
                })
                .collect();
            assert_eq!(cells.len(), WHO.len(), "{key}: one cell per caller");
            (*key, cells)
        })
        .collect()
}

fn matches(expected: char, got: char) -> bool {
    match expected {
        'p' => !matches!(got, 'a' | 'f' | 'x'),
        other => other == got,
    }
}

/// Runs the matrix with sessions (every route) or with bearer tokens (the API's routes).
async fn run_matrix(f: &Fixture, with_tokens: bool, backend: &str) {
    let expected = expectations();
    let mut unexpected = Vec::new();
    let missing: Vec<String> = ROUTES
        .iter()
        .map(|spec| spec.key())
        .filter(|key| !expected.contains_key(key.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an expected outcome in the matrix: {missing:?}"
    );
    let stale: Vec<&&str> = expected
        .keys()
        .filter(|key| !ROUTES.iter().any(|spec| spec.key() == **key))
        .collect();
    assert!(
        stale.is_empty(),
        "expectations for routes that no longer exist: {stale:?}"
    );
    let mut requests = 0;
    let mut routes = 0;
    for spec in ROUTES {
        if with_tokens && spec.kind != Kind::Api {
            continue;
        }
        routes += 1;
        let key = spec.key();
        for (column, who) in WHO.iter().enumerate() {
            for (side, target) in [&f.own, &f.other].into_iter().enumerate() {
                let credentials = match who {
                    None => Credentials::None,
                    Some(role) if with_tokens => {
                        Credentials::Token(f.accounts[role.as_str()].1.clone())
                    }
                    Some(role) => {
                        let (id, csrf) = f.session_for(*role).await;
                        Credentials::Session { id, csrf }
                    }
                };
                let call = f.call_for(&key, target).await;
                let (got, _, detail) = f.send(spec.method.as_str(), call, credentials).await;
                requests += 1;
                let want = expected[key.as_str()][column][side];
                if !matches(want, got) {
                    unexpected.push(format!(
                        "{key} as {} on {} nation: expected {want}, got {got} ({detail})",
                        who.map_or("anonymous".to_owned(), |r| r.to_string()),
                        if side == 0 { "own" } else { "other" },
                    ));
                }
            }
        }
    }
    let via = if with_tokens { "tokens" } else { "sessions" };
    println!(
        "matrix ({backend}, {via}): {routes} routes × {} callers (7 roles and anonymous) × 2 nations = {requests} requests, {}",
        WHO.len(),
        if unexpected.is_empty() {
            "all as expected".to_owned()
        } else {
            format!("{} unexpected", unexpected.len())
        }
    );
    assert!(
        unexpected.is_empty(),
        "unexpected outcomes:\n{}",
        unexpected.join("\n")
    );
}

/// Every GET route with garbage in its path parameters and in every query parameter a screen
/// or the API reads (a NUL character, markup, quotes), as the widest role and as a
/// nation-bound one: refused or answered, never a server failure, on either backend.
async fn garbage_sweep(f: &Fixture, backend: &str) {
    let garbage = GARBAGE;
    let query = garbage_query();
    let mut failures = Vec::new();
    let mut requests = 0;
    for spec in ROUTES.iter().filter(|s| s.method == Verb::Get) {
        let path: String = spec
            .path
            .split('/')
            .map(|piece| {
                if piece.starts_with('{') {
                    garbage
                } else {
                    piece
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for role in [Role::SystemAdmin, Role::Caseworker] {
            for uri in [path.clone(), format!("{path}?{query}")] {
                let (id, csrf) = f.session_for(role).await;
                let (_, status, detail) = f
                    .send("GET", get(uri.clone()), Credentials::Session { id, csrf })
                    .await;
                requests += 1;
                if status.is_server_error() {
                    failures.push(format!("{uri} as {role}: {detail}"));
                }
            }
        }
    }
    println!(
        "garbage ({backend}): {requests} reads, {} server failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_route_every_role_both_nations_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = AnyStore::open(
        &airbridge_store::any::Location::Sqlite(dir.path().join("matrix.db")),
        OpenMode::CreateIfMissing,
    )
    .await
    .unwrap();
    let f = fixture(store, dir).await;
    run_matrix(&f, false, "SQLite").await;
    run_matrix(&f, true, "SQLite").await;
    garbage_sweep(&f, "SQLite").await;
    assert_eq!(f.store.audit_verify().await.unwrap().broken_at, None);
}

#[tokio::test]
async fn every_route_every_role_both_nations_on_postgres() {
    let server = TestPostgres::start().expect("the PostgreSQL matrix needs a server");
    let url = server.fresh_database().await.unwrap();
    let store = AnyStore::open(
        &airbridge_store::any::Location::Postgres(url),
        OpenMode::CreateIfMissing,
    )
    .await
    .unwrap();
    let f = fixture(store, tempfile::tempdir().unwrap()).await;
    run_matrix(&f, false, "PostgreSQL").await;
    garbage_sweep(&f, "PostgreSQL").await;
    assert_eq!(f.store.audit_verify().await.unwrap().broken_at, None);
}
