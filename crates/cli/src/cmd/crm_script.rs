//! `hybridsync crm-script --out FILE …`: write the CRM-server PowerShell script; `hybridsync
//! crm-script import RESULT.json`: read the result file it wrote (done, or findings).
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hybridsync_certs::{write_atomic, FileAccess};
use hybridsync_core::steps::crm_script::{
    import_result, parse_result, render, Cloud, ScriptRequest,
};
use hybridsync_core::steps::trust::TrustCertificate;
use hybridsync_core::{ErrorPayload, Severity};

use crate::exit;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CrmScriptArgs {
    #[command(subcommand)]
    pub command: Option<CrmScriptCommand>,
    #[command(flatten)]
    pub generate: GenerateArgs,
}

#[derive(Subcommand)]
pub enum CrmScriptCommand {
    /// Read the result file the script wrote: the step is done, or its errors as findings.
    Import(ImportArgs),
}

#[derive(Args)]
pub struct GenerateArgs {
    /// Where to write the script (.ps1).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The certificate (.cer or .pfx) whose thumbprint CRM must end up with.
    #[arg(long)]
    pub certificate: Option<PathBuf>,
    /// Environment variable holding the PFX password, when --certificate is a .pfx (never written into the script).
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// The .pfx's full path on the CRM server, e.g. C:\s2s\Dynamics365-S2S.pfx.
    #[arg(long)]
    pub pfx_on_server: Option<String>,
    /// The Asynchronous Processing Service's account (DOMAIN\user), never an administrator's.
    #[arg(long)]
    pub service_account: Option<String>,
    /// The organization's unique name.
    #[arg(long)]
    pub organization: Option<String>,
    /// The Microsoft 365 tenant ID (hybridsync tenant lookup).
    #[arg(long)]
    pub tenant_id: Option<String>,
    /// worldwide or gcc-high.
    #[arg(long, default_value = "worldwide")]
    pub cloud: String,
}

#[derive(Args)]
pub struct ImportArgs {
    /// hybridsync-crm-result.json from the folder the script ran in.
    pub file: PathBuf,
    /// The certificate uploaded to the service principal: CRM must hold the same one.
    #[arg(long)]
    pub certificate: Option<PathBuf>,
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn missing(flag: &str) -> ErrorPayload {
    ErrorPayload::new(
        "invalid_input",
        format!("{flag} is required to generate the script"),
        None,
    )
}

fn certificate(path: &Path, var: Option<&str>) -> Result<TrustCertificate, ErrorPayload> {
    let password = match var {
        Some(v) => Some(std::env::var(v).map_err(|_| {
            ErrorPayload::new(
                "invalid_input",
                format!("the environment variable {v} is not set"),
                None,
            )
        })?),
        None => None,
    };
    let bytes =
        hybridsync_files::read_limited(path, hybridsync_files::MAX_SMALL_FILE).map_err(|e| {
            ErrorPayload::new(
                "file_unreadable",
                format!("cannot read {}: {e}", path.display()),
                None,
            )
        })?;
    TrustCertificate::from_file_bytes(&bytes, password.as_deref())
}

pub fn run(a: CrmScriptArgs) -> Result<u8, ErrorPayload> {
    match a.command {
        Some(CrmScriptCommand::Import(i)) => import(i),
        None => generate(a.generate),
    }
}

fn generate(g: GenerateArgs) -> Result<u8, ErrorPayload> {
    let out = g.out.clone().ok_or_else(|| missing("--out"))?;
    let cert_path = g
        .certificate
        .clone()
        .ok_or_else(|| missing("--certificate"))?;
    let cert = certificate(&cert_path, g.password_env.as_deref())?;
    let req = ScriptRequest {
        cloud: Cloud::parse(&g.cloud)?,
        certificate_file: g
            .pfx_on_server
            .clone()
            .ok_or_else(|| missing("--pfx-on-server"))?,
        service_account: g
            .service_account
            .clone()
            .ok_or_else(|| missing("--service-account"))?,
        organization: g
            .organization
            .clone()
            .ok_or_else(|| missing("--organization"))?,
        tenant_id: g.tenant_id.clone().ok_or_else(|| missing("--tenant-id"))?,
        thumbprint: cert.thumbprint.clone(),
        subject: cert.subject.clone(),
    };
    let text = render(&req)?;
    write_atomic(&out, text.as_bytes(), FileAccess::Public).map_err(|e| {
        ErrorPayload::new(
            "file_unwritable",
            format!("cannot write {}: {e}", out.display()),
            Some("files.check-permissions"),
        )
    })?;
    println!("Wrote {}", out.display());
    println!("Copy it and the .pfx to the CRM server, run it in an elevated Windows PowerShell, then: hybridsync crm-script import hybridsync-crm-result.json");
    Ok(exit::OK)
}

fn import(i: ImportArgs) -> Result<u8, ErrorPayload> {
    let bytes =
        hybridsync_files::read_limited(&i.file, hybridsync_files::MAX_SMALL_FILE).map_err(|e| {
            ErrorPayload::new(
                "file_unreadable",
                format!("cannot read {}: {e}", i.file.display()),
                None,
            )
        })?;
    let result = parse_result(&bytes)?;
    let expected = match &i.certificate {
        Some(p) => Some(certificate(p, i.password_env.as_deref())?.thumbprint),
        None => None,
    };
    let report = import_result(result, expected.as_deref());
    if i.json {
        super::print_json(&report)?;
    } else {
        for f in &report.findings {
            println!("{:?}: {}", f.severity, f.message);
            if let Some(r) = &f.remediation {
                println!("  (troubleshooting: {r}; code {})", f.code);
            }
        }
        println!(
            "{}",
            if report.done {
                "CRM-server step done."
            } else {
                "CRM-server step not done."
            }
        );
    }
    Ok(
        if report.done
            && !report
                .findings
                .iter()
                .any(|f| f.severity == Severity::Error)
        {
            exit::OK
        } else {
            exit::FINDINGS
        },
    )
}
