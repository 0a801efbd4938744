//! `airbridge import`, `export` and `quarantine`: lists in and out.

use crate::{InvalidInput, parse};
use airbridge_domain::eligibility::Category;
use airbridge_domain::{
    Calendar, CaseId, Eligibility, EvacuationStatus, GregorianDate, NationCode, Relation,
};
use airbridge_lists::export::{ExportRow, ExportStamp, write_csv, write_xlsx};
use airbridge_lists::pfif::{PfifPerson, write_pfif};
use airbridge_lists::rows::RowStatus;
use airbridge_lists::values::ValueOptions;
use airbridge_lists::{ColumnMapping, MappingFile, ParsedRow, build_cases, parse_rows, read_table};
use airbridge_store::any::Location;
use airbridge_store::{
    Actor, ImportBatch, ImportCase, ImportMember, PersonQuery, QuarantineRow, Store,
};
use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `airbridge import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The list: .csv (any delimiter and encoding), .xlsx, .xls, .ods or PFIF XML.
    pub file: PathBuf,
    /// The nation whose list this is.
    #[arg(long)]
    pub nation: String,
    /// The organisation that sent it (O3 or 3).
    #[arg(long)]
    pub org: Option<String>,
    /// A TOML file naming columns the headers do not make clear (see `airbridge_lists::MappingFile`).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Only this sheet of a workbook (default: every sheet).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The name the list is known by; a later import under the same name updates it.
    #[arg(long)]
    pub source: Option<String>,
    /// Eligibility given to every case of the list: national | worked:EMPLOYER:ROLE |
    /// at_risk:CATEGORY:REASON; repeatable.
    #[arg(long = "basis")]
    pub bases: Vec<String>,
    /// Read and report, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also write the row-by-row report as CSV to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// Options of `airbridge export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub nation: String,
    /// Only people in this status.
    #[arg(long)]
    pub status: Option<String>,
    /// csv or xlsx (every field), or pfif (PFIF 1.4 person records, for person-finder services).
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// Where to write; `-` for standard output.
    #[arg(long, short)]
    pub output: PathBuf,
    /// Only people whose case falls in this category: national, local_staff or at_risk.
    #[arg(long)]
    pub category: Option<String>,
    /// Confirms an export larger than the nation allows without asking
    /// (`airbridge nation set FR --export-confirm-above N`; a leaked list can get people killed).
    #[arg(long)]
    pub confirm: bool,
}

/// The most a list file may weigh: larger lists are split before import.
const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Each row's identity within its source, so that a corrected list updates the same people:
/// its id column; else its family id and rank within the family (counting every row, rejected
/// ones too); else its line.
fn row_keys(rows: &[ParsedRow]) -> Vec<String> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    rows.iter()
        .map(|row| {
            let sheet = row
                .sheet
                .as_deref()
                .map(|s| format!("{s}!"))
                .unwrap_or_default();
            match (&row.row_id, &row.family_id) {
                (Some(id), _) => format!("{sheet}id:{id}"),
                (None, Some(family)) => {
                    let rank = seen.entry(family.as_str()).or_insert(0);
                    *rank += 1;
                    format!("{sheet}family:{family}#{rank}")
                }
                (None, None) => format!("{sheet}line:{}", row.line),
            }
        })
        .collect()
}

pub async fn import(
    db: &Location,
    args: ImportArgs,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let nation = parse::nation("--nation", &args.nation)?;
    let organisation = args
        .org
        .as_deref()
        .map(parse::organisation_id)
        .transpose()?;
    let eligibility = Eligibility {
        bases: args
            .bases
            .iter()
            .map(|b| parse::basis(b))
            .collect::<Result<_, _>>()?,
    };
    let mapping_file = match &args.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mapping file {}", path.display()))?;
            MappingFile::parse(&text).map_err(InvalidInput)?
        }
        None => MappingFile::default(),
    };
    let calendar = mapping_file
        .calendar
        .as_deref()
        .map(|c| {
            Calendar::parse(c).ok_or_else(|| {
                InvalidInput(format!(
                    "mapping file: calendar '{c}': use gregorian or solar_hijri"
                ))
            })
        })
        .transpose()?;
    let default_region = mapping_file
        .default_region
        .as_deref()
        .map(|r| parse::nation("mapping file default_region", r))
        .transpose()?;
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let bytes = airbridge_lists::read::read_all(file, MAX_FILE_BYTES)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "list".into());
    let tables = read_table(&name, &bytes, args.sheet.as_deref())
        .map_err(|e| InvalidInput(format!("{}: {e}", args.file.display())))?;
    let today = today();
    let options = ValueOptions {
        calendar,
        month_first: mapping_file.date_order.as_deref() == Some("mdy"),
        default_region,
        today,
    };
    let source = args.source.clone().unwrap_or_else(|| name.clone());
    let mut batch = ImportBatch {
        nation,
        organisation,
        source: source.clone(),
        cases: Vec::new(),
        rejected: Vec::new(),
    };
    let mut all_rows: Vec<ParsedRow> = Vec::new();
    let mut notes = Vec::new();
    for table in &tables {
        let mapping = ColumnMapping::detect(&table.headers, &mapping_file);
        let sheet = table.sheet.as_deref().unwrap_or(&name);
        if !mapping.has_names() {
            return Err(InvalidInput(format!(
                "{sheet}: no column holds names (headers: {}); name the columns in a --mapping file",
                table.headers.join(", ")
            ))
            .into());
        }
        notes.extend(table.notes.iter().map(|n| format!("{sheet}: {n}")));
        if !mapping.unrecognised.is_empty() {
            notes.push(format!(
                "{sheet}: columns not read into fields, kept with each person as written: {} (name them in a --mapping file to read them)",
                mapping.unrecognised.join(", ")
            ));
        }
        let mut rows = parse_rows(table, &mapping, &options);
        let keys = row_keys(&rows);
        let cases = build_cases(&mut rows);
        for case in cases {
            // Moved, not copied: a million-row list is held once.
            let members = case
                .members
                .into_iter()
                .map(|member| ImportMember {
                    row_key: keys[member.row].clone(),
                    fingerprint: rows[member.row].fingerprint.clone(),
                    relation: member.relation,
                    person: member.person,
                    extra: std::mem::take(&mut rows[member.row].unread),
                })
                .collect();
            batch.cases.push(ImportCase {
                reference: case.reference,
                eligibility: eligibility.clone(),
                members,
            });
        }
        for (row, key) in rows
            .iter()
            .zip(&keys)
            .filter(|(r, _)| r.status() == RowStatus::Rejected)
        {
            batch.rejected.push(QuarantineRow {
                row_key: key.clone(),
                sheet: row.sheet.clone(),
                line: row.line as i64,
                fingerprint: row.fingerprint.clone(),
                raw: row.raw.clone(),
                issues: serde_json::to_value(&row.issues)?,
            });
        }
        all_rows.extend(rows);
    }
    let accepted = all_rows
        .iter()
        .filter(|r| r.status() == RowStatus::Accepted)
        .count();
    let warned = all_rows
        .iter()
        .filter(|r| r.status() == RowStatus::AcceptedWithWarnings)
        .count();
    let rejected = all_rows
        .iter()
        .filter(|r| r.status() == RowStatus::Rejected)
        .count();
    let people: usize = batch.cases.iter().map(|c| c.members.len()).sum();
    let cases = batch.cases.len();
    if let Some(path) = &args.report {
        write_report(path, &all_rows)
            .with_context(|| format!("cannot write the report {}", path.display()))?;
    }
    let outcome = if args.dry_run {
        None
    } else {
        let store = crate::key_cmd::open_store(db, airbridge_store::OpenMode::MustExist).await?;
        let outcome = store.import_list(actor, batch).await?;
        // Everyone new or changed is screened against the loaded sanctions lists at once.
        let mut to_screen = outcome.created.clone();
        to_screen.extend(&outcome.people_updated);
        let screening = crate::registry_screening::screen_registry(
            &store,
            actor,
            Some(&to_screen),
            crate::registry_screening::DEFAULT_THRESHOLD,
        )
        .await?;
        store.close().await;
        Some((outcome, screening))
    };
    let summary = serde_json::json!({
        "file": args.file,
        "source": source,
        "rows": all_rows.len(),
        "accepted": accepted,
        "accepted_with_warnings": warned,
        "rejected": rejected,
        "people": people,
        "cases": cases,
        "dry_run": args.dry_run,
        "outcome": outcome.as_ref().map(|(o, _)| o),
        "screening": outcome.as_ref().map(|(_, (screened, hits))| serde_json::json!({ "screened": screened, "new_hits": hits })),
        "seconds": started.elapsed().as_secs_f64(),
        "issues": all_rows.iter().filter(|r| !r.issues.is_empty()).map(|r| serde_json::json!({
            "sheet": r.sheet, "line": r.line, "status": r.status(), "issues": r.issues
        })).collect::<Vec<_>>(),
    });
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(());
    }
    for note in &notes {
        println!("note: {note}");
    }
    for row in all_rows.iter().filter(|r| !r.issues.is_empty()) {
        let place = match &row.sheet {
            Some(sheet) => format!("{sheet} line {}", row.line),
            None => format!("line {}", row.line),
        };
        let verdict = match row.status() {
            RowStatus::Rejected => "REJECTED",
            _ => "warning",
        };
        for issue in &row.issues {
            let cell = match (&issue.column, &issue.value) {
                (Some(column), Some(value)) => format!(" [{column} = {value:?}]"),
                _ => String::new(),
            };
            println!("{place}: {verdict}{cell}: {}", issue.message);
        }
    }
    println!(
        "{} rows: {accepted} accepted, {warned} accepted with warnings, {rejected} rejected; {people} people in {cases} cases ({:.2?}).",
        all_rows.len(),
        started.elapsed()
    );
    match outcome {
        None => println!("Dry run: nothing was written."),
        Some((outcome, (screened, hits))) => {
            if screened > 0 {
                println!(
                    "Screened {screened} new or changed people against the sanctions lists: {hits} new hits to review."
                );
            }
            println!(
                "Written: {} people and {} cases new, {} people updated, {} unchanged; {} rows quarantined ({} earlier ones resolved). `airbridge quarantine list` shows them.",
                outcome.people_created,
                outcome.cases_created,
                outcome.people_updated.len(),
                outcome.people_unchanged,
                outcome.quarantined,
                outcome.quarantine_resolved
            )
        }
    }
    Ok(())
}

fn write_report(path: &Path, rows: &[ParsedRow]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(["sheet", "line", "status", "column", "value", "message"])?;
    for row in rows {
        let status = match row.status() {
            RowStatus::Accepted => "accepted",
            RowStatus::AcceptedWithWarnings => "accepted_with_warnings",
            RowStatus::Rejected => "rejected",
        };
        let sheet = row.sheet.clone().unwrap_or_default();
        if row.issues.is_empty() {
            writer.write_record([sheet.as_str(), &row.line.to_string(), status, "", "", ""])?;
        }
        for issue in &row.issues {
            writer.write_record([
                sheet.as_str(),
                &row.line.to_string(),
                status,
                &airbridge_lists::export::neutralise(issue.column.as_deref().unwrap_or("")),
                &airbridge_lists::export::neutralise(issue.value.as_deref().unwrap_or("")),
                &issue.message,
            ])?;
        }
    }
    writer.flush()?;
    Ok(())
}

fn today() -> GregorianDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    GregorianDate::from_days_since_epoch(days as i64)
}

pub async fn export(db: &Location, args: ExportArgs, actor: &Actor) -> anyhow::Result<()> {
    let nation: NationCode = parse::nation("--nation", &args.nation)?;
    let status: Option<EvacuationStatus> = args.status.as_deref().map(parse::status).transpose()?;
    if !["csv", "xlsx", "pfif"].contains(&args.format.as_str()) {
        return Err(
            InvalidInput(format!("--format {}: use csv, xlsx or pfif", args.format)).into(),
        );
    }
    let store = crate::key_cmd::open_store(db, airbridge_store::OpenMode::MustExist).await?;
    let mut people = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .search_persons(&PersonQuery {
                nation: Some(nation),
                status,
                limit: Some(10_000),
                after,
                ..Default::default()
            })
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        people.extend(page);
    }
    if let Some(wanted) = &args.category {
        let wanted = match wanted
            .trim()
            .to_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "national" => Category::National,
            "local_staff" | "staff" => Category::LocalStaff,
            "at_risk" => Category::AtRisk,
            other => {
                return Err(InvalidInput(format!(
                    "--category {other}: use national, local_staff or at_risk"
                ))
                .into());
            }
        };
        let mut categories: std::collections::HashMap<CaseId, Option<Category>> =
            Default::default();
        let mut kept = Vec::with_capacity(people.len());
        for person in people {
            let Some(case) = person.case else { continue };
            if let std::collections::hash_map::Entry::Vacant(slot) = categories.entry(case) {
                let category = store
                    .get_case(case)
                    .await?
                    .and_then(|c| c.eligibility.primary_category());
                slot.insert(category);
            }
            if categories.get(&case).copied().flatten() == Some(wanted) {
                kept.push(person);
            }
        }
        people = kept;
    }
    let limit = store.export_limit(nation).await?;
    if people.len() as i64 > limit && !args.confirm {
        return Err(InvalidInput(format!(
            "this export holds {} people, more than the {limit} {nation} allows without asking: \
             check that you mean it, then add --confirm",
            people.len()
        ))
        .into());
    }
    // Families together, the principal first, as the import reads them back.
    people.sort_by_key(|p| {
        (
            p.case.map(|c| c.0).unwrap_or(i64::MAX),
            p.relation != Some(Relation::Principal),
            p.id.0,
        )
    });
    let mut filter = match status {
        Some(status) => format!("status {status}"),
        None => "all statuses".to_owned(),
    };
    if let Some(category) = &args.category {
        filter.push_str(&format!(", category {category}"));
    }
    // The same clock and form as the audit event that records this export.
    let at = airbridge_store::sqlite::now();
    let stamp = ExportStamp {
        by: actor.name.clone(),
        at: at.clone(),
        nation: nation.to_string(),
        filter: filter.clone(),
    };
    let rows: Vec<ExportRow<'_>> = people
        .iter()
        .map(|p| ExportRow {
            id: p.id.to_string(),
            case: p.case.map(|c| c.to_string()).unwrap_or_default(),
            relation: p
                .relation
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default(),
            status: p.status.as_str().to_owned(),
            person: &p.person,
        })
        .collect();
    let destination = args.output.display().to_string();
    let mut out: Box<dyn std::io::Write> = if destination == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        let file = std::fs::File::create(&args.output)
            .with_context(|| format!("cannot create {destination}"))?;
        Box::new(std::io::BufWriter::new(file))
    };
    if args.format == "pfif" {
        let people: Vec<PfifPerson<'_>> = rows
            .iter()
            .map(|r| PfifPerson {
                record_id: format!("airbridge.{}/{}", nation.as_str().to_lowercase(), r.id),
                person: r.person,
            })
            .collect();
        let stamp = format!(
            "Airbridge export of {} people of {nation} ({filter}) by {} at {at}. Handle as sensitive personal data.",
            rows.len(),
            actor.name
        );
        write_pfif(out, &stamp, &people, &at)?;
    } else if args.format == "xlsx" {
        let bytes = write_xlsx(&stamp, &rows).context("cannot write the workbook")?;
        out.write_all(&bytes)?;
        out.flush()?;
    } else {
        write_csv(out, &stamp, &rows)?;
    }
    store
        .record_event(
            actor,
            Some(nation),
            "list.export",
            &destination,
            serde_json::json!({ "format": args.format, "filter": filter, "people": rows.len(), "at": at }),
        )
        .await?;
    store.close().await;
    if destination != "-" {
        eprintln!(
            "Exported {} people of {nation} ({filter}) to {destination}.",
            rows.len()
        );
    }
    Ok(())
}

pub async fn quarantine(
    db: &Location,
    nation: Option<String>,
    all: bool,
    json: bool,
) -> anyhow::Result<()> {
    let nation = nation
        .as_deref()
        .map(|n| parse::nation("--nation", n))
        .transpose()?;
    let store = crate::key_cmd::open_store(db, airbridge_store::OpenMode::MustExist).await?;
    let entries = store.list_quarantine(nation, all).await?;
    store.close().await;
    if json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    if entries.is_empty() {
        println!("No quarantined rows.");
    }
    for entry in &entries {
        let raw: Vec<String> = entry
            .row
            .raw
            .iter()
            .map(|(h, v)| format!("{h}={v}"))
            .collect();
        let why: Vec<String> = entry
            .row
            .issues
            .as_array()
            .map(|issues| {
                issues
                    .iter()
                    .filter_map(|i| i["message"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        println!(
            "Q{:<5} {} {} line {} [{}] {}\n        why: {}",
            entry.id,
            entry.nation,
            entry.source,
            entry.row.line,
            entry.status,
            raw.join(" | "),
            why.join("; ")
        );
    }
    Ok(())
}
