//! `hybridsync diagnose`: the troubleshooting card for an error code, an alert text, script
//! output, or an HTTP status with its WWW-Authenticate header (the knowledge base of the wizard).
use clap::Args;
use hybridsync_core::troubleshoot::{card, Card, CheckResult, TroubleshootRequest};
use hybridsync_core::ErrorPayload;

use crate::exit;

#[derive(Args)]
pub struct DiagnoseArgs {
    /// A finding or error code (`tenant_not_found`, `mailbox_not_approved`, …).
    #[arg(long)]
    pub code: Option<String>,
    /// The alert text, trace text or script output, as shown.
    #[arg(long)]
    pub text: Option<String>,
    /// The HTTP status of a failed call.
    #[arg(long)]
    pub status: Option<u16>,
    /// The WWW-Authenticate header of a 401 answer.
    #[arg(long = "www-authenticate")]
    pub www_authenticate: Option<String>,
    /// A check already run that failed (repeatable), e.g. `--failed ews_allowed`.
    #[arg(long = "failed")]
    pub failed: Vec<String>,
    /// A check already run that passed (repeatable).
    #[arg(long = "passed")]
    pub passed: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: DiagnoseArgs) -> Result<u8, ErrorPayload> {
    if a.code.is_none() && a.text.is_none() && a.status.is_none() && a.www_authenticate.is_none() {
        return Err(ErrorPayload::new(
            "invalid_input",
            "nothing to diagnose: give --code, --text, --status or --www-authenticate (for example --text \"Office 365 Credentials are not valid. Process Failed.\")",
            None,
        ));
    }
    let mut checks: Vec<CheckResult> = a
        .failed
        .iter()
        .map(|id| CheckResult {
            id: id.clone(),
            passed: false,
            saw: None,
        })
        .collect();
    checks.extend(a.passed.iter().map(|id| CheckResult {
        id: id.clone(),
        passed: true,
        saw: None,
    }));
    let req = TroubleshootRequest {
        code: a.code,
        text: a.text,
        http_status: a.status,
        www_authenticate: a.www_authenticate,
        remediation: None,
        checks,
        mailbox_ids: Vec::new(),
    };
    let Some(c) = card(&req) else {
        if a.json {
            super::print_json(&serde_json::json!({ "card": null }))?;
        } else {
            eprintln!("no troubleshooting entry matches this failure; use the log folder (see --help) and “Copy diagnostics” when you ask for help");
        }
        return Ok(exit::NOT_FOUND);
    };
    if a.json {
        super::print_json(&serde_json::json!({ "card": c }))?;
    } else {
        print!("{}", text(&c));
    }
    Ok(exit::OK)
}

/// The card as plain text, most likely cause first.
pub fn text(c: &Card) -> String {
    let mut out = format!(
        "{}\n  {}\n  entry: {} (matched by {}: {})\n\nCauses, most likely first:\n",
        c.title, c.symptom, c.entry_id, c.matched_by, c.matched
    );
    for cause in &c.causes {
        out.push_str(&format!(
            "  {}. {} [{}]\n",
            cause.rank,
            cause.text,
            cause.status.replace('_', " ")
        ));
        for check in &cause.checks {
            out.push_str(&format!(
                "       check {}: {}\n",
                check.id,
                check.outcome.replace('_', " ")
            ));
            if let Some(saw) = &check.saw {
                out.push_str(&format!("         saw: {saw}\n"));
            }
        }
    }
    out.push_str("\nFix:\n");
    if let Some(a) = &c.fix.action {
        out.push_str(&format!("  in the wizard: {} ({})\n", a.label, a.id));
    }
    for line in &c.fix.instructions {
        out.push_str(&format!("  - {line}\n"));
    }
    out.push_str(&format!("\nSource: {}\n", c.sources.join("; ")));
    out
}

/// Two lines for an error message on stderr: the most likely cause and the first fix.
pub fn hint(e: &ErrorPayload) -> Vec<String> {
    let Some(c) = card(&TroubleshootRequest::from(e)) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    if let Some(top) = c.causes.first() {
        lines.push(format!("  likely cause: {}", top.text));
    }
    if let Some(fix) = c.fix.instructions.first() {
        lines.push(format!("  fix: {fix}"));
    } else if let Some(a) = &c.fix.action {
        lines.push(format!("  fix: {} in the wizard", a.label));
    }
    lines
}
