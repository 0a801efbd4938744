//! Each row's identity within its source, so that importing a corrected list updates the same
//! people whichever way it arrives (the command line or the web upload).

use crate::rows::ParsedRow;

/// Gives each row its key: its id column; else its family id and rank within the family
/// (counting every row, rejected ones too); else its line. Counted in list order across the
/// pieces of one table, so one `RowKeys` serves one table.
#[derive(Debug, Default)]
pub struct RowKeys {
    ranks: std::collections::HashMap<String, usize>,
}

impl RowKeys {
    pub fn key(&mut self, row: &ParsedRow) -> String {
        let sheet = row
            .sheet
            .as_deref()
            .map(|s| format!("{s}!"))
            .unwrap_or_default();
        match (&row.row_id, &row.family_id) {
            (Some(id), _) => format!("{sheet}id:{id}"),
            (None, Some(family)) => {
                let rank = self.ranks.entry(family.clone()).or_insert(0);
                *rank += 1;
                format!("{sheet}family:{family}#{rank}")
            }
            (None, None) => format!("{sheet}line:{}", row.line),
        }
    }
}
