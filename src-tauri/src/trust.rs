//! Certificate, Entra trust and CRM-script commands: a few lines each over hybridsync-core. The
//! generated certificate's private key stays in memory until it is exported to a PFX (0600).
use std::path::Path;
use std::sync::{Arc, Mutex};

use hybridsync_certs::{
    cer_base64, cer_der, generate_password, generate_self_signed, write_atomic, write_pfx,
    FileAccess, GeneratedCertificate, KeySize, NewCertificate, WindowsVersion,
};
use hybridsync_core::checks::CrmFacts;
use hybridsync_core::keychain::Keychain;
use hybridsync_core::steps::cert_health::{expiry_finding, Holder};
use hybridsync_core::steps::crm_script::{self, Cloud, ImportReport, ScriptRequest};
use hybridsync_core::steps::signin;
use hybridsync_core::steps::trust::{TrustCertificate, TrustFacts, TrustStep};
use hybridsync_core::{engine, Change, ErrorPayload, Finding, Step, StepContext};
use hybridsync_microsoft::Secret;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::save_dialog::choose;

use hybridsync_core::steps::trust::SCOPES as TRUST_SCOPES;

#[derive(Default)]
pub struct TrustState {
    certificate: Mutex<Option<GeneratedCertificate>>,
    /// What the CRM server holds, from the last imported script result.
    crm: Mutex<Option<CrmFacts>>,
}

impl TrustState {
    pub fn crm_facts(&self) -> Option<CrmFacts> {
        self.crm.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The certificate made in this window (public part only), for the report's certificate dates.
    pub fn certificate(&self) -> Option<TrustCertificate> {
        let held = self
            .certificate
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()?;
        trust_certificate(&held).ok()
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct GenerateCertificateRequest {
    pub common_name: String,
    /// 2048, 3072 or 4096.
    pub key_size: u32,
    pub valid_days: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CertificateSummary {
    pub subject: String,
    pub thumbprint_sha1: String,
    pub not_before: String,
    pub not_after: String,
    pub days_left: i64,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ExportRequest {
    /// `cer` (Base-64, CRLF), `der` or `pfx`.
    pub format: String,
    /// `2016`, `2019`, `2022`, `2025` or `unknown` (PFX only).
    pub windows_server: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportReport {
    pub path: String,
    pub pfx_encryption: Option<String>,
    pub pfx_reason: Option<String>,
    /// The generated PFX password, shown once (it is kept in the OS keychain).
    pub password: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TrustPlanReport {
    pub facts: TrustFacts,
    pub findings: Vec<Finding>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CrmScriptInput {
    pub cloud: Cloud,
    pub certificate_file: String,
    pub service_account: String,
    pub organization: String,
    pub tenant_id: String,
}

fn held(state: &TrustState) -> Result<GeneratedCertificate, ErrorPayload> {
    state
        .certificate
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .ok_or_else(|| {
            ErrorPayload::new(
                "no_certificate",
                "no certificate yet: generate one on the Certificate page first",
                Some("certificate.choose"),
            )
        })
}

fn trust_certificate(c: &GeneratedCertificate) -> Result<TrustCertificate, ErrorPayload> {
    TrustCertificate::from_file_bytes(cer_base64(&c.certificate_der).as_bytes(), None)
}

/// Where a file goes: the test hook, else the Documents folder's hybridsync folder.
fn write(path: &Path, bytes: &[u8], access: FileAccess) -> Result<(), ErrorPayload> {
    write_atomic(path, bytes, access).map_err(|e| {
        ErrorPayload::new(
            "file_unwritable",
            format!("cannot write {}: {e}", path.display()),
            Some("files.check-permissions"),
        )
    })
}

#[tauri::command]
pub async fn cert_generate(
    state: State<'_, TrustState>,
    request: GenerateCertificateRequest,
) -> Result<CertificateSummary, ErrorPayload> {
    let key_size = match request.key_size {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        other => {
            return Err(ErrorPayload::new(
                "invalid_input",
                format!("RSA {other} is not offered: choose 2048, 3072 or 4096"),
                None,
            ))
        }
    };
    if request.common_name.trim().is_empty() || request.valid_days == 0 || request.valid_days > 3650
    {
        return Err(ErrorPayload::new(
            "invalid_input",
            "give a common name and 1 to 3650 days of validity",
            None,
        ));
    }
    let mut req = NewCertificate::new(request.common_name.trim());
    req.key_size = key_size;
    req.valid_days = request.valid_days;
    let generated =
        generate_self_signed(&req).map_err(|e| ErrorPayload::internal(e.to_string()))?;
    let tc = trust_certificate(&generated)?;
    let now = time::OffsetDateTime::now_utc();
    let stamp = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let summary = CertificateSummary {
        subject: tc.subject.clone(),
        thumbprint_sha1: tc.thumbprint.clone(),
        not_before: stamp(tc.not_before),
        not_after: stamp(tc.not_after),
        days_left: (tc.not_after - now).whole_days(),
        findings: expiry_finding(Holder::Local, "The certificate", tc.not_after, now)
            .into_iter()
            .collect(),
    };
    *state.certificate.lock().unwrap_or_else(|e| e.into_inner()) = Some(generated);
    Ok(summary)
}

fn windows(v: Option<&str>) -> Result<WindowsVersion, ErrorPayload> {
    Ok(match v.unwrap_or("unknown") {
        "2012" => WindowsVersion::Server2012,
        "2012r2" => WindowsVersion::Server2012R2,
        "2016" => WindowsVersion::Server2016,
        "2019" => WindowsVersion::Server2019,
        "2022" => WindowsVersion::Server2022,
        "2025" => WindowsVersion::Server2025,
        "unknown" => WindowsVersion::Unknown,
        other => {
            return Err(ErrorPayload::new(
                "invalid_input",
                format!("unknown Windows Server version {other}"),
                None,
            ))
        }
    })
}

#[tauri::command]
pub async fn cert_export(
    app: tauri::AppHandle,
    state: State<'_, TrustState>,
    request: ExportRequest,
) -> Result<ExportReport, ErrorPayload> {
    let c = held(&state)?;
    let mut report = ExportReport {
        path: String::new(),
        pfx_encryption: None,
        pfx_reason: None,
        password: None,
    };
    let path = match request.format.as_str() {
        "cer" => {
            let p = choose(
                &app,
                "Dynamics365-S2S.cer",
                ("Certificate (Base-64)", &["cer"]),
            )
            .await?;
            write(
                &p,
                cer_base64(&c.certificate_der).as_bytes(),
                FileAccess::Public,
            )?;
            p
        }
        "der" => {
            let p = choose(
                &app,
                "Dynamics365-S2S-der.cer",
                ("Certificate (DER)", &["cer"]),
            )
            .await?;
            write(&p, &cer_der(&c.certificate_der), FileAccess::Public)?;
            p
        }
        "pfx" => {
            let choice = windows(request.windows_server.as_deref())?.pfx_choice();
            let keychain = Keychain::default();
            keychain.probe()?;
            let password = generate_password();
            let pfx = write_pfx(
                &c.certificate_der,
                &[],
                &c.private_key_der,
                &password,
                choice.encryption,
            )
            .map_err(|e| ErrorPayload::internal(e.to_string()))?;
            let p = choose(&app, "Dynamics365-S2S.pfx", ("PKCS #12", &["pfx"])).await?;
            write(&p, &pfx, FileAccess::Private)?;
            // The password is kept only once the file it opens exists (a cancelled save keeps none);
            // a PFX whose password could not be kept is removed rather than left unopenable.
            if let Err(e) =
                keychain.store_pfx_password(&c.thumbprint_sha1, &Secret::new(password.clone()))
            {
                let _ = std::fs::remove_file(&p);
                return Err(e.into());
            }
            report.pfx_encryption = Some(format!("{:?}", choice.encryption));
            report.pfx_reason = Some(choice.reason);
            report.password = Some(password);
            p
        }
        other => {
            return Err(ErrorPayload::new(
                "invalid_input",
                format!("unknown export format {other}: cer, der or pfx"),
                None,
            ))
        }
    };
    report.path = path.display().to_string();
    Ok(report)
}

async fn step(state: &TrustState) -> Result<TrustStep, ErrorPayload> {
    let certificate = trust_certificate(&held(state)?)?;
    let (_saved, graph) = signin::resume(&Keychain::default(), TRUST_SCOPES).await?;
    Ok(TrustStep {
        graph: Arc::new(graph),
        certificate,
        crm_domain: None,
    })
}

#[tauri::command]
pub async fn trust_plan(state: State<'_, TrustState>) -> Result<TrustPlanReport, ErrorPayload> {
    let step = step(&state).await?;
    let ctx = StepContext::new(hybridsync_core::EventSink::none());
    let seen = step.check(&ctx).await?;
    let changes = step.plan(&ctx, &seen).await?;
    let facts = serde_json::from_value(seen.facts.clone())
        .map_err(|e| ErrorPayload::internal(e.to_string()))?;
    Ok(TrustPlanReport {
        facts,
        findings: seen.findings,
        changes,
    })
}

#[tauri::command]
pub async fn trust_apply(
    state: State<'_, TrustState>,
    session: State<'_, crate::session::Session>,
) -> Result<Vec<Change>, ErrorPayload> {
    let step = step(&state).await?;
    let ctx = StepContext::new(hybridsync_core::EventSink::none());
    // One journal per apply, in this window's session folder (the run report reads them all).
    let path = session.next_journal("trust");
    let mut journal = hybridsync_core::journal::Journal::open(&path)?;
    let out = engine::run(&[&step as &dyn Step], &ctx, &mut journal).await?;
    Ok(out.into_iter().flat_map(|o| o.applied).collect())
}

#[tauri::command]
pub async fn crm_script_save(
    app: tauri::AppHandle,
    state: State<'_, TrustState>,
    input: CrmScriptInput,
) -> Result<String, ErrorPayload> {
    let tc = trust_certificate(&held(&state)?)?;
    let text = crm_script::render(&ScriptRequest {
        cloud: input.cloud,
        certificate_file: input.certificate_file,
        service_account: input.service_account,
        organization: input.organization,
        tenant_id: input.tenant_id,
        thumbprint: tc.thumbprint,
        subject: tc.subject,
    })?;
    let p = choose(
        &app,
        "hybridsync-crm-script.ps1",
        ("PowerShell script", &["ps1"]),
    )
    .await?;
    write(&p, text.as_bytes(), FileAccess::Public)?;
    Ok(p.display().to_string())
}

/// Imports a result file: `path` from the UI's file field (the test hook fills it).
#[tauri::command]
pub async fn crm_script_import(
    state: State<'_, TrustState>,
    path: String,
) -> Result<ImportReport, ErrorPayload> {
    let bytes = hybridsync_files::read_limited(
        std::path::Path::new(&path),
        hybridsync_files::MAX_SMALL_FILE,
    )
    .map_err(|e| ErrorPayload::new("file_unreadable", format!("cannot read {path}: {e}"), None))?;
    let result = crm_script::parse_result(&bytes)?;
    *state.crm.lock().unwrap_or_else(|e| e.into_inner()) = Some(CrmFacts::from_result(&result));
    let expected = held(&state).ok().map(|c| c.thumbprint_sha1);
    Ok(crm_script::import_result(result, expected.as_deref()))
}
