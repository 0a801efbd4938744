//! Errors the names engine reports as values: only building knowledge from caller data can fail.

/// What went wrong when reading caller-supplied name knowledge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamesError {
    /// A line of a frequency table was not `token<TAB>count`.
    #[error("frequency table line {line}: expected `token<TAB>count`, got {text:?}")]
    BadFrequencyLine { line: usize, text: String },
}

/// A stable, matchable classification of [`NamesError`] (ripgrep-style `kind()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamesErrorKind {
    /// The caller's data was malformed.
    BadInput,
}

impl NamesError {
    /// The kind of error, for callers that map errors to codes.
    pub fn kind(&self) -> NamesErrorKind {
        match self {
            NamesError::BadFrequencyLine { .. } => NamesErrorKind::BadInput,
        }
    }
}
