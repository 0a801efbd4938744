//! The planning problem as plain data: aircraft, flights, carriage agreements, destinations'
//! acceptance rules and the ready pool of cases.
//!
//! Times are whole minutes on one clock chosen by the caller (for example minutes since the
//! start of the operation); the planner never reads a clock itself.

use airbridge_domain::{CaseId, Category, NationCode, Vulnerability};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Minutes on the caller's clock.
pub type Minutes = i64;

/// A flight's identifier as the operating nation gives it (`RCH841`, `FAF301`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FlightId(pub String);

impl fmt::Display for FlightId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a flight lands: an airport code such as `DOH` or `RMS`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Destination(pub String);

/// An aircraft type and how many evacuees it takes in each cabin configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AircraftType {
    pub name: String,
    /// Evacuees with a seat (and a belt) each.
    pub seated_capacity: u32,
    /// Evacuees seated on the floor, as the C-17s flew out of Kabul on 15 August 2021.
    pub floor_loaded_capacity: u32,
}

/// How the cabin is set up for this flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CabinConfiguration {
    Seated,
    FloorLoaded,
}

/// Whether a flight still flies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlightStatus {
    Planned,
    Cancelled,
}

/// One departure on a granted slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flight {
    pub id: FlightId,
    /// The nation operating the aircraft; its carriage agreements decide whom it may carry.
    pub nation: NationCode,
    pub aircraft: AircraftType,
    pub configuration: CabinConfiguration,
    /// Departure slot.
    pub slot: Minutes,
    pub destination: Destination,
    pub status: FlightStatus,
    /// Nations whose people this flight carries, of every category, besides its own nation's and
    /// those its nation's carriage agreements allow (the `carries` column of the file interface).
    #[serde(default)]
    pub carries: Vec<NationCode>,
}

impl Flight {
    /// Evacuee places (people aged two or more) on this flight in its configuration.
    pub fn capacity(&self) -> u32 {
        match self.configuration {
            CabinConfiguration::Seated => self.aircraft.seated_capacity,
            CabinConfiguration::FloorLoaded => self.aircraft.floor_loaded_capacity,
        }
    }
}

/// `carrier`'s flights may carry `passengers`' people of the listed categories. A nation always
/// carries its own people of every category without an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriageAgreement {
    pub carrier: NationCode,
    pub passengers: NationCode,
    pub categories: Vec<Category>,
}

/// Which people a destination lets land. A destination without a rule accepts everyone; an empty
/// list in a rule means "any" for that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptanceRule {
    pub destination: Destination,
    pub nations: Vec<NationCode>,
    pub categories: Vec<Category>,
}

/// One person of a ready case, as far as planning needs to know them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Age in whole years at the time of the operation; under two rides on a lap.
    pub age_years: u8,
    #[serde(default)]
    pub vulnerabilities: Vec<Vulnerability>,
}

impl Member {
    /// Lap infants (under two) take no seat.
    pub fn needs_seat(&self) -> bool {
        self.age_years >= 2
    }
}

/// A case processed at the gate and ready to board: the unit that never splits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadyCase {
    pub id: CaseId,
    /// The nation responsible for the case (whose carriage agreements apply).
    pub nation: NationCode,
    pub category: Category,
    pub members: Vec<Member>,
    /// The case may board flights departing at or after this time.
    pub ready_at: Minutes,
    /// A confirmed sanctions hit on any member: never manifested.
    #[serde(default)]
    pub blocked: bool,
    /// The case is a minor travelling without a parent; it flies only beside `escort`.
    #[serde(default)]
    pub unaccompanied_minor: bool,
    /// The case that escorts this unaccompanied minor.
    #[serde(default)]
    pub escort: Option<CaseId>,
    /// Where the case may land; empty means anywhere the destinations' own rules allow.
    #[serde(default)]
    pub destinations: Vec<Destination>,
    /// A value per seat given directly (the `priority` column of the file interface): the case
    /// is then worth `seats × value_per_seat`, lap infants adding nothing, and the nations'
    /// weights are not used for it.
    #[serde(default)]
    pub value_per_seat: Option<f64>,
}

impl ReadyCase {
    /// Whether the case may land at `destination` by its own restriction.
    pub fn may_land_at(&self, destination: &Destination) -> bool {
        self.destinations.is_empty() || self.destinations.contains(destination)
    }

    /// Seats the case needs: members aged two or more.
    pub fn seats(&self) -> u32 {
        self.members.iter().filter(|m| m.needs_seat()).count() as u32
    }

    /// Everyone evacuated with the case, lap infants included.
    pub fn people(&self) -> u32 {
        self.members.len() as u32
    }
}

/// Everything the planner plans over.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// The planning moment: flights with an earlier slot have left and are not planned.
    #[serde(default)]
    pub now: Minutes,
    pub flights: Vec<Flight>,
    pub agreements: Vec<CarriageAgreement>,
    pub acceptance: Vec<AcceptanceRule>,
    pub cases: Vec<ReadyCase>,
}
