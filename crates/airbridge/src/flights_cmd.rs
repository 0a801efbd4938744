//! `airbridge flights …`: what the planner plans onto, kept in the registry — aircraft types
//! with their evacuee capacities, flights (added one by one or imported from a CSV, cancelled,
//! delayed, re-equipped), carriage agreements between nations and destinations' acceptance
//! rules. Every change is audited by the store.
//!
//! ```text
//! FLIGHTS.csv: flight_id,nation,aircraft,configuration,departs_at,destination[,carries]
//! ```

use crate::InvalidInput;
use airbridge_domain::{Category, NationCode};
use airbridge_store::any::Location;
use airbridge_store::{
    Acceptance, AcceptanceRecord, Actor, AgreementRecord, AircraftTypeRecord, Configuration,
    FlightChange, FlightRecord, FlightStore, NewFlight, OpenMode, Store, WeightsRecord,
};
use clap::Subcommand;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{OffsetDateTime, PrimitiveDateTime};

#[derive(Debug, Subcommand)]
pub enum FlightsCommand {
    /// Add a flight: `airbridge flights add US0755 --nation US --aircraft C-17A
    /// --configuration floor --departs 2026-06-01T14:30:00Z --destination DOH`.
    Add {
        id: String,
        #[arg(long)]
        nation: String,
        /// An aircraft type added with `airbridge flights aircraft`.
        #[arg(long)]
        aircraft: String,
        /// seated or floor (floor-loaded).
        #[arg(long, default_value = "seated")]
        configuration: String,
        /// The departure slot, RFC 3339 (UTC, or with an offset such as +04:30).
        #[arg(long)]
        departs: String,
        /// The airport it lands at: DOH, RMS, FRA…
        #[arg(long)]
        destination: String,
        /// Nations whose people it carries of every category, besides the agreements
        /// (GB,FR).
        #[arg(long, value_delimiter = ',')]
        carries: Vec<String>,
    },
    /// Add flights from a CSV file, all or none:
    /// `flight_id,nation,aircraft,configuration,departs_at,destination[,carries]`.
    Import { file: PathBuf },
    /// Every flight, by departure.
    List,
    /// Cancel a flight; its people are moved at the next `airbridge plan`.
    Cancel {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Give a flight a new departure slot.
    Delay {
        id: String,
        /// The new departure, RFC 3339.
        #[arg(long)]
        to: String,
    },
    /// Put another aircraft type (or cabin configuration) on a flight.
    ChangeAircraft {
        id: String,
        #[arg(long)]
        aircraft: String,
        /// seated or floor; by default the flight's current one.
        #[arg(long)]
        configuration: Option<String>,
    },
    /// Record that the people on a flight in the stored plan were told their flight: a
    /// re-plan moves them only when their flight can no longer take them.
    Tell { id: String },
    /// Add an aircraft type, or change its capacities (evacuees; lap infants take no place).
    Aircraft {
        name: String,
        /// Evacuees with a seat each.
        #[arg(long, default_value_t = 0)]
        seated: u32,
        /// Evacuees seated on the floor.
        #[arg(long, default_value_t = 0)]
        floor: u32,
    },
    /// Let one nation's flights carry another nation's people of some categories (none to end
    /// it): `--carrier US --passengers GB --categories national,local_staff`.
    Agreement {
        #[arg(long)]
        carrier: String,
        #[arg(long)]
        passengers: String,
        /// national, local_staff, at_risk, comma-separated; `none` ends the agreement.
        #[arg(long, value_delimiter = ',', required = true)]
        categories: Vec<String>,
    },
    /// Say who may land at a destination, replacing its earlier rule: each --allow is one
    /// alternative NATIONS:CATEGORIES, `*` for any (`--allow US,GB:* --allow '*:at_risk'`).
    Acceptance {
        destination: String,
        #[arg(long = "allow", required = true)]
        allow: Vec<String>,
    },
    /// Set a nation's priority weights for planning: a person is worth their case's category
    /// weight plus the weight of each of their vulnerabilities; a weight not given keeps its
    /// value (the default at first: 1 per category; unaccompanied minor and medical 0.5,
    /// pregnancy and disability 0.3, elderly 0.2). `airbridge flights weights GB --at-risk 1.5`.
    Weights {
        nation: String,
        #[arg(long)]
        national: Option<f64>,
        #[arg(long)]
        local_staff: Option<f64>,
        #[arg(long)]
        at_risk: Option<f64>,
        #[arg(long)]
        unaccompanied_minor: Option<f64>,
        #[arg(long)]
        medical: Option<f64>,
        #[arg(long)]
        pregnancy: Option<f64>,
        #[arg(long)]
        disability: Option<f64>,
        #[arg(long)]
        elderly: Option<f64>,
    },
    /// Aircraft types, carriage agreements, acceptance rules and priority weights.
    Rules,
}

fn nation(text: &str, what: &str) -> Result<NationCode, InvalidInput> {
    NationCode::parse(text.trim()).map_err(|e| InvalidInput(format!("{what}: {e}")))
}

fn category(text: &str) -> Result<Category, String> {
    match text
        .trim()
        .to_ascii_lowercase()
        .replace(['-', ' '], "_")
        .as_str()
    {
        "national" => Ok(Category::National),
        "local_staff" | "staff" => Ok(Category::LocalStaff),
        "at_risk" => Ok(Category::AtRisk),
        other => Err(format!(
            "'{other}' is not a category: use national, local_staff or at_risk"
        )),
    }
}

fn configuration(text: &str) -> Result<Configuration, String> {
    Configuration::parse(text)
        .ok_or_else(|| format!("'{text}' is not a cabin configuration: use seated or floor"))
}

/// A departure time in RFC 3339 or ISO 8601 (UTC when no offset is given), as RFC 3339 UTC.
pub fn departure(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .or_else(|_| PrimitiveDateTime::parse(text, &Iso8601::DEFAULT).map(|t| t.assume_utc()))
        .map_err(|_| format!("'{text}' is not a time: write it as 2026-06-01T14:30:00Z"))
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// Nations in one cell or option: separated by commas, semicolons or spaces.
fn nations_list(text: &str) -> Vec<&str> {
    text.split([',', ';', ' '])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect()
}

/// What a flights file is checked against: the registry's nations and aircraft types, the
/// flights it holds, and the time now.
pub struct Known {
    pub nations: HashSet<NationCode>,
    pub aircraft: HashSet<String>,
    pub flights: HashSet<String>,
    pub now: OffsetDateTime,
}

/// One problem of a flights file, where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: Option<&'static str>,
    pub problem: String,
}

/// Reads a flights file. Every row is checked (format, known nation and aircraft type, a
/// future departure, ids not taken); either all rows are good or every problem is returned
/// (at most 50).
pub fn read_flights(bytes: &[u8], known: &Known) -> Result<Vec<NewFlight>, Vec<RowError>> {
    const COLUMNS: [&str; 6] = [
        "flight_id",
        "nation",
        "aircraft",
        "configuration",
        "departs_at",
        "destination",
    ];
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut errors = Vec::new();
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![RowError {
                line: 1,
                column: None,
                problem: format!("the header cannot be read ({e}); save the file as UTF-8 CSV"),
            }]);
        }
    };
    let index: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
        .collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| !index.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(vec![RowError {
            line: 1,
            column: None,
            problem: format!(
                "the header lacks {}; it must name {},[carries]",
                missing.join(", "),
                COLUMNS.join(",")
            ),
        }]);
    }
    let mut flights = Vec::new();
    let mut ids_seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        if errors.len() >= 50 {
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line: e.position().map_or(0, |p| p.line()),
                    column: None,
                    problem: format!("the line cannot be read as CSV ({e})"),
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        let cell = |column: &str| {
            index
                .get(column)
                .and_then(|&i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        let mut fail = |column: &'static str, problem: String| {
            errors.push(RowError {
                line,
                column: Some(column),
                problem,
            });
        };
        let id = cell("flight_id");
        if id.is_empty()
            || id.len() > 16
            || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            fail(
                "flight_id",
                format!("'{id}' is not a flight id: letters, digits and '-', at most 16 (US0755)"),
            );
        } else if known.flights.contains(&id) {
            fail(
                "flight_id",
                format!(
                    "flight {id} is already in the registry (change it with `airbridge flights delay|cancel|change-aircraft`)"
                ),
            );
        } else if let Some(first) = ids_seen.insert(id.clone(), line) {
            fail(
                "flight_id",
                format!("flight {id} is listed twice (first on line {first})"),
            );
        }
        let nation_text = cell("nation");
        let nation = match NationCode::parse(&nation_text) {
            Ok(code) if known.nations.contains(&code) => Some(code),
            Ok(code) => {
                fail(
                    "nation",
                    format!(
                        "unknown nation {code}: add it with `airbridge nation add {code} NAME`"
                    ),
                );
                None
            }
            Err(e) => {
                fail("nation", e.to_string());
                None
            }
        };
        let aircraft = cell("aircraft");
        if !known.aircraft.contains(&aircraft) {
            let mut names: Vec<&String> = known.aircraft.iter().collect();
            names.sort();
            fail(
                "aircraft",
                format!(
                    "unknown aircraft type '{aircraft}' (known: {}); add it with `airbridge flights aircraft NAME --seated N --floor N`",
                    if names.is_empty() {
                        "none".to_owned()
                    } else {
                        names
                            .iter()
                            .map(|n| n.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            );
        }
        let cabin = configuration(&cell("configuration"))
            .map_err(|e| fail("configuration", e))
            .ok();
        let departs_at = match departure(&cell("departs_at")) {
            Ok(at) if at <= known.now => {
                fail(
                    "departs_at",
                    format!(
                        "{} is in the past (it is {} now): give a future slot",
                        rfc3339(at),
                        rfc3339(known.now)
                    ),
                );
                None
            }
            Ok(at) => Some(rfc3339(at)),
            Err(e) => {
                fail("departs_at", e);
                None
            }
        };
        let destination = cell("destination").to_ascii_uppercase();
        if !(2..=8).contains(&destination.len())
            || !destination.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            fail(
                "destination",
                format!("'{destination}' is not an airport code: write DOH, RMS or FRA"),
            );
        }
        let mut carries = Vec::new();
        for text in nations_list(&cell("carries")) {
            match NationCode::parse(text) {
                Ok(code) if known.nations.contains(&code) => carries.push(code),
                Ok(code) => fail(
                    "carries",
                    format!(
                        "unknown nation {code}: add it with `airbridge nation add {code} NAME`"
                    ),
                ),
                Err(e) => fail("carries", e.to_string()),
            }
        }
        if let (Some(nation), Some(configuration), Some(departs_at)) = (nation, cabin, departs_at) {
            flights.push(NewFlight {
                id,
                nation,
                aircraft,
                configuration,
                departs_at,
                destination,
                carries,
            });
        }
    }
    if errors.is_empty() {
        Ok(flights)
    } else {
        Err(errors)
    }
}

fn flight_line(flight: &FlightRecord) -> String {
    let carries = if flight.carries.is_empty() {
        String::new()
    } else {
        format!(
            "  carries {}",
            flight
                .carries
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    format!(
        "{:<10} {}  {}  {:<4} {:<9} {} {} ({} places){carries}",
        flight.id,
        flight.nation,
        flight.departs_at,
        flight.destination,
        flight.status.as_str(),
        flight.aircraft.name,
        flight.configuration.as_str(),
        flight.capacity(),
    )
}

async fn known(store: &airbridge_store::AnyStore) -> anyhow::Result<Known> {
    Ok(Known {
        nations: store
            .list_nations()
            .await?
            .into_iter()
            .map(|n| n.code)
            .collect(),
        aircraft: store
            .list_aircraft_types()
            .await?
            .into_iter()
            .map(|a| a.name)
            .collect(),
        flights: store
            .list_flights()
            .await?
            .into_iter()
            .map(|f| f.id)
            .collect(),
        now: OffsetDateTime::now_utc(),
    })
}

fn file_errors(path: &Path, errors: &[RowError]) -> InvalidInput {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| {
            format!(
                "{} line {}{}: {}",
                path.display(),
                e.line,
                e.column
                    .map(|c| format!(", column `{c}`"))
                    .unwrap_or_default(),
                e.problem
            )
        })
        .collect();
    InvalidInput(format!(
        "{} problem{} in the flights file; no flight was added:\n  {}",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" },
        lines.join("\n  ")
    ))
}

fn show<T: serde::Serialize>(json: bool, value: &T, text: String) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else if !text.is_empty() {
        println!("{text}");
    }
    Ok(())
}

/// An acceptance alternative written NATIONS:CATEGORIES, `*` for any.
fn alternative(text: &str) -> Result<Acceptance, InvalidInput> {
    let (nations, categories) = text.split_once(':').ok_or_else(|| {
        InvalidInput(format!(
            "--allow '{text}': write NATIONS:CATEGORIES, e.g. US,GB:* or *:at_risk"
        ))
    })?;
    let any = |t: &str| t.trim() == "*" || t.trim().is_empty();
    Ok(Acceptance {
        nations: if any(nations) {
            Vec::new()
        } else {
            nations_list(nations)
                .into_iter()
                .map(|n| nation(n, "--allow"))
                .collect::<Result<_, _>>()?
        },
        categories: if any(categories) {
            Vec::new()
        } else {
            categories
                .split(',')
                .map(|c| category(c).map_err(|e| InvalidInput(format!("--allow: {e}"))))
                .collect::<Result<_, _>>()?
        },
    })
}

pub async fn run(
    location: &Location,
    command: &FlightsCommand,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    match command {
        FlightsCommand::Add {
            id,
            nation: nation_text,
            aircraft,
            configuration: cabin,
            departs,
            destination,
            carries,
        } => {
            let flight = NewFlight {
                id: id.trim().to_owned(),
                nation: nation(nation_text, "--nation")?,
                aircraft: aircraft.trim().to_owned(),
                configuration: configuration(cabin)
                    .map_err(|e| InvalidInput(format!("--configuration: {e}")))?,
                departs_at: rfc3339(
                    departure(departs).map_err(|e| InvalidInput(format!("--departs: {e}")))?,
                ),
                destination: destination.trim().to_ascii_uppercase(),
                carries: carries
                    .iter()
                    .flat_map(|c| nations_list(c))
                    .map(|n| nation(n, "--carries"))
                    .collect::<Result<_, _>>()?,
            };
            let added = store.add_flights(actor, vec![flight]).await?;
            show(json, &added, format!("Added {}", flight_line(&added[0])))?;
        }
        FlightsCommand::Import { file } => {
            let bytes = std::fs::read(file)
                .map_err(|e| InvalidInput(format!("cannot read {}: {e}", file.display())))?;
            let known = known(&store).await?;
            let flights = read_flights(&bytes, &known).map_err(|e| file_errors(file, &e))?;
            let added = store.add_flights(actor, flights).await?;
            show(
                json,
                &added,
                format!("Added {} flights from {}", added.len(), file.display()),
            )?;
        }
        FlightsCommand::List => {
            let flights = store.list_flights().await?;
            show(
                json,
                &flights,
                flights
                    .iter()
                    .map(flight_line)
                    .collect::<Vec<_>>()
                    .join("\n"),
            )?;
        }
        FlightsCommand::Cancel { id, reason } => {
            let flight = store
                .change_flight(
                    actor,
                    id,
                    FlightChange::Cancel {
                        reason: reason.clone(),
                    },
                    None,
                )
                .await?;
            show(
                json,
                &flight,
                format!("Cancelled {id}; run `airbridge plan` to move its people to other flights"),
            )?;
        }
        FlightsCommand::Delay { id, to } => {
            let at = departure(to).map_err(|e| InvalidInput(format!("--to: {e}")))?;
            let flight = store
                .change_flight(
                    actor,
                    id,
                    FlightChange::Delay {
                        departs_at: rfc3339(at),
                    },
                    None,
                )
                .await?;
            show(json, &flight, format!("Delayed {}", flight_line(&flight)))?;
        }
        FlightsCommand::ChangeAircraft {
            id,
            aircraft,
            configuration: cabin,
        } => {
            let current = store.get_flight(id).await?.ok_or_else(|| {
                airbridge_store::StoreError::NotFound {
                    entity: "flight",
                    id: format!("{id} (see `airbridge flights list`)"),
                }
            })?;
            let configuration = match cabin {
                Some(text) => configuration(text)
                    .map_err(|e| InvalidInput(format!("--configuration: {e}")))?,
                None => current.configuration,
            };
            let flight = store
                .change_flight(
                    actor,
                    id,
                    FlightChange::Aircraft {
                        aircraft: aircraft.trim().to_owned(),
                        configuration,
                    },
                    Some(current.version),
                )
                .await?;
            show(json, &flight, format!("Changed {}", flight_line(&flight)))?;
        }
        FlightsCommand::Tell { id } => {
            let told = store.mark_told(actor, id).await?;
            show(
                json,
                &serde_json::json!({ "flight": id, "cases_told": told }),
                format!("{told} case(s) on {id} recorded as told their flight"),
            )?;
        }
        FlightsCommand::Aircraft {
            name,
            seated,
            floor,
        } => {
            let aircraft = store
                .set_aircraft_type(
                    actor,
                    AircraftTypeRecord {
                        name: name.clone(),
                        seated_capacity: *seated,
                        floor_loaded_capacity: *floor,
                    },
                )
                .await?;
            show(
                json,
                &aircraft,
                format!(
                    "Aircraft type {}: {} seated, {} floor-loaded",
                    aircraft.name, aircraft.seated_capacity, aircraft.floor_loaded_capacity
                ),
            )?;
        }
        FlightsCommand::Agreement {
            carrier,
            passengers,
            categories,
        } => {
            let categories: Vec<Category> = if categories.len() == 1
                && categories[0].trim() == "none"
            {
                Vec::new()
            } else {
                categories
                    .iter()
                    .map(|c| category(c).map_err(|e| InvalidInput(format!("--categories: {e}"))))
                    .collect::<Result<_, _>>()?
            };
            let agreement = AgreementRecord {
                carrier: nation(carrier, "--carrier")?,
                passengers: nation(passengers, "--passengers")?,
                categories,
            };
            store.set_agreement(actor, agreement.clone()).await?;
            show(json, &agreement, agreement_line(&agreement))?;
        }
        FlightsCommand::Acceptance { destination, allow } => {
            let rule = AcceptanceRecord {
                destination: destination.trim().to_ascii_uppercase(),
                alternatives: allow
                    .iter()
                    .map(|a| alternative(a))
                    .collect::<Result<_, _>>()?,
            };
            store.set_acceptance(actor, rule.clone()).await?;
            show(json, &rule, acceptance_line(&rule))?;
        }
        FlightsCommand::Weights {
            nation: nation_text,
            national,
            local_staff,
            at_risk,
            unaccompanied_minor,
            medical,
            pregnancy,
            disability,
            elderly,
        } => {
            let nation = nation(nation_text, "NATION")?;
            let given = [
                ("national", national),
                ("local_staff", local_staff),
                ("at_risk", at_risk),
                ("unaccompanied_minor", unaccompanied_minor),
                ("medical", medical),
                ("pregnancy", pregnancy),
                ("disability", disability),
                ("elderly", elderly),
            ];
            if given.iter().all(|(_, value)| value.is_none()) {
                return Err(InvalidInput(
                    "give at least one weight, e.g. --at-risk 1.5 (see --help)".into(),
                )
                .into());
            }
            let mut weights = store
                .list_weights()
                .await?
                .into_iter()
                .find(|w| w.nation == nation)
                .map(|w| w.weights)
                .unwrap_or_default();
            for (name, value) in given {
                if let Some(value) = value {
                    if !(value.is_finite() && *value >= 0.0) {
                        return Err(InvalidInput(format!(
                            "--{}: {value} is not a number ≥ 0",
                            name.replace('_', "-")
                        ))
                        .into());
                    }
                    weights.insert(name.to_owned(), *value);
                }
            }
            let effective = crate::plan_db::priority_weights(&weights)?;
            store
                .set_weights(actor, WeightsRecord { nation, weights })
                .await?;
            show(
                json,
                &serde_json::json!({ "nation": nation, "weights": effective }),
                format!("{nation}: {}", weights_line(&effective)),
            )?;
        }
        FlightsCommand::Rules => {
            let aircraft = store.list_aircraft_types().await?;
            let agreements = store.list_agreements().await?;
            let acceptance = store.list_acceptance().await?;
            let weights = store.list_weights().await?;
            let mut lines = vec!["Aircraft types:".to_owned()];
            lines.extend(aircraft.iter().map(|a| {
                format!(
                    "  {:<12} {} seated, {} floor-loaded",
                    a.name, a.seated_capacity, a.floor_loaded_capacity
                )
            }));
            lines.push("Carriage agreements:".into());
            lines.extend(
                agreements
                    .iter()
                    .map(|a| format!("  {}", agreement_line(a))),
            );
            lines.push("Acceptance rules (destinations not listed accept everyone):".into());
            lines.extend(
                acceptance
                    .iter()
                    .map(|r| format!("  {}", acceptance_line(r))),
            );
            lines.push("Priority weights (nations not listed use the defaults):".into());
            for stored in &weights {
                let effective = crate::plan_db::priority_weights(&stored.weights)?;
                lines.push(format!("  {}: {}", stored.nation, weights_line(&effective)));
            }
            show(
                json,
                &serde_json::json!({
                    "aircraft_types": aircraft,
                    "agreements": agreements,
                    "acceptance": acceptance,
                    "priority_weights": weights,
                }),
                lines.join("\n"),
            )?;
        }
    }
    Ok(())
}

fn weights_line(w: &airbridge_planner::PriorityWeights) -> String {
    format!(
        "national {}, local staff {}, at risk {}; unaccompanied minor +{}, medical +{}, \
         pregnancy +{}, disability +{}, elderly +{}",
        w.national,
        w.local_staff,
        w.at_risk,
        w.unaccompanied_minor,
        w.medical,
        w.pregnancy,
        w.disability,
        w.elderly
    )
}

fn categories_words(categories: &[Category]) -> String {
    if categories.is_empty() {
        "any category".to_owned()
    } else {
        categories
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn agreement_line(agreement: &AgreementRecord) -> String {
    if agreement.categories.is_empty() {
        return format!(
            "{} flights carry no {} people under an agreement",
            agreement.carrier, agreement.passengers
        );
    }
    format!(
        "{} flights may carry {} people: {}",
        agreement.carrier,
        agreement.passengers,
        categories_words(&agreement.categories)
    )
}

fn acceptance_line(rule: &AcceptanceRecord) -> String {
    let alternatives: Vec<String> = rule
        .alternatives
        .iter()
        .map(|a| {
            let nations = if a.nations.is_empty() {
                "any nation".to_owned()
            } else {
                a.nations
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            };
            format!("{nations} ({})", categories_words(&a.categories))
        })
        .collect();
    format!("{} accepts {}", rule.destination, alternatives.join(" or "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known {
            nations: ["US", "GB"]
                .iter()
                .map(|n| NationCode::parse(n).unwrap())
                .collect(),
            aircraft: ["C-17A".to_owned()].into_iter().collect(),
            flights: ["US0001".to_owned()].into_iter().collect(),
            now: departure("2026-06-01T00:00:00Z").unwrap(),
        }
    }

    const HEADER: &str = "flight_id,nation,aircraft,configuration,departs_at,destination,carries\n";

    fn errors(rows: &str) -> Vec<(u64, Option<&'static str>)> {
        let text = format!("{HEADER}{rows}");
        match read_flights(text.as_bytes(), &known()) {
            Ok(flights) => panic!("accepted: {flights:?}"),
            Err(errors) => errors.iter().map(|e| (e.line, e.column)).collect(),
        }
    }

    #[test]
    fn a_good_file_is_read_with_times_in_utc() {
        let text = format!(
            "{HEADER}US0755,US,C-17A,floor,2026-06-02T10:30:00+04:30,doh,\"GB, US\"\nGB1,GB,C-17A,seated,2026-06-03T08:00:00,RMS,\n"
        );
        let flights = read_flights(text.as_bytes(), &known()).unwrap();
        assert_eq!(flights.len(), 2);
        assert_eq!(flights[0].departs_at, "2026-06-02T06:00:00Z");
        assert_eq!(flights[0].destination, "DOH");
        assert_eq!(flights[0].configuration, Configuration::FloorLoaded);
        assert_eq!(flights[0].carries.len(), 2);
        assert_eq!(flights[1].departs_at, "2026-06-03T08:00:00Z");
        assert!(flights[1].carries.is_empty());
    }

    #[test]
    fn every_bad_cell_is_named_by_line_and_column() {
        let check = |row: &str, expected: &[(u64, Option<&'static str>)]| {
            assert_eq!(errors(row), expected, "{row}");
        };
        check(
            "US0755,FR,C-17A,seated,2026-06-02T00:00:00Z,DOH,\n",
            &[(2, Some("nation"))],
        );
        check(
            "US0755,USA,C-17A,seated,2026-06-02T00:00:00Z,DOH,\n",
            &[(2, Some("nation"))],
        );
        check(
            "US0755,US,A400M,seated,2026-06-02T00:00:00Z,DOH,\n",
            &[(2, Some("aircraft"))],
        );
        check(
            "US0755,US,C-17A,standing,2026-06-02T00:00:00Z,DOH,\n",
            &[(2, Some("configuration"))],
        );
        check(
            "US0755,US,C-17A,seated,2021-08-16T12:00:00Z,DOH,\n",
            &[(2, Some("departs_at"))],
        );
        check(
            "US0755,US,C-17A,seated,tomorrow,DOH,\n",
            &[(2, Some("departs_at"))],
        );
        check(
            "US0755,US,C-17A,seated,2026-06-02T00:00:00Z,Doha Intl,\n",
            &[(2, Some("destination"))],
        );
        check(
            "US0755,US,C-17A,seated,2026-06-02T00:00:00Z,DOH,DE\n",
            &[(2, Some("carries"))],
        );
        check(
            "US0001,US,C-17A,seated,2026-06-02T00:00:00Z,DOH,\n",
            &[(2, Some("flight_id"))],
        );
        check(
            "US 1,US,C-17A,seated,2026-06-02T00:00:00Z,DOH,\nX2,US,C-17A,seated,2026-06-02T00:00:00Z,DOH,\nX2,GB,C-17A,seated,2026-06-02T00:00:00Z,DOH,\n",
            &[(2, Some("flight_id")), (4, Some("flight_id"))],
        );
    }

    #[test]
    fn a_header_without_a_required_column_is_refused() {
        let text = "flight_id,nation,aircraft,departs_at,destination\nUS1,US,C-17A,2026-06-02T00:00:00Z,DOH\n";
        let errors = read_flights(text.as_bytes(), &known()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].problem.contains("configuration"), "{errors:?}");
    }

    #[test]
    fn acceptance_alternatives_read_stars_as_any() {
        let any = alternative("*:*").unwrap();
        assert!(any.nations.is_empty() && any.categories.is_empty());
        let some = alternative("US,GB:at_risk,national").unwrap();
        assert_eq!(some.nations.len(), 2);
        assert_eq!(some.categories, [Category::AtRisk, Category::National]);
        assert!(alternative("US").is_err());
        assert!(alternative("US:pilots").is_err());
    }
}
