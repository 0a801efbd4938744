//! What each role may do. Every route names one [`Permission`] in the route table
//! (`routes.rs`); [`allows`] is the only place that says which roles hold it. Anything not
//! listed here is refused: a new permission is held by no role until it is added below.
//!
//! Which *records* a permitted caller reaches (its nation's, its organisation's, its gate's) is
//! decided by the handlers through [`crate::Principal`]; this table decides only whether the
//! action is open to the role at all.

use airbridge_domain::Role;

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Open to anyone, logged in or not (health, the login form, the first-run setup).
    Public,
    /// A session whose password was accepted and whose second factor is awaited.
    SecondFactorStep,
    /// Any logged-in caller: the dashboard, who am I, logging out.
    Authenticated,
    /// An account's own second-factor enrolment (sessions only; tokens have no account).
    EnrolSecondFactor,
    ReadNations,
    ManageNations,
    ReadOrganisations,
    ReadPersons,
    WritePersons,
    ReadCases,
    /// Submitting a case (for an NGO: for its own organisation only).
    SubmitCases,
    ChangeStatus,
    DecideEligibility,
    ReadScreening,
    DecideScreening,
    /// Deciding whether two records in the deduplication review queue are one person (binding
    /// on every later run). Reading the queue needs `ReadPersons`: it shows people's names.
    DecideDuplicates,
    /// Totals by nation and status, no personal data.
    ReadTotals,
    /// The list of people expected at a gate.
    GateList,
    /// Recording what happened at the gate: admitted, processed, denied (online or synced
    /// from a gate that worked offline).
    GateCheckIn,
    /// Calling cases forward to a gate (issuing their passes and messages) and revoking a pass.
    CallForward,
    /// The flags gates raised (a pass used twice, a person changed while a gate was offline).
    ReadGateFlags,
    /// Saying what a person found when they looked at a gate flag.
    ClearGateFlags,
    /// The flights and how full the plan in force makes them: seats and people counted; names
    /// only on the flight page, of the people the caller may read.
    ReadFlights,
    /// Running the planner on the whole registry and storing the plan in force. A plan places
    /// every nation's ready cases on every nation's flights (carriage agreements), so it is
    /// held only by cross-nation roles: a nation-bound caller would write other nations'
    /// cases' flights.
    PlanFlights,
    /// Downloading a flight's manifest (names, documents) as PDF or CSV; audited.
    PrintManifests,
    ReadAudit,
    ManageUsers,
    ManageTokens,
}

/// Whether a role holds a permission. Deny by default: every role's permissions are listed.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match permission {
        Public | SecondFactorStep | Authenticated | EnrolSecondFactor => return true,
        _ => {}
    }
    let held: &[Permission] = match role {
        Role::SystemAdmin => &[
            ReadNations,
            ManageNations,
            ReadOrganisations,
            ReadPersons,
            WritePersons,
            DecideDuplicates,
            ReadCases,
            SubmitCases,
            ChangeStatus,
            DecideEligibility,
            ReadScreening,
            DecideScreening,
            ReadTotals,
            GateList,
            GateCheckIn,
            CallForward,
            ReadGateFlags,
            ClearGateFlags,
            ReadFlights,
            PlanFlights,
            PrintManifests,
            ReadAudit,
            ManageUsers,
            ManageTokens,
        ],
        Role::NationAdmin => &[
            ReadNations,
            ReadOrganisations,
            ReadPersons,
            WritePersons,
            DecideDuplicates,
            ReadCases,
            SubmitCases,
            ChangeStatus,
            DecideEligibility,
            ReadScreening,
            DecideScreening,
            ReadTotals,
            GateList,
            GateCheckIn,
            CallForward,
            ReadGateFlags,
            ClearGateFlags,
            ReadFlights,
            PrintManifests,
            ManageUsers,
            ManageTokens,
        ],
        Role::Caseworker => &[
            ReadNations,
            ReadOrganisations,
            ReadPersons,
            WritePersons,
            DecideDuplicates,
            ReadCases,
            SubmitCases,
            ChangeStatus,
            DecideEligibility,
            ReadTotals,
            CallForward,
            ReadGateFlags,
            ClearGateFlags,
            ReadFlights,
            PrintManifests,
        ],
        Role::ScreeningOfficer => &[
            ReadNations,
            ReadOrganisations,
            ReadPersons,
            ReadCases,
            ReadScreening,
            DecideScreening,
            ReadTotals,
        ],
        Role::GateOfficer => &[GateList, GateCheckIn, ReadGateFlags],
        // The coordinator plans the airlift across nations and reads flights as figures; it
        // reads no names, so it prints no manifest.
        Role::Coordinator => &[
            ReadNations,
            ReadOrganisations,
            ReadTotals,
            ReadFlights,
            PlanFlights,
        ],
        Role::NgoSubmitter => &[ReadCases, SubmitCases],
    };
    held.contains(&permission)
}

/// The roles an administrator may give: a system administrator any, a nation administrator
/// only its nation's roles (never a cross-nation one), nobody else none.
pub fn may_grant(granter: Role, role: Role) -> bool {
    match granter {
        Role::SystemAdmin => true,
        Role::NationAdmin => role.is_bound_to_a_nation(),
        _ => false,
    }
}
