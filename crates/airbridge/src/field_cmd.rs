//! Field operations from the command line: call cases forward (passes and messages), revoke
//! passes, send the outbox through an adapter, mark no-shows, look at the gates' flags, and
//! write the situation report.

use crate::InvalidInput;
use airbridge_domain::{CaseId, EvacuationStatus, NationCode};
use airbridge_field::PassCode;
use airbridge_field::messages::{Language, Notice};
use airbridge_store::any::Location;
use airbridge_store::{
    Actor, AnyStore, CallForwardRequest, CaseQuery, NewMessage, NewPass, OpenMode, OutboxMessage,
    Store,
};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CallForwardArgs {
    #[arg(long)]
    pub nation: String,
    /// The gate to come to, e.g. "Abbey Gate".
    #[arg(long)]
    pub gate: String,
    /// Where and how to come, as the message says it.
    #[arg(long)]
    pub rendezvous: String,
    /// The window's start, RFC 3339 (2021-08-22T06:00:00Z, or with +04:30 for Kabul time).
    #[arg(long)]
    pub from: String,
    /// The window's end.
    #[arg(long)]
    pub until: String,
    /// Cases to call, by id (C12 or 12); repeat or separate with commas.
    #[arg(long = "case", value_delimiter = ',')]
    pub cases: Vec<String>,
    /// Or: call this many ready cases (everyone in them eligible, or a no-show), oldest first.
    #[arg(long)]
    pub ready: Option<usize>,
    /// Write each pass (case, code, members) to this CSV, for printing passes. It holds the
    /// codes in clear: keep it as you would the passes themselves.
    #[arg(long)]
    pub passes_out: Option<PathBuf>,
    /// The server's address, to put a link to each pass's QR page in the messages
    /// (e.g. https://airbridge.example).
    #[arg(long)]
    pub link_base: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PassesCommand {
    /// A case's passes.
    List { case: String },
    /// Revoke a pass (it can no longer admit anyone).
    Revoke {
        pass: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AdapterKind {
    /// Append each message as a JSON line to a file in --dir (what would be sent).
    File,
    /// Run --program once per message: the recipient as its argument, the text on its
    /// standard input; exit status 0 means sent.
    Command,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Messages waiting (or failed and to be retried), without their text.
    List,
    /// Send what is waiting through an adapter; each message is sent to one recipient.
    Send {
        #[arg(long, value_enum)]
        adapter: AdapterKind,
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long)]
        program: Option<PathBuf>,
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum FlagsCommand {
    /// Flags raised at the gates (open ones, or --all).
    List {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        nation: Option<String>,
    },
    /// Clear a flag with a note saying what was found.
    Clear {
        id: i64,
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SitrepFormat {
    /// For the meeting's screen or printer: figures, a chart of evacuated per day, flights.
    Pdf,
    /// The same figures as one long table (section, nation, category, day, flight, metric,
    /// value) for a spreadsheet.
    Csv,
}

#[derive(Debug, Args)]
pub struct SitrepArgs {
    #[arg(long, value_enum)]
    pub format: SitrepFormat,
    /// The file to write.
    #[arg(long)]
    pub output: PathBuf,
    /// One nation's figures only; every nation's by default.
    #[arg(long)]
    pub nation: Option<String>,
}

fn nation(text: &str) -> Result<NationCode, InvalidInput> {
    NationCode::parse(text).map_err(|e| InvalidInput(e.to_string()))
}

fn case_id(text: &str) -> Result<CaseId, InvalidInput> {
    text.trim()
        .trim_start_matches(['C', 'c'])
        .parse()
        .map(CaseId)
        .map_err(|_| InvalidInput(format!("'{text}' is not a case: write C12 or 12")))
}

fn time(text: &str, what: &str) -> Result<time::OffsetDateTime, InvalidInput> {
    airbridge_field::messages::parse_time(text).map_err(|e| InvalidInput(format!("{what}: {e}")))
}

/// A code from the operating system's random source.
fn draw_code() -> anyhow::Result<PassCode> {
    let mut entropy = [0u8; 8];
    getrandom::fill(&mut entropy).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    Ok(PassCode::from_entropy(entropy))
}

/// Cases whose members may all be called now, oldest first.
async fn ready_cases(
    store: &AnyStore,
    nation: NationCode,
    wanted: usize,
) -> anyhow::Result<Vec<CaseId>> {
    let mut found = Vec::new();
    let mut after = None;
    while found.len() < wanted {
        let page = store
            .list_cases(&CaseQuery {
                nation: Some(nation),
                limit: Some(1000),
                after,
                ..Default::default()
            })
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.case.id);
        for record in &page {
            let ready = !record.people.is_empty()
                && record.people.iter().all(|p| {
                    matches!(
                        p.status,
                        EvacuationStatus::Eligible | EvacuationStatus::NoShow
                    )
                });
            if ready && found.len() < wanted {
                found.push(record.case.id);
            }
        }
    }
    Ok(found)
}

pub async fn call_forward(
    location: &Location,
    args: CallForwardArgs,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let nation = nation(&args.nation)?;
    let window_start = time(&args.from, "--from")?;
    let window_end = time(&args.until, "--until")?;
    let mut cases = args
        .cases
        .iter()
        .map(|c| case_id(c))
        .collect::<Result<Vec<_>, _>>()?;
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    if let Some(n) = args.ready {
        cases.extend(ready_cases(&store, nation, n).await?);
    }
    if cases.is_empty() {
        return Err(InvalidInput(
            "name the cases to call (--case C12,C13) or how many ready ones (--ready 50)".into(),
        )
        .into());
    }
    let mut passes = Vec::with_capacity(cases.len());
    let mut codes = Vec::with_capacity(cases.len());
    for case in &cases {
        let record = store
            .get_case(*case)
            .await?
            .ok_or_else(|| InvalidInput(format!("case {case} does not exist")))?;
        let code = draw_code()?;
        let link = args
            .link_base
            .as_deref()
            .map(|base| format!("{}/p/{}", base.trim_end_matches('/'), code.as_str()));
        let notice = Notice {
            gate: args.gate.trim().to_owned(),
            rendezvous: args.rendezvous.trim().to_owned(),
            window_start,
            window_end,
            code: code.clone(),
            pass_link: link,
        };
        // One message to each member with a phone: never one message to many.
        let mut messages = Vec::new();
        for person in &record.people {
            let language = Language::for_person(&person.person.languages);
            for phone in &person.person.phones {
                messages.push(NewMessage {
                    person: Some(person.id),
                    channel: "sms".into(),
                    recipient: phone.e164().to_owned(),
                    language: language.code().to_owned(),
                    body: airbridge_field::messages::render(language, &notice),
                });
            }
        }
        passes.push(NewPass {
            case: *case,
            code_hash: code.hash(),
            messages,
        });
        codes.push((
            *case,
            code,
            record.people.iter().map(|p| p.id.0).collect::<Vec<_>>(),
        ));
    }
    let result = store
        .call_forward(
            actor,
            CallForwardRequest {
                nation,
                gate: args.gate,
                rendezvous: args.rendezvous,
                valid_from: args.from,
                valid_until: args.until,
                passes,
            },
        )
        .await?;
    if let Some(path) = &args.passes_out {
        let mut out = csv::Writer::from_path(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        out.write_record(["case", "pass", "code", "members"])?;
        for pass in &result.passes {
            if let Some((_, code, members)) = codes.iter().find(|(c, _, _)| *c == pass.case) {
                let members: Vec<String> = members.iter().map(i64::to_string).collect();
                out.write_record([
                    pass.case.0.to_string(),
                    pass.id.to_string(),
                    code.to_string(),
                    members.join(" "),
                ])?;
            }
        }
        out.flush()?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        println!(
            "Call-forward {}: {} cases called to {}, {} messages queued, {} skipped.",
            result.wave,
            result.passes.len(),
            result
                .passes
                .first()
                .map(|p| p.gate.as_str())
                .unwrap_or("the gate"),
            result.messages,
            result.skipped.len()
        );
        for (case, why) in &result.skipped {
            println!("  skipped {case}: {why}");
        }
        if args.passes_out.is_none() {
            println!(
                "  (the codes are in the messages only; --passes-out FILE writes them for printing)"
            );
        }
    }
    store.close().await;
    Ok(())
}

pub async fn passes(
    location: &Location,
    command: PassesCommand,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    let passes = match command {
        PassesCommand::List { case } => store.case_passes(case_id(&case)?).await?,
        PassesCommand::Revoke { pass, reason } => {
            vec![store.revoke_pass(actor, pass, &reason).await?]
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&passes)?);
    } else {
        for p in &passes {
            println!(
                "pass {:<6} {} {:<8} {} {} → {}{}{}",
                p.id,
                p.case,
                p.state.as_str(),
                p.gate,
                p.valid_from,
                p.valid_until,
                p.used_gate
                    .as_deref()
                    .map(|g| format!("  used at {g} {}", p.used_at.as_deref().unwrap_or("")))
                    .unwrap_or_default(),
                p.revoke_reason
                    .as_deref()
                    .map(|r| format!("  revoked: {r}"))
                    .unwrap_or_default(),
            );
        }
    }
    store.close().await;
    Ok(())
}

/// Sends one message; `Err` holds what went wrong, kept with the message for a retry.
trait Adapter {
    fn send(&mut self, message: &OutboxMessage) -> Result<(), String>;
}

/// Writes what would be sent: one JSON line per message, flushed to disk before the message
/// counts as sent.
struct FileAdapter {
    file: std::fs::File,
}

impl Adapter for FileAdapter {
    fn send(&mut self, message: &OutboxMessage) -> Result<(), String> {
        let line = serde_json::json!({
            "id": message.id,
            "channel": message.channel,
            "to": message.recipient,
            "language": message.language,
            "text": message.body,
            "segments": message.body.as_deref().map(airbridge_field::messages::sms_segments),
        });
        writeln!(self.file, "{line}").map_err(|e| e.to_string())?;
        self.file.sync_data().map_err(|e| e.to_string())
    }
}

/// Hands each message to a program (an SMS gateway's client, a messaging bridge).
struct CommandAdapter {
    program: PathBuf,
}

impl Adapter for CommandAdapter {
    fn send(&mut self, message: &OutboxMessage) -> Result<(), String> {
        let mut child = std::process::Command::new(&self.program)
            .arg(&message.recipient)
            .env("AIRBRIDGE_CHANNEL", &message.channel)
            .env("AIRBRIDGE_LANGUAGE", &message.language)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(message.body.as_deref().unwrap_or("").as_bytes())
                .map_err(|e| e.to_string())?;
        }
        let output = child.wait_with_output().map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} exited with {}: {}",
                self.program.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }
}

pub async fn outbox(
    location: &Location,
    command: OutboxCommand,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    match command {
        OutboxCommand::List => {
            let waiting = store.outbox_queued(10_000).await?;
            if json {
                let listed: Vec<_> = waiting
                    .iter()
                    .map(|m| OutboxMessage {
                        body: None,
                        ..m.clone()
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&listed)?);
            } else {
                println!("{} messages waiting.", waiting.len());
                for m in &waiting {
                    println!(
                        "  M{:<6} {:<5} {:<6} attempts {}{}",
                        m.id,
                        m.channel,
                        m.language,
                        m.attempts,
                        m.error
                            .as_deref()
                            .map(|e| format!("  last error: {e}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        OutboxCommand::Send {
            adapter,
            dir,
            program,
            limit,
        } => {
            let mut adapter: Box<dyn Adapter> = match adapter {
                AdapterKind::File => {
                    let dir =
                        dir.ok_or_else(|| InvalidInput("--adapter file needs --dir".into()))?;
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                    let path = dir.join("outbox.jsonl");
                    let file = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&path)
                        .with_context(|| format!("cannot open {}", path.display()))?;
                    Box::new(FileAdapter { file })
                }
                AdapterKind::Command => Box::new(CommandAdapter {
                    program: program
                        .ok_or_else(|| InvalidInput("--adapter command needs --program".into()))?,
                }),
            };
            let (mut sent, mut failed) = (0, 0);
            for message in store.outbox_queued(limit).await? {
                let result = adapter.send(&message);
                if result.is_ok() {
                    sent += 1;
                } else {
                    failed += 1;
                }
                store.outbox_result(actor, message.id, result).await?;
            }
            if json {
                println!("{}", serde_json::json!({ "sent": sent, "failed": failed }));
            } else {
                println!("{sent} sent, {failed} failed (kept for a retry).");
            }
        }
    }
    store.close().await;
    Ok(())
}

pub async fn no_shows(
    location: &Location,
    now: Option<String>,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let now = match now {
        Some(now) => now,
        None => time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)?,
    };
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    let marked = store.mark_no_shows(actor, &now).await?;
    if json {
        println!("{}", serde_json::json!({ "no_shows": marked }));
    } else {
        println!("{marked} people marked no-show (their window ended before {now}).");
    }
    store.close().await;
    Ok(())
}

pub async fn flags(
    location: &Location,
    command: FlagsCommand,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    let flags = match command {
        FlagsCommand::List { all, nation: n } => {
            let n = n.as_deref().map(nation).transpose()?;
            store.gate_flags(n, !all).await?
        }
        FlagsCommand::Clear { id, note } => vec![store.clear_gate_flag(actor, id, &note).await?],
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&flags)?);
    } else if flags.is_empty() {
        println!("No flags.");
    } else {
        for f in &flags {
            println!(
                "F{:<5} {} {} {}{}",
                f.id,
                f.gate,
                f.case.map(|c| c.to_string()).unwrap_or_default(),
                f.flag,
                f.cleared_by
                    .as_deref()
                    .map(|who| format!("  [cleared by {who}: {}]", f.note.as_deref().unwrap_or("")))
                    .unwrap_or_default()
            );
        }
    }
    store.close().await;
    Ok(())
}

/// Writes the situation report (the same figures and layout as `GET /api/sitrep.pdf|csv`) and
/// records the download in the audit trail.
pub async fn sitrep(
    location: &Location,
    args: SitrepArgs,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let scope = args.nation.as_deref().map(nation).transpose()?;
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    let report =
        airbridge_web::sitrep::read_sitrep(&store, scope, airbridge_web::now(), actor).await?;
    let (bytes, format) = match args.format {
        SitrepFormat::Csv => (report.to_csv(), "csv"),
        SitrepFormat::Pdf => (
            airbridge_manifest::sitrep::sitrep_pdf(&report)
                .context("cannot lay out the situation report")?,
            "pdf",
        ),
    };
    let destination = args.output.display().to_string();
    std::fs::write(&args.output, &bytes).with_context(|| format!("cannot write {destination}"))?;
    airbridge_web::sitrep::record_download(&store, actor, scope, format, &destination, &report)
        .await?;
    store.close().await;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "output": destination,
                "format": format,
                "scope": report.scope,
                "generated_at": report.generated_at,
                "generated_by": report.generated_by,
                "total": report.total,
                "flights_flown": report.flights_flown.len(),
                "seats_used": report.seats_used,
                "issues": report.issues,
            })
        );
    } else {
        println!(
            "Situation report ({}) written to {destination}: {} registered, {} evacuated, {} flights flown.",
            report.scope,
            report.total.registered,
            report.total.evacuated,
            report.flights_flown.len()
        );
        for issue in &report.issues {
            eprintln!("note: {issue}");
        }
    }
    Ok(())
}
