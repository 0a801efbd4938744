//! Deduplication of the registry, as the store keeps it (issue 5): the runs of the engine, the
//! cluster each person was put in by the latest run, and the pairs a reviewer looks at with
//! their decisions.
//!
//! The store knows nothing of the engine: the binary reads everyone, runs `airbridge_dedup`
//! bound by [`DedupStore::pair_decisions`], and hands the result back as a [`NewDedupRun`].
//! A decision is binding on every later run ("not the same" pairs never share a cluster and are
//! never queued again), audited, and reversible by deciding again. The statements are in
//! `dedup_sql.rs`, shared by both backends like the registry's.

use crate::records::Actor;
use crate::{AnyStore, Result};
use airbridge_domain::{NationCode, PersonId};
use serde::{Deserialize, Serialize};
use std::future::Future;

/// A reviewer's answer about a pair of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairDecision {
    /// One person: always in one cluster.
    Same,
    /// Two people: never in one cluster, never proposed again.
    NotSame,
    /// The reviewer cannot tell: the pair stays in the queue, marked.
    Unsure,
}

impl PairDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            PairDecision::Same => "same",
            PairDecision::NotSame => "not_same",
            PairDecision::Unsure => "unsure",
        }
    }

    /// `same`, `not-same` (or `not_same`, `different`), `unsure`.
    pub fn parse(text: &str) -> Option<PairDecision> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "same" => Some(PairDecision::Same),
            "not_same" | "different" => Some(PairDecision::NotSame),
            "unsure" => Some(PairDecision::Unsure),
            _ => None,
        }
    }

    /// Whether the decision binds runs (an "unsure" one does not).
    pub fn binding(self) -> bool {
        self != PairDecision::Unsure
    }
}

/// A pair for review, as the engine scored it. `a < b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewReviewPair {
    pub a: PersonId,
    pub b: PersonId,
    pub probability: f64,
    /// Field-by-field weights (JSON): levels and bits, never the values compared.
    pub explanation: serde_json::Value,
}

/// What one run of the engine over the registry found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDedupRun {
    pub records: i64,
    pub pairs_scored: i64,
    pub links: i64,
    pub threshold: f64,
    /// The uncertain band `[low, high)` pairs were queued from.
    pub review_low: f64,
    pub review_high: f64,
    /// Every person the run saw, with their cluster (the smallest person id in it).
    pub clusters: Vec<(PersonId, PersonId)>,
    /// Pairs in the uncertain band. Pairs already decided are left as they are.
    pub review: Vec<NewReviewPair>,
    /// The fitted model, kept to match records added later (`airbridge_dedup::Model`).
    pub model: serde_json::Value,
}

/// What matching newly registered people against the registry found (see
/// [`DedupStore::save_matches`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMatches {
    /// New people and the cluster they join (their own id when they match nobody).
    pub clusters: Vec<(PersonId, PersonId)>,
    /// Pairs in the uncertain band.
    pub review: Vec<NewReviewPair>,
}

/// A stored run with its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupRunRecord {
    pub id: i64,
    pub records: i64,
    pub pairs_scored: i64,
    pub links: i64,
    pub clusters: i64,
    /// Records that share their cluster with another record.
    pub duplicates: i64,
    /// Pairs waiting for a reviewer after this run (new and carried over).
    pub queued: i64,
    pub threshold: f64,
    pub review_low: f64,
    pub review_high: f64,
    pub actor: String,
    pub created_at: String,
}

/// A pair as stored, with both records' nations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairRecord {
    pub a: PersonId,
    pub b: PersonId,
    pub nation_a: NationCode,
    pub nation_b: NationCode,
    /// The latest run's match probability; `None` for a pair decided without a proposal.
    pub probability: Option<f64>,
    pub explanation: serde_json::Value,
    pub run: Option<i64>,
    pub decision: Option<PairDecision>,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub version: i64,
}

impl PairRecord {
    /// The pair as `nation` may see it: whole when both records are its own; otherwise the
    /// other nation's record is hidden (no id, no nation), and only that another nation holds
    /// the same person, and how strongly, is told. `None` when neither record is `nation`'s.
    pub fn seen_by(&self, nation: NationCode) -> Option<PairView> {
        let (own, other, other_nation) = if self.nation_a == nation {
            (self.a, self.b, self.nation_b)
        } else if self.nation_b == nation {
            (self.b, self.a, self.nation_a)
        } else {
            return None;
        };
        let shared = other_nation == nation;
        Some(PairView {
            person: own,
            other: shared.then_some(other),
            other_is_another_nation: !shared,
            probability: self.probability,
            decision: self.decision,
            explanation: shared.then(|| self.explanation.clone()),
        })
    }
}

/// A pair as one nation sees it (see [`PairRecord::seen_by`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairView {
    pub person: PersonId,
    /// The other record, when it is the same nation's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<PersonId>,
    pub other_is_another_nation: bool,
    pub probability: Option<f64>,
    pub decision: Option<PairDecision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<serde_json::Value>,
}

/// What to list from the review queue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewQuery {
    /// Only pairs with a record of this nation.
    pub nation: Option<NationCode>,
    /// Decided pairs too (default: waiting and unsure only).
    pub decided: bool,
    /// Only pairs with this person.
    pub person: Option<PersonId>,
    /// At most this many (default 50, at most 10,000).
    pub limit: Option<u32>,
}

/// Deduplication's statements.
pub trait DedupStore {
    /// Every pair decided "same" or "not the same", for the engine to be bound by.
    fn pair_decisions(
        &self,
    ) -> impl Future<Output = Result<Vec<(PersonId, PersonId, PairDecision)>>> + Send;
    /// Records a run in one transaction: the clusters replace the previous run's; the review
    /// pairs are queued (or their score refreshed); undecided pairs the run no longer finds
    /// uncertain leave the queue; decided pairs stay as they are. Audited as `dedup.run`.
    fn save_dedup_run(
        &self,
        actor: &Actor,
        run: NewDedupRun,
    ) -> impl Future<Output = Result<DedupRunRecord>> + Send;
    fn latest_dedup_run(&self) -> impl Future<Output = Result<Option<DedupRunRecord>>> + Send;
    /// The latest run's model, to match new records with.
    fn dedup_model(&self) -> impl Future<Output = Result<Option<serde_json::Value>>> + Send;
    /// The clusters the latest runs put these people in (people in none are left out).
    fn clusters_of(
        &self,
        people: &[PersonId],
    ) -> impl Future<Output = Result<Vec<(PersonId, PersonId)>>> + Send;
    /// Records what matching new people found, in one transaction: each joins its cluster,
    /// uncertain pairs are queued (pairs already stored are left as they are). Audited as
    /// `dedup.match` with the counts. Needs a run first (the clusters belong to it).
    fn save_matches(
        &self,
        actor: &Actor,
        matches: NewMatches,
    ) -> impl Future<Output = Result<usize>> + Send;
    /// Pairs in review (or decided), most likely first.
    fn review_pairs(
        &self,
        query: &ReviewQuery,
    ) -> impl Future<Output = Result<Vec<PairRecord>>> + Send;
    fn get_pair(
        &self,
        a: PersonId,
        b: PersonId,
    ) -> impl Future<Output = Result<Option<PairRecord>>> + Send;
    /// Decides a pair (in either order), or takes a decision back with `None`. A pair not yet
    /// proposed may be decided too (a reviewer who knows). "Not the same" needs a reason.
    /// `expected_version` guards against two reviewers deciding at once. Audited as
    /// `dedup.decide` on both persons' nations.
    fn decide_pair(
        &self,
        actor: &Actor,
        a: PersonId,
        b: PersonId,
        decision: Option<PairDecision>,
        reason: Option<String>,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<PairRecord>> + Send;
    /// The other records the latest run put in `person`'s cluster.
    fn cluster_mates(&self, person: PersonId)
    -> impl Future<Output = Result<Vec<PersonId>>> + Send;
}

/// Passes one call to whichever backend this is.
macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($store) => $call.await,
            AnyStore::Postgres($store) => $call.await,
        }
    };
}

impl DedupStore for AnyStore {
    async fn pair_decisions(&self) -> Result<Vec<(PersonId, PersonId, PairDecision)>> {
        delegate!(self, s => s.pair_decisions())
    }
    async fn save_dedup_run(&self, actor: &Actor, run: NewDedupRun) -> Result<DedupRunRecord> {
        delegate!(self, s => s.save_dedup_run(actor, run))
    }
    async fn latest_dedup_run(&self) -> Result<Option<DedupRunRecord>> {
        delegate!(self, s => s.latest_dedup_run())
    }
    async fn dedup_model(&self) -> Result<Option<serde_json::Value>> {
        delegate!(self, s => s.dedup_model())
    }
    async fn clusters_of(&self, people: &[PersonId]) -> Result<Vec<(PersonId, PersonId)>> {
        delegate!(self, s => s.clusters_of(people))
    }
    async fn save_matches(&self, actor: &Actor, matches: NewMatches) -> Result<usize> {
        delegate!(self, s => s.save_matches(actor, matches))
    }
    async fn review_pairs(&self, query: &ReviewQuery) -> Result<Vec<PairRecord>> {
        delegate!(self, s => s.review_pairs(query))
    }
    async fn get_pair(&self, a: PersonId, b: PersonId) -> Result<Option<PairRecord>> {
        delegate!(self, s => s.get_pair(a, b))
    }
    async fn decide_pair(
        &self,
        actor: &Actor,
        a: PersonId,
        b: PersonId,
        decision: Option<PairDecision>,
        reason: Option<String>,
        expected_version: Option<i64>,
    ) -> Result<PairRecord> {
        delegate!(self, s => s.decide_pair(actor, a, b, decision, reason, expected_version))
    }
    async fn cluster_mates(&self, person: PersonId) -> Result<Vec<PersonId>> {
        delegate!(self, s => s.cluster_mates(person))
    }
}
