//! Copying a whole registry from one database to another (`airbridge migrate`): a laptop's
//! SQLite file onto a PostgreSQL server, or back. Every table is copied row for row with its
//! ids, and the audit trail event for event, so its hash chain still verifies on the target.
//!
//! The target must be empty and is written in one transaction: a copy that fails leaves it
//! empty. Each table's rows are counted and checksummed as they are read from the source, and
//! again by reading the target back after the commit; the copy is verified when both agree.

use crate::{AnyStore, AuditVerification, Result, Store, StoreError};
use sha2::{Digest, Sha256};

/// How a column's values are carried between backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Integer,
    Real,
    Text,
}

/// A table as the copy sees it: its name and columns, in the order parents come before the
/// tables that refer to them.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    pub name: &'static str,
    pub columns: &'static [(&'static str, ColumnType)],
}

use ColumnType::{Integer as I, Real as R, Text as T};

/// Every table of the registry, parents first. `schema_migrations` is not copied: the target
/// has its own, at the same version. Nor is the name index, which each backend stores its own
/// way: it is derived from the people's details, and the target builds its own after the copy.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "nations",
        columns: &[
            ("code", T),
            ("name", T),
            ("created_at", T),
            ("export_confirm_above", I),
        ],
    },
    TableSpec {
        name: "organisations",
        columns: &[
            ("id", I),
            ("nation", T),
            ("name", T),
            ("kind", T),
            ("created_at", T),
        ],
    },
    TableSpec {
        name: "cases",
        columns: &[
            ("id", I),
            ("nation", T),
            ("organisation", I),
            ("reference", T),
            ("eligibility", T),
            ("version", I),
            ("created_at", T),
            ("updated_at", T),
        ],
    },
    TableSpec {
        name: "persons",
        columns: &[
            ("id", I),
            ("nation", T),
            ("case_id", I),
            ("relation", T),
            ("status", T),
            ("display_name", T),
            ("search_name", T),
            ("birth_first", I),
            ("birth_last", I),
            ("details", T),
            ("version", I),
            ("created_at", T),
            ("updated_at", T),
        ],
    },
    TableSpec {
        name: "documents",
        columns: &[("person_id", I), ("kind", T), ("number", T), ("issuer", T)],
    },
    TableSpec {
        name: "status_changes",
        columns: &[
            ("id", I),
            ("person_id", I),
            ("from_status", T),
            ("to_status", T),
            ("actor", T),
            ("at", T),
            ("location", T),
            ("reason", T),
        ],
    },
    TableSpec {
        name: "api_tokens",
        columns: &[
            ("id", I),
            ("name", T),
            ("token_hash", T),
            ("nation", T),
            ("created_at", T),
            ("revoked_at", T),
            ("role", T),
            ("organisation", I),
            ("gate", T),
        ],
    },
    // Accounts are copied; sessions and setup tokens are not (a moved registry starts with
    // everyone logged out).
    TableSpec {
        name: "users",
        columns: &[
            ("id", I),
            ("username", T),
            ("display_name", T),
            ("role", T),
            ("nation", T),
            ("organisation", I),
            ("gate", T),
            ("password_hash", T),
            ("totp_secret", T),
            ("totp_last_step", I),
            ("disabled", I),
            ("failed_logins", I),
            ("locked_until", I),
            ("created_at", T),
            ("updated_at", T),
        ],
    },
    TableSpec {
        name: "import_rows",
        columns: &[
            ("nation", T),
            ("source", T),
            ("row_key", T),
            ("fingerprint", T),
            ("person_id", I),
            ("imported_at", T),
            ("extra", T),
        ],
    },
    TableSpec {
        name: "quarantine",
        columns: &[
            ("id", I),
            ("nation", T),
            ("source", T),
            ("row_key", T),
            ("sheet", T),
            ("line", I),
            ("fingerprint", T),
            ("raw", T),
            ("issues", T),
            ("status", T),
            ("created_at", T),
            ("resolved_at", T),
        ],
    },
    TableSpec {
        name: "sanctions_lists",
        columns: &[
            ("id", I),
            ("source", T),
            ("version_date", T),
            ("sha256", T),
            ("entries", I),
            ("content", T),
            ("loaded_at", T),
        ],
    },
    TableSpec {
        name: "screening_hits",
        columns: &[
            ("id", I),
            ("person_id", I),
            ("list_id", I),
            ("entry_ref", T),
            ("listed_name", T),
            ("score", R),
            ("explanation", T),
            ("entry_fingerprint", T),
            ("person_fingerprint", T),
            ("status", T),
            ("decided_by", T),
            ("decided_at", T),
            ("reason", T),
            ("created_at", T),
        ],
    },
    TableSpec {
        name: "audit_events",
        columns: &[
            ("seq", I),
            ("at", T),
            ("actor", T),
            ("nation", T),
            ("action", T),
            ("entity_type", T),
            ("entity_id", T),
            ("before", T),
            ("after", T),
            ("payload_hash", T),
            ("prev_hash", T),
            ("hash", T),
        ],
    },
    TableSpec {
        name: "jobs",
        columns: &[
            ("id", I),
            ("kind", T),
            ("payload", T),
            ("state", T),
            ("attempts", I),
            ("claimed_by", T),
            ("claimed_at", T),
            ("lease_until", I),
            ("result", T),
            ("created_at", T),
            ("finished_at", T),
        ],
    },
    TableSpec {
        name: "call_forwards",
        columns: &[
            ("id", I),
            ("nation", T),
            ("gate", T),
            ("rendezvous", T),
            ("valid_from", T),
            ("valid_until", T),
            ("actor", T),
            ("created_at", T),
        ],
    },
    TableSpec {
        name: "passes",
        columns: &[
            ("id", I),
            ("wave", I),
            ("case_id", I),
            ("nation", T),
            ("gate", T),
            ("code_hash", T),
            ("valid_from", T),
            ("valid_until", T),
            ("state", T),
            ("issued_at", T),
            ("used_gate", T),
            ("used_at", T),
            ("revoked_at", T),
            ("revoke_reason", T),
        ],
    },
    TableSpec {
        name: "gate_events",
        columns: &[
            ("id", I),
            ("op_id", T),
            ("pass_id", I),
            ("case_id", I),
            ("gate", T),
            ("action", T),
            ("at_ms", I),
            ("offline", I),
            ("actor", T),
            ("received_at", T),
            ("outcome", T),
            ("refusal", T),
        ],
    },
    TableSpec {
        name: "gate_flags",
        columns: &[
            ("id", I),
            ("pass_id", I),
            ("case_id", I),
            ("nation", T),
            ("gate", T),
            ("op_id", T),
            ("flag", T),
            ("raised_at", T),
            ("cleared_at", T),
            ("cleared_by", T),
            ("note", T),
        ],
    },
    TableSpec {
        name: "outbox",
        columns: &[
            ("id", I),
            ("pass_id", I),
            ("person_id", I),
            ("nation", T),
            ("channel", T),
            ("recipient", T),
            ("language", T),
            ("body", T),
            ("state", T),
            ("attempts", I),
            ("created_at", T),
            ("sent_at", T),
            ("error", T),
        ],
    },
    TableSpec {
        name: "aircraft_types",
        columns: &[
            ("name", T),
            ("seated_capacity", I),
            ("floor_loaded_capacity", I),
            ("created_at", T),
            ("updated_at", T),
        ],
    },
    TableSpec {
        name: "flights",
        columns: &[
            ("id", T),
            ("nation", T),
            ("aircraft", T),
            ("configuration", T),
            ("departs_at", T),
            ("destination", T),
            ("status", T),
            ("carries", T),
            ("version", I),
            ("created_at", T),
            ("updated_at", T),
        ],
    },
    TableSpec {
        name: "carriage_agreements",
        columns: &[
            ("carrier", T),
            ("passengers", T),
            ("categories", T),
            ("created_at", T),
            ("updated_at", T),
        ],
    },
    TableSpec {
        name: "acceptance_rules",
        columns: &[
            ("destination", T),
            ("rules", T),
            ("created_at", T),
            ("updated_at", T),
        ],
    },
    TableSpec {
        name: "priority_weights",
        columns: &[
            ("nation", T),
            ("weights", T),
            ("created_at", T),
            ("updated_at", T),
        ],
    },
    TableSpec {
        name: "plan_runs",
        columns: &[
            ("id", I),
            ("solver", T),
            ("objective", R),
            ("upper_bound", R),
            ("gap", R),
            ("cases_ready", I),
            ("cases_assigned", I),
            ("people_assigned", I),
            ("kept", I),
            ("moved", I),
            ("dropped", I),
            ("seat_prices", T),
            ("actor", T),
            ("created_at", T),
        ],
    },
    TableSpec {
        name: "plan_assignments",
        columns: &[
            ("plan_run", I),
            ("case_id", I),
            ("flight_id", T),
            ("told_at", T),
        ],
    },
    TableSpec {
        name: "dedup_runs",
        columns: &[
            ("id", I),
            ("records", I),
            ("pairs_scored", I),
            ("links", I),
            ("clusters", I),
            ("duplicates", I),
            ("queued", I),
            ("threshold", R),
            ("review_low", R),
            ("review_high", R),
            ("model", T),
            ("actor", T),
            ("created_at", T),
        ],
    },
    TableSpec {
        name: "dedup_clusters",
        columns: &[("person_id", I), ("cluster", I), ("run", I)],
    },
    TableSpec {
        name: "dedup_pairs",
        columns: &[
            ("person_a", I),
            ("person_b", I),
            ("probability", R),
            ("explanation", T),
            ("run", I),
            ("decision", T),
            ("reason", T),
            ("decided_by", T),
            ("decided_at", T),
            ("version", I),
            ("created_at", T),
            ("updated_at", T),
        ],
    },
];

/// One stored value, the same on either backend.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Integer(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

/// A table's row count and a checksum of its rows that does not depend on their order: the sum
/// (modulo 2^128) of each row's SHA-256, cut to 128 bits. Duplicate rows count each time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableSummary {
    pub rows: u64,
    pub checksum: u128,
}

impl TableSummary {
    pub fn add(&mut self, row: &[Value]) {
        let mut hasher = Sha256::new();
        for value in row {
            match value {
                Value::Integer(None) | Value::Real(None) | Value::Text(None) => hasher.update([0]),
                Value::Integer(Some(n)) => {
                    hasher.update([1]);
                    hasher.update(n.to_le_bytes());
                }
                Value::Real(Some(x)) => {
                    hasher.update([2]);
                    hasher.update(x.to_bits().to_le_bytes());
                }
                Value::Text(Some(text)) => {
                    hasher.update([3]);
                    hasher.update((text.len() as u64).to_le_bytes());
                    hasher.update(text.as_bytes());
                }
            }
        }
        let digest = hasher.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        self.rows += 1;
        self.checksum = self.checksum.wrapping_add(u128::from_le_bytes(first));
    }

    pub fn checksum_hex(&self) -> String {
        format!("{:032x}", self.checksum)
    }
}

/// What a copy did, table by table, and whether the target agrees with the source.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CopyReport {
    pub tables: Vec<TableCopy>,
    pub audit: AuditVerification,
    /// Every table's count and checksum agree, and the target's audit chain verifies.
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableCopy {
    pub table: &'static str,
    pub rows: u64,
    pub source_checksum: String,
    pub target_checksum: String,
}

/// Rows per batch handed from the source to the target.
pub(crate) const COPY_BATCH: usize = 1_000;

/// A target's open copy transaction.
enum CopyTarget {
    Sqlite(crate::sqlite::CopyTx),
    Postgres(crate::postgres::CopyTx),
}

impl AnyStore {
    /// Every table's count and checksum, read in one snapshot where the backend allows.
    pub async fn summaries(&self) -> Result<Vec<(&'static str, TableSummary)>> {
        let mut summaries = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<Vec<Value>>>(4);
            let reader = {
                let store = self.clone();
                tokio::spawn(async move { store.read_table(table, sender).await })
            };
            let mut summary = TableSummary::default();
            while let Some(batch) = receiver.recv().await {
                batch.iter().for_each(|row| summary.add(row));
            }
            reader
                .await
                .map_err(|e| StoreError::Corrupt(format!("reading {}: {e}", table.name)))??;
            summaries.push((table.name, summary));
        }
        Ok(summaries)
    }

    /// The sequence number of the newest audit event (0 when there is none).
    async fn audit_head(&self) -> Result<i64> {
        let newest = self
            .audit_list(&crate::AuditFilter {
                limit: Some(1),
                ..Default::default()
            })
            .await?;
        Ok(newest.first().map_or(0, |event| event.seq))
    }

    /// Builds the name index afresh from the people's details (after a copy, which does not
    /// carry it).
    async fn rebuild_name_index(&self) -> Result<()> {
        match self {
            AnyStore::Sqlite(store) => store.build_name_index(true).await,
            AnyStore::Postgres(store) => store.build_name_index(true).await,
        }
    }

    async fn read_table(
        &self,
        table: &'static TableSpec,
        sender: tokio::sync::mpsc::Sender<Vec<Vec<Value>>>,
    ) -> Result<()> {
        match self {
            AnyStore::Sqlite(store) => store.read_table(table, sender).await,
            AnyStore::Postgres(store) => store.read_table(table, sender).await,
        }
    }

    /// Copies every table of `self` into `target`, which must hold no registry data yet, then
    /// reads the target back and compares. The target is written in one transaction.
    pub async fn copy_into(&self, target: &AnyStore) -> Result<CopyReport> {
        for (table, summary) in target.summaries().await? {
            if summary.rows > 0 {
                return Err(StoreError::Invalid(format!(
                    "the target already holds data ({} rows in {table}); copy into an empty database",
                    summary.rows
                )));
            }
        }
        let head_before = self.audit_head().await?;
        let mut writer = match target {
            AnyStore::Sqlite(store) => CopyTarget::Sqlite(store.begin_copy().await?),
            AnyStore::Postgres(store) => CopyTarget::Postgres(store.begin_copy().await?),
        };
        let mut copied = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<Vec<Value>>>(4);
            let reader = {
                let store = self.clone();
                tokio::spawn(async move { store.read_table(table, sender).await })
            };
            let mut summary = TableSummary::default();
            while let Some(batch) = receiver.recv().await {
                batch.iter().for_each(|row| summary.add(row));
                match &mut writer {
                    CopyTarget::Sqlite(tx) => tx.write(table, &batch).await?,
                    CopyTarget::Postgres(tx) => tx.write(table, &batch).await?,
                }
            }
            reader
                .await
                .map_err(|e| StoreError::Corrupt(format!("reading {}: {e}", table.name)))??;
            copied.push((table.name, summary));
        }
        // Every change appends an audit event: a source whose chain grew while it was read
        // was not copied as one moment, and the target is left empty.
        let head_after = self.audit_head().await?;
        if head_after != head_before {
            return Err(StoreError::Invalid(
                "the source changed while it was copied; stop the instances writing to it and copy again"
                    .into(),
            ));
        }
        match writer {
            CopyTarget::Sqlite(tx) => tx.commit().await?,
            CopyTarget::Postgres(tx) => tx.commit().await?,
        }
        target.rebuild_name_index().await?;
        let written = target.summaries().await?;
        let tables: Vec<TableCopy> = copied
            .iter()
            .zip(&written)
            .map(|((table, source), (_, target))| TableCopy {
                table,
                rows: source.rows,
                source_checksum: source.checksum_hex(),
                target_checksum: if source.rows == target.rows {
                    target.checksum_hex()
                } else {
                    format!("{} ({} rows)", target.checksum_hex(), target.rows)
                },
            })
            .collect();
        let audit = target.audit_verify().await?;
        let verified = copied == written && audit.broken_at.is_none();
        Ok(CopyReport {
            tables,
            audit,
            verified,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_ignore_order_but_not_content_or_repetition() {
        let a = [Value::Integer(Some(1)), Value::Text(Some("FR".into()))];
        let b = [Value::Integer(Some(2)), Value::Text(None)];
        let (mut forward, mut backward) = (TableSummary::default(), TableSummary::default());
        forward.add(&a);
        forward.add(&b);
        backward.add(&b);
        backward.add(&a);
        assert_eq!(forward, backward);
        let mut twice = forward;
        twice.add(&a);
        assert_ne!(twice.checksum, forward.checksum);
        let mut changed = TableSummary::default();
        changed.add(&[Value::Integer(Some(1)), Value::Text(Some("DE".into()))]);
        changed.add(&b);
        assert_ne!(changed.checksum, forward.checksum);
        // An empty text and a missing one are different values.
        let (mut empty, mut missing) = (TableSummary::default(), TableSummary::default());
        empty.add(&[Value::Text(Some(String::new()))]);
        missing.add(&[Value::Text(None)]);
        assert_ne!(empty, missing);
    }
}
