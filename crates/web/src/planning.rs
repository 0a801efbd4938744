//! Planning on the registry and printing manifests from the plan in force, shared by the
//! command line (`airbridge plan`, `airbridge manifest`) and the web app (`POST /flights/plan`,
//! the flight page and its downloads), so that both plan and print exactly alike.
//!
//! The planner's clock is minutes from now: a flight's slot is the minutes until it departs, a
//! case's ready time the (negative) minutes since its last member was processed. A plan already
//! stored is kept where it can be (`airbridge_planner::replan`): people already given a flight
//! keep it unless their flight was cancelled, delayed past what they may board, or lost seats.

use airbridge_domain::{
    EvacuationStatus, GregorianDate, NationCode, Person, Relation, Vulnerability,
};
use airbridge_manifest::{Family, Manifest, Passenger, Stamp};
use airbridge_planner::{
    AcceptanceRule, AircraftType, CabinConfiguration, CarriageAgreement, Config, Destination,
    Flight, FlightId, FlightStatus, Instance, Member, Plan, PlanError, PriorityWeights, ReadyCase,
    Solver, UnassignedReason,
};
use airbridge_store::{
    Actor, Configuration, FlightManifest, FlightRecord, FlightStore, NewPlanRun, PersonRecord,
    PlanOutcome, ReadyCaseRecord, Store, StoreError, StoredPlan,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The audit action of a printed or downloaded manifest (command line or web).
pub const MANIFEST_ACTION: &str = "manifest.print";

/// Why a plan could not be made or stored.
#[derive(Debug, thiserror::Error)]
pub enum PlanningError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the stored time '{time}' is not RFC 3339")]
    StoredTime {
        time: String,
        #[source]
        source: time::error::Parse,
    },
    #[error("'{name}' is not a priority weight; the weights are {known}")]
    UnknownWeight { name: String, known: String },
    #[error("the stored priority weights cannot be read")]
    Weights(#[source] serde_json::Error),
    #[error(
        "no flight is scheduled to depart: add flights with `airbridge flights add` or \
         `airbridge flights import FLIGHTS.csv`"
    )]
    NoFlight,
    #[error("the planner refused the instance")]
    Refused(#[source] PlanError),
    #[error("the plan breaks {count} rule(s) and was not stored; first: {first}")]
    Broken { count: usize, first: String },
}

/// Whole minutes from `now` to `at` (negative in the past), rounded down.
fn minutes_from(now: OffsetDateTime, at: &str) -> Result<i64, PlanningError> {
    let parsed =
        OffsetDateTime::parse(at, &Rfc3339).map_err(|source| PlanningError::StoredTime {
            time: at.to_owned(),
            source,
        })?;
    Ok((parsed - now).whole_seconds().div_euclid(60))
}

/// The calendar day of `now` (UTC).
pub fn today(now: OffsetDateTime) -> GregorianDate {
    let date = now.date();
    GregorianDate::new(date.year(), u8::from(date.month()), date.day())
        .unwrap_or_else(|_| GregorianDate::from_days_since_epoch(0))
}

/// A person's age for seating: the oldest they can be given what is known of their birth date
/// (so nobody who may be two is taken for a lap infant), and 18 when it is unknown.
pub fn seating_age(person: &Person, today: GregorianDate) -> u8 {
    seating_age_from(
        person
            .birth_date
            .as_ref()
            .map(|date| date.gregorian_range().0),
        today,
    )
}

/// [`seating_age`] from the earliest day a person may be born (`None`: unknown).
pub fn seating_age_from(born_earliest: Option<GregorianDate>, today: GregorianDate) -> u8 {
    match born_earliest {
        Some(earliest) => earliest.age_on(today).clamp(0, i32::from(u8::MAX)) as u8,
        None => 18,
    }
}

/// A ready case in the planner's terms. An unaccompanied minor (a member with that
/// vulnerability) travels only beside an escort: the registry records escorts as members of the
/// case (relation `escort`), so a case holding one is accompanied; without one the planner
/// leaves it waiting (no escort case is linked in the registry).
pub fn ready_case(
    record: &ReadyCaseRecord,
    now: OffsetDateTime,
) -> Result<Option<ReadyCase>, PlanningError> {
    let Some(category) = record.category else {
        return Ok(None);
    };
    let today = today(now);
    let members = record
        .members
        .iter()
        .map(|m| Member {
            age_years: seating_age(&m.person, today),
            vulnerabilities: m.person.vulnerabilities.clone(),
        })
        .collect();
    let minor = record.members.iter().any(|m| {
        m.person
            .vulnerabilities
            .contains(&Vulnerability::UnaccompaniedMinor)
    });
    let escorted = record
        .members
        .iter()
        .any(|m| m.relation == Some(Relation::Escort));
    Ok(Some(ReadyCase {
        id: record.case,
        nation: record.nation,
        category,
        members,
        ready_at: minutes_from(now, &record.ready_at)?.min(0),
        blocked: record.blocked,
        unaccompanied_minor: minor && !escorted,
        escort: None,
        destinations: Vec::new(),
        value_per_seat: None,
    }))
}

fn planner_flight(record: &FlightRecord, now: OffsetDateTime) -> Result<Flight, PlanningError> {
    Ok(Flight {
        id: FlightId(record.id.clone()),
        nation: record.nation,
        aircraft: AircraftType {
            name: record.aircraft.name.clone(),
            seated_capacity: record.aircraft.seated_capacity,
            floor_loaded_capacity: record.aircraft.floor_loaded_capacity,
        },
        configuration: match record.configuration {
            Configuration::Seated => CabinConfiguration::Seated,
            Configuration::FloorLoaded => CabinConfiguration::FloorLoaded,
        },
        slot: minutes_from(now, &record.departs_at)?,
        destination: Destination(record.destination.clone()),
        status: if record.status.flies() {
            FlightStatus::Planned
        } else {
            FlightStatus::Cancelled
        },
        carries: record.carries.clone(),
    })
}

/// The stored plan as the planner's previous plan, for `replan`.
fn previous_plan(stored: &StoredPlan) -> Plan {
    Plan {
        assignments: stored
            .assignments
            .iter()
            .map(|a| (FlightId(a.flight.clone()), a.case))
            .collect(),
        unassigned: Vec::new(),
        flights: Vec::new(),
        objective: stored.run.objective,
        upper_bound: stored.run.upper_bound,
        gap: stored.run.gap,
        people_assigned: u32::try_from(stored.run.people_assigned).unwrap_or(0),
        stability: None,
        seat_prices: stored
            .run
            .seat_prices
            .iter()
            .map(|(f, p)| (FlightId(f.clone()), *p))
            .collect(),
    }
}

/// A nation's stored weights over the defaults (a weight it never set keeps its default).
pub fn priority_weights(
    stored: &std::collections::BTreeMap<String, f64>,
) -> Result<PriorityWeights, PlanningError> {
    let mut map = match serde_json::to_value(PriorityWeights::default()) {
        Ok(serde_json::Value::Object(map)) => map,
        Ok(_) => unreachable!("PriorityWeights serialises as an object"),
        Err(error) => return Err(PlanningError::Weights(error)),
    };
    for (name, value) in stored {
        if !map.contains_key(name) {
            return Err(PlanningError::UnknownWeight {
                name: name.clone(),
                known: map.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        }
        map.insert(name.clone(), serde_json::json!(value));
    }
    serde_json::from_value(serde_json::Value::Object(map)).map_err(PlanningError::Weights)
}

/// Everything the planner needs from the store.
#[derive(Debug)]
pub struct Loaded {
    pub instance: Instance,
    /// Ready cases without an eligibility basis, which cannot be planned.
    pub undecided: usize,
    pub previous: Option<StoredPlan>,
    /// The planner's settings, with each nation's stored priority weights.
    pub config: Config,
}

/// Reads the ready pool, flights, agreements, acceptance rules, priority weights and the plan
/// in force. Refuses when no flight is scheduled to depart.
pub async fn load<S: FlightStore>(store: &S, now: OffsetDateTime) -> Result<Loaded, PlanningError> {
    let pool = store.ready_pool().await?;
    let flights = store.list_flights().await?;
    let agreements = store.list_agreements().await?;
    let acceptance = store.list_acceptance().await?;
    let previous = store.current_plan().await?;
    let mut config = Config::default();
    for stored in store.list_weights().await? {
        config
            .weights
            .insert(stored.nation, priority_weights(&stored.weights)?);
    }
    let mut cases = Vec::with_capacity(pool.len());
    let mut undecided = 0;
    for record in &pool {
        match ready_case(record, now)? {
            Some(case) => cases.push(case),
            None => undecided += 1,
        }
    }
    let instance = Instance {
        now: 0,
        flights: flights
            .iter()
            .map(|f| planner_flight(f, now))
            .collect::<Result<_, _>>()?,
        agreements: agreements
            .into_iter()
            .map(|a| CarriageAgreement {
                carrier: a.carrier,
                passengers: a.passengers,
                categories: a.categories,
            })
            .collect(),
        acceptance: acceptance
            .into_iter()
            .flat_map(|rule| {
                let destination = Destination(rule.destination);
                rule.alternatives
                    .into_iter()
                    .map(move |alternative| AcceptanceRule {
                        destination: destination.clone(),
                        nations: alternative.nations,
                        categories: alternative.categories,
                    })
            })
            .collect(),
        cases,
    };
    if instance
        .flights
        .iter()
        .all(|f| f.status != FlightStatus::Planned || f.slot < 0)
    {
        return Err(PlanningError::NoFlight);
    }
    Ok(Loaded {
        instance,
        undecided,
        previous,
        config,
    })
}

/// The fast planner's plan: a re-plan of the plan in force when there is one (unless `fresh`),
/// else a plan from scratch; with how it was made.
pub fn fast_plan(loaded: &Loaded, fresh: bool) -> Result<(Plan, String), PlanningError> {
    match (&loaded.previous, fresh) {
        (Some(previous), false) => Ok((
            airbridge_planner::replan(&loaded.instance, &previous_plan(previous), &loaded.config)
                .map_err(PlanningError::Refused)?,
            format!("re-plan of plan {}", previous.run.id),
        )),
        _ => Ok((
            airbridge_planner::FastSolver
                .solve(&loaded.instance, &loaded.config)
                .map_err(PlanningError::Refused)?,
            "fast".to_owned(),
        )),
    }
}

/// The bound a plan states (never below its objective) and the gap to it.
pub fn bound_and_gap(objective: f64, upper_bound: f64) -> (f64, f64) {
    let bound = upper_bound.max(objective);
    let gap = if bound > 0.0 {
        (bound - objective) / bound
    } else {
        0.0
    };
    (bound, gap)
}

/// Checks a plan against the rules, independently of how it was made, and stores it as the
/// plan in force (audited: `plan.run`, `case.flight`). Nothing is stored when a rule is broken.
pub async fn store_plan<S: FlightStore>(
    store: &S,
    actor: &Actor,
    loaded: &Loaded,
    plan: &Plan,
    solver: String,
) -> Result<PlanOutcome, PlanningError> {
    let violations = airbridge_planner::violations(&loaded.instance, plan);
    if let Some(first) = violations.first() {
        return Err(PlanningError::Broken {
            count: violations.len(),
            first: format!("{first:?}"),
        });
    }
    let (bound, gap) = bound_and_gap(plan.objective, plan.upper_bound);
    Ok(store
        .save_plan(
            actor,
            NewPlanRun {
                solver,
                objective: plan.objective,
                upper_bound: bound,
                gap,
                cases_ready: loaded.instance.cases.len() as i64,
                people_assigned: i64::from(plan.people_assigned),
                seat_prices: plan
                    .seat_prices
                    .iter()
                    .map(|(f, p)| (f.0.clone(), *p))
                    .collect(),
                assignments: plan
                    .assignments
                    .iter()
                    .map(|(f, c)| (*c, f.0.clone()))
                    .collect(),
            },
        )
        .await?)
}

/// Ready cases a plan leaves waiting, by why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Waiting {
    /// A member who would fly has a confirmed screening hit.
    pub blocked: usize,
    /// No flight may carry them (nation not carried, destination not accepting them, or
    /// larger than any aircraft).
    pub no_feasible_flight: usize,
    /// An unaccompanied minor without an escort.
    pub no_escort: usize,
}

pub fn waiting(plan: &Plan) -> Waiting {
    let count = |reason: UnassignedReason| {
        plan.unassigned
            .iter()
            .filter(|u| u.reason == reason)
            .count()
    };
    Waiting {
        blocked: count(UnassignedReason::Blocked),
        no_feasible_flight: count(UnassignedReason::NoFeasibleFlight),
        no_escort: count(UnassignedReason::NoEscort),
    }
}

/// What planning from the web did: the stored run's figures and who waits.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanReport {
    pub plan_run: i64,
    pub solver: String,
    pub cases_ready: usize,
    pub cases_assigned: usize,
    pub people_assigned: u32,
    pub kept: i64,
    pub moved: i64,
    pub dropped: i64,
    /// Cases already told their flight that must be told again.
    pub told_moved: usize,
    pub waiting: Waiting,
    /// Ready cases without an eligibility basis, not planned.
    pub undecided: usize,
}

/// `airbridge plan` without files and without `--exact` or `--fresh`: the fast planner on the
/// registry (a re-plan when a plan is stored), checked and stored.
pub async fn plan_registry<S: Store>(
    store: &S,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<PlanReport, PlanningError> {
    let loaded = load(store, now).await?;
    // A plan of thousands of cases takes a core for a while: off the threads that answer.
    let (loaded, planned) = tokio::task::spawn_blocking(move || {
        let planned = fast_plan(&loaded, false);
        (loaded, planned)
    })
    .await
    .map_err(|e| StoreError::Unavailable(format!("the planner stopped: {e}")))?;
    let (plan, solver) = planned?;
    let outcome = store_plan(store, actor, &loaded, &plan, solver.clone()).await?;
    Ok(PlanReport {
        plan_run: outcome.run.id,
        solver,
        cases_ready: loaded.instance.cases.len(),
        cases_assigned: plan.assignments.len(),
        people_assigned: plan.people_assigned,
        kept: outcome.run.kept,
        moved: outcome.run.moved,
        dropped: outcome.run.dropped,
        told_moved: outcome.told_moved.len(),
        waiting: waiting(&plan),
        undecided: loaded.undecided,
    })
}

// --- manifests ---------------------------------------------------------------------------------

/// Whether a member boards with their case (processed at the gate, or manifested).
pub fn travels(member: &PersonRecord) -> bool {
    matches!(
        member.status,
        EvacuationStatus::Processed | EvacuationStatus::Manifested
    )
}

fn has_arabic_script(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'))
}

/// A member's name in Latin and in its original script. A name written in Arabic script is the
/// original; its Latin form is the record's Latin parts when it has them, else the names
/// engine's romanisation.
pub fn manifest_names(person: &Person, engine: &airbridge_names::NameEngine) -> (String, String) {
    let name = &person.name;
    let own = name.own_name().unwrap_or_else(|| name.display());
    if !has_arabic_script(&own) {
        return (own, String::new());
    }
    let latin: Vec<&str> = [name.given.as_deref(), name.family.as_deref()]
        .into_iter()
        .flatten()
        .filter(|part| !has_arabic_script(part))
        .collect();
    let latin = if latin.is_empty() {
        // The engine romanises in lower case; a manifest writes names as passports do.
        engine
            .parse(&own)
            .romanised
            .split_whitespace()
            .map(|word| {
                let mut letters = word.chars();
                letters
                    .next()
                    .map(|first| first.to_uppercase().chain(letters).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        latin.join(" ")
    };
    (latin, own)
}

/// The document a manifest shows: a passport first, else the first one recorded.
fn manifest_document(person: &Person) -> String {
    person
        .documents
        .iter()
        .find(|d| d.kind.as_str() == "passport")
        .or_else(|| person.documents.first())
        .map(|d| format!("{} {}", d.kind.as_str(), d.as_written()))
        .unwrap_or_default()
}

/// What a family shows in place of its case id when its names are withheld.
pub const WITHHELD: &str = "—";

/// A flight's manifest from the plan in force: the members of each case who fly. Families of
/// a nation for which `named` is false are counted (seats, people) but neither named nor
/// identified: their members are left out and their case id is [`WITHHELD`].
pub fn manifest_of(
    stored: &FlightManifest,
    now: OffsetDateTime,
    engine: &airbridge_names::NameEngine,
    named: impl Fn(NationCode) -> bool,
    stamp: Option<Stamp>,
) -> Manifest {
    let today = today(now);
    let mut families = Vec::with_capacity(stored.cases.len());
    for case in &stored.cases {
        let passengers: Vec<Passenger> = case
            .people
            .iter()
            .filter(|p| travels(p))
            .map(|member| {
                let (name_latin, name_original) = manifest_names(&member.person, engine);
                Passenger {
                    name_latin,
                    name_original,
                    nationality: member
                        .person
                        .nationalities
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join("/"),
                    document: manifest_document(&member.person),
                    lap_infant: seating_age(&member.person, today) < 2,
                }
            })
            .collect();
        let shown = named(case.case.nation);
        families.push(Family {
            case_id: if shown {
                case.case.id.to_string()
            } else {
                WITHHELD.to_owned()
            },
            nation: case.case.nation.to_string(),
            seats: passengers.iter().filter(|p| !p.lap_infant).count() as u32,
            people: passengers.len() as u32,
            members: if shown { passengers } else { Vec::new() },
        });
    }
    let flight = &stored.flight;
    Manifest {
        flight_id: flight.id.clone(),
        operator: flight.nation.to_string(),
        destination: flight.destination.clone(),
        departs_at: flight.departs_at.clone(),
        capacity: flight.capacity(),
        families,
        stamp,
    }
}

/// Records that a manifest left the system: who, which flight, which plan, how many people.
/// A manifest lists people by name and document: who printed which is traced.
pub async fn record_manifest_print<S: Store>(
    store: &S,
    actor: &Actor,
    plan_run: i64,
    format: &str,
    manifest: &Manifest,
    nation: NationCode,
) -> Result<(), StoreError> {
    store
        .record_event(
            actor,
            Some(nation),
            MANIFEST_ACTION,
            &format!("flight:{}", manifest.flight_id),
            serde_json::json!({
                "plan_run": plan_run,
                "format": format,
                "cases": manifest.families.len(),
                "people": manifest.people(),
            }),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use airbridge_domain::{PartialDate, PersonName};

    fn born(text: &str) -> Person {
        Person {
            name: PersonName::full("Test Person"),
            birth_date: Some(PartialDate::parse(text, None).unwrap()),
            ..Person::default()
        }
    }

    #[test]
    fn a_lap_infant_is_one_certainly_under_two() {
        let today = GregorianDate::new(2026, 6, 1).unwrap();
        let check = |birth: &str, expected: u8| {
            assert_eq!(seating_age(&born(birth), today), expected, "{birth}");
        };
        check("2025-06-02", 0);
        check("2024-06-02", 1);
        check("2024-06-01", 2);
        // Born some time in 2024: may be two already, so takes a seat.
        check("2024", 2);
        check("1986-08-03", 39);
        assert_eq!(seating_age(&Person::default(), today), 18);
    }

    #[test]
    fn names_in_arabic_script_get_a_latin_form() {
        let engine = airbridge_names::NameEngine::new();
        let latin_only = Person {
            name: PersonName::full("Zarmina Sadat"),
            ..Person::default()
        };
        assert_eq!(
            manifest_names(&latin_only, &engine),
            ("Zarmina Sadat".to_owned(), String::new())
        );
        let arabic = Person {
            name: PersonName::full("محمد هاشم"),
            ..Person::default()
        };
        let (latin, original) = manifest_names(&arabic, &engine);
        assert_eq!(original, "محمد هاشم");
        assert!(!latin.is_empty() && !has_arabic_script(&latin), "{latin}");
        assert!(
            latin.split(' ').all(|w| w.starts_with(char::is_uppercase)),
            "{latin}"
        );
    }

    #[test]
    fn unknown_priority_weights_are_named() {
        let mut stored = std::collections::BTreeMap::new();
        stored.insert("at_risk".to_owned(), 3.0);
        assert!(priority_weights(&stored).is_ok());
        stored.insert("bravery".to_owned(), 1.0);
        let error = priority_weights(&stored).unwrap_err().to_string();
        assert!(
            error.starts_with("'bravery' is not a priority weight"),
            "{error}"
        );
    }

    #[test]
    fn the_bound_is_never_below_the_objective() {
        assert_eq!(bound_and_gap(8.0, 10.0), (10.0, 0.2));
        assert_eq!(bound_and_gap(8.0, 6.0), (8.0, 0.0));
        assert_eq!(bound_and_gap(0.0, 0.0), (0.0, 0.0));
    }
}
