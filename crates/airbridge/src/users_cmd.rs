//! `airbridge users …`: accounts from the server's shell — the first administrator, listing,
//! disabling, unlocking and resetting a second factor. A password is read from a prompt (twice,
//! without echo) or from the first line of `--password-file`, never from the command line,
//! where it would stay in the shell's history and the process list.

use crate::InvalidInput;
use crate::parse;
use airbridge_domain::{Access, OrganisationId, Role};
use airbridge_store::any::Location;
use airbridge_store::{Actor, NewUser, OpenMode, Store, UserRecord};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account: `airbridge users add --username amelie --role caseworker --nation FR`.
    Add(AddArgs),
    /// List the accounts (of one nation with --nation).
    List {
        #[arg(long)]
        nation: Option<String>,
    },
    /// Disable an account; it is logged out everywhere at once.
    Disable { username: String },
    /// Enable a disabled account again.
    Enable { username: String },
    /// Lift a lockout after repeated failed logins.
    Unlock { username: String },
    /// Remove an account's second factor (lost phone); an administrator enrols a new one at
    /// the next login.
    ResetTotp { username: String },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    pub username: String,
    /// system-admin, nation-admin, caseworker, screening-officer, gate-officer, coordinator or
    /// ngo-submitter.
    #[arg(long)]
    pub role: String,
    /// The nation the account acts for (every role but system-admin and coordinator).
    #[arg(long)]
    pub nation: Option<String>,
    /// The NGO an ngo-submitter submits for (O3 or 3).
    #[arg(long)]
    pub organisation: Option<String>,
    /// The gate a gate-officer works ("Abbey Gate").
    #[arg(long)]
    pub gate: Option<String>,
    /// The name shown on screens (default: the user name).
    #[arg(long)]
    pub display_name: Option<String>,
    /// Read the password from the first line of this file instead of a prompt.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
}

/// A role and its bindings from the command line (shared with `airbridge token create`).
pub fn access(
    role: &str,
    nation: Option<airbridge_domain::NationCode>,
    organisation: Option<&str>,
    gate: &Option<String>,
) -> Result<Access, InvalidInput> {
    let role = Role::parse(role).map_err(|e| InvalidInput(e.to_string()))?;
    let organisation = organisation
        .map(|o| o.parse::<OrganisationId>())
        .transpose()
        .map_err(|_| InvalidInput("--organisation must be an id such as O3".into()))?;
    Access::new(role, nation, organisation, gate.clone()).map_err(|e| InvalidInput(e.to_string()))
}

fn read_password(file: Option<&PathBuf>) -> anyhow::Result<String> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the password file {}", path.display()))?;
        return Ok(text.lines().next().unwrap_or_default().to_owned());
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")
        .context("cannot read a password from the terminal; use --password-file")?;
    airbridge_web::password::check_new(&first).map_err(|e| InvalidInput(e.to_string()))?;
    let again = rpassword::prompt_password("Password again: ")
        .context("cannot read a password from the terminal; use --password-file")?;
    if first != again {
        return Err(InvalidInput("the two passwords differ".into()).into());
    }
    Ok(first)
}

fn user_line(user: &UserRecord) -> String {
    let access = &user.access;
    let mut line = format!(
        "{:<20} {:<18} {:<3}",
        user.username,
        access.role(),
        access.nation().map(|n| n.to_string()).unwrap_or("-".into())
    );
    if let Some(organisation) = access.organisation() {
        line.push_str(&format!(" {organisation}"));
    }
    if let Some(gate) = access.gate() {
        line.push_str(&format!(" gate \"{gate}\""));
    }
    line.push_str(&format!("  {}", user.display_name));
    if user.disabled {
        line.push_str("  [disabled]");
    }
    if user.locked_until.is_some_and(|t| t > airbridge_web::now()) {
        line.push_str("  [locked]");
    }
    if user.access.role().needs_second_factor() && !user.totp_enrolled {
        line.push_str("  [no second factor yet]");
    }
    line
}

pub async fn run(
    location: &Location,
    command: UsersCommand,
    actor: &Actor,
    json: bool,
) -> anyhow::Result<()> {
    let store = crate::key_cmd::open_store(location, OpenMode::MustExist).await?;
    let show = |user: &UserRecord, what: &str| -> anyhow::Result<()> {
        if json {
            println!("{}", serde_json::to_string_pretty(user)?);
        } else {
            println!("{what}: {}", user_line(user));
        }
        Ok(())
    };
    match command {
        UsersCommand::Add(args) => {
            let nation = args
                .nation
                .as_deref()
                .map(|n| parse::nation("--nation", n))
                .transpose()?;
            let access = access(&args.role, nation, args.organisation.as_deref(), &args.gate)?;
            let password = read_password(args.password_file.as_ref())?;
            let hash =
                tokio::task::spawn_blocking(move || airbridge_web::password::hash(&password))
                    .await?
                    .map_err(|e| InvalidInput(e.to_string()))?;
            let user = store
                .add_user(
                    actor,
                    NewUser {
                        display_name: args.display_name.unwrap_or_else(|| args.username.clone()),
                        username: args.username,
                        access,
                        password_hash: hash,
                    },
                )
                .await?;
            show(&user, "Added")?;
            if !json && user.access.role().needs_second_factor() {
                println!(
                    "At the first login in a browser, {} will be asked to enrol a second factor.",
                    user.username
                );
            }
        }
        UsersCommand::List { nation } => {
            let nation = nation
                .as_deref()
                .map(|n| parse::nation("--nation", n))
                .transpose()?;
            let users = store.list_users(nation).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else if users.is_empty() {
                println!(
                    "No accounts. Create one with: airbridge users add --username U --role system-admin"
                );
            } else {
                for user in &users {
                    println!("{}", user_line(user));
                }
            }
        }
        UsersCommand::Disable { username } => {
            show(
                &store.set_user_disabled(actor, &username, true).await?,
                "Disabled",
            )?;
        }
        UsersCommand::Enable { username } => {
            show(
                &store.set_user_disabled(actor, &username, false).await?,
                "Enabled",
            )?;
        }
        UsersCommand::Unlock { username } => {
            show(&store.unlock_user(actor, &username).await?, "Unlocked")?;
        }
        UsersCommand::ResetTotp { username } => {
            show(
                &store.set_user_totp(actor, &username, None).await?,
                "Second factor removed",
            )?;
        }
    }
    store.close().await;
    Ok(())
}
