//! Screening people against sanctions lists: is this evacuee someone the UN (or OFAC) lists?
//!
//! [`ScreeningIndex::build`] turns one or more [`SanctionsList`]s into an in-memory index: every
//! name of every listed individual (primary name, aliases, original-script names) parsed once by
//! the names engine, and an inverted index from blocking keys to names, so that a query is
//! compared with a handful of entries instead of the whole list. [`ScreeningIndex::screen`] then
//! scores each candidate entry, combining the name score with birth-date, nationality and
//! document evidence, and returns [`Hit`]s with a field-by-field [`Explanation`].
//!
//! The crate does no I/O, reads no clock, is deterministic (same index and query, same hits in
//! the same order) and never panics on data.
//!
//! ```
//! use airbridge_sanctions::{Entry, EntryKind, ListSource, ListedName, NameQuality, SanctionsList};
//! use airbridge_screening::{Query, ScreenConfig, ScreeningIndex};
//!
//! let mut entry = Entry::new("TAi.004", EntryKind::Individual);
//! entry.names.push(ListedName::whole("Abdul Ghani Baradar", NameQuality::Primary));
//! let list = SanctionsList { source: ListSource::Un, version_date: None, entries: vec![entry] };
//! let index = ScreeningIndex::build(&[&list], &Default::default());
//! let hits = index.screen(&Query::by_name("Abdulghani Biradar"), &ScreenConfig::default());
//! assert_eq!(hits[0].entry_ref, "TAi.004");
//! ```
//!
//! [`SanctionsList`]: airbridge_sanctions::SanctionsList

mod countries;
pub mod evidence;
pub mod index;
pub mod query;
pub mod screen;
mod spelling;

pub use countries::nation_of_country;
pub use evidence::{
    BirthDateEvidence, DocumentEvidence, NameEvidence, NationalityEvidence, OneStringEvidence,
    parse_birth_date,
};
pub use index::{IndexConfig, IndexStats, ScreeningIndex};
pub use query::{Query, QueryError};
pub use screen::{Explanation, Hit, HitSummary, ScreenConfig};
