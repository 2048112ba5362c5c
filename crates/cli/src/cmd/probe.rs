//! `hybridsync probe [--domain D] [--autodiscover-host HOST[:PORT]] [--ews-url URL]
//! [--smtp HOST[:PORT]] [--nameserver IP:PORT] [--ca FILE] [--json]`: the
//! connectivity checks of a hybrid as a pass/fail tree (like Remote
//! Connectivity Analyzer). Exit 0 when nothing failed, 1 when something did.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use hybridsync_core::ErrorPayload;
use hybridsync_probes::{run as run_probes, ProbeNode, ProbeOptions, Status, OUTBOUND_ENDPOINTS};

use crate::exit;

#[derive(Args)]
pub struct ProbeArgs {
    /// Mail domain whose Autodiscover DNS records are checked (and autodiscover.DOMAIN probed over HTTPS).
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// Autodiscover host to probe over HTTPS, HOST or HOST:PORT (default autodiscover.DOMAIN).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub autodiscover_host: Option<String>,
    /// EWS URL to probe, e.g. https://mail.contoso.com/EWS/Exchange.asmx.
    #[arg(long, value_name = "URL")]
    pub ews_url: Option<String>,
    /// SMTP server to probe, HOST or HOST:PORT (port 25 by default).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub smtp: Option<String>,
    /// DNS server for the Autodiscover DNS checks (default: the system's).
    #[arg(long, value_name = "IP:PORT")]
    pub nameserver: Option<SocketAddr>,
    /// Outbound HTTPS endpoint to check (repeatable; default: the Microsoft endpoints the plan uses).
    #[arg(long, value_name = "URL")]
    pub outbound: Vec<String>,
    /// Skip the outbound HTTPS checks.
    #[arg(long, conflicts_with = "outbound")]
    pub no_outbound: bool,
    /// A PEM file of CA certificates to trust besides the system's (a private CA; verification is never off).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Seconds allowed for each connection and each exchange.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
    /// Print the tree as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(a: ProbeArgs) -> Result<u8, ErrorPayload> {
    if a.timeout == 0 {
        return Err(ErrorPayload::new(
            "invalid_input",
            "--timeout must be at least 1 second",
            None,
        ));
    }
    let outbound = if a.no_outbound {
        Vec::new()
    } else if a.outbound.is_empty() {
        OUTBOUND_ENDPOINTS.iter().map(|s| s.to_string()).collect()
    } else {
        a.outbound.clone()
    };
    let opts = ProbeOptions {
        domain: a.domain.clone(),
        autodiscover_host: a.autodiscover_host.clone(),
        ews_url: a.ews_url.clone(),
        smtp: a.smtp.clone(),
        nameserver: a.nameserver,
        outbound,
        ca_file: a.ca.clone(),
        timeout: Duration::from_secs(a.timeout),
    };
    let root = run_probes(&opts)
        .await
        .map_err(|e| ErrorPayload::new("invalid_input", e.0, None))?;
    if a.json {
        super::print_json(&root)?;
    } else {
        print_tree(&root, 0);
    }
    Ok(if root.status == Status::Fail {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
        Status::Skip => "skip",
    }
}

fn print_tree(n: &ProbeNode, depth: usize) {
    let pad = "  ".repeat(depth);
    println!("{pad}[{}] {}", mark(n.status), n.title);
    if (n.children.is_empty() || n.status != Status::Pass)
        && !n.detail.is_empty()
        && (n.children.is_empty() || depth == 0)
    {
        println!("{pad}       {}", n.detail);
    }
    if n.children.is_empty() {
        if let Some(r) = &n.remediation {
            println!("{pad}       fix ({}): {r}", n.code);
        }
    }
    for c in &n.children {
        print_tree(c, depth + 1);
    }
}
