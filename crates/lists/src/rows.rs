//! From a table's text rows to people, with an outcome and issues for every row.

use crate::mapping::{ColumnMapping, Field};
use crate::read::Table;
use crate::values::{self, ValueOptions};
use airbridge_domain::{
    Document, DocumentKind, Email, Person, PersonName, Phone, Relation, Sex, Vulnerability,
    person::parse_language,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row is kept; a value was left out or guessed, and the report says which.
    Warning,
    /// The row cannot become a person; it goes to quarantine with its raw content.
    Error,
}

/// One thing wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    pub severity: Severity,
    /// The column's header as written in the file, when the issue is about one cell.
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Accepted,
    AcceptedWithWarnings,
    Rejected,
}

/// A row read into a person (unless rejected), with everything needed to trace it back.
#[derive(Debug, Clone, Serialize)]
pub struct ParsedRow {
    pub sheet: Option<String>,
    pub line: usize,
    /// The person read from the row; [`crate::build_cases`] moves it into its case.
    pub person: Option<Person>,
    pub relation: Option<Relation>,
    pub family_id: Option<String>,
    pub row_id: Option<String>,
    pub issues: Vec<RowIssue>,
    /// The row as it was, (header, value) for every non-empty cell, kept for rejected rows (they
    /// go to the quarantine whole); accepted rows keep their person and `unread` cells.
    pub raw: Vec<(String, String)>,
    /// Cells of columns the mapping did not read (and notes): kept with the person, since a
    /// list's extra columns are the sender's and nothing may be silently dropped.
    pub unread: Vec<(String, String)>,
    /// SHA-256 of the raw row: the same row in a later import is recognised as unchanged.
    pub fingerprint: String,
}

impl ParsedRow {
    pub fn status(&self) -> RowStatus {
        // A row without a person always carries the error that says why.
        if self.issues.iter().any(|i| i.severity == Severity::Error) {
            RowStatus::Rejected
        } else if self.issues.is_empty() {
            RowStatus::Accepted
        } else {
            RowStatus::AcceptedWithWarnings
        }
    }

    fn warn(&mut self, column: &str, value: &str, message: impl Into<String>) {
        self.issues.push(RowIssue {
            severity: Severity::Warning,
            column: Some(column.to_owned()),
            value: Some(value.to_owned()),
            message: message.into(),
        });
    }
}

/// Cells that a spreadsheet would run as a formula. They are kept as text, never evaluated,
/// and flagged, because a list that carries them has been tampered with or mangled.
/// A leading + or - followed only by digits and the punctuation of phone numbers and dates
/// ("+93 70 123 4567", "-12") is data: with no letter, quote or bar a spreadsheet has nothing to
/// call. A lone "-" (a blank written out) is not a formula either.
fn looks_like_formula(value: &str) -> bool {
    let numeric = |rest: &str| {
        rest.starts_with(|c: char| c.is_ascii_digit())
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/' | '(' | ')'))
    };
    match value.chars().next() {
        Some('=' | '@') => true,
        Some('+' | '-') => value.len() > 1 && !numeric(&value[1..]),
        _ => false,
    }
}

/// The names engine, built once: parsing a full name needs its knowledge of titles, particles,
/// compounds and tribal names.
fn engine() -> &'static airbridge_names::NameEngine {
    static ENGINE: std::sync::OnceLock<airbridge_names::NameEngine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(airbridge_names::NameEngine::new)
}

/// Splits a name given as one string into parts when the names engine can tell them apart for
/// sure (see `NameEngine::split`: a father's name after s/o, bin, walad, "fils de"…, a tribal or
/// family name such as Ahmadzai, -khel or Kabuli, a family name in capitals). Otherwise the name
/// is kept whole: "Mohammad Hashem" may be a given name and a father's name, or two given names,
/// and guessing would mislead matching.
fn split_full_name(name: PersonName) -> PersonName {
    let Some(full) = name.full.as_deref() else {
        return name;
    };
    if name.given.is_some() || name.family.is_some() || name.father.is_some() {
        return name;
    }
    match engine().split(full) {
        Some(parts) => PersonName {
            given: Some(parts.given),
            family: parts.family,
            father: parts.father,
            full: None,
            ..name
        },
        None => name,
    }
}

/// A document number, with its issuing country when written after it as `P1234567 (AF)`.
fn document(kind: DocumentKind, text: &str) -> Result<Document, airbridge_domain::PersonError> {
    if let Some((number, rest)) = text.rsplit_once('(')
        && let Some(code) = rest.strip_suffix(')')
        && let Ok(issuer) = airbridge_domain::NationCode::parse(code)
    {
        return Document::new(kind, number.trim(), Some(issuer));
    }
    Document::new(kind, text, None)
}

/// Reads every row of a table.
pub fn parse_rows(
    table: &Table,
    mapping: &ColumnMapping,
    options: &ValueOptions,
) -> Vec<ParsedRow> {
    table
        .rows
        .iter()
        .map(|row| parse_row(table, mapping, options, row))
        .collect()
}

/// Reads a piece of a table's rows (`table` gives the headers; its own rows are not read), on
/// every core.
pub fn parse_chunk(
    table: &Table,
    rows: &[crate::read::Row],
    mapping: &ColumnMapping,
    options: &ValueOptions,
) -> Vec<ParsedRow> {
    use rayon::prelude::*;
    rows.par_iter()
        .with_min_len(256)
        .map(|row| parse_row(table, mapping, options, row))
        .collect()
}

/// The row's non-empty cells as (header, value), for the columns `wanted` keeps; cells beyond
/// the header row are always kept, named by their position.
fn cells_of(
    table: &Table,
    row: &crate::read::Row,
    wanted: impl Fn(usize) -> bool,
) -> Vec<(String, String)> {
    table
        .headers
        .iter()
        .enumerate()
        .filter(|(index, _)| wanted(*index))
        .filter_map(|(index, header)| {
            let value = row.cells.get(index).map(|v| v.trim()).unwrap_or("");
            (!value.is_empty()).then(|| (header.clone(), value.to_owned()))
        })
        .chain(
            row.cells
                .iter()
                .enumerate()
                .skip(table.headers.len())
                .filter(|(_, v)| !v.is_empty())
                .map(|(i, v)| (format!("column {}", i + 1), v.clone())),
        )
        .collect()
}

fn parse_row(
    table: &Table,
    mapping: &ColumnMapping,
    options: &ValueOptions,
    row: &crate::read::Row,
) -> ParsedRow {
    let raw = cells_of(table, row, |_| true);
    let mut hasher = Sha256::new();
    for (header, value) in &raw {
        hasher.update(header.as_bytes());
        hasher.update([0]);
        hasher.update(value.as_bytes());
        hasher.update([0]);
    }
    let fingerprint = hex::encode(hasher.finalize());
    let unread = cells_of(table, row, |index| {
        matches!(mapping.columns.get(index), Some(None | Some(Field::Notes)))
    });
    let mut parsed = ParsedRow {
        unread,
        sheet: table.sheet.clone(),
        line: row.line,
        person: None,
        relation: None,
        family_id: None,
        row_id: None,
        issues: Vec::new(),
        raw,
        fingerprint,
    };
    let mut person = Person::default();
    let mut name = PersonName::default();
    let mut document_kind: Option<DocumentKind> = None;
    let mut document_number: Option<(String, String)> = None;
    for (index, field) in mapping.columns.iter().enumerate() {
        let Some(field) = field else { continue };
        let value = row.cells.get(index).map(|v| v.trim()).unwrap_or("");
        // An apostrophe before =, +, -, @ is how exports neutralise formulas: read past it.
        let value = match value.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
            _ => value,
        };
        if value.is_empty() {
            continue;
        }
        let header = table.headers.get(index).map(String::as_str).unwrap_or("");
        if looks_like_formula(value) {
            parsed.warn(
                header,
                value,
                "looks like a spreadsheet formula; kept as plain text",
            );
        }
        let text = || Some(value.to_owned());
        match field {
            Field::Given => name.given = text(),
            Field::Family => name.family = text(),
            Field::Father => name.father = text(),
            Field::Grandfather => name.grandfather = text(),
            Field::FullName => name.full = text(),
            Field::Placeholder => name.placeholder = text(),
            Field::PlaceOfBirth => person.place_of_birth = text(),
            Field::FamilyId => parsed.family_id = text(),
            Field::RowId => parsed.row_id = text(),
            Field::Notes | Field::Ignore => {}
            Field::Sex => match Sex::parse(value) {
                Ok(sex) => person.sex = sex,
                Err(e) => parsed.warn(header, value, format!("{e}; left unknown")),
            },
            Field::BirthDate => match values::birth_date(value, options) {
                Ok(date) => {
                    person.birth_date = Some(date);
                    if airbridge_domain::digits::fold_digits(value).parse::<u32>().is_ok_and(|n| n <= 120) {
                        parsed.warn(header, value, format!("an age, recorded as born about {date} (±1 year)"));
                    }
                }
                Err(e) => parsed.warn(header, value, format!("{e}; birth date left empty")),
            },
            Field::Age => {
                if person.birth_date.is_none() {
                    match values::age(value, options.today) {
                        Ok(date) => {
                            person.birth_date = Some(date);
                            parsed.warn(header, value, format!("an age, recorded as born about {date} (±1 year)"));
                        }
                        Err(e) => parsed.warn(header, value, e),
                    }
                }
            }
            Field::Nationality => {
                for part in value.split([',', ';', '/']).filter(|p| !p.trim().is_empty()) {
                    match values::nationality(part) {
                        Ok(code) if !person.nationalities.contains(&code) => person.nationalities.push(code),
                        Ok(_) => {}
                        Err(e) => parsed.warn(header, part, e),
                    }
                }
            }
            Field::Passport | Field::Tazkira | Field::ETazkira | Field::Visa | Field::SivCase => {
                let kind = match field {
                    Field::Passport => DocumentKind::Passport,
                    Field::Tazkira => DocumentKind::Tazkira,
                    Field::ETazkira => DocumentKind::ETazkira,
                    Field::Visa => DocumentKind::Visa,
                    _ => DocumentKind::SivCase,
                };
                for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                    match document(kind, part) {
                        Ok(document) => person.documents.push(document),
                        Err(e) => parsed.warn(header, part, format!("{e}; document left out")),
                    }
                }
            }
            Field::DocumentKind => match DocumentKind::parse(value) {
                Ok(kind) => document_kind = Some(kind),
                Err(e) => parsed.warn(header, value, e.to_string()),
            },
            Field::DocumentNumber => document_number = Some((header.to_owned(), value.to_owned())),
            Field::Phone => {
                for part in value.split([',', ';', '/']).filter(|p| !p.trim().is_empty()) {
                    match Phone::parse(part, options.default_region) {
                        Ok(phone) => person.phones.push(phone),
                        Err(e) => parsed.warn(header, part, format!("{e}; phone left out")),
                    }
                }
            }
            Field::Email => match Email::parse(value) {
                Ok(email) => person.emails.push(email),
                Err(e) => parsed.warn(header, value, format!("{e}; e-mail left out")),
            },
            Field::Language => {
                for part in value.split([',', ';', '/', ' ']).filter(|p| !p.trim().is_empty()) {
                    match parse_language(part) {
                        Ok(code) => person.languages.push(code),
                        Err(e) => parsed.warn(header, part, e.to_string()),
                    }
                }
            }
            Field::Relation => match Relation::parse(value) {
                Some(relation) => parsed.relation = Some(relation),
                None => parsed.warn(header, value, format!(
                    "'{value}' is not a relation (wife, son, daughter, épouse, همسر, زوی, …); read as a relative"
                )),
            },
            Field::Vulnerability => {
                for part in value.split([',', ';', '/']).filter(|p| !p.trim().is_empty()) {
                    match Vulnerability::parse(part) {
                        Some(v) => person.vulnerabilities.push(v),
                        None => parsed.warn(header, part, "not a known vulnerability (medical, pregnancy, disability, elderly, unaccompanied_minor)"),
                    }
                }
            }
        }
    }
    if let Some((header, number)) = document_number {
        let kind = document_kind.unwrap_or(DocumentKind::Other);
        match document(kind, &number) {
            Ok(document) => person.documents.push(document),
            Err(e) => parsed.warn(&header, &number, format!("{e}; document left out")),
        }
    }
    // A row with a relation column that could not be read is still a relative.
    if parsed.relation.is_none()
        && parsed
            .issues
            .iter()
            .any(|i| i.message.contains("is not a relation"))
    {
        parsed.relation = Some(Relation::OtherRelative);
    }
    // Only a list that gives names as one string has its names split; a list with name-part
    // columns (an Airbridge export among them) said what it meant.
    let only_full_names = [Field::Given, Field::Family, Field::Father]
        .iter()
        .all(|f| mapping.column_of(*f).is_none());
    person.name = if only_full_names {
        split_full_name(name)
    } else {
        name
    };
    if person.name.is_unnamed() && person.name.placeholder.is_none() {
        match parsed.relation {
            Some(relation) if relation != Relation::Principal => {
                // An unnamed dependent ("wife", "child 3"): a person and a seat all the same.
                let label = parsed
                    .raw
                    .iter()
                    .find(|(h, _)| {
                        mapping
                            .column_of(Field::Relation)
                            .and_then(|c| table.headers.get(c))
                            == Some(h)
                    })
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| relation.as_str().to_owned());
                person.name = PersonName::unnamed(&label);
                parsed.issues.push(RowIssue {
                    severity: Severity::Warning,
                    column: None,
                    value: None,
                    message: format!("no name: registered as unnamed dependent '{label}'"),
                });
            }
            _ => {
                parsed.issues.push(RowIssue {
                    severity: Severity::Error,
                    column: None,
                    value: None,
                    message: "no name in any name column, and no relation saying it is an unnamed dependent; add a name, or a relation such as 'child'".to_owned(),
                });
                return parsed;
            }
        }
    }
    match person.validated() {
        Ok(person) => parsed.person = Some(person),
        Err(e) => parsed.issues.push(RowIssue {
            severity: Severity::Error,
            column: None,
            value: None,
            message: e.to_string(),
        }),
    }
    // An accepted row lives on as its person and its unread cells; only a rejected row needs
    // its raw cells (for the quarantine). Dropping them keeps large imports small.
    if parsed.status() != RowStatus::Rejected {
        parsed.raw = Vec::new();
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::MappingFile;
    use crate::read::read_table;
    use airbridge_domain::GregorianDate;

    pub(crate) fn options() -> ValueOptions {
        ValueOptions {
            calendar: None,
            month_first: false,
            default_region: None,
            today: GregorianDate::new(2021, 8, 20).unwrap(),
        }
    }

    fn rows(csv: &str) -> Vec<ParsedRow> {
        let table = read_table("t.csv", csv.as_bytes(), None).unwrap().remove(0);
        let mapping = ColumnMapping::detect(&table.headers, &MappingFile::default());
        parse_rows(&table, &mapping, &options())
    }

    #[test]
    fn a_messy_dari_english_list() {
        let parsed = rows(
            "نام,تخلص,نام پدر,تاریخ تولد,شماره تذکره,Phone,Relation,Family ID\n\
             محمد هاشم,احمدزی,عبدالرحمن,۱۳۶۵/۰۵/۱۲,1400-0101-12345,0701234567,principal,F1\n\
             ,,,1370,,,wife,F1\n\
             Fatima,,,1399-13-01,,12,daughter,F1\n\
             ,,,,,,,F2\n",
        );
        assert_eq!(parsed.len(), 4);
        assert_eq!(
            parsed[0].status(),
            RowStatus::Accepted,
            "{:?}",
            parsed[0].issues
        );
        let principal = parsed[0].person.as_ref().unwrap();
        assert_eq!(principal.birth_date.unwrap().to_string(), "1365-05-12 SH");
        assert_eq!(principal.phones[0].e164(), "+93701234567");
        assert_eq!(parsed[1].status(), RowStatus::AcceptedWithWarnings);
        assert_eq!(parsed[1].person.as_ref().unwrap().name.display(), "[wife]");
        assert_eq!(parsed[2].status(), RowStatus::AcceptedWithWarnings);
        let columns: Vec<_> = parsed[2]
            .issues
            .iter()
            .map(|i| i.column.clone().unwrap())
            .collect();
        assert_eq!(columns, ["تاریخ تولد", "Phone"]);
        assert_eq!(parsed[3].status(), RowStatus::Rejected);
        assert_eq!(parsed[3].raw, [("Family ID".to_owned(), "F2".to_owned())]);
    }

    #[test]
    fn full_names_are_split_only_when_the_parts_are_certain() {
        let parsed = rows(
            "Full name\nMohammad Hashem Ahmadzai s/o Abdul Rahman\nMohammad Hashem\nZarmina Sadat\n\
             RAHIMI Zahra\nZAHRA RAHIMI\n",
        );
        let name = |i: usize| parsed[i].person.as_ref().unwrap().name.clone();
        let first = name(0);
        assert_eq!(first.given.as_deref(), Some("Mohammad Hashem"));
        assert_eq!(first.family.as_deref(), Some("Ahmadzai"));
        assert_eq!(first.father.as_deref(), Some("Abdul Rahman"));
        assert_eq!(first.full, None);
        // No father or tribe marked: kept whole.
        assert_eq!(name(1).full.as_deref(), Some("Mohammad Hashem"));
        assert_eq!(name(1).given, None);
        assert_eq!(name(2).full.as_deref(), Some("Zarmina Sadat"));
        // A family name in capitals among words that are not (as UK lists write it).
        assert_eq!(name(3).given.as_deref(), Some("Zahra"));
        assert_eq!(name(3).family.as_deref(), Some("RAHIMI"));
        assert_eq!(name(4).full.as_deref(), Some("ZAHRA RAHIMI"));
        // A list with name-part columns keeps its full names as written.
        let parsed = rows("Given name,Full name\n,Mohammad Hashem Ahmadzai s/o Abdul Rahman\n");
        let name = parsed[0].person.as_ref().unwrap().name.clone();
        assert_eq!(
            name.full.as_deref(),
            Some("Mohammad Hashem Ahmadzai s/o Abdul Rahman")
        );
    }

    #[test]
    fn phone_numbers_and_signed_numbers_are_not_formulas() {
        for data in [
            "+93701234567",
            "+93 70 123 4567",
            "+1 (555) 010-2030",
            "-12",
            "-",
            "Karim",
        ] {
            assert!(!looks_like_formula(data), "{data}");
        }
        for formula in [
            "=1+1",
            "@SUM(A1)",
            "+HYPERLINK(\"http://x\")",
            "-1+cmd|' /C calc'!A0",
            "+93+cmd|x",
            "-x",
        ] {
            assert!(looks_like_formula(formula), "{formula}");
        }
    }

    #[test]
    fn formulas_are_flagged_and_fingerprints_follow_content() {
        let parsed = rows("Name,Notes\n=HYPERLINK(\"http://x\"),a\nKarim,b\nKarim,b\n");
        assert!(parsed[0].issues[0].message.contains("formula"));
        assert_eq!(parsed[1].unread, [("Notes".to_owned(), "b".to_owned())]);
        assert_eq!(
            parsed[0].person.as_ref().unwrap().name.display(),
            "=HYPERLINK(\"http://x\")"
        );
        assert_eq!(parsed[1].fingerprint, parsed[2].fingerprint);
        assert_ne!(parsed[0].fingerprint, parsed[1].fingerprint);
    }
}
