//! `airbridge plan` and `airbridge manifest` on the registry (issue 7): the stored ready pool and
//! flights in, the plan stored (audited) and manifests printed from it.
//!
//! The planner's clock is minutes from now: a flight's slot is the minutes until it departs, a
//! case's ready time the (negative) minutes since its last member was processed. A plan already
//! stored is kept where it can be (`airbridge_planner::replan`): people already given a flight
//! keep it unless their flight was cancelled, delayed past what they may board, or lost seats.

use crate::InvalidInput;
use crate::plan_cmd::{ManifestArgs, ManifestFormat, PlanArgs, Summary};
use airbridge_domain::{EvacuationStatus, GregorianDate, Person, Relation, Vulnerability};
use airbridge_manifest::{Family, Manifest, Passenger};
use airbridge_planner::{
    AcceptanceRule, AircraftType, CabinConfiguration, CarriageAgreement, Config, Destination,
    Flight, FlightId, FlightStatus, Instance, Member, Plan, PriorityWeights, ReadyCase, Solver,
    UnassignedReason,
};
use airbridge_planner_milp::MilpSolver;
use airbridge_store::any::Location;
use airbridge_store::{
    Actor, AnyStore, Configuration, FlightRecord, FlightStore, NewPlanRun, OpenMode, PersonRecord,
    ReadyCaseRecord, Store, StoredPlan,
};
use anyhow::Context;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Runs an async registry command on a runtime of its own (plan and manifest from files need
/// none), closing the stores it opened.
pub fn block_on<F>(future: F) -> anyhow::Result<ExitCode>
where
    F: std::future::Future<Output = anyhow::Result<ExitCode>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let result = future.await;
        crate::key_cmd::close_all().await;
        result
    })
}

/// Whole minutes from `now` to `at` (negative in the past), rounded down.
fn minutes_from(now: OffsetDateTime, at: &str) -> anyhow::Result<i64> {
    let at = OffsetDateTime::parse(at, &Rfc3339)
        .with_context(|| format!("the stored time '{at}' is not RFC 3339"))?;
    Ok((at - now).whole_seconds().div_euclid(60))
}

fn today(now: OffsetDateTime) -> GregorianDate {
    let date = now.date();
    GregorianDate::new(date.year(), u8::from(date.month()), date.day())
        .unwrap_or_else(|_| GregorianDate::from_days_since_epoch(0))
}

/// A person's age for seating: the oldest they can be given what is known of their birth date
/// (so nobody who may be two is taken for a lap infant), and 18 when it is unknown.
pub fn seating_age(person: &Person, today: GregorianDate) -> u8 {
    match &person.birth_date {
        Some(date) => {
            let (earliest, _) = date.gregorian_range();
            earliest.age_on(today).clamp(0, i32::from(u8::MAX)) as u8
        }
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
) -> anyhow::Result<Option<ReadyCase>> {
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

fn planner_flight(record: &FlightRecord, now: OffsetDateTime) -> anyhow::Result<Flight> {
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

/// Everything the planner needs from the store.
struct Loaded {
    instance: Instance,
    /// Ready cases without an eligibility basis, which cannot be planned.
    undecided: usize,
    previous: Option<StoredPlan>,
    /// The planner's settings, with each nation's stored priority weights.
    config: Config,
}

/// A nation's stored weights over the defaults (a weight it never set keeps its default).
pub fn priority_weights(
    stored: &std::collections::BTreeMap<String, f64>,
) -> anyhow::Result<PriorityWeights> {
    let mut map = match serde_json::to_value(PriorityWeights::default())? {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("PriorityWeights serialises as an object"),
    };
    for (name, value) in stored {
        if !map.contains_key(name) {
            return Err(InvalidInput(format!(
                "'{name}' is not a priority weight; the weights are {}",
                map.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
            .into());
        }
        map.insert(name.clone(), serde_json::json!(value));
    }
    Ok(serde_json::from_value(serde_json::Value::Object(map))?)
}

async fn load(store: &AnyStore, now: OffsetDateTime) -> anyhow::Result<Loaded> {
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
            .collect::<anyhow::Result<_>>()?,
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
    Ok(Loaded {
        instance,
        undecided,
        previous,
        config,
    })
}

/// `airbridge plan --db`: plans the stored ready pool onto the stored flights and stores the
/// plan.
pub async fn plan(
    location: &Location,
    args: &PlanArgs,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    let now = OffsetDateTime::now_utc();
    let started = Instant::now();
    let loaded = load(&store, now).await?;
    let read = started.elapsed();
    if loaded
        .instance
        .flights
        .iter()
        .all(|f| f.status != FlightStatus::Planned || f.slot < 0)
    {
        return Err(InvalidInput(
            "no flight is scheduled to depart: add flights with `airbridge flights add` or \
             `airbridge flights import FLIGHTS.csv`"
                .into(),
        )
        .into());
    }
    let config = &loaded.config;
    let solving = Instant::now();
    let (plan, solver) = match (&loaded.previous, args.exact, args.fresh) {
        (_, true, _) => {
            // On the registry the plan is what people are told: fairness between nations is a
            // constraint, as it is for the fast planner.
            let solver = MilpSolver {
                time_limit: Duration::from_secs_f64(args.time_limit),
                fair: true,
                ..MilpSolver::default()
            };
            let outcome = solver
                .solve_with_outcome(&loaded.instance, config)
                .context("the exact solver failed")?;
            if outcome.unfair > 0 {
                return Err(InvalidInput(format!(
                    "the exact solver's plan still leaves {} cases waiting unfairly after {} \
                     rounds of fairness constraints ({:.0} s); nothing was stored. Plan without \
                     --exact (the fast planner is always fair), or give a longer --time-limit",
                    outcome.unfair,
                    outcome.fairness_rounds,
                    outcome.elapsed.as_secs_f64()
                ))
                .into());
            }
            let label = if outcome.proven_optimal {
                "exact, proven optimal (fair between nations)".to_owned()
            } else {
                format!("exact, not proven optimal: HiGHS {}", outcome.status)
            };
            (outcome.plan, label)
        }
        (Some(previous), false, false) => (
            airbridge_planner::replan(&loaded.instance, &previous_plan(previous), config)
                .context("the planner refused the instance")?,
            format!("re-plan of plan {}", previous.run.id),
        ),
        _ => (
            airbridge_planner::FastSolver
                .solve(&loaded.instance, config)
                .context("the planner refused the instance")?,
            "fast".to_owned(),
        ),
    };
    let solve_seconds = solving.elapsed().as_secs_f64();
    // Checked independently of how the plan was made, before anything is stored.
    let violations = airbridge_planner::violations(&loaded.instance, &plan);
    if !violations.is_empty() {
        anyhow::bail!(
            "the plan breaks {} rule(s) and was not stored; first: {:?}",
            violations.len(),
            violations[0]
        );
    }
    let summary = Summary::new(
        plan.objective,
        &plan,
        solver.clone(),
        loaded.instance.cases.len(),
        read,
        solve_seconds,
    );
    let outcome = store
        .save_plan(
            actor,
            NewPlanRun {
                solver: solver.clone(),
                objective: summary.objective,
                upper_bound: summary.bound,
                gap: summary.gap,
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
        .await?;
    if let Some(path) = &args.output {
        write_assignments(path, &loaded.instance, &plan)?;
    }
    let count = |reason: UnassignedReason| {
        plan.unassigned
            .iter()
            .filter(|u| u.reason == reason)
            .count()
    };
    let (blocked, unplaceable, no_escort) = (
        count(UnassignedReason::Blocked),
        count(UnassignedReason::NoFeasibleFlight),
        count(UnassignedReason::NoEscort),
    );
    if unplaceable > 0 {
        eprintln!(
            "warning: {unplaceable} ready case(s) have no flight that may carry them (nation not \
             carried, destination not accepting them, or larger than any aircraft)"
        );
    }
    if loaded.undecided > 0 {
        eprintln!(
            "warning: {} ready case(s) have no eligibility basis recorded and were not planned",
            loaded.undecided
        );
    }
    let run = &outcome.run;
    if json {
        let mut value = summary.json();
        value.as_object_mut().expect("an object").extend([
            ("plan_run".to_owned(), serde_json::json!(run.id)),
            ("kept".to_owned(), serde_json::json!(run.kept)),
            ("moved".to_owned(), serde_json::json!(run.moved)),
            ("dropped".to_owned(), serde_json::json!(run.dropped)),
            (
                "told_moved".to_owned(),
                serde_json::json!(outcome.told_moved),
            ),
            ("blocked".to_owned(), serde_json::json!(blocked)),
            ("no_escort".to_owned(), serde_json::json!(no_escort)),
            (
                "no_feasible_flight".to_owned(),
                serde_json::json!(unplaceable),
            ),
            ("undecided".to_owned(), serde_json::json!(loaded.undecided)),
        ]);
        println!("{value}");
    } else {
        println!("{}", summary.line());
        println!(
            "plan {} stored: {} people kept their flight, {} moved, {} lost their seat{}; {} case(s) blocked by screening, {} unaccompanied minor(s) without an escort",
            run.id,
            run.kept,
            run.moved,
            run.dropped,
            if outcome.told_moved.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} case(s) already told their flight must be told again)",
                    outcome.told_moved.len()
                )
            },
            blocked,
            no_escort,
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `case_id,flight_id` for every ready case (an empty flight: the case waits), by case id.
fn write_assignments(
    path: &std::path::Path,
    instance: &Instance,
    plan: &Plan,
) -> anyhow::Result<()> {
    let flight_of: HashMap<_, &str> = plan
        .assignments
        .iter()
        .map(|(flight, case)| (*case, flight.0.as_str()))
        .collect();
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    writer.write_record(["case_id", "flight_id"])?;
    for case in &instance.cases {
        writer.write_record([
            case.id.to_string().as_str(),
            flight_of.get(&case.id).copied().unwrap_or(""),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// Whether a member boards with their case (processed at the gate, or manifested).
fn travels(member: &PersonRecord) -> bool {
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

/// `airbridge manifest --flight ID` from the plan in force. Audited (`manifest.print`).
pub async fn manifest(
    location: &Location,
    args: &ManifestArgs,
    actor: &Actor,
) -> anyhow::Result<ExitCode> {
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    let stored = store.flight_manifest(&args.flight).await?;
    if !stored.flight.status.flies() {
        return Err(InvalidInput(format!(
            "flight {} is {}: re-plan with `airbridge plan` to move its people",
            args.flight,
            stored.flight.status.as_str()
        ))
        .into());
    }
    let now = OffsetDateTime::now_utc();
    let today = today(now);
    let engine = airbridge_names::NameEngine::new();
    let mut families = Vec::with_capacity(stored.cases.len());
    for case in &stored.cases {
        let members: Vec<&PersonRecord> = case.people.iter().filter(|p| travels(p)).collect();
        let passengers: Vec<Passenger> = members
            .iter()
            .map(|member| {
                let (name_latin, name_original) = manifest_names(&member.person, &engine);
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
        families.push(Family {
            case_id: case.case.id.to_string(),
            nation: case.case.nation.to_string(),
            seats: passengers.iter().filter(|p| !p.lap_infant).count() as u32,
            people: passengers.len() as u32,
            members: passengers,
        });
    }
    let flight = &stored.flight;
    let manifest = Manifest {
        flight_id: flight.id.clone(),
        operator: flight.nation.to_string(),
        destination: flight.destination.clone(),
        departs_at: flight.departs_at.clone(),
        capacity: flight.capacity(),
        families,
    };
    let bytes = match args.format {
        ManifestFormat::Csv => airbridge_manifest::to_csv(&manifest),
        ManifestFormat::Pdf => {
            airbridge_manifest::to_pdf(&manifest).context("cannot lay out the PDF manifest")?
        }
    };
    // A manifest lists people by name and document: who printed which is traced.
    store
        .record_event(
            actor,
            Some(flight.nation),
            "manifest.print",
            &format!("flight:{}", flight.id),
            serde_json::json!({
                "plan_run": stored.plan_run,
                "format": match args.format { ManifestFormat::Csv => "csv", ManifestFormat::Pdf => "pdf" },
                "cases": manifest.families.len(),
                "people": manifest.people(),
            }),
        )
        .await?;
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
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
}
