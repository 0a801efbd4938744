//! Solves CASES.csv and FLIGHTS.csv (issue 7's file interface) with the MILP and prints one line:
//! seconds, objective, bound, proven or not, HiGHS's status, binary variables.
//!
//! `cargo run --release -p airbridge-planner-milp --example milp_files -- CASES.csv FLIGHTS.csv [SECONDS]`

use airbridge_planner::files::read_files;
use airbridge_planner::violations;
use airbridge_planner_milp::MilpSolver;
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (cases, flights, limit) = match args.as_slice() {
        [_, cases, flights] => (cases, flights, 600.0),
        [_, cases, flights, limit] => (cases, flights, limit.parse().unwrap_or(600.0)),
        _ => {
            eprintln!("usage: milp_files CASES.csv FLIGHTS.csv [SECONDS]");
            std::process::exit(2);
        }
    };
    let read = |path: &str| std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let input = read_files(&read(cases), &read(flights)).unwrap_or_else(|e| panic!("{e}"));
    let mut solver = MilpSolver {
        time_limit: Duration::from_secs_f64(limit),
        verbose: std::env::var_os("MILP_VERBOSE").is_some(),
        fair: std::env::var_os("MILP_FAIR").is_some(),
        ..MilpSolver::default()
    };
    if let Some(gap) = std::env::var("MIP_GAP").ok().and_then(|v| v.parse().ok()) {
        solver.mip_rel_gap = gap;
    }
    let outcome = solver
        .solve_with_outcome(&input.instance, &input.config)
        .expect("the solver runs");
    assert!(violations(&input.instance, &outcome.plan).is_empty());
    println!(
        "milp seconds {:.2} objective {:.6} bound {:.6} proven {} status {} pairs {} fairness rounds {} unfair {}",
        outcome.elapsed.as_secs_f64(),
        input.objective(&outcome.plan),
        outcome.plan.upper_bound,
        outcome.proven_optimal,
        outcome.status,
        outcome.pairs,
        outcome.fairness_rounds,
        outcome.unfair
    );
}
