//! `airbridge plan` and `airbridge manifest` (issue 7): the planner and manifests, from files.
//!
//! `plan` reads CASES.csv and FLIGHTS.csv (`airbridge_planner::files` says what they hold and
//! refuses bad input with the file, line and column), plans with the fast planner or, with
//! `--exact`, the MILP, writes `case_id,flight_id` for every case in file order (an empty flight
//! for a case that waits) and prints one summary line: objective, bound and gap.
//!
//! `manifest` prints one flight's manifest as CSV or PDF from the same files, the plan's
//! assignments and a CSV of the cases' members.
//!
//! Without files both work on the registry (`--db`): see `plan_db.rs`.

use crate::InvalidInput;
use airbridge_manifest::{Family, Manifest, Passenger};
use airbridge_planner::files::{FileInstance, InputErrors, format_time, read_files};
use airbridge_planner::{Plan, Solver, UnassignedReason};
use airbridge_planner_milp::MilpSolver;
use airbridge_store::Actor;
use airbridge_store::any::Location;
use anyhow::Context;
use clap::{Args, ValueEnum};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `airbridge plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Cases ready to board: `case_id,nation,category,priority,seats,lap_infants,ready_at[,destinations]`.
    #[arg(long, value_name = "CASES.csv")]
    pub cases: Option<PathBuf>,
    /// Flights: `flight_id,nation,capacity,departs_at,destination[,carries]`.
    #[arg(long, value_name = "FLIGHTS.csv")]
    pub flights: Option<PathBuf>,
    /// Where to write `case_id,flight_id` (empty flight: the case waits).
    #[arg(long, value_name = "ASSIGNMENTS.csv")]
    pub output: Option<PathBuf>,
    /// Solve exactly with the MILP (HiGHS) instead of the fast planner.
    #[arg(long)]
    pub exact: bool,
    /// With `--exact`: stop after this many seconds and report the plan found with its proven gap.
    #[arg(long, default_value_t = 1800.0, value_name = "SECONDS")]
    pub time_limit: f64,
    /// On the registry: plan from scratch instead of keeping the stored plan's assignments
    /// where they still fit (people already given a flight may move).
    #[arg(long)]
    pub fresh: bool,
}

/// Output format of a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManifestFormat {
    Csv,
    Pdf,
}

/// Arguments of `airbridge manifest`.
#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// The flight whose manifest to print.
    #[arg(long)]
    pub flight: String,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ManifestFormat,
    /// The plan: `case_id,flight_id` as `airbridge plan` writes it.
    #[arg(long, value_name = "ASSIGNMENTS.csv")]
    pub assignments: Option<PathBuf>,
    /// The cases file the plan was made from.
    #[arg(long, value_name = "CASES.csv")]
    pub cases: Option<PathBuf>,
    /// The flights file the plan was made from.
    #[arg(long, value_name = "FLIGHTS.csv")]
    pub flights: Option<PathBuf>,
    /// The cases' members: `case_id,name_latin` and optionally `name_original,nationality,
    /// document,lap_infant` (lap_infant: yes/no).
    #[arg(long, value_name = "PEOPLE.csv")]
    pub people: Option<PathBuf>,
    /// Where to write the manifest (standard output when absent, CSV only).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// The summary `airbridge plan` prints, from files or from the registry: objective, bound and
/// gap (the bound never below the objective), who solved, cases and people placed, the times.
pub(crate) struct Summary {
    pub objective: f64,
    pub bound: f64,
    pub gap: f64,
    pub solver: String,
    pub assigned: usize,
    pub total: usize,
    pub people: u32,
    pub read_seconds: f64,
    pub solve_seconds: f64,
}

impl Summary {
    pub fn new(
        objective: f64,
        plan: &Plan,
        solver: String,
        total: usize,
        read: Duration,
        solve_seconds: f64,
    ) -> Summary {
        let (bound, gap) = airbridge_web::planning::bound_and_gap(objective, plan.upper_bound);
        Summary {
            objective,
            bound,
            gap,
            solver,
            assigned: plan.assignments.len(),
            total,
            people: plan.people_assigned,
            read_seconds: read.as_secs_f64(),
            solve_seconds,
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "solver": self.solver,
            "cases_assigned": self.assigned,
            "cases": self.total,
            "people_assigned": self.people,
            "read_seconds": self.read_seconds,
            "solve_seconds": self.solve_seconds,
        })
    }

    pub fn line(&self) -> String {
        format!(
            "objective {:.6} bound {:.6} gap {:.4}% ({}; {} of {} cases, {} people; {:.3} s)",
            self.objective,
            self.bound,
            100.0 * self.gap,
            self.solver,
            self.assigned,
            self.total,
            self.people,
            self.solve_seconds
        )
    }
}

/// Runs `airbridge plan`: from files when --cases and --flights are given, else on the
/// registry.
pub fn run_plan(
    args: PlanArgs,
    location: &Location,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if args.exact && !(args.time_limit.is_finite() && args.time_limit > 0.0) {
        return Err(InvalidInput(format!(
            "--time-limit must be a positive number of seconds, not {}",
            args.time_limit
        ))
        .into());
    }
    if args.cases.is_none() && args.flights.is_none() {
        return crate::plan_db::block_on(crate::plan_db::plan(location, &args, actor, json));
    }
    let (Some(cases_path), Some(flights_path), Some(output)) =
        (&args.cases, &args.flights, &args.output)
    else {
        return Err(InvalidInput(
            "planning from files needs --cases CASES.csv --flights FLIGHTS.csv --output \
             ASSIGNMENTS.csv (without --cases and --flights, the registry in --db is planned)"
                .into(),
        )
        .into());
    };
    let started = Instant::now();
    let input = read_input(cases_path, flights_path)?;
    let read = started.elapsed();

    let solving = Instant::now();
    let (plan, solver) = if args.exact {
        let solver = MilpSolver {
            time_limit: Duration::from_secs_f64(args.time_limit),
            ..MilpSolver::default()
        };
        let outcome = solver
            .solve_with_outcome(&input.instance, &input.config)
            .context("the exact solver failed")?;
        let label = if outcome.proven_optimal {
            "exact, proven optimal".to_owned()
        } else {
            format!("exact, not proven optimal: HiGHS {}", outcome.status)
        };
        (outcome.plan, label)
    } else {
        let plan = airbridge_planner::FastSolver
            .solve(&input.instance, &input.config)
            .context("the planner refused the instance")?;
        (plan, "fast".to_owned())
    };
    let solve_seconds = solving.elapsed().as_secs_f64();

    write_assignments(output, &input, &plan)?;
    warn_unplaceable(&input, &plan);

    let summary = Summary::new(
        input.objective(&plan),
        &plan,
        solver,
        input.case_ids.len(),
        read,
        solve_seconds,
    );
    if json {
        println!("{}", summary.json());
    } else {
        println!("{}", summary.line());
    }
    Ok(ExitCode::SUCCESS)
}

fn read_input(cases: &Path, flights: &Path) -> anyhow::Result<FileInstance> {
    let read = |path: &Path| {
        std::fs::read(path)
            .map_err(|e| InvalidInput(format!("cannot read {}: {e}", path.display())))
    };
    let (case_bytes, flight_bytes) = (read(cases)?, read(flights)?);
    read_files(&case_bytes, &flight_bytes).map_err(|InputErrors(errors)| {
        let names = |file| match file {
            airbridge_planner::files::InputFile::Cases => cases.display().to_string(),
            airbridge_planner::files::InputFile::Flights => flights.display().to_string(),
        };
        let lines: Vec<String> = errors
            .iter()
            .map(|e| {
                format!(
                    "{}{}{}: {}; {}",
                    names(e.file),
                    if e.line > 0 {
                        format!(" line {}", e.line)
                    } else {
                        String::new()
                    },
                    e.column
                        .as_ref()
                        .map(|c| format!(", column `{c}`"))
                        .unwrap_or_default(),
                    e.problem,
                    e.fix
                )
            })
            .collect();
        anyhow::Error::from(InvalidInput(format!(
            "the input cannot be planned ({} problem{}); no plan was written:\n  {}",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" },
            lines.join("\n  ")
        )))
    })
}

/// Writes `case_id,flight_id` for every case, in the order of the cases file, to a temporary
/// file renamed into place, so a failure never leaves half a plan behind.
fn write_assignments(path: &Path, input: &FileInstance, plan: &Plan) -> anyhow::Result<()> {
    let flight_of: HashMap<i64, &str> = plan
        .assignments
        .iter()
        .map(|(flight, case)| (case.0, flight.0.as_str()))
        .collect();
    let temporary = path.with_extension("csv.partial");
    let file = std::fs::File::create(&temporary)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(file));
    writer.write_record(["case_id", "flight_id"])?;
    for (index, id) in input.case_ids.iter().enumerate() {
        let flight = flight_of.get(&(index as i64 + 1)).copied().unwrap_or("");
        writer.write_record([id.as_str(), flight])?;
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", temporary.display()))?
        .flush()?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Cases no flight may ever carry are not an error of the input as a whole (a case ready after
/// the last flight of its nation simply waits for the next schedule), but they are never left
/// silent.
fn warn_unplaceable(input: &FileInstance, plan: &Plan) {
    let unplaceable: Vec<&str> = plan
        .unassigned
        .iter()
        .filter(|u| u.reason == UnassignedReason::NoFeasibleFlight)
        .map(|u| input.case_label(u.case))
        .collect();
    if !unplaceable.is_empty() {
        let shown: Vec<&str> = unplaceable.iter().take(10).copied().collect();
        eprintln!(
            "warning: {} case(s) have no flight that may carry them (nation not carried, \
             destination not served, or ready after the last such flight): {}{}",
            unplaceable.len(),
            shown.join(", "),
            if unplaceable.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        );
    }
}

/// Runs `airbridge manifest`: from the plan's files when they are given, else from the plan
/// stored in the registry.
pub fn run_manifest(
    args: ManifestArgs,
    location: &Location,
    actor: &Actor,
    _json: bool,
) -> anyhow::Result<ExitCode> {
    if args.format == ManifestFormat::Pdf && args.output.is_none() {
        return Err(InvalidInput("a PDF manifest needs --output FILE.pdf".into()).into());
    }
    let files = [&args.assignments, &args.cases, &args.flights, &args.people];
    if files.iter().all(|f| f.is_none()) {
        return crate::plan_db::block_on(crate::plan_db::manifest(location, &args, actor));
    }
    let (Some(assignments), Some(cases), Some(flights), Some(people)) =
        (&args.assignments, &args.cases, &args.flights, &args.people)
    else {
        return Err(InvalidInput(
            "a manifest from files needs the plan's files: --assignments ASSIGNMENTS.csv \
             --cases CASES.csv --flights FLIGHTS.csv --people PEOPLE.csv (without them, the plan \
             stored in --db is used)"
                .into(),
        )
        .into());
    };
    let input = read_input(cases, flights)?;
    let flight = input
        .instance
        .flights
        .iter()
        .find(|f| f.id.0 == args.flight)
        .ok_or_else(|| {
            InvalidInput(format!(
                "flight {} is not in {}",
                args.flight,
                flights.display()
            ))
        })?;
    let on_flight = read_assignments(assignments, &args.flight)?;
    let mut members = read_people(people)?;
    let index_of: HashMap<&str, usize> = input
        .case_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut families = Vec::new();
    for case_id in &on_flight {
        let index = *index_of.get(case_id.as_str()).ok_or_else(|| {
            InvalidInput(format!(
                "case {case_id} is on flight {} in {} but not in {}",
                args.flight,
                assignments.display(),
                cases.display()
            ))
        })?;
        let case = &input.instance.cases[index];
        families.push(Family {
            case_id: case_id.clone(),
            nation: case.nation.to_string(),
            seats: case.seats(),
            people: case.people(),
            members: members.remove(case_id.as_str()).unwrap_or_default(),
        });
    }
    let manifest = Manifest {
        flight_id: flight.id.0.clone(),
        operator: flight.nation.to_string(),
        destination: flight.destination.0.clone(),
        departs_at: format_time(input.epoch + flight.slot),
        capacity: flight.capacity(),
        families,
        stamp: None,
    };
    let bytes = match args.format {
        ManifestFormat::Csv => airbridge_manifest::to_csv(&manifest),
        ManifestFormat::Pdf => {
            airbridge_manifest::to_pdf(&manifest).context("cannot lay out the PDF manifest")?
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The cases on `flight`, in the plan's order.
fn read_assignments(path: &Path, flight: &str) -> anyhow::Result<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| InvalidInput(format!("cannot read {}: {e}", path.display())))?;
    let mut cases = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| InvalidInput(format!("{}: {e}", path.display())))?;
        if record.get(1) == Some(flight) {
            cases.push(record.get(0).unwrap_or_default().to_owned());
        }
    }
    Ok(cases)
}

/// Members by case, in file order.
fn read_people(path: &Path) -> anyhow::Result<BTreeMap<String, Vec<Passenger>>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(path)
        .map_err(|e| InvalidInput(format!("cannot read {}: {e}", path.display())))?;
    let headers = reader
        .headers()
        .map_err(|e| InvalidInput(format!("{}: {e}", path.display())))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(case_column), Some(name_column)) = (column("case_id"), column("name_latin")) else {
        return Err(InvalidInput(format!(
            "{} needs the columns case_id and name_latin (optional: name_original, nationality, document, lap_infant)",
            path.display()
        ))
        .into());
    };
    let optional = |name| column(name);
    let (original, nationality, document, lap) = (
        optional("name_original"),
        optional("nationality"),
        optional("document"),
        optional("lap_infant"),
    );
    let mut people: BTreeMap<String, Vec<Passenger>> = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| InvalidInput(format!("{}: {e}", path.display())))?;
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or_default().to_owned();
        people
            .entry(get(Some(case_column)))
            .or_default()
            .push(Passenger {
                name_latin: get(Some(name_column)),
                name_original: get(original),
                nationality: get(nationality),
                document: get(document),
                lap_infant: matches!(
                    get(lap).to_ascii_lowercase().as_str(),
                    "yes" | "y" | "true" | "1"
                ),
            });
    }
    Ok(people)
}
