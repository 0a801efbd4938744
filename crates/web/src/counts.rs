//! The registry-wide counts the dashboard shows (people by nation and status, by category),
//! kept between requests. Counting a million people takes the database a good part of a
//! second; fifty officers opening the dashboard must not each pay for it.
//!
//! A kept answer stays good as long as nothing was written since it was counted: every change
//! to the registry appends an audit event, so the audit chain's head sequence number is the
//! registry's version. Events that change nothing (entity type `event`: a list read, a
//! download, an export, recorded by `Store::record_event`) are not changes: a caller reads the
//! events after the kept answer's sequence number (one indexed lookup, usually none or a few),
//! and when all of them are such events the answer stays good and its sequence number moves
//! up to them. Otherwise (a change, or more than [`EVENTS_SCANNED`] new events) the next
//! caller counts again while the others asking for the same scope wait for that answer rather
//! than counting too. Counts are therefore never stale, only shared.

use crate::error::ApiError;
use airbridge_domain::NationCode;
use airbridge_store::{AuditFilter, LiveCount, StatusTotal, Store};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// New events read at most to decide that none of them changed the registry.
const EVENTS_SCANNED: u32 = 256;

/// The entity type of events that change nothing in the registry (`Store::record_event`).
const NO_CHANGE: &str = "event";

/// What one scope's counts are: the totals by nation and status, and by category.
#[derive(Debug, Clone)]
pub(crate) struct Counts {
    pub(crate) totals: Vec<StatusTotal>,
    pub(crate) live: Vec<LiveCount>,
}

/// One scope's slot: the registry version the counts were made at, and the counts.
type Slot = Arc<tokio::sync::Mutex<Option<(i64, Arc<Counts>)>>>;

/// The counts per scope (a nation, or every nation), shared by every request.
#[derive(Default)]
pub struct CountsCache {
    slots: Mutex<HashMap<Option<NationCode>, Slot>>,
    /// How many times the registry was counted (for tests and reasoning).
    counted: AtomicU64,
}

impl CountsCache {
    fn slot(&self, scope: Option<NationCode>) -> Slot {
        self.slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(scope)
            .or_default()
            .clone()
    }

    /// The counts for `scope` as of now: kept ones when the registry has not changed since,
    /// else counted again (once, whoever else is waiting).
    pub(crate) async fn get<S: Store>(
        &self,
        store: &S,
        scope: Option<NationCode>,
    ) -> Result<Arc<Counts>, ApiError> {
        let slot = self.slot(scope);
        let mut kept = slot.lock().await;
        if let Some((at, counts)) = kept.as_mut() {
            let since = store
                .audit_list(&AuditFilter {
                    after: Some(*at),
                    limit: Some(EVENTS_SCANNED),
                    ..Default::default()
                })
                .await?;
            if since.len() < EVENTS_SCANNED as usize
                && since.iter().all(|event| event.entity_type == NO_CHANGE)
            {
                if let Some(newest) = since.last() {
                    *at = newest.seq;
                }
                return Ok(counts.clone());
            }
        }
        let version = registry_version(store).await?;
        self.counted.fetch_add(1, Ordering::Relaxed);
        // A write landing while we count makes the next caller count again: the version is
        // read before counting, so it can only be older than the counts, never newer.
        let counts = Arc::new(Counts {
            totals: store.totals().await?,
            live: store.live_counts(scope).await?,
        });
        *kept = Some((version, counts.clone()));
        Ok(counts)
    }
}

#[cfg(test)]
impl CountsCache {
    /// How many times the registry was counted since the cache was made.
    pub(crate) fn times_counted(&self) -> u64 {
        self.counted.load(Ordering::Relaxed)
    }
}

/// The sequence number of the newest audit event: it moves with every change to the registry.
async fn registry_version<S: Store>(store: &S) -> Result<i64, ApiError> {
    let newest = store
        .audit_list(&AuditFilter {
            limit: Some(1),
            ..Default::default()
        })
        .await?;
    Ok(newest.first().map_or(0, |event| event.seq))
}

#[cfg(test)]
mod tests {
    use super::*;
    use airbridge_store::{Actor, OpenMode, SqliteStore};

    /// Reads recorded in the audit trail (list reads, downloads) leave the kept counts good; a
    /// change to the registry makes the next caller count again.
    #[tokio::test]
    async fn reads_do_not_make_the_dashboard_count_again_changes_do() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("counts.db"), OpenMode::CreateIfMissing)
            .await
            .unwrap();
        let actor = Actor::new("test:setup");
        let fr = NationCode::parse("FR").unwrap();
        store.add_nation(&actor, fr, "France").await.unwrap();
        let cache = CountsCache::default();
        cache.get(&store, None).await.unwrap();
        assert_eq!(cache.times_counted(), 1);
        cache.get(&store, None).await.unwrap();
        assert_eq!(cache.times_counted(), 1, "nothing happened");
        for n in 0..3 {
            store
                .record_event(
                    &actor,
                    Some(fr),
                    crate::LIST_READ_ACTION,
                    "/api/persons",
                    serde_json::json!({ "people": n }),
                )
                .await
                .unwrap();
            cache.get(&store, None).await.unwrap();
        }
        assert_eq!(cache.times_counted(), 1, "reads are not changes");
        store
            .add_nation(&actor, NationCode::parse("DE").unwrap(), "Germany")
            .await
            .unwrap();
        cache.get(&store, None).await.unwrap();
        assert_eq!(cache.times_counted(), 2, "a change is counted again");
        store
            .record_event(&actor, None, "report.sitrep", "x", serde_json::json!({}))
            .await
            .unwrap();
        cache.get(&store, None).await.unwrap();
        assert_eq!(cache.times_counted(), 2);
        // More new events than are scanned: counted again, to be safe.
        for _ in 0..EVENTS_SCANNED {
            store
                .record_event(&actor, None, "report.sitrep", "x", serde_json::json!({}))
                .await
                .unwrap();
        }
        cache.get(&store, None).await.unwrap();
        assert_eq!(cache.times_counted(), 3);
    }
}
