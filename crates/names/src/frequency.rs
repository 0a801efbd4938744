//! Name-token frequencies: how much agreement on a token says about identity.
//!
//! Agreement on "Mohammad" says little, on a rare family name a lot. A token's weight is its
//! information content, `ln(total / count)`, computed on canonical forms so that all spellings
//! of a name share one count. The built-in table comes from data files; callers with large
//! lists of their own can estimate a table from them with [`FrequencyTable::from_names`].

use std::collections::HashMap;

use crate::NameEngine;
use crate::error::NamesError;
use crate::knowledge::{FREQUENCIES, FREQUENCIES_CURATED};

/// Counts of canonical name tokens.
#[derive(Debug, Clone, Default)]
pub struct FrequencyTable {
    counts: HashMap<String, u64>,
    total: u64,
}

/// Weight given to a token never seen: as rare as a token seen once in a table of this size.
const UNSEEN_COUNT: f64 = 0.5;
/// Tokens need some evidence before a small table is trusted, so the total never goes below this.
const MIN_TOTAL: f64 = 1000.0;

impl FrequencyTable {
    /// An empty table (every token then weighs the same).
    pub fn new() -> FrequencyTable {
        FrequencyTable::default()
    }

    /// Adds `count` occurrences of an already-canonical token.
    pub fn add(&mut self, canonical: &str, count: u64) {
        *self.counts.entry(canonical.to_string()).or_insert(0) += count;
        self.total += count;
    }

    /// Reads `token<TAB>count` lines (with `#` comments) and canonicalises each token with `engine`.
    pub fn from_tsv(engine: &NameEngine, text: &str) -> Result<FrequencyTable, NamesError> {
        let mut table = FrequencyTable::new();
        table.add_tsv(engine, text, false)?;
        Ok(table)
    }

    /// Adds `token<TAB>count` lines. `folded` says the tokens are already single folded Latin
    /// words (the built-in files), which skips the full parse and keeps start-up fast.
    fn add_tsv(&mut self, engine: &NameEngine, text: &str, folded: bool) -> Result<(), NamesError> {
        for (index, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || NamesError::BadFrequencyLine {
                line: index + 1,
                text: line.to_string(),
            };
            let (token, count) = line.split_once('\t').ok_or_else(bad)?;
            let count: u64 = count.trim().parse().map_err(|_| bad())?;
            if folded {
                self.add(&engine.canonical_form(token), count);
            } else {
                for canonical in engine.canonical_tokens(token) {
                    self.add(&canonical, count);
                }
            }
        }
        Ok(())
    }

    /// Estimates a table from a list of names (each name counted once per distinct token).
    pub fn from_names<I, S>(engine: &NameEngine, names: I) -> FrequencyTable
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut table = FrequencyTable::new();
        for name in names {
            let mut tokens = engine.canonical_tokens(name.as_ref());
            tokens.sort();
            tokens.dedup();
            for token in tokens {
                table.add(&token, 1);
            }
        }
        table
    }

    /// The built-in table: Wikidata person-name counts plus curated pseudo-counts (see `data/`).
    pub(crate) fn builtin(engine: &NameEngine) -> FrequencyTable {
        let mut table = FrequencyTable::new();
        // The built-in files are part of the crate and checked by its tests, so an error here
        // is impossible in a released build; a bad line is skipped rather than panicking.
        let _ = table.add_tsv(engine, FREQUENCIES, true);
        let _ = table.add_tsv(engine, FREQUENCIES_CURATED, true);
        table
    }

    /// Adds every count of `other` to this table (e.g. a caller's list on top of the built-in table).
    pub fn merge(&mut self, other: &FrequencyTable, scale: f64) {
        for (token, &count) in &other.counts {
            let scaled = (count as f64 * scale).round() as u64;
            *self.counts.entry(token.clone()).or_insert(0) += scaled;
            self.total += scaled;
        }
    }

    /// Number of times a canonical token was counted.
    pub fn count(&self, canonical: &str) -> u64 {
        self.counts.get(canonical).copied().unwrap_or(0)
    }

    /// Information content of a canonical token in nats: high for rare tokens.
    pub fn information(&self, canonical: &str) -> f64 {
        let total = (self.total as f64).max(MIN_TOTAL);
        let count = self.count(canonical) as f64;
        (total / count.max(UNSEEN_COUNT)).ln().max(0.0)
    }

    /// Information content of the rarest possible token, the ceiling of [`Self::information`].
    pub fn max_information(&self) -> f64 {
        ((self.total as f64).max(MIN_TOTAL) / UNSEEN_COUNT).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_weigh_less_than_rare_ones() {
        let engine = NameEngine::new();
        let table = FrequencyTable::builtin(&engine);
        assert!(table.information("muhammad") < table.information("smith"));
        assert!(table.information("smith") < table.information("zzqxv"));
        assert_eq!(
            table.count("muhammad"),
            table.count(&engine.canonical_tokens("Mohammed")[0])
        );
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let engine = NameEngine::new();
        let error = FrequencyTable::from_tsv(&engine, "# c\nali\t3\nbroken\n").unwrap_err();
        assert_eq!(
            error,
            NamesError::BadFrequencyLine {
                line: 3,
                text: "broken".into()
            }
        );
    }

    #[test]
    fn tables_can_be_estimated_from_names() {
        let engine = NameEngine::new();
        let table =
            FrequencyTable::from_names(&engine, ["Ali Khan", "Ali Ahmadzai", "Muhammad Ali"]);
        assert_eq!(table.count("ali"), 3);
        assert!(table.information("ali") < table.information("ahmadzai"));
    }
}
