//! When and how long to wait before sending a request again: 429/503 honour `Retry-After`
//! (ms-api.md §8, G-THR / P-LIM); otherwise exponential backoff. A jitter spreads the retries of
//! parallel requests so they do not return at the same instant.
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first backoff when the server names no wait.
    pub base_delay: Duration,
    /// The longest wait, `Retry-After` included.
    pub max_delay: Duration,
    /// The share of a wait added at random on top (0.0–1.0).
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(60),
            jitter: 0.2,
        }
    }
}

/// Why a request is sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryCause {
    /// 429 Too Many Requests.
    Throttled,
    /// 503 Service Unavailable.
    Unavailable,
    /// The connection dropped before the whole answer arrived.
    ConnectionLost,
}

static SEED: AtomicU64 = AtomicU64::new(0x2545_F491_4F6C_DD1D);

fn random_unit() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    let mut x = SEED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ nanos;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// `Retry-After` as seconds (the only form Graph and Dataverse send, ms-api.md §8).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (`attempt` counts from 1), or `None` when the
    /// attempts are used up.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let base = match retry_after {
            Some(d) => d,
            None => self
                .base_delay
                .saturating_mul(1u32 << (attempt - 1).min(16)),
        };
        let base = base.min(self.max_delay);
        let extra = base.mul_f64(self.jitter * random_unit());
        // A zero Retry-After still gets a little jitter, so parallel retries do not line up.
        let floor = if base.is_zero() {
            self.base_delay.mul_f64(self.jitter * random_unit())
        } else {
            Duration::ZERO
        };
        Some(base + extra + floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_and_never_shortened() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d = p.delay(1, Some(Duration::from_secs(3))).unwrap();
            assert!(
                d >= Duration::from_secs(3) && d <= Duration::from_millis(3600),
                "{d:?}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_stops_after_the_last_attempt() {
        let p = RetryPolicy {
            jitter: 0.0,
            ..RetryPolicy::default()
        };
        assert_eq!(p.delay(1, None), Some(Duration::from_millis(200)));
        assert_eq!(p.delay(3, None), Some(Duration::from_millis(800)));
        assert_eq!(p.delay(8, None), None);
        assert_eq!(parse_retry_after(Some(" 7")), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(Some("soon")), None);
    }
}
