//! Reads of lists of people, in the audit trail: who read which list, with which filter, and
//! how many people it returned (never their names).
//!
//! - Every request for a list of people (`GET /api/persons`, `/api/cases`, `/api/search` and
//!   the search screen) records one `list.read` event naming the route, the filter or query,
//!   and the number of people (and cases) returned.
//! - The gate's expected list (`GET /api/gate/expected`) is a download kept offline on the gate
//!   phone, which syncs every few seconds: one `gate.expected` event when a gate session (a
//!   browser session, or a token) first takes the list of a gate and scope, and one more each
//!   time the list it receives differs from the one it last took (its `version`: a digest of
//!   the cases sent, without the time). Syncs of an unchanged list record nothing. What each
//!   session last took is kept in memory: after a restart the first sync records again.
//!
//! These events change nothing in the registry (they are recorded with
//! [`Store::record_event`], entity type `event`): the dashboard's counts are not counted again
//! because of them (`counts.rs`).

use crate::auth::{Principal, Source};
use crate::error::ApiError;
use airbridge_domain::NationCode;
use airbridge_store::Store;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::sync::Mutex;

/// The audit action of a read of a list of people.
pub const LIST_READ_ACTION: &str = "list.read";

/// The audit action of a gate session taking its expected list.
pub const GATE_EXPECTED_ACTION: &str = "gate.expected";

/// Gate sessions remembered at most; past it the memory starts again (each session's next
/// sync then records once more: more events, never fewer).
const GATE_SESSIONS_KEPT: usize = 10_000;

/// Records that `caller` read a list of people from `route`: the filter as the caller gave it
/// (`null` fields left out), how many people and, for case lists, how many cases.
pub(crate) async fn record_list_read<S: Store>(
    store: &S,
    caller: &Principal,
    nation: Option<NationCode>,
    route: &str,
    filter: Value,
    people: usize,
    cases: Option<usize>,
) -> Result<(), ApiError> {
    let filter = match filter {
        Value::Object(fields) => {
            Value::Object(fields.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    };
    let mut details = json!({ "route": route, "filter": filter, "people": people });
    if let Some(cases) = cases {
        details["cases"] = json!(cases);
    }
    store
        .record_event(&caller.actor(), nation, LIST_READ_ACTION, route, details)
        .await?;
    Ok(())
}

/// What each gate session last took: session → list version.
#[derive(Default)]
pub struct GateTaken {
    taken: Mutex<HashMap<String, String>>,
}

/// The version of an expected list: the first 16 hex digits of the SHA-1 of its cases as sent.
/// A change detector, not a secret.
pub(crate) fn list_version(cases: &[Value]) -> String {
    let digest = Sha1::digest(Value::from(cases.to_vec()).to_string().as_bytes());
    hex::encode(&digest[..8])
}

impl GateTaken {
    /// Whether this session taking this version of the list is news: true the first time and
    /// whenever the version differs from the session's last one.
    fn is_new(&self, session: String, version: &str) -> bool {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        if taken.get(&session).is_some_and(|v| v == version) {
            return false;
        }
        if taken.len() >= GATE_SESSIONS_KEPT && !taken.contains_key(&session) {
            taken.clear();
        }
        taken.insert(session, version.to_owned());
        true
    }

    /// Forgets a session's version (its event could not be recorded: the next sync tries again).
    fn forget(&self, session: &str) {
        self.taken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(session);
    }

    /// Records a `gate.expected` event when this session's list is new to it.
    pub(crate) async fn record<S: Store>(
        &self,
        store: &S,
        caller: &Principal,
        gate: &str,
        nation: Option<NationCode>,
        cases: &[Value],
        people: usize,
    ) -> Result<(), ApiError> {
        let version = list_version(cases);
        let who = match &caller.source {
            Source::Session { id_hash, .. } => format!("session:{id_hash}"),
            Source::Token => format!("token:{}", caller.name),
        };
        let scope = nation.as_ref().map_or("all", NationCode::as_str);
        let session = format!("{who}|{gate}|{scope}");
        if !self.is_new(session.clone(), &version) {
            return Ok(());
        }
        let recorded = store
            .record_event(
                &caller.actor(),
                nation,
                GATE_EXPECTED_ACTION,
                gate,
                json!({
                    "gate": gate,
                    "version": version,
                    "cases": cases.len(),
                    "people": people,
                }),
            )
            .await;
        if recorded.is_err() {
            self.forget(&session);
        }
        recorded?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_s_list_is_news_once_per_version() {
        let taken = GateTaken::default();
        assert!(taken.is_new("a".into(), "v1"));
        assert!(!taken.is_new("a".into(), "v1"));
        assert!(taken.is_new("b".into(), "v1"));
        assert!(taken.is_new("a".into(), "v2"));
        assert!(!taken.is_new("a".into(), "v2"));
        assert!(taken.is_new("a".into(), "v1"));
    }

    #[test]
    fn the_version_follows_the_cases_only() {
        let one = [json!({"code_hash": "x", "members": [1]})];
        let other = [json!({"code_hash": "x", "members": [1, 2]})];
        assert_eq!(list_version(&one), list_version(&one.clone()));
        assert_ne!(list_version(&one), list_version(&other));
        assert_eq!(list_version(&one).len(), 16);
    }
}
