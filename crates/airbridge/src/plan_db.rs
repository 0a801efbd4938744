//! `airbridge plan` and `airbridge manifest` on the registry (issue 7): the stored ready pool and
//! flights in, the plan stored (audited) and manifests printed from it.
//!
//! Reading the registry into the planner's terms, the fast planner's re-plan, storing a plan
//! and building a manifest are `airbridge_web::planning`'s, shared with the web app's flights
//! screens; this file adds the exact solver, the command line's output and the files.

use crate::InvalidInput;
use crate::plan_cmd::{ManifestArgs, ManifestFormat, PlanArgs, Summary};
use airbridge_manifest::Manifest;
use airbridge_planner::{Instance, Plan, PriorityWeights};
use airbridge_planner_milp::MilpSolver;
use airbridge_store::any::Location;
use airbridge_store::{Actor, FlightStore, OpenMode};
use airbridge_web::planning::{self, PlanningError};
use anyhow::Context;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// Runs an async registry command on a runtime of its own (plan and manifest from files need
/// none), closing the stores it opened.
pub fn block_on<F>(future: F) -> anyhow::Result<ExitCode>
where
    F: std::future::Future<Output = anyhow::Result<ExitCode>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let result = future.await;
        crate::key_cmd::close_all().await;
        result
    })
}

/// A planning failure as the command line reports it: a store error keeps its exit code, a
/// refusal the user can fix is invalid input.
fn cli_error(error: PlanningError) -> anyhow::Error {
    match error {
        PlanningError::Store(error) => error.into(),
        error @ (PlanningError::NoFlight | PlanningError::UnknownWeight { .. }) => {
            InvalidInput(error.to_string()).into()
        }
        other => other.into(),
    }
}

/// A nation's stored weights over the defaults (a weight it never set keeps its default).
pub fn priority_weights(
    stored: &std::collections::BTreeMap<String, f64>,
) -> anyhow::Result<PriorityWeights> {
    planning::priority_weights(stored).map_err(cli_error)
}

/// `airbridge plan --db`: plans the stored ready pool onto the stored flights and stores the
/// plan.
pub async fn plan(
    location: &Location,
    args: &PlanArgs,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    let now = OffsetDateTime::now_utc();
    let started = Instant::now();
    let loaded = planning::load(&store, now).await.map_err(cli_error)?;
    let read = started.elapsed();
    let config = &loaded.config;
    let solving = Instant::now();
    let (plan, solver) = if args.exact {
        // On the registry the plan is what people are told: fairness between nations is a
        // constraint, as it is for the fast planner.
        let solver = MilpSolver {
            time_limit: Duration::from_secs_f64(args.time_limit),
            fair: true,
            ..MilpSolver::default()
        };
        let outcome = solver
            .solve_with_outcome(&loaded.instance, config)
            .context("the exact solver failed")?;
        if outcome.unfair > 0 {
            return Err(InvalidInput(format!(
                "the exact solver's plan still leaves {} cases waiting unfairly after {} \
                 rounds of fairness constraints ({:.0} s); nothing was stored. Plan without \
                 --exact (the fast planner is always fair), or give a longer --time-limit",
                outcome.unfair,
                outcome.fairness_rounds,
                outcome.elapsed.as_secs_f64()
            ))
            .into());
        }
        let label = if outcome.proven_optimal {
            "exact, proven optimal (fair between nations)".to_owned()
        } else {
            format!("exact, not proven optimal: HiGHS {}", outcome.status)
        };
        (outcome.plan, label)
    } else {
        planning::fast_plan(&loaded, args.fresh).map_err(cli_error)?
    };
    let solve_seconds = solving.elapsed().as_secs_f64();
    // Checked independently of how the plan was made, before anything is stored.
    let outcome = planning::store_plan(&store, actor, &loaded, &plan, solver.clone())
        .await
        .map_err(cli_error)?;
    let summary = Summary::new(
        plan.objective,
        &plan,
        solver.clone(),
        loaded.instance.cases.len(),
        read,
        solve_seconds,
    );
    if let Some(path) = &args.output {
        write_assignments(path, &loaded.instance, &plan)?;
    }
    let waiting = planning::waiting(&plan);
    let (blocked, unplaceable, no_escort) = (
        waiting.blocked,
        waiting.no_feasible_flight,
        waiting.no_escort,
    );
    if unplaceable > 0 {
        eprintln!(
            "warning: {unplaceable} ready case(s) have no flight that may carry them (nation not \
             carried, destination not accepting them, or larger than any aircraft)"
        );
    }
    if loaded.undecided > 0 {
        eprintln!(
            "warning: {} ready case(s) have no eligibility basis recorded and were not planned",
            loaded.undecided
        );
    }
    let run = &outcome.run;
    if json {
        let mut value = summary.json();
        value.as_object_mut().expect("an object").extend([
            ("plan_run".to_owned(), serde_json::json!(run.id)),
            ("kept".to_owned(), serde_json::json!(run.kept)),
            ("moved".to_owned(), serde_json::json!(run.moved)),
            ("dropped".to_owned(), serde_json::json!(run.dropped)),
            (
                "told_moved".to_owned(),
                serde_json::json!(outcome.told_moved),
            ),
            ("blocked".to_owned(), serde_json::json!(blocked)),
            ("no_escort".to_owned(), serde_json::json!(no_escort)),
            (
                "no_feasible_flight".to_owned(),
                serde_json::json!(unplaceable),
            ),
            ("undecided".to_owned(), serde_json::json!(loaded.undecided)),
        ]);
        println!("{value}");
    } else {
        println!("{}", summary.line());
        println!(
            "plan {} stored: {} people kept their flight, {} moved, {} lost their seat{}; {} case(s) blocked by screening, {} unaccompanied minor(s) without an escort",
            run.id,
            run.kept,
            run.moved,
            run.dropped,
            if outcome.told_moved.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} case(s) already told their flight must be told again)",
                    outcome.told_moved.len()
                )
            },
            blocked,
            no_escort,
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `case_id,flight_id` for every ready case (an empty flight: the case waits), by case id.
fn write_assignments(
    path: &std::path::Path,
    instance: &Instance,
    plan: &Plan,
) -> anyhow::Result<()> {
    let flight_of: HashMap<_, &str> = plan
        .assignments
        .iter()
        .map(|(flight, case)| (*case, flight.0.as_str()))
        .collect();
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    writer.write_record(["case_id", "flight_id"])?;
    for case in &instance.cases {
        writer.write_record([
            case.id.to_string().as_str(),
            flight_of.get(&case.id).copied().unwrap_or(""),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// `airbridge manifest --flight ID` from the plan in force. Audited (`manifest.print`).
pub async fn manifest(
    location: &Location,
    args: &ManifestArgs,
    actor: &Actor,
) -> anyhow::Result<ExitCode> {
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    let stored = store.flight_manifest(&args.flight).await?;
    if !stored.flight.status.flies() {
        return Err(InvalidInput(format!(
            "flight {} is {}: re-plan with `airbridge plan` to move its people",
            args.flight,
            stored.flight.status.as_str()
        ))
        .into());
    }
    let engine = airbridge_names::NameEngine::new();
    let manifest: Manifest =
        planning::manifest_of(&stored, OffsetDateTime::now_utc(), &engine, |_| true, None);
    let flight = &stored.flight;
    let bytes = match args.format {
        ManifestFormat::Csv => airbridge_manifest::to_csv(&manifest),
        ManifestFormat::Pdf => {
            airbridge_manifest::to_pdf(&manifest).context("cannot lay out the PDF manifest")?
        }
    };
    planning::record_manifest_print(
        &store,
        actor,
        stored.plan_run,
        match args.format {
            ManifestFormat::Csv => "csv",
            ManifestFormat::Pdf => "pdf",
        },
        &manifest,
        flight.nation,
    )
    .await?;
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}
