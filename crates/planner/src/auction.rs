//! An auction for seats: the planner's main construction, which also prices the seats for the
//! bound.
//!
//! Every unit bids for the flight where its value less the seats' price is largest, offering up
//! to the price at which its second-best choice (another flight, or waiting) would do as well.
//! A flight over capacity turns away its lowest bids per seat, and its price rises to the lowest
//! bid it keeps; a unit turned away bids again at the new prices. Prices only rise, each bid by at
//! least `ε`, so the auction ends; when it does, every unit aboard is within `ε` per seat of its
//! best choice at the final prices (ε-complementary slackness), which is what makes the plan close
//! to the LP optimum and the prices close to the LP's duals (Bertsekas' auction algorithm, with
//! flights as objects of several identical seats and families as bidders for several seats).
//!
//! The auction runs in phases of falling `ε` (ε-scaling): early phases settle the prices
//! coarsely and cheaply, the last one finely.

use crate::problem::Problem;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// `ε` of the phases, relative to the largest value per seat of any unit.
const PHASES: [f64; 4] = [1e-2, 1e-3, 1e-4, 1e-5];

/// A cap on bids per unit and phase, so a pathological instance cannot make it loop long; the
/// plan stays feasible whatever happens, only its quality depends on the auction settling.
const MAX_BIDS_PER_UNIT: usize = 64;

/// A bid per seat kept by a flight, ordered so the lowest is on top of the heap.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bid {
    per_seat: f64,
    unit: usize,
}

impl Eq for Bid {}

impl PartialOrd for Bid {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bid {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.per_seat
            .total_cmp(&other.per_seat)
            .then(self.unit.cmp(&other.unit))
    }
}

/// The auction's result: a flight (position) or none for each unit, and the seat prices.
pub(crate) struct Outcome {
    pub placed: Vec<Option<u32>>,
    pub prices: Vec<f64>,
}

pub(crate) fn run(problem: &Problem<'_>) -> Outcome {
    let flights = problem.flights.len();
    let units = problem.units.len();
    let mut prices = vec![0.0f64; flights];
    let mut placed: Vec<Option<u32>> = vec![None; units];
    let mut used = vec![0u32; flights];
    let mut aboard: Vec<BinaryHeap<Reverse<Bid>>> = vec![BinaryHeap::new(); flights];
    let top = problem
        .units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.seats > 0)
        .filter_map(|(unit, u)| {
            problem
                .feasible_flights(unit)
                .first()
                .map(|&p| problem.value_at(unit, p) / f64::from(u.seats))
        })
        .fold(0.0f64, f64::max);
    if top <= 0.0 {
        return Outcome { placed, prices };
    }
    let mut bids = vec![0usize; units];
    for relative in PHASES {
        let epsilon = relative * top;
        // Each phase starts over from the prices reached, with every unit bidding again.
        for heap in &mut aboard {
            heap.clear();
        }
        used.iter_mut().for_each(|u| *u = 0);
        placed.iter_mut().for_each(|p| *p = None);
        bids.iter_mut().for_each(|b| *b = 0);
        let mut queue: VecDeque<usize> = (0..units).collect();
        while let Some(unit) = queue.pop_front() {
            let seats = problem.units[unit].seats;
            if seats == 0 {
                // Takes no seat: the earliest flight it may board, at no price.
                placed[unit] = problem.feasible_flights(unit).first().copied();
                continue;
            }
            if bids[unit] >= MAX_BIDS_PER_UNIT {
                continue;
            }
            bids[unit] += 1;
            let per_seat_seats = f64::from(seats);
            let mut best: Option<(u32, f64)> = None;
            let mut second = 0.0f64;
            for &position in problem.feasible_flights(unit) {
                let p = position as usize;
                if seats > problem.capacities[p] {
                    continue;
                }
                let profit = problem.value_at(unit, position) - prices[p] * per_seat_seats;
                match best {
                    Some((_, b)) if profit <= b => second = second.max(profit),
                    _ => {
                        if let Some((_, b)) = best {
                            second = second.max(b);
                        }
                        best = Some((position, profit));
                    }
                }
            }
            let Some((position, profit)) = best else {
                continue;
            };
            if profit <= 0.0 {
                // Waiting is as good as any flight at these prices, and prices only rise.
                continue;
            }
            let p = position as usize;
            let per_seat = prices[p] + (profit - second) / per_seat_seats + epsilon;
            placed[unit] = Some(position);
            used[p] += seats;
            aboard[p].push(Reverse(Bid { per_seat, unit }));
            let mut turned_away = false;
            while used[p] > problem.capacities[p] {
                let Some(Reverse(lowest)) = aboard[p].pop() else {
                    break;
                };
                placed[lowest.unit] = None;
                used[p] -= problem.units[lowest.unit].seats;
                queue.push_back(lowest.unit);
                turned_away = true;
            }
            if (turned_away || used[p] == problem.capacities[p])
                && let Some(Reverse(lowest)) = aboard[p].peek()
            {
                prices[p] = prices[p].max(lowest.per_seat);
            }
        }
    }
    Outcome { placed, prices }
}
