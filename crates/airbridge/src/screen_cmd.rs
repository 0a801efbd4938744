//! `airbridge screen`: screens a CSV of people against sanctions lists and writes one row per
//! hit (`id,list,entry_ref,entry_name,score`, best first within each person), for other tools
//! and for our evaluations.
//!
//! Input columns, by header (any case): `id` and `name` are required; `dob`, `nationality`
//! (ISO alpha-2 or a country name) and `documents` (numbers separated by `;`) are optional.
//! A damaged date ("1974-01-32") still gives its year; an unreadable one counts as missing.
//! The lists are indexed while the first people are read; the people are read in chunks on a
//! thread of their own, each chunk screened in parallel on every core while the next is read,
//! and the hits are written as each chunk finishes, in input order.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Instant;

use crate::list_files::{ListFormat, load};
use airbridge_sanctions::SanctionsList;
use airbridge_screening::{
    Hit, HitSummary, IndexConfig, Query, ScreenConfig, ScreeningIndex, nation_of_country,
    parse_birth_date,
};
use anyhow::{Context, bail};
use rayon::prelude::*;

#[derive(Debug, clap::Args)]
pub struct ScreenArgs {
    /// Sanctions list files (comma-separated or repeated): UN XML or OFAC sdn.csv.
    #[arg(long, value_delimiter = ',', required = true)]
    pub list: Vec<PathBuf>,
    /// The lists' format; by default from each file's extension (.xml UN, .csv OFAC).
    #[arg(long, value_enum)]
    pub format: Option<ListFormat>,
    /// People to screen: CSV with id,name[,dob,nationality,documents].
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the hits (CSV).
    #[arg(long)]
    pub output: PathBuf,
    /// Report hits scoring at least this (0–1).
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// At most this many hits per person.
    #[arg(long, default_value_t = 20)]
    pub max_hits: usize,
    /// Also screen against entities (organisations), not only individuals.
    #[arg(long)]
    pub include_entities: bool,
    /// Add an `explanation` column with each hit's field-by-field explanation as JSON.
    #[arg(long)]
    pub explain: bool,
}

/// People read and screened per chunk: large enough to keep every core busy, small enough to
/// stream and for the first chunk to be ready when the index is.
const CHUNK: usize = 4096;

fn read_list(path: &Path, format: Option<ListFormat>) -> anyhow::Result<SanctionsList> {
    let (list, warnings) = load(path, format)?;
    if !warnings.is_empty() {
        tracing::warn!(list = %path.display(), warnings = warnings.len(), "records read in part");
    }
    Ok(list)
}

/// Column positions of the input's header.
struct Columns {
    id: usize,
    name: usize,
    dob: Option<usize>,
    nationality: Option<usize>,
    documents: Option<usize>,
}

impl Columns {
    fn of(header: &csv::StringRecord) -> anyhow::Result<Columns> {
        let find = |names: &[&str]| {
            header
                .iter()
                .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
        };
        Ok(Columns {
            id: find(&["id"]).context("the input has no `id` column")?,
            name: find(&["name", "full_name"]).context("the input has no `name` column")?,
            dob: find(&["dob", "birth_date", "date_of_birth"]),
            nationality: find(&["nationality"]),
            documents: find(&["documents", "document"]),
        })
    }

    fn query(&self, row: &csv::StringRecord) -> (String, Query) {
        let field = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or("").trim();
        let query = Query::by_name(field(Some(self.name)))
            .with_birth_date(parse_birth_date(field(self.dob)))
            .with_nationality(nation_of_country(field(self.nationality)))
            .with_documents(
                field(self.documents)
                    .split(';')
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
        (field(Some(self.id)).to_owned(), query)
    }
}

/// A chunk of people read, or why reading stopped.
type Chunk = anyhow::Result<Vec<(String, Query)>>;

/// Reads the people in chunks and sends them on, until the input ends, reading fails or the
/// receiver hangs up.
fn read_people(
    mut reader: csv::Reader<File>,
    columns: &Columns,
    input: &Path,
    chunks: mpsc::SyncSender<Chunk>,
) {
    let mut records = reader.records();
    loop {
        let mut chunk = Vec::with_capacity(CHUNK);
        for record in records.by_ref().take(CHUNK) {
            match record {
                Ok(record) => chunk.push(columns.query(&record)),
                Err(error) => {
                    let error = anyhow::Error::new(error)
                        .context(format!("cannot read {}", input.display()));
                    let _ = chunks.send(Err(error));
                    return;
                }
            }
        }
        if chunk.is_empty() || chunks.send(Ok(chunk)).is_err() {
            return;
        }
    }
}

/// One person's hits, with their explanations when asked for.
enum Screened<'a> {
    Summaries(Vec<HitSummary<'a>>),
    Explained(Vec<Hit>),
}

impl Screened<'_> {
    fn len(&self) -> usize {
        match self {
            Screened::Summaries(hits) => hits.len(),
            Screened::Explained(hits) => hits.len(),
        }
    }
}

/// Writes one person's hits.
fn write_hits<W: std::io::Write>(
    writer: &mut csv::Writer<W>,
    id: &str,
    hits: &Screened<'_>,
) -> anyhow::Result<()> {
    let mut score = String::new();
    let mut row = |hit: HitSummary<'_>, explanation: Option<&str>| -> anyhow::Result<()> {
        score.clear();
        write!(score, "{:.4}", hit.score)?;
        writer.write_field(id)?;
        writer.write_field(hit.list.as_str())?;
        writer.write_field(hit.entry_ref)?;
        writer.write_field(hit.listed_name)?;
        writer.write_field(&score)?;
        if let Some(explanation) = explanation {
            writer.write_field(explanation)?;
        }
        writer.write_record(None::<&[u8]>)?;
        Ok(())
    };
    match hits {
        Screened::Summaries(hits) => {
            for hit in hits {
                row(*hit, None)?;
            }
        }
        Screened::Explained(hits) => {
            for hit in hits {
                row(
                    hit.summary(),
                    Some(&serde_json::to_string(&hit.explanation)?),
                )?;
            }
        }
    }
    Ok(())
}

pub fn run(args: ScreenArgs, json: bool) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.threshold) {
        bail!(
            "--threshold must be between 0 and 1, not {}",
            args.threshold
        );
    }
    let started = Instant::now();
    let reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&args.input)
        .with_context(|| format!("cannot open {}", args.input.display()))?;
    let mut reader = reader;
    let columns = Columns::of(reader.headers().context("cannot read the input's header")?)?;
    let output = File::create(&args.output)
        .with_context(|| format!("cannot create {}", args.output.display()))?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(output));
    let mut header = vec!["id", "list", "entry_ref", "entry_name", "score"];
    if args.explain {
        header.push("explanation");
    }
    writer.write_record(&header)?;
    let config = ScreenConfig {
        threshold: args.threshold,
        max_hits: args.max_hits,
    };

    // The lists are read and indexed while the first people are read; then each chunk of
    // people is screened on every core while the next one is read.
    let (people, hit_count, people_hit, loaded, stats) = std::thread::scope(|scope| {
        let indexing = scope.spawn(|| -> anyhow::Result<ScreeningIndex> {
            let lists = args
                .list
                .iter()
                .map(|path| read_list(path, args.format))
                .collect::<anyhow::Result<Vec<_>>>()?;
            Ok(ScreeningIndex::build(
                &lists.iter().collect::<Vec<_>>(),
                &IndexConfig {
                    include_entities: args.include_entities,
                },
            ))
        });
        let (sender, chunks) = mpsc::sync_channel::<Chunk>(2);
        let columns = &columns;
        let input = args.input.as_path();
        scope.spawn(move || read_people(reader, columns, input, sender));
        let index = indexing
            .join()
            .map_err(|_| anyhow::anyhow!("indexing the lists failed"))??;
        let loaded = started.elapsed();
        let (mut people, mut hit_count, mut people_hit) = (0usize, 0usize, 0usize);
        for chunk in chunks {
            let chunk = chunk?;
            people += chunk.len();
            let results: Vec<Screened<'_>> = chunk
                .par_iter()
                .map(|(_, query)| {
                    if args.explain {
                        Screened::Explained(index.screen(query, &config))
                    } else {
                        Screened::Summaries(index.screen_summaries(query, &config))
                    }
                })
                .collect();
            for ((id, _), hits) in chunk.iter().zip(&results) {
                people_hit += usize::from(hits.len() > 0);
                hit_count += hits.len();
                write_hits(&mut writer, id, hits)?;
            }
        }
        anyhow::Ok((people, hit_count, people_hit, loaded, index.stats()))
    })?;
    writer
        .flush()
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    let screened = started.elapsed() - loaded;
    let per_second = people as f64 / screened.as_secs_f64().max(1e-9);
    if json {
        let summary = serde_json::json!({
            "people": people,
            "people_with_hits": people_hit,
            "hits": hit_count,
            "entries_indexed": stats.entries,
            "names_indexed": stats.names,
            "load_seconds": loaded.as_secs_f64(),
            "screen_seconds": screened.as_secs_f64(),
            "people_per_second": per_second.round(),
        });
        println!("{summary}");
    } else {
        println!(
            "screened {people} people against {} entries ({} names) in {:.2}s (+{:.2}s loading, {:.0}/s): {hit_count} hits on {people_hit} people → {}",
            stats.entries,
            stats.names,
            screened.as_secs_f64(),
            loaded.as_secs_f64(),
            per_second,
            args.output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
