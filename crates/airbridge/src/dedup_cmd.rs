//! `airbridge dedup`: file-mode deduplication for people who only have spreadsheets, and for
//! benchmarks. Reads a CSV of records, runs `airbridge_dedup` on all cores and writes
//! `record_id,cluster_id`; a summary goes to standard error (or JSON to standard output).
//!
//! Without `--input`, `airbridge dedup` works on the registry (`--db`): see `dedup_db.rs`, which
//! also holds the review queue's subcommands.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use airbridge_dedup::{Columns, Config, Decisions, Deduplicator, Record, Stage};
use airbridge_names::NameEngine;
use anyhow::{Context, bail};
use rayon::prelude::*;

/// Options of `airbridge dedup`. With `--input` and `--output`: file mode. Without them: the
/// registry in `--db` is deduplicated and uncertain pairs are queued for review (see the
/// subcommands).
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DedupArgs {
    #[command(subcommand)]
    pub review: Option<crate::dedup_db::ReviewCommand>,
    /// Input CSV with a header row: `record_id` (or `rec_id`) and any of given_name,
    /// family_name, surname, father_name, grandfather_name, full_name, sex, dob, date_of_birth,
    /// passport, tazkira, document, soc_sec_id, phone, postcode, street_number, address_1,
    /// address_2, suburb, state, place_of_birth, email, occupation; and case_id with relation (members of one
    /// case are never merged, and once two cases share a person their other members are
    /// matched by relation).
    #[arg(long, requires = "output")]
    pub input: Option<PathBuf>,
    /// Output CSV: `record_id,cluster_id`, one row per input record, in input order.
    #[arg(long, requires = "input")]
    pub output: Option<PathBuf>,
    /// Rename columns to fields: `--map "Name of father=father_name,DOB=dob"`; `column=-` leaves a column out.
    #[arg(long, value_delimiter = ',')]
    pub map: Vec<String>,
    /// Match probability at or above which two records are linked.
    #[arg(long, default_value_t = 0.9)]
    pub threshold: f64,
    /// Registry mode: pairs whose match probability is at least this (and below
    /// --review-high) wait for a reviewer.
    #[arg(long, default_value_t = crate::dedup_db::REVIEW_LOW)]
    pub review_low: f64,
    /// Registry mode: the top of the uncertain band; pairs above it are left to the engine.
    #[arg(long, default_value_t = crate::dedup_db::REVIEW_HIGH)]
    pub review_high: f64,
}

/// Rows of the input turned into records at a time.
const ROWS_PER_CHUNK: usize = 16_384;

/// Messages about unreadable cells shown before the rest are only counted.
const PROBLEMS_SHOWN: usize = 5;

/// What the engine does after `stage` ends, for the progress line.
fn next_step(stage: Stage) -> &'static str {
    match stage {
        Stage::Prepared => "blocking: listing candidate pairs",
        Stage::Blocked => "estimating u from random pairs",
        Stage::SampledU => "comparing candidate pairs",
        Stage::Compared => "estimating m (EM)",
        Stage::Trained => "scoring pairs",
        Stage::Scored => "clustering",
        Stage::Clustered => "matching family members",
        Stage::Households => "writing clusters",
    }
}

/// File mode: `--input` to `--output`.
pub fn run(args: DedupArgs, json: bool) -> anyhow::Result<ExitCode> {
    let (Some(input), Some(output)) = (&args.input, &args.output) else {
        bail!("file mode needs both --input and --output");
    };
    let started = Instant::now();
    let renames = args
        .map
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((column, field)) => Ok((column.trim().to_owned(), field.trim().to_owned())),
            None => bail!("--map takes column=field pairs, got {pair:?}"),
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let file = File::open(input).with_context(|| format!("cannot open {}", input.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(std::io::BufReader::new(file));
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("cannot read the header row of {}", input.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let columns = Columns::from_header(&headers, &renames)
        .with_context(|| format!("in the header row of {}", input.display()))?;
    // Rows are read a chunk at a time and turned into records on all cores, so that the
    // file's rows are never all in memory beside the records.
    let length = std::fs::metadata(input).map_or(0, |m| m.len());
    let progress = if json {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new(length);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} reading {msg} [{bar:30}] {percent}% ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(input.display().to_string());
        bar
    };
    let mut problems = 0usize;
    let mut records: Vec<Record> = Vec::new();
    let mut chunk: Vec<csv::StringRecord> = Vec::with_capacity(ROWS_PER_CHUNK);
    let mut rows = reader.records().enumerate().peekable();
    while rows.peek().is_some() {
        chunk.clear();
        for (index, row) in rows.by_ref().take(ROWS_PER_CHUNK) {
            chunk.push(row.with_context(|| format!("row {} of {}", index + 2, input.display()))?);
        }
        let first_row = records.len() + 2;
        let built: Vec<(Record, Vec<String>)> = chunk
            .par_iter()
            .map(|row| columns.record(&row.iter().collect::<Vec<_>>()))
            .collect();
        // Where the next row starts (the file's end after the last).
        let next = rows.peek().map_or(Some(length), |(_, row)| {
            row.as_ref().ok()?.position().map(|p| p.byte())
        });
        if let Some(byte) = next {
            progress.set_position(byte);
        }
        for (offset, (record, messages)) in built.into_iter().enumerate() {
            for message in messages {
                if problems < PROBLEMS_SHOWN {
                    progress.suspend(|| eprintln!("row {}: {message}", first_row + offset));
                }
                problems += 1;
            }
            records.push(record);
        }
    }
    drop(chunk);
    let read = started.elapsed();

    let engine = list_engine(&records);
    let config = Config {
        threshold: args.threshold,
        ..Config::default()
    };
    // The engine consumes the records as it prepares them; only their ids are kept here.
    let ids: Vec<String> = records.iter().map(|record| record.id.clone()).collect();
    progress.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    progress.enable_steady_tick(std::time::Duration::from_millis(200));
    progress.set_message(format!("preparing {} records", records.len()));
    let outcome =
        Deduplicator::new(&engine, config)?.run_owned(records, &Decisions::default(), |stage| {
            progress.set_message(next_step(stage))
        })?;

    let out =
        File::create(output).with_context(|| format!("cannot create {}", output.display()))?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(out));
    writer.write_record(["record_id", "cluster_id"])?;
    for (id, cluster) in ids.iter().zip(&outcome.cluster_ids) {
        writer.write_record([id.as_str(), cluster.as_str()])?;
    }
    writer
        .into_inner()
        .map_err(|e| e.into_error())?
        .flush()
        .with_context(|| format!("cannot write {}", output.display()))?;
    progress.finish_and_clear();

    let seconds = started.elapsed().as_secs_f64();
    let model = &outcome.model;
    if json {
        println!(
            "{{\"records\":{},\"candidate_pairs\":{},\"compared_whole\":{},\"pairs_scored\":{},\"links\":{},\"household_links\":{},\"clusters\":{},\"oversized_blocks\":{},\"em_iterations\":{},\"lambda\":{},\"unreadable_cells\":{},\"seconds\":{:.3}}}",
            outcome.records(),
            outcome.blocking.candidate_pairs,
            outcome.blocking.exhaustive,
            outcome.pairs_scored,
            outcome.links,
            outcome.household_links,
            outcome.clusters,
            outcome.blocking.oversized_blocks,
            model.em_iterations,
            model.lambda,
            problems,
            seconds
        );
    } else {
        if problems > PROBLEMS_SHOWN {
            eprintln!("… {problems} unreadable cells in all (kept as text or left empty)");
        }
        eprintln!(
            "{} records, {} candidate pairs ({}), {} pairs scored, {} links ≥ {}, {} family members matched through their cases, {} clusters; EM {} iterations{}, prior {:.2e}; {:.2} s ({:.2} s reading)",
            outcome.records(),
            outcome.blocking.candidate_pairs,
            if outcome.blocking.exhaustive {
                "every pair: a list this small is compared whole".to_owned()
            } else {
                format!(
                    "{} blocks over the size cap skipped",
                    outcome.blocking.oversized_blocks
                )
            },
            outcome.pairs_scored,
            outcome.links,
            args.threshold,
            outcome.household_links,
            outcome.clusters,
            model.em_iterations,
            if model.em_converged {
                ""
            } else {
                " (not converged)"
            },
            model.lambda,
            seconds,
            read.as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Lists at least this long count their own name tokens (see [`list_engine`]).
const OWN_FREQUENCIES_FROM: usize = 1_000;

/// The names engine for a list: with the list's own token counts added to the built-in table
/// when it is long enough to estimate them (an Afghan list's Gul, Jan and Ahmadzai are common
/// there however rare among the world's names). Each person's name counts each token once.
pub(crate) fn list_engine(records: &[Record]) -> NameEngine {
    let engine = NameEngine::new();
    if records.len() < OWN_FREQUENCIES_FROM {
        return engine;
    }
    let names = records.iter().map(|record| {
        [&record.given, &record.family, &record.full]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    });
    let own = airbridge_names::FrequencyTable::from_names(&engine, names);
    let mut table = engine.frequencies().clone();
    table.merge(&own, 1.0);
    engine.with_frequencies(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: usize, given: &str, family: &str) -> Record {
        Record {
            id: id.to_string(),
            given: Some(given.to_string()),
            family: Some(family.to_string()),
            ..Record::default()
        }
    }

    #[test]
    fn a_long_list_weighs_names_by_its_own_counts() {
        let builtin = NameEngine::new();
        let before = builtin.frequencies().count("wardak");
        // Wardak is rare among the world's names, and on this list every tenth person's.
        let list: Vec<Record> = (0..OWN_FREQUENCIES_FROM)
            .map(|i| person(i, "Gul", if i % 10 == 0 { "Wardak" } else { "Safi" }))
            .collect();
        let engine = list_engine(&list);
        assert_eq!(
            engine.frequencies().count("wardak"),
            before + (OWN_FREQUENCIES_FROM / 10) as u64
        );
        assert!(
            engine.score("Gul Wardak", "Gul Wardak Ahmadi")
                < builtin.score("Gul Wardak", "Gul Wardak Ahmadi")
        );
        // A short list is too few to count.
        let short = list_engine(&list[..10]);
        assert_eq!(short.frequencies().count("wardak"), before);
    }
}
