//! `airbridge screen`: screens a CSV of people against sanctions lists and writes one row per
//! hit (`id,list,entry_ref,entry_name,score`, best first within each person), for other tools
//! and for our evaluations.
//!
//! Input columns, by header (any case): `id` and `name` are required; `dob`, `nationality`
//! (ISO alpha-2 or a country name) and `documents` (numbers separated by `;`) are optional.
//! A damaged date ("1974-01-32") still gives its year; an unreadable one counts as missing.
//! The people are read and screened in chunks, each chunk in parallel on every core, and the
//! hits are written as each chunk finishes, in input order.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::list_files::{ListFormat, load};
use airbridge_sanctions::SanctionsList;
use airbridge_screening::{
    Hit, IndexConfig, Query, ScreenConfig, ScreeningIndex, nation_of_country, parse_birth_date,
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
/// stream.
const CHUNK: usize = 8192;

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

pub fn run(args: ScreenArgs, json: bool) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.threshold) {
        bail!(
            "--threshold must be between 0 and 1, not {}",
            args.threshold
        );
    }
    let started = Instant::now();
    let lists = args
        .list
        .iter()
        .map(|path| read_list(path, args.format))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let index = ScreeningIndex::build(
        &lists.iter().collect::<Vec<_>>(),
        &IndexConfig {
            include_entities: args.include_entities,
        },
    );
    let loaded = started.elapsed();

    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&args.input)
        .with_context(|| format!("cannot open {}", args.input.display()))?;
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
    let (mut people, mut hit_count, mut people_hit) = (0usize, 0usize, 0usize);
    let mut records = reader.records();
    loop {
        let mut chunk = Vec::with_capacity(CHUNK);
        for record in records.by_ref().take(CHUNK) {
            let record = record.with_context(|| format!("cannot read {}", args.input.display()))?;
            chunk.push(columns.query(&record));
        }
        if chunk.is_empty() {
            break;
        }
        people += chunk.len();
        let results: Vec<Vec<Hit>> = chunk
            .par_iter()
            .map(|(_, query)| index.screen(query, &config))
            .collect();
        for ((id, _), hits) in chunk.iter().zip(results) {
            people_hit += usize::from(!hits.is_empty());
            hit_count += hits.len();
            for hit in hits {
                let score = format!("{:.4}", hit.score);
                let mut row = vec![
                    id.as_str(),
                    hit.list.as_str(),
                    hit.entry_ref.as_str(),
                    hit.listed_name.as_str(),
                    score.as_str(),
                ];
                let explanation;
                if args.explain {
                    explanation = serde_json::to_string(&hit.explanation)?;
                    row.push(&explanation);
                }
                writer.write_record(&row)?;
            }
        }
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    let screened = started.elapsed() - loaded;
    let per_second = people as f64 / screened.as_secs_f64().max(1e-9);
    let stats = index.stats();
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
