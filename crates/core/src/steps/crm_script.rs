//! The CRM-server script: one PowerShell file the admin runs on a Dynamics 365 server, because the
//! deployment settings exist only in the CRM PowerShell snap-in (ms-api.md §5.3, §5.4, open
//! question 11). It (1) checks elevation, the snap-in, CertificateReconfiguration.ps1 in the Tools
//! folder and the service account; (2) runs CertificateReconfiguration.ps1 with the password asked
//! at a secure prompt; (3) sets ServerSettings; (4) sets the organization's S2STenantId; (5) writes
//! a JSON result file, which [`import_result`] turns into "done" or findings.
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use hybridsync_files::powershell;

use crate::{ErrorPayload, Finding, Severity};

/// The ACS / Entra authorization server principal (ms-api.md §5.4, D-EXO).
pub const AUTHORIZATION_SERVER_PRINCIPAL_ID: &str = "00000001-0000-0000-c000-000000000000";
/// S2SDefaultAuthorizationServerMetadataUrl, worldwide (ms-api.md §5.4).
pub const METADATA_URL_WORLDWIDE: &str =
    "https://accounts.accesscontrol.windows.net/metadata/json/1";
/// S2SDefaultAuthorizationServerMetadataUrl, GCC High (ms-api.md §5.4).
pub const METADATA_URL_GCC_HIGH: &str = "https://login.microsoftonline.us/metadata/json/1";
/// CertificateReconfiguration.ps1's default folder (ms-api.md §5.3, D-EXO).
pub const DEFAULT_TOOLS_FOLDER: &str = r"C:\Program Files\Microsoft Dynamics CRM\Tools";
/// ASSUMPTION (not in ms-api.md): the CRM server's install folder is in the registry value
/// `CRM_Server_InstallDir` under this key; the script falls back to [`DEFAULT_TOOLS_FOLDER`].
pub const INSTALL_DIR_REGISTRY_KEY: &str = r"HKLM:\SOFTWARE\Microsoft\MSCRM";
/// The result file's schema name.
pub const RESULT_SCHEMA: &str = "hybridsync-crm-script-result/1";
/// The parts, in the order the script runs them.
pub const PARTS: [&str; 4] = [
    "prerequisites",
    "certificate",
    "server_settings",
    "tenant_id",
];

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Cloud {
    Worldwide,
    GccHigh,
}

impl Cloud {
    pub fn metadata_url(self) -> &'static str {
        match self {
            Cloud::Worldwide => METADATA_URL_WORLDWIDE,
            Cloud::GccHigh => METADATA_URL_GCC_HIGH,
        }
    }

    pub fn parse(s: &str) -> Result<Cloud, ErrorPayload> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "worldwide" | "commercial" | "gcc" => Ok(Cloud::Worldwide),
            "gcc_high" | "gcchigh" | "usgov" => Ok(Cloud::GccHigh),
            other => Err(invalid(format!(
                "unknown cloud \"{other}\": use worldwide or gcc-high"
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Cloud::Worldwide => "worldwide",
            Cloud::GccHigh => "GCC High",
        }
    }
}

/// What goes into the script. Holds no secret: the PFX password is asked when it runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct ScriptRequest {
    pub cloud: Cloud,
    /// The .pfx's full path on the CRM server, e.g. `C:\s2s\Dynamics365-S2S.pfx`.
    pub certificate_file: String,
    /// The Asynchronous Processing Service's account, `DOMAIN\user` or `Network Service`.
    pub service_account: String,
    /// The organization's unique name.
    pub organization: String,
    /// The Microsoft 365 tenant ID (GUID).
    pub tenant_id: String,
    /// The certificate's thumbprint (40 hex digits), to confirm CRM registered the right one.
    pub thumbprint: String,
    pub subject: String,
}

fn invalid(message: String) -> ErrorPayload {
    ErrorPayload::new("invalid_input", message, Some("input.fix-value"))
}

/// Account names that are interactive administrators, never a service's account.
const ADMIN_NAMES: &[&str] = &[
    "administrator",
    "admin",
    "domain admins",
    "enterprise admins",
];

impl ScriptRequest {
    pub fn validate(&self) -> Result<(), ErrorPayload> {
        let no_control = |what: &str, v: &str| {
            if v.trim().is_empty() {
                return Err(invalid(format!("{what} is empty")));
            }
            match powershell::control_character(what, v) {
                Some(problem) => Err(invalid(problem)),
                None => Ok(()),
            }
        };
        no_control("the certificate file path", &self.certificate_file)?;
        if !self.certificate_file.to_ascii_lowercase().ends_with(".pfx")
            && !self.certificate_file.to_ascii_lowercase().ends_with(".p12")
        {
            return Err(invalid(format!(
                "the certificate file {} is not a .pfx: CertificateReconfiguration.ps1 needs the PFX with the private key (ms-api.md §5.3), not the .cer",
                self.certificate_file
            )));
        }
        no_control("the service account", &self.service_account)?;
        let account = self.service_account.trim();
        let user = account.rsplit('\\').next().unwrap_or(account);
        let user = user.split('@').next().unwrap_or(user).to_ascii_lowercase();
        if ADMIN_NAMES.contains(&user.as_str()) {
            return Err(invalid(format!(
                "{account} is an interactive administrator's account. Give the account the Microsoft Dynamics CRM Asynchronous Processing Service runs as (services.msc > Log On As): running CertificateReconfiguration.ps1 with an administrator's account breaks CRM"
            )));
        }
        if !account.eq_ignore_ascii_case("Network Service") {
            if let Some(problem) = powershell::account_issue(account) {
                return Err(invalid(format!("{problem}, or Network Service")));
            }
        }
        if self.organization.trim().is_empty()
            || !self
                .organization
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(invalid(format!(
                "the organization \"{}\" is not a unique name (letters, digits, underscores; Deployment Manager > Organizations)",
                self.organization
            )));
        }
        if !is_guid(&self.tenant_id) {
            return Err(invalid(format!(
                "the tenant ID \"{}\" is not a GUID",
                self.tenant_id
            )));
        }
        if self.thumbprint.len() != 40 || !self.thumbprint.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid(format!(
                "the thumbprint \"{}\" is not 40 hex digits",
                self.thumbprint
            )));
        }
        no_control("the subject", &self.subject)
    }
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A PowerShell single-quoted string literal (the one quoting of every generated script).
fn ps(v: &str) -> String {
    powershell::quote(v.trim())
}

/// The script, with CRLF line endings and a UTF-8 byte order mark (Windows PowerShell 5.1 reads
/// BOM-less files in the ANSI code page).
pub fn render(req: &ScriptRequest) -> Result<String, ErrorPayload> {
    req.validate()?;
    let text = TEMPLATE
        .replace("{{CLOUD_NAME}}", req.cloud.name())
        .replace("{{SUBJECT_COMMENT}}", &powershell::comment(&req.subject))
        .replace("{{CERTIFICATE_FILE}}", &ps(&req.certificate_file))
        .replace("{{SERVICE_ACCOUNT}}", &ps(&req.service_account))
        .replace("{{ORGANIZATION}}", &ps(&req.organization))
        .replace("{{TENANT_ID}}", &ps(&req.tenant_id.to_ascii_lowercase()))
        .replace("{{THUMBPRINT}}", &ps(&req.thumbprint.to_ascii_uppercase()))
        .replace("{{PRINCIPAL_ID}}", &ps(AUTHORIZATION_SERVER_PRINCIPAL_ID))
        .replace("{{METADATA_URL}}", &ps(req.cloud.metadata_url()))
        .replace("{{TOOLS_FOLDER}}", &ps(DEFAULT_TOOLS_FOLDER))
        .replace("{{REGISTRY_KEY}}", &ps(INSTALL_DIR_REGISTRY_KEY))
        .replace("{{SCHEMA}}", &ps(RESULT_SCHEMA));
    Ok(format!(
        "\u{feff}{}",
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    ))
}

const TEMPLATE: &str = include_str!("crm_script.ps1.in");

/// One part of the run as the result file records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct ScriptPart {
    pub name: String,
    pub ok: bool,
    #[serde(default)]
    pub skipped: bool,
    #[serde(default)]
    pub error: Option<String>,
}

/// The JSON file the script writes (step 5).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct ScriptResult {
    pub schema: String,
    #[serde(default)]
    pub computer: Option<String>,
    #[serde(default)]
    pub finished: Option<String>,
    /// The S2STokenIssuer certificate CRM holds after the run.
    #[serde(default)]
    pub thumbprint: Option<String>,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub metadata_url: Option<String>,
    pub parts: Vec<ScriptPart>,
}

/// What importing a result file concluded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct ImportReport {
    /// Every part ran and CRM holds the expected certificate: the step is done.
    pub done: bool,
    pub findings: Vec<Finding>,
    pub result: ScriptResult,
}

/// Reads a result file. Bad input is a clear error, never a panic.
pub fn parse_result(bytes: &[u8]) -> Result<ScriptResult, ErrorPayload> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let bad = |why: String| {
        ErrorPayload::new(
            "script_result_invalid",
            format!("this is not the result file the CRM-server script writes ({why}); pick hybridsync-crm-result.json from the folder the script ran in"),
            Some("input.fix-value"),
        )
    };
    let r: ScriptResult = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    if r.schema != RESULT_SCHEMA {
        return Err(bad(format!(
            "schema \"{}\", expected \"{RESULT_SCHEMA}\"",
            r.schema
        )));
    }
    if r.parts.is_empty() {
        return Err(bad("it lists no part".into()));
    }
    Ok(r)
}

/// Maps a failed part's error text to a finding: the seeds' messages through the knowledge base.
fn part_finding(part: &ScriptPart) -> Finding {
    let text = part.error.clone().unwrap_or_default();
    let kb = hybridsync_diagnosis::KnowledgeBase::load();
    let found = kb.diagnose(&hybridsync_diagnosis::Symptom::text(text.clone()));
    let entry = found.first().map(|d| d.entry);
    let code = match entry.map(|e| e.id.as_str()) {
        Some("hybrid-connector.missing") => "hybrid_connector_missing",
        Some("script.cer-path-invalid") => "crm_script_certificate_invalid",
        Some("script.o365-credentials-invalid") => "crm_script_credentials_invalid",
        _ => "crm_script_failed",
    };
    let message = match entry {
        Some(e) => format!(
            "the CRM-server script failed at {}: {} ({})",
            part.name,
            e.title,
            text.trim()
        ),
        None => format!(
            "the CRM-server script failed at {}: {}",
            part.name,
            text.trim()
        ),
    };
    let mut f = Finding::new(code, Severity::Error, message)
        .evidence(format!("part: {}", part.name))
        .evidence(format!("error: {}", text.trim()));
    if let Some(e) = entry {
        f = f.remediation(&e.id);
    }
    f
}

/// Turns a result into "done" or findings. `expected_thumbprint`: the certificate the wizard
/// uploaded; CRM must hold the same one.
pub fn import_result(result: ScriptResult, expected_thumbprint: Option<&str>) -> ImportReport {
    let mut findings: Vec<Finding> = result
        .parts
        .iter()
        .filter(|p| !p.ok && !p.skipped)
        .map(part_finding)
        .collect();
    for name in PARTS {
        if !result.parts.iter().any(|p| p.name == name) {
            findings.push(Finding::new(
                "crm_script_incomplete",
                Severity::Error,
                format!("the result file has no \"{name}\" part: the script stopped early or was edited; run it again"),
            ));
        }
    }
    let all_ok = PARTS
        .iter()
        .all(|n| result.parts.iter().any(|p| p.name == *n && p.ok));
    if all_ok {
        if let (Some(want), Some(got)) = (expected_thumbprint, result.thumbprint.as_deref()) {
            if !want.eq_ignore_ascii_case(got) {
                findings.push(
                    Finding::new(
                        "crm_certificate_mismatch",
                        Severity::Error,
                        format!("CRM now holds the certificate {got}, but the wizard uploaded {want} to the service principal; run the script with the same .pfx, or upload this certificate"),
                    )
                    .remediation("s2s.failed-authentication"),
                );
            }
        }
    }
    let done = all_ok && !findings.iter().any(|f| f.severity == Severity::Error);
    if done {
        findings.push(Finding::new(
            "crm_script_done",
            Severity::Info,
            format!(
                "the CRM server holds the S2S certificate {} and the S2S settings for {}",
                result.thumbprint.as_deref().unwrap_or("?"),
                result.organization.as_deref().unwrap_or("the organization")
            ),
        ));
    }
    ImportReport {
        done,
        findings,
        result,
    }
}
