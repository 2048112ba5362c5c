//! Connectivity probes for a hybrid, shown as a pass/fail tree like
//! Microsoft Remote Connectivity Analyzer's:
//!
//! - Autodiscover DNS: `autodiscover.DOMAIN` (A / CNAME) and the SRV record
//!   ([`autodiscover_dns`]);
//! - HTTPS to `/autodiscover/autodiscover.svc` and `/ews/exchange.asmx`,
//!   expecting 401 with an authentication challenge ([`https`]);
//! - each TLS certificate: chain, expiry, and whether it covers the name,
//!   inspected even when verification fails and never trusted then ([`tls`]);
//! - SMTP: banner, EHLO, STARTTLS and its certificate, and the asterisk
//!   banner of a firewall's SMTP fixup ([`smtp`]);
//! - outbound HTTPS to the Microsoft endpoints the plan uses.
//!
//! Every host and port is configurable; nothing is sent anywhere not named
//! in [`ProbeOptions`].

pub mod autodiscover_dns;
pub mod https;
pub mod smtp;
pub mod tls;
pub mod tree;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use hybridsync_dns::QueryOptions;

pub use tls::Trust;
pub use tree::{ProbeNode, Status};

/// The Microsoft endpoints the plan talks to: sign-in (ms-api.md §2.1) and
/// Microsoft Graph (ms-api.md §3).
pub const OUTBOUND_ENDPOINTS: &[&str] = &[
    "https://login.microsoftonline.com/",
    "https://graph.microsoft.com/",
];

/// Default SMTP port.
pub const SMTP_PORT: u16 = 25;

/// What to probe.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// The mail domain whose Autodiscover DNS records are checked.
    pub domain: Option<String>,
    /// `HOST[:PORT]` of Autodiscover (default `autodiscover.DOMAIN`).
    pub autodiscover_host: Option<String>,
    /// The EWS URL (`https://mail.contoso.com/EWS/Exchange.asmx`).
    pub ews_url: Option<String>,
    /// SMTP `HOST:PORT` (port 25 when omitted).
    pub smtp: Option<String>,
    /// Name server for the DNS checks (system resolver when `None`).
    pub nameserver: Option<SocketAddr>,
    /// Outbound HTTPS endpoints ([`OUTBOUND_ENDPOINTS`] by default).
    pub outbound: Vec<String>,
    /// PEM CA file trusted besides the platform roots.
    pub ca_file: Option<PathBuf>,
    /// Time allowed for each connection and each exchange.
    pub timeout: Duration,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            domain: None,
            autodiscover_host: None,
            ews_url: None,
            smtp: None,
            nameserver: None,
            outbound: OUTBOUND_ENDPOINTS.iter().map(|s| s.to_string()).collect(),
            ca_file: None,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Bad options, with what to give instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError(pub String);

impl std::fmt::Display for OptionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for OptionError {}

/// Split `HOST[:PORT]` (IPv6 in brackets).
pub fn host_port(s: &str, default_port: u16) -> Result<(String, u16), OptionError> {
    let s = s.trim();
    let bad = || OptionError(format!("{s:?} is not HOST or HOST:PORT"));
    if s.is_empty() || s.contains('/') {
        return Err(bad());
    }
    if let Some(rest) = s.strip_prefix('[') {
        let (h, tail) = rest.split_once(']').ok_or_else(bad)?;
        let port = match tail.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad())?,
            None if tail.is_empty() => default_port,
            None => return Err(bad()),
        };
        return Ok((h.to_string(), port));
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Ok((h.to_string(), p.parse().map_err(|_| bad())?)),
        Some(_) => Ok((s.to_string(), default_port)),
        None => Ok((s.to_string(), default_port)),
    }
}

/// Run every configured probe; the root's status is the worst found.
pub async fn run(opts: &ProbeOptions) -> Result<ProbeNode, OptionError> {
    let trust = Trust::new(opts.ca_file.as_deref()).map_err(OptionError)?;
    let q = QueryOptions {
        timeout: opts.timeout.min(Duration::from_secs(3)),
        ..QueryOptions::default()
    };
    let mut children = Vec::new();
    if let Some(domain) = &opts.domain {
        children.push(autodiscover_dns::probe(domain, opts.nameserver, &q).await);
    }
    let ad_host = match (&opts.autodiscover_host, &opts.domain) {
        (Some(h), _) => Some(h.clone()),
        (None, Some(d)) => Some(format!("autodiscover.{d}")),
        (None, None) => None,
    };
    if let Some(h) = ad_host {
        let (host, port) = host_port(&h, 443)?;
        let target = https::Target {
            host,
            port,
            path: "/autodiscover/autodiscover.svc".into(),
        };
        children.push(
            https::probe(
                "Autodiscover over HTTPS",
                &target,
                https::Expect::Challenge,
                &trust,
                opts.timeout,
            )
            .await,
        );
    }
    if let Some(url) = &opts.ews_url {
        let target = https::Target::parse(url).map_err(OptionError)?;
        children.push(
            https::probe(
                "EWS over HTTPS",
                &target,
                https::Expect::Challenge,
                &trust,
                opts.timeout,
            )
            .await,
        );
    }
    if let Some(s) = &opts.smtp {
        let (host, port) = host_port(s, SMTP_PORT)?;
        children.push(smtp::probe(&host, port, &trust, opts.timeout).await);
    }
    if !opts.outbound.is_empty() {
        let mut out = Vec::new();
        for url in &opts.outbound {
            let target = https::Target::parse(url).map_err(OptionError)?;
            out.push(
                https::probe(
                    &format!("Outbound HTTPS to {}", target.host),
                    &target,
                    https::Expect::AnyAnswer,
                    &trust,
                    opts.timeout,
                )
                .await,
            );
        }
        children.push(ProbeNode::group(
            "Outbound HTTPS to Microsoft endpoints",
            "outbound_ok",
            out,
        ));
    }
    Ok(ProbeNode::group(
        "Hybrid connectivity",
        "connectivity_ok",
        children,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(
            host_port("mail.contoso.com", 25).unwrap(),
            ("mail.contoso.com".into(), 25)
        );
        assert_eq!(
            host_port("mail.contoso.com:2525", 25).unwrap(),
            ("mail.contoso.com".into(), 2525)
        );
        assert_eq!(host_port("[::1]:2525", 25).unwrap(), ("::1".into(), 2525));
        assert_eq!(host_port("::1", 25).unwrap(), ("::1".into(), 25));
        assert!(host_port("mail:notaport", 25).is_err());
        assert!(host_port("https://mail", 25).is_err());
        assert!(host_port("", 25).is_err());
    }
}

/// The probes as the desktop app asks for them (empty strings mean "not
/// given"; `outbound` empty means the default Microsoft endpoints).
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ProbeRequest {
    pub domain: String,
    pub autodiscover_host: String,
    pub ews_url: String,
    pub smtp: String,
    /// `IP:PORT` of the DNS server for the Autodiscover DNS checks.
    pub nameserver: String,
    pub outbound: Vec<String>,
    pub ca_file: String,
}

impl ProbeRequest {
    /// The options, or what is wrong with the request.
    pub fn options(&self) -> Result<ProbeOptions, OptionError> {
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let nameserver = match some(&self.nameserver) {
            Some(n) => Some(n.parse::<SocketAddr>().map_err(|_| {
                OptionError(format!(
                    "{n:?} is not a name server address; give IP:PORT, e.g. 10.0.0.2:53"
                ))
            })?),
            None => None,
        };
        let outbound: Vec<String> = self.outbound.iter().filter_map(|s| some(s)).collect();
        Ok(ProbeOptions {
            domain: some(&self.domain),
            autodiscover_host: some(&self.autodiscover_host),
            ews_url: some(&self.ews_url),
            smtp: some(&self.smtp),
            nameserver,
            outbound: if outbound.is_empty() {
                OUTBOUND_ENDPOINTS.iter().map(|s| s.to_string()).collect()
            } else {
                outbound
            },
            ca_file: some(&self.ca_file).map(PathBuf::from),
            timeout: Duration::from_secs(10),
        })
    }
}

#[cfg(test)]
mod request_tests {
    use super::*;

    #[test]
    fn empty_fields_are_not_given_and_a_bad_nameserver_is_named() {
        let r = ProbeRequest {
            domain: " contoso.com ".into(),
            autodiscover_host: String::new(),
            ews_url: String::new(),
            smtp: "mail.contoso.com".into(),
            nameserver: String::new(),
            outbound: vec![String::new()],
            ca_file: String::new(),
        };
        let o = r.options().unwrap();
        assert_eq!(o.domain.as_deref(), Some("contoso.com"));
        assert_eq!(o.autodiscover_host, None);
        assert_eq!(o.outbound.len(), OUTBOUND_ENDPOINTS.len());
        let bad = ProbeRequest {
            nameserver: "dns.contoso.com".into(),
            ..r
        };
        assert!(bad.options().unwrap_err().0.contains("IP:PORT"));
    }
}
