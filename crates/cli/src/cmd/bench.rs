//! `hybridsync bench bulk`: the app's own bulk path, with its own defaults, against an in-process
//! practice tenant whose Dynamics Web API has a set latency, server time per operation and
//! capacity. The client is not told the capacity: it finds it ([`hybridsync_microsoft::bulk`]).
//! Compared, in the same run, with the best serial loop a script would run (one request per
//! mailbox), measured on a sample and scaled linearly; the practice server reports what its queue
//! saw.
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use hybridsync_core::steps::mailboxes::{self, Actions, MailboxFilter};
use hybridsync_core::steps::profile::{ProfileSettings, ProfileStep};
use hybridsync_core::{ErrorPayload, EventSink, Step, StepContext};
use hybridsync_microsoft::bulk::{BulkOptions, DEFAULT_CEILING};
use hybridsync_microsoft::dynamics::Update;
use hybridsync_microsoft::{
    Authority, ClientConfig, DevicePolling, Dynamics, DynamicsAuth, HttpOptions, Identity,
    Transport,
};
use hybridsync_practice_tenant::dynamics::{approve_device_code, PRACTICE_ORG};
use hybridsync_practice_tenant::{FaultRates, Knobs, Options, Running};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::exit;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Configure, approve and schedule Test & Enable for N practice mailboxes in bulk, and compare
    /// with a serial loop.
    Bulk(BulkArgs),
}

#[derive(Args)]
pub struct BulkArgs {
    /// Mailboxes to seed and configure (1–100000).
    #[arg(long, default_value_t = 10_000)]
    pub mailboxes: usize,
    /// Round trip of every request, in milliseconds.
    #[arg(long, default_value_t = 50)]
    pub latency_ms: u64,
    /// Server time of every operation, in milliseconds (a $batch's operations run one after another).
    #[arg(long, default_value_t = 2)]
    pub op_ms: u64,
    /// Requests the practice server serves at once; the rest wait. The client is not told.
    #[arg(long, default_value_t = 16)]
    pub capacity: usize,
    /// The client's ceiling: at most this many requests at once (the app's default otherwise).
    #[arg(long, default_value_t = DEFAULT_CEILING)]
    pub ceiling: usize,
    /// Share of requests (0–1) the practice server fails: 429 with Retry-After, 503 and
    /// connection resets in equal parts.
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Mailboxes of the serial sample (at least 300, or all when fewer).
    #[arg(long, default_value_t = 300)]
    pub serial_sample: usize,
    #[arg(long)]
    pub json: bool,
}

/// The `--json` contract of issue 7.
#[derive(Debug, Serialize)]
pub struct BulkReport {
    pub mailboxes: usize,
    pub latency_ms: u64,
    pub op_ms: u64,
    pub capacity: usize,
    /// The client's ceiling of requests at once.
    pub ceiling: usize,
    pub fault_rate: f64,
    /// Seconds to configure, approve and schedule the test of all N through the bulk path.
    pub bulk_seconds: f64,
    pub bulk_requests: u64,
    /// Operations per `$batch`, on average.
    pub batch_size: usize,
    /// The serial loop's time for all N: measured on `serial_sample` mailboxes and scaled linearly.
    pub serial_seconds: f64,
    pub serial_sample: usize,
    pub serial_sample_seconds: f64,
    pub serial_scaled_linearly: bool,
    pub speedup: f64,
    /// N×S/C + L: one write per mailbox, all C slots busy, one round trip.
    pub theoretical_min_seconds: f64,
    pub utilization: f64,
    /// Requests to read the status of all N once.
    pub requests_per_poll: u64,
    pub configured: usize,
    pub failed: usize,
    /// The client found the capacity itself: it was never told.
    pub client_told_capacity: bool,
    /// The most requests the client had in flight at once.
    pub client_peak_concurrency: usize,
    /// What the practice server saw: the share of request time at the server spent waiting in its
    /// queue, the queue's peak and mean, and how many requests it served at once.
    pub queue_wait_share: f64,
    pub server_peak_queue: usize,
    pub server_mean_queue: f64,
    pub server_mean_concurrency: f64,
    pub server_peak_concurrency: usize,
    /// Writes the audit log holds per configured mailbox (exactly 1 when nothing was doubled).
    pub writes_per_mailbox: f64,
    pub faults_injected: u64,
    pub client_retries: u64,
    pub note: String,
}

fn bad(message: String) -> ErrorPayload {
    ErrorPayload::new("invalid_input", message, Some("input.fix-value"))
}

pub async fn run(c: BenchCommand) -> Result<u8, ErrorPayload> {
    match c {
        BenchCommand::Bulk(a) => {
            let report = bulk(&a).await?;
            if a.json {
                // One object on one line.
                println!(
                    "{}",
                    serde_json::to_string(&report)
                        .map_err(|e| ErrorPayload::internal(e.to_string()))?
                );
            } else {
                println!(
                    "Bulk: {} mailboxes in {:.2} s ({} requests, batches of {} on average)",
                    report.mailboxes, report.bulk_seconds, report.bulk_requests, report.batch_size
                );
                println!(
                    "Client: at most {} requests at once (ceiling {}), never told the capacity; server queue: {:.0}% of request time waiting, peak {}",
                    report.client_peak_concurrency,
                    report.ceiling,
                    report.queue_wait_share * 100.0,
                    report.server_peak_queue
                );
                println!(
                    "Serial: {:.1} s ({} mailboxes measured in {:.2} s, scaled linearly)",
                    report.serial_seconds, report.serial_sample, report.serial_sample_seconds
                );
                println!("Speed-up {:.1}×, utilization {:.2} (minimum {:.2} s), {} requests per status poll", report.speedup, report.utilization, report.theoretical_min_seconds, report.requests_per_poll);
            }
            Ok(exit::OK)
        }
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> ErrorPayload {
    ErrorPayload::internal(format!(
        "the in-process practice tenant failed ({what}): {e}"
    ))
}

pub async fn bulk(a: &BulkArgs) -> Result<BulkReport, ErrorPayload> {
    if a.mailboxes == 0 || a.mailboxes > 100_000 {
        return Err(bad(format!(
            "--mailboxes {} is outside 1–100000.",
            a.mailboxes
        )));
    }
    if a.capacity == 0 || a.capacity > 1000 {
        return Err(bad(format!(
            "--capacity {} is outside 1–1000 requests at once.",
            a.capacity
        )));
    }
    if a.latency_ms > 10_000 || a.op_ms > 10_000 {
        return Err(bad("--latency-ms and --op-ms must be at most 10000.".into()));
    }
    let opts = BulkOptions::with_ceiling(a.ceiling).map_err(|e| bad(format!("--ceiling: {e}.")))?;
    if !(0.0..=0.5).contains(&a.fault_rate) {
        return Err(bad(format!(
            "--fault-rate {} is outside 0–0.5.",
            a.fault_rate
        )));
    }
    let sample = a.serial_sample.max(300).min(a.mailboxes);
    let dir = std::env::temp_dir().join(format!("hybridsync-bench-{}", std::process::id()));
    let sim = Running::start(Options::in_dir(&dir))
        .await
        .map_err(|e| internal("start", e))?;
    let result = measure(a, &opts, sample, &sim).await;
    sim.stop();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn measure(
    a: &BulkArgs,
    opts: &BulkOptions,
    sample: usize,
    sim: &Running,
) -> Result<BulkReport, ErrorPayload> {
    let dy = &sim.sim.dynamics;
    let mut faults = sim.sim.faults();
    faults.device_interval_secs = Some(1);
    sim.sim.set_faults(faults);
    let transport = Transport::new(&HttpOptions {
        ca_file: Some(sim.ca_file.clone()),
        timeout: Duration::from_secs(120),
    })?;
    // Sign in as the practice administrator for the Dynamics resource (AD FS OAuth style).
    let identity = Identity::new(
        transport.clone(),
        ClientConfig {
            authority: Authority::parse(sim.authority())?,
            tenant: "organizations".into(),
            client_id: "5b1f0c4e-9a7d-4c2b-8e3f-6d0a1b2c3d4e".into(),
        },
    );
    let scope = format!("{}/user_impersonation", sim.base_url);
    let code = identity.start_device_code(&[scope.as_str()]).await?;
    if !approve_device_code(&sim.sim, &code.user_code, "admin@contoso.onmicrosoft.com") {
        return Err(internal("sign-in", "the device code was not found"));
    }
    let tokens = identity
        .wait_for_device_code(&code, &DevicePolling::default(), &CancellationToken::new())
        .await?;
    let client = std::sync::Arc::new(Dynamics::new(
        transport,
        &format!("{}/{PRACTICE_ORG}", sim.base_url),
        "v9.0",
        DynamicsAuth::Bearer(tokens.access_token),
    )?);
    let ctx = StepContext::new(EventSink::none());
    let profile = ProfileStep {
        client: client.clone(),
        settings: ProfileSettings::default(),
    };
    let seen = profile.check(&ctx).await?;
    for change in profile.plan(&ctx, &seen).await? {
        profile.apply(&ctx, &change).await?;
    }
    let profile_id = mailboxes_profile(&client).await?;
    let knobs = Knobs {
        latency: Duration::from_millis(a.latency_ms),
        op_time: Duration::from_millis(a.op_ms),
        capacity: Some(a.capacity),
        test_delay: Duration::from_secs(3600),
        ..Knobs::default()
    };

    // The serial loop: one PATCH per mailbox carrying all the changes, one after another.
    dy.seed_mailboxes(sample);
    dy.set_knobs(Knobs {
        latency: Duration::ZERO,
        op_time: Duration::ZERO,
        ..knobs.clone()
    });
    let (rows, _) =
        mailboxes::list(&client, &MailboxFilter::default(), mailboxes::SELECT, 5000).await?;
    let updates = updates_of(&rows, &profile_id);
    dy.set_knobs(knobs.clone());
    let started = Instant::now();
    for u in &updates {
        client.patch(u.set, &u.id, &u.body).await?;
    }
    let serial_sample_seconds = started.elapsed().as_secs_f64();

    // The bulk path on N fresh mailboxes.
    dy.seed_mailboxes(a.mailboxes);
    dy.set_knobs(Knobs {
        latency: Duration::ZERO,
        op_time: Duration::ZERO,
        ..knobs.clone()
    });
    let (rows, _) =
        mailboxes::list(&client, &MailboxFilter::default(), mailboxes::SELECT, 5000).await?;
    let updates = updates_of(&rows, &profile_id);
    dy.set_knobs(Knobs {
        faults: FaultRates::even(a.fault_rate),
        retry_after_secs: if a.fault_rate > 0.0 { 0 } else { 1 },
        ..knobs.clone()
    });
    let (before, retries_before, audit_before) = (
        client.request_count(),
        client.retry_count(),
        dy.audit().len(),
    );
    dy.reset_load();
    let started = Instant::now();
    let outcome = mailboxes::apply_bulk(&client, updates, opts, &ctx).await?;
    let bulk_seconds = started.elapsed().as_secs_f64();
    let load = dy.load_stats();
    let bulk_requests = client.request_count() - before;
    let client_retries = client.retry_count() - retries_before;
    let writes = dy.audit().len() - audit_before;
    let faults = dy.fault_counts();
    dy.set_knobs(knobs.clone());

    // One status read of all N.
    let filter = MailboxFilter {
        profile: Some(profile_id.clone()),
        ..MailboxFilter::default()
    };
    let before = client.request_count();
    let (counts, _) = mailboxes::read_statuses(&client, &filter).await?;
    let requests_per_poll = client.request_count() - before;
    if counts.total as usize != outcome.succeeded.len() {
        return Err(internal(
            "status read",
            format!(
                "{} mailboxes read, {} configured",
                counts.total,
                outcome.succeeded.len()
            ),
        ));
    }

    let serial_seconds = serial_sample_seconds * a.mailboxes as f64 / sample as f64;
    let theoretical = a.mailboxes as f64 * a.op_ms as f64 / 1000.0 / a.capacity as f64
        + a.latency_ms as f64 / 1000.0;
    Ok(BulkReport {
        mailboxes: a.mailboxes,
        latency_ms: a.latency_ms,
        op_ms: a.op_ms,
        capacity: a.capacity,
        ceiling: a.ceiling,
        fault_rate: a.fault_rate,
        bulk_seconds,
        bulk_requests,
        batch_size: a.mailboxes.div_ceil(outcome.batches.max(1)),
        serial_seconds,
        serial_sample: sample,
        serial_sample_seconds,
        serial_scaled_linearly: sample < a.mailboxes,
        speedup: if bulk_seconds > 0.0 { serial_seconds / bulk_seconds } else { 0.0 },
        theoretical_min_seconds: theoretical,
        utilization: if bulk_seconds > 0.0 { theoretical / bulk_seconds } else { 0.0 },
        requests_per_poll,
        configured: outcome.succeeded.len(),
        failed: outcome.failed.len(),
        client_told_capacity: false,
        client_peak_concurrency: outcome.peak_in_flight,
        queue_wait_share: load.queue_wait_share,
        server_peak_queue: load.peak_queue,
        server_mean_queue: load.mean_queue,
        server_mean_concurrency: load.mean_served,
        server_peak_concurrency: load.peak_served,
        writes_per_mailbox: if outcome.succeeded.is_empty() { 0.0 } else { writes as f64 / outcome.succeeded.len() as f64 },
        faults_injected: faults.throttled + faults.unavailable + faults.reset_before + faults.reset_after + faults.timed_out,
        client_retries,
        note: format!(
            "serial_seconds is the serial loop (one PATCH per mailbox with all changes) measured on {sample} mailboxes in this run and scaled linearly to {}; both timings cover the writes only (the mailbox list is read before the clock starts); the bulk path is the app's (adaptive, ceiling {}), never told the server's capacity of {}",
            a.mailboxes, a.ceiling, a.capacity
        ),
    })
}

async fn mailboxes_profile(client: &Dynamics) -> Result<String, ErrorPayload> {
    let p = hybridsync_core::steps::profile::find_profile(client, &ProfileSettings::default().name)
        .await?
        .ok_or_else(|| internal("profile", "the profile was not created"))?;
    Ok(p["emailserverprofileid"].as_str().unwrap_or("").to_string())
}

fn updates_of(rows: &[serde_json::Value], profile_id: &str) -> Vec<Update> {
    rows.iter()
        .map(|r| Update {
            set: "mailboxes",
            id: r["mailboxid"].as_str().unwrap_or("").to_string(),
            body: serde_json::Value::Object(mailboxes::wanted_changes(r, profile_id, Actions::ALL)),
        })
        .filter(|u| u.body.as_object().is_some_and(|b| !b.is_empty()))
        .collect()
}
