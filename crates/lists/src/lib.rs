//! Lists in and out: evacuation lists as people send them — CSV in any encoding and delimiter,
//! XLSX, XLS, ODS, PFIF — read into validated cases with a report for every row; and exports that
//! carry only what was asked for and cannot execute in a spreadsheet.
//!
//! The crate does no file or database I/O: callers hand it bytes and get values back. Reading
//! never panics on any input; every problem is a [`RowIssue`] on the row it concerns (line,
//! column, value, why, how to fix) or a [`ReadError`] for a file that cannot be read at all.

pub mod export;
pub mod families;
mod header;
pub mod mapping;
mod ods;
pub mod pfif;
pub mod read;
pub mod row_keys;
pub mod rows;
pub mod stream;
pub mod values;
pub mod workbook;
mod xlsx;

pub use families::{FamilyChunks, ImportedCase, ImportedMember, Piece, build_cases};
pub use mapping::{ColumnMapping, Field, MappingFile};
pub use read::{ReadError, SourceFormat, Table, read_table};
pub use row_keys::RowKeys;
pub use rows::{ParsedRow, RowIssue, RowStatus, Severity, parse_chunk, parse_rows};
pub use stream::CsvRows;
pub use workbook::Workbook;
