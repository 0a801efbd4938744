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

/// The pairs of members of two family cases that share a plausible link (a pair at or above
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
    // Kept to the run's end (`Outcome::household_pairs`): without the spare room that the
    // duplicates and the pairs already candidates left.
    added.shrink_to_fit();
    added
}

/// How two family cases are judged together: the evidence of their members, each matched to
/// the one member of the other case with the same relation it matches best.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FamilyRules {
    /// The weight in bits of a pair of records' prior (what a pair's weight includes besides
    /// the evidence of its fields).
    pub pair_prior: f32,
    /// The weight in bits of the prior that two random cases are one family.
    pub case_prior: f32,
    /// The weight two cases need to be taken for one family.
    pub threshold: f32,
}

/// Members of two family cases taken for one person because their families, as a whole, are
/// one: when a registry is large, "Sadia, born 1998" or "Nasrullah, born 1969" alone fits
/// hundreds of records, but a Nasrullah with a wife Sadia and a daughter Zainab born in
/// those years fits one family. Each member of one case is matched, one to one and best
/// weight first, to a member of the other with the same relation; the two cases' weight is
/// the case prior plus the evidence (pair weight less the pair prior) of every matched pair,
/// disagreeing ones included. At or above the threshold, with at least two matched pairs of
/// positive evidence, those pairs become links `(a, b, weight)` with the cases' weight.
/// `pairs` is sorted and holds every cross pair of the cases considered (see
/// [`linked_case_pairs`]); only case pairs with a pair among `pairs` are judged.
pub(crate) fn family_links(
    pairs: &[(u32, u32)],
    weights: &[f32],
    case_of: &[u32],
    relation: &[Option<Relation>],
    count: usize,
    rules: FamilyRules,
) -> Vec<(u32, u32, f64)> {
    let count = count as u32;
    let case_index = |record: u32| {
        let case = case_of[record as usize];
        (case >= count).then(|| case - count)
    };
    // The same-relation cross pairs of two cases, as (case x, case y) with x < y.
    let cases_of = |(a, b): (u32, u32)| {
        let (x, y) = (case_index(a)?, case_index(b)?);
        let (ra, rb) = (relation[a as usize]?, relation[b as usize]?);
        (x != y && ra == rb).then_some((x.min(y), x.max(y)))
    };
    // Only case pairs with two pairs of positive evidence can be linked (matching keeps a
    // subset of them): the others are left out before the rest of their pairs are gathered,
    // which in a large registry are most.
    let mut eligible: Vec<(u32, u32)> = pairs
        .iter()
        .zip(weights)
        .filter(|&(_, &weight)| weight - rules.pair_prior > 0.0)
        .filter_map(|(&pair, _)| cases_of(pair))
        .collect();
    eligible.sort_unstable();
    let mut twice: Vec<(u32, u32)> = eligible
        .chunk_by(|p, q| p == q)
        .filter(|group| group.len() >= 2)
        .map(|group| group[0])
        .collect();
    drop(eligible);
    twice.shrink_to_fit();
    // Their same-relation cross pairs: (case x, case y, weight, a, b).
    let mut by_cases: Vec<(u32, u32, f32, u32, u32)> = pairs
        .iter()
        .zip(weights)
        .filter_map(|(&(a, b), &weight)| {
            let (x, y) = cases_of((a, b))?;
            twice
                .binary_search(&(x, y))
                .is_ok()
                .then_some((x, y, weight, a, b))
        })
        .collect();
    by_cases.sort_unstable_by(|p, q| {
        (p.0, p.1)
            .cmp(&(q.0, q.1))
            .then(q.2.total_cmp(&p.2))
            .then((p.3, p.4).cmp(&(q.3, q.4)))
    });
    let mut links = Vec::new();
    for group in by_cases.chunk_by(|p, q| (p.0, p.1) == (q.0, q.1)) {
        let mut used: Vec<u32> = Vec::new();
        let mut matched: Vec<(u32, u32, f32)> = Vec::new();
        for &(_, _, weight, a, b) in group {
            if used.contains(&a) || used.contains(&b) {
                continue;
            }
            used.extend([a, b]);
            matched.push((a, b, weight - rules.pair_prior));
        }
        let positive = matched.iter().filter(|m| m.2 > 0.0).count();
        let total: f32 = rules.case_prior + matched.iter().map(|m| m.2).sum::<f32>();
        if positive >= 2 && total >= rules.threshold {
            links.extend(
                matched
                    .iter()
                    .filter(|m| m.2 > 0.0)
                    .map(|&(a, b, _)| (a, b, f64::from(total))),
            );
        }
    }
    links.sort_unstable_by_key(|&(a, b, _)| (a, b));
    links
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
    fn two_weak_members_make_one_family_and_one_alone_does_not() {
        // Cases 10 (records 0-2) and 11 (3-5) as in `family`; record 6 is a lone spouse case.
        let (cases, relations) = family();
        let count = cases.len();
        let case_of: Vec<u32> = cases.iter().map(|&c| c + count as u32).collect();
        let rules = FamilyRules {
            pair_prior: -20.0,
            case_prior: -16.0,
            threshold: 3.0,
        };
        // Principals and wives each match weakly (15 bits of evidence: probability 0.03 as
        // pairs); the children disagree a little; the wife of case 12 looks like both wives.
        let pairs = vec![(0, 3), (1, 4), (1, 6), (2, 5), (4, 6)];
        let weights = vec![-5.0, -5.0, -6.0, -21.0, -6.0];
        let links = family_links(&pairs, &weights, &case_of, &relations, count, rules);
        // -16 + 15 + 15 - 1 = 13 bits for cases 10 and 11: principals and wives linked,
        // the children (negative evidence) not; case 12 has one member only.
        assert_eq!(
            links.iter().map(|l| (l.0, l.1)).collect::<Vec<_>>(),
            vec![(0, 3), (1, 4)]
        );
        assert!(links.iter().all(|l| l.2 == 13.0));
        // A family whose children are clearly other people is not one family.
        let weights = vec![-5.0, -5.0, -6.0, -40.0, -6.0];
        assert!(family_links(&pairs, &weights, &case_of, &relations, count, rules).is_empty());
        // Nor is one matching member enough, however the prior is set.
        let weights = vec![-5.0, -25.0, -6.0, -25.0, -6.0];
        let lenient = FamilyRules {
            case_prior: 0.0,
            ..rules
        };
        assert!(family_links(&pairs, &weights, &case_of, &relations, count, lenient).is_empty());
    }

    #[test]
    fn records_without_a_case_are_left_out_of_family_links() {
        // Record 6 has no case (its case number is its own position, below the count).
        let (cases, relations) = family();
        let count = cases.len();
        let mut case_of: Vec<u32> = cases.iter().map(|&c| c + count as u32).collect();
        case_of[6] = 6;
        let rules = FamilyRules {
            pair_prior: -20.0,
            case_prior: -16.0,
            threshold: 3.0,
        };
        let pairs = vec![(0, 3), (1, 4), (1, 6), (4, 6)];
        let weights = vec![-5.0, -5.0, 10.0, 10.0];
        let links = family_links(&pairs, &weights, &case_of, &relations, count, rules);
        assert_eq!(
            links.iter().map(|l| (l.0, l.1)).collect::<Vec<_>>(),
            vec![(0, 3), (1, 4)]
        );
    }

    #[test]
    fn cross_pairs_of_linked_cases_are_added_once() {
        let (cases, _) = family();
        let count = cases.len();
        let case_of: Vec<u32> = cases.iter().map(|&c| c + count as u32).collect();
        // One strong pair between cases 10 and 11, a weak one between 10 and 12.
        let pairs = vec![(0, 3), (1, 6)];
        let added = linked_case_pairs(&pairs, &[10.0, -10.0], 0.0, &case_of, count);
        let expected: Vec<(u32, u32)> = (0..3)
            .flat_map(|a| (3..6).map(move |b| (a, b)))
            .filter(|&p| p != (0, 3))
            .collect();
        assert_eq!(added, expected);
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
