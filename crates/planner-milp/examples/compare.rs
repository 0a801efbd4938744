//! Where the fast plan and the MILP's plan differ, for tuning the fast planner: seats used,
//! units placed only by one, and the value each flight carries in both.
//!
//! `cargo run --release -p airbridge-planner-milp --example compare -- CASES.csv FLIGHTS.csv [SECONDS]`

use airbridge_domain::CaseId;
use airbridge_planner::files::read_files;
use airbridge_planner::{FlightId, plan};
use airbridge_planner_milp::MilpSolver;
use std::collections::HashMap;
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (cases, flights, limit) = match args.as_slice() {
        [_, cases, flights] => (cases, flights, 60.0),
        [_, cases, flights, limit] => (cases, flights, limit.parse().unwrap_or(60.0)),
        _ => {
            eprintln!("usage: compare CASES.csv FLIGHTS.csv [SECONDS]");
            std::process::exit(2);
        }
    };
    let read = |path: &str| std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let input = read_files(&read(cases), &read(flights)).unwrap_or_else(|e| panic!("{e}"));
    let fast = plan(&input.instance, &input.config).expect("plans");
    let solver = MilpSolver {
        time_limit: Duration::from_secs_f64(limit),
        ..MilpSolver::default()
    };
    let exact = solver
        .solve_with_outcome(&input.instance, &input.config)
        .expect("solves")
        .plan;
    println!(
        "fast {:.3}  milp {:.3}  ({:.3}% below)",
        fast.objective,
        exact.objective,
        100.0 * (exact.objective - fast.objective) / exact.objective
    );
    let seats: HashMap<CaseId, u32> = input
        .instance
        .cases
        .iter()
        .map(|c| (c.id, c.seats()))
        .collect();
    let of = |p: &airbridge_planner::Plan| -> HashMap<CaseId, FlightId> {
        p.assignments.iter().map(|(f, c)| (*c, f.clone())).collect()
    };
    let (a, b) = (of(&fast), of(&exact));
    let only_fast: u32 = a
        .keys()
        .filter(|c| !b.contains_key(c))
        .map(|c| seats[c])
        .sum();
    let only_milp: u32 = b
        .keys()
        .filter(|c| !a.contains_key(c))
        .map(|c| seats[c])
        .sum();
    let moved = a
        .iter()
        .filter(|(c, f)| b.get(*c).is_some_and(|g| g != *f))
        .count();
    let used = |p: &airbridge_planner::Plan| p.flights.iter().map(|f| f.seats_used).sum::<u32>();
    println!(
        "seats used fast {} milp {}; seats of cases only fast places {only_fast}, only milp {only_milp}; cases on another flight {moved}",
        used(&fast),
        used(&exact)
    );
    let mut size_hist: HashMap<u32, (u32, u32)> = HashMap::new();
    for c in a.keys().filter(|c| !b.contains_key(c)) {
        size_hist.entry(seats[c]).or_default().0 += 1;
    }
    for c in b.keys().filter(|c| !a.contains_key(c)) {
        size_hist.entry(seats[c]).or_default().1 += 1;
    }
    let mut sizes: Vec<_> = size_hist.into_iter().collect();
    sizes.sort();
    println!("family size: (only fast, only milp) {sizes:?}");
    let loads = |p: &airbridge_planner::Plan| -> HashMap<FlightId, u32> {
        p.flights
            .iter()
            .map(|f| (f.flight.clone(), f.seats_used))
            .collect()
    };
    let (la, lb) = (loads(&fast), loads(&exact));
    let mut differing = 0;
    for flight in &fast.flights {
        let (x, y) = (la[&flight.flight], lb[&flight.flight]);
        if x != y {
            differing += 1;
            if differing <= 30 {
                println!(
                    "  {} capacity {} fast {x} milp {y}",
                    flight.flight.0, flight.capacity
                );
            }
        }
    }
    println!("flights with other loads: {differing}");
    if std::env::var_os("COMPARE_CASES").is_some() {
        let slot: HashMap<&FlightId, i64> = input
            .instance
            .flights
            .iter()
            .map(|f| (&f.id, f.slot / 3600))
            .collect();
        let show =
            |f: Option<&FlightId>| f.map_or("-".to_owned(), |f| format!("{}@{}h", f.0, slot[f]));
        for case in &input.instance.cases {
            let (x, y) = (a.get(&case.id), b.get(&case.id));
            if x != y {
                println!(
                    "  case {} {} seats {} ready {}h dest {:?}: fast {} milp {}",
                    case.id.0,
                    case.nation,
                    case.seats(),
                    case.ready_at / 3600,
                    case.destinations
                        .iter()
                        .map(|d| d.0.as_str())
                        .collect::<Vec<_>>(),
                    show(x),
                    show(y)
                );
            }
        }
    }
}
