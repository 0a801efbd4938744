//! The kinds of request a virtual user makes, the share of each in the mix, and the p95 goal
//! issue 8 holds each to.

use std::fmt;

/// One kind of request, reported on its own line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A name search with a query in Latin letters.
    SearchLatin,
    /// A name search with a query in Arabic script (Dari, Pashto).
    SearchArabic,
    /// The dashboard page.
    Dashboard,
    /// A case page: the case and its members with their status histories.
    Case,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::SearchLatin,
        Kind::SearchArabic,
        Kind::Dashboard,
        Kind::Case,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::SearchLatin => "search_latin",
            Kind::SearchArabic => "search_arabic",
            Kind::Dashboard => "dashboard",
            Kind::Case => "case",
        }
    }

    /// Its place in arrays indexed by kind.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_search(self) -> bool {
        matches!(self, Kind::SearchLatin | Kind::SearchArabic)
    }

    /// The p95 issue 8 asks for: a name search in any script within 100 ms, the dashboard and
    /// a case page within 200 ms, with 1,000,000 people and 50 concurrent users.
    pub fn goal_p95_ms(self) -> u64 {
        if self.is_search() { 100 } else { 200 }
    }

    fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == text)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How often each kind is drawn, as integer weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mix {
    weights: [u32; 4],
}

impl Mix {
    /// Reads `search_latin=2,search_arabic=2,dashboard=1,case=1`; a kind left out is never
    /// drawn. At least one weight must be above zero.
    pub fn parse(text: &str) -> Result<Mix, String> {
        let mut weights = [0u32; 4];
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}' is not KIND=WEIGHT"))?;
            let kind = Kind::parse(name.trim()).ok_or_else(|| {
                format!(
                    "'{}' is not a kind of request (search_latin, search_arabic, dashboard, case)",
                    name.trim()
                )
            })?;
            weights[kind.index()] = weight
                .trim()
                .parse()
                .map_err(|_| format!("'{}' is not a whole number", weight.trim()))?;
        }
        if weights.iter().all(|w| *w == 0) {
            return Err("the mix draws no request: give at least one weight above zero".into());
        }
        if weights.iter().map(|w| u64::from(*w)).sum::<u64>() > u64::from(u32::MAX) {
            return Err("the weights add up to too much".into());
        }
        Ok(Mix { weights })
    }

    pub fn weight(&self, kind: Kind) -> u32 {
        self.weights[kind.index()]
    }

    pub fn total(&self) -> u32 {
        self.weights.iter().sum()
    }

    /// The kind a roll in `0..total()` lands on: each kind owns a run of rolls as long as its
    /// weight, in the order of [`Kind::ALL`].
    pub fn pick(&self, roll: u32) -> Kind {
        let mut left = roll % self.total();
        for kind in Kind::ALL {
            let weight = self.weight(kind);
            if left < weight {
                return kind;
            }
            left -= weight;
        }
        unreachable!("a roll below the total lands on a kind")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mix_is_read_from_kind_weight_pairs() {
        let mix = Mix::parse("search_latin=2, dashboard=1,case=3").unwrap();
        assert_eq!(mix.weight(Kind::SearchLatin), 2);
        assert_eq!(mix.weight(Kind::SearchArabic), 0);
        assert_eq!(mix.weight(Kind::Dashboard), 1);
        assert_eq!(mix.weight(Kind::Case), 3);
        assert_eq!(mix.total(), 6);
    }

    #[test]
    fn a_bad_mix_is_refused_with_its_reason() {
        for (text, expected) in [
            ("search", "is not KIND=WEIGHT"),
            ("person=1", "is not a kind of request"),
            ("case=x", "is not a whole number"),
            ("case=0", "draws no request"),
            ("", "draws no request"),
        ] {
            let error = Mix::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn each_kind_is_picked_as_often_as_its_weight() {
        let mix = Mix::parse("search_latin=2,search_arabic=0,dashboard=1,case=3").unwrap();
        let mut drawn = [0u32; 4];
        for roll in 0..mix.total() * 5 {
            drawn[mix.pick(roll).index()] += 1;
        }
        assert_eq!(drawn, [10, 0, 5, 15]);
        assert_eq!(mix.pick(0), Kind::SearchLatin);
        assert_eq!(mix.pick(1), Kind::SearchLatin);
        assert_eq!(mix.pick(2), Kind::Dashboard);
        assert_eq!(mix.pick(3), Kind::Case);
        assert_eq!(mix.pick(5), Kind::Case);
    }

    #[test]
    fn goals_follow_the_issue() {
        assert_eq!(Kind::SearchArabic.goal_p95_ms(), 100);
        assert_eq!(Kind::SearchLatin.goal_p95_ms(), 100);
        assert_eq!(Kind::Dashboard.goal_p95_ms(), 200);
        assert_eq!(Kind::Case.goal_p95_ms(), 200);
    }
}
