//! The audit trail's records and its hash chain.
//!
//! Each event's hash is SHA-256 over the previous event's hash, the event's own fields and the
//! SHA-256 of its payload (the before/after JSON). Chaining the payload's hash rather than the
//! payload lets a purge erase personal data from old events without breaking the chain, while any
//! altered, removed or reordered event still shows.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audited change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nation: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
    pub hash: String,
}

/// Which events to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    pub entity_type: Option<String>,
    #[serde(default)]
    pub entity_id: Option<String>,
    #[serde(default)]
    pub actor: Option<String>,
    /// Only events after this sequence number.
    #[serde(default)]
    pub after: Option<i64>,
    /// At most this many (default 100), newest last.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The result of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditVerification {
    pub events: i64,
    /// The first event that does not fit the chain, with why; `None` when the chain is whole.
    pub broken_at: Option<(i64, String)>,
}

/// The payload hash of an event: SHA-256 of `before` and `after`, each as stored text or
/// empty, separated by a NUL byte.
pub fn payload_hash(before: Option<&str>, after: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(before.unwrap_or("").as_bytes());
    hasher.update([0u8]);
    hasher.update(after.unwrap_or("").as_bytes());
    hex::encode(hasher.finalize())
}

/// The fields of an event that its chain hash covers.
pub struct ChainedFields<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub nation: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub payload_hash: &'a str,
}

/// The chain hash of an event following `previous`.
pub fn chain_hash(previous: &str, fields: &ChainedFields<'_>) -> String {
    let mut hasher = Sha256::new();
    for part in [
        previous,
        &fields.seq.to_string(),
        fields.at,
        fields.actor,
        fields.nation.unwrap_or(""),
        fields.action,
        fields.entity_type,
        fields.entity_id,
        fields.payload_hash,
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hex::encode(hasher.finalize())
}

/// SHA-256 of some bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 of a secret, hex; API tokens are stored so.
pub fn secret_hash(secret: &str) -> String {
    sha256_hex(secret.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_and_field_sensitive() {
        let payload = payload_hash(None, Some("{}"));
        let fields = ChainedFields {
            seq: 1,
            at: "2021-08-15T00:00:00Z",
            actor: "cli:test",
            nation: Some("FR"),
            action: "person.add",
            entity_type: "person",
            entity_id: "P1",
            payload_hash: &payload,
        };
        let first = chain_hash(GENESIS, &fields);
        assert_eq!(first.len(), 64);
        assert_eq!(first, chain_hash(GENESIS, &fields));
        let moved = ChainedFields { seq: 2, ..fields };
        assert_ne!(first, chain_hash(GENESIS, &moved));
        assert_ne!(payload, payload_hash(Some("{}"), None));
        assert_eq!(
            secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
