//! Reads a spreadsheet list the way `airbridge import --dry-run` reads it (rows in batches of
//! 8,192, parsed on every core, grouped into families), through the streamed reader or
//! calamine's whole-sheet reader, and prints the counts and a digest of every row read, so the
//! two paths can be compared for results, time and peak memory (`/usr/bin/time -v`):
//!
//! ```text
//! cargo run --release -p airbridge-lists --example read_sheet -- list.xlsx streamed
//! cargo run --release -p airbridge-lists --example read_sheet -- list.xlsx whole
//! ```

use airbridge_domain::GregorianDate;
use airbridge_lists::read::{Row, read_workbook_whole};
use airbridge_lists::values::ValueOptions;
use airbridge_lists::{ColumnMapping, FamilyChunks, MappingFile, SourceFormat, Table, Workbook};
use sha2::{Digest, Sha256};
use std::ops::ControlFlow;

const BATCH_ROWS: usize = 8_192;

struct Count {
    rows: usize,
    people: usize,
    digest: Sha256,
}

impl Count {
    fn batch(&mut self, table: &Table, rows: &[Row], chunks: &mut FamilyChunks) {
        let mapping = ColumnMapping::detect(&table.headers, &MappingFile::default());
        let options = ValueOptions {
            calendar: None,
            month_first: false,
            default_region: None,
            today: GregorianDate::new(2021, 8, 20).expect("a real date"),
        };
        for row in rows {
            self.digest.update(row.line.to_le_bytes());
            for cell in &row.cells {
                self.digest.update(cell.as_bytes());
                self.digest.update([0]);
            }
        }
        let parsed = airbridge_lists::parse_chunk(table, rows, &mapping, &options);
        self.rows += parsed.len();
        if let Some(piece) = chunks.push(parsed) {
            self.people += piece.cases.iter().map(|c| c.members.len()).sum::<usize>();
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(mode)) = (args.next(), args.next()) else {
        return Err("usage: read_sheet FILE streamed|whole".into());
    };
    let mut count = Count {
        rows: 0,
        people: 0,
        digest: Sha256::new(),
    };
    match mode.as_str() {
        "whole" => {
            let bytes = std::fs::read(&path)?;
            for table in read_workbook_whole(&bytes, None)? {
                let mut chunks = FamilyChunks::new(BATCH_ROWS);
                for batch in table.rows.chunks(BATCH_ROWS) {
                    count.batch(&table, batch, &mut chunks);
                }
                if let Some(piece) = chunks.finish() {
                    count.people += piece.cases.iter().map(|c| c.members.len()).sum::<usize>();
                }
            }
        }
        "streamed" => {
            let mut head = Vec::new();
            std::io::Read::read_to_end(
                &mut std::io::Read::take(std::fs::File::open(&path)?, 4096),
                &mut head,
            )?;
            let format = SourceFormat::detect(&path, &head);
            let file = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(&path)?);
            let mut workbook = Workbook::open(file, format, None)?;
            let tables: Vec<Table> = workbook.tables().into_iter().cloned().collect();
            for (index, table) in tables.iter().enumerate() {
                let mut chunks = FamilyChunks::new(BATCH_ROWS);
                let mut batch = Vec::with_capacity(BATCH_ROWS);
                workbook.read_rows(index, |row| {
                    batch.push(row);
                    if batch.len() == BATCH_ROWS {
                        count.batch(table, &batch, &mut chunks);
                        batch.clear();
                    }
                    ControlFlow::Continue(())
                })?;
                count.batch(table, &batch, &mut chunks);
                if let Some(piece) = chunks.finish() {
                    count.people += piece.cases.iter().map(|c| c.members.len()).sum::<usize>();
                }
            }
        }
        other => return Err(format!("unknown mode {other}: streamed or whole").into()),
    }
    let digest = hex::encode(count.digest.finalize());
    println!(
        "{mode}: {} rows, {} people, rows digest {digest}",
        count.rows, count.people
    );
    Ok(())
}
