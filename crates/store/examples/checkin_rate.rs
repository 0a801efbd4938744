//! How many gate check-ins the store applies per second on SQLite, without HTTP: families
//! called forward, then admitted one pass each by N concurrent callers. Prints the rate and
//! the latency percentiles. A measurement, not a test.
//!
//!   cargo run --release -p airbridge-store --example checkin_rate -- [FAMILIES] [CALLERS] [BATCH]
//!
//! BATCH 0 calls `check_in` directly (a transaction each); above 0 goes through the
//! `CheckInQueue` with batches of at most that many.

use airbridge_domain::{
    Eligibility, EligibilityBasis, EvacuationStatus, NationCode, Person, PersonName, Relation,
};
use airbridge_field::{GateAction, GateEvent, PassCode};
use airbridge_store::{
    Actor, CallForwardRequest, CheckIn, CheckInOutcome, Encryption, NewCase, NewMember, NewPass,
    OpenMode, SqliteStore, Store,
};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let families: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let callers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    let batch: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(256);
    let dir = tempfile::tempdir().unwrap();
    let key = airbridge_store::DatabaseKey::parse(&"ab".repeat(32)).unwrap();
    let store = SqliteStore::open_with(
        &dir.path().join("rate.db"),
        OpenMode::CreateIfMissing,
        &Encryption::Key(key),
    )
    .await
    .unwrap();
    let actor = Actor::new("bench");
    let fr = NationCode::parse("FR").unwrap();
    store.add_nation(&actor, fr, "France").await.unwrap();
    let member = |relation, given: &str| NewMember {
        relation,
        person: Person {
            name: PersonName {
                given: Some(given.into()),
                family: Some("Bench".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    };
    let mut cases = Vec::new();
    for chunk in (0..families).collect::<Vec<_>>().chunks(1000) {
        let batch = chunk
            .iter()
            .map(|i| NewCase {
                nation: fr,
                organisation: None,
                reference: Some(format!("B{i}")),
                eligibility: Eligibility {
                    bases: vec![EligibilityBasis::National],
                },
                members: vec![
                    member(Relation::Principal, "Ahmad"),
                    member(Relation::Spouse, "Zahra"),
                    member(Relation::Child, "Omid"),
                ],
                progress: Vec::new(),
            })
            .collect();
        cases.extend(store.add_cases(&actor, batch).await.unwrap());
    }
    let mut passes = Vec::new();
    for chunk in cases.chunks(1000) {
        let mut new = Vec::new();
        for case in chunk {
            store
                .set_case_status(&actor, *case, EvacuationStatus::Eligible, None, None)
                .await
                .unwrap();
            let record = store.get_case(*case).await.unwrap().unwrap();
            let code = PassCode::from_entropy((case.0 as u64 * 7919).to_le_bytes());
            new.push(NewPass {
                case: *case,
                code_hash: code.hash(),
                messages: Vec::new(),
            });
            passes.push((
                code,
                record.people.iter().map(|p| p.id.0).collect::<Vec<_>>(),
            ));
        }
        let now = time::OffsetDateTime::now_utc();
        let fmt = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        store
            .call_forward(
                &actor,
                CallForwardRequest {
                    nation: fr,
                    gate: "Abbey Gate".into(),
                    rendezvous: "bench".into(),
                    valid_from: fmt(now - time::Duration::hours(1)),
                    valid_until: fmt(now + time::Duration::hours(5)),
                    passes: new,
                },
            )
            .await
            .unwrap();
    }
    eprintln!("{families} families called forward; {callers} callers start");
    let passes = std::sync::Arc::new(passes);
    let queue = (batch > 0).then(|| airbridge_store::CheckInQueue::start(store.clone(), batch));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for caller in 0..callers {
        let store = store.clone();
        let passes = passes.clone();
        let actor = actor.clone();
        let queue = queue.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for (i, (code, members)) in passes.iter().enumerate().skip(caller).step_by(callers) {
                let t = Instant::now();
                let check_in = CheckIn {
                    code_hash: Some(code.hash()),
                    case: None,
                    event: GateEvent {
                        op_id: format!("op-{i}"),
                        gate: "Abbey Gate".into(),
                        at_ms: 0,
                        action: GateAction::Admit {
                            members: members.clone(),
                        },
                    },
                    offline: false,
                    names: Vec::new(),
                    seen_versions: Vec::new(),
                };
                let outcome = match &queue {
                    Some(queue) => queue.check_in(actor.clone(), check_in).await.unwrap(),
                    None => store.check_in(&actor, check_in).await.unwrap(),
                };
                assert!(
                    matches!(outcome, CheckInOutcome::Applied { .. }),
                    "{outcome:?}"
                );
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "batch {batch}: {} check-ins (families of 3) in {:.2} s: {:.0}/s; latency p50 {:?} p99 {:?} max {:?}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.5),
        pct(0.99),
        latencies.last().unwrap()
    );
}
