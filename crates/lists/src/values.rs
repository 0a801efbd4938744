//! Reading one cell for the field its column holds: dates in either calendar or as Excel serial
//! numbers, ages, phones, documents, vocabularies in four languages.

use airbridge_domain::digits::fold_digits;
use airbridge_domain::{Calendar, GregorianDate, NationCode, PartialDate};

/// How to read the values of one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueOptions {
    /// The calendar of dates whose calendar cannot be told from the date itself.
    pub calendar: Option<Calendar>,
    /// Whether `03/08/1986` means 8 March (month first) rather than 3 August.
    pub month_first: bool,
    pub default_region: Option<NationCode>,
    /// The day ages are counted from (the day of the import).
    pub today: GregorianDate,
}

/// Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
const EXCEL_EPOCH_DAYS: i64 = -25_569;

/// A birth date as a list writes it, or why it cannot be read.
pub fn birth_date(text: &str, options: &ValueOptions) -> Result<PartialDate, String> {
    let folded = fold_digits(text.trim());
    // An Excel serial date: a whole number too large to be a year (1955-01-01 is 20090).
    if let Ok(serial) = folded.parse::<i64>()
        && (10_000..=80_000).contains(&serial)
    {
        let date = GregorianDate::from_days_since_epoch(EXCEL_EPOCH_DAYS + serial);
        return Ok(PartialDate::from_gregorian(date));
    }
    // A small number in a date column is an age ("34").
    if let Ok(years) = folded.parse::<i32>()
        && (0..=120).contains(&years)
    {
        return age(&folded, options.today);
    }
    let reordered = if options.month_first {
        swap_day_and_month(&folded)
    } else {
        folded
    };
    PartialDate::parse(&reordered, options.calendar).map_err(|e| e.to_string())
}

fn swap_day_and_month(text: &str) -> String {
    let parts: Vec<&str> = text.split(['/', '.', '-']).collect();
    match parts.as_slice() {
        [m, d, y] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => format!("{d}/{m}/{y}"),
        _ => text.to_owned(),
    }
}

/// An age ("34", "34 years", "۳۴ سال") becomes the Gregorian year the person was most likely
/// born in: `today`'s year less the age, less one when the birthday may not have come yet. The
/// caller warns that it is approximate.
pub fn age(text: &str, today: GregorianDate) -> Result<PartialDate, String> {
    let folded = fold_digits(text.trim()).to_lowercase();
    let number: String = folded.chars().take_while(char::is_ascii_digit).collect();
    let rest = folded[number.len()..].trim();
    let unit_ok = rest.is_empty()
        || [
            "y", "yrs", "years", "year", "ans", "an", "سال", "کال", "کلن", "ساله",
        ]
        .contains(&rest);
    match number.parse::<i32>() {
        Ok(age) if unit_ok && (0..=120).contains(&age) => {
            PartialDate::year_only(Calendar::Gregorian, today.year() - age - 1)
                .map_err(|e| e.to_string())
        }
        _ => Err(format!(
            "'{text}' is not an age: write a number of years, e.g. 34"
        )),
    }
}

/// Nationalities as lists write them: a code, or a country or demonym in four languages.
pub fn nationality(text: &str) -> Result<NationCode, String> {
    let word = text.trim().to_lowercase();
    let code = match word.as_str() {
        "afghan" | "afghanistan" | "afghane" | "afghani" | "afg" | "افغان" | "افغانستان"
        | "افغانی" => "AF",
        "american" | "usa" | "united states" | "us citizen" | "américain" | "امریکایی" => {
            "US"
        }
        "british" | "uk" | "united kingdom" | "britannique" | "انگلیسی" => "GB",
        "german" | "germany" | "allemand" | "allemande" | "deutsch" | "آلمانی" => "DE",
        "french" | "france" | "français" | "française" | "francais" | "فرانسوی" => "FR",
        "italian" | "italy" | "italien" | "italienne" | "ایتالیایی" => "IT",
        "canadian" | "canada" | "canadien" | "canadienne" | "کانادایی" => "CA",
        "dutch" | "netherlands" | "néerlandais" | "هالندی" => "NL",
        "spanish" | "spain" | "espagnol" | "espagnole" | "اسپانیایی" => "ES",
        "pakistani" | "pakistan" | "پاکستانی" => "PK",
        "iranian" | "iran" | "ایرانی" => "IR",
        _ => text.trim(),
    };
    NationCode::parse(code).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ValueOptions {
        ValueOptions {
            calendar: None,
            month_first: false,
            default_region: None,
            today: GregorianDate::new(2021, 8, 20).unwrap(),
        }
    }

    #[test]
    fn birth_dates() {
        let check = |text: &str, expected: &str| {
            let date = birth_date(text, &options()).unwrap();
            assert_eq!(date.to_string(), expected, "{text}");
        };
        check("1365/05/12", "1365-05-12 SH");
        check("۱۳۶۵/۰۵/۱۲", "1365-05-12 SH");
        check("1365", "1365 SH");
        check("03/08/1986", "1986-08-03");
        check("31627", "1986-08-03"); // Excel serial
        check("1986", "1986");
        check("34", "1986"); // an age in a date column
        let american = ValueOptions {
            month_first: true,
            ..options()
        };
        assert_eq!(
            birth_date("08/03/1986", &american).unwrap().to_string(),
            "1986-08-03"
        );
        assert!(birth_date("1986-02-30", &options()).is_err());
        assert!(birth_date("unknown", &options()).is_err());
        let declared = ValueOptions {
            calendar: Some(Calendar::SolarHijri),
            ..options()
        };
        assert_eq!(
            birth_date("1390", &declared).unwrap().to_string(),
            "1390 SH"
        );
    }

    #[test]
    fn ages_become_years() {
        let today = GregorianDate::new(2021, 8, 20).unwrap();
        assert_eq!(age("34", today).unwrap().to_string(), "1986");
        assert_eq!(age("۳۴ سال", today).unwrap().to_string(), "1986");
        assert_eq!(age("34 years", today).unwrap().to_string(), "1986");
        assert!(age("old", today).is_err());
        assert!(age("340", today).is_err());
    }

    #[test]
    fn nationalities() {
        assert_eq!(nationality("Afghan").unwrap().as_str(), "AF");
        assert_eq!(nationality("افغان").unwrap().as_str(), "AF");
        assert_eq!(nationality("fr").unwrap().as_str(), "FR");
        assert!(nationality("Martian").is_err());
    }
}
