//! The simulator's in-memory state. Outcomes come from this state, not from scripts.
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

use crate::identity::grants::Grants;
use crate::identity::users::{seed_users, TestUser};

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
    /// Lifetime of the access tokens issued from now on (default one hour); `ZERO` issues tokens
    /// that are already expired, to force a refresh.
    pub access_token_lifetime: Option<Duration>,
    /// The refresh token value to issue (the leak test searches every file for it).
    pub refresh_token_value: Option<String>,
    /// Device codes' lifetime (default 15 minutes, ms-api.md §2.3).
    pub device_code_lifetime: Option<Duration>,
    /// The `interval` the device code answer advertises, in seconds (default 5).
    pub device_interval_secs: Option<u64>,
    /// The spacing the token endpoint enforces between device-code polls (default: the advertised
    /// interval); polls closer than this get `slow_down` (RFC 8628 §3.5).
    pub device_enforced_interval: Option<Duration>,
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
    users: Mutex<Vec<TestUser>>,
    pub(crate) grants: Mutex<Grants>,
    token_errors: Mutex<Vec<String>>,
    faults: Mutex<Faults>,
    requests: Mutex<Vec<RequestRecord>>,
    /// Custom domains and the practice DNS (issue 4).
    pub domains: crate::graph::domains::Domains,
    /// The Dynamics CRM service principal per tenant (issue 6).
    pub service_principals: crate::graph::service_principals::ServicePrincipals,
    /// The practice CRM deployment the generated script changes (issue 6).
    pub crm: crate::crm::CrmDeployment,
    /// The tenants' subscriptions (Graph /subscribedSkus; the Hybrid Connector).
    pub skus: crate::graph::skus::Skus,
    /// The Dynamics Web API's tables, knobs and deployment facts (issue 7).
    pub dynamics: crate::dynamics::Dynamics,
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
            users: Mutex::new(seed_users(&tenants)),
            domains: crate::graph::domains::Domains::seeded(&tenants),
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
            .find(|t| t.id == key || t.domains.contains(&key))
            .cloned()
    }

    /// Adds a verified domain to a tenant (after Graph `verify`), so discovery finds it.
    pub(crate) fn add_tenant_domain(&self, tenant_id: &str, domain: &str) {
        let mut tenants = lock(&self.tenants);
        if let Some(t) = tenants.iter_mut().find(|t| t.id == tenant_id) {
            if !t.domains.iter().any(|d| d == domain) {
                // Before the default (the last) domain, which stays the default.
                let at = t
                    .domains
                    .len()
                    .saturating_sub(1)
                    .max(1)
                    .min(t.domains.len());
                t.domains.insert(at, domain.to_string());
            }
        }
    }

    pub fn users(&self) -> Vec<TestUser> {
        lock(&self.users).clone()
    }

    pub fn add_user(&self, user: TestUser) {
        lock(&self.users).push(user);
    }

    /// A user by user principal name, case-insensitively.
    pub fn find_user(&self, upn: &str) -> Option<TestUser> {
        let upn = upn.trim().to_ascii_lowercase();
        lock(&self.users)
            .iter()
            .find(|u| u.user_principal_name.to_ascii_lowercase() == upn)
            .cloned()
    }

    pub fn find_user_by_id(&self, oid: &str) -> Option<TestUser> {
        lock(&self.users).iter().find(|u| u.id == oid).cloned()
    }

    /// The `error` values the token endpoint answered, in order (`authorization_pending`, `slow_down`, …).
    pub fn token_errors(&self) -> Vec<String> {
        lock(&self.token_errors).clone()
    }

    pub(crate) fn record_token_error(&self, error: &str) {
        lock(&self.token_errors).push(error.to_string());
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
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
