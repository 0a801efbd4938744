//! Request counts and latencies in Prometheus' text format (`GET /metrics`). A small counter set
//! of our own: requests by route (its template, never the concrete path, which would carry ids)
//! and status, and a latency histogram by route. Nothing personal is ever a label.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    /// Observations at most each bound of `BUCKETS` (not cumulative; summed when written).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

/// The counters, shared by every request.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// (method, route, status) → requests.
    requests: BTreeMap<(&'static str, &'static str, u16), u64>,
    /// (method, route) → latency.
    latency: BTreeMap<(&'static str, &'static str), Histogram>,
}

impl Metrics {
    pub fn record(&self, method: &'static str, route: &'static str, status: u16, took: Duration) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        *inner.requests.entry((method, route, status)).or_insert(0) += 1;
        let histogram = inner.latency.entry((method, route)).or_default();
        let seconds = took.as_secs_f64();
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            histogram.buckets[bucket] += 1;
        }
        histogram.count += 1;
        histogram.sum_seconds += seconds;
    }

    /// The counters in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let Ok(inner) = self.inner.lock() else {
            return String::new();
        };
        let mut out = String::new();
        out.push_str("# HELP airbridge_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE airbridge_http_requests_total counter\n");
        for ((method, route, status), count) in &inner.requests {
            let _ = writeln!(
                out,
                "airbridge_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str(
            "# HELP airbridge_http_request_duration_seconds Time to answer a request, by route.\n",
        );
        out.push_str("# TYPE airbridge_http_request_duration_seconds histogram\n");
        for ((method, route), histogram) in &inner.latency {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(histogram.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "airbridge_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "airbridge_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "airbridge_http_request_duration_seconds_sum{{{labels}}} {}",
                histogram.sum_seconds
            );
            let _ = writeln!(
                out,
                "airbridge_http_request_duration_seconds_count{{{labels}}} {}",
                histogram.count
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_buckets_are_written_cumulatively() {
        let metrics = Metrics::default();
        metrics.record("GET", "/api/persons/{id}", 200, Duration::from_millis(3));
        metrics.record("GET", "/api/persons/{id}", 200, Duration::from_millis(30));
        metrics.record("GET", "/api/persons/{id}", 404, Duration::from_secs(20));
        let text = metrics.render();
        for line in [
            "airbridge_http_requests_total{method=\"GET\",route=\"/api/persons/{id}\",status=\"200\"} 2",
            "airbridge_http_requests_total{method=\"GET\",route=\"/api/persons/{id}\",status=\"404\"} 1",
            "airbridge_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/persons/{id}\",le=\"0.005\"} 1",
            "airbridge_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/persons/{id}\",le=\"0.05\"} 2",
            "airbridge_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/persons/{id}\",le=\"10\"} 2",
            "airbridge_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/persons/{id}\",le=\"+Inf\"} 3",
            "airbridge_http_request_duration_seconds_count{method=\"GET\",route=\"/api/persons/{id}\"} 3",
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
    }
}
