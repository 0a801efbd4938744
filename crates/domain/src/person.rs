//! A person as the lists describe them: names as written, sex, a partial birth date, documents,
//! phones and the rest. Each field with a rule is a type that can only hold valid values.

use crate::date::PartialDate;
use crate::digits::fold_digits;
use crate::eligibility::Vulnerability;
use crate::nation::{NationCode, NationError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a person's detail was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    #[error("'{0}' is not a phone number: give it with its country code, e.g. +93 70 123 4567")]
    Phone(String),
    #[error("'{0}' is not an e-mail address: expected name@domain.tld")]
    Email(String),
    #[error("document number '{0}' is empty or has characters other than letters and digits")]
    DocumentNumber(String),
    #[error(
        "'{0}' is not a document kind: use passport, tazkira, e_tazkira, visa, siv_case, national_id or other"
    )]
    DocumentKind(String),
    #[error("'{0}' is not a sex: use female, male, other or unknown (f, m, x, u)")]
    Sex(String),
    #[error("'{0}' is not a language code: use ISO 639 codes such as fa, ps, en, fr")]
    Language(String),
    #[error("a person needs a name or a placeholder such as 'wife of P12' or 'child 3'")]
    NoName,
    #[error(transparent)]
    Nation(#[from] NationError),
}

/// A person's names, exactly as written, in any script. Lists rarely agree on how a name is
/// divided, so every part is optional; `full` holds a name given as one string. A dependent
/// may have no name at all and only a `placeholder` ("wife of P12", "child 3"): they still
/// count as a person and take a seat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub father: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grandfather: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
}

fn clean(part: &Option<String>) -> Option<&str> {
    part.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl PersonName {
    /// A name given as one string.
    pub fn full(text: &str) -> PersonName {
        PersonName {
            full: Some(text.trim().to_owned()),
            ..PersonName::default()
        }
    }

    /// An unnamed person known only by their place in a family.
    pub fn unnamed(placeholder: &str) -> PersonName {
        PersonName {
            placeholder: Some(placeholder.trim().to_owned()),
            ..PersonName::default()
        }
    }

    /// Trims every part and drops empty ones; refuses a name with nothing in it.
    pub fn normalised(self) -> Result<PersonName, PersonError> {
        let tidy = |p: Option<String>| {
            p.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|s| !s.is_empty())
        };
        let name = PersonName {
            given: tidy(self.given),
            family: tidy(self.family),
            father: tidy(self.father),
            grandfather: tidy(self.grandfather),
            full: tidy(self.full),
            placeholder: tidy(self.placeholder),
        };
        if name.is_unnamed() && name.placeholder.is_none() {
            return Err(PersonError::NoName);
        }
        Ok(name)
    }

    /// Whether no name part is known (the person may still have a placeholder).
    pub fn is_unnamed(&self) -> bool {
        clean(&self.given).is_none() && clean(&self.family).is_none() && clean(&self.full).is_none()
    }

    /// The person's own name as one string (given then family, or the full name), without
    /// father's and grandfather's names; `None` for an unnamed person.
    pub fn own_name(&self) -> Option<String> {
        if let Some(full) = clean(&self.full) {
            return Some(full.to_owned());
        }
        let parts: Vec<&str> = [clean(&self.given), clean(&self.family)]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// What to show a person by: their name, or their placeholder in brackets.
    pub fn display(&self) -> String {
        match (self.own_name(), clean(&self.placeholder)) {
            (Some(name), _) => name,
            (None, Some(placeholder)) => format!("[{placeholder}]"),
            (None, None) => "[unnamed]".to_owned(),
        }
    }

    /// Every name string worth searching or matching on, own name first.
    pub fn searchable(&self) -> String {
        [
            self.own_name(),
            clean(&self.father).map(str::to_owned),
            clean(&self.grandfather).map(str::to_owned),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// Sex as recorded on documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
    #[default]
    Unknown,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
            Sex::Unknown => "unknown",
        }
    }

    /// Reads the common forms in English, French, Dari and Pashto.
    pub fn parse(text: &str) -> Result<Sex, PersonError> {
        let word = text.trim().to_lowercase();
        Ok(match word.as_str() {
            "f" | "female" | "woman" | "girl" | "femme" | "féminin" | "feminin" | "fille"
            | "زن" | "مونث" | "مؤنث" | "ښځه" | "نجلۍ" | "دختر" => Sex::Female,
            "m" | "male" | "man" | "boy" | "h" | "homme" | "masculin" | "garçon" | "مرد"
            | "مذکر" | "نارینه" | "سړی" | "هلک" | "پسر" => Sex::Male,
            "x" | "other" | "autre" | "دیگر" => Sex::Other,
            "" | "u" | "unknown" | "inconnu" | "?" | "-" | "نامعلوم" => Sex::Unknown,
            _ => return Err(PersonError::Sex(text.trim().to_owned())),
        })
    }
}

/// The kinds of identity and travel documents the lists carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Passport,
    /// The paper Afghan national identity card.
    Tazkira,
    /// The electronic Afghan identity card (since 2018).
    ETazkira,
    Visa,
    /// A US Special Immigrant Visa case number, or another nation's relocation case number.
    SivCase,
    NationalId,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 7] = [
        DocumentKind::Passport,
        DocumentKind::Tazkira,
        DocumentKind::ETazkira,
        DocumentKind::Visa,
        DocumentKind::SivCase,
        DocumentKind::NationalId,
        DocumentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Passport => "passport",
            DocumentKind::Tazkira => "tazkira",
            DocumentKind::ETazkira => "e_tazkira",
            DocumentKind::Visa => "visa",
            DocumentKind::SivCase => "siv_case",
            DocumentKind::NationalId => "national_id",
            DocumentKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Result<DocumentKind, PersonError> {
        let word = text.trim().to_lowercase().replace(['-', ' '], "_");
        Ok(match word.as_str() {
            "passport" | "passeport" | "پاسپورت" => DocumentKind::Passport,
            "tazkira" | "tazkera" | "tazkirah" | "taskira" | "تذکره" => DocumentKind::Tazkira,
            "e_tazkira" | "etazkira" | "e_tazkera" | "الکترونیکی" => {
                DocumentKind::ETazkira
            }
            "visa" | "ویزا" => DocumentKind::Visa,
            "siv_case" | "siv" | "case" | "case_number" => DocumentKind::SivCase,
            "national_id" | "id" | "id_card" | "carte_d'identité" => DocumentKind::NationalId,
            "other" | "autre" => DocumentKind::Other,
            _ => return Err(PersonError::DocumentKind(text.trim().to_owned())),
        })
    }
}

/// An identity or travel document. The number is kept normalised (upper case, no spaces or
/// separators, ASCII digits) so that equal documents compare equal; the written form is kept
/// beside it because a gate officer reads the paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocumentKind,
    number: String,
    as_written: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<NationCode>,
}

impl Document {
    pub fn new(
        kind: DocumentKind,
        number: &str,
        issuing_country: Option<NationCode>,
    ) -> Result<Document, PersonError> {
        let normalised = Document::normalise_number(number)
            .ok_or_else(|| PersonError::DocumentNumber(number.trim().to_owned()))?;
        Ok(Document {
            kind,
            number: normalised,
            as_written: number.trim().to_owned(),
            issuing_country,
        })
    }

    /// The comparison form of a document number, or `None` when it cannot be one.
    pub fn normalise_number(number: &str) -> Option<String> {
        let folded = fold_digits(number);
        let mut out = String::with_capacity(folded.len());
        for c in folded.chars() {
            match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' => out.push(c.to_ascii_uppercase()),
                ' ' | '-' | '/' | '.' | '_' | '\u{200c}' => {}
                _ => return None,
            }
        }
        (!out.is_empty() && out.len() <= 40).then_some(out)
    }

    pub fn number(&self) -> &str {
        &self.number
    }
    pub fn as_written(&self) -> &str {
        &self.as_written
    }
}

/// A phone number in E.164 form (`+93701234567`), validated against the numbering plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Parses a number as written; numbers without a country code are read in
    /// `default_region` (Afghanistan when `None`, since most lists come from there).
    pub fn parse(text: &str, default_region: Option<NationCode>) -> Result<Phone, PersonError> {
        let folded = fold_digits(text.trim());
        let folded = match folded.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => folded,
        };
        let region = default_region
            .and_then(|code| code.as_str().parse::<phonenumber::country::Id>().ok())
            .unwrap_or(phonenumber::country::Id::AF);
        let number = phonenumber::parse(Some(region), &folded)
            .map_err(|_| PersonError::Phone(text.trim().to_owned()))?;
        if !number.is_valid() {
            return Err(PersonError::Phone(text.trim().to_owned()));
        }
        Ok(Phone(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    pub fn e164(&self) -> &str {
        &self.0
    }

    /// The last seven digits: the part that survives a wrong or missing country code.
    pub fn last_seven(&self) -> &str {
        &self.0[self.0.len().saturating_sub(7)..]
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = PersonError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Phone::parse(&value, None)
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> String {
        phone.0
    }
}

/// An e-mail address, with its domain in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Email, PersonError> {
        let text = text.trim();
        let bad = || PersonError::Email(text.to_owned());
        let (local, domain) = text.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.contains('@') || local.chars().any(char::is_whitespace) {
            return Err(bad());
        }
        if !domain_ok {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = PersonError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

/// Checks an ISO 639-1 or 639-3 language code (`fa`, `prs`, `ps`, `en`) and lower-cases it.
pub fn parse_language(text: &str) -> Result<String, PersonError> {
    let code = text.trim().to_ascii_lowercase();
    if (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(code)
    } else {
        Err(PersonError::Language(text.trim().to_owned()))
    }
}

/// Everything known about a person, apart from the registry's bookkeeping (id, nation, case,
/// status), which the store keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: PersonName,
    #[serde(default)]
    pub sex: Sex,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<NationCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Phone>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Email>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<Vulnerability>,
}

impl Person {
    /// Checks the parts that serde cannot: a name or placeholder is present, language codes
    /// are codes. Returns the person with names tidied.
    pub fn validated(mut self) -> Result<Person, PersonError> {
        self.name = self.name.normalised()?;
        self.languages = self
            .languages
            .iter()
            .map(|l| parse_language(l))
            .collect::<Result<_, _>>()?;
        self.place_of_birth = self
            .place_of_birth
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_become_e164_with_afghanistan_as_default() {
        let check = |input: &str, expected: Option<&str>| {
            let got = Phone::parse(input, None).ok().map(|p| p.e164().to_owned());
            assert_eq!(got.as_deref(), expected, "{input:?}");
        };
        check("0701234567", Some("+93701234567"));
        check("+93 70 123 4567", Some("+93701234567"));
        check("0093701234567", Some("+93701234567"));
        check("۰۷۰۱۲۳۴۵۶۷", Some("+93701234567"));
        check("+33 6 12 34 56 78", Some("+33612345678"));
        check("12", None);
        check("call me", None);
        let fr = NationCode::parse("FR").unwrap();
        assert_eq!(
            Phone::parse("06 12 34 56 78", Some(fr)).unwrap().e164(),
            "+33612345678"
        );
        assert_eq!(
            Phone::parse("0701234567", None).unwrap().last_seven(),
            "1234567"
        );
    }

    #[test]
    fn document_numbers_are_normalised() {
        let doc = Document::new(DocumentKind::Tazkira, " 1400-0101-۱۲۳۴۵ ", None).unwrap();
        assert_eq!(doc.number(), "1400010112345");
        assert_eq!(doc.as_written(), "1400-0101-۱۲۳۴۵");
        assert_eq!(
            Document::new(DocumentKind::Passport, "p 0123456", None)
                .unwrap()
                .number(),
            "P0123456"
        );
        assert!(Document::new(DocumentKind::Passport, " - ", None).is_err());
        assert!(Document::new(DocumentKind::Passport, "AB#12", None).is_err());
    }

    #[test]
    fn vocabularies() {
        assert_eq!(Sex::parse("F").unwrap(), Sex::Female);
        assert_eq!(Sex::parse("homme").unwrap(), Sex::Male);
        assert_eq!(Sex::parse("زن").unwrap(), Sex::Female);
        assert_eq!(Sex::parse("نارینه").unwrap(), Sex::Male);
        assert!(Sex::parse("yes").is_err());
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(kind.as_str()).unwrap(), kind);
        }
        assert_eq!(
            DocumentKind::parse("Tazkera").unwrap(),
            DocumentKind::Tazkira
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" a.b@Example.ORG ").unwrap().as_str(),
            "a.b@example.org"
        );
        for bad in ["", "a@", "@b.org", "a b@c.org", "a@b", "a@.org"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_and_placeholders() {
        let name = PersonName {
            given: Some("  Mohammad   Hashem ".into()),
            family: Some("Ahmadzai".into()),
            father: Some("Abdul Rahman".into()),
            ..Default::default()
        }
        .normalised()
        .unwrap();
        assert_eq!(name.display(), "Mohammad Hashem Ahmadzai");
        assert_eq!(name.searchable(), "Mohammad Hashem Ahmadzai Abdul Rahman");
        let child = PersonName::unnamed("child 3").normalised().unwrap();
        assert!(child.is_unnamed());
        assert_eq!(child.display(), "[child 3]");
        assert_eq!(PersonName::default().normalised(), Err(PersonError::NoName));
    }
}
