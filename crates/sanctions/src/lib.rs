//! Sanctions lists for screening evacuees: readers for the UN Security Council Consolidated List
//! (official XML) and the US OFAC SDN list (legacy CSV trio `sdn.csv`, `alt.csv`, `add.csv`),
//! one model for both, and a diff between two versions of a list.
//!
//! The crate does no file I/O: readers take any [`std::io::BufRead`] / [`std::io::Read`] the
//! caller opened. They stream and never panic on data. A record they cannot fully read is kept
//! as far as it goes and reported as a [`ReadWarning`]; only a broken file structure (XML that
//! is not well formed, a truncated file, a CSV row that cannot be split) stops a read, with a
//! [`ReadError`] saying where.

pub mod dates;
pub mod diff;
pub mod model;
pub mod ofac;
pub mod un;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use dates::{DateQualifier, ListedDate};
pub use diff::{FieldChange, ListDiff, diff};
pub use model::{
    Entry, EntryKind, KindCounts, ListSource, ListedAddress, ListedDocument, ListedName,
    NameQuality, SanctionsList, Script,
};
pub use ofac::read_ofac;
pub use un::read_un;

/// A record the reader kept only in part, or skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadWarning {
    /// Which record: its reference when known ("TAi.155", "OFAC 6635"), else its position.
    pub record: String,
    pub message: String,
}

impl fmt::Display for ReadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.record, self.message)
    }
}

/// One of the files of OFAC's CSV trio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfacFile {
    Sdn,
    Alt,
    Add,
}

impl fmt::Display for OfacFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OfacFile::Sdn => "sdn.csv",
            OfacFile::Alt => "alt.csv",
            OfacFile::Add => "add.csv",
        })
    }
}

/// Why a list could not be read at all. Each variant says where the reader stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The XML is not well formed, or the input could not be read (the I/O error is in the
    /// message: quick-xml reports both the same way).
    #[error("UN XML is malformed at byte {position}: {message}")]
    Xml { position: u64, message: String },
    /// The document is XML but not the UN consolidated list.
    #[error(
        "not a UN consolidated list: the root element is <{found}>, expected <CONSOLIDATED_LIST>"
    )]
    NotUnList { found: String },
    /// The input ended before the document did.
    #[error("UN XML ends at byte {position} inside <{element}>: the file is truncated")]
    Truncated { position: u64, element: String },
    /// A CSV file could not be split into rows, or could not be read.
    #[error("OFAC {file} is malformed at row {row}: {message}")]
    Csv {
        file: OfacFile,
        row: u64,
        message: String,
    },
}

/// What a [`ReadError`] is about, for callers that map errors to exit codes or statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadErrorKind {
    /// The file is not what the reader expected (wrong format, broken or truncated).
    Malformed,
    /// The file is well formed but of another kind.
    WrongFormat,
}

impl ReadError {
    pub fn kind(&self) -> ReadErrorKind {
        match self {
            ReadError::NotUnList { .. } => ReadErrorKind::WrongFormat,
            ReadError::Xml { .. } | ReadError::Truncated { .. } | ReadError::Csv { .. } => {
                ReadErrorKind::Malformed
            }
        }
    }
}
