//! Behaviour of the planner on small instances written out by hand, and properties on random ones.

use airbridge_domain::{CaseId, Category, NationCode, Vulnerability};
use airbridge_planner::{
    AcceptanceRule, AircraftType, CabinConfiguration, CarriageAgreement, Change, Config,
    Destination, Discount, Flight, FlightId, FlightStatus, Instance, Member, Plan, PlanError,
    PriorityWeights, ReadyCase, UnassignedReason, plan, replan, unfair_waits, violations,
};
use proptest::prelude::*;

fn nation(code: &str) -> NationCode {
    NationCode::parse(code).unwrap()
}

fn flight(id: &str, operator: &str, seats: u32, slot: i64, destination: &str) -> Flight {
    Flight {
        id: FlightId(id.into()),
        nation: nation(operator),
        aircraft: AircraftType {
            name: "test".into(),
            seated_capacity: seats,
            floor_loaded_capacity: seats * 3,
        },
        configuration: CabinConfiguration::Seated,
        slot,
        destination: Destination(destination.into()),
        status: FlightStatus::Planned,
        carries: Vec::new(),
    }
}

fn case(id: i64, of: &str, category: Category, ages: &[u8]) -> ReadyCase {
    ReadyCase {
        id: CaseId(id),
        nation: nation(of),
        category,
        members: ages
            .iter()
            .map(|&age_years| Member {
                age_years,
                vulnerabilities: Vec::new(),
            })
            .collect(),
        ready_at: 0,
        blocked: false,
        unaccompanied_minor: false,
        escort: None,
        destinations: Vec::new(),
        value_per_seat: None,
    }
}

fn national(id: i64, of: &str, ages: &[u8]) -> ReadyCase {
    case(id, of, Category::National, ages)
}

fn minor(id: i64, of: &str, escort: Option<i64>) -> ReadyCase {
    ReadyCase {
        unaccompanied_minor: true,
        escort: escort.map(CaseId),
        ..case(id, of, Category::AtRisk, &[14])
    }
}

fn agreement(carrier: &str, passengers: &str, categories: &[Category]) -> CarriageAgreement {
    CarriageAgreement {
        carrier: nation(carrier),
        passengers: nation(passengers),
        categories: categories.to_vec(),
    }
}

/// Plans `instance`, checks every hard constraint and fairness, and compares the assignments
/// (flight, case) and unassigned reasons with what is expected.
fn check(instance: &Instance, assigned: &[(&str, i64)], unassigned: &[(i64, UnassignedReason)]) {
    let plan = plan(instance, &Config::default()).unwrap();
    assert_feasible(instance, &Config::default(), &plan);
    let mut got: Vec<(&str, i64)> = plan
        .assignments
        .iter()
        .map(|(f, c)| (f.0.as_str(), c.0))
        .collect();
    got.sort();
    let mut want = assigned.to_vec();
    want.sort();
    assert_eq!(got, want, "assignments");
    let got: Vec<(i64, UnassignedReason)> = plan
        .unassigned
        .iter()
        .map(|u| (u.case.0, u.reason))
        .collect();
    assert_eq!(got, unassigned, "unassigned");
}

fn assert_feasible(instance: &Instance, config: &Config, plan: &Plan) {
    assert_eq!(violations(instance, plan), vec![]);
    assert_eq!(unfair_waits(instance, config, plan).unwrap(), vec![]);
    assert!(
        plan.objective <= plan.upper_bound,
        "objective {} above bound {}",
        plan.objective,
        plan.upper_bound
    );
    let accounted = plan.assignments.len() + plan.unassigned.len();
    assert_eq!(
        accounted,
        instance.cases.len(),
        "every case assigned or explained once"
    );
}

fn one_flight(seats: u32, cases: Vec<ReadyCase>) -> Instance {
    Instance {
        flights: vec![flight("F1", "US", seats, 60, "DOH")],
        cases,
        ..Instance::default()
    }
}

#[test]
fn capacity_is_never_exceeded() {
    let instance = one_flight(
        5,
        vec![
            national(1, "US", &[30, 31, 8]),
            national(2, "US", &[40, 41, 9]),
        ],
    );
    check(
        &instance,
        &[("F1", 1)],
        &[(2, UnassignedReason::NoSeatLeft)],
    );
}

#[test]
fn a_case_is_never_split_even_to_fill_seats() {
    let instance = one_flight(3, vec![national(1, "US", &[30, 31, 8, 6])]);
    check(&instance, &[], &[(1, UnassignedReason::NoFeasibleFlight)]);
}

#[test]
fn lap_infants_take_no_seat() {
    let instance = one_flight(2, vec![national(1, "US", &[30, 1, 0, 29])]);
    let plan = plan(&instance, &Config::default()).unwrap();
    assert_eq!(plan.flights[0].seats_used, 2);
    assert_eq!(plan.flights[0].people, 4);
    assert_eq!(plan.people_assigned, 4);
}

#[test]
fn blocked_cases_are_never_manifested() {
    let blocked = ReadyCase {
        blocked: true,
        ..national(1, "US", &[30])
    };
    let instance = one_flight(10, vec![blocked, national(2, "US", &[30])]);
    check(&instance, &[("F1", 2)], &[(1, UnassignedReason::Blocked)]);
}

#[test]
fn carriage_agreements_decide_who_flies_on_whose_aircraft() {
    let cases = vec![
        national(1, "DE", &[30]),
        case(2, "DE", Category::LocalStaff, &[30]),
        national(3, "FR", &[30]),
        national(4, "US", &[30]),
    ];
    let instance = Instance {
        agreements: vec![agreement("US", "DE", &[Category::National])],
        ..one_flight(10, cases)
    };
    check(
        &instance,
        &[("F1", 1), ("F1", 4)],
        &[
            (2, UnassignedReason::NoFeasibleFlight),
            (3, UnassignedReason::NoFeasibleFlight),
        ],
    );
}

#[test]
fn destinations_accept_only_whom_their_rules_name() {
    let cases = vec![
        national(1, "DE", &[30]),
        case(2, "US", Category::AtRisk, &[30]),
        national(3, "US", &[30]),
    ];
    let instance = Instance {
        agreements: vec![agreement("US", "DE", &[Category::National])],
        acceptance: vec![AcceptanceRule {
            destination: Destination("DOH".into()),
            nations: vec![nation("US")],
            categories: vec![Category::National],
        }],
        ..one_flight(10, cases)
    };
    check(
        &instance,
        &[("F1", 3)],
        &[
            (1, UnassignedReason::NoFeasibleFlight),
            (2, UnassignedReason::NoFeasibleFlight),
        ],
    );
}

#[test]
fn unaccompanied_minors_fly_with_their_escort_or_not_at_all() {
    // Escorted minor: same flight as the escort.
    let instance = one_flight(10, vec![national(1, "US", &[40]), minor(2, "US", Some(1))]);
    check(&instance, &[("F1", 1), ("F1", 2)], &[]);
    // No escort, an unknown escort, a blocked escort.
    let blocked_escort = ReadyCase {
        blocked: true,
        ..national(5, "US", &[40])
    };
    let instance = one_flight(
        10,
        vec![
            minor(2, "US", None),
            minor(3, "US", Some(99)),
            minor(4, "US", Some(5)),
            blocked_escort,
        ],
    );
    check(
        &instance,
        &[],
        &[
            (2, UnassignedReason::NoEscort),
            (3, UnassignedReason::EscortUnavailable),
            (4, UnassignedReason::EscortUnavailable),
            (5, UnassignedReason::Blocked),
        ],
    );
    // Escort and minor do not fit together: neither flies on that flight, the single does.
    let instance = one_flight(
        2,
        vec![
            national(1, "US", &[40, 41]),
            minor(2, "US", Some(1)),
            national(3, "US", &[30]),
        ],
    );
    check(
        &instance,
        &[("F1", 3)],
        &[
            (1, UnassignedReason::NoFeasibleFlight),
            (2, UnassignedReason::NoFeasibleFlight),
        ],
    );
}

#[test]
fn earlier_flights_and_higher_priorities_come_first() {
    let mut medical = national(2, "US", &[50]);
    medical.members[0].vulnerabilities = vec![Vulnerability::Medical];
    let instance = Instance {
        flights: vec![
            flight("LATE", "US", 1, 600, "DOH"),
            flight("EARLY", "US", 1, 60, "DOH"),
        ],
        cases: vec![national(1, "US", &[30]), medical],
        ..Instance::default()
    };
    check(&instance, &[("EARLY", 2), ("LATE", 1)], &[]);
}

#[test]
fn flights_that_left_before_now_are_not_planned() {
    let instance = Instance {
        now: 100,
        flights: vec![
            flight("GONE", "US", 5, 60, "DOH"),
            flight("NEXT", "US", 5, 160, "DOH"),
        ],
        cases: vec![national(1, "US", &[30])],
        ..Instance::default()
    };
    check(&instance, &[("NEXT", 1)], &[]);
}

#[test]
fn discounting_the_wait_favours_whoever_became_ready_last() {
    // The objective of issue 7's file interface: value × 0.5^((slot − ready_at) / half-life).
    let mut late = national(2, "US", &[30]);
    late.ready_at = 1440;
    let instance = Instance {
        flights: vec![flight("F1", "US", 1, 1500, "DOH")],
        cases: vec![national(1, "US", &[30]), late],
        ..Instance::default()
    };
    let config = Config {
        discount: Discount::Wait,
        ..Config::default()
    };
    let plan = plan(&instance, &config).unwrap();
    assert_eq!(plan.assignments, vec![(FlightId("F1".into()), CaseId(2))]);
    let expected = 0.5f64.powf(60.0 / 1440.0);
    assert!(
        (plan.objective - expected).abs() < 1e-12,
        "{}",
        plan.objective
    );
}

#[test]
fn each_nation_weighs_its_own_categories() {
    // GB weighs at-risk people double; its at-risk case outranks a US national on a shared flight.
    let mut config = Config::default();
    config.weights.insert(
        nation("GB"),
        PriorityWeights {
            at_risk: 2.0,
            ..PriorityWeights::default()
        },
    );
    let instance = Instance {
        agreements: vec![agreement("US", "GB", &[Category::AtRisk])],
        ..one_flight(
            1,
            vec![
                national(1, "US", &[30]),
                case(2, "GB", Category::AtRisk, &[30]),
            ],
        )
    };
    let plan = plan(&instance, &config).unwrap();
    assert_eq!(plan.assignments, vec![(FlightId("F1".into()), CaseId(2))]);
}

#[test]
fn a_lower_priority_case_of_another_nation_never_takes_the_seats_of_a_waiting_one() {
    // The unfair plan, written by hand, is caught by the checker…
    let mut medical = case(2, "GB", Category::AtRisk, &[30, 31]);
    medical.members[0].vulnerabilities = vec![Vulnerability::Medical];
    let instance = Instance {
        agreements: vec![agreement("US", "GB", &[Category::AtRisk])],
        ..one_flight(
            3,
            vec![
                national(1, "US", &[30, 8]),
                medical,
                national(3, "US", &[5]),
            ],
        )
    };
    let unfair = Plan {
        assignments: vec![
            (FlightId("F1".into()), CaseId(1)),
            (FlightId("F1".into()), CaseId(3)),
        ],
        ..plan(&instance, &Config::default()).unwrap()
    };
    assert_eq!(
        unfair_waits(&instance, &Config::default(), &unfair)
            .unwrap()
            .len(),
        1
    );
    // …and the planner flies the medical case with the single, not the family of two.
    check(
        &instance,
        &[("F1", 2), ("F1", 3)],
        &[(1, UnassignedReason::NoSeatLeft)],
    );
}

#[test]
fn swaps_fill_leftover_seats_within_a_nation_but_never_across_nations() {
    // The pregnant single has the higher priority per seat, so she is served first and leaves
    // two seats nobody fits; the family of three of the same nation then evacuates more people.
    let mut pregnant = national(1, "US", &[30]);
    pregnant.members[0].vulnerabilities = vec![Vulnerability::Pregnancy];
    let family = national(2, "US", &[30, 31, 6]);
    let instance = one_flight(3, vec![pregnant.clone(), family.clone()]);
    check(
        &instance,
        &[("F1", 2)],
        &[(1, UnassignedReason::NoSeatLeft)],
    );
    // When the single belongs to another nation, taking her seat would be unfair to her nation.
    let instance = Instance {
        agreements: vec![agreement("US", "GB", &[Category::National])],
        ..one_flight(
            3,
            vec![
                ReadyCase {
                    nation: nation("GB"),
                    ..pregnant
                },
                family,
            ],
        )
    };
    check(
        &instance,
        &[("F1", 1)],
        &[(2, UnassignedReason::NoSeatLeft)],
    );
}

#[test]
fn cancelling_a_flight_leaves_the_other_flights_as_they_were() {
    let cases: Vec<ReadyCase> = (1..=12).map(|i| national(i, "US", &[30, 31])).collect();
    let before = Instance {
        flights: vec![
            flight("F1", "US", 6, 60, "DOH"),
            flight("F2", "US", 6, 120, "DOH"),
            flight("F3", "US", 6, 180, "RMS"),
            flight("F4", "US", 6, 240, "RMS"),
        ],
        cases,
        ..Instance::default()
    };
    let config = Config::default();
    let first = plan(&before, &config).unwrap();
    assert_eq!(first.assignments.len(), 12);
    let after = Change::Cancelled {
        flight: FlightId("F2".into()),
    }
    .apply(&before)
    .unwrap();
    let second = replan(&after, &first, &config).unwrap();
    assert_eq!(violations(&after, &second), vec![]);
    for (flight, case) in first.assignments.iter().filter(|(f, _)| f.0 != "F2") {
        assert_eq!(second.flight_of(*case), Some(flight), "case {case} moved");
    }
    let stability = second.stability.unwrap();
    assert_eq!(
        (stability.kept, stability.moved, stability.dropped),
        (18, 0, 6)
    );
}

#[test]
fn a_delay_or_a_smaller_aircraft_moves_only_whom_it_must() {
    let mut late = national(3, "US", &[30]);
    late.ready_at = 100;
    let before = Instance {
        flights: vec![
            flight("F1", "US", 3, 60, "DOH"),
            flight("F2", "US", 3, 120, "DOH"),
        ],
        cases: vec![national(1, "US", &[30, 31]), national(2, "US", &[30]), late],
        ..Instance::default()
    };
    let config = Config::default();
    let first = plan(&before, &config).unwrap();
    let delayed = Change::Delayed {
        flight: FlightId("F1".into()),
        slot: 130,
    }
    .apply(&before)
    .unwrap();
    let second = replan(&delayed, &first, &config).unwrap();
    assert_eq!(violations(&delayed, &second), vec![]);
    assert_eq!(
        second.stability.unwrap().kept,
        4,
        "a delay keeps everyone still feasible"
    );

    let smaller = Change::AircraftChanged {
        flight: FlightId("F1".into()),
        aircraft: AircraftType {
            name: "small".into(),
            seated_capacity: 2,
            floor_loaded_capacity: 2,
        },
        configuration: CabinConfiguration::Seated,
    }
    .apply(&before)
    .unwrap();
    let second = replan(&smaller, &first, &config).unwrap();
    assert_eq!(violations(&smaller, &second), vec![]);
    let stability = second.stability.unwrap();
    assert_eq!(stability.kept + stability.moved + stability.dropped, 4);
    assert!(stability.kept >= 2);
}

#[test]
fn bad_inputs_are_refused_with_their_reason() {
    let duplicate = one_flight(5, vec![national(1, "US", &[30]), national(1, "US", &[31])]);
    assert_eq!(
        plan(&duplicate, &Config::default()),
        Err(PlanError::DuplicateCase(CaseId(1)))
    );
    let config = Config {
        half_life_minutes: 0.0,
        ..Config::default()
    };
    assert_eq!(
        plan(&one_flight(5, vec![]), &config),
        Err(PlanError::InvalidHalfLife(0.0))
    );
    let change = Change::Cancelled {
        flight: FlightId("NOPE".into()),
    };
    assert_eq!(
        change.apply(&one_flight(5, vec![])),
        Err(PlanError::UnknownFlight(FlightId("NOPE".into())))
    );
}

#[test]
fn plans_round_trip_through_json() {
    let instance = one_flight(5, vec![national(1, "US", &[30, 1]), minor(2, "US", None)]);
    let plan = plan(&instance, &Config::default()).unwrap();
    let json = serde_json::to_string(&plan).unwrap();
    let back: Plan = serde_json::from_str(&json).unwrap();
    // serde_json may round the last bit of a float on the way back.
    assert!((back.objective - plan.objective).abs() < 1e-12);
    assert_eq!(
        Plan {
            objective: plan.objective,
            upper_bound: plan.upper_bound,
            gap: plan.gap,
            seat_prices: plan.seat_prices.clone(),
            ..back
        },
        plan
    );
    let json = serde_json::to_string(&instance).unwrap();
    assert_eq!(serde_json::from_str::<Instance>(&json).unwrap(), instance);
}

#[test]
fn the_bound_is_tight_when_everyone_fits() {
    let instance = one_flight(
        10,
        vec![national(1, "US", &[30]), national(2, "US", &[30, 4])],
    );
    let plan = plan(&instance, &Config::default()).unwrap();
    assert!(plan.gap < 1e-6, "gap {}", plan.gap);
}

const NATIONS: [&str; 4] = ["US", "GB", "DE", "FR"];
const CATEGORIES: [Category; 3] = [Category::National, Category::LocalStaff, Category::AtRisk];

fn arb_instance() -> impl Strategy<Value = Instance> {
    let flights = prop::collection::vec(
        (
            0..4usize,
            0u32..12,
            0i64..600,
            0..2usize,
            prop::bool::weighted(0.1),
            prop::collection::vec(0..4usize, 0..2),
        ),
        0..6,
    );
    let agreements = prop::collection::vec(
        (0..4usize, 0..4usize, prop::collection::vec(0..3usize, 0..3)),
        0..6,
    );
    let acceptance = prop::collection::vec(
        (
            0..2usize,
            prop::collection::vec(0..4usize, 0..3),
            prop::collection::vec(0..3usize, 0..3),
        ),
        0..2,
    );
    let cases = prop::collection::vec(
        (
            0..4usize,
            0..3usize,
            prop::collection::vec((0u8..70, prop::bool::weighted(0.2)), 0..6),
            0i64..600,
            prop::bool::weighted(0.1),
            prop::bool::weighted(0.15),
            prop::option::of(1i64..30),
            prop::option::of(0..2usize),
        ),
        0..25,
    );
    (flights, agreements, acceptance, cases).prop_map(|(flights, agreements, acceptance, cases)| {
        let destinations = ["DOH", "RMS"];
        Instance {
            now: 100,
            flights: flights
                .into_iter()
                .enumerate()
                .map(|(i, (n, seats, slot, d, cancelled, carries))| Flight {
                    status: if cancelled {
                        FlightStatus::Cancelled
                    } else {
                        FlightStatus::Planned
                    },
                    carries: carries.iter().map(|&c| nation(NATIONS[c])).collect(),
                    ..flight(&format!("F{i}"), NATIONS[n], seats, slot, destinations[d])
                })
                .collect(),
            agreements: agreements
                .into_iter()
                .map(|(a, b, cs)| {
                    agreement(
                        NATIONS[a],
                        NATIONS[b],
                        &cs.iter().map(|&c| CATEGORIES[c]).collect::<Vec<_>>(),
                    )
                })
                .collect(),
            acceptance: acceptance
                .into_iter()
                .map(|(d, ns, cs)| AcceptanceRule {
                    destination: Destination(destinations[d].into()),
                    nations: ns.iter().map(|&n| nation(NATIONS[n])).collect(),
                    categories: cs.iter().map(|&c| CATEGORIES[c]).collect(),
                })
                .collect(),
            cases: cases
                .into_iter()
                .enumerate()
                .map(
                    |(i, (n, c, members, ready_at, blocked, is_minor, escort, only_to))| {
                        ReadyCase {
                            id: CaseId(i as i64 + 1),
                            nation: nation(NATIONS[n]),
                            category: CATEGORIES[c],
                            members: members
                                .into_iter()
                                .map(|(age_years, medical)| Member {
                                    age_years,
                                    vulnerabilities: if medical {
                                        vec![Vulnerability::Medical]
                                    } else {
                                        vec![]
                                    },
                                })
                                .collect(),
                            ready_at,
                            blocked,
                            unaccompanied_minor: is_minor,
                            escort: escort.map(CaseId),
                            destinations: only_to
                                .map(|d| vec![Destination(destinations[d].into())])
                                .unwrap_or_default(),
                            value_per_seat: None,
                        }
                    },
                )
                .collect(),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_plans_keep_every_hard_constraint_and_stay_under_the_bound(instance in arb_instance()) {
        let config = Config::default();
        let plan = plan(&instance, &config).unwrap();
        assert_feasible(&instance, &config, &plan);
        // Deterministic: the same input gives the same plan.
        prop_assert_eq!(&airbridge_planner::plan(&instance, &config).unwrap(), &plan);
    }

    #[test]
    fn random_replans_after_a_cancellation_keep_the_other_flights(instance in arb_instance(), pick in 0usize..6) {
        let config = Config::default();
        if instance.flights.is_empty() {
            return Ok(());
        }
        let first = plan(&instance, &config).unwrap();
        let cancelled = instance.flights[pick % instance.flights.len()].id.clone();
        let after = Change::Cancelled { flight: cancelled.clone() }.apply(&instance).unwrap();
        let second = replan(&after, &first, &config).unwrap();
        prop_assert_eq!(violations(&after, &second), vec![]);
        prop_assert!(second.objective <= second.upper_bound);
        for (flight, case) in first.assignments.iter().filter(|(f, _)| *f != cancelled) {
            prop_assert_eq!(second.flight_of(*case), Some(flight));
        }
    }
}

/// The best objective over every assignment of `instance`'s cases to flights (or to none) that
/// keeps the hard constraints, by enumeration: for instances of a handful of cases only.
fn brute_force_optimum(instance: &Instance, config: &Config) -> f64 {
    let options = instance.flights.len() + 1;
    let total = options.pow(instance.cases.len() as u32);
    let mut best = 0.0f64;
    for mut code in 0..total {
        let mut assignments = Vec::new();
        for case in &instance.cases {
            let choice = code % options;
            code /= options;
            if choice > 0 {
                assignments.push((instance.flights[choice - 1].id.clone(), case.id));
            }
        }
        let candidate = Plan {
            assignments,
            unassigned: vec![],
            flights: vec![],
            objective: 0.0,
            upper_bound: 0.0,
            gap: 0.0,
            people_assigned: 0,
            stability: None,
            seat_prices: vec![],
        };
        if !violations(instance, &candidate).is_empty() {
            continue;
        }
        let value: f64 = candidate
            .assignments
            .iter()
            .map(|(flight_id, case_id)| {
                let flight = instance
                    .flights
                    .iter()
                    .find(|f| &f.id == flight_id)
                    .unwrap();
                let case = instance.cases.iter().find(|c| c.id == *case_id).unwrap();
                let weights = config.weights_for(case.nation);
                let people: f64 = case
                    .members
                    .iter()
                    .map(|m| {
                        weights.category(case.category)
                            + m.vulnerabilities
                                .iter()
                                .map(|v| weights.vulnerability(*v))
                                .sum::<f64>()
                    })
                    .sum();
                people * 0.5f64.powf((flight.slot - instance.now) as f64 / config.half_life_minutes)
            })
            .sum();
        best = best.max(value);
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn the_upper_bound_is_above_the_true_optimum(instance in arb_instance()) {
        let mut instance = instance;
        instance.flights.truncate(3);
        instance.cases.truncate(6);
        let config = Config::default();
        let plan = plan(&instance, &config).unwrap();
        let optimum = brute_force_optimum(&instance, &config);
        prop_assert!(plan.objective <= optimum * (1.0 + 1e-9) + 1e-12, "plan {} above optimum {}", plan.objective, optimum);
        prop_assert!(optimum <= plan.upper_bound * (1.0 + 1e-9) + 1e-12, "optimum {} above bound {}", optimum, plan.upper_bound);
    }
}
