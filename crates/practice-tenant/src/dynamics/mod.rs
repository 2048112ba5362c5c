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

pub use store::{mailbox_address, mailbox_id, AuditEntry, MAX_PAGE_SIZE, PRACTICE_ORG, PRACTICE_VERSION};
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
    /// Share of requests (0.0–1.0) that fail: a quarter each 429 + Retry-After, 503, connection reset
    /// before the work, connection reset after the work (the answer is lost).
    pub fault_rate: f64,
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
            fault_rate: 0.0,
            retry_after_secs: 1,
            test_delay: Duration::from_millis(300),
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
}

#[derive(Debug)]
pub struct Dynamics {
    pub(crate) store: Mutex<store::Store>,
    knobs: Mutex<Knobs>,
    pub(crate) slots: Mutex<Option<Arc<Semaphore>>>,
    rng: AtomicU64,
    pub(crate) faults: Mutex<FaultCounts>,
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

    pub fn fault_counts(&self) -> FaultCounts {
        lock(&self.faults).clone()
    }

    /// The rows of an entity set (tests read the state directly).
    pub fn rows(&self, set: &str) -> Vec<Value> {
        let mut s = lock(&self.store);
        s.ensure_seeded();
        s.run_due_jobs();
        s.tables.get(set).map(|t| t.values().map(|r| Value::Object(r.clone())).collect()).unwrap_or_default()
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
            match self.rng.compare_exchange(x, y, Ordering::Relaxed, Ordering::Relaxed) {
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
    let Some(user) = sim.find_user(upn) else { return false };
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
