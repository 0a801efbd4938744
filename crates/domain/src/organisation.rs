//! Organisations that submit and sponsor people: embassies, ministries, armed forces, NGOs,
//! media and employers, each attached to one nation.

use crate::ids::OrganisationId;
use crate::nation::NationCode;
use serde::{Deserialize, Serialize};

/// What kind of body an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Embassy,
    Ministry,
    ArmedForces,
    Ngo,
    Media,
    Employer,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 6] = [
        OrganisationKind::Embassy,
        OrganisationKind::Ministry,
        OrganisationKind::ArmedForces,
        OrganisationKind::Ngo,
        OrganisationKind::Media,
        OrganisationKind::Employer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Embassy => "embassy",
            OrganisationKind::Ministry => "ministry",
            OrganisationKind::ArmedForces => "armed_forces",
            OrganisationKind::Ngo => "ngo",
            OrganisationKind::Media => "media",
            OrganisationKind::Employer => "employer",
        }
    }

    /// Parses the stored or typed form (`ngo`, `armed-forces`, `Armed forces`).
    pub fn parse(text: &str) -> Option<OrganisationKind> {
        let normal = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        OrganisationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == normal)
    }
}

/// An organisation attached to a nation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub nation: NationCode,
    pub name: String,
    pub kind: OrganisationKind,
}

#[cfg(test)]
mod tests {
    use super::OrganisationKind;

    #[test]
    fn kinds_round_trip_and_accept_loose_spelling() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(
            OrganisationKind::parse("Armed forces"),
            Some(OrganisationKind::ArmedForces)
        );
        assert_eq!(OrganisationKind::parse("church"), None);
    }
}
