//! Function-level benchmarks of the deduplication engine (divan).
//!
//! ```sh
//! cargo bench -p airbridge-dedup --bench dedup
//! ```
//! `run` is a whole batch run on a demo registry (names parsed once per distinct text,
//! blocking, comparisons with remembered name levels, EM, clustering, households);
//! `compare_pair` is one comparison of two prepared records with nothing remembered (what a
//! pair costs when its names are new), over candidate pairs of a small registry.

use airbridge_dedup::{Config, Deduplicator, Record};
use airbridge_demo::{DemoConfig, generate};
use airbridge_names::NameEngine;

fn main() {
    divan::main();
}

/// A demo registry as the evaluate example and the registry mode see it: case and relation
/// on every record.
fn demo(persons: usize) -> Vec<Record> {
    let mut records = Vec::with_capacity(persons);
    for (case_number, case) in generate(DemoConfig { persons, seed: 7 }).enumerate() {
        for (member_number, member) in case.case.members.iter().enumerate() {
            let id = format!("c{case_number}-m{member_number}");
            let mut record = Record::from_person(&id, &member.person);
            record.relation = Some(member.relation);
            record.case = Some(format!("c{case_number}"));
            records.push(record);
        }
    }
    records
}

#[divan::bench(args = [5_000, 20_000], sample_count = 5)]
fn run(bencher: divan::Bencher, persons: usize) {
    let engine = NameEngine::new();
    let records = demo(persons);
    let deduplicator = Deduplicator::new(&engine, Config::default()).unwrap();
    bencher.bench_local(|| deduplicator.run(&records).unwrap().clusters);
}

#[divan::bench(sample_count = 20)]
fn compare_pair(bencher: divan::Bencher) {
    let engine = NameEngine::new();
    let records = demo(5_000);
    let outcome = Deduplicator::new(&engine, Config::default())
        .unwrap()
        .run(&records)
        .unwrap();
    let pairs: Vec<(u32, u32)> = outcome
        .candidate_pairs
        .iter()
        .take(1_000)
        .copied()
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(pairs.len()))
        .bench_local(|| {
            pairs
                .iter()
                .filter_map(|&(a, b)| outcome.vector(&engine, a as usize, b as usize))
                .map(|vector| usize::from(vector[0]))
                .sum::<usize>()
        });
}
