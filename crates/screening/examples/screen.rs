//! Runs `airbridge screen` before it is wired into the binary: the same code (the CLI's own
//! `screen_cmd.rs` is compiled in here), the same arguments.
//!
//! ```sh
//! cargo run --release -p airbridge-screening --example screen -- \
//!     --list UN.xml --input queries.csv --output hits.csv --threshold 0.3
//! ```

#[path = "../../airbridge/src/screen_cmd.rs"]
mod screen_cmd;

use clap::Parser;

#[derive(Debug, Parser)]
struct Cli {
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    args: screen_cmd::ScreenArgs,
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    screen_cmd::run(cli.args, cli.json)
}
