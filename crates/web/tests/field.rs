//! Field operations through the router on a real SQLite database: call-forward and its codes,
//! the gate's check-in with every kind of refusal (each audited), duplicates, the offline sync
//! from two gates settling the same whatever order the gates come back in, the limit on guessed
//! codes, nation walls, flags, the live figures and the situation report.

mod common;

use airbridge_domain::{Access, CaseId, EvacuationStatus, Relation, Role};
use airbridge_field::PassCode;
use airbridge_store::{
    Actor, AuditFilter, CallForwardRequest, NewCase, NewMember, NewPass, SqliteStore, Store,
};
use airbridge_web::{AppState, WebConfig, router};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::{FRANCE_AND_GERMANY, fresh_store, nation, person};
use serde_json::{Value, json};
use tower::ServiceExt;

const ABBEY: &str = "Abbey Gate";
const NORTH: &str = "North Gate";
/// A window that holds whenever the tests run.
const OPEN: (&str, &str) = ("2020-01-01T00:00:00Z", "2099-12-31T23:59:59Z");

struct Field {
    router: Router,
    store: SqliteStore,
    /// France's nation administrator, its officers at Abbey Gate and North Gate, Germany's
    /// administrator.
    fr_admin: String,
    fr_abbey: String,
    fr_north: String,
    de_admin: String,
    _dir: tempfile::TempDir,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
    /// The body as it came (a PDF's bytes).
    bytes: Vec<u8>,
}

async fn field() -> Field {
    let (store, dir) = fresh_store(FRANCE_AND_GERMANY).await;
    let setup = Actor::new("test:setup");
    let token = |name: &'static str, role: Role, code: &'static str, gate: Option<&str>| {
        let store = store.clone();
        let setup = setup.clone();
        let gate = gate.map(str::to_owned);
        async move {
            let access = Access::new(role, Some(nation(code)), None, gate).unwrap();
            store.create_token(&setup, name, &access).await.unwrap()
        }
    };
    Field {
        fr_admin: token("fr-admin", Role::NationAdmin, "FR", None).await,
        fr_abbey: token("fr-abbey", Role::GateOfficer, "FR", Some(ABBEY)).await,
        fr_north: token("fr-north", Role::GateOfficer, "FR", Some(NORTH)).await,
        de_admin: token("de-admin", Role::NationAdmin, "DE", None).await,
        router: router(AppState::new(store.clone(), WebConfig::default())),
        store,
        _dir: dir,
    }
}

impl Field {
    async fn call(&self, method: &str, uri: &str, token: &str, body: Option<Value>) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        if !token.is_empty() {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
            .await
            .unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply {
            status,
            headers,
            body,
            bytes: bytes.to_vec(),
        }
    }

    /// A family of `code`'s nation, eligible: a principal with a Pashto name and a phone, a
    /// spouse who reads French with a phone, a child listed without a name.
    async fn family(&self, code: &str) -> CaseId {
        let setup = Actor::new("test:setup");
        let case = self
            .store
            .add_cases(
                &setup,
                vec![NewCase {
                    nation: nation(code),
                    organisation: None,
                    reference: None,
                    eligibility: Default::default(),
                    progress: Default::default(),
                    members: vec![
                        NewMember {
                            relation: Relation::Principal,
                            person: person(json!({
                                "name": { "given": "Gul", "family": "Ahmad", "full": "ګل احمد" },
                                "phones": ["+93 70 123 4567"],
                                "languages": ["ps"],
                            })),
                        },
                        NewMember {
                            relation: Relation::Spouse,
                            person: person(json!({
                                "name": { "given": "Mariam", "family": "Ahmad" },
                                "phones": ["+33 6 12 34 56 78"],
                                "languages": ["fr"],
                            })),
                        },
                        NewMember {
                            relation: Relation::Child,
                            person: person(json!({ "name": { "placeholder": "child 1" } })),
                        },
                    ],
                }],
            )
            .await
            .unwrap()[0];
        self.store
            .set_case_status(&setup, case, EvacuationStatus::Eligible, None, None)
            .await
            .unwrap();
        case
    }

    async fn members(&self, case: CaseId) -> Vec<i64> {
        let record = self.store.get_case(case).await.unwrap().unwrap();
        record.people.iter().map(|p| p.id.0).collect()
    }

    async fn status_of(&self, person: i64) -> EvacuationStatus {
        self.store
            .get_person(airbridge_domain::PersonId(person))
            .await
            .unwrap()
            .unwrap()
            .status
    }

    /// Calls a case forward through the API; returns the answer's pass id and code.
    async fn call_forward(
        &self,
        token: &str,
        code: &str,
        case: CaseId,
        window: (&str, &str),
    ) -> (i64, PassCode) {
        let reply = self
            .call(
                "POST",
                "/api/call-forward",
                token,
                Some(json!({
                    "nation": code, "gate": ABBEY, "rendezvous": "the canal side, by the green sign",
                    "valid_from": window.0, "valid_until": window.1, "cases": [case],
                })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let pass = &reply.body["passes"][0];
        (
            pass["pass"]["id"].as_i64().unwrap(),
            PassCode::parse(pass["code"].as_str().unwrap()).unwrap(),
        )
    }

    async fn check_in(&self, token: &str, body: Value) -> Reply {
        self.call("POST", "/api/gate/check-in", token, Some(body))
            .await
    }

    async fn refusals_audited(&self) -> usize {
        common::audited(&self.store, "gate.refused").await.len()
    }
}

fn admit(code: &PassCode, op: &str, members: &[i64]) -> Value {
    json!({
        "code": code.to_string(), "op_id": op, "at_ms": 1_629_600_000_000i64,
        "action": "admit", "members": members,
    })
}

/// A code that reads as a code (its check symbol is right) and was never issued.
fn forged(n: u8) -> PassCode {
    PassCode::from_entropy([n, 0xA5, 0x5A, 0x13, 0x37, n, 0x42, 0x99])
}

#[tokio::test]
async fn call_forward_shows_each_code_once_and_writes_one_message_per_phone() {
    let f = field().await;
    let case = f.family("FR").await;
    let reply = f
        .call(
            "POST",
            "/api/call-forward",
            &f.fr_admin,
            Some(json!({
                "nation": "FR", "gate": ABBEY, "rendezvous": "the canal side",
                "valid_from": OPEN.0, "valid_until": OPEN.1, "cases": [case],
            })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["messages"], 2, "two members have a phone");
    let code = PassCode::parse(reply.body["passes"][0]["code"].as_str().unwrap()).unwrap();
    assert_eq!(
        reply.body["passes"][0]["link"],
        format!("/p/{}", code.as_str())
    );
    // Only the hash is kept.
    let pass = f.store.pass_by_hash(&code.hash()).await.unwrap().unwrap();
    assert_eq!(pass.case, case);
    assert!(
        !serde_json::to_string(&pass)
            .unwrap()
            .contains(code.as_str())
    );
    // One message per phone, in each person's language, with the code and no name.
    let outbox = f.store.outbox_queued(10).await.unwrap();
    let mut languages: Vec<&str> = outbox.iter().map(|m| m.language.as_str()).collect();
    languages.sort();
    assert_eq!(languages, ["fr", "ps"]);
    for message in &outbox {
        let text = message.body.as_deref().unwrap();
        assert!(text.contains(&code.to_string()), "{text}");
        for name in ["Gul", "Ahmad", "ګل", "Mariam"] {
            assert!(!text.contains(name), "a message names nobody: {text}");
        }
    }
    // The pass's page: the code and its QR code, no lookup, no name.
    let page = f
        .call("GET", &format!("/p/{}", code.as_str()), "", None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.body.as_str().unwrap();
    assert!(html.contains(&code.to_string()) && html.contains("<svg"));
    assert!(!html.contains("Gul"));
    assert!(
        page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let garbage = f.call("GET", "/p/NOT-A-CODE", "", None).await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_forged_code_is_refused_and_audited() {
    let f = field().await;
    let before = f.refusals_audited().await;
    let reply = f
        .check_in(&f.fr_abbey, admit(&forged(1), "forged-1", &[1]))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
    assert_eq!(reply.body["refusal"], "unknown");
    assert!(reply.body["message"].as_str().unwrap().contains("forged"));
    assert_eq!(f.refusals_audited().await, before + 1);
    let audited = f
        .store
        .audit_list(&AuditFilter {
            entity_type: Some("gate".into()),
            entity_id: Some(ABBEY.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let event = audited.last().expect("the refusal is in the audit trail");
    assert_eq!(event.action, "gate.refused");
    assert_eq!(event.actor, "token:fr-abbey");
    // A mistyped code is told apart before any lookup.
    let mut typo: Vec<char> = forged(1).as_str().chars().collect();
    typo.swap(0, 1);
    let typo: String = typo.into_iter().collect();
    let reply = f
        .check_in(
            &f.fr_abbey,
            json!({ "code": typo, "op_id": "typo", "at_ms": 1, "action": "admit", "members": [1] }),
        )
        .await;
    if typo != forged(1).as_str() {
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(reply.body["refusal"], "mistyped");
    }
}

#[tokio::test]
async fn expired_revoked_and_used_passes_are_refused_with_their_reason() {
    let f = field().await;
    // Expired: its window ended in 2021.
    let case = f.family("FR").await;
    let members = f.members(case).await;
    let (_, code) = f
        .call_forward(
            &f.fr_admin,
            "FR",
            case,
            ("2021-08-22T06:00:00Z", "2021-08-22T10:00:00Z"),
        )
        .await;
    let reply = f
        .check_in(&f.fr_abbey, admit(&code, "expired", &members))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.body["refusal"], "expired");
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("2021-08-22")
    );

    // Revoked.
    let case = f.family("FR").await;
    let members = f.members(case).await;
    let (pass, code) = f.call_forward(&f.fr_admin, "FR", case, OPEN).await;
    let reply = f
        .call(
            "POST",
            &format!("/api/passes/{pass}/revoke"),
            &f.fr_admin,
            Some(json!({ "reason": "reported stolen at a checkpoint", "case": case })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["state"], "revoked");
    let reply = f
        .check_in(&f.fr_abbey, admit(&code, "revoked", &members))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.body["refusal"], "revoked");
    assert!(reply.body["message"].as_str().unwrap().contains("stolen"));

    // Used: admitted at Abbey Gate, then shown again there and at North Gate.
    let case = f.family("FR").await;
    let members = f.members(case).await;
    let (_, code) = f.call_forward(&f.fr_admin, "FR", case, OPEN).await;
    let reply = f
        .check_in(&f.fr_abbey, admit(&code, "first", &members))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["outcome"], "applied");
    for member in &members {
        assert_eq!(f.status_of(*member).await, EvacuationStatus::AtGate);
    }
    let again = f
        .check_in(&f.fr_abbey, admit(&code, "second", &members[..1]))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["refusal"], "already_used");
    assert_eq!(again.body["gate"], ABBEY);
    let elsewhere = f
        .check_in(&f.fr_north, admit(&code, "north", &members))
        .await;
    assert_eq!(elsewhere.status, StatusCode::CONFLICT, "{}", elsewhere.body);
    assert_eq!(elsewhere.body["refusal"], "other_gate");
    // Processing after admission at the holding gate is the next step, not a second use.
    let process = f
        .check_in(
            &f.fr_abbey,
            json!({ "code": code.to_string(), "op_id": "process", "at_ms": 1_629_600_100_000i64,
                    "action": "process", "members": members }),
        )
        .await;
    assert_eq!(process.status, StatusCode::OK, "{}", process.body);
    assert_eq!(f.status_of(members[0]).await, EvacuationStatus::Processed);
    assert_eq!(f.refusals_audited().await, 4);
}

#[tokio::test]
async fn a_resent_action_is_a_duplicate_and_an_empty_one_is_refused() {
    let f = field().await;
    let case = f.family("FR").await;
    let members = f.members(case).await;
    let (_, code) = f.call_forward(&f.fr_admin, "FR", case, OPEN).await;
    // An admission of nobody on a good pass is the page's mistake: nothing is recorded.
    let empty = f.check_in(&f.fr_abbey, admit(&code, "empty", &[])).await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    let first = f
        .check_in(&f.fr_abbey, admit(&code, "op-1", &members))
        .await;
    assert_eq!(first.body["outcome"], "applied", "{}", first.body);
    let again = f
        .check_in(&f.fr_abbey, admit(&code, "op-1", &members))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["outcome"], "duplicate");
    let history = f
        .store
        .status_history(airbridge_domain::PersonId(members[0]))
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|c| c.to == EvacuationStatus::AtGate)
            .count(),
        1
    );
    // The same through a sync: still a duplicate.
    let mut resent = admit(&code, "op-1", &members);
    resent["offline"] = json!(true);
    let sync = f
        .call(
            "POST",
            "/api/gate/sync",
            &f.fr_abbey,
            Some(json!({ "events": [resent] })),
        )
        .await;
    assert_eq!(
        sync.body["results"][0]["outcome"], "duplicate",
        "{}",
        sync.body
    );
}

/// What a database holds after two gates synced their offline admissions of one pass.
async fn two_gates(abbey_first: bool) -> (Vec<EvacuationStatus>, Value, Vec<String>) {
    let f = field().await;
    let case = f.family("FR").await;
    let members = f.members(case).await;
    // The same code in both databases, so that both runs see the same actions.
    let code = PassCode::from_entropy([21, 8, 20, 21, 8, 26, 0, 1]);
    f.store
        .call_forward(
            &Actor::new("test:setup"),
            CallForwardRequest {
                nation: nation("FR"),
                gate: ABBEY.into(),
                rendezvous: "the canal side".into(),
                valid_from: OPEN.0.into(),
                valid_until: OPEN.1.into(),
                passes: vec![NewPass {
                    case,
                    code_hash: code.hash(),
                    messages: vec![],
                }],
            },
        )
        .await
        .unwrap();
    // North Gate's officer was shown a copy of the pass a minute before Abbey Gate admitted
    // the family; neither gate had network.
    let offline = |op: &str, at_ms: i64| {
        let mut body = admit(&code, op, &members);
        body["at_ms"] = json!(at_ms);
        body["offline"] = json!(true);
        json!({ "events": [body] })
    };
    let abbey = offline("abbey-op", 1_629_600_060_000);
    let north = offline("north-op", 1_629_600_000_000);
    let order = if abbey_first {
        [(&f.fr_abbey, abbey), (&f.fr_north, north)]
    } else {
        [(&f.fr_north, north), (&f.fr_abbey, abbey)]
    };
    for (token, events) in order {
        let reply = f.call("POST", "/api/gate/sync", token, Some(events)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["results"][0]["status"], 200, "{}", reply.body);
    }
    let mut statuses = Vec::new();
    for member in &members {
        statuses.push(f.status_of(*member).await);
    }
    let pass = f.store.pass_by_hash(&code.hash()).await.unwrap().unwrap();
    let flags = f.call("GET", "/api/gate/flags", &f.fr_admin, None).await;
    assert_eq!(flags.status, StatusCode::OK);
    let mut flags: Vec<String> = flags
        .body
        .as_array()
        .unwrap()
        .iter()
        // What each flag says; which action it is filed under is the one being synced when it
        // was raised, which does depend on the order.
        .map(|f| f["flag"].as_str().unwrap().to_owned())
        .collect();
    flags.sort();
    // A gate officer sees only its own gate's flags.
    let mine = f.call("GET", "/api/gate/flags", &f.fr_abbey, None).await;
    assert!(
        mine.body
            .as_array()
            .unwrap()
            .iter()
            .all(|flag| flag["gate"] == ABBEY),
        "{}",
        mine.body
    );
    (
        statuses,
        json!({ "state": pass.state, "used_gate": pass.used_gate, "used_at": pass.used_at }),
        flags,
    )
}

#[tokio::test]
async fn offline_actions_from_two_gates_settle_the_same_in_either_order() {
    let (statuses_a, pass_a, flags_a) = two_gates(true).await;
    let (statuses_b, pass_b, flags_b) = two_gates(false).await;
    assert_eq!(statuses_a, statuses_b);
    assert_eq!(pass_a, pass_b);
    // North Gate showed the pass first: it holds it, and the second gate is flagged.
    assert_eq!(pass_a["used_gate"], NORTH);
    assert!(
        statuses_a.iter().all(|s| *s == EvacuationStatus::AtGate),
        "{statuses_a:?}"
    );
    assert!(!flags_a.is_empty());
    assert_eq!(flags_a, flags_b);
    assert!(
        flags_a.iter().any(|f| f.contains("used at another gate"))
            && flags_b.iter().any(|f| f.contains("used at another gate")),
        "{flags_a:?} / {flags_b:?}"
    );
}

#[tokio::test]
async fn a_flag_is_cleared_with_a_note_by_its_nation_only() {
    let f = field().await;
    let case = f.family("FR").await;
    let members = f.members(case).await;
    let (_, code) = f.call_forward(&f.fr_admin, "FR", case, OPEN).await;
    // Admitted by name without the pass: flagged for review.
    let reply = f
        .check_in(
            &f.fr_abbey,
            json!({ "case": case, "op_id": "by-name", "at_ms": 1, "action": "admit",
                    "members": members, "names": [[members[2], "Zarghuna"]] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(!reply.body["flags"].as_array().unwrap().is_empty());
    // The unnamed child was named at the gate.
    let child = f
        .store
        .get_person(airbridge_domain::PersonId(members[2]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(child.person.name.display(), "Zarghuna");
    let _ = code;
    let flags = f.call("GET", "/api/gate/flags", &f.fr_admin, None).await;
    let id = flags.body[0]["id"].as_i64().unwrap();
    let denied = f
        .call(
            "POST",
            &format!("/api/gate/flags/{id}/clear"),
            &f.de_admin,
            Some(json!({ "note": "not ours" })),
        )
        .await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);
    let empty = f
        .call(
            "POST",
            &format!("/api/gate/flags/{id}/clear"),
            &f.fr_admin,
            Some(json!({ "note": " " })),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let cleared = f
        .call(
            "POST",
            &format!("/api/gate/flags/{id}/clear"),
            &f.fr_admin,
            Some(json!({ "note": "documents checked: the family's own pass was at home" })),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert!(cleared.body["cleared_at"].is_string());
    let open = f.call("GET", "/api/gate/flags", &f.fr_admin, None).await;
    assert!(open.body.as_array().unwrap().iter().all(|f| f["id"] != id));
}

#[tokio::test]
async fn guessing_codes_meets_the_limit() {
    let f = field().await;
    let case = f.family("FR").await;
    let members = f.members(case).await;
    let (_, code) = f.call_forward(&f.fr_admin, "FR", case, OPEN).await;
    for n in 0..10 {
        let reply = f
            .check_in(&f.fr_abbey, admit(&forged(n), &format!("guess-{n}"), &[1]))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "guess {n}: {}",
            reply.body
        );
    }
    let limited = f
        .check_in(&f.fr_abbey, admit(&forged(10), "guess-10", &[1]))
        .await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    assert_eq!(limited.body["refusal"], "rate_limited");
    let wait: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=7).contains(&wait), "{wait}");
    // The limit holds for that caller whatever it sends, in a sync too; another gate's officer
    // is not held back.
    let good = f
        .check_in(&f.fr_abbey, admit(&code, "good", &members))
        .await;
    assert_eq!(good.status, StatusCode::TOO_MANY_REQUESTS);
    let sync = f
        .call(
            "POST",
            "/api/gate/sync",
            &f.fr_abbey,
            Some(json!({ "events": [admit(&code, "good", &members)] })),
        )
        .await;
    assert_eq!(sync.body["results"][0]["status"], 429, "{}", sync.body);
    let other = f
        .check_in(&f.fr_north, admit(&forged(11), "north-guess", &[1]))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // Only the guesses that reached the store were audited (the limited ones did not).
    assert_eq!(f.refusals_audited().await, 11);
}

#[tokio::test]
async fn another_nations_pass_is_no_pass() {
    let f = field().await;
    let german = f.family("DE").await;
    let members = f.members(german).await;
    let (pass, code) = f.call_forward(&f.de_admin, "DE", german, OPEN).await;
    // France's officer at the same gate: unknown, and not on its list.
    let reply = f
        .check_in(&f.fr_abbey, admit(&code, "fr-on-de", &members))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
    assert_eq!(reply.body["refusal"], "unknown");
    let list = f.call("GET", "/api/gate/expected", &f.fr_abbey, None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["cases"].as_array().unwrap().len(), 0);
    // France's administrator can neither revoke it nor call the case forward.
    let revoke = f
        .call(
            "POST",
            &format!("/api/passes/{pass}/revoke"),
            &f.fr_admin,
            Some(json!({ "reason": "x", "case": german })),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::NOT_FOUND);
    let call = f
        .call(
            "POST",
            "/api/call-forward",
            &f.fr_admin,
            Some(json!({ "nation": "FR", "gate": ABBEY, "rendezvous": "r",
                         "valid_from": OPEN.0, "valid_until": OPEN.1, "cases": [german] })),
        )
        .await;
    assert_eq!(call.status, StatusCode::NOT_FOUND);
    // The German pass is untouched.
    assert_eq!(
        f.status_of(members[0]).await,
        EvacuationStatus::CalledForward
    );
}

/// The expected list is a download of names kept on the phone: audited when a gate session
/// first takes it and when what it takes has changed, not at every sync.
#[tokio::test]
async fn the_expected_list_is_audited_once_per_version_not_per_sync() {
    let f = field().await;
    let case = f.family("FR").await;
    f.call_forward(&f.fr_admin, "FR", case, OPEN).await;
    let taken = || async { common::audited(&f.store, airbridge_web::GATE_EXPECTED_ACTION).await };
    for _ in 0..2 {
        let list = f.call("GET", "/api/gate/expected", &f.fr_abbey, None).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    }
    let events = taken().await;
    assert_eq!(
        events.len(),
        1,
        "two syncs of an unchanged list: {events:?}"
    );
    let first = &events[0];
    assert_eq!(first.actor, "token:fr-abbey");
    assert_eq!(first.nation.as_deref(), Some("FR"));
    let details = first.after.as_ref().unwrap();
    assert_eq!(details["gate"], ABBEY);
    assert_eq!(details["cases"], 1);
    assert_eq!(details["people"], 3);
    assert!(!details.to_string().contains("Ahmad"), "{details}");

    // Another family called: the list changed, one more event, then quiet again.
    let other = f.family("FR").await;
    f.call_forward(&f.fr_admin, "FR", other, OPEN).await;
    for _ in 0..3 {
        f.call("GET", "/api/gate/expected", &f.fr_abbey, None).await;
    }
    let events = taken().await;
    assert_eq!(events.len(), 2, "{events:?}");
    let details = events[1].after.as_ref().unwrap();
    assert_eq!(details["cases"], 2);
    assert_ne!(details["version"], first.after.as_ref().unwrap()["version"]);
    // Another gate session takes the list: its own first event.
    f.call("GET", "/api/gate/expected", &f.fr_north, None).await;
    assert_eq!(taken().await.len(), 3);
}

#[tokio::test]
async fn the_expected_list_carries_what_the_gate_needs_and_no_more() {
    let f = field().await;
    let case = f.family("FR").await;
    let (_, code) = f.call_forward(&f.fr_admin, "FR", case, OPEN).await;
    let list = f.call("GET", "/api/gate/expected", &f.fr_abbey, None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["gate"], ABBEY);
    let entry = &list.body["cases"][0];
    assert_eq!(entry["code_hash"], code.hash());
    let principal = &entry["members"][0];
    assert_eq!(principal["name"], "ګل احمد");
    assert_eq!(principal["latin"], "Gul Ahmad");
    assert_eq!(principal["relation"], "principal");
    let search: Vec<&str> = principal["search"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(
        search.contains(&"ګل") && search.contains(&"gul"),
        "{search:?}"
    );
    let child = &entry["members"][2];
    assert!(child["name"].is_null());
    assert_eq!(child["placeholder"], "child 1");
    let text = list.body.to_string();
    assert!(
        !text.contains("+93") && !text.contains("phones"),
        "no phones: {text}"
    );
}

#[tokio::test]
async fn the_live_figures_come_as_json_and_as_a_stream() {
    let f = field().await;
    let case = f.family("FR").await;
    let members = f.members(case).await;
    let (_, code) = f.call_forward(&f.fr_admin, "FR", case, OPEN).await;
    f.check_in(&f.fr_abbey, admit(&code, "live", &members))
        .await;
    let live = f.call("GET", "/api/live", &f.fr_admin, None).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    let at_gate: i64 = live.body["counts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "at_gate")
        .map(|c| c["people"].as_i64().unwrap())
        .sum();
    assert_eq!(at_gate, 3);
    // The stream's first event comes at once, with the same figures.
    let request = Request::builder()
        .uri("/api/live/stream")
        .header(header::AUTHORIZATION, format!("Bearer {}", f.fr_admin))
        .body(Body::empty())
        .unwrap();
    let response = f.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = response.into_body().into_data_stream();
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        use futures_util::StreamExt;
        body.next().await.unwrap().unwrap()
    })
    .await
    .expect("the first event comes at once");
    let text = String::from_utf8_lossy(&first);
    assert!(text.starts_with("event: live\ndata: "), "{text}");
    let data: Value =
        serde_json::from_str(text.trim_start_matches("event: live\ndata: ").trim_end()).unwrap();
    assert_eq!(data["counts"], live.body["counts"]);
}

#[tokio::test]
async fn the_field_pages_render_under_their_policy() {
    let f = field().await;
    let case = f.family("FR").await;
    let members = f.members(case).await;
    let (_, code) = f.call_forward(&f.fr_admin, "FR", case, OPEN).await;
    // A case admitted by name raises a flag for the flags page.
    let reply = f
        .check_in(
            &f.fr_abbey,
            json!({ "case": case, "op_id": "by-name", "at_ms": 1, "action": "admit", "members": members }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let gate = f.call("GET", "/gate", &f.fr_abbey, None).await;
    assert_eq!(gate.status, StatusCode::OK);
    let html = gate.body.as_str().unwrap();
    assert!(html.contains("data-gate=\"Abbey Gate\"") && html.contains("/static/gate.js"));
    assert!(!html.contains("<script>"), "no inline script");
    let csp = gate.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"));
    // An administrator names the gate first.
    let ask = f.call("GET", "/gate", &f.fr_admin, None).await;
    assert!(ask.body.as_str().unwrap().contains("name=\"gate\""));

    let flags = f.call("GET", "/gate/flags", &f.fr_admin, None).await;
    assert_eq!(flags.status, StatusCode::OK);
    let html = flags.body.as_str().unwrap();
    assert!(html.contains("no pass shown"), "{html}");
    let id = f
        .call("GET", "/api/gate/flags", &f.fr_admin, None)
        .await
        .body[0]["id"]
        .as_i64()
        .unwrap();
    assert!(html.contains(&format!("action=\"/gate/flags/{id}\"")));
    // The gate officer sees the flag but has no form to clear it.
    let officer = f.call("GET", "/gate/flags", &f.fr_abbey, None).await;
    assert!(
        !officer
            .body
            .as_str()
            .unwrap()
            .contains("action=\"/gate/flags/")
    );
    let request = Request::builder()
        .method("POST")
        .uri(format!("/gate/flags/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {}", f.fr_admin))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("note=documents+checked"))
        .unwrap();
    let response = f.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/gate/flags?done=1");
    assert_eq!(
        f.call("GET", "/api/gate/flags", &f.fr_admin, None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let live = f.call("GET", "/live", &f.fr_admin, None).await;
    assert_eq!(live.status, StatusCode::OK);
    let html = live.body.as_str().unwrap();
    assert!(html.contains("at the gate") && html.contains("/static/live.js"));
    assert!(html.contains("/api/sitrep.pdf") && html.contains("/api/sitrep.csv"));
    for script in ["/static/gate.js", "/static/live.js", "/gate-sw.js"] {
        let reply = f.call("GET", script, "", None).await;
        assert_eq!(reply.status, StatusCode::OK, "{script}");
        assert!(
            reply.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
    }

    // Each field page with what it loads (its scripts and service worker; styles are inline,
    // the pass's QR code is inline SVG) stays under 100 KB.
    let pass = format!("/p/{}", code.as_str());
    for (uri, token, assets) in [
        (
            "/gate",
            &f.fr_abbey,
            &["/static/gate.js", "/gate-sw.js"][..],
        ),
        ("/live", &f.fr_admin, &["/static/live.js"][..]),
        ("/gate/flags", &f.fr_admin, &[][..]),
        (pass.as_str(), &String::new(), &[][..]),
    ] {
        let mut bytes = 0;
        for part in std::iter::once(uri).chain(assets.iter().copied()) {
            let reply = f.call("GET", part, token, None).await;
            assert_eq!(reply.status, StatusCode::OK, "{part}");
            bytes += reply.body.as_str().unwrap().len();
        }
        println!("page weight {uri} with its scripts: {bytes} bytes");
        assert!(bytes < 100 * 1024, "{uri}: {bytes} bytes");
    }
}

/// The situation report's CSV as rows of seven cells (section, nation, category, day, flight,
/// metric, value), header left out.
fn sitrep_rows(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The value of the first row with this section, nation and metric.
fn sitrep_value(rows: &[Vec<String>], section: &str, nation: &str, metric: &str) -> Option<i64> {
    rows.iter()
        .find(|r| r[0] == section && r[1] == nation && r[5] == metric)
        .map(|r| r[6].parse().unwrap())
}

#[tokio::test]
async fn the_situation_report_has_the_totals_and_keeps_to_the_callers_nation() {
    let f = field().await;
    // France: one family called and admitted at the gate, one called and not yet come;
    // Germany: one family waiting.
    let admitted = f.family("FR").await;
    let members = f.members(admitted).await;
    let (_, code) = f.call_forward(&f.fr_admin, "FR", admitted, OPEN).await;
    let reply = f
        .check_in(&f.fr_abbey, admit(&code, "sitrep", &members))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let called = f.family("FR").await;
    f.call_forward(&f.fr_admin, "FR", called, OPEN).await;
    f.family("DE").await;

    let csv = f.call("GET", "/api/sitrep.csv", &f.fr_admin, None).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let head = |name: header::HeaderName| csv.headers[name].to_str().unwrap().to_owned();
    assert!(head(header::CONTENT_TYPE).starts_with("text/csv"));
    assert_eq!(head(header::CACHE_CONTROL), "no-store");
    let disposition = head(header::CONTENT_DISPOSITION);
    assert!(
        disposition.starts_with("attachment; filename=\"airbridge-sitrep-FR-20")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with("section,nation,category,day,flight,metric,value"));
    let rows = sitrep_rows(text);
    assert!(rows.iter().all(|r| r.len() == 7), "{text}");
    assert_eq!(sitrep_value(&rows, "total", "", "registered"), Some(6));
    assert_eq!(sitrep_value(&rows, "total", "", "called"), Some(3));
    assert_eq!(sitrep_value(&rows, "total", "", "at_airport"), Some(3));
    assert_eq!(sitrep_value(&rows, "nation", "FR", "registered"), Some(6));
    // The file names who took it and when, as the audit trail does.
    let report_cell = |rows: &[Vec<String>], metric: &str| {
        rows.iter()
            .find(|r| r[0] == "report" && r[5] == metric)
            .map(|r| r[6].clone())
    };
    assert_eq!(
        report_cell(&rows, "generated_by").as_deref(),
        Some("token:fr-admin")
    );
    let generated_at = report_cell(&rows, "generated_at").unwrap();
    assert!(generated_at.starts_with("20"), "{generated_at}");
    // France's administrator never sees Germany, in any cell.
    assert!(
        rows.iter().all(|r| r.iter().all(|cell| cell != "DE")),
        "{text}"
    );
    let refused = f
        .call("GET", "/api/sitrep.csv?nation=DE", &f.fr_admin, None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // A coordinator reads every nation, or one it names.
    let setup = Actor::new("test:setup");
    let access = Access::new(Role::Coordinator, None, None, None).unwrap();
    let coordinator = f
        .store
        .create_token(&setup, "coordinator", &access)
        .await
        .unwrap();
    let all = f.call("GET", "/api/sitrep.csv", &coordinator, None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let rows = sitrep_rows(all.body.as_str().unwrap());
    assert_eq!(sitrep_value(&rows, "total", "", "registered"), Some(9));
    assert_eq!(
        report_cell(&rows, "generated_by").as_deref(),
        Some("token:coordinator")
    );
    assert_eq!(sitrep_value(&rows, "nation", "DE", "waiting"), Some(3));
    assert_eq!(sitrep_value(&rows, "nation", "FR", "called"), Some(3));
    let germany = f
        .call("GET", "/api/sitrep.csv?nation=DE", &coordinator, None)
        .await;
    let rows = sitrep_rows(germany.body.as_str().unwrap());
    assert_eq!(sitrep_value(&rows, "total", "", "registered"), Some(3));
    assert!(rows.iter().all(|r| r.iter().all(|cell| cell != "FR")));

    let pdf = f.call("GET", "/api/sitrep.pdf", &f.fr_admin, None).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(pdf.headers[header::CACHE_CONTROL], "no-store");
    assert!(
        pdf.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .ends_with(".pdf\"")
    );
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let text = pdf_extract::extract_text_from_mem(&pdf.bytes).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("Generated by token:fr-admin at 20"),
        "the PDF does not say who took it: {text}"
    );

    // Each download is in the audit trail, with its scope and no personal data.
    let downloads = common::audited(&f.store, "report.sitrep").await;
    let seen: Vec<(&str, Option<&str>, &str)> = downloads
        .iter()
        .map(|e| {
            (
                e.actor.as_str(),
                e.nation.as_deref(),
                e.after.as_ref().unwrap()["format"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("token:fr-admin", Some("FR"), "csv"),
            ("token:coordinator", None, "csv"),
            ("token:coordinator", Some("DE"), "csv"),
            ("token:fr-admin", Some("FR"), "pdf"),
        ]
    );
    let details = downloads[0].after.as_ref().unwrap().to_string();
    assert!(!details.contains("Ahmad") && !details.contains("Mariam"));
}
