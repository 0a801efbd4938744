//! Resident memory per stage of a deduplication, with the allocator the `airbridge` binary
//! uses (mimalloc): the process's resident size after each stage and its peak so far, as
//! `airbridge dedup` would show them. For where the bytes go, see the `heap_profile` example.
//!
//! ```sh
//! cargo run --release -p airbridge-dedup --example memory -- RECORDS.csv
//! ```

use std::time::Instant;

use anyhow::Context;

#[path = "support/staged_run.rs"]
mod staged_run;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A `Vm…` line of /proc/self/status, in MB (0 where there is none).
fn status_megabytes(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with(field))?;
            let kilobytes: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kilobytes / 1024.0)
        })
        .unwrap_or(0.0)
}

fn report(what: &str, started: Instant) {
    println!(
        "{:>7.2} s  {what:<32} resident {:>7.0} MB   peak so far {:>7.0} MB",
        started.elapsed().as_secs_f64(),
        status_megabytes("VmRSS:"),
        status_megabytes("VmHWM:")
    );
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: memory RECORDS.csv")?;
    staged_run::run(&path, report)
}
