//! The simulator's in-memory state. Outcomes come from this state, not from scripts.
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

/// A tenant as the identity platform knows it.
#[derive(Debug, Clone, Serialize)]
pub struct Tenant {
    pub id: String,
    pub display_name: String,
    /// Verified domains, lower case; the first is the initial `.onmicrosoft.com` domain.
    pub domains: Vec<String>,
    /// `tenant_region_scope` (ms-api.md §1.1: NA, EU, …).
    pub region_scope: String,
}

impl Tenant {
    pub fn default_domain(&self) -> &str {
        self.domains.last().map(String::as_str).unwrap_or("")
    }
}

/// Failure knobs a test or the demo turns on.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Faults {
    /// Hold every OpenID configuration answer this long (timeouts).
    pub openid_delay: Option<Duration>,
    /// Answer the OpenID configuration with broken JSON (a proxy rewriting answers).
    pub openid_malformed: bool,
    /// Serve only the v1 document; the v2 path answers 404 (older or custom authorities).
    pub openid_v2_missing: bool,
}

/// One request the simulator served; tests read this log.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub status: u16,
}

#[derive(Debug, Default)]
pub struct Sim {
    tenants: Mutex<Vec<Tenant>>,
    faults: Mutex<Faults>,
    requests: Mutex<Vec<RequestRecord>>,
}

/// The practice tenants every simulator starts with.
pub fn seed_tenants() -> Vec<Tenant> {
    vec![
        Tenant {
            id: "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91".into(),
            display_name: "Contoso (practice)".into(),
            domains: vec!["contoso.onmicrosoft.com".into(), "contoso.com".into()],
            region_scope: "NA".into(),
        },
        Tenant {
            id: "7d9e2b40-51c3-4f8a-a6e2-0c4b19d7e385".into(),
            display_name: "Fabrikam Europe (practice)".into(),
            domains: vec!["fabrikameu.onmicrosoft.com".into(), "fabrikam.eu".into()],
            region_scope: "EU".into(),
        },
    ]
}

impl Sim {
    pub fn new(tenants: Vec<Tenant>) -> Sim {
        Sim {
            tenants: Mutex::new(tenants),
            ..Sim::default()
        }
    }

    pub fn tenants(&self) -> Vec<Tenant> {
        lock(&self.tenants).clone()
    }

    /// A tenant by GUID or by any of its domains, case-insensitively.
    pub fn find_tenant(&self, key: &str) -> Option<Tenant> {
        let key = key.trim_end_matches('.').to_ascii_lowercase();
        lock(&self.tenants)
            .iter()
            .find(|t| t.id == key || t.domains.iter().any(|d| *d == key))
            .cloned()
    }

    pub fn faults(&self) -> Faults {
        lock(&self.faults).clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.faults) = faults;
    }

    pub fn record(&self, rec: RequestRecord) {
        lock(&self.requests).push(rec);
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.requests).clone()
    }
}

/// A poisoned lock only means a handler panicked mid-update; the simulator keeps serving.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
