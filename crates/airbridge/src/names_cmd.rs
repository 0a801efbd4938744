//! `airbridge names …`: the names engine on the command line.
//!
//! `compare` and `key` explain one name or pair for a person; `score` scores a CSV of pairs for
//! batch work (evaluation, dedup candidates). `score` streams: a reader thread parses CSV chunks
//! while the main thread parses each new distinct name once (in parallel, kept in a bounded
//! cache), scores the chunk's pairs on all cores and writes them in order, so memory stays flat
//! on any input size.

use airbridge_names::Fnv;
use std::collections::HashMap;
use std::fs::File;
use std::hash::BuildHasherDefault;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;

use airbridge_names::{Comparison, NameEngine, ParsedName};
use anyhow::{Context, bail};
use rayon::prelude::*;

/// The `names` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum NamesCommand {
    /// Compare two names: the score and how their tokens aligned.
    Compare {
        /// The first name.
        name_a: String,
        /// The second name.
        name_b: String,
        /// Print the comparison as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Parse a name: its tokens and roles, romanised form and blocking keys.
    Key {
        /// The name.
        name: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Score a CSV of name pairs (`id,name_a,name_b`, with header) into `id,score`.
    Score {
        /// Input CSV (UTF-8, header row `id,name_a,name_b`).
        #[arg(long)]
        input: PathBuf,
        /// Output CSV (`id,score`); `-` for standard output.
        #[arg(long)]
        output: PathBuf,
    },
}

pub fn run(command: NamesCommand) -> anyhow::Result<ExitCode> {
    match run_command(command) {
        // A closed pipe (`… | head`) is the reader's choice, not a failure.
        Err(error)
            if error
                .downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        other => other,
    }
}

fn run_command(command: NamesCommand) -> anyhow::Result<ExitCode> {
    let engine = NameEngine::new();
    match command {
        NamesCommand::Compare {
            name_a,
            name_b,
            json,
        } => {
            let comparison = engine.compare(&name_a, &name_b);
            let mut out = io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &comparison)?;
                writeln!(out)?;
            } else {
                write_comparison(&mut out, &comparison)?;
            }
        }
        NamesCommand::Key { name, json } => {
            let parsed = engine.parse(&name);
            let keys = engine.keys_parsed(&parsed);
            let mut out = io::stdout().lock();
            if json {
                let value = serde_json::json!({ "parsed": parsed, "keys": keys });
                serde_json::to_writer_pretty(&mut out, &value)?;
                writeln!(out)?;
            } else {
                write_parsed(&mut out, &parsed)?;
                writeln!(out, "keys:      {}", keys.join(" "))?;
            }
        }
        NamesCommand::Score { input, output } => score_file(&engine, &input, &output)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn write_parsed(out: &mut impl Write, parsed: &ParsedName) -> io::Result<()> {
    writeln!(out, "name:      {}", parsed.original)?;
    writeln!(out, "romanised: {}", parsed.romanised)?;
    for token in &parsed.tokens {
        writeln!(
            out,
            "  {:<24} {:<12} form={:<18} canonical={:<18} skeleton={:<10} weight={:.2}",
            token.text,
            format!("{:?}", token.role).to_lowercase(),
            token.form,
            token.canonical,
            token.skeleton,
            token.weight
        )?;
    }
    Ok(())
}

fn write_comparison(out: &mut impl Write, comparison: &Comparison) -> io::Result<()> {
    writeln!(out, "score: {:.4}", comparison.score)?;
    writeln!(
        out,
        "a: {}  →  {}",
        comparison.a.original, comparison.a.romanised
    )?;
    writeln!(
        out,
        "b: {}  →  {}",
        comparison.b.original, comparison.b.romanised
    )?;
    writeln!(out, "aligned:")?;
    for alignment in &comparison.aligned {
        writeln!(
            out,
            "  {:<24} ~ {:<24} {:<9} similarity {:.2}  weight {:.2}",
            alignment.a,
            alignment.b,
            format!("{:?}", alignment.kind).to_lowercase(),
            alignment.similarity,
            alignment.weight
        )?;
    }
    for (side, list) in [
        ("a", &comparison.unmatched_a),
        ("b", &comparison.unmatched_b),
    ] {
        for token in list {
            let role = format!("{:?}", token.role).to_lowercase();
            writeln!(
                out,
                "  unmatched in {side}: {} ({role}, weight {:.2})",
                token.text, token.weight
            )?;
        }
    }
    Ok(())
}

/// Pairs read per chunk: large enough to keep both cores busy, small enough for flat memory
/// (a chunk of 16,384 new names of garbage text parses to ~100 MB at worst).
const CHUNK_ROWS: usize = 8_192;
/// Approximate bytes of parsed names kept between chunks; the cache is emptied past this.
const CACHE_BUDGET: usize = 48 << 20;

/// A rough size of a parsed name in memory (tokens, their strings, the fused pairs).
fn approximate_size(parsed: &ParsedName) -> usize {
    256 + 2 * parsed.original.len() + 640 * parsed.tokens.len()
}

type NameCache = HashMap<Box<str>, ParsedName, BuildHasherDefault<Fnv>>;

/// Rows scored together by one task: enough to make a task worth starting.
const SLICE_ROWS: usize = 1024;

/// A slice of a chunk's rows being scored: the rows formatted so far in `piece`, and from
/// row `waiting_from`, the first that waited for a name to be parsed, on, the scores found
/// without a parse (`None` for the rows that wait; `scores` is empty when none waited).
struct Slice {
    piece: Vec<u8>,
    waiting_from: usize,
    scores: Vec<Option<f64>>,
}

/// A chunk of input rows, all text in one buffer (no allocation per row).
#[derive(Default)]
struct Chunk {
    text: String,
    /// Per row: end offsets of id, name_a and name_b in `text` (each starts where the last ended).
    ends: Vec<[u32; 3]>,
}

impl Chunk {
    fn row(&self, index: usize) -> (&str, &str, &str) {
        let [id, a, b] = self.ends[index];
        let start = if index == 0 {
            0
        } else {
            self.ends[index - 1][2]
        };
        let text = &self.text;
        (
            &text[start as usize..id as usize],
            &text[id as usize..a as usize],
            &text[a as usize..b as usize],
        )
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Reads the pairs CSV in chunks and sends them down `chunks`; stops at the first bad row.
fn read_chunks(input: &Path, chunks: mpsc::SyncSender<anyhow::Result<Chunk>>) {
    let result = (|| -> anyhow::Result<()> {
        let file = File::open(input).with_context(|| format!("cannot open {}", input.display()))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(io::BufReader::with_capacity(1 << 20, file));
        let headers = reader
            .byte_headers()
            .with_context(|| format!("cannot read the header of {}", input.display()))?;
        if headers.len() != 3 {
            bail!(
                "{}: line 1: expected the header id,name_a,name_b, found {} columns",
                input.display(),
                headers.len()
            );
        }
        let mut record = csv::ByteRecord::new();
        let mut chunk = Chunk::default();
        loop {
            let more = reader
                .read_byte_record(&mut record)
                .with_context(|| format!("{}: unreadable CSV", input.display()))?;
            if !more {
                break;
            }
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != 3 {
                bail!(
                    "{}: line {line}: expected 3 fields (id,name_a,name_b), found {}",
                    input.display(),
                    record.len()
                );
            }
            let mut ends = [0u32; 3];
            for (index, name) in ["id", "name_a", "name_b"].into_iter().enumerate() {
                let text = std::str::from_utf8(&record[index]).map_err(|_| {
                    anyhow::anyhow!(
                        "{}: line {line}: {name} is not valid UTF-8",
                        input.display()
                    )
                })?;
                chunk.text.push_str(text);
                ends[index] = u32::try_from(chunk.text.len()).context("chunk too large")?;
            }
            chunk.ends.push(ends);
            let full = chunk.len() == CHUNK_ROWS || chunk.text.len() > (1 << 30);
            if full && chunks.send(Ok(std::mem::take(&mut chunk))).is_err() {
                // The scoring side stopped (it failed and reports why): stop reading.
                return Ok(());
            }
        }
        if chunk.len() > 0 {
            let _ = chunks.send(Ok(chunk));
        }
        Ok(())
    })();
    if let Err(error) = result {
        let _ = chunks.send(Err(error));
    }
}

fn score_file(engine: &NameEngine, input: &Path, output: &Path) -> anyhow::Result<()> {
    let sink: Box<dyn Write> = if output == Path::new("-") {
        Box::new(io::stdout().lock())
    } else {
        Box::new(
            File::create(output).with_context(|| format!("cannot create {}", output.display()))?,
        )
    };
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    writeln!(out, "id,score")?;

    let (sender, receiver) = mpsc::sync_channel(2);
    let input_path = input.to_path_buf();
    let reader = std::thread::spawn(move || read_chunks(&input_path, sender));
    let mut cache = NameCache::default();
    let mut cache_bytes = 0usize;
    for chunk in receiver {
        let chunk = chunk?;
        // Emptied between chunks, never within one: every name of a chunk stays cached while
        // its pairs are scored.
        if cache_bytes > CACHE_BUDGET {
            cache.clear();
            cache_bytes = 0;
        }
        // Score and format in parallel, in slices whose output is then written in order. A
        // row whose names are both cached (on repetitive input, nearly all) is scored at once,
        // while its parsed names are still in the core's cache; a slice with a row that waits
        // for a name to be parsed is finished below.
        let rows: Vec<usize> = (0..chunk.len()).collect();
        let mut slices: Vec<Slice> = rows
            .par_chunks(SLICE_ROWS)
            .map(|indices| {
                let mut piece = Vec::with_capacity(indices.len() * 24);
                let mut scores = Vec::new();
                let mut waiting_from = 0;
                for &index in indices {
                    let (id, name_a, name_b) = chunk.row(index);
                    match (cache.get(name_a), cache.get(name_b)) {
                        (Some(a), Some(b)) if scores.is_empty() => {
                            // Writing to a Vec cannot fail.
                            let _ = write_id(&mut piece, id);
                            write_score(&mut piece, engine.score_parsed(a, b));
                        }
                        (Some(a), Some(b)) => scores.push(Some(engine.score_parsed(a, b))),
                        _ => {
                            if scores.is_empty() {
                                waiting_from = index;
                            }
                            scores.push(None);
                        }
                    }
                }
                Slice {
                    piece,
                    waiting_from,
                    scores,
                }
            })
            .collect();
        // Parse each name not seen before, once, in parallel.
        let mut missing: Vec<&str> = Vec::new();
        let mut seen = HashMap::<&str, (), BuildHasherDefault<Fnv>>::default();
        for slice in &slices {
            for (offset, score) in slice.scores.iter().enumerate() {
                if score.is_some() {
                    continue;
                }
                let (_, name_a, name_b) = chunk.row(slice.waiting_from + offset);
                for name in [name_a, name_b] {
                    if !cache.contains_key(name) && seen.insert(name, ()).is_none() {
                        missing.push(name);
                    }
                }
            }
        }
        let fresh: HashMap<&str, ParsedName, BuildHasherDefault<Fnv>> = missing
            .par_iter()
            .map(|name| (*name, engine.parse(name)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        slices.par_iter_mut().for_each(|slice| {
            for (offset, score) in slice.scores.iter().enumerate() {
                let index = slice.waiting_from + offset;
                let (id, name_a, name_b) = chunk.row(index);
                let score = score.unwrap_or_else(|| {
                    let parsed = |name: &str| cache.get(name).or_else(|| fresh.get(name));
                    match (parsed(name_a), parsed(name_b)) {
                        (Some(a), Some(b)) => engine.score_parsed(a, b),
                        // Every name is cached or freshly parsed; score directly if not.
                        _ => engine.score(name_a, name_b),
                    }
                });
                let _ = write_id(&mut slice.piece, id);
                write_score(&mut slice.piece, score);
            }
        });
        for slice in &slices {
            out.write_all(&slice.piece)?;
        }
        cache_bytes += fresh.values().map(approximate_size).sum::<usize>();
        for (name, parsed) in fresh {
            cache.insert(name.into(), parsed);
        }
    }
    if reader.join().is_err() {
        bail!("the CSV reader thread failed");
    }
    out.flush().context("cannot write the scores")?;
    Ok(())
}

/// Appends `,score\n` with six decimals. Scores are in [0, 1], so fixed-point on integers is
/// exact enough and several times cheaper than float formatting in this hot loop.
fn write_score(out: &mut Vec<u8>, score: f64) {
    let micros = (score.clamp(0.0, 1.0) * 1e6).round() as u32;
    let (whole, mut fraction) = (micros / 1_000_000, micros % 1_000_000);
    let mut digits = [b'0'; 6];
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (fraction % 10) as u8;
        fraction /= 10;
    }
    out.push(b',');
    out.push(b'0' + whole as u8);
    out.push(b'.');
    out.extend_from_slice(&digits);
    out.push(b'\n');
}

/// Writes an id as a CSV field, quoting it only when needed.
fn write_id(out: &mut Vec<u8>, id: &str) -> io::Result<()> {
    if id.contains([',', '"', '\n', '\r']) {
        write!(out, "\"{}\"", id.replace('"', "\"\""))
    } else {
        out.write_all(id.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_score(score: f64, expected: &str) {
        let mut out = Vec::new();
        write_score(&mut out, score);
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    /// Over several chunks, with names new in the middle of slices whose other rows are cached
    /// (the rows are scored in two passes), every row comes out once, in order, with the score
    /// the engine gives the pair alone.
    #[test]
    fn a_pairs_file_is_scored_row_by_row_in_order() {
        let pool = [
            "Mohammad Hashem Ahmadzai",
            "Muhammad Hashim",
            "محمد هاشم احمدزی",
            "HASHIM AHMADZAI MOHAMMAD",
            "Abdul Rahman Karimi",
            "Abdulrahman Karimy",
            "Fatima Noori",
            "Bill Clinton",
        ];
        let rows = 3 * CHUNK_ROWS + 17;
        let mut input = String::from("id,name_a,name_b\n");
        let mut expected = String::from("id,score\n");
        let engine = NameEngine::new();
        for row in 0..rows {
            let name_a = pool[row % pool.len()].to_string();
            // Every 1,000th row brings a name never seen before, so that slices mix cached rows
            // with rows waiting for a parse.
            let name_b = if row % 1000 == 999 {
                format!("Newname{row} Ahmadi")
            } else {
                pool[(row / 3) % pool.len()].to_string()
            };
            let id = if row % 7 == 0 {
                format!("\"row, {row}\"")
            } else {
                format!("r{row}")
            };
            input.push_str(&format!("{id},{name_a},{name_b}\n"));
            let mut line = Vec::new();
            write_id(&mut line, id.trim_matches('"')).unwrap();
            write_score(&mut line, engine.score(&name_a, &name_b));
            expected.push_str(std::str::from_utf8(&line).unwrap());
        }
        let dir = tempfile::tempdir().unwrap();
        let (pairs, scores) = (dir.path().join("pairs.csv"), dir.path().join("scores.csv"));
        std::fs::write(&pairs, input).unwrap();
        score_file(&engine, &pairs, &scores).unwrap();
        let written = std::fs::read_to_string(&scores).unwrap();
        assert_eq!(written.lines().count(), rows + 1);
        assert!(
            written == expected,
            "the scores differ from the pairs scored alone"
        );
    }

    #[test]
    fn a_pairs_file_without_its_header_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let pairs = dir.path().join("pairs.csv");
        std::fs::write(&pairs, "Ahmad,Ahmed\n").unwrap();
        let error = score_file(&NameEngine::new(), &pairs, &dir.path().join("out.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 1") && error.contains("id,name_a,name_b"),
            "{error}"
        );
    }

    #[test]
    fn scores_are_written_with_six_decimals() {
        check_score(0.0, ",0.000000\n");
        check_score(1.0, ",1.000000\n");
        check_score(0.123_456_7, ",0.123457\n");
        check_score(0.999_999_6, ",1.000000\n");
        check_score(0.05, ",0.050000\n");
    }

    #[test]
    fn ids_are_quoted_only_when_needed() {
        let mut out = Vec::new();
        write_id(&mut out, "a,\"b").unwrap();
        write_id(&mut out, "plain").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\"a,\"\"b\"plain");
    }
}
