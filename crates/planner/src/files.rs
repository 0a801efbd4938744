//! The file interface of issue 7: `CASES.csv` and `FLIGHTS.csv` read into an [`Instance`], every
//! problem reported with its file, line, column and how to fix it, and the objective of a plan
//! computed exactly as the issue defines it.
//!
//! ```text
//! CASES:   case_id,nation,category,priority,seats,lap_infants,ready_at[,destinations]
//! FLIGHTS: flight_id,nation,capacity,departs_at,destination[,carries]
//! ```
//!
//! Pure: takes the files' bytes. The clock of the instance is in **seconds** (Unix time minus the
//! earliest ready time, so that the discount factors stay small) and the half-life is 86,400 s,
//! which with [`Discount::Wait`] and [`ReadyCase::value_per_seat`] makes the planner's objective
//! `Σ seats × priority × 0.5^((departs − ready) in hours / 24)`.

use crate::model::{
    AircraftType, CabinConfiguration, Destination, Flight, FlightId, FlightStatus, Instance,
    Member, ReadyCase,
};
use crate::plan::Plan;
use crate::priority::{Config, Discount};
use airbridge_domain::{CaseId, Category, NationCode};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// Seconds in the objective's half-life: a day.
pub const HALF_LIFE_SECONDS: f64 = 86_400.0;

/// Past this many problems the reader stops collecting: the first ones show what is wrong.
const MAX_ERRORS: usize = 50;

/// Which input file a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFile {
    Cases,
    Flights,
}

impl fmt::Display for InputFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputFile::Cases => "cases file",
            InputFile::Flights => "flights file",
        })
    }
}

/// One problem with the input: where it is, what is wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}{}: {problem}; {fix}", column.as_ref().map(|c| format!(", column `{c}`")).unwrap_or_default())]
pub struct InputError {
    pub file: InputFile,
    /// The line in the file, the header being line 1 (0 for the file as a whole).
    pub line: u64,
    pub column: Option<String>,
    pub problem: String,
    pub fix: String,
}

/// Every problem found, in file and line order (at most 50).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem(s) in the input, first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
pub struct InputErrors(pub Vec<InputError>);

/// The instance read from the files, with the files' own ids.
#[derive(Debug, Clone)]
pub struct FileInstance {
    /// Cases in file order; case `i` (0-based) has `CaseId(i + 1)`. Flights in file order.
    pub instance: Instance,
    /// Discount of the wait with a day's half-life, in the instance's seconds.
    pub config: Config,
    /// The files' case ids, in file order.
    pub case_ids: Vec<String>,
    /// Unix time (seconds) of the instance's clock zero: the earliest ready time.
    pub epoch: i64,
    /// Per case: seats and priority, kept as read for the exact objective.
    seats_and_priority: Vec<(u32, f64)>,
}

impl FileInstance {
    /// The file's id of the case the planner calls `case`.
    pub fn case_label(&self, case: CaseId) -> &str {
        usize::try_from(case.0 - 1)
            .ok()
            .and_then(|i| self.case_ids.get(i))
            .map_or("?", String::as_str)
    }

    /// `Σ seats × priority × 0.5^((departs − ready) / 24 h)` over the plan's assignments,
    /// computed from the times as read, independently of the planner's own sums.
    pub fn objective(&self, plan: &Plan) -> f64 {
        let slots: HashMap<&FlightId, i64> = self
            .instance
            .flights
            .iter()
            .map(|f| (&f.id, f.slot))
            .collect();
        plan.assignments
            .iter()
            .filter_map(|(flight, case)| {
                let index = usize::try_from(case.0 - 1).ok()?;
                let (seats, priority) = *self.seats_and_priority.get(index)?;
                let wait = (*slots.get(flight)? - self.instance.cases.get(index)?.ready_at) as f64;
                Some(f64::from(seats) * priority * 0.5f64.powf(wait / HALF_LIFE_SECONDS))
            })
            .sum()
    }
}

/// Reads both files. Either every row is good and the instance makes sense as a whole, or every
/// problem found is returned (the plan is never made from part of the input).
pub fn read_files(cases: &[u8], flights: &[u8]) -> Result<FileInstance, InputErrors> {
    let mut errors = Errors::default();
    let flight_rows = read_flights(flights, &mut errors);
    let case_rows = read_cases(cases, &mut errors);
    if !errors.0.is_empty() {
        return Err(InputErrors(errors.0));
    }
    check_whole(&case_rows, &flight_rows, &mut errors);
    if !errors.0.is_empty() {
        return Err(InputErrors(errors.0));
    }
    let epoch = case_rows.iter().map(|c| c.ready_at).min().unwrap_or(0);
    let flights = flight_rows
        .iter()
        .map(|row| Flight {
            id: FlightId(row.id.clone()),
            nation: row.nation,
            aircraft: AircraftType {
                name: String::new(),
                seated_capacity: row.capacity,
                floor_loaded_capacity: row.capacity,
            },
            configuration: CabinConfiguration::Seated,
            slot: row.departs_at - epoch,
            destination: row.destination.clone(),
            status: FlightStatus::Planned,
            carries: row.carries.clone(),
        })
        .collect();
    let cases = case_rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let seated = Member {
                age_years: 18,
                vulnerabilities: Vec::new(),
            };
            let lap = Member {
                age_years: 0,
                vulnerabilities: Vec::new(),
            };
            let mut members = vec![seated; row.seats as usize];
            members.extend(std::iter::repeat_n(lap, row.lap_infants as usize));
            ReadyCase {
                id: CaseId(index as i64 + 1),
                nation: row.nation,
                category: row.category,
                members,
                ready_at: row.ready_at - epoch,
                blocked: false,
                unaccompanied_minor: false,
                escort: None,
                destinations: row.destinations.clone(),
                value_per_seat: Some(row.priority),
            }
        })
        .collect();
    Ok(FileInstance {
        instance: Instance {
            now: 0,
            flights,
            agreements: Vec::new(),
            acceptance: Vec::new(),
            cases,
        },
        config: Config {
            half_life_minutes: HALF_LIFE_SECONDS,
            discount: Discount::Wait,
            ..Config::default()
        },
        case_ids: case_rows.iter().map(|c| c.id.clone()).collect(),
        epoch,
        seats_and_priority: case_rows.iter().map(|c| (c.seats, c.priority)).collect(),
    })
}

#[derive(Default)]
struct Errors(Vec<InputError>);

impl Errors {
    fn push(
        &mut self,
        file: InputFile,
        line: u64,
        column: Option<&str>,
        problem: String,
        fix: &str,
    ) {
        if self.0.len() < MAX_ERRORS {
            self.0.push(InputError {
                file,
                line,
                column: column.map(str::to_owned),
                problem,
                fix: fix.to_owned(),
            });
        }
    }
}

struct FlightRow {
    line: u64,
    id: String,
    nation: NationCode,
    capacity: u32,
    departs_at: i64,
    destination: Destination,
    carries: Vec<NationCode>,
}

struct CaseRow {
    line: u64,
    id: String,
    nation: NationCode,
    category: Category,
    priority: f64,
    seats: u32,
    lap_infants: u32,
    ready_at: i64,
    destinations: Vec<Destination>,
}

/// A CSV file's rows as (line, field by column name), after checking the header.
struct Table {
    columns: HashMap<String, usize>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    fn get<'r>(&self, row: &'r [String], column: &str) -> Option<&'r str> {
        self.columns
            .get(column)
            .and_then(|&i| row.get(i))
            .map(String::as_str)
    }
}

fn read_table(
    bytes: &[u8],
    file: InputFile,
    required: &[&str],
    optional: &[&str],
    errors: &mut Errors,
) -> Option<Table> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            errors.push(
                file,
                1,
                None,
                format!("the header cannot be read ({error})"),
                "save the file as UTF-8 CSV with a header line",
            );
            return None;
        }
    };
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, name)| (name.trim().to_ascii_lowercase(), i))
        .collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !columns.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        let expected: Vec<String> = required
            .iter()
            .map(|c| c.to_string())
            .chain(optional.iter().map(|c| format!("[{c}]")))
            .collect();
        errors.push(
            file,
            1,
            None,
            format!("the header lacks the column(s) {}", missing.join(", ")),
            &format!("the header must name {}", expected.join(",")),
        );
        return None;
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.iter().all(str::is_empty) {
                    continue;
                }
                rows.push((line, record.iter().map(str::to_owned).collect()));
            }
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                errors.push(
                    file,
                    line,
                    None,
                    format!("the line cannot be read as CSV ({error})"),
                    "check quoting and that the file is UTF-8",
                );
            }
        }
    }
    Some(Table { columns, rows })
}

fn read_flights(bytes: &[u8], errors: &mut Errors) -> Vec<FlightRow> {
    const FILE: InputFile = InputFile::Flights;
    let required = [
        "flight_id",
        "nation",
        "capacity",
        "departs_at",
        "destination",
    ];
    let Some(table) = read_table(bytes, FILE, &required, &["carries"], errors) else {
        return Vec::new();
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut flights = Vec::new();
    for (line, row) in &table.rows {
        let line = *line;
        let field = |column: &str| table.get(row, column).unwrap_or("");
        let mut ok = true;
        let id = field("flight_id").to_owned();
        if id.is_empty() {
            errors.push(
                FILE,
                line,
                Some("flight_id"),
                "the flight has no id".into(),
                "give every flight an id",
            );
            ok = false;
        } else if let Some(first) = seen.insert(id.clone(), line) {
            errors.push(
                FILE,
                line,
                Some("flight_id"),
                format!("flight {id} appears again (first on line {first})"),
                "give each flight its own id or remove the repeated line",
            );
            ok = false;
        }
        let nation = parse_nation(field("nation"), FILE, line, "nation", errors);
        let capacity = match field("capacity").parse::<u32>() {
            Ok(capacity) if capacity > 0 => Some(capacity),
            _ => {
                errors.push(
                    FILE,
                    line,
                    Some("capacity"),
                    format!(
                        "capacity `{}` is not a positive whole number of seats",
                        field("capacity")
                    ),
                    "write the evacuee seats of the aircraft, such as 400",
                );
                None
            }
        };
        let departs_at = parse_time(field("departs_at"), FILE, line, "departs_at", errors);
        let destination = field("destination");
        if destination.is_empty() {
            errors.push(
                FILE,
                line,
                Some("destination"),
                "the flight has no destination".into(),
                "write the airport code where it lands, such as DOH",
            );
            ok = false;
        }
        let carries: Vec<Option<NationCode>> = split_list(field("carries"))
            .map(|code| parse_nation(code, FILE, line, "carries", errors))
            .collect();
        if let (true, Some(nation), Some(capacity), Some(departs_at)) =
            (ok, nation, capacity, departs_at)
            && carries.iter().all(Option::is_some)
        {
            flights.push(FlightRow {
                line,
                id,
                nation,
                capacity,
                departs_at,
                destination: Destination(destination.to_ascii_uppercase()),
                carries: carries.into_iter().flatten().collect(),
            });
        }
    }
    flights
}

fn read_cases(bytes: &[u8], errors: &mut Errors) -> Vec<CaseRow> {
    const FILE: InputFile = InputFile::Cases;
    let required = [
        "case_id",
        "nation",
        "category",
        "priority",
        "seats",
        "lap_infants",
        "ready_at",
    ];
    let Some(table) = read_table(bytes, FILE, &required, &["destinations"], errors) else {
        return Vec::new();
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut cases = Vec::with_capacity(table.rows.len());
    for (line, row) in &table.rows {
        let line = *line;
        let field = |column: &str| table.get(row, column).unwrap_or("");
        let mut ok = true;
        let id = field("case_id").to_owned();
        if id.is_empty() {
            errors.push(
                FILE,
                line,
                Some("case_id"),
                "the case has no id".into(),
                "give every case an id",
            );
            ok = false;
        } else if let Some(first) = seen.insert(id.clone(), line) {
            errors.push(
                FILE,
                line,
                Some("case_id"),
                format!("case {id} appears again (first on line {first})"),
                "give each case its own id, or merge the two lines into one case",
            );
            ok = false;
        }
        let nation = parse_nation(field("nation"), FILE, line, "nation", errors);
        let priority = match field("priority").parse::<f64>() {
            Ok(p) if p.is_finite() && p > 0.0 => Some(p),
            _ => {
                errors.push(
                    FILE,
                    line,
                    Some("priority"),
                    format!("priority `{}` is not a positive number", field("priority")),
                    "write a number above 0, higher for more urgent, such as 1 or 2.5",
                );
                None
            }
        };
        let seats =
            match field("seats").parse::<u32>() {
                Ok(seats) if seats > 0 => Some(seats),
                _ => {
                    errors.push(
                    FILE,
                    line,
                    Some("seats"),
                    format!("seats `{}` is not a whole number of at least 1", field("seats")),
                    "count the people aged two or more in the case; lap infants ride with an adult",
                );
                    None
                }
            };
        let lap_text = field("lap_infants");
        let lap_infants = if lap_text.is_empty() {
            Some(0)
        } else if let Ok(n) = lap_text.parse::<u32>() {
            Some(n)
        } else {
            errors.push(
                FILE,
                line,
                Some("lap_infants"),
                format!("lap_infants `{lap_text}` is not a whole number"),
                "count the children under two (0 if none)",
            );
            None
        };
        let ready_at = parse_time(field("ready_at"), FILE, line, "ready_at", errors);
        let destinations = split_list(field("destinations"))
            .map(|d| Destination(d.to_ascii_uppercase()))
            .collect();
        if let (
            true,
            Some(nation),
            Some(priority),
            Some(seats),
            Some(lap_infants),
            Some(ready_at),
        ) = (ok, nation, priority, seats, lap_infants, ready_at)
        {
            cases.push(CaseRow {
                line,
                id,
                nation,
                category: parse_category(field("category")),
                priority,
                seats,
                lap_infants,
                ready_at,
                destinations,
            });
        }
    }
    cases
}

/// Checks that need both files: problems no plan could get around.
fn check_whole(cases: &[CaseRow], flights: &[FlightRow], errors: &mut Errors) {
    let Some(largest) = flights
        .iter()
        .max_by_key(|f| (f.capacity, std::cmp::Reverse(f.line)))
    else {
        if !cases.is_empty() {
            errors.push(
                InputFile::Flights,
                0,
                None,
                "there are no flights, so no case can be planned".into(),
                "list at least one flight",
            );
        }
        return;
    };
    for case in cases.iter().filter(|c| c.seats > largest.capacity) {
        errors.push(
            InputFile::Cases,
            case.line,
            Some("seats"),
            format!(
                "case {} needs {} seats but the largest aircraft (flight {}) has {}",
                case.id, case.seats, largest.id, largest.capacity
            ),
            "check the seat count, split the case into parts that fit, or add a larger aircraft",
        );
    }
    if let Some(earliest) = cases.iter().min_by_key(|c| (c.ready_at, c.line)) {
        for flight in flights.iter().filter(|f| f.departs_at < earliest.ready_at) {
            errors.push(
                InputFile::Flights,
                flight.line,
                Some("departs_at"),
                format!(
                    "flight {} departs at {} but no case is ready before {} (case {}, line {}): \
                     the flight is in the past for this pool and nobody may board it",
                    flight.id,
                    format_time(flight.departs_at),
                    format_time(earliest.ready_at),
                    earliest.id,
                    earliest.line
                ),
                "correct the departure time or remove the flight",
            );
        }
    }
    let mut served: HashSet<NationCode> = HashSet::new();
    let mut destinations: HashSet<&Destination> = HashSet::new();
    for flight in flights {
        served.insert(flight.nation);
        served.extend(flight.carries.iter().copied());
        destinations.insert(&flight.destination);
    }
    let mut unserved: BTreeMap<NationCode, (u64, &str, usize)> = BTreeMap::new();
    for case in cases.iter().filter(|c| !served.contains(&c.nation)) {
        unserved
            .entry(case.nation)
            .or_insert((case.line, case.id.as_str(), 0))
            .2 += 1;
    }
    for (nation, (line, id, count)) in unserved {
        errors.push(
            InputFile::Cases,
            line,
            Some("nation"),
            format!(
                "unknown nation {nation} (case {id}{}): no flight is operated by {nation} or carries its people",
                if count > 1 { format!(" and {} more", count - 1) } else { String::new() }
            ),
            &format!("correct the nation, add a flight of {nation}, or add {nation} to a flight's carries"),
        );
    }
    for case in cases {
        if !case.destinations.is_empty()
            && !case.destinations.iter().any(|d| destinations.contains(d))
        {
            let listed: Vec<&str> = case.destinations.iter().map(|d| d.0.as_str()).collect();
            errors.push(
                InputFile::Cases,
                case.line,
                Some("destinations"),
                format!("case {} may land only at {}, where no flight goes", case.id, listed.join(";")),
                "correct the destinations (`;`-separated airport codes, empty for any) or add a flight there",
            );
        }
    }
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(str::trim).filter(|s| !s.is_empty())
}

fn parse_nation(
    text: &str,
    file: InputFile,
    line: u64,
    column: &str,
    errors: &mut Errors,
) -> Option<NationCode> {
    match NationCode::parse(text) {
        Ok(code) => Some(code),
        Err(_) => {
            errors.push(
                file,
                line,
                Some(column),
                format!("unknown nation `{text}`"),
                "write an ISO 3166-1 alpha-2 code such as US, GB, DE or FR",
            );
            None
        }
    }
}

/// The category does not enter the file interface's rules (carriage there is by nation); it is
/// kept for what the model does with it and read leniently.
fn parse_category(text: &str) -> Category {
    match text.to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
        "local_staff" | "staff" | "local" => Category::LocalStaff,
        "at_risk" | "risk" => Category::AtRisk,
        _ => Category::National,
    }
}

/// ISO 8601 in UTC (`2021-08-20T14:30:00Z`; an offset is converted, none means UTC, a date alone
/// is its midnight) as Unix seconds.
fn parse_time(
    text: &str,
    file: InputFile,
    line: u64,
    column: &str,
    errors: &mut Errors,
) -> Option<i64> {
    let parsed = OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .or_else(|_| {
            PrimitiveDateTime::parse(text, &Iso8601::DEFAULT).map(PrimitiveDateTime::assume_utc)
        })
        .or_else(|_| Date::parse(text, &Iso8601::DEFAULT).map(|d| d.midnight().assume_utc()));
    match parsed {
        Ok(time) => Some(time.unix_timestamp()),
        Err(_) => {
            errors.push(
                file,
                line,
                Some(column),
                format!("`{text}` is not an ISO 8601 time"),
                "write the time in UTC as 2021-08-20T14:30:00Z",
            );
            None
        }
    }
}

/// Unix seconds as `2021-08-20T14:30:00Z`.
pub fn format_time(seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| seconds.to_string())
}
