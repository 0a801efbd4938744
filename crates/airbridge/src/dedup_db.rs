//! `airbridge dedup` on the registry: everyone in `--db` is deduplicated by the engine, bound by
//! reviewers' decisions; each person's cluster is stored; pairs in the uncertain band wait for
//! a reviewer (`dedup queue`, `dedup show`, `dedup decide`, `dedup undo`, `dedup matches`).
//! A registry of 1,000 people or more weighs names by its own token counts as well as the
//! built-in ones, in the run and in the index later arrivals are matched against.
//!
//! Across nations, `--nation` shows what that nation may see: its own records, and for a
//! match with another nation's record only that another nation holds the same person and how
//! strongly (see `PairRecord::seen_by`).

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

use airbridge_dedup::{Config, Decisions, Deduplicator, Explanation, Index, Model, Record};
use airbridge_domain::{NationCode, PersonId};
use airbridge_store::any::Location;
use airbridge_store::{
    Actor, AnyStore, DedupStore, NewDedupRun, NewReviewPair, PairDecision, PairRecord, PersonQuery,
    PersonRecord, ReviewQuery, Store,
};
use airbridge_store::{NewMatches, OpenMode};
use anyhow::bail;
use clap::Subcommand;

use crate::InvalidInput;
use crate::dedup_cmd::{DedupArgs, list_engine};

/// The uncertain band's default bounds: below it two records are left apart without asking,
/// above it the engine is trusted to join them.
pub const REVIEW_LOW: f64 = 0.5;
pub const REVIEW_HIGH: f64 = 0.99;

/// People read from the store at a time.
const PAGE: u32 = 10_000;

/// The review queue.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Pairs waiting for a reviewer, most likely first.
    Queue {
        /// Only pairs with a record of this nation, shown as that nation may see them.
        #[arg(long)]
        nation: Option<String>,
        /// Only pairs with this person.
        #[arg(long)]
        person: Option<String>,
        /// Decided pairs too.
        #[arg(long)]
        all: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One pair: both records and the field-by-field explanation of its score.
    Show {
        a: String,
        b: String,
        /// Show the pair as this nation may see it.
        #[arg(long)]
        nation: Option<String>,
    },
    /// Decide a pair: `same`, `not-same` (needs --reason) or `unsure`. Binding on every later
    /// run; taken back with `dedup undo`.
    Decide {
        a: String,
        b: String,
        decision: String,
        #[arg(long)]
        reason: Option<String>,
        /// The pair's version as last seen (refused if someone decided since).
        #[arg(long)]
        version: Option<i64>,
    },
    /// Take a decision back: the pair waits for a reviewer again.
    Undo {
        a: String,
        b: String,
        #[arg(long)]
        version: Option<i64>,
    },
    /// Match people registered since the last run against everyone, through the blocking
    /// index and the last run's model (imports do this on their own): each joins the cluster
    /// of the record it surely is, and uncertain pairs are queued.
    Match {
        #[arg(required = true)]
        persons: Vec<String>,
    },
    /// The records the latest run put with a person, and the pairs waiting about them.
    Matches {
        person: String,
        /// Show them as this nation may see them.
        #[arg(long)]
        nation: Option<String>,
    },
}

pub async fn run(
    location: &Location,
    args: DedupArgs,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    match args.review {
        None => registry_run(&store, &args, actor, json).await?,
        Some(command) => review(&store, command, actor, json).await?,
    }
    Ok(ExitCode::SUCCESS)
}

fn nation(text: &Option<String>) -> Result<Option<NationCode>, InvalidInput> {
    text.as_deref()
        .map(|code| crate::parse::nation("--nation", code))
        .transpose()
}

/// A registered person as the engine reads them; `None` for who cannot be matched (no name
/// and no document: an unnamed dependent such as "child 3", or a purged record).
fn registry_record(person: &PersonRecord) -> Option<Record> {
    let mut record = Record::from_person(&person.id.to_string(), &person.person);
    let named = record.given.is_some() || record.family.is_some() || record.full.is_some();
    if !named && record.documents.is_empty() {
        return None;
    }
    record.case = person.case.map(|case| case.to_string());
    record.relation = person.relation;
    Some(record)
}

/// Everyone in the registry who can be matched: with a name or a document.
async fn read_registry(store: &AnyStore) -> anyhow::Result<(Vec<Record>, Vec<PersonId>)> {
    read_registry_after(store, None).await
}

/// Everyone who can be matched with an id above `after` (everyone when `None`), and the
/// highest id read (matchable or not).
async fn read_registry_after(
    store: &AnyStore,
    mut after: Option<PersonId>,
) -> anyhow::Result<(Vec<Record>, Vec<PersonId>)> {
    let mut records = Vec::new();
    let mut ids = Vec::new();
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
        for person in page {
            if let Some(record) = registry_record(&person) {
                records.push(record);
                ids.push(person.id);
            }
        }
    }
    Ok((records, ids))
}

/// Two records of one family case: different people by construction, never worth a review.
/// Whether two records are members of one family case (never one person).
fn one_case(a: &Option<String>, b: &Option<String>) -> bool {
    a.is_some() && a == b
}

fn explanation_json(explanation: &Explanation) -> serde_json::Value {
    serde_json::json!({
        "prior": explanation.prior,
        "total": explanation.total,
        "probability": explanation.probability,
        "fields": explanation.fields.iter().map(|f| serde_json::json!({
            "field": f.field,
            "level": f.level,
            "weight": f.weight,
            "term_frequency": f.term_frequency,
        })).collect::<Vec<_>>(),
    })
}

async fn registry_run(
    store: &AnyStore,
    args: &DedupArgs,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let (low, high) = (args.review_low, args.review_high);
    if !(0.0..=1.0).contains(&low) || !(0.0..=1.0).contains(&high) || low > high {
        return Err(InvalidInput(format!(
            "--review-low {low} and --review-high {high} must be probabilities with low ≤ high (e.g. 0.5 and 0.99)"
        ))
        .into());
    }
    let started = Instant::now();
    let (records, ids) = read_registry(store).await?;
    let read = started.elapsed();
    if records.is_empty() {
        bail!("nobody in the registry has a name or a document to match by: import a list first");
    }
    let decided = store.pair_decisions().await?;
    let mut decisions = Decisions::default();
    for (a, b, decision) in &decided {
        let pair = (a.to_string(), b.to_string());
        match decision {
            PairDecision::Same => decisions.together.push(pair),
            PairDecision::NotSame => decisions.apart.push(pair),
            PairDecision::Unsure => {}
        }
    }
    let decided: HashMap<(PersonId, PersonId), PairDecision> = decided
        .into_iter()
        .map(|(a, b, decision)| ((a, b), decision))
        .collect();

    // The registry's own name counts weigh its names once it is large enough (see `list_engine`).
    let engine = list_engine(&records);
    let config = Config {
        threshold: args.threshold,
        ..Config::default()
    };
    // The engine consumes the records as it prepares them (a large registry's records and
    // their prepared values would not fit side by side); their cases are kept for the queue.
    let count = records.len();
    let cases: Vec<Option<String>> = records.iter().map(|record| record.case.clone()).collect();
    let outcome = Deduplicator::new(&engine, config)?.run_owned(records, &decisions, |_| {})?;

    // A cluster is named by its smallest person id.
    let mut smallest: HashMap<&str, PersonId> = HashMap::new();
    for (label, id) in outcome.cluster_ids.iter().zip(&ids) {
        let entry = smallest.entry(label.as_str()).or_insert(*id);
        *entry = (*entry).min(*id);
    }
    let clusters: Vec<(PersonId, PersonId)> = outcome
        .cluster_ids
        .iter()
        .zip(&ids)
        .map(|(label, id)| (*id, smallest[label.as_str()]))
        .collect();
    let review: Vec<NewReviewPair> = outcome
        .pairs_between(low, high)
        .into_iter()
        .filter(|&(a, b, _)| {
            let same_case = one_case(&cases[a as usize], &cases[b as usize]);
            let (x, y) = (ids[a as usize], ids[b as usize]);
            !same_case && !decided.contains_key(&(x.min(y), x.max(y)))
        })
        .map(|(a, b, probability)| {
            let (x, y) = (ids[a as usize], ids[b as usize]);
            let explanation = outcome
                .explain(&engine, a as usize, b as usize)
                .map(|e| explanation_json(&e))
                .unwrap_or_default();
            NewReviewPair {
                a: x.min(y),
                b: x.max(y),
                probability,
                explanation,
            }
        })
        .collect();
    let matched = started.elapsed() - read;
    let saved = store
        .save_dedup_run(
            actor,
            NewDedupRun {
                records: count as i64,
                pairs_scored: outcome.pairs_scored as i64,
                links: outcome.links as i64,
                threshold: args.threshold,
                review_low: low,
                review_high: high,
                clusters,
                review,
                model: serde_json::to_value(&outcome.model)?,
            },
        )
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    if json {
        let mut value = serde_json::to_value(&saved)?;
        value["seconds"] = serde_json::json!(seconds);
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!(
            "Run {}: {} records, {} pairs scored, {} links ≥ {}; {} people, {} records share a person with another; {} pairs wait for review (`airbridge dedup queue`). {:.2} s ({:.2} s reading, {:.2} s matching)",
            saved.id,
            saved.records,
            saved.pairs_scored,
            saved.links,
            saved.threshold,
            saved.clusters,
            saved.duplicates,
            saved.queued,
            seconds,
            read.as_secs_f64(),
            matched.as_secs_f64()
        );
    }
    Ok(())
}

/// One line for a pair as a nation (or, with `None`, the whole registry) sees it.
fn pair_line(pair: &PairRecord, nation: Option<NationCode>) -> String {
    let probability = pair
        .probability
        .map_or("decided by hand".to_owned(), |p| format!("{p:.3}"));
    let decision = pair.decision.map_or("waiting", PairDecision::as_str);
    match nation.and_then(|n| pair.seen_by(n)) {
        Some(view) => match view.other {
            Some(other) => format!("{} ~ {other}  {probability}  {decision}", view.person),
            None => format!(
                "{} ~ a record held by another nation  {probability}  {decision}",
                view.person
            ),
        },
        None => format!(
            "{} ({}) ~ {} ({})  {probability}  {decision}  v{}",
            pair.a, pair.nation_a, pair.b, pair.nation_b, pair.version
        ),
    }
}

fn pair_json(pair: &PairRecord, nation: Option<NationCode>) -> anyhow::Result<serde_json::Value> {
    Ok(match nation {
        Some(n) => serde_json::to_value(pair.seen_by(n))?,
        None => serde_json::to_value(pair)?,
    })
}

async fn review(
    store: &AnyStore,
    command: ReviewCommand,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let person = |text: &str| crate::parse::person_id(text);
    match command {
        ReviewCommand::Queue {
            nation: code,
            person: who,
            all,
            limit,
        } => {
            let nation = nation(&code)?;
            let pairs = store
                .review_pairs(&ReviewQuery {
                    nation,
                    decided: all,
                    person: who.as_deref().map(person).transpose()?,
                    limit: Some(limit),
                })
                .await?;
            if json {
                let values = pairs
                    .iter()
                    .map(|p| pair_json(p, nation))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                println!("{}", serde_json::to_string_pretty(&values)?);
            } else if pairs.is_empty() {
                println!("No pair waits for a reviewer.");
            } else {
                for pair in &pairs {
                    println!("{}", pair_line(pair, nation));
                }
            }
        }
        ReviewCommand::Show { a, b, nation: code } => {
            let nation = nation(&code)?;
            let (a, b) = (person(&a)?, person(&b)?);
            let Some(pair) = store.get_pair(a, b).await? else {
                bail!(airbridge_store::StoreError::NotFound {
                    entity: "pair",
                    id: format!("{a}~{b} (see `airbridge dedup queue`)"),
                });
            };
            let seen = nation.map(|n| pair.seen_by(n));
            let view = seen.clone().flatten();
            if seen == Some(None) {
                bail!(airbridge_store::StoreError::NotFound {
                    entity: "pair",
                    id: format!(
                        "{a}~{b} among {}'s records",
                        nation.unwrap_or_else(|| unreachable!())
                    ),
                });
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&pair_json(&pair, nation)?)?
                );
                return Ok(());
            }
            println!("{}", pair_line(&pair, nation));
            let visible: Vec<PersonId> = match &view {
                Some(view) => std::iter::once(view.person).chain(view.other).collect(),
                None => vec![pair.a, pair.b],
            };
            for id in visible {
                if let Some(record) = store.get_person(id).await? {
                    println!("  {}", crate::commands::person_line(&record));
                }
            }
            let explanation = match view {
                Some(view) => view.explanation,
                None => Some(pair.explanation.clone()),
            };
            if let Some(fields) = explanation
                .as_ref()
                .and_then(|e| e["fields"].as_array().cloned())
            {
                for field in fields {
                    println!(
                        "  {:<22} {:<34} {:+.2} bits",
                        field["field"].as_str().unwrap_or_default(),
                        field["level"].as_str().unwrap_or_default(),
                        field["weight"].as_f64().unwrap_or_default()
                    );
                }
            }
            if let Some(reason) = &pair.reason {
                println!("  reason: {reason}");
            }
        }
        ReviewCommand::Decide {
            a,
            b,
            decision,
            reason,
            version,
        } => {
            let Some(decision) = PairDecision::parse(&decision) else {
                return Err(InvalidInput(format!(
                    "'{decision}' is not a decision: write same, not-same or unsure"
                ))
                .into());
            };
            let pair = store
                .decide_pair(
                    actor,
                    person(&a)?,
                    person(&b)?,
                    Some(decision),
                    reason,
                    version,
                )
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&pair)?);
            } else {
                println!(
                    "{} (binding on the next `airbridge dedup`)",
                    pair_line(&pair, None)
                );
            }
        }
        ReviewCommand::Undo { a, b, version } => {
            let pair = store
                .decide_pair(actor, person(&a)?, person(&b)?, None, None, version)
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&pair)?);
            } else {
                println!("{}", pair_line(&pair, None));
            }
        }
        ReviewCommand::Match { persons } => {
            let people = persons
                .iter()
                .map(|text| person(text))
                .collect::<Result<Vec<_>, _>>()?;
            let Some(summary) = match_people(store, actor, &people).await? else {
                bail!("the registry has not been deduplicated yet: run `airbridge dedup` once");
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                println!("{}", summary.line());
            }
        }
        ReviewCommand::Matches {
            person: who,
            nation: code,
        } => {
            let nation = nation(&code)?;
            let id = person(&who)?;
            let Some(record) = store.get_person(id).await? else {
                bail!(airbridge_store::StoreError::NotFound {
                    entity: "person",
                    id: id.to_string(),
                });
            };
            if nation.is_some_and(|n| n != record.nation) {
                bail!(airbridge_store::StoreError::NotFound {
                    entity: "person",
                    id: format!("{id} among {}'s records", nation.unwrap_or(record.nation)),
                });
            }
            let mut same = Vec::new();
            let mut elsewhere = 0usize;
            for mate in store.cluster_mates(id).await? {
                let Some(other) = store.get_person(mate).await? else {
                    continue;
                };
                if nation.is_none_or(|n| n == other.nation) {
                    same.push(other);
                } else {
                    elsewhere += 1;
                }
            }
            let pairs = store
                .review_pairs(&ReviewQuery {
                    person: Some(id),
                    limit: Some(10_000),
                    ..Default::default()
                })
                .await?;
            if json {
                let value = serde_json::json!({
                    "person": id,
                    "same_person": same.iter().map(|p| serde_json::json!({
                        "id": p.id, "nation": p.nation,
                    })).collect::<Vec<_>>(),
                    "held_by_other_nations": elsewhere,
                    "waiting": pairs.iter().map(|p| pair_json(p, nation)).collect::<anyhow::Result<Vec<_>>>()?,
                });
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                println!("{}", crate::commands::person_line(&record));
                for other in &same {
                    println!("  same person: {}", crate::commands::person_line(other));
                }
                if elsewhere > 0 {
                    println!("  {elsewhere} record(s) of the same person held by another nation");
                }
                for pair in &pairs {
                    println!("  waiting: {}", pair_line(pair, nation));
                }
                if same.is_empty() && elsewhere == 0 && pairs.is_empty() {
                    println!("  no other record of this person (as of the last `airbridge dedup`)");
                }
            }
        }
    }
    Ok(())
}

/// What matching new people against the registry did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MatchSummary {
    pub people: usize,
    /// Records in the index they were matched against.
    pub registry: usize,
    /// New people who are surely someone already registered (they joined that cluster).
    pub joined: usize,
    pub queued: usize,
    /// Building the index (reading and preparing everyone) or bringing a kept one up to date,
    /// then matching.
    pub index_seconds: f64,
    pub match_seconds: f64,
    /// The slowest single person's matching, in milliseconds.
    pub slowest_ms: f64,
}

impl MatchSummary {
    pub fn line(&self) -> String {
        format!(
            "{} new people matched against {} records: {} are someone already registered, {} pairs wait for review ({:.2} s building or updating the index, {:.1} ms matching, slowest person {:.2} ms)",
            self.people,
            self.registry,
            self.joined,
            self.queued,
            self.index_seconds,
            self.match_seconds * 1000.0,
            self.slowest_ms
        )
    }
}

/// The registry's blocking index, kept by a running server between jobs. It is built from
/// everyone once per deduplication run (whose model it scores with), then each job brings it
/// up to date: people registered since, by this instance or any other, and the job's own
/// people as they are now. A walk-in is then matched in milliseconds, where building the index
/// means reading the whole registry (seconds at a million people). People changed through
/// another instance are seen as they were until they come in a job of this one, or the next
/// run rebuilds the index.
pub struct KeptIndex {
    run: i64,
    index: Index,
    /// Each indexed record's person and family case (records of one case are never a pair).
    ids: Vec<PersonId>,
    cases: Vec<Option<String>>,
    position: HashMap<PersonId, usize>,
    /// The highest person id read so far: newcomers have higher ones.
    newest: Option<PersonId>,
}

impl KeptIndex {
    /// Puts a person in the index as they are now; one who can no longer be matched (their
    /// name and documents removed) is kept as an empty record that nothing finds.
    fn put(&mut self, id: PersonId, record: Option<Record>) -> usize {
        let record = record.unwrap_or_else(|| Record {
            id: id.to_string(),
            ..Record::default()
        });
        let at = self.position.get(&id).copied();
        let position = self.index.upsert(at, &record);
        if at.is_none() {
            self.ids.push(id);
            self.cases.push(record.case.clone());
            self.position.insert(id, position);
        } else {
            self.cases[position] = record.case.clone();
        }
        self.newest = self.newest.max(Some(id));
        position
    }
}

/// Matches `people` (already in the registry) against everyone else with the latest run's
/// model: incremental deduplication after an import or a walk-in. `None` when the registry
/// has never been deduplicated (no model yet). Builds the index for this call alone; a
/// server keeps one with [`match_people_kept`].
pub async fn match_people(
    store: &AnyStore,
    actor: &Actor,
    people: &[PersonId],
) -> anyhow::Result<Option<MatchSummary>> {
    match_people_kept(store, actor, people, &mut None).await
}

/// [`match_people`] with an index kept between calls in `kept` (built on the first call and
/// when a new deduplication run replaces the model, brought up to date on the others).
pub async fn match_people_kept(
    store: &AnyStore,
    actor: &Actor,
    people: &[PersonId],
    kept: &mut Option<KeptIndex>,
) -> anyhow::Result<Option<MatchSummary>> {
    let Some(run) = store.latest_dedup_run().await? else {
        return Ok(None);
    };
    let started = Instant::now();
    let wanted: std::collections::HashSet<PersonId> = people.iter().copied().collect();
    // The wanted people whose records this call has read (as they are now).
    let mut wanted_records: HashMap<PersonId, Record> = HashMap::new();
    let mut note_wanted = |records: &[Record], ids: &[PersonId]| {
        for (record, id) in records.iter().zip(ids) {
            if wanted.contains(id) {
                wanted_records.insert(*id, record.clone());
            }
        }
    };
    if kept.as_ref().is_none_or(|k| k.run != run.id) {
        let Some(model) = store.dedup_model().await? else {
            return Ok(None);
        };
        let model: Model = serde_json::from_value(model)?;
        let (records, ids) = read_registry(store).await?;
        note_wanted(&records, &ids);
        // Weighed by the registry's own name counts, as the batch run that fitted the model was.
        let index = Index::new(
            &list_engine(&records),
            model,
            &records,
            Config::default().max_block,
        );
        *kept = Some(KeptIndex {
            run: run.id,
            index,
            cases: records.iter().map(|r| r.case.clone()).collect(),
            position: ids.iter().enumerate().map(|(i, id)| (*id, i)).collect(),
            newest: ids.iter().max().copied(),
            ids,
        });
    }
    let Some(kept) = kept.as_mut() else {
        return Ok(None);
    };
    // Newcomers registered since the index was built or last brought up to date.
    let (records, ids) = read_registry_after(store, kept.newest).await?;
    note_wanted(&records, &ids);
    for (record, id) in records.into_iter().zip(ids) {
        kept.put(id, Some(record));
    }
    // This call's other people as they are now (changed, or no longer matchable).
    let unread: Vec<PersonId> = people
        .iter()
        .copied()
        .filter(|id| !wanted_records.contains_key(id))
        .collect();
    if !unread.is_empty() {
        for person in store.get_persons(&unread).await? {
            let record = registry_record(&person);
            kept.put(person.id, record.clone());
            if let Some(record) = record {
                wanted_records.insert(person.id, record);
            }
        }
    }
    let index_seconds = started.elapsed().as_secs_f64();
    let decided: HashMap<(PersonId, PersonId), PairDecision> = store
        .pair_decisions()
        .await?
        .into_iter()
        .map(|(a, b, decision)| ((a, b), decision))
        .collect();
    let KeptIndex {
        index, ids, cases, ..
    } = &*kept;

    let matching = Instant::now();
    let mut slowest = 0f64;
    let mut best: Vec<(PersonId, PersonId)> = Vec::new();
    let mut review = Vec::new();
    for &person in people {
        let Some(record) = wanted_records.get(&person) else {
            continue;
        }; // unnamed, or gone
        let own = kept.position[&person];
        let one = Instant::now();
        let found = index.matches(record, run.review_low);
        slowest = slowest.max(one.elapsed().as_secs_f64() * 1000.0);
        let mut surely = None;
        for found in found {
            if found.position == own {
                continue;
            }
            let other = ids[found.position];
            let key = (person.min(other), person.max(other));
            let same_case = one_case(&record.case, &cases[found.position]);
            if same_case || decided.get(&key) == Some(&PairDecision::NotSame) {
                continue;
            }
            // Another new person of this batch is matched from both sides: queue it once.
            if wanted.contains(&other) && other < person {
                continue;
            }
            if found.probability >= run.threshold && surely.is_none() {
                surely = Some(other);
            }
            if found.probability < run.review_high {
                let explanation = index
                    .explain(record, found.position)
                    .map(|e| explanation_json(&e))
                    .unwrap_or_default();
                review.push(NewReviewPair {
                    a: key.0,
                    b: key.1,
                    probability: found.probability,
                    explanation,
                });
            }
        }
        best.push((person, surely.unwrap_or(person)));
    }
    let match_seconds = matching.elapsed().as_secs_f64();
    // A new person who is surely someone joins that person's cluster.
    let targets: Vec<PersonId> = best.iter().map(|(_, other)| *other).collect();
    let known: HashMap<PersonId, PersonId> =
        store.clusters_of(&targets).await?.into_iter().collect();
    let clusters: Vec<(PersonId, PersonId)> = best
        .iter()
        .map(|&(person, other)| {
            let cluster = if other == person {
                person
            } else {
                known.get(&other).copied().unwrap_or(other)
            };
            (person, cluster)
        })
        .collect();
    let joined = clusters.iter().filter(|(p, c)| p != c).count();
    let matched = clusters.len();
    let queued = store
        .save_matches(actor, NewMatches { clusters, review })
        .await?;
    Ok(Some(MatchSummary {
        people: matched,
        registry: index.len(),
        joined,
        queued,
        index_seconds,
        match_seconds,
        slowest_ms: slowest,
    }))
}
