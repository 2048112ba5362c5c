//! The Domains step's DNS side: where questions go, the verification record on every
//! authoritative name server (crates/dns), the hints for DNS panels, and the MX/Autodiscover guard.
use std::net::SocketAddr;
use std::time::Duration;

use hybridsync_dns::mail::mail_routing;
use hybridsync_dns::{AuthorityOptions, CheckOptions, QueryOptions, ServerRole, DNS_PORT};
use hybridsync_microsoft::domains::{DnsRecord, Domain};

use super::view::{DnsView, ServerView, TxtInstruction};
use crate::{ErrorPayload, Finding, Severity};

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
    authority.query = QueryOptions {
        timeout: Duration::from_millis(1200),
        attempts: 2,
        recursion_desired: true,
    };
    Ok(CheckOptions {
        authority,
        extra_labels: Vec::new(),
    })
}

fn dns_finding(f: &hybridsync_dns::Finding) -> Finding {
    let severity = match f.severity {
        hybridsync_dns::Severity::Ok | hybridsync_dns::Severity::Info => Severity::Info,
        hybridsync_dns::Severity::Warning => Severity::Warning,
        hybridsync_dns::Severity::Error => Severity::Error,
    };
    let mut out = Finding::new(f.code.as_str(), severity, f.message.clone())
        .remediation(&format!("dns.{}", f.code.as_str()));
    out.evidence = f.evidence.clone();
    out
}

/// Checks the verification value on every authoritative server and the resolver.
pub async fn check_dns(
    domain: &str,
    expected: &str,
    options: &CheckOptions,
) -> Result<DnsView, ErrorPayload> {
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

pub(super) fn instruction(record: &DnsRecord, zone: Option<&str>) -> Option<TxtInstruction> {
    let value = record.text.clone()?;
    let name = record.label.trim_end_matches('.').to_ascii_lowercase();
    let host = match zone {
        Some(z) if z == name => "@".to_string(),
        Some(z) => name
            .strip_suffix(&format!(".{z}"))
            .unwrap_or(&name)
            .to_string(),
        None => "@".to_string(),
    };
    let hints = vec![
        format!("In your DNS host's panel for {}, add a TXT record. Host or name: {host} (some panels want the full name {name}, some leave it empty for the apex).", zone.unwrap_or(&name)),
        format!("Value: {value}, exactly, without quotes (the panel adds any quotes it needs)."),
        format!("TTL: {} seconds (1 hour), or the lowest the panel offers.", record.ttl),
        "Do not replace other TXT records (SPF and others stay); add this one next to them.".to_string(),
    ];
    Some(TxtInstruction {
        name,
        host,
        zone: zone.map(str::to_string),
        value,
        ttl: record.ttl,
        hints,
    })
}

pub(super) fn parent_verified<'a>(all: &'a [Domain], domain: &str) -> Option<&'a Domain> {
    all.iter()
        .filter(|d| d.is_verified && domain.ends_with(&format!(".{}", d.id)))
        .max_by_key(|d| d.id.len())
}

/// The MX / Autodiscover guard: warnings when mail already points at Exchange Online.
pub(super) async fn mail_guard(domain: &str, options: &CheckOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    match mail_routing(domain, options.authority.resolver, &options.authority.query).await {
        Ok(r) => {
            if let Some(mx) =
                r.mx.iter()
                    .find(|h| h.ends_with(".mail.protection.outlook.com"))
            {
                out.push(
                    Finding::new("mx_points_to_exchange_online", Severity::Warning, format!("{domain}'s MX already points at Exchange Online Protection ({mx}). During the Dynamics hybrid setup mail should still reach the on-premises servers; check this was intended."))
                        .evidence(format!("MX: {}", r.mx.join(", ")))
                        .remediation("domains.mail-guard"),
                );
            }
            if let Some(c) = r
                .autodiscover_cname
                .as_deref()
                .filter(|c| *c == "autodiscover.outlook.com")
            {
                out.push(
                    Finding::new("autodiscover_points_to_office365", Severity::Warning, format!("autodiscover.{domain} already points at Office 365 ({c}). Outlook and Dynamics would look for mailboxes in Exchange Online before the hybrid is in place."))
                        .evidence(format!("CNAME autodiscover.{domain} → {c}"))
                        .remediation("domains.mail-guard"),
                );
            }
        }
        Err(e) => {
            tracing::info!(domain, error = %e, "MX/Autodiscover lookup failed; no guard warning")
        }
    }
    out
}
