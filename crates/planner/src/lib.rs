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
//! model ─▶ problem (units, classes, values) ─▶ search (greedy, swaps, fairness) ─▶ plan
//!                                               └─▶ bound (Lagrangian of the LP)
//! replan: previous plan + change ─▶ keep what still fits ─▶ displaced first ─▶ fill
//! ```

pub mod check;
pub mod error;
pub mod model;
pub mod plan;
pub mod priority;
pub mod replan;

mod bound;
mod problem;
mod search;

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
pub fn plan(instance: &Instance, config: &Config) -> Result<Plan, PlanError> {
    let problem = problem::Problem::new(instance, config)?;
    let mut search = search::Search::new(&problem);
    search.fill();
    search.swap_to_fill();
    search.relocate_to_fill();
    search.repair_fairness();
    let bound = bound::upper_bound(&search);
    Ok(search.into_plan(bound))
}
