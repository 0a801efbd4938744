//! The names engine: parse, romanise, key and compare personal names.
//!
//! Built for names of Afghan, Persian, Arabic and South-Asian origin written in Latin or Arabic
//! script, and good for others. The engine does no I/O and reads no clock; every function
//! accepts any string and never panics. Knowledge (variant classes, titles, particles, tribal
//! names, Arabic-script dictionaries, frequencies) is data under `data/`, compiled in.
//!
//! ```
//! let engine = airbridge_names::NameEngine::new();
//! let high = engine.score("Mohammad Hashem Ahmadzai", "محمد هاشم احمدزی");
//! let low = engine.score("Mohammad Hashem Ahmadzai", "Mohammad Karim Popalzai");
//! assert!(high > 0.9 && low < 0.5);
//! ```

mod compare;
mod error;
mod frequency;
mod keys;
mod knowledge;
mod parse;
mod phonetic;
mod script;
mod split;
mod text;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

pub use compare::{Comparison, MatchKind, TokenAlignment, Tuning, UnmatchedToken};
pub use error::{NamesError, NamesErrorKind};
pub use frequency::FrequencyTable;
/// The FNV-1a hasher the engine uses for its own tables; callers caching parsed names by their
/// text (as `airbridge names score` does) can use it too.
pub use knowledge::{Fnv, data_digest};
pub use parse::{ParsedName, Script, Token, TokenRole};
pub use split::NameParts;

use knowledge::Knowledge;

/// All name knowledge, loaded once; `Send + Sync`, cheap to clone and to share by reference.
#[derive(Debug, Clone)]
pub struct NameEngine {
    knowledge: Arc<Knowledge>,
    frequencies: Arc<FrequencyTable>,
    tuning: Tuning,
    /// Tells this engine's remembered token similarities from another's (see `compare::Memo`):
    /// new for every engine whose tuning may differ.
    memo_id: u64,
}

/// A fresh [`NameEngine::memo_id`].
fn next_memo_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Default for NameEngine {
    fn default() -> NameEngine {
        NameEngine::new()
    }
}

impl NameEngine {
    /// An engine with the built-in knowledge and frequency table.
    pub fn new() -> NameEngine {
        static BUILTIN: OnceLock<Arc<FrequencyTable>> = OnceLock::new();
        let knowledge = Knowledge::shared();
        let frequencies = BUILTIN
            .get_or_init(|| {
                let bare = NameEngine {
                    knowledge: knowledge.clone(),
                    frequencies: Arc::new(FrequencyTable::new()),
                    tuning: Tuning::default(),
                    memo_id: next_memo_id(),
                };
                Arc::new(FrequencyTable::builtin(&bare))
            })
            .clone();
        NameEngine {
            knowledge,
            frequencies,
            tuning: Tuning::default(),
            memo_id: next_memo_id(),
        }
    }

    /// The same engine with a caller's frequency table (see [`FrequencyTable::from_names`]).
    pub fn with_frequencies(self, table: FrequencyTable) -> NameEngine {
        NameEngine {
            frequencies: Arc::new(table),
            ..self
        }
    }

    /// The same engine with other score constants (for tuning experiments).
    pub fn with_tuning(self, tuning: Tuning) -> NameEngine {
        NameEngine {
            tuning,
            memo_id: next_memo_id(),
            ..self
        }
    }

    /// The engine's frequency table.
    pub fn frequencies(&self) -> &FrequencyTable {
        &self.frequencies
    }

    /// Parses a name into tokens with roles and comparison forms.
    pub fn parse(&self, name: &str) -> ParsedName {
        self.parse_name(name)
    }

    /// Blocking keys of a name: variant spellings share at least one.
    pub fn keys(&self, name: &str) -> Vec<String> {
        self.keys_parsed(&self.parse(name))
    }

    /// Compares two names: the score and how their tokens aligned.
    pub fn compare(&self, a: &str, b: &str) -> Comparison {
        let (a, b) = (self.parse(a), self.parse(b));
        let mut comparison = Comparison {
            score: 0.0,
            a,
            b,
            aligned: Vec::new(),
            unmatched_a: Vec::new(),
            unmatched_b: Vec::new(),
        };
        let (a, b) = (comparison.a.clone(), comparison.b.clone());
        comparison.score = self.align(&a, &b, Some(&mut comparison));
        comparison
    }

    /// The similarity of two names in [0, 1]; the same as `compare(a, b).score`.
    pub fn score(&self, a: &str, b: &str) -> f64 {
        self.score_parsed(&self.parse(a), &self.parse(b))
    }

    /// The similarity of two already-parsed names (for callers that cache parses).
    pub fn score_parsed(&self, a: &ParsedName, b: &ParsedName) -> f64 {
        self.align(a, b, None)
    }
}
