//! `airbridge dedup` before it is wired into the binary: compiles the binary's own
//! `dedup_cmd.rs` unchanged and runs it, so benchmarks measure exactly the shipped code path.
//!
//! ```sh
//! cargo run --release -p airbridge-dedup --example dedup_file -- --input RECORDS.csv --output CLUSTERS.csv
//! ```

#[path = "../../airbridge/src/dedup_cmd.rs"]
mod dedup_cmd;

use clap::Parser;

#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    args: dedup_cmd::DedupArgs,
    /// Print the summary as JSON on standard output.
    #[arg(long)]
    json: bool,
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    dedup_cmd::run(cli.args, cli.json)
}
