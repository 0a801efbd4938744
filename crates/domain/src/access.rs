//! Who may act, and for whom: the roles of people and integrations, and the nation,
//! organisation or gate a role is bound to. What each role may do is decided by the web layer's
//! policy; this module only says which bindings make sense for a role.

use crate::{NationCode, OrganisationId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A role. Every account and API token has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Creates nations and their administrators; acts across nations.
    SystemAdmin,
    /// Runs one nation's cell: its users, tokens, people and cases.
    NationAdmin,
    /// Registers and updates one nation's people and cases.
    Caseworker,
    /// Reviews one nation's sanctions screening hits.
    ScreeningOfficer,
    /// Works one gate: sees only the people expected there.
    GateOfficer,
    /// Sees totals across nations, never another nation's personal data.
    Coordinator,
    /// An NGO that submits lists for a nation and sees only its own submissions.
    NgoSubmitter,
}

/// Why a role and its bindings were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("'{0}' is not a role: use one of {1}")]
    UnknownRole(String, String),
    #[error("a {0} acts for one nation: give its nation")]
    NationRequired(Role),
    #[error("a {0} acts across nations and is not bound to one: leave the nation out")]
    NationNotAllowed(Role),
    #[error("an ngo_submitter submits for one organisation: give its organisation")]
    OrganisationRequired,
    #[error("only an ngo_submitter is bound to an organisation")]
    OrganisationNotAllowed,
    #[error("a gate_officer works one gate: give its gate (e.g. \"Abbey Gate\")")]
    GateRequired,
    #[error("only a gate_officer is bound to a gate")]
    GateNotAllowed,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::SystemAdmin,
        Role::NationAdmin,
        Role::Caseworker,
        Role::ScreeningOfficer,
        Role::GateOfficer,
        Role::Coordinator,
        Role::NgoSubmitter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::NationAdmin => "nation_admin",
            Role::Caseworker => "caseworker",
            Role::ScreeningOfficer => "screening_officer",
            Role::GateOfficer => "gate_officer",
            Role::Coordinator => "coordinator",
            Role::NgoSubmitter => "ngo_submitter",
        }
    }

    /// Reads `system_admin`, `system-admin` or `System Admin`.
    pub fn parse(text: &str) -> Result<Role, AccessError> {
        let word = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == word)
            .ok_or_else(|| {
                AccessError::UnknownRole(
                    text.trim().to_owned(),
                    Role::ALL.map(Role::as_str).join(", "),
                )
            })
    }

    /// Whether the role acts for exactly one nation (otherwise it acts across nations).
    pub fn is_bound_to_a_nation(self) -> bool {
        !matches!(self, Role::SystemAdmin | Role::Coordinator)
    }

    /// Administrators must pass a second factor (TOTP) before they can do anything else.
    pub fn needs_second_factor(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::NationAdmin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role with what it is bound to: a nation, an NGO's organisation, a gate. Only consistent
/// combinations can be built.
/// Serialised for display and audit only: it is built through [`Access::new`], never read back
/// from outside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Access {
    role: Role,
    nation: Option<NationCode>,
    organisation: Option<OrganisationId>,
    gate: Option<String>,
}

impl Access {
    /// Checks that the bindings fit the role: a nation for nation-bound roles and none for
    /// cross-nation ones, an organisation exactly for NGO submitters, a gate exactly for gate
    /// officers.
    pub fn new(
        role: Role,
        nation: Option<NationCode>,
        organisation: Option<OrganisationId>,
        gate: Option<String>,
    ) -> Result<Access, AccessError> {
        let gate = gate.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty());
        match (role.is_bound_to_a_nation(), nation) {
            (true, None) => return Err(AccessError::NationRequired(role)),
            (false, Some(_)) => return Err(AccessError::NationNotAllowed(role)),
            _ => {}
        }
        match (role == Role::NgoSubmitter, organisation) {
            (true, None) => return Err(AccessError::OrganisationRequired),
            (false, Some(_)) => return Err(AccessError::OrganisationNotAllowed),
            _ => {}
        }
        match (role == Role::GateOfficer, &gate) {
            (true, None) => return Err(AccessError::GateRequired),
            (false, Some(_)) => return Err(AccessError::GateNotAllowed),
            _ => {}
        }
        Ok(Access {
            role,
            nation,
            organisation,
            gate,
        })
    }

    /// The access of a token made before roles existed: an operator's token (no nation) is a
    /// system administrator's, a nation's token its administrator's.
    pub fn legacy_token(nation: Option<NationCode>) -> Access {
        Access {
            role: match nation {
                None => Role::SystemAdmin,
                Some(_) => Role::NationAdmin,
            },
            nation,
            organisation: None,
            gate: None,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The nation this access is bound to; `None` acts across nations.
    pub fn nation(&self) -> Option<NationCode> {
        self.nation
    }

    pub fn organisation(&self) -> Option<OrganisationId> {
        self.organisation
    }

    pub fn gate(&self) -> Option<&str> {
        self.gate.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr() -> Option<NationCode> {
        Some(NationCode::parse("FR").unwrap())
    }

    #[test]
    fn roles_read_in_several_spellings() {
        assert_eq!(Role::parse("system-admin"), Ok(Role::SystemAdmin));
        assert_eq!(Role::parse(" Gate Officer "), Ok(Role::GateOfficer));
        assert!(matches!(
            Role::parse("admin"),
            Err(AccessError::UnknownRole(..))
        ));
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
    }

    #[test]
    fn bindings_must_fit_the_role() {
        let check = |role, nation, org: Option<i64>, gate: Option<&str>| {
            Access::new(
                role,
                nation,
                org.map(OrganisationId),
                gate.map(str::to_owned),
            )
            .map(|_| ())
        };
        assert_eq!(check(Role::SystemAdmin, None, None, None), Ok(()));
        assert_eq!(
            check(Role::SystemAdmin, fr(), None, None),
            Err(AccessError::NationNotAllowed(Role::SystemAdmin))
        );
        assert_eq!(
            check(Role::Caseworker, None, None, None),
            Err(AccessError::NationRequired(Role::Caseworker))
        );
        assert_eq!(check(Role::Coordinator, None, None, None), Ok(()));
        assert_eq!(
            check(Role::NgoSubmitter, fr(), None, None),
            Err(AccessError::OrganisationRequired)
        );
        assert_eq!(check(Role::NgoSubmitter, fr(), Some(3), None), Ok(()));
        assert_eq!(
            check(Role::Caseworker, fr(), Some(3), None),
            Err(AccessError::OrganisationNotAllowed)
        );
        assert_eq!(
            check(Role::GateOfficer, fr(), None, Some("  ")),
            Err(AccessError::GateRequired)
        );
        assert_eq!(
            check(Role::GateOfficer, fr(), None, Some("Abbey Gate")),
            Ok(())
        );
        assert_eq!(
            check(Role::NationAdmin, fr(), None, Some("Abbey Gate")),
            Err(AccessError::GateNotAllowed)
        );
    }

    #[test]
    fn legacy_tokens_keep_what_they_could_do() {
        assert_eq!(Access::legacy_token(None).role(), Role::SystemAdmin);
        assert_eq!(Access::legacy_token(fr()).role(), Role::NationAdmin);
        assert_eq!(Access::legacy_token(fr()).nation(), fr());
    }
}
