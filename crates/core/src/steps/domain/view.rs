//! What the Domains step shows: the request, the TXT record to publish, the per-server table, the
//! domain's status. Exported to the UI (ts-rs).
use hybridsync_microsoft::domains::{DnsRecord, Domain};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Finding;

/// What to check, and where DNS questions go.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct DomainRequest {
    pub domain: String,
    /// `IP:PORT` of the resolver to ask (the system's when empty). Authoritative name servers
    /// are then reached on the same port (53 in production).
    pub nameserver: Option<String>,
}

/// The TXT record the admin publishes, with plain hints for DNS hosting panels.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct TxtInstruction {
    /// The full name (Graph's `label`).
    pub name: String,
    /// What to type in the "host" field of a panel for the zone: `@` for the zone's apex.
    pub host: String,
    /// The zone the record goes in, when DNS told.
    pub zone: Option<String>,
    pub value: String,
    pub ttl: u32,
    pub hints: Vec<String>,
}

/// One row of the per-server table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct ServerView {
    /// `authoritative` or `resolver`.
    pub role: String,
    pub server: String,
    pub address: Option<String>,
    pub values: Vec<String>,
    pub ttl: Option<u32>,
    pub answer_code: String,
    /// This server returns the expected value.
    pub has_value: bool,
}

/// The DNS check of the verification record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct DnsView {
    pub zone: Option<String>,
    pub expected: String,
    pub rows: Vec<ServerView>,
    /// Every authoritative server returns the value: verify may be called.
    pub ready: bool,
    pub findings: Vec<Finding>,
}

/// Everything the Domains page and `hybridsync domain status` show for one domain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct DomainStatus {
    pub domain: String,
    /// The domain as the tenant has it; `None` when not added yet.
    pub tenant: Option<Domain>,
    /// The verified parent domain that made this subdomain verified without a TXT record.
    pub verified_through: Option<String>,
    pub txt: Option<TxtInstruction>,
    pub dns: Option<DnsView>,
    /// Microsoft's service configuration records, information only.
    pub service_records: Vec<DnsRecord>,
    pub guard_reason: String,
    pub findings: Vec<Finding>,
}

impl DomainStatus {
    pub fn verified(&self) -> bool {
        self.tenant.as_ref().is_some_and(|d| d.is_verified)
    }
}
