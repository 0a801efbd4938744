//! Work the server leaves to its background worker (in the binary: `airbridge serve` runs it).
//!
//! When people are registered or changed through the web app or the API, they must be screened
//! against the loaded sanctions lists and matched against the registry for duplicates, as the
//! CLI's import does. That takes the names engine and the sanctions index, which the web crate
//! does not hold, so the request only queues a job (`Store::enqueue_job`, audited) and returns;
//! the worker claims it within a second or so.

use airbridge_domain::PersonId;
use airbridge_store::{Actor, Store};

/// A job's kind: people were registered or changed; payload `{"persons": [ids]}`.
pub const PEOPLE_CHANGED: &str = "people.changed";

/// Queues the screening and matching of `people`. The change itself is already committed, so
/// a failure to queue is logged, not returned: the person is registered, and the next
/// `airbridge screening run` or `airbridge dedup` covers them.
pub(crate) async fn people_changed<S: Store>(store: &S, actor: &Actor, people: &[PersonId]) {
    if people.is_empty() {
        return;
    }
    let payload = serde_json::json!({ "persons": people });
    if let Err(error) = store.enqueue_job(actor, PEOPLE_CHANGED, payload).await {
        tracing::error!(%error, people = people.len(), "could not queue screening and matching");
    }
}

/// The people a `people.changed` job is about.
pub fn people_of(payload: &serde_json::Value) -> Vec<PersonId> {
    payload["persons"]
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_i64())
                .map(PersonId)
                .collect()
        })
        .unwrap_or_default()
}
