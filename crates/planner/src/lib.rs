//! The airlift planner: which ready cases fly on which flights.
//!
//! Given flights, carriage agreements, destinations' acceptance rules and the ready pool, the
//! planner assigns whole cases to flights so that seats are never exceeded, families never
//! split, blocked cases never fly, agreements and acceptance hold and unaccompanied minors fly
//! beside their escort. It maximises priority-weighted people evacuated, discounted by waiting,
//! keeps nations sharing a flight fair, and reports an upper bound so every plan states its gap.
//!
//! Pure: no I/O and no clock (times are inputs), deterministic, and it never panics on data.
//!
//! ```text
//! model ─▶ problem (units, classes, values) ─▶ search (greedy, swaps, fairness) ─▶ polish ─▶ plan
//!                                               └─▶ bound (Lagrangian of the LP) ──┘ (seat prices)
//! replan: previous plan + change ─▶ keep what still fits ─▶ displaced first ─▶ fill
//! ```

pub mod assignment;
pub mod check;
pub mod error;
pub mod files;
pub mod model;
pub mod plan;
pub mod priority;
pub mod replan;

use rayon::prelude::*;

mod auction;
mod bound;
mod pack;
mod problem;
mod search;

pub use assignment::AssignmentProblem;
pub use check::{UnfairWait, Violation, unfair_waits, violations};
pub use error::{PlanError, PlanErrorKind};
pub use model::{
    AcceptanceRule, AircraftType, CabinConfiguration, CarriageAgreement, Destination, Flight,
    FlightId, FlightStatus, Instance, Member, Minutes, ReadyCase,
};
pub use plan::{FlightLoad, Plan, Stability, Unassigned, UnassignedReason};
pub use priority::{Config, Discount, PriorityWeights};
pub use replan::{Change, replan};

/// A way of producing plans. The fast heuristic is the only one today; an exact MILP (HiGHS)
/// will implement this trait in its own crate, so that the solver's long build stays optional
/// and callers switch with `--exact` without touching the model.
pub trait Solver {
    fn solve(&self, instance: &Instance, config: &Config) -> Result<Plan, PlanError>;
}

/// The fast planner: priority-ordered greedy, seat-filling swaps, fairness repair.
#[derive(Debug, Clone, Copy, Default)]
pub struct FastSolver;

impl Solver for FastSolver {
    fn solve(&self, instance: &Instance, config: &Config) -> Result<Plan, PlanError> {
        plan(instance, config)
    }
}

/// Plans `instance` from scratch with the fast planner.
///
/// Two constructions run side by side: the seat auction (the better one on large, contested
/// instances) and the priority-ordered greedy; both are then improved by the same moves, the
/// bound is refined from the auction's prices, and the better plan is kept. It is then polished:
/// flights are re-packed in slot order with units drawn forward from later flights, at the
/// refined seat prices, until a sweep gains little.
pub fn plan(instance: &Instance, config: &Config) -> Result<Plan, PlanError> {
    let problem = problem::Problem::new(instance, config)?;
    let (best, bound, prices) = solve(&problem);
    Ok(best.into_plan(bound, &prices))
}

/// The fast planner on a prepared problem: the plan's search state, its bound and seat prices.
fn solve<'p, 'a>(problem: &'p problem::Problem<'a>) -> (search::Search<'p, 'a>, f64, Vec<f64>) {
    let (auction, greedy) = rayon::join(|| auction::run(problem), || solve_fast(problem));
    let mut auctioned = search::Search::new(problem);
    for (unit, position) in auction.placed.iter().enumerate() {
        if let Some(position) = *position {
            auctioned.place(unit, position);
        }
    }
    let target = greedy.objective();
    let rounds = bound::iterations(problem);
    let ((), (bound, prices)) = rayon::join(
        || improve(&mut auctioned),
        || bound::refine(problem, auction.prices, target, rounds),
    );
    let best = polish(auctioned, greedy, &prices);
    // Both bounds are valid; the plan states the tighter.
    let bound = bound.max(best.objective());
    (best, bound, prices)
}

/// Sweeps of the price-guided re-pack at most; they stop earlier once a sweep gains less than
/// `POLISH_MIN_GAIN` of the objective (on Kabul-scale instances the fourth sweep gains ~0.001 %).
const POLISH_SWEEPS: usize = 16;
const POLISH_MIN_GAIN: f64 = 5e-5;

/// Up to this many (unit, flight) pairs a sweep is cheap (about a millisecond per 10,000 pairs)
/// and the polish runs as a portfolio: both constructions, at the bound's seat prices and at
/// prices scaled by each of `PRICE_SCALES`, each polished in turn and best-of, the best kept
/// (3,000 cases on 120 flights, 90,000 pairs: about half a second on two cores). Beyond, only
/// the better construction is polished, at the bound's prices, the plain way only (counting
/// alternatives never gained on instances of 10,000–30,000 cases, and costs a sweep to find
/// out): a Kabul-scale pool (8 million pairs) stays well within its two seconds.
const PORTFOLIO_PAIRS: usize = 250_000;

/// Seat prices are estimates; re-packing at prices a little off the bound's finds other packs,
/// some better. The first scale is the bound's own prices.
const PRICE_SCALES: [f64; 5] = [1.0, 0.9, 1.1, 0.7, 1.4];

/// How a unit's worth is counted in a re-pack: `(alternatives, waiting_too)` of
/// [`search::Search::repack_with_moves`].
const WAYS: [(bool, bool); 3] = [(false, false), (true, false), (true, true)];

/// Improves the constructions by re-packing flights in slot order with units moved from later
/// flights, guided by the bound's seat prices (a seat freed on a later flight is counted at its
/// price), and returns the best plan. A sweep that does not raise the objective is undone, so
/// the result is never worse than the better construction.
fn polish<'p, 'a>(
    auctioned: search::Search<'p, 'a>,
    greedy: search::Search<'p, 'a>,
    prices: &[f64],
) -> search::Search<'p, 'a> {
    let boarders = auctioned.boarders();
    let better = |a: search::Search<'p, 'a>, b: search::Search<'p, 'a>| {
        // `b` wins only when strictly better: ties go to the earlier run.
        if b.objective() > a.objective() { b } else { a }
    };
    if boarders.iter().map(Vec::len).sum::<usize>() > PORTFOLIO_PAIRS {
        let mut best = better(greedy, auctioned);
        polish_in_turn(&mut best, prices, &boarders, &WAYS[..1]);
        return best;
    }
    let runs: Vec<(f64, &search::Search<'p, 'a>)> = PRICE_SCALES
        .iter()
        .flat_map(|&scale| [(scale, &auctioned), (scale, &greedy)])
        .collect();
    let polished: Vec<search::Search<'p, 'a>> = runs
        .par_iter()
        .map(|&(scale, start)| {
            let prices: Vec<f64> = prices.iter().map(|p| p * scale).collect();
            let mut in_turn = start.clone();
            polish_in_turn(&mut in_turn, &prices, &boarders, &WAYS);
            let mut best_of = start.clone();
            polish_best_of(&mut best_of, &prices, &boarders);
            better(in_turn, best_of)
        })
        .collect();
    // The first of the best, so that the plan does not depend on the threads' timing.
    polished
        .into_iter()
        .reduce(better)
        .expect("at least one run")
}

/// One re-pack sweep counted `way`, then the fill and the fairness repair.
fn sweep<'p, 'a>(
    search: &search::Search<'p, 'a>,
    prices: &[f64],
    boarders: &[Vec<usize>],
    (alternatives, waiting_too): (bool, bool),
) -> search::Search<'p, 'a> {
    let mut trial = search.clone();
    trial.repack_with_moves(prices, boarders, alternatives, waiting_too);
    trial.fill();
    trial.swap_to_fill();
    trial.relocate_to_fill();
    trial.fill();
    trial.repair_fairness();
    trial
}

/// Sweeps each way in turn, keeping every sweep that gains; a way that fails once is dropped.
fn polish_in_turn(
    search: &mut search::Search<'_, '_>,
    prices: &[f64],
    boarders: &[Vec<usize>],
    ways: &[(bool, bool)],
) {
    let mut active = vec![true; ways.len()];
    for _ in 0..POLISH_SWEEPS {
        let mut gained = false;
        for (way, &counting) in ways.iter().enumerate() {
            if !active[way] {
                continue;
            }
            let before = search.objective();
            let trial = sweep(search, prices, boarders, counting);
            let after = trial.objective();
            if after <= before * (1.0 + 1e-12) {
                active[way] = false;
                continue;
            }
            *search = trial;
            gained |= after - before >= POLISH_MIN_GAIN * before.abs();
        }
        if !gained {
            break;
        }
    }
}

/// Sweeps every way from the same plan and keeps the best, until none gains.
fn polish_best_of(search: &mut search::Search<'_, '_>, prices: &[f64], boarders: &[Vec<usize>]) {
    let mut active = [true; WAYS.len()];
    for _ in 0..POLISH_SWEEPS {
        let before = search.objective();
        let mut best: Option<search::Search<'_, '_>> = None;
        for (way, &counting) in WAYS.iter().enumerate() {
            if !active[way] {
                continue;
            }
            let trial = sweep(search, prices, boarders, counting);
            let after = trial.objective();
            if after <= before * (1.0 + 1e-12) {
                active[way] = false;
            } else if best.as_ref().is_none_or(|b| after > b.objective()) {
                best = Some(trial);
            }
        }
        let Some(best) = best else { break };
        let after = best.objective();
        *search = best;
        if after - before < POLISH_MIN_GAIN * before.abs() {
            break;
        }
    }
}

fn improve(search: &mut search::Search<'_, '_>) {
    search.fill();
    search.swap_to_fill();
    search.relocate_to_fill();
    search.repack_flights();
    search.fill();
    search.repair_fairness();
}

/// The fast planner's search on a prepared problem.
fn solve_fast<'p, 'a>(problem: &'p problem::Problem<'a>) -> search::Search<'p, 'a> {
    let mut search = search::Search::new(problem);
    improve(&mut search);
    search
}
