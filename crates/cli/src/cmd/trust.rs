//! `hybridsync trust plan|apply --certificate FILE`: the S2S certificate's public key on the
//! Dynamics CRM service principal (the Trust step). plan shows the diff and changes nothing;
//! apply runs check → plan → apply through the engine with the run journal.
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};
use hybridsync_core::journal::Journal;
use hybridsync_core::keychain::Keychain;
use hybridsync_core::steps::signin;
use hybridsync_core::steps::trust::{TrustCertificate, TrustStep};
use hybridsync_core::{engine, ErrorPayload, Step, StepContext};

use crate::{exit, progress};

/// Who is signed in and the roles (the up-front check), and the principal's keys.
use hybridsync_core::steps::trust::SCOPES as TRUST_SCOPES;

#[derive(Subcommand)]
pub enum TrustCommand {
    /// Show what would change on the Dynamics CRM service principal; changes nothing.
    Plan(TrustArgs),
    /// Upload the certificate's public key (and the service principal names), then read it back.
    Apply(TrustArgs),
}

#[derive(Args)]
pub struct TrustArgs {
    /// The certificate: .cer/.crt/.pem, or the .pfx (only its public part is sent).
    #[arg(long)]
    pub certificate: PathBuf,
    /// Environment variable holding the PFX password (for a .pfx).
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// Also add the service principal name 00000007-0000-0000-c000-000000000000/*.<domain> (the CRM server's domain).
    #[arg(long)]
    pub crm_domain: Option<String>,
    /// The run journal (apply).
    #[arg(long)]
    pub journal: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

fn load_certificate(a: &TrustArgs) -> Result<TrustCertificate, ErrorPayload> {
    let password = match &a.password_env {
        Some(v) => Some(std::env::var(v).map_err(|_| {
            ErrorPayload::new(
                "invalid_input",
                format!("the environment variable {v} named by --password-env is not set"),
                None,
            )
        })?),
        None => None,
    };
    let bytes = hybridsync_files::read_limited(&a.certificate, hybridsync_files::MAX_SMALL_FILE)
        .map_err(|e| {
            ErrorPayload::new(
                "file_unreadable",
                format!("cannot read {}: {e}", a.certificate.display()),
                None,
            )
        })?;
    TrustCertificate::from_file_bytes(&bytes, password.as_deref()).map_err(|mut e| {
        e.message = format!("{}: {}", a.certificate.display(), e.message);
        e
    })
}

pub async fn run(cmd: TrustCommand) -> Result<u8, ErrorPayload> {
    let (apply, a) = match cmd {
        TrustCommand::Plan(a) => (false, a),
        TrustCommand::Apply(a) => (true, a),
    };
    let certificate = load_certificate(&a)?;
    let (_saved, graph) = signin::resume(&Keychain::default(), TRUST_SCOPES).await?;
    let step = TrustStep {
        graph: Arc::new(graph),
        certificate,
        crm_domain: a.crm_domain.clone(),
    };
    let (sink, bar) = progress::sink(a.json);
    let ctx = StepContext::new(sink);
    if !apply {
        let seen = step.check(&ctx).await?;
        let changes = step.plan(&ctx, &seen).await?;
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        if a.json {
            super::print_json(
                &serde_json::json!({"facts": seen.facts, "findings": seen.findings, "changes": changes}),
            )?;
        } else {
            for f in &seen.findings {
                println!("{:?}: {}", f.severity, f.message);
            }
            if changes.is_empty() {
                println!(
                    "Nothing to change: the certificate is on the Dynamics CRM service principal."
                );
            }
            for c in &changes {
                println!("Change {} {}", c.target, c.field);
                println!(
                    "  before: {}",
                    c.before.as_ref().map(|v| v.to_string()).unwrap_or_default()
                );
                println!(
                    "  after:  {}",
                    c.after.as_ref().map(|v| v.to_string()).unwrap_or_default()
                );
            }
        }
        return Ok(exit::OK);
    }
    let journal_path = a
        .journal
        .clone()
        .unwrap_or_else(|| hybridsync_core::paths::new_journal("trust"));
    let mut journal = Journal::open(&journal_path)?;
    let result = engine::run(&[&step as &dyn Step], &ctx, &mut journal).await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let outcomes = result?;
    if a.json {
        super::print_json(&serde_json::json!({"journal": journal_path, "outcomes": outcomes}))?;
    } else {
        for o in &outcomes {
            println!("{}: {} change(s) applied", o.step, o.applied.len());
            for c in &o.applied {
                println!("  {} {}", c.target, c.field);
            }
        }
        println!("Journal: {}", journal_path.display());
    }
    Ok(exit::OK)
}
