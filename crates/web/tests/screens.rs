//! The screens through the router on a real SQLite database: what they show (names in any
//! script, escaped), how they refuse bad input, their weight, the language switch, the
//! OpenAPI document and the metrics.

mod common;

use airbridge_domain::{Person, PersonId, Relation, Role};
use airbridge_store::{
    Actor, DedupStore, NewCase, NewDedupRun, NewHit, NewList, NewMember, NewReviewPair,
    SqliteStore, Store,
};
use airbridge_web::{AppState, MAX_UPLOAD_BYTES, ROUTES, WebConfig, router};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{
    FRANCE_AND_GERMANY, GARBAGE, add_accounts, fresh_store, garbage_query, nation, person,
    start_session,
};
use serde_json::{Value, json};
use tower::ServiceExt;

const ARABIC_NAME: &str = "محمد هاشم احمدزی";
const SCRIPT_NAME: &str = "<script>alert(1)</script>";

struct App {
    router: Router,
    store: SqliteStore,
    /// The case holding the Arabic-script principal and the dependent named like a script.
    case: String,
    hit: i64,
    _dir: tempfile::TempDir,
}

async fn app() -> App {
    let (store, dir) = fresh_store(FRANCE_AND_GERMANY).await;
    let setup = Actor::new("test:setup");
    let case = store
        .add_cases(
            &setup,
            vec![NewCase {
                nation: nation("FR"),
                organisation: None,
                reference: Some("FAM-1".into()),
                eligibility: serde_json::from_value(
                    json!({ "bases": [ { "basis": "national" } ] }),
                )
                .unwrap(),
                progress: Default::default(),
                members: vec![
                    NewMember {
                        relation: Relation::Principal,
                        person: Person {
                            documents: vec![
                                airbridge_domain::Document::new(
                                    airbridge_domain::DocumentKind::Tazkira,
                                    "1400-0101-12345",
                                    None,
                                )
                                .unwrap(),
                            ],
                            ..person(json!({
                                "name": { "full": ARABIC_NAME, "father": "عبدالرحمن" },
                            }))
                        },
                    },
                    NewMember {
                        relation: Relation::Child,
                        person: person(json!({ "name": { "given": SCRIPT_NAME } })),
                    },
                ],
            }],
        )
        .await
        .unwrap()[0];
    let records = store.get_case(case).await.unwrap().unwrap();
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
    store
        .record_hits(
            &setup,
            vec![NewHit {
                person: records.people[0].id,
                list_id: list.id,
                entry_ref: "TAi.000".into(),
                listed_name: "MOHAMMAD HASHEM".into(),
                score: 0.91,
                explanation: json!({}),
                entry_fingerprint: "e".into(),
                person_fingerprint: "p".into(),
            }],
        )
        .await
        .unwrap();
    let hit = store.list_hits(None, None).await.unwrap()[0].id;
    add_accounts(
        &store,
        &[
            ("fr-caseworker", Role::Caseworker, Some("FR")),
            ("fr-officer", Role::ScreeningOfficer, Some("FR")),
            ("de-caseworker", Role::Caseworker, Some("DE")),
            ("coordinator", Role::Coordinator, None),
        ],
    )
    .await;
    App {
        router: router(AppState::new(store.clone(), WebConfig::default())),
        store,
        case: case.to_string(),
        hit,
        _dir: dir,
    }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

impl App {
    /// A logged-in session for an account: its cookie and CSRF token.
    async fn session(&self, username: &str) -> (String, String) {
        start_session(&self.store, username).await
    }

    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&self, username: &str, uri: &str) -> Answer {
        let (cookie, _) = self.session(username).await;
        self.send(
            Request::get(uri)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Posts a form as the browser does, the CSRF token in its `csrf` field.
    async fn post_form(&self, username: &str, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let (cookie, csrf) = self.session(username).await;
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf", &csrf)
            .extend_pairs(fields)
            .finish();
        self.send(
            Request::post(uri)
                .header(header::COOKIE, cookie)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Posts JSON from a session, the CSRF token in its header.
    async fn post_json(&self, username: &str, uri: &str, body: Value) -> Answer {
        let (cookie, csrf) = self.session(username).await;
        self.send(
            Request::post(uri)
                .header(header::COOKIE, cookie)
                .header("x-csrf-token", csrf)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// Uploads a list as the import screen's form does (token in the action's query).
    async fn upload(&self, username: &str, file_name: &str, content: &[u8]) -> Answer {
        let (cookie, csrf) = self.session(username).await;
        let boundary = "screensboundary42";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(format!("/import?csrf={csrf}"))
                .header(header::COOKIE, cookie)
                .header("sec-fetch-site", "same-origin")
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

#[tokio::test]
async fn a_name_written_as_markup_is_shown_as_text() {
    let app = app().await;
    for uri in [
        format!("/cases/{}", app.case),
        "/search?q=script".to_owned(),
    ] {
        let page = app.get("fr-caseworker", &uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        // askama writes `<` and `>` as numeric character references.
        assert!(
            page.text
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{uri}: the name is not shown escaped"
        );
        assert!(
            !page.text.contains(SCRIPT_NAME),
            "{uri}: the name reached the page as markup"
        );
    }
}

#[tokio::test]
async fn a_latin_search_finds_an_arabic_script_name_shown_right_to_left() {
    let app = app().await;
    let page = app
        .get("fr-caseworker", "/search?q=Mohammad+Hashem+Ahmadzai")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains(&format!("<bdi dir=\"auto\">{ARABIC_NAME}</bdi>")),
        "the names engine did not find the Arabic-script name: {}",
        page.text
    );
    // The same name typed in Arabic script is found by its words.
    let page = app
        .get("fr-caseworker", &format!("/search?q={}", encode("هاشم")))
        .await;
    assert!(page.text.contains(ARABIC_NAME));
    // Germany's caseworker does not find France's people.
    let page = app
        .get("de-caseworker", "/search?q=Mohammad+Hashem+Ahmadzai")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains(ARABIC_NAME));
    // The JSON twin answers the same.
    let (cookie, _) = app.session("fr-caseworker").await;
    let answer = app
        .send(
            Request::get("/api/search?q=Mohammad+Hashem+Ahmadzai")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let found: Value = serde_json::from_str(&answer.text).unwrap();
    assert_eq!(found[0]["name"], ARABIC_NAME);
    assert_eq!(found[0]["matched_by"], "names_engine");
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn the_case_page_shows_family_documents_eligibility_and_hits() {
    let app = app().await;
    let page = app.get("fr-officer", &format!("/cases/{}", app.case)).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "FAM-1",
        "Nationals",
        "principal",
        "child",
        "tazkira 1400010112345",
        "MOHAMMAD HASHEM",
        "<bdi dir=\"auto\">عبدالرحمن</bdi>",
    ] {
        assert!(page.text.contains(expected), "missing {expected}");
    }
    // Another nation's case does not exist for Germany.
    let page = app
        .get("de-caseworker", &format!("/cases/{}", app.case))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_hit_is_decided_from_the_review_screen_and_bad_decisions_are_explained() {
    let app = app().await;
    let uri = format!("/screening/H{}", app.hit);
    for (fields, message) in [
        (vec![("decision", "maybe")], "Choose a decision"),
        (
            vec![("decision", "false_positive")],
            "A false positive needs a reason",
        ),
    ] {
        let page = app.post_form("fr-officer", &uri, &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.text.contains(message), "{message}");
    }
    let page = app
        .post_form(
            "fr-officer",
            &uri,
            &[
                ("decision", "false_positive"),
                ("reason", "born 1990; the listed man in 1963"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Decision recorded"));
    let hits = app.store.list_hits(None, None).await.unwrap();
    assert_eq!(hits[0].status, "false_positive");
    assert_eq!(hits[0].decided_by.as_deref(), Some("user:fr-officer"));
}

/// People queued by a deduplication run: two French records that may be one person, and the
/// first of them with a German record that may be the same person too.
struct DedupPeople {
    french: PersonId,
    french_twin: PersonId,
    german: PersonId,
}

const GERMAN_NAME: &str = "Wazhma Karimzai";

/// Registers a person of `code` with a given and a family name.
async fn add_named(app: &App, setup: &Actor, code: &str, given: &str, family: &str) -> PersonId {
    app.store
        .add_person(
            setup,
            nation(code),
            person(json!({ "name": { "given": given, "family": family } })),
        )
        .await
        .unwrap()
        .id
}

async fn dedup_queue(app: &App) -> DedupPeople {
    let setup = Actor::new("test:setup");
    let add = async |code: &str, given: &str, family: &str| {
        add_named(app, &setup, code, given, family).await
    };
    let french = add("FR", "Gul Ahmad", "Sadat").await;
    let french_twin = add("FR", "Gulahmad", "Sadat").await;
    let german = add("DE", "Wazhma", "Karimzai").await;
    let explanation = json!({ "fields": [
        { "field": "given name", "level": "similar (band 2)", "weight": 3.25 },
        { "field": "birth date", "level": "missing", "weight": 0.0 },
    ] });
    app.store
        .save_dedup_run(
            &setup,
            NewDedupRun {
                records: 3,
                pairs_scored: 3,
                links: 0,
                threshold: 0.9,
                review_low: 0.3,
                review_high: 0.98,
                clusters: vec![
                    (french, french),
                    (french_twin, french_twin),
                    (german, german),
                ],
                review: vec![
                    NewReviewPair {
                        a: german,
                        b: french,
                        probability: 0.81,
                        explanation: explanation.clone(),
                    },
                    NewReviewPair {
                        a: french,
                        b: french_twin,
                        probability: 0.64,
                        explanation,
                    },
                ],
                model: json!({}),
            },
        )
        .await
        .unwrap();
    DedupPeople {
        french,
        french_twin,
        german,
    }
}

/// Whether `text` names person `id` (`P5`, not as the start of `P51`).
fn names_person(text: &str, id: PersonId) -> bool {
    let shown = id.to_string();
    text.match_indices(&shown).any(|(at, _)| {
        !text[at + shown.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

#[tokio::test]
async fn the_dedup_queue_never_shows_another_nations_record() {
    let app = app().await;
    let people = dedup_queue(&app).await;

    // France sees both its pairs: its own twin whole, with the explanation; the German
    // record only as "held by another nation", with its probability.
    let page = app.get("fr-caseworker", "/dedup").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for expected in [
        "<bdi dir=\"auto\">Gul Ahmad Sadat</bdi>",
        "<bdi dir=\"auto\">Gulahmad Sadat</bdi>",
        &format!("href=\"/persons/{}\"", people.french),
        "Held by another nation (not shown)",
        "0.810",
        "0.640",
        "similar (band 2)",
        "+3.25",
        "A reviewer who sees both records decides this pair.",
    ] {
        assert!(page.text.contains(expected), "missing {expected}");
    }
    assert!(!page.text.contains("Wazhma") && !page.text.contains("Karimzai"));
    assert!(!names_person(&page.text, people.german), "{}", page.text);
    assert!(!page.text.contains(", DE)"));
    // One decision form: the French pair's; the cross-nation pair has none.
    assert_eq!(page.text.matches("action=\"/dedup/decide\"").count(), 1);
    assert!(page.text.contains("<a href=\"/dedup\">Duplicates</a>"));

    // The JSON twin tells the same, and no more.
    let api = app.get("fr-caseworker", "/api/dedup/pairs").await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(!api.text.contains("Wazhma") && !api.text.contains("\"DE\""));
    let rows: Vec<Value> = serde_json::from_str(&api.text).unwrap();
    assert_eq!(rows.len(), 2, "{}", api.text);
    assert_eq!(rows[0]["record"]["id"], people.french.0);
    assert_eq!(rows[0]["other_hidden"], true);
    assert_eq!(rows[0]["may_decide"], false);
    for hidden in ["other", "explanation", "version"] {
        assert!(rows[0].get(hidden).is_none(), "{hidden}: {}", rows[0]);
    }
    assert_eq!(rows[0]["probability"], 0.81);
    assert_eq!(rows[1]["other"]["id"], people.french_twin.0);
    assert_eq!(rows[1]["explanation"][0]["weight"], 3.25);
    assert_eq!(rows[1]["version"], 1);
    for row in &rows {
        for side in ["record", "other"] {
            assert_ne!(row[side]["id"], people.german.0, "{row}");
        }
    }
    // Asking for Germany's pairs by name is refused.
    let asked = app.get("fr-caseworker", "/api/dedup/pairs?nation=DE").await;
    assert_eq!(asked.status, StatusCode::FORBIDDEN);

    // Germany sees its record and not France's.
    let page = app.get("de-caseworker", "/dedup").await;
    assert!(page.text.contains(GERMAN_NAME));
    assert!(!page.text.contains("Gul Ahmad") && !page.text.contains("Gulahmad"));
    assert!(!names_person(&page.text, people.french));
    assert!(!names_person(&page.text, people.french_twin));

    // Nobody bound to a nation decides a pair reaching another nation's record: it is missing,
    // from the page and from the API, even with both ids guessed.
    let cross = [
        ("a", people.french.to_string()),
        ("b", people.german.to_string()),
        ("decision", "same".to_owned()),
        ("version", "1".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = cross.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = app
        .post_form("fr-caseworker", "/dedup/decide", &fields)
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let answer = app
        .post_json(
            "fr-caseworker",
            &format!(
                "/api/dedup/pairs/{}/{}/decision",
                people.french, people.german
            ),
            json!({ "decision": "same" }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.text);
    // A coordinator reads no people.
    let page = app.get("coordinator", "/dedup").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let pair = app
        .store
        .get_pair(people.french, people.german)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((pair.decision, pair.version), (None, 1));
}

#[tokio::test]
async fn a_pair_is_decided_from_the_dedup_screen_audited_and_leaves_the_queue() {
    let app = app().await;
    let people = dedup_queue(&app).await;
    let (a, b) = (people.french.to_string(), people.french_twin.to_string());
    let form = |decision: &'static str, reason: &'static str, version: &'static str| {
        vec![
            ("a", a.clone()),
            ("b", b.clone()),
            ("decision", decision.to_owned()),
            ("reason", reason.to_owned()),
            ("version", version.to_owned()),
        ]
    };
    let post = async |fields: Vec<(&'static str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.post_form("fr-caseworker", "/dedup/decide", &fields)
            .await
    };

    // Bad forms are refused with a message, and change nothing.
    for (fields, message) in [
        (form("maybe", "", "1"), "Choose a decision"),
        (form("", "", "1"), "Choose a decision"),
        (form("not_same", "  ", "1"), "needs a reason"),
        (form("same", "", "one"), "does not name a pair"),
    ] {
        let page = post(fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(page.text.contains(message), "{message}: {}", page.text);
    }
    let page = post(vec![
        ("a", a.clone()),
        ("b", "P-x".into()),
        ("decision", "same".into()),
    ])
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Decided: recorded, audited on the records' nation, gone from the queue.
    let page = post(form("not_same", "different fathers, checked by phone", "1")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("Decision recorded"));
    assert!(page.text.contains("not the same person"));
    assert!(
        !page.text.contains("Gulahmad Sadat"),
        "the pair is still queued"
    );
    let pair = app
        .store
        .get_pair(people.french_twin, people.french)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (pair.decision, pair.version, pair.decided_by.as_deref()),
        (
            Some(airbridge_store::PairDecision::NotSame),
            2,
            Some("user:fr-caseworker")
        )
    );
    assert_eq!(
        pair.reason.as_deref(),
        Some("different fathers, checked by phone")
    );
    let events: Vec<_> = app
        .store
        .audit_list(&airbridge_store::AuditFilter {
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "dedup.decide")
        .map(|e| (e.actor, e.nation, e.entity_id))
        .collect();
    // One event per nation the pair touches: both records are France's.
    assert_eq!(
        events,
        vec![(
            "user:fr-caseworker".to_owned(),
            Some("FR".to_owned()),
            people.french.to_string()
        )]
    );
    let queue = app.get("fr-caseworker", "/api/dedup/pairs").await;
    let rows: Vec<Value> = serde_json::from_str(&queue.text).unwrap();
    assert_eq!(rows.len(), 1, "only the cross-nation pair waits: {rows:?}");
    let all = app
        .get("fr-caseworker", "/api/dedup/pairs?decided=true")
        .await;
    let rows: Vec<Value> = serde_json::from_str(&all.text).unwrap();
    assert!(rows.iter().any(|r| r["decision"] == "not_same"), "{rows:?}");

    // A decision on what the reviewer saw at version 1, after it changed: 409, nothing written.
    let page = post(form("same", "", "1")).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.text
            .contains("Someone decided this pair in the meantime")
    );
    // The same through the API: a stale version, an unknown decision, then a good one.
    let uri = format!("/api/dedup/pairs/{a}/{b}/decision");
    let stale = app
        .post_json(
            "fr-caseworker",
            &uri,
            json!({ "decision": "same", "expected_version": 1 }),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    let unknown = app
        .post_json("fr-caseworker", &uri, json!({ "decision": "maybe" }))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_reason = app
        .post_json("fr-caseworker", &uri, json!({ "decision": "not_same" }))
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let decided = app
        .post_json(
            "fr-caseworker",
            &uri,
            json!({ "decision": "same", "expected_version": 2 }),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.text);
    let row: Value = serde_json::from_str(&decided.text).unwrap();
    assert_eq!(
        (&row["decision"], &row["version"]),
        (&json!("same"), &json!(3))
    );
    // Germany cannot decide France's pair: it does not exist for it.
    let german = app
        .post_json("de-caseworker", &uri, json!({ "decision": "unsure" }))
        .await;
    assert_eq!(german.status, StatusCode::NOT_FOUND);
    // A screening officer reads the queue but does not decide.
    let officer = app.get("fr-officer", "/dedup").await;
    assert_eq!(officer.status, StatusCode::OK);
    assert!(!officer.text.contains("action=\"/dedup/decide\""));
    let refused = app
        .post_json("fr-officer", &uri, json!({ "decision": "unsure" }))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_upload_is_imported_with_its_report_and_bad_files_are_refused() {
    let app = app().await;
    let list = "Given name,Family name,Date of birth\nFarid,Popal,1365/05/12\nNadia,Popal,not a date\n,,\n";
    let page = app
        .upload("fr-caseworker", "embassy.csv", list.as_bytes())
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("People created"));
    let created = app
        .store
        .search_persons(&airbridge_store::PersonQuery {
            text: Some("popal".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!created.is_empty());
    assert!(created.iter().all(|p| p.nation == nation("FR")));
    // No names column.
    let page = app
        .upload("fr-caseworker", "x.csv", b"colour,size\nred,2\n")
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text.contains("no column holds names"));
    // Too large.
    let mut big = b"Given name\n".to_vec();
    big.resize(MAX_UPLOAD_BYTES + 1024, b'a');
    let page = app.upload("fr-caseworker", "big.csv", &big).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.text.contains("too large"));
    // The same through the API.
    let (cookie, csrf) = app.session("fr-caseworker").await;
    let answer = app
        .send(
            Request::post("/api/import?name=big.csv")
                .header(header::COOKIE, cookie)
                .header("x-csrf-token", csrf)
                .body(Body::from(big))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.text.contains("payload_too_large"));
}

#[tokio::test]
async fn the_case_page_shows_matches_another_nations_only_counted() {
    let app = app().await;
    let setup = Actor::new("test:setup");
    let case: airbridge_domain::CaseId = app.case.parse().unwrap();
    let records = app.store.get_case(case).await.unwrap().unwrap();
    let (principal, child) = (records.people[0].id, records.people[1].id);
    let add = async |code: &str, given: &str, family: &str| {
        add_named(&app, &setup, code, given, family).await
    };
    let french = add("FR", "Muhammad Hashim", "Ahmadzai").await;
    let german = add("DE", "Mohammed Hachem", "Ahmadsai").await;
    app.store
        .save_dedup_run(
            &setup,
            NewDedupRun {
                records: 4,
                pairs_scored: 6,
                links: 2,
                threshold: 0.9,
                review_low: 0.3,
                review_high: 0.98,
                clusters: vec![
                    (principal, principal),
                    (french, principal),
                    (german, principal),
                    (child, child),
                ],
                review: Vec::new(),
                model: json!({}),
            },
        )
        .await
        .unwrap();

    let page = app
        .get("fr-caseworker", &format!("/cases/{}", app.case))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let text = &page.text;
    // One member has matches (the child has none): France's record named, Germany's counted.
    assert_eq!(
        text.matches("The same person in other records").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains(&format!("<a href=\"/persons/{french}\">{french}</a>")),
        "{text}"
    );
    assert!(text.contains("Muhammad Hashim Ahmadzai"), "{text}");
    assert!(
        text.contains("1 record(s) held by another nation"),
        "{text}"
    );
    assert!(
        !text.contains("Ahmadsai") && !names_person(text, german),
        "{text}"
    );

    // The JSON twin says the same.
    let api: Value = serde_json::from_str(
        &app.get("fr-caseworker", &format!("/api/persons/{principal}"))
            .await
            .text,
    )
    .unwrap();
    assert_eq!(
        api["matches"],
        json!({
            "same": [{ "id": french, "name": "Muhammad Hashim Ahmadzai", "nation": "FR" }],
            "held_by_other_nations": 1,
        })
    );

    // Germany's record, seen by Germany: both French records counted, neither named.
    let page = app
        .get("de-caseworker", &format!("/persons/{german}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let text = &page.text;
    assert!(
        text.contains("2 record(s) held by another nation"),
        "{text}"
    );
    assert!(
        !text.contains(ARABIC_NAME)
            && !text.contains("Hashim")
            && !names_person(text, french)
            && !names_person(text, principal),
        "{text}"
    );
    let api: Value = serde_json::from_str(
        &app.get("de-caseworker", &format!("/api/persons/{german}"))
            .await
            .text,
    )
    .unwrap();
    assert_eq!(
        api["matches"],
        json!({ "same": [], "held_by_other_nations": 2 })
    );
}

#[tokio::test]
async fn the_import_report_page_stays_small_however_bad_the_list() {
    let app = app().await;
    // 2,000 rows, each with a long unreadable date, under the longest file name allowed: the
    // row report lists the first issues, each value cut short; the rest are counted.
    let mut list = String::from("Given name,Family name,Date of birth\n");
    for i in 0..2_000 {
        list.push_str(&format!("Farid{i},Popal,{}\n", "not a date ".repeat(30)));
    }
    let name = format!("{}.csv", "embassy-list-".repeat(15));
    assert!(name.len() <= 200);
    let page = app.upload("fr-caseworker", &name, list.as_bytes()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    println!("/import with 2,000 bad rows: {} bytes", page.text.len());
    assert!(page.text.len() < 100 * 1024, "{} bytes", page.text.len());
    assert!(
        page.text.contains("more issues are not listed here"),
        "{}",
        page.text
    );
    assert!(page.text.contains("not a date not a date"), "{}", page.text);
    // No value nor message comes whole (a message quoting a value is cut at 240 characters).
    assert!(
        !page.text.contains(&"not a date ".repeat(25)),
        "a value not cut"
    );
    // The JSON answer keeps the first 500 issues, whole.
    let (cookie, csrf) = app.session("fr-caseworker").await;
    let answer = app
        .send(
            Request::post("/api/import?name=embassy.csv")
                .header(header::COOKIE, cookie)
                .header("x-csrf-token", csrf)
                .body(Body::from(list))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let report: serde_json::Value = serde_json::from_str(&answer.text).unwrap();
    let issues = report["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 500);
    assert!(
        issues[0]["value"]
            .as_str()
            .unwrap()
            .contains(&"not a date ".repeat(29).trim_end().to_owned())
    );
}

#[tokio::test]
async fn forms_refuse_bad_input_with_a_message() {
    let app = app().await;
    let long = "a".repeat(201);
    let page = app.get("fr-caseworker", &format!("/search?q={long}")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text.contains("at most 200 characters"));
    let page = app.get("coordinator", "/search?q=x").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = app.get("fr-caseworker", "/cases/not-a-case").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_dashboard_counts_by_status_and_category_and_a_coordinator_sees_totals_only() {
    let app = app().await;
    let page = app.get("fr-caseworker", "/dashboard").await;
    assert!(page.text.contains("People by nation and status"));
    assert!(page.text.contains("People by category"));
    // The family of two is France's nationals, counted by the database.
    let api = app.get("fr-caseworker", "/api/dashboard").await;
    let figures: serde_json::Value = serde_json::from_str(&api.text).unwrap();
    assert_eq!(figures["by_category"]["national"], 2, "{figures}");
    assert_eq!(figures["total"], 2, "{figures}");
    let page = app.get("coordinator", "/dashboard").await;
    assert!(page.text.contains("People by nation and status"));
    assert!(!page.text.contains("People by category"));
    assert!(!page.text.contains(ARABIC_NAME));
}

#[tokio::test]
async fn every_screen_weighs_under_100_kb() {
    let app = app().await;
    let screens = [
        ("fr-caseworker", "/dashboard".to_owned()),
        ("fr-caseworker", "/search?q=Mohammad+Hashem".to_owned()),
        ("fr-caseworker", format!("/cases/{}", app.case)),
        ("fr-officer", "/screening".to_owned()),
        ("fr-caseworker", "/dedup".to_owned()),
        ("fr-caseworker", "/import".to_owned()),
        ("coordinator", "/dashboard".to_owned()),
    ];
    for (username, uri) in screens {
        let page = app.get(username, &uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        println!("{uri}: {} bytes", page.text.len());
        // The pages load nothing else: styles are inline, no script, no images.
        assert!(!page.text.contains("<script"), "{uri}");
        assert!(
            page.text.len() < 100 * 1024,
            "{uri}: {} bytes",
            page.text.len()
        );
    }
}

#[tokio::test]
async fn the_review_queues_stay_small_when_full() {
    // The dedup queue shows 30 pairs, the screening review 60 hits: both measured full, with
    // names in two scripts and the engine's ten-field explanations.
    let app = app().await;
    let setup = Actor::new("test:setup");
    let mut people = Vec::new();
    for i in 0..120 {
        let id = app
            .store
            .add_person(
                &setup,
                nation("FR"),
                person(json!({ "name": {
                    "full": ARABIC_NAME,
                    "given": format!("Mohammad Hashem {i}"),
                    "family": "Ahmadzai-Popalzai",
                } })),
            )
            .await
            .unwrap()
            .id;
        people.push(id);
    }
    let fields: Vec<Value> = [
        "given name",
        "family name",
        "father's name",
        "grandfather's name",
        "full name",
        "sex",
        "birth date",
        "place of birth",
        "document",
        "phone",
    ]
    .iter()
    .map(|field| json!({ "field": field, "level": "similar (band 2)", "weight": -3.25 }))
    .collect();
    let explanation = json!({ "fields": fields });
    app.store
        .save_dedup_run(
            &setup,
            NewDedupRun {
                records: 120,
                pairs_scored: 60,
                links: 0,
                threshold: 0.9,
                review_low: 0.3,
                review_high: 0.98,
                clusters: people.iter().map(|p| (*p, *p)).collect(),
                review: people
                    .chunks(2)
                    .map(|pair| NewReviewPair {
                        a: pair[0],
                        b: pair[1],
                        probability: 0.8123,
                        explanation: explanation.clone(),
                    })
                    .collect(),
                model: json!({}),
            },
        )
        .await
        .unwrap();
    let (list, _) = app
        .store
        .store_list(
            &setup,
            NewList {
                source: "un".into(),
                version_date: None,
                sha256: "full".into(),
                entries: 120,
                content: "{}".into(),
            },
        )
        .await
        .unwrap();
    app.store
        .record_hits(
            &setup,
            people
                .iter()
                .enumerate()
                .map(|(i, p)| NewHit {
                    person: *p,
                    list_id: list.id,
                    entry_ref: format!("TAi.{i:03}"),
                    listed_name: "MOHAMMAD HASHEM AHMADZAI alias MUHAMMAD HASHIM".into(),
                    score: 0.91,
                    explanation: json!({}),
                    entry_fingerprint: format!("e{i}"),
                    person_fingerprint: format!("p{i}"),
                })
                .collect(),
        )
        .await
        .unwrap();
    for (who, uri) in [("fr-caseworker", "/dedup"), ("fr-officer", "/screening")] {
        let page = app.get(who, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        println!("{uri} full: {} bytes", page.text.len());
        assert!(
            page.text.len() < 100 * 1024,
            "{uri}: {} bytes",
            page.text.len()
        );
    }
}

#[tokio::test]
async fn the_users_page_lists_a_hundred_accounts_a_page() {
    let app = app().await;
    let mut accounts: Vec<(String, Role, Option<&str>)> = (0..250)
        .map(|i| (format!("caseworker-{i:03}"), Role::Caseworker, Some("FR")))
        .collect();
    accounts.push(("sysadmin".into(), Role::SystemAdmin, None));
    let borrowed: Vec<(&str, Role, Option<&str>)> = accounts
        .iter()
        .map(|(name, role, code)| (name.as_str(), *role, *code))
        .collect();
    add_accounts(&app.store, &borrowed).await;
    // 255 accounts in all (the fixture's four, these 250 and the administrator): three pages.
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for page in 1..=3 {
        let answer = app.get("sysadmin", &format!("/users?page={page}")).await;
        assert_eq!(answer.status, StatusCode::OK, "page {page}");
        println!(
            "/users?page={page} (255 accounts): {} bytes",
            answer.text.len()
        );
        assert!(answer.text.len() < 100 * 1024);
        assert!(
            answer
                .text
                .contains(&format!("<strong aria-current=\"page\">{page}</strong>")),
            "{}",
            answer.text
        );
        for (name, _, _) in &accounts {
            if answer.text.contains(&format!("<td>{name}</td>")) {
                *seen.entry(name.clone()).or_default() += 1;
            }
        }
    }
    assert_eq!(seen.len(), accounts.len());
    assert!(seen.values().all(|n| *n == 1));
    let first = app.get("sysadmin", "/users").await.text;
    assert!(first.contains("1–100 of 255"), "{first}");
    assert!(first.contains("<a href=\"/users?page=3\">3</a>"), "{first}");
    assert_eq!(
        app.get("sysadmin", "/users?page=4").await.status,
        StatusCode::NOT_FOUND
    );
    let bad = app.get("sysadmin", "/users?page=zero").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text
            .contains("The page number must be a whole number from 1.")
    );
    // The JSON twin lists them all.
    let api = app.get("sysadmin", "/api/users").await;
    let listed: Value = serde_json::from_str(&api.text).unwrap();
    let count = listed
        .as_array()
        .or_else(|| listed["users"].as_array())
        .map(Vec::len);
    assert_eq!(count, Some(255), "{listed}");
}

#[tokio::test]
async fn every_read_refuses_garbage_with_a_message_never_a_server_failure() {
    // Every GET route of the table, its path parameters and every query parameter any screen
    // or API reads given garbage, as the widest role: a refusal or an answer, never a 5xx;
    // an API refusal is the JSON error with its code and a message.
    let app = app().await;
    add_accounts(&app.store, &[("sysadmin", Role::SystemAdmin, None)]).await;
    let garbage = GARBAGE;
    let query = garbage_query();
    let mut sent = 0;
    for spec in ROUTES
        .iter()
        .filter(|s| s.method == airbridge_web::Verb::Get)
    {
        // The live stream never ends: its parameters are the live figures' (checked there).
        if spec.path == "/api/live/stream" {
            continue;
        }
        let path: String = spec
            .path
            .split('/')
            .map(|piece| {
                if piece.starts_with('{') {
                    garbage.to_owned()
                } else {
                    piece.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for uri in [path.clone(), format!("{path}?{query}")] {
            let answer = app.get("sysadmin", &uri).await;
            sent += 1;
            assert!(
                !answer.status.is_server_error(),
                "{uri}: {} {}",
                answer.status,
                answer.text
            );
            if spec.kind == airbridge_web::Kind::Api && answer.status.is_client_error() {
                let error: Value = serde_json::from_str(&answer.text)
                    .unwrap_or_else(|_| panic!("{uri}: {}", answer.text));
                assert!(
                    error["error"]["code"].is_string()
                        && !error["error"]["message"].as_str().unwrap_or("").is_empty(),
                    "{uri}: {error}"
                );
            }
        }
    }
    println!("{sent} reads with garbage, none a server failure");
}

#[tokio::test]
async fn the_language_switch_keeps_the_choice() {
    let app = app().await;
    let answer = app
        .send(
            Request::get("/lang?to=fr")
                .header(header::HOST, "airbridge.test")
                .header(header::REFERER, "http://airbridge.test/search?q=x")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.headers[header::LOCATION], "/search?q=x");
    let cookie = answer.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("airbridge_lang=fr;"));
    let (session, _) = app.session("fr-caseworker").await;
    let page = app
        .send(
            Request::get("/dashboard")
                .header(header::COOKIE, format!("{session}; airbridge_lang=fr"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(page.text.contains("Tableau de bord"));
    assert!(page.text.contains("<html lang=\"fr\">"));
    // Another site's page as referrer sends back to the dashboard, not there.
    let answer = app
        .send(
            Request::get("/lang?to=en")
                .header(header::HOST, "airbridge.test")
                .header(header::REFERER, "http://evil.test/phish")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(answer.headers[header::LOCATION], "/dashboard");
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route_and_metrics_count_by_route() {
    let app = app().await;
    let answer = app
        .send(
            Request::get("/api/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let document: Value = serde_json::from_str(&answer.text).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    for spec in ROUTES.iter().filter(|s| s.path.starts_with("/api/")) {
        assert!(
            document["paths"][spec.path][spec.method.as_str().to_lowercase()].is_object(),
            "{} missing",
            spec.key()
        );
    }
    app.get("fr-caseworker", &format!("/cases/{}", app.case))
        .await;
    app.get("de-caseworker", &format!("/cases/{}", app.case))
        .await;
    let metrics = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert!(
        metrics.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    for line in [
        "airbridge_http_requests_total{method=\"GET\",route=\"/cases/{id}\",status=\"200\"} 1",
        "airbridge_http_requests_total{method=\"GET\",route=\"/cases/{id}\",status=\"404\"} 1",
        "airbridge_http_request_duration_seconds_count{method=\"GET\",route=\"/cases/{id}\"} 2",
    ] {
        assert!(
            metrics.text.contains(line),
            "missing {line}:\n{}",
            metrics.text
        );
    }
    assert!(
        !metrics.text.contains(&app.case),
        "a concrete id became a label"
    );
}

/// A database that fails mid-request: the page and the API say something went wrong, and
/// nothing of the failure's own text (driver, pool, SQL) reaches the caller.
#[tokio::test]
async fn a_failing_database_shows_a_plain_error_and_leaks_nothing() {
    let app = app().await;
    let (cookie, _) = app.session("fr-caseworker").await;
    let (token_cookie, _) = app.session("fr-caseworker").await;
    app.store.close().await;
    let page = app
        .send(
            Request::get("/search?q=hashem")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let api = app
        .send(
            Request::get("/api/dashboard")
                .header(header::COOKIE, token_cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    for answer in [&page, &api] {
        assert_eq!(
            answer.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            answer.text
        );
        let lower = answer.text.to_lowercase();
        for secret in ["pool", "sqlx", "sqlite", "database error"] {
            assert!(!lower.contains(secret), "{secret} leaked: {}", answer.text);
        }
        assert!(
            !answer.text.contains("SELECT"),
            "SQL leaked: {}",
            answer.text
        );
    }
    assert!(page.text.contains("Something went wrong on the server"));
    assert!(api.text.contains("\"internal\""));
}
