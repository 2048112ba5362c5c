//! The practice CRM deployment: what the generated CRM-server script changes on a real server
//! (the S2STokenIssuer certificate from CertificateReconfiguration.ps1, ServerSettings, the
//! organization's S2STenantId; ms-api.md §5.3, §5.4). Microsoft has no HTTP API for these (§5.4,
//! open question 11), so the demo "runs" the script through a practice-only route outside
//! Microsoft's paths: `POST /_practice/crm/run-script`, which answers with the result file the
//! script writes, and `GET /_practice/crm/state`.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha1::{Digest, Sha1};

use crate::server::AppState;
use crate::state::lock;

/// What the CRM deployment holds after the script ran.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CrmDeploymentState {
    /// Thumbprint (upper-case hex SHA-1) of the S2STokenIssuer certificate (Get-CrmCertificate).
    pub certificate_thumbprint: Option<String>,
    /// The account granted read on the private key (-serviceAccount).
    pub service_account: Option<String>,
    /// ServerSettings (ms-api.md §5.4).
    pub server_settings: BTreeMap<String, String>,
    /// Organization unique name → S2STenantId.
    pub s2s_tenant_ids: BTreeMap<String, String>,
}

/// The practice CRM deployment and a failure to play back (the seeds' errors).
#[derive(Debug, Default)]
pub struct CrmDeployment {
    state: Mutex<CrmDeploymentState>,
    /// `(part, error text)`: the next script run fails at that part with that text.
    failure: Mutex<Option<(String, String)>>,
}

impl CrmDeployment {
    pub fn state(&self) -> CrmDeploymentState {
        lock(&self.state).clone()
    }

    /// Makes the next script runs fail at `part` (`prerequisites`, `certificate`,
    /// `server_settings`, `tenant_id`) with `error`, as a real server would print it.
    pub fn fail_script_with(&self, part: &str, error: &str) {
        *lock(&self.failure) = Some((part.to_string(), error.to_string()));
    }

    pub fn clear_failure(&self) {
        *lock(&self.failure) = None;
    }

    /// Replaces what the deployment holds (a scenario's starting point, e.g. an old certificate).
    pub fn set_state(&self, state: CrmDeploymentState) {
        *lock(&self.state) = state;
    }
}

/// How the CRM deployment's certificate stands on the service principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStanding {
    /// No keyCredential carries the certificate.
    Missing,
    /// A keyCredential carries it and is valid now.
    Valid,
    /// A keyCredential carries it but its validity has ended or not begun.
    OutsideValidity,
}

/// Whether `thumbprint` (hex SHA-1 of the DER) is among `sp`'s keys, and valid at `now`. A key
/// matches by its customKeyIdentifier (the thumbprint, ms-api.md §5.6) or the SHA-1 of its bytes.
pub fn key_standing(
    sp: &crate::ServicePrincipal,
    thumbprint: &str,
    now: time::OffsetDateTime,
) -> KeyStanding {
    let matches = |k: &&crate::StoredKey| {
        k.custom_key_identifier.eq_ignore_ascii_case(thumbprint)
            || base64::engine::general_purpose::STANDARD
                .decode(&k.key)
                .map(|der| hex_sha1(&der).eq_ignore_ascii_case(thumbprint))
                .unwrap_or(false)
    };
    let mut found = sp.key_credentials.iter().filter(matches).peekable();
    if found.peek().is_none() {
        return KeyStanding::Missing;
    }
    if found.any(|k| k.start <= now && now < k.end) {
        KeyStanding::Valid
    } else {
        KeyStanding::OutsideValidity
    }
}

fn hex_sha1(der: &[u8]) -> String {
    Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

impl crate::Sim {
    /// The Dynamics deployment's facts with what the wizard changed joined in (the outcome of a
    /// Test & Enable is computed from this):
    /// - once the CRM deployment holds an S2S certificate (the script ran), it counts as on the
    ///   service principal only when a keyCredential of the Exchange tenant's `00000007-…`
    ///   principal carries it, and as expired when that key is outside its validity (ms-api.md
    ///   §5.5, §7 D-EXO). Before that, the scenario's `crm_certificate_on_service_principal` and
    ///   `crm_certificate_expired` stand (a deployment set up before the wizard).
    /// - once the script ran, the organization's S2STenantId is the one it set, if any (ms-api.md §5.4).
    /// - the Hybrid Connector is read from the Exchange tenant's subscriptions (seed 002).
    pub fn effective_deployment(&self) -> crate::Deployment {
        let mut d = self.dynamics.deployment();
        let crm = self.crm.state();
        if let Some(thumbprint) = &crm.certificate_thumbprint {
            let sp = self.service_principals.crm(&d.exchange_tenant_id);
            let standing = key_standing(&sp, thumbprint, time::OffsetDateTime::now_utc());
            d.crm_certificate_on_service_principal = standing != KeyStanding::Missing;
            d.crm_certificate_expired = standing == KeyStanding::OutsideValidity;
        }
        if crm.certificate_thumbprint.is_some() {
            // The script ran: the organization's S2STenantId is what it set (none if that part failed).
            d.s2s_tenant_id = crm
                .s2s_tenant_ids
                .get(crate::dynamics::PRACTICE_ORG)
                .cloned();
        }
        d.hybrid_connector = self.skus.has_hybrid_connector(&d.exchange_tenant_id);
        d
    }

    /// The CRM deployment as `Get-CrmSetting` would show it: the script's values; before the script
    /// ever ran, the practice organization's S2STenantId from the deployment's facts.
    pub fn crm_view(&self) -> CrmDeploymentState {
        let mut s = self.crm.state();
        if s.certificate_thumbprint.is_none()
            && !s.s2s_tenant_ids.contains_key(crate::dynamics::PRACTICE_ORG)
        {
            if let Some(t) = self.dynamics.deployment().s2s_tenant_id {
                s.s2s_tenant_ids
                    .insert(crate::dynamics::PRACTICE_ORG.to_string(), t);
            }
        }
        s
    }
}

/// What the admin fed the script (the values the generated file holds; no password, which the
/// script asks for at a secure prompt).
#[derive(Debug, Deserialize)]
pub struct ScriptRun {
    /// Base-64 of the DER certificate in the .pfx the script imports.
    pub certificate: String,
    pub service_account: String,
    pub organization: String,
    pub tenant_id: String,
    pub principal_id: String,
    pub metadata_url: String,
}

/// Seed 002: what the script prints when the tenant has no Hybrid Connector.
pub const NO_HYBRID_CONNECTOR_OUTPUT: &str =
    "You cannot call a method on a null-valued expression. Process Failed.";

/// The parts of the script, in order (the result file lists them so).
pub const PARTS: [&str; 4] = [
    "prerequisites",
    "certificate",
    "server_settings",
    "tenant_id",
];

// Practice only (no Microsoft path): "runs" the generated script against the practice CRM
// deployment and answers with the JSON result file the script writes.
pub(crate) async fn run_script(
    State(app): State<Arc<AppState>>,
    Json(run): Json<ScriptRun>,
) -> Response {
    let Ok(der) = base64::engine::general_purpose::STANDARD.decode(run.certificate.trim()) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "certificate is not base64 of a DER certificate"})),
        )
            .into_response();
    };
    let thumbprint = hex_sha1(&der);
    let crm = &app.sim.crm;
    let failure = lock(&crm.failure).clone();
    let mut parts = Vec::new();
    let mut failed = false;
    for part in PARTS {
        if failed {
            parts.push(json!({"name": part, "ok": false, "skipped": true, "error": null}));
            continue;
        }
        if let Some((p, e)) = &failure {
            if p == part {
                failed = true;
                parts.push(json!({"name": part, "ok": false, "skipped": false, "error": e}));
                continue;
            }
        }
        if part == "tenant_id" && !app.sim.skus.has_hybrid_connector(&run.tenant_id) {
            // Seed 002: without the Hybrid Connector, setting the tenant ID fails with this output.
            failed = true;
            parts.push(json!({"name": part, "ok": false, "skipped": false, "error": NO_HYBRID_CONNECTOR_OUTPUT}));
            continue;
        }
        let mut s = lock(&crm.state);
        match part {
            "certificate" => {
                s.certificate_thumbprint = Some(thumbprint.clone());
                s.service_account = Some(run.service_account.clone());
            }
            "server_settings" => {
                s.server_settings.insert(
                    "S2SDefaultAuthorizationServerPrincipalId".into(),
                    run.principal_id.clone(),
                );
                s.server_settings.insert(
                    "S2SDefaultAuthorizationServerMetadataUrl".into(),
                    run.metadata_url.clone(),
                );
            }
            "tenant_id" => {
                s.s2s_tenant_ids
                    .insert(run.organization.clone(), run.tenant_id.clone());
            }
            _ => {}
        }
        parts.push(json!({"name": part, "ok": true, "skipped": false, "error": null}));
    }
    Json(json!({
        "schema": "hybridsync-crm-script-result/1",
        "computer": "CRM01 (practice)",
        "finished": time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "thumbprint": thumbprint,
        "organization": run.organization,
        "tenant_id": run.tenant_id,
        "metadata_url": run.metadata_url,
        "parts": parts,
    }))
    .into_response()
}

// Practice only: the CRM deployment as later steps see it (Get-CrmSetting / Get-CrmCertificate).
pub(crate) async fn state(State(app): State<Arc<AppState>>) -> Response {
    Json(app.sim.crm_view()).into_response()
}
