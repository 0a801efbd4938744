//! Flights and the plan, as the store keeps them (issue 7): aircraft types with their evacuee
//! capacities, flights on granted slots, carriage agreements between nations, destinations'
//! acceptance rules, the **ready pool** the planner plans over, and the plan runs with the
//! flight each case was given.
//!
//! The store knows nothing of the planner: these are plain records; the binary turns them into
//! the planner's model and the planner's answer back into a [`NewPlanRun`]. The statements are
//! in `flights_sql.rs`, shared by both backends like the registry's.

use crate::records::{Actor, CaseRecord, PersonRecord};
use crate::{AnyStore, Result};
use airbridge_domain::{CaseId, Category, GregorianDate, NationCode};
use serde::{Deserialize, Serialize};
use std::future::Future;

/// An aircraft type and how many evacuees it takes in each cabin configuration. Lap infants
/// (under two) take no place in either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AircraftTypeRecord {
    pub name: String,
    pub seated_capacity: u32,
    pub floor_loaded_capacity: u32,
}

/// How a flight's cabin is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Configuration {
    /// A seat and a belt for each evacuee.
    Seated,
    /// Evacuees seated on the floor.
    FloorLoaded,
}

impl Configuration {
    pub fn as_str(self) -> &'static str {
        match self {
            Configuration::Seated => "seated",
            Configuration::FloorLoaded => "floor_loaded",
        }
    }

    /// `seated`, or `floor` / `floor_loaded` / `floor-loaded`.
    pub fn parse(text: &str) -> Option<Configuration> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "seated" | "seats" => Some(Configuration::Seated),
            "floor" | "floor_loaded" => Some(Configuration::FloorLoaded),
            _ => None,
        }
    }
}

/// Where a flight stands. Only scheduled and delayed flights are planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlightState {
    Scheduled,
    Delayed,
    Cancelled,
    Departed,
}

impl FlightState {
    pub fn as_str(self) -> &'static str {
        match self {
            FlightState::Scheduled => "scheduled",
            FlightState::Delayed => "delayed",
            FlightState::Cancelled => "cancelled",
            FlightState::Departed => "departed",
        }
    }

    pub fn parse(text: &str) -> Option<FlightState> {
        [
            FlightState::Scheduled,
            FlightState::Delayed,
            FlightState::Cancelled,
            FlightState::Departed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Whether the flight may still be given people.
    pub fn flies(self) -> bool {
        matches!(self, FlightState::Scheduled | FlightState::Delayed)
    }
}

/// A flight to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFlight {
    /// The operator's id, e.g. `US0755`: letters, digits and `-`, at most 16 characters.
    pub id: String,
    pub nation: NationCode,
    /// An aircraft type's name (see [`FlightStore::set_aircraft_type`]).
    pub aircraft: String,
    pub configuration: Configuration,
    /// The departure slot, RFC 3339; it must be in the future.
    pub departs_at: String,
    /// An airport code such as `DOH`.
    pub destination: String,
    /// Nations whose people the flight carries of every category, besides its own nation's and
    /// those the carriage agreements allow.
    #[serde(default)]
    pub carries: Vec<NationCode>,
}

/// A flight as stored, with its aircraft type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlightRecord {
    pub id: String,
    pub nation: NationCode,
    pub aircraft: AircraftTypeRecord,
    pub configuration: Configuration,
    /// RFC 3339, UTC.
    pub departs_at: String,
    pub destination: String,
    pub status: FlightState,
    pub carries: Vec<NationCode>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl FlightRecord {
    /// Evacuee places (people aged two or more) in the flight's configuration.
    pub fn capacity(&self) -> u32 {
        match self.configuration {
            Configuration::Seated => self.aircraft.seated_capacity,
            Configuration::FloorLoaded => self.aircraft.floor_loaded_capacity,
        }
    }
}

/// Something that happens to a flight after it was added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum FlightChange {
    Cancel {
        reason: String,
    },
    /// A new departure slot (RFC 3339, in the future).
    Delay {
        departs_at: String,
    },
    Aircraft {
        aircraft: String,
        configuration: Configuration,
    },
}

/// `carrier`'s flights may carry `passengers`' people of these categories (none: no longer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementRecord {
    pub carrier: NationCode,
    pub passengers: NationCode,
    pub categories: Vec<Category>,
}

/// A nation's priority weights for planning: weight per category (`national`, `local_staff`,
/// `at_risk`) and per vulnerability (`unaccompanied_minor`, `medical`, …), named as the planner
/// names them. The store checks only that each is a finite number ≥ 0; the command line checks
/// the names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightsRecord {
    pub nation: NationCode,
    pub weights: std::collections::BTreeMap<String, f64>,
}

/// One way to be accepted at a destination: any of `nations` (empty: any nation) and any of
/// `categories` (empty: any category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    #[serde(default)]
    pub nations: Vec<NationCode>,
    #[serde(default)]
    pub categories: Vec<Category>,
}

/// Who may land at a destination: people matching any of the alternatives. A destination with
/// no rule accepts everyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptanceRecord {
    pub destination: String,
    pub alternatives: Vec<Acceptance>,
}

/// A case of the ready pool: every member still in the process is processed at the gate (or
/// already manifested), at least one is, and the case has an eligibility decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadyCaseRecord {
    pub case: CaseId,
    /// The nation responsible for the case.
    pub nation: NationCode,
    /// The case's primary category; `None` when no eligibility basis is recorded (such a case
    /// cannot be planned: the binary reports it).
    pub category: Option<Category>,
    /// When the last of its members was processed (RFC 3339).
    pub ready_at: String,
    /// A member who would fly has a confirmed sanctions hit: the case is never manifested.
    pub blocked: bool,
    /// The members who fly (processed or manifested), principal first. Members denied,
    /// withdrawn or found ineligible stay behind and are not listed.
    pub members: Vec<PersonRecord>,
}

/// A plan run to store: the planner's figures and the flight of each case it placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPlanRun {
    /// `fast`, `replan`, `exact…`: how the plan was made.
    pub solver: String,
    pub objective: f64,
    pub upper_bound: f64,
    pub gap: f64,
    /// Cases in the ready pool the plan was made from.
    pub cases_ready: i64,
    pub people_assigned: i64,
    pub seat_prices: Vec<(String, f64)>,
    /// (case, flight id) for every case placed.
    pub assignments: Vec<(CaseId, String)>,
}

/// A stored plan run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRunRecord {
    pub id: i64,
    pub solver: String,
    pub objective: f64,
    pub upper_bound: f64,
    pub gap: f64,
    pub cases_ready: i64,
    pub cases_assigned: i64,
    pub people_assigned: i64,
    /// People on the same flight as in the run before.
    pub kept: i64,
    /// People on another flight than in the run before.
    pub moved: i64,
    /// People who had a flight in the run before, have none now and are still in the ready
    /// pool (those who left it, boarded or withdrawn, are not counted).
    pub dropped: i64,
    pub seat_prices: Vec<(String, f64)>,
    pub actor: String,
    pub created_at: String,
}

/// A case's flight in a plan run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRecord {
    pub case: CaseId,
    pub flight: String,
    pub plan_run: i64,
    /// When the case was told its flight, if it was.
    pub told_at: Option<String>,
}

/// The plan in force: the newest run and its assignments (by flight, then case).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPlan {
    pub run: PlanRunRecord,
    pub assignments: Vec<AssignmentRecord>,
}

/// What storing a plan run changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanOutcome {
    pub run: PlanRunRecord,
    /// Cases still waiting that had been told their flight and are now on another one, or on
    /// none: they must be told again.
    pub told_moved: Vec<CaseId>,
}

/// A flight's manifest as stored: the flight and the cases the plan in force puts on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlightManifest {
    pub flight: FlightRecord,
    pub plan_run: i64,
    /// The cases on the flight, in case order, with every member (the caller keeps those who
    /// fly: see [`ReadyCaseRecord::members`]).
    pub cases: Vec<CaseRecord>,
}

/// A case the plan in force puts on a flight, as a flight's load counts it: no name, no
/// document. See [`FlightStore::plan_loads`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLoad {
    pub flight: String,
    pub case: CaseId,
    pub nation: NationCode,
    /// For each member who flies (processed or manifested, as in a [`FlightManifest`]), the
    /// earliest day their birth date allows (`None`: unknown), by person id: enough to tell a
    /// lap infant (certainly under two) from a passenger who takes a seat.
    pub born_earliest: Vec<Option<GregorianDate>>,
}

/// The store's flights and plans. Every change is audited in its own transaction, as the
/// registry's are; SQLite and PostgreSQL implement it with the same statements. Every
/// [`Store`](crate::Store) is one.
pub trait FlightStore {
    /// Adds an aircraft type or changes its capacities. Audited (`aircraft.set`).
    fn set_aircraft_type(
        &self,
        actor: &Actor,
        aircraft: AircraftTypeRecord,
    ) -> impl Future<Output = Result<AircraftTypeRecord>> + Send;
    fn list_aircraft_types(&self) -> impl Future<Output = Result<Vec<AircraftTypeRecord>>> + Send;
    /// Adds flights in one transaction, all or none: refused when an id is taken (or twice in
    /// the batch), a nation or aircraft type is unknown, or a departure is not in the future.
    /// Audited (`flight.add` each).
    fn add_flights(
        &self,
        actor: &Actor,
        flights: Vec<NewFlight>,
    ) -> impl Future<Output = Result<Vec<FlightRecord>>> + Send;
    fn get_flight(&self, id: &str) -> impl Future<Output = Result<Option<FlightRecord>>> + Send;
    /// Every flight, by departure then id.
    fn list_flights(&self) -> impl Future<Output = Result<Vec<FlightRecord>>> + Send;
    /// Cancels, delays or re-equips a flight. A cancelled or departed flight changes no more.
    /// `expected_version` guards against lost updates. Audited (`flight.cancel`,
    /// `flight.delay`, `flight.aircraft`).
    fn change_flight(
        &self,
        actor: &Actor,
        id: &str,
        change: FlightChange,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<FlightRecord>> + Send;
    /// Sets what one nation's flights may carry of another's people. Audited (`agreement.set`).
    fn set_agreement(
        &self,
        actor: &Actor,
        agreement: AgreementRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    fn list_agreements(&self) -> impl Future<Output = Result<Vec<AgreementRecord>>> + Send;
    /// Sets who may land at a destination (replacing its earlier rule). Audited
    /// (`acceptance.set`).
    fn set_acceptance(
        &self,
        actor: &Actor,
        rule: AcceptanceRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    fn list_acceptance(&self) -> impl Future<Output = Result<Vec<AcceptanceRecord>>> + Send;
    /// The ready pool, by case id: see [`ReadyCaseRecord`].
    /// Sets a nation's priority weights (replacing its earlier ones), audited.
    fn set_weights(
        &self,
        actor: &Actor,
        weights: WeightsRecord,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Every nation's own priority weights, by nation.
    fn list_weights(&self) -> impl Future<Output = Result<Vec<WeightsRecord>>> + Send;
    fn ready_pool(&self) -> impl Future<Output = Result<Vec<ReadyCaseRecord>>> + Send;
    /// The plan in force, if a plan was ever stored.
    fn current_plan(&self) -> impl Future<Output = Result<Option<StoredPlan>>> + Send;
    /// Stores a plan run as the plan in force. Refused whole when it names an unknown case or
    /// flight, a case twice, a flight that no longer flies, or a case with a confirmed
    /// sanctions hit on a member who would fly. A case kept on its flight keeps the time it
    /// was told. Audited: `plan.run`, and `case.flight` for each case whose flight changed.
    fn save_plan(
        &self,
        actor: &Actor,
        run: NewPlanRun,
    ) -> impl Future<Output = Result<PlanOutcome>> + Send;
    /// Records that the cases on a flight in the plan in force were told their flight; returns
    /// how many were not told before. Audited (`flight.told`).
    fn mark_told(&self, actor: &Actor, flight: &str) -> impl Future<Output = Result<usize>> + Send;
    /// A flight and the cases the plan in force puts on it.
    fn flight_manifest(&self, flight: &str) -> impl Future<Output = Result<FlightManifest>> + Send;
    /// Every case the plan in force puts on a flight, by flight then case, with what its
    /// members who fly weigh, in one read: the flights list counts every flight's load without
    /// reading each manifest. Empty when no plan was stored.
    fn plan_loads(&self) -> impl Future<Output = Result<Vec<CaseLoad>>> + Send;
}

/// Passes one call to whichever backend this is.
macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($store) => $call.await,
            AnyStore::Postgres($store) => $call.await,
        }
    };
}

impl FlightStore for AnyStore {
    async fn set_aircraft_type(
        &self,
        actor: &Actor,
        aircraft: AircraftTypeRecord,
    ) -> Result<AircraftTypeRecord> {
        delegate!(self, s => s.set_aircraft_type(actor, aircraft))
    }
    async fn list_aircraft_types(&self) -> Result<Vec<AircraftTypeRecord>> {
        delegate!(self, s => s.list_aircraft_types())
    }
    async fn add_flights(
        &self,
        actor: &Actor,
        flights: Vec<NewFlight>,
    ) -> Result<Vec<FlightRecord>> {
        delegate!(self, s => s.add_flights(actor, flights))
    }
    async fn get_flight(&self, id: &str) -> Result<Option<FlightRecord>> {
        delegate!(self, s => s.get_flight(id))
    }
    async fn list_flights(&self) -> Result<Vec<FlightRecord>> {
        delegate!(self, s => s.list_flights())
    }
    async fn change_flight(
        &self,
        actor: &Actor,
        id: &str,
        change: FlightChange,
        expected_version: Option<i64>,
    ) -> Result<FlightRecord> {
        delegate!(self, s => s.change_flight(actor, id, change, expected_version))
    }
    async fn set_agreement(&self, actor: &Actor, agreement: AgreementRecord) -> Result<()> {
        delegate!(self, s => s.set_agreement(actor, agreement))
    }
    async fn list_agreements(&self) -> Result<Vec<AgreementRecord>> {
        delegate!(self, s => s.list_agreements())
    }
    async fn set_acceptance(&self, actor: &Actor, rule: AcceptanceRecord) -> Result<()> {
        delegate!(self, s => s.set_acceptance(actor, rule))
    }
    async fn list_acceptance(&self) -> Result<Vec<AcceptanceRecord>> {
        delegate!(self, s => s.list_acceptance())
    }
    async fn set_weights(&self, actor: &Actor, weights: WeightsRecord) -> Result<()> {
        delegate!(self, s => s.set_weights(actor, weights))
    }
    async fn list_weights(&self) -> Result<Vec<WeightsRecord>> {
        delegate!(self, s => s.list_weights())
    }
    async fn ready_pool(&self) -> Result<Vec<ReadyCaseRecord>> {
        delegate!(self, s => s.ready_pool())
    }
    async fn current_plan(&self) -> Result<Option<StoredPlan>> {
        delegate!(self, s => s.current_plan())
    }
    async fn save_plan(&self, actor: &Actor, run: NewPlanRun) -> Result<PlanOutcome> {
        delegate!(self, s => s.save_plan(actor, run))
    }
    async fn mark_told(&self, actor: &Actor, flight: &str) -> Result<usize> {
        delegate!(self, s => s.mark_told(actor, flight))
    }
    async fn flight_manifest(&self, flight: &str) -> Result<FlightManifest> {
        delegate!(self, s => s.flight_manifest(flight))
    }

    async fn plan_loads(&self) -> Result<Vec<CaseLoad>> {
        delegate!(self, s => s.plan_loads())
    }
}

/// Categories as stored: comma-separated words.
pub(crate) fn categories_text(categories: &[Category]) -> String {
    categories
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn parse_category(text: &str) -> Option<Category> {
    [Category::National, Category::LocalStaff, Category::AtRisk]
        .into_iter()
        .find(|c| c.as_str() == text.trim())
}

/// A flight id as operators write them: `US0755`, `RCH841`, `FAF-301`.
pub(crate) fn valid_flight_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 16 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}
