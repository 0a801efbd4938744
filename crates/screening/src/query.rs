//! What is screened: a person's name with, when known, a birth date, a nationality and
//! document numbers.

use airbridge_domain::{NationCode, PartialDate, Person};

/// Why a query could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The person has no name to screen (an unnamed child, a placeholder).
    #[error("nothing to screen: the name is empty")]
    EmptyName,
}

/// One person to screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// The whole name as one string, in any order and script ("Mullah Mohammad Omar",
    /// "OMAR, Mohammad", "محمد عمر").
    pub name: String,
    pub birth_date: Option<PartialDate>,
    pub nationality: Option<NationCode>,
    /// Identity document numbers as written; compared after normalisation (letters and digits
    /// only, upper case).
    pub documents: Vec<String>,
}

impl Query {
    /// A query on a name alone.
    pub fn by_name(name: &str) -> Query {
        Query {
            name: name.to_owned(),
            ..Query::default()
        }
    }

    /// A query from name parts (given, father's, grandfather's, family…), joined in order.
    pub fn by_name_parts<S: AsRef<str>>(parts: &[S]) -> Query {
        let name = parts
            .iter()
            .map(|part| part.as_ref().trim())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Query {
            name,
            ..Query::default()
        }
    }

    pub fn with_birth_date(self, birth_date: Option<PartialDate>) -> Query {
        Query { birth_date, ..self }
    }

    pub fn with_nationality(self, nationality: Option<NationCode>) -> Query {
        Query {
            nationality,
            ..self
        }
    }

    pub fn with_documents(self, documents: Vec<String>) -> Query {
        Query { documents, ..self }
    }

    /// A query for a registry person: their own name (not their father's), birth date, first nationality and
    /// every document number.
    pub fn for_person(person: &Person) -> Result<Query, QueryError> {
        if person.name.is_unnamed() {
            return Err(QueryError::EmptyName);
        }
        // The person's own name: a father's name is not theirs, and a father named like a listed
        // individual must not make his child a hit.
        let name = person.name.own_name().unwrap_or_default();
        if name.trim().is_empty() {
            return Err(QueryError::EmptyName);
        }
        Ok(Query {
            name,
            birth_date: person.birth_date,
            nationality: person.nationalities.first().copied(),
            documents: person
                .documents
                .iter()
                .map(|document| document.number().to_owned())
                .collect(),
        })
    }
}
