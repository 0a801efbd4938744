//! Writing lists out, safely: only the rows and columns asked for, a header that says who
//! exported what and when, and no cell that a spreadsheet would execute (CSV injection).

use airbridge_domain::Person;
use std::io::Write;

/// Who exported what, written at the top of the file.
#[derive(Debug, Clone)]
pub struct ExportStamp {
    pub by: String,
    pub at: String,
    pub nation: String,
    pub filter: String,
}

/// One person in an export, with the registry's bookkeeping.
#[derive(Debug, Clone)]
pub struct ExportRow<'a> {
    pub id: String,
    pub case: String,
    pub relation: String,
    pub status: String,
    pub person: &'a Person,
}

/// The columns of a CSV export; `airbridge import` reads them back (see `data/headers.tsv`).
pub const CSV_COLUMNS: &[&str] = &[
    "Row ID",
    "Family ID",
    "Relation",
    "Status",
    "Given name",
    "Family name",
    "Father name",
    "Grandfather name",
    "Full name",
    "Placeholder",
    "Sex",
    "Date of birth",
    "Place of birth",
    "Nationality",
    "Passport",
    "Tazkira",
    "E-tazkira",
    "Visa",
    "SIV case",
    "Phone",
    "Email",
    "Language",
    "Vulnerability",
];

/// Makes a cell inert: a leading `=`, `+`, `-`, `@`, tab or carriage return would make a
/// spreadsheet evaluate it, so such cells get a leading apostrophe, which spreadsheets hide.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn documents(person: &Person, kind: airbridge_domain::DocumentKind) -> String {
    person
        .documents
        .iter()
        .filter(|d| d.kind == kind)
        .map(|d| match d.issuing_country {
            Some(country) => format!("{} ({country})", d.as_written()),
            None => d.as_written().to_owned(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The stamp line: who exported what and when.
fn stamp_line(stamp: &ExportStamp, people: usize) -> String {
    format!(
        "# Airbridge export of {people} people of {} ({}) by {} at {}. Handle as sensitive personal data.",
        stamp.nation, stamp.filter, stamp.by, stamp.at
    )
}

/// The cells of one person, in the order of [`CSV_COLUMNS`], already neutralised.
fn record(row: &ExportRow<'_>) -> Vec<String> {
    use airbridge_domain::DocumentKind::*;
    let p = row.person;
    let join = |items: Vec<String>| items.join("; ");
    [
        row.id.clone(),
        row.case.clone(),
        row.relation.clone(),
        row.status.clone(),
        p.name.given.clone().unwrap_or_default(),
        p.name.family.clone().unwrap_or_default(),
        p.name.father.clone().unwrap_or_default(),
        p.name.grandfather.clone().unwrap_or_default(),
        p.name.full.clone().unwrap_or_default(),
        p.name.placeholder.clone().unwrap_or_default(),
        p.sex.as_str().to_owned(),
        p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        p.place_of_birth.clone().unwrap_or_default(),
        join(p.nationalities.iter().map(|n| n.to_string()).collect()),
        documents(p, Passport),
        documents(p, Tazkira),
        documents(p, ETazkira),
        documents(p, Visa),
        documents(p, SivCase),
        join(p.phones.iter().map(|x| x.to_string()).collect()),
        join(p.emails.iter().map(|x| x.as_str().to_owned()).collect()),
        join(p.languages.clone()),
        join(
            p.vulnerabilities
                .iter()
                .map(|v| v.as_str().to_owned())
                .collect(),
        ),
    ]
    .iter()
    .map(|cell| neutralise(cell))
    .collect()
}

/// Writes the rows as CSV (UTF-8 with BOM, so spreadsheets read Dari correctly).
pub fn write_csv(
    out: impl Write,
    stamp: &ExportStamp,
    rows: &[ExportRow<'_>],
) -> Result<(), csv::Error> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    writeln!(out, "{}", stamp_line(stamp, rows.len()))?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_COLUMNS)?;
    for row in rows {
        writer.write_record(record(row))?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes the rows as a new XLSX workbook: one visible sheet, the stamp in its first row, every
/// cell a plain string (never a formula), nothing hidden and nothing else in the file.
pub fn write_xlsx(
    stamp: &ExportStamp,
    rows: &[ExportRow<'_>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("People")?;
    sheet.write_string(0, 0, stamp_line(stamp, rows.len()))?;
    for (column, header) in CSV_COLUMNS.iter().enumerate() {
        sheet.write_string(1, column as u16, *header)?;
    }
    for (index, row) in rows.iter().enumerate() {
        for (column, cell) in record(row).iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(index as u32 + 2, column as u16, cell)?;
            }
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+93701234567"), "'+93701234567");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("Karim"), "Karim");
    }
}
