//! What changed between two versions of a list, keyed by entry reference.
//!
//! Screening decisions depend on the list version: when a new version arrives, the people
//! already cleared must be screened again against the entries that were added or changed, and a
//! reviewer wants to see exactly which names or dates moved. Each field is compared as a set of
//! values written out as text, so the change reads as "removed these, added those"; a change of
//! order alone is not a change.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::{Entry, SanctionsList};

/// The differences between an older and a newer version of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDiff {
    /// Entries only in the newer version, in its order.
    pub added: Vec<Entry>,
    /// Entries only in the older version, in its order.
    pub removed: Vec<Entry>,
    /// Entries in both whose fields differ: the reference and what changed, in the newer
    /// version's order.
    pub changed: Vec<(String, Vec<FieldChange>)>,
}

impl ListDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// One field of an entry that differs between versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's name in [`Entry`]: "names", "birth_dates", "comments" …
    pub field: String,
    /// Values in the older version and not in the newer.
    pub removed: Vec<String>,
    /// Values in the newer version and not in the older.
    pub added: Vec<String>,
}

/// Compares two versions of a list. Entries are matched by reference; if a version holds a
/// reference twice (the readers refuse that), the last entry with it counts.
pub fn diff(old: &SanctionsList, new: &SanctionsList) -> ListDiff {
    let old_by_reference: HashMap<&str, &Entry> = old
        .entries
        .iter()
        .map(|entry| (entry.reference.as_str(), entry))
        .collect();
    let new_by_reference: HashMap<&str, &Entry> = new
        .entries
        .iter()
        .map(|entry| (entry.reference.as_str(), entry))
        .collect();
    let mut result = ListDiff::default();
    for entry in &new.entries {
        match old_by_reference.get(entry.reference.as_str()) {
            None => result.added.push(entry.clone()),
            Some(before) => {
                let changes = entry_changes(before, entry);
                if !changes.is_empty() {
                    result.changed.push((entry.reference.clone(), changes));
                }
            }
        }
    }
    result.removed = old
        .entries
        .iter()
        .filter(|entry| !new_by_reference.contains_key(entry.reference.as_str()))
        .cloned()
        .collect();
    result
}

/// Each field of an entry as text values, for comparison and display.
fn field_values(entry: &Entry) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("kind", vec![entry.kind.as_str().to_owned()]),
        (
            "names",
            entry
                .names
                .iter()
                .map(|name| {
                    format!(
                        "{} [{}{}]",
                        name.full,
                        name.quality.as_str(),
                        match name.script {
                            crate::Script::Latin => "",
                            crate::Script::Original => ", original script",
                        }
                    )
                })
                .collect(),
        ),
        (
            "birth_dates",
            entry.birth_dates.iter().map(ToString::to_string).collect(),
        ),
        ("nationalities", entry.nationalities.clone()),
        (
            "documents",
            entry
                .documents
                .iter()
                .map(|document| {
                    let mut text = format!("{} {}", document.kind, document.number);
                    if let Some(country) = &document.country {
                        text.push_str(&format!(" ({country})"));
                    }
                    if let Some(note) = &document.note {
                        text.push_str(&format!("; {note}"));
                    }
                    text
                })
                .collect(),
        ),
        (
            "addresses",
            entry
                .addresses
                .iter()
                .map(|address| match &address.country {
                    Some(country) if address.text.is_empty() => country.clone(),
                    Some(country) => format!("{}, {country}", address.text),
                    None => address.text.clone(),
                })
                .collect(),
        ),
        ("programs", entry.programs.clone()),
        ("listed_on", entry.listed_on.iter().cloned().collect()),
        ("comments", entry.comments.iter().cloned().collect()),
    ]
}

fn entry_changes(old: &Entry, new: &Entry) -> Vec<FieldChange> {
    field_values(old)
        .into_iter()
        .zip(field_values(new))
        .filter_map(|((field, before), (_, after))| {
            let removed: Vec<String> = before
                .iter()
                .filter(|v| !after.contains(v))
                .cloned()
                .collect();
            let added: Vec<String> = after
                .iter()
                .filter(|v| !before.contains(v))
                .cloned()
                .collect();
            (!removed.is_empty() || !added.is_empty()).then(|| FieldChange {
                field: field.to_owned(),
                removed,
                added,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntryKind, ListSource, ListedName, NameQuality};

    fn entry(reference: &str, names: &[&str]) -> Entry {
        let mut entry = Entry::new(reference, EntryKind::Individual);
        entry.names = names
            .iter()
            .map(|n| ListedName::whole(n, NameQuality::Good))
            .collect();
        entry
    }

    fn list(entries: Vec<Entry>) -> SanctionsList {
        SanctionsList {
            source: ListSource::Un,
            version_date: None,
            entries,
        }
    }

    #[test]
    fn added_removed_changed() {
        let old = list(vec![
            entry("A", &["X"]),
            entry("B", &["Y", "Z"]),
            entry("C", &["W"]),
        ]);
        let mut changed = entry("B", &["Z", "V"]);
        changed.listed_on = Some("2021-08-15".to_owned());
        let new = list(vec![entry("D", &["U"]), changed, entry("C", &["W"])]);
        let result = diff(&old, &new);
        assert_eq!(
            result
                .added
                .iter()
                .map(|e| e.reference.as_str())
                .collect::<Vec<_>>(),
            ["D"]
        );
        assert_eq!(
            result
                .removed
                .iter()
                .map(|e| e.reference.as_str())
                .collect::<Vec<_>>(),
            ["A"]
        );
        assert_eq!(
            result.changed,
            [(
                "B".to_owned(),
                vec![
                    FieldChange {
                        field: "names".to_owned(),
                        removed: vec!["Y [good]".to_owned()],
                        added: vec!["V [good]".to_owned()],
                    },
                    FieldChange {
                        field: "listed_on".to_owned(),
                        removed: vec![],
                        added: vec!["2021-08-15".to_owned()],
                    }
                ]
            )]
        );
    }

    #[test]
    fn order_alone_is_no_change() {
        let old = list(vec![entry("A", &["X", "Y"])]);
        let new = list(vec![entry("A", &["Y", "X"])]);
        assert!(diff(&old, &new).is_empty());
        assert!(diff(&old, &old).is_empty());
    }
}
