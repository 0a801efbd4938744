//! Flight manifests for printing at the gate: families grouped, each person's name in Latin and
//! in the original script, nationality, document number and whether they take a seat.
//!
//! CSV for other tools; PDF laid out by typst with Noto Sans and Noto Naskh Arabic embedded
//! (`fonts/`, SIL Open Font License), so Dari and Pashto names are shaped and run right to left
//! on any machine. The data reaches typst as a JSON file, never spliced into markup, so no name
//! can change the layout.
//!
//! The situation report for allied coordination meetings is laid out the same way
//! ([`sitrep::sitrep_pdf`]).
//!
//! Pure: takes a [`Manifest`] or a report, returns bytes; reads no file and no clock.

mod pdf;
pub mod sitrep;

use serde::Serialize;

/// One flight's manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    pub flight_id: String,
    /// The operating nation.
    pub operator: String,
    pub destination: String,
    /// Departure in UTC, ISO 8601.
    pub departs_at: String,
    /// Evacuee seats on the aircraft.
    pub capacity: u32,
    /// Families (cases) in boarding order.
    pub families: Vec<Family>,
    /// Who printed this copy and when, printed on it (the web app's downloads); `None` for a
    /// manifest without one (the command line's).
    pub stamp: Option<Stamp>,
}

/// Who took a copy of a manifest, and when: a manifest names people and their documents, so
/// a copy found later says where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stamp {
    /// The actor as the audit trail names it (`user:amelie`).
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// A case: the people who board together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Family {
    pub case_id: String,
    /// The nation responsible for the case.
    pub nation: String,
    /// Seats the case takes (lap infants take none).
    pub seats: u32,
    /// Everyone in the case, lap infants included.
    pub people: u32,
    /// The members known by name; may be fewer than `people` when the list is incomplete.
    pub members: Vec<Passenger>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passenger {
    pub name_latin: String,
    /// The name in its own script (Arabic script for Dari and Pashto), empty when unknown.
    pub name_original: String,
    pub nationality: String,
    pub document: String,
    /// Under two, on an adult's lap: no seat.
    pub lap_infant: bool,
}

impl Manifest {
    pub fn seats_used(&self) -> u32 {
        self.families.iter().map(|f| f.seats).sum()
    }

    pub fn people(&self) -> u32 {
        self.families.iter().map(|f| f.people).sum()
    }
}

/// Why a PDF could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Typst refused the layout; a bug in the template, not in the data.
    #[error("typst could not lay out the document: {0}")]
    Layout(String),
    #[error("typst could not write the PDF: {0}")]
    Pdf(String),
}

/// The manifest as CSV: one line per person, families together, with the family's seats.
/// Cells that a spreadsheet would run as a formula are prefixed with `'`. A stamped manifest
/// starts with a `#` line saying who printed it and when, as the registry's exports do.
pub fn to_csv(manifest: &Manifest) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(stamp) = &manifest.stamp {
        // One line whatever the fields hold.
        let flat = |text: &str| text.replace(['\r', '\n'], " ");
        let line = format!(
            "# Airbridge manifest of flight {} printed by {} at {}. Handle as sensitive personal data.\n",
            flat(&manifest.flight_id),
            flat(&stamp.by),
            flat(&stamp.at)
        );
        out.extend_from_slice(line.as_bytes());
    }
    let mut writer = csv::Writer::from_writer(out);
    let header = [
        "flight_id",
        "case_id",
        "case_nation",
        "case_seats",
        "name_latin",
        "name_original",
        "nationality",
        "document",
        "seat",
    ];
    // Writing to a Vec cannot fail, and every record has the header's length.
    let _ = writer.write_record(header);
    for family in &manifest.families {
        let seats = family.seats.to_string();
        for person in &family.members {
            let row = [
                manifest.flight_id.as_str(),
                family.case_id.as_str(),
                family.nation.as_str(),
                seats.as_str(),
                person.name_latin.as_str(),
                person.name_original.as_str(),
                person.nationality.as_str(),
                person.document.as_str(),
                if person.lap_infant { "lap" } else { "seat" },
            ];
            let _ = writer.write_record(row.map(|cell| neutralise(cell).into_owned()));
        }
    }
    writer.into_inner().unwrap_or_default()
}

fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The manifest as a printable PDF (A4, families grouped, names in both scripts).
pub fn to_pdf(manifest: &Manifest) -> Result<Vec<u8>, ManifestError> {
    pdf::render(manifest)
}
