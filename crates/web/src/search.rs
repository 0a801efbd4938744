//! Name search over the registry, shared by the web app and the CLI: the words a person's
//! names begin with, then the names engine over the people who share a blocking key with the
//! query, so that "Zahra Hosseini" finds زهرا حسینی and "Mohammad Hashem" finds "Muhammad
//! Hashim". Both read the store's name index (`person_keys`): a search reads a few hundred
//! people, not the registry.

use airbridge_domain::PersonId;
use airbridge_store::{PersonQuery, PersonRecord, Result, Store};

/// People the names engine scores per search at most: those sharing the most keys with the
/// query come first, so a common name's long tail is what is left out.
pub const ENGINE_CANDIDATES: u32 = 600;
/// A names-engine score at least this is a match.
pub const ENGINE_THRESHOLD: f64 = 0.75;

/// How a person was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    /// Every word of the query begins a word of the person's names.
    Words,
    /// The names engine scored the person's names close to the query.
    NamesEngine,
}

impl MatchedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Words => "words",
            MatchedBy::NamesEngine => "names_engine",
        }
    }
}

/// One person found, with the score that placed them (1 for a words match).
#[derive(Debug, Clone)]
pub struct FoundPerson {
    pub record: PersonRecord,
    pub score: f64,
    pub matched_by: MatchedBy,
}

/// The names engine the web app and the store's index share.
pub fn engine() -> &'static airbridge_names::NameEngine {
    airbridge_store::name_engine()
}

/// The people found by `q` among those `filter` admits (its nation, status and case; its text,
/// `after` and `limit` are ignored): words matches first, then names-engine matches best first;
/// at most `limit`.
pub async fn find_people<S: Store>(
    store: &S,
    filter: &PersonQuery,
    q: &str,
    limit: usize,
) -> Result<Vec<FoundPerson>> {
    let keep = |r: &PersonRecord| {
        filter.status.is_none_or(|s| r.status == s) && filter.case.is_none_or(|c| r.case == Some(c))
    };
    let words = store
        .search_persons(&PersonQuery {
            nation: filter.nation,
            status: filter.status,
            case: filter.case,
            text: Some(q.to_owned()),
            limit: Some(limit as u32),
            after: None,
        })
        .await?;
    let mut found: Vec<FoundPerson> = words
        .into_iter()
        .map(|record| FoundPerson {
            record,
            score: 1.0,
            matched_by: MatchedBy::Words,
        })
        .collect();
    // The engine scores the candidates' names alone; only the people it keeps are read whole.
    let engine = engine();
    let query = engine.parse(q);
    let mut close: Vec<(PersonId, f64)> = Vec::new();
    for candidate in store
        .name_candidates(filter.nation, q, ENGINE_CANDIDATES)
        .await?
    {
        if candidate.names.trim().is_empty() || found.iter().any(|f| f.record.id == candidate.id) {
            continue;
        }
        let score = engine.score_parsed(&query, &engine.parse(&candidate.names));
        if score >= ENGINE_THRESHOLD {
            close.push((candidate.id, score));
        }
    }
    close.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    // Enough to fill the page even when the filter drops some.
    close.truncate(limit.saturating_mul(4).max(limit));
    let ids: Vec<PersonId> = close.iter().map(|(id, _)| *id).collect();
    for record in store.get_persons(&ids).await? {
        let score = close
            .iter()
            .find(|(id, _)| *id == record.id)
            .map_or(0.0, |(_, score)| *score);
        if keep(&record) {
            found.push(FoundPerson {
                record,
                score,
                matched_by: MatchedBy::NamesEngine,
            });
        }
    }
    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.record.id.cmp(&b.record.id))
    });
    found.truncate(limit);
    Ok(found)
}
