//! An open-loop load generator for the gate check-in API: sends `POST /api/gate/check-in` at a
//! fixed rate, whatever the server's answers do, and measures each request's latency from the
//! moment it was *due*, not from when it went out. A closed-loop tool (wrk) waits for answers
//! before sending more, so a slow server is asked less and its stalls hide from the percentiles
//! ("coordinated omission"); the issue's goal — hold 1,000 check-ins a second with p99 under
//! 50 ms — is a statement about a fixed arrival rate, which is what this measures.
//!
//!   cargo build --release -p airbridge-web --example gate_load
//!   target/release/examples/gate_load --url http://127.0.0.1:18089 --token T \
//!       --passes passes.csv --rate 1000 --seconds 20
//!
//! The passes file is what `airbridge call-forward --passes-out` writes (`case,pass,code,members`).
//! Each pass is used twice: the first round admits the family, the second marks it processed;
//! size the pool above rate × seconds / 2. A measurement, not a test.

use axum::body::Body;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Options {
    url: String,
    token: String,
    passes: String,
    rate: f64,
    seconds: f64,
    gate: String,
    max_in_flight: usize,
    timeline: bool,
    warmup: f64,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        url: "http://127.0.0.1:18089".into(),
        token: std::env::var("TOKEN").unwrap_or_default(),
        passes: "passes.csv".into(),
        rate: 1000.0,
        seconds: 20.0,
        gate: "Abbey Gate".into(),
        max_in_flight: 4096,
        timeline: false,
        warmup: 0.0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<f64>()
                .map_err(|_| format!("{flag}: not a number"))
        };
        match flag.as_str() {
            "--url" => o.url = value()?,
            "--token" => o.token = value()?,
            "--passes" => o.passes = value()?,
            "--gate" => o.gate = value()?,
            "--rate" => o.rate = number(value()?)?,
            "--seconds" => o.seconds = number(value()?)?,
            "--max-in-flight" => o.max_in_flight = number(value()?)? as usize,
            "--timeline" => o.timeline = true,
            "--warmup" => o.warmup = number(value()?)?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if o.rate <= 0.0 || o.seconds <= 0.0 || o.warmup < 0.0 {
        return Err("--rate and --seconds must be above zero, --warmup not below".into());
    }
    Ok(o)
}

/// One pass from the file: its code and its members' ids.
struct Pass {
    code: String,
    members: String,
}

fn read_passes(path: &str) -> Result<Vec<Pass>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut passes = Vec::new();
    for line in text.lines().skip(1) {
        let mut fields = line.splitn(4, ',');
        let (_case, _pass, code, rest) =
            (fields.next(), fields.next(), fields.next(), fields.next());
        let (Some(code), Some(rest)) = (code, rest) else {
            continue;
        };
        let members: Vec<&str> = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .collect();
        passes.push(Pass {
            code: code.to_owned(),
            members: members.join(","),
        });
    }
    if passes.is_empty() {
        return Err(format!("{path}: no passes"));
    }
    Ok(passes)
}

#[derive(Default)]
struct Counts {
    applied: AtomicUsize,
    duplicate: AtomicUsize,
    refused: AtomicUsize,
    failed: AtomicUsize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("gate_load: {message}");
            std::process::exit(2);
        }
    };
    let passes = match read_passes(&o.passes) {
        Ok(p) => Arc::new(p),
        Err(message) => {
            eprintln!("gate_load: {message}");
            std::process::exit(2);
        }
    };
    // The first `warmup` seconds are sent like the rest but timed apart: a server just started
    // reads its indexes from disk, which is not the state it holds a gate in.
    let total = (o.rate * (o.warmup + o.seconds)).round() as usize;
    let warm_from = Duration::from_secs_f64(o.warmup);
    if total > passes.len() * 2 {
        eprintln!(
            "gate_load: {total} requests need {} passes; the file has {}",
            total.div_ceil(2),
            passes.len()
        );
        std::process::exit(2);
    }
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: Client<_, Body> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(o.max_in_flight)
        .build(connector);
    let uri: axum::http::Uri = format!("{}/api/gate/check-in", o.url.trim_end_matches('/'))
        .parse()
        .expect("a valid URL");
    let auth = format!("Bearer {}", o.token);
    let counts = Arc::new(Counts::default());
    let in_flight = Arc::new(AtomicUsize::new(0));
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<(Duration, Duration)>();
    let interval = Duration::from_secs_f64(1.0 / o.rate);
    let epoch_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let start = Instant::now();
    let mut skipped = 0usize;
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        if in_flight.load(Ordering::Relaxed) >= o.max_in_flight {
            // The server is this far behind: the request counts as failed, not silently dropped.
            skipped += 1;
            counts.failed.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let pass = &passes[i % passes.len()];
        let action = if i < passes.len() { "admit" } else { "process" };
        let body = format!(
            r#"{{"code":"{}","op_id":"load-{epoch_ms}-{i}","at_ms":{},"action":"{action}","members":[{}],"offline":false,"gate":"{}"}}"#,
            pass.code,
            epoch_ms + start.elapsed().as_millis(),
            pass.members,
            o.gate
        );
        let request = axum::http::Request::post(uri.clone())
            .header("content-type", "application/json")
            .header("authorization", &auth)
            .body(Body::from(body))
            .expect("a well-formed request");
        let (client, counts, in_flight, sender) = (
            client.clone(),
            counts.clone(),
            in_flight.clone(),
            sender.clone(),
        );
        in_flight.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            let outcome = match client.request(request).await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let bytes = axum::body::to_bytes(Body::new(response.into_body()), 1 << 20)
                        .await
                        .unwrap_or_default();
                    Some((status, bytes))
                }
                Err(_) => None,
            };
            let latency = due.elapsed();
            in_flight.fetch_sub(1, Ordering::Relaxed);
            let counter = match &outcome {
                Some((200, body)) if body.windows(9).any(|w| w == b"\"applied\"") => {
                    &counts.applied
                }
                Some((200, _)) => &counts.duplicate,
                Some((409 | 404, _)) => &counts.refused,
                _ => &counts.failed,
            };
            counter.fetch_add(1, Ordering::Relaxed);
            let _ = sender.send((due - start, latency));
        });
    }
    drop(sender);
    let mut samples = Vec::with_capacity(total);
    while let Some(sample) = receiver.recv().await {
        samples.push(sample);
    }
    let elapsed = start.elapsed().saturating_sub(warm_from);
    if o.timeline {
        // Each second of the run on its own: where the slow requests were due.
        samples.sort_unstable();
        for (second, chunk) in samples
            .chunk_by(|a, b| a.0.as_secs() == b.0.as_secs())
            .enumerate()
        {
            let mut window: Vec<Duration> = chunk.iter().map(|s| s.1).collect();
            window.sort_unstable();
            println!(
                "  second {second:>3}: {:>5} due, p50 {:>6.1} ms, p99 {:>6.1} ms, max {:>6.1} ms",
                window.len(),
                ms(percentile(&window, 50.0)),
                ms(percentile(&window, 99.0)),
                ms(window.last().copied().unwrap_or_default()),
            );
        }
    }
    let (warming, measured): (Vec<_>, Vec<_>) = samples.into_iter().partition(|s| s.0 < warm_from);
    if !warming.is_empty() {
        let mut cold: Vec<Duration> = warming.into_iter().map(|s| s.1).collect();
        cold.sort_unstable();
        println!(
            "warm-up ({:.1} s, {} requests, not counted below): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            o.warmup,
            cold.len(),
            ms(percentile(&cold, 50.0)),
            ms(percentile(&cold, 99.0)),
            ms(cold.last().copied().unwrap_or_default()),
        );
    }
    let mut latencies: Vec<Duration> = measured.into_iter().map(|s| s.1).collect();
    latencies.sort_unstable();
    let answered = latencies.len();
    println!(
        "open loop: {} requests due at {:.0}/s over {:.1} s; {answered} answered in {:.2} s ({:.0}/s)",
        total - (o.rate * o.warmup).round() as usize,
        o.rate,
        o.seconds,
        elapsed.as_secs_f64(),
        answered as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency from the moment each was due: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, p99.9 {:.1} ms, max {:.1} ms",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(percentile(&latencies, 99.9)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
    println!(
        "answers, warm-up included: {} applied, {} duplicate, {} refused, {} failed ({skipped} never sent: {} were in flight)",
        counts.applied.load(Ordering::Relaxed),
        counts.duplicate.load(Ordering::Relaxed),
        counts.refused.load(Ordering::Relaxed),
        counts.failed.load(Ordering::Relaxed),
        o.max_in_flight,
    );
}
