//! The planner's answer: who flies on which flight, who does not and why, each flight's load,
//! the objective and how far it may be from the best possible plan.

use crate::model::FlightId;
use airbridge_domain::CaseId;
use serde::{Deserialize, Serialize};

/// Why a case is not on any flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnassignedReason {
    /// A member has a confirmed sanctions hit.
    Blocked,
    /// The case has no members.
    NoMembers,
    /// An unaccompanied minor without an assigned escort case.
    NoEscort,
    /// The escort case is unknown, blocked, empty or itself an unaccompanied minor.
    EscortUnavailable,
    /// No planned flight may carry the case at all (carriage, acceptance, ready time or a family
    /// larger than the aircraft).
    NoFeasibleFlight,
    /// Flights could carry the case but their seats went to cases of higher priority.
    NoSeatLeft,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unassigned {
    pub case: CaseId,
    pub reason: UnassignedReason,
}

/// One flight's load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlightLoad {
    pub flight: FlightId,
    pub seats_used: u32,
    pub capacity: u32,
    /// Everyone aboard, lap infants included.
    pub people: u32,
}

/// How much a re-plan disturbed the previous plan, counted in people.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stability {
    /// On the same flight as before.
    pub kept: u32,
    /// Had to leave their flight and got another.
    pub moved: u32,
    /// Had to leave their flight and got none.
    pub dropped: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// (flight, case), in slot order then case id.
    pub assignments: Vec<(FlightId, CaseId)>,
    pub unassigned: Vec<Unassigned>,
    /// Every planned flight, in slot order.
    pub flights: Vec<FlightLoad>,
    /// Σ over assigned cases of value × 0.5^((slot − ready_at) / half-life).
    pub objective: f64,
    /// No plan can have a larger objective (the LP relaxation's Lagrangian dual).
    pub upper_bound: f64,
    /// (upper_bound − objective) / upper_bound, 0 when the bound is 0.
    pub gap: f64,
    /// People evacuated (lap infants included).
    pub people_assigned: u32,
    /// Set by re-planning only.
    pub stability: Option<Stability>,
    /// The price of a seat on each planned flight behind `upper_bound` (the bound's dual values):
    /// a re-plan starts its bound from them.
    #[serde(default)]
    pub seat_prices: Vec<(FlightId, f64)>,
}

impl Plan {
    /// The flight a case is on, if any.
    pub fn flight_of(&self, case: CaseId) -> Option<&FlightId> {
        self.assignments
            .iter()
            .find(|(_, c)| *c == case)
            .map(|(f, _)| f)
    }
}
