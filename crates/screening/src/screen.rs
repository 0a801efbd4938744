//! Screening one query against the index: candidates from the blocking keys (and document
//! numbers), the best listed name of each candidate entry, the birth-date, nationality and
//! document evidence, one score, and the explanation of each hit.
//!
//! The score starts from the name: the names engine's similarity with the entry's best name,
//! times a factor for the name's quality (low-quality aliases count less) and one for the
//! information the query's name carries (a name of common tokens only, such as "Mohammad", is
//! not enough to hold anyone back). The other fields then move it:
//! - a compatible birth date, or the same nationality, *supports* a good name match: it closes
//!   part of the gap to 1, and only when the name alone is already a fair match, since a
//!   shared birth year proves nothing about an unrelated name;
//! - a birth date years away *weighs against*: the score is multiplied down, the more the
//!   further (a year's slip is tolerated as clerical; a missing date is neutral);
//! - a different nationality weighs a little against (dual nationals, incomplete lists);
//! - the same document number is strong on its own: the score becomes at least 0.9.

use std::cmp::Ordering;

use airbridge_names::{ParsedName, TokenRole};
use airbridge_sanctions::{EntryKind, ListSource, NameQuality};
use serde::Serialize;

use crate::evidence::{
    BirthDateEvidence, DocumentEvidence, NameEvidence, NationalityEvidence, OneStringEvidence,
    compare_birth_dates, compare_nationalities, document_numbers,
};
use crate::index::{IndexedName, ScreeningIndex, information, query_keys};
use crate::query::Query;
use crate::spelling;

/// How to screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScreenConfig {
    /// Hits scoring below this are not reported.
    pub threshold: f64,
    /// At most this many hits per query, best first.
    pub max_hits: usize,
}

impl Default for ScreenConfig {
    fn default() -> ScreenConfig {
        ScreenConfig {
            threshold: 0.5,
            max_hits: 20,
        }
    }
}

/// Why a hit scored what it did, field by field.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub name: NameEvidence,
    pub birth_date: BirthDateEvidence,
    pub nationality: NationalityEvidence,
    pub document: DocumentEvidence,
}

/// A listed entry the query may be.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub list: ListSource,
    /// The list's reference ("TAi.155", OFAC "6635").
    pub entry_ref: String,
    pub entry_kind: EntryKind,
    /// The listed name that matched best.
    pub listed_name: String,
    /// In [0, 1].
    pub score: f64,
    pub explanation: Explanation,
}

/// How much less a name counts for its quality.
fn quality_factor(quality: NameQuality) -> f64 {
    match quality {
        NameQuality::Primary | NameQuality::Good => 1.0,
        NameQuality::Unknown => 0.95,
        NameQuality::Low => 0.85,
    }
}

/// Information (sum of names-engine token weights) at which a name counts fully. A rare family
/// name alone weighs ~8, "Mohammad Omar" ~5, "Mohammad" ~1.
const FULL_INFORMATION: f64 = 5.0;

fn information_factor(query_information: f64, listed_information: f64) -> f64 {
    let shared = query_information.min(listed_information);
    if shared.is_finite() {
        (shared / FULL_INFORMATION).clamp(0.0, 1.0).sqrt()
    } else {
        0.0
    }
}

/// How far a name match must already go before other fields may support it: no support below
/// 0.5, full support from 0.8.
fn support_gate(name: f64) -> f64 {
    ((name - 0.5) / 0.3).clamp(0.0, 1.0)
}

/// The one score of a candidate from its fields' evidence (see the module documentation).
fn combine(
    name: f64,
    birth_date: &BirthDateEvidence,
    nationality: &NationalityEvidence,
    document: &DocumentEvidence,
) -> f64 {
    let name = if name.is_finite() {
        name.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let gate = support_gate(name);
    // Support first, then conflicts: a nationality that agrees must not undo a birth date
    // decades away.
    let mut score = name;
    match birth_date {
        BirthDateEvidence::Compatible { exact: true, .. } => score += 0.6 * (1.0 - score) * gate,
        BirthDateEvidence::Compatible { exact: false, .. } => score += 0.4 * (1.0 - score) * gate,
        _ => {}
    }
    if let NationalityEvidence::Agrees { .. } = nationality {
        score += 0.3 * (1.0 - score) * gate;
    }
    if let BirthDateEvidence::Conflict { years_apart, .. } = birth_date {
        score *= (1.0 - 0.1 * years_apart).clamp(0.5, 0.9);
    }
    if let NationalityEvidence::Differs { .. } = nationality {
        score *= 0.85;
    }
    if let DocumentEvidence::Matches { .. } = document {
        score = score.max(0.9 + 0.1 * name);
    }
    if score.is_finite() {
        score.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// A candidate entry's best listed name.
struct BestName {
    /// Position in [`ScreeningIndex::names`].
    position: usize,
    similarity: f64,
    /// `similarity × quality × information`.
    score: f64,
    /// The edits between the two names written as one string, when that gave the similarity.
    one_string: Option<u8>,
}

/// The similarity of the query to one listed name: the names engine's, or that of the two names
/// written as one string when they are within one slip of each other and that is higher (see
/// [`crate::spelling`]); with the edits in the second case.
fn name_similarity(
    index: &ScreeningIndex,
    query: &ParsedName,
    query_string: Option<&str>,
    name: &IndexedName,
) -> (f64, Option<u8>) {
    let similarity = index.engine.score_parsed(query, &name.parsed);
    let similarity = if similarity.is_finite() {
        similarity.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let written = match (query_string, name.one_string.as_deref()) {
        (Some(query), Some(listed)) if query.len().abs_diff(listed.len()) <= 1 => {
            spelling::edits_within_one(query, listed).map(|edits| {
                let letters = query.len().max(listed.len());
                (spelling::similarity(edits, letters), edits)
            })
        }
        _ => None,
    };
    match written {
        Some((written, edits)) if written > similarity => (written, Some(edits)),
        _ => (similarity, None),
    }
}

fn best_name(
    index: &ScreeningIndex,
    query: &ParsedName,
    query_string: Option<&str>,
    query_information: f64,
    names: &[u32],
) -> Option<BestName> {
    let mut best: Option<BestName> = None;
    for &position in names {
        let position = position as usize;
        let name = &index.names[position];
        let (similarity, one_string) = name_similarity(index, query, query_string, name);
        let score = similarity
            * quality_factor(name.quality)
            * information_factor(query_information, name.information);
        if best.as_ref().is_none_or(|best| score > best.score) {
            best = Some(BestName {
                position,
                similarity,
                score,
                one_string,
            });
        }
    }
    best
}

/// Whether a token of one name is spelled within one slip of a token of the other (compared,
/// non-title tokens of four letters or more), or cannot be told because a token was romanised
/// from Arabic script without its short vowels.
fn spelled_within_one_slip(a: &ParsedName, b: &ParsedName) -> bool {
    fn spellings(name: &ParsedName) -> impl Iterator<Item = &airbridge_names::Token> + Clone {
        name.tokens
            .iter()
            .filter(|token| token.is_compared() && token.role != TokenRole::Title)
    }
    if spellings(a)
        .chain(spellings(b))
        .any(|token| token.vowelless)
    {
        return true;
    }
    let long_enough = |token: &&airbridge_names::Token| token.form.len() >= spelling::MIN_LETTERS;
    spellings(a).filter(long_enough).any(|a| {
        spellings(b).filter(long_enough).any(|b| {
            a.form.len().abs_diff(b.form.len()) <= 1
                && spelling::edits_within_one(&a.form, &b.form) == Some(1)
        })
    })
}

/// A hit without its explanation: what `airbridge screen` writes, borrowed from the index so
/// that screening many people allocates nothing per hit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HitSummary<'a> {
    pub list: ListSource,
    pub entry_ref: &'a str,
    pub entry_kind: EntryKind,
    pub listed_name: &'a str,
    pub score: f64,
}

impl Hit {
    /// The hit without its explanation.
    pub fn summary(&self) -> HitSummary<'_> {
        HitSummary {
            list: self.list,
            entry_ref: &self.entry_ref,
            entry_kind: self.entry_kind,
            listed_name: &self.listed_name,
            score: self.score,
        }
    }
}

/// A candidate entry scored, before its hit is written out.
struct Scored {
    entry: u32,
    /// Position of the best listed name in [`ScreeningIndex::names`].
    name: u32,
    similarity: f64,
    name_score: f64,
    /// Edits between the names written as one string, when that gave the name's similarity.
    one_string: Option<u8>,
    score: f64,
    birth_date: BirthDateEvidence,
    nationality: NationalityEvidence,
    document: DocumentEvidence,
}

impl ScreeningIndex {
    /// The listed names a query is scored against, sorted (so an entry's names are together).
    ///
    /// A name is a candidate when it shares a key with the query, and only when the keys it
    /// shares come from at least two of the query's keyed tokens (or from all of them, or all of
    /// the listed name's, when either has fewer than two): one shared token between two longer
    /// names ("Mohammad Hashem Ahmadzai" against "Hashem Bakhtari Nur") leaves a token of each
    /// unmatched, which the names engine scores as different people. Without this most of the
    /// work went to names sharing one common-ish token with the query. Names within one slip of
    /// the query when both are written as one string are candidates too, whatever their keys.
    /// Entries a document number brings are scored on all their names.
    fn candidates(
        &self,
        parsed: &ParsedName,
        query_string: Option<&str>,
        query_numbers: &[String],
    ) -> Vec<u32> {
        let keys = query_keys(&self.engine, &self.empty, parsed, |key| {
            self.postings.contains_key(key)
        });
        // Tokens too common to be keyed (Mohammad beside a rarer name) cannot be shared.
        let query_tokens = keys
            .iter()
            .fold(0u32, |bits, key| bits | key.tokens)
            .count_ones() as usize;
        // Names sharing an ordinary key, with the query tokens they share: through plain keys,
        // and through any key (typo keys included).
        let mut shared: Vec<(u32, u32, u32)> = Vec::new();
        for key in keys.iter().filter(|key| !key.weak) {
            if let Some(names) = self.postings.get(&key.key) {
                let plain = if key.typo { 0 } else { key.tokens };
                shared.extend(names.iter().map(|&name| (name, plain, key.tokens)));
            }
        }
        shared.sort_unstable_by_key(|&(name, _, _)| name);
        shared.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 |= later.1;
                kept.2 |= later.2;
            }
            same
        });
        // Weak keys add the tokens they stand for to names already there; their postings are
        // long, the names few, so each name is looked up in the (sorted) posting list.
        for key in keys.iter().filter(|key| key.weak) {
            if let Some(names) = self.postings.get(&key.key) {
                for (name, _, tokens) in &mut shared {
                    if names.binary_search(name).is_ok() {
                        *tokens |= key.tokens;
                    }
                }
            }
        }
        // A name is a candidate when it shares enough of the query's tokens through plain keys;
        // or through typo keys too, when a token of each is spelled within one slip of the
        // other. Sounds one deletion apart meet many unrelated names (two thirds of the
        // candidates on the yente benchmark, hardly any scoring above 0.1); a spelling one
        // slip apart is what a typo is.
        let mut candidates: Vec<u32> = shared
            .into_iter()
            .filter(|&(name, plain, tokens)| {
                let needed = query_tokens
                    .min(usize::from(self.names[name as usize].key_tokens))
                    .clamp(1, 2);
                plain.count_ones() as usize >= needed
                    || (tokens.count_ones() as usize >= needed
                        && spelled_within_one_slip(parsed, &self.names[name as usize].parsed))
            })
            .map(|(name, _, _)| name)
            .collect();
        let before = candidates.len();
        if let Some(letters) = query_string {
            let mut neighbourhood = Vec::new();
            spelling::neighbourhood(letters, &mut neighbourhood);
            for key in &neighbourhood {
                let Some(names) = self.one_strings.get(key) else {
                    continue;
                };
                candidates.extend(names.iter().copied().filter(|&name| {
                    self.names[name as usize]
                        .one_string
                        .as_deref()
                        .and_then(|listed| spelling::edits_within_one(letters, listed))
                        .is_some()
                }));
            }
        }
        for number in query_numbers {
            if let Some(entries) = self.documents.get(number) {
                for &entry in entries {
                    candidates.extend(self.entries[entry as usize].names.clone());
                }
            }
        }
        if candidates.len() > before {
            candidates.sort_unstable();
            candidates.dedup();
        }
        candidates
    }

    /// Every candidate entry scoring at or above the threshold, best first (ties by list and
    /// reference), at most `max_hits`.
    fn scored(&self, query: &Query, parsed: &ParsedName, config: &ScreenConfig) -> Vec<Scored> {
        let query_information = information(parsed);
        let query_numbers: Vec<String> = query
            .documents
            .iter()
            .flat_map(|document| document_numbers(document))
            .collect();
        let query_string = spelling::one_string(parsed);
        let candidates = self.candidates(parsed, query_string.as_deref(), &query_numbers);
        let mut scored = Vec::new();
        for group in candidates
            .chunk_by(|a, b| self.names[*a as usize].entry == self.names[*b as usize].entry)
        {
            let entry_id = self.names[group[0] as usize].entry;
            let entry = &self.entries[entry_id as usize];
            let Some(BestName {
                position,
                similarity,
                score: name_score,
                one_string,
            }) = best_name(
                self,
                parsed,
                query_string.as_deref(),
                query_information,
                group,
            )
            else {
                continue;
            };
            let document = entry
                .documents
                .iter()
                .find(|(number, _)| query_numbers.contains(number))
                .map_or(DocumentEvidence::NoMatch, |(number, kind)| {
                    DocumentEvidence::Matches {
                        number: number.clone(),
                        kind: kind.clone(),
                    }
                });
            // Below the support gate the other fields can only lower a name's score, so a name
            // already under the threshold needs no more work.
            if document == DocumentEvidence::NoMatch
                && name_score < config.threshold
                && support_gate(name_score) == 0.0
            {
                continue;
            }
            let birth_date = compare_birth_dates(query.birth_date.as_ref(), &entry.birth_dates);
            let nationality =
                compare_nationalities(query.nationality.as_ref(), &entry.nationalities);
            let score = combine(name_score, &birth_date, &nationality, &document);
            if score < config.threshold {
                continue;
            }
            scored.push(Scored {
                entry: entry_id,
                name: position as u32,
                similarity,
                name_score,
                one_string,
                score,
                birth_date,
                nationality,
                document,
            });
        }
        scored.sort_by(|a, b| {
            let (entry_a, entry_b) = (
                &self.entries[a.entry as usize],
                &self.entries[b.entry as usize],
            );
            b.score
                .partial_cmp(&a.score)
                .unwrap_or(Ordering::Equal)
                .then_with(|| entry_a.source.as_str().cmp(entry_b.source.as_str()))
                .then_with(|| entry_a.reference.cmp(&entry_b.reference))
        });
        scored.truncate(config.max_hits);
        scored
    }

    /// Screens one query: the hits at or above the threshold, best first (ties by list and
    /// reference, so the order is deterministic), each with its explanation.
    pub fn screen(&self, query: &Query, config: &ScreenConfig) -> Vec<Hit> {
        let parsed = self.engine.parse(&query.name);
        let query_information = information(&parsed);
        self.scored(query, &parsed, config)
            .into_iter()
            .map(|scored| {
                let entry = &self.entries[scored.entry as usize];
                let name = &self.names[scored.name as usize];
                Hit {
                    list: entry.source,
                    entry_ref: entry.reference.clone(),
                    entry_kind: entry.kind,
                    listed_name: name.full.clone(),
                    score: scored.score,
                    explanation: Explanation {
                        name: self.explain_name(query, &parsed, name, &scored, query_information),
                        birth_date: scored.birth_date,
                        nationality: scored.nationality,
                        document: scored.document,
                    },
                }
            })
            .collect()
    }

    /// The same hits as [`ScreeningIndex::screen`], without their explanations (which cost a
    /// second comparison of the names each): for screening many people at once.
    pub fn screen_summaries(&self, query: &Query, config: &ScreenConfig) -> Vec<HitSummary<'_>> {
        let parsed = self.engine.parse(&query.name);
        self.scored(query, &parsed, config)
            .into_iter()
            .map(|scored| {
                let entry = &self.entries[scored.entry as usize];
                HitSummary {
                    list: entry.source,
                    entry_ref: &entry.reference,
                    entry_kind: entry.kind,
                    listed_name: &self.names[scored.name as usize].full,
                    score: scored.score,
                }
            })
            .collect()
    }

    /// The name evidence of a hit, with the token alignment the names engine explains (done
    /// only for hits: it parses both names again).
    fn explain_name(
        &self,
        query: &Query,
        parsed: &ParsedName,
        name: &IndexedName,
        scored: &Scored,
        query_information: f64,
    ) -> NameEvidence {
        let comparison = self.engine.compare(&query.name, &name.full);
        let one_string = scored.one_string.and_then(|edits| {
            Some(OneStringEvidence {
                query: spelling::one_string(parsed)?.into(),
                listed: name.one_string.as_deref()?.to_owned(),
                edits,
            })
        });
        NameEvidence {
            listed_name: name.full.clone(),
            quality: name.quality,
            script: name.script,
            similarity: scored.similarity,
            quality_factor: quality_factor(name.quality),
            information_factor: information_factor(query_information, name.information),
            score: scored.name_score,
            one_string,
            aligned: comparison.aligned,
            unmatched_query: comparison.unmatched_a.into_iter().map(|t| t.text).collect(),
            unmatched_listed: comparison.unmatched_b.into_iter().map(|t| t.text).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airbridge_sanctions::{Entry, ListedName, SanctionsList};

    /// An index over synthetic entries, one name each.
    fn index_of(entries: &[(&str, &str)]) -> ScreeningIndex {
        let entries = entries
            .iter()
            .map(|(reference, name)| {
                let mut entry = Entry::new(*reference, EntryKind::Individual);
                entry
                    .names
                    .push(ListedName::whole(name, NameQuality::Primary));
                entry
            })
            .collect();
        let list = SanctionsList {
            source: ListSource::Un,
            version_date: None,
            entries,
        };
        ScreeningIndex::build(&[&list], &Default::default())
    }

    /// The entries a query is scored against: every candidate, whatever its score.
    fn scored_entries(index: &ScreeningIndex, name: &str) -> Vec<String> {
        let config = ScreenConfig {
            threshold: 0.0,
            max_hits: 100,
        };
        let mut refs: Vec<String> = index
            .screen_summaries(&Query::by_name(name), &config)
            .iter()
            .map(|hit| hit.entry_ref.to_owned())
            .collect();
        refs.sort();
        refs
    }

    #[test]
    fn one_shared_token_between_longer_names_is_not_scored() {
        let index = index_of(&[
            ("one-token", "Hashem Bakhtari Nurzai"),
            ("two-tokens", "Hashem Ahmadzai Wardak"),
            ("short", "Hashem"),
        ]);
        // Mohammad is too common to be keyed: the query is keyed on Hashem and Ahmadzai.
        assert_eq!(
            scored_entries(&index, "Mohammad Hashem Ahmadzai"),
            ["short", "two-tokens"]
        );
    }

    #[test]
    fn a_typo_that_keeps_a_compound_apart_still_reaches_it() {
        // The listed "Abdul Salam" is joined into one token; "Abudl Salam" is not, so only
        // the parts of the compound are shared.
        let index = index_of(&[("compound", "Abdul Salam Qaderi")]);
        assert_eq!(scored_entries(&index, "Abudl Salam Qaderi"), ["compound"]);
    }

    #[test]
    fn a_sound_added_to_a_short_name_still_reaches_it() {
        // EMNA (A-M-N) and MENA (M-N) share only a short typo key, which counts beside the
        // shared first name.
        let index = index_of(&[("short", "Jorge Na Mena")]);
        assert_eq!(scored_entries(&index, "Jorge Na Emna"), ["short"]);
        // Alone, a short typo key brings nothing.
        assert!(scored_entries(&index, "Emna").is_empty());
    }

    #[test]
    fn a_sound_typo_counts_only_when_a_spelling_confirms_it() {
        // Baradar / Bradar: one sound apart and one letter apart, so the typo key counts.
        let index = index_of(&[("typo", "Baradar")]);
        assert_eq!(scored_entries(&index, "Bradar"), ["typo"]);
        // Bahadur / Badr are one sound apart as well (the h is not a sound of its own here
        // or is dropped), but their spellings are three letters apart: not a typo.
        let index = index_of(&[("far", "Bahadur")]);
        let query = airbridge_names::NameEngine::new().parse("Badr");
        assert!(!spelled_within_one_slip(&query, &index.names[0].parsed));
    }

    #[test]
    fn spelled_within_one_slip_cannot_tell_arabic_script_and_says_so() {
        let engine = airbridge_names::NameEngine::new();
        let latin = engine.parse("Baradar");
        assert!(spelled_within_one_slip(&engine.parse("Bradar"), &latin));
        assert!(!spelled_within_one_slip(&engine.parse("Karimi"), &latin));
        // Romanised from Arabic script by the letter table, without short vowels (a name not
        // in the engine's dictionary): cannot be told, so kept.
        let tabled = engine.parse("بردغستونی");
        assert!(tabled.tokens.iter().any(|token| token.vowelless));
        assert!(spelled_within_one_slip(&tabled, &latin));
    }

    #[test]
    fn combined_scores_stay_in_range() {
        let listed = "1960".to_owned();
        for name in [0.0, 0.3, 0.6, 0.9, 1.0, f64::NAN, -1.0, 2.0] {
            for birth_date in [
                BirthDateEvidence::Missing,
                BirthDateEvidence::Compatible {
                    listed: listed.clone(),
                    exact: true,
                },
                BirthDateEvidence::Conflict {
                    listed: listed.clone(),
                    years_apart: 30.0,
                },
            ] {
                for document in [
                    DocumentEvidence::NoMatch,
                    DocumentEvidence::Matches {
                        number: "X12345".into(),
                        kind: "Passport".into(),
                    },
                ] {
                    let score =
                        combine(name, &birth_date, &NationalityEvidence::Missing, &document);
                    assert!(
                        (0.0..=1.0).contains(&score),
                        "{name} {birth_date:?} {score}"
                    );
                }
            }
        }
    }

    #[test]
    fn supporting_fields_do_not_lift_a_weak_name() {
        let compatible = BirthDateEvidence::Compatible {
            listed: "1960".into(),
            exact: true,
        };
        let agrees = NationalityEvidence::Agrees {
            nationality: "AF".into(),
        };
        assert_eq!(
            combine(0.4, &compatible, &agrees, &DocumentEvidence::NoMatch),
            0.4
        );
        assert!(combine(0.9, &compatible, &agrees, &DocumentEvidence::NoMatch) > 0.95);
    }
}
