//! The evidence a hit is made of, field by field: how the names compare, whether the birth
//! dates are compatible, whether the nationalities agree, whether a document number is shared.
//! Each is a plain serialisable value so that a reviewer (and the audit trail) sees exactly
//! what the score was built from.

use airbridge_domain::{Calendar, GregorianDate, NationCode, PartialDate};
use airbridge_names::TokenAlignment;
use airbridge_sanctions::{DateQualifier, ListedDate, NameQuality, Script};
use serde::Serialize;

/// How the query's name compared with the entry's best-matching listed name.
#[derive(Debug, Clone, Serialize)]
pub struct NameEvidence {
    /// The listed name that matched best (after quality weighting).
    pub listed_name: String,
    pub quality: NameQuality,
    pub script: Script,
    /// The names engine's similarity of the two names, in [0, 1].
    pub similarity: f64,
    /// Low-quality aliases count less: the factor applied for this name's quality.
    pub quality_factor: f64,
    /// How much identifying information the agreement carries (1 for a full name; less when
    /// the only agreement is on very common names such as "Mohammad" alone).
    pub information_factor: f64,
    /// The name's contribution: `similarity × quality_factor × information_factor`.
    pub score: f64,
    /// Set when the similarity came from the two names written as one string (spaces and
    /// hyphens left out), within one slip of each other.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_string: Option<OneStringEvidence>,
    /// Which tokens were aligned and how (exact, variant, phonetic, fuzzy…).
    pub aligned: Vec<TokenAlignment>,
    /// Tokens of the query left without a partner.
    pub unmatched_query: Vec<String>,
    /// Tokens of the listed name left without a partner.
    pub unmatched_listed: Vec<String>,
}

/// Two names written as one string, and how far apart they are: 0 edits when only the spacing
/// differs, 1 for one letter changed, added or dropped, or two neighbours swapped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OneStringEvidence {
    pub query: String,
    pub listed: String,
    pub edits: u8,
}

/// How the query's birth date compares with the entry's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BirthDateEvidence {
    /// The query or the entry has no birth date: neutral.
    Missing,
    /// The dates can be the same day: the query falls inside a listed date or span.
    /// `exact` when both are known to the day (and are not 1 January placeholders).
    Compatible { listed: String, exact: bool },
    /// Outside every listed date but within the tolerance for approximate dates and clerical
    /// slips (about a year): neutral.
    Near { listed: String, years_apart: f64 },
    /// Clearly different: at least `years_apart` years from the nearest listed date.
    Conflict { listed: String, years_apart: f64 },
}

/// How the query's nationality compares with the entry's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum NationalityEvidence {
    /// The query or the entry has no (readable) nationality: neutral.
    Missing,
    Agrees {
        nationality: String,
    },
    /// The query's nationality is none of the entry's (people hold several nationalities and
    /// lists are incomplete, so this weighs little).
    Differs {
        query: String,
        listed: Vec<String>,
    },
}

/// Whether a document number of the query appears on the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DocumentEvidence {
    /// No document to compare (on either side) or no number in common.
    NoMatch,
    /// The same normalised number: strong evidence whatever the name.
    Matches { number: String, kind: String },
}

/// Reads a birth date as registries and the benchmark write it, accepting damage: a date the
/// domain parser refuses ("1974-01-32", "1969-13-01") still gives its year when one is
/// recognisable, because the year is most of the evidence a birth date carries.
pub fn parse_birth_date(text: &str) -> Option<PartialDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(date) = PartialDate::parse(text, None) {
        return Some(date);
    }
    // The first plausible four-digit year; its calendar follows the domain's rule (1250–1450
    // Solar Hijri, otherwise Gregorian).
    let digits: Vec<char> = text.chars().collect();
    let mut start = 0;
    while start < digits.len() {
        if !digits[start].is_ascii_digit() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < digits.len() && digits[end].is_ascii_digit() {
            end += 1;
        }
        if end - start == 4 {
            let year: i32 = digits[start..end]
                .iter()
                .fold(0, |acc, d| acc * 10 + d.to_digit(10).unwrap_or(0) as i32);
            let calendar = if (1250..=1450).contains(&year) {
                Some(Calendar::SolarHijri)
            } else if (1800..=2200).contains(&year) {
                Some(Calendar::Gregorian)
            } else {
                None
            };
            if let Some(calendar) = calendar
                && let Ok(date) = PartialDate::year_only(calendar, year)
            {
                return Some(date);
            }
        }
        start = end;
    }
    None
}

/// The days a date stands for. A full date on 1 January (or 1 Hamal) is a placeholder lists
/// and registries use for "year only", so it stands for its whole year.
fn days_of(date: &PartialDate) -> (i64, i64) {
    let date = if date.is_first_of_year() {
        PartialDate::year_only(date.calendar(), date.year()).unwrap_or(*date)
    } else {
        *date
    };
    let (first, last) = date.gregorian_range();
    (first.days_since_epoch(), last.days_since_epoch())
}

fn is_exact(date: &PartialDate) -> bool {
    date.exact_gregorian().is_some() && !date.is_first_of_year()
}

const DAYS_PER_YEAR: f64 = 365.25;

fn describe(listed: &ListedDate) -> String {
    let (first, last): (GregorianDate, GregorianDate) = listed.gregorian_range();
    let text = |d: &PartialDate| {
        let (f, _) = d.gregorian_range();
        match d.precision() {
            airbridge_domain::date::Precision::Year => format!("{}", f.year()),
            airbridge_domain::date::Precision::Month => format!("{}-{:02}", f.year(), f.month()),
            airbridge_domain::date::Precision::Day => {
                format!("{}-{:02}-{:02}", f.year(), f.month(), f.day())
            }
        }
    };
    let body = match listed.to {
        Some(to) if first != last => format!("{} to {}", text(&listed.from), text(&to)),
        _ => text(&listed.from),
    };
    match listed.qualifier {
        DateQualifier::Approximately => format!("approximately {body}"),
        _ => body,
    }
}

/// Compares a query's birth date with every date the entry lists; the nearest one decides.
pub fn compare_birth_dates(
    query: Option<&PartialDate>,
    listed: &[ListedDate],
) -> BirthDateEvidence {
    let Some(query) = query else {
        return BirthDateEvidence::Missing;
    };
    let (query_first, query_last) = days_of(query);
    let mut best: Option<(i64, bool, &ListedDate)> = None;
    for date in listed {
        let (mut first, mut last) = match date.to {
            Some(to) => (days_of(&date.from).0, days_of(&to).1),
            None => days_of(&date.from),
        };
        // An approximate date is a centre, not a bound: a year either side is still inside.
        if date.qualifier == DateQualifier::Approximately {
            first -= 366;
            last += 366;
        }
        let gap = (first - query_last).max(query_first - last).max(0);
        let exact = gap == 0 && date.to.is_none() && is_exact(query) && is_exact(&date.from);
        let better = match best {
            None => true,
            Some((best_gap, best_exact, _)) => {
                gap < best_gap || (gap == best_gap && exact && !best_exact)
            }
        };
        if better {
            best = Some((gap, exact, date));
        }
    }
    let Some((gap, exact, date)) = best else {
        return BirthDateEvidence::Missing;
    };
    let listed = describe(date);
    let years_apart = (gap as f64 / DAYS_PER_YEAR * 10.0).round() / 10.0;
    if gap == 0 {
        BirthDateEvidence::Compatible { listed, exact }
    } else if gap <= 400 {
        BirthDateEvidence::Near {
            listed,
            years_apart,
        }
    } else {
        BirthDateEvidence::Conflict {
            listed,
            years_apart,
        }
    }
}

/// Compares the query's nationality with the entry's readable ones.
pub fn compare_nationalities(
    query: Option<&NationCode>,
    listed: &[NationCode],
) -> NationalityEvidence {
    match query {
        None => NationalityEvidence::Missing,
        Some(_) if listed.is_empty() => NationalityEvidence::Missing,
        Some(code) if listed.contains(code) => NationalityEvidence::Agrees {
            nationality: code.as_str().to_owned(),
        },
        Some(code) => NationalityEvidence::Differs {
            query: code.as_str().to_owned(),
            listed: listed.iter().map(|c| c.as_str().to_owned()).collect(),
        },
    }
}

/// The numbers a document field may hold, normalised (letters and digits, upper case). Lists
/// sometimes write a phrase ("Pakistani passport number AB1234567, issued …"), so every word
/// with a digit and at least five characters counts when the field is too long to be one
/// number; otherwise the whole field run together is the number.
/// Short numbers are dropped: they match by chance.
pub fn document_numbers(text: &str) -> Vec<String> {
    const MIN_LEN: usize = 5;
    let normalise = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let mut numbers = Vec::new();
    let whole = normalise(text);
    if whole.len() <= 20 {
        if whole.len() >= MIN_LEN && whole.chars().any(|c| c.is_ascii_digit()) {
            numbers.push(whole);
        }
        return numbers;
    }
    for word in text.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        let word = normalise(word);
        if word.len() >= MIN_LEN && word.chars().any(|c| c.is_ascii_digit()) {
            numbers.push(word);
        }
    }
    numbers.sort();
    numbers.dedup();
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(y: i32) -> PartialDate {
        PartialDate::year_only(Calendar::Gregorian, y).unwrap()
    }

    #[test]
    fn damaged_birth_dates_keep_their_year() {
        let check = |text: &str, expected: Option<(i32, Option<u8>)>| {
            assert_eq!(
                parse_birth_date(text).map(|d| (d.year(), d.month())),
                expected,
                "{text}"
            )
        };
        check("1969-7-16", Some((1969, Some(7))));
        check("1974-01-32", Some((1974, None)));
        check("1965", Some((1965, None)));
        check("", None);
        check("unknown", None);
        check("12-99", None);
        check("1365", Some((1365, None)));
    }

    #[test]
    fn birth_date_evidence() {
        let single = |d: PartialDate, q: DateQualifier| ListedDate::single(q, d);
        let exact = |y, m, d| PartialDate::new(Calendar::Gregorian, y, Some(m), Some(d)).unwrap();
        let kind = |e: BirthDateEvidence| match e {
            BirthDateEvidence::Missing => "missing",
            BirthDateEvidence::Compatible { exact: true, .. } => "exact",
            BirthDateEvidence::Compatible { .. } => "compatible",
            BirthDateEvidence::Near { .. } => "near",
            BirthDateEvidence::Conflict { .. } => "conflict",
        };
        let check = |query: Option<PartialDate>, listed: Vec<ListedDate>, expected: &str| {
            assert_eq!(
                kind(compare_birth_dates(query.as_ref(), &listed)),
                expected,
                "{query:?} {listed:?}"
            )
        };
        let exact_1960 = single(exact(1960, 6, 29), DateQualifier::Exact);
        check(None, vec![exact_1960], "missing");
        check(Some(year(1960)), vec![], "missing");
        check(Some(exact(1960, 6, 29)), vec![exact_1960], "exact");
        check(Some(year(1960)), vec![exact_1960], "compatible");
        check(Some(year(1961)), vec![exact_1960], "near");
        check(Some(year(1975)), vec![exact_1960], "conflict");
        // A span and an approximate year.
        let span = ListedDate::span(DateQualifier::Between, year(1958), year(1963));
        check(Some(year(1962)), vec![span], "compatible");
        check(Some(year(1970)), vec![span], "conflict");
        check(
            Some(year(1961)),
            vec![single(year(1960), DateQualifier::Approximately)],
            "compatible",
        );
        // A Solar Hijri year is the Gregorian interval it covers: 1339 SH = March 1960 – March 1961.
        let solar = PartialDate::year_only(Calendar::SolarHijri, 1339).unwrap();
        check(Some(solar), vec![exact_1960], "compatible");
        check(
            Some(solar),
            vec![single(year(1961), DateQualifier::Exact)],
            "compatible",
        );
        check(
            Some(solar),
            vec![single(year(1980), DateQualifier::Exact)],
            "conflict",
        );
        // A 1 January placeholder is the whole year, not an exact day.
        check(Some(exact(1960, 1, 1)), vec![exact_1960], "compatible");
    }

    #[test]
    fn document_numbers_are_normalised() {
        assert_eq!(document_numbers("OA 123-456"), ["OA123456"]);
        assert_eq!(
            document_numbers("Pakistani passport AB1234567"),
            ["AB1234567"]
        );
        assert!(document_numbers("1234").is_empty());
        assert!(document_numbers("none").is_empty());
    }
}
