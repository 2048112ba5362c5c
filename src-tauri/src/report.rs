//! The run report of this window's session, exported as HTML, JSON or Markdown (issue 8).
use hybridsync_core::run_report::{build, ReportInput};
use hybridsync_core::ErrorPayload;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::session::Session;
use crate::state::AppState;
use crate::trust::TrustState;

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ReportRequest {
    /// "html", "json" or "md".
    pub format: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReportWritten {
    pub path: String,
    pub sha256: String,
    pub bytes: u32,
    pub steps: u32,
    pub changes: u32,
}

const TITLES: &[(&str, &str)] = &[
    ("domains", "Add and verify the domain"),
    (
        "trust",
        "Upload certificate to the Dynamics service principal",
    ),
    ("profile", "Email server profile"),
    ("defaults", "Organization defaults for server-side sync"),
    ("mailboxes", "Configure, approve and test mailboxes"),
];

#[tauri::command]
pub async fn report_export(
    handle: tauri::AppHandle,
    app: State<'_, AppState>,
    session: State<'_, Session>,
    trust: State<'_, TrustState>,
    request: ReportRequest,
) -> Result<ReportWritten, ErrorPayload> {
    let ext = match request.format.as_str() {
        "html" | "json" | "md" => request.format.clone(),
        other => {
            return Err(ErrorPayload::new(
                "invalid_input",
                format!("report format {other:?}: choose html, json or md"),
                None,
            ))
        }
    };
    let records = session.records()?;
    let mode = app.settings().mode;
    let practice = app.practice.lock().await;
    let tenant = practice
        .as_ref()
        .and_then(|r| r.sim.tenants().into_iter().next());
    let environment = hybridsync_report::Environment {
        hybridsync_version: env!("CARGO_PKG_VERSION").to_string(),
        os: std::env::consts::OS.to_string(),
        cloud: match mode {
            Some(crate::settings::Mode::Practice) => "practice tenant (simulated)".into(),
            // From the saved sign-in's authority (connected_to).
            _ => String::new(),
        },
        tenant_id: tenant.as_ref().map(|t| t.id.clone()),
        tenant_domain: tenant.as_ref().map(|t| t.default_domain().to_string()),
        ..Default::default()
    };
    drop(practice);
    let mut report = build(ReportInput {
        title: "Hybrid Sync Wizard session".into(),
        run_id: "wizard-session".into(),
        environment,
        records: &records,
        outcomes: &[],
        titles: TITLES,
    });
    add_observations(&mut report, &session, &trust).await;
    let filter: (&str, &[&str]) = match ext.as_str() {
        "html" => ("Report (HTML)", &["html"]),
        "json" => ("Report (JSON)", &["json"]),
        _ => ("Report (Markdown)", &["md"]),
    };
    let path =
        crate::save_dialog::choose(&handle, &format!("hybridsync-report.{ext}"), filter).await?;
    let w = hybridsync_report::write_report(&report, &path).map_err(|e| {
        ErrorPayload::new(
            "file_unwritable",
            e.to_string(),
            Some("files.check-permissions"),
        )
    })?;
    Ok(ReportWritten {
        path: w.path.display().to_string(),
        sha256: w.sha256,
        bytes: w.bytes as u32,
        steps: report.steps.len() as u32,
        changes: report.steps.iter().map(|s| s.changes.len() as u32).sum(),
    })
}

/// What the window saw beside its changes: who signed in and the CRM organization connected to
/// (its version), the troubleshooting cards shown, the mailbox table of the connected organization
/// (read now), and the certificate made in this window. A mailbox table that cannot be read is a
/// finding of the report, not a failed export.
async fn add_observations(
    report: &mut hybridsync_report::RunReport,
    session: &Session,
    trust: &TrustState,
) {
    let saved = hybridsync_core::steps::signin::load_saved().ok().flatten();
    let server = crate::dynamics::connected_server().await;
    hybridsync_core::run_report::connected_to(
        report,
        saved.as_ref(),
        server.as_ref().map(|(url, info)| (url.as_str(), info)),
    );
    report.findings.extend(session.cards());
    if let Some(client) = crate::dynamics::connected().await {
        match hybridsync_core::mailbox_table::read(&client, &Default::default()).await {
            Ok(rows) => report.mailboxes = rows,
            Err(e) => report.findings.push(hybridsync_report::FindingRecord {
                step: Some("mailboxes".into()),
                code: e.code.clone(),
                severity: hybridsync_report::Severity::Warning,
                message: format!(
                    "The mailbox table could not be read for this report: {}",
                    e.message
                ),
                evidence: Vec::new(),
                remediation: None,
            }),
        }
    }
    if let Some(c) = trust.certificate() {
        report
            .certificates
            .push(hybridsync_report::CertificateRecord {
            role:
                "S2S certificate made in this session (CRM server and Dynamics service principal)"
                    .into(),
            subject: c.subject,
            thumbprint: Some(c.thumbprint),
            not_before: c.not_before,
            not_after: c.not_after,
        });
    }
}
