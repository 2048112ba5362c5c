//! `hybridsync sim`: the practice tenant in the foreground.
use std::path::PathBuf;

use clap::Args;
use hybridsync_core::ErrorPayload;
use hybridsync_practice_tenant::{FaultRates, Knobs, Options, Running};

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
    #[command(flatten)]
    pub load: LoadArgs,
}

/// A bad day on the practice Dynamics server, to rehearse a bulk run against.
#[derive(Args, Clone)]
pub struct LoadArgs {
    /// Round trip added to every Dynamics request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Server time of every operation, in milliseconds (a $batch's operations run one after another).
    #[arg(long, default_value_t = 0)]
    pub op_ms: u64,
    /// Requests the server serves at once; the rest wait in its queue (0: no limit).
    #[arg(long, default_value_t = 0)]
    pub capacity: usize,
    /// Share of requests (0–1) answered 429 Too Many Requests with Retry-After.
    #[arg(long, default_value_t = 0.0)]
    pub fault_429: f64,
    /// Share of requests answered 503 Service Unavailable.
    #[arg(long, default_value_t = 0.0)]
    pub fault_503: f64,
    /// Share of requests whose connection drops (half before the work, half after it).
    #[arg(long, default_value_t = 0.0)]
    pub fault_reset: f64,
    /// Share of requests that hang for --stall-secs, then drop.
    #[arg(long, default_value_t = 0.0)]
    pub fault_timeout: f64,
    /// Seconds a timed-out request hangs.
    #[arg(long, default_value_t = 60)]
    pub stall_secs: u64,
    /// The Retry-After seconds of a 429.
    #[arg(long, default_value_t = 1)]
    pub retry_after_secs: u64,
}

impl LoadArgs {
    /// The knobs, checked before anything starts.
    pub fn knobs(&self) -> Result<Knobs, ErrorPayload> {
        let bad = |m: String| ErrorPayload::new("invalid_input", m, Some("input.fix-value"));
        let faults = FaultRates {
            throttled: self.fault_429,
            unavailable: self.fault_503,
            reset: self.fault_reset,
            timeout: self.fault_timeout,
        };
        faults.validate().map_err(|e| {
            bad(format!(
                "--fault-429/--fault-503/--fault-reset/--fault-timeout: {e}."
            ))
        })?;
        if self.latency_ms > 10_000
            || self.op_ms > 10_000
            || self.stall_secs > 3600
            || self.retry_after_secs > 3600
        {
            return Err(bad("--latency-ms and --op-ms must be at most 10000, --stall-secs and --retry-after-secs at most 3600.".into()));
        }
        if self.capacity > 10_000 {
            return Err(bad(format!(
                "--capacity {} is above 10000 requests at once.",
                self.capacity
            )));
        }
        Ok(Knobs {
            latency: std::time::Duration::from_millis(self.latency_ms),
            op_time: std::time::Duration::from_millis(self.op_ms),
            capacity: (self.capacity > 0).then_some(self.capacity),
            faults,
            stall: std::time::Duration::from_secs(self.stall_secs),
            retry_after_secs: self.retry_after_secs,
            ..Knobs::default()
        })
    }
}

pub async fn run(a: SimArgs) -> Result<u8, ErrorPayload> {
    let knobs = a.load.knobs()?;
    let dir = a
        .dir
        .unwrap_or_else(|| hybridsync_core::paths::data_dir().join("practice"));
    let mut opts = Options::in_dir(&dir);
    opts.bind.set_port(a.port);
    let running = Running::start(opts).await.map_err(|e| {
        ErrorPayload::new(
            "practice_start_failed",
            e.to_string(),
            Some("practice.start"),
        )
    })?;
    running.sim.dynamics.set_knobs(knobs.clone());
    let tenants = running.sim.tenants();
    if a.json {
        super::print_json(&serde_json::json!({
            "authority": running.authority(),
            "graph": format!("{}/v1.0", running.base_url),
            "ca_file": running.ca_file,
            "dns": running.dns.resolver(),
            "tenants": tenants,
            "dynamics": format!("{}/{}/api/data/v9.0/", running.base_url, hybridsync_practice_tenant::dynamics::PRACTICE_ORG),
            "load": {
                "latency_ms": a.load.latency_ms, "op_ms": a.load.op_ms, "capacity": knobs.capacity,
                "fault_429": a.load.fault_429, "fault_503": a.load.fault_503, "fault_reset": a.load.fault_reset,
                "fault_timeout": a.load.fault_timeout, "stall_secs": a.load.stall_secs,
            },
        }))?;
    } else {
        println!("Practice tenant running (Ctrl-C stops it)");
        println!("  Authority   {}", running.authority());
        println!("  Graph       {}/v1.0", running.base_url);
        println!("  CA file     {}", running.ca_file.display());
        println!(
            "  DNS         {} (the practice domains' name servers; pass it as --nameserver)",
            running.dns.resolver()
        );
        if knobs.faults.total() > 0.0
            || knobs.capacity.is_some()
            || !knobs.latency.is_zero()
            || !knobs.op_time.is_zero()
        {
            println!(
                "  Dynamics    {} ms latency, {} ms per operation, {} at once; faults 429 {:.0}%, 503 {:.0}%, reset {:.0}%, time-out {:.0}%",
                a.load.latency_ms,
                a.load.op_ms,
                knobs.capacity.map(|c| c.to_string()).unwrap_or_else(|| "no limit".into()),
                a.load.fault_429 * 100.0,
                a.load.fault_503 * 100.0,
                a.load.fault_reset * 100.0,
                a.load.fault_timeout * 100.0
            );
        }
        for t in &tenants {
            println!(
                "  Tenant      {} {} ({})",
                t.id,
                t.display_name,
                t.domains.join(", ")
            );
        }
        println!();
        println!(
            "Try: hybridsync tenant discover {} --authority {} --ca-file {}",
            tenants
                .first()
                .map(|t| t.default_domain())
                .unwrap_or("contoso.com"),
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
