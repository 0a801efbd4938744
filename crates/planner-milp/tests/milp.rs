//! The exact planner against the fast one and against enumeration, on small random instances
//! written in the file interface's CSV.

use airbridge_planner::files::{FileInstance, read_files};
use airbridge_planner::{Plan, Solver, plan, unfair_waits, violations};
use airbridge_planner_milp::MilpSolver;
use proptest::prelude::*;

const NATIONS: [&str; 3] = ["US", "GB", "DE"];
const DESTINATIONS: [&str; 2] = ["DOH", "DXB"];

type FlightRow = (usize, u32, u32, usize, Vec<usize>);
type CaseRow = (usize, u32, u32, u32, u32, Option<usize>);

/// CSV files from drawn rows. Flights depart 12–60 h after the first case is ready, so no flight
/// is in the past; every nation flies to every destination on the last day, so no nation or
/// destination is unknown.
fn files(flights: &[FlightRow], cases: &[CaseRow]) -> FileInstance {
    let mut flight_csv = String::from("flight_id,nation,capacity,departs_at,destination,carries\n");
    for (nation, code) in NATIONS.iter().enumerate() {
        for destination in DESTINATIONS {
            flight_csv +=
                &format!("X{nation}{destination},{code},12,2021-08-20T00:00:00Z,{destination},\n");
        }
    }
    for (i, (nation, capacity, hour, destination, carries)) in flights.iter().enumerate() {
        let carried: Vec<&str> = carries.iter().map(|&c| NATIONS[c]).collect();
        flight_csv += &format!(
            "F{i},{},{capacity},2021-08-16T{:02}:00:00Z,{},{}\n",
            NATIONS[*nation],
            hour % 24,
            DESTINATIONS[*destination],
            carried.join(";")
        );
    }
    let mut case_csv =
        String::from("case_id,nation,category,priority,seats,lap_infants,ready_at,destinations\n");
    for (i, (nation, priority, seats, infants, hour, only)) in cases.iter().enumerate() {
        case_csv += &format!(
            "C{i},{},national,{priority},{seats},{infants},2021-08-15T{:02}:00:00Z,{}\n",
            NATIONS[*nation],
            if i == 0 { 0 } else { hour % 24 },
            only.map(|d| DESTINATIONS[d]).unwrap_or("")
        );
    }
    read_files(case_csv.as_bytes(), flight_csv.as_bytes())
        .unwrap_or_else(|e| panic!("{e}\n{case_csv}\n{flight_csv}"))
}

fn arb_files() -> impl Strategy<Value = FileInstance> {
    let flights = prop::collection::vec(
        (
            0..3usize,
            4u32..14,
            0u32..24,
            0..2usize,
            prop::collection::vec(0..3usize, 0..2),
        ),
        1..5,
    );
    let cases = prop::collection::vec(
        (
            0..3usize,
            1u32..5,
            1u32..7,
            0u32..2,
            0u32..24,
            prop::option::of(0..2usize),
        ),
        1..9,
    );
    (flights, cases).prop_map(|(flights, cases)| files(&flights, &cases))
}

/// The best objective by trying every flight (or none) for every case.
fn brute_force(input: &FileInstance) -> f64 {
    let instance = &input.instance;
    let options = instance.flights.len() + 1;
    let mut best = 0.0f64;
    for mut code in 0..options.pow(instance.cases.len() as u32) {
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
        if violations(instance, &candidate).is_empty() {
            best = best.max(input.objective(&candidate));
        }
    }
    best
}

fn tolerance(value: f64) -> f64 {
    1e-6 * value.abs().max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn the_milp_is_optimal_feasible_and_never_below_the_fast_plan(input in arb_files()) {
        let fast = plan(&input.instance, &input.config).unwrap();
        let outcome = MilpSolver::default()
            .solve_with_outcome(&input.instance, &input.config)
            .unwrap();
        prop_assert!(outcome.proven_optimal, "{}", outcome.status);
        let exact = &outcome.plan;
        prop_assert_eq!(violations(&input.instance, exact), vec![]);
        prop_assert_eq!(violations(&input.instance, &fast), vec![]);
        let (fast_value, exact_value) = (input.objective(&fast), input.objective(exact));
        prop_assert!(fast_value <= exact_value + tolerance(exact_value), "fast {} above optimum {}", fast_value, exact_value);
        // The fast planner's bound holds for the optimum too.
        prop_assert!(exact_value <= fast.upper_bound + tolerance(exact_value), "optimum {} above the bound {}", exact_value, fast.upper_bound);
        prop_assert!(exact.upper_bound + tolerance(exact_value) >= exact_value);
    }

    #[test]
    fn the_milp_finds_what_enumeration_finds(input in arb_files()) {
        let mut input = input;
        input.instance.cases.truncate(4);
        input.instance.flights.truncate(8);
        // Proven to 1e-9 rather than the default 0.01 %, so that it must equal enumeration.
        let strict = MilpSolver { mip_rel_gap: 1e-9, ..MilpSolver::default() };
        let exact = strict.solve(&input.instance, &input.config).unwrap();
        let optimum = brute_force(&input);
        let value = input.objective(&exact);
        prop_assert!((value - optimum).abs() <= tolerance(optimum), "milp {} enumeration {}", value, optimum);
    }

    #[test]
    fn a_fair_milp_leaves_no_unfair_wait_and_stays_between_the_fast_plan_and_the_optimum(input in arb_files()) {
        let fast = plan(&input.instance, &input.config).unwrap();
        let unconstrained = MilpSolver::default()
            .solve_with_outcome(&input.instance, &input.config)
            .unwrap();
        let fair = MilpSolver { fair: true, ..MilpSolver::default() }
            .solve_with_outcome(&input.instance, &input.config)
            .unwrap();
        prop_assert_eq!(fair.unfair, 0);
        prop_assert!(fair.fairness_rounds >= 1);
        prop_assert_eq!(violations(&input.instance, &fair.plan), vec![]);
        prop_assert_eq!(
            unfair_waits(&input.instance, &input.config, &fair.plan).unwrap(),
            vec![]
        );
        let (fast_value, fair_value, best) = (
            input.objective(&fast),
            input.objective(&fair.plan),
            input.objective(&unconstrained.plan),
        );
        // The fast plan is fair, so the fair optimum is at least its value; and fairness can
        // only cost against the unconstrained optimum (both within the solver's 0.01 %).
        prop_assert!(fast_value <= fair_value + 1e-4 * fair_value.abs().max(1.0), "fast {} above fair {}", fast_value, fair_value);
        prop_assert!(fair_value <= best + 1e-4 * best.abs().max(1.0), "fair {} above optimum {}", fair_value, best);
    }
}

/// One flight of two seats, operated by the US and carrying GB: a US family of two is worth more
/// (2 × 1.2) than a GB person alone (1 × 2), but the GB person has the higher priority, so
/// flying the US family would leave them waiting unfairly.
#[test]
fn fairness_binds_only_when_asked_for() {
    let flights = "flight_id,nation,capacity,departs_at,destination,carries\n\
                   F1,US,2,2021-08-16T00:00:00Z,DOH,GB\n";
    let cases = "case_id,nation,category,priority,seats,lap_infants,ready_at,destinations\n\
                 G,GB,national,2,1,0,2021-08-15T00:00:00Z,\n\
                 U,US,national,1.2,2,0,2021-08-15T00:00:00Z,\n";
    let input = read_files(cases.as_bytes(), flights.as_bytes()).unwrap();
    let flying = |plan: &Plan| -> Vec<String> {
        plan.assignments
            .iter()
            .map(|(_, case)| input.case_ids[(case.0 - 1) as usize].clone())
            .collect()
    };
    let free = MilpSolver::default()
        .solve_with_outcome(&input.instance, &input.config)
        .unwrap();
    assert_eq!(flying(&free.plan), ["U"]);
    assert_eq!(free.fairness_rounds, 0);
    assert!(
        !unfair_waits(&input.instance, &input.config, &free.plan)
            .unwrap()
            .is_empty()
    );

    let fair = MilpSolver {
        fair: true,
        ..MilpSolver::default()
    }
    .solve_with_outcome(&input.instance, &input.config)
    .unwrap();
    assert_eq!(flying(&fair.plan), ["G"]);
    assert!(fair.proven_optimal);
    assert_eq!((fair.fairness_rounds, fair.unfair), (2, 0));
    // The fast planner is fair too, and lands on the same plan.
    assert_eq!(
        flying(&plan(&input.instance, &input.config).unwrap()),
        ["G"]
    );
}
