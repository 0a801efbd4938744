//! `airbridge plan` and `airbridge manifest` (issue 7): the planner and manifests, from files or
//! from the registry.

use crate::InvalidInput;
use clap::Args;
use std::path::Path;
use std::process::ExitCode;

/// Arguments of `airbridge plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {}

/// Arguments of `airbridge manifest`.
#[derive(Debug, Args)]
pub struct ManifestArgs {}

/// Runs `airbridge plan`.
pub fn run_plan(_args: PlanArgs, _db: &Path, _json: bool) -> anyhow::Result<ExitCode> {
    Err(InvalidInput("`airbridge plan` is not built yet (issue 7)".into()).into())
}

/// Runs `airbridge manifest`.
pub fn run_manifest(_args: ManifestArgs, _db: &Path, _json: bool) -> anyhow::Result<ExitCode> {
    Err(InvalidInput("`airbridge manifest` is not built yet (issue 7)".into()).into())
}
