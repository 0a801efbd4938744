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

/// Whether a list groups its families by an id column (any row has a family id) rather than
/// by order.
fn groups_by_id(rows: &[ParsedRow]) -> bool {
    rows.iter().any(|r| r.family_id.is_some())
}

/// The last row, after the first, that begins a family: the rows before it can be grouped
/// without the rows after it, so a long list can be read in pieces without splitting a family
/// listed in one run. Rejected rows never begin one (a dependent below a rejected row still
/// belongs to the family above).
fn last_family_start(rows: &[ParsedRow], by_id: bool) -> Option<usize> {
    let accepted = |row: &ParsedRow| row.status() != RowStatus::Rejected;
    let mut previous: Option<usize> = None;
    let mut last = None;
    for (index, row) in rows.iter().enumerate() {
        if !accepted(row) {
            continue;
        }
        let begins = if by_id {
            row.family_id.is_none() || previous.is_none_or(|p| rows[p].family_id != row.family_id)
        } else {
            matches!(row.relation, None | Some(Relation::Principal))
        };
        if begins && index > 0 && previous.is_some() {
            last = Some(index);
        }
        previous = Some(index);
    }
    last
}

/// Builds cases from the accepted rows (rejected rows are left out), moving each row's person
/// into its case. Issues found while grouping
/// (no principal, two principals, a dependent with no one above it) are added to their rows.
pub fn build_cases(rows: &mut [ParsedRow]) -> Vec<ImportedCase> {
    let by_id = groups_by_id(rows);
    group(rows, by_id, &mut std::collections::HashMap::new())
}

/// Groups rows into cases; `earlier` holds the families (by id) of earlier pieces of the same
/// list and whether each had its principal, so a family listed in two runs is continued, not
/// restarted: no second principal, and no member of a continuation promoted to principal.
fn group(
    rows: &mut [ParsedRow],
    by_id: bool,
    earlier: &mut std::collections::HashMap<String, bool>,
) -> Vec<ImportedCase> {
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
        let before = case
            .reference
            .as_ref()
            .and_then(|reference| earlier.get(reference).copied());
        let wanted = relation.unwrap_or(if case.members.is_empty() && before.is_none() {
            Relation::Principal
        } else {
            Relation::OtherRelative
        });
        let has_principal = before == Some(true)
            || case
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
        let continued = case
            .reference
            .as_ref()
            .is_some_and(|reference| earlier.contains_key(reference));
        if !continued
            && !case
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
    if by_id {
        for case in &cases {
            if let Some(reference) = &case.reference {
                let led = case
                    .members
                    .iter()
                    .any(|m| m.relation == Relation::Principal);
                *earlier.entry(reference.clone()).or_insert(false) |= led;
            }
        }
    }
    cases
}

/// A piece of a list read in pieces: its rows and the cases built from them (members point
/// into `rows`).
#[derive(Debug)]
pub struct Piece {
    pub rows: Vec<ParsedRow>,
    pub cases: Vec<ImportedCase>,
}

/// Cuts a list, parsed a batch of rows at a time, into pieces that hold whole families: a
/// piece ends before a row that begins a family, so a family listed in one run is never split;
/// a family whose id comes back later in the list is continued under the same reference (the
/// store joins it to the case made for the first run).
#[derive(Debug)]
pub struct FamilyChunks {
    /// How many rows a piece should have at least.
    target: usize,
    by_id: Option<bool>,
    pending: Vec<ParsedRow>,
    earlier: std::collections::HashMap<String, bool>,
}

impl FamilyChunks {
    pub fn new(target: usize) -> FamilyChunks {
        FamilyChunks {
            target: target.max(1),
            by_id: None,
            pending: Vec::new(),
            earlier: std::collections::HashMap::new(),
        }
    }

    /// Adds parsed rows (in list order); returns a piece once enough whole families are in.
    /// Whether families go by id is decided from the first batch, as [`build_cases`] decides
    /// it from the whole list.
    pub fn push(&mut self, rows: Vec<ParsedRow>) -> Option<Piece> {
        self.pending.extend(rows);
        if self.pending.len() < self.target {
            return None;
        }
        let by_id = *self
            .by_id
            .get_or_insert_with(|| groups_by_id(&self.pending));
        // A family longer than several pieces (or a list with no principal marked) is cut
        // anyway: its rows still join by reference, or by order within the piece.
        let cut = match last_family_start(&self.pending, by_id) {
            Some(cut) => cut,
            None if self.pending.len() >= 4 * self.target => self.pending.len(),
            None => return None,
        };
        let rest = self.pending.split_off(cut);
        let rows = std::mem::replace(&mut self.pending, rest);
        Some(self.piece(rows, by_id))
    }

    /// The rows left at the end of the list.
    pub fn finish(mut self) -> Option<Piece> {
        if self.pending.is_empty() {
            return None;
        }
        let rows = std::mem::take(&mut self.pending);
        let by_id = *self.by_id.get_or_insert_with(|| groups_by_id(&rows));
        Some(self.piece(rows, by_id))
    }

    fn piece(&mut self, mut rows: Vec<ParsedRow>, by_id: bool) -> Piece {
        let cases = group(&mut rows, by_id, &mut self.earlier);
        Piece { rows, cases }
    }
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

    fn parsed(csv: &str) -> Vec<ParsedRow> {
        let table = read_table("t.csv", csv.as_bytes(), None).unwrap().remove(0);
        let mapping = ColumnMapping::detect(&table.headers, &MappingFile::default());
        let options = crate::values::ValueOptions {
            calendar: None,
            month_first: false,
            default_region: None,
            today: airbridge_domain::GregorianDate::new(2021, 8, 20).unwrap(),
        };
        parse_rows(&table, &mapping, &options)
    }

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

    /// The list cut into pieces of `size` rows gives the families the whole list gives: the
    /// same members with the same relations, continued families under their reference.
    fn same_in_pieces(csv: &str, size: usize) {
        let (whole, rows) = cases(csv);
        let describe = |case: &ImportedCase, rows: &[ParsedRow]| {
            let mut members: Vec<(usize, String)> = case
                .members
                .iter()
                .map(|m| (rows[m.row].line, format!("{:?}", m.relation)))
                .collect();
            members.sort();
            (case.reference.clone(), members)
        };
        let mut expected: Vec<_> = whole.iter().map(|c| describe(c, &rows)).collect();
        expected.sort();
        let all_rows = parsed(csv);
        let mut chunks = FamilyChunks::new(size);
        let mut pieces = Vec::new();
        for batch in all_rows.chunks(2) {
            pieces.extend(chunks.push(batch.to_vec()));
        }
        pieces.extend(chunks.finish());
        let mut joined: std::collections::BTreeMap<Option<String>, Vec<(usize, String)>> =
            Default::default();
        let mut unnamed = Vec::new();
        for piece in &pieces {
            for case in &piece.cases {
                let (reference, members) = describe(case, &piece.rows);
                match reference {
                    Some(_) => joined.entry(reference).or_default().extend(members),
                    None => unnamed.push((None, members)),
                }
            }
        }
        let mut got: Vec<_> = joined
            .into_iter()
            .map(|(r, mut m)| {
                m.sort();
                (r, m)
            })
            .chain(unnamed)
            .collect();
        got.sort();
        assert_eq!(got, expected, "pieces of {size}");
    }

    #[test]
    fn a_list_read_in_pieces_gives_the_same_families() {
        let by_id = "Name,Relation,Family\nAhmad,principal,A\nKarim,principal,B\nFatima,wife,A\n,child 2,A\nZahra,daughter,B\nAli,,C\nNoor,son,C\nSami,son,A\n";
        let by_order = "Name,Relation\nAhmad,\nFatima,wife\nAli,son\nKarim,principal\nZahra,\nNoor,daughter\nBad<>,son\nSara,mother\n";
        for size in 1..=9 {
            same_in_pieces(by_id, size);
            same_in_pieces(by_order, size);
        }
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
