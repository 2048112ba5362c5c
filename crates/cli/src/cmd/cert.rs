//! `hybridsync cert inspect FILE`: read a certificate file and check it for S2S trust.
use std::path::PathBuf;

use clap::{Args, Subcommand};
use hybridsync_certs::{inspect_now, Inspection, Severity};
use hybridsync_core::ErrorPayload;

use crate::exit;

#[derive(Subcommand)]
pub enum CertCommand {
    /// Read a .pfx/.p12 (AES, 3DES, RC2) or .cer/.crt/.pem (PEM or DER) file and check it for server-to-server trust.
    Inspect(InspectArgs),
    /// Generate a self-signed RSA certificate for evaluation: <name>.pfx (private key, 0600) and <name>.cer (Base-64).
    New(super::cert_files::NewArgs),
    /// Export a certificate as Base-64 .cer (CRLF), DER .cer, or a .pfx encrypted for the CRM server's Windows version.
    Export(super::cert_files::ExportArgs),
}

#[derive(Args)]
pub struct InspectArgs {
    /// The certificate file; its content decides the format, not its extension.
    pub file: PathBuf,
    /// Name of the environment variable that holds the PFX password (the password is never an argument).
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: CertCommand) -> Result<u8, ErrorPayload> {
    match cmd {
        CertCommand::Inspect(a) => inspect_file(a),
        CertCommand::New(a) => super::cert_files::new(a),
        CertCommand::Export(a) => super::cert_files::export(a),
    }
}

fn inspect_file(a: InspectArgs) -> Result<u8, ErrorPayload> {
    let password = match &a.password_env {
        Some(var) => Some(std::env::var(var).map_err(|_| {
            ErrorPayload::new(
                "invalid_input",
                format!("the environment variable {var} named by --password-env is not set; set it to the PFX password"),
                None,
            )
        })?),
        None => None,
    };
    let shown = a.file.display();
    let bytes =
        hybridsync_files::read_limited(&a.file, hybridsync_files::MAX_SMALL_FILE).map_err(|e| {
            ErrorPayload::new("file_unreadable", format!("cannot read {shown}: {e}"), None)
        })?;
    let hint = a.file.file_name().map(|n| n.to_string_lossy().into_owned());
    let found = inspect_now(&bytes, hint.as_deref(), password.as_deref())
        .map_err(|e| ErrorPayload::new("file_unreadable", format!("{shown}: {e}"), None))?;
    if a.json {
        super::print_json(&found)?;
    } else {
        print_human(&found);
    }
    Ok(if found.has_errors() {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

fn print_human(found: &Inspection) {
    println!("Subject      {}", found.subject);
    println!("Issuer       {}", found.issuer);
    println!("Thumbprint   {}", found.thumbprint_sha1);
    println!(
        "Valid        {} to {} ({} days left)",
        found.not_before, found.not_after, found.days_left
    );
    println!(
        "Key          {} {} bits",
        found.key_algorithm, found.key_bits
    );
    println!("Signature    {}", found.signature_algorithm);
    let key = match (found.has_private_key, found.private_key_matches) {
        (false, _) => "no",
        (true, Some(true)) => "yes, it matches the certificate",
        (true, Some(false)) => "yes, but it does NOT match the certificate",
        (true, None) => "yes",
    };
    println!("Private key  {key}");
    if let Some(enc) = &found.pfx_encryption {
        println!("PFX          {enc}");
    }
    if found.problems.is_empty() {
        println!("No problems found.");
    }
    for p in &found.problems {
        let label = if p.severity == Severity::Error {
            "Error"
        } else {
            "Warning"
        };
        println!("{label}: {}", p.message);
    }
}
