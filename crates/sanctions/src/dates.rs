//! Dates of birth as sanctions lists give them: a day, a month, a year, or a span of years,
//! exact or approximate.
//!
//! The UN XML says it with elements (`DATE`, `YEAR`, `FROM_YEAR`/`TO_YEAR`, `TYPE_OF_DATE`);
//! OFAC says it in prose inside the remarks ("DOB circa 1960", "DOB 1960 to 1962", "DOB 01 Apr
//! 1950"). Both become one [`ListedDate`]: a first and a last [`PartialDate`] in the Gregorian
//! calendar. Screening compares the Gregorian interval, never a guessed day, so a list's
//! "1969" stays the whole of 1969 and a placeholder "1967-01-01" stays one day (the domain's
//! `PartialDate::is_first_of_year` lets the matcher treat it as weak).

use std::fmt;

use airbridge_domain::{Calendar, GregorianDate, PartialDate};
use serde::{Deserialize, Serialize};

/// How sure the list is of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateQualifier {
    Exact,
    /// UN `APPROXIMATELY`, OFAC "circa": the list's interval is a centre, not a bound.
    Approximately,
    /// A span: UN `BETWEEN`, OFAC "1960 to 1962".
    Between,
}

impl DateQualifier {
    pub fn as_str(self) -> &'static str {
        match self {
            DateQualifier::Exact => "exact",
            DateQualifier::Approximately => "approximately",
            DateQualifier::Between => "between",
        }
    }
}

/// A date of birth from a list: one partial date, or a span from one partial date to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListedDate {
    pub qualifier: DateQualifier,
    /// The date, or the start of the span.
    pub from: PartialDate,
    /// The end of the span; absent for a single date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<PartialDate>,
}

impl ListedDate {
    /// A single date.
    pub fn single(qualifier: DateQualifier, date: PartialDate) -> ListedDate {
        ListedDate {
            qualifier,
            from: date,
            to: None,
        }
    }

    /// A span; the ends are put in order, since a reversed span covers the same years and
    /// refusing it would drop a date a screener needs.
    pub fn span(qualifier: DateQualifier, first: PartialDate, last: PartialDate) -> ListedDate {
        let (from, to) = if first.gregorian_range().0 <= last.gregorian_range().0 {
            (first, last)
        } else {
            (last, first)
        };
        ListedDate {
            qualifier,
            from,
            to: Some(to),
        }
    }

    /// The first and last Gregorian day (inclusive) the list allows, taken literally: an
    /// approximate date is not widened here, the screening engine chooses its own margin.
    pub fn gregorian_range(&self) -> (GregorianDate, GregorianDate) {
        let first = self.from.gregorian_range().0;
        let last = self.to.unwrap_or(self.from).gregorian_range().1;
        (first, last)
    }

    /// The first and last Gregorian year (inclusive) the list allows.
    pub fn year_range(&self) -> (i32, i32) {
        let (first, last) = self.gregorian_range();
        (first.year(), last.year())
    }

    /// Reads a Gregorian year, checking it is in 1–9999.
    pub fn year(text: &str) -> Result<PartialDate, String> {
        let trimmed = text.trim();
        let year: i32 = trimmed
            .parse()
            .map_err(|_| format!("year '{trimmed}' is not a number"))?;
        PartialDate::year_only(Calendar::Gregorian, year).map_err(|e| e.to_string())
    }

    /// Reads a Gregorian date as the lists write it: `1967-01-01`, `01 Apr 1950`, `Apr 1950`,
    /// `1950`.
    pub fn gregorian(text: &str) -> Result<PartialDate, String> {
        PartialDate::parse(text, Some(Calendar::Gregorian)).map_err(|e| e.to_string())
    }

    /// Reads the text after OFAC's "DOB": `01 Apr 1950`, `1950`, `Apr 1950`, `circa 1960`,
    /// `1960 to 1962`, `01 Jan 1960 to 31 Dec 1962`, `circa 1979-1982`.
    pub fn parse_ofac(text: &str) -> Result<ListedDate, String> {
        let text = text.trim().trim_end_matches('.').trim();
        let (approximate, rest) = match text.strip_prefix("circa") {
            Some(rest) => (true, rest.trim()),
            None => (false, text),
        };
        // "1979-1982": two whole years joined by a hyphen, which the general date reader
        // would take for a year and a month.
        let hyphen_years = rest.split_once('-').filter(|(a, b)| {
            let four_digits =
                |s: &str| s.trim().len() == 4 && s.trim().bytes().all(|b| b.is_ascii_digit());
            four_digits(a) && four_digits(b)
        });
        let span = rest.split_once(" to ").or(hyphen_years);
        match span {
            Some((first, last)) => {
                let first = ListedDate::gregorian(first)?;
                let last = ListedDate::gregorian(last)?;
                Ok(ListedDate::span(DateQualifier::Between, first, last))
            }
            None => {
                let qualifier = if approximate {
                    DateQualifier::Approximately
                } else {
                    DateQualifier::Exact
                };
                Ok(ListedDate::single(qualifier, ListedDate::gregorian(rest)?))
            }
        }
    }
}

impl fmt::Display for ListedDate {
    /// `1969`, `circa 1963`, `1960 to 1962`, `1977-07-10`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.qualifier == DateQualifier::Approximately {
            f.write_str("circa ")?;
        }
        write!(f, "{}", self.from)?;
        if let Some(to) = self.to {
            write!(f, " to {to}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u8, d: u8) -> GregorianDate {
        GregorianDate::new(y, m, d).unwrap()
    }

    #[test]
    fn ofac_forms() {
        let check =
            |text: &str, qualifier: DateQualifier, first: GregorianDate, last: GregorianDate| {
                let date = ListedDate::parse_ofac(text).unwrap();
                assert_eq!(date.qualifier, qualifier, "{text}");
                assert_eq!(date.gregorian_range(), (first, last), "{text}");
            };
        use DateQualifier::*;
        check("01 Apr 1950", Exact, day(1950, 4, 1), day(1950, 4, 1));
        check("1967", Exact, day(1967, 1, 1), day(1967, 12, 31));
        check("Feb 1968", Exact, day(1968, 2, 1), day(1968, 2, 29));
        check(
            "circa 1960",
            Approximately,
            day(1960, 1, 1),
            day(1960, 12, 31),
        );
        check(
            "circa 01 Jan 1955",
            Approximately,
            day(1955, 1, 1),
            day(1955, 1, 1),
        );
        check("1960 to 1962", Between, day(1960, 1, 1), day(1962, 12, 31));
        check(
            "circa 1979-1982",
            Between,
            day(1979, 1, 1),
            day(1982, 12, 31),
        );
        check(
            "01 Jan 1960 to 31 Dec 1962.",
            Between,
            day(1960, 1, 1),
            day(1962, 12, 31),
        );
        check(
            "Jan 1965 to Dec 1966",
            Between,
            day(1965, 1, 1),
            day(1966, 12, 31),
        );
        check("1962 to 1960", Between, day(1960, 1, 1), day(1962, 12, 31));
    }

    #[test]
    fn ofac_refusals() {
        for bad in [
            "",
            "circa",
            "unknown",
            "1960 to",
            "32 Jan 1960",
            "1960 to 19xx",
        ] {
            assert!(ListedDate::parse_ofac(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_and_years() {
        let date = ListedDate::parse_ofac("circa 1963").unwrap();
        assert_eq!(date.to_string(), "circa 1963");
        assert_eq!(date.year_range(), (1963, 1963));
        let span = ListedDate::parse_ofac("1960 to 1962").unwrap();
        assert_eq!(span.to_string(), "1960 to 1962");
        assert_eq!(span.year_range(), (1960, 1962));
        assert!(ListedDate::year("0").is_err());
        assert!(ListedDate::year("19x9").is_err());
    }

    #[test]
    fn serde_round_trip() {
        let span = ListedDate::parse_ofac("1960 to 1962").unwrap();
        let json = serde_json::to_string(&span).unwrap();
        assert_eq!(serde_json::from_str::<ListedDate>(&json).unwrap(), span);
    }
}
