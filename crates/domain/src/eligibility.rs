//! Why a case may be evacuated by a nation, and what makes its people vulnerable.

use crate::date::PartialDate;
use serde::{Deserialize, Serialize};

/// The three kinds of people a nation evacuates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Citizens of the nation.
    National,
    /// Local people who worked for the nation (interpreters, drivers, embassy staff).
    LocalStaff,
    /// People under threat: journalists, judges, defenders, activists.
    AtRisk,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::National => "national",
            Category::LocalStaff => "local_staff",
            Category::AtRisk => "at_risk",
        }
    }
}

/// Kinds of threat that make a person at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtRiskCategory {
    Journalist,
    Judge,
    Prosecutor,
    WomensRightsDefender,
    HumanRightsDefender,
    Activist,
    Artist,
    Academic,
    SecurityForces,
    ReligiousMinority,
    Other,
}

/// One ground on which a case is eligible for a nation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum EligibilityBasis {
    /// The principal is a national of the nation.
    National,
    /// The principal worked for the nation.
    Worked {
        employer: String,
        role: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<PartialDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<PartialDate>,
    },
    /// The principal is under threat.
    AtRisk {
        category: AtRiskCategory,
        reason: String,
    },
}

impl EligibilityBasis {
    pub fn category(&self) -> Category {
        match self {
            EligibilityBasis::National => Category::National,
            EligibilityBasis::Worked { .. } => Category::LocalStaff,
            EligibilityBasis::AtRisk { .. } => Category::AtRisk,
        }
    }
}

/// A case's eligibility for a nation: every ground it has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    pub bases: Vec<EligibilityBasis>,
}

impl Eligibility {
    /// The strongest category the case falls in: nationals first, then staff, then at-risk.
    pub fn primary_category(&self) -> Option<Category> {
        [Category::National, Category::LocalStaff, Category::AtRisk]
            .into_iter()
            .find(|c| self.bases.iter().any(|b| b.category() == *c))
    }
}

/// What makes a person need priority or care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vulnerability {
    UnaccompaniedMinor,
    Medical,
    Pregnancy,
    Disability,
    Elderly,
}

impl Vulnerability {
    pub const ALL: [Vulnerability; 5] = [
        Vulnerability::UnaccompaniedMinor,
        Vulnerability::Medical,
        Vulnerability::Pregnancy,
        Vulnerability::Disability,
        Vulnerability::Elderly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Vulnerability::UnaccompaniedMinor => "unaccompanied_minor",
            Vulnerability::Medical => "medical",
            Vulnerability::Pregnancy => "pregnancy",
            Vulnerability::Disability => "disability",
            Vulnerability::Elderly => "elderly",
        }
    }

    pub fn parse(text: &str) -> Option<Vulnerability> {
        let word = text.trim().to_lowercase().replace(['-', ' '], "_");
        Vulnerability::ALL.into_iter().find(|v| v.as_str() == word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_category_prefers_nationals() {
        let mut eligibility = Eligibility {
            bases: vec![EligibilityBasis::AtRisk {
                category: AtRiskCategory::Journalist,
                reason: "reported on the insurgency".into(),
            }],
        };
        assert_eq!(eligibility.primary_category(), Some(Category::AtRisk));
        eligibility.bases.push(EligibilityBasis::National);
        assert_eq!(eligibility.primary_category(), Some(Category::National));
        assert_eq!(Eligibility::default().primary_category(), None);
    }

    #[test]
    fn eligibility_serialises_with_a_tag() {
        let basis = EligibilityBasis::Worked {
            employer: "Embassy".into(),
            role: "interpreter".into(),
            from: None,
            to: None,
        };
        let json = serde_json::to_string(&basis).unwrap();
        assert_eq!(
            json,
            r#"{"basis":"worked","employer":"Embassy","role":"interpreter"}"#
        );
        assert_eq!(
            serde_json::from_str::<EligibilityBasis>(&json).unwrap(),
            basis
        );
    }
}
