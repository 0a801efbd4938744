//! What a seat is worth: each nation's weights per category and vulnerability, and the discount
//! that makes an earlier departure worth more than a later one.

use crate::error::PlanError;
use crate::model::Minutes;
use airbridge_domain::{Category, NationCode, Vulnerability};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One nation's weights. A person is worth the weight of the case's category plus the weight of
/// each of their vulnerabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityWeights {
    pub national: f64,
    pub local_staff: f64,
    pub at_risk: f64,
    pub unaccompanied_minor: f64,
    pub medical: f64,
    pub pregnancy: f64,
    pub disability: f64,
    pub elderly: f64,
}

impl Default for PriorityWeights {
    fn default() -> Self {
        PriorityWeights {
            national: 1.0,
            local_staff: 1.0,
            at_risk: 1.0,
            unaccompanied_minor: 0.5,
            medical: 0.5,
            pregnancy: 0.3,
            disability: 0.3,
            elderly: 0.2,
        }
    }
}

impl PriorityWeights {
    pub fn category(&self, category: Category) -> f64 {
        match category {
            Category::National => self.national,
            Category::LocalStaff => self.local_staff,
            Category::AtRisk => self.at_risk,
        }
    }

    pub fn vulnerability(&self, vulnerability: Vulnerability) -> f64 {
        match vulnerability {
            Vulnerability::UnaccompaniedMinor => self.unaccompanied_minor,
            Vulnerability::Medical => self.medical,
            Vulnerability::Pregnancy => self.pregnancy,
            Vulnerability::Disability => self.disability,
            Vulnerability::Elderly => self.elderly,
        }
    }

    fn all(&self) -> [f64; 8] {
        [
            self.national,
            self.local_staff,
            self.at_risk,
            self.unaccompanied_minor,
            self.medical,
            self.pregnancy,
            self.disability,
            self.elderly,
        ]
    }
}

/// Which waiting the value of a seat discounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discount {
    /// `0.5^((slot − now) / half_life)`: the same factor for everyone on a flight, so earlier
    /// flights are worth more and a unit's priority is its value per seat on every flight.
    #[default]
    Slot,
    /// `0.5^((slot − ready_at) / half_life)`, the objective of the file interface in issue 7.
    /// It factors as `2^((ready_at − now)/half_life) · 0.5^((slot − now)/half_life)`, so the
    /// planner treats the first factor as part of the case's value (people who became ready
    /// later are worth more per seat on every flight) and the rest is unchanged.
    Wait,
}

/// How the planner values and searches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Weights of nations that configured their own.
    #[serde(default)]
    pub weights: BTreeMap<NationCode, PriorityWeights>,
    /// Weights of every other nation.
    #[serde(default)]
    pub default_weights: PriorityWeights,
    /// A seat's value halves every `half_life_minutes` (see [`Discount`]).
    pub half_life_minutes: f64,
    #[serde(default)]
    pub discount: Discount,
    /// Rounds of the subgradient method that tightens the upper bound.
    pub bound_iterations: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            weights: BTreeMap::new(),
            default_weights: PriorityWeights::default(),
            half_life_minutes: 24.0 * 60.0,
            discount: Discount::Slot,
            bound_iterations: 60,
        }
    }
}

impl Config {
    pub fn weights_for(&self, nation: NationCode) -> &PriorityWeights {
        self.weights.get(&nation).unwrap_or(&self.default_weights)
    }

    /// Refuses weights that would make values meaningless (negative, NaN, infinite).
    pub fn validate(&self) -> Result<(), PlanError> {
        if !(self.half_life_minutes.is_finite() && self.half_life_minutes > 0.0) {
            return Err(PlanError::InvalidHalfLife(self.half_life_minutes));
        }
        let all = std::iter::once((None, &self.default_weights))
            .chain(self.weights.iter().map(|(n, w)| (Some(*n), w)));
        for (nation, weights) in all {
            if weights.all().iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
                return Err(PlanError::InvalidWeights {
                    nation: nation
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "default".into()),
                });
            }
        }
        Ok(())
    }

    /// The part of the discount that belongs to a case (1 unless discounting the wait).
    pub(crate) fn case_factor(&self, ready_at: Minutes, now: Minutes) -> f64 {
        match self.discount {
            Discount::Slot => 1.0,
            Discount::Wait => self.halvings(now - ready_at),
        }
    }

    /// The part of the discount that belongs to a flight.
    pub(crate) fn flight_factor(&self, slot: Minutes, now: Minutes) -> f64 {
        self.halvings(slot - now)
    }

    /// `0.5^(minutes / half_life)`, with the exponent clamped so absurd clocks cannot overflow.
    fn halvings(&self, minutes: Minutes) -> f64 {
        (-(minutes as f64 / self.half_life_minutes))
            .clamp(-1000.0, 1000.0)
            .exp2()
    }
}
