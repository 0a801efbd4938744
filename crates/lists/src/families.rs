//! Grouping accepted rows into the cases that move together: by a family/case id column when
//! the list has one, otherwise by order (dependents listed under their principal).

use crate::rows::{ParsedRow, RowIssue, RowStatus, Severity};
use airbridge_domain::{Person, Relation};

/// One member of an imported case, pointing back at its row.
#[derive(Debug, Clone)]
pub struct ImportedMember {
    /// Index into the parsed rows.
    pub row: usize,
    pub relation: Relation,
    pub person: Person,
}

/// A case built from a list.
#[derive(Debug, Clone)]
pub struct ImportedCase {
    /// The list's family or case id, when it has one.
    pub reference: Option<String>,
    pub members: Vec<ImportedMember>,
}

/// Builds cases from the accepted rows (rejected rows are left out), moving each row's person
/// into its case. Issues found while grouping
/// (no principal, two principals, a dependent with no one above it) are added to their rows.
pub fn build_cases(rows: &mut [ParsedRow]) -> Vec<ImportedCase> {
    let by_id = rows.iter().any(|r| r.family_id.is_some());
    let mut cases: Vec<ImportedCase> = Vec::new();
    let mut position_of_id: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    // By index: the loop both reads a row and adds issues to it.
    #[allow(clippy::needless_range_loop)]
    for index in 0..rows.len() {
        if rows[index].status() == RowStatus::Rejected {
            continue;
        }
        let relation = rows[index].relation;
        // Moved out of the row (the row keeps its issues and raw cells for the report).
        let Some(person) = rows[index].person.take() else {
            continue;
        };
        let target = if by_id {
            match rows[index].family_id.clone() {
                Some(id) => match position_of_id.get(&id) {
                    Some(&position) => Some(position),
                    None => {
                        cases.push(ImportedCase {
                            reference: Some(id.clone()),
                            members: Vec::new(),
                        });
                        position_of_id.insert(id, cases.len() - 1);
                        Some(cases.len() - 1)
                    }
                },
                None => None,
            }
        } else {
            match relation {
                Some(r) if r != Relation::Principal && !cases.is_empty() => Some(cases.len() - 1),
                _ => None,
            }
        };
        let position = match target {
            Some(position) => position,
            None => {
                cases.push(ImportedCase {
                    reference: rows[index].family_id.clone(),
                    members: Vec::new(),
                });
                cases.len() - 1
            }
        };
        let case = &mut cases[position];
        let wanted = relation.unwrap_or(if case.members.is_empty() {
            Relation::Principal
        } else {
            Relation::OtherRelative
        });
        let has_principal = case
            .members
            .iter()
            .any(|m| m.relation == Relation::Principal);
        let relation = if wanted == Relation::Principal && has_principal {
            note(
                &mut rows[index],
                "a second principal in this family: recorded as a relative of the first",
            );
            Relation::OtherRelative
        } else {
            wanted
        };
        case.members.push(ImportedMember {
            row: index,
            relation,
            person,
        });
    }
    // A family with no principal marked: its first listed member leads it.
    for case in &mut cases {
        if !case
            .members
            .iter()
            .any(|m| m.relation == Relation::Principal)
            && let Some(first) = case.members.first_mut()
        {
            first.relation = Relation::Principal;
            note(
                &mut rows[first.row],
                "no principal marked in this family: the first listed member is taken as principal",
            );
        }
        // The principal first, then dependents in list order.
        case.members
            .sort_by_key(|m| m.relation != Relation::Principal);
    }
    cases
}

fn note(row: &mut ParsedRow, message: &str) {
    row.issues.push(RowIssue {
        severity: Severity::Warning,
        column: None,
        value: None,
        message: message.to_owned(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::{ColumnMapping, MappingFile};
    use crate::read::read_table;
    use crate::rows::parse_rows;

    fn cases(csv: &str) -> (Vec<ImportedCase>, Vec<ParsedRow>) {
        let table = read_table("t.csv", csv.as_bytes(), None).unwrap().remove(0);
        let mapping = ColumnMapping::detect(&table.headers, &MappingFile::default());
        let options = crate::values::ValueOptions {
            calendar: None,
            month_first: false,
            default_region: None,
            today: airbridge_domain::GregorianDate::new(2021, 8, 20).unwrap(),
        };
        let mut rows = parse_rows(&table, &mapping, &options);
        (build_cases(&mut rows), rows)
    }

    #[test]
    fn families_by_id_even_when_scattered() {
        let (cases, _) = cases(
            "Name,Relation,Family\nAhmad,principal,A\nKarim,principal,B\nFatima,wife,A\n,child 2,A\nZahra,daughter,B\n",
        );
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].reference.as_deref(), Some("A"));
        assert_eq!(cases[0].members.len(), 3);
        assert_eq!(cases[0].members[2].person.name.display(), "[child 2]");
        assert_eq!(cases[1].members.len(), 2);
    }

    #[test]
    fn families_by_order_under_the_principal() {
        let (cases, rows) =
            cases("Name,Relation\nAhmad,\nFatima,wife\nAli,son\nKarim,principal\nZahra,\n");
        let sizes: Vec<usize> = cases.iter().map(|c| c.members.len()).collect();
        assert_eq!(sizes, [3, 1, 1]);
        assert!(rows.iter().all(|r| r.status() == RowStatus::Accepted));
    }

    #[test]
    fn no_principal_or_two_principals_are_repaired_with_a_warning() {
        let (cases, rows) = cases(
            "Name,Relation,Family\nFatima,wife,A\nAli,son,A\nKarim,principal,B\nOmar,principal,B\n",
        );
        assert_eq!(cases[0].members[0].relation, Relation::Principal);
        assert_eq!(cases[0].members[0].person.name.display(), "Fatima");
        assert_eq!(cases[1].members[1].relation, Relation::OtherRelative);
        assert_eq!(rows[0].status(), RowStatus::AcceptedWithWarnings);
        assert_eq!(rows[3].status(), RowStatus::AcceptedWithWarnings);
    }
}
