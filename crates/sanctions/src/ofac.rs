//! The reader for OFAC's SDN list in its legacy CSV form: `sdn.csv` (one row an entry),
//! `alt.csv` (aliases) and `add.csv` (addresses), joined on `ent_num`.
//!
//! The files have no header row, write `-0-` (padded: `-0- `) for an empty field and end with
//! a 0x1A (DOS end-of-file) byte. Much of what screening needs lives in the free-text remarks:
//! "DOB 1967; alt. DOB 1966; POB Kandahar, Afghanistan; nationality Afghanistan; Passport
//! OA123 (Afghanistan) issued 2019; a.k.a. 'ABU ALI'". The remarks are split at `;` and read
//! phrase by phrase; a phrase not understood is left in `comments` only. The `a.k.a.` names in
//! the remarks are OFAC's *weak* aliases (the strong ones are in `alt.csv`).
//!
//! Text is decoded as UTF-8 where valid and as Latin-1 otherwise: older OFAC files were not
//! UTF-8, and a screening list must not drop a name for one odd byte.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;

use crate::dates::ListedDate;
use crate::model::{
    Entry, EntryKind, ListSource, ListedAddress, ListedDocument, ListedName, NameQuality,
    SanctionsList, collapse_whitespace,
};
use crate::un::split_names;
use crate::{OfacFile, ReadError, ReadWarning};

/// Identity documents as OFAC's remarks name them, longest first where one begins another.
/// A phrase "KIND NUMBER (COUNTRY) more" becomes a document.
const DOCUMENT_KINDS: &[&str] = &[
    "Diplomatic Passport",
    "Passport",
    "National ID No.",
    "Cedula No.",
    "Identification Number",
    "Personal ID Card",
    "Tax ID No.",
    "C.U.R.P.",
    "R.F.C.",
    "D.N.I.",
    "Driver's License No.",
    "NIT #",
    "RUC #",
    "SSN",
    "Residency Number",
    "Birth Certificate Number",
    "Electoral Registry No.",
    "Vessel Registration Identification",
    "Registration Number",
    "Registration ID",
    "Company Number",
];

/// Reads OFAC's CSV trio. `alt` and `add` are optional: without them the entries have only
/// their primary names and the remarks.
pub fn read_ofac(
    sdn: &mut dyn Read,
    alt: Option<&mut dyn Read>,
    add: Option<&mut dyn Read>,
) -> Result<(SanctionsList, Vec<ReadWarning>), ReadError> {
    let mut warnings = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_reference: HashMap<String, usize> = HashMap::new();

    for_each_row(sdn, OfacFile::Sdn, |row_number, row| {
        let label = |reference: &str| match reference {
            "" => format!("sdn.csv row {row_number}"),
            reference => format!("OFAC {reference}"),
        };
        let reference = row.first().cloned().flatten().unwrap_or_default();
        if reference.parse::<u64>().is_err() {
            warnings.push(ReadWarning {
                record: label(""),
                message: format!("ent_num '{reference}' is not a number: row skipped"),
            });
            return;
        }
        if by_reference.contains_key(&reference) {
            warnings.push(ReadWarning {
                record: label(&reference),
                message: "ent_num already used by an earlier row: row skipped".to_owned(),
            });
            return;
        }
        let mut problems = Vec::new();
        if row.len() != 12 {
            problems.push(format!("{} fields where sdn.csv has 12", row.len()));
        }
        let field = |index: usize| row.get(index).cloned().flatten();
        let kind = match field(2).as_deref() {
            Some("individual") => EntryKind::Individual,
            Some("vessel") => EntryKind::Vessel,
            Some("aircraft") => EntryKind::Aircraft,
            None => EntryKind::Entity,
            Some(other) => {
                problems.push(format!("SDN_Type '{other}' unknown; read as an entity"));
                EntryKind::Entity
            }
        };
        let mut entry = Entry::new(reference.clone(), kind);
        match field(1) {
            Some(name) => entry
                .names
                .push(ofac_name(&name, NameQuality::Primary, kind)),
            None => problems.push("no SDN_Name".to_owned()),
        }
        if let Some(programs) = field(3) {
            entry.programs = programs
                .split("] [")
                .map(|p| p.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace()))
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(remarks) = field(11) {
            read_remarks(&remarks, &mut entry, &mut problems);
            entry.comments = Some(remarks);
        }
        for message in problems {
            warnings.push(ReadWarning {
                record: label(&reference),
                message,
            });
        }
        by_reference.insert(reference, entries.len());
        entries.push(entry);
    })?;

    if let Some(alt) = alt {
        for_each_row(alt, OfacFile::Alt, |row_number, row| {
            let Some(index) = owner(
                &row,
                &by_reference,
                OfacFile::Alt,
                row_number,
                &mut warnings,
            ) else {
                return;
            };
            let entry = &mut entries[index];
            match row.get(3).cloned().flatten() {
                // aka, fka and nka in alt.csv are all OFAC's strong aliases: a former name is
                // still a name the entry went by.
                Some(name) => entry
                    .names
                    .push(ofac_name(&name, NameQuality::Good, entry.kind)),
                None => warnings.push(ReadWarning {
                    record: format!("alt.csv row {row_number}"),
                    message: "no alt_name: row skipped".to_owned(),
                }),
            }
        })?;
    }

    if let Some(add) = add {
        for_each_row(add, OfacFile::Add, |row_number, row| {
            let Some(index) = owner(
                &row,
                &by_reference,
                OfacFile::Add,
                row_number,
                &mut warnings,
            ) else {
                return;
            };
            let field = |index: usize| row.get(index).cloned().flatten();
            let text = [field(2), field(3), field(5)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            let country = field(4);
            if !text.is_empty() || country.is_some() {
                entries[index]
                    .addresses
                    .push(ListedAddress { text, country });
            }
        })?;
    }

    // Primary first, then strong aliases, then the weak ones gathered from the remarks; the
    // sort is stable, so each group keeps the list's order.
    for entry in &mut entries {
        entry.names.sort_by_key(|name| match name.quality {
            NameQuality::Primary => 0,
            NameQuality::Good => 1,
            NameQuality::Unknown => 2,
            NameQuality::Low => 3,
        });
    }

    let list = SanctionsList {
        source: ListSource::Ofac,
        version_date: None,
        entries,
    };
    Ok((list, warnings))
}

/// The entry an `alt.csv` or `add.csv` row belongs to, or a warning when there is none.
fn owner(
    row: &[Option<String>],
    by_reference: &HashMap<String, usize>,
    file: OfacFile,
    row_number: u64,
    warnings: &mut Vec<ReadWarning>,
) -> Option<usize> {
    let reference = row.first().cloned().flatten().unwrap_or_default();
    let index = by_reference.get(&reference).copied();
    if index.is_none() {
        warnings.push(ReadWarning {
            record: format!("{file} row {row_number}"),
            message: format!("ent_num '{reference}' is not in sdn.csv: row skipped"),
        });
    }
    index
}

/// Calls `row` for each CSV row with its row number (from 1) and its fields (`None` for OFAC's `-0-`),
/// skipping the 0x1A end marker and blank lines.
fn for_each_row(
    input: &mut dyn Read,
    file: OfacFile,
    mut row: impl FnMut(u64, Vec<Option<String>>),
) -> Result<(), ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    // Rows are counted here rather than taken from csv's line positions: those lag by one after
    // a `\r\n` terminator, and OFAC files use `\r\n`. OFAC fields hold no line breaks, so the
    // row number is the line number.
    let mut row_number = 0;
    loop {
        row_number += 1;
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(error) => {
                return Err(ReadError::Csv {
                    file,
                    row: row_number,
                    message: error.to_string(),
                });
            }
        }
        let fields: Vec<Option<String>> = record.iter().map(clean_field).collect();
        if fields.iter().all(Option::is_none) {
            continue;
        }
        row(row_number, fields);
    }
}

/// A field's text, or `None` for OFAC's empty marker `-0-` and for blanks.
fn clean_field(bytes: &[u8]) -> Option<String> {
    let text: Cow<'_, str> = match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    };
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{1a}');
    (!text.is_empty() && text != "-0-").then(|| text.to_owned())
}

/// An OFAC name. Individuals are written "SURNAME, Given Names"; the parts are given in reading
/// order (given names, then surname) like the UN's FIRST_NAME … FOURTH_NAME.
fn ofac_name(text: &str, quality: NameQuality, kind: EntryKind) -> ListedName {
    let mut name = ListedName::whole(text, quality);
    if kind == EntryKind::Individual
        && let Some((surname, given)) = name.full.split_once(',')
    {
        let (surname, given) = (surname.trim(), given.trim());
        name.parts = [given, surname]
            .into_iter()
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect();
    }
    name
}

/// Reads the phrases of an OFAC remarks field into `entry`, noting phrases that look meant for
/// a field but cannot be read.
fn read_remarks(remarks: &str, entry: &mut Entry, problems: &mut Vec<String>) {
    for phrase in split_names(remarks) {
        let phrase = phrase.trim_end_matches('.').trim();
        let phrase = phrase.strip_prefix("alt. ").unwrap_or(phrase).trim();
        if let Some(date) = phrase.strip_prefix("DOB ") {
            match ListedDate::parse_ofac(date) {
                Ok(date) => {
                    if !entry.birth_dates.contains(&date) {
                        entry.birth_dates.push(date);
                    }
                }
                Err(error) => problems.push(format!("'{phrase}' unreadable: {error}")),
            }
        } else if let Some(country) = phrase
            .strip_prefix("nationality ")
            .or_else(|| phrase.strip_prefix("citizen "))
        {
            let country = collapse_whitespace(country);
            if !country.is_empty() && !entry.nationalities.contains(&country) {
                entry.nationalities.push(country);
            }
        } else if let Some(alias) = ["a.k.a. ", "f.k.a. ", "n.k.a. ", "d.b.a. "]
            .iter()
            .find_map(|prefix| phrase.strip_prefix(prefix))
        {
            let alias = alias.trim().trim_matches(|c| c == '\'' || c == '"');
            if !alias.is_empty() {
                entry
                    .names
                    .push(ofac_name(alias, NameQuality::Low, entry.kind));
            }
        } else if let Some(document) = read_document(phrase) {
            // A document mentioned again in prose adds nothing to screen on.
            let known = entry
                .documents
                .iter()
                .any(|d| d.kind == document.kind && d.number == document.number);
            if !known {
                entry.documents.push(document);
            }
        }
    }
}

/// "Passport OA123456 (Afghanistan) issued 01 Jan 2019 expires 01 Jan 2029" → a document.
///
/// The number runs until a word in lower case or a parenthesis: OFAC sometimes continues in
/// prose ("Passport OR801168 and Kuwaiti National ID No. … issued under the name …"), and the
/// number is what screening compares, so the prose goes to the note.
fn read_document(phrase: &str) -> Option<ListedDocument> {
    let (kind, rest) = DOCUMENT_KINDS.iter().find_map(|kind| {
        let rest = phrase.strip_prefix(kind)?.strip_prefix(' ')?;
        Some((*kind, rest.trim()))
    })?;
    let number_end = rest
        .char_indices()
        .filter(|&(index, _)| index == 0 || rest[..index].ends_with(' '))
        .find(|&(_, first)| first.is_lowercase() || first == '(')
        .map_or(rest.len(), |(index, _)| index);
    let number = collapse_whitespace(&rest[..number_end]);
    let after = rest[number_end..].trim();
    let (country, note) = match after.strip_prefix('(') {
        Some(inside) => match inside.split_once(')') {
            Some((country, note)) => (Some(country), note),
            None => (Some(inside), ""),
        },
        None => (None, after),
    };
    if number.is_empty() {
        return None;
    }
    Some(ListedDocument {
        kind: kind.to_owned(),
        number,
        country: country.map(collapse_whitespace).filter(|c| !c.is_empty()),
        note: Some(collapse_whitespace(note)).filter(|n| !n.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sdn: &str, alt: &str, add: &str) -> (SanctionsList, Vec<ReadWarning>) {
        read_ofac(
            &mut sdn.as_bytes(),
            Some(&mut alt.as_bytes()),
            Some(&mut add.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn remarks_become_fields() {
        let (list, warnings) = read(
            "6635,\"OMAR, Mohammed\",\"individual\",\"SDGT] [TALIBAN\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\
             \"DOB 1950; alt. DOB circa 1953; POB Hotak, Afghanistan; nationality Afghanistan; \
             Passport OA123 (Afghanistan) issued 2019; National ID No. 77; a.k.a. 'AMIR, Al'; DOB 31 Feb 1950.\"\r\n\x1a",
            "6635,1,\"aka\",\"OMAR, Mullah\",-0- \r\n9999,2,\"aka\",\"NOBODY\",-0- \r\n",
            "6635,3,-0- ,\"Kandahar\",\"Afghanistan\",-0- \r\n",
        );
        let entry = &list.entries[0];
        assert_eq!(entry.reference, "6635");
        assert_eq!(entry.kind, EntryKind::Individual);
        assert_eq!(entry.programs, ["SDGT", "TALIBAN"]);
        let names: Vec<(&str, NameQuality)> = entry
            .names
            .iter()
            .map(|n| (n.full.as_str(), n.quality))
            .collect();
        assert_eq!(
            names,
            [
                ("OMAR, Mohammed", NameQuality::Primary),
                ("OMAR, Mullah", NameQuality::Good),
                ("AMIR, Al", NameQuality::Low)
            ]
        );
        assert_eq!(entry.names[0].parts, ["Mohammed", "OMAR"]);
        let dates: Vec<String> = entry.birth_dates.iter().map(ToString::to_string).collect();
        assert_eq!(dates, ["1950", "circa 1953"]);
        assert_eq!(entry.nationalities, ["Afghanistan"]);
        assert_eq!(entry.documents.len(), 2);
        assert_eq!(entry.documents[0].number, "OA123");
        assert_eq!(entry.documents[0].country.as_deref(), Some("Afghanistan"));
        assert_eq!(entry.documents[0].note.as_deref(), Some("issued 2019"));
        assert_eq!(entry.documents[1].kind, "National ID No.");
        assert_eq!(entry.addresses[0].text, "Kandahar");
        let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(messages[0].starts_with("OFAC 6635: 'DOB 31 Feb 1950' unreadable"));
        assert!(
            messages[1].starts_with("alt.csv row 2: ent_num '9999'"),
            "{messages:#?}"
        );
    }

    #[test]
    fn odd_rows_are_warnings() {
        let mut sdn: &[u8] = b"x,\"A\"\n1,\"B\",\"ship\"\n1,\"C\"\n\xff,\n";
        let (list, warnings) = read_ofac(&mut sdn, None, None).unwrap();
        assert_eq!(list.entries.len(), 1);
        assert_eq!(list.entries[0].kind, EntryKind::Entity);
        assert_eq!(warnings.len(), 5, "{warnings:#?}");
    }

    #[test]
    fn documents_in_remarks() {
        let check = |phrase: &str, expected: Option<(&str, &str, Option<&str>, Option<&str>)>| {
            let document = read_document(phrase);
            let got = document.as_ref().map(|d| {
                (
                    d.kind.as_str(),
                    d.number.as_str(),
                    d.country.as_deref(),
                    d.note.as_deref(),
                )
            });
            assert_eq!(got, expected, "{phrase}");
        };
        check(
            "Passport OA123 (Afghanistan)",
            Some(("Passport", "OA123", Some("Afghanistan"), None)),
        );
        check(
            "Passport BN 4196361 (Pakistan) issued 2008",
            Some((
                "Passport",
                "BN 4196361",
                Some("Pakistan"),
                Some("issued 2008"),
            )),
        );
        check(
            "National ID No. 050 796 318 3954",
            Some(("National ID No.", "050 796 318 3954", None, None)),
        );
        check(
            "Passport OR801168 and Kuwaiti ID",
            Some(("Passport", "OR801168", None, Some("and Kuwaiti ID"))),
        );
        check(
            "Passport C234897(0) (United Kingdom)",
            Some(("Passport", "C234897(0)", Some("United Kingdom"), None)),
        );
        check("Passport (Afghanistan)", None);
        check("Passport (unclosed", None);
        check("Passports are nice", None);
        check("POB Kabul", None);
    }

    #[test]
    fn latin1_is_decoded() {
        let mut sdn: &[u8] = b"1,\"MU\xd1OZ, Jos\xe9\",\"individual\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let (list, _) = read_ofac(&mut sdn, None, None).unwrap();
        assert_eq!(list.entries[0].names[0].full, "MUÑOZ, José");
    }
}
