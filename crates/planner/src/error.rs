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
}

impl PlanError {
    pub fn kind(&self) -> PlanErrorKind {
        match self {
            PlanError::DuplicateFlight(_)
            | PlanError::DuplicateCase(_)
            | PlanError::UnknownFlight(_) => PlanErrorKind::Instance,
            PlanError::InvalidHalfLife(_) | PlanError::InvalidWeights { .. } => {
                PlanErrorKind::Config
            }
        }
    }
}
