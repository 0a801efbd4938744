//! Function-level benchmarks of the names engine (divan), on the name pairs of ofac-dev in
//! `../shared/data` (the development set; the shared data sits beside the checkout).
//!
//! ```sh
//! cargo bench -p airbridge-names --bench names
//! ```
//! `parse` is one name parsed (what a name costs the first time it is seen); `score_parsed`
//! is one comparison of two parsed names (what `names score` pays per pair once its names
//! are cached); `score` is both, from text to score. Each figure is per pair of the set.

use airbridge_names::{NameEngine, ParsedName};
use std::path::PathBuf;

fn main() {
    divan::main();
}

/// The development set's pairs (name_a, name_b).
fn pairs() -> Vec<(String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/names/ofac-dev.pairs.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read {}: {error}; the benchmark needs ../shared/data beside the checkout",
            path.display()
        )
    });
    reader
        .records()
        .map(|record| {
            let record = record.expect("a CSV record of id,name_a,name_b");
            (record[1].to_owned(), record[2].to_owned())
        })
        .collect()
}

#[divan::bench(sample_count = 10)]
fn parse(bencher: divan::Bencher) {
    let engine = NameEngine::new();
    let pairs = pairs();
    bencher
        .counter(divan::counter::ItemsCount::new(pairs.len()))
        .bench_local(|| {
            pairs
                .iter()
                .map(|(a, _)| engine.parse(a).tokens.len())
                .sum::<usize>()
        });
}

#[divan::bench(sample_count = 10)]
fn score_parsed(bencher: divan::Bencher) {
    let engine = NameEngine::new();
    let parsed: Vec<(ParsedName, ParsedName)> = pairs()
        .iter()
        .map(|(a, b)| (engine.parse(a), engine.parse(b)))
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(parsed.len()))
        .bench_local(|| {
            parsed
                .iter()
                .map(|(a, b)| engine.score_parsed(a, b))
                .sum::<f64>()
        });
}

#[divan::bench(sample_count = 10)]
fn score(bencher: divan::Bencher) {
    let engine = NameEngine::new();
    let pairs = pairs();
    bencher
        .counter(divan::counter::ItemsCount::new(pairs.len()))
        .bench_local(|| pairs.iter().map(|(a, b)| engine.score(a, b)).sum::<f64>());
}
