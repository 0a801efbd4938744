//! Evaluation harness: scores a labelled pairs set and prints ROC-AUC, recall at precision 0.99
//! and 0.95, and the best F1; optionally the worst errors.
//!
//! ```sh
//! cargo run --release -p airbridge-names --example eval -- \
//!     --pairs /work/shared/data/names/ofac-dev.pairs.csv --labels /work/shared/data/names/ofac-dev.labels.csv \
//!     [--split train|holdout|all] [--worst 10] [--set conflict=1.2 --set extra=0.3] \
//!     [--features FEATURES.csv] [--repeat 20]
//! ```
//!
//! `--repeat N` runs the compare-only timing pass N times (for profiling the comparison).
//!
//! `--features` also writes every pair's score parts, for `bench/names/fit_combiner.py`.
//!
//! `--split` splits a set by person, for tuning on one part and checking on the other: names
//! joined by positive pairs form groups (union-find), a group goes to the holdout when a hash of
//! its smallest name is 0 mod 4 (about a quarter), and a pair belongs where its first name's
//! group is. Without `--split` every pair is scored.

use std::collections::HashMap;
use std::time::Instant;

use airbridge_names::{NameEngine, ParsedName, Tuning};

struct Pair {
    id: String,
    a: String,
    b: String,
    label: bool,
}

fn read_pairs(
    pairs_path: &str,
    labels_path: &str,
) -> Result<Vec<Pair>, Box<dyn std::error::Error>> {
    let mut labels = HashMap::new();
    for record in csv::Reader::from_path(labels_path)?.records() {
        let record = record?;
        labels.insert(record[0].to_string(), &record[1] == "1");
    }
    let mut pairs = Vec::new();
    for record in csv::Reader::from_path(pairs_path)?.records() {
        let record = record?;
        let id = record[0].to_string();
        let label = *labels
            .get(&id)
            .ok_or_else(|| format!("no label for pair {id}"))?;
        pairs.push(Pair {
            id,
            a: record[1].to_string(),
            b: record[2].to_string(),
            label,
        });
    }
    Ok(pairs)
}

fn find(parent: &mut [usize], x: usize) -> usize {
    let mut root = x;
    while parent[root] != root {
        root = parent[root];
    }
    let mut node = x;
    while parent[node] != root {
        let next = parent[node];
        parent[node] = root;
        node = next;
    }
    root
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Marks each pair as holdout (true) or train (false), grouping names by positive pairs.
fn holdout_marks(pairs: &[Pair]) -> Vec<bool> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for pair in pairs {
        for name in [&pair.a, &pair.b] {
            let next = index.len();
            index.entry(name.as_str()).or_insert(next);
        }
    }
    let mut parent: Vec<usize> = (0..index.len()).collect();
    for pair in pairs.iter().filter(|p| p.label) {
        let (x, y) = (
            find(&mut parent, index[pair.a.as_str()]),
            find(&mut parent, index[pair.b.as_str()]),
        );
        parent[x] = y;
    }
    let mut smallest: HashMap<usize, &str> = HashMap::new();
    for (&name, &i) in &index {
        let root = find(&mut parent, i);
        let entry = smallest.entry(root).or_insert(name);
        if name < *entry {
            *entry = name;
        }
    }
    pairs
        .iter()
        .map(|pair| {
            let root = find(&mut parent, index[pair.a.as_str()]);
            fnv(smallest[&root]).is_multiple_of(4)
        })
        .collect()
}

struct Metrics {
    auc: f64,
    recall_at_99: f64,
    recall_at_95: f64,
    best_f1: f64,
    best_threshold: f64,
}

fn metrics(scored: &[(f64, bool)]) -> Metrics {
    let mut sorted: Vec<(f64, bool)> = scored.to_vec();
    sorted.sort_by(|x, y| y.0.total_cmp(&x.0));
    let positives = sorted.iter().filter(|s| s.1).count() as f64;
    let negatives = sorted.len() as f64 - positives;
    // AUC by the rank-sum with ties averaged; recall/precision swept over distinct thresholds.
    let (mut true_pos, mut false_pos) = (0.0f64, 0.0f64);
    let (mut auc, mut recall_at_99, mut recall_at_95, mut best_f1, mut best_threshold) =
        (0.0, 0.0f64, 0.0f64, 0.0f64, 1.0);
    let mut i = 0;
    while i < sorted.len() {
        let threshold = sorted[i].0;
        let (mut tp_here, mut fp_here) = (0.0, 0.0);
        while i < sorted.len() && sorted[i].0 == threshold {
            if sorted[i].1 {
                tp_here += 1.0
            } else {
                fp_here += 1.0
            }
            i += 1;
        }
        auc += fp_here * (true_pos + tp_here / 2.0);
        true_pos += tp_here;
        false_pos += fp_here;
        let precision = true_pos / (true_pos + false_pos);
        let recall = true_pos / positives;
        if precision >= 0.99 {
            recall_at_99 = recall_at_99.max(recall);
        }
        if precision >= 0.95 {
            recall_at_95 = recall_at_95.max(recall);
        }
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        if f1 > best_f1 {
            best_f1 = f1;
            best_threshold = threshold;
        }
    }
    Metrics {
        auc: auc / (positives * negatives),
        recall_at_99,
        recall_at_95,
        best_f1,
        best_threshold,
    }
}

fn apply_setting(tuning: &mut Tuning, setting: &str) -> Result<(), String> {
    let (name, value) = setting.split_once('=').ok_or("--set wants name=value")?;
    let value: f64 = value
        .parse()
        .map_err(|_| format!("bad number in {setting}"))?;
    let field = match name {
        "information_offset" => &mut tuning.information_offset,
        "max_information" => &mut tuning.max_information,
        "min_weight" => &mut tuning.min_weight,
        "title_scale" => &mut tuning.title_scale,
        "initial_weight" => &mut tuning.initial_weight,
        "initial_similarity" => &mut tuning.initial_similarity,
        "conflict" => &mut tuning.conflict,
        "extra" => &mut tuning.extra,
        "weak_role_factor" => &mut tuning.weak_role_factor,
        "fuzzy_floor" => &mut tuning.fuzzy_floor,
        "fuzzy_power" => &mut tuning.fuzzy_power,
        "primary_factor" => &mut tuning.primary_factor,
        "family_factor" => &mut tuning.family_factor,
        "primary_floor" => &mut tuning.primary_floor,
        "secondary_weight" => &mut tuning.secondary_weight,
        "crossed_roles" => &mut tuning.crossed_roles,
        "initial_conflict" => &mut tuning.initial_conflict,
        "fuzzy_low" => &mut tuning.fuzzy_low,
        "short_skeleton_base" => &mut tuning.short_skeleton_base,
        "resemblance" => &mut tuning.resemblance,
        "patronymic_weight" => &mut tuning.patronymic_weight,
        "known_distinct" => &mut tuning.known_distinct,
        "conflict_floor" => &mut tuning.conflict_floor,
        "nickname_similarity" => &mut tuning.nickname_similarity,
        "known_primary_conflict" => &mut tuning.known_primary_conflict,
        "weak_role_conflict" => &mut tuning.weak_role_conflict,
        "kunya_conflict" => &mut tuning.kunya_conflict,
        "known_given_conflict" => &mut tuning.known_given_conflict,
        other => return Err(format!("unknown setting {other}")),
    };
    *field = value;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut pairs_path, mut labels_path, mut split, mut worst) =
        (None, None, "all".to_string(), 0usize);
    let mut tuning = Tuning::default();
    let mut self_frequencies = 0.0f64;
    let mut features: Option<String> = None;
    let mut scores_path: Option<String> = None;
    let mut repeat = 1usize;
    let mut index = 0;
    while index < args.len() {
        let value = args.get(index + 1).cloned().unwrap_or_default();
        match args[index].as_str() {
            "--pairs" => pairs_path = Some(value),
            "--labels" => labels_path = Some(value),
            "--split" => split = value,
            "--worst" => worst = value.parse()?,
            "--set" => apply_setting(&mut tuning, &value)?,
            "--self-frequencies" => self_frequencies = value.parse()?,
            "--features" => features = Some(value),
            "--scores" => scores_path = Some(value),
            "--repeat" => repeat = value.parse::<usize>()?.max(1),
            other => return Err(format!("unknown argument {other}").into()),
        }
        index += 2;
    }
    let pairs = read_pairs(
        &pairs_path.ok_or("--pairs is required")?,
        &labels_path.ok_or("--labels is required")?,
    )?;
    let marks = holdout_marks(&pairs);
    let selected: Vec<&Pair> = pairs
        .iter()
        .zip(&marks)
        .filter(|(_, holdout)| match split.as_str() {
            "train" => !**holdout,
            "holdout" => **holdout,
            _ => true,
        })
        .map(|(pair, _)| pair)
        .collect();

    let started = Instant::now();
    let mut engine = NameEngine::new().with_tuning(tuning);
    if self_frequencies > 0.0 {
        // Unsupervised: token counts of the names being scored, on top of the built-in table.
        let names: Vec<&str> = selected
            .iter()
            .flat_map(|p| [p.a.as_str(), p.b.as_str()])
            .collect();
        let own = airbridge_names::FrequencyTable::from_names(&engine, names);
        let mut table = engine.frequencies().clone();
        table.merge(&own, self_frequencies);
        engine = engine.with_frequencies(table);
    }
    let startup = started.elapsed();
    let started = Instant::now();
    let mut cache = HashMap::new();
    let mut scored = Vec::with_capacity(selected.len());
    for pair in &selected {
        for name in [&pair.a, &pair.b] {
            if !cache.contains_key(name.as_str()) {
                cache.insert(name.as_str(), engine.parse(name));
            }
        }
        scored.push(engine.score_parsed(&cache[pair.a.as_str()], &cache[pair.b.as_str()]));
    }
    let elapsed = started.elapsed();
    // A second pass over cached parses measures the compare alone (the pairs' parses looked
    // up beforehand, so that no hashing of names is counted).
    let resolved: Vec<(&ParsedName, &ParsedName)> = selected
        .iter()
        .map(|pair| (&cache[pair.a.as_str()], &cache[pair.b.as_str()]))
        .collect();
    let started = Instant::now();
    let mut checksum = 0.0;
    for round in 0..repeat {
        let mut sum = 0.0;
        for (a, b) in &resolved {
            sum += engine.score_parsed(a, b);
        }
        if round == 0 {
            checksum = sum;
        }
    }
    let compare_only = (selected.len() * repeat) as f64 / started.elapsed().as_secs_f64();
    let labelled: Vec<(f64, bool)> = scored
        .iter()
        .copied()
        .zip(selected.iter().map(|p| p.label))
        .collect();
    let m = metrics(&labelled);
    println!(
        "pairs={} positives={} auc={:.4} r@p99={:.4} r@p95={:.4} f1={:.4} (threshold {:.3}) startup={:.1}ms {:.0} pairs/s single-thread ({:.0} pairs/s compare only, checksum {:.3})",
        selected.len(),
        selected.iter().filter(|p| p.label).count(),
        m.auc,
        m.recall_at_99,
        m.recall_at_95,
        m.best_f1,
        m.best_threshold,
        startup.as_secs_f64() * 1000.0,
        selected.len() as f64 / elapsed.as_secs_f64(),
        compare_only,
        checksum
    );
    // --scores FILE: every selected pair's score, to compare two versions of the engine.
    if let Some(path) = scores_path {
        let mut out = String::from("id,score,label,name_a,name_b\n");
        for (pair, score) in selected.iter().zip(&scored) {
            out.push_str(&format!(
                "{},{score:.6},{},\"{}\",\"{}\"\n",
                pair.id,
                u8::from(pair.label),
                pair.a.replace('"', "\"\""),
                pair.b.replace('"', "\"\"")
            ));
        }
        std::fs::write(path, out)?;
    }
    if let Some(path) = features {
        write_features(&engine, &pairs, &marks, &path)?;
    }
    if worst > 0 {
        let mut errors: Vec<(f64, &Pair, f64)> = selected
            .iter()
            .zip(&scored)
            .map(|(pair, &score)| (if pair.label { score } else { 1.0 - score }, *pair, score))
            .collect();
        errors.sort_by(|x, y| x.0.total_cmp(&y.0));
        println!("worst false negatives:");
        for (_, pair, score) in errors
            .iter()
            .filter(|e| e.1.label && e.2 > 0.05)
            .take(worst)
        {
            println!("  {} {:.3}  {} | {}", pair.id, score, pair.a, pair.b);
        }
        println!("worst false positives:");
        for (_, pair, score) in errors.iter().filter(|e| !e.1.label).take(worst) {
            println!("  {} {:.3}  {} | {}", pair.id, score, pair.a, pair.b);
        }
    }
    Ok(())
}

/// Writes, for every pair, the parts of its comparison: the material for fitting a combination
/// of them (`bench/names/fit_combiner.py`).
fn write_features(
    engine: &NameEngine,
    pairs: &[Pair],
    marks: &[bool],
    path: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use airbridge_names::{MatchKind, Script, TokenRole};
    let mut out = csv::Writer::from_path(path)?;
    out.write_record([
        "id",
        "label",
        "holdout",
        "score",
        "agreement",
        "loss",
        "aligned",
        "max_weight",
        "min_similarity",
        "exact",
        "variant",
        "phonetic",
        "fuzzy",
        "initial",
        "compound",
        "nickname",
        "left_min",
        "left_max",
        "left_count_min",
        "left_count_max",
        "primary_left",
        "weight_a",
        "weight_b",
        "tokens_a",
        "tokens_b",
        "arabic",
        "mixed",
    ])?;
    for (pair, &holdout) in pairs.iter().zip(marks) {
        let c = engine.compare(&pair.a, &pair.b);
        let agreement: f64 = c.aligned.iter().map(|t| t.similarity * t.weight).sum();
        let loss: f64 = c
            .aligned
            .iter()
            .map(|t| (1.0 - t.similarity) * t.weight)
            .sum();
        let max_weight = c.aligned.iter().map(|t| t.weight).fold(0.0, f64::max);
        let min_similarity = c.aligned.iter().map(|t| t.similarity).fold(1.0, f64::min);
        let kind = |k: MatchKind| c.aligned.iter().filter(|t| t.kind == k).count();
        let left = |list: &[airbridge_names::UnmatchedToken]| {
            list.iter()
                .filter(|t| !matches!(t.role, TokenRole::Title | TokenRole::Particle))
                .fold((0.0, 0usize), |(w, n), t| (w + t.weight, n + 1))
        };
        let (la, lb) = (left(&c.unmatched_a), left(&c.unmatched_b));
        let compared = |p: &airbridge_names::ParsedName| {
            p.tokens
                .iter()
                .filter(|t| !matches!(t.role, TokenRole::Particle))
                .fold((0.0, 0usize), |(w, n), t| (w + t.weight, n + 1))
        };
        let (wa, wb) = (compared(&c.a), compared(&c.b));
        let arabic =
            |p: &airbridge_names::ParsedName| p.tokens.iter().any(|t| t.script == Script::Arabic);
        let first_left = |list: &[airbridge_names::UnmatchedToken],
                          p: &airbridge_names::ParsedName| {
            p.tokens
                .iter()
                .find(|t| matches!(t.role, TokenRole::Given))
                .is_some_and(|first| list.iter().any(|u| u.text == first.text))
        };
        let primary_left = usize::from(first_left(&c.unmatched_a, &c.a))
            + usize::from(first_left(&c.unmatched_b, &c.b));
        out.write_record([
            pair.id.clone(),
            u8::from(pair.label).to_string(),
            u8::from(holdout).to_string(),
            format!("{:.6}", c.score),
            format!("{agreement:.4}"),
            format!("{loss:.4}"),
            c.aligned.len().to_string(),
            format!("{max_weight:.4}"),
            format!("{min_similarity:.4}"),
            kind(MatchKind::Exact).to_string(),
            kind(MatchKind::Variant).to_string(),
            kind(MatchKind::Phonetic).to_string(),
            kind(MatchKind::Fuzzy).to_string(),
            kind(MatchKind::Initial).to_string(),
            kind(MatchKind::Compound).to_string(),
            kind(MatchKind::Nickname).to_string(),
            format!("{:.4}", la.0.min(lb.0)),
            format!("{:.4}", la.0.max(lb.0)),
            la.1.min(lb.1).to_string(),
            la.1.max(lb.1).to_string(),
            primary_left.to_string(),
            format!("{:.4}", wa.0),
            format!("{:.4}", wb.0),
            wa.1.to_string(),
            wb.1.to_string(),
            u8::from(arabic(&c.a) || arabic(&c.b)).to_string(),
            u8::from(arabic(&c.a) != arabic(&c.b)).to_string(),
        ])?;
    }
    out.flush()?;
    Ok(())
}
