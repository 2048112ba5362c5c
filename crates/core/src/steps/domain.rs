//! Step "Domains" (issue 4): add the e-mail domain to the tenant, show its verification TXT
//! record, check it on every authoritative name server (crates/dns), and call Graph `verify`
//! only once every one of them returns the value. The MX and Autodiscover records Microsoft lists
//! are shown as information only: mail stays on-premises until the hybrid is in place.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hybridsync_dns::mail::mail_routing;
use hybridsync_dns::{AuthorityOptions, Backoff, CheckOptions, PollStatus, QueryOptions, ServerRole, DNS_PORT};
use hybridsync_microsoft::domains::{self, txt_of, DnsRecord, Domain};
use hybridsync_microsoft::{require_role, Graph, RoleRequirement, SignedInUser};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::{Change, CheckReport, ErrorPayload, Finding, Severity, Step, StepContext};

pub const STEP_ID: &str = "domains";

/// The seed's reason for leaving MX and Autodiscover alone (ms-api.md §3.5, seed 000).
pub const MAIL_GUARD_REASON: &str = "Do not change MX or Autodiscover now: mail keeps flowing to the on-premises servers until the hybrid configuration is in place. These records are listed for later, as information only.";

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

/// How the DNS questions are asked.
pub fn dns_options(nameserver: Option<&str>) -> Result<CheckOptions, ErrorPayload> {
    let mut authority = AuthorityOptions::default();
    if let Some(ns) = nameserver.map(str::trim).filter(|s| !s.is_empty()) {
        let addr: SocketAddr = ns.parse().or_else(|_| ns.parse::<std::net::IpAddr>().map(|ip| SocketAddr::new(ip, DNS_PORT))).map_err(|_| {
            ErrorPayload::new(
                "invalid_input",
                format!("{ns:?} is not a name server address: give IP:PORT, for example 127.0.0.1:5353 or [::1]:53"),
                Some("input.fix-value"),
            )
        })?;
        authority.resolver = Some(addr);
        authority.ns_port = addr.port();
    }
    authority.query = QueryOptions { timeout: Duration::from_millis(1200), attempts: 2, recursion_desired: true };
    Ok(CheckOptions { authority, extra_labels: Vec::new() })
}

fn dns_finding(f: &hybridsync_dns::Finding) -> Finding {
    let severity = match f.severity {
        hybridsync_dns::Severity::Ok | hybridsync_dns::Severity::Info => Severity::Info,
        hybridsync_dns::Severity::Warning => Severity::Warning,
        hybridsync_dns::Severity::Error => Severity::Error,
    };
    let mut out = Finding::new(f.code.as_str(), severity, f.message.clone()).remediation(&format!("dns.{}", f.code.as_str()));
    out.evidence = f.evidence.clone();
    out
}

/// Checks the verification value on every authoritative server and the resolver.
pub async fn check_dns(domain: &str, expected: &str, options: &CheckOptions) -> Result<DnsView, ErrorPayload> {
    let report = hybridsync_dns::check(domain, expected, options)
        .await
        .map_err(|e| ErrorPayload::new("invalid_input", e.to_string(), Some("input.fix-value")))?;
    let rows = report
        .table
        .rows
        .iter()
        .map(|r| ServerView {
            role: match r.role {
                ServerRole::Authoritative => "authoritative".into(),
                ServerRole::Resolver => "resolver".into(),
            },
            server: r.server_name.clone(),
            address: r.address.map(|a| a.to_string()),
            has_value: r.values.iter().any(|v| v == expected),
            values: r.values.clone(),
            ttl: r.ttl,
            answer_code: r.answer_code.clone(),
        })
        .collect();
    Ok(DnsView {
        zone: report.table.zone.as_ref().map(|z| z.name.clone()),
        expected: report.expected.clone(),
        rows,
        ready: report.ready,
        findings: report.findings.iter().map(dns_finding).collect(),
    })
}

fn instruction(record: &DnsRecord, zone: Option<&str>) -> Option<TxtInstruction> {
    let value = record.text.clone()?;
    let name = record.label.trim_end_matches('.').to_ascii_lowercase();
    let host = match zone {
        Some(z) if z == name => "@".to_string(),
        Some(z) => name.strip_suffix(&format!(".{z}")).unwrap_or(&name).to_string(),
        None => "@".to_string(),
    };
    let hints = vec![
        format!("In your DNS host's panel for {}, add a TXT record. Host or name: {host} (some panels want the full name {name}, some leave it empty for the apex).", zone.unwrap_or(&name)),
        format!("Value: {value}, exactly, without quotes (the panel adds any quotes it needs)."),
        format!("TTL: {} seconds (1 hour), or the lowest the panel offers.", record.ttl),
        "Do not replace other TXT records (SPF and others stay); add this one next to them.".to_string(),
    ];
    Some(TxtInstruction { name, host, zone: zone.map(str::to_string), value, ttl: record.ttl, hints })
}

fn parent_verified<'a>(all: &'a [Domain], domain: &str) -> Option<&'a Domain> {
    all.iter().filter(|d| d.is_verified && domain.ends_with(&format!(".{}", d.id))).max_by_key(|d| d.id.len())
}

/// The MX / Autodiscover guard: warnings when mail already points at Exchange Online.
async fn mail_guard(domain: &str, options: &CheckOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    match mail_routing(domain, options.authority.resolver, &options.authority.query).await {
        Ok(r) => {
            if let Some(mx) = r.mx.iter().find(|h| h.ends_with(".mail.protection.outlook.com")) {
                out.push(
                    Finding::new("mx_points_to_exchange_online", Severity::Warning, format!("{domain}'s MX already points at Exchange Online Protection ({mx}). During the Dynamics hybrid setup mail should still reach the on-premises servers; check this was intended."))
                        .evidence(format!("MX: {}", r.mx.join(", ")))
                        .remediation("domains.mail-guard"),
                );
            }
            if let Some(c) = r.autodiscover_cname.as_deref().filter(|c| *c == "autodiscover.outlook.com") {
                out.push(
                    Finding::new("autodiscover_points_to_office365", Severity::Warning, format!("autodiscover.{domain} already points at Office 365 ({c}). Outlook and Dynamics would look for mailboxes in Exchange Online before the hybrid is in place."))
                        .evidence(format!("CNAME autodiscover.{domain} → {c}"))
                        .remediation("domains.mail-guard"),
                );
            }
        }
        Err(e) => tracing::info!(domain, error = %e, "MX/Autodiscover lookup failed; no guard warning"),
    }
    out
}

/// The domains of the tenant.
pub async fn list(graph: &Graph) -> Result<Vec<Domain>, ErrorPayload> {
    Ok(domains::list(graph).await?)
}

/// Where the domain stands: in the tenant or not, verified or not, its TXT record and the DNS
/// check on every authoritative server, and the mail guard. Changes nothing.
pub async fn status(graph: &Graph, req: &DomainRequest) -> Result<DomainStatus, ErrorPayload> {
    let domain = domains::normalize_domain(&req.domain)?;
    let options = dns_options(req.nameserver.as_deref())?;
    let tenant = domains::get(graph, &domain).await?;
    let mut out = DomainStatus {
        domain: domain.clone(),
        tenant: tenant.clone(),
        verified_through: None,
        txt: None,
        dns: None,
        service_records: Vec::new(),
        guard_reason: MAIL_GUARD_REASON.to_string(),
        findings: Vec::new(),
    };
    let Some(d) = tenant else {
        let all = domains::list(graph).await?;
        if let Some(p) = parent_verified(&all, &domain) {
            out.verified_through = Some(p.id.clone());
            out.findings.push(Finding::new("domain_subdomain_of_verified", Severity::Info, format!("{domain} is a subdomain of {}, which is verified: once added it is verified at once, with no TXT record to publish.", p.id)));
        } else {
            out.findings.push(Finding::new("domain_not_added", Severity::Info, format!("{domain} is not in the tenant yet: add it to get its verification TXT record.")));
        }
        return Ok(out);
    };
    if d.is_verified {
        let all = domains::list(graph).await?;
        out.verified_through = parent_verified(&all, &domain).map(|p| p.id.clone());
        out.findings.push(Finding::new("domain_verified", Severity::Info, format!("{domain} is verified in the tenant.")));
    } else {
        let records = domains::verification_records(graph, &domain).await?;
        let Some(txt) = txt_of(&records) else {
            return Err(ErrorPayload::new("malformed_response", format!("Graph listed no TXT verification record for {domain}"), Some("network.http-status")));
        };
        let expected = txt.text.clone().unwrap_or_default();
        let dns = check_dns(&domain, &expected, &options).await?;
        out.txt = instruction(txt, dns.zone.as_deref());
        out.findings.extend(dns.findings.iter().cloned());
        out.dns = Some(dns);
    }
    out.service_records = domains::service_records(graph, &domain).await?;
    out.findings.extend(mail_guard(&domain, &options).await);
    Ok(out)
}

/// Adds the domain to the tenant when it is not there yet (idempotent). Refuses, naming the role,
/// before any change when the user lacks it.
pub async fn add(graph: &Graph, user: &SignedInUser, req: &DomainRequest) -> Result<DomainStatus, ErrorPayload> {
    let domain = domains::normalize_domain(&req.domain)?;
    require_role(user, &RoleRequirement::DOMAINS)?;
    if domains::get(graph, &domain).await?.is_none() {
        domains::add(graph, &domain).await?;
    }
    status(graph, req).await
}

/// Calls Graph `verify` if, and only if, every authoritative server returns the value now.
/// An already verified domain is left alone. Graph's refusal is returned with its message.
pub async fn verify(graph: &Graph, user: &SignedInUser, req: &DomainRequest) -> Result<DomainStatus, ErrorPayload> {
    require_role(user, &RoleRequirement::DOMAINS)?;
    let seen = status(graph, req).await?;
    verify_seen(graph, req, seen).await
}

async fn verify_seen(graph: &Graph, req: &DomainRequest, seen: DomainStatus) -> Result<DomainStatus, ErrorPayload> {
    if seen.tenant.is_none() {
        return Err(ErrorPayload::new("not_found", format!("{} is not in the tenant: add it first (hybridsync domain add {}).", seen.domain, seen.domain), Some("domains.add-first")));
    }
    if seen.verified() {
        return Ok(seen);
    }
    let ready = seen.dns.as_ref().is_some_and(|d| d.ready);
    if !ready {
        let why = seen.findings.iter().find(|f| f.severity >= Severity::Warning).map(|f| f.message.clone()).unwrap_or_else(|| "not every authoritative name server returns the TXT value yet".into());
        return Err(ErrorPayload::new("dns_not_ready", format!("{} was not sent for verification: {why}", seen.domain), Some("domains.dns-not-ready")));
    }
    domains::verify(graph, &seen.domain).await?;
    status(graph, req).await
}

/// How [`wait_and_verify`] polls.
#[derive(Debug, Clone)]
pub struct Polling {
    pub interval: Duration,
    pub backoff: Backoff,
}

impl Default for Polling {
    fn default() -> Self {
        Polling { interval: Duration::from_secs(10), backoff: Backoff::exponential(1.5, Duration::from_secs(60)).with_give_up_after(Duration::from_secs(30 * 60)) }
    }
}

/// Re-checks DNS with backoff until every authoritative server returns the value, reporting each
/// check through `on_check`, then calls `verify` once. Cancel stops the wait.
pub async fn wait_and_verify(
    graph: &Graph,
    user: &SignedInUser,
    req: &DomainRequest,
    ctx: &StepContext,
    polling: &Polling,
    on_check: impl Fn(&DomainStatus) + Send + Sync,
) -> Result<DomainStatus, ErrorPayload> {
    require_role(user, &RoleRequirement::DOMAINS)?;
    let first = status(graph, req).await?;
    if first.tenant.is_none() || first.verified() {
        return verify_seen(graph, req, first).await;
    }
    let on_check = &on_check;
    let outcome = hybridsync_dns::poll_until_ready(
        |n| async move {
            let s = status(graph, req).await;
            if let Ok(s) = &s {
                ctx.events.progress(STEP_ID, n, n + 1, format!("DNS check {n}: {}", if s.dns.as_ref().is_some_and(|d| d.ready) { "every name server has the record" } else { "waiting for every name server" }));
                on_check(s);
            }
            s.map(Ready)
        },
        polling.interval,
        &polling.backoff,
        &ctx.cancel,
    )
    .await;
    match (outcome.status, outcome.last) {
        (PollStatus::Ready, Some(Ok(Ready(seen)))) => verify_seen(graph, req, seen).await,
        (PollStatus::Cancelled, _) => Err(ErrorPayload::cancelled()),
        (_, Some(Err(e))) => Err(e),
        (_, last) => {
            let why = last.and_then(|r| r.ok()).and_then(|Ready(s)| s.findings.into_iter().find(|f| f.severity >= Severity::Warning)).map(|f| f.message).unwrap_or_default();
            Err(ErrorPayload::new("dns_not_ready", format!("gave up waiting for the TXT record after {} checks: {why}", outcome.polls), Some("domains.dns-not-ready")))
        }
    }
}

struct Ready(DomainStatus);

impl hybridsync_dns::Readiness for Ready {
    fn is_ready(&self) -> bool {
        self.0.verified() || self.0.dns.as_ref().is_some_and(|d| d.ready)
    }
}

/// The Domains step in the engine: check = [`status`]; plan = add the domain when absent, verify
/// when every authoritative server has the record; apply each, idempotently.
pub struct DomainStep {
    pub graph: Arc<Graph>,
    pub user: SignedInUser,
    pub request: DomainRequest,
}

fn target(domain: &str) -> String {
    format!("graph:domains/{domain}")
}

#[async_trait]
impl Step for DomainStep {
    fn id(&self) -> &'static str {
        STEP_ID
    }

    async fn check(&self, _ctx: &StepContext) -> Result<CheckReport, ErrorPayload> {
        let s = status(&self.graph, &self.request).await?;
        Ok(CheckReport { findings: s.findings.clone(), facts: serde_json::to_value(&s).map_err(|e| ErrorPayload::internal(e.to_string()))? })
    }

    async fn plan(&self, _ctx: &StepContext, seen: &CheckReport) -> Result<Vec<Change>, ErrorPayload> {
        let s: DomainStatus = serde_json::from_value(seen.facts.clone()).map_err(|e| ErrorPayload::internal(e.to_string()))?;
        let mut changes = Vec::new();
        if s.tenant.is_none() {
            changes.push(Change { target: target(&s.domain), field: "id".into(), before: None, after: Some(json!(s.domain)) });
        }
        let ready = s.dns.as_ref().is_some_and(|d| d.ready);
        if s.tenant.as_ref().is_some_and(|d| !d.is_verified) && ready {
            changes.push(Change { target: target(&s.domain), field: "isVerified".into(), before: Some(json!(false)), after: Some(json!(true)) });
        }
        if !changes.is_empty() {
            require_role(&self.user, &RoleRequirement::DOMAINS)?;
        }
        Ok(changes)
    }

    async fn apply(&self, _ctx: &StepContext, change: &Change) -> Result<(), ErrorPayload> {
        match change.field.as_str() {
            "id" => add(&self.graph, &self.user, &self.request).await.map(|_| ()),
            "isVerified" => verify(&self.graph, &self.user, &self.request).await.map(|_| ()),
            other => Err(ErrorPayload::internal(format!("the Domains step cannot apply a change to {other}"))),
        }
    }
}
