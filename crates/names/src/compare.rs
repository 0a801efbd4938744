//! Similarity of two parsed names, with an explanation of how their tokens aligned.
//!
//! Tokens are aligned order-free: every pair of compared tokens (and every fused neighbour pair
//! against a single token, for compounds written apart) gets a similarity, and the best pairs
//! are taken greedily, highest similarity first. The score weighs what agreed against what did
//! not, each token by its information content:
//!
//! `score = M / (M + L + conflict · C + extra · E)`
//!
//! where M is the weight of agreement, L what the imperfect similarities lose, C the weight left
//! unmatched on *both* sides (different names: strong evidence against), and E the weight left
//! unmatched on one side only (a name given in fuller form: weak evidence against). Identical
//! names (same tokens up to order and variant class) score exactly 1.

use serde::Serialize;

use crate::NameEngine;
use crate::parse::{ParsedName, Token, TokenRole};
use crate::phonetic::{levenshtein_similarity, skeleton_similarity};

/// How two tokens (or a compound and its parts) were found to agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Same comparison form.
    Exact,
    /// Different spellings of one variant class (Mohammad / Muhammad).
    Variant,
    /// Same phonetic skeleton (Hashim / Hashem).
    Phonetic,
    /// Close spelling or close skeleton.
    Fuzzy,
    /// An initial against a name starting with it.
    Initial,
    /// A fused compound against its parts written apart (Abdulrahim / Abdul Rahim).
    Compound,
}

/// One aligned pair of tokens in an explanation.
#[derive(Debug, Clone, Serialize)]
pub struct TokenAlignment {
    /// Token(s) of the first name.
    pub a: String,
    /// Token(s) of the second name.
    pub b: String,
    pub kind: MatchKind,
    /// Token similarity in [0, 1].
    pub similarity: f64,
    /// Weight of the agreement (information content of the tokens).
    pub weight: f64,
}

/// A token left without a partner.
#[derive(Debug, Clone, Serialize)]
pub struct UnmatchedToken {
    pub text: String,
    pub role: TokenRole,
    pub weight: f64,
}

/// The result of comparing two names, with its explanation.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Similarity in [0, 1].
    pub score: f64,
    pub a: ParsedName,
    pub b: ParsedName,
    pub aligned: Vec<TokenAlignment>,
    pub unmatched_a: Vec<UnmatchedToken>,
    pub unmatched_b: Vec<UnmatchedToken>,
}

/// Constants of the score, tuned on the ofac-dev training part (see the README).
#[derive(Debug, Clone)]
pub struct Tuning {
    pub information_offset: f64,
    pub max_information: f64,
    pub min_weight: f64,
    pub title_scale: f64,
    pub initial_weight: f64,
    pub initial_similarity: f64,
    pub conflict: f64,
    pub extra: f64,
    pub weak_role_factor: f64,
    pub fuzzy_floor: f64,
    pub confidence: f64,
    pub fuzzy_power: f64,
    pub primary_factor: f64,
    /// Tokens weighing less than this are too common to be blocking keys on their own.
    pub key_common_weight: f64,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            information_offset: 2.0,
            max_information: 11.0,
            min_weight: 0.5,
            title_scale: 1.0,
            initial_weight: 1.0,
            initial_similarity: 0.9,
            conflict: 1.0,
            extra: 0.3,
            weak_role_factor: 0.6,
            fuzzy_floor: 0.7,
            confidence: 0.0,
            fuzzy_power: 1.0,
            primary_factor: 1.5,
            key_common_weight: 2.5,
        }
    }
}

/// Names longer than this many compared tokens are compared on their first tokens only; real
/// names never come close, and it keeps the alignment on fixed-size stack arrays.
const MAX_TOKENS: usize = 16;
/// At most this many candidate alignments are kept per comparison.
const MAX_EDGES: usize = 128;

#[derive(Clone, Copy)]
struct Edge {
    similarity: f64,
    weight: f64,
    kind: MatchKind,
    mask_a: u32,
    mask_b: u32,
    /// Content-derived tie-breaker, so that the alignment does not depend on token order.
    tie: u64,
}

impl NameEngine {
    /// Similarity of two tokens and how they agree; 0 when they do not.
    fn token_similarity(&self, a: &Token, b: &Token) -> (f64, MatchKind) {
        if a.canonical_hash == b.canonical_hash {
            return (
                1.0,
                if a.form == b.form {
                    MatchKind::Exact
                } else {
                    MatchKind::Variant
                },
            );
        }
        let tuning = &self.tuning;
        let a_initial = a.role == TokenRole::Initial;
        let b_initial = b.role == TokenRole::Initial;
        if a_initial || b_initial {
            if a_initial && b_initial {
                return (0.0, MatchKind::Initial);
            }
            let (initial, full) = if a_initial { (a, b) } else { (b, a) };
            let agrees = initial.form.as_bytes().first() == full.form.as_bytes().first();
            return (
                if agrees {
                    tuning.initial_similarity
                } else {
                    0.0
                },
                MatchKind::Initial,
            );
        }
        let vowelless = a.vowelless || b.vowelless;
        if a.skeleton_hash == b.skeleton_hash && !a.skeleton.is_empty() {
            // A short skeleton (Chen/Chan, Ali/Ala) leaves the vowels to tell names apart.
            let base = match a.skeleton.len() {
                0..=2 => 0.5,
                3 => 0.75,
                _ => 0.85,
            };
            let similarity = if vowelless {
                f64::max(base, 0.75) + 0.1
            } else {
                base + (1.0 - base) * levenshtein_similarity(a.form.as_bytes(), b.form.as_bytes())
            };
            return (similarity, MatchKind::Phonetic);
        }
        // Cheap upper bounds first: most token pairs of two different names are far apart.
        let (skeleton_a, skeleton_b) = (a.skeleton.len(), b.skeleton.len());
        let (spelling_a, spelling_b) = (a.canonical.len(), b.canonical.len());
        let code_difference = f64::from((a.codes ^ b.codes).count_ones());
        let letter_difference = f64::from((a.letters ^ b.letters).count_ones());
        let longest_skeleton = skeleton_a.max(skeleton_b).max(1) as f64;
        let longest_spelling = spelling_a.max(spelling_b).max(1) as f64;
        let skeleton_gap =
            (0.5 * skeleton_a.abs_diff(skeleton_b) as f64).max(0.15 * code_difference);
        let skeleton_bound = 0.9 * (1.0 - skeleton_gap / longest_skeleton);
        let spelling_bound = if vowelless {
            0.0
        } else {
            let gap =
                (spelling_a.abs_diff(spelling_b) as f64).max((letter_difference / 2.0).ceil());
            1.0 - gap / longest_spelling
        };
        if skeleton_bound.max(spelling_bound) < tuning.fuzzy_floor {
            return (0.0, MatchKind::Fuzzy);
        }
        let by_skeleton = 0.9 * skeleton_similarity(&a.skeleton, &b.skeleton);
        let by_spelling = if vowelless {
            0.0
        } else {
            levenshtein_similarity(a.canonical.as_bytes(), b.canonical.as_bytes())
        };
        let similarity = by_skeleton.max(by_spelling);
        if similarity >= tuning.fuzzy_floor {
            // Stretch the fuzzy range: one wrong letter in five (Amer/Samer) is weak evidence.
            let above = (similarity - tuning.fuzzy_floor) / (1.0 - tuning.fuzzy_floor);
            (
                0.5 + 0.45 * above.powf(tuning.fuzzy_power),
                MatchKind::Fuzzy,
            )
        } else {
            (0.0, MatchKind::Fuzzy)
        }
    }

    /// The core of [`NameEngine::score_parsed`] and [`NameEngine::compare`]: aligns and scores,
    /// and records the alignment when asked.
    pub(crate) fn align(
        &self,
        a: &ParsedName,
        b: &ParsedName,
        mut record: Option<&mut Comparison>,
    ) -> f64 {
        let tuning = &self.tuning;
        if a.identity_hash == b.identity_hash && a.identity_key == b.identity_key {
            if let Some(record) = record.as_deref_mut() {
                self.record_identical(a, b, record);
            }
            return 1.0;
        }
        let mut index_a = [0usize; MAX_TOKENS];
        let mut index_b = [0usize; MAX_TOKENS];
        let count_a = compared_indices(a, &mut index_a);
        let count_b = compared_indices(b, &mut index_b);
        if count_a == 0 || count_b == 0 {
            return 0.0;
        }
        let mut edges = [Edge {
            similarity: 0.0,
            weight: 0.0,
            kind: MatchKind::Exact,
            mask_a: 0,
            mask_b: 0,
            tie: 0,
        }; MAX_EDGES];
        let mut edge_count = 0;
        let mut push = |edge: Edge| {
            if edge_count < MAX_EDGES {
                edges[edge_count] = edge;
                edge_count += 1;
            }
        };
        for (slot_a, &i) in index_a[..count_a].iter().enumerate() {
            let token_a = &a.tokens[i];
            for (slot_b, &j) in index_b[..count_b].iter().enumerate() {
                let token_b = &b.tokens[j];
                let (similarity, kind) = self.token_similarity(token_a, token_b);
                if similarity > 0.0 {
                    let weight = 0.5 * (token_a.weight + token_b.weight);
                    let tie = token_a.canonical_hash.wrapping_add(token_b.canonical_hash);
                    push(Edge {
                        similarity,
                        weight,
                        kind,
                        mask_a: 1 << slot_a,
                        mask_b: 1 << slot_b,
                        tie,
                    });
                }
            }
        }
        // Fused neighbours against single tokens: Abdulrahim ~ Abdul Rahim, Fazlur Rahman ~ Fazl-ur-Rahman.
        for (fused_side, single_side, indices_f, count_f, indices_s, count_s, a_is_fused) in [
            (a, b, &index_a, count_a, &index_b, count_b, true),
            (b, a, &index_b, count_b, &index_a, count_a, false),
        ] {
            for pair in &fused_side.fused {
                let (Some(slot_first), Some(slot_second)) = (
                    slot_of(indices_f, count_f, pair.first),
                    slot_of(indices_f, count_f, pair.second),
                ) else {
                    continue;
                };
                for (slot_s, &j) in indices_s[..count_s].iter().enumerate() {
                    let single = &single_side.tokens[j];
                    let (similarity, _) = self.token_similarity(&pair.token, single);
                    if similarity < 0.8 {
                        continue;
                    }
                    let parts = fused_side.tokens[pair.first].weight
                        + fused_side.tokens[pair.second].weight;
                    let weight = 0.5 * (parts + single.weight);
                    let mask_f = (1u32 << slot_first) | (1u32 << slot_second);
                    let mask_s = 1u32 << slot_s;
                    let tie = pair
                        .token
                        .canonical_hash
                        .wrapping_add(single.canonical_hash);
                    let (mask_a, mask_b) = if a_is_fused {
                        (mask_f, mask_s)
                    } else {
                        (mask_s, mask_f)
                    };
                    push(Edge {
                        similarity,
                        weight,
                        kind: MatchKind::Compound,
                        mask_a,
                        mask_b,
                        tie,
                    });
                }
            }
        }
        let edges = &mut edges[..edge_count];
        edges.sort_unstable_by(|x, y| {
            y.similarity
                .total_cmp(&x.similarity)
                .then(y.weight.total_cmp(&x.weight))
                .then(x.tie.cmp(&y.tie))
        });
        let (mut used_a, mut used_b) = (0u32, 0u32);
        let (mut agreement, mut loss) = (0.0f64, 0.0f64);
        for edge in edges.iter() {
            if used_a & edge.mask_a != 0 || used_b & edge.mask_b != 0 {
                continue;
            }
            used_a |= edge.mask_a;
            used_b |= edge.mask_b;
            agreement += edge.similarity * edge.weight;
            loss += (1.0 - edge.similarity) * edge.weight;
            if let Some(record) = record.as_deref_mut() {
                record.aligned.push(TokenAlignment {
                    a: texts(a, &index_a[..count_a], edge.mask_a),
                    b: texts(b, &index_b[..count_b], edge.mask_b),
                    kind: edge.kind,
                    similarity: edge.similarity,
                    weight: edge.weight,
                });
            }
        }
        let unmatched = |parsed: &ParsedName,
                         indices: &[usize],
                         used: u32,
                         list: Option<&mut Vec<UnmatchedToken>>| {
            let mut total = 0.0;
            let mut list = list;
            for (slot, &i) in indices.iter().enumerate() {
                if used & (1 << slot) != 0 {
                    continue;
                }
                let token = &parsed.tokens[i];
                let factor = match token.role {
                    TokenRole::Patronymic | TokenRole::Tribal => tuning.weak_role_factor,
                    _ if token.primary => tuning.primary_factor,
                    _ => 1.0,
                };
                total += token.weight * factor;
                if let Some(list) = list.as_deref_mut() {
                    list.push(UnmatchedToken {
                        text: token.text.clone(),
                        role: token.role,
                        weight: token.weight,
                    });
                }
            }
            total
        };
        let (unmatched_a, unmatched_b) = match record.as_deref_mut() {
            Some(record) => {
                let ua = unmatched(
                    a,
                    &index_a[..count_a],
                    used_a,
                    Some(&mut record.unmatched_a),
                );
                let ub = unmatched(
                    b,
                    &index_b[..count_b],
                    used_b,
                    Some(&mut record.unmatched_b),
                );
                (ua, ub)
            }
            None => (
                unmatched(a, &index_a[..count_a], used_a, None),
                unmatched(b, &index_b[..count_b], used_b, None),
            ),
        };
        if agreement <= 0.0 {
            return 0.0;
        }
        let conflict = unmatched_a.min(unmatched_b);
        let extra = (unmatched_a - unmatched_b).abs();
        let score =
            agreement / (agreement + loss + tuning.conflict * conflict + tuning.extra * extra);
        let score = if tuning.confidence > 0.0 {
            score * agreement / (agreement + tuning.confidence)
        } else {
            score
        };
        // Only identical names reach 1 (handled above); keep everything else just below.
        score.clamp(0.0, 0.999_999)
    }

    fn record_identical(&self, a: &ParsedName, b: &ParsedName, record: &mut Comparison) {
        let mut used = vec![false; b.tokens.len()];
        for token_a in a.tokens.iter().filter(|t| t.is_compared()) {
            let partner = b.tokens.iter().enumerate().find(|(j, t)| {
                !used[*j] && t.is_compared() && t.canonical_hash == token_a.canonical_hash
            });
            if let Some((j, token_b)) = partner {
                used[j] = true;
                record.aligned.push(TokenAlignment {
                    a: token_a.text.clone(),
                    b: token_b.text.clone(),
                    kind: if token_a.form == token_b.form {
                        MatchKind::Exact
                    } else {
                        MatchKind::Variant
                    },
                    similarity: 1.0,
                    weight: 0.5 * (token_a.weight + token_b.weight),
                });
            }
        }
    }
}

fn compared_indices(parsed: &ParsedName, out: &mut [usize; MAX_TOKENS]) -> usize {
    let mut count = 0;
    for (i, token) in parsed.tokens.iter().enumerate() {
        if token.is_compared() && count < MAX_TOKENS {
            out[count] = i;
            count += 1;
        }
    }
    count
}

fn slot_of(indices: &[usize; MAX_TOKENS], count: usize, token_index: usize) -> Option<usize> {
    indices[..count].iter().position(|&i| i == token_index)
}

fn texts(parsed: &ParsedName, indices: &[usize], mask: u32) -> String {
    let mut parts = Vec::new();
    for (slot, &i) in indices.iter().enumerate() {
        if mask & (1 << slot) != 0 {
            parts.push(parsed.tokens[i].text.as_str());
        }
    }
    parts.join(" ")
}
