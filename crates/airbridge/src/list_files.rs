//! Opening sanctions list files: the one place that knows a list's format from its name or
//! first bytes, and that OFAC's `sdn.csv` comes with `alt.csv` (aliases) and `add.csv`
//! (addresses) in the same folder — OFAC publishes them together, and an SDN list without its
//! aliases would screen badly. `sanctions`, `screen` and `screening load` all read lists here.

use airbridge_sanctions::{ReadWarning, SanctionsList, read_ofac, read_un};
use anyhow::{Context, bail};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// The list formats `airbridge` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// UN Security Council Consolidated List, official XML.
    Un,
    /// OFAC SDN list, legacy CSV (sdn.csv, with alt.csv and add.csv beside it).
    Ofac,
}

/// Guesses a list's format from its name, then from its first bytes.
pub fn guess_format(path: &Path) -> anyhow::Result<ListFormat> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("xml") => return Ok(ListFormat::Un),
        Some("csv") => return Ok(ListFormat::Ofac),
        _ => {}
    }
    let mut start = [0u8; 64];
    let read = File::open(path)
        .and_then(|mut file| file.read(&mut start))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let start = String::from_utf8_lossy(&start[..read]);
    if start
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
    {
        Ok(ListFormat::Un)
    } else {
        bail!(
            "{}: cannot tell the list's format from its name; pass --format un or --format ofac",
            path.display()
        )
    }
}

/// Opens and reads a list. Warnings come back with it; a broken file is an error.
pub fn load(
    path: &Path,
    format: Option<ListFormat>,
) -> anyhow::Result<(SanctionsList, Vec<ReadWarning>)> {
    let format = match format {
        Some(format) => format,
        None => guess_format(path)?,
    };
    let open =
        |path: &Path| File::open(path).with_context(|| format!("cannot open {}", path.display()));
    let read = match format {
        ListFormat::Un => read_un(BufReader::new(open(path)?)),
        ListFormat::Ofac => {
            let mut sdn = BufReader::new(open(path)?);
            let companion = |name: &str| -> anyhow::Result<Option<BufReader<File>>> {
                let companion = path.with_file_name(name);
                if companion.is_file() {
                    Ok(Some(BufReader::new(open(&companion)?)))
                } else {
                    Ok(None)
                }
            };
            let mut alt = companion("alt.csv")?;
            let mut add = companion("add.csv")?;
            read_ofac(
                &mut sdn,
                alt.as_mut().map(|r| r as &mut dyn Read),
                add.as_mut().map(|r| r as &mut dyn Read),
            )
        }
    };
    read.with_context(|| format!("cannot read {}", path.display()))
}
