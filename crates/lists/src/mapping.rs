//! Which column holds what: headers recognised in English, French, Dari and Pashto, overridable
//! by a mapping file.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// What a column means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Given,
    Family,
    Father,
    Grandfather,
    FullName,
    /// For an unnamed dependent: "wife of …", "child 3".
    Placeholder,
    Sex,
    BirthDate,
    Age,
    PlaceOfBirth,
    Nationality,
    Passport,
    Tazkira,
    ETazkira,
    Visa,
    SivCase,
    DocumentNumber,
    DocumentKind,
    Phone,
    Email,
    Language,
    Relation,
    FamilyId,
    RowId,
    Vulnerability,
    Notes,
    /// A column to leave out on purpose.
    Ignore,
}

impl Field {
    pub fn parse(text: &str) -> Option<Field> {
        serde::Deserialize::deserialize(
            serde::de::value::StrDeserializer::<serde::de::value::Error>::new(text.trim()),
        )
        .ok()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Given => "given",
            Field::Family => "family",
            Field::Father => "father",
            Field::Grandfather => "grandfather",
            Field::FullName => "full_name",
            Field::Placeholder => "placeholder",
            Field::Sex => "sex",
            Field::BirthDate => "birth_date",
            Field::Age => "age",
            Field::PlaceOfBirth => "place_of_birth",
            Field::Nationality => "nationality",
            Field::Passport => "passport",
            Field::Tazkira => "tazkira",
            Field::ETazkira => "e_tazkira",
            Field::Visa => "visa",
            Field::SivCase => "siv_case",
            Field::DocumentNumber => "document_number",
            Field::DocumentKind => "document_kind",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Language => "language",
            Field::Relation => "relation",
            Field::FamilyId => "family_id",
            Field::RowId => "row_id",
            Field::Vulnerability => "vulnerability",
            Field::Notes => "notes",
            Field::Ignore => "ignore",
        }
    }
}

const HEADERS: &str = include_str!("../data/headers.tsv");

/// Folds a header for comparison: lower case, Arabic letters to their Persian forms, no
/// diacritics-like marks (ZWNJ, tatweel), punctuation as spaces, single spaces.
pub fn fold_header(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            'ة' => 'ه',
            '\u{200c}' | '\u{200d}' | '\u{0640}' => ' ',
            '_' | '-' | '.' | ':' | '(' | ')' | '[' | ']' | '*' => ' ',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The built-in header synonyms, folded, read from `data/headers.tsv` once.
fn synonyms() -> &'static BTreeMap<String, Field> {
    static SYNONYMS: LazyLock<BTreeMap<String, Field>> = LazyLock::new(read_synonyms);
    &SYNONYMS
}

fn read_synonyms() -> BTreeMap<String, Field> {
    let mut table = BTreeMap::new();
    for line in HEADERS.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let Some((field, words)) = line.split_once('\t') else {
            continue;
        };
        let Some(field) = Field::parse(field) else {
            continue;
        };
        for word in words.split('|') {
            // The first field listed for a synonym wins (the table is ordered on purpose).
            table.entry(fold_header(word)).or_insert(field);
        }
    }
    table
}

/// The field a header names: the whole header, else the first part that is a known header when
/// it is written in two languages ("شماره خانواده / Family ID", "Nom (نام)", "Phone | تلفن").
fn recognise(
    table: &BTreeMap<String, Field>,
    overrides: &BTreeMap<String, Field>,
    header: &str,
) -> Option<Field> {
    let lookup = |folded: &str| overrides.get(folded).or_else(|| table.get(folded)).copied();
    lookup(&fold_header(header)).or_else(|| {
        let parts: Vec<String> = header
            .split(['/', '|', '\n', '(', ')', '،'])
            .map(fold_header)
            .filter(|part| !part.is_empty())
            .collect();
        if parts.len() < 2 {
            return None;
        }
        parts.iter().find_map(|part| lookup(part))
    })
}

/// True for a row above the header that is a title, not the header: one cell written ("Embassy
/// evacuation list — 20 August 2021", often merged across the sheet) that is not a known header.
/// A header row of one column the mapping file names is taken for a title; such lists are rare,
/// and the report shows the title it skipped.
pub fn is_title_row(cells: &[String]) -> bool {
    let mut written = cells.iter().filter(|c| !c.trim().is_empty());
    match (written.next(), written.next()) {
        (Some(cell), None) => recognise(synonyms(), &BTreeMap::new(), cell).is_none(),
        _ => false,
    }
}

/// A mapping file (TOML), for lists whose headers are not recognised:
///
/// ```toml
/// calendar = "solar_hijri"      # how to read dates whose calendar cannot be told
/// date_order = "dmy"            # or "mdy" for 03/08/1986 written month first
/// default_region = "AF"         # for phone numbers without a country code
/// [columns]
/// "Nom complet" = "full_name"
/// "Col7" = "ignore"
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    #[serde(default)]
    pub calendar: Option<String>,
    #[serde(default)]
    pub date_order: Option<String>,
    #[serde(default)]
    pub default_region: Option<String>,
    #[serde(default)]
    pub columns: BTreeMap<String, Field>,
}

impl MappingFile {
    pub fn parse(text: &str) -> Result<MappingFile, String> {
        toml::from_str(text).map_err(|e| format!("mapping file: {e}"))
    }
}

/// Which field each column of a table holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    /// Per column: the field, or `None` for a column not recognised (kept in the raw row).
    pub columns: Vec<Option<Field>>,
    /// Headers that were not recognised, for the report.
    pub unrecognised: Vec<String>,
}

impl ColumnMapping {
    /// Maps headers by the built-in synonyms, then the mapping file's columns (which win).
    pub fn detect(headers: &[String], file: &MappingFile) -> ColumnMapping {
        let table = synonyms();
        let overrides: BTreeMap<String, Field> = file
            .columns
            .iter()
            .map(|(header, field)| (fold_header(header), *field))
            .collect();
        let mut columns: Vec<Option<Field>> = headers
            .iter()
            .map(|h| recognise(table, &overrides, h))
            .collect();
        // A lone "Name" column is the whole name; beside a family-name column it is the given name.
        let has_family = columns.contains(&Some(Field::Family));
        for (index, header) in headers.iter().enumerate() {
            if fold_header(header) == "name" && !overrides.contains_key("name") {
                columns[index] = Some(if has_family {
                    Field::Given
                } else {
                    Field::FullName
                });
            }
        }
        // The same field twice: keep the first, report the rest.
        let mut seen = Vec::new();
        for column in columns.iter_mut() {
            if let Some(field) = column {
                if seen.contains(field) && *field != Field::Ignore && *field != Field::Notes {
                    *column = None;
                } else {
                    seen.push(*field);
                }
            }
        }
        let unrecognised = headers
            .iter()
            .zip(&columns)
            .filter(|(_, field)| field.is_none())
            .map(|(header, _)| header.clone())
            .collect();
        ColumnMapping {
            columns,
            unrecognised,
        }
    }

    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(field))
    }

    /// Whether the table can give people a name at all.
    pub fn has_names(&self) -> bool {
        [Field::Given, Field::Family, Field::FullName]
            .iter()
            .any(|f| self.column_of(*f).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(headers: &[&str]) -> Vec<Option<Field>> {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        ColumnMapping::detect(&headers, &MappingFile::default()).columns
    }

    #[test]
    fn headers_written_in_two_languages() {
        use Field::*;
        assert_eq!(
            detect(&[
                "شماره خانواده / Family ID",
                "Nom (نام)",
                "Phone | تلفن",
                "تاریخ تولد\nDate of birth",
                "Notes / something else",
                "Unknown / نامعلوم",
                "s/o",
            ]),
            [
                Some(FamilyId),
                Some(Family),
                Some(Phone),
                Some(BirthDate),
                Some(Notes),
                None,
                Some(Father)
            ]
        );
    }

    #[test]
    fn headers_in_four_languages() {
        use Field::*;
        assert_eq!(
            detect(&[
                "First Name",
                "Surname",
                "Father Name",
                "DOB",
                "Passport No."
            ]),
            [
                Some(Given),
                Some(Family),
                Some(Father),
                Some(BirthDate),
                Some(Passport)
            ]
        );
        assert_eq!(
            detect(&[
                "Prénom",
                "Nom",
                "Nom du père",
                "Date de naissance",
                "Téléphone"
            ]),
            [
                Some(Given),
                Some(Family),
                Some(Father),
                Some(BirthDate),
                Some(Phone)
            ]
        );
        assert_eq!(
            detect(&["نام", "تخلص", "نام پدر", "تاریخ تولد", "شماره تذکره"]),
            [
                Some(Given),
                Some(Family),
                Some(Father),
                Some(BirthDate),
                Some(Tazkira)
            ]
        );
        assert_eq!(
            detect(&["نوم", "د پلار نوم", "د زیږیدو نیټه", "جنس"]),
            [Some(Given), Some(Father), Some(BirthDate), Some(Sex)]
        );
        // Arabic yeh and kaf in a Dari header still match.
        assert_eq!(detect(&["تاريخ تولد"]), [Some(BirthDate)]);
        assert_eq!(detect(&["Name", "DOB"]), [Some(FullName), Some(BirthDate)]);
        assert_eq!(detect(&["Name", "Surname"]), [Some(Given), Some(Family)]);
        assert_eq!(detect(&["Favourite colour"]), [None]);
    }

    #[test]
    fn mapping_file_overrides() {
        let file = MappingFile::parse(
            "calendar = \"solar_hijri\"\n[columns]\n\"Col A\" = \"full_name\"\n\"Nom\" = \"ignore\"\n",
        )
        .unwrap();
        let headers = vec!["Col A".to_owned(), "Nom".to_owned()];
        let mapping = ColumnMapping::detect(&headers, &file);
        assert_eq!(
            mapping.columns,
            [Some(Field::FullName), Some(Field::Ignore)]
        );
        assert!(MappingFile::parse("[columns]\n\"x\" = \"shoe_size\"\n").is_err());
        assert!(MappingFile::parse("colour = 1\n").is_err());
    }
}
