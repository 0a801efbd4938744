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
use airbridge_lists::{
    ColumnMapping, FamilyChunks, MappingFile, ParsedRow, parse_chunk, read_table,
};
use airbridge_store::any::Location;
use airbridge_store::{
    Actor, ImportCase, ImportFeed, ImportHeader, ImportMember, PersonQuery, QuarantineRow, Store,
};
use anyhow::Context;
use clap::Args;
use std::ops::ControlFlow;
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

/// The most an `.xls` or PFIF file may weigh (they are read whole); CSV, XLSX and ODS are read
/// as streams and have no limit (a ZIP's unpacked size is checked by the reader).
const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Rows parsed at a time (on every core), and the least a piece sent to the store holds.
const BATCH_ROWS: usize = 8_192;

// Each row's identity within its source: shared with the web upload.
use airbridge_lists::RowKeys;

/// A row that had something to say, kept for the terminal and the JSON summary (rows without
/// issues are counted, not kept).
struct NotedRow {
    sheet: Option<String>,
    line: usize,
    status: RowStatus,
    issues: Vec<airbridge_lists::RowIssue>,
}

/// What reading the list found.
#[derive(Default)]
struct Tally {
    rows: usize,
    accepted: usize,
    warned: usize,
    rejected: usize,
    people: usize,
    cases: usize,
    notes: Vec<String>,
    noted: Vec<NotedRow>,
}

/// A spreadsheet read from its file a row at a time.
type SheetFile = airbridge_lists::Workbook<std::io::BufReader<std::fs::File>>;

/// Where the rows come from: a CSV or the sheets of a workbook (XLSX and ODS streamed, `.xls`
/// read whole inside the workbook), or a PFIF file read whole.
enum Rows {
    Csv(Box<airbridge_lists::CsvRows<'static>>),
    Workbook(Box<SheetFile>),
    Tables(Vec<airbridge_lists::Table>),
}

impl Rows {
    /// Every table's header (rows not read yet, except for a PFIF file).
    fn headers(&self) -> Vec<airbridge_lists::Table> {
        match self {
            Rows::Csv(stream) => vec![airbridge_lists::Table {
                sheet: None,
                header_line: stream.header_line(),
                headers: stream.headers().to_vec(),
                rows: Vec::new(),
                notes: stream.notes().to_vec(),
            }],
            Rows::Workbook(workbook) => workbook.tables().into_iter().cloned().collect(),
            Rows::Tables(tables) => tables
                .iter()
                .map(|table| airbridge_lists::Table {
                    sheet: table.sheet.clone(),
                    header_line: table.header_line,
                    headers: table.headers.clone(),
                    rows: Vec::new(),
                    notes: table.notes.clone(),
                })
                .collect(),
        }
    }
}

/// One table's rows as an iterator (a CSV, or rows read whole), with how far the reading has
/// come (bytes of a CSV, rows of a table) for the progress bar. A streamed sheet hands its rows
/// to a callback instead (`Workbook::read_rows`).
enum Source {
    Csv(Box<airbridge_lists::CsvRows<'static>>),
    Rows {
        rows: std::vec::IntoIter<airbridge_lists::read::Row>,
        total: u64,
    },
}

impl Source {
    fn position(&self) -> u64 {
        match self {
            Source::Csv(stream) => stream.bytes_read(),
            Source::Rows { rows, total } => total - rows.len() as u64,
        }
    }
}

impl Iterator for Source {
    type Item = Result<airbridge_lists::read::Row, airbridge_lists::ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Source::Csv(stream) => stream.next(),
            Source::Rows { rows, .. } => rows.next().map(Ok),
        }
    }
}

/// Where one table's rows are read from.
enum TableRows {
    Iterated(Source),
    /// Sheet `index` of the workbook.
    Sheet(usize),
}

/// Everything the reading thread needs.
struct ReadJob {
    name: String,
    rows: Rows,
    mapping_file: MappingFile,
    options: ValueOptions,
    eligibility: Eligibility,
    report: Option<csv::Writer<std::fs::File>>,
    progress: indicatif::ProgressBar,
}

/// Opens the list: a CSV, XLSX or ODS as a stream (an `.xls` inside the workbook whole), a PFIF
/// file whole.
fn open_rows(path: &Path, name: &str, sheet: Option<&str>) -> anyhow::Result<Rows> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut head = Vec::with_capacity(4096);
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, 4096), &mut head)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let invalid = |e: airbridge_lists::ReadError| InvalidInput(format!("{}: {e}", path.display()));
    use airbridge_lists::SourceFormat;
    match SourceFormat::detect(name, &head) {
        SourceFormat::Csv => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            let stream =
                airbridge_lists::CsvRows::open(std::io::BufReader::with_capacity(1 << 20, file))
                    .map_err(invalid)?;
            return Ok(Rows::Csv(Box::new(stream)));
        }
        format @ (SourceFormat::Xlsx | SourceFormat::Ods | SourceFormat::Xls) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            let workbook = airbridge_lists::Workbook::open(
                std::io::BufReader::with_capacity(1 << 16, file),
                format,
                sheet,
            )
            .map_err(invalid)?;
            return Ok(Rows::Workbook(Box::new(workbook)));
        }
        SourceFormat::Pfif => {}
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let bytes = airbridge_lists::read::read_all(file, MAX_FILE_BYTES)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Rows::Tables(
        read_table(name, &bytes, sheet).map_err(invalid)?,
    ))
}

/// Refuses a table none of whose columns holds names, before anything is read or written.
fn check_names(
    table: &airbridge_lists::Table,
    name: &str,
    mapping_file: &MappingFile,
) -> anyhow::Result<()> {
    let mapping = ColumnMapping::detect(&table.headers, mapping_file);
    if !mapping.has_names() {
        let sheet = table.sheet.as_deref().unwrap_or(name);
        return Err(InvalidInput(format!(
            "{sheet}: no column holds names (headers: {}); name the columns in a --mapping file",
            table.headers.join(", ")
        ))
        .into());
    }
    Ok(())
}

/// Reads, parses and groups the list piece by piece, sending each piece to the store (unless a
/// dry run) and writing the report as it goes. Stops early, without error, when the store
/// stops taking pieces (its own error says why).
fn read_list(
    mut job: ReadJob,
    feed: Option<tokio::sync::mpsc::Sender<ImportFeed>>,
) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let rows = std::mem::replace(&mut job.rows, Rows::Tables(Vec::new()));
    let headers = rows.headers();
    let (tables, mut workbook): (Vec<(airbridge_lists::Table, TableRows)>, _) = match rows {
        Rows::Csv(stream) => {
            let table = headers.into_iter().next().unwrap_or_default();
            (
                vec![(table, TableRows::Iterated(Source::Csv(stream)))],
                None,
            )
        }
        Rows::Workbook(workbook) => (
            headers
                .into_iter()
                .enumerate()
                .map(|(index, table)| (table, TableRows::Sheet(index)))
                .collect(),
            Some(workbook),
        ),
        Rows::Tables(tables) => (
            tables
                .into_iter()
                .map(|mut table| {
                    let rows = std::mem::take(&mut table.rows);
                    let total = rows.len() as u64;
                    let source = Source::Rows {
                        rows: rows.into_iter(),
                        total,
                    };
                    (table, TableRows::Iterated(source))
                })
                .collect(),
            None,
        ),
    };
    for (table, rows) in tables {
        let sheet = table.sheet.clone().unwrap_or_else(|| job.name.clone());
        let mapping = ColumnMapping::detect(&table.headers, &job.mapping_file);
        tally
            .notes
            .extend(table.notes.iter().map(|n| format!("{sheet}: {n}")));
        if !mapping.unrecognised.is_empty() {
            tally.notes.push(format!(
                "{sheet}: columns not read into fields, kept with each person as written: {} (name them in a --mapping file to read them)",
                mapping.unrecognised.join(", ")
            ));
        }
        let mut keys = RowKeys::default();
        let mut chunks = FamilyChunks::new(BATCH_ROWS);
        let mut handle = |piece: airbridge_lists::Piece,
                          tally: &mut Tally,
                          report: &mut Option<csv::Writer<std::fs::File>>|
         -> anyhow::Result<bool> {
            deliver(
                piece,
                &mut keys,
                &job.eligibility,
                tally,
                report,
                feed.as_ref(),
            )
        };
        // One batch parsed (on every core) and grouped; `false` once the store stops taking
        // pieces.
        let mut take_batch = |batch: &[airbridge_lists::read::Row],
                              tally: &mut Tally,
                              report: &mut Option<csv::Writer<std::fs::File>>|
         -> anyhow::Result<bool> {
            let parsed = parse_chunk(&table, batch, &mapping, &job.options);
            match chunks.push(parsed) {
                Some(piece) => handle(piece, tally, report),
                None => Ok(true),
            }
        };
        let unreadable = |e: airbridge_lists::ReadError| {
            InvalidInput(format!("{}: {e}; nothing was imported", job.name))
        };
        let carried_on = match rows {
            TableRows::Iterated(mut source) => {
                if let Source::Rows { total, .. } = &source {
                    job.progress.set_length(*total);
                }
                let mut carried_on = true;
                loop {
                    let mut batch = Vec::with_capacity(BATCH_ROWS);
                    for row in source.by_ref().take(BATCH_ROWS) {
                        batch.push(row.map_err(unreadable)?);
                    }
                    if batch.is_empty() {
                        break;
                    }
                    job.progress.set_position(source.position());
                    if !take_batch(&batch, &mut tally, &mut job.report)? {
                        carried_on = false;
                        break;
                    }
                }
                carried_on
            }
            TableRows::Sheet(index) => {
                let Some(workbook) = workbook.as_mut() else {
                    continue;
                };
                job.progress.set_length(workbook.last_line(index) as u64);
                let mut batch = Vec::with_capacity(BATCH_ROWS);
                let mut outcome: anyhow::Result<bool> = Ok(true);
                workbook
                    .read_rows(index, |row| {
                        batch.push(row);
                        if batch.len() < BATCH_ROWS {
                            return ControlFlow::Continue(());
                        }
                        job.progress
                            .set_position(batch.last().map_or(0, |row| row.line as u64));
                        outcome = take_batch(&batch, &mut tally, &mut job.report);
                        batch.clear();
                        if matches!(outcome, Ok(true)) {
                            ControlFlow::Continue(())
                        } else {
                            ControlFlow::Break(())
                        }
                    })
                    .map_err(unreadable)?;
                let mut carried_on = outcome?;
                if carried_on && !batch.is_empty() {
                    carried_on = take_batch(&batch, &mut tally, &mut job.report)?;
                }
                carried_on
            }
        };
        if !carried_on {
            return Ok(tally);
        }
        if let Some(piece) = chunks.finish()
            && !handle(piece, &mut tally, &mut job.report)?
        {
            return Ok(tally);
        }
    }
    if let Some(writer) = job.report.as_mut() {
        writer.flush()?;
    }
    job.progress.finish_and_clear();
    if let Some(feed) = &feed {
        // The store commits only on this mark; if it has stopped, its error says why.
        let _ = feed.blocking_send(ImportFeed::Done);
    }
    Ok(tally)
}

/// Counts one piece, writes its report rows, and sends its cases and refused rows to the
/// store. `false` when the store no longer takes pieces.
fn deliver(
    mut piece: airbridge_lists::Piece,
    keys: &mut RowKeys,
    eligibility: &Eligibility,
    tally: &mut Tally,
    report: &mut Option<csv::Writer<std::fs::File>>,
    feed: Option<&tokio::sync::mpsc::Sender<ImportFeed>>,
) -> anyhow::Result<bool> {
    let row_keys: Vec<String> = piece.rows.iter().map(|row| keys.key(row)).collect();
    tally.rows += piece.rows.len();
    tally.cases += piece.cases.len();
    tally.people += piece.cases.iter().map(|c| c.members.len()).sum::<usize>();
    if let Some(writer) = report.as_mut() {
        write_report_rows(writer, &piece.rows)?;
    }
    let mut cases = Vec::with_capacity(piece.cases.len());
    for case in std::mem::take(&mut piece.cases) {
        // Moved, not copied: each row is held once.
        let members = case
            .members
            .into_iter()
            .map(|member| ImportMember {
                row_key: row_keys[member.row].clone(),
                fingerprint: piece.rows[member.row].fingerprint.clone(),
                relation: member.relation,
                person: member.person,
                extra: std::mem::take(&mut piece.rows[member.row].unread),
            })
            .collect();
        cases.push(ImportCase {
            reference: case.reference,
            eligibility: eligibility.clone(),
            members,
        });
    }
    let mut rejected = Vec::new();
    for (row, key) in piece.rows.iter_mut().zip(row_keys) {
        let status = row.status();
        match status {
            RowStatus::Accepted => tally.accepted += 1,
            RowStatus::AcceptedWithWarnings => tally.warned += 1,
            RowStatus::Rejected => {
                tally.rejected += 1;
                rejected.push(QuarantineRow {
                    row_key: key,
                    sheet: row.sheet.clone(),
                    line: row.line as i64,
                    fingerprint: row.fingerprint.clone(),
                    raw: std::mem::take(&mut row.raw),
                    issues: serde_json::to_value(&row.issues)?,
                });
            }
        }
        if !row.issues.is_empty() {
            tally.noted.push(NotedRow {
                sheet: row.sheet.clone(),
                line: row.line,
                status,
                issues: std::mem::take(&mut row.issues),
            });
        }
    }
    match feed {
        None => Ok(true),
        Some(feed) => Ok(feed
            .blocking_send(ImportFeed::Chunk { cases, rejected })
            .is_ok()),
    }
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
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "list".into());
    let rows = open_rows(&args.file, &name, args.sheet.as_deref())?;
    for table in rows.headers() {
        check_names(&table, &name, &mapping_file)?;
    }
    let options = ValueOptions {
        calendar,
        month_first: mapping_file.date_order.as_deref() == Some("mdy"),
        default_region,
        today: today(),
    };
    let report = match &args.report {
        Some(path) => {
            let mut writer = csv::Writer::from_path(path)
                .with_context(|| format!("cannot write the report {}", path.display()))?;
            writer.write_record(["sheet", "line", "status", "column", "value", "message"])?;
            Some(writer)
        }
        None => None,
    };
    let progress = if json {
        indicatif::ProgressBar::hidden()
    } else {
        let length = match &rows {
            Rows::Csv(_) => std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0),
            Rows::Workbook(_) | Rows::Tables(_) => 0,
        };
        let bar = indicatif::ProgressBar::new(length);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} reading {msg} [{bar:30}] {percent}% ({elapsed}, {eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(name.clone());
        bar
    };
    let source = args.source.clone().unwrap_or_else(|| name.clone());
    let job = ReadJob {
        name: name.clone(),
        rows,
        mapping_file,
        options,
        eligibility,
        report,
        progress,
    };
    let (outcome, tally) = if args.dry_run {
        let tally = tokio::task::spawn_blocking(move || read_list(job, None))
            .await
            .context("the list reader stopped")??;
        (None, tally)
    } else {
        let store = crate::key_cmd::open_store(db, airbridge_store::OpenMode::MustExist).await?;
        // Two pieces in flight: one being written while the next is read.
        let (sender, feed) = tokio::sync::mpsc::channel(2);
        let reader = tokio::task::spawn_blocking(move || read_list(job, Some(sender)));
        let header = ImportHeader {
            nation,
            organisation,
            source: source.clone(),
        };
        let written = store.import_stream(actor, header, feed).await;
        let tally = reader.await.context("the list reader stopped")?;
        // A reader's error (a malformed line) explains why the store saw no end.
        let tally = tally?;
        let outcome = written?;
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
        // And matched against everyone through the deduplication index, once the registry
        // has been deduplicated.
        let mut to_match = outcome.created.clone();
        to_match.extend(&outcome.people_updated);
        let dedup = if to_match.is_empty() {
            None
        } else {
            crate::dedup_db::match_people(&store, actor, &to_match).await?
        };
        store.close().await;
        (Some((outcome, screening, dedup)), tally)
    };
    let Tally {
        rows,
        accepted,
        warned,
        rejected,
        people,
        cases,
        notes,
        noted,
    } = tally;
    let summary = serde_json::json!({
        "file": args.file,
        "source": source,
        "rows": rows,
        "accepted": accepted,
        "accepted_with_warnings": warned,
        "rejected": rejected,
        "people": people,
        "cases": cases,
        "dry_run": args.dry_run,
        "outcome": outcome.as_ref().map(|(o, _, _)| o),
        "screening": outcome.as_ref().map(|(_, (screened, hits), _)| serde_json::json!({ "screened": screened, "new_hits": hits })),
        "dedup": outcome.as_ref().and_then(|(_, _, dedup)| dedup.as_ref()),
        "seconds": started.elapsed().as_secs_f64(),
        "issues": noted.iter().map(|r| serde_json::json!({
            "sheet": r.sheet, "line": r.line, "status": r.status, "issues": r.issues
        })).collect::<Vec<_>>(),
    });
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(());
    }
    for note in &notes {
        println!("note: {note}");
    }
    for (printed, row) in noted.iter().enumerate() {
        if printed == MAX_PRINTED_ISSUES {
            println!(
                "… and {} more rows with issues{}",
                noted.len() - printed,
                if args.report.is_some() {
                    " (all are in the report)"
                } else {
                    "; --report FILE.csv lists every row"
                }
            );
            break;
        }
        let place = match &row.sheet {
            Some(sheet) => format!("{sheet} line {}", row.line),
            None => format!("line {}", row.line),
        };
        let verdict = match row.status {
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
        "{rows} rows: {accepted} accepted, {warned} accepted with warnings, {rejected} rejected; {people} people in {cases} cases ({:.2?}).",
        started.elapsed()
    );
    match outcome {
        None => println!("Dry run: nothing was written."),
        Some((outcome, (screened, hits), dedup)) => {
            if screened > 0 {
                println!(
                    "Screened {screened} new or changed people against the sanctions lists: {hits} new hits to review."
                );
            }
            if let Some(dedup) = dedup {
                println!("Deduplication: {}.", dedup.line());
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

/// Rows with issues printed in the terminal; the report file has them all.
const MAX_PRINTED_ISSUES: usize = 1_000;

/// The report's lines for some rows: one per issue, or one for a row without any.
fn write_report_rows(
    writer: &mut csv::Writer<std::fs::File>,
    rows: &[ParsedRow],
) -> anyhow::Result<()> {
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
