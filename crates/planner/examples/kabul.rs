//! A synthetic instance in the shape of the Kabul airlift (August 2021), planned and then
//! re-planned after the largest flight is cancelled, with the time each took.
//!
//! `cargo run --release -p airbridge-planner --example kabul -- [CASES] [FLIGHTS] [SEED] [slot|wait] [BOUND_ITERATIONS]`
//! (defaults: 10,000 cases, 60 flights, seed 2021, discount by slot).

use airbridge_domain::{CaseId, Category, NationCode, Vulnerability};
use airbridge_planner::{
    AcceptanceRule, AircraftType, CabinConfiguration, CarriageAgreement, Change, Config,
    Destination, Discount, Flight, FlightId, FlightStatus, Instance, Member, ReadyCase, plan,
    replan, violations,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::time::Instant;

const NATIONS: [&str; 10] = ["US", "GB", "DE", "FR", "IT", "CA", "AU", "NL", "ES", "TR"];
const DESTINATIONS: [&str; 5] = ["DOH", "RMS", "DXB", "ISB", "TAS"];
const HOUR: i64 = 60;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number =
        |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (cases, flights, seed) = (
        number(0, 10_000) as usize,
        number(1, 60) as usize,
        number(2, 2021),
    );
    let instance = generate(cases, flights, seed);
    let config = Config {
        discount: match args.get(3).map(String::as_str) {
            Some("wait") => Discount::Wait,
            _ => Discount::Slot,
        },
        bound_iterations: number(4, Config::default().bound_iterations as u64) as usize,
        ..Config::default()
    };

    let people: usize = instance.cases.iter().map(|c| c.members.len()).sum();
    let capacity: u32 = instance.flights.iter().map(Flight::capacity).sum();
    println!(
        "instance: {} cases, {people} people, {} flights, {capacity} places, seed {seed}",
        instance.cases.len(),
        instance.flights.len()
    );

    let started = Instant::now();
    let first = plan(&instance, &config).expect("a valid instance");
    let elapsed = started.elapsed();
    assert!(violations(&instance, &first).is_empty());
    let seats: u32 = first.flights.iter().map(|f| f.seats_used).sum();
    println!(
        "plan:    {:>8.1} ms  seats {seats}/{capacity} ({:.2}%)  people {}  objective {:.1}  bound {:.1}  gap {:.2}%",
        elapsed.as_secs_f64() * 1e3,
        100.0 * f64::from(seats) / f64::from(capacity.max(1)),
        first.people_assigned,
        first.objective,
        first.upper_bound,
        100.0 * first.gap
    );
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for u in &first.unassigned {
        *reasons.entry(format!("{:?}", u.reason)).or_default() += 1;
    }
    println!("unassigned cases by reason: {reasons:?}");

    let Some(largest) = instance
        .flights
        .iter()
        .max_by_key(|f| (f.capacity(), std::cmp::Reverse(f.id.clone())))
    else {
        return;
    };
    let change = Change::Cancelled {
        flight: largest.id.clone(),
    };
    let after = change.apply(&instance).expect("the flight exists");
    let started = Instant::now();
    let second = replan(&after, &first, &config).expect("a valid instance");
    let elapsed = started.elapsed();
    assert!(violations(&after, &second).is_empty());
    let stability = second.stability.clone().unwrap_or_default();
    println!(
        "replan after cancelling {} ({} places): {:.1} ms  kept {}  moved {}  dropped {}  people {}  gap {:.2}%",
        largest.id,
        largest.capacity(),
        elapsed.as_secs_f64() * 1e3,
        stability.kept,
        stability.moved,
        stability.dropped,
        second.people_assigned,
        100.0 * second.gap
    );
}

/// Flights of ten nations over three days in bursts, families of one to twelve ready over the
/// first two days, agreements among allies and destinations with their own rules.
fn generate(cases: usize, flights: usize, seed: u64) -> Instance {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let nation = |i: usize| NationCode::parse(NATIONS[i % NATIONS.len()]).expect("a known code");
    let aircraft = [
        ("C-17", 102, 450),
        ("A400M", 116, 250),
        ("C-130", 92, 150),
        ("B777 charter", 300, 300),
    ];
    let mut all_flights = Vec::with_capacity(flights);
    for i in 0..flights {
        let (name, seated, floor) = aircraft[rng.random_range(0..aircraft.len())];
        // Slots come in bursts: a few busy hours in each of three days.
        let day = rng.random_range(0..3i64);
        let burst = [6, 13, 21][rng.random_range(0..3usize)];
        all_flights.push(Flight {
            id: FlightId(format!("{}{:03}", NATIONS[i % NATIONS.len()], i)),
            nation: nation(if rng.random_bool(0.4) {
                0
            } else {
                rng.random_range(0..NATIONS.len())
            }),
            aircraft: AircraftType {
                name: name.into(),
                seated_capacity: seated,
                floor_loaded_capacity: floor,
            },
            configuration: if rng.random_bool(0.5) {
                CabinConfiguration::FloorLoaded
            } else {
                CabinConfiguration::Seated
            },
            slot: day * 24 * HOUR + burst * HOUR + rng.random_range(0..3 * HOUR),
            destination: Destination(DESTINATIONS[rng.random_range(0..DESTINATIONS.len())].into()),
            status: FlightStatus::Planned,
            carries: Vec::new(),
        });
    }
    let categories = [Category::National, Category::LocalStaff, Category::AtRisk];
    let mut agreements = Vec::new();
    for carrier in 0..NATIONS.len() {
        for passengers in 0..NATIONS.len() {
            if carrier != passengers && rng.random_bool(0.5) {
                agreements.push(CarriageAgreement {
                    carrier: nation(carrier),
                    passengers: nation(passengers),
                    categories: categories
                        .iter()
                        .copied()
                        .filter(|_| rng.random_bool(0.6))
                        .collect(),
                });
            }
        }
    }
    let acceptance = vec![
        AcceptanceRule {
            destination: Destination("ISB".into()),
            nations: vec![],
            categories: vec![Category::National],
        },
        AcceptanceRule {
            destination: Destination("TAS".into()),
            nations: vec![nation(2), nation(4), nation(9)],
            categories: vec![],
        },
    ];
    let vulnerabilities = Vulnerability::ALL;
    let mut all_cases: Vec<ReadyCase> = Vec::with_capacity(cases);
    for i in 0..cases {
        let size = match rng.random_range(0..100) {
            0..30 => 1,
            30..70 => rng.random_range(2..=4),
            70..95 => rng.random_range(5..=8),
            _ => rng.random_range(9..=12),
        };
        let members = (0..size)
            .map(|_| Member {
                age_years: if rng.random_bool(0.06) {
                    rng.random_range(0..2)
                } else {
                    rng.random_range(2..80)
                },
                vulnerabilities: if rng.random_bool(0.08) {
                    vec![vulnerabilities[rng.random_range(1..vulnerabilities.len())]]
                } else {
                    vec![]
                },
            })
            .collect();
        let own = if rng.random_bool(0.3) {
            0
        } else {
            rng.random_range(0..NATIONS.len())
        };
        let is_minor = i > 0 && rng.random_bool(0.01);
        all_cases.push(ReadyCase {
            id: CaseId(i as i64 + 1),
            nation: nation(own),
            category: categories[rng.random_range(0..categories.len())],
            members,
            ready_at: rng.random_range(0..48 * HOUR),
            blocked: rng.random_bool(0.003),
            unaccompanied_minor: is_minor,
            escort: (is_minor && rng.random_bool(0.8))
                .then(|| CaseId(rng.random_range(1..=i as i64))),
            destinations: Vec::new(),
            value_per_seat: None,
        });
    }
    Instance {
        now: 0,
        flights: all_flights,
        agreements,
        acceptance,
        cases: all_cases,
    }
}
