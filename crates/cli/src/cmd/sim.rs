//! `hybridsync sim`: the practice tenant in the foreground.
use std::path::PathBuf;

use clap::Args;
use hybridsync_core::ErrorPayload;
use hybridsync_practice_tenant::{Options, Running};

use crate::exit;

#[derive(Args)]
pub struct SimArgs {
    /// Folder for the practice tenant's CA file (default: the data folder).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Print one JSON object with the URLs and the CA path.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(a: SimArgs) -> Result<u8, ErrorPayload> {
    let dir = a.dir.unwrap_or_else(|| hybridsync_core::paths::data_dir().join("practice"));
    let mut opts = Options::in_dir(&dir);
    opts.bind.set_port(a.port);
    let running = Running::start(opts)
        .await
        .map_err(|e| ErrorPayload::new("practice_start_failed", e.to_string(), Some("practice.start")))?;
    let tenants = running.sim.tenants();
    if a.json {
        super::print_json(&serde_json::json!({
            "authority": running.authority(),
            "graph": format!("{}/v1.0", running.base_url),
            "ca_file": running.ca_file,
            "dns": running.dns.resolver(),
            "tenants": tenants,
        }))?;
    } else {
        println!("Practice tenant running (Ctrl-C stops it)");
        println!("  Authority   {}", running.authority());
        println!("  Graph       {}/v1.0", running.base_url);
        println!("  CA file     {}", running.ca_file.display());
        println!("  DNS         {} (the practice domains' name servers; pass it as --nameserver)", running.dns.resolver());
        for t in &tenants {
            println!("  Tenant      {} {} ({})", t.id, t.display_name, t.domains.join(", "));
        }
        println!();
        println!(
            "Try: hybridsync tenant discover {} --authority {} --ca-file {}",
            tenants.first().map(|t| t.default_domain()).unwrap_or("contoso.com"),
            running.authority(),
            running.ca_file.display()
        );
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    running.stop();
    eprintln!("practice tenant stopped");
    Ok(exit::OK)
}
