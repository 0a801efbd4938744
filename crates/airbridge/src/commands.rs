//! Runs one command against the store and prints its result, as text or `--json`.

use crate::cli::*;
use crate::{InvalidInput, parse};
use airbridge_domain::{Eligibility, NewCase, NewMember, OrganisationKind, Relation};
use airbridge_store::{
    Actor, AnyStore, AuditFilter, CaseQuery, CaseRecord, OpenMode, PersonQuery, PersonRecord,
    StatusChange, StatusRequest, Store, StoreError,
};
use serde::Serialize;
use std::process::ExitCode;

/// Prints `value` as JSON, or the human text.
fn show<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        let text = human();
        if !text.is_empty() {
            println!("{text}");
        }
    }
    Ok(())
}

pub(crate) fn person_line(record: &PersonRecord) -> String {
    let birth = record
        .person
        .birth_date
        .map(|d| d.to_string())
        .unwrap_or_else(|| "-".into());
    let case = record
        .case
        .map(|c| c.to_string())
        .unwrap_or_else(|| "-".into());
    format!(
        "{:<9} {}  {:<15} {:<8} {:<14} {}",
        record.id.to_string(),
        record.nation,
        record.status.as_str(),
        case,
        birth,
        record.person.name.display()
    )
}

fn person_details(record: &PersonRecord, history: &[StatusChange]) -> String {
    let p = &record.person;
    let mut lines = vec![
        format!("{}  {}", record.id, p.name.display()),
        format!("  nation        {}", record.nation),
        format!(
            "  status        {} (version {})",
            record.status, record.version
        ),
    ];
    if let Some(case) = record.case {
        let relation = record.relation.map(Relation::as_str).unwrap_or("-");
        lines.push(format!("  case          {case} ({relation})"));
    }
    for (label, part) in [
        ("given", &p.name.given),
        ("family", &p.name.family),
        ("father", &p.name.father),
        ("grandfather", &p.name.grandfather),
        ("full name", &p.name.full),
        ("placeholder", &p.name.placeholder),
        ("born in", &p.place_of_birth),
    ] {
        if let Some(value) = part {
            lines.push(format!("  {label:<13} {value}"));
        }
    }
    lines.push(format!("  sex           {}", p.sex.as_str()));
    if let Some(date) = &p.birth_date {
        let (first, last) = date.gregorian_range();
        let range = if first == last {
            first.to_string()
        } else {
            format!("{first} .. {last}")
        };
        lines.push(format!("  born          {date}  (Gregorian {range})"));
    }
    for document in &p.documents {
        let issuer = document
            .issuing_country
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        lines.push(format!(
            "  document      {} {}{issuer}",
            document.kind.as_str(),
            document.as_written()
        ));
    }
    for phone in &p.phones {
        lines.push(format!("  phone         {phone}"));
    }
    for email in &p.emails {
        lines.push(format!("  e-mail        {}", email.as_str()));
    }
    if !p.nationalities.is_empty() {
        let list: Vec<String> = p.nationalities.iter().map(|n| n.to_string()).collect();
        lines.push(format!("  nationality   {}", list.join(", ")));
    }
    if !p.vulnerabilities.is_empty() {
        let list: Vec<&str> = p.vulnerabilities.iter().map(|v| v.as_str()).collect();
        lines.push(format!("  vulnerable    {}", list.join(", ")));
    }
    if !history.is_empty() {
        lines.push("  history".into());
        for change in history {
            lines.push(format!("    {}", change_line(change)));
        }
    }
    lines.join("\n")
}

fn change_line(change: &StatusChange) -> String {
    let mut line = format!(
        "{}  {} -> {}  by {}",
        change.at, change.from, change.to, change.actor
    );
    if let Some(location) = &change.location {
        line.push_str(&format!(" at {location}"));
    }
    if let Some(reason) = &change.reason {
        line.push_str(&format!(" ({reason})"));
    }
    line
}

fn case_details(record: &CaseRecord) -> String {
    let case = &record.case;
    let mut lines = vec![format!(
        "{}  {}  reference {}  ({} people, version {})",
        case.id,
        case.nation,
        case.reference.as_deref().unwrap_or("-"),
        case.size(),
        record.version
    )];
    if let Some(organisation) = case.organisation {
        lines.push(format!("  organisation  {organisation}"));
    }
    match record.eligibility.primary_category() {
        Some(category) => lines.push(format!("  category      {}", category.as_str())),
        None => lines.push("  category      (no eligibility recorded)".into()),
    }
    for person in &record.people {
        let relation = person.relation.map(Relation::as_str).unwrap_or("-");
        lines.push(format!("  {relation:<13} {}", person_line(person)));
    }
    lines.join("\n")
}

async fn open(cli: &Cli) -> anyhow::Result<AnyStore> {
    crate::key_cmd::open_store(&cli.location(), OpenMode::MustExist).await
}

fn not_found(entity: &'static str, id: impl ToString) -> StoreError {
    StoreError::NotFound {
        entity,
        id: id.to_string(),
    }
}

/// Who is acting: `--actor`, else `cli:$USER`.
pub fn actor(cli: &Cli) -> Actor {
    Actor::new(cli.actor.clone().unwrap_or_else(|| {
        format!(
            "cli:{}",
            std::env::var("USER")
                .or_else(|_| std::env::var("LOGNAME"))
                .unwrap_or_else(|_| "unknown".into())
        )
    }))
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let actor = actor(&cli);
    let json = cli.json;
    match &cli.command {
        Command::Init => {
            let location = cli.location();
            let store = crate::key_cmd::open_store(&location, OpenMode::CreateIfMissing).await?;
            let backend = store.backend();
            store.close().await;
            let shown = location.display();
            show(
                json,
                &serde_json::json!({ "database": shown, "backend": backend }),
                || format!("Database ready at {shown}. Next: airbridge nation add FR France"),
            )?;
        }
        Command::Demo(_)
        | Command::Serve(_)
        | Command::Names(_)
        | Command::Sanctions(_)
        | Command::Screen(_)
        | Command::Screening(_)
        | Command::Dedup(_)
        | Command::Plan(_)
        | Command::Manifest(_)
        | Command::Import(_)
        | Command::Export(_)
        | Command::Migrate(_)
        | Command::Users(_)
        | Command::Backup(_)
        | Command::Restore(_)
        | Command::Db(_)
        | Command::CallForward(_)
        | Command::Passes(_)
        | Command::Outbox(_)
        | Command::NoShows { .. }
        | Command::Flags(_)
        | Command::Flights(_)
        | Command::Sitrep(_) => {}
        Command::Quarantine { nation, all } => {
            crate::lists_cmd::quarantine(&cli.location(), nation.clone(), *all, json).await?;
        }
        Command::Check => {
            let store = open(&cli).await?;
            let problems = store.integrity_problems().await?;
            let audit = store.audit_verify().await?;
            let backend = store.backend();
            store.close().await;
            let healthy = problems.is_empty() && audit.broken_at.is_none();
            show(
                json,
                &serde_json::json!({
                    "backend": backend, "integrity": problems, "audit": audit, "healthy": healthy,
                }),
                || {
                    let mut lines = vec![if problems.is_empty() {
                        format!("{backend} integrity: ok")
                    } else {
                        format!("{backend} integrity: {}", problems.join("; "))
                    }];
                    lines.push(match &audit.broken_at {
                        None => format!("Audit chain: ok ({} events)", audit.events),
                        Some((seq, why)) => format!("Audit chain: BROKEN at event {seq}: {why}"),
                    });
                    lines.join("\n")
                },
            )?;
            if !healthy {
                return Ok(ExitCode::from(crate::exit::INTERNAL));
            }
        }
        Command::Nation(command) => {
            let store = open(&cli).await?;
            match command {
                NationCommand::Add { code, name } => {
                    let code = parse::nation("code", code)?;
                    store.add_nation(&actor, code, name).await?;
                    show(
                        json,
                        &serde_json::json!({ "code": code, "name": name }),
                        || format!("Added nation {code} ({name})"),
                    )?;
                }
                NationCommand::Set {
                    code,
                    export_confirm_above,
                } => {
                    let code = parse::nation("code", code)?;
                    store
                        .set_export_limit(&actor, code, *export_confirm_above)
                        .await?;
                    show(
                        json,
                        &serde_json::json!({ "code": code, "export_confirm_above": export_confirm_above }),
                        || {
                            format!(
                                "{code}: exports above {export_confirm_above} people now need --confirm"
                            )
                        },
                    )?;
                }
                NationCommand::List => {
                    let nations = store.list_nations().await?;
                    show(json, &nations, || {
                        nations
                            .iter()
                            .map(|n| format!("{}  {}", n.code, n.name))
                            .collect::<Vec<_>>()
                            .join("\n")
                    })?;
                }
            }
        }
        Command::Organisation(command) => {
            let store = open(&cli).await?;
            match command {
                OrganisationCommand::Add { nation, kind, name } => {
                    let nation = parse::nation("--nation", nation)?;
                    let kind = OrganisationKind::parse(kind).ok_or_else(|| {
                        InvalidInput(format!(
                            "--kind '{kind}': use {}",
                            OrganisationKind::ALL.map(|k| k.as_str()).join(", ")
                        ))
                    })?;
                    let organisation = store.add_organisation(&actor, nation, name, kind).await?;
                    show(json, &organisation, || {
                        format!(
                            "Added {} {} ({}) to {}",
                            organisation.id,
                            organisation.name,
                            kind.as_str(),
                            nation
                        )
                    })?;
                }
                OrganisationCommand::List { nation } => {
                    let nation = nation
                        .as_deref()
                        .map(|n| parse::nation("--nation", n))
                        .transpose()?;
                    let organisations = store.list_organisations(nation).await?;
                    show(json, &organisations, || {
                        organisations
                            .iter()
                            .map(|o| {
                                format!(
                                    "{:<5} {}  {:<13} {}",
                                    o.id.to_string(),
                                    o.nation,
                                    o.kind.as_str(),
                                    o.name
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    })?;
                }
            }
        }
        Command::Person(command) => {
            let store = open(&cli).await?;
            match command {
                PersonCommand::Add { nation, person } => {
                    let nation = parse::nation("--nation", nation)?;
                    let person = parse::person(person.clone())?;
                    let record = store.add_person(&actor, nation, person).await?;
                    show(json, &record, || {
                        format!("Registered {}", person_line(&record))
                    })?;
                }
                PersonCommand::Show { id } => {
                    let id = parse::person_id(id)?;
                    let record = store
                        .get_person(id)
                        .await?
                        .ok_or_else(|| not_found("person", id))?;
                    let history = store.status_history(id).await?;
                    let sources = store.person_sources(id).await?;
                    show(
                        json,
                        &serde_json::json!({ "person": record, "history": history, "sources": sources }),
                        || {
                            let mut text = person_details(&record, &history);
                            for source in &sources {
                                text.push_str(&format!(
                                    "\n  from list     {} ({}), imported {}",
                                    source.source, source.row_key, source.imported_at
                                ));
                                for (column, value) in &source.extra {
                                    text.push_str(&format!("\n    {column}: {value}"));
                                }
                            }
                            text
                        },
                    )?;
                }
                PersonCommand::Search {
                    query,
                    nation,
                    status,
                    limit,
                } => {
                    let filter = PersonQuery {
                        nation: nation
                            .as_deref()
                            .map(|n| parse::nation("--nation", n))
                            .transpose()?,
                        status: status.as_deref().map(parse::status).transpose()?,
                        limit: Some(*limit),
                        ..Default::default()
                    };
                    let found = match query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                        // Words, then the names engine in any script, best first.
                        Some(q) => {
                            let engine = airbridge_web::search::registry_engine(&store).await?;
                            airbridge_web::search::find_people(
                                &store,
                                &engine,
                                &filter,
                                q,
                                *limit as usize,
                            )
                            .await?
                            .into_iter()
                            .map(|f| f.record)
                            .collect()
                        }
                        None => store.search_persons(&filter).await?,
                    };
                    show(json, &found, || {
                        if found.is_empty() {
                            "No one found.".into()
                        } else {
                            found.iter().map(person_line).collect::<Vec<_>>().join("\n")
                        }
                    })?;
                }
                PersonCommand::Purge { id, reason } => {
                    let id = parse::person_id(id)?;
                    store.purge_person(&actor, id, reason).await?;
                    show(json, &serde_json::json!({ "purged": id }), || {
                        format!("Purged {id}: personal data erased, audit chain kept")
                    })?;
                }
            }
        }
        Command::Case(command) => {
            let store = open(&cli).await?;
            match command {
                CaseCommand::Add {
                    nation,
                    org,
                    reference,
                    bases,
                    members,
                    principal,
                } => {
                    let nation = parse::nation("--nation", nation)?;
                    let organisation = org.as_deref().map(parse::organisation_id).transpose()?;
                    let eligibility = Eligibility {
                        bases: bases
                            .iter()
                            .map(|b| parse::basis(b))
                            .collect::<Result<_, _>>()?,
                    };
                    let mut new_members = vec![NewMember {
                        relation: Relation::Principal,
                        person: parse::person(principal.clone())?,
                    }];
                    for (index, text) in members.iter().enumerate() {
                        let (relation, person) = parse::member(text, index)?;
                        new_members.push(NewMember { relation, person });
                    }
                    let ids = store
                        .add_cases(
                            &actor,
                            vec![NewCase {
                                nation,
                                organisation,
                                reference: reference.clone(),
                                eligibility,
                                members: new_members,
                                progress: Vec::new(),
                            }],
                        )
                        .await?;
                    let id = *ids.first().ok_or_else(|| not_found("case", "new"))?;
                    let record = store
                        .get_case(id)
                        .await?
                        .ok_or_else(|| not_found("case", id))?;
                    show(json, &record, || {
                        format!("Registered {}", case_details(&record))
                    })?;
                }
                CaseCommand::AddMember {
                    case,
                    person,
                    relation,
                } => {
                    let record = store
                        .add_case_member(
                            &actor,
                            parse::case_id(case)?,
                            parse::person_id(person)?,
                            parse::relation(relation)?,
                        )
                        .await?;
                    show(json, &record, || case_details(&record))?;
                }
                CaseCommand::Show { id } => {
                    let id = parse::case_id(id)?;
                    let record = store
                        .get_case(id)
                        .await?
                        .ok_or_else(|| not_found("case", id))?;
                    show(json, &record, || case_details(&record))?;
                }
                CaseCommand::List {
                    nation,
                    reference,
                    limit,
                } => {
                    let cases = store
                        .list_cases(&CaseQuery {
                            nation: nation
                                .as_deref()
                                .map(|n| parse::nation("--nation", n))
                                .transpose()?,
                            reference: reference.clone(),
                            organisation: None,
                            limit: Some(*limit),
                            after: None,
                        })
                        .await?;
                    show(json, &cases, || {
                        cases
                            .iter()
                            .map(|c| {
                                let principal = c
                                    .people
                                    .first()
                                    .map(|p| p.person.name.display())
                                    .unwrap_or_default();
                                format!(
                                    "{:<8} {}  {:<18} {:>2} people  {}",
                                    c.case.id.to_string(),
                                    c.case.nation,
                                    c.case.reference.as_deref().unwrap_or("-"),
                                    c.case.size(),
                                    principal
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    })?;
                }
                CaseCommand::Status {
                    case,
                    to,
                    reason,
                    location,
                } => {
                    let changes = store
                        .set_case_status(
                            &actor,
                            parse::case_id(case)?,
                            parse::status(to)?,
                            reason.clone(),
                            location.clone(),
                        )
                        .await?;
                    show(json, &changes, || {
                        changes
                            .iter()
                            .map(|c| format!("{}  {}", c.person, change_line(c)))
                            .collect::<Vec<_>>()
                            .join("\n")
                    })?;
                }
            }
        }
        Command::Status(command) => {
            let store = open(&cli).await?;
            match command {
                StatusCommand::Set {
                    person,
                    to,
                    reason,
                    location,
                    expected_version,
                } => {
                    let change = store
                        .set_status(
                            &actor,
                            StatusRequest {
                                person: parse::person_id(person)?,
                                to: parse::status(to)?,
                                reason: reason.clone(),
                                location: location.clone(),
                                expected_version: *expected_version,
                            },
                        )
                        .await?;
                    show(json, &change, || {
                        format!("{}  {}", change.person, change_line(&change))
                    })?;
                }
                StatusCommand::History { person } => {
                    let history = store.status_history(parse::person_id(person)?).await?;
                    show(json, &history, || {
                        history
                            .iter()
                            .map(change_line)
                            .collect::<Vec<_>>()
                            .join("\n")
                    })?;
                }
            }
        }
        Command::Audit(command) => {
            let store = open(&cli).await?;
            match command {
                AuditCommand::List { entity, by, limit } => {
                    let (entity_type, entity_id) = match entity {
                        Some(text) => {
                            let (t, i) = text.split_once(':').ok_or_else(|| {
                                InvalidInput(format!(
                                    "--entity '{text}': write TYPE:ID, e.g. person:P12 or case:C3"
                                ))
                            })?;
                            (Some(t.to_owned()), Some(i.to_owned()))
                        }
                        None => (None, None),
                    };
                    let events = store
                        .audit_list(&AuditFilter {
                            entity_type,
                            entity_id,
                            actor: by.clone(),
                            after: None,
                            limit: Some(*limit),
                        })
                        .await?;
                    show(json, &events, || {
                        events
                            .iter()
                            .map(|e| {
                                format!(
                                    "#{:<7} {}  {:<18} {:<8} {:<17} by {}",
                                    e.seq,
                                    e.at,
                                    e.action,
                                    e.entity_id,
                                    e.nation.as_deref().unwrap_or("-"),
                                    e.actor
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    })?;
                }
                AuditCommand::Verify => {
                    let verification = store.audit_verify().await?;
                    show(json, &verification, || match &verification.broken_at {
                        None => format!("Audit chain intact: {} events.", verification.events),
                        Some((seq, why)) => {
                            format!("Audit chain BROKEN at event {seq}: {why}")
                        }
                    })?;
                    if verification.broken_at.is_some() {
                        return Ok(ExitCode::from(crate::exit::INTERNAL));
                    }
                }
            }
        }
        Command::Token(TokenCommand::Create {
            name,
            nation,
            role,
            organisation,
            gate,
        }) => {
            let store = open(&cli).await?;
            let nation = nation
                .as_deref()
                .map(|n| parse::nation("--nation", n))
                .transpose()?;
            let secret = match role {
                None => store.create_api_token(&actor, name, nation).await?,
                Some(role) => {
                    let access =
                        crate::users_cmd::access(role, nation, organisation.as_deref(), gate)?;
                    store.create_token(&actor, name, &access).await?
                }
            };
            show(
                json,
                &serde_json::json!({ "name": name, "token": secret }),
                || format!("Token '{name}' (shown once, keep it safe): {secret}"),
            )?;
        }
    }
    let location = cli.location();
    match cli.command {
        Command::Demo(args) => crate::demo::run(&location, args, &actor).await?,
        Command::Import(args) => crate::lists_cmd::import(&location, args, &actor, json).await?,
        Command::Screening(command) => {
            crate::registry_screening::run(&location, command, &actor, json).await?
        }
        Command::Export(args) => crate::lists_cmd::export(&location, args, &actor).await?,
        Command::Migrate(args) => return crate::db_cmd::migrate(args, json).await,
        Command::Backup(args) => return crate::db_cmd::backup(&location, args, json).await,
        Command::Restore(args) => {
            return crate::db_cmd::restore(&location, args, json).await;
        }
        Command::Db(command) => return crate::key_cmd::run(&location, command, json).await,
        Command::Serve(args) => {
            let store = crate::key_cmd::open_store(&location, OpenMode::MustExist).await?;
            crate::serve::serve(store, &args).await?;
        }
        Command::Users(command) => crate::users_cmd::run(&location, command, &actor, json).await?,
        Command::CallForward(args) => {
            crate::field_cmd::call_forward(&location, args, &actor, json).await?
        }
        Command::Passes(command) => {
            crate::field_cmd::passes(&location, command, &actor, json).await?
        }
        Command::Outbox(command) => {
            crate::field_cmd::outbox(&location, command, &actor, json).await?
        }
        Command::NoShows { now } => {
            crate::field_cmd::no_shows(&location, now, &actor, json).await?
        }
        Command::Flags(command) => {
            crate::field_cmd::flags(&location, command, &actor, json).await?
        }
        Command::Sitrep(args) => crate::field_cmd::sitrep(&location, args, &actor, json).await?,
        Command::Flights(command) => {
            crate::flights_cmd::run(&location, &command, &actor, json).await?
        }
        Command::Dedup(args) => return crate::dedup_db::run(&location, args, &actor, json).await,
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}
