//! `hybridsync tenant discover DOMAIN`: the Tenant step.
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use hybridsync_core::steps::tenant::{discover_tenant, DiscoverRequest};
use hybridsync_core::{ErrorPayload, Severity, StepContext};

use crate::{exit, progress};

#[derive(Subcommand)]
pub enum TenantCommand {
    /// Find the tenant ID of a domain (or check a tenant ID) from the OpenID configuration document.
    Discover(DiscoverArgs),
}

#[derive(Args)]
pub struct DiscoverArgs {
    /// A domain of the organisation (contoso.com), a user name (admin@contoso.com) or a tenant ID.
    pub domain: String,
    /// The cloud: worldwide, usgov, china, or an https URL (a practice tenant, a proxy).
    #[arg(long, default_value = "worldwide")]
    pub authority: String,
    /// A PEM file of CA certificates to trust besides the system's (networks that inspect TLS).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Seconds to wait for an answer.
    #[arg(long, default_value_t = 20)]
    pub timeout: u64,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(cmd: TenantCommand) -> Result<u8, ErrorPayload> {
    match cmd {
        TenantCommand::Discover(a) => discover(a).await,
    }
}

async fn discover(a: DiscoverArgs) -> Result<u8, ErrorPayload> {
    let req = DiscoverRequest {
        input: a.domain,
        authority: a.authority,
        ca_file: a.ca_file.map(|p| p.display().to_string()),
    };
    let (sink, bar) = progress::sink(a.json);
    let ctx = StepContext::new(sink);
    let cancel = ctx.cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.cancel();
        }
    });
    let result = discover_tenant(&req, &ctx, Duration::from_secs(a.timeout.max(1))).await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let report = result?;
    if a.json {
        super::print_json(&report)?;
    } else {
        println!("Tenant ID      {}", report.tenant_id);
        println!("Domain         {}", report.input);
        println!("Authority      {}", report.authority);
        println!(
            "Region scope   {}",
            report
                .tenant_region_scope
                .as_deref()
                .unwrap_or("(not given)")
        );
        println!(
            "Cloud instance {}",
            report
                .cloud_instance_name
                .as_deref()
                .unwrap_or("(not given)")
        );
        println!(
            "Graph host     {}",
            report.msgraph_host.as_deref().unwrap_or("(not given)")
        );
        for f in report
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
        {
            println!("{:?}: {}", f.severity, f.message);
        }
    }
    Ok(exit::OK)
}
