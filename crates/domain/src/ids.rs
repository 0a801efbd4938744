//! Identifiers of stored things. They are opaque numbers given by the store.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            /// Accepts `42` and the displayed form `P42` (with the prefix).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                let digits = s.strip_prefix($prefix).unwrap_or(s);
                digits.parse().map($name)
            }
        }
    };
}

id_type!(
    /// A person in the registry.
    PersonId,
    "P"
);
id_type!(
    /// A family case: the unit that moves together.
    CaseId,
    "C"
);
id_type!(
    /// An organisation (embassy, ministry, NGO, …).
    OrganisationId,
    "O"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_display_with_prefix_and_parse_both_forms() {
        assert_eq!(PersonId(7).to_string(), "P7");
        assert_eq!("P7".parse::<PersonId>().unwrap(), PersonId(7));
        assert_eq!("7".parse::<PersonId>().unwrap(), PersonId(7));
        assert_eq!("C12".parse::<CaseId>().unwrap(), CaseId(12));
        assert!("C12".parse::<PersonId>().is_err());
    }
}
