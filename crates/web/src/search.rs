//! Name search over the registry, shared by the web app and the CLI: the words a person's
//! names begin with, then the names engine over the people who share a blocking key with the
//! query, so that "Zahra Hosseini" finds زهرا حسینی and "Mohammad Hashem" finds "Muhammad
//! Hashim". Both read the store's name index (`person_keys`): a search reads a few hundred
//! people, not the registry.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use airbridge_domain::PersonId;
use airbridge_names::{FrequencyTable, NameEngine};
use airbridge_store::{PersonQuery, PersonRecord, Result, Store};

/// People the names engine scores per search at most: those sharing the most keys with the
/// query come first, so a common name's long tail is what is left out.
pub const ENGINE_CANDIDATES: u32 = 600;
/// A names-engine score at least this is a match.
pub const ENGINE_THRESHOLD: f64 = 0.75;
/// A registry of at least this many named people weighs names by its own token counts as well
/// as the built-in ones (as `airbridge dedup` does for a list or the registry): an Afghan
/// registry's Gul, Jan and Ahmadzai are common there however rare among the world's names.
pub const OWN_FREQUENCIES_FROM: usize = 1_000;
/// How long the web app's registry-weighted engine serves before a search has it counted
/// again (in the background; searches go on with the one they have).
pub const RECOUNT_AFTER: Duration = Duration::from_secs(600);
/// People read at a time when counting the registry's names.
const PAGE: u32 = 10_000;

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

/// The engine that scores name search over `store`'s registry: the built-in one with the
/// registry's own name-token counts added (each person's names count each token once), when
/// at least [`OWN_FREQUENCIES_FROM`] people have a name; else the built-in one. Blocking keys
/// stay the built-in engine's (the store's name index is made with it): only the weights of
/// the score follow the registry. Reads every person's names.
pub async fn registry_engine<S: Store>(store: &S) -> Result<NameEngine> {
    let mut names: Vec<String> = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .search_persons(&PersonQuery {
                limit: Some(PAGE),
                after,
                ..Default::default()
            })
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        names.extend(
            page.iter()
                .map(|record| record.person.name.searchable())
                .filter(|name| !name.trim().is_empty()),
        );
    }
    let builtin = engine().clone();
    if names.len() < OWN_FREQUENCIES_FROM {
        return Ok(builtin);
    }
    // Parsing a large registry's names is seconds of work: off the async workers.
    let counted = tokio::task::spawn_blocking(move || {
        let own = FrequencyTable::from_names(&builtin, &names);
        let mut table = builtin.frequencies().clone();
        table.merge(&own, 1.0);
        builtin.with_frequencies(table)
    })
    .await;
    Ok(counted.unwrap_or_else(|_| engine().clone()))
}

/// The web app's search engine, kept between searches: [`registry_engine`], counted again in
/// the background when a search finds it older than [`RECOUNT_AFTER`]. Until the first count
/// ends, searches use the built-in engine.
#[derive(Default)]
pub struct SearchEngine {
    kept: RwLock<Option<(Instant, Arc<NameEngine>)>>,
    counting: AtomicBool,
}

impl SearchEngine {
    /// The engine to search with now.
    pub fn get(&self) -> Arc<NameEngine> {
        self.kept
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or_else(|| Arc::new(engine().clone()), |(_, kept)| kept.clone())
    }

    /// Whether the registry's counts are due (never made, or older than [`RECOUNT_AFTER`]).
    fn due(&self) -> bool {
        self.kept
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() >= RECOUNT_AFTER)
    }

    /// Counts the registry's names now and keeps the engine (what the background count does).
    pub async fn recount<S: Store>(&self, store: &S) -> Result<()> {
        let engine = registry_engine(store).await?;
        *self.kept.write().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), Arc::new(engine)));
        Ok(())
    }

    /// Starts a background count when one is due and none is running. Must be called inside
    /// a tokio runtime.
    pub fn recount_if_due<S: Store>(self: &Arc<Self>, store: &S) {
        if !self.due() || self.counting.swap(true, Ordering::AcqRel) {
            return;
        }
        let (this, store) = (self.clone(), store.clone());
        tokio::spawn(async move {
            if let Err(error) = this.recount(&store).await {
                tracing::warn!(%error, "counting the registry's names for search failed");
            }
            this.counting.store(false, Ordering::Release);
        });
    }
}

/// The people found by `q` among those `filter` admits (its nation, status and case; its text,
/// `after` and `limit` are ignored): words matches first, then names-engine matches (scored by
/// `engine`: [`registry_engine`], or the built-in [`engine`]) best first; at most `limit`.
pub async fn find_people<S: Store>(
    store: &S,
    engine: &NameEngine,
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
