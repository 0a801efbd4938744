//! The planning problem as a solver in another crate sees it: boarding units with their seats,
//! flights with their capacities, and for each unit the flights it may board with the value it
//! would have there. A solver answers with a flight (or none) per unit and gets back a [`Plan`]
//! checked against the seats and the options, so it can never hand out an infeasible one.

use crate::bound;
use crate::error::PlanError;
use crate::model::Instance;
use crate::plan::Plan;
use crate::priority::Config;
use crate::problem::Problem;
use crate::search::Search;

pub struct AssignmentProblem<'a> {
    problem: Problem<'a>,
}

impl<'a> AssignmentProblem<'a> {
    pub fn new(instance: &'a Instance, config: &'a Config) -> Result<Self, PlanError> {
        Ok(AssignmentProblem {
            problem: Problem::new(instance, config)?,
        })
    }

    /// Boarding units (a case, or an escort with the minors it escorts).
    pub fn units(&self) -> usize {
        self.problem.units.len()
    }

    /// Planned flights, in slot order; a flight is named by its position here.
    pub fn flights(&self) -> usize {
        self.problem.flights.len()
    }

    pub fn seats(&self, unit: usize) -> u32 {
        self.problem.units[unit].seats
    }

    /// The nation whose fairness claim the unit carries (its escort's, or its case's).
    pub fn nation(&self, unit: usize) -> airbridge_domain::NationCode {
        self.problem.units[unit].nation
    }

    /// The unit's value per seat before the flight's discount: its rank in fairness.
    pub fn priority(&self, unit: usize) -> f64 {
        self.problem.units[unit].priority
    }

    pub fn capacity(&self, flight: usize) -> u32 {
        self.problem.capacities[flight]
    }

    /// The flights `unit` may board (rules, ready time, and a cabin large enough) with the value
    /// the unit adds to the objective there.
    pub fn options(&self, unit: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.problem
            .feasible_flights(unit)
            .iter()
            .filter(move |&&p| {
                self.problem.units[unit].seats <= self.problem.capacities[p as usize]
            })
            .map(move |&p| (p as usize, self.problem.value_at(unit, p)))
    }

    /// The fast planner's choice (the same plan [`crate::plan`] makes), as a starting point.
    pub fn fast_choice(&self) -> Vec<Option<usize>> {
        let (search, _, _) = crate::solve(&self.problem);
        search
            .placed
            .iter()
            .map(|p| p.map(|p| p as usize))
            .collect()
    }

    /// The plan that puts each unit on the flight `choice` names, with `upper_bound` as its
    /// bound (a solver's own; the better of it and the planner's Lagrangian bound is kept).
    /// Refuses a choice that gives a unit a flight it may not board or overfills a flight.
    pub fn plan(&self, choice: &[Option<usize>], upper_bound: f64) -> Result<Plan, PlanError> {
        if choice.len() != self.units() {
            return Err(PlanError::InfeasibleChoice(format!(
                "{} choices for {} units",
                choice.len(),
                self.units()
            )));
        }
        let mut search = Search::new(&self.problem);
        for (unit, flight) in choice.iter().enumerate() {
            let Some(flight) = *flight else { continue };
            let position = u32::try_from(flight).unwrap_or(u32::MAX);
            if flight >= self.flights() || !self.problem.can_board(unit, position) {
                return Err(PlanError::InfeasibleChoice(format!(
                    "unit {unit} may not board flight {flight}"
                )));
            }
            search.place(unit, position);
        }
        if let Some(flight) = (0..self.flights()).find(|&f| search.used[f] > self.capacity(f)) {
            return Err(PlanError::InfeasibleChoice(format!(
                "flight {} gets {} seats of {}",
                flight,
                search.used[flight],
                self.capacity(flight)
            )));
        }
        let (own, prices) = bound::upper_bound_and_prices(&search);
        let bound = own.min(upper_bound.max(search.objective()));
        Ok(search.into_plan(bound, &prices))
    }
}
