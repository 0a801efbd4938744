//! The record the engine compares, and how table columns become records.
//!
//! A record is what one list says about one person: names split as that list split them, a
//! birth date in the calendar it was written in, documents, phones, and free text fields
//! (address parts, postcode, social-security number) that benchmark sets and some NGO lists
//! carry. Reading a table is the caller's business (the engine does no I/O); this module only
//! maps a header row and a row of cells onto a record, reporting unreadable cells as values.

use airbridge_domain::{Calendar, DateError, Document, PartialDate, Person, Phone, Relation, Sex};

use crate::error::DedupError;

/// A field a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    RecordId,
    Given,
    Family,
    Father,
    Grandfather,
    Full,
    Sex,
    BirthDate,
    PlaceOfBirth,
    /// Any identity document number (passport, tazkira, national id).
    Document,
    SocSecId,
    Phone,
    Postcode,
    StreetNumber,
    Address1,
    Address2,
    Suburb,
    State,
    /// An e-mail address (compared without case).
    Email,
    /// What the person does (interpreter, judge, journalist…), compared as text.
    Occupation,
    /// The family case a record belongs to on its list: records of one case are different
    /// people (nobody is twice in their own family).
    Case,
    /// The record's relation to the case's principal (principal, spouse, child 3, …).
    Relation,
}

impl Field {
    /// Reads a header (or a `--map` target) as a field; `None` for columns the engine ignores.
    pub fn from_header(header: &str) -> Option<Field> {
        let word = header.trim().to_lowercase().replace([' ', '-'], "_");
        Some(match word.as_str() {
            "record_id" | "rec_id" | "id" => Field::RecordId,
            "given_name" | "given" | "first_name" => Field::Given,
            "family_name" | "surname" | "last_name" => Field::Family,
            "father_name" | "fathers_name" | "father" => Field::Father,
            "grandfather_name" | "grandfather" => Field::Grandfather,
            "full_name" | "name" => Field::Full,
            "sex" | "gender" => Field::Sex,
            "dob" | "date_of_birth" | "birth_date" => Field::BirthDate,
            "place_of_birth" | "birth_place" => Field::PlaceOfBirth,
            "passport" | "tazkira" | "document" | "national_id" | "e_tazkira" => Field::Document,
            "soc_sec_id" | "ssn" => Field::SocSecId,
            "phone" | "telephone" | "mobile" => Field::Phone,
            "postcode" | "zip" | "postal_code" => Field::Postcode,
            "street_number" => Field::StreetNumber,
            "address_1" | "address" => Field::Address1,
            "address_2" => Field::Address2,
            "suburb" | "city" | "town" => Field::Suburb,
            "state" | "province" => Field::State,
            "email" | "e_mail" | "email_address" | "mail" => Field::Email,
            "occupation" | "profession" | "job" => Field::Occupation,
            "case_id" | "case" | "family_id" | "household_id" | "case_reference" => Field::Case,
            "relation" | "relationship" | "relation_to_principal" => Field::Relation,
            _ => return None,
        })
    }
}

/// One person as one list records them. Empty strings never appear: absent is `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub id: String,
    pub given: Option<String>,
    pub family: Option<String>,
    pub father: Option<String>,
    pub grandfather: Option<String>,
    /// A name given as one string (used when the list does not split names).
    pub full: Option<String>,
    pub sex: Sex,
    pub birth_date: Option<PartialDate>,
    /// The birth date as written when it could not be read as a date (a typo such as month
    /// 13): still compared as text, since two copies of one typo are strong evidence.
    pub birth_date_text: Option<String>,
    pub place_of_birth: Option<String>,
    /// Normalised document numbers (see [`Document::normalise_number`]).
    pub documents: Vec<String>,
    pub phones: Vec<Phone>,
    /// Phone numbers that are not valid E.164 numbers, as digits only.
    pub phone_digits: Vec<String>,
    pub soc_sec_id: Option<String>,
    pub postcode: Option<String>,
    pub street_number: Option<String>,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub suburb: Option<String>,
    pub state: Option<String>,
    /// Lower case.
    pub email: Option<String>,
    pub occupation: Option<String>,
    /// The family case the record belongs to on its list (see [`Field::Case`]); records of
    /// one case are never clustered together.
    pub case: Option<String>,
    /// Relation to the case's principal, when the list says it.
    pub relation: Option<Relation>,
}

fn present(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

impl Record {
    /// A record for a registered person (the registry's own shape).
    pub fn from_person(id: &str, person: &Person) -> Record {
        let name = &person.name;
        Record {
            id: id.to_owned(),
            given: name.given.as_deref().and_then(present),
            family: name.family.as_deref().and_then(present),
            father: name.father.as_deref().and_then(present),
            grandfather: name.grandfather.as_deref().and_then(present),
            full: name.full.as_deref().and_then(present),
            sex: person.sex,
            birth_date: person.birth_date,
            place_of_birth: person.place_of_birth.as_deref().and_then(present),
            documents: person
                .documents
                .iter()
                .map(|d| d.number().to_owned())
                .collect(),
            phones: person.phones.clone(),
            email: person.emails.first().map(|e| e.as_str().to_lowercase()),
            ..Record::default()
        }
    }

    /// Sets one field from a cell; returns a message when the cell could not be read (the
    /// field is then kept as text where that still helps, or left empty).
    pub fn set(&mut self, field: Field, cell: &str) -> Option<String> {
        // An empty cell is simply absent: nothing to set, nothing to report.
        let value = present(cell)?;
        let append = |slot: &mut Option<String>, value: String| match slot {
            Some(existing) => {
                existing.push(' ');
                existing.push_str(&value);
            }
            None => *slot = Some(value),
        };
        match field {
            Field::RecordId => self.id = value,
            Field::Given => append(&mut self.given, value),
            Field::Family => append(&mut self.family, value),
            Field::Father => append(&mut self.father, value),
            Field::Grandfather => append(&mut self.grandfather, value),
            Field::Full => append(&mut self.full, value),
            Field::Sex => match Sex::parse(&value) {
                Ok(sex) => self.sex = sex,
                Err(_) => return Some(format!("unreadable sex {value:?}")),
            },
            Field::BirthDate => match PartialDate::parse(&value, None).or_else(|error| {
                // A well-formed date whose year is neither a Solar Hijri year nor one of
                // 1800–2200 (a historical record, "1630-08-01") is read as Gregorian, the
                // calendar of any list that does not say otherwise.
                match error {
                    DateError::UnknownCalendar { .. } => {
                        PartialDate::parse(&value, Some(Calendar::Gregorian))
                    }
                    other => Err(other),
                }
            }) {
                Ok(date) => self.birth_date = Some(date),
                Err(_) => {
                    self.birth_date_text = Some(value.clone());
                    return Some(format!("unreadable birth date {value:?}, compared as text"));
                }
            },
            Field::PlaceOfBirth => self.place_of_birth = Some(value),
            Field::Document => match Document::normalise_number(&value) {
                Some(number) => self.documents.push(number),
                None => return Some(format!("unreadable document number {value:?}")),
            },
            Field::SocSecId => self.soc_sec_id = Document::normalise_number(&value),
            Field::Phone => match Phone::parse(&value, None) {
                Ok(phone) => self.phones.push(phone),
                Err(_) => {
                    let digits: String = airbridge_domain::digits::fold_digits(&value)
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect();
                    if digits.len() >= 7 {
                        self.phone_digits.push(digits);
                    }
                    return Some(format!("phone {value:?} is not a valid number"));
                }
            },
            Field::Postcode => self.postcode = Some(value),
            Field::Email => self.email = Some(value.to_lowercase()),
            Field::Occupation => self.occupation = Some(value),
            Field::StreetNumber => self.street_number = Some(value),
            Field::Address1 => self.address_1 = Some(value),
            Field::Address2 => self.address_2 = Some(value),
            Field::Suburb => self.suburb = Some(value),
            Field::State => self.state = Some(value),
            Field::Case => self.case = Some(value),
            Field::Relation => match Relation::parse(&value) {
                Some(relation) => self.relation = Some(relation),
                None => {
                    return Some(format!(
                        "relation {value:?} not understood (principal, spouse, child, parent, sibling…): left out"
                    ));
                }
            },
        }
        None
    }
}

/// Which field each column of a table holds, read once from the header row.
#[derive(Debug, Clone)]
pub struct Columns {
    fields: Vec<Option<Field>>,
}

impl Columns {
    /// Reads a header row. `renames` maps a column name to a field name (`--map col=field`)
    /// and wins over the built-in header names; `col=-` leaves a column out. A `record_id` (or `rec_id`) column is required.
    pub fn from_header<S: AsRef<str>>(
        headers: &[S],
        renames: &[(String, String)],
    ) -> Result<Columns, DedupError> {
        let mut fields = Vec::with_capacity(headers.len());
        for header in headers {
            let header = header.as_ref().trim().trim_start_matches('\u{feff}');
            let renamed = renames
                .iter()
                .find(|(column, _)| column.trim().eq_ignore_ascii_case(header));
            let field = match renamed {
                // `--map "column=-"` leaves a column out.
                Some((_, target)) if target.trim() == "-" => None,
                Some((_, target)) => Some(
                    Field::from_header(target)
                        .ok_or_else(|| DedupError::UnknownField(target.trim().to_owned()))?,
                ),
                None => Field::from_header(header),
            };
            fields.push(field);
        }
        if !fields.contains(&Some(Field::RecordId)) {
            return Err(DedupError::MissingRecordId);
        }
        Ok(Columns { fields })
    }

    /// The fields found, in column order (`None` for ignored columns).
    pub fn fields(&self) -> &[Option<Field>] {
        &self.fields
    }

    /// Builds a record from one row of cells, with a message per unreadable cell.
    pub fn record<S: AsRef<str>>(&self, cells: &[S]) -> (Record, Vec<String>) {
        let mut record = Record::default();
        let mut problems = Vec::new();
        for (field, cell) in self.fields.iter().zip(cells) {
            if let Some(field) = field
                && let Some(problem) = record.set(*field, cell.as_ref())
            {
                problems.push(problem);
            }
        }
        (record, problems)
    }
}
