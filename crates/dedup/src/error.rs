//! The errors the engine reports: only for inputs it cannot work with at all; bad cells are
//! reported per row as messages, never as errors.

/// What went wrong, for a caller that needs to tell a user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DedupError {
    #[error("no record_id (or rec_id) column: every row needs an id to be clustered")]
    MissingRecordId,
    #[error(
        "unknown field {0:?} in the column mapping; fields are record_id, given_name, family_name, surname, father_name, grandfather_name, full_name, sex, dob, passport, tazkira, document, soc_sec_id, phone, postcode, street_number, address_1, address_2, suburb, state, place_of_birth, email, occupation, case_id, relation"
    )]
    UnknownField(String),
    #[error("record id {0:?} appears more than once")]
    DuplicateId(String),
    #[error("a record has an empty id (row {0})")]
    EmptyId(usize),
    #[error("threshold {0} is not a probability strictly between 0 and 1")]
    Threshold(f64),
}

/// The broad kind of a [`DedupError`]: a user's input or configuration to correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DedupErrorKind {
    Input,
    Config,
}

impl DedupError {
    pub fn kind(&self) -> DedupErrorKind {
        match self {
            DedupError::Threshold(_) | DedupError::UnknownField(_) => DedupErrorKind::Config,
            _ => DedupErrorKind::Input,
        }
    }
}
