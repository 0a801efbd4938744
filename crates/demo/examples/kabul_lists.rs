//! Writes synthetic Kabul-style registration lists (`airbridge_demo::lists`) for measuring
//! deduplication:
//!
//! ```sh
//! cargo run --release -p airbridge-demo --example kabul_lists -- --persons 5000 --seed 1 --out DIR
//! ```
//!
//! `DIR/records.csv`: the `airbridge dedup` input columns (record_id, given_name, family_name,
//! father_name, grandfather_name, full_name, sex, dob, passport, tazkira, document, phone,
//! place_of_birth, case_id, relation). `DIR/truth.csv`: `record_id,entity_id,clan_id,sibling_group`
//! (the last two for diagnosis: siblings share a sibling group, relatives a clan).
//! `--noise X` scales the per-record slips (default 1).

use airbridge_demo::lists::{COLUMNS, ListsConfig, generate, list_names};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

fn csv_cell(out: &mut String, cell: &str) {
    if cell.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = ListsConfig::new(5_000, 1);
    let mut out = PathBuf::from(".");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--persons" => config.persons = value.parse()?,
            "--seed" => config.seed = value.parse()?,
            "--noise" => config.noise = value.parse()?,
            "--out" => out = PathBuf::from(value),
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    let started = std::time::Instant::now();
    let lists = generate(&config);
    let generated = started.elapsed();
    std::fs::create_dir_all(&out)?;
    let mut records = String::with_capacity(lists.records.len() * 120);
    records.push_str(&COLUMNS.join(","));
    records.push('\n');
    let mut truth = String::with_capacity(lists.records.len() * 24);
    truth.push_str("record_id,entity_id,clan_id,sibling_group\n");
    let mut per_list = vec![0usize; list_names().len()];
    for record in &lists.records {
        for (i, cell) in record.cells().iter().enumerate() {
            if i > 0 {
                records.push(',');
            }
            csv_cell(&mut records, cell);
        }
        records.push('\n');
        writeln!(
            truth,
            "{},{},C{},S{}",
            record.record_id, record.entity_id, record.clan, record.sibling_group
        )?;
        per_list[record.list] += 1;
    }
    std::fs::File::create(out.join("records.csv"))?.write_all(records.as_bytes())?;
    std::fs::File::create(out.join("truth.csv"))?.write_all(truth.as_bytes())?;
    eprintln!(
        "persons={} households={} cases={} records={} seed={} generation_seconds={:.2}",
        lists.persons,
        lists.households,
        lists.cases,
        lists.records.len(),
        config.seed,
        generated.as_secs_f64()
    );
    for (name, count) in list_names().iter().zip(&per_list) {
        eprintln!("  {count:>8}  {name}");
    }
    Ok(())
}
