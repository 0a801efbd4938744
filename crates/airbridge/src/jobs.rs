//! The server's background worker: claims queued jobs (`Store::claim_job`) and does them, so a
//! request only has to queue work that needs the engines. Several servers on one PostgreSQL
//! database each run a worker; every job goes to one of them, and a job whose worker died is
//! claimed again once its lease runs out.
//!
//! Kinds done here:
//! - `people.changed` (queued by the web app when people are registered, changed or imported):
//!   the people are screened against the loaded sanctions lists and matched against the
//!   registry for duplicates, as the CLI's import does.

use std::time::Duration;

use airbridge_store::{Actor, AnyStore, JobClaim, JobOutcome, Store};
use airbridge_web::jobs::{PEOPLE_CHANGED, people_of};

/// How long a claimed job is this worker's before another may take it over.
const LEASE: Duration = Duration::from_secs(600);
/// Pause between looks at an empty queue.
const IDLE: Duration = Duration::from_millis(500);

/// Claims and does jobs until the task is aborted.
pub async fn work(store: AnyStore) {
    let worker = format!("serve:{}", std::process::id());
    let actor = Actor::new("system:worker");
    // The registry's blocking index, kept between jobs (see `dedup_db::KeptIndex`).
    let mut kept = None;
    loop {
        match store.claim_job(&worker, LEASE).await {
            Ok(Some(claim)) => {
                let outcome = match run(&store, &actor, &claim, &mut kept).await {
                    Ok(done) => JobOutcome::Done(done),
                    Err(error) => {
                        tracing::warn!(job = claim.id, kind = %claim.kind, "job failed: {error:#}");
                        JobOutcome::Failed(format!("{error:#}"))
                    }
                };
                if let Err(error) = store.finish_job(&actor, &claim, outcome).await {
                    tracing::warn!(job = claim.id, %error, "could not finish the job");
                }
            }
            Ok(None) => tokio::time::sleep(IDLE).await,
            Err(error) => {
                tracing::warn!(%error, "could not look at the job queue");
                tokio::time::sleep(IDLE * 10).await;
            }
        }
    }
}

async fn run(
    store: &AnyStore,
    actor: &Actor,
    claim: &JobClaim,
    kept: &mut Option<crate::dedup_db::KeptIndex>,
) -> anyhow::Result<serde_json::Value> {
    match claim.kind.as_str() {
        PEOPLE_CHANGED => {
            let people = people_of(&claim.payload);
            let (screened, hits) = crate::registry_screening::screen_registry(
                store,
                actor,
                Some(&people),
                crate::registry_screening::DEFAULT_THRESHOLD,
            )
            .await?;
            let dedup = crate::dedup_db::match_people_kept(store, actor, &people, kept).await?;
            Ok(serde_json::json!({
                "people": people.len(),
                "screened": screened,
                "new_hits": hits,
                "dedup": dedup,
            }))
        }
        other => anyhow::bail!("no worker does jobs of kind '{other}'"),
    }
}
