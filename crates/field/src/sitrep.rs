//! The situation report's figures for an allied coordination meeting: people per nation and
//! category and where they stand (waiting, called, at the airport, evacuated, no-shows, …),
//! evacuated per day, flights flown and seats used; and the same figures as one long CSV table.
//!
//! The store counts; this module only adds up what it is given (plain types defined here, so
//! the engine does not depend on the store), and reads no clock: the caller says when the
//! report was made.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use time::{Date, Duration, macros::format_description};

/// How many people of one nation and category are in one evacuation status now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// The nation responsible for the case (ISO 3166-1 alpha-2).
    pub nation: String,
    /// `national`, `local_staff`, `at_risk` or `undecided`.
    pub category: String,
    /// The evacuation status in snake case (`called_forward`, `at_gate`, `departed`, …).
    pub status: String,
    pub people: i64,
}

/// How many people of one nation reached one status on one day (Kabul date, `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    pub day: String,
    pub nation: String,
    /// `called_forward`, `no_show`, `departed` or `arrived`; others are ignored.
    pub status: String,
    pub people: i64,
}

/// One flight: how many people are on its manifest, aboard, and flown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flight {
    pub flight: String,
    pub manifested: i64,
    pub boarded: i64,
    pub departed: i64,
    /// The day it left (`YYYY-MM-DD`), once it has.
    pub departed_on: Option<String>,
}

/// Where the people of one group stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Everyone registered, whatever their status.
    pub registered: i64,
    /// Registered or found eligible, not yet called.
    pub waiting: i64,
    /// Called forward, not yet at the gate.
    pub called: i64,
    /// At the gate, processed, on a manifest or aboard.
    pub at_airport: i64,
    /// Departed or arrived.
    pub evacuated: i64,
    pub no_shows: i64,
    pub denied: i64,
    pub ineligible: i64,
    pub withdrawn: i64,
}

impl Figures {
    /// The figures in report order, with the CSV's metric names.
    pub fn metrics(&self) -> [(&'static str, i64); 9] {
        [
            ("registered", self.registered),
            ("waiting", self.waiting),
            ("called", self.called),
            ("at_airport", self.at_airport),
            ("evacuated", self.evacuated),
            ("no_shows", self.no_shows),
            ("denied", self.denied),
            ("ineligible", self.ineligible),
            ("withdrawn", self.withdrawn),
        ]
    }

    /// Adds people in one status; `false` when the status is not one this report knows (they
    /// still count as registered).
    fn add(&mut self, status: &str, people: i64) -> bool {
        self.registered += people;
        let slot = match status {
            "registered" | "eligible" => &mut self.waiting,
            "called_forward" => &mut self.called,
            "at_gate" | "processed" | "manifested" | "boarded" => &mut self.at_airport,
            "departed" | "arrived" => &mut self.evacuated,
            "no_show" => &mut self.no_shows,
            "denied" => &mut self.denied,
            "ineligible" => &mut self.ineligible,
            "withdrawn" => &mut self.withdrawn,
            _ => return false,
        };
        *slot += people;
        true
    }

    fn plus(mut self, other: &Figures) -> Figures {
        self.registered += other.registered;
        self.waiting += other.waiting;
        self.called += other.called;
        self.at_airport += other.at_airport;
        self.evacuated += other.evacuated;
        self.no_shows += other.no_shows;
        self.denied += other.denied;
        self.ineligible += other.ineligible;
        self.withdrawn += other.withdrawn;
        self
    }
}

/// One nation and category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub nation: String,
    pub category: String,
    pub figures: Figures,
}

/// One nation, all categories, with its categories' rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NationTotal {
    pub nation: String,
    pub figures: Figures,
    pub categories: Vec<Row>,
}

/// People of one nation on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NationPeople {
    pub nation: String,
    pub people: i64,
}

/// One day of the operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayFigures {
    pub day: String,
    /// People who left Kabul that day (reached `departed`).
    pub evacuated: i64,
    /// The same by nation, nations with none left out.
    pub evacuated_by_nation: Vec<NationPeople>,
    pub called: i64,
    pub no_shows: i64,
}

/// A flight that has left: the seats it used are the people it flew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlightFlown {
    pub flight: String,
    pub departed_on: Option<String>,
    pub seats_used: i64,
}

/// A flight not yet gone with people on its manifest or aboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlightBoarding {
    pub flight: String,
    pub manifested: i64,
    pub boarded: i64,
}

/// The situation report's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sitrep {
    /// When the figures were taken, as the caller wrote it.
    pub generated_at: String,
    /// Who took them (the audit trail's actor, `user:amelie`, `cli:ops`), as the caller wrote
    /// it with [`Sitrep::generated_by`]; empty until then. Every copy of the report names it.
    pub generated_by: String,
    /// Whose figures these are (`All nations`, `FR`, …), as the caller wrote it.
    pub scope: String,
    /// Nations in code order, categories in a fixed order within each.
    pub nations: Vec<NationTotal>,
    pub total: Figures,
    /// Every day from the first to the last day with any figure, days without any included
    /// (at most [`MAX_DAYS`]).
    pub days: Vec<DayFigures>,
    pub flights_flown: Vec<FlightFlown>,
    pub flights_boarding: Vec<FlightBoarding>,
    /// People flown on the flights that left.
    pub seats_used: i64,
    /// What the report could not place: unknown statuses (counted as registered only),
    /// unreadable days (left out of the daily figures).
    pub issues: Vec<String>,
}

/// Days shown at most; a wrong date in the data must not make the report a year long.
pub const MAX_DAYS: usize = 120;

const CATEGORY_ORDER: [&str; 4] = ["national", "local_staff", "at_risk", "undecided"];

fn category_rank(category: &str) -> (usize, String) {
    let rank = CATEGORY_ORDER
        .iter()
        .position(|c| *c == category)
        .unwrap_or(CATEGORY_ORDER.len());
    (rank, category.to_owned())
}

fn parse_day(day: &str) -> Option<Date> {
    Date::parse(day.trim(), format_description!("[year]-[month]-[day]")).ok()
}

fn format_day(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

#[derive(Default)]
struct DayTally {
    evacuated: BTreeMap<String, i64>,
    called: i64,
    no_shows: i64,
}

impl Sitrep {
    pub fn build(
        generated_at: String,
        scope: String,
        counts: &[Count],
        days: &[Day],
        flights: &[Flight],
    ) -> Sitrep {
        let mut issues = BTreeSet::new();
        let mut cells: BTreeMap<(String, (usize, String)), Figures> = BTreeMap::new();
        for count in counts {
            let key = (count.nation.clone(), category_rank(&count.category));
            if !cells
                .entry(key)
                .or_default()
                .add(&count.status, count.people)
            {
                issues.insert(format!(
                    "unknown status '{}' counted as registered only",
                    count.status
                ));
            }
        }
        let mut nations: Vec<NationTotal> = Vec::new();
        for ((nation, (_, category)), figures) in cells {
            let row = Row {
                nation: nation.clone(),
                category,
                figures,
            };
            match nations.last_mut() {
                Some(last) if last.nation == nation => {
                    last.figures = last.figures.plus(&figures);
                    last.categories.push(row);
                }
                _ => nations.push(NationTotal {
                    nation,
                    figures,
                    categories: vec![row],
                }),
            }
        }
        let total = nations
            .iter()
            .fold(Figures::default(), |sum, n| sum.plus(&n.figures));

        let mut tallies: BTreeMap<Date, DayTally> = BTreeMap::new();
        for day in days {
            let Some(date) = parse_day(&day.day) else {
                issues.insert(format!("day '{}' is not a date (YYYY-MM-DD)", day.day));
                continue;
            };
            // An arrival is the same evacuation as its departure, a day later: only departures
            // count, so nobody is counted twice.
            match day.status.as_str() {
                "departed" => {
                    *tallies
                        .entry(date)
                        .or_default()
                        .evacuated
                        .entry(day.nation.clone())
                        .or_default() += day.people;
                }
                "called_forward" => tallies.entry(date).or_default().called += day.people,
                "no_show" => tallies.entry(date).or_default().no_shows += day.people,
                _ => {}
            }
        }
        let days = fill_days(tallies, &mut issues);

        let flights_flown: Vec<FlightFlown> = flights
            .iter()
            .filter(|f| f.departed > 0)
            .map(|f| FlightFlown {
                flight: f.flight.clone(),
                departed_on: f.departed_on.clone(),
                seats_used: f.departed,
            })
            .collect();
        let flights_boarding = flights
            .iter()
            .filter(|f| f.departed <= 0 && (f.manifested > 0 || f.boarded > 0))
            .map(|f| FlightBoarding {
                flight: f.flight.clone(),
                manifested: f.manifested,
                boarded: f.boarded,
            })
            .collect();
        let seats_used = flights_flown.iter().map(|f| f.seats_used).sum();

        Sitrep {
            generated_at,
            generated_by: String::new(),
            scope,
            nations,
            total,
            days,
            flights_flown,
            flights_boarding,
            seats_used,
            issues: issues.into_iter().collect(),
        }
    }

    /// The same report, naming who took it (printed in the PDF and the CSV).
    pub fn generated_by(mut self, by: impl Into<String>) -> Sitrep {
        self.generated_by = by.into();
        self
    }

    /// Whether there is anything to report yet.
    pub fn is_empty(&self) -> bool {
        self.nations.is_empty()
            && self.days.is_empty()
            && self.flights_flown.is_empty()
            && self.flights_boarding.is_empty()
    }

    /// The nations in the daily figures, in code order.
    pub fn day_nations(&self) -> Vec<String> {
        self.days
            .iter()
            .flat_map(|d| d.evacuated_by_nation.iter().map(|n| n.nation.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// The whole report as one long table, `section,nation,category,day,flight,metric,value`,
    /// one figure a line. Sections: `report` (generated_at, generated_by and scope in the value column),
    /// `nation_category`, `nation`, `total`, `day` (nation empty for all nations), `flight`,
    /// `flights`, `issue`. Cells a spreadsheet would run as a formula get a leading `'`.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = CsvOut::new();
        let report = Key::section("report");
        out.text(report, "generated_at", &self.generated_at);
        out.text(report, "generated_by", &self.generated_by);
        out.text(report, "scope", &self.scope);
        for nation in &self.nations {
            for row in &nation.categories {
                let key = Key {
                    nation: &row.nation,
                    category: &row.category,
                    ..Key::section("nation_category")
                };
                for (metric, value) in row.figures.metrics() {
                    out.number(key, metric, value);
                }
            }
            let key = Key {
                nation: &nation.nation,
                ..Key::section("nation")
            };
            for (metric, value) in nation.figures.metrics() {
                out.number(key, metric, value);
            }
        }
        for (metric, value) in self.total.metrics() {
            out.number(Key::section("total"), metric, value);
        }
        for day in &self.days {
            let all = Key {
                day: &day.day,
                ..Key::section("day")
            };
            out.number(all, "evacuated", day.evacuated);
            out.number(all, "called", day.called);
            out.number(all, "no_shows", day.no_shows);
            for nation in &day.evacuated_by_nation {
                let key = Key {
                    nation: &nation.nation,
                    ..all
                };
                out.number(key, "evacuated", nation.people);
            }
        }
        for flight in &self.flights_flown {
            let key = Key {
                day: flight.departed_on.as_deref().unwrap_or_default(),
                flight: &flight.flight,
                ..Key::section("flight")
            };
            out.number(key, "seats_used", flight.seats_used);
        }
        for flight in &self.flights_boarding {
            let key = Key {
                flight: &flight.flight,
                ..Key::section("flight")
            };
            out.number(key, "manifested", flight.manifested);
            out.number(key, "boarded", flight.boarded);
        }
        let flights = Key::section("flights");
        let flown = i64::try_from(self.flights_flown.len()).unwrap_or(i64::MAX);
        let boarding = i64::try_from(self.flights_boarding.len()).unwrap_or(i64::MAX);
        out.number(flights, "flights_flown", flown);
        out.number(flights, "seats_used", self.seats_used);
        out.number(flights, "flights_boarding", boarding);
        for issue in &self.issues {
            out.text(Key::section("issue"), "issue", issue);
        }
        out.finish()
    }
}

/// The days from the first to the last, gaps filled with zeros, at most [`MAX_DAYS`] (the
/// latest kept).
fn fill_days(tallies: BTreeMap<Date, DayTally>, issues: &mut BTreeSet<String>) -> Vec<DayFigures> {
    let (Some(&first), Some(&last)) = (tallies.keys().next(), tallies.keys().next_back()) else {
        return Vec::new();
    };
    let span = (last - first).whole_days().unsigned_abs() as usize + 1;
    let first = if span > MAX_DAYS {
        issues.insert(format!(
            "{span} days of figures: only the last {MAX_DAYS} are shown"
        ));
        last - Duration::days(MAX_DAYS as i64 - 1)
    } else {
        first
    };
    let mut out = Vec::new();
    let mut day = first;
    loop {
        let figures = match tallies.get(&day) {
            Some(tally) => DayFigures {
                day: format_day(day),
                evacuated: tally.evacuated.values().sum(),
                evacuated_by_nation: tally
                    .evacuated
                    .iter()
                    .filter(|(_, people)| **people != 0)
                    .map(|(nation, people)| NationPeople {
                        nation: nation.clone(),
                        people: *people,
                    })
                    .collect(),
                called: tally.called,
                no_shows: tally.no_shows,
            },
            None => DayFigures {
                day: format_day(day),
                evacuated: 0,
                evacuated_by_nation: Vec::new(),
                called: 0,
                no_shows: 0,
            },
        };
        out.push(figures);
        match day.next_day() {
            Some(next) if next <= last => day = next,
            _ => break,
        }
    }
    out
}

/// Makes a cell inert: a leading `=`, `+`, `-`, `@`, tab or carriage return would make a
/// spreadsheet evaluate it (nation codes and flight numbers come from data).
fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// Where a figure belongs in the long table: the columns before `metric`.
#[derive(Clone, Copy)]
struct Key<'a> {
    section: &'a str,
    nation: &'a str,
    category: &'a str,
    day: &'a str,
    flight: &'a str,
}

impl<'a> Key<'a> {
    fn section(section: &'a str) -> Key<'a> {
        Key {
            section,
            nation: "",
            category: "",
            day: "",
            flight: "",
        }
    }

    fn cells(&self, metric: &str) -> [String; 6] {
        [
            self.section,
            self.nation,
            self.category,
            self.day,
            self.flight,
            metric,
        ]
        .map(neutralise)
    }
}

struct CsvOut(csv::Writer<Vec<u8>>);

impl CsvOut {
    fn new() -> CsvOut {
        let mut writer = csv::Writer::from_writer(Vec::new());
        // Writing to a Vec cannot fail, and every record has the header's length.
        let _ = writer.write_record([
            "section", "nation", "category", "day", "flight", "metric", "value",
        ]);
        CsvOut(writer)
    }

    /// A line whose value is text (neutralised like the keys).
    fn text(&mut self, key: Key<'_>, metric: &str, value: &str) {
        let _ = self
            .0
            .write_record(key.cells(metric).iter().cloned().chain([neutralise(value)]));
    }

    /// A figure: the value is a number, written as it is (a negative number stays a number).
    fn number(&mut self, key: Key<'_>, metric: &str, value: i64) {
        let _ = self
            .0
            .write_record(key.cells(metric).iter().cloned().chain([value.to_string()]));
    }

    fn finish(self) -> Vec<u8> {
        self.0.into_inner().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn count(nation: &str, category: &str, status: &str, people: i64) -> Count {
        Count {
            nation: nation.into(),
            category: category.into(),
            status: status.into(),
            people,
        }
    }

    fn day(day: &str, nation: &str, status: &str, people: i64) -> Day {
        Day {
            day: day.into(),
            nation: nation.into(),
            status: status.into(),
            people,
        }
    }

    fn flight(id: &str, manifested: i64, boarded: i64, departed: i64, on: Option<&str>) -> Flight {
        Flight {
            flight: id.into(),
            manifested,
            boarded,
            departed,
            departed_on: on.map(str::to_owned),
        }
    }

    fn sample() -> Sitrep {
        let counts = [
            count("FR", "national", "departed", 40),
            count("FR", "national", "arrived", 10),
            count("FR", "local_staff", "eligible", 25),
            count("FR", "local_staff", "registered", 5),
            count("FR", "local_staff", "called_forward", 12),
            count("FR", "local_staff", "no_show", 3),
            count("US", "at_risk", "at_gate", 7),
            count("US", "at_risk", "processed", 2),
            count("US", "at_risk", "manifested", 30),
            count("US", "at_risk", "boarded", 1),
            count("US", "local_staff", "denied", 4),
            count("US", "local_staff", "ineligible", 6),
            count("US", "local_staff", "withdrawn", 1),
            count("US", "local_staff", "departed", 100),
            count("US", "local_staff", "teleported", 2),
        ];
        let days = [
            day("2021-08-16", "FR", "called_forward", 60),
            day("2021-08-16", "FR", "departed", 30),
            day("2021-08-18", "FR", "departed", 20),
            day("2021-08-18", "FR", "arrived", 30),
            day("2021-08-18", "US", "departed", 100),
            day("2021-08-18", "US", "no_show", 3),
            day("18/08/2021", "US", "departed", 9),
        ];
        let flights = [
            flight("FAF1", 60, 60, 50, Some("2021-08-16")),
            flight("=RCH1", 100, 100, 100, Some("2021-08-18")),
            flight("RCH2", 30, 1, 0, None),
            flight("RCH3", 0, 0, 0, None),
        ];
        Sitrep::build(
            "2021-08-19T06:00:00Z".into(),
            "All nations".into(),
            &counts,
            &days,
            &flights,
        )
        .generated_by("user:amelie")
    }

    #[test]
    fn statuses_are_grouped_per_nation_and_category() {
        let report = sample();
        let fr = &report.nations[0];
        assert_eq!(fr.nation, "FR");
        assert_eq!(
            fr.categories
                .iter()
                .map(|r| r.category.as_str())
                .collect::<Vec<_>>(),
            ["national", "local_staff"]
        );
        assert_eq!(
            fr.figures,
            Figures {
                registered: 95,
                waiting: 30,
                called: 12,
                evacuated: 50,
                no_shows: 3,
                ..Figures::default()
            }
        );
        let us = &report.nations[1];
        assert_eq!(us.categories[0].category, "local_staff");
        assert_eq!(us.categories[1].category, "at_risk");
        assert_eq!(us.categories[1].figures.at_airport, 40);
        assert_eq!(us.figures.registered, 153);
        assert_eq!(report.total.registered, 248);
        assert_eq!(report.total.evacuated, 150);
        assert_eq!(
            report.total.denied + report.total.ineligible + report.total.withdrawn,
            11
        );
    }

    #[test]
    fn days_count_departures_once_and_gaps_are_filled() {
        let report = sample();
        let days: Vec<(&str, i64, i64, i64)> = report
            .days
            .iter()
            .map(|d| (d.day.as_str(), d.evacuated, d.called, d.no_shows))
            .collect();
        assert_eq!(
            days,
            [
                ("2021-08-16", 30, 60, 0),
                ("2021-08-17", 0, 0, 0),
                ("2021-08-18", 120, 0, 3)
            ]
        );
        assert_eq!(
            report.days[2].evacuated_by_nation,
            [
                NationPeople {
                    nation: "FR".into(),
                    people: 20
                },
                NationPeople {
                    nation: "US".into(),
                    people: 100
                }
            ]
        );
        assert_eq!(report.day_nations(), ["FR", "US"]);
    }

    #[test]
    fn flights_flown_and_boarding() {
        let report = sample();
        assert_eq!(
            report
                .flights_flown
                .iter()
                .map(|f| (f.flight.as_str(), f.seats_used))
                .collect::<Vec<_>>(),
            [("FAF1", 50), ("=RCH1", 100)]
        );
        assert_eq!(report.seats_used, 150);
        assert_eq!(
            report.flights_boarding,
            [FlightBoarding {
                flight: "RCH2".into(),
                manifested: 30,
                boarded: 1
            }]
        );
    }

    #[test]
    fn what_cannot_be_placed_is_reported() {
        assert_eq!(
            sample().issues,
            [
                "day '18/08/2021' is not a date (YYYY-MM-DD)",
                "unknown status 'teleported' counted as registered only",
            ]
        );
    }

    #[test]
    fn a_runaway_date_range_is_cut_to_the_latest_days() {
        let days = [
            day("2020-01-01", "FR", "departed", 1),
            day("2021-08-20", "FR", "departed", 2),
        ];
        let report = Sitrep::build(String::new(), String::new(), &[], &days, &[]);
        assert_eq!(report.days.len(), MAX_DAYS);
        assert_eq!(report.days.last().unwrap().day, "2021-08-20");
        assert_eq!(report.days.last().unwrap().evacuated, 2);
        assert_eq!(
            report.issues,
            ["598 days of figures: only the last 120 are shown"]
        );
    }

    #[test]
    fn nothing_in_gives_an_empty_report() {
        let report = Sitrep::build("t".into(), "s".into(), &[], &[], &[]);
        assert!(report.is_empty());
        assert_eq!(report.total, Figures::default());
        assert!(!sample().is_empty());
    }

    fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn the_csv_is_one_long_table_that_reads_back() {
        let report = sample();
        let bytes = report.to_csv();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(
            text.lines().next().unwrap(),
            "section,nation,category,day,flight,metric,value"
        );
        let rows = read_csv(&bytes);
        assert!(rows.iter().all(|r| r.len() == 7));
        let find =
            |section: &str, nation: &str, category: &str, day: &str, flight: &str, metric: &str| {
                rows.iter()
                    .find(|r| r[..6] == [section, nation, category, day, flight, metric])
                    .map(|r| r[6].clone())
            };
        assert_eq!(
            find("report", "", "", "", "", "scope").as_deref(),
            Some("All nations")
        );
        assert_eq!(
            find("report", "", "", "", "", "generated_at").as_deref(),
            Some("2021-08-19T06:00:00Z")
        );
        assert_eq!(
            find("report", "", "", "", "", "generated_by").as_deref(),
            Some("user:amelie")
        );
        assert_eq!(
            find("nation_category", "US", "at_risk", "", "", "at_airport").as_deref(),
            Some("40")
        );
        assert_eq!(
            find("nation", "FR", "", "", "", "evacuated").as_deref(),
            Some("50")
        );
        assert_eq!(
            find("total", "", "", "", "", "registered").as_deref(),
            Some("248")
        );
        assert_eq!(
            find("day", "", "", "2021-08-17", "", "evacuated").as_deref(),
            Some("0")
        );
        assert_eq!(
            find("day", "US", "", "2021-08-18", "", "evacuated").as_deref(),
            Some("100")
        );
        assert_eq!(
            find("flight", "", "", "2021-08-18", "'=RCH1", "seats_used").as_deref(),
            Some("100")
        );
        assert_eq!(
            find("flights", "", "", "", "", "flights_flown").as_deref(),
            Some("2")
        );
        assert_eq!(
            find("flights", "", "", "", "", "flights_boarding").as_deref(),
            Some("1")
        );
        assert_eq!(rows.iter().filter(|r| r[0] == "issue").count(), 2);
        // Every figure of the nation rows sums to the total's.
        for (metric, total) in report.total.metrics() {
            let sum: i64 = rows
                .iter()
                .filter(|r| r[0] == "nation_category" && r[5] == metric)
                .map(|r| r[6].parse::<i64>().unwrap())
                .sum();
            assert_eq!(sum, total, "{metric}");
        }
    }

    #[test]
    fn formula_cells_are_neutralised_but_numbers_are_not() {
        let counts = [
            count("+FR", "@x", "registered", 1),
            count("-1", "national", "registered", -2),
        ];
        let report = Sitrep::build("=now()".into(), "=cmd".into(), &counts, &[], &[])
            .generated_by("@someone");
        let rows = read_csv(&report.to_csv());
        assert!(rows.iter().any(|r| r[0] == "report" && r[6] == "'=now()"));
        assert!(
            rows.iter()
                .any(|r| r[5] == "generated_by" && r[6] == "'@someone")
        );
        assert!(rows.iter().any(|r| r[1] == "'+FR" && r[2] == "'@x"));
        assert!(
            rows.iter()
                .any(|r| r[1] == "'-1" && r[5] == "registered" && r[6] == "-2")
        );
        assert!(
            rows.iter()
                .skip(2)
                .all(|r| !r[1].starts_with(['=', '+', '-', '@']))
        );
    }

    /// A small operation: people with a nation, a category and a status history, from which
    /// both the counts and the days are derived, as the store would.
    fn operation() -> impl Strategy<Value = (Vec<Count>, Vec<Day>)> {
        let nations = prop::sample::select(vec!["FR", "US", "GB", "DE", "IT"]);
        let categories = prop::sample::select(CATEGORY_ORDER.to_vec());
        let statuses = prop::sample::select(vec![
            "registered",
            "eligible",
            "ineligible",
            "called_forward",
            "at_gate",
            "processed",
            "manifested",
            "boarded",
            "departed",
            "arrived",
            "no_show",
            "denied",
            "withdrawn",
        ]);
        prop::collection::vec((nations, categories, statuses, 1i64..50, 0i64..20), 0..60).prop_map(
            |groups| {
                let mut counts = Vec::new();
                let mut days = Vec::new();
                for (nation, category, status, people, day) in groups {
                    counts.push(count(nation, category, status, people));
                    let date = format!("2021-08-{:02}", 10 + day);
                    if matches!(status, "departed" | "arrived") {
                        days.push(super::tests::day(&date, nation, "departed", people));
                    }
                    if status == "arrived" {
                        let next = format!("2021-08-{:02}", 11 + day);
                        days.push(super::tests::day(&next, nation, "arrived", people));
                    }
                }
                (counts, days)
            },
        )
    }

    proptest! {
        #[test]
        fn the_figures_add_up((counts, days) in operation()) {
            let report = Sitrep::build(String::new(), String::new(), &counts, &days, &[]);
            let by_nations = report.nations.iter().fold(Figures::default(), |s, n| s.plus(&n.figures));
            prop_assert_eq!(report.total, by_nations);
            for nation in &report.nations {
                let by_rows = nation.categories.iter().fold(Figures::default(), |s, r| s.plus(&r.figures));
                prop_assert_eq!(nation.figures, by_rows);
            }
            prop_assert_eq!(report.total.registered, counts.iter().map(|c| c.people).sum::<i64>());
            let f = report.total;
            prop_assert_eq!(
                f.registered,
                f.waiting + f.called + f.at_airport + f.evacuated + f.no_shows + f.denied + f.ineligible + f.withdrawn
            );
            let per_day: i64 = report.days.iter().map(|d| d.evacuated).sum();
            prop_assert!(per_day <= f.evacuated);
            for d in &report.days {
                prop_assert_eq!(d.evacuated, d.evacuated_by_nation.iter().map(|n| n.people).sum::<i64>());
            }
            let rows = read_csv(&report.to_csv());
            prop_assert!(rows.iter().all(|r| r.len() == 7));
        }
    }
}
