//! The flights screens through the router on a real SQLite database: building a plan from the
//! web (stored and audited as the command line's), what each caller sees of a flight two nations
//! share (the other nation's families counted, never named), the manifest's PDF and CSV
//! downloads (names, stamp, audit event), the dashboard's flights today, and the pages' weight;
//! a 450-person flight shown a page at a time (whole families, everyone once, each page's bytes
//! measured under 100 KB).

mod common;

use airbridge_domain::{CaseId, EvacuationStatus, Person, Relation, Role};
use airbridge_store::{
    Actor, AgreementRecord, AircraftTypeRecord, AuditEvent, Configuration, FlightChange,
    FlightStore, NewCase, NewFlight, NewMember, SqliteStore, Store,
};
use airbridge_web::{AppState, WebConfig, router};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{
    FRANCE_AND_GERMANY, add_accounts, fresh_store, from_now, nation, person, start_session,
};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tower::ServiceExt;

const DARI_NAME: &str = "محمد هاشم احمدزی";

struct App {
    router: Router,
    store: SqliteStore,
    fr_case: CaseId,
    de_case: CaseId,
    /// When the shared flight departs (RFC 3339).
    departs_at: String,
    _dir: tempfile::TempDir,
}

/// Takes each case through the process to processed at the gate: ready to fly.
async fn processed_at_the_gate(store: &SqliteStore, actor: &Actor, cases: &[CaseId]) {
    for case in cases {
        for to in [
            EvacuationStatus::Eligible,
            EvacuationStatus::CalledForward,
            EvacuationStatus::AtGate,
            EvacuationStatus::Processed,
        ] {
            store
                .set_case_status(actor, *case, to, None, None)
                .await
                .unwrap();
        }
    }
}

/// France's flight FR1 carries French and (by agreement) German people; Germany's DE2 was
/// cancelled. A French family (names in Arabic script) and a German one are processed at the
/// gate, ready to fly.
async fn app() -> App {
    let (store, dir) = fresh_store(FRANCE_AND_GERMANY).await;
    let setup = Actor::new("test:setup");
    let family = |code: &str, principal: Value, child: &str, document: &str| NewCase {
        nation: nation(code),
        organisation: None,
        reference: None,
        eligibility: serde_json::from_value(json!({ "bases": [ { "basis": "national" } ] }))
            .unwrap(),
        progress: Default::default(),
        members: vec![
            NewMember {
                relation: Relation::Principal,
                person: Person {
                    documents: vec![
                        airbridge_domain::Document::new(
                            airbridge_domain::DocumentKind::Passport,
                            document,
                            None,
                        )
                        .unwrap(),
                    ],
                    ..person(json!({ "name": principal, "nationalities": ["AF"] }))
                },
            },
            NewMember {
                relation: Relation::Child,
                person: person(json!({ "name": { "given": child, "family": "Ahmadzai" } })),
            },
        ],
    };
    let ids = store
        .add_cases(
            &setup,
            vec![
                family("FR", json!({ "full": DARI_NAME }), "Zahra", "P01234567"),
                family(
                    "DE",
                    json!({ "given": "Karim", "family": "Popal" }),
                    "Laila",
                    "P07654321",
                ),
            ],
        )
        .await
        .unwrap();
    processed_at_the_gate(&store, &setup, &ids).await;
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
    let departs_at = from_now(time::Duration::minutes(5));
    let flight = |id: &str, code: &str, departs_at: String| NewFlight {
        id: id.into(),
        nation: nation(code),
        aircraft: "C-17A".into(),
        configuration: Configuration::Seated,
        departs_at,
        destination: "DOH".into(),
        carries: Vec::new(),
    };
    store
        .add_flights(
            &setup,
            vec![
                flight("FR1", "FR", departs_at.clone()),
                flight("DE2", "DE", from_now(time::Duration::minutes(60))),
            ],
        )
        .await
        .unwrap();
    store
        .change_flight(
            &setup,
            "DE2",
            FlightChange::Cancel {
                reason: "no crew".into(),
            },
            None,
        )
        .await
        .unwrap();
    store
        .set_agreement(
            &setup,
            AgreementRecord {
                carrier: nation("FR"),
                passengers: nation("DE"),
                categories: vec![
                    airbridge_domain::Category::National,
                    airbridge_domain::Category::LocalStaff,
                    airbridge_domain::Category::AtRisk,
                ],
            },
        )
        .await
        .unwrap();
    add_accounts(
        &store,
        &[
            ("fr-caseworker", Role::Caseworker, Some("FR")),
            ("de-caseworker", Role::Caseworker, Some("DE")),
            ("coordinator", Role::Coordinator, None),
            ("sysadmin", Role::SystemAdmin, None),
        ],
    )
    .await;
    App {
        router: router(AppState::new(store.clone(), WebConfig::default())),
        store,
        fr_case: ids[0],
        de_case: ids[1],
        departs_at,
        _dir: dir,
    }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap()
    }
}

impl App {
    async fn session(&self, username: &str) -> (String, String) {
        start_session(&self.store, username).await
    }

    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .unwrap()
            .to_vec();
        Answer {
            status,
            headers,
            bytes,
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

    /// Posts the plan form as the flights page does, the CSRF token in its `csrf` field.
    async fn post_form(&self, username: &str, uri: &str) -> Answer {
        let (cookie, csrf) = self.session(username).await;
        self.send(
            Request::post(uri)
                .header(header::COOKIE, cookie)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await
    }

    async fn post_api(&self, username: &str, uri: &str) -> Answer {
        let (cookie, csrf) = self.session(username).await;
        self.send(
            Request::post(uri)
                .header(header::COOKIE, cookie)
                .header("x-csrf-token", csrf)
                .header("sec-fetch-site", "same-origin")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    async fn events(&self, action: &str) -> Vec<AuditEvent> {
        common::audited(&self.store, action).await
    }

    /// A plan stored from the web by the coordinator.
    async fn planned(&self) -> Value {
        let answer = self.post_api("coordinator", "/api/flights/plan").await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        answer.json()
    }
}

fn pdf_text(pdf: &[u8]) -> String {
    let raw = pdf_extract::extract_text_from_mem(pdf).unwrap();
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn a_plan_built_from_the_web_is_stored_audited_and_kept_on_a_re_plan() {
    let app = app().await;
    // Only cross-nation roles plan: a plan places every nation's people.
    let refused = app.post_api("fr-caseworker", "/api/flights/plan").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    assert!(app.store.current_plan().await.unwrap().is_none());

    let report = app.planned().await;
    assert_eq!(report["plan_run"], 1, "{report}");
    assert_eq!(report["solver"], "fast");
    assert_eq!(report["cases_ready"], 2);
    assert_eq!(report["cases_assigned"], 2);
    assert_eq!(report["people_assigned"], 4);
    let plan = app.store.current_plan().await.unwrap().unwrap();
    let placed: Vec<(CaseId, &str)> = plan
        .assignments
        .iter()
        .map(|a| (a.case, a.flight.as_str()))
        .collect();
    assert_eq!(placed, [(app.fr_case, "FR1"), (app.de_case, "FR1")]);
    assert_eq!(plan.run.actor, "user:coordinator");
    let runs = app.events("plan.run").await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].actor, "user:coordinator");
    assert_eq!(app.events("case.flight").await.len(), 2);

    // The page's form re-plans: everyone keeps their flight.
    let page = app.post_form("sysadmin", "/flights/plan").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    assert!(text.contains("Plan stored: 2"), "{text}");
    assert!(text.contains("kept their flight: 4"), "{text}");
    let plan = app.store.current_plan().await.unwrap().unwrap();
    assert_eq!(plan.run.solver, "re-plan of plan 1");
    assert_eq!((plan.run.kept, plan.run.moved, plan.run.dropped), (4, 0, 0));
    assert_eq!(app.store.audit_verify().await.unwrap().broken_at, None);
}

#[tokio::test]
async fn a_nation_never_sees_another_nations_names_on_a_shared_flight() {
    let app = app().await;
    app.planned().await;

    let fr = app.get("fr-caseworker", "/flights/FR1").await;
    assert_eq!(fr.status, StatusCode::OK);
    let text = fr.text();
    assert!(
        text.contains(&format!("<bdi dir=\"rtl\" lang=\"fa\">{DARI_NAME}</bdi>")),
        "{text}"
    );
    assert!(
        text.contains("Zahra") && text.contains("P01234567"),
        "{text}"
    );
    assert!(text.contains("Another nation’s family"), "{text}");
    for hidden in [
        "Karim",
        "Popal",
        "Laila",
        "P07654321",
        &app.de_case.to_string(),
    ] {
        assert!(!text.contains(hidden), "{hidden} shown to France: {text}");
    }
    assert!(text.contains("/flights/FR1/manifest.pdf"), "{text}");

    // Germany sees the French flight its people are on, with its own names only.
    let de = app.get("de-caseworker", "/api/flights/FR1").await;
    assert_eq!(de.status, StatusCode::OK);
    let detail = de.json();
    let families = detail["families"].as_array().unwrap();
    assert_eq!(families.len(), 2, "{detail}");
    let french = families.iter().find(|f| f["nation"] == "FR").unwrap();
    assert_eq!(french["case"], Value::Null);
    assert_eq!(french["people"], 2);
    assert_eq!(french["members"], json!([]));
    let german = families.iter().find(|f| f["nation"] == "DE").unwrap();
    assert_eq!(german["case"], app.de_case.to_string());
    assert_eq!(german["members"][0]["name_latin"], "Karim Popal");
    assert!(!de.text().contains(DARI_NAME) && !de.text().contains("Zahra"));
    assert_eq!(detail["flight"]["seats_assigned"], 4);

    // The coordinator counts everyone and reads no name.
    let coordinator = app.get("coordinator", "/flights/FR1").await;
    assert_eq!(coordinator.status, StatusCode::OK);
    let text = coordinator.text();
    assert!(!text.contains("Zahra") && !text.contains("Karim"), "{text}");
    assert!(!text.contains("manifest.pdf"), "{text}");

    // Germany's cancelled flight does not exist for France; the list agrees.
    let missing = app.get("fr-caseworker", "/flights/DE2").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let listed = app.get("fr-caseworker", "/api/flights").await.json();
    let ids: Vec<&str> = listed["flights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["FR1"]);
    assert_eq!(listed["flights"][0]["people_assigned"], 4);
    assert_eq!(listed["may_plan"], false);
    let listed = app.get("de-caseworker", "/api/flights").await.json();
    assert_eq!(listed["flights"].as_array().unwrap().len(), 2, "{listed}");
}

#[tokio::test]
async fn the_manifest_downloads_name_the_people_are_stamped_and_audited() {
    let app = app().await;
    // No plan yet: nothing to print.
    let early = app.get("fr-caseworker", "/flights/FR1/manifest.pdf").await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    app.planned().await;

    let pdf = app.get("fr-caseworker", "/flights/FR1/manifest.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text());
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(
        pdf.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("airbridge-manifest-FR1-"),
    );
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf.bytes);
    for expected in [
        "Flight FR1 to DOH",
        "Zahra Ahmadzai",
        "P01234567",
        "Printed by user:fr-caseworker",
        "People aboard: 4",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    assert!(
        !text.contains("Karim") && !text.contains("P07654321"),
        "{text}"
    );
    // The Dari name comes back as its letters, whichever way the reader orders the run.
    let word = "احمدزی";
    assert!(
        text.contains(word) || text.contains(&word.chars().rev().collect::<String>()),
        "{word} not in {text}"
    );

    let csv = app.get("fr-caseworker", "/flights/FR1/manifest.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0]
            .starts_with("# Airbridge manifest of flight FR1 printed by user:fr-caseworker at "),
        "{text}"
    );
    assert!(
        text.contains("Zahra Ahmadzai") && text.contains(DARI_NAME),
        "{text}"
    );
    assert!(!text.contains("Karim"), "{text}");

    let printed = app.events("manifest.print").await;
    assert_eq!(printed.len(), 2, "{printed:?}");
    for (event, format) in printed.iter().zip(["pdf", "csv"]) {
        assert_eq!(event.actor, "user:fr-caseworker");
        assert_eq!(event.entity_id, "flight:FR1");
        assert_eq!(event.after.as_ref().unwrap()["format"], format);
        assert_eq!(event.after.as_ref().unwrap()["people"], 4);
    }

    // The coordinator reads no names, so prints no manifest.
    let refused = app.get("coordinator", "/flights/FR1/manifest.csv").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.events("manifest.print").await.len(), 2);
}

#[tokio::test]
async fn the_dashboard_counts_todays_flights_and_the_pages_stay_small() {
    let app = app().await;
    app.planned().await;
    let today = OffsetDateTime::now_utc().format(&Rfc3339).unwrap()[..10].to_owned();
    let departs_today = app.departs_at.starts_with(&today);
    let dashboard = app.get("fr-caseworker", "/api/dashboard").await.json();
    let flights = &dashboard["flights_today"];
    assert_eq!(flights["day"], today.as_str());
    if departs_today {
        assert_eq!(flights["flights"], 1, "{dashboard}");
        assert_eq!(flights["by_status"]["scheduled"], 1);
        assert_eq!(flights["seats_planned"], 4);
        assert_eq!(flights["capacity"], 100);
    } else {
        // Run within five minutes of midnight (UTC): FR1 leaves tomorrow.
        assert_eq!(flights["flights"], 0, "{dashboard}");
    }
    let page = app.get("fr-caseworker", "/dashboard").await.text();
    assert!(page.contains("Flights today"), "{page}");

    for (who, uri) in [
        ("fr-caseworker", "/flights"),
        ("fr-caseworker", "/flights/FR1"),
        ("sysadmin", "/flights"),
        ("fr-caseworker", "/dashboard"),
    ] {
        let answer = app.get(who, uri).await;
        assert_eq!(answer.status, StatusCode::OK);
        println!("page weight {uri} as {who}: {} bytes", answer.bytes.len());
        assert!(
            answer.bytes.len() < 100_000,
            "{uri}: {}",
            answer.bytes.len()
        );
    }
    let french = app.get("fr-caseworker", "/flights").await.text();
    assert!(
        french.contains("<a href=\"/flights/FR1\">FR1</a>"),
        "{french}"
    );
    assert!(!french.contains("action=\"/flights/plan\""), "{french}");
    let admin = app.get("sysadmin", "/flights").await.text();
    assert!(admin.contains("action=\"/flights/plan\""), "{admin}");
}

// --- a large flight, a page at a time ----------------------------------------------------------

/// The people on [`large_flight`]: (case, nation, name token) in case order.
struct Aboard {
    cases: Vec<(CaseId, &'static str, Vec<String>)>,
}

/// Page `number` of a flight's manifest at `path` as `username`: answered, its weight printed,
/// and under 100 KB.
async fn small_page(app: &App, username: &str, path: &str, number: usize) -> Answer {
    let answer = app.get(username, &format!("{path}?page={number}")).await;
    assert_eq!(answer.status, StatusCode::OK);
    println!(
        "page weight {path}?page={number} as {username}: {} bytes",
        answer.bytes.len()
    );
    assert!(answer.bytes.len() < 100_000);
    answer
}

/// A 450-person flight FR1 (a seated aircraft of 500), in families of 1 to 8, one in five
/// German (carried by agreement). Every person has a name in Arabic script, a Latin name with
/// a token of their own (`G0001x`) and a passport: the heaviest rows a manifest page shows.
async fn large_flight() -> (App, Aboard) {
    let (store, dir) = fresh_store(FRANCE_AND_GERMANY).await;
    let setup = Actor::new("test:setup");
    let mut sizes = Vec::new();
    let mut total = 0;
    for i in 0usize.. {
        let size = ((i * 7 + i / 8) % 8 + 1).min(450 - total);
        sizes.push(size);
        total += size;
        if total == 450 {
            break;
        }
    }
    let mut person_no = 0;
    let mut new_cases = Vec::new();
    let mut planned: Vec<(&'static str, Vec<String>)> = Vec::new();
    for (i, &size) in sizes.iter().enumerate() {
        let code = if i % 5 == 4 { "DE" } else { "FR" };
        let mut tokens = Vec::new();
        let members = (0..size)
            .map(|m| {
                person_no += 1;
                let token = format!("G{person_no:04}x");
                tokens.push(token.clone());
                NewMember {
                    relation: if m == 0 {
                        Relation::Principal
                    } else {
                        Relation::Child
                    },
                    person: Person {
                        documents: vec![
                            airbridge_domain::Document::new(
                                airbridge_domain::DocumentKind::Passport,
                                &format!("P{person_no:08}"),
                                None,
                            )
                            .unwrap(),
                        ],
                        ..person(json!({
                            "name": { "full": DARI_NAME, "given": token, "family": "Ahmadzai-Popalzai" },
                            "nationalities": ["AF"],
                        }))
                    },
                }
            })
            .collect();
        new_cases.push(NewCase {
            nation: nation(code),
            organisation: None,
            reference: None,
            eligibility: serde_json::from_value(json!({ "bases": [ { "basis": "national" } ] }))
                .unwrap(),
            progress: Default::default(),
            members,
        });
        planned.push((code, tokens));
    }
    let ids = store.add_cases(&setup, new_cases).await.unwrap();
    processed_at_the_gate(&store, &setup, &ids).await;
    store
        .set_aircraft_type(
            &setup,
            AircraftTypeRecord {
                name: "B777".into(),
                seated_capacity: 500,
                floor_loaded_capacity: 600,
            },
        )
        .await
        .unwrap();
    let departs_at = from_now(time::Duration::minutes(30));
    store
        .add_flights(
            &setup,
            vec![NewFlight {
                id: "FR1".into(),
                nation: nation("FR"),
                aircraft: "B777".into(),
                configuration: Configuration::Seated,
                departs_at: departs_at.clone(),
                destination: "DOH".into(),
                carries: vec![nation("DE")],
            }],
        )
        .await
        .unwrap();
    add_accounts(
        &store,
        &[
            ("fr-caseworker", Role::Caseworker, Some("FR")),
            ("coordinator", Role::Coordinator, None),
            ("sysadmin", Role::SystemAdmin, None),
        ],
    )
    .await;
    let aboard = Aboard {
        cases: ids
            .iter()
            .zip(planned)
            .map(|(id, (code, tokens))| (*id, code, tokens))
            .collect(),
    };
    let app = App {
        router: router(AppState::new(store.clone(), WebConfig::default())),
        store,
        fr_case: ids[0],
        de_case: ids[4],
        departs_at,
        _dir: dir,
    };
    (app, aboard)
}

/// How many times `needle` occurs in `haystack`.
fn occurrences(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[tokio::test]
async fn a_large_flight_is_shown_a_page_at_a_time_whole_families_each_page_small() {
    let (app, aboard) = large_flight().await;
    let report = app.planned().await;
    assert_eq!(report["people_assigned"], 450, "{report}");
    let families = aboard.cases.len();

    // The JSON twin: pages of whole families, at most 100 people each, everyone once.
    let first = app.get("sysadmin", "/api/flights/FR1").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let first = first.json();
    let pages = first["page"]["pages"].as_u64().unwrap() as usize;
    assert_eq!(first["page"]["number"], 1);
    assert_eq!(first["page"]["people_total"], 450);
    assert_eq!(first["page"]["families_total"], families);
    assert_eq!(first["flight"]["people_assigned"], 450);
    assert!((5..=6).contains(&pages), "{pages} pages");
    let mut next_person = 1;
    let mut case_pages: std::collections::HashMap<String, usize> = Default::default();
    for number in 1..=pages {
        let answer = small_page(&app, "sysadmin", "/api/flights/FR1", number).await;
        let detail = answer.json();
        let page = &detail["page"];
        assert_eq!(page["number"], number);
        assert_eq!(page["people_from"], next_person);
        let on_page: u64 = detail["families"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                // A family is whole where it is shown: every member who flies is listed.
                assert_eq!(
                    f["members"].as_array().unwrap().len() as u64,
                    f["people"].as_u64().unwrap(),
                    "{f}"
                );
                let case = f["case"].as_str().unwrap().to_owned();
                assert!(case_pages.insert(case, number).is_none(), "{f} twice");
                f["people"].as_u64().unwrap()
            })
            .sum();
        assert!((1..=100).contains(&on_page), "page {number}: {on_page}");
        assert_eq!(page["people_to"], next_person + on_page - 1);
        next_person += on_page;
    }
    assert_eq!(next_person, 451);
    assert_eq!(case_pages.len(), families);

    // The HTML pages: each under 100 KB with its assets (its only style is inline; no script,
    // no image), every person exactly once across them, each family on one page.
    let mut seen: std::collections::HashMap<&str, usize> = Default::default();
    let mut heaviest = 0;
    for number in 1..=pages {
        let answer = app
            .get("sysadmin", &format!("/flights/FR1?page={number}"))
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        let text = answer.text();
        println!(
            "page weight /flights/FR1?page={number} as sysadmin: {} bytes",
            answer.bytes.len()
        );
        heaviest = heaviest.max(answer.bytes.len());
        assert!(
            !text.contains("<script") && !text.contains("<link"),
            "{text}"
        );
        assert!(
            text.contains(&format!("page {number} of {pages}")),
            "{text}"
        );
        for (case, _, tokens) in &aboard.cases {
            let here = tokens.iter().filter(|t| text.contains(t.as_str())).count();
            // A family is all here or all elsewhere.
            assert!(here == 0 || here == tokens.len(), "case {case} split");
            assert_eq!(
                here > 0,
                case_pages[&case.to_string()] == number,
                "case {case} on page {number}"
            );
            for token in tokens {
                let n = occurrences(&text, token);
                assert!(n <= 1, "{token} {n} times on page {number}");
                *seen.entry(token.as_str()).or_default() += n;
            }
        }
    }
    assert_eq!(seen.len(), 450);
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    assert!(heaviest < 100_000, "{heaviest}");
    let page_one = app.get("sysadmin", "/flights/FR1").await.text();
    assert!(page_one.contains("People 1–"), "{page_one}");
    assert!(page_one.contains(" of 450"), "{page_one}");
    assert!(
        page_one.contains("<a href=\"/flights/FR1?page=2\" rel=\"next\">"),
        "{page_one}"
    );
    assert!(page_one.contains("<strong aria-current=\"page\">1</strong>"));

    // France's pages: its own people named, Germany's families counted only (nation, people,
    // seats), on the same pages as for everyone.
    let german: Vec<&String> = aboard
        .cases
        .iter()
        .filter(|(_, code, _)| *code == "DE")
        .flat_map(|(_, _, tokens)| tokens)
        .collect();
    let mut french_seen = 0;
    for number in 1..=pages {
        let answer = small_page(&app, "fr-caseworker", "/flights/FR1", number).await;
        let text = answer.text();
        for token in &german {
            assert!(!text.contains(token.as_str()), "{token} shown to France");
        }
        for (case, code, tokens) in &aboard.cases {
            if *code == "DE" {
                assert!(!text.contains(&format!("/cases/{case}\"")), "{case}");
                continue;
            }
            french_seen += tokens.iter().filter(|t| text.contains(t.as_str())).count();
        }
        let api = app
            .get("fr-caseworker", &format!("/api/flights/FR1?page={number}"))
            .await
            .json();
        for family in api["families"].as_array().unwrap() {
            let own = family["nation"] == "FR";
            assert_eq!(family["case"].is_string(), own, "{family}");
            assert_eq!(family["members"].as_array().unwrap().is_empty(), !own);
            assert!(family["people"].as_u64().unwrap() >= 1);
        }
        assert_eq!(api["page"]["pages"], pages);
    }
    let french_total: usize = aboard
        .cases
        .iter()
        .filter(|(_, code, _)| *code == "FR")
        .map(|(_, _, tokens)| tokens.len())
        .sum();
    assert_eq!(french_seen, french_total);

    // Past the last page: 404, with how many there are; not a page number: 422 (a page says
    // why in the caller's language).
    let past = app
        .get("sysadmin", &format!("/api/flights/FR1?page={}", pages + 1))
        .await;
    assert_eq!(past.status, StatusCode::NOT_FOUND);
    assert!(
        past.text().contains(&format!("(it has {pages})")),
        "{}",
        past.text()
    );
    let past = app
        .get("sysadmin", &format!("/flights/FR1?page={}", pages + 1))
        .await;
    assert_eq!(past.status, StatusCode::NOT_FOUND);
    for bad in ["0", "-1", "two", "1.5", "99999999999999999999999"] {
        let api = app
            .get("sysadmin", &format!("/api/flights/FR1?page={bad}"))
            .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(api.json()["error"]["code"], "invalid");
        let page = app
            .get("sysadmin", &format!("/flights/FR1?page={bad}"))
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            page.text()
                .contains("The page number must be a whole number from 1."),
            "{}",
            page.text()
        );
    }

    // The flights list counts the load from the plan in force (one read for every flight),
    // and with 200 flights it still shows 150 and stays small.
    let setup = Actor::new("test:setup");
    app.store
        .add_flights(
            &setup,
            (2..=200)
                .map(|n| NewFlight {
                    id: format!("{}{n}", if n % 2 == 0 { "DE" } else { "FR" }),
                    nation: nation(if n % 2 == 0 { "DE" } else { "FR" }),
                    aircraft: "B777".into(),
                    configuration: Configuration::Seated,
                    departs_at: from_now(time::Duration::minutes(40 + n)),
                    destination: "DOH".into(),
                    carries: Vec::new(),
                })
                .collect(),
        )
        .await
        .unwrap();
    let listed = app.get("sysadmin", "/api/flights").await.json();
    let flights = listed["flights"].as_array().unwrap();
    assert_eq!(flights.len(), 200);
    assert_eq!(flights[0]["id"], "FR1");
    assert_eq!(flights[0]["people_assigned"], 450);
    assert_eq!(flights[0]["seats_assigned"], 450);
    assert_eq!(flights[0]["families"], families);
    assert!(flights[1..].iter().all(|f| f["people_assigned"] == 0));
    let listed = app.get("fr-caseworker", "/api/flights").await.json();
    assert_eq!(listed["flights"].as_array().unwrap().len(), 100);
    for who in ["sysadmin", "fr-caseworker"] {
        let page = app.get(who, "/flights").await;
        assert_eq!(page.status, StatusCode::OK);
        println!(
            "page weight /flights (200 flights) as {who}: {} bytes",
            page.bytes.len()
        );
        assert!(page.bytes.len() < 100_000);
        let page = app.get(who, "/dashboard").await;
        assert_eq!(page.status, StatusCode::OK);
        println!(
            "page weight /dashboard (200 flights) as {who}: {} bytes",
            page.bytes.len()
        );
        assert!(page.bytes.len() < 100_000);
    }

    // The printed manifest stays whole: France's CSV names every French person on the flight.
    let csv = app.get("fr-caseworker", "/flights/FR1/manifest.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let csv = csv.text();
    for (_, code, tokens) in &aboard.cases {
        for token in tokens {
            assert_eq!(csv.contains(token.as_str()), *code == "FR", "{token}");
        }
    }
}
