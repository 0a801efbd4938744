//! The screening index: every listed name parsed once, and an inverted index from the names
//! engine's blocking keys to names, so that a query meets only the entries sharing a key.
//!
//! Keys. The names engine keys a name on its informative tokens, and a name made only of
//! common tokens on pairs of them. A query's keys and a listed name's keys then meet only when
//! both sides judge the same tokens informative, which fails when the listed name is longer
//! than the query ("Mohammad Omar" against "Mohammad Omar Ghulam Nabi") or shorter. The index
//! therefore stores, for each listed name, the engine's keys of every single token and of every
//! pair of tokens; a query looks up its own keys and those of its token pairs. Posting lists of
//! very common single tokens are long but are only read by queries made of one common token.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use airbridge_domain::NationCode;
use airbridge_names::{Fnv, NameEngine, ParsedName, TokenRole};
use airbridge_sanctions::{
    EntryKind, ListSource, ListedDate, ListedName, NameQuality, SanctionsList, Script,
};
use rayon::prelude::*;

use crate::countries::nation_of_country;
use crate::evidence::document_numbers;
use crate::spelling;

/// What to index.
#[derive(Debug, Clone, Default)]
pub struct IndexConfig {
    /// Also index entities (organisations), not only individuals. Vessels and aircraft are
    /// never indexed: people are screened.
    pub include_entities: bool,
}

/// One listed name, parsed.
#[derive(Debug, Clone)]
pub(crate) struct IndexedName {
    pub entry: u32,
    pub full: String,
    pub quality: NameQuality,
    pub script: Script,
    pub parsed: ParsedName,
    /// Total information (names-engine token weights) of the compared, non-title tokens.
    pub information: f64,
    /// How many tokens the name is keyed on (compared, neither titles nor initials).
    pub key_tokens: u8,
    /// The name written as one Latin string (see [`crate::spelling`]), if it can be.
    pub one_string: Option<Box<str>>,
}

/// One listed entry, as screening needs it.
#[derive(Debug, Clone)]
pub(crate) struct IndexedEntry {
    pub source: ListSource,
    pub reference: String,
    pub kind: EntryKind,
    /// Positions of the entry's names in [`ScreeningIndex::names`].
    pub names: std::ops::Range<u32>,
    pub birth_dates: Vec<ListedDate>,
    pub nationalities: Vec<NationCode>,
    /// Normalised document numbers, with the document kind as the list writes it.
    pub documents: Vec<(String, String)>,
}

/// Counts describing a built index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct IndexStats {
    pub entries: usize,
    pub names: usize,
    pub keys: usize,
    /// Sum of posting-list lengths.
    pub postings: usize,
    pub document_numbers: usize,
}

/// An in-memory screening index over one or more lists. `Send + Sync`: share it by reference
/// across threads.
#[derive(Debug, Clone)]
pub struct ScreeningIndex {
    pub(crate) engine: NameEngine,
    pub(crate) entries: Vec<IndexedEntry>,
    pub(crate) names: Vec<IndexedName>,
    /// Blocking key → names carrying it (positions in `names`, sorted, distinct). Keys are short
    /// and looked up a few dozen times per query, where SipHash costs more than the lookup; they
    /// come from the lists, not from the people screened.
    pub(crate) postings: FnvMap<String, Vec<u32>>,
    /// Deletion-neighbourhood key of a name written as one string → names carrying it
    /// (positions in `names`, sorted, distinct; see [`crate::spelling`]).
    pub(crate) one_strings: FnvMap<u64, Vec<u32>>,
    /// Normalised document number → entries (positions in `entries`).
    pub(crate) documents: HashMap<String, Vec<u32>>,
    /// An empty parse, the scratch for a query's subsets of tokens.
    pub(crate) empty: ParsedName,
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Information of a parsed name: what an agreement on all of it would be worth.
pub(crate) fn information(parsed: &ParsedName) -> f64 {
    parsed
        .tokens
        .iter()
        .filter(|t| t.is_compared() && t.role != TokenRole::Title)
        .map(|t| t.weight.max(0.0))
        .sum()
}

/// The compared, non-title tokens that blocking works on.
fn key_tokens(parsed: &ParsedName) -> Vec<usize> {
    parsed
        .tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            t.is_compared() && !matches!(t.role, TokenRole::Title | TokenRole::Initial)
        })
        .map(|(i, _)| i)
        .collect()
}

/// The engine's keys of a subset of a name's tokens. `scratch` is a copy of the name whose
/// tokens are replaced each time, so the rest of the parse is cloned once per name, not once
/// per subset.
fn keys_of(
    engine: &NameEngine,
    parsed: &ParsedName,
    scratch: &mut ParsedName,
    tokens: &[usize],
    out: &mut Vec<String>,
) {
    scratch.tokens.clear();
    scratch
        .tokens
        .extend(tokens.iter().map(|&i| parsed.tokens[i].clone()));
    out.extend(engine.keys_parsed(scratch));
}

/// Longest names considered for pair keys: lists hold a few names of ten or more words (long
/// Arabic chains); their pairs beyond the first tokens add little and cost quadratically.
const MAX_PAIR_TOKENS: usize = 8;

/// Typo keys of single-token keys: the key itself and the key with any one sound left out,
/// marked apart from ordinary keys. Two codes one edit apart (a sound dropped, added or
/// changed: AFIZ / HAFIZ, BADUR / BADRU) share one of them, as in SymSpell's deletion
/// neighbourhoods, so a typo in the only informative token of a query still finds its entry.
/// Codes of two and three sounds give *short* typo keys instead (see [`short_typo_keys`]).
fn typo_keys(single: &[String], out: &mut Vec<String>) {
    for key in single {
        if key.contains('+') {
            continue;
        }
        let letters: Vec<char> = key.chars().collect();
        if letters.len() < 3 {
            continue;
        }
        out.push(format!("~{key}"));
        if letters.len() >= 4 {
            deletions(&letters, "~", out);
        }
    }
}

/// Short typo keys: a two-sound code marked, and the two-sound deletions of a three-sound code
/// (EMNA / MENA, AMN / MN). They meet a large part of the list, so a query reads them as *weak*
/// keys: they count towards what a candidate shares with the query, never bring one alone.
fn short_typo_keys(single: &[String], out: &mut Vec<String>) {
    for key in single {
        if key.contains('+') {
            continue;
        }
        let letters: Vec<char> = key.chars().collect();
        match letters.len() {
            2 => out.push(format!("{SHORT}{key}")),
            3 => deletions(&letters, SHORT, out),
            _ => {}
        }
    }
}

/// Marks short typo keys.
const SHORT: &str = "~~";

/// The code with each one sound left out, marked.
fn deletions(letters: &[char], mark: &str, out: &mut Vec<String>) {
    for skip in 0..letters.len() {
        let mut variant = String::with_capacity(mark.len() + letters.len());
        variant.push_str(mark);
        variant.extend(
            letters
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != skip)
                .map(|(_, c)| c),
        );
        out.push(variant);
    }
}

/// The codes of the words of a token the names engine joined from several (ABDUL BARI →
/// Abdulbari): a query that keeps them apart, with a typo that stops the engine joining them
/// (ADBUL BARI), still shares the parts.
fn compound_part_keys(
    engine: &NameEngine,
    parsed: &ParsedName,
    tokens: &[usize],
    out: &mut Vec<String>,
) {
    for &token in tokens {
        let text = &parsed.tokens[token].text;
        let mut words = text
            .split(|c: char| c.is_whitespace() || c == '-')
            .filter(|w| !w.is_empty());
        if words.clone().nth(1).is_none() {
            continue;
        }
        for word in words.by_ref() {
            out.extend(
                engine
                    .keys(word)
                    .into_iter()
                    .filter(|key| !key.contains('+')),
            );
        }
    }
}

/// The keys a listed name is stored under: its own, each token's and each pair's (and each
/// word's of a joined compound), and the typo keys of each token's.
pub(crate) fn listed_keys(engine: &NameEngine, parsed: &ParsedName) -> Vec<String> {
    let mut keys = engine.keys_parsed(parsed);
    let tokens = key_tokens(parsed);
    let mut scratch = parsed.clone();
    let mut single = Vec::new();
    for &token in &tokens {
        keys_of(engine, parsed, &mut scratch, &[token], &mut single);
    }
    compound_part_keys(engine, parsed, &tokens, &mut single);
    typo_keys(&single, &mut keys);
    short_typo_keys(&single, &mut keys);
    keys.extend(single);
    pair_keys(engine, parsed, &mut scratch, &tokens, &mut keys);
    keys.sort();
    keys.dedup();
    keys
}

fn pair_keys(
    engine: &NameEngine,
    parsed: &ParsedName,
    scratch: &mut ParsedName,
    tokens: &[usize],
    keys: &mut Vec<String>,
) {
    let tokens = &tokens[..tokens.len().min(MAX_PAIR_TOKENS)];
    for (i, &first) in tokens.iter().enumerate() {
        for &second in &tokens[i + 1..] {
            keys_of(engine, parsed, scratch, &[first, second], keys);
        }
    }
}

/// A key a query looks up, with the query's key tokens it stands for (bit `i` for the `i`-th
/// of [`key_tokens`], the 32nd and later sharing the last bit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryKey {
    pub key: String,
    pub tokens: u32,
    /// A short typo key: counts towards what a name shares, never brings it alone.
    pub weak: bool,
    /// A typo key (short or not): what it shares must be confirmed by a spelling (see
    /// `ScreeningIndex::candidates`).
    pub typo: bool,
}

/// The bit of the `position`-th key token.
fn token_bit(position: usize) -> u32 {
    1 << position.min(31)
}

/// The keys a query looks up: its own and each pair's (see the module documentation), and the
/// typo keys of those of its own that no listed name carries (`listed` tells): a token whose
/// sounds some listed name has is not taken for a typo, which keeps the long postings of typo
/// keys out of most queries. Each key comes with the tokens it came from, so that a candidate
/// name can be told how much of the query it shares.
pub(crate) fn query_keys(
    engine: &NameEngine,
    empty: &ParsedName,
    parsed: &ParsedName,
    listed: impl Fn(&str) -> bool,
) -> Vec<QueryKey> {
    let tokens = key_tokens(parsed);
    let mut scratch = empty.clone();
    // Each key token's own code: a key is the code of one token, or two codes joined by `+`
    // when only common tokens are keyed.
    let mut codes: Vec<Vec<String>> = Vec::with_capacity(tokens.len());
    for &token in &tokens {
        let mut code = Vec::new();
        keys_of(engine, parsed, &mut scratch, &[token], &mut code);
        codes.push(code);
    }
    let tokens_of = |key: &str| -> u32 {
        let mut bits = 0;
        for part in key.split('+') {
            for (position, code) in codes.iter().enumerate() {
                if code.iter().any(|c| c == part) {
                    bits |= token_bit(position);
                }
            }
        }
        // A key the engine derived otherwise stands for the whole name.
        if bits == 0 { u32::MAX } else { bits }
    };
    let own = engine.keys_parsed(parsed);
    let mut out: Vec<QueryKey> = Vec::new();
    let mut typo = Vec::new();
    for key in own.iter().filter(|key| !listed(key)) {
        // A typo key stands for the tokens of the key it varies.
        let tokens = tokens_of(key);
        typo.clear();
        typo_keys(std::slice::from_ref(key), &mut typo);
        out.extend(typo.drain(..).map(|key| QueryKey {
            key,
            tokens,
            weak: false,
            typo: true,
        }));
        short_typo_keys(std::slice::from_ref(key), &mut typo);
        out.extend(typo.drain(..).map(|key| QueryKey {
            key,
            tokens,
            weak: true,
            typo: true,
        }));
    }
    let mut keys = own;
    // With fewer than three tokens the only pair is the name itself, keyed above.
    if tokens.len() > 2 {
        pair_keys(engine, parsed, &mut scratch, &tokens, &mut keys);
    }
    out.extend(keys.into_iter().map(|key| QueryKey {
        tokens: tokens_of(&key),
        key,
        weak: false,
        typo: false,
    }));
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out.dedup_by(|later, kept| {
        let same = later.key == kept.key;
        if same {
            kept.tokens |= later.tokens;
            kept.weak &= later.weak;
            kept.typo &= later.typo;
        }
        same
    });
    out
}

impl ScreeningIndex {
    /// Builds the index over the lists with the built-in names engine.
    pub fn build(lists: &[&SanctionsList], config: &IndexConfig) -> ScreeningIndex {
        ScreeningIndex::build_with(NameEngine::new(), lists, config)
    }

    /// Builds the index with a caller's names engine (another frequency table or tuning).
    pub fn build_with(
        engine: NameEngine,
        lists: &[&SanctionsList],
        config: &IndexConfig,
    ) -> ScreeningIndex {
        let empty = engine.parse("");
        let mut index = ScreeningIndex {
            engine,
            entries: Vec::new(),
            names: Vec::new(),
            postings: FnvMap::default(),
            one_strings: FnvMap::default(),
            documents: HashMap::new(),
            empty,
        };
        // Entries first, with the names each keeps; then every name parsed and keyed, in
        // parallel (most of the build's time); then the postings, in name order.
        let mut names: Vec<(u32, &ListedName)> = Vec::new();
        for list in lists {
            for entry in &list.entries {
                let wanted = match entry.kind {
                    EntryKind::Individual => true,
                    EntryKind::Entity => config.include_entities,
                    EntryKind::Vessel | EntryKind::Aircraft => false,
                };
                if !wanted {
                    continue;
                }
                index.add_entry(list.source, entry, &mut names);
            }
        }
        let engine = &index.engine;
        let parsed: Vec<(ParsedName, Vec<String>)> = names
            .par_iter()
            .map(|(_, name)| {
                let parsed = engine.parse(&name.full);
                let keys = listed_keys(engine, &parsed);
                (parsed, keys)
            })
            .collect();
        index.names.reserve(names.len());
        let mut neighbourhood = Vec::new();
        for ((entry, name), (parsed, keys)) in names.into_iter().zip(parsed) {
            let name_id = index.names.len() as u32;
            for key in keys {
                index.postings.entry(key).or_default().push(name_id);
            }
            let one_string = spelling::one_string(&parsed);
            if let Some(letters) = &one_string {
                neighbourhood.clear();
                spelling::neighbourhood(letters, &mut neighbourhood);
                for &key in &neighbourhood {
                    index.one_strings.entry(key).or_default().push(name_id);
                }
            }
            index.names.push(IndexedName {
                entry,
                full: name.full.clone(),
                quality: name.quality,
                script: name.script,
                information: information(&parsed),
                key_tokens: key_tokens(&parsed).len().min(usize::from(u8::MAX)) as u8,
                one_string,
                parsed,
            });
        }
        for names in index
            .postings
            .values_mut()
            .chain(index.one_strings.values_mut())
        {
            names.sort_unstable();
            names.dedup();
        }
        for entries in index.documents.values_mut() {
            entries.sort_unstable();
            entries.dedup();
        }
        index
    }

    /// Adds an entry, and the names it keeps to `names` (parsed later, all at once).
    fn add_entry<'a>(
        &mut self,
        source: ListSource,
        entry: &'a airbridge_sanctions::Entry,
        names: &mut Vec<(u32, &'a ListedName)>,
    ) {
        let entry_id = self.entries.len() as u32;
        let first_name = names.len() as u32;
        let mut seen: Vec<&str> = Vec::new();
        for name in &entry.names {
            // Lists repeat a name (as primary and alias, or in two qualities); the first,
            // strongest occurrence is kept.
            if name.full.trim().is_empty() || seen.contains(&name.full.as_str()) {
                continue;
            }
            seen.push(&name.full);
            names.push((entry_id, name));
        }
        let mut documents = Vec::new();
        for document in &entry.documents {
            for number in document_numbers(&document.number) {
                self.documents
                    .entry(number.clone())
                    .or_default()
                    .push(entry_id);
                documents.push((number, document.kind.clone()));
            }
        }
        let mut nationalities: Vec<NationCode> = entry
            .nationalities
            .iter()
            // Two-letter values on lists are abbreviations ("na" for not available), not codes.
            .filter(|text| text.trim().chars().count() > 2)
            .filter_map(|text| nation_of_country(text))
            .collect();
        nationalities.sort();
        nationalities.dedup();
        self.entries.push(IndexedEntry {
            source,
            reference: entry.reference.clone(),
            kind: entry.kind,
            names: first_name..names.len() as u32,
            birth_dates: entry.birth_dates.clone(),
            nationalities,
            documents,
        });
    }

    /// Counts for reports.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            entries: self.entries.len(),
            names: self.names.len(),
            keys: self.postings.len(),
            postings: self.postings.values().map(Vec::len).sum(),
            document_numbers: self.documents.len(),
        }
    }

    /// The names engine the index was built with.
    pub fn engine(&self) -> &NameEngine {
        &self.engine
    }
}
