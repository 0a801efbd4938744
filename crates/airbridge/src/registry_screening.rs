//! `airbridge screening …`: screening the registry against the sanctions lists it holds — load a
//! list version, screen everyone (on load, on import, on demand), review hits.

use crate::list_files::ListFormat;
use crate::{InvalidInput, parse};
use airbridge_domain::PersonId;
use airbridge_sanctions::{ListSource, SanctionsList};
use airbridge_screening::{IndexConfig, Query, ScreenConfig, ScreeningIndex};
use airbridge_store::any::Location;
use airbridge_store::audit::sha256_hex;
use airbridge_store::{
    Actor, AnyStore, HitDecision, NewHit, NewList, PersonQuery, PersonRecord, Store,
};
use anyhow::Context;
use clap::Subcommand;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;

/// Hits scoring below this are not raised to an officer.
pub const DEFAULT_THRESHOLD: f64 = 0.7;

/// People screened per page of the registry.
const SCREEN_PAGE: usize = 5_000;

#[derive(Debug, Subcommand)]
pub enum ScreeningCommand {
    /// Load a version of a sanctions list (UN XML, or OFAC sdn.csv with alt.csv/add.csv beside
    /// it) and screen everyone in the registry against it.
    Load {
        file: PathBuf,
        /// The list's format; by default guessed from the file name and contents.
        #[arg(long, value_enum)]
        format: Option<ListFormat>,
        #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
        threshold: f64,
    },
    /// Screen everyone in the registry against the newest version of each loaded list.
    Run {
        #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
        threshold: f64,
    },
    /// Hits waiting for review (or with --status: confirmed, false_positive, superseded, all).
    Hits {
        #[arg(long, default_value = "open")]
        status: String,
        #[arg(long)]
        nation: Option<String>,
    },
    /// Record a screening officer's decision: confirmed (blocks the person from every manifest)
    /// or false_positive (needs --reason; not raised again unless the person or entry changes).
    Decide {
        /// The hit, as H12 or 12.
        hit: String,
        decision: String,
        #[arg(long)]
        reason: Option<String>,
    },
}

/// Screens people (all of them, or the listed ones) against the newest loaded lists and records
/// the hits. Returns (people screened, new hits); (0, 0) when no list is loaded.
pub async fn screen_registry(
    store: &AnyStore,
    actor: &Actor,
    only: Option<&[PersonId]>,
    threshold: f64,
) -> anyhow::Result<(usize, usize)> {
    let stored = store.latest_lists().await?;
    if stored.is_empty() {
        return Ok((0, 0));
    }
    let mut lists = Vec::new();
    for (version, content) in &stored {
        let list: SanctionsList = serde_json::from_str(content)
            .with_context(|| format!("stored list {} is damaged", version.id))?;
        lists.push((version.id, list));
    }
    let refs: Vec<&SanctionsList> = lists.iter().map(|(_, l)| l).collect();
    let index = ScreeningIndex::build(&refs, &IndexConfig::default());
    let entry_fingerprints: HashMap<(ListSource, String), (i64, String)> = lists
        .iter()
        .flat_map(|(id, list)| {
            list.entries.iter().map(move |entry| {
                let json = serde_json::to_vec(entry).unwrap_or_default();
                (
                    (list.source, entry.reference.clone()),
                    (*id, sha256_hex(&json)),
                )
            })
        })
        .collect();
    let config = ScreenConfig {
        threshold,
        ..ScreenConfig::default()
    };
    let (mut screened, mut raised) = (0usize, 0usize);
    // A few people are fetched one by one; many (a large import) by paging through everyone,
    // which costs a handful of queries instead of one per person.
    let wanted: Option<std::collections::HashSet<PersonId>> = match only {
        Some(ids) if ids.len() > SCREEN_PAGE => Some(ids.iter().copied().collect()),
        _ => None,
    };
    let one_by_one = only.filter(|ids| ids.len() <= SCREEN_PAGE);
    let mut after = None;
    loop {
        let people = match one_by_one {
            Some(ids) => {
                let mut page = Vec::new();
                for id in ids {
                    page.extend(store.get_person(*id).await?);
                }
                page
            }
            None => {
                let mut page = store
                    .search_persons(&PersonQuery {
                        limit: Some(SCREEN_PAGE as u32),
                        after,
                        ..Default::default()
                    })
                    .await?;
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                if let Some(wanted) = &wanted {
                    page.retain(|p| wanted.contains(&p.id));
                }
                page
            }
        };
        // Each person is screened on its own: the page is shared out over every core.
        let screened_page = people
            .par_iter()
            .map(|record| screen_person(&index, &config, &entry_fingerprints, record))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut hits = Vec::new();
        for person_hits in screened_page.into_iter().flatten() {
            screened += 1;
            hits.extend(person_hits);
        }
        raised += store.record_hits(actor, hits).await?;
        if one_by_one.is_some() {
            break;
        }
    }
    Ok((screened, raised))
}

/// One person's hits on the listed entries, or `None` when the person has no name to screen by
/// (an unnamed dependent).
fn screen_person(
    index: &ScreeningIndex,
    config: &ScreenConfig,
    entry_fingerprints: &HashMap<(ListSource, String), (i64, String)>,
    record: &PersonRecord,
) -> anyhow::Result<Option<Vec<NewHit>>> {
    let Ok(query) = Query::for_person(&record.person) else {
        return Ok(None);
    };
    let person_fingerprint = sha256_hex(
        &serde_json::to_vec(&(
            &query.name,
            &query.birth_date,
            &record.person.nationalities,
            &query.documents,
        ))
        .unwrap_or_default(),
    );
    let mut hits = Vec::new();
    for hit in index.screen(&query, config) {
        let Some((list_id, entry_fingerprint)) =
            entry_fingerprints.get(&(hit.list, hit.entry_ref.clone()))
        else {
            continue;
        };
        hits.push(NewHit {
            person: record.id,
            list_id: *list_id,
            entry_ref: hit.entry_ref.clone(),
            listed_name: hit.listed_name.clone(),
            score: hit.score,
            explanation: serde_json::to_value(&hit.explanation)?,
            entry_fingerprint: entry_fingerprint.clone(),
            person_fingerprint: person_fingerprint.clone(),
        });
    }
    Ok(Some(hits))
}

pub async fn run(
    db: &Location,
    command: ScreeningCommand,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let store = crate::key_cmd::open_store(db, airbridge_store::OpenMode::MustExist).await?;
    match command {
        ScreeningCommand::Load {
            file,
            format,
            threshold,
        } => {
            let (list, _) = crate::list_files::load(&file, format)?;
            let content = serde_json::to_string(&list)?;
            // The same content loads once, whatever the file was called.
            let sha256 = sha256_hex(content.as_bytes());
            let source = match list.source {
                ListSource::Un => "un",
                ListSource::Ofac => "ofac",
            };
            let entries = list.entries.len() as i64;
            let (stored, new) = store
                .store_list(
                    actor,
                    NewList {
                        source: source.to_owned(),
                        version_date: list.version_date.clone(),
                        sha256,
                        entries,
                        content,
                    },
                )
                .await?;
            let (screened, raised) = if new {
                screen_registry(&store, actor, None, threshold).await?
            } else {
                (0, 0)
            };
            let summary = serde_json::json!({ "list": stored, "new": new, "screened": screened, "new_hits": raised });
            if json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else if new {
                println!(
                    "Loaded {source} list of {} ({entries} entries) as version {}; screened {screened} people: {raised} new hits to review (`airbridge screening hits`).",
                    stored.version_date.as_deref().unwrap_or("unknown date"),
                    stored.id
                );
            } else {
                println!(
                    "This list version is already loaded (version {}): nothing to do.",
                    stored.id
                );
            }
        }
        ScreeningCommand::Run { threshold } => {
            let (screened, raised) = screen_registry(&store, actor, None, threshold).await?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "screened": screened, "new_hits": raised })
                );
            } else if screened == 0 {
                println!("No sanctions list is loaded: `airbridge screening load FILE` first.");
            } else {
                println!("Screened {screened} people: {raised} new hits to review.");
            }
        }
        ScreeningCommand::Hits { status, nation } => {
            let nation = nation
                .as_deref()
                .map(|n| parse::nation("--nation", n))
                .transpose()?;
            let status = (status != "all").then_some(status);
            let hits = store.list_hits(status, nation).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&hits)?);
            } else if hits.is_empty() {
                println!("No hits.");
            } else {
                for hit in &hits {
                    println!(
                        "H{:<5} {:.2}  {} {:<8} {:<30} ~ {} {}  [{}]{}",
                        hit.id,
                        hit.score,
                        hit.nation,
                        hit.person.to_string(),
                        hit.person_name,
                        hit.entry_ref,
                        hit.listed_name,
                        hit.status,
                        hit.reason
                            .as_deref()
                            .map(|r| format!(" {r}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        ScreeningCommand::Decide {
            hit,
            decision,
            reason,
        } => {
            let id: i64 = hit
                .trim_start_matches(['H', 'h'])
                .parse()
                .map_err(|_| InvalidInput(format!("'{hit}' is not a hit: write H12 or 12")))?;
            let decision = match decision.replace('-', "_").as_str() {
                "confirmed" | "confirm" => HitDecision::Confirmed,
                "false_positive" | "fp" => HitDecision::FalsePositive,
                other => {
                    return Err(InvalidInput(format!(
                        "'{other}': decide confirmed or false_positive"
                    ))
                    .into());
                }
            };
            let record = store.decide_hit(actor, id, decision, reason).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&record)?);
            } else {
                println!(
                    "H{} {} ~ {}: {}",
                    record.id, record.person, record.entry_ref, record.status
                );
            }
        }
    }
    store.close().await;
    Ok(())
}
