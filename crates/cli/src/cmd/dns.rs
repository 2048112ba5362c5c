//! `hybridsync dns txt NAME [--nameserver IP:PORT] [--json]`: one TXT lookup, no cache.
//!
//! Contract: with `--json`, one JSON object on stdout whose `records` lists one
//! string per TXT record (a record's several strings concatenated). Exit 0 when
//! the name has TXT records; 3 for NXDOMAIN or no TXT record; 5 with a message on
//! stderr for a timeout, a refusal or an unreachable server (within `--timeout`).
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::{Args, Subcommand};
use hybridsync_core::ErrorPayload;
use hybridsync_dns::txt::{lookup, TxtAnswer};
use hybridsync_dns::{DnsError, TxtOutcome, DNS_PORT};
use serde::Serialize;

use crate::exit;

#[derive(Subcommand)]
pub enum DnsCommand {
    /// Look up the TXT records of a name, directly at a name server or at the system resolver, with no cache.
    Txt(TxtArgs),
}

#[derive(Args)]
pub struct TxtArgs {
    /// The name to look up (contoso.com; case and the trailing dot do not matter).
    pub name: String,
    /// Ask this server (IP:PORT, or IP for port 53) instead of the system resolver.
    #[arg(long, value_name = "IP:PORT", value_parser = parse_nameserver)]
    pub nameserver: Option<SocketAddr>,
    /// Seconds to wait in all (two attempts share it).
    #[arg(long, default_value_t = 4)]
    pub timeout: u64,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

fn parse_nameserver(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    s.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, DNS_PORT))
        .map_err(|_| format!("{s:?} is not IP:PORT (for example 127.0.0.1:5353 or [::1]:53)"))
}

/// The `--json` object.
#[derive(Serialize)]
struct TxtJson<'a> {
    name: &'a str,
    server: String,
    /// NOERROR or NXDOMAIN.
    answer_code: &'a str,
    authoritative: bool,
    /// One string per TXT record, its strings concatenated.
    records: Vec<String>,
    /// Each record's strings as published.
    strings: Vec<Vec<String>>,
    /// Lowest record TTL, or the negative-caching TTL.
    ttl: Option<u32>,
}

pub async fn run(cmd: DnsCommand) -> Result<u8, ErrorPayload> {
    match cmd {
        DnsCommand::Txt(a) => txt(a).await,
    }
}

fn payload(e: &DnsError) -> ErrorPayload {
    let code = match e {
        DnsError::InvalidName { .. } => "invalid_input",
        DnsError::Timeout { .. } => "timeout",
        DnsError::Refused { .. }
        | DnsError::ServFail { .. }
        | DnsError::Unreachable { .. }
        | DnsError::NoSystemResolver(_) => "network",
        DnsError::Rcode { .. } | DnsError::Malformed { .. } => "malformed_response",
    };
    ErrorPayload::new(code, e.to_string(), None)
}

async fn txt(a: TxtArgs) -> Result<u8, ErrorPayload> {
    let timeout = Duration::from_secs(a.timeout.clamp(1, 60));
    let answer = lookup(&a.name, a.nameserver, timeout)
        .await
        .map_err(|e| payload(&e))?;
    let found = answer.has_records();
    if a.json {
        super::print_json(&to_json(&answer))?;
    } else {
        print_human(&answer);
    }
    if found {
        Ok(exit::OK)
    } else {
        let why = if answer.is_nxdomain() {
            "the name does not exist (NXDOMAIN)"
        } else {
            "the name has no TXT record"
        };
        eprintln!("not found: {} at {}: {why}", answer.name, answer.server);
        Ok(exit::NOT_FOUND)
    }
}

fn to_json(answer: &TxtAnswer) -> TxtJson<'_> {
    let strings = match &answer.outcome {
        TxtOutcome::Records { records } => records.iter().map(|r| r.strings.clone()).collect(),
        _ => Vec::new(),
    };
    TxtJson {
        name: &answer.name,
        server: answer.server.to_string(),
        answer_code: &answer.answer_code,
        authoritative: answer.authoritative,
        records: answer.values(),
        strings,
        ttl: answer.ttl(),
    }
}

fn print_human(answer: &TxtAnswer) {
    let auth = if answer.authoritative {
        ", authoritative"
    } else {
        ""
    };
    println!(
        "{} TXT ({}{auth}, from {})",
        answer.name, answer.answer_code, answer.server
    );
    if let TxtOutcome::Records { records } = &answer.outcome {
        for r in records {
            println!("  {:?}  ttl {}s", r.value, r.ttl);
        }
    }
}
