//! Measures the engine against known truth: pairwise F1 of the clusters, pairs completeness of
//! blocking, and the fitted model, on a CSV with a truth file or on a demo registry.
//!
//! ```sh
//! cargo run --release -p airbridge-dedup --example evaluate -- csv RECORDS.csv TRUTH.csv
//! cargo run --release -p airbridge-dedup --example evaluate -- demo 100000 [SEED]
//! ```
//! The truth CSV has `record_id,entity_id`. For the demo, the truth of a person is the demo's
//! family with the member's position in the case: copies of a family keep member order.
//!
//! Settings from the environment: `DEDUP_THRESHOLD`, `DEDUP_U_SAMPLES`, `DEDUP_MAX_BLOCK`,
//! `DEDUP_EXHAUSTIVE_PAIRS`, `DEDUP_SUPPORT`, `DEDUP_VETO`, `DEDUP_PRIOR_SHARE` (the [`Config`] fields);
//! `DEDUP_NO_HOUSEHOLDS`, `DEDUP_NO_CASES`; `DEDUP_SHOW_ERRORS` prints sample false and missed
//! pairs; `DEDUP_MISSES=FILE` writes the true pairs blocking
//! missed (`a,b` record ids), to see which keys they lack.

use std::collections::HashMap;
use std::time::Instant;

use airbridge_dedup::{Columns, Config, Decisions, Deduplicator, Record, evaluate};
use airbridge_demo::{DemoConfig, generate};
use airbridge_names::NameEngine;
use anyhow::{Context, bail};

fn read_csv(path: &str) -> anyhow::Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot open {path}"))?;
    let headers = reader.headers()?.iter().map(str::to_owned).collect();
    let mut rows = Vec::new();
    for row in reader.records() {
        rows.push(row?.iter().map(str::to_owned).collect());
    }
    Ok((headers, rows))
}

/// A setting from the environment variable `name`, else `default`.
fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// User plus system CPU seconds of this process so far (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// A line of /proc/self/status in megabytes (Linux; 0 elsewhere).
fn memory_mb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix(field)?.strip_prefix(':')?;
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb / 1024)
}

/// The true pairs (positions in the input) that blocking never proposed: `candidates` is
/// sorted.
fn unblocked_true_pairs(truth: &[String], candidates: &[(u32, u32)]) -> Vec<(usize, usize)> {
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, entity) in truth.iter().enumerate() {
        members.entry(entity.as_str()).or_default().push(index);
    }
    let mut missed = Vec::new();
    for records_of in members.values() {
        for (i, &a) in records_of.iter().enumerate() {
            for &b in &records_of[i + 1..] {
                let pair = (a.min(b) as u32, a.max(b) as u32);
                if candidates.binary_search(&pair).is_err() {
                    missed.push((a, b));
                }
            }
        }
    }
    missed
}

fn main() -> anyhow::Result<()> {
    let generation_started = Instant::now();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (records, truth): (Vec<Record>, Vec<String>) = match args.first().map(String::as_str) {
        Some("csv") if args.len() >= 3 => {
            let (headers, rows) = read_csv(&args[1])?;
            let columns = Columns::from_header(&headers, &[])?;
            let records: Vec<Record> = rows.iter().map(|row| columns.record(row).0).collect();
            let (_, truth_rows) = read_csv(&args[2])?;
            let entity: HashMap<&str, &str> = truth_rows
                .iter()
                .map(|row| (row[0].as_str(), row[1].as_str()))
                .collect();
            let truth = records
                .iter()
                .map(|r| {
                    entity
                        .get(r.id.as_str())
                        .map_or(r.id.clone(), |e| e.to_string())
                })
                .collect();
            (records, truth)
        }
        Some("demo") if args.len() >= 2 => {
            let persons: usize = args[1].parse()?;
            let seed: u64 = args.get(2).map_or(Ok(7), |s| s.parse())?;
            let mut records = Vec::with_capacity(persons);
            let mut truth = Vec::with_capacity(persons);
            for (case_number, case) in generate(DemoConfig { persons, seed }).enumerate() {
                for (member_number, member) in case.case.members.iter().enumerate() {
                    let id = format!("c{case_number}-m{member_number}");
                    let mut record = Record::from_person(&id, &member.person);
                    record.relation = Some(member.relation);
                    // As the registry mode does: members of one case are different people.
                    if std::env::var("DEDUP_NO_CASES").is_err() {
                        record.case = Some(format!("c{case_number}"));
                    }
                    records.push(record);
                    truth.push(format!("{}-{member_number}", case.family));
                }
            }
            (records, truth)
        }
        _ => bail!("usage: evaluate csv RECORDS.csv TRUTH.csv | evaluate demo PERSONS [SEED]"),
    };
    println!(
        "generation_seconds={:.2} rss_after_generation_mb={}",
        generation_started.elapsed().as_secs_f64(),
        memory_mb("VmRSS")
    );
    let defaults = Config::default();
    let threshold = setting("DEDUP_THRESHOLD", 0.9);
    let u_samples = setting("DEDUP_U_SAMPLES", defaults.u_samples);
    let max_block = setting("DEDUP_MAX_BLOCK", defaults.max_block);
    let exhaustive_pairs = setting("DEDUP_EXHAUSTIVE_PAIRS", defaults.exhaustive_pairs);
    let cluster_support = setting("DEDUP_SUPPORT", defaults.cluster_support);
    let cluster_veto = setting("DEDUP_VETO", defaults.cluster_veto);
    let cluster_prior_share = setting("DEDUP_PRIOR_SHARE", defaults.cluster_prior_share);
    let engine_started = Instant::now();
    let engine = NameEngine::new();
    println!(
        "engine_seconds={:.2}",
        engine_started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let mut last = (started, cpu_seconds());
    let outcome = Deduplicator::new(
        &engine,
        Config {
            threshold,
            u_samples,
            households: std::env::var("DEDUP_NO_HOUSEHOLDS").is_err(),
            max_block,
            exhaustive_pairs,
            cluster_support,
            cluster_veto,
            cluster_prior_share,
            ..defaults
        },
    )?
    .run_observed(&records, &Decisions::default(), |stage| {
        let (now, cpu) = (Instant::now(), cpu_seconds());
        println!(
            "  stage {:<10} wall {:>6.2} s  cpu {:>6.2} s  rss {:>6} MB  peak {:>6} MB",
            format!("{stage:?}"),
            (now - last.0).as_secs_f64(),
            cpu - last.1,
            memory_mb("VmRSS"),
            memory_mb("VmHWM")
        );
        last = (now, cpu);
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let scores = evaluate::pairwise(&truth, &outcome.cluster_ids);
    let completeness = evaluate::pairs_completeness(&truth, &outcome.candidate_pairs);
    // What the keys alone kept, before the pairs of linked family cases were added.
    let key_pairs: Vec<(u32, u32)> = outcome
        .candidate_pairs
        .iter()
        .filter(|pair| outcome.household_pairs.binary_search(pair).is_err())
        .copied()
        .collect();
    let key_completeness = evaluate::pairs_completeness(&truth, &key_pairs);
    drop(key_pairs);
    // DEDUP_SCORE_MISSES: what blocking's misses cost. Each true pair blocking never proposed
    // is scored with the trained model, as if it had been compared: how many would be links,
    // and how many of those end in one cluster anyway (through other links).
    if std::env::var("DEDUP_SCORE_MISSES").is_ok() {
        let missed = unblocked_true_pairs(&truth, &outcome.candidate_pairs);
        let (mut would_link, mut joined_anyway, mut linked_apart) = (0, 0, 0);
        for &(a, b) in &missed {
            let together = outcome.cluster_ids[a] == outcome.cluster_ids[b];
            joined_anyway += usize::from(together);
            if outcome
                .explain(&engine, a, b)
                .is_some_and(|e| e.probability >= threshold)
            {
                would_link += 1;
                linked_apart += usize::from(!together);
            }
        }
        println!(
            "blocking misses: {} true pairs never compared; {joined_anyway} of them in one cluster anyway; {would_link} would score as links if compared, {linked_apart} of those now in different clusters",
            missed.len()
        );
    }
    // DEDUP_MISSES=FILE lists the true pairs blocking missed (record ids), for tuning keys.
    if let Ok(path) = std::env::var("DEDUP_MISSES") {
        let mut out = String::from("a,b\n");
        for (a, b) in unblocked_true_pairs(&truth, &outcome.candidate_pairs) {
            out.push_str(&format!("{},{}\n", records[a].id, records[b].id));
        }
        std::fs::write(&path, out)?;
    }
    println!(
        "blocking: exhaustive={} keys={} blocks={} oversized_blocks={} records_in_oversized={} key_pairs={} household_pairs={} training_pairs={}",
        outcome.blocking.exhaustive,
        outcome.blocking.keys,
        outcome.blocking.blocks,
        outcome.blocking.oversized_blocks,
        outcome.blocking.records_in_oversized_blocks,
        outcome.blocking.candidate_pairs,
        outcome.household_pairs.len(),
        outcome.training_pairs
    );
    println!(
        "records={} candidate_pairs={} oversized_blocks={} links={} family_links={} household_links={} pairs_scored={} clusters={} em_iterations={} lambda={:.5} seconds={seconds:.2}",
        outcome.records(),
        outcome.blocking.candidate_pairs,
        outcome.blocking.oversized_blocks,
        outcome.links,
        outcome.family_links,
        outcome.household_links,
        outcome.pairs_scored,
        outcome.clusters,
        outcome.model.em_iterations,
        outcome.model.lambda
    );
    for field in outcome.model.fields.iter().filter(|f| f.active) {
        let weights: Vec<String> = (0..field.m.len())
            .map(|level| {
                format!(
                    "{:.2}(m={:.3},u={:.2e})",
                    field.weight(level as u8),
                    field.m[level],
                    field.u[level]
                )
            })
            .collect();
        println!("  {:<16} {}", field.comparison.name(), weights.join(" "));
    }
    // A few errors, explained, to see what the model got wrong.
    if std::env::var("DEDUP_SHOW_ERRORS").is_ok() {
        let mut shown = 0;
        for (index, &(a, b)) in outcome.candidate_pairs.iter().enumerate() {
            let (a, b) = (a as usize, b as usize);
            let same_truth = truth[a] == truth[b];
            let same_cluster = outcome.cluster_ids[a] == outcome.cluster_ids[b];
            if same_truth != same_cluster && shown < 12 {
                shown += 1;
                let explanation = outcome.explain(&engine, a, b);
                println!(
                    "{} {} vs {} weight {:.2}: {:?} | {:?}",
                    if same_truth { "MISSED" } else { "FALSE" },
                    records[a].id,
                    records[b].id,
                    outcome.pair_weights[index],
                    records[a],
                    records[b]
                );
                if let Some(explanation) = explanation {
                    for field in explanation.fields.iter().filter(|f| f.level != "missing") {
                        println!(
                            "    {:<16} {:>7.2}  {}",
                            field.field, field.weight, field.level
                        );
                    }
                }
            }
        }
    }
    if std::env::var("DEDUP_ERROR_PATTERNS").is_ok() {
        // Which comparison patterns the false links (and the missed pairs) have, most common first.
        let mut false_links: HashMap<String, usize> = HashMap::new();
        let mut missed: HashMap<String, usize> = HashMap::new();
        for &(a, b) in &outcome.candidate_pairs {
            let (a, b) = (a as usize, b as usize);
            let same_truth = truth[a] == truth[b];
            let same_cluster = outcome.cluster_ids[a] == outcome.cluster_ids[b];
            if same_truth == same_cluster {
                continue;
            }
            let Some(explanation) = outcome.explain(&engine, a, b) else {
                continue;
            };
            let pattern: Vec<String> = explanation
                .fields
                .iter()
                .filter(|f| f.level != "missing" && f.field != "sex")
                .map(|f| format!("{}={}", f.field, f.level))
                .collect();
            let table = if same_truth {
                &mut missed
            } else {
                &mut false_links
            };
            *table.entry(pattern.join(" | ")).or_default() += 1;
        }
        for (title, table) in [("false links", &false_links), ("missed", &missed)] {
            let mut rows: Vec<_> = table.iter().collect();
            rows.sort_by(|x, y| y.1.cmp(x.1));
            println!("{title}: {}", table.values().sum::<usize>());
            for (pattern, count) in rows.into_iter().take(12) {
                println!("  {count:>6}  {pattern}");
            }
        }
    }
    if std::env::var("DEDUP_SHOW_UNBLOCKED").is_ok() {
        // True pairs blocking never proposed, counted by kind, with a few examples of each.
        let candidates: std::collections::HashSet<(u32, u32)> =
            outcome.candidate_pairs.iter().copied().collect();
        let mut by_entity: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, entity) in truth.iter().enumerate() {
            by_entity.entry(entity).or_default().push(index);
        }
        let mut kinds: HashMap<String, (usize, usize)> = HashMap::new();
        let mut examples: Vec<(String, usize, usize)> = Vec::new();
        let mut entities: Vec<&&str> = by_entity.keys().collect();
        entities.sort_unstable();
        for entity in entities {
            let members = &by_entity[*entity];
            for (n, &a) in members.iter().enumerate() {
                for &b in &members[n + 1..] {
                    let pair = (a.min(b) as u32, a.max(b) as u32);
                    let kind = pair_kind(&records[a], &records[b]);
                    let entry = kinds.entry(kind.clone()).or_default();
                    entry.0 += 1;
                    if !candidates.contains(&pair) {
                        entry.1 += 1;
                        if examples.iter().filter(|e| e.0 == kind).count() < 2 {
                            examples.push((kind, a, b));
                        }
                    }
                }
            }
        }
        let mut rows: Vec<_> = kinds.into_iter().collect();
        rows.sort_by(|x, y| y.1.1.cmp(&x.1.1).then(x.0.cmp(&y.0)));
        let missed: usize = rows.iter().map(|r| r.1.1).sum();
        let total: usize = rows.iter().map(|r| r.1.0).sum();
        println!("unblocked true pairs: {missed} of {total}; by kind (missed / all):");
        for (kind, (all, missed)) in rows.iter().take(30) {
            println!("  {missed:>7} / {all:>7}  {kind}");
        }
        for (kind, a, b) in examples.iter().take(24) {
            println!(
                "UNBLOCKED [{kind}]\n    {}\n    {}",
                describe(&records[*a]),
                describe(&records[*b])
            );
        }
    }
    println!(
        "pairs_completeness={completeness:.5} key_completeness={key_completeness:.5} precision={:.5} recall={:.5} f1={:.5}",
        scores.precision, scores.recall, scores.f1
    );
    Ok(())
}

/// A short description of a record for printing.
fn describe(record: &Record) -> String {
    format!(
        "{} {:?} given={:?} family={:?} father={:?} full={:?} born={:?} sex={:?} docs={:?} phones={}",
        record.id,
        record.relation,
        record.given,
        record.family,
        record.father,
        record.full,
        record.birth_date.map(|d| d.to_string()),
        record.sex,
        record.documents,
        record.phones.len()
    )
}

/// What kind of true pair two records make: relation, names, dates, shared numbers.
fn pair_kind(a: &Record, b: &Record) -> String {
    let named = |r: &Record| r.given.is_some() || r.full.is_some();
    let arabic = |r: &Record| {
        [&r.given, &r.family, &r.full]
            .iter()
            .any(|p| p.as_deref().is_some_and(|t| !t.is_ascii()))
    };
    let names = match (named(a), named(b)) {
        (false, false) => "unnamed".to_owned(),
        (true, true) => {
            let script = if arabic(a) != arabic(b) {
                "script differs"
            } else {
                "same script"
            };
            let family = match (a.family.is_some(), b.family.is_some()) {
                (true, true) => "family both",
                (false, false) => "family neither",
                _ => "family one side",
            };
            let father = if a.father.is_some() && b.father.is_some() {
                ", father both"
            } else {
                ""
            };
            format!("{script}, {family}{father}")
        }
        _ => "named one side".to_owned(),
    };
    let precise = |r: &Record| {
        r.birth_date
            .is_some_and(|d| d.exact_gregorian().is_some() && !d.is_first_of_year())
    };
    let dates = match (a.birth_date.is_some(), b.birth_date.is_some()) {
        (true, true) if precise(a) && precise(b) => "days both",
        (true, true) => "year(s) only",
        _ => "date missing",
    };
    let document = if a.documents.iter().any(|d| b.documents.contains(d)) {
        ", shared document"
    } else {
        ""
    };
    let relation = a
        .relation
        .map_or("no relation".to_owned(), |r| format!("{r:?}"));
    format!("{relation}: {names}; {dates}{document}")
}
