//! `airbridge demo`: stores the synthetic scenario through the ordinary store calls (so every
//! record has its audit events), in batches of a thousand cases per transaction, then serves it.

use crate::InvalidInput;
use crate::cli::DemoArgs;
use airbridge_demo::{DemoConfig, generate, nations};
use airbridge_domain::{NewCase, OrganisationId};
use airbridge_store::any::Location;
use airbridge_store::{Actor, OpenMode, PersonQuery, PgStore, Store};
use anyhow::Context;
use std::path::Path;
use std::time::Instant;

const BATCH: usize = 1_000;

pub async fn run(db: &Location, args: DemoArgs, actor: &Actor) -> anyhow::Result<()> {
    if args.fresh {
        match db {
            Location::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let file = format!("{}{suffix}", path.display());
                    if Path::new(&file).exists() {
                        std::fs::remove_file(&file)
                            .with_context(|| format!("cannot remove {file}"))?;
                    }
                }
            }
            Location::Postgres(url) => PgStore::erase(url).await?,
        }
    } else if match db {
        Location::Sqlite(path) => path.exists(),
        Location::Postgres(_) => true,
    } {
        let store = crate::key_cmd::open_store(db, OpenMode::CreateIfMissing).await?;
        let has_nations = !store.list_nations().await?.is_empty();
        store.close().await;
        if has_nations {
            return Err(InvalidInput(format!(
                "{} already holds data; pass --fresh to replace it or --db to build elsewhere",
                db.display()
            ))
            .into());
        }
    }
    let started = Instant::now();
    let store = crate::key_cmd::open_store(db, OpenMode::CreateIfMissing).await?;
    let scenario = nations();
    let mut organisation_ids: Vec<Vec<OrganisationId>> = Vec::new();
    for nation in &scenario {
        store.add_nation(actor, nation.code, nation.name).await?;
        let mut ids = Vec::new();
        for (name, kind) in &nation.organisations {
            ids.push(
                store
                    .add_organisation(actor, nation.code, name, *kind)
                    .await?
                    .id,
            );
        }
        organisation_ids.push(ids);
    }
    eprintln!(
        "Building the Kabul 2021 scenario: {} people, seed {}, into {}",
        args.persons,
        args.seed,
        db.display()
    );
    let mut batch: Vec<NewCase> = Vec::with_capacity(BATCH);
    let (mut cases, mut people, mut planted) = (0usize, 0usize, 0usize);
    let mut next_report = args.persons / 10;
    for demo_case in generate(DemoConfig {
        persons: args.persons,
        seed: args.seed,
    }) {
        let mut case = demo_case.case;
        case.organisation = Some(organisation_ids[demo_case.nation][demo_case.organisation]);
        people += case.members.len();
        cases += 1;
        planted += usize::from(demo_case.planted.is_some());
        batch.push(case);
        if batch.len() == BATCH {
            store.add_cases(actor, std::mem::take(&mut batch)).await?;
        }
        if people >= next_report && args.persons >= 10_000 {
            eprintln!(
                "  {people} people in {cases} cases ({:.0?})",
                started.elapsed()
            );
            next_report += args.persons / 10;
        }
    }
    if !batch.is_empty() {
        store.add_cases(actor, batch).await?;
    }
    let operator = store.create_api_token(actor, "demo-operator", None).await?;
    let france = store
        .create_api_token(actor, "demo-france-cell", Some(scenario[3].code))
        .await?;
    let sample = store
        .search_persons(&PersonQuery {
            limit: Some(1),
            ..Default::default()
        })
        .await?;
    eprintln!(
        "Built {people} people in {cases} cases for {} nations in {:.1?} ({planted} cases carry a planted UN-listed name).",
        scenario.len(),
        started.elapsed()
    );
    let url = format!("http://{}:{}", args.bind, args.port);
    println!("Operator token (all nations): {operator}");
    println!("France cell token (FR only):  {france}");
    println!("Try:");
    println!("  curl -H 'Authorization: Bearer {operator}' {url}/api/totals");
    if let Some(person) = sample.first() {
        println!(
            "  curl -H 'Authorization: Bearer {operator}' {url}/api/persons/{}",
            person.id
        );
    }
    println!(
        "  airbridge --db {} person search ahmad --nation FR",
        db.display()
    );
    if args.no_serve {
        store.close().await;
        return Ok(());
    }
    let serve = crate::cli::ServeArgs {
        port: args.port,
        bind: args.bind,
        tls_cert: None,
        tls_key: None,
        public_url: args.public_url,
    };
    crate::serve::serve(store, &serve).await
}
