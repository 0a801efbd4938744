//! Screens a CSV of people (`id,name,dob,nationality`) against a UN list and writes the hits as
//! `airbridge screen` does, timing each stage: the engine's own loop, without the binary's
//! build cost, for profiling (`perf record -g`).
//!
//! ```sh
//! cargo run --release -p airbridge-screening --example screen_file -- UN.xml QUERIES.csv HITS.csv [THRESHOLD]
//! ```

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

use airbridge_screening::{
    Query, ScreenConfig, ScreeningIndex, nation_of_country, parse_birth_date,
};
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [list, queries, output, rest @ ..] = args.as_slice() else {
        return Err("usage: screen_file UN.xml QUERIES.csv HITS.csv [THRESHOLD]".into());
    };
    let threshold: f64 = rest
        .first()
        .filter(|t| !t.starts_with('-'))
        .map_or(Ok(0.3), |t| t.parse())?;
    let started = Instant::now();
    let (list, _) = airbridge_sanctions::read_un(BufReader::new(File::open(list)?))?;
    let read = started.elapsed();
    let index = ScreeningIndex::build(&[&list], &Default::default());
    let built = started.elapsed();

    let mut reader = csv::Reader::from_path(queries)?;
    let mut people = Vec::new();
    for record in reader.records() {
        let record = record?;
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let query = Query::by_name(field(1))
            .with_birth_date(parse_birth_date(field(2)))
            .with_nationality(nation_of_country(field(3)));
        people.push((field(0).to_owned(), query));
    }
    let parsed = started.elapsed();

    if std::env::args().any(|a| a == "--parse-only") {
        let t = Instant::now();
        let mut tokens = 0usize;
        for (_, query) in &people {
            tokens += index.engine().parse(&query.name).tokens.len();
        }
        eprintln!(
            "parse only: {:.3}s for {} names ({tokens} tokens)",
            t.elapsed().as_secs_f64(),
            people.len()
        );
    }
    let config = ScreenConfig {
        threshold,
        max_hits: 20,
    };
    let results: Vec<_> = people
        .par_iter()
        .map(|(_, query)| index.screen_summaries(query, &config))
        .collect();
    let screened = started.elapsed();

    let mut out = BufWriter::new(File::create(output)?);
    writeln!(out, "id,list,entry_ref,entry_name,score")?;
    for ((id, _), hits) in people.iter().zip(&results) {
        for hit in hits {
            writeln!(
                out,
                "{id},{},{},\"{}\",{:.4}",
                hit.list.as_str(),
                hit.entry_ref,
                hit.listed_name.replace('"', "\"\""),
                hit.score
            )?;
        }
    }
    out.flush()?;
    let written = started.elapsed();
    let stats = index.stats();
    eprintln!(
        "read list {:.3}s, index {:.3}s ({} names, {} keys, {} postings), read queries {:.3}s, \
         screen {:.3}s ({:.0}/s), write {:.3}s, total {:.3}s ({:.0} queries/s end to end)",
        read.as_secs_f64(),
        (built - read).as_secs_f64(),
        stats.names,
        stats.keys,
        stats.postings,
        (parsed - built).as_secs_f64(),
        (screened - parsed).as_secs_f64(),
        people.len() as f64 / (screened - parsed).as_secs_f64(),
        (written - screened).as_secs_f64(),
        written.as_secs_f64(),
        people.len() as f64 / written.as_secs_f64(),
    );
    Ok(())
}
