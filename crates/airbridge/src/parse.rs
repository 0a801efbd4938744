//! Reading command-line values into domain types, with messages that say what was wrong with
//! which option and how to write it.

use crate::InvalidInput;
use crate::cli::PersonArgs;
use airbridge_domain::person::parse_language;
use airbridge_domain::{
    AtRiskCategory, Calendar, CaseId, Document, DocumentKind, EligibilityBasis, Email,
    EvacuationStatus, NationCode, OrganisationId, PartialDate, Person, PersonId, PersonName, Phone,
    Relation, Sex, Vulnerability,
};

pub type Parsed<T> = Result<T, InvalidInput>;

fn invalid(option: &str, error: impl std::fmt::Display) -> InvalidInput {
    InvalidInput(format!("{option}: {error}"))
}

pub fn nation(option: &str, text: &str) -> Parsed<NationCode> {
    NationCode::parse(text).map_err(|e| invalid(option, e))
}

pub fn person_id(text: &str) -> Parsed<PersonId> {
    text.parse()
        .map_err(|_| InvalidInput(format!("'{text}' is not a person id: write P12 or 12")))
}

pub fn case_id(text: &str) -> Parsed<CaseId> {
    text.parse()
        .map_err(|_| InvalidInput(format!("'{text}' is not a case id: write C12 or 12")))
}

pub fn organisation_id(text: &str) -> Parsed<OrganisationId> {
    text.parse().map_err(|_| {
        InvalidInput(format!(
            "'{text}' is not an organisation id: write O3 or 3 (see `airbridge org list`)"
        ))
    })
}

pub fn status(text: &str) -> Parsed<EvacuationStatus> {
    EvacuationStatus::parse(text).map_err(|e| InvalidInput(e.to_string()))
}

pub fn relation(text: &str) -> Parsed<Relation> {
    Relation::parse(text).ok_or_else(|| {
        InvalidInput(format!(
            "'{text}' is not a relation: use {}",
            Relation::ALL.map(|r| r.as_str()).join(", ")
        ))
    })
}

fn at_risk_category(text: &str) -> Parsed<AtRiskCategory> {
    serde_json::from_value(serde_json::Value::String(
        text.trim().to_lowercase().replace(['-', ' '], "_"),
    ))
    .map_err(|_| {
        InvalidInput(format!(
            "'{text}' is not an at-risk category: use journalist, judge, prosecutor, \
             womens_rights_defender, human_rights_defender, activist, artist, academic, \
             security_forces, religious_minority or other"
        ))
    })
}

/// `national`, `worked:EMPLOYER:ROLE`, `at_risk:CATEGORY:REASON`.
pub fn basis(text: &str) -> Parsed<EligibilityBasis> {
    let mut parts = text.splitn(3, ':');
    let kind = parts.next().unwrap_or("").trim().to_lowercase();
    let first = parts.next().map(str::trim);
    let second = parts.next().map(str::trim);
    match (kind.as_str(), first, second) {
        ("national", None, None) => Ok(EligibilityBasis::National),
        ("worked", Some(employer), Some(role)) if !employer.is_empty() && !role.is_empty() => {
            Ok(EligibilityBasis::Worked {
                employer: employer.to_owned(),
                role: role.to_owned(),
                from: None,
                to: None,
            })
        }
        ("at_risk" | "at-risk", Some(category), Some(reason)) if !reason.is_empty() => {
            Ok(EligibilityBasis::AtRisk {
                category: at_risk_category(category)?,
                reason: reason.to_owned(),
            })
        }
        _ => Err(InvalidInput(format!(
            "--basis '{text}': write national, worked:EMPLOYER:ROLE or at_risk:CATEGORY:REASON"
        ))),
    }
}

/// `KIND:NUMBER[:ISSUER]`.
fn document(text: &str) -> Parsed<Document> {
    let mut parts = text.splitn(3, ':');
    let (Some(kind), Some(number)) = (parts.next(), parts.next()) else {
        return Err(InvalidInput(format!(
            "--doc '{text}': write KIND:NUMBER or KIND:NUMBER:ISSUER, e.g. passport:P1234567:AF"
        )));
    };
    let kind = DocumentKind::parse(kind).map_err(|e| invalid("--doc", e))?;
    let issuer = parts
        .next()
        .map(|i| nation("--doc issuer", i))
        .transpose()?;
    Document::new(kind, number, issuer).map_err(|e| invalid("--doc", e))
}

/// Builds a person from the options, refusing the first bad value.
pub fn person(args: PersonArgs) -> Parsed<Person> {
    let calendar = args
        .calendar
        .as_deref()
        .map(|c| {
            Calendar::parse(c).ok_or_else(|| {
                InvalidInput(format!("--calendar '{c}': use gregorian or solar_hijri"))
            })
        })
        .transpose()?;
    let person = Person {
        name: PersonName {
            given: args.given,
            family: args.family,
            father: args.father,
            grandfather: args.grandfather,
            full: args.full,
            placeholder: args.placeholder,
        },
        sex: args
            .sex
            .as_deref()
            .map(Sex::parse)
            .transpose()
            .map_err(|e| invalid("--sex", e))?
            .unwrap_or_default(),
        birth_date: args
            .dob
            .as_deref()
            .map(|d| PartialDate::parse(d, calendar))
            .transpose()
            .map_err(|e| invalid("--dob", e))?,
        place_of_birth: args.place_of_birth,
        nationalities: args
            .nationalities
            .iter()
            .map(|n| nation("--nationality", n))
            .collect::<Parsed<_>>()?,
        documents: args
            .documents
            .iter()
            .map(|d| document(d))
            .collect::<Parsed<_>>()?,
        phones: args
            .phones
            .iter()
            .map(|p| Phone::parse(p, None).map_err(|e| invalid("--phone", e)))
            .collect::<Parsed<_>>()?,
        emails: args
            .emails
            .iter()
            .map(|e| Email::parse(e).map_err(|e| invalid("--email", e)))
            .collect::<Parsed<_>>()?,
        languages: args
            .languages
            .iter()
            .map(|l| parse_language(l).map_err(|e| invalid("--language", e)))
            .collect::<Parsed<_>>()?,
        vulnerabilities: args
            .vulnerabilities
            .iter()
            .map(|v| {
                Vulnerability::parse(v).ok_or_else(|| {
                    InvalidInput(format!(
                        "--vulnerability '{v}': use {}",
                        Vulnerability::ALL.map(|v| v.as_str()).join(", ")
                    ))
                })
            })
            .collect::<Parsed<_>>()?,
    };
    person.validated().map_err(|e| InvalidInput(e.to_string()))
}

/// `RELATION:NAME`; an empty name makes an unnamed dependent labelled by the relation.
pub fn member(text: &str, index: usize) -> Parsed<(Relation, Person)> {
    let (relation_text, name) = text.split_once(':').ok_or_else(|| {
        InvalidInput(format!(
            "--member '{text}': write RELATION:NAME, e.g. spouse:Fatima or child: for an unnamed child"
        ))
    })?;
    let relation = relation(relation_text)?;
    let name = name.trim();
    let person = Person {
        name: if name.is_empty() {
            PersonName::unnamed(&format!("{} {}", relation.as_str(), index + 1))
        } else {
            PersonName::full(name)
        },
        ..Person::default()
    };
    Ok((relation, person))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases() {
        assert_eq!(basis("national").unwrap(), EligibilityBasis::National);
        assert!(matches!(
            basis("worked:Embassy of France:interpreter").unwrap(),
            EligibilityBasis::Worked { .. }
        ));
        assert!(matches!(
            basis("at_risk:journalist:threatened").unwrap(),
            EligibilityBasis::AtRisk {
                category: AtRiskCategory::Journalist,
                ..
            }
        ));
        assert!(basis("worked:x").is_err());
        assert!(basis("at_risk:pilot:x").is_err());
    }

    #[test]
    fn people_from_options() {
        let person = person(PersonArgs {
            given: Some("Mohammad Hashem".into()),
            dob: Some("1365/05/12".into()),
            documents: vec!["tazkira:1400-0101-12345".into()],
            phones: vec!["0701234567".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(person.documents[0].number(), "1400010112345");
        assert_eq!(person.phones[0].e164(), "+93701234567");
        let error = super::person(PersonArgs {
            given: Some("A".into()),
            dob: Some("31/02/1990".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(error.0.starts_with("--dob"), "{error}");
        assert!(super::person(PersonArgs::default()).is_err());
        let (relation, unnamed) = member("child:", 2).unwrap();
        assert_eq!(relation, Relation::Child);
        assert_eq!(unnamed.name.display(), "[child 3]");
    }
}
