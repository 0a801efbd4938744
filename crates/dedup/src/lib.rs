//! The deduplication engine: finds the same person across lists and nations.
//!
//! Records are prepared once (names parsed by the names engine, dates made Gregorian day
//! ranges), blocked on several keys into candidate pairs, compared field by field into
//! comparison levels, scored with a Fellegi–Sunter model whose m and u are estimated without
//! labels (u from random pairs, m by EM), and clustered so that one weak link cannot chain two
//! people together. Pure: no I/O, no clock; deterministic for a given input and [`Config`].
//!
//! ```
//! use airbridge_dedup::{Config, Deduplicator, Record};
//! let engine = airbridge_names::NameEngine::new();
//! let record = |id: &str, name: &str, dob: &str| {
//!     let mut record = Record { id: id.into(), full: Some(name.into()), ..Record::default() };
//!     record.birth_date = airbridge_domain::PartialDate::parse(dob, None).ok();
//!     record
//! };
//! let records = vec![
//!     record("a", "Mohammad Hashem Ahmadzai", "1985-03-21"),
//!     record("b", "Muhammad Hashim Ahmadzai", "1364"),
//!     record("c", "Fatima Rahimi", "1990-07-01"),
//! ];
//! let outcome = Deduplicator::new(&engine, Config::default()).unwrap().run(&records).unwrap();
//! assert_eq!(outcome.records(), 3);
//! ```

mod block;
mod cluster;
mod compare;
mod error;
pub mod evaluate;
mod household;
mod index;
mod model;
mod record;

use std::collections::{HashMap, HashSet};

use airbridge_names::NameEngine;
use rayon::prelude::*;

pub use block::{BlockingReport, Rule};
pub use cluster::{Decided, Rules as ClusterRules, cluster, cluster_with};
pub use compare::{COMPARISONS, Comparison, FIELD_COUNT, NULL, Vector};
pub use error::{DedupError, DedupErrorKind};
pub use index::{Index, Match};
pub use model::{Explanation, FieldModel, FieldWeight, Model, probability, weight_of};
pub use record::{Columns, Field, Record};

use compare::{Comparer, Names, Prepared};

/// What the engine may spend and where it draws lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Match probability at or above which a pair is a link for clustering.
    pub threshold: f64,
    /// Blocks with more records than this are skipped (and counted).
    pub max_block: usize,
    /// A list with at most this many pairs is compared whole, pair by pair, instead of by
    /// blocking: keys exist to make a large list affordable, and a small one does not need
    /// them (the default, a million pairs, is a list of 1,414 records, scored in well under
    /// a second). 0 always blocks.
    pub exhaustive_pairs: u64,
    /// Random pairs drawn to estimate u.
    pub u_samples: usize,
    pub em_max_iterations: usize,
    /// Mean cross-pair match probability two groups need to merge (each pair scored with
    /// `cluster_prior_share` of the prior).
    pub cluster_support: f64,
    /// A cross pair below this match probability (scored the same way) stops two groups from
    /// merging.
    pub cluster_veto: f64,
    /// The share of the prior match weight kept when the cross pairs of two groups being
    /// merged are scored: 1 judges them as strangers, 0 on their own evidence alone.
    pub cluster_prior_share: f64,
    /// Whether members of family cases that share a person are matched by relation (see
    /// the `household` module); needs `case` and `relation` on the records.
    pub households: bool,
    /// Members of a large group checked when merging (see [`cluster`]).
    pub cluster_max_checked: usize,
    /// Seed of the random pairs for u.
    pub seed: u64,
    /// Pairs each EM training session compares at most (an even sample of its pairs).
    pub training_pairs: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            threshold: 0.9,
            max_block: 64,
            exhaustive_pairs: 1_000_000,
            u_samples: 60_000,
            em_max_iterations: 200,
            cluster_support: 0.5,
            cluster_veto: 0.001,
            cluster_prior_share: 0.85,
            households: true,
            cluster_max_checked: 32,
            seed: 42,
            training_pairs: 500_000,
        }
    }
}

/// Runs deduplication with one configuration.
#[derive(Debug, Clone)]
pub struct Deduplicator<'e> {
    engine: &'e NameEngine,
    config: Config,
}

/// What reviewers decided about pairs of records, by record id: binding on every run. A pair
/// decided `apart` never ends in one cluster (nor is it offered for review again by callers
/// that keep decisions); a pair decided `together` always does, unless an `apart` decision
/// contradicts it. Ids not in the input are ignored (a record since removed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions {
    pub together: Vec<(String, String)>,
    pub apart: Vec<(String, String)>,
}

/// The stages of a run, in order, as [`Deduplicator::run_observed`] reports their end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Records prepared (names parsed, dates read) and value frequencies counted.
    Prepared,
    /// Blocking keys made and candidate pairs listed.
    Blocked,
    /// Random pairs compared for u.
    SampledU,
    /// Candidate pairs compared.
    Compared,
    /// m and λ fitted by EM.
    Trained,
    /// Candidate pairs scored and links chosen.
    Scored,
    /// Links clustered.
    Clustered,
    /// Family members matched by relation.
    Households,
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// For each input record, the id of its cluster: the smallest record id in it.
    pub cluster_ids: Vec<String>,
    pub clusters: usize,
    pub model: Model,
    pub blocking: BlockingReport,
    /// Candidate pairs `(i, j)`, `i < j`, sorted, by record position: those blocking's keys
    /// made and those of [`Outcome::household_pairs`].
    pub candidate_pairs: Vec<(u32, u32)>,
    /// The candidate pairs no key made, compared because their two family cases share a link
    /// (sorted; empty without households).
    pub household_pairs: Vec<(u32, u32)>,
    /// Each candidate pair's match weight in bits.
    pub pair_weights: Vec<f32>,
    /// Pairs at or above the threshold.
    pub links: usize,
    /// Clusters joined because two family cases already shared a person.
    pub household_links: usize,
    /// Links made by the evidence of two whole families (see [`Outcome::household_pairs`]),
    /// before clustering.
    pub family_links: usize,
    /// Pairs compared: candidates, plus the cross pairs clustering scored on demand.
    pub pairs_scored: usize,
    /// Pairs the EM training sessions compared (a sample of the pairs their keys make).
    pub training_pairs: usize,
    prepared: Vec<Prepared>,
    frequencies: Vec<[f32; 4]>,
}

/// What a run keeps of a record besides its prepared values.
struct Head {
    id: String,
    case: Option<String>,
    relation: Option<airbridge_domain::Relation>,
}

impl From<Record> for Head {
    fn from(record: Record) -> Head {
        Head {
            id: record.id,
            case: record.case,
            relation: record.relation,
        }
    }
}

/// Fails on an empty or repeated record id.
fn check_ids(records: &[Record]) -> Result<(), DedupError> {
    let mut seen = HashSet::with_capacity(records.len());
    for (row, record) in records.iter().enumerate() {
        if record.id.is_empty() {
            return Err(DedupError::EmptyId(row + 1));
        }
        if !seen.insert(record.id.as_str()) {
            return Err(DedupError::DuplicateId(record.id.clone()));
        }
    }
    Ok(())
}

/// Fields whose top level is adjusted for term frequency, by vector position.
const TF_FIELDS: [usize; 4] = [0, 1, 2, 3];

/// A small, fast, seeded generator (SplitMix64): deterministic u sampling without a dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(bound)) >> 64) as u64
    }
}

/// Each record's share of records carrying its exact value, for each term-frequency field.
fn count_frequencies(prepared: &[Prepared], plains: usize) -> Vec<[f32; 4]> {
    let mut counts = vec![[0u32; 4]; plains];
    let mut carried = [0u32; 4];
    for record in prepared {
        for (slot, &field) in TF_FIELDS.iter().enumerate() {
            if let Some(value) = name_slot(record, field) {
                counts[value.plain_id as usize][slot] += 1;
                carried[slot] += 1;
            }
        }
    }
    prepared
        .iter()
        .map(|record| {
            let mut shares = [0.0f32; 4];
            for (slot, &field) in TF_FIELDS.iter().enumerate() {
                if let Some(value) = name_slot(record, field) {
                    let count = counts[value.plain_id as usize][slot].max(1);
                    shares[slot] = count as f32 / carried[slot].max(1) as f32;
                }
            }
            shares
        })
        .collect()
}

fn name_slot(record: &Prepared, field: usize) -> Option<&compare::NameValue> {
    match field {
        0 => record.given.as_deref(),
        1 => record.family.as_deref(),
        2 => record.full.as_deref(),
        _ => record.father.as_deref(),
    }
}

/// Pairs compared a batch at a time by [`compare_interned`].
const COMPARE_BATCH: usize = 1 << 20;

/// The comparison vectors of many pairs, each distinct vector stored once: a registry's
/// millions of candidate pairs fall into far fewer patterns, and a pattern's index is a
/// fifth of a vector's size.
struct Interned {
    /// The distinct vectors, in order of first appearance.
    patterns: Vec<Vector>,
    /// How many pairs have each pattern.
    counts: Vec<u64>,
    /// Each pair's pattern.
    of_pair: Vec<u32>,
}

impl Interned {
    /// The patterns with their counts, as EM takes them.
    fn counted(&self) -> HashMap<Vector, u64> {
        self.patterns
            .iter()
            .copied()
            .zip(self.counts.iter().copied())
            .collect()
    }
}

/// Compares `pairs` on all cores (a batch at a time, each thread remembering the name levels
/// it has seen) and interns their vectors.
fn compare_interned(engine: &NameEngine, prepared: &[Prepared], pairs: &[(u32, u32)]) -> Interned {
    let mut index: HashMap<Vector, u32> = HashMap::new();
    let mut interned = Interned {
        patterns: Vec::new(),
        counts: Vec::new(),
        of_pair: Vec::with_capacity(pairs.len()),
    };
    for batch in pairs.chunks(COMPARE_BATCH) {
        let vectors: Vec<Vector> = batch
            .par_iter()
            .map_init(
                || Comparer::new(engine),
                |comparer, &(a, b)| comparer.compare(&prepared[a as usize], &prepared[b as usize]),
            )
            .collect();
        for vector in vectors {
            let next = interned.patterns.len() as u32;
            let id = *index.entry(vector).or_insert(next);
            if id == next {
                interned.patterns.push(vector);
                interned.counts.push(0);
            }
            interned.counts[id as usize] += 1;
            interned.of_pair.push(id);
        }
    }
    interned
}

/// Match probability at or above which a pair's two family cases are compared member by
/// member (see `household::linked_case_pairs` and `household::family_links`).
const FAMILY_PLAUSIBLE: f64 = 0.05;

/// Merges a sorted list of distinct pairs and their weights into another, in place (from the
/// back, so that only the grown lists are ever allocated beside the old).
fn merge_sorted(
    mut pairs: Vec<(u32, u32)>,
    mut weights: Vec<f32>,
    more: &[(u32, u32)],
    more_weights: &[f32],
) -> (Vec<(u32, u32)>, Vec<f32>) {
    let (mut i, mut j) = (pairs.len(), more.len());
    // Exactly: growing by the usual doubling would hold up to twice the run's pairs.
    pairs.reserve_exact(j);
    weights.reserve_exact(j);
    pairs.resize(i + j, (0, 0));
    weights.resize(i + j, 0.0);
    while j > 0 {
        let slot = i + j - 1;
        if i > 0 && pairs[i - 1] > more[j - 1] {
            pairs[slot] = pairs[i - 1];
            weights[slot] = weights[i - 1];
            i -= 1;
        } else {
            pairs[slot] = more[j - 1];
            weights[slot] = more_weights[j - 1];
            j -= 1;
        }
    }
    (pairs, weights)
}

/// Scores vectors fast: weights by field and level, plus the term-frequency adjustment.
struct Scorer {
    prior: f32,
    table: Vec<Vec<f32>>,
    /// u of each term-frequency field's top level.
    top_u: [f64; 4],
    active: [bool; 4],
}

impl Scorer {
    fn new(model: &Model) -> Scorer {
        Scorer {
            prior: model.prior_weight() as f32,
            table: model.weight_table(),
            top_u: TF_FIELDS.map(|f| model.fields[f].u.last().copied().unwrap_or(1.0)),
            active: TF_FIELDS.map(|f| model.fields[f].active),
        }
    }

    fn weight(&self, vector: &Vector, a: &[f32; 4], b: &[f32; 4]) -> f32 {
        let mut weight = self.prior;
        for (field, &level) in vector.iter().enumerate() {
            if level != NULL {
                weight += self.table[field][usize::from(level)];
            }
        }
        for (slot, &field) in TF_FIELDS.iter().enumerate() {
            let top = self.table[field].len() - 1;
            if self.active[slot] && usize::from(vector[field]) == top {
                let frequency = f64::from(a[slot].max(b[slot])).max(1e-6);
                weight += (self.top_u[slot] / frequency).log2() as f32;
            }
        }
        weight
    }
}

impl<'e> Deduplicator<'e> {
    /// Checks the configuration.
    pub fn new(engine: &'e NameEngine, config: Config) -> Result<Deduplicator<'e>, DedupError> {
        if !(config.threshold > 0.0 && config.threshold < 1.0) {
            return Err(DedupError::Threshold(config.threshold));
        }
        Ok(Deduplicator { engine, config })
    }

    /// Deduplicates `records`. Fails only on ids (empty or repeated).
    pub fn run(&self, records: &[Record]) -> Result<Outcome, DedupError> {
        self.run_with(records, &Decisions::default())
    }

    /// Deduplicates `records` bound by reviewers' `decisions` (see [`Decisions`]).
    pub fn run_with(
        &self,
        records: &[Record],
        decisions: &Decisions,
    ) -> Result<Outcome, DedupError> {
        self.run_observed(records, decisions, |_| {})
    }

    /// [`Deduplicator::run_with`], telling `observe` as each [`Stage`] ends (for progress and
    /// for timing by the caller: the engine reads no clock).
    pub fn run_observed(
        &self,
        records: &[Record],
        decisions: &Decisions,
        observe: impl FnMut(Stage),
    ) -> Result<Outcome, DedupError> {
        check_ids(records)?;
        let engine = self.engine;
        let names = Names::new(engine, records);
        let prepared: Vec<Prepared> = records
            .par_iter()
            .map(|record| Prepared::new(engine, &names, record))
            .collect();
        let heads = records
            .iter()
            .map(|record| Head {
                id: record.id.clone(),
                case: record.case.clone(),
                relation: record.relation,
            })
            .collect();
        let plains = names.plains;
        drop(names);
        self.resolve(heads, prepared, plains, decisions, observe)
    }

    /// [`Deduplicator::run_observed`] on records the run may consume: each is dropped as soon
    /// as it is prepared, so that a large file's records and their prepared values are never
    /// all in memory together (the caller keeps the ids it needs beforehand).
    pub fn run_owned(
        &self,
        records: Vec<Record>,
        decisions: &Decisions,
        observe: impl FnMut(Stage),
    ) -> Result<Outcome, DedupError> {
        check_ids(&records)?;
        let engine = self.engine;
        let names = Names::new(engine, &records);
        let (heads, prepared): (Vec<Head>, Vec<Prepared>) = records
            .into_par_iter()
            .map(|record| {
                let prepared = Prepared::new(engine, &names, &record);
                (Head::from(record), prepared)
            })
            .unzip();
        let plains = names.plains;
        drop(names);
        self.resolve(heads, prepared, plains, decisions, observe)
    }

    /// The run after preparation: blocking, u, EM, scoring, clustering, households.
    fn resolve(
        &self,
        heads: Vec<Head>,
        prepared: Vec<Prepared>,
        plains: usize,
        decisions: &Decisions,
        mut observe: impl FnMut(Stage),
    ) -> Result<Outcome, DedupError> {
        let position: HashMap<&str, u32> = heads
            .iter()
            .enumerate()
            .map(|(index, record)| (record.id.as_str(), index as u32))
            .collect();
        let positions = |pairs: &[(String, String)]| -> Vec<(u32, u32)> {
            pairs
                .iter()
                .filter_map(|(a, b)| {
                    let (a, b) = (*position.get(a.as_str())?, *position.get(b.as_str())?);
                    (a != b).then_some((a.min(b), a.max(b)))
                })
                .collect()
        };
        let mut together = positions(&decisions.together);
        let mut apart = positions(&decisions.apart);
        together.sort_unstable();
        apart.sort_unstable();
        drop(position);
        let engine = self.engine;
        let config = &self.config;
        let frequencies = count_frequencies(&prepared, plains);

        observe(Stage::Prepared);

        // Blocking, unless the list is small enough to compare whole.
        let count = heads.len() as u64;
        let all_pairs = count * count.saturating_sub(1) / 2;
        let (candidate_pairs, blocking) = if all_pairs <= config.exhaustive_pairs {
            block::all_pairs(heads.len())
        } else {
            // Room for the household pairs (see below; 43% more on the Kabul-style lists).
            let room = if config.households { 0.5 } else { 0.0 };
            block::candidate_pairs(&prepared, block::record_keys, config.max_block, room)
        };

        observe(Stage::Blocked);

        // u from random pairs.
        let samples = (config.u_samples as u64).min(all_pairs) as usize;
        let mut random = SplitMix(config.seed);
        let sampled: Vec<(u32, u32)> = (0..samples)
            .map(|_| {
                let a = random.below(count);
                let mut b = random.below(count - 1);
                if b >= a {
                    b += 1;
                }
                (a as u32, b as u32)
            })
            .collect();
        let u_counts = sampled
            .par_iter()
            .map_init(
                || Comparer::new(engine),
                |comparer, &(a, b)| comparer.compare(&prepared[a as usize], &prepared[b as usize]),
            )
            .fold(
                || [[0u64; 8]; FIELD_COUNT],
                |mut counts, vector| {
                    for (field, &level) in vector.iter().enumerate() {
                        if level != NULL {
                            counts[field][usize::from(level)] += 1;
                        }
                    }
                    counts
                },
            )
            .reduce(
                || [[0u64; 8]; FIELD_COUNT],
                |mut x, y| {
                    for (row, other) in x.iter_mut().zip(&y) {
                        for (a, b) in row.iter_mut().zip(other) {
                            *a += b;
                        }
                    }
                    x
                },
            );
        let u = model::estimate_u(&u_counts);

        observe(Stage::SampledU);

        // Compare candidates; m and λ by EM on their distinct vectors.
        let compared = compare_interned(engine, &prepared, &candidate_pairs);
        let patterns = compared.counted();
        observe(Stage::Compared);
        let mut model = model::initial(&patterns, u, samples);
        // m by EM in sessions on training pairs that share a birth day, then a name, then a
        // document, each leaving its own fields out (the father's name too in the second,
        // whose large registries' blocks use it); then λ alone on the candidates, m and u held.
        let sessions: [&[usize]; 3] = [&[5], &[0, 1, 2, 3], &[8]];
        let mut training_pairs = 0;
        for (session, ignored) in sessions.iter().enumerate() {
            let session_keys =
                |record: &Prepared| std::mem::take(&mut block::training_keys(record)[session]);
            let (pairs, _) = block::candidate_pairs(&prepared, session_keys, config.max_block, 0.0);
            // EM needs the shape of the levels, not every pair: a large registry trains on an
            // even sample of its pairs (every k-th in sorted order).
            let step = pairs.len().div_ceil(config.training_pairs.max(1)).max(1);
            training_pairs += pairs.len().div_ceil(step);
            let session_patterns = pairs
                .par_iter()
                .step_by(step)
                .map_init(
                    || Comparer::new(engine),
                    |comparer, &(a, b)| {
                        comparer.compare(&prepared[a as usize], &prepared[b as usize])
                    },
                )
                .fold(HashMap::new, |mut counts: HashMap<Vector, u64>, vector| {
                    *counts.entry(vector).or_default() += 1;
                    counts
                })
                .reduce(HashMap::new, |mut x, y| {
                    for (vector, count) in y {
                        *x.entry(vector).or_default() += count;
                    }
                    x
                });
            model.lambda = 0.1;
            model.em(&session_patterns, ignored, true, config.em_max_iterations);
        }
        model.lambda = 0.1;
        model.em(&patterns, &[], false, config.em_max_iterations);
        // λ was fitted among the candidate pairs, but u comes from random pairs: scoring with
        // the candidates' λ would count the evidence that put a pair in a block twice (two
        // children called Zahra born the same year would link). The prior that goes with u is
        // the chance that two random records match. It is not the candidates' λ times their
        // share of all pairs either: at that λ, namesakes that blocking brought together look
        // like matches, and the prior grew with the registry (F1 fell from 0.94 to 0.90 as the
        // demo grew from 100,000 to 1,000,000). The λ consistent with scoring every pair by it
        // is found instead (see `Model::fit_prior`).
        observe(Stage::Trained);
        model.candidate_lambda = model.lambda;
        let all_pairs = (heads.len() as f64) * (heads.len().saturating_sub(1) as f64) / 2.0;
        model.fit_prior(&patterns, all_pairs);
        model.lambda = model.lambda.clamp(1e-12, 0.5);

        // Score, link, cluster.
        let scorer = Scorer::new(&model);
        // With the pairs' room for the household pairs merged in below.
        let mut pair_weights: Vec<f32> = Vec::with_capacity(candidate_pairs.capacity());
        pair_weights.par_extend(candidate_pairs.par_iter().zip(&compared.of_pair).map(
            |(&(a, b), &pattern)| {
                let vector = &compared.patterns[pattern as usize];
                scorer.weight(vector, &frequencies[a as usize], &frequencies[b as usize])
            },
        ));
        drop(compared);
        drop(patterns);
        let threshold_weight = weight_of(config.threshold) as f32;
        let mut family_links = 0;
        // Records of one family case are different people; records without a case each
        // stand alone.
        let mut case_numbers: HashMap<&str, u32> = HashMap::new();
        let case_of: Vec<u32> = heads
            .iter()
            .enumerate()
            .map(|(index, record)| match &record.case {
                Some(case) => {
                    let next = (heads.len() + case_numbers.len()) as u32;
                    *case_numbers.entry(case.as_str()).or_insert(next)
                }
                None => index as u32,
            })
            .collect();
        // The rest of two families that share a plausible link are compared too (a second
        // blocking pass): their dependents often carry too little for any key, yet may be one
        // person, and the families as a whole may be one (see `household::family_links`).
        let cases = case_numbers.len();
        drop(case_numbers);
        let plausible_weight = weight_of(FAMILY_PLAUSIBLE) as f32;
        let (candidate_pairs, pair_weights, household_pairs) = if config.households {
            let added = household::linked_case_pairs(
                &candidate_pairs,
                &pair_weights,
                plausible_weight,
                &case_of,
                heads.len(),
            );
            // The model is trained: these pairs are scored as they are compared.
            let weights: Vec<f32> = added
                .par_iter()
                .map_init(
                    || Comparer::new(engine),
                    |comparer, &(a, b)| {
                        let (x, y) = (&prepared[a as usize], &prepared[b as usize]);
                        let vector = comparer.compare(x, y);
                        scorer.weight(&vector, &frequencies[a as usize], &frequencies[b as usize])
                    },
                )
                .collect();
            let (pairs, weights) = merge_sorted(candidate_pairs, pair_weights, &added, &weights);
            (pairs, weights, added)
        } else {
            (candidate_pairs, pair_weights, Vec::new())
        };
        let mut links: Vec<(u32, u32, f64)> = candidate_pairs
            .iter()
            .zip(&pair_weights)
            .filter(|(_, w)| **w >= threshold_weight)
            .filter(|(pair, _)| apart.binary_search(pair).is_err())
            .map(|(&(a, b), &w)| (a, b, f64::from(w)))
            .collect();
        let relations: Vec<_> = heads.iter().map(|head| head.relation).collect();
        if config.households && cases > 1 {
            // The prior of two random cases being one family: the matching pairs of records
            // expected in all, over the members a case has on average, among all case pairs.
            let cased = case_of
                .iter()
                .filter(|&&c| c as usize >= heads.len())
                .count();
            let members = cased as f64 / cases as f64;
            let case_pairs = cases as f64 * (cases - 1) as f64 / 2.0;
            let case_lambda = (model.lambda * all_pairs / members / case_pairs).clamp(1e-12, 0.5);
            let family = household::family_links(
                &candidate_pairs,
                &pair_weights,
                &case_of,
                &relations,
                heads.len(),
                household::FamilyRules {
                    pair_prior: model.prior_weight() as f32,
                    case_prior: (case_lambda / (1.0 - case_lambda)).log2() as f32,
                    threshold: threshold_weight,
                },
            );
            family_links = family.len();
            links.extend(
                family
                    .into_iter()
                    .filter(|&(a, b, _)| apart.binary_search(&(a, b)).is_err()),
            );
            // A pair linked on its own and by its family keeps its stronger weight.
            links.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(y.2.total_cmp(&x.2)));
            links.dedup_by_key(|l| (l.0, l.1));
        }
        let link_count = links.len();
        observe(Stage::Scored);
        let mut on_demand = 0usize;
        // Cross pairs are judged with part of the prior only. The full prior (the chance that
        // two records drawn at random match) is right for two strangers, but two groups being
        // merged are already joined through their strongest link: with all of it, every pair
        // with little in common (a record with only a nickname and no date) looks like two
        // people, and a large registry splits each person's sparse records off. With none of
        // it, namesakes of a small name stock chain together. `cluster_prior_share` of it is
        // kept.
        let released_prior = (1.0 - config.cluster_prior_share) * model.prior_weight();
        let rules = cluster::Rules {
            support: config.cluster_support,
            veto: config.cluster_veto,
            max_checked: config.cluster_max_checked,
        };
        let decided = cluster::Decided {
            together: &together,
            apart: &apart,
        };
        let mut comparer = Comparer::new(engine);
        let labels = cluster::cluster_with(heads.len(), links, &case_of, decided, rules, |a, b| {
            if apart.binary_search(&(a, b)).is_ok() {
                return 0.0;
            }
            if together.binary_search(&(a, b)).is_ok() {
                return 1.0;
            }
            let weight = match candidate_pairs.binary_search(&(a, b)) {
                Ok(index) => pair_weights[index],
                Err(_) => {
                    on_demand += 1;
                    let (x, y) = (&prepared[a as usize], &prepared[b as usize]);
                    let vector = comparer.compare(x, y);
                    scorer.weight(&vector, &frequencies[a as usize], &frequencies[b as usize])
                }
            };
            probability(f64::from(weight) - released_prior)
        });

        observe(Stage::Clustered);

        // Members of cases that now share a person: the rest of the family, when unambiguous.
        let unpropagated = labels.clone();
        let mut labels = labels;
        let mut household_links = if config.households {
            household::propagate(&mut labels, &case_of, &relations, |a, b| {
                if apart.binary_search(&(a, b)).is_ok() {
                    // Two people by a reviewer's word: disagreeing on everything, never paired.
                    return [0; FIELD_COUNT];
                }
                comparer.compare(&prepared[a as usize], &prepared[b as usize])
            })
        } else {
            0
        };
        // Family members joined by relation are bound by decisions too: a pair decided apart
        // is never paired, and should the propagation still have joined one through others'
        // clusters, it is undone as a whole.
        if household_links > 0
            && apart
                .iter()
                .any(|&(a, b)| labels[a as usize] == labels[b as usize])
        {
            labels = unpropagated;
            household_links = 0;
        }

        observe(Stage::Households);

        // A cluster is named by its smallest record id, so names survive reordering of input.
        let mut smallest: HashMap<u32, &str> = HashMap::new();
        for (record, &label) in labels.iter().enumerate() {
            let id = heads[record].id.as_str();
            smallest
                .entry(label)
                .and_modify(|current| {
                    if id < *current {
                        *current = id;
                    }
                })
                .or_insert(id);
        }
        let cluster_ids = labels
            .iter()
            .map(|label| smallest[label].to_owned())
            .collect();
        Ok(Outcome {
            cluster_ids,
            clusters: smallest.len(),
            model,
            blocking,
            pairs_scored: candidate_pairs.len() + on_demand,
            training_pairs,
            candidate_pairs,
            household_pairs,
            pair_weights,
            links: link_count,
            household_links,
            family_links,
            prepared,
            frequencies,
        })
    }
}

impl Outcome {
    /// The number of records clustered.
    pub fn records(&self) -> usize {
        self.cluster_ids.len()
    }

    /// Why records `a` and `b` (positions in the input) score what they do.
    pub fn explain(&self, engine: &NameEngine, a: usize, b: usize) -> Option<Explanation> {
        let (x, y) = (self.prepared.get(a)?, self.prepared.get(b)?);
        let vector = compare::compare(engine, x, y);
        let mut frequencies = [0.0; FIELD_COUNT];
        for (slot, &field) in TF_FIELDS.iter().enumerate() {
            frequencies[field] =
                f64::from(self.frequencies[a][slot].max(self.frequencies[b][slot]));
        }
        Some(self.model.explain(&vector, &frequencies))
    }

    /// Candidate pairs whose match probability lies in `[low, high)`, most likely first: the
    /// uncertain band a reviewer looks at. Positions in the input.
    pub fn pairs_between(&self, low: f64, high: f64) -> Vec<(u32, u32, f64)> {
        let mut pairs: Vec<(u32, u32, f64)> = self
            .candidate_pairs
            .iter()
            .zip(&self.pair_weights)
            .map(|(&(a, b), &weight)| (a, b, probability(f64::from(weight))))
            .filter(|&(_, _, p)| p >= low && p < high)
            .collect();
        pairs.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
        pairs
    }

    /// The comparison vector of records `a` and `b`.
    pub fn vector(&self, engine: &NameEngine, a: usize, b: usize) -> Option<Vector> {
        Some(compare::compare(
            engine,
            self.prepared.get(a)?,
            self.prepared.get(b)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::merge_sorted;
    use proptest::prelude::*;

    proptest! {
        /// Merging in place gives the sorted union, each pair with its own weight.
        #[test]
        fn merging_keeps_every_pair_with_its_weight(
            first in proptest::collection::btree_set((0u32..50, 0u32..50), 0..40),
            second in proptest::collection::btree_set((0u32..50, 0u32..50), 0..40),
        ) {
            let second: Vec<_> = second.difference(&first).copied().collect();
            let first: Vec<_> = first.into_iter().collect();
            let weight = |&(a, b): &(u32, u32)| (a * 100 + b) as f32;
            let (pairs, weights) = merge_sorted(
                first.clone(),
                first.iter().map(weight).collect(),
                &second,
                &second.iter().map(weight).collect::<Vec<_>>(),
            );
            let mut expected: Vec<_> = first.iter().chain(&second).copied().collect();
            expected.sort_unstable();
            prop_assert_eq!(&pairs, &expected);
            prop_assert_eq!(weights, expected.iter().map(weight).collect::<Vec<_>>());
        }
    }
}
