//! Measuring a result against known truth: pairwise precision, recall and F1 of clusters, and
//! the pairs completeness of blocking. Used by the examples and tests; the engine itself never
//! sees truth.

use std::collections::HashMap;
use std::hash::Hash;

/// Pairwise counts and rates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairwiseScores {
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn pairs_in(count: u64) -> u64 {
    count * count.saturating_sub(1) / 2
}

/// Pairwise scores of `clusters` against `truth` (one label each per record, same order),
/// from the contingency table, so it is linear in the number of records.
pub fn pairwise<T: Hash + Eq, C: Hash + Eq>(truth: &[T], clusters: &[C]) -> PairwiseScores {
    let mut by_truth: HashMap<&T, u64> = HashMap::new();
    let mut by_cluster: HashMap<&C, u64> = HashMap::new();
    let mut by_both: HashMap<(&T, &C), u64> = HashMap::new();
    for (entity, cluster) in truth.iter().zip(clusters) {
        *by_truth.entry(entity).or_default() += 1;
        *by_cluster.entry(cluster).or_default() += 1;
        *by_both.entry((entity, cluster)).or_default() += 1;
    }
    let true_positives: u64 = by_both.values().map(|&n| pairs_in(n)).sum();
    let predicted: u64 = by_cluster.values().map(|&n| pairs_in(n)).sum();
    let actual: u64 = by_truth.values().map(|&n| pairs_in(n)).sum();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let precision = ratio(true_positives, predicted);
    let recall = ratio(true_positives, actual);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    PairwiseScores {
        true_positives,
        false_positives: predicted - true_positives,
        false_negatives: actual - true_positives,
        precision,
        recall,
        f1,
    }
}

/// The share of true pairs (records with the same truth label) among `pairs`: what blocking
/// keeps. 1.0 when there are no true pairs.
pub fn pairs_completeness<T: Eq + Hash>(truth: &[T], pairs: &[(u32, u32)]) -> f64 {
    let mut by_truth: HashMap<&T, u64> = HashMap::new();
    for entity in truth {
        *by_truth.entry(entity).or_default() += 1;
    }
    let actual: u64 = by_truth.values().map(|&n| pairs_in(n)).sum();
    let found = pairs
        .iter()
        .filter(|&&(a, b)| {
            truth.get(a as usize).is_some() && truth.get(a as usize) == truth.get(b as usize)
        })
        .count() as u64;
    if actual == 0 {
        1.0
    } else {
        found as f64 / actual as f64
    }
}

#[cfg(test)]
mod tests {
    use super::{pairs_completeness, pairwise};

    #[test]
    fn scores() {
        let truth = [1, 1, 1, 2, 2, 3];
        let perfect = pairwise(&truth, &["a", "a", "a", "b", "b", "c"]);
        assert_eq!(perfect.f1, 1.0);
        let split = pairwise(&truth, &["a", "a", "x", "b", "b", "c"]);
        assert_eq!((split.true_positives, split.false_negatives), (2, 2));
        let merged = pairwise(&truth, &["a", "a", "a", "a", "a", "c"]);
        assert_eq!(merged.false_positives, 6);
        assert_eq!(pairs_completeness(&truth, &[(0, 1), (3, 4), (2, 5)]), 0.5);
    }
}
