//! Family cases: the unit that moves together. A case is never split across flights.

use crate::eligibility::Eligibility;
use crate::ids::{CaseId, OrganisationId, PersonId};
use crate::nation::NationCode;
use crate::person::Person;
use crate::status::EvacuationStatus;
use serde::{Deserialize, Serialize};

/// How a member of a case stands to its principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Principal,
    Spouse,
    Child,
    Parent,
    Sibling,
    Grandparent,
    Grandchild,
    OtherRelative,
    /// Not family: an escort for an unaccompanied minor, a carer.
    Escort,
}

impl Relation {
    pub const ALL: [Relation; 9] = [
        Relation::Principal,
        Relation::Spouse,
        Relation::Child,
        Relation::Parent,
        Relation::Sibling,
        Relation::Grandparent,
        Relation::Grandchild,
        Relation::OtherRelative,
        Relation::Escort,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Principal => "principal",
            Relation::Spouse => "spouse",
            Relation::Child => "child",
            Relation::Parent => "parent",
            Relation::Sibling => "sibling",
            Relation::Grandparent => "grandparent",
            Relation::Grandchild => "grandchild",
            Relation::OtherRelative => "other_relative",
            Relation::Escort => "escort",
        }
    }

    /// Reads the words lists use, in English, French, Dari and Pashto ("wife", "son",
    /// "épouse", "همسر", "زوی").
    pub fn parse(text: &str) -> Option<Relation> {
        let word = text.trim().to_lowercase().replace(['-', ' '], "_");
        // "child 3", "son_2": the number only orders children.
        // Persian and Arabic-Indic digits too: "فرزند ۱".
        let word = word.trim_end_matches(|c: char| c.is_numeric() || c == '_');
        Some(match word {
            "principal" | "self" | "head" | "applicant" | "main" | "titulaire" | "demandeur"
            | "سرپرست" | "خود" | "متقاضی" => Relation::Principal,
            "spouse" | "wife" | "husband" | "épouse" | "epouse" | "époux" | "epoux"
            | "conjoint" | "conjointe" | "همسر" | "زن" | "شوهر" | "خانم" | "ښځه" | "میړه" => {
                Relation::Spouse
            }
            "child" | "son" | "daughter" | "enfant" | "fils" | "fille" | "فرزند" | "پسر"
            | "دختر" | "اولاد" | "زوی" | "لور" | "ماشوم" => Relation::Child,
            "parent" | "father" | "mother" | "père" | "pere" | "mère" | "mere" | "پدر" | "مادر"
            | "پلار" | "مور" => Relation::Parent,
            "sibling" | "brother" | "sister" | "frère" | "frere" | "sœur" | "soeur" | "برادر"
            | "خواهر" | "ورور" | "خور" => Relation::Sibling,
            "grandparent" | "grandfather" | "grandmother" | "grand_père" | "grand_mère"
            | "پدربزرگ" | "مادربزرگ" | "نیکه" | "انا" => {
                Relation::Grandparent
            }
            "grandchild" | "grandson" | "granddaughter" | "petit_fils" | "petite_fille"
            | "نواسه" | "لمسی" => Relation::Grandchild,
            "other_relative" | "relative" | "other" | "nephew" | "niece" | "uncle" | "aunt"
            | "cousin" | "in_law" | "parent_éloigné" | "خویشاوند" | "خپلوان" => {
                Relation::OtherRelative
            }
            "escort" | "carer" | "guardian" | "accompagnant" | "tuteur" | "سرپرست_قانونی" => {
                Relation::Escort
            }
            _ => return None,
        })
    }
}

/// One person in a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseMember {
    pub person: PersonId,
    pub relation: Relation,
}

/// A family case submitted to one nation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub nation: NationCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<OrganisationId>,
    /// The case or family number the submitting list used, kept to trace rows back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The principal first, then dependents in the order they were listed.
    pub members: Vec<CaseMember>,
}

impl Case {
    pub fn principal(&self) -> Option<PersonId> {
        self.members
            .iter()
            .find(|m| m.relation == Relation::Principal)
            .map(|m| m.person)
    }

    /// Seats the case needs (lap infants are the planner's concern: it knows ages).
    pub fn size(&self) -> usize {
        self.members.len()
    }
}

/// A dependent or principal of a case being registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMember {
    pub relation: Relation,
    pub person: Person,
}

/// A step a newly registered case has already taken, for lists that arrive with decisions
/// made (an embassy's list of people it has already found eligible). Applied through the
/// transition table like any other status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusStep {
    pub to: EvacuationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A case being registered: exactly one principal, any number of dependents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCase {
    pub nation: NationCode,
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub eligibility: Eligibility,
    pub members: Vec<NewMember>,
    /// Status steps every member takes right after registration, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub progress: Vec<StatusStep>,
}

#[cfg(test)]
mod tests {
    use super::Relation;

    #[test]
    fn relation_words() {
        let check = |word: &str, expected: Option<Relation>| {
            assert_eq!(Relation::parse(word), expected, "{word:?}");
        };
        for relation in Relation::ALL {
            check(relation.as_str(), Some(relation));
        }
        check("Wife", Some(Relation::Spouse));
        check("child 3", Some(Relation::Child));
        check("فرزند ۲", Some(Relation::Child));
        check("زوی ۳", Some(Relation::Child));
        check("Épouse", Some(Relation::Spouse));
        check("همسر", Some(Relation::Spouse));
        check("زوی", Some(Relation::Child));
        check("neighbour", None);
    }
}
