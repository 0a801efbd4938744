//! Why the planner refuses an input. Problems with single cases (blocked, no escort, no seat) are
//! not errors: they are reported per case in the plan.

use airbridge_domain::CaseId;

use crate::model::FlightId;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("flight {0} appears more than once")]
    DuplicateFlight(FlightId),
    #[error("case {0} appears more than once")]
    DuplicateCase(CaseId),
    #[error("unknown flight {0}")]
    UnknownFlight(FlightId),
    #[error("the half-life must be a positive number of minutes, not {0}")]
    InvalidHalfLife(f64),
    #[error("the value per seat of case {0} must be finite and not negative")]
    InvalidValue(CaseId),
    #[error("a solver's answer breaks the rules: {0}")]
    InfeasibleChoice(String),
    #[error("the solver failed: {0}")]
    SolverFailed(String),
    #[error("the weights of {nation} must be finite and not negative")]
    InvalidWeights { nation: String },
}

/// The broad kind of a [`PlanError`], for callers that map errors to exit codes or statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanErrorKind {
    /// The instance contradicts itself (duplicate ids) or a change names an unknown flight.
    Instance,
    /// The configuration is unusable.
    Config,
    /// A solver (such as the exact MILP) failed or answered with a plan that breaks the rules.
    Solver,
}

impl PlanError {
    pub fn kind(&self) -> PlanErrorKind {
        match self {
            PlanError::DuplicateFlight(_)
            | PlanError::DuplicateCase(_)
            | PlanError::UnknownFlight(_)
            | PlanError::InvalidValue(_) => PlanErrorKind::Instance,
            PlanError::InvalidHalfLife(_) | PlanError::InvalidWeights { .. } => {
                PlanErrorKind::Config
            }
            PlanError::InfeasibleChoice(_) | PlanError::SolverFailed(_) => PlanErrorKind::Solver,
        }
    }
}
