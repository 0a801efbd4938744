//! The Fellegi–Sunter model: for each comparison level, how often true matches (m) and
//! non-matches (u) show it, and the match weight log2(m/u) that follows.
//!
//! No labels are needed. u comes from random pairs (almost all of them are different people, so
//! their levels are the non-match distribution); m and the share of matches among candidate
//! pairs (λ) come from expectation-maximisation over the candidate pairs with u held fixed, as
//! Splink does. EM runs on distinct comparison vectors with their counts, so it costs
//! nothing next to comparing. A pair's weight is the prior's weight plus one weight per field,
//! which is what makes every decision explainable.

use std::collections::HashMap;

use crate::compare::{COMPARISONS, Comparison, FIELD_COUNT, NULL, Vector};

/// The estimated parameters of one comparison.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldModel {
    pub comparison: Comparison,
    /// P(level | match), by level.
    pub m: Vec<f64>,
    /// P(level | non-match), by level.
    pub u: Vec<f64>,
    /// Whether any pair had this field on both sides; an inactive field weighs nothing.
    pub active: bool,
}

impl FieldModel {
    /// The weight of a level in bits: log2(m/u).
    pub fn weight(&self, level: u8) -> f64 {
        if level == NULL || !self.active {
            return 0.0;
        }
        let level = usize::from(level);
        (self.m[level] / self.u[level]).log2()
    }
}

/// The fitted model. Serialisable, so a registry's model can be kept with its run and new
/// records matched later (see [`crate::Index`]) without fitting again.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Model {
    pub fields: Vec<FieldModel>,
    /// The chance that two records drawn at random are one person (the prior of every pair's
    /// weight); during EM, the share of matches among the pairs being fitted.
    pub lambda: f64,
    /// The share of matches among the candidate pairs, as EM fitted it.
    pub candidate_lambda: f64,
    pub em_iterations: usize,
    pub em_converged: bool,
    /// How many random pairs estimated u.
    pub u_samples: usize,
}

/// Smallest probability a level may have, so that a level never seen in training gives a
/// large but finite weight.
const FLOOR: f64 = 1e-6;

/// Levels whose m is bounded by what is known of real lists, because EM cannot learn it: when
/// namesakes (same names, other people) fill the training pairs, EM finds several per cent of
/// matches with birth dates more than a year apart, where real lists have at most about one
/// pair in a hundred (a wrong year typed, an age guessed); and when pairs sharing a document
/// teach it, as on the synthetic demo registry, it finds none, where real lists have some.
/// `(field, level, floor, ceiling)`.
const DISAGREEMENT_BOUNDS: [(usize, usize, f64, f64); 1] =
    [(Comparison::BirthDate as usize, 0, 0.001, 0.01)];

/// Applies [`DISAGREEMENT_BOUNDS`] to a field's m, moving the difference onto (or from) its
/// other levels in proportion, so that m still sums to one.
fn cap_disagreement(field: usize, m: &mut [f64]) {
    for &(bounded_field, level, floor, ceiling) in &DISAGREEMENT_BOUNDS {
        if bounded_field != field || level >= m.len() {
            continue;
        }
        let target = m[level].clamp(floor, ceiling);
        let excess = m[level] - target;
        if excess == 0.0 {
            continue;
        }
        let rest: f64 = m
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != level)
            .map(|(_, v)| v)
            .sum();
        if rest <= 0.0 {
            continue;
        }
        m[level] = target;
        for (i, value) in m.iter_mut().enumerate() {
            if i != level {
                *value += excess * *value / rest;
            }
        }
    }
}

/// u from level counts over random pairs: a level never seen gets half a count, so that its
/// weight is large but finite and shrinks as the sample grows.
pub(crate) fn estimate_u(counts: &[[u64; 8]; FIELD_COUNT]) -> Vec<Vec<f64>> {
    COMPARISONS
        .iter()
        .enumerate()
        .map(|(field, comparison)| {
            let levels = comparison.levels().len();
            let row = &counts[field][..levels];
            let total: u64 = row.iter().sum();
            row.iter()
                .map(|&count| {
                    let count = if count == 0 { 0.5 } else { count as f64 };
                    (count / (total as f64 + 0.5)).max(FLOOR)
                })
                .collect()
        })
        .collect()
}

/// A starting m that puts most matches in the top levels.
fn initial_m(levels: usize) -> Vec<f64> {
    let raw: Vec<f64> = (0..levels)
        .map(|level| 2f64.powi(level as i32 * 2))
        .collect();
    let mut m: Vec<f64> = raw.iter().map(|r| r / raw.iter().sum::<f64>()).collect();
    // Some matches disagree on every field: a zero here would forbid that forever.
    m[0] = m[0].max(0.05);
    let total: f64 = m.iter().sum();
    m.iter().map(|x| x / total).collect()
}

/// A model with u from random pairs and a starting m, before any EM.
pub(crate) fn initial(
    patterns: &HashMap<Vector, u64>,
    u: Vec<Vec<f64>>,
    u_samples: usize,
) -> Model {
    let mut active = [false; FIELD_COUNT];
    for vector in patterns.keys() {
        for (field, &level) in vector.iter().enumerate() {
            active[field] |= level != NULL;
        }
    }
    let fields = COMPARISONS
        .iter()
        .zip(u)
        .enumerate()
        .map(|(index, (&comparison, u))| FieldModel {
            comparison,
            m: initial_m(comparison.levels().len()),
            u,
            active: active[index],
        })
        .collect();
    Model {
        fields,
        lambda: 0.1,
        candidate_lambda: 0.1,
        em_iterations: 0,
        em_converged: true,
        u_samples,
    }
}

impl Model {
    /// One EM session, u fixed. Fields in `ignored` take no part in the E-step and keep their
    /// m: a session runs on pairs that were chosen because they agree on those fields, so
    /// their agreement says nothing there (Splink's training sessions work the same way).
    /// With `learn_m` false only λ moves: the share of matches among `patterns`.
    pub(crate) fn em(
        &mut self,
        patterns: &HashMap<Vector, u64>,
        ignored: &[usize],
        learn_m: bool,
        max_iterations: usize,
    ) {
        let used: Vec<bool> = (0..FIELD_COUNT).map(|f| !ignored.contains(&f)).collect();
        let patterns: Vec<(&Vector, f64)> = patterns.iter().map(|(v, &c)| (v, c as f64)).collect();
        let total: f64 = patterns.iter().map(|(_, c)| c).sum();
        let mut lambda = self.lambda;
        let mut iterations = 0;
        let mut converged = false;
        while iterations < max_iterations && total > 0.0 {
            iterations += 1;
            let mut m_counts: Vec<Vec<f64>> =
                self.fields.iter().map(|f| vec![0.0; f.m.len()]).collect();
            let mut matched = 0.0;
            for (vector, count) in &patterns {
                let mut log_ratio = (lambda / (1.0 - lambda)).ln();
                for (field, &level) in vector.iter().enumerate() {
                    if level != NULL && used[field] {
                        let model = &self.fields[field];
                        let level = usize::from(level);
                        log_ratio += (model.m[level] / model.u[level]).ln();
                    }
                }
                let probability = 1.0 / (1.0 + (-log_ratio).exp());
                let weight = probability * count;
                matched += weight;
                for (field, &level) in vector.iter().enumerate() {
                    if level != NULL {
                        m_counts[field][usize::from(level)] += weight;
                    }
                }
            }
            let mut change: f64 = 0.0;
            if learn_m {
                for (field, (model, counts)) in self.fields.iter_mut().zip(&m_counts).enumerate() {
                    let sum: f64 = counts.iter().sum();
                    // Too few matched pairs carry this field to say anything: keep m.
                    if !used[field] || sum < 1.0 {
                        continue;
                    }
                    let mut next: Vec<f64> = counts.iter().map(|c| (c / sum).max(FLOOR)).collect();
                    cap_disagreement(field, &mut next);
                    for (m, next) in model.m.iter_mut().zip(next) {
                        change = change.max((next - *m).abs());
                        *m = next;
                    }
                }
            }
            let next_lambda = (matched / total).clamp(1e-9, 1.0 - 1e-9);
            change = change.max((next_lambda - lambda).abs());
            lambda = next_lambda;
            if change < 1e-6 {
                converged = true;
                break;
            }
        }
        self.lambda = lambda;
        self.em_iterations += iterations;
        self.em_converged &= converged;
    }
}

impl Model {
    /// A model kept by an earlier version, brought to this version's comparisons: fields in
    /// the order of [`COMPARISONS`], a comparison it did not know (a field added since) taking
    /// no part in scoring until the next run fits it.
    pub fn with_every_comparison(mut self) -> Model {
        let fields = COMPARISONS
            .iter()
            .map(|&comparison| {
                let known = self
                    .fields
                    .iter()
                    .position(|field| field.comparison == comparison);
                match known {
                    Some(index) => self.fields.swap_remove(index),
                    None => {
                        let levels = comparison.levels().len();
                        let even = vec![1.0 / levels as f64; levels];
                        FieldModel {
                            comparison,
                            m: even.clone(),
                            u: even,
                            active: false,
                        }
                    }
                }
            })
            .collect();
        self.fields = fields;
        self
    }

    /// The chance that two random records match, given the candidate pairs' `patterns` and
    /// how many pairs there are in all (`all_pairs`), m and u held: the λ at which the matches
    /// expected among the candidates (each pair's match probability, scored with that very λ)
    /// are λ × `all_pairs`. Pairs blocking left out count as non-matches. This is EM's
    /// λ step over all pairs rather than over the candidates, where namesakes put together by
    /// blocking would count as matches and raise every pair's prior.
    ///
    /// `expected(λ) / λ` falls as λ grows, so the root is found by bisection on log λ; with
    /// no pattern evidence it is the lower bound.
    pub(crate) fn fit_prior(&mut self, patterns: &HashMap<Vector, u64>, all_pairs: f64) {
        if all_pairs <= 0.0 || patterns.is_empty() {
            return;
        }
        // Each pattern's likelihood ratio in log2, computed once.
        let ratios: Vec<(f64, f64)> = patterns
            .iter()
            .map(|(vector, &count)| {
                let bits: f64 = vector
                    .iter()
                    .enumerate()
                    .map(|(field, &level)| self.fields[field].weight(level))
                    .sum();
                (bits, count as f64)
            })
            .collect();
        let excess = |log_lambda: f64| {
            let lambda = log_lambda.exp2();
            let prior = (lambda / (1.0 - lambda)).log2();
            let expected: f64 = ratios
                .iter()
                .map(|&(bits, count)| count * probability(prior + bits))
                .sum();
            expected / all_pairs - lambda
        };
        let (mut low, mut high) = (-50.0f64, -1.0f64);
        if excess(high) >= 0.0 {
            self.lambda = high.exp2();
            return;
        }
        if excess(low) <= 0.0 {
            self.lambda = low.exp2();
            return;
        }
        for _ in 0..60 {
            let middle = (low + high) / 2.0;
            if excess(middle) > 0.0 {
                low = middle;
            } else {
                high = middle;
            }
        }
        self.lambda = low.exp2();
    }
}

/// One field's part in a pair's weight.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldWeight {
    pub field: &'static str,
    /// What the level means ("same day", "names-engine score >= 0.92"), or "missing".
    pub level: &'static str,
    /// Bits of evidence: positive for a match, negative against.
    pub weight: f64,
    /// The part of `weight` that comes from how rare the agreed value is.
    pub term_frequency: f64,
}

/// Why a pair scored what it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The prior's weight, log2(λ / (1 − λ)).
    pub prior: f64,
    pub fields: Vec<FieldWeight>,
    pub total: f64,
    pub probability: f64,
}

impl Model {
    /// The weight of the prior in bits.
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    /// A table of weights by field and level, for scoring without logarithms.
    pub(crate) fn weight_table(&self) -> Vec<Vec<f32>> {
        self.fields
            .iter()
            .map(|field| {
                (0..field.m.len())
                    .map(|level| field.weight(level as u8) as f32)
                    .collect()
            })
            .collect()
    }

    /// The term-frequency part of a top-level agreement on a value carried by `frequency` of
    /// the records: the chance that a random other record shares this very value is
    /// `frequency`, not the average u, so the weight moves by log2(u_top / frequency).
    pub fn term_frequency_weight(&self, field: usize, frequency: f64) -> f64 {
        let model = &self.fields[field];
        if !model.active || frequency <= 0.0 {
            return 0.0;
        }
        let top = model.u.len() - 1;
        // The floor keeps a value seen once (or a frequency of zero from a caller) finite.
        (model.u[top] / frequency.max(FLOOR)).log2()
    }

    /// Explains a vector (with the top-level value frequencies of the term-frequency fields).
    pub fn explain(&self, vector: &Vector, frequencies: &[f64; FIELD_COUNT]) -> Explanation {
        let prior = self.prior_weight();
        let mut total = prior;
        let mut fields = Vec::new();
        for (index, &level) in vector.iter().enumerate() {
            let model = &self.fields[index];
            if !model.active {
                continue;
            }
            let levels = model.comparison.levels();
            let is_top = level != NULL && usize::from(level) == levels.len() - 1;
            let term_frequency = if is_top && model.comparison.term_frequency_adjusted() {
                self.term_frequency_weight(index, frequencies[index])
            } else {
                0.0
            };
            let weight = model.weight(level) + term_frequency;
            total += weight;
            fields.push(FieldWeight {
                field: model.comparison.name(),
                level: if level == NULL {
                    "missing"
                } else {
                    levels[usize::from(level)]
                },
                weight,
                term_frequency,
            });
        }
        Explanation {
            prior,
            fields,
            total,
            probability: probability(total),
        }
    }
}

/// The match probability of a weight in bits.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// The weight in bits of a match probability.
pub fn weight_of(probability: f64) -> f64 {
    (probability / (1.0 - probability)).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_dates_years_apart_are_bounded_and_m_still_sums_to_one() {
        let birth = Comparison::BirthDate as usize;
        let mut m = vec![0.04, 0.01, 0.5, 0.0, 0.45];
        cap_disagreement(birth, &mut m);
        assert!((m[0] - 0.01).abs() < 1e-12);
        assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // The excess goes to the other levels in proportion: agreement grows most.
        assert!(m[2] > 0.5 && m[4] > 0.45 && m[3] == 0.0);
        // Nor is it ever taken for impossible.
        let mut m = vec![0.0, 0.0, 0.7, 0.0, 0.3];
        cap_disagreement(birth, &mut m);
        assert!((m[0] - 0.001).abs() < 1e-12);
        assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(m[2] < 0.7 && m[4] < 0.3);
        // Other fields are left alone.
        let mut given = vec![0.04, 0.96];
        cap_disagreement(Comparison::Given as usize, &mut given);
        assert_eq!(given, vec![0.04, 0.96]);
    }

    #[test]
    fn a_model_kept_before_a_field_was_added_still_scores() {
        let field = |comparison: Comparison, m: Vec<f64>, u: Vec<f64>| FieldModel {
            comparison,
            m,
            u,
            active: true,
        };
        // An older model: two fields, out of order, and no e-mail.
        let old = Model {
            fields: vec![
                field(Comparison::Sex, vec![0.1, 0.9], vec![0.5, 0.5]),
                field(
                    Comparison::Given,
                    vec![0.1, 0.1, 0.1, 0.1, 0.6],
                    vec![0.9, 0.04, 0.03, 0.02, 0.01],
                ),
            ],
            lambda: 0.001,
            candidate_lambda: 0.1,
            em_iterations: 3,
            em_converged: true,
            u_samples: 10,
        };
        let model = old.with_every_comparison();
        assert_eq!(model.fields.len(), FIELD_COUNT);
        for (field, comparison) in model.fields.iter().zip(COMPARISONS) {
            assert_eq!(field.comparison, comparison);
            assert_eq!(field.m.len(), comparison.levels().len());
        }
        let given = &model.fields[Comparison::Given as usize];
        assert!(given.active && (given.weight(4) - 60f64.log2()).abs() < 1e-9);
        let email = &model.fields[Comparison::Email as usize];
        assert!(!email.active);
        assert_eq!(email.weight(2), 0.0);
    }
}
