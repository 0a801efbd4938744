//! Live heap per stage of a deduplication: the bytes the engine holds after each stage and
//! the most it held so far, counted by dhat's allocator (the process's resident size also
//! holds what its allocator keeps cached; this counts what the program keeps). With
//! `DHAT_PROFILE=1` it also writes `dhat-heap.json`, where the allocation sites live at the
//! peak can be read (<https://nnethercote.github.io/dh_view/dh_view.html>); that is slow. The
//! `memory` example gives the resident size with the binary's allocator.
//!
//! ```sh
//! cargo run --release -p airbridge-dedup --example heap_profile -- RECORDS.csv
//! ```

use std::time::Instant;

use anyhow::Context;

#[path = "support/staged_run.rs"]
mod staged_run;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

/// Prints the live heap now and its largest so far.
fn report(what: &str, started: Instant) {
    let stats = dhat::HeapStats::get();
    println!(
        "{:>7.2} s  {what:<32} live {:>8.1} MB   largest so far {:>8.1} MB",
        started.elapsed().as_secs_f64(),
        megabytes(stats.curr_bytes),
        megabytes(stats.max_bytes)
    );
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: heap_profile RECORDS.csv")?;
    let _profiler = if std::env::var_os("DHAT_PROFILE").is_some() {
        dhat::Profiler::new_heap()
    } else {
        dhat::Profiler::builder().testing().build()
    };
    staged_run::run(&path, report)
}
