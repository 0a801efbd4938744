//! The reader for the UN Security Council Consolidated List in its official XML form
//! (`CONSOLIDATED_LIST` → `INDIVIDUALS`/`ENTITIES`, schema sc-sanctions.xsd).
//!
//! It streams with quick-xml: one record is held at a time, so memory follows the largest
//! record, not the file. Quirks of the real list handled here:
//! - an `ALIAS_NAME` may hold several names separated by `;`, as a lettered list ("a) … b) …"),
//!   or as an original-script name followed by its romanisations in parentheses;
//! - an alias `NOTE` may give the alias in original script ("name in original script: …");
//! - an alias may carry its own `DATE_OF_BIRTH` (an identity the person used);
//! - dates of birth come as `DATE`, `YEAR` or `FROM_YEAR`/`TO_YEAR`, qualified by
//!   `TYPE_OF_DATE`, and many elements are present but empty (`<ALIAS_NAME/>`, `<COUNTRY/>`);
//! - names carry stray spaces and line breaks (" GEDO ").

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

use crate::dates::{DateQualifier, ListedDate};
use crate::model::{
    Entry, EntryKind, ListSource, ListedAddress, ListedDocument, ListedName, NameQuality,
    SanctionsList, Script, collapse_whitespace,
};
use crate::{ReadError, ReadWarning};

/// Reads a UN consolidated list. Malformed records become warnings; a document that is not
/// well-formed XML, not a consolidated list, or truncated is an error.
pub fn read_un<R: BufRead>(input: R) -> Result<(SanctionsList, Vec<ReadWarning>), ReadError> {
    let mut reader = Reader::from_reader(input);
    // `<ALIAS_NAME/>` then reads like `<ALIAS_NAME></ALIAS_NAME>`: one code path for both.
    reader.config_mut().expand_empty_elements = true;
    let mut state = State::default();
    let mut buffer = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|e| ReadError::Xml {
                position: reader.error_position(),
                message: e.to_string(),
            })?;
        let position = reader.buffer_position();
        match event {
            Event::Start(start) => {
                let name = start.name().as_ref().to_owned();
                if state.path.is_empty() {
                    if name != "CONSOLIDATED_LIST" {
                        return Err(ReadError::NotUnList { found: name });
                    }
                    if let Ok(Some(generated)) = start.try_get_attribute("dateGenerated") {
                        state.read_version_date(&generated.value);
                    }
                }
                state.start(name, position);
            }
            Event::End(_) => state.end(),
            Event::Text(text) => state.text.push_str(&text.xml10_content()),
            Event::CData(data) => state.text.push_str(&data.xml10_content()),
            Event::GeneralRef(reference) => push_reference(&mut state.text, &reference),
            Event::Eof => break,
            Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::DocType(_) => {}
        }
        buffer.clear();
    }
    if let Some(element) = state.path.last() {
        return Err(ReadError::Truncated {
            position: reader.buffer_position(),
            element: element.clone(),
        });
    }
    if !state.seen_root {
        return Err(ReadError::NotUnList {
            found: String::new(),
        });
    }
    let list = SanctionsList {
        source: ListSource::Un,
        version_date: state.version_date,
        entries: state.entries,
    };
    Ok((list, state.warnings))
}

/// Appends an entity or character reference (`&amp;`, `&#1575;`) to the text being collected.
fn push_reference(text: &mut String, reference: &BytesRef<'_>) {
    if let Ok(Some(character)) = reference.resolve_char_ref() {
        text.push(character);
        return;
    }
    let name: &str = reference;
    match name {
        "amp" => text.push('&'),
        "lt" => text.push('<'),
        "gt" => text.push('>'),
        "quot" => text.push('"'),
        "apos" => text.push('\''),
        // The schema declares no other entity; keep an unknown one as written rather than lose it.
        other => {
            text.push('&');
            text.push_str(other);
            text.push(';');
        }
    }
}

/// Where the reader is and what it has collected so far.
#[derive(Default)]
struct State {
    /// Open elements, root first.
    path: Vec<String>,
    /// Text of the innermost element since it opened.
    text: String,
    seen_root: bool,
    version_date: Option<String>,
    record: Option<Record>,
    /// How many records have been opened, to name a record that has no reference.
    records_seen: usize,
    entries: Vec<Entry>,
    references: std::collections::HashSet<String>,
    warnings: Vec<ReadWarning>,
}

/// The record being read, with its sub-element in progress.
struct Record {
    entry: Entry,
    position: u64,
    ordinal: usize,
    name_parts: [String; 4],
    original_script: String,
    part: Option<Part>,
    warnings: Vec<String>,
}

/// A repeated sub-element of a record, collected until it closes.
enum Part {
    Alias(Fields),
    BirthDate(Fields),
    Document(Fields),
    Address(Fields),
}

/// The leaf values of a sub-element, by element name. Sub-elements have at most a handful.
#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }
}

impl State {
    fn read_version_date(&mut self, generated: &str) {
        let day = generated.get(..10).unwrap_or(generated);
        match ListedDate::gregorian(day) {
            Ok(date) if date.exact_gregorian().is_some() => {
                self.version_date = Some(day.to_owned());
            }
            _ => self.warnings.push(ReadWarning {
                record: "CONSOLIDATED_LIST".to_owned(),
                message: format!(
                    "dateGenerated '{generated}' is not a date; version date left empty"
                ),
            }),
        }
    }

    fn start(&mut self, name: String, position: u64) {
        self.text.clear();
        let depth = self.path.len();
        if depth == 0 {
            self.seen_root = true;
        }
        // CONSOLIDATED_LIST / INDIVIDUALS / INDIVIDUAL: a record opens at depth 2.
        if depth == 2 {
            let kind = match (self.path[1].as_str(), name.as_str()) {
                ("INDIVIDUALS", "INDIVIDUAL") => Some(EntryKind::Individual),
                ("ENTITIES", "ENTITY") => Some(EntryKind::Entity),
                _ => None,
            };
            if let Some(kind) = kind {
                self.records_seen += 1;
                self.record = Some(Record {
                    entry: Entry::new(String::new(), kind),
                    position,
                    ordinal: self.records_seen,
                    name_parts: Default::default(),
                    original_script: String::new(),
                    part: None,
                    warnings: Vec::new(),
                });
            }
        }
        if depth == 3
            && let Some(record) = self.record.as_mut()
        {
            record.part = match name.as_str() {
                "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => Some(Part::Alias(Fields::default())),
                "INDIVIDUAL_DATE_OF_BIRTH" => Some(Part::BirthDate(Fields::default())),
                "INDIVIDUAL_DOCUMENT" => Some(Part::Document(Fields::default())),
                "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" => Some(Part::Address(Fields::default())),
                _ => None,
            };
        }
        self.path.push(name);
    }

    fn end(&mut self) {
        let Some(name) = self.path.pop() else {
            return;
        };
        let text = std::mem::take(&mut self.text);
        let depth = self.path.len();
        let Some(record) = self.record.as_mut() else {
            return;
        };
        match depth {
            // A field of a sub-element, or a VALUE of a multi-valued field.
            4 => match (&mut record.part, self.path[3].as_str()) {
                (
                    Some(
                        Part::Alias(f) | Part::BirthDate(f) | Part::Document(f) | Part::Address(f),
                    ),
                    _,
                ) => {
                    f.0.push((name, text));
                }
                (None, "NATIONALITY") if name == "VALUE" => {
                    let nationality = collapse_whitespace(&text);
                    if !nationality.is_empty() {
                        record.entry.nationalities.push(nationality);
                    }
                }
                _ => {}
            },
            // A field of the record, or a sub-element closing.
            3 => match record.part.take() {
                Some(part) => record.finish_part(part),
                None => record.field(&name, &text),
            },
            // The record closing.
            2 => {
                if let Some(record) = self.record.take() {
                    self.finish_record(record);
                }
            }
            _ => {}
        }
    }

    fn finish_record(&mut self, record: Record) {
        let Record {
            mut entry,
            position,
            ordinal,
            name_parts,
            original_script,
            warnings,
            ..
        } = record;
        let label = if entry.reference.is_empty() {
            format!("{} #{ordinal} (byte {position})", entry.kind.as_str())
        } else {
            entry.reference.clone()
        };
        for message in warnings {
            self.warnings.push(ReadWarning {
                record: label.clone(),
                message,
            });
        }
        if entry.reference.is_empty() {
            self.warnings.push(ReadWarning {
                record: label,
                message: "no REFERENCE_NUMBER: record skipped".to_owned(),
            });
            return;
        }
        if !self.references.insert(entry.reference.clone()) {
            self.warnings.push(ReadWarning {
                record: label,
                message: "REFERENCE_NUMBER already used by an earlier record: record skipped"
                    .to_owned(),
            });
            return;
        }
        let parts: Vec<String> = name_parts
            .iter()
            .map(|part| collapse_whitespace(part))
            .filter(|part| !part.is_empty())
            .collect();
        let mut primary = Vec::new();
        if !parts.is_empty() {
            primary.push(ListedName {
                full: parts.join(" "),
                // An entity's name is one name: FIRST_NAME is just where the schema puts it.
                parts: if entry.kind == EntryKind::Individual {
                    parts
                } else {
                    Vec::new()
                },
                quality: NameQuality::Primary,
                script: Script::Latin,
            });
        } else {
            self.warnings.push(ReadWarning {
                record: label,
                message: "no primary name (FIRST_NAME … FOURTH_NAME empty)".to_owned(),
            });
        }
        let original = collapse_whitespace(&original_script);
        if !original.is_empty() {
            primary.push(ListedName {
                full: original,
                parts: Vec::new(),
                quality: NameQuality::Primary,
                script: Script::Original,
            });
        }
        entry.names.splice(0..0, primary);
        self.entries.push(entry);
    }
}

impl Record {
    fn field(&mut self, name: &str, text: &str) {
        let value = || {
            let value = collapse_whitespace(text);
            (!value.is_empty()).then_some(value)
        };
        match name {
            "FIRST_NAME" => self.name_parts[0] = text.to_owned(),
            "SECOND_NAME" => self.name_parts[1] = text.to_owned(),
            "THIRD_NAME" => self.name_parts[2] = text.to_owned(),
            "FOURTH_NAME" => self.name_parts[3] = text.to_owned(),
            "NAME_ORIGINAL_SCRIPT" => self.original_script = text.to_owned(),
            "REFERENCE_NUMBER" => self.entry.reference = collapse_whitespace(text),
            "UN_LIST_TYPE" => self.entry.programs.extend(value()),
            "LISTED_ON" => self.entry.listed_on = value(),
            // Comments keep their line breaks: they are read by people.
            "COMMENTS1" => {
                let comments = text.trim();
                self.entry.comments = (!comments.is_empty()).then(|| comments.to_owned());
            }
            _ => {}
        }
    }

    fn finish_part(&mut self, part: Part) {
        match part {
            Part::Alias(fields) => self.finish_alias(&fields),
            Part::BirthDate(fields) => self.finish_birth_date(&fields),
            Part::Document(fields) => {
                let number = collapse_whitespace(fields.get("NUMBER"));
                if number.is_empty() {
                    return;
                }
                let kind = collapse_whitespace(fields.get("TYPE_OF_DOCUMENT"));
                let detail = collapse_whitespace(fields.get("TYPE_OF_DOCUMENT2"));
                let kind = match (kind.is_empty(), detail.is_empty()) {
                    (_, true) => kind,
                    (true, false) => detail,
                    (false, false) => format!("{kind} ({detail})"),
                };
                let country = [
                    fields.get("ISSUING_COUNTRY"),
                    fields.get("COUNTRY_OF_ISSUE"),
                ]
                .into_iter()
                .map(collapse_whitespace)
                .find(|country| !country.is_empty());
                let mut note = Vec::new();
                let issued = collapse_whitespace(fields.get("DATE_OF_ISSUE"));
                if !issued.is_empty() {
                    note.push(format!("issued {issued}"));
                }
                let city = collapse_whitespace(fields.get("CITY_OF_ISSUE"));
                if !city.is_empty() {
                    note.push(format!("in {city}"));
                }
                let remark = collapse_whitespace(fields.get("NOTE"));
                if !remark.is_empty() {
                    note.push(remark);
                }
                self.entry.documents.push(ListedDocument {
                    kind,
                    number,
                    country,
                    note: (!note.is_empty()).then(|| note.join("; ")),
                });
            }
            Part::Address(fields) => {
                let text = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "NOTE"]
                    .into_iter()
                    .map(|name| collapse_whitespace(fields.get(name)))
                    .filter(|piece| !piece.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                let country = collapse_whitespace(fields.get("COUNTRY"));
                if text.is_empty() && country.is_empty() {
                    return;
                }
                self.entry.addresses.push(ListedAddress {
                    text,
                    country: (!country.is_empty()).then_some(country),
                });
            }
        }
    }

    fn finish_alias(&mut self, fields: &Fields) {
        let names = fields.get("ALIAS_NAME");
        if names.trim().is_empty() {
            // The list writes `<QUALITY/><ALIAS_NAME/>` for "no alias".
            return;
        }
        let quality = match fields.get("QUALITY").trim() {
            "Good" | "a.k.a." => NameQuality::Good,
            "Low" | "f.k.a." => NameQuality::Low,
            "" => NameQuality::Unknown,
            other => {
                self.warnings
                    .push(format!("alias quality '{other}' unknown; kept as unknown"));
                NameQuality::Unknown
            }
        };
        for name in split_alias_field(names) {
            self.entry.names.push(ListedName::whole(&name, quality));
        }
        let note = collapse_whitespace(fields.get("NOTE"));
        if let Some(original) = note.strip_prefix("name in original script:") {
            let original = original.trim();
            if !original.is_empty() {
                self.entry.names.push(ListedName::whole(original, quality));
            }
        }
        let born = fields.get("DATE_OF_BIRTH").trim();
        if !born.is_empty() {
            match ListedDate::gregorian(without_time_zone(born)) {
                Ok(date) => self.push_birth_date(ListedDate::single(DateQualifier::Exact, date)),
                Err(error) => self
                    .warnings
                    .push(format!("alias date of birth '{born}' unreadable: {error}")),
            }
        }
    }

    fn finish_birth_date(&mut self, fields: &Fields) {
        let date = fields.get("DATE").trim();
        let year = fields.get("YEAR").trim();
        let from_year = fields.get("FROM_YEAR").trim();
        let to_year = fields.get("TO_YEAR").trim();
        let type_of_date = fields.get("TYPE_OF_DATE").trim();
        if [date, year, from_year, to_year]
            .iter()
            .all(|v| v.is_empty())
        {
            // `<TYPE_OF_DATE/>` alone, or a type with no date: nothing is known.
            return;
        }
        let stated = match type_of_date {
            "EXACT" => Some(DateQualifier::Exact),
            "APPROXIMATELY" => Some(DateQualifier::Approximately),
            "BETWEEN" => Some(DateQualifier::Between),
            "" => None,
            other => {
                self.warnings.push(format!(
                    "TYPE_OF_DATE '{other}' unknown; read from the values"
                ));
                None
            }
        };
        let single = |value: Result<_, String>| {
            value.map(|d| ListedDate::single(stated.unwrap_or(DateQualifier::Exact), d))
        };
        let read = if !date.is_empty() {
            single(ListedDate::gregorian(without_time_zone(date)))
        } else if !year.is_empty() {
            single(ListedDate::year(year))
        } else {
            match (from_year.is_empty(), to_year.is_empty()) {
                (false, false) => ListedDate::year(from_year).and_then(|from| {
                    let to = ListedDate::year(to_year)?;
                    Ok(ListedDate::span(DateQualifier::Between, from, to))
                }),
                (false, true) => single(ListedDate::year(from_year)),
                _ => single(ListedDate::year(to_year)),
            }
        };
        match read {
            Ok(listed) => self.push_birth_date(listed),
            Err(error) => self
                .warnings
                .push(format!("date of birth unreadable: {error}")),
        }
    }

    fn push_birth_date(&mut self, date: ListedDate) {
        if !self.entry.birth_dates.contains(&date) {
            self.entry.birth_dates.push(date);
        }
    }
}

/// An `xs:date` without its time zone: older lists write "1960-01-01-05:00" (the zone of the
/// server that exported them), which says nothing about the day of birth.
fn without_time_zone(date: &str) -> &str {
    match (date.get(..10), date.get(10..)) {
        (Some(day), Some(zone))
            if zone == "Z"
                || (zone.len() == 6
                    && zone.starts_with(['+', '-'])
                    && zone[1..].bytes().all(|b| b.is_ascii_digit() || b == b':')) =>
        {
            day
        }
        _ => date,
    }
}

/// Splits a field that holds several phrases ("Abas Rashidi; Abbas Rashedi") at the `;` that
/// are outside parentheses: in "Passport 123 (issued in Kabul; expired)" the `;` is not a
/// separator.
pub fn split_names(field: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (index, character) in field.char_indices() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                names.push(&field[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    names.push(&field[start..]);
    names
        .into_iter()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect()
}

/// The names in a UN `ALIAS_NAME`, which may hold several, in three ways seen in the real list:
/// "Abas Rashidi; Abbas Rashedi", a lettered list "a) Mohammed Sabet; b) M. Javad Sabet", and an
/// original-script name with its romanisations in parentheses
/// "حاجى مالك نورزى (Hajji Malik Noorzai; Haji Malek Noorzai)". A single name with a
/// parenthesised remark ("Abdel Ilah Sabri (false identity …)") is left whole.
pub fn split_alias_field(field: &str) -> Vec<String> {
    // Lettered items ("b)") become separators; everything else is kept word for word.
    let words: Vec<&str> = field
        .split_whitespace()
        .map(|word| {
            let mut characters = word.chars();
            match (characters.next(), characters.next(), characters.next()) {
                (Some(letter), Some(')'), None) if letter.is_ascii_lowercase() => ";",
                _ => word,
            }
        })
        .collect();
    let joined = words.join(" ");
    let mut names = Vec::new();
    for piece in split_names(&joined) {
        let glossed = piece
            .strip_suffix(')')
            .and_then(|inner| inner.split_once(" ("))
            .filter(|(_, gloss)| gloss.contains(';') && !gloss.contains(['(', ')']));
        match glossed {
            Some((outer, gloss)) => {
                names.push(outer.trim().to_owned());
                names.extend(split_names(gloss).into_iter().map(str::to_owned));
            }
            None => names.push(piece.to_owned()),
        }
    }
    names.retain(|name| !name.is_empty());
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_dropped_from_dates() {
        assert_eq!(without_time_zone("1960-01-01-05:00"), "1960-01-01");
        assert_eq!(without_time_zone("1960-01-01Z"), "1960-01-01");
        assert_eq!(without_time_zone("1960-01-01"), "1960-01-01");
        assert_eq!(without_time_zone("1960-01-01 and"), "1960-01-01 and");
        assert_eq!(without_time_zone("١٩٦٠-٠١-٠١"), "١٩٦٠-٠١-٠١");
    }

    #[test]
    fn phrases_split_outside_parentheses() {
        let check =
            |field: &str, expected: &[&str]| assert_eq!(split_names(field), expected, "{field}");
        check("A; B", &["A", "B"]);
        check("A (b; c); D", &["A (b; c)", "D"]);
        check(" ; ;", &[]);
        check("A (b; c", &["A (b; c"]);
        check("A) ; B", &["A)", "B"]);
    }

    #[test]
    fn alias_fields_hold_several_names() {
        let check = |field: &str, expected: &[&str]| {
            assert_eq!(split_alias_field(field), expected, "{field}")
        };
        check(
            "Abas Rashidi; Abbas Rashedi; Abas Rashedi",
            &["Abas Rashidi", "Abbas Rashedi", "Abas Rashedi"],
        );
        check("Abdul Baqi", &["Abdul Baqi"]);
        check(
            "a) Mohammed Sabet; Mohammad Sabet b) M. Javad Kareemi Sabet",
            &["Mohammed Sabet", "Mohammad Sabet", "M. Javad Kareemi Sabet"],
        );
        check(
            "حاجى مالك نورزى (Hajji Malik Noorzai; Haji Malek Noorzai)",
            &[
                "حاجى مالك نورزى",
                "Hajji Malik Noorzai",
                "Haji Malek Noorzai",
            ],
        );
        check(
            "Abdel Ilah Sabri (false identity)",
            &["Abdel Ilah Sabri (false identity)"],
        );
        check("X (a (b; c))", &["X (a (b; c))"]);
        check(" b) ", &[]);
    }

    fn read(xml: &str) -> Result<(SanctionsList, Vec<ReadWarning>), ReadError> {
        read_un(xml.as_bytes())
    }

    #[test]
    fn structural_errors_say_where() {
        assert!(matches!(read(""), Err(ReadError::NotUnList { .. })));
        assert!(
            matches!(read("<OTHER/>"), Err(ReadError::NotUnList { found }) if found == "OTHER")
        );
        assert!(matches!(
            read("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>"),
            Err(ReadError::Truncated { element, .. }) if element == "INDIVIDUAL"
        ));
        assert!(matches!(
            read("<CONSOLIDATED_LIST><INDIVIDUALS></ENTITIES>"),
            Err(ReadError::Xml { .. })
        ));
    }

    #[test]
    fn records_without_reference_are_warnings() {
        let (list, warnings) = read(
            "<CONSOLIDATED_LIST dateGenerated='bad'><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME>\
             </INDIVIDUAL><INDIVIDUAL><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER>\
             <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>ODD</TYPE_OF_DATE><YEAR>19x9</YEAR>\
             </INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        )
        .unwrap();
        assert_eq!(list.entries.len(), 1);
        assert_eq!(list.version_date, None);
        let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 5, "{messages:#?}");
        assert!(
            messages[1].starts_with("individual #1 (byte "),
            "{messages:#?}"
        );
        assert!(messages.iter().any(|m| m.contains("TYPE_OF_DATE 'ODD'")));
        assert!(messages.iter().any(|m| m.contains("X.1: no primary name")));
    }

    #[test]
    fn entities_and_references_in_text() {
        let (list, warnings) = read(
            "<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>A &amp; B &#x41;</FIRST_NAME>\
             <REFERENCE_NUMBER>QDe.1</REFERENCE_NUMBER><ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY>\
             <ALIAS_NAME><![CDATA[C <D>]]></ALIAS_NAME></ENTITY_ALIAS></ENTITY></ENTITIES>\
             </CONSOLIDATED_LIST>",
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let entry = &list.entries[0];
        assert_eq!(entry.kind, EntryKind::Entity);
        assert_eq!(entry.names[0].full, "A & B A");
        assert!(entry.names[0].parts.is_empty());
        assert_eq!(entry.names[1].full, "C <D>");
        assert_eq!(entry.names[1].quality, NameQuality::Good);
    }
}
