//! Airbridge's vocabulary: validated types for nations, organisations, people, family cases,
//! eligibility and the evacuation status machine.
//!
//! This crate does no I/O and reads no clock. Every type that carries a rule has a private
//! representation and a `parse`/`new` that returns a `Result`, so code that holds one of these
//! values never has to check it again.

pub mod access;
pub mod case;
pub mod date;
pub mod digits;
pub mod eligibility;
pub mod ids;
pub mod nation;
pub mod organisation;
pub mod person;
pub mod status;

pub use access::{Access, AccessError, Role};
pub use case::{Case, CaseMember, NewCase, NewMember, Relation, StatusStep};
pub use date::{Calendar, DateError, GregorianDate, PartialDate};
pub use eligibility::{AtRiskCategory, Category, Eligibility, EligibilityBasis, Vulnerability};
pub use ids::{CaseId, OrganisationId, PersonId};
pub use nation::{Nation, NationCode, NationError};
pub use organisation::{Organisation, OrganisationKind};
pub use person::{Document, DocumentKind, Email, Person, PersonError, PersonName, Phone, Sex};
pub use status::{EvacuationStatus, TransitionError};
