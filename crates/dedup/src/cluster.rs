//! Clustering scored pairs into people without chaining strangers through one weak link.
//!
//! Connected components over links above the threshold would join two families through a
//! single pair that happens to look alike (two cousins named after the same grandfather). Here
//! links are taken strongest first, as in single-linkage agglomeration, but two groups merge
//! only when the records of one, on average, match the records of the other: the mean match
//! probability over all cross pairs (scored on demand when blocking did not pair them) must
//! reach `support`. Two singletons merge on their link alone. The result depends only on the
//! scores and record order, so it is the same on every run.

/// How groups may merge.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Mean cross-pair match probability two groups need to merge.
    pub support: f64,
    /// A cross pair below this match probability (strong evidence of two people: other
    /// documents, birth dates years apart) stops the merge, whatever the mean.
    pub veto: f64,
    /// Members of a large group checked for support and veto.
    pub max_checked: usize,
}

/// Pairs a person decided: records that are one person whatever their scores, and records
/// that are two people whatever their scores. Positions in the input, in either order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Decided<'d> {
    pub together: &'d [(u32, u32)],
    pub apart: &'d [(u32, u32)],
}

/// Groups records `0..count` given links `(a, b, probability)` at or above the threshold.
/// `probability(a, b)` scores any pair (used for cross pairs of groups being merged).
/// `case_of[r]` is the family case of record `r` on its list: records of one case never end
/// in one cluster. Returns, for each record, the index of the smallest record of its cluster.
pub fn cluster<F>(
    count: usize,
    links: Vec<(u32, u32, f64)>,
    case_of: &[u32],
    rules: Rules,
    probability: F,
) -> Vec<u32>
where
    F: FnMut(u32, u32) -> f64,
{
    cluster_with(
        count,
        links,
        case_of,
        Decided::default(),
        rules,
        probability,
    )
}

/// [`cluster`], bound by a reviewer's decisions: `together` pairs are merged last, whatever
/// the support (a reviewer who says two records are one person says their groups are too),
/// and no merge ever puts an `apart` pair in one cluster, whatever the scores; `apart` wins
/// where the two disagree. Out-of-range positions are ignored.
pub fn cluster_with<F>(
    count: usize,
    mut links: Vec<(u32, u32, f64)>,
    case_of: &[u32],
    decided: Decided<'_>,
    rules: Rules,
    mut probability: F,
) -> Vec<u32>
where
    F: FnMut(u32, u32) -> f64,
{
    let max_checked = rules.max_checked;
    links.sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    let mut cluster_of: Vec<u32> = (0..count as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..count as u32).map(|record| vec![record]).collect();
    // Each record's "two people" partners, to refuse a merge that would join them.
    let mut apart_from: std::collections::HashMap<u32, Vec<u32>> = Default::default();
    for &(a, b) in decided.apart {
        if (a as usize) < count && (b as usize) < count && a != b {
            apart_from.entry(a).or_default().push(b);
            apart_from.entry(b).or_default().push(a);
        }
    }
    let kept_apart = |members: &[Vec<u32>], cluster_of: &[u32], small: u32, large: u32| {
        members[small as usize].iter().any(|record| {
            apart_from.get(record).is_some_and(|partners| {
                partners
                    .iter()
                    .any(|&partner| cluster_of[partner as usize] == large)
            })
        })
    };
    let merge = |members: &mut Vec<Vec<u32>>, cluster_of: &mut Vec<u32>, a: u32, b: u32| {
        // The smaller group moves into the larger one, so each record moves O(log n) times.
        let (keep, gone) = if members[a as usize].len() >= members[b as usize].len() {
            (a, b)
        } else {
            (b, a)
        };
        let moved = std::mem::take(&mut members[gone as usize]);
        for &record in &moved {
            cluster_of[record as usize] = keep;
        }
        members[keep as usize].extend(moved);
        members[keep as usize].sort_unstable();
    };
    for (a, b, _) in links {
        let (Some(&group_a), Some(&group_b)) =
            (cluster_of.get(a as usize), cluster_of.get(b as usize))
        else {
            continue;
        };
        if group_a == group_b {
            continue;
        }
        let (first, second) = (&members[group_a as usize], &members[group_b as usize]);
        // Two members of one family case are two people: such groups never merge.
        let (small, large) = if first.len() <= second.len() {
            (first, second)
        } else {
            (second, first)
        };
        let mut cases: Vec<u32> = small.iter().map(|&r| case_of[r as usize]).collect();
        cases.sort_unstable();
        if large
            .iter()
            .any(|&r| cases.binary_search(&case_of[r as usize]).is_ok())
        {
            continue;
        }
        let (small_group, large_group) = if first.len() <= second.len() {
            (group_a, group_b)
        } else {
            (group_b, group_a)
        };
        if !apart_from.is_empty() && kept_apart(&members, &cluster_of, small_group, large_group) {
            continue;
        }
        let joined = if first.len() == 1 && second.len() == 1 {
            true
        } else {
            // Large groups are checked on their first members: enough to stop a chain, and it
            // keeps a pathological group (thousands of identical rows) from going quadratic.
            let mut sum = 0.0;
            let mut pairs = 0usize;
            for &x in first.iter().take(max_checked) {
                for &y in second.iter().take(max_checked) {
                    let p = probability(x.min(y), x.max(y));
                    if p < rules.veto {
                        sum = f64::NEG_INFINITY;
                    }
                    sum += p;
                    pairs += 1;
                }
            }
            pairs > 0 && sum / pairs as f64 >= rules.support
        };
        if joined {
            merge(&mut members, &mut cluster_of, group_a, group_b);
        }
    }
    // Then what reviewers joined, with the groups the scores made around each record.
    let mut together = decided.together.to_vec();
    together.sort_unstable_by_key(|&(a, b)| (a.min(b), a.max(b)));
    for (a, b) in together {
        let (Some(&group_a), Some(&group_b)) =
            (cluster_of.get(a as usize), cluster_of.get(b as usize))
        else {
            continue;
        };
        if group_a == group_b {
            continue;
        }
        let (small, large) = if members[group_a as usize].len() <= members[group_b as usize].len() {
            (group_a, group_b)
        } else {
            (group_b, group_a)
        };
        if !kept_apart(&members, &cluster_of, small, large) {
            merge(&mut members, &mut cluster_of, group_a, group_b);
        }
    }
    // Label every record with its cluster's smallest record, independent of merge order.
    let mut label = vec![0u32; count];
    for group in members.iter().filter(|g| !g.is_empty()) {
        let smallest = group[0];
        for &record in group {
            label[record as usize] = smallest;
        }
    }
    label
}

#[cfg(test)]
mod tests {
    use super::{Decided, Rules, cluster, cluster_with};
    use std::collections::HashMap;

    fn run(count: usize, scored: &[(u32, u32, f64)], threshold: f64) -> Vec<u32> {
        let table: HashMap<(u32, u32), f64> = scored
            .iter()
            .map(|&(a, b, p)| ((a.min(b), a.max(b)), p))
            .collect();
        let links = scored
            .iter()
            .copied()
            .filter(|l| l.2 >= threshold)
            .collect();
        let cases: Vec<u32> = (0..count as u32).collect();
        run_with_cases(&cases, &table, links)
    }

    fn run_with_cases(
        cases: &[u32],
        table: &HashMap<(u32, u32), f64>,
        links: Vec<(u32, u32, f64)>,
    ) -> Vec<u32> {
        let rules = Rules {
            support: 0.5,
            veto: 0.001,
            max_checked: 64,
        };
        cluster(cases.len(), links, cases, rules, |a, b| {
            table.get(&(a, b)).copied().unwrap_or(0.0)
        })
    }

    #[test]
    fn one_weak_link_does_not_chain_two_families() {
        // 0-1-2 are one person, 3-4-5 another; 2 and 3 look alike just above the threshold.
        let mut scored = vec![(0, 1, 0.99), (1, 2, 0.98), (0, 2, 0.97)];
        scored.extend([(3, 4, 0.99), (4, 5, 0.98), (3, 5, 0.97)]);
        scored.push((2, 3, 0.95));
        assert_eq!(run(6, &scored, 0.9), vec![0, 0, 0, 3, 3, 3]);
        // Plain connected components would have made one cluster of six.
    }

    #[test]
    fn a_duplicate_far_from_its_sibling_copy_still_joins() {
        // The original 0 links strongly to two copies that differ from each other more.
        let scored = vec![(0, 1, 0.999), (0, 2, 0.998), (1, 2, 0.4)];
        assert_eq!(run(3, &scored, 0.9), vec![0, 0, 0]);
    }

    #[test]
    fn strong_evidence_of_two_people_vetoes_a_merge() {
        // 0-1 and 2-3 are strong pairs; 1-2 links, 0-3 is clearly two people (other passports).
        let scored = vec![
            (0, 1, 0.999),
            (2, 3, 0.999),
            (1, 2, 0.99),
            (0, 2, 0.9),
            (1, 3, 0.9),
            (0, 3, 0.0001),
        ];
        assert_eq!(run(4, &scored, 0.9), vec![0, 0, 2, 2]);
    }

    #[test]
    fn members_of_one_family_case_never_join() {
        // Two brothers on one list (case 7) and a copy of the first on another list (case 9):
        // the copy looks like both, but the brothers stay apart.
        let scored = vec![(0, 2, 0.999), (1, 2, 0.98), (0, 1, 0.95)];
        let table: HashMap<(u32, u32), f64> = scored.iter().map(|&(a, b, p)| ((a, b), p)).collect();
        let labels = run_with_cases(&[7, 7, 9], &table, scored.clone());
        assert_eq!(labels, vec![0, 1, 0]);
    }

    #[test]
    fn labels_are_the_smallest_member_whatever_the_order() {
        let scored = vec![(4, 2, 0.99), (2, 7, 0.95), (4, 7, 0.93)];
        let labels = run(8, &scored, 0.9);
        assert_eq!(labels[2], 2);
        assert_eq!(labels[4], 2);
        assert_eq!(labels[7], 2);
        assert_eq!(labels[0], 0);
    }

    fn run_decided(
        count: usize,
        scored: &[(u32, u32, f64)],
        together: &[(u32, u32)],
        apart: &[(u32, u32)],
    ) -> Vec<u32> {
        let table: HashMap<(u32, u32), f64> = scored.iter().map(|&(a, b, p)| ((a, b), p)).collect();
        let links = scored.iter().copied().filter(|l| l.2 >= 0.9).collect();
        let cases: Vec<u32> = (0..count as u32).collect();
        let rules = Rules {
            support: 0.5,
            veto: 0.001,
            max_checked: 64,
        };
        let decided = Decided { together, apart };
        cluster_with(count, links, &cases, decided, rules, |a, b| {
            table.get(&(a, b)).copied().unwrap_or(0.0)
        })
    }

    #[test]
    fn two_records_decided_apart_never_share_a_cluster_even_through_a_third() {
        // 0 and 1 look identical; a reviewer said they are two people. 2 looks like both.
        let scored = vec![(0, 1, 0.999), (0, 2, 0.99), (1, 2, 0.98)];
        assert_eq!(run_decided(3, &scored, &[], &[]), vec![0, 0, 0]);
        let labels = run_decided(3, &scored, &[], &[(1, 0)]);
        assert_ne!(labels[0], labels[1]);
        // 2 goes with the one it matches best.
        assert_eq!(labels, vec![0, 1, 0]);
    }

    #[test]
    fn records_decided_together_join_with_their_groups_whatever_the_scores() {
        // 0-1 and 2-3 are two strong pairs that look nothing alike across; a reviewer who
        // knows 1 and 2 are one person joins the four.
        let scored = vec![(0, 1, 0.999), (2, 3, 0.999), (1, 2, 0.01)];
        assert_eq!(run_decided(4, &scored, &[], &[]), vec![0, 0, 2, 2]);
        assert_eq!(run_decided(4, &scored, &[(2, 1)], &[]), vec![0, 0, 0, 0]);
        // Apart wins where the two disagree.
        let labels = run_decided(4, &scored, &[(1, 2)], &[(0, 3)]);
        assert_ne!(labels[0], labels[3]);
        // Positions outside the input are ignored.
        assert_eq!(run_decided(2, &[], &[(0, 9)], &[(7, 1)]), vec![0, 1]);
    }
}
