//! Finding a list's header row among its first rows: the one rule the CSV stream and every
//! spreadsheet reader follow, so that a list reads the same whatever file it came in.
//!
//! The first row is the header, except a title above it ("Embassy evacuation list — 20 August
//! 2021"): one cell written, not a known header, followed by a wider row. Such a row becomes a
//! note and the wider row is the header. One cell followed by one cell is a one-column list:
//! the first cell is its header and the second row its first data row, so nothing is lost.

use crate::read::Row;

/// Fed a list's rows one at a time until it answers which is the header. It holds at most one
/// row (a one-cell row whose role the next row decides). Rows after its answer are data and stay
/// with the caller; fed again, it would start a new search.
#[derive(Debug, Default)]
pub(crate) struct HeaderFinder {
    held: Option<Row>,
}

/// The finder's answer: the header, and what it read around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundHeader {
    /// A title row above the header: reported as a note, not read as a row.
    pub(crate) title: Option<Row>,
    pub(crate) header: Row,
    /// The list's first data row, when it had to be read to tell a one-column list's header
    /// from a title.
    pub(crate) first: Option<Row>,
}

impl HeaderFinder {
    /// Takes the next row; `None` while the header is not yet known (the row is held).
    pub(crate) fn feed(&mut self, row: Row) -> Option<FoundHeader> {
        let found = match (self.held.take(), RowShape::of(&row.cells)) {
            (Some(title), RowShape::Wide) => FoundHeader {
                title: Some(title),
                header: row,
                first: None,
            },
            // A one-column list: the cell above is its header, this row its first.
            (Some(header), RowShape::OneCell { .. }) => FoundHeader {
                title: None,
                header,
                first: Some(row),
            },
            (None, RowShape::OneCell { title_like: true }) => {
                self.held = Some(row);
                return None;
            }
            (None, _) => FoundHeader {
                title: None,
                header: row,
                first: None,
            },
        };
        Some(found)
    }

    /// Ends the list: a one-cell row still held is the header of a list with no rows.
    pub(crate) fn finish(&mut self) -> Option<FoundHeader> {
        self.held.take().map(|header| FoundHeader {
            title: None,
            header,
            first: None,
        })
    }
}

impl FoundHeader {
    /// The note a title row above the header leaves in the report.
    pub(crate) fn title_note(&self) -> Option<String> {
        let title = self.title.as_ref()?;
        let text = title.cells.iter().find(|c| !c.trim().is_empty());
        Some(format!(
            "line {}: {:?} is a title above the header, not a row",
            title.line,
            text.map_or("", |c| c.trim())
        ))
    }
}

/// What a row above the header may be.
enum RowShape {
    /// Two cells or more written: a header.
    Wide,
    /// One cell written; `title_like` when it is not a known header ("Embassy evacuation list"),
    /// so it is a title if a wider row follows.
    OneCell { title_like: bool },
}

impl RowShape {
    fn of(cells: &[String]) -> RowShape {
        if cells.iter().filter(|c| !c.trim().is_empty()).count() >= 2 {
            RowShape::Wide
        } else {
            RowShape::OneCell {
                title_like: crate::mapping::is_title_row(cells),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(line: usize, cells: &[&str]) -> Row {
        Row {
            line,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        }
    }

    /// Feeds `rows` (lines 1, 2, …) until the finder answers, else finishes; the answer as the
    /// lines of (title, header, first data row).
    fn check(rows: &[&[&str]], expected: Option<(Option<usize>, usize, Option<usize>)>) {
        let mut finder = HeaderFinder::default();
        let mut found = None;
        for (index, cells) in rows.iter().enumerate() {
            found = finder.feed(row(index + 1, cells));
            if found.is_some() {
                break;
            }
        }
        let found = found.or_else(|| finder.finish());
        let lines = found.map(|f| {
            (
                f.title.map(|r| r.line),
                f.header.line,
                f.first.map(|r| r.line),
            )
        });
        assert_eq!(lines, expected, "{rows:?}");
    }

    #[test]
    fn the_header_among_the_first_rows() {
        let title: &[&str] = &["Embassy evacuation list", ""];
        let header: &[&str] = &["Given name", "Surname"];
        let data: &[&str] = &["Farid", "Rahimi"];
        check(&[header, data], Some((None, 1, None)));
        check(&[title, header, data], Some((Some(1), 2, None)));
        check(&[title, header], Some((Some(1), 2, None)));
        // A known header alone is a one-column list's header, never a title.
        check(&[&["Surname"], header], Some((None, 1, None)));
        // One cell then one cell: a one-column list, its header and first row both kept.
        check(
            &[&["Beneficiaries"], &["Farid Rahimi"], &["Zahra Karimi"]],
            Some((None, 1, Some(2))),
        );
        // One cell and nothing after: the header of an empty list.
        check(&[&["Beneficiaries"]], Some((None, 1, None)));
        check(&[&["Full name"]], Some((None, 1, None)));
        check(&[], None);
    }

    #[test]
    fn a_title_leaves_a_note_with_its_line() {
        let mut finder = HeaderFinder::default();
        assert_eq!(finder.feed(row(3, &["  Evacuation list — لیست  "])), None);
        let found = finder.feed(row(5, &["Name", "DOB"])).unwrap();
        assert_eq!(
            found.title_note().unwrap(),
            "line 3: \"Evacuation list — لیست\" is a title above the header, not a row"
        );
        assert_eq!(finder.finish(), None);
        let found = HeaderFinder::default()
            .feed(row(1, &["Name", "DOB"]))
            .unwrap();
        assert_eq!(found.title_note(), None);
    }

    fn any_rows() -> impl Strategy<Value = Vec<Vec<String>>> {
        let cell = prop_oneof![
            Just(String::new()),
            Just("Surname".to_owned()),
            Just("Embassy list".to_owned()),
            Just("Farid".to_owned()),
            Just("  ".to_owned()),
        ];
        proptest::collection::vec(proptest::collection::vec(cell, 0..4), 0..6)
    }

    proptest! {
        /// Every row comes back exactly once and in order: the title (as a note), the header,
        /// the first data row the finder read, then the rows the caller keeps as data.
        #[test]
        fn every_row_comes_back_once_in_order(rows in any_rows()) {
            let mut finder = HeaderFinder::default();
            let mut found = None;
            let mut data = Vec::new();
            for (index, cells) in rows.iter().enumerate() {
                let fed = Row { line: index + 1, cells: cells.clone() };
                if found.is_some() {
                    data.push(fed);
                } else {
                    found = finder.feed(fed);
                }
            }
            let found = found.or_else(|| finder.finish());
            prop_assert_eq!(found.is_none(), rows.is_empty());
            let mut back = Vec::new();
            if let Some(found) = found {
                prop_assert_eq!(found.title.is_some(), found.title_note().is_some());
                back.extend(found.title);
                back.push(found.header);
                back.extend(found.first);
            }
            back.extend(data);
            let lines: Vec<usize> = back.iter().map(|r| r.line).collect();
            prop_assert_eq!(lines, (1..=rows.len()).collect::<Vec<_>>());
            let cells: Vec<Vec<String>> = back.into_iter().map(|r| r.cells).collect();
            prop_assert_eq!(cells, rows);
        }
    }
}
