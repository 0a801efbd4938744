//! Matching the rest of a family once its anchor is found.
//!
//! Lists name dependents badly: "wife", "child 3", a given name and a birth year. Alone, such a
//! record cannot be told from thousands of others, so no pair score links it. But when two
//! family cases already share a person (the principal found on both lists), their other members
//! are far more likely to be one another: a wife on one list and a wife on the other. For every
//! two cases that share a cluster, each member not yet matched across is paired with the one
//! member of the other case it is compatible with — same relation, same sex, birth dates not
//! years apart, names not different — when that partner is unambiguous both ways. Two
//! daughters with no names and no dates stay apart: nothing says which is which.

use std::collections::{HashMap, HashSet};

use airbridge_domain::Relation;

use crate::compare::{Comparison, NULL, Vector};

/// Which comparisons rule a household pairing out when they disagree outright (level 0).
const CONTRADICTING: [Comparison; 6] = [
    Comparison::Given,
    Comparison::Family,
    Comparison::FullName,
    Comparison::Father,
    Comparison::BirthDate,
    Comparison::Sex,
];

/// Joins clusters of members of cases that already share a person. `labels[r]` is the cluster
/// of record `r`; `case_of[r]` its case (a record without a case has a number of its own, not
/// shared), `relation[r]` its relation to the principal. `vector(a, b)` compares two records.
/// Returns how many pairs of clusters were joined. Deterministic: cases are visited in order.
pub fn propagate<F>(
    labels: &mut [u32],
    case_of: &[u32],
    relation: &[Option<Relation>],
    mut vector: F,
) -> usize
where
    F: FnMut(u32, u32) -> Vector,
{
    let count = labels.len();
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    for record in 0..count as u32 {
        members
            .entry(case_of[record as usize])
            .or_default()
            .push(record);
    }
    // Pairs of cases sharing a cluster.
    let mut cases_of_cluster: HashMap<u32, Vec<u32>> = HashMap::new();
    for record in 0..count {
        let cases = cases_of_cluster.entry(labels[record]).or_default();
        if !cases.contains(&case_of[record]) {
            cases.push(case_of[record]);
        }
    }
    let mut case_pairs: Vec<(u32, u32)> = Vec::new();
    let mut seen = HashSet::new();
    let mut clusters: Vec<&u32> = cases_of_cluster.keys().collect();
    clusters.sort_unstable();
    for cluster in clusters {
        let cases = &cases_of_cluster[cluster];
        if cases.len() > 8 {
            // A person on many lists is fine; a cluster touching many cases is suspicious
            // enough not to spread from.
            continue;
        }
        for (i, &x) in cases.iter().enumerate() {
            for &y in &cases[i + 1..] {
                let pair = (x.min(y), x.max(y));
                if members[&pair.0].len() > 1 && members[&pair.1].len() > 1 && seen.insert(pair) {
                    case_pairs.push(pair);
                }
            }
        }
    }
    case_pairs.sort_unstable();

    let mut parent: Vec<u32> = (0..count as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    let mut joined = 0;
    for (first, second) in case_pairs {
        let (left, right) = (&members[&first], &members[&second]);
        let root = |parent: &mut Vec<u32>, r: u32| find(parent, labels[r as usize]);
        let right_roots: Vec<u32> = right.iter().map(|&r| root(&mut parent, r)).collect();
        let left_roots: Vec<u32> = left.iter().map(|&r| root(&mut parent, r)).collect();
        let open_left: Vec<usize> = (0..left.len())
            .filter(|&i| !right_roots.contains(&left_roots[i]))
            .collect();
        let open_right: Vec<usize> = (0..right.len())
            .filter(|&j| !left_roots.contains(&right_roots[j]))
            .collect();
        if open_left.is_empty() || open_right.is_empty() {
            continue;
        }
        let mut compatible = vec![vec![false; open_right.len()]; open_left.len()];
        for (i, &l) in open_left.iter().enumerate() {
            for (j, &r) in open_right.iter().enumerate() {
                compatible[i][j] = fits(
                    relation[left[l] as usize],
                    relation[right[r] as usize],
                    &vector(left[l].min(right[r]), left[l].max(right[r])),
                );
            }
        }
        for (i, &l) in open_left.iter().enumerate() {
            let partners: Vec<usize> = (0..open_right.len())
                .filter(|&j| compatible[i][j])
                .collect();
            let [j] = partners[..] else {
                continue;
            };
            if (0..open_left.len()).filter(|&k| compatible[k][j]).count() != 1 {
                continue;
            }
            let (a, b) = (
                root(&mut parent, left[l]),
                root(&mut parent, right[open_right[j]]),
            );
            if a != b {
                let (keep, gone) = (a.min(b), a.max(b));
                parent[gone as usize] = keep;
                joined += 1;
            }
        }
    }
    if joined > 0 {
        // Labels are each cluster's smallest record and a merge keeps the smaller root, so the
        // root is again the smallest record of the joined cluster.
        for label in labels.iter_mut() {
            *label = find(&mut parent, *label);
        }
    }
    joined
}

/// Cases larger than this are not expanded into pairs (a list that puts a whole village in one
/// case would otherwise make its cross pairs quadratic).
const MAX_EXPANDED_CASE: usize = 16;

/// The pairs of members of two family cases that share a link (a pair at or above
/// `threshold`), that are not among `pairs` already: sorted, distinct, `a < b`. Records whose
/// case number is below `count` have no case and are left out. `pairs` is sorted.
pub(crate) fn linked_case_pairs(
    pairs: &[(u32, u32)],
    weights: &[f32],
    threshold: f32,
    case_of: &[u32],
    count: usize,
) -> Vec<(u32, u32)> {
    let count = count as u32;
    let case_index = |record: u32| {
        let case = case_of[record as usize];
        (case >= count).then(|| (case - count) as usize)
    };
    let cases = case_of
        .iter()
        .filter(|&&c| c >= count)
        .max()
        .map_or(0, |&c| (c - count) as usize + 1);
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); cases];
    for record in 0..case_of.len() as u32 {
        if let Some(case) = case_index(record) {
            members[case].push(record);
        }
    }
    let mut linked: Vec<(usize, usize)> = pairs
        .iter()
        .zip(weights)
        .filter(|(_, w)| **w >= threshold)
        .filter_map(|(&(a, b), _)| {
            let (x, y) = (case_index(a)?, case_index(b)?);
            (x != y).then_some((x.min(y), x.max(y)))
        })
        .filter(|&(x, y)| {
            members[x].len() <= MAX_EXPANDED_CASE && members[y].len() <= MAX_EXPANDED_CASE
        })
        .collect();
    linked.sort_unstable();
    linked.dedup();
    let mut added: Vec<(u32, u32)> = linked
        .iter()
        .flat_map(|&(x, y)| {
            let members = &members;
            members[x]
                .iter()
                .flat_map(move |&a| members[y].iter().map(move |&b| (a.min(b), a.max(b))))
        })
        .collect();
    added.sort_unstable();
    added.dedup();
    added.retain(|pair| pairs.binary_search(pair).is_err());
    added
}

/// Whether two members of cases that share a person may be one person.
fn fits(a: Option<Relation>, b: Option<Relation>, vector: &Vector) -> bool {
    // Relations must be given and agree: without them a "wife" could pair with a daughter.
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    if a != b || a == Relation::Principal {
        return false;
    }
    CONTRADICTING.iter().all(|&field| {
        let level = vector[field as usize];
        level == NULL || level > 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::FIELD_COUNT;

    /// Records 0-2 are case 10 (principal, wife, child), 3-5 case 11 (the same family on
    /// another list), 6 a stranger's case.
    fn family() -> (Vec<u32>, Vec<Option<Relation>>) {
        let cases = vec![10, 10, 10, 11, 11, 11, 12];
        let relations = vec![
            Some(Relation::Principal),
            Some(Relation::Spouse),
            Some(Relation::Child),
            Some(Relation::Principal),
            Some(Relation::Spouse),
            Some(Relation::Child),
            Some(Relation::Spouse),
        ];
        (cases, relations)
    }

    fn neutral(_: u32, _: u32) -> Vector {
        [NULL; FIELD_COUNT]
    }

    #[test]
    fn a_found_principal_brings_the_family_along() {
        let (cases, relations) = family();
        // Only the principals were clustered together.
        let mut labels = vec![0, 1, 2, 0, 4, 5, 6];
        let joined = propagate(&mut labels, &cases, &relations, neutral);
        assert_eq!(joined, 2);
        assert_eq!(labels, vec![0, 1, 2, 0, 1, 2, 6]);
    }

    #[test]
    fn nothing_spreads_without_an_anchor_or_against_evidence() {
        let (cases, relations) = family();
        let mut labels: Vec<u32> = (0..7).collect();
        assert_eq!(propagate(&mut labels, &cases, &relations, neutral), 0);
        // With the anchor, but the two children born years apart: only the wives join.
        let mut labels = vec![0, 1, 2, 0, 4, 5, 6];
        let far_apart = |a: u32, b: u32| {
            let mut vector = [NULL; FIELD_COUNT];
            if (a, b) == (2, 5) {
                vector[Comparison::BirthDate as usize] = 0;
            }
            vector
        };
        assert_eq!(propagate(&mut labels, &cases, &relations, far_apart), 1);
        assert_eq!(labels, vec![0, 1, 2, 0, 1, 5, 6]);
    }

    #[test]
    fn two_unnamed_daughters_stay_apart() {
        let cases = vec![1, 1, 1, 2, 2, 2];
        let relations = vec![
            Some(Relation::Principal),
            Some(Relation::Child),
            Some(Relation::Child),
            Some(Relation::Principal),
            Some(Relation::Child),
            Some(Relation::Child),
        ];
        let mut labels = vec![0, 1, 2, 0, 4, 5];
        assert_eq!(propagate(&mut labels, &cases, &relations, neutral), 0);
        assert_eq!(labels, vec![0, 1, 2, 0, 4, 5]);
    }
}
