//! The exact knapsack behind the flight re-packs: which candidates fill a flight's free seats
//! with the most value, when a candidate needs `seats` seats (1 to a dozen) and brings `value`.
//!
//! Among candidates of one size, an optimal pack always takes the most valuable ones, so the
//! choice per size is only *how many*: taking the best `k` of size `s` is worth the prefix sum
//! `g_s(k)`, which is concave in `k` because the values are sorted. Adding a size to the table of
//! best values per seat count is then a max-plus convolution with a concave function, whose
//! maximising argument moves monotonically with the seat count, so each residue class of seats
//! modulo `s` is solved by divide and conquer in `O(n log n)` instead of the `O(items × seats)` of
//! the textbook table. On a Kabul-scale flight (300 seats, about 900 candidates) that is some
//! thirty thousand steps instead of a quarter of a million.

/// Candidates of one size, best first.
pub(crate) type Group = Vec<(f64, usize)>;

/// The most value that fits in `room` seats, and the candidates (their `usize` tags) that give it.
/// `groups[s]` holds the candidates of size `s`, sorted by value, highest first; only the first
/// `room / s` of each can matter. Values must be finite.
pub(crate) fn pack(room: usize, groups: &[Group]) -> (f64, Vec<usize>) {
    let mut best = vec![0.0f64; room + 1];
    let mut next = vec![0.0f64; room + 1];
    // choices[k][c]: how many of the k-th packed size the best fill of `c` seats takes.
    let mut sizes: Vec<usize> = Vec::new();
    let mut choices: Vec<Vec<u16>> = Vec::new();
    let mut prefix: Vec<f64> = Vec::new();
    let mut column: Vec<f64> = Vec::new();
    let mut answer: Vec<(f64, usize)> = Vec::new();
    for (size, group) in groups.iter().enumerate().skip(1) {
        if group.is_empty() || size > room {
            continue;
        }
        let most = group.len().min(room / size);
        prefix.clear();
        prefix.push(0.0);
        for &(value, _) in &group[..most] {
            let last = *prefix.last().unwrap_or(&0.0);
            prefix.push(last + value);
        }
        let mut choice = vec![0u16; room + 1];
        for residue in 0..size.min(room + 1) {
            column.clear();
            column.extend((residue..=room).step_by(size).map(|c| best[c]));
            answer.clear();
            answer.resize(column.len(), (f64::NEG_INFINITY, 0));
            convolve(
                &column,
                &prefix,
                &mut answer,
                0,
                column.len(),
                0,
                column.len(),
            );
            for (i, &(value, from)) in answer.iter().enumerate() {
                let c = residue + i * size;
                next[c] = value;
                choice[c] = u16::try_from(i - from).unwrap_or(u16::MAX);
            }
        }
        std::mem::swap(&mut best, &mut next);
        sizes.push(size);
        choices.push(choice);
    }
    let mut taken = Vec::new();
    let mut c = room;
    for (size, choice) in sizes.iter().zip(&choices).rev() {
        let k = usize::from(choice[c]);
        taken.extend(groups[*size][..k].iter().map(|&(_, tag)| tag));
        c -= k * size;
    }
    (best[room], taken)
}

/// `answer[i] = max over j ≤ i, i − j < prefix.len() of column[j] + prefix[i − j]` for `i` in
/// `low..high`, knowing the maximising `j` lies in `from..to` (with `answer[i].1` that `j`).
fn convolve(
    column: &[f64],
    prefix: &[f64],
    answer: &mut [(f64, usize)],
    low: usize,
    high: usize,
    from: usize,
    to: usize,
) {
    if low >= high {
        return;
    }
    let middle = (low + high) / 2;
    let first = from.max((middle + 1).saturating_sub(prefix.len()));
    let last = to.min(middle + 1);
    let mut best = (f64::NEG_INFINITY, first);
    for j in first..last {
        let value = column[j] + prefix[middle - j];
        if value > best.0 {
            best = (value, j);
        }
    }
    answer[middle] = best;
    convolve(column, prefix, answer, low, middle, from, best.1 + 1);
    convolve(column, prefix, answer, middle + 1, high, best.1, to);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook 0/1 knapsack over every candidate.
    fn reference(room: usize, groups: &[Group]) -> f64 {
        let mut best = vec![0.0f64; room + 1];
        for (size, group) in groups.iter().enumerate().skip(1) {
            for &(value, _) in group {
                for c in (size..=room).rev() {
                    best[c] = best[c].max(best[c - size] + value);
                }
            }
        }
        best[room]
    }

    fn groups_from(items: &[(usize, u32)]) -> Vec<Group> {
        let mut groups: Vec<Group> = vec![Vec::new(); 13];
        for (tag, &(size, value)) in items.iter().enumerate() {
            groups[size].push((f64::from(value), tag));
        }
        for group in &mut groups {
            group.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        }
        groups
    }

    #[test]
    fn takes_the_best_mix_of_sizes() {
        // 10 seats: two families of 4 (7 + 6) and one of 2 (3) beat five pairs (5 × 3).
        let items = [
            (4, 7),
            (4, 6),
            (4, 1),
            (2, 3),
            (2, 3),
            (2, 3),
            (2, 3),
            (2, 3),
        ];
        let groups = groups_from(&items);
        let (value, taken) = pack(10, &groups);
        assert_eq!(value, 16.0);
        let mut taken = taken;
        taken.sort_unstable();
        assert_eq!(taken.len(), 3);
        assert!(taken.contains(&0) && taken.contains(&1));
    }

    #[test]
    fn an_empty_flight_or_no_candidates_packs_nothing() {
        assert_eq!(pack(0, &groups_from(&[(1, 5)])), (0.0, vec![]));
        assert_eq!(pack(30, &groups_from(&[])), (0.0, vec![]));
    }

    proptest! {
        #[test]
        fn matches_the_textbook_table(
            room in 0usize..60,
            items in proptest::collection::vec((1usize..=12, 0u32..1000), 0..40),
        ) {
            let groups = groups_from(&items);
            let (value, taken) = pack(room, &groups);
            prop_assert!((value - reference(room, &groups)).abs() < 1e-6);
            // The taken candidates are distinct, fit, and add up to the value.
            let mut seen = taken.clone();
            seen.sort_unstable();
            seen.dedup();
            prop_assert_eq!(seen.len(), taken.len());
            let seats: usize = taken.iter().map(|&t| items[t].0).sum();
            prop_assert!(seats <= room);
            let sum: f64 = taken.iter().map(|&t| f64::from(items[t].1)).sum();
            prop_assert!((sum - value).abs() < 1e-6);
        }
    }
}
