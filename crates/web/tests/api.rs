//! The JSON API end to end, through the router, on a fresh database per test.

mod common;

use airbridge_store::{Actor, SqliteStore, Store};
use airbridge_web::{AppState, WebConfig, router};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{FRANCE_AND_GERMANY, fresh_store, nation};
use serde_json::{Value, json};
use tower::ServiceExt;

struct App {
    router: Router,
    operator: String,
    france: String,
    _dir: tempfile::TempDir,
}

/// A fresh database with France and Germany, and the tokens of an operator and France's cell.
async fn store_with_tokens() -> (SqliteStore, tempfile::TempDir, String, String) {
    let (store, dir) = fresh_store(FRANCE_AND_GERMANY).await;
    let setup = Actor::new("test:setup");
    let operator = store
        .create_api_token(&setup, "operator", None)
        .await
        .unwrap();
    let france = store
        .create_api_token(&setup, "fr", Some(nation("FR")))
        .await
        .unwrap();
    (store, dir, operator, france)
}

async fn app() -> App {
    let (store, dir, operator, france) = store_with_tokens().await;
    App {
        router: router(AppState::new(store, WebConfig::default())),
        operator,
        france,
        _dir: dir,
    }
}

impl App {
    async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, value)
    }
}

fn person_body(nation: &str, given: &str) -> Value {
    json!({
        "nation": nation,
        "person": {
            "name": { "given": given, "family": "Ahmadzai" },
            "sex": "male",
            "birth_date": { "calendar": "solar_hijri", "year": 1365 },
            "phones": ["+93701234567"]
        }
    })
}

#[tokio::test]
async fn health_needs_no_token_and_the_api_does() {
    let app = app().await;
    let (status, body) = app.call("GET", "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let (status, body) = app.call("GET", "/api/persons", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorised");
    let (status, _) = app
        .call("GET", "/api/persons", Some("ab_forged"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn register_read_and_move_a_person() {
    let app = app().await;
    let token = Some(app.operator.as_str());
    let (status, created) = app
        .call(
            "POST",
            "/api/persons",
            token,
            Some(person_body("FR", "Hashem")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["status"], "registered");

    let (status, found) = app.call("GET", "/api/persons?q=hashem", token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found.as_array().unwrap().len(), 1);

    let (status, change) = app
        .call(
            "POST",
            &format!("/api/persons/P{id}/status"),
            token,
            Some(json!({"to": "eligible"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{change}");
    assert_eq!(change["from"], "registered");
    assert_eq!(change["actor"], "token:operator");

    let (status, error) = app
        .call(
            "POST",
            &format!("/api/persons/{id}/status"),
            token,
            Some(json!({"to": "boarded"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["code"], "invalid");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("called_forward")
    );

    // A stale version is a conflict.
    let (status, _) = app
        .call(
            "PUT",
            &format!("/api/persons/{id}"),
            token,
            Some(json!({"person": person_body("FR", "Hashim")["person"], "expected_version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, history) = app
        .call("GET", &format!("/api/persons/{id}/history"), token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(history.as_array().unwrap().len(), 1);

    let (status, audit) = app.call("GET", "/api/audit", token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "person.status")
    );
}

#[tokio::test]
async fn a_nation_token_sees_only_its_nation() {
    let app = app().await;
    let (_, german) = app
        .call(
            "POST",
            "/api/persons",
            Some(&app.operator),
            Some(person_body("DE", "Karim")),
        )
        .await;
    let german_id = german["id"].as_i64().unwrap();
    let france = Some(app.france.as_str());

    let (status, _) = app
        .call("GET", &format!("/api/persons/{german_id}"), france, None)
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another nation's person looks missing"
    );
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/persons/{german_id}/status"),
            france,
            Some(json!({"to": "eligible"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, found) = app.call("GET", "/api/persons?q=karim", france, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(found.as_array().unwrap().is_empty());
    let (status, _) = app
        .call("GET", "/api/persons?nation=DE", france, None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(
            "POST",
            "/api/persons",
            france,
            Some(person_body("DE", "Farid")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.call("GET", "/api/audit", france, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, nations) = app.call("GET", "/api/nations", france, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(nations.as_array().unwrap().len(), 1);
    let (status, _) = app
        .call(
            "POST",
            "/api/persons",
            france,
            Some(person_body("FR", "Farid")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn cases_move_together_and_bad_input_is_explained() {
    let app = app().await;
    let token = Some(app.operator.as_str());
    let case = json!({
        "nation": "FR",
        "reference": "FR-EMB-000042",
        "eligibility": { "bases": [ { "basis": "worked", "employer": "Embassy of France", "role": "interpreter" } ] },
        "members": [
            { "relation": "principal", "person": { "name": { "given": "Zarmina", "family": "Sadat" }, "sex": "female" } },
            { "relation": "child", "person": { "name": { "placeholder": "child 1" } } }
        ]
    });
    let (status, created) = app.call("POST", "/api/cases", token, Some(case)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let case_id = created["case"]["id"].as_i64().unwrap();
    assert_eq!(created["people"].as_array().unwrap().len(), 2);

    let (status, changes) = app
        .call(
            "POST",
            &format!("/api/cases/C{case_id}/status"),
            token,
            Some(json!({"to": "eligible"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changes.as_array().unwrap().len(), 2);

    let (status, error) = app
        .call(
            "POST",
            "/api/cases",
            token,
            Some(json!({"nation": "XX", "members": []})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["message"].as_str().unwrap().contains("XX"),
        "{error}"
    );

    let (status, error) = app
        .call(
            "POST",
            "/api/cases",
            token,
            Some(json!({"nation": "FR", "members": []})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("principal"),
        "{error}"
    );

    let (status, _) = app.call("GET", "/api/cases/C999", token, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.call("GET", "/api/cases/banana", token, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn screening_hits_are_reviewed_through_the_api_within_the_nation() {
    let (store, dir, operator, france) = store_with_tokens().await;
    let setup = Actor::new("test:setup");
    let (list, _) = store
        .store_list(
            &setup,
            airbridge_store::NewList {
                source: "un".into(),
                version_date: None,
                sha256: "x".into(),
                entries: 1,
                content: "{}".into(),
            },
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for code in ["FR", "DE"] {
        let person =
            serde_json::from_value(json!({ "name": { "full": "Abdul Aziz Abbasin" } })).unwrap();
        let record = store
            .add_person(&setup, nation(code), person)
            .await
            .unwrap();
        ids.push(record.id);
    }
    let hits: Vec<airbridge_store::NewHit> = ids
        .iter()
        .map(|id| airbridge_store::NewHit {
            person: *id,
            list_id: list.id,
            entry_ref: "TAi.155".into(),
            listed_name: "ABDUL AZIZ ABBASIN".into(),
            score: 0.99,
            explanation: json!({}),
            entry_fingerprint: "e".into(),
            person_fingerprint: "p".into(),
        })
        .collect();
    store.record_hits(&setup, hits).await.unwrap();
    let app = App {
        router: router(AppState::new(store, WebConfig::default())),
        operator,
        france,
        _dir: dir,
    };
    let token = Some(app.france.as_str());
    let (status, open) = app.call("GET", "/api/screening/hits", token, None).await;
    assert_eq!(status, StatusCode::OK);
    let open = open.as_array().unwrap().clone();
    assert_eq!(open.len(), 1, "only France's hit: {open:?}");
    let own = open[0]["id"].as_i64().unwrap();
    let other = if own == 1 { 2 } else { 1 };
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/screening/hits/H{other}/decision"),
            token,
            Some(json!({"decision": "confirmed"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, error) = app
        .call(
            "POST",
            &format!("/api/screening/hits/{own}/decision"),
            token,
            Some(json!({"decision": "false_positive"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let (status, decided) = app
        .call(
            "POST",
            &format!("/api/screening/hits/{own}/decision"),
            token,
            Some(json!({"decision": "false_positive", "reason": "born 1990; listed 1969"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "false_positive");
    assert_eq!(decided["decided_by"], "token:fr");
}

/// Each read of a list of people is one audit event naming the caller, the route, the filter
/// and how many people came back — never who.
#[tokio::test]
async fn every_read_of_a_list_of_people_is_in_the_audit_trail_without_names() {
    let app = app().await;
    let operator = Some(app.operator.as_str());
    let france = Some(app.france.as_str());
    for given in ["Hashim", "Farid"] {
        let (status, _) = app
            .call(
                "POST",
                "/api/persons",
                operator,
                Some(person_body("FR", given)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let case = json!({
        "nation": "FR",
        "members": [
            { "relation": "principal", "person": { "name": { "given": "Zarmina", "family": "Sadat" }, "sex": "female" } },
            { "relation": "child", "person": { "name": { "placeholder": "child 1" } } }
        ]
    });
    let (status, created) = app.call("POST", "/api/cases", operator, Some(case)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, found) = app.call("GET", "/api/persons?q=hashim", france, None).await;
    assert_eq!(status, StatusCode::OK);
    let found = found.as_array().unwrap().len();
    assert_eq!(found, 1);
    let (status, _) = app.call("GET", "/api/cases?limit=10", france, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, searched) = app.call("GET", "/api/search?q=farid", france, None).await;
    assert_eq!(status, StatusCode::OK, "{searched}");
    // A refused read reads nothing and records nothing.
    let (status, _) = app
        .call("GET", "/api/persons?nation=DE", france, None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, audit) = app
        .call("GET", "/api/audit?actor=token:fr&limit=100", operator, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let reads: Vec<&Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == airbridge_web::LIST_READ_ACTION)
        .collect();
    let routes: Vec<&str> = reads
        .iter()
        .map(|e| e["after"]["route"].as_str().unwrap())
        .collect();
    assert_eq!(routes, ["/api/persons", "/api/cases", "/api/search"]);
    for event in &reads {
        assert_eq!(event["actor"], "token:fr");
        assert_eq!(event["nation"], "FR");
        let text = event.to_string();
        assert!(
            !text.contains("Ahmadzai") && !text.contains("Sadat"),
            "a name in the trail: {text}"
        );
    }
    assert_eq!(reads[0]["after"]["filter"], json!({ "q": "hashim" }));
    assert_eq!(reads[0]["after"]["people"], 1);
    assert_eq!(reads[1]["after"]["filter"], json!({ "limit": 10 }));
    assert_eq!(reads[1]["after"]["cases"], 1);
    assert_eq!(reads[1]["after"]["people"], 2);
    assert_eq!(reads[2]["after"]["filter"]["q"], "farid");
    assert_eq!(
        reads[2]["after"]["people"].as_u64().unwrap() as usize,
        searched.as_array().unwrap().len()
    );
}
