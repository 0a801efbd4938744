//! Country names as lists write nationalities ("Afghanistan", "Iran (Islamic Republic of)",
//! "Korea, North"), read into ISO 3166-1 alpha-2 codes so they compare with a query's code.

use std::collections::HashMap;
use std::sync::OnceLock;

use airbridge_domain::NationCode;

/// The table, from `data/countries.tsv` (our own file; its header says where it comes from).
const COUNTRIES: &str = include_str!("../data/countries.tsv");

/// Letters only, lower case: "Côte d'Ivoire" and "COTE D IVOIRE" meet.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ô' => 'o',
            'ü' => 'u',
            'é' => 'e',
            other => other,
        })
        .collect()
}

fn table() -> &'static HashMap<String, NationCode> {
    static TABLE: OnceLock<HashMap<String, NationCode>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for line in COUNTRIES.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let Some((code, names)) = line.split_once('\t') else {
                continue;
            };
            // A bad line in our own data file is skipped rather than fatal: one unknown
            // country makes nationality evidence neutral, which is safe.
            let Ok(code) = NationCode::parse(code) else {
                continue;
            };
            for name in names.split('|') {
                table.insert(fold(name), code);
            }
        }
        table
    })
}

/// The ISO code of a country written as a name or as a code ("Afghanistan", "AF", "af").
/// `None` for names not in the table and for historical states ("former Soviet Union").
pub fn nation_of_country(text: &str) -> Option<NationCode> {
    let trimmed = text.trim();
    if trimmed.len() == 2
        && let Ok(code) = NationCode::parse(trimmed)
    {
        return Some(code);
    }
    table().get(&fold(trimmed)).copied()
}

#[cfg(test)]
mod tests {
    use super::nation_of_country;

    #[test]
    fn names_and_codes() {
        let check = |text: &str, expected: Option<&str>| {
            assert_eq!(
                nation_of_country(text).as_ref().map(|c| c.as_str()),
                expected,
                "{text}"
            )
        };
        check("Afghanistan", Some("AF"));
        check("af", Some("AF"));
        check("Iran (Islamic Republic of)", Some("IR"));
        check("Democratic People's Republic of Korea", Some("KP"));
        check(
            "United Kingdom of Great Britain and Northern Ireland",
            Some("GB"),
        );
        check("Türkiye", Some("TR"));
        check("former Soviet Union", None);
        check("", None);
        check("na", Some("NA"));
    }
}
