//! Reads every real list in the shared data folder and prints counts, warnings and the time
//! each read took: the figures in the crate's README come from
//! `cargo run --release -p airbridge-sanctions --example read_lists`.
//!
//! Timings are of the read alone: each file is loaded into memory first so the figure does not
//! depend on the disk cache. Pass another data folder as the first argument if needed.

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use airbridge_sanctions::{SanctionsList, read_ofac, read_un};

/// How many times each list is read; the best time is reported, which is the least disturbed
/// by other work on a shared machine.
const ROUNDS: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions")
        });
    for version in ["2020-03-20", "2024-09-26", "2026-01-28", "2026-05-08"] {
        let path = data.join(format!("un/consolidated_{version}.xml"));
        let bytes = fs::read(&path)?;
        let (seconds, (list, warnings)) = best_of(|| read_un(bytes.as_slice()))?;
        report(
            &format!("UN {version}"),
            bytes.len(),
            seconds,
            &list,
            warnings.len(),
        );
        for warning in warnings.iter().take(5) {
            println!("    warning: {warning}");
        }
    }
    for version in ["2021-04", "2024-05"] {
        let folder = data.join(format!("ofac/{version}"));
        let sdn = fs::read(folder.join("sdn.csv"))?;
        let alt = fs::read(folder.join("alt.csv")).ok();
        let add = fs::read(folder.join("add.csv")).ok();
        let size = sdn.len() + alt.as_ref().map_or(0, Vec::len) + add.as_ref().map_or(0, Vec::len);
        let (seconds, (list, warnings)) = best_of(|| {
            let mut alt_reader = alt.as_deref();
            let mut add_reader = add.as_deref();
            read_ofac(
                &mut sdn.as_slice(),
                alt_reader.as_mut().map(|r| r as &mut dyn std::io::Read),
                add_reader.as_mut().map(|r| r as &mut dyn std::io::Read),
            )
        })?;
        report(
            &format!("OFAC {version}"),
            size,
            seconds,
            &list,
            warnings.len(),
        );
        for warning in warnings.iter().take(5) {
            println!("    warning: {warning}");
        }
    }
    Ok(())
}

fn best_of<T, E>(mut read: impl FnMut() -> Result<T, E>) -> Result<(f64, T), E> {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let value = read()?;
        best = best.min(started.elapsed().as_secs_f64());
        last = Some(value);
    }
    match last {
        Some(value) => Ok((best, value)),
        None => unreachable!("ROUNDS is not zero"),
    }
}

fn report(label: &str, bytes: usize, seconds: f64, list: &SanctionsList, warnings: usize) {
    let counts = list.counts();
    let names: usize = list.entries.iter().map(|e| e.names.len()).sum();
    println!(
        "{label}: {:.1} MB in {:.1} ms ({:.0} MB/s): {} entries ({} individuals, {} entities, {} vessels, {} aircraft), {names} names, {warnings} warnings",
        bytes as f64 / 1e6,
        seconds * 1e3,
        bytes as f64 / 1e6 / seconds,
        list.entries.len(),
        counts.individuals,
        counts.entities,
        counts.vessels,
        counts.aircraft,
    );
}
