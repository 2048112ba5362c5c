//! `hybridsync domain add|status|verify DOMAIN [--nameserver IP:PORT] [--json]`: the Domains step
//! with the saved sign-in (OS keychain). `verify` calls Graph only once every authoritative name
//! server returns the TXT value; `--wait` re-checks with backoff until then.
use std::time::Duration;

use clap::{Args, Subcommand};
use hybridsync_core::keychain::Keychain;
use hybridsync_core::steps::domain::{self, DomainRequest, DomainStatus, Polling};
use hybridsync_core::steps::signin;
use hybridsync_core::{ErrorPayload, Severity, StepContext};
use hybridsync_dns::Backoff;
use hybridsync_microsoft::domains::DOMAIN_SCOPES;

use crate::{exit, progress};

#[derive(Subcommand)]
pub enum DomainCommand {
    /// Add the domain to the tenant (if absent) and show its verification TXT record.
    Add(DomainArgs),
    /// Show the domain's state in the tenant, its TXT record and what every name server returns.
    Status(DomainArgs),
    /// Verify the domain, once every authoritative name server returns the TXT value.
    Verify(VerifyArgs),
}

#[derive(Args)]
pub struct DomainArgs {
    /// The domain (contoso.com).
    pub domain: String,
    /// Ask this DNS server (IP:PORT) instead of the system resolver; name servers are then reached on its port.
    #[arg(long, value_name = "IP:PORT")]
    pub nameserver: Option<String>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub common: DomainArgs,
    /// Re-check DNS with backoff until every name server has the record, then verify.
    #[arg(long)]
    pub wait: bool,
    /// Seconds between the first checks when waiting (the wait grows up to one minute).
    #[arg(long, default_value_t = 10)]
    pub interval: u64,
    /// Give up waiting after this many minutes.
    #[arg(long, default_value_t = 30)]
    pub give_up_after: u64,
}

fn request(a: &DomainArgs) -> DomainRequest {
    DomainRequest {
        domain: a.domain.clone(),
        nameserver: a.nameserver.clone(),
    }
}

pub async fn run(cmd: DomainCommand) -> Result<u8, ErrorPayload> {
    // Bad input is refused before the keychain or the network is touched.
    let args = match &cmd {
        DomainCommand::Add(a) | DomainCommand::Status(a) => a,
        DomainCommand::Verify(v) => &v.common,
    };
    hybridsync_microsoft::domains::normalize_domain(&args.domain)?;
    domain::dns_options(args.nameserver.as_deref())?;
    let (_saved, graph) = signin::resume(&Keychain::default(), DOMAIN_SCOPES).await?;
    let (sink, bar) = progress::sink(args.json);
    let ctx = StepContext::new(sink);
    let cancel = ctx.cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.cancel();
        }
    });
    let result = match &cmd {
        DomainCommand::Status(a) => domain::status(&graph, &request(a)).await,
        DomainCommand::Add(a) => {
            let me = graph.signed_in_user().await?;
            domain::add(&graph, &me, &request(a)).await
        }
        DomainCommand::Verify(v) => {
            let me = graph.signed_in_user().await?;
            if v.wait {
                let polling = Polling {
                    interval: Duration::from_secs(v.interval.max(1)),
                    backoff: Backoff::exponential(1.5, Duration::from_secs(60))
                        .with_give_up_after(Duration::from_secs(v.give_up_after.max(1) * 60)),
                };
                let json = v.common.json;
                domain::wait_and_verify(
                    &graph,
                    &me,
                    &request(&v.common),
                    &ctx,
                    &polling,
                    move |s| {
                        if !json {
                            if let Some(d) = &s.dns {
                                let have = d
                                    .rows
                                    .iter()
                                    .filter(|r| r.role == "authoritative" && r.has_value)
                                    .count();
                                let all =
                                    d.rows.iter().filter(|r| r.role == "authoritative").count();
                                eprintln!("{have} of {all} name servers return the value");
                            }
                        }
                    },
                )
                .await
            } else {
                domain::verify(&graph, &me, &request(&v.common)).await
            }
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let status = result?;
    if args.json {
        super::print_json(&status)?;
    } else {
        print_status(&status);
    }
    Ok(exit::OK)
}

fn print_status(s: &DomainStatus) {
    let state = match &s.tenant {
        None => "not in the tenant".to_string(),
        Some(d) if d.is_verified => "verified".to_string(),
        Some(_) => "added, not verified".to_string(),
    };
    println!("Domain         {}", s.domain);
    println!("State          {state}");
    if let Some(p) = &s.verified_through {
        println!("Verified through {p} (a subdomain of a verified domain needs no TXT record)");
    }
    if let Some(t) = &s.txt {
        println!();
        println!("Publish this TXT record:");
        println!("  Host   {}   (full name {})", t.host, t.name);
        println!("  Value  {}", t.value);
        println!("  TTL    {}", t.ttl);
        for h in &t.hints {
            println!("  - {h}");
        }
    }
    if let Some(d) = &s.dns {
        println!();
        println!(
            "{:<14} {:<24} {:<9} {:>6}  value seen",
            "server", "address", "answer", "ttl"
        );
        for r in &d.rows {
            let name = if r.role == "resolver" {
                format!("({})", r.server)
            } else {
                r.server.clone()
            };
            println!(
                "{:<14} {:<24} {:<9} {:>6}  {}",
                name,
                r.address.as_deref().unwrap_or("-"),
                r.answer_code,
                r.ttl.map(|t| t.to_string()).unwrap_or_else(|| "-".into()),
                if r.values.is_empty() {
                    "-".to_string()
                } else {
                    r.values.join(" | ")
                }
            );
        }
        println!(
            "Ready to verify: {}",
            if d.ready {
                "yes, every authoritative server returns the value"
            } else {
                "no"
            }
        );
    }
    for f in s
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info || f.code.starts_with("domain_"))
    {
        println!("{:?}: {}", f.severity, f.message);
    }
    if !s.service_records.is_empty() {
        println!();
        println!(
            "Microsoft's service records (information only): {}",
            s.guard_reason
        );
        for r in &s.service_records {
            let target = r
                .mail_exchange
                .as_deref()
                .or(r.text.as_deref())
                .or(r.canonical_name.as_deref())
                .unwrap_or("");
            println!("  {:<6} {:<40} {target}", r.record_type, r.label);
        }
    }
}
