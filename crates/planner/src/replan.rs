//! Re-planning after a flight is cancelled, delayed or changes aircraft, moving as few
//! already-manifested people as possible: people already told their flight stay on it whenever
//! it still flies and may still carry them.

use crate::bound;
use crate::error::PlanError;
use crate::model::{AircraftType, CabinConfiguration, FlightId, FlightStatus, Instance, Minutes};
use crate::plan::{Plan, Stability};
use crate::priority::Config;
use crate::problem::Problem;
use crate::search::Search;
use airbridge_domain::CaseId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Rounds of the bound's subgradient method in a re-plan, started from the previous prices.
const REPLAN_BOUND_ROUNDS: usize = 12;

/// Something that happened to a flight after planning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Cancelled {
        flight: FlightId,
    },
    Delayed {
        flight: FlightId,
        slot: Minutes,
    },
    AircraftChanged {
        flight: FlightId,
        aircraft: AircraftType,
        configuration: CabinConfiguration,
    },
}

impl Change {
    /// The instance with the change made.
    pub fn apply(&self, instance: &Instance) -> Result<Instance, PlanError> {
        let id = match self {
            Change::Cancelled { flight }
            | Change::Delayed { flight, .. }
            | Change::AircraftChanged { flight, .. } => flight,
        };
        let mut changed = instance.clone();
        let flight = changed
            .flights
            .iter_mut()
            .find(|f| &f.id == id)
            .ok_or_else(|| PlanError::UnknownFlight(id.clone()))?;
        match self {
            Change::Cancelled { .. } => flight.status = FlightStatus::Cancelled,
            Change::Delayed { slot, .. } => flight.slot = *slot,
            Change::AircraftChanged {
                aircraft,
                configuration,
                ..
            } => {
                flight.aircraft = aircraft.clone();
                flight.configuration = *configuration;
            }
        }
        Ok(changed)
    }
}

/// A new plan for `instance` (already changed) that keeps `previous` where it can.
///
/// A unit stays on its flight if the flight still flies and may still carry it; if the flight
/// now has fewer seats, the higher-priority units stay. Displaced units are re-placed before
/// anyone else, and then kept where they land. Only then are the remaining seats filled. Kept
/// units are never evicted, so stability wins over fairness for people already told their flight.
pub fn replan(instance: &Instance, previous: &Plan, config: &Config) -> Result<Plan, PlanError> {
    let problem = Problem::new(instance, config)?;
    let mut search = Search::new(&problem);
    let before: HashMap<CaseId, &FlightId> =
        previous.assignments.iter().map(|(f, c)| (*c, f)).collect();
    let position_of: HashMap<&FlightId, u32> = (0..problem.flights.len() as u32)
        .map(|p| (&problem.flight(p).id, p))
        .collect();
    let people = |unit: usize| -> u32 {
        problem.units[unit]
            .cases
            .iter()
            .map(|&c| problem.case(c).people())
            .sum()
    };

    let mut displaced = Vec::new();
    for unit in 0..problem.units.len() {
        let flights_before: BTreeSet<&FlightId> = problem.units[unit]
            .cases
            .iter()
            .filter_map(|&c| before.get(&problem.case(c).id).copied())
            .collect();
        if flights_before.is_empty() {
            continue;
        }
        let keep = match (flights_before.len(), flights_before.first()) {
            (1, Some(flight)) => position_of.get(flight).copied().filter(|&p| {
                problem.can_board(unit, p) && search.free(p) >= problem.units[unit].seats
            }),
            _ => None,
        };
        match keep {
            Some(position) => {
                search.place(unit, position);
                search.locked[unit] = true;
            }
            None => displaced.push(unit),
        }
    }
    let kept: u32 = (0..problem.units.len())
        .filter(|&u| search.locked[u])
        .map(people)
        .sum();

    for &unit in &displaced {
        if let Some(position) = search.best_flight(unit) {
            search.place(unit, position);
            search.locked[unit] = true;
        }
    }
    search.fill();
    search.swap_to_fill();
    search.relocate_to_fill();
    search.repair_fairness();
    // Counted at the end: a displaced unit without a seat at first may find one as seats open.
    let mut stability = Stability {
        kept,
        ..Stability::default()
    };
    for unit in displaced {
        match search.placed[unit] {
            Some(_) => stability.moved += people(unit),
            None => stability.dropped += people(unit),
        }
    }
    // The previous plan's seat prices are still close to right for the flights that remain, so
    // a few rounds from them give a bound at a fraction of the cost of one from scratch.
    let previous_prices: HashMap<&FlightId, f64> =
        previous.seat_prices.iter().map(|(f, p)| (f, *p)).collect();
    let (bound, prices) = if previous_prices.is_empty() {
        bound::upper_bound_and_prices(&search)
    } else {
        let start = (0..problem.flights.len() as u32)
            .map(|p| {
                previous_prices
                    .get(&problem.flight(p).id)
                    .copied()
                    .unwrap_or(0.0)
            })
            .collect();
        bound::refine(&problem, start, search.objective(), REPLAN_BOUND_ROUNDS)
    };
    let mut plan = search.into_plan(bound, &prices);
    plan.stability = Some(stability);
    Ok(plan)
}
