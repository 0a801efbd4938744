//! Dates as lists give them: partial (year, year-month or full) and in the Gregorian or the
//! Solar Hijri calendar.
//!
//! Afghan documents (tazkira) give birth dates in the Solar Hijri calendar, often only the year.
//! A Solar Hijri year is not a Gregorian year: 1365 runs from 1986-03-21 to 1987-03-20. Every
//! comparison in Airbridge therefore works on the *Gregorian interval* a partial date stands
//! for, never on a guessed single day. Conversions use ICU4X's Persian calendar.

use crate::digits::fold_digits;
use icu_calendar::{Date, Gregorian, cal::Persian};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The calendar a date was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    Gregorian,
    /// The official calendar of Afghanistan and Iran (Hijri Shamsi); year 1 began in 622 CE.
    SolarHijri,
}

impl Calendar {
    pub fn as_str(self) -> &'static str {
        match self {
            Calendar::Gregorian => "gregorian",
            Calendar::SolarHijri => "solar_hijri",
        }
    }

    pub fn parse(text: &str) -> Option<Calendar> {
        match text.trim().to_ascii_lowercase().as_str() {
            "gregorian" | "g" | "ad" | "ce" => Some(Calendar::Gregorian),
            "solar_hijri" | "solar hijri" | "sh" | "ap" | "hs" | "shamsi" | "jalali"
            | "persian" => Some(Calendar::SolarHijri),
            _ => None,
        }
    }
}

/// Why a date was refused. Every message says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("{year}-{month:02}-{day:02} does not exist in the {calendar} calendar")]
    NoSuchDay {
        calendar: &'static str,
        year: i32,
        month: u8,
        day: u8,
    },
    #[error("month {0} is out of range: months run from 1 to 12")]
    NoSuchMonth(u8),
    #[error(
        "year {0} is out of range: Gregorian years run from 1 to 9999, Solar Hijri from 1 to 9377"
    )]
    YearOutOfRange(i32),
    #[error("'{0}' is not a date: write YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY")]
    Unreadable(String),
    #[error(
        "'{text}': cannot tell whether year {year} is Gregorian or Solar Hijri; \
         add 'SH' or 'AD' to the date or declare the calendar"
    )]
    UnknownCalendar { text: String, year: i32 },
}

/// A whole Gregorian date, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GregorianDate {
    year: i32,
    month: u8,
    day: u8,
}

fn is_gregorian_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn gregorian_month_length(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_gregorian_leap(year) => 29,
        _ => 28,
    }
}

impl GregorianDate {
    pub fn new(year: i32, month: u8, day: u8) -> Result<GregorianDate, DateError> {
        if !(1..=9999).contains(&year) {
            return Err(DateError::YearOutOfRange(year));
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::NoSuchMonth(month));
        }
        if day == 0 || day > gregorian_month_length(year, month) {
            return Err(DateError::NoSuchDay {
                calendar: "Gregorian",
                year,
                month,
                day,
            });
        }
        Ok(GregorianDate { year, month, day })
    }

    pub fn year(&self) -> i32 {
        self.year
    }
    pub fn month(&self) -> u8 {
        self.month
    }
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before). The civil-from-days arithmetic of the
    /// proleptic Gregorian calendar, on 400-year eras.
    pub fn days_since_epoch(&self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The inverse of [`GregorianDate::days_since_epoch`]. Days outside years 1–9999 are
    /// clamped to the ends of that range.
    pub fn from_days_since_epoch(days: i64) -> GregorianDate {
        let days = days.clamp(-719_162, 2_932_896) + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        GregorianDate {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        }
    }

    /// The same day in the Solar Hijri calendar, as (year, month, day).
    pub fn to_solar_hijri(&self) -> (i32, u8, u8) {
        match Date::try_new_gregorian(self.year, self.month, self.day) {
            Ok(date) => {
                let persian = date.to_calendar(Persian);
                (
                    persian.year().extended_year(),
                    persian.month().ordinal,
                    persian.day_of_month().0,
                )
            }
            // Unreachable for a validated date; keep the engine panic-free regardless.
            Err(_) => (self.year - 621, 1, 1),
        }
    }

    /// The age in whole years on `today`.
    pub fn age_on(&self, today: GregorianDate) -> i32 {
        let mut age = today.year - self.year;
        if (today.month, today.day) < (self.month, self.day) {
            age -= 1;
        }
        age
    }
}

impl fmt::Display for GregorianDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for GregorianDate {
    type Err = DateError;
    /// Reads `YYYY-MM-DD` exactly.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parsed = PartialDate::parse(text, Some(Calendar::Gregorian))?;
        parsed
            .exact_gregorian()
            .ok_or_else(|| DateError::Unreadable(text.to_owned()))
    }
}

impl TryFrom<String> for GregorianDate {
    type Error = DateError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<GregorianDate> for String {
    fn from(date: GregorianDate) -> String {
        date.to_string()
    }
}

/// The last Solar Hijri year whose days all fall within Gregorian year 9999 (found by fuzzing:
/// later years have no Gregorian range to compare with).
pub const MAX_SOLAR_HIJRI_YEAR: i32 = 9377;

/// Converts a Solar Hijri day to the Gregorian calendar, checking that the day exists.
pub fn solar_hijri_to_gregorian(year: i32, month: u8, day: u8) -> Result<GregorianDate, DateError> {
    let no_such_day = DateError::NoSuchDay {
        calendar: "Solar Hijri",
        year,
        month,
        day,
    };
    if !(1..=MAX_SOLAR_HIJRI_YEAR).contains(&year) {
        return Err(DateError::YearOutOfRange(year));
    }
    if !(1..=12).contains(&month) {
        return Err(DateError::NoSuchMonth(month));
    }
    let date = Date::try_new_persian(year, month, day).map_err(|_| no_such_day.clone())?;
    // ICU may constrain rather than refuse an overlong day; make sure the day is real.
    if date.day_of_month().0 != day || date.month().ordinal != month {
        return Err(no_such_day);
    }
    let gregorian = date.to_calendar(Gregorian);
    GregorianDate::new(
        gregorian.year().extended_year(),
        gregorian.month().ordinal,
        gregorian.day_of_month().0,
    )
}

/// How much of a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A date known to the year, the month or the day, in the calendar it was written in.
///
/// Invariants (kept by the constructors): a day is only present with a month; the date exists
/// in its calendar; the year is in 1–9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PartialDateParts", into = "PartialDateParts")]
pub struct PartialDate {
    calendar: Calendar,
    year: i32,
    month: Option<u8>,
    day: Option<u8>,
}

/// The serialised form of a [`PartialDate`]; it is validated on the way in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartialDateParts {
    pub calendar: Calendar,
    pub year: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
}

impl TryFrom<PartialDateParts> for PartialDate {
    type Error = DateError;
    fn try_from(parts: PartialDateParts) -> Result<Self, Self::Error> {
        PartialDate::new(parts.calendar, parts.year, parts.month, parts.day)
    }
}

impl From<PartialDate> for PartialDateParts {
    fn from(date: PartialDate) -> Self {
        PartialDateParts {
            calendar: date.calendar,
            year: date.year,
            month: date.month,
            day: date.day,
        }
    }
}

/// Month names as Afghan lists write them: the Dari zodiac names used in Afghanistan, and the
/// Iranian names, in common Latin spellings. Both count from the spring equinox.
const SOLAR_HIJRI_MONTHS: [&[&str]; 12] = [
    &["hamal", "farvardin", "farwardin"],
    &["sawr", "saur", "sour", "ordibehesht", "urdibihisht"],
    &["jawza", "jauza", "jowza", "khordad", "khurdad"],
    &["saratan", "tir"],
    &["asad", "mordad", "murdad", "amordad"],
    &["sunbula", "sonbola", "sunbulah", "shahrivar", "shahrewar"],
    &["mizan", "mehr", "mihr"],
    &["aqrab", "aqrab", "aban"],
    &["qaws", "qaus", "azar"],
    &["jadi", "jaddi", "dey", "dai"],
    &["dalw", "dalv", "bahman"],
    &["hut", "hoot", "esfand", "isfand"],
];

const GREGORIAN_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_from_name(word: &str) -> Option<(u8, Calendar)> {
    let word = word.to_ascii_lowercase();
    for (index, names) in SOLAR_HIJRI_MONTHS.iter().enumerate() {
        if names.contains(&word.as_str()) {
            return Some((index as u8 + 1, Calendar::SolarHijri));
        }
    }
    for (index, name) in GREGORIAN_MONTHS.iter().enumerate() {
        // "aug", "sept", "august": a word that begins a month's English name, three letters at
        // least. ("dec44" is not a month: found by fuzzing.)
        if word.len() >= 3 && name.starts_with(word.as_str()) {
            return Some((index as u8 + 1, Calendar::Gregorian));
        }
    }
    None
}

impl PartialDate {
    /// Builds a partial date, checking that it exists in its calendar.
    pub fn new(
        calendar: Calendar,
        year: i32,
        month: Option<u8>,
        day: Option<u8>,
    ) -> Result<PartialDate, DateError> {
        let last_year = match calendar {
            Calendar::Gregorian => 9999,
            Calendar::SolarHijri => MAX_SOLAR_HIJRI_YEAR,
        };
        if !(1..=last_year).contains(&year) {
            return Err(DateError::YearOutOfRange(year));
        }
        if let Some(month) = month
            && !(1..=12).contains(&month)
        {
            return Err(DateError::NoSuchMonth(month));
        }
        match (month, day) {
            (None, Some(_)) => {
                return Err(DateError::Unreadable(format!(
                    "{year} with a day but no month"
                )));
            }
            (Some(month), Some(day)) => match calendar {
                Calendar::Gregorian => {
                    GregorianDate::new(year, month, day)?;
                }
                Calendar::SolarHijri => {
                    solar_hijri_to_gregorian(year, month, day)?;
                }
            },
            _ => {}
        }
        Ok(PartialDate {
            calendar,
            year,
            month,
            day,
        })
    }

    pub fn year_only(calendar: Calendar, year: i32) -> Result<PartialDate, DateError> {
        PartialDate::new(calendar, year, None, None)
    }

    /// A whole Gregorian date as a partial date.
    pub fn from_gregorian(date: GregorianDate) -> PartialDate {
        PartialDate {
            calendar: Calendar::Gregorian,
            year: date.year,
            month: Some(date.month),
            day: Some(date.day),
        }
    }

    pub fn calendar(&self) -> Calendar {
        self.calendar
    }
    pub fn year(&self) -> i32 {
        self.year
    }
    pub fn month(&self) -> Option<u8> {
        self.month
    }
    pub fn day(&self) -> Option<u8> {
        self.day
    }

    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ => Precision::Year,
        }
    }

    /// The first and last Gregorian day (inclusive) this date may stand for.
    pub fn gregorian_range(&self) -> (GregorianDate, GregorianDate) {
        match self.calendar {
            Calendar::Gregorian => {
                let (first_month, last_month) = match self.month {
                    Some(m) => (m, m),
                    None => (1, 12),
                };
                let first_day = self.day.unwrap_or(1);
                let last_day = self
                    .day
                    .unwrap_or_else(|| gregorian_month_length(self.year, last_month));
                (
                    GregorianDate {
                        year: self.year,
                        month: first_month,
                        day: first_day,
                    },
                    GregorianDate {
                        year: self.year,
                        month: last_month,
                        day: last_day,
                    },
                )
            }
            Calendar::SolarHijri => {
                // The first day of the period, and the day before the first day of the next.
                let (first, next) = match (self.month, self.day) {
                    (Some(m), Some(d)) => {
                        let day = self.solar_day(self.year, m, d);
                        (day, day.days_since_epoch() + 1)
                    }
                    (Some(12), None) => (
                        self.solar_day(self.year, 12, 1),
                        self.solar_day(self.year + 1, 1, 1).days_since_epoch(),
                    ),
                    (Some(m), None) => (
                        self.solar_day(self.year, m, 1),
                        self.solar_day(self.year, m + 1, 1).days_since_epoch(),
                    ),
                    _ => (
                        self.solar_day(self.year, 1, 1),
                        self.solar_day(self.year + 1, 1, 1).days_since_epoch(),
                    ),
                };
                (first, GregorianDate::from_days_since_epoch(next - 1))
            }
        }
    }

    fn solar_day(&self, year: i32, month: u8, day: u8) -> GregorianDate {
        // Validated at construction; year + 1 past 9999 falls back to a clamp, not a panic.
        solar_hijri_to_gregorian(year, month, day)
            .unwrap_or_else(|_| GregorianDate::from_days_since_epoch(i64::MAX))
    }

    /// The Gregorian day, when the date is known to the day.
    pub fn exact_gregorian(&self) -> Option<GregorianDate> {
        (self.precision() == Precision::Day).then(|| self.gregorian_range().0)
    }

    /// Whether this is a full date on the first day of the year (1 January or 1 Hamal): lists use
    /// it as a placeholder when only the year is known, so it is weak evidence.
    pub fn is_first_of_year(&self) -> bool {
        self.month == Some(1) && self.day == Some(1)
    }

    /// Whether two dates can be the same day: their Gregorian ranges overlap.
    pub fn compatible_with(&self, other: &PartialDate) -> bool {
        let (a_first, a_last) = self.gregorian_range();
        let (b_first, b_last) = other.gregorian_range();
        a_first <= b_last && b_first <= a_last
    }

    /// Reads a date as lists write it: `1986`, `1986-08`, `1986-08-03`, `03/08/1986`,
    /// `03.08.1986`, `19860803`, `1365/05/12`, `۱۳۶۵/۰۵/۱۲`, `24 Asad 1400`, `3 Aug 1986`, with an
    /// optional calendar tag (`SH`, `AP`, `AD`, `هـ ش`). `00` for a month or day means unknown.
    ///
    /// When the calendar is neither declared nor tagged it is inferred from the year: 1250–1450
    /// is Solar Hijri (no one alive was born in those Gregorian years), 1800–2200 Gregorian.
    pub fn parse(text: &str, declared: Option<Calendar>) -> Result<PartialDate, DateError> {
        let unreadable = || DateError::Unreadable(text.trim().to_owned());
        let folded = fold_digits(text);
        let mut calendar = declared;
        let mut numbers: Vec<&str> = Vec::new();
        let mut named_month: Option<u8> = None;
        let lowered = folded.replace(['\u{0647}', '\u{0640}'], " ");
        // Persian tags: "ه.ش", "هـ ش", "ش" (shamsi); we removed heh and tatweel above.
        let lowered = lowered.replace('\u{0634}', " sh ");
        for word in lowered
            .split(|c: char| c.is_whitespace() || matches!(c, '-' | '/' | '.' | ',' | '\\'))
            .filter(|w| !w.is_empty())
        {
            if word.chars().all(|c| c.is_ascii_digit()) {
                numbers.push(word);
            } else if let Some(tag) = Calendar::parse(word) {
                calendar.get_or_insert(tag);
            } else if let Some((month, month_calendar)) = month_from_name(word) {
                if named_month.is_some() {
                    return Err(unreadable());
                }
                named_month = Some(month);
                calendar.get_or_insert(month_calendar);
            } else {
                return Err(unreadable());
            }
        }
        let number = |s: &str| s.parse::<i64>().map_err(|_| unreadable());
        let (year, month, day) = match (numbers.as_slice(), named_month) {
            ([y], None) if y.len() == 8 => (number(&y[..4])?, number(&y[4..6])?, number(&y[6..])?),
            ([y], None) if y.len() == 4 => (number(y)?, 0, 0),
            ([y], Some(m)) if y.len() == 4 => (number(y)?, i64::from(m), 0),
            ([d, y], Some(m)) if y.len() == 4 && d.len() <= 2 => {
                (number(y)?, i64::from(m), number(d)?)
            }
            ([y, m], None) if y.len() == 4 && m.len() <= 2 => (number(y)?, number(m)?, 0),
            ([m, y], None) if y.len() == 4 && m.len() <= 2 => (number(y)?, number(m)?, 0),
            ([y, m, d], None) if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
                (number(y)?, number(m)?, number(d)?)
            }
            ([d, m, y], None) if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
                (number(y)?, number(m)?, number(d)?)
            }
            _ => return Err(unreadable()),
        };
        let year = i32::try_from(year).map_err(|_| unreadable())?;
        let calendar = match calendar {
            Some(calendar) => calendar,
            None if (1250..=1450).contains(&year) => Calendar::SolarHijri,
            None if (1800..=2200).contains(&year) => Calendar::Gregorian,
            None => {
                return Err(DateError::UnknownCalendar {
                    text: text.trim().to_owned(),
                    year,
                });
            }
        };
        let month = u8::try_from(month).map_err(|_| DateError::NoSuchMonth(u8::MAX))?;
        let day = u8::try_from(day).map_err(|_| unreadable())?;
        let month = (month != 0).then_some(month);
        // A day without a month ("1986-00-12") keeps only the year.
        let day = (day != 0 && month.is_some()).then_some(day);
        PartialDate::new(calendar, year, month, day)
    }
}

impl fmt::Display for PartialDate {
    /// `1986`, `1986-08`, `1986-08-03` for Gregorian dates; the same followed by ` SH` for
    /// Solar Hijri ones. [`PartialDate::parse`] reads this form back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
        }
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        match self.calendar {
            Calendar::SolarHijri => f.write_str(" SH")?,
            // A Gregorian year that `parse` would not read as Gregorian by itself is tagged,
            // so that what is displayed always reads back the same (found by fuzzing).
            Calendar::Gregorian if !(1800..=2200).contains(&self.year) => f.write_str(" AD")?,
            Calendar::Gregorian => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn g(y: i32, m: u8, d: u8) -> GregorianDate {
        GregorianDate::new(y, m, d).unwrap()
    }

    #[test]
    fn solar_hijri_known_dates() {
        let known = [
            ((1400, 1, 1), (2021, 3, 21)),
            ((1364, 1, 1), (1985, 3, 21)),
            ((1400, 5, 24), (2021, 8, 15)), // 24 Asad 1400: the fall of Kabul
            ((1399, 12, 30), (2021, 3, 20)), // 1399 is a leap year
            ((1403, 1, 1), (2024, 3, 20)),
            ((1354, 1, 1), (1975, 3, 21)),
            ((1357, 10, 11), (1979, 1, 1)),
            ((1379, 10, 11), (2000, 12, 31)),
        ];
        for ((sy, sm, sd), (gy, gm, gd)) in known {
            assert_eq!(
                solar_hijri_to_gregorian(sy, sm, sd).unwrap(),
                g(gy, gm, gd),
                "{sy}-{sm}-{sd}"
            );
            assert_eq!(g(gy, gm, gd).to_solar_hijri(), (sy, sm, sd));
        }
    }

    #[test]
    fn solar_hijri_refuses_days_that_do_not_exist() {
        assert!(solar_hijri_to_gregorian(1400, 12, 30).is_err()); // 1400 is not leap
        assert!(solar_hijri_to_gregorian(1400, 7, 31).is_err()); // Mizan has 30 days
        assert!(solar_hijri_to_gregorian(1400, 13, 1).is_err());
        assert!(solar_hijri_to_gregorian(1400, 1, 0).is_err());
    }

    #[test]
    fn partial_date_ranges() {
        let check = |text: &str, first: GregorianDate, last: GregorianDate| {
            let date = PartialDate::parse(text, None).unwrap();
            assert_eq!(date.gregorian_range(), (first, last), "{text}");
        };
        check("1365", g(1986, 3, 21), g(1987, 3, 20));
        check("1365/05", g(1986, 7, 23), g(1986, 8, 22));
        check("1365/12", g(1987, 2, 20), g(1987, 3, 20));
        check("1399-12", g(2021, 2, 19), g(2021, 3, 20));
        check("۱۳۶۵/۰۵/۱۲", g(1986, 8, 3), g(1986, 8, 3));
        check("1986", g(1986, 1, 1), g(1986, 12, 31));
        check("1988-02", g(1988, 2, 1), g(1988, 2, 29));
        check("1986-08-03", g(1986, 8, 3), g(1986, 8, 3));
        check("03/08/1986", g(1986, 8, 3), g(1986, 8, 3));
        check("24 Asad 1400", g(2021, 8, 15), g(2021, 8, 15));
        check("3 Aug 1986", g(1986, 8, 3), g(1986, 8, 3));
        check("19860803", g(1986, 8, 3), g(1986, 8, 3));
        check("1986-00-00", g(1986, 1, 1), g(1986, 12, 31));
        check("1365 SH", g(1986, 3, 21), g(1987, 3, 20));
    }

    #[test]
    fn parse_declared_calendar_and_errors() {
        let sh = PartialDate::parse("1990", Some(Calendar::SolarHijri)).unwrap();
        assert_eq!(sh.calendar(), Calendar::SolarHijri);
        assert!(matches!(
            PartialDate::parse("1600", None),
            Err(DateError::UnknownCalendar { year: 1600, .. })
        ));
        for bad in [
            "",
            "abc",
            "12/08/86",
            "1986-13-01",
            "1986-02-30",
            "1-2-3-4",
            "31 Foo 1986",
            "dec44-0004",
            "9858 AP",
        ] {
            assert!(
                PartialDate::parse(bad, None).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn compatibility_across_calendars() {
        let sh = PartialDate::parse("1365", None).unwrap();
        assert!(sh.compatible_with(&PartialDate::parse("1986", None).unwrap()));
        assert!(sh.compatible_with(&PartialDate::parse("1987-02-01", None).unwrap()));
        assert!(!sh.compatible_with(&PartialDate::parse("1985-12-31", None).unwrap()));
        assert!(
            PartialDate::parse("1986-01-01", None)
                .unwrap()
                .is_first_of_year()
        );
    }

    #[test]
    fn display_reads_back() {
        for text in [
            "1986",
            "1986-08",
            "1986-08-03",
            "1365 SH",
            "1365-05 SH",
            "1365-05-12 SH",
            "0004-12 AD",
            "1300 AD",
        ] {
            let date = PartialDate::parse(text, None).unwrap();
            assert_eq!(date.to_string(), text);
            assert_eq!(PartialDate::parse(&date.to_string(), None).unwrap(), date);
        }
    }

    #[test]
    fn age_on_a_day() {
        assert_eq!(g(1986, 8, 3).age_on(g(2021, 8, 2)), 34);
        assert_eq!(g(1986, 8, 3).age_on(g(2021, 8, 3)), 35);
    }

    proptest! {
        #[test]
        fn epoch_days_round_trip(days in -700_000i64..2_900_000) {
            let date = GregorianDate::from_days_since_epoch(days);
            prop_assert_eq!(date.days_since_epoch(), days);
            prop_assert!(GregorianDate::new(date.year(), date.month(), date.day()).is_ok());
        }

        #[test]
        fn solar_hijri_round_trip(days in -40_000i64..40_000) {
            let date = GregorianDate::from_days_since_epoch(days);
            let (y, m, d) = date.to_solar_hijri();
            prop_assert_eq!(solar_hijri_to_gregorian(y, m, d).unwrap(), date);
        }

        #[test]
        fn solar_hijri_is_monotonic(days in -40_000i64..40_000) {
            let today = GregorianDate::from_days_since_epoch(days).to_solar_hijri();
            let tomorrow = GregorianDate::from_days_since_epoch(days + 1).to_solar_hijri();
            prop_assert!(tomorrow > today);
        }

        #[test]
        fn solar_hijri_year_ranges_tile_the_timeline(year in 1300i32..1450) {
            let this = PartialDate::year_only(Calendar::SolarHijri, year).unwrap().gregorian_range();
            let next = PartialDate::year_only(Calendar::SolarHijri, year + 1).unwrap().gregorian_range();
            prop_assert_eq!(this.1.days_since_epoch() + 1, next.0.days_since_epoch());
            let length = this.1.days_since_epoch() - this.0.days_since_epoch() + 1;
            prop_assert!(length == 365 || length == 366);
        }

        #[test]
        fn month_ranges_lie_inside_their_year(year in 1300i32..1450, month in 1u8..=12) {
            let whole = PartialDate::year_only(Calendar::SolarHijri, year).unwrap().gregorian_range();
            let part = PartialDate::new(Calendar::SolarHijri, year, Some(month), None).unwrap().gregorian_range();
            prop_assert!(whole.0 <= part.0 && part.1 <= whole.1 && part.0 <= part.1);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,20}") {
            let _ = PartialDate::parse(&text, None);
        }
    }
}
