//! Incremental matching: one new record against a whole registry, through the blocking index.
//!
//! A batch run fits the model; an [`Index`] keeps every record prepared, its blocking keys in a
//! hash table and the values' frequencies, so a record arriving later (an import, a walk-in at
//! the gate) is compared only with the records that share one of its blocks, scored with the
//! same model and the same term-frequency adjustment as the batch would, and answered in
//! milliseconds. Building the index costs what preparing the records costs; it is built once
//! and kept (or built per import, which is still far less than a batch run: no EM, no pairs).

use std::collections::HashMap;

use airbridge_names::NameEngine;
use rayon::prelude::*;

use crate::compare::{self, Names, Prepared};
use crate::model::{Explanation, Model, probability};
use crate::record::Record;
use crate::{FIELD_COUNT, Scorer, TF_FIELDS, block, name_slot};

/// A record the index holds that a new record may be.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Position of the registry record in the records the index was built from.
    pub position: usize,
    pub probability: f64,
}

/// The registry, prepared and blocked, with the model to score by.
pub struct Index {
    /// The engine the records were prepared with (a clone: engines share their tables).
    engine: NameEngine,
    model: Model,
    scorer: Scorer,
    prepared: Vec<Prepared>,
    /// Each record's top-level term frequencies (see `count_frequencies`).
    frequencies: Vec<[f32; 4]>,
    /// Records by blocking key.
    blocks: HashMap<u64, Vec<u32>>,
    /// Exact-value counts of the term-frequency fields, and how many records carry each field.
    counts: [HashMap<String, u32>; 4],
    carried: [u32; 4],
    max_block: usize,
}

impl Index {
    /// Prepares and blocks `records` (on all cores), to be matched with `model` (from a batch
    /// run, possibly an earlier one). Blocks larger than `max_block` are not searched, as in
    /// the batch.
    pub fn new(engine: &NameEngine, model: Model, records: &[Record], max_block: usize) -> Index {
        let model = model.with_every_comparison();
        let names = Names::new(engine, records);
        let prepared: Vec<Prepared> = records
            .par_iter()
            .map(|record| Prepared::new(engine, &names, record))
            .collect();
        let frequencies = crate::count_frequencies(&prepared, names.plains);
        drop(names);
        let mut counts: [HashMap<String, u32>; 4] = Default::default();
        let mut carried = [0u32; 4];
        for record in &prepared {
            for (slot, &field) in TF_FIELDS.iter().enumerate() {
                if let Some(value) = name_slot(record, field) {
                    *counts[slot].entry(value.plain.clone()).or_default() += 1;
                    carried[slot] += 1;
                }
            }
        }
        let keys: Vec<Vec<u64>> = prepared.par_iter().map(block::record_keys).collect();
        let mut blocks: HashMap<u64, Vec<u32>> = HashMap::new();
        for (position, keys) in keys.into_iter().enumerate() {
            for key in keys {
                blocks.entry(key).or_default().push(position as u32);
            }
        }
        Index {
            engine: engine.clone(),
            scorer: Scorer::new(&model),
            model,
            prepared,
            frequencies,
            blocks,
            counts,
            carried,
            max_block,
        }
    }

    /// Puts `record` in the index, in place of the record at `position` (a person who
    /// changed) or after the last one (a newcomer); returns its position. The exact-value
    /// counts follow, so later newcomers are weighed against it; the term frequencies the
    /// other records were given stay as they were until the index is built again.
    pub fn upsert(&mut self, position: Option<usize>, record: &Record) -> usize {
        let (prepared, frequencies) = self.prepare(record);
        let keys = block::record_keys(&prepared);
        self.count(&prepared, true);
        let position = match position.filter(|&p| p < self.prepared.len()) {
            Some(position) => {
                let old = std::mem::replace(&mut self.prepared[position], prepared);
                for key in block::record_keys(&old) {
                    if let Some(members) = self.blocks.get_mut(&key) {
                        members.retain(|&member| member as usize != position);
                    }
                }
                self.count(&old, false);
                self.frequencies[position] = frequencies;
                position
            }
            None => {
                self.prepared.push(prepared);
                self.frequencies.push(frequencies);
                self.prepared.len() - 1
            }
        };
        for key in keys {
            self.blocks.entry(key).or_default().push(position as u32);
        }
        position
    }

    /// Counts a record's exact values in (or out of) the term-frequency tables.
    fn count(&mut self, record: &Prepared, add: bool) {
        for (slot, &field) in TF_FIELDS.iter().enumerate() {
            if let Some(value) = name_slot(record, field) {
                let count = self.counts[slot].entry(value.plain.clone()).or_default();
                if add {
                    *count += 1;
                    self.carried[slot] += 1;
                } else {
                    *count = count.saturating_sub(1);
                    self.carried[slot] = self.carried[slot].saturating_sub(1);
                }
            }
        }
    }

    /// How many records the index holds.
    pub fn len(&self) -> usize {
        self.prepared.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prepared.is_empty()
    }

    /// The new record, prepared with the registry's value frequencies (its own value counted
    /// once more, as if it were in the registry).
    fn prepare(&self, record: &Record) -> (Prepared, [f32; 4]) {
        let prepared = Prepared::new(&self.engine, &Names::default(), record);
        let mut frequencies = [0.0f32; 4];
        for (slot, &field) in TF_FIELDS.iter().enumerate() {
            if let Some(value) = name_slot(&prepared, field) {
                let count = self.counts[slot].get(&value.plain).copied().unwrap_or(0) + 1;
                frequencies[slot] = count as f32 / (self.carried[slot] + 1) as f32;
            }
        }
        (prepared, frequencies)
    }

    /// The registry records `record` may be, with their match probabilities at or above
    /// `at_least`, most likely first. Only records sharing a block with it are compared.
    pub fn matches(&self, record: &Record, at_least: f64) -> Vec<Match> {
        let (prepared, frequencies) = self.prepare(record);
        let mut candidates: Vec<u32> = block::record_keys(&prepared)
            .into_iter()
            .filter_map(|key| self.blocks.get(&key))
            // A block of the new record's size plus one must stay within the cap.
            .filter(|members| members.len() < self.max_block)
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut found: Vec<Match> = candidates
            .into_iter()
            .filter_map(|position| {
                let other = &self.prepared[position as usize];
                let vector = compare::compare(&self.engine, &prepared, other);
                let weight =
                    self.scorer
                        .weight(&vector, &frequencies, &self.frequencies[position as usize]);
                let probability = probability(f64::from(weight));
                (probability >= at_least).then_some(Match {
                    position: position as usize,
                    probability,
                })
            })
            .collect();
        found.sort_by(|x, y| {
            y.probability
                .total_cmp(&x.probability)
                .then(x.position.cmp(&y.position))
        });
        found
    }

    /// Why `record` and the registry record at `position` score what they do.
    pub fn explain(&self, record: &Record, position: usize) -> Option<Explanation> {
        let other = self.prepared.get(position)?;
        let (prepared, frequencies) = self.prepare(record);
        let vector = compare::compare(&self.engine, &prepared, other);
        let mut by_field = [0.0; FIELD_COUNT];
        for (slot, &field) in TF_FIELDS.iter().enumerate() {
            by_field[field] = f64::from(frequencies[slot].max(self.frequencies[position][slot]));
        }
        Some(self.model.explain(&vector, &by_field))
    }
}
