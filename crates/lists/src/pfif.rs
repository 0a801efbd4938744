//! PFIF, the People Finder Interchange Format (versions 1.1 to 1.4): person records read into a
//! table that the ordinary column mapping understands, and a nation's people written out.
//!
//! PFIF carries less than Airbridge knows (no documents, phones or families), so an export to
//! PFIF is for exchanging with person-finder services, not a backup.

use crate::read::{ReadError, Row, Table};
use airbridge_domain::date::Precision;
use airbridge_domain::{Calendar, Person};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};
use std::io::Write;

/// The person fields read from PFIF, as table headers (the mapping knows them all).
const FIELDS: &[&str] = &[
    "person_record_id",
    "full_name",
    "given_name",
    "family_name",
    "alternate_names",
    "sex",
    "date_of_birth",
    "age",
    "description",
];

fn push_reference(text: &mut String, reference: &BytesRef<'_>) {
    if let Ok(Some(character)) = reference.resolve_char_ref() {
        text.push(character);
        return;
    }
    let name: &str = reference;
    text.push_str(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    });
}

/// Whether the bytes look like a PFIF document.
pub fn is_pfif(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(2048)];
    head.windows(14).any(|w| w == b"zesty.ca/pfif/")
}

/// Reads every `person` of a PFIF document into one table (notes are skipped).
pub fn read_pfif(bytes: &[u8]) -> Result<Table, ReadError> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().expand_empty_elements = true;
    let mut table = Table {
        sheet: None,
        header_line: 1,
        headers: FIELDS.iter().map(|f| f.to_string()).collect(),
        rows: Vec::new(),
        notes: vec!["PFIF person records".to_owned()],
    };
    let line_of = |offset: u64| {
        bytes[..(offset as usize).min(bytes.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    };
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<(usize, Vec<String>)> = None;
    let mut text = String::new();
    let mut buffer = Vec::new();
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|e| ReadError::Csv {
                line: line_of(reader.error_position()) as u64,
                message: format!("the PFIF XML is malformed: {e}"),
            })?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_owned();
                // A person directly under the root (notes nest their own person_record_id).
                if name == "person" && path.len() == 1 {
                    current = Some((line_of(position), vec![String::new(); FIELDS.len()]));
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(reference) => push_reference(&mut text, &reference),
            Event::End(_) => {
                let closed = path.pop().unwrap_or_default();
                if path.len() == 2
                    && path[1] == "person"
                    && let Some((_, cells)) = current.as_mut()
                    && let Some(index) = FIELDS.iter().position(|f| {
                        // PFIF 1.1 and 1.2 say first_name and last_name.
                        *f == match closed.as_str() {
                            "first_name" => "given_name",
                            "last_name" => "family_name",
                            other => other,
                        }
                    })
                {
                    // Multi-valued PFIF fields hold one value a line: keep the first as the value.
                    let value = text.trim();
                    cells[index] = match closed.as_str() {
                        "full_name" => value.lines().next().unwrap_or("").trim().to_owned(),
                        "alternate_names" => {
                            value.lines().map(str::trim).collect::<Vec<_>>().join("; ")
                        }
                        _ => value.to_owned(),
                    };
                }
                if closed == "person"
                    && path.len() == 1
                    && let Some((line, cells)) = current.take()
                {
                    table.rows.push(Row { line, cells });
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    if !path.is_empty() {
        return Err(ReadError::Csv {
            line: line_of(bytes.len() as u64) as u64,
            message: format!(
                "the PFIF document ends inside <{}>: it is truncated",
                path.join("/")
            ),
        });
    }
    Ok(table)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A person to write as PFIF.
pub struct PfifPerson<'a> {
    /// A record id unique to this registry, e.g. `airbridge.fr/P12`.
    pub record_id: String,
    pub person: &'a Person,
}

/// Writes PFIF 1.4 person records. Dates PFIF cannot hold (a Solar Hijri year spans two
/// Gregorian years) are given in the description instead, never guessed.
pub fn write_pfif(
    mut out: impl Write,
    stamp: &str,
    people: &[PfifPerson<'_>],
    entry_date: &str,
) -> std::io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<!-- {} -->", escape(stamp).replace("--", "- -"))?;
    writeln!(out, "<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">")?;
    for entry in people {
        let p = entry.person;
        writeln!(out, "  <pfif:person>")?;
        let field = |out: &mut dyn Write, name: &str, value: &str| -> std::io::Result<()> {
            if value.is_empty() {
                Ok(())
            } else {
                writeln!(out, "    <pfif:{name}>{}</pfif:{name}>", escape(value))
            }
        };
        field(&mut out, "person_record_id", &entry.record_id)?;
        field(&mut out, "entry_date", entry_date)?;
        field(&mut out, "source_name", "Airbridge")?;
        field(
            &mut out,
            "full_name",
            &p.name.own_name().unwrap_or_else(|| p.name.display()),
        )?;
        field(
            &mut out,
            "given_name",
            p.name.given.as_deref().unwrap_or(""),
        )?;
        field(
            &mut out,
            "family_name",
            p.name.family.as_deref().unwrap_or(""),
        )?;
        if matches!(
            p.sex,
            airbridge_domain::Sex::Female
                | airbridge_domain::Sex::Male
                | airbridge_domain::Sex::Other
        ) {
            field(&mut out, "sex", p.sex.as_str())?;
        }
        let mut description = Vec::new();
        if let Some(date) = p.birth_date {
            match (date.calendar(), date.precision()) {
                (Calendar::Gregorian, _) => field(&mut out, "date_of_birth", &date.to_string())?,
                (Calendar::SolarHijri, Precision::Day) => field(
                    &mut out,
                    "date_of_birth",
                    &date.gregorian_range().0.to_string(),
                )?,
                _ => description.push(format!("born {date}")),
            }
        }
        if let Some(father) = &p.name.father {
            description.push(format!("father: {father}"));
        }
        field(&mut out, "description", &description.join("; "))?;
        writeln!(out, "  </pfif:person>")?;
    }
    writeln!(out, "</pfif:pfif>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::{ColumnMapping, MappingFile};

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>example.org/person.1</pfif:person_record_id>
    <pfif:full_name>Zarmina Sadat
Zarmina S.</pfif:full_name>
    <pfif:given_name>Zarmina</pfif:given_name>
    <pfif:family_name>Sadat &amp; co</pfif:family_name>
    <pfif:sex>female</pfif:sex>
    <pfif:date_of_birth>1970-01</pfif:date_of_birth>
    <pfif:note>
      <pfif:person_record_id>example.org/person.1</pfif:person_record_id>
      <pfif:text>seen at the gate</pfif:text>
    </pfif:note>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>example.org/person.2</pfif:person_record_id>
    <pfif:full_name>Karim</pfif:full_name>
  </pfif:person>
</pfif:pfif>"#;

    #[test]
    fn reads_persons_and_maps_their_fields() {
        assert!(is_pfif(SAMPLE.as_bytes()));
        let table = read_pfif(SAMPLE.as_bytes()).unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].line, 3);
        let cell = |row: usize, field: &str| {
            table.rows[row].cells[FIELDS.iter().position(|f| *f == field).unwrap()].clone()
        };
        assert_eq!(cell(0, "full_name"), "Zarmina Sadat");
        assert_eq!(cell(0, "family_name"), "Sadat & co");
        assert_eq!(cell(0, "person_record_id"), "example.org/person.1");
        let mapping = ColumnMapping::detect(&table.headers, &MappingFile::default());
        assert!(
            mapping.unrecognised.is_empty(),
            "{:?}",
            mapping.unrecognised
        );
    }

    #[test]
    fn truncated_or_broken_documents_are_refused() {
        assert!(read_pfif(&SAMPLE.as_bytes()[..300]).is_err());
        assert!(read_pfif(b"<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\"><a></b>").is_err());
    }

    #[test]
    fn the_shared_samples_read() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pfif");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return; // shared/ is beside the repository in CI and on developers' machines
        };
        let mut read = 0;
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            if is_pfif(&bytes) && read_pfif(&bytes).is_ok_and(|t| !t.rows.is_empty()) {
                read += 1;
            }
        }
        assert!(read >= 5, "{read} PFIF samples read");
    }
}
