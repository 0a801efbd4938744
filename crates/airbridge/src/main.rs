//! The `airbridge` binary: reads the command line and the environment, opens the store and
//! runs one command. Errors become a message on stderr and an exit code scripts can rely on
//! (see `airbridge --help`).

mod cli;
mod commands;
mod db_cmd;
mod dedup_cmd;
mod dedup_db;
mod demo;
mod field_cmd;
mod flights_cmd;
mod jobs;
mod key_cmd;
mod list_files;
mod lists_cmd;
mod names_cmd;
mod parse;
mod plan_cmd;
mod plan_db;
mod registry_screening;
mod sanctions_cmd;
mod screen_cmd;
mod serve;
mod users_cmd;

use airbridge_store::{ErrorKind, StoreError};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: imports, the demo and screening allocate many
/// small strings, and glibc's allocator was measured at about 45% of an import's CPU time.
/// Its arenas commit memory as it is used (`.cargo/config.toml` sets that default at build).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes, stable for scripts.
pub mod exit {
    pub const INTERNAL: u8 = 1;
    pub const NOT_FOUND: u8 = 3;
    pub const CONFLICT: u8 = 4;
    pub const INVALID: u8 = 5;
}

/// Input refused before it reached the store; the message says what and how to fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

fn main() -> ExitCode {
    // Output piped into `head` and closed early is not a failure: stop quietly, as Unix tools do.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let mut cli = cli::Cli::parse_resolved();
    key_cmd::configure(cli.keys.clone());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AIRBRIDGE_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,sqlx=error,airbridge=info")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    // `sanctions load` works on the registry's database: it is `screening load`.
    cli.command = match cli.command {
        cli::Command::Sanctions(command) => match command.on_database() {
            Ok(screening) => cli::Command::Screening(screening),
            Err(command) => cli::Command::Sanctions(command),
        },
        other => other,
    };
    let location = cli.location();
    let actor = commands::actor(&cli);
    let result = match cli.command {
        cli::Command::Names(command) => names_cmd::run(command),
        cli::Command::Sanctions(command) => sanctions_cmd::run(command, cli.json),
        cli::Command::Screen(args) => screen_cmd::run(args, cli.json),
        cli::Command::Dedup(args) if args.input.is_some() || args.output.is_some() => {
            dedup_cmd::run(args, cli.json)
        }
        cli::Command::Plan(args) => plan_cmd::run_plan(args, &location, &actor, cli.json),
        cli::Command::Manifest(args) => plan_cmd::run_manifest(args, &location, &actor, cli.json),
        _ => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| {
                runtime.block_on(async {
                    let result = commands::run(cli).await;
                    key_cmd::close_all().await;
                    result
                })
            }),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code(&error))
        }
    }
}

fn exit_code(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<InvalidInput>().is_some() {
        return exit::INVALID;
    }
    match error.downcast_ref::<StoreError>().map(StoreError::kind) {
        Some(ErrorKind::NotFound) => exit::NOT_FOUND,
        Some(ErrorKind::Conflict) => exit::CONFLICT,
        Some(ErrorKind::Invalid) => exit::INVALID,
        Some(ErrorKind::Internal) | None => exit::INTERNAL,
    }
}
