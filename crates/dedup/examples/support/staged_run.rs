//! The run the `memory` and `heap_profile` examples measure: read a records CSV as
//! `airbridge dedup` does, then deduplicate it, calling `report` after each step and stage.

use std::time::Instant;

use airbridge_dedup::{Columns, Config, Decisions, Deduplicator, Record};
use airbridge_names::NameEngine;
use anyhow::Context;

/// Reads and deduplicates `path`; `report(what, started)` after reading, after the names
/// engine loads, after each stage and at the end.
pub fn run(path: &str, report: impl Fn(&str, Instant)) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot open {path}"))?;
    let headers: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let columns = Columns::from_header(&headers, &[])?;
    let mut records: Vec<Record> = Vec::new();
    for row in reader.records() {
        let row = row?;
        records.push(columns.record(&row.iter().collect::<Vec<_>>()).0);
    }
    report(&format!("read {} records", records.len()), started);
    let engine = NameEngine::new();
    report("names engine", started);
    let outcome = Deduplicator::new(&engine, Config::default())?.run_owned(
        records,
        &Decisions::default(),
        |stage| report(&format!("{stage:?}"), started),
    )?;
    report(&format!("done: {} clusters", outcome.clusters), started);
    Ok(())
}
