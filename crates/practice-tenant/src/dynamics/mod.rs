//! The Dynamics 365 on-premises Web API (OData v4, ms-api.md §6) under `/{org}/api/data/v9.0/`
//! and `v9.1/`: email server profiles, mailboxes, the organization, tracelogs, WhoAmI and
//! RetrieveVersion, paging, `$batch` with changesets, and an asynchronous Test & Enable whose
//! outcome comes from the deployment's facts ([`Deployment`]). Knobs model a busy server.
//!
//! Authentication: bearer tokens from the practice identity whose audience is the server's URL
//! (AD FS OAuth for IFD, ms-api.md §6 D-WEBAUTH). Windows authentication (NTLM/Negotiate) is not
//! simulated: it needs a Windows domain, so the client keeps it behind its own `cfg(windows)` seam.
pub mod batch;
pub mod entities;
pub mod errors;
pub mod odata;
pub mod store;
pub mod testjob;
pub(crate) mod web;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Semaphore;

pub use store::{
    mailbox_address, mailbox_id, AuditEntry, MAX_PAGE_SIZE, PRACTICE_ORG, PRACTICE_VERSION,
};
pub use testjob::{Alert, Deployment, PRACTICE_TENANT_ID};

use crate::state::lock;

/// How the simulated server behaves under load.
#[derive(Debug, Clone)]
pub struct Knobs {
    /// Round trip added to every request (outside the server's capacity).
    pub latency: Duration,
    /// Server time per operation; the operations of a `$batch` run one after another.
    pub op_time: Duration,
    /// At most this many requests are served at once; the rest wait. `None`: no limit.
    pub capacity: Option<usize>,
    /// Shares of requests that fail, by kind.
    pub faults: FaultRates,
    /// How long a request hit by a time-out fault hangs before its connection drops.
    pub stall: Duration,
    /// Send Dataverse's `x-ms-dop-hint` answer header with this value (a recommended number of
    /// requests at once); on-premises servers send none.
    pub dop_hint: Option<usize>,
    /// The `Retry-After` seconds of a 429.
    pub retry_after_secs: u64,
    /// Time from scheduling a Test & Enable to its result.
    pub test_delay: Duration,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            latency: Duration::ZERO,
            op_time: Duration::ZERO,
            capacity: None,
            faults: FaultRates::default(),
            stall: Duration::from_secs(60),
            dop_hint: None,
            retry_after_secs: 1,
            test_delay: Duration::from_millis(300),
        }
    }
}

/// Shares of requests (each 0.0–1.0, together at most 1.0) that fail, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultRates {
    /// 429 Too Many Requests with `Retry-After`.
    pub throttled: f64,
    /// 503 Service Unavailable.
    pub unavailable: f64,
    /// The connection drops: half before the work, half after it (the answer is lost).
    pub reset: f64,
    /// The request hangs for the knobs' `stall`, then its connection drops.
    pub timeout: f64,
}

impl FaultRates {
    /// `total` spread evenly over 429, 503 and resets (a bad day's mix, no time-outs).
    pub fn even(total: f64) -> FaultRates {
        let third = total.clamp(0.0, 1.0) / 3.0;
        FaultRates {
            throttled: third,
            unavailable: third,
            reset: third,
            timeout: 0.0,
        }
    }

    pub fn total(&self) -> f64 {
        self.throttled + self.unavailable + self.reset + self.timeout
    }

    /// Checked: each share within 0–1, together at most 1.
    pub fn validate(&self) -> Result<(), String> {
        let all = [self.throttled, self.unavailable, self.reset, self.timeout];
        if all.iter().any(|r| !(0.0..=1.0).contains(r)) || self.total() > 1.0 + 1e-9 {
            return Err("each fault rate must be between 0 and 1, and together at most 1".into());
        }
        Ok(())
    }
}

/// What the simulated server saw of its queue since the last [`Dynamics::reset_load`]: requests
/// waiting for a slot (peak, and the mean over time), the share of their time at the server spent
/// waiting, and how many it served at once.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LoadStats {
    pub requests: u64,
    pub peak_queue: usize,
    pub mean_queue: f64,
    /// Time waiting for a slot over time at the server (waiting plus served), all requests.
    pub queue_wait_share: f64,
    pub peak_served: usize,
    pub mean_served: f64,
    pub seconds: f64,
}

/// The running sums behind [`LoadStats`].
#[derive(Debug)]
pub(crate) struct LoadMeter {
    since: std::time::Instant,
    last: std::time::Instant,
    queue: usize,
    served: usize,
    requests: u64,
    peak_queue: usize,
    peak_served: usize,
    /// Integrals over time of the queue and of the requests served (request-seconds).
    queue_area: f64,
    served_area: f64,
}

impl Default for LoadMeter {
    fn default() -> Self {
        let now = std::time::Instant::now();
        LoadMeter {
            since: now,
            last: now,
            queue: 0,
            served: 0,
            requests: 0,
            peak_queue: 0,
            peak_served: 0,
            queue_area: 0.0,
            served_area: 0.0,
        }
    }
}

impl LoadMeter {
    fn advance(&mut self) {
        let now = std::time::Instant::now();
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        self.queue_area += self.queue as f64 * dt;
        self.served_area += self.served as f64 * dt;
        self.last = now;
    }

    pub(crate) fn queued(&mut self) {
        self.advance();
        self.requests += 1;
        self.queue += 1;
        self.peak_queue = self.peak_queue.max(self.queue);
    }

    pub(crate) fn started(&mut self) {
        self.advance();
        self.queue = self.queue.saturating_sub(1);
        self.served += 1;
        self.peak_served = self.peak_served.max(self.served);
    }

    pub(crate) fn dequeued(&mut self) {
        self.advance();
        self.queue = self.queue.saturating_sub(1);
    }

    pub(crate) fn finished(&mut self) {
        self.advance();
        self.served = self.served.saturating_sub(1);
    }

    fn stats(&mut self) -> LoadStats {
        self.advance();
        let seconds = self
            .last
            .saturating_duration_since(self.since)
            .as_secs_f64();
        let total = self.queue_area + self.served_area;
        LoadStats {
            requests: self.requests,
            peak_queue: self.peak_queue,
            mean_queue: if seconds > 0.0 {
                self.queue_area / seconds
            } else {
                0.0
            },
            queue_wait_share: if total > 0.0 {
                self.queue_area / total
            } else {
                0.0
            },
            peak_served: self.peak_served,
            mean_served: if seconds > 0.0 {
                self.served_area / seconds
            } else {
                0.0
            },
            seconds,
        }
    }
}

/// Faults the simulator injected, by kind.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FaultCounts {
    pub throttled: u64,
    pub unavailable: u64,
    pub reset_before: u64,
    pub reset_after: u64,
    pub timed_out: u64,
}

#[derive(Debug)]
pub struct Dynamics {
    pub(crate) store: Mutex<store::Store>,
    knobs: Mutex<Knobs>,
    pub(crate) slots: Mutex<Option<Arc<Semaphore>>>,
    rng: AtomicU64,
    pub(crate) faults: Mutex<FaultCounts>,
    pub(crate) meter: Mutex<LoadMeter>,
    next_tx: AtomicU64,
    throttle_burst: AtomicU64,
}

impl Default for Dynamics {
    fn default() -> Self {
        Dynamics {
            store: Mutex::default(),
            knobs: Mutex::default(),
            slots: Mutex::default(),
            rng: AtomicU64::new(0x9E37_79B9_7F4A_7C15),
            faults: Mutex::default(),
            meter: Mutex::default(),
            next_tx: AtomicU64::new(1),
            throttle_burst: AtomicU64::new(0),
        }
    }
}

impl Dynamics {
    pub fn knobs(&self) -> Knobs {
        lock(&self.knobs).clone()
    }

    pub fn set_knobs(&self, knobs: Knobs) {
        *lock(&self.slots) = knobs.capacity.map(|c| Arc::new(Semaphore::new(c.max(1))));
        *lock(&self.knobs) = knobs;
    }

    /// Replaces the mailboxes with `n` fresh ones (not configured, pending approval).
    pub fn seed_mailboxes(&self, n: usize) {
        let mut s = lock(&self.store);
        s.ensure_seeded();
        s.seed_mailboxes(n);
    }

    pub fn deployment(&self) -> Deployment {
        let mut s = lock(&self.store);
        s.ensure_seeded();
        s.deployment.clone()
    }

    pub fn set_deployment(&self, d: Deployment) {
        let mut s = lock(&self.store);
        s.ensure_seeded();
        s.deployment = d;
        // Joined again by the next request.
        s.effective = None;
    }

    /// Every accepted write that changed a record, in order.
    pub fn audit(&self) -> Vec<AuditEntry> {
        lock(&self.store).audit.clone()
    }

    /// The queue as the server saw it since the last reset (or the start).
    pub fn load_stats(&self) -> LoadStats {
        lock(&self.meter).stats()
    }

    /// Starts measuring the queue afresh (requests in flight keep counting).
    pub fn reset_load(&self) {
        let mut m = lock(&self.meter);
        let (queue, served) = (m.queue, m.served);
        *m = LoadMeter {
            queue,
            served,
            ..LoadMeter::default()
        };
    }

    pub fn fault_counts(&self) -> FaultCounts {
        lock(&self.faults).clone()
    }

    /// The rows of an entity set (tests read the state directly).
    pub fn rows(&self, set: &str) -> Vec<Value> {
        let mut s = lock(&self.store);
        s.ensure_seeded();
        s.run_due_jobs();
        s.tables
            .get(set)
            .map(|t| t.values().map(|r| Value::Object(r.clone())).collect())
            .unwrap_or_default()
    }

    pub(crate) fn next_tx(&self) -> u64 {
        self.next_tx.fetch_add(1, Ordering::Relaxed)
    }

    /// A number in [0, 1) from a xorshift sequence (deterministic per simulator).
    pub(crate) fn roll(&self) -> f64 {
        let mut x = self.rng.load(Ordering::Relaxed);
        loop {
            let mut y = x;
            y ^= y << 13;
            y ^= y >> 7;
            y ^= y << 17;
            match self
                .rng
                .compare_exchange(x, y, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return (y >> 11) as f64 / (1u64 << 53) as f64,
                Err(cur) => x = cur,
            }
        }
    }
}

impl Dynamics {
    /// Answers the next `n` Dynamics requests with 429 + `Retry-After` (a throttling burst mid-run).
    pub fn throttle_next(&self, n: u64) {
        self.throttle_burst.store(n, Ordering::Relaxed);
    }

    /// Takes one request of the throttling burst, if any is left.
    pub(crate) fn take_throttle(&self) -> bool {
        self.throttle_burst
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// Approves a pending device code for a practice user, as the verification page does after the
/// user signs in. For in-process runs (`hybridsync bench bulk`) that have nobody to type the code.
pub fn approve_device_code(sim: &crate::Sim, user_code: &str, upn: &str) -> bool {
    let Some(user) = sim.find_user(upn) else {
        return false;
    };
    let code = user_code.trim().replace('-', "").to_ascii_uppercase();
    let mut grants = lock(&sim.grants);
    match grants.devices.iter_mut().find(|d| d.user_code == code) {
        Some(d) => {
            d.status = crate::identity::grants::DeviceStatus::Approved(user);
            true
        }
        None => false,
    }
}
