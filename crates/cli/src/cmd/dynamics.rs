//! `hybridsync profile plan|apply` and `hybridsync mailboxes list|configure|approve|test|watch`:
//! the Dynamics steps against a CRM organization, signed in with the saved sign-in.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use hybridsync_core::checks::{card_with_checks, CheckContext, CrmFacts};
use hybridsync_core::journal::Journal;
use hybridsync_core::keychain::Keychain;
use hybridsync_core::steps::crm::{self, CrmTarget};
use hybridsync_core::steps::crm_script;
use hybridsync_core::steps::defaults::DefaultsStep;
use hybridsync_core::steps::mailboxes::{
    self, Actions, AlertGroup, MailboxAlert, MailboxFilter, MailboxesStep,
};
use hybridsync_core::steps::profile::{ProfileSettings, ProfileStep};
use hybridsync_core::steps::{signin, trust};
use hybridsync_core::troubleshoot::Card;
use hybridsync_core::{engine, ErrorPayload, Step, StepContext};
use hybridsync_microsoft::dynamics::{BulkOptions, ServerInfo, MAX_PAGE_SIZE};
use hybridsync_microsoft::Dynamics;

use crate::{exit, progress};

#[derive(Args, Clone)]
pub struct CrmArgs {
    /// The organization's address: https://crm.contoso.com/contoso (IFD or internal).
    #[arg(long)]
    pub url: String,
    /// The Web API version.
    #[arg(long, default_value = "v9.0", value_parser = ["v9.0", "v9.1"])]
    pub api_version: String,
    /// A PEM file of CA certificates to trust for the CRM server (TLS inspection, internal CA).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Clone)]
pub struct ProfileArgs {
    #[command(flatten)]
    pub crm: CrmArgs,
    /// The email server profile's name.
    #[arg(long, default_value = "Exchange Online (Hybrid)")]
    pub name: String,
    /// A tenant ID for the profile; by default the organization's S2STenantId is used.
    #[arg(long)]
    pub tenant_id: Option<String>,
    /// Use autodiscover instead of the Exchange Online EWS URL.
    #[arg(long)]
    pub autodiscover: bool,
    /// Process emails received after this date and time (2026-11-01T00:00:00Z).
    #[arg(long)]
    pub process_emails_received_after: Option<String>,
    /// Minimum polling interval in minutes (0–1440).
    #[arg(long)]
    pub min_polling_interval: Option<u32>,
    #[arg(long)]
    pub move_undelivered_emails: bool,
    /// Also make it the organization's default profile with server-side sync as the default delivery.
    #[arg(long)]
    pub set_default: bool,
}

#[derive(Subcommand)]
pub enum ProfileCommand {
    /// Show what would change (the diff), change nothing.
    Plan(ProfileArgs),
    /// Create or update the profile (and the defaults with --set-default).
    Apply(ProfileArgs),
}

#[derive(Args, Clone)]
pub struct FilterArgs {
    /// Part of the name or email address.
    #[arg(long)]
    pub filter: Option<String>,
    /// approved, pending, rejected or empty.
    #[arg(long)]
    pub approval: Option<String>,
    /// success, failure or not_run.
    #[arg(long)]
    pub status: Option<String>,
    /// An email server profile ID, or "none".
    #[arg(long)]
    pub profile_id: Option<String>,
    /// A business unit ID.
    #[arg(long)]
    pub business_unit: Option<String>,
}

impl FilterArgs {
    fn filter(&self) -> MailboxFilter {
        MailboxFilter {
            text: self.filter.clone(),
            approval: self.approval.clone(),
            status: self.status.clone(),
            profile: self.profile_id.clone(),
            business_unit: self.business_unit.clone(),
        }
    }
}

#[derive(Args, Clone)]
pub struct MailboxArgs {
    #[command(flatten)]
    pub crm: CrmArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// The email server profile to bind.
    #[arg(long, default_value = "Exchange Online (Hybrid)")]
    pub profile: String,
    /// Use at most this many requests at once (1–256). The wizard finds the server's own pace
    /// below it: it starts small, and sends less when the server's answers slow down or it asks
    /// to wait.
    #[arg(long, default_value_t = hybridsync_microsoft::bulk::DEFAULT_CEILING)]
    pub ceiling: usize,
    /// `test` only: also test mailboxes that passed before (after a certificate rotation).
    #[arg(long)]
    pub include_passed: bool,
}

#[derive(Args, Clone)]
pub struct WatchArgs {
    #[command(flatten)]
    pub crm: CrmArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Seconds between status reads.
    #[arg(long, default_value_t = 15)]
    pub interval: u64,
    /// Stop watching after this many seconds.
    #[arg(long, default_value_t = 1800)]
    pub timeout: u64,
    /// The result file of the generated CRM-server script (hybridsync-crm-result.json): what the CRM
    /// server holds, for the troubleshooting checks (its certificate, its S2STenantId).
    #[arg(long, value_name = "FILE")]
    pub crm_result: Option<PathBuf>,
    /// Also write a report when the watch ends: the mailbox table with final statuses, each alert's
    /// troubleshooting card as a finding, the assumptions. .html, .json or .md by the extension; its
    /// SHA-256 is printed.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum MailboxesCommand {
    /// List mailboxes (users' and queues') with their status.
    List(ListArgs),
    /// Bind the profile and set server-side sync (incoming 2, outgoing 2, ACT 1).
    Configure(MailboxArgs),
    /// Approve the email addresses.
    Approve(MailboxArgs),
    /// Schedule Test & Enable.
    Test(MailboxArgs),
    /// Watch the test results until none is pending; show the alerts of the failures.
    Watch(WatchArgs),
}

#[derive(Args, Clone)]
pub struct ListArgs {
    #[command(flatten)]
    pub crm: CrmArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
}

fn target(c: &CrmArgs) -> CrmTarget {
    CrmTarget {
        url: c.url.clone(),
        api_version: c.api_version.clone(),
        ca_file: c.ca_file.as_ref().map(|p| p.display().to_string()),
    }
}

async fn client(c: &CrmArgs) -> Result<Arc<Dynamics>, ErrorPayload> {
    Ok(connect(c).await?.0)
}

/// The client and what WhoAmI and RetrieveVersion said (the report names the version).
async fn connect(c: &CrmArgs) -> Result<(Arc<Dynamics>, ServerInfo), ErrorPayload> {
    let t = target(c);
    crm::resource_of(&t.url)?;
    let (client, info) = crm::connect(&Keychain::default(), &t).await?;
    tracing::info!(version = %info.version, user = %info.user_id, "connected to the CRM organization");
    Ok((Arc::new(client), info))
}

async fn run_steps(steps: &[&dyn Step], json: bool, name: &str) -> Result<u8, ErrorPayload> {
    let path = hybridsync_core::paths::new_journal(name);
    let mut journal = Journal::open(&path)?;
    let (sink, bar) = progress::sink(json);
    let result = engine::run(steps, &StepContext::new(sink), &mut journal).await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let outcomes = result?;
    if json {
        super::print_json(&serde_json::json!({"journal": path, "outcomes": outcomes}))?;
    } else {
        for o in &outcomes {
            println!("{:<10} {} change(s) applied", o.step, o.applied.len());
            for f in &o.findings {
                println!("  {}", f.message);
            }
        }
        println!("Journal: {}", path.display());
    }
    Ok(exit::OK)
}

pub async fn profile(c: ProfileCommand) -> Result<u8, ErrorPayload> {
    let (a, apply) = match c {
        ProfileCommand::Plan(a) => (a, false),
        ProfileCommand::Apply(a) => (a, true),
    };
    let settings = ProfileSettings {
        name: a.name.clone(),
        tenant_id: a.tenant_id.clone(),
        use_autodiscover: a.autodiscover,
        process_emails_received_after: a.process_emails_received_after.clone(),
        min_polling_interval_minutes: a.min_polling_interval,
        move_undelivered_emails: a.move_undelivered_emails,
    };
    settings.validate()?;
    let client = client(&a.crm).await?;
    let profile = ProfileStep {
        client: client.clone(),
        settings,
    };
    let defaults = DefaultsStep {
        client: client.clone(),
        profile_name: a.name.clone(),
    };
    if apply {
        let mut steps: Vec<&dyn Step> = vec![&profile];
        if a.set_default {
            steps.push(&defaults);
        }
        return run_steps(&steps, a.crm.json, "profile").await;
    }
    let ctx = StepContext::new(hybridsync_core::EventSink::none());
    let seen = profile.check(&ctx).await?;
    let changes = profile.plan(&ctx, &seen).await?;
    if a.crm.json {
        super::print_json(&serde_json::json!({"findings": seen.findings, "changes": changes}))?;
    } else {
        for f in &seen.findings {
            println!("{}", f.message);
        }
        if changes.is_empty() {
            println!("No change: the profile is as wanted.");
        }
        for ch in &changes {
            println!(
                "  {} {}: {} -> {}",
                ch.target,
                ch.field,
                ch.before.clone().unwrap_or_default(),
                ch.after.clone().unwrap_or_default()
            );
        }
    }
    Ok(exit::OK)
}

pub async fn mailboxes(c: MailboxesCommand) -> Result<u8, ErrorPayload> {
    match c {
        MailboxesCommand::List(a) => {
            let filter = a.filter.filter();
            filter.odata()?;
            let client = client(&a.crm).await?;
            let (rows, pages) =
                mailboxes::list(&client, &filter, mailboxes::SELECT, MAX_PAGE_SIZE).await?;
            if a.crm.json {
                super::print_json(
                    &serde_json::json!({"count": rows.len(), "requests": pages, "mailboxes": rows}),
                )?;
            } else {
                println!(
                    "{:<38} {:<34} {:>8} {:>4} {:>4} {:>4}",
                    "mailbox", "email", "approval", "in", "out", "act"
                );
                for r in &rows {
                    println!(
                        "{:<38} {:<34} {:>8} {:>4} {:>4} {:>4}",
                        r["mailboxid"].as_str().unwrap_or(""),
                        r["emailaddress"].as_str().unwrap_or(""),
                        r["emailrouteraccessapproval"],
                        r["incomingemailstatus"],
                        r["outgoingemailstatus"],
                        r["actstatus"]
                    );
                }
                println!("{} mailboxes ({} requests)", rows.len(), pages);
            }
            Ok(exit::OK)
        }
        MailboxesCommand::Configure(a) => bulk(only_test_retests(a)?, Actions::CONFIGURE).await,
        MailboxesCommand::Approve(a) => bulk(only_test_retests(a)?, Actions::APPROVE).await,
        MailboxesCommand::Test(a) => {
            let retest_passed = a.include_passed;
            bulk(
                a,
                Actions {
                    retest_passed,
                    ..Actions::TEST
                },
            )
            .await
        }
        MailboxesCommand::Watch(a) => watch(a).await,
    }
}

/// `--include-passed` belongs to `mailboxes test`; elsewhere it is refused, not ignored.
fn only_test_retests(a: MailboxArgs) -> Result<MailboxArgs, ErrorPayload> {
    if a.include_passed {
        return Err(ErrorPayload::new(
            "invalid_input",
            "--include-passed only applies to `mailboxes test` (it schedules Test & Enable for mailboxes that passed before).",
            Some("input.fix-value"),
        ));
    }
    Ok(a)
}

async fn bulk(a: MailboxArgs, actions: Actions) -> Result<u8, ErrorPayload> {
    let filter = a.filter.filter();
    filter.odata()?;
    let bulk = BulkOptions::with_ceiling(a.ceiling)
        .map_err(|e| ErrorPayload::new("invalid_input", format!("--ceiling: {e}. Give how many requests at once the server may get, e.g. --ceiling 8."), Some("input.fix-value")))?;
    let client = client(&a.crm).await?;
    let step = MailboxesStep {
        client,
        profile_name: a.profile.clone(),
        filter,
        actions,
        bulk,
    };
    run_steps(&[&step], a.crm.json, "mailboxes").await
}

/// What the CRM server holds, from the script's result file (`--crm-result`).
fn read_crm_facts(path: Option<&std::path::Path>) -> Result<Option<CrmFacts>, ErrorPayload> {
    let Some(path) = path else { return Ok(None) };
    let bytes =
        hybridsync_files::read_limited(path, hybridsync_files::MAX_SMALL_FILE).map_err(|e| {
            ErrorPayload::new(
                "file_unreadable",
                format!("cannot read the CRM script result {}: {e}", path.display()),
                Some("input.fix-value"),
            )
        })?;
    Ok(Some(CrmFacts::from_result(&crm_script::parse_result(
        &bytes,
    )?)))
}

/// One troubleshooting card per distinct alert, after the automatic checks: the failed mailboxes
/// and their profile (this connection), the tenant and the service principal's keys (the saved
/// sign-in, when it can read them) and what the CRM server holds (`--crm-result`).
async fn troubleshoot_alerts(
    client: &Arc<Dynamics>,
    alerts: &[MailboxAlert],
    crm: Option<&CrmFacts>,
) -> Vec<(AlertGroup, Option<Card>)> {
    let groups = mailboxes::group_alerts(alerts);
    if groups.is_empty() {
        return Vec::new();
    }
    let signed_in = signin::resume(&Keychain::default(), trust::SCOPES)
        .await
        .ok();
    let base = CheckContext {
        tenant_id: signed_in.as_ref().map(|(saved, _)| saved.tenant_id.clone()),
        graph: signed_in.map(|(_, g)| Arc::new(g)),
        dynamics: Some(client.clone()),
        crm: crm.cloned(),
        ..CheckContext::default()
    };
    let mut out = Vec::new();
    for g in groups {
        let req = g.request();
        let ctx = CheckContext {
            mailbox_ids: req.mailbox_ids.clone(),
            ..base.clone()
        };
        let card = card_with_checks(&req, &ctx).await;
        out.push((g, card));
    }
    out
}

async fn watch(a: WatchArgs) -> Result<u8, ErrorPayload> {
    let filter = a.filter.filter();
    filter.odata()?;
    let crm_facts = read_crm_facts(a.crm_result.as_deref())?;
    if let Some(path) = &a.report {
        super::report_file::check_path(path)?;
    }
    let (client, info) = connect(&a.crm).await?;
    let started = Instant::now();
    loop {
        let (counts, failed) = mailboxes::read_statuses(&client, &filter).await?;
        if !a.crm.json {
            println!(
                "{} mailboxes: {} succeeded, {} failed, {} pending ({} requests)",
                counts.total, counts.success, counts.failure, counts.pending, counts.requests
            );
        }
        let timed_out = started.elapsed() >= Duration::from_secs(a.timeout);
        if counts.pending == 0 || timed_out {
            let alerts = mailboxes::alerts(&client, &failed).await?;
            let cards = troubleshoot_alerts(&client, &alerts, crm_facts.as_ref()).await;
            let written = match &a.report {
                Some(path) => Some(super::report_file::write(
                    &watch_report(&client, &info, &a, &cards).await?,
                    path,
                )?),
                None => None,
            };
            if a.crm.json {
                let cards: Vec<_> = cards
                    .iter()
                    .map(|(g, c)| serde_json::json!({"alert": g, "card": c}))
                    .collect();
                let report = written.as_ref().map(super::report_file::json);
                super::print_json(
                    &serde_json::json!({"counts": counts, "alerts": alerts, "cards": cards, "timed_out": timed_out && counts.pending > 0, "report": report}),
                )?;
            } else {
                if let Some(w) = &written {
                    println!("Report: {} (SHA-256 {})", w.path.display(), w.sha256);
                }
                for (g, c) in &cards {
                    println!(
                        "\n{} mailbox(es): {}\n    {}",
                        g.mailbox_ids.len(),
                        g.text,
                        g.details
                    );
                    println!(
                        "    {}",
                        g.mailbox_ids
                            .iter()
                            .take(10)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    if let Some(c) = c {
                        println!("\n{}", super::diagnose::text(c));
                    }
                }
            }
            return Ok(if counts.failure > 0 {
                exit::FINDINGS
            } else {
                exit::OK
            });
        }
        tokio::time::sleep(Duration::from_secs(a.interval.max(1))).await;
    }
}

/// The report of a watch: the mailbox table as it ended, one finding per alert (its card), the
/// assumptions and the procedure map.
async fn watch_report(
    client: &Dynamics,
    info: &ServerInfo,
    a: &WatchArgs,
    cards: &[(AlertGroup, Option<Card>)],
) -> Result<hybridsync_report::RunReport, ErrorPayload> {
    let environment = hybridsync_report::Environment {
        hybridsync_version: env!("CARGO_PKG_VERSION").to_string(),
        os: std::env::consts::OS.to_string(),
        // From the saved sign-in (connected_to).
        cloud: String::new(),
        ..Default::default()
    };
    let mut report = hybridsync_core::run_report::build(hybridsync_core::run_report::ReportInput {
        title: "Hybrid Sync Wizard: mailbox test results".into(),
        run_id: "mailboxes-watch".into(),
        environment,
        records: &[],
        outcomes: &[],
        titles: &[],
    });
    let saved = signin::load_saved().ok().flatten();
    hybridsync_core::run_report::connected_to(
        &mut report,
        saved.as_ref(),
        Some((&a.crm.url, info)),
    );
    report.mailboxes = hybridsync_core::mailbox_table::read(client, &a.filter.filter()).await?;
    for (g, c) in cards {
        if let Some(c) = c {
            let subject = format!(
                "{} mailbox(es) failed with \"{}\"",
                g.mailbox_ids.len(),
                g.text
            );
            report
                .findings
                .push(hybridsync_core::run_report::card_finding(
                    "mailboxes",
                    &subject,
                    c,
                ));
        }
    }
    Ok(report)
}
