//! `airbridge-webload`: a load generator for Airbridge's web app. Virtual users, each logged
//! in through the login form with its own session, search names in Latin and Arabic script,
//! open the dashboard and open case pages, as fast as they are answered (or with a think
//! time); it reports per kind of request the count, failures, searches that found nobody, the
//! latency percentiles and the throughput, as a table and as JSON. See bench/webload/README.md.

mod browser;
mod kinds;
mod pages;
mod people;
mod stats;

use anyhow::{Context, Result, bail};
use browser::{Browser, SendError, Server, source_address};
use clap::Parser;
use kinds::{Kind, Mix};
use pages::{SearchVia, case_path, judge, search_path};
use people::Pool;
use serde_json::{Value, json};
use stats::{Failure, Outcome, Tally, summarise};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Load generator for Airbridge's web app: logged-in virtual users \
    searching names (Latin and Arabic script), opening the dashboard and case pages"
)]
struct Args {
    /// The server, plain HTTP.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// An account the virtual users log in as (repeat it: user i logs in as account i mod n;
    /// an account may hold many sessions). Accounts without a second factor, whose role reads
    /// people, cases and totals: caseworkers.
    #[arg(long = "account", required = true)]
    accounts: Vec<String>,
    /// A file whose first line is the accounts' password (the same for all).
    #[arg(long)]
    password_file: PathBuf,
    /// Concurrent virtual users.
    #[arg(long, default_value_t = 50)]
    users: usize,
    /// Seconds measured, after the warm-up.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Stop after this many measured requests (or at --duration, whichever comes first).
    #[arg(long)]
    requests: Option<u64>,
    /// Seconds of load before measuring starts (caches, connections).
    #[arg(long, default_value_t = 5)]
    warmup: u64,
    /// Weights of the kinds of request.
    #[arg(
        long,
        default_value = "search_latin=1,search_arabic=1,dashboard=1,case=1"
    )]
    mix: String,
    /// Mean pause of a user between an answer and its next request, in milliseconds (drawn
    /// from half to one and a half times it); 0 sends again at once (closed loop).
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
    /// Search through the HTML page or its JSON twin.
    #[arg(long, value_enum, default_value = "page")]
    search_via: SearchVia,
    /// Pages of 25 people read at random places per account to take queries and cases from.
    #[arg(long, default_value_t = 40)]
    sample_pages: usize,
    /// Seed of the random choices (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
    /// Seconds before a request with no answer counts as failed.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Connect every user from the same address (otherwise, on loopback, each user has its own
    /// 127.0.0.x, as people on their own machines do; the server limits logins per address).
    #[arg(long)]
    one_address: bool,
    /// Threads of the generator's own runtime (it shares the machine with the server).
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// One virtual user: its browser and what it draws from.
struct User {
    browser: Browser,
    pool: Arc<Pool>,
}

/// When measuring starts and ends, shared by every user.
#[derive(Clone)]
struct Plan {
    mix: Mix,
    via: SearchVia,
    think: Duration,
    measure_from: Instant,
    deadline: Instant,
    limit: Option<u64>,
    measured: Arc<AtomicU64>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.users == 0 {
        bail!("--users must be at least 1");
    }
    let mix = Mix::parse(&args.mix).map_err(anyhow::Error::msg)?;
    let server = Server::parse(&args.url).map_err(anyhow::Error::msg)?;
    let password = std::fs::read_to_string(&args.password_file)
        .with_context(|| format!("reading {}", args.password_file.display()))?
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .enable_all()
        .build()?
        .block_on(run(args, mix, server, password))
}

async fn run(args: Args, mix: Mix, server: Server, password: String) -> Result<()> {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    let mut rng = fastrand::Rng::with_seed(seed);
    let timeout = Duration::from_secs(args.timeout);
    let spread = server.loopback_v4 && !args.one_address;

    eprintln!(
        "logging in {} users as {} account(s) on {}",
        args.users,
        args.accounts.len(),
        server.origin
    );
    let browsers = log_in_all(&args, &server, &password, spread, timeout).await?;

    // One sample per account in use, through the first session of that account: a caller bound
    // to a nation finds only its own people, so each account searches names of its own nation.
    let mut pools = Vec::new();
    for (index, account) in args.accounts.iter().take(args.users).enumerate() {
        let people = sample_people(&browsers[index], args.sample_pages, &mut rng)
            .await
            .with_context(|| format!("sampling people as {account}"))?;
        let pool = Pool::from_people(&people);
        eprintln!(
            "{account}: {} people sampled: {} Latin queries, {} Arabic-script queries, {} cases",
            people.len(),
            pool.latin.len(),
            pool.arabic.len(),
            pool.cases.len()
        );
        for kind in Kind::ALL {
            if mix.weight(kind) > 0 && pool.choices(kind) == Some(0) {
                bail!(
                    "{account}'s sample has nothing for {kind}: raise --sample-pages or change --mix"
                );
            }
        }
        pools.push(Arc::new(pool));
    }
    let users: Vec<User> = browsers
        .into_iter()
        .enumerate()
        .map(|(index, browser)| User {
            browser,
            pool: pools[index % pools.len()].clone(),
        })
        .collect();

    let load_before = load_average();
    let cpu_before = own_cpu_seconds();
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(args.warmup);
    let plan = Plan {
        mix: mix.clone(),
        via: args.search_via,
        think: Duration::from_millis(args.think_ms),
        measure_from,
        deadline: measure_from + Duration::from_secs(args.duration),
        limit: args.requests,
        measured: Arc::new(AtomicU64::new(0)),
    };
    eprintln!(
        "{} users: {} s of warm-up, then measuring for {} s{}",
        users.len(),
        args.warmup,
        args.duration,
        args.requests
            .map(|n| format!(" or {n} requests"))
            .unwrap_or_default()
    );
    let mut tasks = Vec::new();
    for user in users {
        let plan = plan.clone();
        let seed = rng.u64(..);
        tasks.push(tokio::spawn(drive(user, plan, seed)));
    }
    let mut tallies: [Tally; 4] = Default::default();
    let mut last_start = measure_from;
    for task in tasks {
        let (user_tallies, user_last_start) = task.await?;
        for (all, one) in tallies.iter_mut().zip(user_tallies) {
            all.merge(one);
        }
        last_start = last_start.max(user_last_start.unwrap_or(measure_from));
    }
    // Throughput is over the window requests were sent in: to the deadline, or to the moment
    // the request limit was reached. Answers that came after it still count (a slow request
    // started in the window is part of what was measured).
    let limit_reached = plan
        .limit
        .is_some_and(|limit| plan.measured.load(Ordering::Relaxed) >= limit);
    let window_end = if limit_reached {
        last_start
    } else {
        plan.deadline
    };
    let seconds = window_end
        .saturating_duration_since(measure_from)
        .as_secs_f64();
    let waited = Instant::now()
        .saturating_duration_since(measure_from)
        .as_secs_f64();
    let cpu = own_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let load_after = load_average();

    let rows: Vec<(Kind, stats::Summary)> = Kind::ALL
        .into_iter()
        .filter(|kind| mix.weight(*kind) > 0)
        .map(|kind| (kind, summarise(&tallies[kind.index()], seconds)))
        .collect();
    let mut everything = Tally::default();
    for tally in tallies {
        everything.merge(tally);
    }
    let all = summarise(&everything, seconds);
    println!(
        "{} users, requests sent for {:.1} s (answers waited for {:.1} s), think time {} ms, search via {:?}",
        args.users, seconds, waited, args.think_ms, args.search_via
    );
    print!("{}", stats::table(&rows, &all));
    println!(
        "load average before {} / after {}; the generator used {} of CPU",
        load_before.as_deref().unwrap_or("?"),
        load_after.as_deref().unwrap_or("?"),
        cpu.map_or_else(|| "?".to_owned(), |s| format!("{s:.1} s")),
    );

    if let Some(path) = &args.json {
        let kinds: serde_json::Map<String, Value> = rows
            .iter()
            .map(|(kind, summary)| {
                let mut value = summary.to_json();
                value["goal_p95_ms"] = json!(kind.goal_p95_ms());
                value["goal_met"] = json!(summary.meets(kind.goal_p95_ms()));
                (kind.name().to_owned(), value)
            })
            .collect();
        let report = json!({
            "url": server.origin,
            "users": args.users,
            "accounts": args.accounts.len(),
            "measured_seconds": seconds,
            "answers_waited_seconds": waited,
            "warmup_seconds": args.warmup,
            "think_ms": args.think_ms,
            "search_via": format!("{:?}", args.search_via).to_lowercase(),
            "mix": args.mix,
            "seed": seed,
            "kinds": kinds,
            "all": all.to_json(),
            "client_cpu_seconds": cpu,
            "load_average_before": load_before,
            "load_average_after": load_after,
        });
        std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Logs every user in, a few at a time: each login costs the server an Argon2id hash, and
/// fifty at once would measure the login, not the pages.
async fn log_in_all(
    args: &Args,
    server: &Server,
    password: &str,
    spread: bool,
    timeout: Duration,
) -> Result<Vec<Browser>> {
    let gate = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::new();
    for index in 0..args.users {
        let account = args.accounts[index % args.accounts.len()].clone();
        let source = spread.then(|| IpAddr::V4(source_address(index)));
        let mut browser = Browser::new(server, source, timeout);
        let password = password.to_owned();
        let gate = gate.clone();
        tasks.push(tokio::spawn(async move {
            let _turn = gate.acquire().await?;
            browser
                .log_in(&account, &password)
                .await
                .with_context(|| format!("user {index} logging in as {account}"))?;
            anyhow::Ok(browser)
        }));
    }
    let mut browsers = Vec::new();
    for task in tasks {
        browsers.push(task.await??);
    }
    Ok(browsers)
}

/// Whether `GET /api/persons?after=ID&limit=1` finds anyone past `after`.
async fn anyone_after(browser: &Browser, after: u64) -> Result<bool> {
    Ok(!persons_page(browser, after, 1).await?.is_empty())
}

async fn persons_page(browser: &Browser, after: u64, limit: u32) -> Result<Vec<Value>> {
    let answer = browser
        .get(&format!("/api/persons?after={after}&limit={limit}"))
        .await?;
    if answer.status != hyper::StatusCode::OK {
        bail!("GET /api/persons answered {}", answer.status);
    }
    match serde_json::from_slice(&answer.body)? {
        Value::Array(people) => Ok(people),
        _ => bail!("GET /api/persons did not answer a list"),
    }
}

/// People read at random places of the id range the session sees: the highest id is found
/// by doubling then halving (`after` pages in id order), then `pages` pages of 25 are read
/// after random ids.
async fn sample_people(
    browser: &Browser,
    pages: usize,
    rng: &mut fastrand::Rng,
) -> Result<Vec<Value>> {
    if !anyone_after(browser, 0).await? {
        bail!("this account sees nobody: build the registry first");
    }
    let (mut below, mut above) = (0u64, 1024u64);
    while anyone_after(browser, above).await? {
        below = above;
        above = above.saturating_mul(2);
    }
    while above - below > 1 {
        let middle = below + (above - below) / 2;
        if anyone_after(browser, middle).await? {
            below = middle;
        } else {
            above = middle;
        }
    }
    // Nobody after `above`, someone after `below`: the highest id is `above`.
    let mut people = Vec::new();
    for _ in 0..pages {
        people.extend(persons_page(browser, rng.u64(0..above), 25).await?);
    }
    Ok(people)
}

/// One virtual user's loop: draw a kind, ask, judge the answer, record it when measuring,
/// pause if there is a think time; until the deadline or the request limit.
/// Returns what it saw and when it sent its last measured request.
async fn drive(user: User, plan: Plan, seed: u64) -> ([Tally; 4], Option<Instant>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut tallies: [Tally; 4] = Default::default();
    let mut last_start = None;
    let pool = &user.pool;
    loop {
        let now = Instant::now();
        if now >= plan.deadline {
            break;
        }
        let measured = now >= plan.measure_from;
        if measured
            && let Some(limit) = plan.limit
            && plan.measured.fetch_add(1, Ordering::Relaxed) >= limit
        {
            break;
        }
        let kind = plan.mix.pick(rng.u32(0..plan.mix.total()));
        let path = match kind {
            Kind::SearchLatin => search_path(plan.via, &pool.latin[rng.usize(..pool.latin.len())]),
            Kind::SearchArabic => {
                search_path(plan.via, &pool.arabic[rng.usize(..pool.arabic.len())])
            }
            Kind::Dashboard => "/dashboard".to_owned(),
            Kind::Case => case_path(pool.cases[rng.usize(..pool.cases.len())]),
        };
        let sent = Instant::now();
        if measured {
            last_start = Some(sent);
        }
        let outcome = match user.browser.get(&path).await {
            Ok(answer) => judge(kind, plan.via, answer.status.as_u16(), &answer.body),
            Err(SendError::Timeout(_)) => Outcome::Failed(Failure::Timeout),
            Err(SendError::Connection(_)) => Outcome::Failed(Failure::Connection),
        };
        let took = sent.elapsed();
        if measured {
            tallies[kind.index()].record(outcome, took);
        }
        if !plan.think.is_zero() {
            let millis = plan.think.as_millis() as u64;
            let pause = rng.u64(millis / 2..=millis + millis / 2);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
    }
    (tallies, last_start)
}

/// The 1-, 5- and 15-minute load averages (Linux).
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// CPU seconds (user + system) this process used so far (Linux, at the usual 100 ticks a
/// second), so the report says how much of the two cores the generator itself took.
fn own_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / 100.0)
}
