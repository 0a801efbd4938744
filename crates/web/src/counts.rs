//! The registry-wide counts the dashboard shows (people by nation and status, by category),
//! kept between requests. Counting a million people takes the database a good part of a
//! second; fifty officers opening the dashboard must not each pay for it.
//!
//! A kept answer stays good as long as nothing was written since it was counted: every change
//! to the registry appends an audit event, so the audit chain's head sequence number is the
//! registry's version, read with one indexed lookup. When it moved, the next caller counts
//! again while the others asking for the same scope wait for that answer rather than counting
//! too. Counts are therefore never stale, only shared.

use crate::error::ApiError;
use airbridge_domain::NationCode;
use airbridge_store::{AuditFilter, LiveCount, StatusTotal, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
        let version = registry_version(store).await?;
        if let Some((at, counts)) = kept.as_ref()
            && *at == version
        {
            return Ok(counts.clone());
        }
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
