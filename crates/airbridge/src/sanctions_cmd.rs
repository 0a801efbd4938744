//! `airbridge sanctions …`: read a UN or OFAC sanctions list and summarise it, show one entry,
//! or compare two versions of a list.
//!
//! This is glue: files are opened here and handed to `airbridge_sanctions`, which does the
//! reading. For OFAC the user names `sdn.csv`; its companions `alt.csv` (aliases) and `add.csv`
//! (addresses) are picked up from the same folder when present, since OFAC publishes them
//! together and an SDN list without its aliases would screen badly.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::list_files::{ListFormat, load};
use crate::registry_screening::ScreeningCommand;
use airbridge_sanctions::{
    Entry, FieldChange, ListDiff, NameQuality, ReadWarning, SanctionsList, Script,
};
use anyhow::bail;
use serde_json::json;

/// The `sanctions` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SanctionsCommand {
    /// Summarise a list (entries by kind, programmes, warnings), or show one entry.
    Show {
        /// The UN consolidated list (XML) or OFAC's sdn.csv (alt.csv and add.csv are read from
        /// the same folder when present).
        file: PathBuf,
        /// The list's format; by default guessed from the file name and contents.
        #[arg(long, value_enum)]
        format: Option<ListFormat>,
        /// Show the entry with this reference (UN "TAi.155", OFAC ent_num "6635").
        #[arg(long)]
        reference: Option<String>,
    },
    /// Compare two versions of a list: entries added, removed and changed.
    Diff {
        /// The older version.
        old: PathBuf,
        /// The newer version.
        new: PathBuf,
        /// The lists' format; by default guessed from each file.
        #[arg(long, value_enum)]
        format: Option<ListFormat>,
    },
    /// Load a version of a list into the database, kept with its date and source, and screen
    /// everyone in the registry against it (as `airbridge screening load`).
    Load {
        /// The UN consolidated list (XML) or OFAC's sdn.csv (alt.csv and add.csv beside it).
        file: PathBuf,
        /// The list's format; by default guessed from the file name and contents.
        #[arg(long, value_enum)]
        format: Option<ListFormat>,
        /// Hits scoring below this are not raised to an officer.
        #[arg(long, default_value_t = crate::registry_screening::DEFAULT_THRESHOLD)]
        threshold: f64,
    },
}

impl SanctionsCommand {
    /// The screening command that does the same, for the subcommands that work on the
    /// registry's database rather than on files alone.
    pub fn on_database(self) -> Result<ScreeningCommand, SanctionsCommand> {
        match self {
            SanctionsCommand::Load {
                file,
                format,
                threshold,
            } => Ok(ScreeningCommand::Load {
                file,
                format,
                threshold,
            }),
            other => Err(other),
        }
    }
}

pub fn run(command: SanctionsCommand, json: bool) -> anyhow::Result<ExitCode> {
    let mut out = io::stdout().lock();
    match execute(command, json, &mut out) {
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

/// Runs a command, writing its report to `out`.
fn execute(command: SanctionsCommand, json: bool, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match command {
        SanctionsCommand::Show {
            file,
            format,
            reference: None,
        } => {
            let (list, warnings) = load(&file, format)?;
            if json {
                let summary = json!({
                    "file": file.display().to_string(),
                    "source": list.source,
                    "version_date": list.version_date,
                    "entries": list.entries.len(),
                    "counts": list.counts(),
                    "programs": program_counts(&list),
                    "warnings": warnings,
                });
                write_json(out, &summary)?;
            } else {
                write_summary(out, &file, &list, &warnings)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        SanctionsCommand::Show {
            file,
            format,
            reference: Some(reference),
        } => {
            let (list, _) = load(&file, format)?;
            let Some(entry) = list.entry(&reference) else {
                bail!(
                    "{}: no entry with reference '{reference}' (UN references look like \
                     'TAi.155', OFAC ones are numbers like '6635')",
                    file.display()
                );
            };
            if json {
                write_json(out, entry)?;
            } else {
                write_entry(out, entry)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        SanctionsCommand::Load { file, .. } => bail!(
            "{}: loading a list needs the registry's database (`airbridge sanctions load` \
             reaches it; this report cannot)",
            file.display()
        ),
        SanctionsCommand::Diff { old, new, format } => {
            let (old_list, _) = load(&old, format)?;
            let (new_list, _) = load(&new, format)?;
            if old_list.source != new_list.source {
                bail!(
                    "{} is a {} list and {} a {} list: compare two versions of the same list",
                    old.display(),
                    old_list.source.as_str(),
                    new.display(),
                    new_list.source.as_str()
                );
            }
            let changes = airbridge_sanctions::diff(&old_list, &new_list);
            if json {
                write_json(out, &diff_json(&old_list, &new_list, &changes))?;
            } else {
                write_diff(out, &old_list, &new_list, &changes)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes a value as pretty JSON and a newline. serde_json's error becomes an `io::Error` so
/// that a closed pipe is recognised in [`run`] like any other write.
fn write_json(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

/// Entries by programme, most first.
fn program_counts(list: &SanctionsList) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for program in list.entries.iter().flat_map(|e| &e.programs) {
        match counts.iter_mut().find(|(name, _)| name == program) {
            Some((_, count)) => *count += 1,
            None => counts.push((program.clone(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

fn list_label(list: &SanctionsList) -> String {
    let source = match list.source {
        airbridge_sanctions::ListSource::Un => "UN",
        airbridge_sanctions::ListSource::Ofac => "OFAC",
    };
    match &list.version_date {
        Some(date) => format!("{source} list of {date}"),
        None => format!("{source} list"),
    }
}

fn write_summary(
    out: &mut dyn Write,
    path: &Path,
    list: &SanctionsList,
    warnings: &[ReadWarning],
) -> io::Result<()> {
    let counts = list.counts();
    writeln!(
        out,
        "{}: {}, {} entries",
        path.display(),
        list_label(list),
        list.entries.len()
    )?;
    for (label, count) in [
        ("individuals", counts.individuals),
        ("entities", counts.entities),
        ("vessels", counts.vessels),
        ("aircraft", counts.aircraft),
    ] {
        if count > 0 {
            writeln!(out, "  {label:<12} {count:>6}")?;
        }
    }
    let names = list.entries.iter().flat_map(|e| &e.names);
    let (mut good, mut low, mut original) = (0, 0, 0);
    for name in names {
        match name.quality {
            NameQuality::Good => good += 1,
            NameQuality::Low => low += 1,
            NameQuality::Primary | NameQuality::Unknown => {}
        }
        if name.script == Script::Original {
            original += 1;
        }
    }
    writeln!(
        out,
        "  aliases: {good} good, {low} low quality; {original} names in original script"
    )?;
    let programs: Vec<String> = program_counts(list)
        .into_iter()
        .map(|(name, count)| format!("{name} {count}"))
        .collect();
    if !programs.is_empty() {
        writeln!(out, "  programmes: {}", programs.join(", "))?;
    }
    writeln!(out, "  warnings: {}", warnings.len())?;
    for warning in warnings.iter().take(20) {
        writeln!(out, "    {warning}")?;
    }
    if warnings.len() > 20 {
        writeln!(
            out,
            "    … and {} more (use --json for all)",
            warnings.len() - 20
        )?;
    }
    Ok(())
}

fn write_entry(out: &mut dyn Write, entry: &Entry) -> io::Result<()> {
    write!(out, "{}  {}", entry.reference, entry.kind.as_str())?;
    if !entry.programs.is_empty() {
        write!(out, "  {}", entry.programs.join(", "))?;
    }
    if let Some(listed_on) = &entry.listed_on {
        write!(out, "  listed {listed_on}")?;
    }
    writeln!(out)?;
    for name in &entry.names {
        let label = if name.quality == NameQuality::Primary {
            "name"
        } else {
            "alias"
        };
        let script = match name.script {
            Script::Latin => "",
            Script::Original => ", original script",
        };
        writeln!(
            out,
            "  {label:<12} {} ({}{script})",
            name.full,
            name.quality.as_str()
        )?;
    }
    for date in &entry.birth_dates {
        writeln!(out, "  {:<12} {date}", "born")?;
    }
    for nationality in &entry.nationalities {
        writeln!(out, "  {:<12} {nationality}", "nationality")?;
    }
    for document in &entry.documents {
        write!(
            out,
            "  {:<12} {} {}",
            "document", document.kind, document.number
        )?;
        if let Some(country) = &document.country {
            write!(out, " ({country})")?;
        }
        if let Some(note) = &document.note {
            write!(out, "; {note}")?;
        }
        writeln!(out)?;
    }
    for address in &entry.addresses {
        let text = match (&address.country, address.text.is_empty()) {
            (Some(country), true) => country.clone(),
            (Some(country), false) => format!("{}, {country}", address.text),
            (None, _) => address.text.clone(),
        };
        writeln!(out, "  {:<12} {text}", "address")?;
    }
    if let Some(comments) = &entry.comments {
        writeln!(
            out,
            "  {:<12} {}",
            "comments",
            comments.replace('\n', "\n               ")
        )?;
    }
    Ok(())
}

fn entry_label(entry: &Entry) -> String {
    let name = entry
        .primary_name()
        .map_or("(no name)", |n| n.full.as_str());
    format!("{}  {}  ({})", entry.reference, name, entry.kind.as_str())
}

fn write_diff(
    out: &mut dyn Write,
    old: &SanctionsList,
    new: &SanctionsList,
    changes: &ListDiff,
) -> io::Result<()> {
    writeln!(
        out,
        "{} → {}: {} added, {} removed, {} changed",
        list_label(old),
        list_label(new),
        changes.added.len(),
        changes.removed.len(),
        changes.changed.len()
    )?;
    for entry in &changes.added {
        writeln!(out, "+ {}", entry_label(entry))?;
    }
    for entry in &changes.removed {
        writeln!(out, "- {}", entry_label(entry))?;
    }
    for (reference, fields) in &changes.changed {
        let label = new
            .entry(reference)
            .map_or_else(|| reference.clone(), entry_label);
        writeln!(out, "~ {label}")?;
        for FieldChange {
            field,
            removed,
            added,
        } in fields
        {
            writeln!(out, "    {field}:")?;
            for value in removed {
                writeln!(out, "      - {}", one_line(value))?;
            }
            for value in added {
                writeln!(out, "      + {}", one_line(value))?;
            }
        }
    }
    Ok(())
}

/// Long comments shortened to one line for the human diff; `--json` gives them whole.
fn one_line(value: &str) -> String {
    let flat = value.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(160) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

fn diff_json(old: &SanctionsList, new: &SanctionsList, changes: &ListDiff) -> serde_json::Value {
    let version =
        |list: &SanctionsList| json!({ "source": list.source, "version_date": list.version_date });
    json!({
        "old": version(old),
        "new": version(new),
        "added": changes.added,
        "removed": changes.removed,
        "changed": changes
            .changed
            .iter()
            .map(|(reference, fields)| json!({ "reference": reference, "changes": fields }))
            .collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const UN_EXCERPT: &[u8] = include_bytes!("../../sanctions/tests/fixtures/un_excerpt.xml");
    const OFAC_SDN: &[u8] = include_bytes!("../../sanctions/tests/fixtures/ofac_excerpt_sdn.csv");
    const OFAC_ALT: &[u8] = include_bytes!("../../sanctions/tests/fixtures/ofac_excerpt_alt.csv");

    /// Writes files into a fresh folder and returns it.
    fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        dir
    }

    fn output(command: SanctionsCommand, json: bool) -> anyhow::Result<String> {
        let mut out = Vec::new();
        execute(command, json, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn show_summarises_a_un_list() {
        let dir = folder(&[("list.xml", UN_EXCERPT)]);
        let file = dir.path().join("list.xml");
        let text = output(
            SanctionsCommand::Show {
                file: file.clone(),
                format: None,
                reference: None,
            },
            false,
        )
        .unwrap();
        assert!(text.contains("UN list of 2026-05-08, 6 entries"), "{text}");
        assert!(text.contains("individuals       5"), "{text}");
        assert!(text.contains("warnings: 0"), "{text}");
        let json: serde_json::Value = serde_json::from_str(
            &output(
                SanctionsCommand::Show {
                    file,
                    format: Some(ListFormat::Un),
                    reference: None,
                },
                true,
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(json["counts"]["individuals"], 5);
        assert_eq!(json["version_date"], "2026-05-08");
    }

    #[test]
    fn show_one_entry() {
        let dir = folder(&[("list.xml", UN_EXCERPT)]);
        let show = |reference: &str, json| {
            output(
                SanctionsCommand::Show {
                    file: dir.path().join("list.xml"),
                    format: None,
                    reference: Some(reference.to_owned()),
                },
                json,
            )
        };
        let text = show("TAi.155", false).unwrap();
        assert!(
            text.starts_with("TAi.155  individual  Taliban  listed 2011-10-04"),
            "{text}"
        );
        assert!(
            text.contains("عبد العزيز عباسین (primary, original script)"),
            "{text}"
        );
        assert!(text.contains("born         1969"), "{text}");
        let json: serde_json::Value =
            serde_json::from_str(&show("TAi.155", true).unwrap()).unwrap();
        assert_eq!(json["reference"], "TAi.155");
        let missing = show("TAi.999", false).unwrap_err().to_string();
        assert!(
            missing.contains("no entry with reference 'TAi.999'"),
            "{missing}"
        );
    }

    #[test]
    fn ofac_companions_are_read_from_the_same_folder() {
        let dir = folder(&[("sdn.csv", OFAC_SDN), ("alt.csv", OFAC_ALT)]);
        let text = output(
            SanctionsCommand::Show {
                file: dir.path().join("sdn.csv"),
                format: None,
                reference: Some("12923".to_owned()),
            },
            false,
        )
        .unwrap();
        assert!(text.contains("alias"), "{text}");
        assert!(
            text.contains("document     Passport R512768 (Afghanistan)"),
            "{text}"
        );
    }

    #[test]
    fn diff_of_two_versions() {
        // The newer version drops TAe.012 and gives TAi.155 another alias.
        let text = String::from_utf8(UN_EXCERPT.to_vec()).unwrap();
        let entity_start = text.find("    <ENTITY>").unwrap();
        let entity_end = text.find("</ENTITY>\n").unwrap() + "</ENTITY>\n".len();
        let newer = format!("{}{}", &text[..entity_start], &text[entity_end..])
            .replace("Abdul Aziz Mahsud", "Abdul Aziz Mehsud");
        let dir = folder(&[("old.xml", UN_EXCERPT), ("new.xml", newer.as_bytes())]);
        let command = || SanctionsCommand::Diff {
            old: dir.path().join("old.xml"),
            new: dir.path().join("new.xml"),
            format: None,
        };
        let human = output(command(), false).unwrap();
        assert!(human.contains("0 added, 1 removed, 1 changed"), "{human}");
        assert!(
            human.contains("- TAe.012  HAQQANI NETWORK (HQN)  (entity)"),
            "{human}"
        );
        assert!(
            human.contains("      - Abdul Aziz Mahsud [good]"),
            "{human}"
        );
        assert!(
            human.contains("      + Abdul Aziz Mehsud [good]"),
            "{human}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&output(command(), true).unwrap()).unwrap();
        assert_eq!(json["removed"][0]["reference"], "TAe.012");
        assert_eq!(json["changed"][0]["reference"], "TAi.155");
        assert_eq!(json["changed"][0]["changes"][0]["field"], "names");
    }

    #[test]
    fn unreadable_input_says_which_file() {
        let dir = folder(&[
            ("list.xml", b"<CONSOLIDATED_LIST><INDIVIDUALS>"),
            ("list.txt", b"hello"),
        ]);
        let show = |name: &str| {
            output(
                SanctionsCommand::Show {
                    file: dir.path().join(name),
                    format: None,
                    reference: None,
                },
                false,
            )
            .unwrap_err()
        };
        let truncated = format!("{:#}", show("list.xml"));
        assert!(
            truncated.contains("list.xml") && truncated.contains("truncated"),
            "{truncated}"
        );
        let unknown = format!("{:#}", show("list.txt"));
        assert!(unknown.contains("--format"), "{unknown}");
    }
}
