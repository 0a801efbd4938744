//! Attempts per key (a client address for logins, a caller for refused pass codes): a token
//! bucket per key, so a burst of tries is allowed and then one more each refill period. Kept in memory: a restart forgets it, and
//! the account lockout (counted in the store) still holds across restarts and instances.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many attempts an address may make at once, and how fast it earns another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub burst: u32,
    pub refill_every: Duration,
}

impl Default for RateLimit {
    /// Ten attempts at once, then one every six seconds (ten a minute).
    fn default() -> RateLimit {
        RateLimit {
            burst: 10,
            refill_every: Duration::from_secs(6),
        }
    }
}

/// Buckets kept before the full ones are forgotten.
const MAX_ADDRESSES: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the key's bucket holds an attempt at `now`, without taking it; when it does
    /// not, how long until it does.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.limit.burst);
        let per_second = 1.0 / self.limit.refill_every.as_secs_f64().max(f64::MIN_POSITIVE);
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let Some((tokens, at)) = buckets.get(key) else {
            return Ok(());
        };
        let tokens =
            (*tokens + now.saturating_duration_since(*at).as_secs_f64() * per_second).min(burst);
        if tokens >= 1.0 {
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - tokens) / per_second))
        }
    }

    /// Takes one attempt from the address's bucket at `now`; false when it is empty.
    pub fn try_acquire(&self, address: &str, now: Instant) -> bool {
        let burst = f64::from(self.limit.burst);
        let per_second = 1.0 / self.limit.refill_every.as_secs_f64().max(f64::MIN_POSITIVE);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_ADDRESSES {
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * per_second < burst
            });
        }
        let (tokens, at) = buckets.entry(address.to_owned()).or_insert((burst, now));
        *tokens =
            (*tokens + now.saturating_duration_since(*at).as_secs_f64() * per_second).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_period_per_address() {
        let limiter = RateLimiter::new(RateLimit {
            burst: 3,
            refill_every: Duration::from_secs(6),
        });
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.try_acquire("192.0.2.1", start));
        }
        assert!(!limiter.try_acquire("192.0.2.1", start));
        // Another address has its own bucket.
        assert!(limiter.try_acquire("192.0.2.2", start));
        // One attempt is earned back after one period, not before.
        assert!(!limiter.try_acquire("192.0.2.1", start + Duration::from_secs(5)));
        assert!(limiter.try_acquire("192.0.2.1", start + Duration::from_secs(12)));
        assert!(!limiter.try_acquire("192.0.2.1", start + Duration::from_secs(12)));
    }

    #[test]
    fn checking_takes_nothing_and_says_how_long_to_wait() {
        let limiter = RateLimiter::new(RateLimit {
            burst: 2,
            refill_every: Duration::from_secs(6),
        });
        let start = Instant::now();
        assert_eq!(limiter.check("gate-officer", start), Ok(()));
        assert_eq!(limiter.check("gate-officer", start), Ok(()));
        assert!(limiter.try_acquire("gate-officer", start));
        assert_eq!(limiter.check("gate-officer", start), Ok(()));
        assert!(limiter.try_acquire("gate-officer", start));
        let wait = limiter.check("gate-officer", start).unwrap_err();
        assert!(
            wait > Duration::from_secs(5) && wait <= Duration::from_secs(6),
            "{wait:?}"
        );
        assert_eq!(
            limiter.check("gate-officer", start + Duration::from_secs(6)),
            Ok(())
        );
    }
}
