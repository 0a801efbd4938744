//! The demo's name bank, read from `data/names.tsv` (embedded at compile time).

/// One name with its spellings: Latin variants (most common first) and the Arabic-script form.
#[derive(Debug, Clone)]
pub struct BankName {
    pub arabic: Option<&'static str>,
    pub latin: Vec<&'static str>,
}

/// Names by kind.
#[derive(Debug, Clone, Default)]
pub struct NameBank {
    pub male: Vec<BankName>,
    pub female: Vec<BankName>,
    pub family: Vec<BankName>,
    pub western_given: Vec<&'static str>,
    pub western_family: Vec<&'static str>,
}

const NAMES: &str = include_str!("../data/names.tsv");

impl NameBank {
    /// Parses the embedded table. The table is part of the crate, so a malformed line is a
    /// bug caught by the tests, and is skipped rather than panicking at run time.
    pub fn load() -> NameBank {
        let mut bank = NameBank::default();
        for line in NAMES.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut columns = line.split('\t');
            let (Some(kind), Some(arabic), Some(latin)) =
                (columns.next(), columns.next(), columns.next())
            else {
                continue;
            };
            let latin: Vec<&'static str> = latin.split(',').map(str::trim).collect();
            let name = BankName {
                arabic: (arabic != "-").then_some(arabic),
                latin: latin.clone(),
            };
            match kind {
                "male" => bank.male.push(name),
                "female" => bank.female.push(name),
                "family" => bank.family.push(name),
                "western_given" => bank.western_given.extend(latin),
                "western_family" => bank.western_family.extend(latin),
                _ => {}
            }
        }
        bank
    }
}

/// A listed individual planted in the demo so screening has something to find.
#[derive(Debug, Clone)]
pub struct Sanctioned {
    pub reference: &'static str,
    pub name: &'static str,
    pub birth: &'static str,
    pub original_script: &'static str,
}

const SANCTIONED: &str = include_str!("../data/sanctioned.tsv");

pub fn sanctioned() -> Vec<Sanctioned> {
    SANCTIONED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|line| {
            let mut c = line.split('\t');
            Some(Sanctioned {
                reference: c.next()?,
                name: c.next()?,
                birth: c.next()?,
                original_script: c.next()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_complete() {
        let bank = NameBank::load();
        assert!(bank.male.len() >= 50, "{}", bank.male.len());
        assert!(bank.female.len() >= 30);
        assert!(bank.family.len() >= 35);
        assert!(bank.western_given.len() >= 10 && bank.western_family.len() >= 10);
        for name in bank.male.iter().chain(&bank.female).chain(&bank.family) {
            assert!(name.arabic.is_some() && !name.latin.is_empty() && !name.latin[0].is_empty());
        }
        let listed = sanctioned();
        assert_eq!(listed.len(), 8);
        assert!(listed.iter().all(|s| s.reference.starts_with("TAi.")));
    }
}
