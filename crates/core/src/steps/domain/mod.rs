//! Step "Domains" (issue 4): add the e-mail domain to the tenant, show its verification TXT
//! record, check it on every authoritative name server (crates/dns), and call Graph `verify`
//! only once every one of them returns the value. The MX and Autodiscover records Microsoft lists
//! are shown as information only: mail stays on-premises until the hybrid is in place.
mod dns;
mod step;
mod view;

use std::time::Duration;

use hybridsync_dns::{Backoff, PollStatus};
use hybridsync_microsoft::domains::{self, txt_of, Domain};
use hybridsync_microsoft::{require_role, Graph, RoleRequirement, SignedInUser};

use crate::{ErrorPayload, Finding, Severity, StepContext};
use dns::{instruction, mail_guard, parent_verified};

pub use dns::{check_dns, dns_options};
pub use step::DomainStep;
pub use view::{DnsView, DomainRequest, DomainStatus, ServerView, TxtInstruction};

pub const STEP_ID: &str = "domains";

/// The seed's reason for leaving MX and Autodiscover alone (ms-api.md §3.5, seed 000).
pub const MAIL_GUARD_REASON: &str = "Do not change MX or Autodiscover now: mail keeps flowing to the on-premises servers until the hybrid configuration is in place. These records are listed for later, as information only.";

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
            out.findings.push(Finding::new(
                "domain_not_added",
                Severity::Info,
                format!(
                    "{domain} is not in the tenant yet: add it to get its verification TXT record."
                ),
            ));
        }
        return Ok(out);
    };
    if d.is_verified {
        let all = domains::list(graph).await?;
        out.verified_through = parent_verified(&all, &domain).map(|p| p.id.clone());
        out.findings.push(Finding::new(
            "domain_verified",
            Severity::Info,
            format!("{domain} is verified in the tenant."),
        ));
    } else {
        let records = domains::verification_records(graph, &domain).await?;
        let Some(txt) = txt_of(&records) else {
            return Err(ErrorPayload::new(
                "malformed_response",
                format!("Graph listed no TXT verification record for {domain}"),
                Some("network.http-status"),
            ));
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
pub async fn add(
    graph: &Graph,
    user: &SignedInUser,
    req: &DomainRequest,
) -> Result<DomainStatus, ErrorPayload> {
    let domain = domains::normalize_domain(&req.domain)?;
    require_role(user, &RoleRequirement::DOMAINS)?;
    if domains::get(graph, &domain).await?.is_none() {
        domains::add(graph, &domain).await?;
    }
    status(graph, req).await
}

/// Calls Graph `verify` if, and only if, every authoritative server returns the value now.
/// An already verified domain is left alone. Graph's refusal is returned with its message.
pub async fn verify(
    graph: &Graph,
    user: &SignedInUser,
    req: &DomainRequest,
) -> Result<DomainStatus, ErrorPayload> {
    require_role(user, &RoleRequirement::DOMAINS)?;
    let seen = status(graph, req).await?;
    verify_seen(graph, req, seen).await
}

async fn verify_seen(
    graph: &Graph,
    req: &DomainRequest,
    seen: DomainStatus,
) -> Result<DomainStatus, ErrorPayload> {
    if seen.tenant.is_none() {
        return Err(ErrorPayload::new(
            "not_found",
            format!(
                "{} is not in the tenant: add it first (hybridsync domain add {}).",
                seen.domain, seen.domain
            ),
            Some("domains.add-first"),
        ));
    }
    if seen.verified() {
        return Ok(seen);
    }
    let ready = seen.dns.as_ref().is_some_and(|d| d.ready);
    if !ready {
        let why = seen
            .findings
            .iter()
            .find(|f| f.severity >= Severity::Warning)
            .map(|f| f.message.clone())
            .unwrap_or_else(|| {
                "not every authoritative name server returns the TXT value yet".into()
            });
        return Err(ErrorPayload::new(
            "dns_not_ready",
            format!("{} was not sent for verification: {why}", seen.domain),
            Some("domains.dns-not-ready"),
        ));
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
        Polling {
            interval: Duration::from_secs(10),
            backoff: Backoff::exponential(1.5, Duration::from_secs(60))
                .with_give_up_after(Duration::from_secs(30 * 60)),
        }
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
                ctx.events.progress(
                    STEP_ID,
                    n,
                    n + 1,
                    format!(
                        "DNS check {n}: {}",
                        if s.dns.as_ref().is_some_and(|d| d.ready) {
                            "every name server has the record"
                        } else {
                            "waiting for every name server"
                        }
                    ),
                );
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
            let why = last
                .and_then(|r| r.ok())
                .and_then(|Ready(s)| {
                    s.findings
                        .into_iter()
                        .find(|f| f.severity >= Severity::Warning)
                })
                .map(|f| f.message)
                .unwrap_or_default();
            Err(ErrorPayload::new(
                "dns_not_ready",
                format!(
                    "gave up waiting for the TXT record after {} checks: {why}",
                    outcome.polls
                ),
                Some("domains.dns-not-ready"),
            ))
        }
    }
}

struct Ready(DomainStatus);

impl hybridsync_dns::Readiness for Ready {
    fn is_ready(&self) -> bool {
        self.0.verified() || self.0.dns.as_ref().is_some_and(|d| d.ready)
    }
}
