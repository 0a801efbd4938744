//! Plans CASES.csv and FLIGHTS.csv (issue 7's file interface) with the fast planner and prints
//! the time, objective, bound and gap; then cancels the largest flight and re-plans.
//!
//! `cargo run --release -p airbridge-planner --example plan_files -- CASES.csv FLIGHTS.csv`

use airbridge_planner::files::read_files;
use airbridge_planner::{Change, plan, replan, violations};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, cases, flights] = args.as_slice() else {
        eprintln!("usage: plan_files CASES.csv FLIGHTS.csv");
        std::process::exit(2);
    };
    let read = |path: &str| std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let started = Instant::now();
    let mut input = read_files(&read(cases), &read(flights)).unwrap_or_else(|e| panic!("{e}"));
    if let Some(iterations) = std::env::var("BOUND_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        input.config.bound_iterations = iterations;
    }
    let read_time = started.elapsed();
    let started = Instant::now();
    let first = plan(&input.instance, &input.config).expect("a valid instance");
    let plan_time = started.elapsed();
    let used: u32 = first.flights.iter().map(|f| f.seats_used).sum();
    let capacity: u32 = first.flights.iter().map(|f| f.capacity).sum();
    println!("seats used {used} of {capacity}");
    assert!(violations(&input.instance, &first).is_empty());
    println!(
        "read {:.0} ms  plan {:.0} ms  objective {:.3}  bound {:.3}  gap {:.3}%  cases {}/{}  exact objective {:.3}",
        read_time.as_secs_f64() * 1e3,
        plan_time.as_secs_f64() * 1e3,
        first.objective,
        first.upper_bound,
        100.0 * first.gap,
        first.assignments.len(),
        input.instance.cases.len(),
        input.objective(&first),
    );
    let Some(largest) = input
        .instance
        .flights
        .iter()
        .max_by_key(|f| (f.capacity(), f.id.clone()))
    else {
        return;
    };
    let after = Change::Cancelled {
        flight: largest.id.clone(),
    }
    .apply(&input.instance)
    .expect("a known flight");
    let started = Instant::now();
    let second = replan(&after, &first, &input.config).expect("a valid instance");
    let replan_time = started.elapsed();
    assert!(violations(&after, &second).is_empty());
    let stability = second.stability.clone().unwrap_or_default();
    println!(
        "replan after cancelling {} ({} seats): {:.0} ms  kept {}  moved {}  dropped {}  gap {:.3}%",
        largest.id,
        largest.capacity(),
        replan_time.as_secs_f64() * 1e3,
        stability.kept,
        stability.moved,
        stability.dropped,
        100.0 * second.gap
    );
}
