//! The command line: every command and option, as clap reads them.

use crate::names_cmd::NamesCommand;
use airbridge_store::any::Location;
use clap::{Args, Parser, Subcommand};

/// Airbridge: coordinate a civilian evacuation between allied nations.
///
/// Exit codes: 0 done; 1 internal failure; 2 bad usage; 3 not found; 4 conflict (someone else
/// changed it, or it already exists); 5 refused input (the message says what and how to fix).
#[derive(Debug, Parser)]
#[command(name = "airbridge", version, about, long_about = None)]
pub struct Cli {
    /// The database: a SQLite file (PATH or sqlite:PATH) or a PostgreSQL server
    /// (postgres://USER:PASSWORD@HOST:PORT/DATABASE). Without it: AIRBRIDGE_DATABASE_URL, else
    /// airbridge.db.
    #[arg(
        long = "db",
        global = true,
        env = "AIRBRIDGE_DB",
        value_name = "PATH|URL"
    )]
    db_option: Option<String>,
    /// The database chosen, once the environment is read (see [`Cli::parse_resolved`]).
    #[arg(skip)]
    pub db: String,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Who is acting, recorded in the audit trail (default: cli:$USER).
    #[arg(long, global = true, env = "AIRBRIDGE_ACTOR")]
    pub actor: Option<String>,
    /// How to unlock an encrypted SQLite database.
    #[command(flatten)]
    pub keys: crate::key_cmd::KeyOptions,
    #[command(subcommand)]
    pub command: Command,
}

/// The SQLite file used when no database is named.
pub const DEFAULT_DATABASE: &str = "airbridge.db";

impl Cli {
    /// Reads the command line, then settles the database: `--db` (or `AIRBRIDGE_DB`), else
    /// `AIRBRIDGE_DATABASE_URL`, else `airbridge.db`.
    pub fn parse_resolved() -> Cli {
        let mut cli = Cli::parse();
        cli.db = cli
            .db_option
            .take()
            .or_else(|| std::env::var("AIRBRIDGE_DATABASE_URL").ok())
            .filter(|db| !db.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        cli
    }

    pub fn location(&self) -> Location {
        Location::parse(&self.db)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (or bring its schema up to date).
    Init,
    /// Build the synthetic Kabul-2021 scenario into the database, then serve it.
    Demo(DemoArgs),
    /// Serve the JSON API.
    Serve(ServeArgs),
    /// Nations (tenants).
    #[command(subcommand)]
    Nation(NationCommand),
    /// Organisations: embassies, ministries, armed forces, NGOs, media, employers.
    #[command(subcommand, name = "org")]
    Organisation(OrganisationCommand),
    /// People.
    #[command(subcommand)]
    Person(PersonCommand),
    /// Family cases.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Evacuation status of one person.
    #[command(subcommand)]
    Status(StatusCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Accounts: add (the first administrator too), list, disable, unlock, reset-totp.
    #[command(subcommand)]
    Users(crate::users_cmd::UsersCommand),
    /// Import a list (CSV, XLSX, XLS, ODS, PFIF XML): a report for every row; rejected rows are quarantined.
    Import(crate::lists_cmd::ImportArgs),
    /// Export a nation's people (CSV, XLSX or PFIF), stamped with who exported what and when; audited.
    Export(crate::lists_cmd::ExportArgs),
    /// Rows that could not be imported, kept whole until a corrected list is imported.
    Quarantine {
        #[arg(long)]
        nation: Option<String>,
        /// Also show rows resolved by a later import.
        #[arg(long)]
        all: bool,
    },
    /// Copy a whole registry into an empty database (e.g. a laptop's SQLite file onto a
    /// PostgreSQL server), then verify it by counts, checksums and the audit chain.
    Migrate(crate::db_cmd::MigrateArgs),
    /// Write a consistent backup of --db while it is in use (SQLite snapshot or pg_dump).
    Backup(crate::db_cmd::BackupArgs),
    /// Restore a backup into --db, checked before it replaces anything.
    Restore(crate::db_cmd::RestoreArgs),
    /// Encryption of the SQLite file: make a key, encrypt a plaintext file, change the key.
    #[command(subcommand)]
    Db(crate::key_cmd::DbCommand),
    /// Check the database: the backend's integrity (SQLite's checks and foreign keys, or
    /// PostgreSQL's schema, constraints and audit triggers), the registry's invariants and the
    /// audit chain.
    Check,
    /// The names engine: compare, key and score personal names.
    #[command(subcommand)]
    Names(NamesCommand),
    /// Find the same person across a file of records (`--input`), or across the registry (`--db`) with its review queue.
    Dedup(crate::dedup_cmd::DedupArgs),
    /// Screening of the registry: load list versions, screen everyone, review hits.
    #[command(subcommand)]
    Screening(crate::registry_screening::ScreeningCommand),
    /// Screen a file of people against sanctions lists: hits with scores and explanations.
    Screen(crate::screen_cmd::ScreenArgs),
    /// Sanctions lists (UN Security Council consolidated list, OFAC SDN): read, show, diff.
    #[command(subcommand)]
    Sanctions(crate::sanctions_cmd::SanctionsCommand),
    /// Plan flights: assign ready cases to seats, families together, by priority.
    Plan(crate::plan_cmd::PlanArgs),
    /// Print a flight's manifest for the gate (CSV or PDF).
    Manifest(crate::plan_cmd::ManifestArgs),
    /// Flights for the planner: aircraft types, flights (add, import, cancel, delay, change
    /// aircraft), carriage agreements and destinations' acceptance rules.
    #[command(subcommand)]
    Flights(crate::flights_cmd::FlightsCommand),
    /// Call cases forward to a gate for a window: a pass for each case (a code that names
    /// nobody) and a message to each member with a phone, queued in the outbox.
    CallForward(crate::field_cmd::CallForwardArgs),
    /// Passes: list a case's, revoke one.
    #[command(subcommand)]
    Passes(crate::field_cmd::PassesCommand),
    /// The outbox: list what waits, send it through an adapter (file or a program).
    #[command(subcommand)]
    Outbox(crate::field_cmd::OutboxCommand),
    /// Mark as no-shows those called forward whose window ended and who never came.
    NoShows {
        /// The time to judge by (RFC 3339); now by default.
        #[arg(long)]
        now: Option<String>,
    },
    /// Flags raised at the gates for a person to look at: list, clear.
    #[command(subcommand)]
    Flags(crate::field_cmd::FlagsCommand),
    /// The situation report for an allied coordination meeting (PDF or CSV): people per nation
    /// and category and where they stand, evacuated per day, flights flown and seats used.
    /// Audited.
    Sitrep(crate::field_cmd::SitrepArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many people to generate (up to 1,000,000 and more for load work).
    #[arg(long, default_value_t = 20_000)]
    pub persons: usize,
    /// The random seed: the same seed gives the same scenario.
    #[arg(long, default_value_t = 2021)]
    pub seed: u64,
    /// Port to serve on afterwards.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Build the database and stop, without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Replace the database file if it exists (otherwise a non-empty database is refused).
    #[arg(long)]
    pub fresh: bool,
    /// The address people reach the server at, for the pass links in call-forward messages.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, env = "AIRBRIDGE_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; 127.0.0.1 keeps it on this machine.
    #[arg(long, env = "AIRBRIDGE_BIND", default_value = "127.0.0.1")]
    pub bind: String,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, env = "AIRBRIDGE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "AIRBRIDGE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// The address people reach the server at (https://airbridge.example.org), for the pass
    /// links in call-forward messages; without it the links are paths (/p/…).
    #[arg(long, env = "AIRBRIDGE_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum NationCommand {
    /// Add a nation: `airbridge nation add FR France`.
    Add {
        code: String,
        name: String,
    },
    List,
    /// Change a nation's settings.
    Set {
        code: String,
        /// Exports of more people than this need --confirm (default 500).
        #[arg(long)]
        export_confirm_above: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrganisationCommand {
    /// Add an organisation: `airbridge org add --nation FR --kind embassy "Embassy of France"`.
    Add {
        #[arg(long)]
        nation: String,
        /// embassy, ministry, armed_forces, ngo, media or employer.
        #[arg(long)]
        kind: String,
        name: String,
    },
    List {
        #[arg(long)]
        nation: Option<String>,
    },
}

/// A person's details as options.
#[derive(Debug, Clone, Args, Default)]
pub struct PersonArgs {
    #[arg(long)]
    pub given: Option<String>,
    #[arg(long)]
    pub family: Option<String>,
    #[arg(long)]
    pub father: Option<String>,
    #[arg(long)]
    pub grandfather: Option<String>,
    /// The whole name as one string, when the list does not split it.
    #[arg(long)]
    pub full: Option<String>,
    /// For an unnamed dependent: "wife of P12", "child 3".
    #[arg(long)]
    pub placeholder: Option<String>,
    /// female, male, other, unknown (also f/m, homme/femme, زن/مرد).
    #[arg(long)]
    pub sex: Option<String>,
    /// Date of birth: 1986, 1986-08, 1986-08-03, 03/08/1986, 1365/05/12, "1365 SH".
    #[arg(long)]
    pub dob: Option<String>,
    /// Calendar of --dob when it cannot be told from the date: gregorian or solar_hijri.
    #[arg(long)]
    pub calendar: Option<String>,
    #[arg(long)]
    pub place_of_birth: Option<String>,
    /// Nationality (ISO alpha-2), repeatable.
    #[arg(long = "nationality")]
    pub nationalities: Vec<String>,
    /// A document as KIND:NUMBER[:ISSUER], e.g. passport:P1234567:AF, repeatable.
    #[arg(long = "doc")]
    pub documents: Vec<String>,
    /// Phone number, repeatable; without a country code it is read as Afghan.
    #[arg(long = "phone")]
    pub phones: Vec<String>,
    #[arg(long = "email")]
    pub emails: Vec<String>,
    /// Language (ISO 639), repeatable.
    #[arg(long = "language")]
    pub languages: Vec<String>,
    /// unaccompanied_minor, medical, pregnancy, disability, elderly; repeatable.
    #[arg(long = "vulnerability")]
    pub vulnerabilities: Vec<String>,
}

// Parsed once per run: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Register a person on their own (put them in a case with `case add-member`).
    Add {
        #[arg(long)]
        nation: String,
        #[command(flatten)]
        person: PersonArgs,
    },
    /// Show a person with their status history.
    Show { id: String },
    /// Find people by name, nation and status: the words a name begins with, then names
    /// close in any spelling or script (Zahra finds زهرا), best first.
    Search {
        /// A name, or the first letters of its words.
        query: Option<String>,
        #[arg(long)]
        nation: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Erase a person's personal data (audited; needs a reason).
    Purge {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

// Parsed once per run: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Register a case with its principal (and dependents with --member).
    Add {
        #[arg(long)]
        nation: String,
        /// Organisation id (O3 or 3).
        #[arg(long)]
        org: Option<String>,
        /// The submitting list's case or family number.
        #[arg(long)]
        reference: Option<String>,
        /// Eligibility: national | worked:EMPLOYER:ROLE | at_risk:CATEGORY:REASON; repeatable.
        #[arg(long = "basis")]
        bases: Vec<String>,
        /// Dependents as RELATION:NAME, e.g. spouse:"Fatima" or child:"" for an unnamed child.
        #[arg(long = "member")]
        members: Vec<String>,
        /// The principal's details.
        #[command(flatten)]
        principal: PersonArgs,
    },
    /// Put an already registered person into a case.
    AddMember {
        case: String,
        person: String,
        #[arg(long)]
        relation: String,
    },
    Show {
        id: String,
    },
    List {
        #[arg(long)]
        nation: Option<String>,
        #[arg(long)]
        reference: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Move every member of a case to a status together.
    Status {
        case: String,
        to: String,
        #[arg(long)]
        reason: Option<String>,
        /// Where: "Abbey Gate", "HKIA".
        #[arg(long = "at")]
        location: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum StatusCommand {
    /// Move a person to a status: `airbridge status set P12 at_gate --at "Abbey Gate"`.
    Set {
        person: String,
        to: String,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long = "at")]
        location: Option<String>,
        /// Refuse the change if the person's version is not this (someone else changed them).
        #[arg(long)]
        expected_version: Option<i64>,
    },
    /// A person's status history.
    History { person: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The newest events (oldest first).
    List {
        /// Only events about this entity, as TYPE:ID (person:P12, case:C3, nation:FR).
        #[arg(long)]
        entity: Option<String>,
        /// Only events by this actor (as recorded: cli:alice, token:gate-1).
        #[arg(long = "by")]
        by: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Walk the hash chain: find any altered, removed or reordered event.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; the secret is printed once.
    Create {
        name: String,
        /// Bind the token to one nation (without it, the token is an operator's).
        #[arg(long)]
        nation: Option<String>,
        /// The token's role, as an account's (default: system-admin without --nation,
        /// nation-admin with it).
        #[arg(long)]
        role: Option<String>,
        /// The NGO an ngo-submitter token submits for (O3 or 3).
        #[arg(long)]
        organisation: Option<String>,
        /// The gate a gate-officer token works.
        #[arg(long)]
        gate: Option<String>,
    },
}
