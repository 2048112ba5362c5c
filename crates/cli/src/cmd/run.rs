//! `hybridsync run --plan plan.toml`: the plan's steps through the engine, with the run journal.
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use hybridsync_core::journal::Journal;
use hybridsync_core::steps::tenant::{DiscoverRequest, TenantStep};
use hybridsync_core::{engine, ErrorPayload, Plan, Severity, Step, StepContext};

use crate::{exit, progress};

#[derive(Args)]
pub struct RunArgs {
    /// The plan (TOML) saved by the wizard or written by hand.
    #[arg(long)]
    pub plan: PathBuf,
    /// The run journal; a run restarted with the same journal skips what is done.
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Also write the run report here: .html (self-contained, printable), .json or .md, chosen by
    /// the extension. Its SHA-256 is printed. Written for a failed run too.
    #[arg(long)]
    pub report: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub async fn run(a: RunArgs) -> Result<u8, ErrorPayload> {
    let plan = Plan::load(&a.plan)?;
    if let Some(path) = &a.report {
        super::report_file::check_path(path)?;
    }
    let journal_path = a.journal.unwrap_or_else(|| {
        let stem = a
            .plan
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plan".into());
        hybridsync_core::paths::data_dir()
            .join("journals")
            .join(format!("{stem}.jsonl"))
    });
    let mut steps: Vec<Box<dyn Step>> = Vec::new();
    if let Some(t) = &plan.tenant {
        steps.push(Box::new(TenantStep {
            request: DiscoverRequest {
                input: t.domain.clone(),
                authority: t.authority.clone().unwrap_or_else(|| "worldwide".into()),
                ca_file: t.ca_file.as_ref().map(|p| p.display().to_string()),
            },
            timeout: Duration::from_secs(20),
        }));
    }
    if steps.is_empty() {
        return Err(ErrorPayload::new(
            "plan_invalid",
            format!(
                "the plan {} names no step to run; add a [tenant] table with a domain",
                a.plan.display()
            ),
            Some("plan.check-file"),
        ));
    }
    let mut journal = Journal::open(&journal_path)?;
    let (sink, bar) = progress::sink(a.json);
    let refs: Vec<&dyn Step> = steps.iter().map(|s| s.as_ref()).collect();
    let result = engine::run(&refs, &StepContext::new(sink), &mut journal).await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let written = match &a.report {
        Some(path) => Some(write_report(
            path,
            &plan,
            &journal,
            result.as_deref().unwrap_or(&[]),
        )?),
        None => None,
    };
    if let Some(w) = &written {
        // On stderr when the run failed, so the error stays the last thing said.
        let line = format!("Report: {} (SHA-256 {})", w.path.display(), w.sha256);
        if result.is_ok() && !a.json {
            println!("{line}");
        } else {
            eprintln!("{line}");
        }
    }
    let outcomes = result?;
    if a.json {
        let report = written.as_ref().map(super::report_file::json);
        super::print_json(
            &serde_json::json!({"journal": journal_path, "outcomes": outcomes, "report": report}),
        )?;
    } else {
        for o in &outcomes {
            let state = if o.skipped_as_done {
                "already done"
            } else {
                "done"
            };
            println!(
                "{:<10} {state}, {} change(s) applied",
                o.step,
                o.applied.len()
            );
            for f in o.findings.iter().filter(|f| f.severity != Severity::Info) {
                println!("  {:?}: {}", f.severity, f.message);
            }
        }
        println!("Journal: {}", journal_path.display());
    }
    Ok(exit::OK)
}

/// The run report from the journal (every step, change and failure it recorded) and the outcomes.
fn write_report(
    path: &std::path::Path,
    plan: &Plan,
    journal: &Journal,
    outcomes: &[hybridsync_core::Outcome],
) -> Result<hybridsync_report::Written, ErrorPayload> {
    let tenant_facts = outcomes
        .iter()
        .find(|o| o.step == "tenant")
        .map(|o| &o.facts);
    let environment = hybridsync_report::Environment {
        hybridsync_version: env!("CARGO_PKG_VERSION").to_string(),
        os: std::env::consts::OS.to_string(),
        cloud: plan
            .tenant
            .as_ref()
            .and_then(|t| t.authority.clone())
            .unwrap_or_else(|| "worldwide".into()),
        tenant_id: tenant_facts
            .and_then(|f| f["tenant_id"].as_str())
            .map(str::to_string),
        tenant_domain: plan.tenant.as_ref().map(|t| t.domain.clone()),
        ..Default::default()
    };
    let run_id = journal
        .path()
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    let report = hybridsync_core::run_report::build(hybridsync_core::run_report::ReportInput {
        title: "Hybrid Sync Wizard run".into(),
        run_id,
        environment,
        records: journal.records(),
        outcomes,
        titles: &[("tenant", "Find the tenant")],
    });
    super::report_file::write(&report, path)
}
