//! Blocking-key report: on a labelled pairs set, the share of true variant pairs that share a
//! blocking key (pair recall) and how large the blocks are (the cost of that recall).
//!
//! ```sh
//! cargo run --release -p airbridge-names --example keys_report -- PAIRS.csv LABELS.csv
//! ```

use std::collections::{HashMap, HashSet};

use airbridge_names::NameEngine;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pairs_path, labels_path] = args.as_slice() else {
        return Err("usage: keys_report PAIRS.csv LABELS.csv".into());
    };
    let mut labels = HashMap::new();
    for record in csv::Reader::from_path(labels_path)?.records() {
        let record = record?;
        labels.insert(record[0].to_string(), &record[1] == "1");
    }
    let engine = NameEngine::new();
    let mut keys_of: HashMap<String, Vec<String>> = HashMap::new();
    let mut positives = Vec::new();
    for record in csv::Reader::from_path(pairs_path)?.records() {
        let record = record?;
        for name in [&record[1], &record[2]] {
            if !keys_of.contains_key(name) {
                keys_of.insert(name.to_string(), engine.keys(name));
            }
        }
        if labels.get(&record[0]).copied().unwrap_or(false) {
            positives.push((record[1].to_string(), record[2].to_string()));
        }
    }
    let mut blocks: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (name, keys) in &keys_of {
        for key in keys {
            blocks
                .entry(key.as_str())
                .or_default()
                .insert(name.as_str());
        }
    }
    let shared = positives
        .iter()
        .filter(|(a, b)| keys_of[a].iter().any(|k| keys_of[b].contains(k)))
        .count();
    let sizes: Vec<usize> = blocks.values().map(HashSet::len).collect();
    let mean_block = sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64;
    // The block size a record meets on average (large blocks are met by many records).
    let record_weighted = sizes.iter().map(|s| s * s).sum::<usize>() as f64
        / sizes.iter().sum::<usize>().max(1) as f64;
    let names = keys_of.len();
    let mut candidate_pairs = 0usize;
    for name in keys_of.keys() {
        let mut partners: HashSet<&str> = HashSet::new();
        for key in &keys_of[name] {
            partners.extend(blocks[key.as_str()].iter().copied());
        }
        candidate_pairs += partners.len().saturating_sub(1);
    }
    let candidate_pairs = candidate_pairs / 2;
    let all_pairs = names * names.saturating_sub(1) / 2;
    println!(
        "names={names} positives={} share_with_common_key={:.4} blocks={} mean_block={:.2} record_weighted_block={:.1} largest_block={} candidate_pairs={candidate_pairs} ({:.3}% of all {all_pairs})",
        positives.len(),
        shared as f64 / positives.len().max(1) as f64,
        sizes.len(),
        mean_block,
        record_weighted,
        sizes.iter().max().copied().unwrap_or(0),
        100.0 * candidate_pairs as f64 / all_pairs.max(1) as f64
    );
    Ok(())
}
