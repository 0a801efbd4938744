//! Checks a plan against an instance independently of how it was made: every hard constraint,
//! and fairness between nations. Tests use it on every plan; callers can use it on plans from
//! elsewhere (a spreadsheet, a later exact solver) before printing manifests.

use crate::error::PlanError;
use crate::model::{FlightId, FlightStatus, Instance, ReadyCase};
use crate::plan::Plan;
use crate::priority::Config;
use crate::problem::Problem;
use airbridge_domain::CaseId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A broken hard constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    UnknownFlight {
        flight: FlightId,
    },
    FlightNotPlanned {
        flight: FlightId,
    },
    /// The flight's slot is before the instance's `now`: it has left.
    FlightLeft {
        flight: FlightId,
    },
    UnknownCase {
        case: CaseId,
    },
    /// The case appears in more than one assignment: split or duplicated.
    AssignedTwice {
        case: CaseId,
    },
    OverCapacity {
        flight: FlightId,
        seats: u32,
        capacity: u32,
    },
    Blocked {
        case: CaseId,
    },
    NotCarried {
        case: CaseId,
        flight: FlightId,
    },
    NotAccepted {
        case: CaseId,
        flight: FlightId,
    },
    /// The flight lands where the case's own destinations do not include.
    DestinationRefused {
        case: CaseId,
        flight: FlightId,
    },
    DepartsBeforeReady {
        case: CaseId,
        flight: FlightId,
    },
    /// An escort case flying without an unaccompanied minor it escorts who could fly.
    EscortWithoutMinor {
        case: CaseId,
        minor: CaseId,
    },
    /// An unaccompanied minor not on the same flight as its escort (or without one).
    MinorWithoutEscort {
        case: CaseId,
    },
}

/// Every hard constraint `plan` breaks on `instance`; empty when the plan is feasible.
pub fn violations(instance: &Instance, plan: &Plan) -> Vec<Violation> {
    let mut found = Vec::new();
    let flights: HashMap<&FlightId, _> = instance.flights.iter().map(|f| (&f.id, f)).collect();
    let cases: HashMap<CaseId, _> = instance.cases.iter().map(|c| (c.id, c)).collect();
    let mut flight_of: HashMap<CaseId, &FlightId> = HashMap::new();
    let mut seats: HashMap<&FlightId, u32> = HashMap::new();
    for (flight_id, case_id) in &plan.assignments {
        if flight_of.insert(*case_id, flight_id).is_some() {
            found.push(Violation::AssignedTwice { case: *case_id });
        }
        let Some(flight) = flights.get(flight_id) else {
            found.push(Violation::UnknownFlight {
                flight: flight_id.clone(),
            });
            continue;
        };
        let Some(case) = cases.get(case_id) else {
            found.push(Violation::UnknownCase { case: *case_id });
            continue;
        };
        let used = seats.entry(flight_id).or_default();
        // A plan from elsewhere may list a case any number of times; count without overflowing.
        *used = used.saturating_add(case.seats());
        if flight.status != FlightStatus::Planned {
            found.push(Violation::FlightNotPlanned {
                flight: flight_id.clone(),
            });
        }
        if flight.slot < instance.now {
            found.push(Violation::FlightLeft {
                flight: flight_id.clone(),
            });
        }
        if case.blocked {
            found.push(Violation::Blocked { case: case.id });
        }
        let carried = flight.nation == case.nation
            || flight.carries.contains(&case.nation)
            || instance.agreements.iter().any(|a| {
                a.carrier == flight.nation
                    && a.passengers == case.nation
                    && a.categories.contains(&case.category)
            });
        if !carried {
            found.push(Violation::NotCarried {
                case: case.id,
                flight: flight_id.clone(),
            });
        }
        let mut rules = instance
            .acceptance
            .iter()
            .filter(|r| r.destination == flight.destination)
            .peekable();
        let accepted = rules.peek().is_none()
            || rules.any(|r| {
                (r.nations.is_empty() || r.nations.contains(&case.nation))
                    && (r.categories.is_empty() || r.categories.contains(&case.category))
            });
        if !accepted {
            found.push(Violation::NotAccepted {
                case: case.id,
                flight: flight_id.clone(),
            });
        }
        if !case.may_land_at(&flight.destination) {
            found.push(Violation::DestinationRefused {
                case: case.id,
                flight: flight_id.clone(),
            });
        }
        if flight.slot < case.ready_at {
            found.push(Violation::DepartsBeforeReady {
                case: case.id,
                flight: flight_id.clone(),
            });
        }
    }
    let may_fly = |c: &ReadyCase| !c.blocked && !c.members.is_empty();
    for case in &instance.cases {
        if !case.unaccompanied_minor {
            continue;
        }
        // Only a case that may fly itself and is no unaccompanied minor can escort.
        let escort = case
            .escort
            .and_then(|e| cases.get(&e))
            .filter(|e| !e.unaccompanied_minor && may_fly(e));
        let escort_flight = escort.and_then(|e| flight_of.get(&e.id));
        if let Some(flight) = flight_of.get(&case.id) {
            if escort_flight != Some(flight) {
                found.push(Violation::MinorWithoutEscort { case: case.id });
            }
            continue;
        }
        // The escort case and the minors it escorts board together: an escort does not leave
        // a child it was assigned behind at the gate.
        if let (Some(escort), Some(_)) = (escort, escort_flight)
            && may_fly(case)
        {
            found.push(Violation::EscortWithoutMinor {
                case: escort.id,
                minor: case.id,
            });
        }
    }
    for flight in &instance.flights {
        let used = seats.get(&flight.id).copied().unwrap_or(0);
        if used > flight.capacity() {
            found.push(Violation::OverCapacity {
                flight: flight.id.clone(),
                seats: used,
                capacity: flight.capacity(),
            });
        }
    }
    found
}

/// A higher-priority unit waiting while a flight that could carry it flies lower-priority
/// people of other nations in the seats it would need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnfairWait {
    /// The waiting unit's first (escort) case.
    pub case: CaseId,
    pub flight: FlightId,
}

/// Fairness, checked on boarding units (a case with the minors it escorts): a waiting unit `h`
/// waits unfairly for flight `f` when `f` may carry it and its free seats plus the seats of
/// units aboard of another nation and strictly lower priority would hold it.
pub fn unfair_waits(
    instance: &Instance,
    config: &Config,
    plan: &Plan,
) -> Result<Vec<UnfairWait>, PlanError> {
    let problem = Problem::new(instance, config)?;
    let flight_of: HashMap<CaseId, &FlightId> =
        plan.assignments.iter().map(|(f, c)| (*c, f)).collect();
    let mut aboard: HashMap<&FlightId, Vec<usize>> = HashMap::new();
    let mut used: HashMap<&FlightId, u32> = HashMap::new();
    for (unit, u) in problem.units.iter().enumerate() {
        if let Some(flight) = flight_of.get(&problem.case(u.cases[0]).id) {
            aboard.entry(flight).or_default().push(unit);
            let seats = used.entry(flight).or_default();
            *seats = seats.saturating_add(u.seats);
        }
    }
    let mut unfair = Vec::new();
    for (unit, u) in problem.units.iter().enumerate() {
        if flight_of.contains_key(&problem.case(u.cases[0]).id) {
            continue;
        }
        for &position in problem.feasible_flights(unit) {
            if !problem.can_board(unit, position) {
                continue;
            }
            let flight = &problem.flight(position).id;
            let free = problem.capacities[position as usize]
                .saturating_sub(used.get(flight).copied().unwrap_or(0));
            let lower: u64 = aboard
                .get(flight)
                .into_iter()
                .flatten()
                .map(|&o| &problem.units[o])
                .filter(|o| o.nation != u.nation && o.priority < u.priority)
                .map(|o| u64::from(o.seats))
                .sum();
            if u64::from(free) + lower >= u64::from(u.seats) {
                unfair.push(UnfairWait {
                    case: problem.case(u.cases[0]).id,
                    flight: flight.clone(),
                });
            }
        }
    }
    Ok(unfair)
}
