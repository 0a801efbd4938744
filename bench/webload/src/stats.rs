//! What the virtual users saw, per kind of request: counts, failures, and latency percentiles
//! (nearest rank over the answers that succeeded), as a table and as JSON.

use crate::kinds::Kind;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer holding what the page must hold; for a search, how many people it listed.
    Answered { results: Option<usize> },
    /// A 2xx answer without what the page must hold (a login form instead of a dashboard, a
    /// search page without its form).
    Invalid,
    /// Not 2xx, or no answer at all.
    Failed(Failure),
}

/// Why a request failed, counted apart in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Failure {
    /// An answer with a status other than 2xx (a redirect to the login page is one).
    Status(u16),
    /// No whole answer within the generator's timeout.
    Timeout,
    /// The connection failed or broke.
    Connection,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Status(status) => write!(f, "HTTP {status}"),
            Failure::Timeout => f.write_str("timeout"),
            Failure::Connection => f.write_str("connection"),
        }
    }
}

/// The raw record of one kind: every successful latency, and the failures counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Microseconds from sending the request to the last byte of its body, for each
    /// [`Outcome::Answered`] and [`Outcome::Invalid`] answer (both were rendered in full).
    pub latencies_us: Vec<u64>,
    pub requests: u64,
    pub failed: u64,
    pub failures: BTreeMap<Failure, u64>,
    pub invalid: u64,
    /// Searches answered with no person at all, although the query is an existing name.
    pub zero_results: u64,
}

impl Tally {
    pub fn record(&mut self, outcome: Outcome, took: Duration) {
        self.requests += 1;
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        match outcome {
            Outcome::Answered { results } => {
                self.latencies_us.push(micros);
                if results == Some(0) {
                    self.zero_results += 1;
                }
            }
            Outcome::Invalid => {
                self.latencies_us.push(micros);
                self.invalid += 1;
            }
            Outcome::Failed(why) => {
                self.failed += 1;
                *self.failures.entry(why).or_default() += 1;
            }
        }
    }

    pub fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        self.requests += other.requests;
        self.failed += other.failed;
        for (why, count) in other.failures {
            *self.failures.entry(why).or_default() += count;
        }
        self.invalid += other.invalid;
        self.zero_results += other.zero_results;
    }
}

/// The value at percentile `p` (0–100) of `sorted` (ascending), by nearest rank: the smallest
/// value with at least `p` % of the values at or below it. `None` when there is no value.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p.clamp(0.0, 100.0) / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub requests: u64,
    pub failed: u64,
    /// Why they failed, as "timeout: 27, HTTP 500: 2"; empty without failures.
    pub failures: String,
    pub invalid: u64,
    pub zero_results: u64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub per_second: f64,
}

pub fn summarise(tally: &Tally, seconds: f64) -> Summary {
    let mut sorted = tally.latencies_us.clone();
    sorted.sort_unstable();
    let ms = |p: f64| percentile(&sorted, p).map(|us| us as f64 / 1000.0);
    Summary {
        requests: tally.requests,
        failed: tally.failed,
        failures: tally
            .failures
            .iter()
            .map(|(why, count)| format!("{why}: {count}"))
            .collect::<Vec<_>>()
            .join(", "),
        invalid: tally.invalid,
        zero_results: tally.zero_results,
        p50_ms: ms(50.0),
        p95_ms: ms(95.0),
        p99_ms: ms(99.0),
        max_ms: ms(100.0),
        per_second: if seconds > 0.0 {
            tally.requests as f64 / seconds
        } else {
            0.0
        },
    }
}

impl Summary {
    /// Whether the p95 is within `goal_ms`; `None` without a latency to judge.
    pub fn meets(&self, goal_ms: u64) -> Option<bool> {
        self.p95_ms
            .map(|p95| p95 <= goal_ms as f64 && self.failed == 0 && self.invalid == 0)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "requests": self.requests,
            "failed": self.failed,
            "failures": self.failures,
            "invalid": self.invalid,
            "zero_results": self.zero_results,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "per_second": self.per_second,
        })
    }
}

fn cell(ms: Option<f64>) -> String {
    ms.map_or_else(|| "-".to_owned(), |ms| format!("{ms:.1}"))
}

/// The report as an aligned text table: one line per kind that was drawn, then all together.
pub fn table(rows: &[(Kind, Summary)], all: &Summary) -> String {
    let mut out = format!(
        "{:<14} {:>9} {:>7} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9} {:>8}  {}\n",
        "kind",
        "requests",
        "failed",
        "invalid",
        "no result",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "req/s",
        "goal (p95)"
    );
    let line = |name: &str, s: &Summary, zero: String, goal: String| {
        format!(
            "{:<14} {:>9} {:>7} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9} {:>8.1}  {}\n",
            name,
            s.requests,
            s.failed,
            s.invalid,
            zero,
            cell(s.p50_ms),
            cell(s.p95_ms),
            cell(s.p99_ms),
            cell(s.max_ms),
            s.per_second,
            goal
        )
    };
    let mut reasons = Vec::new();
    for (kind, summary) in rows {
        if !summary.failures.is_empty() {
            reasons.push(format!("{kind}: {}", summary.failures));
        }
        let zero = if kind.is_search() {
            summary.zero_results.to_string()
        } else {
            "-".to_owned()
        };
        let goal = match summary.meets(kind.goal_p95_ms()) {
            Some(true) => format!("<= {} ms: met", kind.goal_p95_ms()),
            Some(false) => format!("<= {} ms: NOT met", kind.goal_p95_ms()),
            None => format!("<= {} ms: no answer", kind.goal_p95_ms()),
        };
        out.push_str(&line(kind.name(), summary, zero, goal));
    }
    out.push_str(&line(
        "all",
        all,
        all.zero_results.to_string(),
        String::new(),
    ));
    if !reasons.is_empty() {
        out.push_str(&format!("failures: {}\n", reasons.join("; ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let hundred: Vec<u64> = (1..=100).collect();
        for (p, expected) in [
            (0.0, 1),
            (1.0, 1),
            (50.0, 50),
            (95.0, 95),
            (99.0, 99),
            (99.5, 100),
            (100.0, 100),
        ] {
            assert_eq!(percentile(&hundred, p), Some(expected), "p{p}");
        }
        // Ten values: the p95 is the tenth (9.5 rounds up), the p50 the fifth.
        let ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000];
        assert_eq!(percentile(&ten, 50.0), Some(50));
        assert_eq!(percentile(&ten, 90.0), Some(90));
        assert_eq!(percentile(&ten, 95.0), Some(1000));
        assert_eq!(percentile(&[7], 50.0), Some(7));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_summary_sorts_counts_and_leaves_failures_out_of_latencies() {
        let mut tally = Tally::default();
        for took in [30, 10, 20, 40] {
            tally.record(Outcome::Answered { results: Some(3) }, ms(took));
        }
        tally.record(Outcome::Answered { results: Some(0) }, ms(50));
        tally.record(Outcome::Invalid, ms(5));
        // A failure's time (a 30-second timeout) must not enter the percentiles.
        tally.record(Outcome::Failed(Failure::Timeout), ms(30_000));
        let summary = summarise(&tally, 2.0);
        assert_eq!(summary.requests, 7);
        assert_eq!(summary.failed, 1);
        assert_eq!(summary.invalid, 1);
        assert_eq!(summary.zero_results, 1);
        assert_eq!(summary.failures, "timeout: 1");
        assert_eq!(summary.p50_ms, Some(20.0));
        assert_eq!(summary.max_ms, Some(50.0));
        assert_eq!(summary.per_second, 3.5);
        assert_eq!(summary.meets(100), Some(false), "a failure fails the goal");
    }

    #[test]
    fn the_goal_is_judged_on_the_p95() {
        let mut tally = Tally::default();
        for took in 1..=100 {
            tally.record(Outcome::Answered { results: None }, ms(took));
        }
        let summary = summarise(&tally, 1.0);
        assert_eq!(summary.p95_ms, Some(95.0));
        assert_eq!(summary.meets(95), Some(true));
        assert_eq!(summary.meets(94), Some(false));
        assert_eq!(summarise(&Tally::default(), 1.0).meets(100), None);
    }

    #[test]
    fn tallies_merge_into_one() {
        let mut one = Tally::default();
        one.record(Outcome::Answered { results: Some(0) }, ms(1));
        let mut two = Tally::default();
        two.record(Outcome::Failed(Failure::Status(500)), ms(2));
        two.record(Outcome::Failed(Failure::Timeout), ms(2));
        two.record(Outcome::Answered { results: Some(2) }, ms(3));
        one.merge(two);
        assert_eq!(one.requests, 4);
        assert_eq!(one.failed, 2);
        assert_eq!(
            summarise(&one, 1.0).failures,
            "HTTP 500: 1, timeout: 1",
            "reasons sorted, each counted"
        );
        assert_eq!(one.zero_results, 1);
        assert_eq!(one.latencies_us, vec![1000, 3000]);
    }

    #[test]
    fn the_table_has_a_line_per_kind_and_a_total() {
        let mut tally = Tally::default();
        tally.record(Outcome::Answered { results: Some(1) }, ms(150));
        let summary = summarise(&tally, 1.0);
        let mut timed_out = Tally::default();
        timed_out.record(Outcome::Failed(Failure::Timeout), ms(30_000));
        let text = table(
            &[
                (Kind::SearchLatin, summary.clone()),
                (Kind::Case, summary.clone()),
                (Kind::Dashboard, summarise(&timed_out, 1.0)),
            ],
            &summary,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6);
        assert!(lines[1].starts_with("search_latin"));
        assert!(lines[1].ends_with("<= 100 ms: NOT met"), "{}", lines[1]);
        assert!(lines[2].ends_with("<= 200 ms: met"), "{}", lines[2]);
        assert!(lines[3].ends_with("<= 200 ms: no answer"), "{}", lines[3]);
        assert!(lines[4].starts_with("all"));
        assert_eq!(lines[5], "failures: dashboard: timeout: 1");
    }
}
