//! `airbridge names …`: the names engine on the command line. (Being written.)

use std::process::ExitCode;

/// The `names` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum NamesCommand {}

pub fn run(command: NamesCommand) -> anyhow::Result<ExitCode> {
    match command {}
}
