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

/// Writes the rows as CSV (UTF-8 with BOM, so spreadsheets read Dari correctly).
pub fn write_csv(
    out: impl Write,
    stamp: &ExportStamp,
    rows: &[ExportRow<'_>],
) -> Result<(), csv::Error> {
    use airbridge_domain::DocumentKind::*;
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    writeln!(
        out,
        "# Airbridge export of {} people of {} ({}) by {} at {}. Handle as sensitive personal data.",
        rows.len(),
        stamp.nation,
        stamp.filter,
        stamp.by,
        stamp.at
    )?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_COLUMNS)?;
    for row in rows {
        let p = row.person;
        let join = |items: Vec<String>| items.join("; ");
        let record = [
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
        ];
        writer.write_record(record.iter().map(|c| neutralise(c)))?;
    }
    writer.flush()?;
    Ok(())
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
