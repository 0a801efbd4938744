//! The store contract: behaviour every backend must show. Every test runs twice, against SQLite
//! (a file in a temporary directory) and against PostgreSQL (a database of its own on a server
//! these tests start: see `airbridge_store::testing`); `contract_tests!` at the end lists them.

use airbridge_domain::{
    Access, AtRiskCategory, Document, DocumentKind, Eligibility, EligibilityBasis,
    EvacuationStatus, NationCode, OrganisationId, OrganisationKind, PartialDate, Person, PersonId,
    PersonName, Relation, Role,
};
use airbridge_store::any::Location;
use airbridge_store::testing::TestPostgres;
use airbridge_store::{
    Actor, AnyStore, AuditFilter, CallForwardRequest, CaseQuery, CheckIn, CheckInOutcome,
    FailedLogin, GateAction, GateEvent, LiveCount, LockoutPolicy, LoginAttempt, MessageState,
    NewCase, NewMember, NewMessage, NewPass, NewSession, NewUser, OpenMode, PassState, PersonQuery,
    Refusal, StatusRequest, Store, StoreError,
};
use sqlx::Connection;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// One PostgreSQL server for the whole test binary; each test gets a fresh database on it.
fn postgres() -> &'static TestPostgres {
    static SERVER: OnceLock<TestPostgres> = OnceLock::new();
    SERVER
        .get_or_init(|| TestPostgres::start().expect("the PostgreSQL contract tests need a server"))
}

/// The SQLite files are encrypted, as the binary writes them, with this test key.
const TEST_KEY: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

async fn open(location: &Location, mode: OpenMode) -> Result<AnyStore, StoreError> {
    let key = airbridge_store::DatabaseKey::parse(TEST_KEY).unwrap();
    let store = AnyStore::open_with(location, mode, &airbridge_store::Encryption::Key(key)).await?;
    OPENED.with(|opened| opened.borrow_mut().push(store.clone()));
    Ok(store)
}

std::thread_local! {
    /// The stores a test opened (each test runs on a thread of its own).
    static OPENED: std::cell::RefCell<Vec<AnyStore>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Closes every store the test opened before it ends. A store merely dropped closes its
/// connections on their own threads, and one still closing when the test binary exits can
/// race SQLCipher's clean-up at exit (a CI run crashed so, SIGSEGV, after every test passed).
async fn close_opened() {
    for store in OPENED.with(|opened| std::mem::take(&mut *opened.borrow_mut())) {
        store.close().await;
    }
}

struct Fixture {
    store: AnyStore,
    location: Location,
    /// Keeps a SQLite file's directory alive for the test.
    dir: tempfile::TempDir,
}

async fn fresh(backend: Backend) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let location = match backend {
        Backend::Sqlite => Location::Sqlite(dir.path().join("test.db")),
        Backend::Postgres => Location::Postgres(postgres().fresh_database().await.unwrap()),
    };
    let store = open(&location, OpenMode::CreateIfMissing).await.unwrap();
    Fixture {
        store,
        location,
        dir,
    }
}

/// A connection around the store, as someone with the database's credentials has.
enum Raw {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Fixture {
    async fn raw(&self) -> Raw {
        Raw::connect(&self.location).await
    }

    async fn audit_count(&self) -> usize {
        self.store
            .audit_list(&AuditFilter {
                limit: Some(100_000),
                ..Default::default()
            })
            .await
            .unwrap()
            .len()
    }
}

impl Raw {
    async fn connect(location: &Location) -> Raw {
        match location {
            Location::Sqlite(path) => Raw::Sqlite(
                sqlx::SqliteConnection::connect_with(
                    &sqlx::sqlite::SqliteConnectOptions::new()
                        .filename(path)
                        .create_if_missing(true)
                        .pragma("key", format!("\"x'{TEST_KEY}'\"")),
                )
                .await
                .unwrap(),
            ),
            Location::Postgres(url) => {
                Raw::Postgres(sqlx::PgConnection::connect(url).await.unwrap())
            }
        }
    }

    async fn close(self) {
        match self {
            Raw::Sqlite(connection) => connection.close().await.unwrap(),
            Raw::Postgres(connection) => connection.close().await.unwrap(),
        }
    }

    async fn execute(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Raw::Sqlite(connection) => sqlx::raw_sql(sql).execute(connection).await.map(drop),
            Raw::Postgres(connection) => sqlx::raw_sql(sql).execute(connection).await.map(drop),
        }
    }

    /// A count, with one text parameter.
    /// Whether the name index holds `key` for `person` of France, read in the backend's own
    /// table: 1 or 0.
    async fn name_index_entries(&mut self, person: PersonId, key: &str) -> i64 {
        match self {
            Raw::Sqlite(connection) => {
                let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
                sqlx::query_scalar(
                    "SELECT count(*) FROM person_terms WHERE person_terms MATCH $1 AND rowid = $2",
                )
                .bind(format!("\"fr{hex}\""))
                .bind(person.0)
                .fetch_one(connection)
                .await
                .unwrap()
            }
            Raw::Postgres(connection) => sqlx::query_scalar(
                "SELECT count(*) FROM person_keys WHERE key = $1 AND nation = 'FR' AND person_id = $2",
            )
            .bind(key)
            .bind(person.0)
            .fetch_one(connection)
            .await
            .unwrap(),
        }
    }

    async fn count(&mut self, sql: &'static str, parameter: &str) -> i64 {
        match self {
            Raw::Sqlite(connection) => sqlx::query_scalar(sql)
                .bind(parameter)
                .fetch_one(connection)
                .await
                .unwrap(),
            Raw::Postgres(connection) => sqlx::query_scalar(sql)
                .bind(parameter)
                .fetch_one(connection)
                .await
                .unwrap(),
        }
    }

    async fn table_exists(&mut self, table: &str) -> bool {
        match self {
            Raw::Sqlite(_) => {
                self.count(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                    table,
                )
                .await
                    > 0
            }
            Raw::Postgres(_) => {
                self.count(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1",
                    table,
                )
                .await
                    > 0
            }
        }
    }

    /// What an attacker with the database's credentials does first.
    async fn drop_audit_triggers(&mut self) {
        let sql = match self {
            Raw::Sqlite(_) => {
                "DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_events_redact_only;"
            }
            Raw::Postgres(_) => {
                "DROP TRIGGER audit_events_no_delete ON audit_events; \
                 DROP TRIGGER audit_events_redact_only ON audit_events;"
            }
        };
        self.execute(sql).await.unwrap();
    }
}

fn fr() -> NationCode {
    NationCode::parse("FR").unwrap()
}
fn de() -> NationCode {
    NationCode::parse("DE").unwrap()
}
fn actor() -> Actor {
    Actor::new("test:officer")
}

fn person(given: &str, family: &str) -> Person {
    Person {
        name: PersonName {
            given: Some(given.into()),
            family: Some(family.into()),
            ..Default::default()
        },
        birth_date: Some(PartialDate::parse("1365", None).unwrap()),
        documents: vec![Document::new(DocumentKind::Tazkira, "1400-0101-12345", None).unwrap()],
        ..Default::default()
    }
}

fn family_case(reference: &str) -> NewCase {
    NewCase {
        nation: fr(),
        organisation: None,
        reference: Some(reference.into()),
        eligibility: Eligibility {
            bases: vec![EligibilityBasis::AtRisk {
                category: AtRiskCategory::Journalist,
                reason: "threatened for reporting".into(),
            }],
        },
        members: vec![
            NewMember {
                relation: Relation::Principal,
                person: person("Mohammad Hashem", "Ahmadzai"),
            },
            NewMember {
                relation: Relation::Spouse,
                person: Person {
                    name: PersonName::unnamed("wife of principal"),
                    ..Default::default()
                },
            },
            NewMember {
                relation: Relation::Child,
                person: Person {
                    name: PersonName::unnamed("child 3"),
                    ..Default::default()
                },
            },
        ],
        progress: Vec::new(),
    }
}

async fn with_nations(fixture: &Fixture) {
    fixture
        .store
        .add_nation(&actor(), fr(), "France")
        .await
        .unwrap();
    fixture
        .store
        .add_nation(&actor(), de(), "Germany")
        .await
        .unwrap();
}

async fn check_actions(s: &AnyStore, expected: &[&str]) {
    let events = s
        .audit_list(&AuditFilter {
            limit: Some(10_000),
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, expected);
    assert!(events.iter().all(|e| e.actor == "test:officer"));
}

/// Walks every mutating store call and checks that each writes exactly the audit events it
/// should, with the right action, and that the chain verifies afterwards.
async fn every_mutation_writes_its_audit_event(backend: Backend) {
    let f = fresh(backend).await;
    let s = &f.store;
    let a = actor();
    let mut expected: Vec<&str> = Vec::new();

    s.add_nation(&a, fr(), "France").await.unwrap();
    expected.push("nation.add");
    check_actions(s, &expected).await;

    assert_eq!(s.export_limit(fr()).await.unwrap(), 500);
    s.set_export_limit(&a, fr(), 150).await.unwrap();
    assert_eq!(s.export_limit(fr()).await.unwrap(), 150);
    expected.push("nation.settings");
    check_actions(s, &expected).await;

    let org = s
        .add_organisation(&a, fr(), "Embassy of France", OrganisationKind::Embassy)
        .await
        .unwrap();
    expected.push("organisation.add");
    check_actions(s, &expected).await;

    let alone = s
        .add_person(&a, fr(), person("Zarmina", "Sadat"))
        .await
        .unwrap();
    expected.push("person.add");
    check_actions(s, &expected).await;

    s.update_person(
        &a,
        alone.id,
        person("Zarmina", "Saadat"),
        Some(alone.version),
    )
    .await
    .unwrap();
    expected.push("person.update");
    check_actions(s, &expected).await;

    let mut case = family_case("FR-001");
    case.organisation = Some(org.id);
    let ids = s.add_cases(&a, vec![case]).await.unwrap();
    expected.extend(["person.add", "person.add", "person.add", "case.add"]);
    check_actions(s, &expected).await;

    s.add_case_member(&a, ids[0], alone.id, Relation::Sibling)
        .await
        .unwrap();
    expected.push("case.add_member");
    check_actions(s, &expected).await;

    s.set_eligibility(
        &a,
        ids[0],
        Eligibility {
            bases: vec![EligibilityBasis::National],
        },
        None,
    )
    .await
    .unwrap();
    expected.push("case.eligibility");
    check_actions(s, &expected).await;

    s.set_status(
        &a,
        StatusRequest {
            person: alone.id,
            to: EvacuationStatus::Eligible,
            reason: None,
            location: None,
            expected_version: None,
        },
    )
    .await
    .unwrap();
    expected.push("person.status");
    check_actions(s, &expected).await;

    // The case has 4 members now; one is already eligible, so move the others first.
    let case = s.get_case(ids[0]).await.unwrap().unwrap();
    for member in case.case.members.iter().filter(|m| m.person != alone.id) {
        s.set_status(
            &a,
            StatusRequest {
                person: member.person,
                to: EvacuationStatus::Eligible,
                reason: None,
                location: None,
                expected_version: None,
            },
        )
        .await
        .unwrap();
        expected.push("person.status");
    }
    s.set_case_status(
        &a,
        ids[0],
        EvacuationStatus::CalledForward,
        None,
        Some("Abbey Gate".into()),
    )
    .await
    .unwrap();
    expected.extend(["person.status"; 4]);
    check_actions(s, &expected).await;

    s.create_api_token(&a, "gate-phone-1", Some(fr()))
        .await
        .unwrap();
    expected.push("token.create");
    check_actions(s, &expected).await;

    s.purge_person(&a, alone.id, "registered by mistake")
        .await
        .unwrap();
    expected.push("person.purge");
    check_actions(s, &expected).await;

    // Accounts changed by an administrator.
    s.create_token(&a, "gate-officer-1", &gate_officer_access())
        .await
        .unwrap();
    expected.push("token.create");
    s.add_user(&a, new_user("amelie", caseworker_access()))
        .await
        .unwrap();
    expected.push("user.add");
    s.set_user_totp(&a, "amelie", Some("JBSWY3DPEHPK3PXP".into()))
        .await
        .unwrap();
    expected.push("user.totp_enrol");
    s.set_user_totp(&a, "amelie", None).await.unwrap();
    expected.push("user.totp_reset");
    s.set_user_disabled(&a, "amelie", true).await.unwrap();
    expected.push("user.disable");
    s.set_user_disabled(&a, "amelie", false).await.unwrap();
    expected.push("user.enable");
    s.unlock_user(&a, "amelie").await.unwrap();
    expected.push("user.unlock");
    check_actions(s, &expected).await;

    let verification = s.audit_verify().await.unwrap();
    assert_eq!(verification.broken_at, None);
    assert_eq!(verification.events, expected.len() as i64);
}

async fn a_failed_call_changes_nothing(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let before = f.audit_count().await;

    // The second case names an organisation that does not exist: neither case is written.
    let mut bad = family_case("FR-002");
    bad.organisation = Some(airbridge_domain::OrganisationId(999));
    let err = f
        .store
        .add_cases(&actor(), vec![family_case("FR-001"), bad])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                entity: "organisation",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(f.audit_count().await, before);
    let people = f
        .store
        .search_persons(&PersonQuery::default())
        .await
        .unwrap();
    assert!(people.is_empty());
    let cases = f.store.list_cases(&CaseQuery::default()).await.unwrap();
    assert!(cases.is_empty());

    // A case with two principals is refused before anything is written.
    let mut two = family_case("FR-003");
    two.members[1].relation = Relation::Principal;
    assert!(matches!(
        f.store.add_cases(&actor(), vec![two]).await,
        Err(StoreError::Invalid(_))
    ));
    // A nation that was never added.
    let mut unknown = family_case("US-1");
    unknown.nation = NationCode::parse("US").unwrap();
    assert!(matches!(
        f.store.add_cases(&actor(), vec![unknown]).await,
        Err(StoreError::NotFound {
            entity: "nation",
            ..
        })
    ));
    assert_eq!(f.audit_count().await, before);
}

async fn illegal_status_changes_are_refused_and_leave_no_trace(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let p = f
        .store
        .add_person(&actor(), fr(), person("Ahmad", "Shah"))
        .await
        .unwrap();
    let before = f.audit_count().await;
    let request = |to| StatusRequest {
        person: p.id,
        to,
        reason: None,
        location: None,
        expected_version: None,
    };
    let err = f
        .store
        .set_status(&actor(), request(EvacuationStatus::Boarded))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Transition(_)), "{err}");
    assert!(err.to_string().contains("registered"));
    // Denial needs a reason.
    f.store
        .set_status(&actor(), request(EvacuationStatus::Eligible))
        .await
        .unwrap();
    f.store
        .set_status(&actor(), request(EvacuationStatus::CalledForward))
        .await
        .unwrap();
    f.store
        .set_status(&actor(), request(EvacuationStatus::AtGate))
        .await
        .unwrap();
    assert!(
        f.store
            .set_status(&actor(), request(EvacuationStatus::Denied))
            .await
            .is_err()
    );
    let history = f.store.status_history(p.id).await.unwrap();
    let path: Vec<_> = history.iter().map(|c| (c.from, c.to)).collect();
    assert_eq!(
        path,
        vec![
            (EvacuationStatus::Registered, EvacuationStatus::Eligible),
            (EvacuationStatus::Eligible, EvacuationStatus::CalledForward),
            (EvacuationStatus::CalledForward, EvacuationStatus::AtGate),
        ]
    );
    assert_eq!(f.audit_count().await, before + 3);
    let stored = f.store.get_person(p.id).await.unwrap().unwrap();
    assert_eq!(stored.status, EvacuationStatus::AtGate);

    // A case moves whole or not at all.
    let ids = f
        .store
        .add_cases(&actor(), vec![family_case("FR-9")])
        .await
        .unwrap();
    let case = f.store.get_case(ids[0]).await.unwrap().unwrap();
    f.store
        .set_status(
            &actor(),
            StatusRequest {
                person: case.case.members[0].person,
                to: EvacuationStatus::Eligible,
                reason: None,
                location: None,
                expected_version: None,
            },
        )
        .await
        .unwrap();
    let err = f
        .store
        .set_case_status(
            &actor(),
            ids[0],
            EvacuationStatus::CalledForward,
            None,
            None,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot move"), "{err}");
    let after = f.store.get_case(ids[0]).await.unwrap().unwrap();
    assert_eq!(after.people[0].status, EvacuationStatus::Eligible);
    assert_eq!(after.people[1].status, EvacuationStatus::Registered);
}

async fn stale_writes_are_refused_with_a_conflict(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let p = f
        .store
        .add_person(&actor(), fr(), person("Ahmad", "Shah"))
        .await
        .unwrap();
    let updated = f
        .store
        .update_person(
            &actor(),
            p.id,
            person("Ahmad", "Shah Massoud"),
            Some(p.version),
        )
        .await
        .unwrap();
    assert_eq!(updated.version, p.version + 1);
    let err = f
        .store
        .update_person(&actor(), p.id, person("Ahmad", "Other"), Some(p.version))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 1,
                actual: 2,
                ..
            }
        ),
        "{err}"
    );
    let stored = f.store.get_person(p.id).await.unwrap().unwrap();
    assert_eq!(stored.person.name.family.as_deref(), Some("Shah Massoud"));
}

async fn cases_keep_their_members_and_unnamed_dependents(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let ids = f
        .store
        .add_cases(&actor(), vec![family_case("FR-1")])
        .await
        .unwrap();
    let case = f.store.get_case(ids[0]).await.unwrap().unwrap();
    assert_eq!(case.case.size(), 3);
    assert_eq!(case.case.principal(), Some(case.people[0].id));
    assert_eq!(case.people[2].person.name.display(), "[child 3]");
    assert_eq!(case.people[2].relation, Some(Relation::Child));
    assert_eq!(case.eligibility.bases.len(), 1);
    let found = f
        .store
        .search_persons(&PersonQuery {
            text: Some("hashem ahmad".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let by_status = f
        .store
        .search_persons(&PersonQuery {
            nation: Some(de()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(by_status.is_empty());
    let totals = f.store.totals().await.unwrap();
    assert_eq!(totals.len(), 1);
    assert_eq!(totals[0].people, 3);
}

async fn audit_verify_detects_altered_removed_and_reordered_events(backend: Backend) {
    for sabotage in [
        "UPDATE audit_events SET actor = 'someone else' WHERE seq = 2",
        "UPDATE audit_events SET after = '{\"code\":\"DE\",\"name\":\"Austria\"}' WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 2",
        "UPDATE audit_events SET seq = seq + 100 WHERE seq = 1",
    ] {
        let f = fresh(backend).await;
        with_nations(&f).await;
        f.store
            .add_person(&actor(), fr(), person("Ahmad", "Shah"))
            .await
            .unwrap();
        assert_eq!(f.store.audit_verify().await.unwrap().broken_at, None);
        let mut raw = f.raw().await;
        // The triggers stop an honest mistake; an attacker with the database drops them first.
        raw.execute(sabotage).await.unwrap_err();
        raw.drop_audit_triggers().await;
        raw.execute(sabotage).await.unwrap();
        let verification = f.store.audit_verify().await.unwrap();
        assert!(verification.broken_at.is_some(), "not detected: {sabotage}");
    }
}

async fn purge_erases_personal_data_but_keeps_the_chain(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let p = f
        .store
        .add_person(&actor(), fr(), person("Zarmina", "Sadat"))
        .await
        .unwrap();
    assert!(f.store.purge_person(&actor(), p.id, " ").await.is_err());
    f.store
        .purge_person(&actor(), p.id, "duplicate entry")
        .await
        .unwrap();
    assert!(f.store.get_person(p.id).await.unwrap().is_none());
    let events = f
        .store
        .audit_list(&AuditFilter {
            entity_id: Some(p.id.to_string()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert!(
        events[0].after.is_none(),
        "the add event's payload is redacted"
    );
    assert_eq!(events[1].action, "person.purge");
    assert_eq!(f.store.audit_verify().await.unwrap().broken_at, None);
    let mut raw = f.raw().await;
    let leftovers = raw
        .count(
            "SELECT count(*) FROM audit_events WHERE coalesce(after, '') LIKE $1",
            "%Zarmina%",
        )
        .await;
    assert_eq!(leftovers, 0);
    assert!(matches!(
        f.store
            .purge_person(&actor(), PersonId(p.id.0), "again")
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn api_tokens_are_checked_by_hash_and_never_stored(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let secret = f
        .store
        .create_api_token(&actor(), "gate-1", Some(fr()))
        .await
        .unwrap();
    let owner = f.store.check_api_token(&secret).await.unwrap().unwrap();
    assert_eq!(owner.name, "gate-1");
    assert_eq!(owner.access, Access::legacy_token(Some(fr())));
    assert_eq!(owner.access.role(), Role::NationAdmin);
    assert!(f.store.check_api_token("ab_wrong").await.unwrap().is_none());
    assert!(matches!(
        f.store.create_api_token(&actor(), "gate-1", None).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let mut raw = f.raw().await;
    let stored = raw
        .count(
            "SELECT count(*) FROM api_tokens WHERE token_hash = $1",
            &secret,
        )
        .await;
    assert_eq!(stored, 0);
}

async fn reopening_keeps_data_and_integrity(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    f.store
        .add_cases(&actor(), vec![family_case("FR-1")])
        .await
        .unwrap();
    f.store.close().await;
    let again = open(&f.location, OpenMode::MustExist).await.unwrap();
    assert_eq!(again.list_nations().await.unwrap().len(), 2);
    assert_eq!(
        again.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
    let missing = match backend {
        Backend::Sqlite => Location::Sqlite(f.dir.path().join("missing.db")),
        // An empty database is the PostgreSQL form of a missing file.
        Backend::Postgres => Location::Postgres(postgres().fresh_database().await.unwrap()),
    };
    assert!(matches!(
        open(&missing, OpenMode::MustExist).await,
        Err(StoreError::Open { .. })
    ));
}

/// Ids of the people `name_candidates` finds for `text` in `nation`.
async fn candidates(s: &AnyStore, nation: Option<NationCode>, text: &str) -> Vec<PersonId> {
    let found = s.name_candidates(nation, text, 100).await.unwrap();
    let ids: Vec<PersonId> = found.iter().map(|c| c.id).collect();
    // Each candidate comes with the names to score, as the person's search text has them.
    for (candidate, person) in found.iter().zip(s.get_persons(&ids).await.unwrap()) {
        assert_eq!(candidate.id, person.id);
        assert_eq!(
            candidate.names,
            person.person.name.searchable().to_lowercase()
        );
    }
    ids
}

/// Ids of the people whose names begin with the words of `text`.
async fn by_words(s: &AnyStore, text: &str) -> Vec<PersonId> {
    s.search_persons(&PersonQuery {
        text: Some(text.into()),
        ..Default::default()
    })
    .await
    .unwrap()
    .iter()
    .map(|r| r.id)
    .collect()
}

async fn the_name_index_finds_names_in_any_script_and_follows_every_change(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    let zahra = s
        .add_person(&actor(), fr(), person("Zahra", "Hosseini"))
        .await
        .unwrap()
        .id;
    let hashem = s
        .add_person(&actor(), fr(), person("محمد هاشم", "احمدزی"))
        .await
        .unwrap()
        .id;
    let karim = s
        .add_person(&actor(), de(), person("Abdul Karim", "Rahimi"))
        .await
        .unwrap()
        .id;
    // Another spelling, or the other script, shares a key; an unrelated name does not.
    assert_eq!(candidates(s, None, "زهرا حسینی").await, vec![zahra]);
    assert_eq!(
        candidates(s, None, "Muhammad Hashim Ahmadzai").await,
        vec![hashem]
    );
    // Sharing two keys or more ranks a person before those sharing one.
    let ranked = s
        .name_candidates(None, "Muhammad Hashim Ahmadzai", 10)
        .await
        .unwrap();
    assert!(ranked[0].shared >= 1, "{ranked:?}");
    assert_eq!(candidates(s, None, "Karim Rahimi").await, vec![karim]);
    assert!(candidates(s, None, "Olaf Scholz").await.is_empty());
    assert!(candidates(s, None, "   ").await.is_empty());
    // A familiar form of a given name finds the full one (Bill: William).
    let william = s
        .add_person(&actor(), de(), person("William", "Barakzai"))
        .await
        .unwrap()
        .id;
    assert_eq!(candidates(s, None, "Bill").await, vec![william]);
    // The nation wall holds in the index too.
    assert!(candidates(s, Some(fr()), "Karim Rahimi").await.is_empty());
    assert_eq!(candidates(s, Some(de()), "Karim Rahimi").await, vec![karim]);
    // Word search: each word begins a word of the names, in any case and script.
    assert_eq!(by_words(s, "ZAH hoss").await, vec![zahra]);
    assert_eq!(by_words(s, "هاشم").await, vec![hashem]);
    assert!(by_words(s, "ahra").await.is_empty(), "not inside a word");
    assert!(
        by_words(s, "zahra karim").await.is_empty(),
        "every word must match"
    );
    // Characters that mean something to LIKE mean nothing here.
    assert!(by_words(s, "%").await.is_empty());
    assert!(by_words(s, "_").await.is_empty());

    // A renamed person is found by the new name only.
    s.update_person(&actor(), zahra, person("Zahra", "Karimi"), None)
        .await
        .unwrap();
    assert!(by_words(s, "hosseini").await.is_empty());
    assert_eq!(by_words(s, "karimi").await, vec![zahra]);
    assert_eq!(candidates(s, Some(fr()), "Karimi").await, vec![zahra]);
    // A purged person leaves no key behind.
    let mut raw = f.raw().await;
    assert_eq!(raw.name_index_entries(hashem, "w:احمدزی").await, 1);
    s.purge_person(&actor(), hashem, "registered twice")
        .await
        .unwrap();
    assert!(
        candidates(s, None, "Mohammad Hashem Ahmadzai")
            .await
            .is_empty()
    );
    assert_eq!(raw.name_index_entries(hashem, "w:احمدزی").await, 0);
    // An index made by another names engine (or lost) is rebuilt on opening.
    let lose_index = match raw {
        Raw::Sqlite(_) => "INSERT INTO person_terms (person_terms) VALUES ('delete-all')",
        Raw::Postgres(_) => "DELETE FROM person_keys",
    };
    raw.execute(&format!(
        "{lose_index}; UPDATE name_index SET fingerprint = 'older engine'"
    ))
    .await
    .unwrap();
    assert!(by_words(s, "karimi").await.is_empty());
    f.store.close().await;
    let again = open(&f.location, OpenMode::MustExist).await.unwrap();
    assert_eq!(by_words(&again, "karimi").await, vec![zahra]);
    assert_eq!(candidates(&again, None, "زهرا کریمی").await, vec![zahra]);
    let mut both = candidates(&again, None, "Karim Rahimi").await;
    both.sort();
    assert_eq!(both, vec![zahra, karim]);
    assert_eq!(
        again.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
    // Closed here rather than by their threads after the test: a connection still closing
    // when the process exits can race OpenSSL's own clean-up at exit.
    again.close().await;
    raw.close().await;
}

fn import_member(
    key: &str,
    fingerprint: &str,
    relation: Relation,
    given: &str,
) -> airbridge_store::ImportMember {
    airbridge_store::ImportMember {
        row_key: key.into(),
        fingerprint: fingerprint.into(),
        relation,
        person: person(given, "Ahmadzai"),
        extra: vec![("Remarks".into(), format!("row {key}"))],
    }
}

fn import_batch(
    cases: Vec<airbridge_store::ImportCase>,
    rejected: Vec<airbridge_store::QuarantineRow>,
) -> airbridge_store::ImportBatch {
    airbridge_store::ImportBatch {
        nation: fr(),
        organisation: None,
        source: "embassy-list.xlsx".into(),
        cases,
        rejected,
    }
}

fn rejected_row(key: &str, fingerprint: &str) -> airbridge_store::QuarantineRow {
    airbridge_store::QuarantineRow {
        row_key: key.into(),
        sheet: Some("Sheet1".into()),
        line: 9,
        fingerprint: fingerprint.into(),
        raw: vec![("Family ID".into(), "F9".into())],
        issues: serde_json::json!([{ "message": "no name" }]),
    }
}

async fn importing_twice_creates_nothing_and_corrections_update_only_what_changed(
    backend: Backend,
) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let family = |principal_fp: &str, extra: bool| {
        let mut members = vec![
            import_member("F1#1", principal_fp, Relation::Principal, "Hashem"),
            import_member("F1#2", "b", Relation::Spouse, "Fatima"),
        ];
        if extra {
            members.push(import_member("F1#3", "c", Relation::Child, "Ali"));
        }
        airbridge_store::ImportCase {
            reference: Some("F1".into()),
            eligibility: Eligibility::default(),
            members,
        }
    };
    let first = f
        .store
        .import_list(
            &actor(),
            import_batch(vec![family("a", false)], vec![rejected_row("F9#1", "z")]),
        )
        .await
        .unwrap();
    assert_eq!(
        (first.people_created, first.cases_created, first.quarantined),
        (2, 1, 1)
    );

    let again = f
        .store
        .import_list(
            &actor(),
            import_batch(vec![family("a", false)], vec![rejected_row("F9#1", "z")]),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            again.people_created,
            again.cases_created,
            again.people_unchanged,
            again.quarantined
        ),
        (0, 0, 2, 0)
    );

    // The corrected file: the principal's row changed, a child was added, the bad row fixed.
    let mut fixed = family("a2", true);
    fixed.members[0].person = person("Hashim", "Ahmadzai");
    let fixed_row = airbridge_store::ImportCase {
        reference: Some("F9".into()),
        eligibility: Eligibility::default(),
        members: vec![import_member("F9#1", "y", Relation::Principal, "Karim")],
    };
    let corrected = f
        .store
        .import_list(&actor(), import_batch(vec![fixed, fixed_row], vec![]))
        .await
        .unwrap();
    assert_eq!(corrected.people_updated.len(), 1);
    assert_eq!(corrected.people_created, 2);
    assert_eq!(corrected.cases_created, 1);
    assert_eq!(corrected.quarantine_resolved, 1);
    let updated = f
        .store
        .get_person(corrected.people_updated[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.person.name.given.as_deref(), Some("Hashim"));
    let case = f
        .store
        .get_case(updated.case.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        case.case.size(),
        3,
        "the new child joined the family's case"
    );
    assert!(
        f.store
            .list_quarantine(Some(fr()), false)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        f.store
            .list_quarantine(Some(fr()), true)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(f.store.audit_verify().await.unwrap().broken_at, None);
    assert!(f.store.integrity_problems().await.unwrap().is_empty());
}

async fn a_failing_import_writes_nothing(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let before = f.audit_count().await;
    let bad = airbridge_store::ImportCase {
        reference: None,
        eligibility: Eligibility::default(),
        members: vec![airbridge_store::ImportMember {
            row_key: "2".into(),
            fingerprint: "x".into(),
            relation: Relation::Principal,
            person: Person::default(), // no name: refused by the store
            extra: Vec::new(),
        }],
    };
    let good = airbridge_store::ImportCase {
        reference: None,
        eligibility: Eligibility::default(),
        members: vec![import_member("1", "w", Relation::Principal, "Ahmad")],
    };
    assert!(
        f.store
            .import_list(&actor(), import_batch(vec![good, bad], vec![]))
            .await
            .is_err()
    );
    assert_eq!(f.audit_count().await, before);
    assert!(
        f.store
            .search_persons(&PersonQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
}

fn hit(
    person: PersonId,
    entry: &str,
    entry_fp: &str,
    person_fp: &str,
    list_id: i64,
) -> airbridge_store::NewHit {
    airbridge_store::NewHit {
        person,
        list_id,
        entry_ref: entry.into(),
        listed_name: "ABDUL AZIZ ABBASIN".into(),
        score: 0.93,
        explanation: serde_json::json!({ "name": "aligned" }),
        entry_fingerprint: entry_fp.into(),
        person_fingerprint: person_fp.into(),
    }
}

async fn screening_hits_are_reviewed_remembered_and_block_manifests(backend: Backend) {
    use airbridge_store::HitDecision;
    let f = fresh(backend).await;
    with_nations(&f).await;
    let (list, new) = f
        .store
        .store_list(
            &actor(),
            airbridge_store::NewList {
                source: "un".into(),
                version_date: Some("2026-05-08".into()),
                sha256: "abc".into(),
                entries: 1,
                content: "{}".into(),
            },
        )
        .await
        .unwrap();
    assert!(new);
    let (_, again) = f
        .store
        .store_list(
            &actor(),
            airbridge_store::NewList {
                source: "un".into(),
                version_date: Some("2026-05-08".into()),
                sha256: "abc".into(),
                entries: 1,
                content: "{}".into(),
            },
        )
        .await
        .unwrap();
    assert!(!again, "the same file loads once");
    assert_eq!(f.store.latest_lists().await.unwrap().len(), 1);

    let a = f
        .store
        .add_person(&actor(), fr(), person("Abdul Aziz", "Abbasin"))
        .await
        .unwrap();
    let b = f
        .store
        .add_person(&actor(), fr(), person("Abdulaziz", "Abasin"))
        .await
        .unwrap();
    assert_eq!(
        f.store
            .record_hits(
                &actor(),
                vec![
                    hit(a.id, "TAi.155", "e1", "p1", list.id),
                    hit(b.id, "TAi.155", "e1", "q1", list.id)
                ]
            )
            .await
            .unwrap(),
        2
    );
    // Screening again with nothing changed raises nothing new.
    assert_eq!(
        f.store
            .record_hits(&actor(), vec![hit(a.id, "TAi.155", "e1", "p1", list.id)])
            .await
            .unwrap(),
        0
    );
    let open = f.store.list_hits(Some("open".into()), None).await.unwrap();
    assert_eq!(open.len(), 2);

    // A false positive needs a reason, and is not raised again for the same person and entry.
    let b_hit = open.iter().find(|h| h.person == b.id).unwrap().id;
    assert!(
        f.store
            .decide_hit(&actor(), b_hit, HitDecision::FalsePositive, None)
            .await
            .is_err()
    );
    f.store
        .decide_hit(
            &actor(),
            b_hit,
            HitDecision::FalsePositive,
            Some("born 1990, listed 1969".into()),
        )
        .await
        .unwrap();
    assert_eq!(
        f.store
            .record_hits(&actor(), vec![hit(b.id, "TAi.155", "e1", "q1", list.id)])
            .await
            .unwrap(),
        0
    );
    // ... unless the entry changes.
    assert_eq!(
        f.store
            .record_hits(&actor(), vec![hit(b.id, "TAi.155", "e2", "q1", list.id)])
            .await
            .unwrap(),
        1
    );

    // A confirmed hit blocks the person from every manifest.
    let a_hit = open.iter().find(|h| h.person == a.id).unwrap().id;
    let decided = f
        .store
        .decide_hit(&actor(), a_hit, HitDecision::Confirmed, None)
        .await
        .unwrap();
    assert_eq!(decided.status, "confirmed");
    for to in [
        EvacuationStatus::Eligible,
        EvacuationStatus::CalledForward,
        EvacuationStatus::AtGate,
        EvacuationStatus::Processed,
    ] {
        f.store
            .set_status(
                &actor(),
                StatusRequest {
                    person: a.id,
                    to,
                    reason: None,
                    location: None,
                    expected_version: None,
                },
            )
            .await
            .unwrap();
    }
    let err = f
        .store
        .set_status(
            &actor(),
            StatusRequest {
                person: a.id,
                to: EvacuationStatus::Manifested,
                reason: None,
                location: None,
                expected_version: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("confirmed sanctions match (TAi.155)"),
        "{err}"
    );
    let actions: Vec<String> = f
        .store
        .audit_list(&AuditFilter {
            entity_id: Some(a.id.to_string()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"screening.hit".to_owned())
            && actions.contains(&"screening.decide".to_owned())
    );
    // Purging a person with hits and import rows works.
    f.store
        .purge_person(&actor(), b.id, "registered twice")
        .await
        .unwrap();
    assert!(f.store.integrity_problems().await.unwrap().is_empty());
}

/// A migration that fails part of the way leaves the schema as it was: not half a registry.
async fn a_failed_migration_leaves_the_schema_as_it_was(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let location = match backend {
        Backend::Sqlite => Location::Sqlite(dir.path().join("test.db")),
        Backend::Postgres => Location::Postgres(postgres().fresh_database().await.unwrap()),
    };
    // Someone's table where migration 4 wants to create its own: migrations 1 to 3 succeed
    // first, then 4 fails.
    let mut raw = Raw::connect(&location).await;
    raw.execute("CREATE TABLE sanctions_lists (unrelated INTEGER)")
        .await
        .unwrap();
    let error = open(&location, OpenMode::CreateIfMissing)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Open { .. }), "{error}");
    assert!(error.to_string().contains("migrations failed"), "{error}");
    for table in ["nations", "persons", "audit_events", "schema_migrations"] {
        assert!(!raw.table_exists(table).await, "{table} was left behind");
    }
    assert!(raw.table_exists("sanctions_lists").await);
    // Once the obstacle is gone, the same migrations apply whole.
    raw.execute("DROP TABLE sanctions_lists").await.unwrap();
    let store = open(&location, OpenMode::CreateIfMissing).await.unwrap();
    assert_eq!(
        store.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
}

/// A job is claimed by one worker, finished once, and a worker whose claim is no longer the
/// job's cannot finish it; a job whose worker vanished is claimed again when its lease ends.
async fn jobs_are_claimed_once_and_finished_by_their_claimant(backend: Backend) {
    let f = fresh(backend).await;
    let s = &f.store;
    let a = actor();
    let first = s
        .enqueue_job(&a, "screening", serde_json::json!({ "list": 1 }))
        .await
        .unwrap();
    let second = s
        .enqueue_job(&a, "dedup", serde_json::json!({}))
        .await
        .unwrap();
    assert!(s.enqueue_job(&a, " ", serde_json::json!({})).await.is_err());
    let lease = std::time::Duration::from_secs(60);
    let claim = s.claim_job("worker-a", lease).await.unwrap().unwrap();
    assert_eq!(
        (claim.id, claim.kind.as_str(), claim.attempt),
        (first, "screening", 1)
    );
    assert_eq!(claim.payload, serde_json::json!({ "list": 1 }));
    let other = s.claim_job("worker-b", lease).await.unwrap().unwrap();
    assert_eq!(other.id, second, "a claimed job is not handed out twice");
    assert!(s.claim_job("worker-c", lease).await.unwrap().is_none());

    // Someone else's claim, or a claim already finished, is refused.
    let forged = airbridge_store::JobClaim {
        worker: "worker-b".into(),
        ..claim.clone()
    };
    assert!(matches!(
        s.finish_job(
            &a,
            &forged,
            airbridge_store::JobOutcome::Done(serde_json::json!({}))
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    s.finish_job(
        &a,
        &claim,
        airbridge_store::JobOutcome::Done(serde_json::json!({ "hits": 3 })),
    )
    .await
    .unwrap();
    assert!(matches!(
        s.finish_job(
            &a,
            &claim,
            airbridge_store::JobOutcome::Done(serde_json::json!({}))
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    s.finish_job(
        &a,
        &other,
        airbridge_store::JobOutcome::Failed("no list loaded".into()),
    )
    .await
    .unwrap();
    let jobs = s.list_jobs(None).await.unwrap();
    let states: Vec<_> = jobs.iter().map(|j| (j.id, j.state, j.attempts)).collect();
    assert_eq!(
        states,
        [
            (first, airbridge_store::JobState::Done, 1),
            (second, airbridge_store::JobState::Failed, 1)
        ]
    );
    assert_eq!(jobs[0].result, Some(serde_json::json!({ "hits": 3 })));
    assert_eq!(jobs[0].claimed_by.as_deref(), Some("worker-a"));

    // A worker that dies holding a job: once its lease has run out the job is claimed again,
    // and the dead worker's late answer is refused.
    let third = s
        .enqueue_job(&a, "outbox", serde_json::json!({}))
        .await
        .unwrap();
    let dying = s
        .claim_job("worker-d", std::time::Duration::from_secs(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dying.id, third);
    assert!(s.claim_job("worker-e", lease).await.unwrap().is_none());
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let retry = s.claim_job("worker-e", lease).await.unwrap().unwrap();
    assert_eq!((retry.id, retry.attempt), (third, 2));
    assert!(matches!(
        s.finish_job(
            &a,
            &dying,
            airbridge_store::JobOutcome::Done(serde_json::json!({}))
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    s.finish_job(
        &a,
        &retry,
        airbridge_store::JobOutcome::Done(serde_json::json!({})),
    )
    .await
    .unwrap();
    check_actions(
        s,
        &[
            "job.enqueue",
            "job.enqueue",
            "job.done",
            "job.failed",
            "job.enqueue",
            "job.done",
        ],
    )
    .await;
    assert_eq!(s.audit_verify().await.unwrap().broken_at, None);
}

fn caseworker_access() -> Access {
    Access::new(Role::Caseworker, Some(fr()), None, None).unwrap()
}

fn gate_officer_access() -> Access {
    Access::new(
        Role::GateOfficer,
        Some(fr()),
        None,
        Some("Abbey Gate".into()),
    )
    .unwrap()
}

/// A synthetic PHC string: the store keeps what it is given and never checks a password.
const SOME_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA";

fn new_user(username: &str, access: Access) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: format!("{username} (test)"),
        access,
        password_hash: SOME_PHC.into(),
    }
}

fn session(id_hash: &str, second_factor_done: bool, now: i64) -> NewSession {
    NewSession {
        id_hash: id_hash.into(),
        csrf_token: format!("csrf-{id_hash}"),
        second_factor_done,
        now,
        lifetime: 3_600,
    }
}

async fn all_actions(s: &AnyStore) -> Vec<(String, String)> {
    s.audit_list(&AuditFilter {
        limit: Some(10_000),
        ..Default::default()
    })
    .await
    .unwrap()
    .into_iter()
    .map(|e| (e.action, e.actor))
    .collect()
}

async fn accounts_hold_consistent_roles_and_no_password(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    let a = actor();
    let mut plain = new_user("plain", caseworker_access());
    plain.password_hash = "correct horse battery staple".into();
    assert!(matches!(
        s.add_user(&a, plain).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.add_user(&a, new_user("x", caseworker_access())).await,
        Err(StoreError::Invalid(_))
    ));
    let amelie = s
        .add_user(&a, new_user(" Amelie ", caseworker_access()))
        .await
        .unwrap();
    assert_eq!(amelie.username, "amelie");
    assert!(!amelie.disabled && !amelie.totp_enrolled);
    assert!(matches!(
        s.add_user(&a, new_user("AMELIE", caseworker_access()))
            .await,
        Err(StoreError::AlreadyExists(_))
    ));
    // An NGO submitter's organisation must be one of its nation's.
    let german_ngo = s
        .add_organisation(&a, de(), "Kabul Luftbrücke", OrganisationKind::Ngo)
        .await
        .unwrap();
    let wrong = Access::new(Role::NgoSubmitter, Some(fr()), Some(german_ngo.id), None).unwrap();
    assert!(matches!(
        s.add_user(&a, new_user("ngo-fr", wrong)).await,
        Err(StoreError::Invalid(_))
    ));
    let missing = Access::new(
        Role::NgoSubmitter,
        Some(de()),
        Some(OrganisationId(99)),
        None,
    )
    .unwrap();
    assert!(matches!(
        s.add_user(&a, new_user("ngo-x", missing)).await,
        Err(StoreError::NotFound { .. })
    ));
    let right = Access::new(Role::NgoSubmitter, Some(de()), Some(german_ngo.id), None).unwrap();
    s.add_user(&a, new_user("ngo-de", right.clone()))
        .await
        .unwrap();
    let credentials = s.user_credentials("NGO-DE").await.unwrap().unwrap();
    assert_eq!(credentials.user.access, right);
    assert_eq!(credentials.password_hash, SOME_PHC);
    assert!(s.user_credentials("nobody").await.unwrap().is_none());
    let french: Vec<String> = s
        .list_users(Some(fr()))
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(french, ["amelie"]);
    assert_eq!(s.count_users().await.unwrap(), 2);
    // Tokens carry a role too.
    let secret = s
        .create_token(&a, "abbey-gate", &gate_officer_access())
        .await
        .unwrap();
    let owner = s.check_api_token(&secret).await.unwrap().unwrap();
    assert_eq!(owner.access, gate_officer_access());
    assert_eq!(owner.access.gate(), Some("Abbey Gate"));
    // No audit event carries a password hash.
    let events = s
        .audit_list(&AuditFilter {
            limit: Some(1_000),
            ..Default::default()
        })
        .await
        .unwrap();
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains("argon2"), "{text}");
}

async fn failed_logins_lock_an_account_until_unlocked_or_expired(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    s.add_user(&actor(), new_user("amelie", caseworker_access()))
        .await
        .unwrap();
    let policy = LockoutPolicy {
        max_failures: 3,
        lock_seconds: 900,
    };
    let fail = |now: i64, username: &'static str| LoginAttempt {
        username,
        address: Some("192.0.2.7"),
        reason: "password",
        now,
    };
    let before = all_actions(s).await.len();
    assert_eq!(
        s.login_failed(fail(1_000, "amelie"), policy).await.unwrap(),
        FailedLogin::Counted { failures: 1 }
    );
    assert_eq!(
        s.login_failed(fail(1_010, "Amelie"), policy).await.unwrap(),
        FailedLogin::Counted { failures: 2 }
    );
    assert_eq!(
        s.login_failed(fail(1_020, "amelie"), policy).await.unwrap(),
        FailedLogin::Locked { until: 1_920 }
    );
    let locked = s.user_credentials("amelie").await.unwrap().unwrap().user;
    assert_eq!(locked.locked_until, Some(1_920));
    // While locked, failures are recorded but do not extend the lock.
    assert_eq!(
        s.login_failed(fail(1_100, "amelie"), policy).await.unwrap(),
        FailedLogin::Locked { until: 1_920 }
    );
    // After the delay the count starts again.
    assert_eq!(
        s.login_failed(fail(1_921, "amelie"), policy).await.unwrap(),
        FailedLogin::Counted { failures: 1 }
    );
    assert_eq!(
        s.login_failed(fail(1_930, "nobody"), policy).await.unwrap(),
        FailedLogin::UnknownUser
    );
    let unlocked = s.unlock_user(&actor(), "amelie").await.unwrap();
    assert_eq!((unlocked.failed_logins, unlocked.locked_until), (0, None));
    let actions: Vec<(String, String)> = all_actions(s).await.split_off(before);
    let failed = ("auth.login_failed".to_owned(), "login:192.0.2.7".to_owned());
    assert_eq!(
        actions,
        [
            failed.clone(),
            failed.clone(),
            failed.clone(),
            ("auth.lockout".into(), "login:192.0.2.7".into()),
            failed.clone(),
            failed.clone(),
            failed,
            ("user.unlock".into(), "test:officer".into()),
        ]
    );
    assert_eq!(s.audit_verify().await.unwrap().broken_at, None);
}

async fn sessions_rotate_expire_and_end(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    let user = s
        .add_user(&actor(), new_user("amelie", caseworker_access()))
        .await
        .unwrap();
    let idle = 1_800;
    // Password accepted, second factor awaited; then the full session replaces it.
    s.start_session(
        "amelie",
        session("half", false, 1_000),
        None,
        Some("192.0.2.7"),
    )
    .await
    .unwrap();
    let half = s.session("half", 1_000, idle).await.unwrap().unwrap();
    assert!(!half.second_factor_done);
    assert_eq!(half.user.username, "amelie");
    s.start_session("amelie", session("full", true, 1_010), Some("half"), None)
        .await
        .unwrap();
    assert!(s.session("half", 1_010, idle).await.unwrap().is_none());
    let full = s.session("full", 1_010, idle).await.unwrap().unwrap();
    assert!(full.second_factor_done);
    assert_eq!(full.csrf_token, "csrf-full");
    assert_eq!(full.expires_at, 1_010 + 3_600);
    assert!(s.session("unknown", 1_010, idle).await.unwrap().is_none());
    // Idle expiry slides with use; absolute expiry does not.
    assert!(s.session("full", 2_800, idle).await.unwrap().is_some());
    assert!(s.session("full", 4_500, idle).await.unwrap().is_some());
    assert!(s.session("full", 4_610, idle).await.unwrap().is_none());
    s.start_session("amelie", session("idle", true, 10_000), None, None)
        .await
        .unwrap();
    assert!(s.session("idle", 11_800, idle).await.unwrap().is_none());
    // A logout ends the session; disabling an account ends all of its sessions.
    s.start_session("amelie", session("a", true, 20_000), None, None)
        .await
        .unwrap();
    s.start_session("amelie", session("b", true, 20_000), None, None)
        .await
        .unwrap();
    s.end_session("a").await.unwrap();
    assert!(s.session("a", 20_001, idle).await.unwrap().is_none());
    assert!(s.session("b", 20_001, idle).await.unwrap().is_some());
    s.set_user_disabled(&actor(), "amelie", true).await.unwrap();
    assert!(s.session("b", 20_002, idle).await.unwrap().is_none());
    assert!(matches!(
        s.start_session("amelie", session("c", true, 20_003), None, None)
            .await,
        Err(StoreError::Invalid(_))
    ));
    // A second-factor code's time step is used once.
    assert!(s.claim_totp_step(user.id, 50).await.unwrap());
    assert!(!s.claim_totp_step(user.id, 50).await.unwrap());
    assert!(!s.claim_totp_step(user.id, 49).await.unwrap());
    assert!(s.claim_totp_step(user.id, 51).await.unwrap());
    let actions: Vec<String> = all_actions(s)
        .await
        .into_iter()
        .map(|(action, _)| action)
        .filter(|a| a.starts_with("auth."))
        .collect();
    assert_eq!(
        actions,
        [
            "auth.password_accepted",
            "auth.login",
            "auth.login",
            "auth.login",
            "auth.login",
            "auth.logout"
        ]
    );
    assert_eq!(s.audit_verify().await.unwrap().broken_at, None);
}

async fn a_setup_token_creates_only_the_first_account(backend: Backend) {
    let f = fresh(backend).await;
    let s = &f.store;
    let admin = || {
        new_user(
            "root",
            Access::new(Role::SystemAdmin, None, None, None).unwrap(),
        )
    };
    assert!(s.create_setup_token("expired", 5_000).await.unwrap());
    assert!(s.create_setup_token("good", 9_000).await.unwrap());
    let refused = |r: Result<_, StoreError>| matches!(r, Err(StoreError::NotFound { .. }));
    assert!(refused(s.add_first_user("forged", 6_000, admin()).await));
    assert!(refused(s.add_first_user("expired", 6_000, admin()).await));
    let root = s.add_first_user("good", 6_000, admin()).await.unwrap();
    assert_eq!(root.access.role(), Role::SystemAdmin);
    assert!(refused(s.add_first_user("good", 6_001, admin()).await));
    assert!(!s.create_setup_token("later", 9_000).await.unwrap());
    assert_eq!(s.count_users().await.unwrap(), 1);
    let actions: Vec<(String, String)> = all_actions(s).await;
    assert_eq!(
        actions,
        [
            ("setup.token".to_owned(), "system:setup".to_owned()),
            ("setup.token".into(), "system:setup".into()),
            ("setup.used".into(), "setup:root".into()),
            ("user.add".into(), "setup:root".into()),
        ]
    );
}

/// The header of the streamed imports below: France's `long-list.csv`.
fn long_list() -> airbridge_store::ImportHeader {
    airbridge_store::ImportHeader {
        nation: fr(),
        organisation: None,
        source: "long-list.csv".into(),
    }
}

/// Runs each named test against both backends: `sqlite::NAME` and `postgres::NAME`.
async fn a_streamed_import_joins_split_families_and_commits_only_at_its_end(backend: Backend) {
    use airbridge_store::{ImportCase, ImportFeed};
    let f = fresh(backend).await;
    with_nations(&f).await;
    let header = long_list;
    let piece = |reference: &str, members: Vec<airbridge_store::ImportMember>| ImportFeed::Chunk {
        cases: vec![ImportCase {
            reference: Some(reference.into()),
            eligibility: Eligibility::default(),
            members,
        }],
        rejected: vec![],
    };
    // A feed that ends without `Done` (the reader failed half-way) writes nothing.
    let before = f.audit_count().await;
    let (sender, feed) = tokio::sync::mpsc::channel(4);
    sender
        .send(piece(
            "F1",
            vec![import_member("F1#1", "a", Relation::Principal, "Hashem")],
        ))
        .await
        .unwrap();
    drop(sender);
    let cut = f.store.import_stream(&actor(), header(), feed).await;
    assert!(
        matches!(&cut, Err(StoreError::Invalid(m)) if m.contains("not read to its end")),
        "{cut:?}"
    );
    assert_eq!(f.audit_count().await, before);
    assert!(
        f.store
            .search_persons(&PersonQuery::default())
            .await
            .unwrap()
            .is_empty()
    );

    // Family F1 listed in two runs, in two pieces: one case of three.
    let (sender, feed) = tokio::sync::mpsc::channel(4);
    let writer = tokio::spawn({
        let store = f.store.clone();
        async move { store.import_stream(&actor(), header(), feed).await }
    });
    sender
        .send(piece(
            "F1",
            vec![
                import_member("F1#1", "a", Relation::Principal, "Hashem"),
                import_member("F1#2", "b", Relation::Spouse, "Fatima"),
            ],
        ))
        .await
        .unwrap();
    sender
        .send(piece(
            "F2",
            vec![import_member("F2#1", "c", Relation::Principal, "Karim")],
        ))
        .await
        .unwrap();
    sender
        .send(piece(
            "F1",
            vec![import_member("F1#3", "d", Relation::Child, "Ali")],
        ))
        .await
        .unwrap();
    sender.send(ImportFeed::Done).await.unwrap();
    let outcome = writer.await.unwrap().unwrap();
    assert_eq!((outcome.people_created, outcome.cases_created), (4, 2));
    let ali = f
        .store
        .get_person(outcome.created[3])
        .await
        .unwrap()
        .unwrap();
    let case = f.store.get_case(ali.case.unwrap()).await.unwrap().unwrap();
    assert_eq!(case.case.size(), 3, "the second run of F1 joined its case");
    assert_eq!(ali.relation, Some(Relation::Child));
    assert!(f.store.integrity_problems().await.unwrap().is_empty());
    assert_eq!(f.store.audit_verify().await.unwrap().broken_at, None);
}

/// A list long enough to be written in several batches, each while the next piece is
/// registered: every person, case, key and audit event arrives once, in order.
async fn a_long_import_is_written_in_batches_while_the_next_piece_is_registered(backend: Backend) {
    use airbridge_store::{ImportCase, ImportFeed};
    let f = fresh(backend).await;
    with_nations(&f).await;
    let header = long_list;
    let family = |n: usize, members: &[(&str, Relation)]| ImportCase {
        reference: Some(format!("F{n}")),
        eligibility: Eligibility::default(),
        members: members
            .iter()
            .map(|(given, relation)| {
                let key = format!("F{n}#{given}");
                import_member(&key, &key, *relation, given)
            })
            .collect(),
    };
    const PIECES: usize = 120;
    const FAMILIES: usize = 40;
    let feed_all = |sender: tokio::sync::mpsc::Sender<ImportFeed>| async move {
        for piece in 0..PIECES {
            let mut cases: Vec<ImportCase> = (0..FAMILIES)
                .map(|i| {
                    family(
                        piece * FAMILIES + i,
                        &[
                            ("Hashem", Relation::Principal),
                            ("Fatima", Relation::Spouse),
                            ("Zahra", Relation::Child),
                        ],
                    )
                })
                .collect();
            // A child of the first family of the piece before, listed late: it joins that
            // family's case, registered while the piece before is being written.
            if piece > 0 {
                cases.push(family((piece - 1) * FAMILIES, &[("Late", Relation::Child)]));
            }
            let rejected = if piece % 30 == 7 {
                vec![rejected_row(
                    &format!("bad#{piece}"),
                    &format!("bad{piece}"),
                )]
            } else {
                Vec::new()
            };
            sender
                .send(ImportFeed::Chunk { cases, rejected })
                .await
                .unwrap();
        }
        sender.send(ImportFeed::Done).await.unwrap();
    };
    let import_all = || async {
        let (sender, feed) = tokio::sync::mpsc::channel(2);
        let writer = tokio::spawn({
            let store = f.store.clone();
            async move { store.import_stream(&actor(), header(), feed).await }
        });
        feed_all(sender).await;
        writer.await.unwrap().unwrap()
    };
    let outcome = import_all().await;
    let people = PIECES * FAMILIES * 3 + (PIECES - 1);
    assert_eq!(outcome.people_created, people);
    assert_eq!(outcome.cases_created, PIECES * FAMILIES);
    assert_eq!(outcome.quarantined, 4);
    // Ids run on without a gap or a repeat, in the list's order.
    let ids: Vec<i64> = outcome.created.iter().map(|id| id.0).collect();
    let first = ids[0];
    assert_eq!(ids, (first..first + people as i64).collect::<Vec<_>>());
    let late = f
        .store
        .search_persons(&PersonQuery {
            text: Some("late".into()),
            limit: Some(1_000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        late.len(),
        PIECES - 1,
        "each late child is in the name index"
    );
    for child in &late {
        let case = f
            .store
            .get_case(child.case.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(case.case.size(), 4, "the late child joined its family");
        assert_eq!(child.relation, Some(Relation::Child));
    }
    assert!(f.store.integrity_problems().await.unwrap().is_empty());
    assert_eq!(f.store.audit_verify().await.unwrap().broken_at, None);
    assert_eq!(
        f.audit_count().await,
        // Per person its registration, per case its creation, per late child its joining;
        // and the two nations and the import itself.
        people + PIECES * FAMILIES + (PIECES - 1) + 3,
    );

    // The same list again creates nothing (it is read with lookups, not in batches).
    let again = import_all().await;
    assert_eq!(again.people_created, 0);
    assert_eq!(again.people_unchanged, people);
}

macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::Backend::Sqlite).await;
                    super::close_opened().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::Backend::Postgres).await;
                    super::close_opened().await;
                }
            )*
        }
    };
}

contract_tests!(
    the_name_index_finds_names_in_any_script_and_follows_every_change,
    every_mutation_writes_its_audit_event,
    a_failed_call_changes_nothing,
    illegal_status_changes_are_refused_and_leave_no_trace,
    stale_writes_are_refused_with_a_conflict,
    cases_keep_their_members_and_unnamed_dependents,
    audit_verify_detects_altered_removed_and_reordered_events,
    purge_erases_personal_data_but_keeps_the_chain,
    api_tokens_are_checked_by_hash_and_never_stored,
    reopening_keeps_data_and_integrity,
    importing_twice_creates_nothing_and_corrections_update_only_what_changed,
    a_failing_import_writes_nothing,
    a_streamed_import_joins_split_families_and_commits_only_at_its_end,
    a_long_import_is_written_in_batches_while_the_next_piece_is_registered,
    screening_hits_are_reviewed_remembered_and_block_manifests,
    a_failed_migration_leaves_the_schema_as_it_was,
    jobs_are_claimed_once_and_finished_by_their_claimant,
    accounts_hold_consistent_roles_and_no_password,
    failed_logins_lock_an_account_until_unlocked_or_expired,
    sessions_rotate_expire_and_end,
    a_setup_token_creates_only_the_first_account,
    a_pass_admits_its_case_once_and_every_refusal_is_audited,
    offline_gates_settle_the_same_whatever_order_they_sync_in,
    unused_passes_make_no_shows_and_bad_windows_are_refused,
    a_batch_of_check_ins_keeps_the_good_ones_when_one_fails,
    flights_and_plans_are_checked_audited_and_kept_stable,
    priority_weights_are_checked_replaced_and_audited,
    dedup_decisions_bind_are_audited_reversible_and_seen_per_nation,
    text_with_a_nul_character_is_stored_or_refused_never_a_failure,
);

/// A NUL character in a name or a search is the caller's input: SQLite stores it, PostgreSQL
/// cannot, and says so as invalid input (the web answers 422), never as a server failure.
async fn text_with_a_nul_character_is_stored_or_refused_never_a_failure(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    let events_before = f.audit_count().await;
    let search = s
        .search_persons(&PersonQuery {
            text: Some("a\0b".into()),
            ..Default::default()
        })
        .await;
    let added = s
        .add_person(&actor(), fr(), person("Gul\0Ahmad", "Sadat"))
        .await;
    let search = search.as_ref().map(|_| ());
    for outcome in [search, added.as_ref().map(|_| ())] {
        if let Err(error) = outcome {
            assert_eq!(error.kind(), airbridge_store::ErrorKind::Invalid, "{error}");
            assert!(error.to_string().contains("NUL"), "{error}");
        }
    }
    match backend {
        Backend::Sqlite => assert!(added.is_ok()),
        Backend::Postgres => {
            assert!(added.is_err());
            // Refused whole: no event without its change.
            assert_eq!(f.audit_count().await, events_before);
        }
    }
}

// --- field operations ---------------------------------------------------------------------------

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn code(seed: u8) -> airbridge_field::PassCode {
    airbridge_field::PassCode::from_entropy([seed, 1, 2, 3, 4, 5, 6, 7])
}

/// A family case made eligible, and a call-forward request for it to Abbey Gate around now.
async fn eligible_case(s: &AnyStore, reference: &str) -> airbridge_domain::CaseId {
    let case = s
        .add_cases(&actor(), vec![family_case(reference)])
        .await
        .unwrap()[0];
    s.set_case_status(&actor(), case, EvacuationStatus::Eligible, None, None)
        .await
        .unwrap();
    case
}

fn call(
    case: airbridge_domain::CaseId,
    code: &airbridge_field::PassCode,
    to: Option<PersonId>,
) -> CallForwardRequest {
    let now = time::OffsetDateTime::now_utc();
    CallForwardRequest {
        nation: fr(),
        gate: "Abbey Gate".into(),
        rendezvous: "Baron Hotel car park".into(),
        valid_from: rfc3339(now - time::Duration::hours(1)),
        valid_until: rfc3339(now + time::Duration::hours(2)),
        passes: vec![NewPass {
            case,
            code_hash: code.hash(),
            messages: to
                .map(|person| NewMessage {
                    person: Some(person),
                    channel: "sms".into(),
                    recipient: "+93700000001".into(),
                    language: "fa-AF".into(),
                    body: format!("Come to Abbey Gate, code {code}"),
                })
                .into_iter()
                .collect(),
        }],
    }
}

fn gate_event(op: &str, gate: &str, at_ms: i64, action: GateAction) -> GateEvent {
    GateEvent {
        op_id: op.into(),
        gate: gate.into(),
        at_ms,
        action,
    }
}

fn check(code: &airbridge_field::PassCode, event: GateEvent, offline: bool) -> CheckIn {
    CheckIn {
        code_hash: Some(code.hash()),
        case: None,
        event,
        offline,
        names: Vec::new(),
        seen_versions: Vec::new(),
    }
}

fn refusal(outcome: CheckInOutcome) -> Refusal {
    match outcome {
        CheckInOutcome::Refused { refusal } => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn statuses_ids(s: &AnyStore, case: airbridge_domain::CaseId) -> Vec<i64> {
    s.get_case(case)
        .await
        .unwrap()
        .unwrap()
        .people
        .iter()
        .map(|p| p.id.0)
        .collect()
}

async fn statuses(s: &AnyStore, case: airbridge_domain::CaseId) -> Vec<EvacuationStatus> {
    s.get_case(case)
        .await
        .unwrap()
        .unwrap()
        .people
        .iter()
        .map(|p| p.status)
        .collect()
}

async fn a_pass_admits_its_case_once_and_every_refusal_is_audited(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    let a = actor();
    let case = eligible_case(s, "FR-101").await;
    let members: Vec<i64> = s
        .get_case(case)
        .await
        .unwrap()
        .unwrap()
        .case
        .members
        .iter()
        .map(|m| m.person.0)
        .collect();
    let (first, second) = (code(1), code(2));

    let called = s
        .call_forward(&a, call(case, &first, Some(PersonId(members[0]))))
        .await
        .unwrap();
    assert_eq!(called.passes.len(), 1);
    assert_eq!(called.messages, 1);
    assert_eq!(
        statuses(s, case).await,
        vec![EvacuationStatus::CalledForward; 3]
    );
    let queued = s.outbox_queued(10).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert!(
        queued[0]
            .body
            .as_deref()
            .unwrap()
            .contains(&first.to_string())
    );
    // The code itself is nowhere: only its hash.
    assert_eq!(
        s.pass_by_hash(&first.hash()).await.unwrap().unwrap().case,
        case
    );

    // Called again: the first pass is revoked, the people stay called forward.
    let again = s.call_forward(&a, call(case, &second, None)).await.unwrap();
    assert_eq!(again.passes.len(), 1);
    let passes = s.case_passes(case).await.unwrap();
    assert_eq!(
        passes.iter().map(|p| p.state).collect::<Vec<_>>(),
        vec![PassState::Revoked, PassState::Issued]
    );

    let admit = |members: &[i64]| GateAction::Admit {
        members: members.to_vec(),
    };
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    assert!(matches!(
        refusal(
            s.check_in(
                &a,
                check(
                    &first,
                    gate_event("op-1", "Abbey Gate", now_ms, admit(&members[..1])),
                    false
                )
            )
            .await
            .unwrap()
        ),
        Refusal::Revoked { .. }
    ));
    assert_eq!(
        refusal(
            s.check_in(
                &a,
                check(
                    &code(99),
                    gate_event("op-2", "Abbey Gate", now_ms, admit(&members[..1])),
                    false
                )
            )
            .await
            .unwrap()
        ),
        Refusal::Unknown
    );
    assert!(matches!(
        refusal(
            s.check_in(
                &a,
                check(
                    &second,
                    gate_event("op-3", "North Gate", now_ms, admit(&members[..1])),
                    false
                )
            )
            .await
            .unwrap()
        ),
        Refusal::OtherGate { .. }
    ));

    // Admitted at the right gate: principal and spouse; the child comes later, named at the gate.
    let outcome = s
        .check_in(
            &a,
            check(
                &second,
                gate_event("op-4", "Abbey Gate", now_ms, admit(&members[..2])),
                false,
            ),
        )
        .await
        .unwrap();
    let CheckInOutcome::Applied {
        pass,
        changes,
        flags,
    } = outcome
    else {
        panic!("not applied")
    };
    assert_eq!(pass.unwrap().state, PassState::Used);
    assert_eq!(changes.len(), 2);
    assert!(flags.is_empty(), "{flags:?}");
    assert_eq!(
        statuses(s, case).await,
        vec![
            EvacuationStatus::AtGate,
            EvacuationStatus::AtGate,
            EvacuationStatus::CalledForward
        ]
    );
    // Sent again by a device that did not hear the answer: nothing more happens.
    assert_eq!(
        s.check_in(
            &a,
            check(
                &second,
                gate_event("op-4", "Abbey Gate", now_ms, admit(&members[..2])),
                false
            )
        )
        .await
        .unwrap(),
        CheckInOutcome::Duplicate
    );
    // The same id for another action is a device bug, refused.
    assert!(
        s.check_in(
            &a,
            check(
                &second,
                gate_event("op-4", "Abbey Gate", now_ms, admit(&members[2..])),
                false
            )
        )
        .await
        .is_err()
    );
    // A pass admits once: the principal again is refused.
    assert!(matches!(
        refusal(
            s.check_in(
                &a,
                check(
                    &second,
                    gate_event("op-5", "Abbey Gate", now_ms, admit(&members[..1])),
                    false
                )
            )
            .await
            .unwrap()
        ),
        Refusal::AlreadyUsed { .. }
    ));
    let mut late = check(
        &second,
        gate_event("op-6", "Abbey Gate", now_ms + 60_000, admit(&members[2..])),
        false,
    );
    late.names = vec![(PersonId(members[2]), "Gul Ahmad".into())];
    assert!(matches!(
        s.check_in(&a, late).await.unwrap(),
        CheckInOutcome::Applied { .. }
    ));
    let child = s.get_person(PersonId(members[2])).await.unwrap().unwrap();
    assert_eq!(child.status, EvacuationStatus::AtGate);
    assert_eq!(child.person.name.display(), "Gul Ahmad");
    s.check_in(
        &a,
        check(
            &second,
            gate_event(
                "op-7",
                "Abbey Gate",
                now_ms + 120_000,
                GateAction::Process {
                    members: members.clone(),
                },
            ),
            false,
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        statuses(s, case).await,
        vec![EvacuationStatus::Processed; 3]
    );
    let denied_without_reason = check(
        &second,
        gate_event(
            "op-8",
            "Abbey Gate",
            now_ms,
            GateAction::Deny {
                members: members.clone(),
                reason: " ".into(),
            },
        ),
        false,
    );
    assert!(matches!(
        s.check_in(&a, denied_without_reason).await,
        Err(StoreError::Invalid(_))
    ));

    // The outbox forgets a message's text once it is sent.
    let sent = s.outbox_result(&a, queued[0].id, Ok(())).await.unwrap();
    assert_eq!(sent.state, MessageState::Sent);
    assert_eq!(sent.body, None);
    assert!(s.outbox_queued(10).await.unwrap().is_empty());

    // Counted by the database: three at-risk people processed.
    let counts = s.live_counts(Some(fr())).await.unwrap();
    assert!(
        counts.contains(&LiveCount {
            nation: fr(),
            category: "at_risk".into(),
            status: EvacuationStatus::Processed,
            people: 3
        }),
        "{counts:?}"
    );
    let days = s.day_counts(None).await.unwrap();
    assert_eq!(
        days.iter()
            .filter(|d| d.status == EvacuationStatus::CalledForward)
            .map(|d| d.people)
            .sum::<i64>(),
        3
    );

    let actions: Vec<String> = all_actions(s)
        .await
        .into_iter()
        .map(|(action, _)| action)
        .collect();
    for expected in [
        "pass.issue",
        "pass.revoke",
        "gate.refused",
        "gate.check_in",
        "person.update",
        "message.sent",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "no {expected} in {actions:?}"
        );
    }
    assert_eq!(actions.iter().filter(|a| *a == "gate.refused").count(), 4);
    assert_eq!(s.audit_verify().await.unwrap().broken_at, None);
    // No code in the database, in clear, anywhere in the trail.
    let trail = serde_json::to_string(
        &s.audit_list(&AuditFilter {
            limit: Some(10_000),
            ..Default::default()
        })
        .await
        .unwrap(),
    )
    .unwrap();
    assert!(!trail.contains(second.as_str()));
}

/// Two gates acted offline on one pass: one admitted, the other turned the family away. The
/// result is the same whichever report reaches the server first, and a flag asks a person to look.
async fn offline_gates_settle_the_same_whatever_order_they_sync_in(backend: Backend) {
    let mut finals = Vec::new();
    for order in [[0usize, 1], [1, 0]] {
        let f = fresh(backend).await;
        with_nations(&f).await;
        let s = &f.store;
        let case = eligible_case(s, "FR-202").await;
        let members: Vec<i64> = s
            .get_case(case)
            .await
            .unwrap()
            .unwrap()
            .case
            .members
            .iter()
            .map(|m| m.person.0)
            .collect();
        let pass = code(3);
        s.call_forward(&actor(), call(case, &pass, None))
            .await
            .unwrap();
        let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
        let events = [
            gate_event(
                "abbey-1",
                "Abbey Gate",
                now_ms - 5_000,
                GateAction::Admit {
                    members: members.clone(),
                },
            ),
            gate_event(
                "north-1",
                "North Gate",
                now_ms,
                GateAction::Deny {
                    members: members.clone(),
                    reason: "no documents".into(),
                },
            ),
        ];
        for i in order {
            let outcome = s
                .check_in(&actor(), check(&pass, events[i].clone(), true))
                .await
                .unwrap();
            assert!(
                matches!(outcome, CheckInOutcome::Applied { .. }),
                "{outcome:?}"
            );
        }
        let flags = s.gate_flags(Some(fr()), true).await.unwrap();
        assert!(
            flags
                .iter()
                .any(|f| f.flag.contains("used at another gate: North Gate")),
            "{flags:?}"
        );
        // The same rows, filed under the same gate and action, whichever order.
        let mut texts: Vec<String> = flags
            .iter()
            .map(|f| format!("{} | {} | {}", f.gate, f.op_id, f.flag))
            .collect();
        texts.sort();
        let pass_record = s.pass_by_hash(&pass.hash()).await.unwrap().unwrap();
        assert_eq!(pass_record.used_gate.as_deref(), Some("Abbey Gate"));
        finals.push((statuses(s, case).await, texts));
        // A person looks and clears a flag, with a note.
        let cleared = s
            .clear_gate_flag(
                &actor(),
                flags[0].id,
                "same family; North Gate misread the pass",
            )
            .await
            .unwrap();
        assert!(cleared.cleared_at.is_some());
        assert!(
            s.clear_gate_flag(&actor(), flags[0].id, "again")
                .await
                .is_err()
        );
    }
    assert_eq!(finals[0], finals[1]);
    assert_eq!(finals[0].0, vec![EvacuationStatus::AtGate; 3]);
}

/// The window ends: those called who never came become no-shows; a wrong window is refused.
async fn unused_passes_make_no_shows_and_bad_windows_are_refused(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    let case = eligible_case(s, "FR-303").await;
    let mut request = call(case, &code(4), None);
    std::mem::swap(&mut request.valid_from, &mut request.valid_until);
    assert!(matches!(
        s.call_forward(&actor(), request).await,
        Err(StoreError::Invalid(_))
    ));
    let mut request = call(case, &code(4), None);
    request.passes[0].code_hash = code(4).as_str().to_owned();
    assert!(matches!(
        s.call_forward(&actor(), request).await,
        Err(StoreError::Invalid(_))
    ));
    s.call_forward(&actor(), call(case, &code(4), None))
        .await
        .unwrap();
    let later = rfc3339(time::OffsetDateTime::now_utc() + time::Duration::hours(3));
    assert_eq!(s.mark_no_shows(&actor(), &later).await.unwrap(), 3);
    assert_eq!(statuses(s, case).await, vec![EvacuationStatus::NoShow; 3]);
    // A no-show may be called again.
    let again = s
        .call_forward(&actor(), call(case, &code(5), None))
        .await
        .unwrap();
    assert_eq!(again.passes.len(), 1);
    // A case nobody in which may be called is skipped, and says why.
    let other = s
        .add_cases(&actor(), vec![family_case("FR-304")])
        .await
        .unwrap()[0];
    let skipped = s
        .call_forward(&actor(), call(other, &code(6), None))
        .await
        .unwrap();
    assert!(skipped.passes.is_empty());
    assert!(
        skipped.skipped[0].1.contains("registered"),
        "{:?}",
        skipped.skipped
    );
}

/// Check-ins applied together in one transaction: a bad one in the middle is undone alone and
/// answers its own error; the others stand, each with its audit, and the chain verifies.
async fn a_batch_of_check_ins_keeps_the_good_ones_when_one_fails(backend: Backend) {
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    let mut items = Vec::new();
    let mut cases = Vec::new();
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    for (i, reference) in ["FR-401", "FR-402", "FR-403"].iter().enumerate() {
        let case = eligible_case(s, reference).await;
        let pass = code(40 + i as u8);
        s.call_forward(&actor(), call(case, &pass, None))
            .await
            .unwrap();
        let members: Vec<i64> = s
            .get_case(case)
            .await
            .unwrap()
            .unwrap()
            .case
            .members
            .iter()
            .map(|m| m.person.0)
            .collect();
        // The second names someone outside its case: a bad request.
        let admitted = if i == 1 {
            vec![members[0], 999_999]
        } else {
            members
        };
        items.push((
            actor(),
            check(
                &pass,
                gate_event(
                    &format!("batch-{i}"),
                    "Abbey Gate",
                    now_ms,
                    GateAction::Admit { members: admitted },
                ),
                false,
            ),
        ));
        cases.push(case);
    }
    // The same action twice in one batch counts once.
    items.push(items[0].clone());
    let before = f.audit_count().await;
    let outcomes = s.check_in_batch(items).await.unwrap();
    assert!(matches!(outcomes[0], Ok(CheckInOutcome::Applied { .. })));
    assert!(
        matches!(outcomes[1], Err(StoreError::Invalid(_))),
        "{:?}",
        outcomes[1]
    );
    assert!(matches!(outcomes[2], Ok(CheckInOutcome::Applied { .. })));
    assert!(matches!(outcomes[3], Ok(CheckInOutcome::Duplicate)));
    assert_eq!(
        statuses(s, cases[0]).await,
        vec![EvacuationStatus::AtGate; 3]
    );
    assert_eq!(
        statuses(s, cases[1]).await,
        vec![EvacuationStatus::CalledForward; 3]
    );
    assert_eq!(
        statuses(s, cases[2]).await,
        vec![EvacuationStatus::AtGate; 3]
    );
    // Two check-ins: a gate.check_in and three status changes each.
    assert_eq!(f.audit_count().await - before, 8);
    assert_eq!(s.audit_verify().await.unwrap().broken_at, None);
    assert_eq!(
        s.pass_by_hash(&code(41).hash())
            .await
            .unwrap()
            .unwrap()
            .state,
        PassState::Issued
    );
    // A batch of online actions on distinct passes takes the bulk path: the same answers.
    let mut bulk = Vec::new();
    let mut bulk_cases = Vec::new();
    for (i, reference) in ["FR-501", "FR-502"].iter().enumerate() {
        let case = eligible_case(s, reference).await;
        s.call_forward(&actor(), call(case, &code(50 + i as u8), None))
            .await
            .unwrap();
        let members: Vec<i64> = s
            .get_case(case)
            .await
            .unwrap()
            .unwrap()
            .case
            .members
            .iter()
            .map(|m| m.person.0)
            .collect();
        let admitted = if i == 1 {
            vec![members[0], 999_999]
        } else {
            members
        };
        bulk.push((
            actor(),
            check(
                &code(50 + i as u8),
                gate_event(
                    &format!("bulk-{i}"),
                    "Abbey Gate",
                    now_ms,
                    GateAction::Admit { members: admitted },
                ),
                false,
            ),
        ));
        bulk_cases.push(case);
    }
    bulk.push((
        actor(),
        check(
            &code(98),
            gate_event(
                "bulk-forged",
                "Abbey Gate",
                now_ms,
                GateAction::Admit { members: vec![1] },
            ),
            false,
        ),
    ));
    bulk.push((
        actor(),
        check(
            &code(40),
            gate_event(
                "bulk-again",
                "Abbey Gate",
                now_ms,
                GateAction::Admit {
                    members: vec![statuses_ids(s, cases[0]).await[0]],
                },
            ),
            false,
        ),
    ));
    let before = f.audit_count().await;
    let outcomes = s.check_in_batch(bulk).await.unwrap();
    assert!(
        matches!(outcomes[0], Ok(CheckInOutcome::Applied { .. })),
        "{:?}",
        outcomes[0]
    );
    assert!(
        matches!(outcomes[1], Err(StoreError::Invalid(_))),
        "{:?}",
        outcomes[1]
    );
    assert!(matches!(
        outcomes[2],
        Ok(CheckInOutcome::Refused {
            refusal: Refusal::Unknown
        })
    ));
    assert!(
        matches!(
            outcomes[3],
            Ok(CheckInOutcome::Refused {
                refusal: Refusal::AlreadyUsed { .. }
            })
        ),
        "{:?}",
        outcomes[3]
    );
    assert_eq!(
        statuses(s, bulk_cases[0]).await,
        vec![EvacuationStatus::AtGate; 3]
    );
    assert_eq!(
        statuses(s, bulk_cases[1]).await,
        vec![EvacuationStatus::CalledForward; 3]
    );
    // One check-in (its event and three status changes) and two refusals.
    assert_eq!(f.audit_count().await - before, 6);
    assert_eq!(s.audit_verify().await.unwrap().broken_at, None);
    let history = s
        .status_history(PersonId(statuses_ids(s, bulk_cases[0]).await[0]))
        .await
        .unwrap();
    assert_eq!(history.last().unwrap().to, EvacuationStatus::AtGate);
    assert_eq!(
        history.last().unwrap().location.as_deref(),
        Some("Abbey Gate")
    );
    assert_eq!(
        s.pass_by_hash(&code(50).hash())
            .await
            .unwrap()
            .unwrap()
            .used_gate
            .as_deref(),
        Some("Abbey Gate")
    );
    // Through the queue, many callers at once: each hears its own outcome after the commit.
    let queue = airbridge_store::CheckInQueue::start(s.clone(), 64);
    let retry = check(
        &code(41),
        gate_event(
            "batch-retry",
            "Abbey Gate",
            now_ms,
            GateAction::Admit {
                members: s
                    .get_case(cases[1])
                    .await
                    .unwrap()
                    .unwrap()
                    .case
                    .members
                    .iter()
                    .map(|m| m.person.0)
                    .collect(),
            },
        ),
        false,
    );
    let (a, b) = tokio::join!(
        queue.check_in(actor(), retry.clone()),
        queue.check_in(actor(), retry)
    );
    let mut got = [a.unwrap(), b.unwrap()];
    got.sort_by_key(|o| matches!(o, CheckInOutcome::Duplicate));
    assert!(matches!(got[0], CheckInOutcome::Applied { .. }));
    assert_eq!(got[1], CheckInOutcome::Duplicate);
    assert_eq!(
        statuses(s, cases[1]).await,
        vec![EvacuationStatus::AtGate; 3]
    );
}

// --- flights and plans ----------------------------------------------------------------------------

fn in_hours(hours: i64) -> String {
    rfc3339(time::OffsetDateTime::now_utc() + time::Duration::hours(hours))
}

fn flight(id: &str, nation: NationCode, hours: i64) -> airbridge_store::NewFlight {
    airbridge_store::NewFlight {
        id: id.into(),
        nation,
        aircraft: "C-17A".into(),
        configuration: airbridge_store::Configuration::Seated,
        departs_at: in_hours(hours),
        destination: "DOH".into(),
        carries: Vec::new(),
    }
}

/// A family case of three, every member processed at the gate.
async fn processed_case(s: &AnyStore, reference: &str) -> airbridge_domain::CaseId {
    let case = s
        .add_cases(&actor(), vec![family_case(reference)])
        .await
        .unwrap()[0];
    for to in [
        EvacuationStatus::Eligible,
        EvacuationStatus::CalledForward,
        EvacuationStatus::AtGate,
        EvacuationStatus::Processed,
    ] {
        s.set_case_status(&actor(), case, to, None, None)
            .await
            .unwrap();
    }
    case
}

fn plan_run(assignments: &[(airbridge_domain::CaseId, &str)]) -> airbridge_store::NewPlanRun {
    airbridge_store::NewPlanRun {
        solver: "test".into(),
        objective: 6.0,
        upper_bound: 7.0,
        gap: 1.0 / 7.0,
        cases_ready: 3,
        people_assigned: 3 * assignments.len() as i64,
        seat_prices: vec![("FR1".into(), 0.5)],
        assignments: assignments
            .iter()
            .map(|(case, flight)| (*case, (*flight).to_owned()))
            .collect(),
    }
}

/// Aircraft, flights, agreements and acceptance rules are checked and audited; the ready pool
/// holds only cases processed at the gate, with screening blocks; a plan naming a blocked case
/// or a cancelled flight is refused whole; a stored plan keeps the time a case was told while it
/// stays on its flight, and says who moved.
async fn flights_and_plans_are_checked_audited_and_kept_stable(backend: Backend) {
    use airbridge_store::{
        Acceptance, AcceptanceRecord, AgreementRecord, AircraftTypeRecord, FlightChange,
        FlightState, FlightStore, HitDecision,
    };
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    let events_before = f.audit_count().await;
    s.set_aircraft_type(
        &actor(),
        AircraftTypeRecord {
            name: "C-17A".into(),
            seated_capacity: 6,
            floor_loaded_capacity: 9,
        },
    )
    .await
    .unwrap();
    let added = s
        .add_flights(
            &actor(),
            vec![flight("FR1", fr(), 2), flight("FR2", fr(), 4)],
        )
        .await
        .unwrap();
    assert_eq!(added[0].capacity(), 6);
    assert_eq!(added[1].status, FlightState::Scheduled);

    // Refused whole: a flight in the past, an unknown nation or aircraft, an id taken.
    let gb = NationCode::parse("GB").unwrap();
    for (flights, words) in [
        (
            vec![flight("FR3", fr(), 3), flight("FR4", fr(), -1)],
            "in the past",
        ),
        (vec![flight("GB1", gb, 3)], "nation GB"),
        (
            vec![airbridge_store::NewFlight {
                aircraft: "A400M".into(),
                ..flight("FR3", fr(), 3)
            }],
            "aircraft type A400M",
        ),
        (vec![flight("FR1", fr(), 3)], "flight FR1 already exists"),
        (vec![flight("FR 3", fr(), 3)], "not a flight id"),
    ] {
        let error = s.add_flights(&actor(), flights).await.unwrap_err();
        assert!(error.to_string().contains(words), "{error}");
    }
    assert_eq!(s.list_flights().await.unwrap().len(), 2);

    s.set_agreement(
        &actor(),
        AgreementRecord {
            carrier: fr(),
            passengers: de(),
            categories: vec![airbridge_domain::Category::LocalStaff],
        },
    )
    .await
    .unwrap();
    s.set_acceptance(
        &actor(),
        AcceptanceRecord {
            destination: "DOH".into(),
            alternatives: vec![Acceptance {
                nations: vec![fr()],
                categories: Vec::new(),
            }],
        },
    )
    .await
    .unwrap();
    assert_eq!(s.list_agreements().await.unwrap().len(), 1);
    assert_eq!(s.list_acceptance().await.unwrap()[0].alternatives.len(), 1);

    // The ready pool: three processed cases (one with a confirmed hit), not the one only eligible.
    let a = processed_case(s, "A").await;
    let b = processed_case(s, "B").await;
    let c = processed_case(s, "C").await;
    let waiting = eligible_case(s, "D").await;
    let c_principal = s
        .get_case(c)
        .await
        .unwrap()
        .unwrap()
        .case
        .principal()
        .unwrap();
    let (list, _) = s
        .store_list(
            &actor(),
            airbridge_store::NewList {
                source: "un".into(),
                version_date: None,
                sha256: "flights".into(),
                entries: 1,
                content: "{}".into(),
            },
        )
        .await
        .unwrap();
    s.record_hits(
        &actor(),
        vec![hit(c_principal, "TAi.155", "e", "p", list.id)],
    )
    .await
    .unwrap();
    let hit_id = s.list_hits(None, None).await.unwrap()[0].id;
    s.decide_hit(&actor(), hit_id, HitDecision::Confirmed, None)
        .await
        .unwrap();
    let pool = s.ready_pool().await.unwrap();
    let ids: Vec<_> = pool.iter().map(|r| r.case).collect();
    assert_eq!(ids, [a, b, c], "not {waiting}");
    assert_eq!(
        pool.iter().map(|r| r.blocked).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert!(pool.iter().all(|r| r.members.len() == 3
        && !r.ready_at.is_empty()
        && r.category == Some(airbridge_domain::Category::AtRisk)));

    // A plan is refused whole when it puts a blocked case on a flight or names a case twice.
    let refused = s
        .save_plan(&actor(), plan_run(&[(a, "FR1"), (c, "FR2")]))
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("confirmed sanctions match"),
        "{refused}"
    );
    assert!(
        s.save_plan(&actor(), plan_run(&[(a, "FR1"), (a, "FR2")]))
            .await
            .is_err()
    );
    assert!(
        s.save_plan(&actor(), plan_run(&[(a, "XX9")]))
            .await
            .is_err()
    );
    assert!(s.current_plan().await.unwrap().is_none());
    assert!(s.plan_loads().await.unwrap().is_empty());

    let first = s
        .save_plan(&actor(), plan_run(&[(a, "FR1"), (b, "FR2")]))
        .await
        .unwrap();
    assert_eq!((first.run.id, first.run.kept, first.run.moved), (1, 0, 0));
    assert_eq!(s.mark_told(&actor(), "FR1").await.unwrap(), 1);
    assert_eq!(s.mark_told(&actor(), "FR1").await.unwrap(), 0);

    // FR1 is cancelled: it can no longer be planned on, and a moved case was told before.
    let cancelled = s
        .change_flight(
            &actor(),
            "FR1",
            FlightChange::Cancel {
                reason: "aircraft unserviceable".into(),
            },
            Some(1),
        )
        .await
        .unwrap();
    assert_eq!(cancelled.status, FlightState::Cancelled);
    assert!(
        s.change_flight(
            &actor(),
            "FR1",
            FlightChange::Delay {
                departs_at: in_hours(5)
            },
            None
        )
        .await
        .is_err()
    );
    assert!(
        s.save_plan(&actor(), plan_run(&[(a, "FR1")]))
            .await
            .is_err()
    );
    let second = s
        .save_plan(&actor(), plan_run(&[(a, "FR2"), (b, "FR2")]))
        .await
        .unwrap();
    assert_eq!(
        (second.run.kept, second.run.moved, second.run.dropped),
        (3, 3, 0)
    );
    assert_eq!(second.told_moved, [a]);
    // The manifest reads the cases on a flight at once, exactly as `get_case` reads each.
    let both = s.flight_manifest("FR2").await.unwrap();
    assert_eq!(
        both.cases,
        [
            s.get_case(a).await.unwrap().unwrap(),
            s.get_case(b).await.unwrap().unwrap()
        ]
    );
    s.mark_told(&actor(), "FR2").await.unwrap();
    let third = s
        .save_plan(&actor(), plan_run(&[(b, "FR2")]))
        .await
        .unwrap();
    assert_eq!((third.run.kept, third.run.dropped), (3, 3));
    let current = s.current_plan().await.unwrap().unwrap();
    assert_eq!(current.run.id, 3);
    assert_eq!(current.assignments.len(), 1);
    assert!(
        current.assignments[0].told_at.is_some(),
        "kept on FR2: still told"
    );
    let manifest = s.flight_manifest("FR2").await.unwrap();
    assert_eq!(
        manifest.cases.iter().map(|c| c.case.id).collect::<Vec<_>>(),
        [b]
    );
    assert!(s.flight_manifest("XX9").await.is_err());
    // The loads of the plan in force, read at once, agree with the manifest: its cases, their
    // nation, and for each member who flies the earliest day of their birth date.
    let loads = s.plan_loads().await.unwrap();
    assert_eq!(
        loads
            .iter()
            .map(|l| (l.flight.as_str(), l.case))
            .collect::<Vec<_>>(),
        [("FR2", b)]
    );
    assert_eq!(loads[0].nation, manifest.cases[0].case.nation);
    let mut flying: Vec<_> = manifest.cases[0]
        .people
        .iter()
        .filter(|p| {
            matches!(
                p.status,
                EvacuationStatus::Processed | EvacuationStatus::Manifested
            )
        })
        .collect();
    flying.sort_by_key(|p| p.id);
    assert!(!flying.is_empty());
    assert_eq!(
        loads[0].born_earliest,
        flying
            .iter()
            .map(|p| p.person.birth_date.as_ref().map(|d| d.gregorian_range().0))
            .collect::<Vec<_>>()
    );

    // Delays must be to the future; a stale version is a conflict.
    assert!(
        s.change_flight(
            &actor(),
            "FR2",
            FlightChange::Delay {
                departs_at: in_hours(-2)
            },
            None
        )
        .await
        .is_err()
    );
    let stale = s
        .change_flight(
            &actor(),
            "FR2",
            FlightChange::Delay {
                departs_at: in_hours(6),
            },
            Some(7),
        )
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { .. }), "{stale}");
    let delayed = s
        .change_flight(
            &actor(),
            "FR2",
            FlightChange::Delay {
                departs_at: in_hours(6),
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(delayed.status, FlightState::Delayed);

    // B boards: it leaves the ready pool, and a plan without it does not count it as dropped.
    for to in [EvacuationStatus::Manifested, EvacuationStatus::Boarded] {
        s.set_case_status(&actor(), b, to, None, Some("FR2".into()))
            .await
            .unwrap();
    }
    assert!(!s.ready_pool().await.unwrap().iter().any(|r| r.case == b));
    let fourth = s.save_plan(&actor(), plan_run(&[])).await.unwrap();
    assert_eq!((fourth.run.kept, fourth.run.dropped), (0, 0));
    assert!(fourth.told_moved.is_empty());

    // Every change above was audited, in order, and the chain holds.
    let events = s
        .audit_list(&AuditFilter {
            limit: Some(10_000),
            ..Default::default()
        })
        .await
        .unwrap();
    let flight_actions: Vec<&str> = events[events_before..]
        .iter()
        .map(|e| e.action.as_str())
        .filter(|a| {
            [
                "aircraft.",
                "flight.",
                "agreement.",
                "acceptance.",
                "plan.",
                "case.flight",
            ]
            .iter()
            .any(|p| a.starts_with(p))
        })
        .collect();
    assert_eq!(
        flight_actions,
        [
            "aircraft.set",
            "flight.add",
            "flight.add",
            "agreement.set",
            "acceptance.set",
            "case.flight",
            "case.flight",
            "plan.run",
            "flight.told",
            "flight.told",
            "flight.cancel",
            "case.flight",
            "plan.run",
            "flight.told",
            "case.flight",
            "plan.run",
            "flight.delay",
            "case.flight",
            "plan.run",
        ]
    );
    let moved = events
        .iter()
        .filter(|e| e.action == "case.flight" && e.entity_id == a.to_string())
        .count();
    assert_eq!(moved, 3, "placed, moved, taken off");
    assert_eq!(s.audit_verify().await.unwrap().broken_at, None);
    assert!(f.store.integrity_problems().await.unwrap().is_empty());
}

/// A nation's priority weights: stored, replaced, listed, audited; a weight that is not a number
/// ≥ 0 or an unknown nation is refused and changes nothing.
async fn priority_weights_are_checked_replaced_and_audited(backend: Backend) {
    use airbridge_store::{FlightStore, WeightsRecord};
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    let events_before = f.audit_count().await;
    let weights = |pairs: &[(&str, f64)]| -> std::collections::BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    };
    s.set_weights(
        &actor(),
        WeightsRecord {
            nation: fr(),
            weights: weights(&[("at_risk", 1.5)]),
        },
    )
    .await
    .unwrap();
    s.set_weights(
        &actor(),
        WeightsRecord {
            nation: fr(),
            weights: weights(&[("at_risk", 2.0), ("medical", 0.8)]),
        },
    )
    .await
    .unwrap();
    for bad in [f64::NAN, -0.5, f64::INFINITY] {
        let refused = s
            .set_weights(
                &actor(),
                WeightsRecord {
                    nation: de(),
                    weights: weights(&[("national", bad)]),
                },
            )
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("not a number ≥ 0"),
            "{refused}"
        );
    }
    let unknown = s
        .set_weights(
            &actor(),
            WeightsRecord {
                nation: NationCode::parse("JP").unwrap(),
                weights: weights(&[("national", 1.0)]),
            },
        )
        .await
        .unwrap_err();
    assert!(unknown.to_string().contains("JP"), "{unknown}");

    let listed = s.list_weights().await.unwrap();
    assert_eq!(
        listed,
        vec![WeightsRecord {
            nation: fr(),
            weights: weights(&[("at_risk", 2.0), ("medical", 0.8)]),
        }]
    );
    assert_eq!(f.audit_count().await, events_before + 2);
}

// --- deduplication ------------------------------------------------------------------------------

fn review_pair(a: PersonId, b: PersonId, probability: f64) -> airbridge_store::NewReviewPair {
    airbridge_store::NewReviewPair {
        a,
        b,
        probability,
        explanation: serde_json::json!({ "fields": [{ "field": "given name", "weight": 3.5 }] }),
    }
}

fn dedup_run(
    clusters: Vec<(PersonId, PersonId)>,
    review: Vec<airbridge_store::NewReviewPair>,
) -> airbridge_store::NewDedupRun {
    airbridge_store::NewDedupRun {
        records: clusters.len() as i64,
        pairs_scored: 10,
        links: 1,
        threshold: 0.9,
        review_low: 0.3,
        review_high: 0.98,
        clusters,
        review,
        model: serde_json::json!({ "lambda": 0.001 }),
    }
}

async fn dedup_decisions_bind_are_audited_reversible_and_seen_per_nation(backend: Backend) {
    use airbridge_store::{DedupStore, PairDecision, ReviewQuery};
    let f = fresh(backend).await;
    with_nations(&f).await;
    let s = &f.store;
    // Matching new people needs a run first.
    let early = s
        .save_matches(
            &actor(),
            airbridge_store::NewMatches {
                clusters: Vec::new(),
                review: Vec::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(early.to_string().contains("airbridge dedup"), "{early}");
    assert!(s.dedup_model().await.unwrap().is_none());
    let add = |nation: NationCode, given: &'static str| async move {
        s.add_person(&actor(), nation, person(given, "Sadat"))
            .await
            .unwrap()
            .id
    };
    let (p1, p2, p3) = (
        add(fr(), "Gul Ahmad").await,
        add(fr(), "Gulahmad").await,
        add(de(), "Gul Ahmed").await,
    );
    let p4 = add(de(), "Farida").await;
    let events_before = f.audit_count().await;

    // A run: p1 and p2 one person; two pairs in the uncertain band, given in either order.
    let run = s
        .save_dedup_run(
            &actor(),
            dedup_run(
                vec![(p1, p1), (p2, p1), (p3, p3), (p4, p4)],
                vec![review_pair(p3, p1, 0.7), review_pair(p2, p3, 0.6)],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        (run.id, run.clusters, run.duplicates, run.queued),
        (1, 3, 2, 2)
    );
    assert_eq!(s.cluster_mates(p2).await.unwrap(), vec![p1]);
    assert!(s.cluster_mates(p4).await.unwrap().is_empty());
    let queue = s.review_pairs(&ReviewQuery::default()).await.unwrap();
    let pairs: Vec<_> = queue.iter().map(|p| (p.a, p.b, p.probability)).collect();
    assert_eq!(pairs, vec![(p1, p3, Some(0.7)), (p2, p3, Some(0.6))]);
    assert_eq!(queue[0].explanation["fields"][0]["weight"], 3.5);

    // France sees its record and that another nation holds the same person, nothing more.
    let view = queue[0].seen_by(fr()).unwrap();
    assert_eq!(
        (view.person, view.other, view.other_is_another_nation),
        (p1, None, true)
    );
    assert!(view.explanation.is_none());
    let seen = serde_json::to_string(&view).unwrap();
    assert!(!seen.contains("DE"), "{seen}");
    assert!(queue[0].seen_by(NationCode::parse("US").unwrap()).is_none());

    // "Not the same" needs a reason; the same record twice is no pair; unknown people fail.
    let refused = s
        .decide_pair(&actor(), p3, p1, Some(PairDecision::NotSame), None, None)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("needs a reason"), "{refused}");
    assert!(
        s.decide_pair(&actor(), p1, p1, Some(PairDecision::Same), None, None)
            .await
            .is_err()
    );
    assert!(
        s.decide_pair(
            &actor(),
            p1,
            PersonId(999_999),
            Some(PairDecision::Same),
            None,
            None
        )
        .await
        .is_err()
    );
    assert_eq!(
        f.audit_count().await,
        events_before + 1,
        "refusals write nothing"
    );

    // Decided (in the other order), with a stale version refused.
    let decided = s
        .decide_pair(
            &actor(),
            p3,
            p1,
            Some(PairDecision::NotSame),
            Some("other father".into()),
            Some(1),
        )
        .await
        .unwrap();
    assert_eq!(
        (decided.decision, decided.version),
        (Some(PairDecision::NotSame), 2)
    );
    let stale = s
        .decide_pair(&actor(), p1, p3, Some(PairDecision::Same), None, Some(1))
        .await
        .unwrap_err();
    assert_eq!(
        stale.kind(),
        airbridge_store::ErrorKind::Conflict,
        "{stale}"
    );
    // A pair nobody proposed can be decided by a reviewer who knows.
    s.decide_pair(&actor(), p4, p2, Some(PairDecision::Same), None, None)
        .await
        .unwrap();
    assert_eq!(
        s.pair_decisions().await.unwrap(),
        vec![
            (p1, p3, PairDecision::NotSame),
            (p2, p4, PairDecision::Same)
        ]
    );
    // One decision event per nation involved (p1 French, p3 German; p2 French, p4 German).
    let decisions = s
        .audit_list(&AuditFilter {
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "dedup.decide")
        .map(|e| (e.nation.unwrap_or_default(), e.entity_id))
        .collect::<Vec<_>>();
    assert_eq!(
        decisions,
        vec![
            ("FR".to_owned(), p1.to_string()),
            ("DE".to_owned(), p3.to_string()),
            ("FR".to_owned(), p2.to_string()),
            ("DE".to_owned(), p4.to_string()),
        ]
    );

    // The next run proposes p1~p3 again and p2~p3 no more: the decided pair keeps its
    // decision and score, the stale undecided one leaves the queue.
    let run = s
        .save_dedup_run(
            &actor(),
            dedup_run(
                vec![(p1, p1), (p2, p1), (p3, p3), (p4, p1)],
                vec![review_pair(p1, p3, 0.75)],
            ),
        )
        .await
        .unwrap();
    assert_eq!((run.id, run.queued, run.duplicates), (2, 0, 3));
    assert!(
        s.review_pairs(&ReviewQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    let kept = s.get_pair(p3, p1).await.unwrap().unwrap();
    assert_eq!(
        (kept.decision, kept.probability, kept.version),
        (Some(PairDecision::NotSame), Some(0.7), 2)
    );
    assert!(s.get_pair(p2, p3).await.unwrap().is_none());
    let all = ReviewQuery {
        decided: true,
        nation: Some(de()),
        ..Default::default()
    };
    assert_eq!(s.review_pairs(&all).await.unwrap().len(), 2);

    // Taken back: the pair waits for a reviewer again and binds nothing.
    let undone = s
        .decide_pair(&actor(), p1, p3, None, None, Some(2))
        .await
        .unwrap();
    assert_eq!(
        (
            undone.decision,
            undone.decided_by.as_deref(),
            undone.version
        ),
        (None, None, 3)
    );
    assert_eq!(
        s.pair_decisions().await.unwrap(),
        vec![(p2, p4, PairDecision::Same)]
    );
    assert_eq!(
        s.review_pairs(&ReviewQuery::default()).await.unwrap().len(),
        1
    );
    assert!(
        s.decide_pair(&actor(), p3, p4, None, None, None)
            .await
            .is_err(),
        "nothing to take back"
    );
    assert_eq!(s.latest_dedup_run().await.unwrap().unwrap().id, 2);
    assert_eq!(s.dedup_model().await.unwrap().unwrap()["lambda"], 0.001);

    // A person registered later joins a cluster and brings a pair; pairs already stored
    // (even waiting ones) are left as they are.
    let p5 = add(fr(), "Gul Ahmad").await;
    let queued = s
        .save_matches(
            &actor(),
            airbridge_store::NewMatches {
                clusters: vec![(p5, p1)],
                review: vec![review_pair(p5, p3, 0.8), review_pair(p1, p3, 0.1)],
            },
        )
        .await
        .unwrap();
    assert_eq!(queued, 1);
    assert_eq!(
        s.clusters_of(&[p5, p3, p2]).await.unwrap(),
        vec![(p2, p1), (p3, p3), (p5, p1)]
    );
    assert_eq!(s.cluster_mates(p1).await.unwrap(), vec![p2, p4, p5]);
    assert_eq!(
        s.get_pair(p1, p3).await.unwrap().unwrap().probability,
        Some(0.7)
    );
    assert_eq!(
        s.get_pair(p3, p5).await.unwrap().unwrap().probability,
        Some(0.8)
    );
    assert!(s.audit_verify().await.unwrap().broken_at.is_none());
}
