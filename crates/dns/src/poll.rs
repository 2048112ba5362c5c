//! Re-checking with capped backoff until ready, cancelled or out of time.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Something the poller can ask "ready yet?".
pub trait Readiness {
    fn is_ready(&self) -> bool;
}

impl Readiness for bool {
    fn is_ready(&self) -> bool {
        *self
    }
}

impl<T: Readiness, E> Readiness for Result<T, E> {
    fn is_ready(&self) -> bool {
        self.as_ref().is_ok_and(Readiness::is_ready)
    }
}

/// How the wait between checks grows, and when to give up.
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    /// Each wait is the previous one times this (1.0 = fixed interval).
    pub factor: f64,
    /// Cap on a single wait (never below the base interval).
    pub max_interval: Duration,
    /// Stop after this many checks (`None` = no limit).
    pub max_polls: Option<u32>,
    /// Stop once this much time has passed since the first check (`None` = no limit).
    pub give_up_after: Option<Duration>,
}

impl Backoff {
    /// The same wait every time, no limit.
    pub fn fixed() -> Self {
        Self {
            factor: 1.0,
            max_interval: Duration::ZERO,
            max_polls: None,
            give_up_after: None,
        }
    }

    /// Waits growing by `factor` up to `max_interval`, no limit.
    pub fn exponential(factor: f64, max_interval: Duration) -> Self {
        Self {
            factor,
            max_interval,
            max_polls: None,
            give_up_after: None,
        }
    }

    /// Gives up after `polls` checks.
    pub fn with_max_polls(mut self, polls: u32) -> Self {
        self.max_polls = Some(polls);
        self
    }

    /// Gives up after `limit` in total.
    pub fn with_give_up_after(mut self, limit: Duration) -> Self {
        self.give_up_after = Some(limit);
        self
    }

    /// The wait after check number `poll` (1-based):
    /// `min(interval × factor^(poll-1), max(max_interval, interval))`.
    pub fn delay_after(&self, interval: Duration, poll: u32) -> Duration {
        let cap = self.max_interval.max(interval);
        let factor = if self.factor.is_finite() && self.factor >= 1.0 {
            self.factor
        } else {
            1.0
        };
        let exp = poll.saturating_sub(1).min(64) as i32;
        let secs = interval.as_secs_f64() * factor.powi(exp);
        if !secs.is_finite() || secs >= cap.as_secs_f64() {
            cap
        } else {
            Duration::from_secs_f64(secs)
        }
    }
}

/// How polling ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    Ready,
    Cancelled,
    GaveUp,
}

/// The result of [`poll_until_ready`].
#[derive(Debug, Clone)]
pub struct PollOutcome<R> {
    pub status: PollStatus,
    /// The last completed check (the ready one when `status` is `Ready`).
    pub last: Option<R>,
    /// Number of checks completed.
    pub polls: u32,
    /// The waits slept between checks, in order.
    pub waits: Vec<Duration>,
}

/// Calls `check_fn(poll_number)` (1-based) until its result is ready, waiting
/// `interval` between checks, growing per `backoff` (capped). Returns as soon as
/// a check is ready, so a change is seen within one wait of happening.
/// `cancel` stops both waits and a running check.
pub async fn poll_until_ready<F, Fut, R>(
    mut check_fn: F,
    interval: Duration,
    backoff: &Backoff,
    cancel: &CancellationToken,
) -> PollOutcome<R>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = R>,
    R: Readiness,
{
    let start = Instant::now();
    let mut outcome = PollOutcome {
        status: PollStatus::GaveUp,
        last: None,
        polls: 0,
        waits: Vec::new(),
    };
    loop {
        let poll = outcome.polls + 1;
        let result = tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                outcome.status = PollStatus::Cancelled;
                return outcome;
            }
            r = check_fn(poll) => r,
        };
        outcome.polls = poll;
        let ready = result.is_ready();
        outcome.last = Some(result);
        if ready {
            outcome.status = PollStatus::Ready;
            return outcome;
        }
        if backoff.max_polls.is_some_and(|max| poll >= max) {
            return outcome;
        }
        let mut wait = backoff.delay_after(interval, poll);
        if let Some(limit) = backoff.give_up_after {
            let left = limit.saturating_sub(start.elapsed());
            if left.is_zero() {
                return outcome;
            }
            wait = wait.min(left);
        }
        outcome.waits.push(wait);
        tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                outcome.status = PollStatus::Cancelled;
                return outcome;
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn fixed_backoff_keeps_the_interval() {
        let b = Backoff::fixed();
        for poll in 1..10 {
            assert_eq!(b.delay_after(100 * MS, poll), 100 * MS);
        }
    }

    #[test]
    fn exponential_backoff_grows_and_is_capped() {
        let b = Backoff::exponential(2.0, 500 * MS);
        let waits: Vec<Duration> = (1..=6).map(|p| b.delay_after(100 * MS, p)).collect();
        assert_eq!(
            waits,
            vec![100 * MS, 200 * MS, 400 * MS, 500 * MS, 500 * MS, 500 * MS]
        );
        assert_eq!(b.delay_after(100 * MS, u32::MAX), 500 * MS);
    }

    #[test]
    fn odd_factors_fall_back_to_fixed() {
        for f in [0.5, f64::NAN, f64::INFINITY, -2.0] {
            let b = Backoff::exponential(f, Duration::from_secs(9));
            assert_eq!(b.delay_after(100 * MS, 5), 100 * MS, "factor {f}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn stops_at_the_first_ready_check() {
        let cancel = CancellationToken::new();
        let out = poll_until_ready(
            |n| async move { n >= 4 },
            10 * MS,
            &Backoff::fixed(),
            &cancel,
        )
        .await;
        assert_eq!(out.status, PollStatus::Ready);
        assert_eq!(out.polls, 4);
        assert_eq!(out.waits, vec![10 * MS; 3]);
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_polls_and_time() {
        let cancel = CancellationToken::new();
        let b = Backoff::exponential(2.0, 40 * MS).with_max_polls(5);
        let out = poll_until_ready(|_| async { false }, 10 * MS, &b, &cancel).await;
        assert_eq!(out.status, PollStatus::GaveUp);
        assert_eq!(out.polls, 5);
        assert_eq!(out.waits, vec![10 * MS, 20 * MS, 40 * MS, 40 * MS]);

        let b = Backoff::fixed().with_give_up_after(35 * MS);
        let out = poll_until_ready(|_| async { false }, 10 * MS, &b, &cancel).await;
        assert_eq!(out.status, PollStatus::GaveUp);
        assert_eq!(out.waits, vec![10 * MS, 10 * MS, 10 * MS, 5 * MS]);
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_stops_waiting() {
        let cancel = CancellationToken::new();
        let c2 = cancel.clone();
        let out = poll_until_ready(
            move |n| {
                if n == 2 {
                    c2.cancel();
                }
                async { false }
            },
            Duration::from_secs(3600),
            &Backoff::fixed(),
            &cancel,
        )
        .await;
        assert_eq!(out.status, PollStatus::Cancelled);
        // The second check was cancelled before it completed.
        assert_eq!(out.polls, 1);
        assert_eq!(out.last, Some(false));
    }
}
