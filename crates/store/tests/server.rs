//! PostgreSQL as a server shared by several Airbridge instances, and what happens when it
//! fails. Each test starts its own server (some stop it on purpose).

use airbridge_domain::{NationCode, Person, PersonName};
use airbridge_store::testing::TestPostgres;
use airbridge_store::{
    Actor, JobOutcome, JobState, NewCase, NewMember, OpenMode, PersonQuery, PgStore, Store,
    StoreError,
};
use sqlx::Connection;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn fr() -> NationCode {
    NationCode::parse("FR").unwrap()
}

fn actor(name: &str) -> Actor {
    Actor::new(name)
}

fn person(given: &str) -> Person {
    Person {
        name: PersonName {
            given: Some(given.into()),
            family: Some("Karimi".into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

async fn server_with_database() -> (TestPostgres, String) {
    let server = TestPostgres::start().unwrap();
    let url = server.fresh_database().await.unwrap();
    (server, url)
}

/// Two instances on one database: a stale write is refused, concurrent writes keep one
/// unbroken audit chain, and each queued job runs exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_lose_no_update_and_run_each_job_once() {
    let (_server, url) = server_with_database().await;
    let one = PgStore::open(&url, OpenMode::CreateIfMissing)
        .await
        .unwrap();
    let two = PgStore::open(&url, OpenMode::MustExist).await.unwrap();
    one.add_nation(&actor("one"), fr(), "France").await.unwrap();

    // Both instances read version 1; the first write wins, the second is refused.
    let added = one
        .add_person(&actor("one"), fr(), person("Farid"))
        .await
        .unwrap();
    let seen_by_two = two.get_person(added.id).await.unwrap().unwrap();
    assert_eq!(seen_by_two.version, 1);
    one.update_person(&actor("one"), added.id, person("Farid Ahmad"), Some(1))
        .await
        .unwrap();
    let refused = two
        .update_person(
            &actor("two"),
            added.id,
            person("Fareed"),
            Some(seen_by_two.version),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            StoreError::Conflict {
                expected: 1,
                actual: 2,
                ..
            }
        ),
        "{refused}"
    );
    let now = two.get_person(added.id).await.unwrap().unwrap();
    assert_eq!(now.person.name.given.as_deref(), Some("Farid Ahmad"));

    // Both instances register people at once: every id is given once, the chain stays whole.
    let mut writers = Vec::new();
    for (name, store) in [("one", one.clone()), ("two", two.clone())] {
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for n in 0..25 {
                let record = store
                    .add_person(&actor(name), fr(), person(&format!("{name} {n}")))
                    .await
                    .unwrap();
                ids.push(record.id.0);
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for writer in writers {
        ids.extend(writer.await.unwrap());
    }
    ids.sort_unstable();
    assert_eq!(ids, (2..=51).collect::<Vec<i64>>());
    let verification = one.audit_verify().await.unwrap();
    assert_eq!(verification.broken_at, None);
    assert_eq!(verification.events, 1 + 1 + 1 + 50);

    // 200 jobs, two workers in each instance: each job is run by exactly one of them.
    for n in 0..200 {
        one.enqueue_job(&actor("one"), "screening", serde_json::json!({ "n": n }))
            .await
            .unwrap();
    }
    let mut workers = Vec::new();
    for (name, store) in [
        ("one-a", one.clone()),
        ("one-b", one.clone()),
        ("two-a", two.clone()),
        ("two-b", two.clone()),
    ] {
        workers.push(tokio::spawn(async move {
            let mut ran = Vec::new();
            while let Some(claim) = store
                .claim_job(name, Duration::from_secs(60))
                .await
                .unwrap()
            {
                // The work itself: long enough for the other workers to claim meanwhile.
                tokio::time::sleep(Duration::from_millis(2)).await;
                store
                    .finish_job(
                        &actor(name),
                        &claim,
                        JobOutcome::Done(serde_json::json!({ "by": name })),
                    )
                    .await
                    .unwrap();
                ran.push(claim.id);
            }
            (name, ran)
        }));
    }
    let mut runs: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    let mut per_instance: BTreeMap<&str, usize> = BTreeMap::new();
    for worker in workers {
        let (name, ran) = worker.await.unwrap();
        *per_instance.entry(&name[..3]).or_default() += ran.len();
        for id in ran {
            runs.entry(id).or_default().push(name);
        }
    }
    assert_eq!(runs.len(), 200, "every job ran");
    let twice: Vec<_> = runs.iter().filter(|(_, by)| by.len() > 1).collect();
    assert!(twice.is_empty(), "jobs run more than once: {twice:?}");
    assert!(
        per_instance.values().all(|&n| n > 0),
        "both instances worked: {per_instance:?}"
    );
    let jobs = two.list_jobs(None).await.unwrap();
    assert!(
        jobs.iter()
            .all(|job| job.state == JobState::Done && job.attempts == 1)
    );
    assert_eq!(one.audit_verify().await.unwrap().broken_at, None);
}

/// The server down at start, down during a call, and back during a call's retries.
#[tokio::test]
async fn an_unreachable_database_is_a_clear_error_and_a_restart_is_ridden_out() {
    let (server, url) = server_with_database().await;
    let store = PgStore::open(&url, OpenMode::CreateIfMissing)
        .await
        .unwrap();
    store
        .add_nation(&actor("test"), fr(), "France")
        .await
        .unwrap();
    server.stop().unwrap();

    let started = Instant::now();
    let error = PgStore::open(&url, OpenMode::MustExist).await.unwrap_err();
    assert!(matches!(error, StoreError::Open { .. }), "{error}");
    assert!(error.to_string().contains("cannot connect"), "{error}");
    assert!(
        error.to_string().contains("refused"),
        "the cause is named: {error}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "retried with backoff before giving up"
    );

    let error = store
        .add_person(&actor("test"), fr(), person("Lost"))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error}");
    assert!(error.to_string().contains("unreachable"), "{error}");

    // The server comes back while a call is retrying: the call goes through.
    let pending = tokio::spawn({
        let store = store.clone();
        async move {
            store
                .add_person(&actor("test"), fr(), person("Returned"))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.restart().unwrap();
    pending.await.unwrap().unwrap();
    let people = store.search_persons(&PersonQuery::default()).await.unwrap();
    let names: Vec<_> = people
        .iter()
        .map(|p| p.person.name.given.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Returned"], "the refused call left nothing behind");
    assert_eq!(store.audit_verify().await.unwrap().broken_at, None);
}

/// A write whose connection is cut in the middle of its transaction changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_cut_mid_write_leaves_nothing_half_applied() {
    let (_server, url) = server_with_database().await;
    let store = PgStore::open(&url, OpenMode::CreateIfMissing)
        .await
        .unwrap();
    store
        .add_nation(&actor("test"), fr(), "France")
        .await
        .unwrap();
    let cases: Vec<NewCase> = (0..3_000)
        .map(|n| NewCase {
            nation: fr(),
            organisation: None,
            reference: Some(format!("FR-{n}")),
            eligibility: Default::default(),
            members: vec![NewMember {
                relation: airbridge_domain::Relation::Principal,
                person: person(&format!("Principal {n}")),
            }],
            progress: Vec::new(),
        })
        .collect();
    let writer = tokio::spawn({
        let store = store.clone();
        let cases = cases.clone();
        async move { store.add_cases(&actor("test"), cases).await }
    });
    // Cut the session that holds the write lock, as a network failure would.
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut cut = 0;
    for _ in 0..2_000 {
        cut = sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_locks \
             WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()) cut",
        )
        .fetch_one(&mut admin)
        .await
        .unwrap();
        if cut > 0 || writer.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(cut, 1, "the writer was cut while it held the lock");
    let error = writer.await.unwrap().unwrap_err();
    assert!(
        matches!(error, StoreError::Unavailable(_) | StoreError::Database(_)),
        "{error}"
    );
    let persons: i64 = sqlx::query_scalar("SELECT count(*) FROM persons")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    let cases_stored: i64 = sqlx::query_scalar("SELECT count(*) FROM cases")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!((persons, cases_stored), (0, 0));
    let verification = store.audit_verify().await.unwrap();
    assert_eq!((verification.events, verification.broken_at), (1, None));
    // The same call again, on a fresh connection, goes through whole.
    assert_eq!(
        store.add_cases(&actor("test"), cases).await.unwrap().len(),
        3_000
    );
    assert_eq!(store.audit_verify().await.unwrap().broken_at, None);
}

/// A registry copied from SQLite onto PostgreSQL and back is the same registry: every table's
/// count and checksum agree, and the audit chain verifies on each target.
#[tokio::test]
async fn a_registry_copied_between_backends_verifies() {
    use airbridge_store::AnyStore;
    use airbridge_store::any::Location;
    let dir = tempfile::tempdir().unwrap();
    let laptop = AnyStore::open(
        &Location::Sqlite(dir.path().join("laptop.db")),
        OpenMode::CreateIfMissing,
    )
    .await
    .unwrap();
    laptop
        .add_nation(&actor("test"), fr(), "France")
        .await
        .unwrap();
    let cases: Vec<NewCase> = (0..50)
        .map(|n| NewCase {
            nation: fr(),
            organisation: None,
            reference: Some(format!("FR-{n}")),
            eligibility: Default::default(),
            members: vec![NewMember {
                relation: airbridge_domain::Relation::Principal,
                person: person(&format!("Principal {n}")),
            }],
            progress: Vec::new(),
        })
        .collect();
    laptop.add_cases(&actor("test"), cases).await.unwrap();
    laptop
        .purge_person(&actor("test"), airbridge_domain::PersonId(7), "duplicate")
        .await
        .unwrap();
    laptop
        .enqueue_job(&actor("test"), "dedup", serde_json::json!({}))
        .await
        .unwrap();

    let (_server, url) = server_with_database().await;
    let server = AnyStore::open(&Location::Postgres(url), OpenMode::CreateIfMissing)
        .await
        .unwrap();
    let report = laptop.copy_into(&server).await.unwrap();
    assert!(report.verified, "{report:?}");
    assert_eq!(report.audit.broken_at, None);
    let rows = |name: &str| report.tables.iter().find(|t| t.table == name).unwrap().rows;
    assert_eq!((rows("persons"), rows("cases"), rows("jobs")), (49, 50, 1));
    assert_eq!(
        laptop.summaries().await.unwrap(),
        server.summaries().await.unwrap()
    );
    let everyone = PersonQuery {
        limit: Some(1_000),
        ..Default::default()
    };
    assert_eq!(
        laptop.search_persons(&everyone).await.unwrap(),
        server.search_persons(&everyone).await.unwrap()
    );
    // The name index is not copied: the target builds its own, and finds the same people.
    let first = laptop.search_persons(&everyone).await.unwrap()[0]
        .person
        .name
        .display();
    let by_name = PersonQuery {
        text: Some(first.split_whitespace().next().unwrap().to_owned()),
        limit: Some(1_000),
        ..Default::default()
    };
    let found = laptop.search_persons(&by_name).await.unwrap();
    assert!(!found.is_empty());
    assert_eq!(found, server.search_persons(&by_name).await.unwrap());
    let candidates = |store: &AnyStore| {
        let store = store.clone();
        let first = first.clone();
        async move {
            let found = store.name_candidates(None, &first, 100).await.unwrap();
            found.into_iter().map(|c| c.id).collect::<Vec<_>>()
        }
    };
    assert!(!candidates(&laptop).await.is_empty());
    assert_eq!(candidates(&laptop).await, candidates(&server).await);
    // A target that holds data is refused.
    assert!(matches!(
        laptop.copy_into(&server).await,
        Err(StoreError::Invalid(_))
    ));
    // And back into a new file.
    let back = AnyStore::open(
        &Location::Sqlite(dir.path().join("back.db")),
        OpenMode::CreateIfMissing,
    )
    .await
    .unwrap();
    assert!(server.copy_into(&back).await.unwrap().verified);
    assert_eq!(
        laptop.summaries().await.unwrap(),
        back.summaries().await.unwrap()
    );
    assert_eq!(found, back.search_persons(&by_name).await.unwrap());
    assert_eq!(candidates(&laptop).await, candidates(&back).await);
}
