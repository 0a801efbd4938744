//! Journeys in a real headless Chromium driven over WebDriver (chromedriver started by the
//! test on a free port): an administrator logs in with a second factor, searches a Dari name,
//! opens the case, reviews a screening hit, decides a pair of possible duplicates (the
//! German record of the other pair never shown), imports a small list, and is refused another
//! nation's case; a gate officer on a phone-sized screen loads the gate's list under a PIN,
//! loses the server, admits a family offline, reloads the page with no server at all, and sees
//! the action synced once the server is back. Screenshots are written under the test's
//! temporary directory (its path is printed). Without Chromium the test fails and says how to
//! install it.

mod common;

use airbridge_domain::{Access, EvacuationStatus, PersonId, Relation, Role};
use airbridge_field::PassCode;
use airbridge_store::{
    Actor, AuditFilter, CallForwardRequest, DedupStore, NewCase, NewDedupRun, NewHit, NewList,
    NewMember, NewPass, NewReviewPair, NewUser, SqliteStore, Store,
};
use airbridge_web::{AppState, WebConfig, router, totp};
use common::{FRANCE_AND_GERMANY, fresh_store, from_now, nation, person, store_in};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const DARI_NAME: &str = "محمد هاشم احمدزی";
const PASSWORD: &str = "browser journey passphrase";

/// A program on the PATH, or the test fails saying how to get it.
fn program(names: &[&str]) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "{} not found: the browser tests need Chromium and its driver; install them with \
         `apt-get install -y chromium chromium-driver fonts-noto-core` (scripts/test.sh does)",
        names.join(" or ")
    );
}

/// Stops chromedriver and the Chromium it started when the test ends, however it ends (a
/// failed assertion never reaches the client's close): both run in a process group of their
/// own, and the whole group is ended.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A browser window; with `phone` (width, height in CSS pixels), a phone's screen emulated
/// (a desktop window is at least 500 pixels wide).
async fn browser(chromium: &Path, phone: Option<(u32, u32)>) -> (Driver, Client) {
    let driver_path = program(&["chromedriver"]);
    let port = free_port();
    let driver = Driver(
        Command::new(driver_path)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver could not start"),
    );
    let mut options = json!({
        "binary": chromium,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage", "--window-size=412,915",
            "--lang=en-GB"
        ]
    });
    if let Some((width, height)) = phone {
        options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0, "touch": true }
        });
    }
    let capabilities: serde_json::Map<String, serde_json::Value> =
        serde_json::from_value(json!({ "goog:chromeOptions": options })).unwrap();
    // chromedriver takes a moment to listen: try until it answers (or it has exited).
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = String::new();
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return (driver, client),
            Err(error) => last_error = error.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("chromedriver on {url} never answered: {last_error}");
}

struct Seeded {
    store: SqliteStore,
    fr_case: String,
    de_case: String,
    secret: String,
}

async fn seed(dir: &Path) -> Seeded {
    let store = store_in(dir, FRANCE_AND_GERMANY).await;
    let setup = Actor::new("test:setup");
    let case_for = |code: &str, name: serde_json::Value, child: &str| NewCase {
        nation: nation(code),
        organisation: None,
        reference: None,
        eligibility: serde_json::from_value(json!({ "bases": [
            { "basis": "worked", "employer": "Embassy", "role": "interpreter" } ] }))
        .unwrap(),
        progress: Default::default(),
        members: vec![
            NewMember {
                relation: Relation::Principal,
                person: person(json!({ "name": name })),
            },
            NewMember {
                relation: Relation::Child,
                person: person(json!({ "name": { "given": child } })),
            },
        ],
    };
    let ids = store
        .add_cases(
            &setup,
            vec![
                case_for(
                    "FR",
                    json!({ "full": DARI_NAME, "father": "عبدالرحمن" }),
                    "Zahra",
                ),
                case_for(
                    "DE",
                    json!({ "given": "Karim", "family": "Popal" }),
                    "Laila",
                ),
            ],
        )
        .await
        .unwrap();
    let principal = store.get_case(ids[0]).await.unwrap().unwrap().people[0].id;
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
                person: principal,
                list_id: list.id,
                entry_ref: "TAi.999".into(),
                listed_name: "MOHAMMAD HASHEM AHMADZAI".into(),
                score: 0.93,
                explanation: json!({}),
                entry_fingerprint: "e".into(),
                person_fingerprint: "p".into(),
            }],
        )
        .await
        .unwrap();
    store
        .add_user(
            &setup,
            NewUser {
                username: "amelie".into(),
                display_name: "Amélie (France)".into(),
                access: Access::new(Role::NationAdmin, Some(nation("FR")), None, None).unwrap(),
                password_hash: airbridge_web::password::hash(PASSWORD).unwrap(),
            },
        )
        .await
        .unwrap();
    let secret = totp::new_secret();
    store
        .set_user_totp(&setup, "amelie", Some(secret.clone()))
        .await
        .unwrap();
    // Two French records that may be one person, and a German one that may be the first.
    let mut twins = Vec::new();
    for (code, given, family) in [
        ("FR", "Gul Ahmad", "Sadat"),
        ("FR", "Gulahmad", "Sadat"),
        ("DE", "Wazhma", "Karimzai"),
    ] {
        let record = store
            .add_person(
                &setup,
                nation(code),
                person(json!({ "name": { "given": given, "family": family } })),
            )
            .await
            .unwrap();
        twins.push(record.id);
    }
    let explanation =
        json!({ "fields": [{ "field": "given name", "level": "similar", "weight": 3.2 }] });
    store
        .save_dedup_run(
            &setup,
            NewDedupRun {
                records: 3,
                pairs_scored: 3,
                links: 0,
                threshold: 0.9,
                review_low: 0.3,
                review_high: 0.98,
                clusters: twins.iter().map(|p| (*p, *p)).collect(),
                review: vec![
                    NewReviewPair {
                        a: twins[0],
                        b: twins[1],
                        probability: 0.66,
                        explanation: explanation.clone(),
                    },
                    NewReviewPair {
                        a: twins[0],
                        b: twins[2],
                        probability: 0.71,
                        explanation,
                    },
                ],
                model: json!({}),
            },
        )
        .await
        .unwrap();
    Seeded {
        store,
        fr_case: ids[0].to_string(),
        de_case: ids[1].to_string(),
        secret,
    }
}

async fn text_of(client: &Client) -> String {
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn fill(client: &Client, css: &str, value: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .send_keys(value)
        .await
        .unwrap();
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Clicks something that loads another page, and waits until the new page has loaded (a click
/// returns as soon as the browser took it, often before the next page is there).
async fn click_and_load(client: &Client, css: &str) {
    client
        .execute("window.__previous_page = true;", vec![])
        .await
        .unwrap();
    click(client, css).await;
    for _ in 0..600 {
        let loaded = client
            .execute(
                "return window.__previous_page === undefined && document.readyState === 'complete';",
                vec![],
            )
            .await;
        if matches!(loaded, Ok(value) if value == json!(true)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("clicking {css} loaded no new page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_in_a_real_browser() {
    let chromium = program(&["chromium", "chromium-browser", "google-chrome"]);
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed(dir.path()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = router(AppState::new(seeded.store.clone(), WebConfig::default()));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let base = format!("http://{address}");
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    println!("browser screenshots in {}", artifacts.display());
    let (_driver, client) = browser(&chromium, None).await;
    let shot = |name: &'static str| {
        let client = client.clone();
        let path = artifacts.join(name);
        async move {
            let png = client.screenshot().await.unwrap();
            std::fs::write(&path, png).unwrap();
            println!("screenshot {}", path.display());
        }
    };

    // Log in: password, then the second factor.
    client.goto(&format!("{base}/login")).await.unwrap();
    fill(&client, "#username", "amelie").await;
    fill(&client, "#password", PASSWORD).await;
    click_and_load(&client, "form[action='/login'] button").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/login/totp")
    );
    let code = totp::code_at_step(&seeded.secret, totp::step_at(airbridge_web::now())).unwrap();
    fill(&client, "#code", &code).await;
    click_and_load(&client, "form[action='/login/totp'] button").await;
    // A click may return before the next page is there.
    wait_for(
        &client,
        "location.pathname === '/dashboard'",
        "the dashboard",
    )
    .await;
    let text = text_of(&client).await;
    assert!(text.contains("People by nation and status"), "{text}");
    shot("dashboard.png").await;

    // Search a Dari name, in Arabic script, from the menu.
    click_and_load(&client, "nav a[href='/search']").await;
    fill(&client, "#q", "هاشم").await;
    click_and_load(&client, "form[role=search] button").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/search")
    );
    let result = client
        .find(Locator::Css("td bdi[dir=auto]"))
        .await
        .expect("no result");
    assert_eq!(result.text().await.unwrap(), DARI_NAME);
    shot("search.png").await;

    // Open the case page from the result.
    click_and_load(&client, &format!("a[href='/cases/{}']", seeded.fr_case)).await;
    let text = text_of(&client).await;
    assert!(text.contains(DARI_NAME) && text.contains("Zahra"), "{text}");
    assert!(text.contains("MOHAMMAD HASHEM AHMADZAI"));
    // The name is laid out right to left inside the left-to-right page.
    let direction = client
        .execute(
            "return getComputedStyle(document.querySelector('h3 bdi')).direction",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(direction, json!("rtl"));
    shot("case.png").await;

    // Review the screening hit: a false positive, with its reason.
    client.goto(&format!("{base}/screening")).await.unwrap();
    client
        .find(Locator::Css("form[action^='/screening/H'] select"))
        .await
        .unwrap()
        .select_by_value("false_positive")
        .await
        .unwrap();
    fill(
        &client,
        "form[action^='/screening/H'] textarea",
        "born 1990; the listed man in 1963",
    )
    .await;
    click_and_load(&client, "form[action^='/screening/H'] button").await;
    let text = text_of(&client).await;
    assert!(text.contains("Decision recorded"), "{text}");
    let hits = seeded.store.list_hits(None, None).await.unwrap();
    assert_eq!(hits[0].status, "false_positive");

    // Decide a pair of possible duplicates from the menu: the French twins are one person.
    // The pair with a German record shows only that another nation holds the same person.
    click_and_load(&client, "nav a[href='/dedup']").await;
    let text = text_of(&client).await;
    assert!(
        text.contains("Gulahmad Sadat") && text.contains("Held by another nation"),
        "{text}"
    );
    assert!(!text.contains("Wazhma"), "{text}");
    client
        .find(Locator::Css("form[action='/dedup/decide'] select"))
        .await
        .unwrap()
        .select_by_value("same")
        .await
        .unwrap();
    click_and_load(&client, "form[action='/dedup/decide'] button").await;
    let text = text_of(&client).await;
    assert!(
        text.contains("Decision recorded") && text.contains("the same person"),
        "{text}"
    );
    assert!(
        !text.contains("Gulahmad Sadat"),
        "the pair is still queued: {text}"
    );
    shot("dedup.png").await;

    // Import a small list.
    let list = dir.path().join("embassy-list.csv");
    std::fs::write(
        &list,
        "Given name,Family name,Date of birth\nFarid,Sultani,1370/01/01\nNadia,Sultani,not a date\n",
    )
    .unwrap();
    client.goto(&format!("{base}/import")).await.unwrap();
    fill(&client, "#file", list.to_str().unwrap()).await;
    click_and_load(&client, "form[action^='/import'] button").await;
    let text = text_of(&client).await;
    assert!(text.contains("People created"), "{text}");
    assert!(
        text.contains("not a date"),
        "the row report should show the bad date: {text}"
    );
    shot("import.png").await;

    // Another nation's case: refused, as if it did not exist.
    client
        .goto(&format!("{base}/cases/{}", seeded.de_case))
        .await
        .unwrap();
    let text = text_of(&client).await;
    assert!(text.contains("This page does not exist."), "{text}");
    assert!(!text.contains("Karim"));

    // The live picture follows the registry without a reload.
    client.goto(&format!("{base}/live")).await.unwrap();
    client
        .execute("window.__not_reloaded = true;", vec![])
        .await
        .unwrap();
    let table = client
        .find(Locator::Css("#by-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        table.contains("registered") && !table.contains("eligible"),
        "{table}"
    );
    let fr_case: airbridge_domain::CaseId = seeded.fr_case.parse().unwrap();
    seeded
        .store
        .set_case_status(
            &Actor::new("test:setup"),
            fr_case,
            airbridge_domain::EvacuationStatus::Eligible,
            None,
            None,
        )
        .await
        .unwrap();
    wait_for(
        &client,
        "window.__not_reloaded && document.querySelector('#by-status tbody').textContent.includes('eligible')",
        "the live table updated from the stream",
    )
    .await;
    // The page's words for its script are not shown.
    let words = client
        .execute(
            "return getComputedStyle(document.getElementById('texts')).display;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(words, json!("none"));
    shot("live.png").await;

    // The main registry screens fit a phone 375 pixels wide: nothing wider than the window,
    // so nothing scrolls sideways (wide tables scroll inside their own box).
    client.set_window_size(375, 812).await.unwrap();
    let width = client
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert!(
        width.as_u64().is_some_and(|w| w <= 375),
        "the window did not become phone-sized: {width}"
    );
    let search = format!("/search?q={}", "%D9%87%D8%A7%D8%B4%D9%85");
    let case = format!("/cases/{}", seeded.fr_case);
    for (path, name) in [
        ("/dashboard", "phone-dashboard.png"),
        (search.as_str(), "phone-search.png"),
        (case.as_str(), "phone-case.png"),
        ("/screening", "phone-screening.png"),
        ("/flights", "phone-flights.png"),
    ] {
        client.goto(&format!("{base}{path}")).await.unwrap();
        let fits = client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth,                  [...document.querySelectorAll('body *')]                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)                    .slice(0, 5).map(e => e.tagName + '.' + e.className).join(' ')];",
                vec![],
            )
            .await
            .unwrap();
        shot(name).await;
        let (scroll, inner) = (fits[0].as_f64().unwrap(), fits[1].as_f64().unwrap());
        assert!(
            scroll <= inner,
            "{path} is {scroll} px wide in a {inner} px window; too wide: {}",
            fits[2]
        );
    }

    client.close().await.unwrap();
}

// --- the gate, offline -------------------------------------------------------------------------

const GATE: &str = "Abbey Gate";
const PASHTO_NAME: &str = "ګل احمد";
const PIN: &str = "482913";

/// A server on `listener` that stops, finishing what it was doing, when `stop` is sent.
struct Server {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

fn serve(store: SqliteStore, listener: tokio::net::TcpListener) -> Server {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = router(AppState::new(store, WebConfig::default()));
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    Server { stop, task }
}

impl Server {
    /// Stops the server and waits until it no longer answers anything (open connections
    /// closed too): for the browser, the network is gone.
    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(std::time::Duration::from_secs(30), self.task)
            .await
            .expect("the server did not stop")
            .unwrap();
    }
}

/// Waits until `script` (a JavaScript expression) is true in the page; fails with the page's
/// text after 60 seconds.
async fn wait_for(client: &Client, script: &str, what: &str) {
    for _ in 0..600 {
        let value = client
            .execute(&format!("return !!({script});"), vec![])
            .await
            .unwrap();
        if value == json!(true) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "{what}: never happened; the page says: {}",
        text_of(client).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gate_officer_admits_a_family_offline_and_it_syncs() {
    let chromium = program(&["chromium", "chromium-browser", "google-chrome"]);
    let (store, _dir) = fresh_store(&[("FR", "France")]).await;
    let setup = Actor::new("test:setup");
    let case = store
        .add_cases(
            &setup,
            vec![NewCase {
                nation: nation("FR"),
                organisation: None,
                reference: None,
                eligibility: Default::default(),
                progress: Default::default(),
                members: vec![
                    NewMember {
                        relation: Relation::Principal,
                        person: person(json!({
                            "name": { "given": "Gul", "family": "Ahmad", "full": PASHTO_NAME,
                                      "father": "عبدالله" },
                            "documents": [{ "kind": "tazkira", "number": "1400010123456",
                                           "as_written": "1400-0101-23456" }],
                        })),
                    },
                    NewMember {
                        relation: Relation::Spouse,
                        person: person(json!({ "name": { "full": "مریم" } })),
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
    store
        .set_case_status(&setup, case, EvacuationStatus::Eligible, None, None)
        .await
        .unwrap();
    let code = PassCode::from_entropy([8, 26, 20, 21, 6, 0, 4, 5]);
    let called = store
        .call_forward(
            &setup,
            CallForwardRequest {
                nation: nation("FR"),
                gate: GATE.into(),
                rendezvous: "the canal side".into(),
                valid_from: "2020-01-01T00:00:00Z".into(),
                valid_until: "2099-12-31T23:59:59Z".into(),
                passes: vec![NewPass {
                    case,
                    code_hash: code.hash(),
                    messages: vec![],
                }],
            },
        )
        .await
        .unwrap();
    let pass = called.passes[0].id;
    let members: Vec<PersonId> = store
        .get_case(case)
        .await
        .unwrap()
        .unwrap()
        .people
        .iter()
        .map(|p| p.id)
        .collect();
    store
        .add_user(
            &setup,
            NewUser {
                username: "farid".into(),
                display_name: "Farid (Abbey Gate)".into(),
                access: Access::new(
                    Role::GateOfficer,
                    Some(nation("FR")),
                    None,
                    Some(GATE.into()),
                )
                .unwrap(),
                password_hash: airbridge_web::password::hash(PASSWORD).unwrap(),
            },
        )
        .await
        .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = serve(store.clone(), listener);
    let base = format!("http://{address}");
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    // A phone's screen.
    let (_driver, client) = browser(&chromium, Some((390, 844))).await;

    // Log in; the gate page asks for a PIN and loads the list under it.
    client
        .goto(&format!("{base}/login?next=/gate"))
        .await
        .unwrap();
    fill(&client, "#username", "farid").await;
    fill(&client, "#password", PASSWORD).await;
    click_and_load(&client, "form[action='/login'] button").await;
    // A tap may return before the next page is there.
    wait_for(
        &client,
        "location.pathname === '/gate'",
        "the gate page after login",
    )
    .await;
    wait_for(
        &client,
        "!document.getElementById('pin-set').hidden",
        "the PIN form",
    )
    .await;
    fill(&client, "#pin-new", PIN).await;
    click(&client, "#pin-set-form button").await;
    wait_for(
        &client,
        "!document.getElementById('work').hidden",
        "the list loaded",
    )
    .await;
    let info = client.find(Locator::Css("#list-info")).await.unwrap();
    assert!(
        info.text().await.unwrap().contains("1 cases"),
        "{}",
        text_of(&client).await
    );
    // The service worker keeps the page for a reload without network.
    wait_for(
        &client,
        "window.__shell === true || (caches.match('/gate').then(r => { window.__shell = !!r; }), false)",
        "the page kept by the service worker",
    )
    .await;
    // What is stored is encrypted: a salt, and sealed boxes in which no name can be read.
    let stored = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const open = indexedDB.open('airbridge-gate', 1);
             open.onsuccess = () => {
               const all = open.result.transaction('vault').objectStore('vault').getAll();
               all.onsuccess = () => done(all.result.map(r => r instanceof Uint8Array
                 ? 'salt:' + r.length
                 : 'box:' + r.iv.length + ':' + new TextDecoder().decode(r.data)));
             };",
            vec![],
        )
        .await
        .unwrap();
    let stored: Vec<String> = serde_json::from_value(stored).unwrap();
    assert_eq!(
        stored.len(),
        3,
        "a salt, the list and the queue: {stored:?}"
    );
    assert!(stored.iter().any(|r| r == "salt:16"), "{stored:?}");
    for record in &stored {
        for secret in [PASHTO_NAME, "Gul", "Ahmad", "1400-0101", &code.hash()] {
            assert!(!record.contains(secret), "{secret} in clear: {record}");
        }
    }

    // The server goes away.
    server.stop().await;

    // The officer types the code (as read aloud: lower case, dashes) and admits the family,
    // naming the child at the gate.
    fill(&client, "#code", &code.to_string().to_lowercase()).await;
    click(&client, "#code-form button[type=submit]").await;
    wait_for(
        &client,
        "!document.getElementById('case').hidden",
        "the case card",
    )
    .await;
    let card = client
        .find(Locator::Css("#case"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        card.contains(PASHTO_NAME) && card.contains("Gul Ahmad"),
        "{card}"
    );
    assert!(
        card.contains("3 people") && card.contains("child") && !card.contains("null"),
        "{card}"
    );
    fill(&client, &format!("#name-{}", members[2].0), "Zarghuna").await;
    click(&client, "#admit").await;
    wait_for(
        &client,
        "document.getElementById('net').dataset.waiting === '1'",
        "the admission queued",
    )
    .await;
    let status = client
        .find(Locator::Css("#net"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains("1 action waiting to sync"), "{status}");
    // The screenshot shows the status line, the message and the case.
    client
        .execute("document.getElementById('net').scrollIntoView();", vec![])
        .await
        .unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(artifacts.join("gate-phone.png"), png).unwrap();
    println!("screenshot {}", artifacts.join("gate-phone.png").display());
    // Nothing reached the database.
    assert_eq!(
        store.get_person(members[0]).await.unwrap().unwrap().status,
        EvacuationStatus::CalledForward
    );

    // A reload with no server: the service worker gives the page, the PIN opens the list and
    // the queue again.
    client.goto(&format!("{base}/gate")).await.unwrap();
    wait_for(
        &client,
        "!document.getElementById('pin-ask').hidden",
        "the PIN asked again",
    )
    .await;
    fill(&client, "#pin", "000000").await;
    click(&client, "#pin-ask-form button").await;
    wait_for(
        &client,
        "document.querySelector('#pin-ask .notice') && document.querySelector('#pin-ask .notice').textContent === 'Wrong PIN.'",
        "a wrong PIN refused",
    )
    .await;
    fill(&client, "#pin", PIN).await;
    click(&client, "#pin-ask-form button").await;
    wait_for(
        &client,
        "!document.getElementById('work').hidden",
        "the list unlocked",
    )
    .await;
    wait_for(
        &client,
        "document.getElementById('net').dataset.waiting === '1'",
        "the queue kept across the reload",
    )
    .await;
    // Someone without their pass is found by name in the phone's list, in either script.
    for query in ["ګل", "gul ahm"] {
        client
            .execute("document.getElementById('search').value = '';", vec![])
            .await
            .unwrap();
        fill(&client, "#search", query).await;
        wait_for(
            &client,
            "document.querySelector('#results button') !== null",
            "a name search result",
        )
        .await;
        let found = client
            .find(Locator::Css("#results button"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            found.contains(PASHTO_NAME) && found.contains("Zarghuna"),
            "{query}: {found}"
        );
    }
    click(&client, "#results button").await;
    let card = client
        .find(Locator::Css("#case"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(card.contains("no pass shown"), "{card}");

    // The server comes back on the same address, with the same database; the page syncs.
    let mut listener = None;
    for _ in 0..50 {
        match tokio::net::TcpListener::bind(address).await {
            Ok(bound) => {
                listener = Some(bound);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    let server = serve(store.clone(), listener.expect("the port is free again"));
    wait_for(
        &client,
        "document.getElementById('net').dataset.waiting === '0' && document.getElementById('net').dataset.reachable === 'true'",
        "the queue synced",
    )
    .await;
    for member in &members {
        let record = store.get_person(*member).await.unwrap().unwrap();
        assert_eq!(record.status, EvacuationStatus::AtGate, "{member}");
        let history = store.status_history(*member).await.unwrap();
        assert_eq!(
            history
                .iter()
                .filter(|c| c.to == EvacuationStatus::AtGate)
                .count(),
            1
        );
    }
    let child = store.get_person(members[2]).await.unwrap().unwrap();
    assert_eq!(child.person.name.display(), "Zarghuna");
    let recorded = store
        .audit_list(&AuditFilter {
            entity_type: Some("pass".into()),
            entity_id: Some(pass.to_string()),
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "gate.check_in")
        .count();
    assert_eq!(recorded, 1, "the queued admission was recorded once");
    let stored_pass = store.pass_by_hash(&code.hash()).await.unwrap().unwrap();
    assert_eq!(stored_pass.used_gate.as_deref(), Some(GATE));

    client.close().await.unwrap();
    server.stop().await;
}

// --- flights: plan, open a flight, print its manifest ------------------------------------------

/// A system administrator logs in, builds the plan from the flights screen, opens the flight
/// the plan fills, sees its manifest (the Dari name right to left) and downloads the PDF
/// through the page's link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_plans_opens_a_flight_and_prints_its_manifest() {
    use airbridge_store::{AircraftTypeRecord, Configuration, FlightStore, NewFlight};
    let chromium = program(&["chromium", "chromium-browser", "google-chrome"]);
    let (store, _dir) = fresh_store(&[("FR", "France")]).await;
    let setup = Actor::new("test:setup");
    let case = store
        .add_cases(
            &setup,
            vec![NewCase {
                nation: nation("FR"),
                organisation: None,
                reference: None,
                eligibility: serde_json::from_value(
                    json!({ "bases": [ { "basis": "national" } ] }),
                )
                .unwrap(),
                progress: Default::default(),
                members: vec![
                    NewMember {
                        relation: Relation::Principal,
                        person: person(json!({ "name": { "full": DARI_NAME } })),
                    },
                    NewMember {
                        relation: Relation::Child,
                        person: person(
                            json!({ "name": { "given": "Zahra", "family": "Ahmadzai" } }),
                        ),
                    },
                ],
            }],
        )
        .await
        .unwrap()[0];
    for to in [
        EvacuationStatus::Eligible,
        EvacuationStatus::CalledForward,
        EvacuationStatus::AtGate,
        EvacuationStatus::Processed,
    ] {
        store
            .set_case_status(&setup, case, to, None, None)
            .await
            .unwrap();
    }
    store
        .set_aircraft_type(
            &setup,
            AircraftTypeRecord {
                name: "A400M".into(),
                seated_capacity: 116,
                floor_loaded_capacity: 200,
            },
        )
        .await
        .unwrap();
    let departs_at = from_now(time::Duration::hours(3));
    store
        .add_flights(
            &setup,
            vec![NewFlight {
                id: "FAF301".into(),
                nation: nation("FR"),
                aircraft: "A400M".into(),
                configuration: Configuration::Seated,
                departs_at,
                destination: "AUH".into(),
                carries: Vec::new(),
            }],
        )
        .await
        .unwrap();
    store
        .add_user(
            &setup,
            NewUser {
                username: "sofia".into(),
                display_name: "Sofia (coordination cell)".into(),
                access: Access::new(Role::SystemAdmin, None, None, None).unwrap(),
                password_hash: airbridge_web::password::hash(PASSWORD).unwrap(),
            },
        )
        .await
        .unwrap();
    let secret = totp::new_secret();
    store
        .set_user_totp(&setup, "sofia", Some(secret.clone()))
        .await
        .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let base = format!("http://{address}");
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let (_driver, client) = browser(&chromium, None).await;

    client.goto(&format!("{base}/login")).await.unwrap();
    fill(&client, "#username", "sofia").await;
    fill(&client, "#password", PASSWORD).await;
    click_and_load(&client, "form[action='/login'] button").await;
    let code = totp::code_at_step(&secret, totp::step_at(airbridge_web::now())).unwrap();
    fill(&client, "#code", &code).await;
    click_and_load(&client, "form[action='/login/totp'] button").await;
    wait_for(
        &client,
        "location.pathname === '/dashboard'",
        "the dashboard",
    )
    .await;

    // Build the plan from the flights screen.
    click_and_load(&client, "nav a[href='/flights']").await;
    let text = text_of(&client).await;
    assert!(text.contains("No plan is stored yet."), "{text}");
    click_and_load(&client, "form[action='/flights/plan'] button").await;
    let text = text_of(&client).await;
    assert!(
        text.contains("Plan stored: 1") && text.contains("people: 2"),
        "{text}"
    );
    let plan = store.current_plan().await.unwrap().unwrap();
    assert_eq!(plan.assignments.len(), 1);
    assert_eq!(plan.run.actor, "user:sofia");
    let screenshot = artifacts.join("flights.png");
    std::fs::write(&screenshot, client.screenshot().await.unwrap()).unwrap();
    println!("screenshot {}", screenshot.display());

    // Open the flight: its manifest, the Dari name laid out right to left.
    click_and_load(&client, "a[href='/flights/FAF301']").await;
    let text = text_of(&client).await;
    assert!(
        text.contains(DARI_NAME) && text.contains("Zahra Ahmadzai"),
        "{text}"
    );
    let direction = client
        .execute(
            "return getComputedStyle(document.querySelector('#manifest bdi[dir=rtl]')).direction",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(direction, json!("rtl"));
    let screenshot = artifacts.join("flight.png");
    std::fs::write(&screenshot, client.screenshot().await.unwrap()).unwrap();
    println!("screenshot {}", screenshot.display());

    // The page's PDF link yields the manifest, as the browser downloads it (same session).
    let fetched = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const link = document.querySelector('a[href$=\"manifest.pdf\"]');
             fetch(link.href).then(r => r.arrayBuffer().then(b => done([
               r.status, r.headers.get('content-type'),
               String.fromCharCode(...new Uint8Array(b.slice(0, 5))), b.byteLength])));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fetched[0], json!(200), "{fetched}");
    assert_eq!(fetched[1], json!("application/pdf"));
    assert_eq!(fetched[2], json!("%PDF-"));
    let printed = common::audited(&store, "manifest.print").await;
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0].actor, "user:sofia");

    client.close().await.unwrap();
}
