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
    let mut best = if auctioned.objective() > greedy.objective() {
        auctioned
    } else {
        greedy
    };
    polish(&mut best, &prices);
    // Both bounds are valid; the plan states the tighter.
    let bound = bound.max(best.objective());
    (best, bound, prices)
}

/// Sweeps of the price-guided re-pack at most; they stop earlier once a sweep gains less than
/// `POLISH_MIN_GAIN` of the objective (on Kabul-scale instances the fourth sweep gains ~0.001 %).
const POLISH_SWEEPS: usize = 8;
const POLISH_MIN_GAIN: f64 = 5e-5;

/// Improves a finished plan by re-packing flights in slot order with units moved from later
/// flights, guided by the bound's seat prices (a seat freed on a later flight is counted at its
/// price). A sweep that does not raise the objective is undone, so the objective never falls.
fn polish(search: &mut search::Search<'_, '_>, prices: &[f64]) {
    let boarders = search.boarders();
    // The two ways of counting a unit aboard (see `repack_with_moves`); a way that fails to
    // raise the objective is not tried again.
    let mut active = [true, true];
    for _ in 0..POLISH_SWEEPS {
        let mut gained = false;
        for (way, alternatives) in [false, true].into_iter().enumerate() {
            if !active[way] {
                continue;
            }
            let before = search.objective();
            let mut trial = search.clone();
            trial.repack_with_moves(prices, &boarders, alternatives);
            trial.fill();
            trial.repair_fairness();
            let after = trial.objective();
            if after <= before * (1.0 + 1e-12) {
                active[way] = false;
                continue;
            }
            *search = trial;
            if after - before >= POLISH_MIN_GAIN * before.abs() {
                gained = true;
            }
        }
        if !gained {
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
