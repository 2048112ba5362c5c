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
    #[arg(long)]
    pub json: bool,
}

pub async fn run(a: RunArgs) -> Result<u8, ErrorPayload> {
    let plan = Plan::load(&a.plan)?;
    let journal_path = a.journal.unwrap_or_else(|| {
        let stem = a.plan.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "plan".into());
        hybridsync_core::paths::data_dir().join("journals").join(format!("{stem}.jsonl"))
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
            format!("the plan {} names no step to run; add a [tenant] table with a domain", a.plan.display()),
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
    let outcomes = result?;
    if a.json {
        super::print_json(&serde_json::json!({"journal": journal_path, "outcomes": outcomes}))?;
    } else {
        for o in &outcomes {
            let state = if o.skipped_as_done { "already done" } else { "done" };
            println!("{:<10} {state}, {} change(s) applied", o.step, o.applied.len());
            for f in o.findings.iter().filter(|f| f.severity != Severity::Info) {
                println!("  {:?}: {}", f.severity, f.message);
            }
        }
        println!("Journal: {}", journal_path.display());
    }
    Ok(exit::OK)
}
