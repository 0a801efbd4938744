//! The exact planner: the assignment of boarding units to flights as a mixed-integer program,
//! solved by HiGHS through good_lp.
//!
//! ```text
//! max  Σ_(u,f) value_uf · x_uf
//! s.t. Σ_f x_uf ≤ 1                 for every unit u   (a family flies once, whole)
//!      Σ_u seats_u · x_uf ≤ cap_f    for every flight f
//!      x_uf ∈ {0, 1}, only for the flights u may board (rules, ready time, cabin size)
//! ```
//!
//! HiGHS starts from the fast planner's plan, so a time limit still returns at least that plan,
//! and the plan's bound is HiGHS's proven dual bound (or the fast planner's Lagrangian bound when
//! that is tighter): the gap is what is *proven*, zero (to `mip_rel_gap`) when optimal.
//!
//! Fairness between nations (the fast planner's repair) is a constraint only with
//! `MilpSolver::fair`, added lazily for the waits a solve left unfair; without it the MILP
//! maximises the objective alone, as issue 7's file interface defines it.

use airbridge_planner::{AssignmentProblem, Config, Instance, Plan, PlanError, Solver};
use good_lp::{Expression, ProblemVariables, SolverModel, Variable, variable};
use std::time::{Duration, Instant};

/// How the exact solver runs.
#[derive(Debug, Clone, PartialEq)]
pub struct MilpSolver {
    /// HiGHS stops after this long and returns its best plan with the proven bound.
    pub time_limit: Duration,
    /// Relative gap at which HiGHS calls a plan optimal: 1e-4 (0.01 %), HiGHS's own default and
    /// what MILP solvers mean by "proven optimal". Tighter costs much: on a 3,000-case instance
    /// the last hundredth of a percent is most of the work.
    pub mip_rel_gap: f64,
    /// HiGHS's threads (1 keeps results reproducible).
    pub threads: u32,
    /// HiGHS's log on standard output.
    pub verbose: bool,
    /// Enforce the fast planner's fairness rule as constraints: no unit waits while a flight it
    /// could board carries people of another nation with a strictly lower priority whose seats
    /// would make room for it. Added lazily: solve, find the unfair waits in the plan, forbid
    /// them, solve again (at most `MAX_FAIRNESS_ROUNDS` times, all within `time_limit`). Off for
    /// the file interface, whose objective and feasibility issue 7 defines without it.
    pub fair: bool,
}

/// Rounds of the lazy fairness constraints; after the last, the plan is returned as found, and
/// `MilpOutcome::unfair` says how many waits are still unfair.
pub const MAX_FAIRNESS_ROUNDS: usize = 8;

impl Default for MilpSolver {
    fn default() -> Self {
        MilpSolver {
            time_limit: Duration::from_secs(600),
            mip_rel_gap: 1e-4,
            threads: 1,
            verbose: false,
            fair: false,
        }
    }
}

/// What the exact solver found and proved.
#[derive(Debug, Clone, PartialEq)]
pub struct MilpOutcome {
    pub plan: Plan,
    /// HiGHS proved the plan optimal within `mip_rel_gap`.
    pub proven_optimal: bool,
    /// HiGHS's model status, as HiGHS names it (`Optimal`, `ReachedTimeLimit`, …).
    pub status: String,
    /// Binary variables: the (unit, flight) pairs that may happen.
    pub pairs: usize,
    pub elapsed: Duration,
    /// With `fair`: the rounds solved, and the unfair waits left in the plan (0 unless the
    /// rounds or the time ran out).
    pub fairness_rounds: usize,
    pub unfair: usize,
}

impl MilpSolver {
    /// Solves `instance` exactly (or until the time limit) and says what was proven.
    pub fn solve_with_outcome(
        &self,
        instance: &Instance,
        config: &Config,
    ) -> Result<MilpOutcome, PlanError> {
        let started = Instant::now();
        let problem = AssignmentProblem::new(instance, config)?;
        let start = problem.fast_choice();
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        let mut rounds = 0;
        loop {
            rounds += 1;
            let left = self.time_limit.saturating_sub(started.elapsed());
            let solved = self.solve_once(&problem, &start, &cuts, left)?;
            let unfair = if self.fair {
                unfair_waits(&problem, &solved.choice)
            } else {
                Vec::new()
            };
            let out_of_time = started.elapsed() >= self.time_limit;
            if unfair.is_empty() || rounds >= MAX_FAIRNESS_ROUNDS || out_of_time {
                let plan = match problem.plan(&solved.choice, solved.bound) {
                    Ok(plan) => plan,
                    Err(_) => problem.plan(&start, solved.bound)?,
                };
                let proven_optimal = unfair.is_empty()
                    && solved.status == "Optimal"
                    && solved.mip_gap.is_finite()
                    && solved.mip_gap <= self.mip_rel_gap;
                return Ok(MilpOutcome {
                    plan,
                    proven_optimal,
                    status: solved.status,
                    pairs: solved.pairs,
                    elapsed: started.elapsed(),
                    fairness_rounds: if self.fair { rounds } else { 0 },
                    unfair: unfair.len(),
                });
            }
            cuts.extend(unfair);
            cuts.sort_unstable();
            cuts.dedup();
        }
    }

    /// One HiGHS solve with the fairness cuts `(waiting unit, flight)` found so far.
    fn solve_once(
        &self,
        problem: &AssignmentProblem<'_>,
        start: &[Option<usize>],
        cuts: &[(usize, usize)],
        time_limit: Duration,
    ) -> Result<Solved, PlanError> {
        let units = problem.units();
        let flights = problem.flights();

        let mut variables = ProblemVariables::new();
        let mut pairs: Vec<(usize, usize, Variable)> = Vec::new();
        let mut objective = Expression::default();
        let mut per_unit: Vec<Expression> = vec![Expression::default(); units];
        let mut per_flight: Vec<Expression> = vec![Expression::default(); flights];
        let mut on_flight: Vec<Vec<(usize, Variable)>> = vec![Vec::new(); flights];
        let mut of_unit: Vec<Vec<Variable>> = vec![Vec::new(); units];
        for (unit, unit_expression) in per_unit.iter_mut().enumerate() {
            let seats = f64::from(problem.seats(unit));
            for (flight, value) in problem.options(unit) {
                let x = variables.add(variable().binary());
                pairs.push((unit, flight, x));
                objective.add_mul(value, x);
                unit_expression.add_mul(1.0, x);
                per_flight[flight].add_mul(seats, x);
                on_flight[flight].push((unit, x));
                of_unit[unit].push(x);
            }
        }
        let initial: Vec<f64> = pairs
            .iter()
            .map(|&(unit, flight, _)| f64::from(u8::from(start[unit] == Some(flight))))
            .collect();
        let mut model = variables.maximise(objective).using(good_lp::highs);
        let mut unit_has = vec![false; units];
        let mut flight_has = vec![false; flights];
        for &(unit, flight, _) in &pairs {
            unit_has[unit] = true;
            flight_has[flight] = true;
        }
        // Fairness: unit h waits only if flight f is full enough without the seats of
        // lower-priority people of other nations: Σ_{u not lower} seats_u·x_uf ≥ need·(1 − Σ_g x_hg),
        // need = capacity_f − seats_h + 1 (seats are whole, so "free + lower < seats_h").
        for &(h, f) in cuts {
            let need = f64::from(problem.capacity(f)) - f64::from(problem.seats(h)) + 1.0;
            let mut expression = Expression::default();
            for &(u, x) in &on_flight[f] {
                if !lower(problem, u, h) {
                    expression.add_mul(f64::from(problem.seats(u)), x);
                }
            }
            for &x in &of_unit[h] {
                expression.add_mul(need, x);
            }
            model.add_constraint(expression.geq(need));
        }
        for (expression, _) in per_unit.into_iter().zip(&unit_has).filter(|(_, has)| **has) {
            model.add_constraint(expression.leq(1.0));
        }
        for (flight, expression) in per_flight.into_iter().enumerate() {
            if flight_has[flight] {
                model.add_constraint(expression.leq(f64::from(problem.capacity(flight))));
            }
        }
        if pairs.is_empty() {
            return Ok(Solved {
                choice: vec![None; units],
                bound: 0.0,
                status: "Empty".into(),
                mip_gap: 0.0,
                pairs: 0,
            });
        }

        let mut highs = model.into_inner();
        highs.make_quiet();
        if self.verbose {
            highs.set_option("output_flag", true);
            highs.set_option("log_to_console", true);
        }
        let options: [(&str, f64); 2] = [
            ("time_limit", time_limit.as_secs_f64().max(0.001)),
            ("mip_rel_gap", self.mip_rel_gap),
        ];
        for (name, value) in options {
            highs
                .try_set_option(name, value)
                .map_err(|e| PlanError::SolverFailed(format!("option {name}: {e:?}")))?;
        }
        highs
            .try_set_option("threads", i32::try_from(self.threads.max(1)).unwrap_or(1))
            .map_err(|e| PlanError::SolverFailed(format!("option threads: {e:?}")))?;
        highs
            .try_set_solution(Some(&initial), None, None, None)
            .map_err(|e| PlanError::SolverFailed(format!("starting plan: {e:?}")))?;
        let solved = highs
            .try_solve()
            .map_err(|e| PlanError::SolverFailed(format!("{e:?}")))?;
        let status = format!("{:?}", solved.status());
        let columns = solved.get_solution().columns().to_vec();
        let dual_bound = solved
            .double_info_value(c"mip_dual_bound")
            .unwrap_or(f64::INFINITY);
        let mip_gap = solved.mip_gap();

        // HiGHS's values are floats: a binary is taken when above one half, and a plan HiGHS
        // could not better (or that the rounding broke) falls back to the start.
        let mut choice: Vec<Option<usize>> = vec![None; units];
        for (&(unit, flight, _), value) in pairs.iter().zip(&columns) {
            if *value > 0.5 {
                choice[unit] = Some(flight);
            }
        }
        let bound = if dual_bound.is_finite() {
            // The bound HiGHS proves is on its floats; the margin covers their tolerance.
            dual_bound + 1e-6 * dual_bound.abs().max(1.0)
        } else {
            f64::INFINITY
        };
        Ok(Solved {
            choice,
            bound,
            status,
            mip_gap,
            pairs: pairs.len(),
        })
    }
}

/// One solve's result.
struct Solved {
    choice: Vec<Option<usize>>,
    bound: f64,
    status: String,
    mip_gap: f64,
    pairs: usize,
}

/// `u` counts as lower than `h` in fairness: another nation, strictly lower priority.
fn lower(problem: &AssignmentProblem<'_>, u: usize, h: usize) -> bool {
    problem.nation(u) != problem.nation(h) && problem.priority(u) < problem.priority(h)
}

/// The (waiting unit, flight) pairs where the unit waits unfairly in `choice`: the flight's free
/// seats plus those of lower-priority units of other nations aboard would hold it.
fn unfair_waits(problem: &AssignmentProblem<'_>, choice: &[Option<usize>]) -> Vec<(usize, usize)> {
    let mut aboard: Vec<Vec<usize>> = vec![Vec::new(); problem.flights()];
    let mut used = vec![0u32; problem.flights()];
    for (unit, flight) in choice.iter().enumerate() {
        if let Some(f) = *flight {
            aboard[f].push(unit);
            used[f] += problem.seats(unit);
        }
    }
    let mut unfair = Vec::new();
    for (h, flight) in choice.iter().enumerate() {
        if flight.is_some() || problem.seats(h) == 0 {
            continue;
        }
        for (f, _) in problem.options(h) {
            let free = problem.capacity(f).saturating_sub(used[f]);
            let lower_seats: u32 = aboard[f]
                .iter()
                .filter(|&&u| lower(problem, u, h))
                .map(|&u| problem.seats(u))
                .sum();
            if free + lower_seats >= problem.seats(h) {
                unfair.push((h, f));
            }
        }
    }
    unfair
}

impl Solver for MilpSolver {
    fn solve(&self, instance: &Instance, config: &Config) -> Result<Plan, PlanError> {
        self.solve_with_outcome(instance, config)
            .map(|outcome| outcome.plan)
    }
}
