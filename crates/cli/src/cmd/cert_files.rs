//! `hybridsync cert new` and `hybridsync cert export`: make the S2S certificate and write it the
//! way Windows expects: Base-64 .cer with CRLF, DER .cer, and a .pfx in AES-256 or
//! TripleDES-SHA1 chosen from the CRM server's Windows version. Private-key files are 0600 and
//! every file is written atomically. A generated PFX password goes to the OS keychain and is
//! shown once.
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use hybridsync_certs::{
    cer_base64, cer_der, generate_password, generate_self_signed, open_pfx, write_atomic,
    write_pfx, FileAccess, KeySize, NewCertificate, PfxChoice, WindowsVersion,
};
use hybridsync_core::keychain::Keychain;
use hybridsync_core::ErrorPayload;
use hybridsync_files::{write_all_or_nothing, Member};
use hybridsync_microsoft::Secret;
use serde::Serialize;

use crate::exit;

#[derive(Clone, Copy, ValueEnum)]
pub enum WindowsServer {
    #[value(name = "2012")]
    S2012,
    #[value(name = "2012r2")]
    S2012R2,
    #[value(name = "2016")]
    S2016,
    #[value(name = "2019")]
    S2019,
    #[value(name = "2022")]
    S2022,
    #[value(name = "2025")]
    S2025,
    Unknown,
}

impl WindowsServer {
    fn version(self) -> WindowsVersion {
        match self {
            WindowsServer::S2012 => WindowsVersion::Server2012,
            WindowsServer::S2012R2 => WindowsVersion::Server2012R2,
            WindowsServer::S2016 => WindowsVersion::Server2016,
            WindowsServer::S2019 => WindowsVersion::Server2019,
            WindowsServer::S2022 => WindowsVersion::Server2022,
            WindowsServer::S2025 => WindowsVersion::Server2025,
            WindowsServer::Unknown => WindowsVersion::Unknown,
        }
    }
}

#[derive(Args)]
pub struct NewArgs {
    /// The certificate's common name (CN), e.g. Dynamics365-S2S-contoso.
    #[arg(long)]
    pub common_name: String,
    /// Organization (O=).
    #[arg(long)]
    pub organization: Option<String>,
    /// RSA key size in bits: 2048, 3072 or 4096.
    #[arg(long, default_value_t = 2048)]
    pub key_size: u32,
    /// Days of validity.
    #[arg(long, default_value_t = 730)]
    pub days: u32,
    /// Folder for <name>.pfx (with the private key, 0600) and <name>.cer (Base-64, CRLF).
    #[arg(long)]
    pub out_dir: PathBuf,
    /// File name without extension (default: the common name).
    #[arg(long)]
    pub name: Option<String>,
    /// The CRM server's Windows Server version: it decides the PFX encryption.
    #[arg(long, value_enum)]
    pub windows_server: WindowsServer,
    /// Take the PFX password from this environment variable instead of generating one (it is then not kept in the keychain).
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// Replace an existing <name>.pfx and <name>.cer (the old private key is lost).
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum ExportFormat {
    /// Base-64 encoded X.509 (.CER), CRLF line endings, no private key.
    Cer,
    /// DER encoded binary X.509 (.CER), no private key.
    Der,
    /// PKCS#12 with the private key, encrypted for --windows-server.
    Pfx,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The certificate file to export from (.pfx for a PFX export; any certificate file for .cer).
    pub file: PathBuf,
    #[arg(long = "to", value_enum)]
    pub format: ExportFormat,
    #[arg(long)]
    pub out: PathBuf,
    /// Environment variable holding the source PFX's password.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// PFX export: the CRM server's Windows Server version.
    #[arg(long, value_enum)]
    pub windows_server: Option<WindowsServer>,
    /// PFX export: take the new password from this environment variable instead of generating one.
    #[arg(long, value_name = "VAR")]
    pub new_password_env: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Written {
    thumbprint_sha1: String,
    subject: String,
    files: Vec<String>,
    pfx_encryption: Option<&'static str>,
    pfx_reason: Option<String>,
    /// Where the generated password is kept; the password itself only in human output, once.
    password_in_keychain: Option<String>,
}

fn env_password(var: &str) -> Result<String, ErrorPayload> {
    std::env::var(var).map_err(|_| {
        ErrorPayload::new(
            "invalid_input",
            format!("the environment variable {var} is not set; set it to the password"),
            None,
        )
    })
}

fn write(path: &Path, bytes: &[u8], access: FileAccess) -> Result<(), ErrorPayload> {
    write_atomic(path, bytes, access).map_err(|e| {
        ErrorPayload::new(
            "file_unwritable",
            format!("cannot write {}: {e}", path.display()),
            Some("files.check-permissions"),
        )
    })
}

fn cert_error(what: &Path, e: hybridsync_certs::CertError) -> ErrorPayload {
    ErrorPayload::new(
        "file_unreadable",
        format!("{}: {e}", what.display()),
        Some("certificate.choose"),
    )
}

fn encryption_name(c: &PfxChoice) -> &'static str {
    match c.encryption {
        hybridsync_certs::PfxEncryption::Aes256 => "AES-256-CBC with HMAC-SHA256",
        hybridsync_certs::PfxEncryption::TripleDesSha1 => {
            "TripleDES-SHA1 (pbeWithSHA1And3-KeyTripleDES-CBC, MAC SHA-1)"
        }
    }
}

/// The PFX password: from the environment, or generated, kept in the keychain (checked before
/// anything is written) and shown once.
fn pfx_password(var: Option<&str>) -> Result<(String, bool), ErrorPayload> {
    match var {
        Some(v) => Ok((env_password(v)?, false)),
        None => {
            Keychain::default().probe()?;
            Ok((generate_password(), true))
        }
    }
}

/// Keeps a generated PFX password once its file is written; when the keychain refuses, the
/// files it would open are removed (a PFX nobody can open is worse than none).
fn keep_or_remove(
    thumbprint: &str,
    password: &str,
    written: &[&Path],
) -> Result<String, ErrorPayload> {
    let keychain = Keychain::default();
    if let Err(e) = keychain.store_pfx_password(thumbprint, &Secret::new(password)) {
        for p in written {
            let _ = std::fs::remove_file(p);
        }
        return Err(e.into());
    }
    Ok(keychain.pfx_entry_name(thumbprint))
}

/// `cert new` never replaces a private key unless told to (`--force`).
fn refuse_existing(pfx: &Path, cer: &Path) -> Result<(), ErrorPayload> {
    for p in [pfx, cer] {
        if p.symlink_metadata().is_ok() {
            return Err(ErrorPayload::new(
                "file_exists",
                format!(
                    "{} already exists, so cert new stopped before making a new key: replacing it would lose the private key the CRM server may still use. Choose another --name or --out-dir, or pass --force to replace it",
                    p.display()
                ),
                Some("files.exists"),
            ));
        }
    }
    Ok(())
}

fn unwritable(path: &Path, e: &std::io::Error) -> ErrorPayload {
    ErrorPayload::new(
        "file_unwritable",
        format!("cannot write {}: {e}; nothing was written", path.display()),
        Some("files.check-permissions"),
    )
}

fn report(w: &Written, json: bool, shown_password: Option<&str>) -> Result<(), ErrorPayload> {
    if json {
        return super::print_json(w);
    }
    println!("Certificate  {}", w.subject);
    println!("Thumbprint   {}", w.thumbprint_sha1);
    for f in &w.files {
        println!("Wrote        {f}");
    }
    if let (Some(e), Some(r)) = (w.pfx_encryption, &w.pfx_reason) {
        println!("PFX          {e}: {r}");
    }
    if let (Some(p), Some(k)) = (shown_password, &w.password_in_keychain) {
        println!("PFX password {p}");
        println!("             (shown once; kept in the OS keychain as {k}; CertificateReconfiguration.ps1 asks for it)");
    }
    Ok(())
}

pub fn new(a: NewArgs) -> Result<u8, ErrorPayload> {
    let key_size = match a.key_size {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        other => {
            return Err(ErrorPayload::new("invalid_input", format!("--key-size {other} is not offered: use 2048, 3072 or 4096 (S2S needs RSA of at least 2048 bits)"), None))
        }
    };
    if a.days == 0 || a.days > 3650 {
        return Err(ErrorPayload::new(
            "invalid_input",
            format!("--days {} is out of range: give 1 to 3650", a.days),
            None,
        ));
    }
    let name = a.name.clone().unwrap_or_else(|| a.common_name.clone());
    if name.trim().is_empty() || name.contains(['/', '\\']) {
        return Err(ErrorPayload::new(
            "invalid_input",
            format!("\"{name}\" cannot be a file name: give --name without folders"),
            None,
        ));
    }
    let pfx_path = a.out_dir.join(format!("{name}.pfx"));
    let cer_path = a.out_dir.join(format!("{name}.cer"));
    if !a.force {
        refuse_existing(&pfx_path, &cer_path)?;
    }
    let (password, generated) = pfx_password(a.password_env.as_deref())?;
    let mut req = NewCertificate::new(a.common_name.trim());
    req.organization = a.organization.clone();
    req.key_size = key_size;
    req.valid_days = a.days;
    let cert = generate_self_signed(&req).map_err(|e| ErrorPayload::internal(e.to_string()))?;
    let choice = a.windows_server.version().pfx_choice();
    let pfx = write_pfx(
        &cert.certificate_der,
        &[],
        &cert.private_key_der,
        &password,
        choice.encryption,
    )
    .map_err(|e| ErrorPayload::internal(e.to_string()))?;
    let cer = cer_base64(&cert.certificate_der);
    write_all_or_nothing(&[
        Member {
            path: &pfx_path,
            bytes: &pfx,
            access: FileAccess::Private,
        },
        Member {
            path: &cer_path,
            bytes: cer.as_bytes(),
            access: FileAccess::Public,
        },
    ])
    .map_err(|e| unwritable(&e.path, &e.error))?;
    // The password is kept only once the PFX it opens is written.
    let kept = if generated {
        Some(keep_or_remove(
            &cert.thumbprint_sha1,
            &password,
            &[&pfx_path, &cer_path],
        )?)
    } else {
        None
    };
    let w = Written {
        thumbprint_sha1: cert.thumbprint_sha1.clone(),
        subject: format!("CN={}", a.common_name.trim()),
        files: vec![
            pfx_path.display().to_string(),
            cer_path.display().to_string(),
        ],
        pfx_encryption: Some(encryption_name(&choice)),
        pfx_reason: Some(choice.reason.clone()),
        password_in_keychain: kept.clone(),
    };
    report(&w, a.json, kept.as_ref().map(|_| password.as_str()))?;
    Ok(exit::OK)
}

pub fn export(a: ExportArgs) -> Result<u8, ErrorPayload> {
    let bytes =
        hybridsync_files::read_limited(&a.file, hybridsync_files::MAX_SMALL_FILE).map_err(|e| {
            ErrorPayload::new(
                "file_unreadable",
                format!("cannot read {}: {e}", a.file.display()),
                None,
            )
        })?;
    let password = a.password_env.as_deref().map(env_password).transpose()?;
    let found = hybridsync_certs::inspect_now(
        &bytes,
        a.file.file_name().and_then(|n| n.to_str()),
        password.as_deref(),
    )
    .map_err(|e| cert_error(&a.file, e))?;
    let der = hybridsync_certs::certificate_der(&bytes, password.as_deref())
        .map_err(|e| cert_error(&a.file, e))?;
    let mut w = Written {
        thumbprint_sha1: found.thumbprint_sha1.clone(),
        subject: found.subject.clone(),
        files: vec![a.out.display().to_string()],
        pfx_encryption: None,
        pfx_reason: None,
        password_in_keychain: None,
    };
    let mut shown = None;
    match a.format {
        ExportFormat::Cer => write(&a.out, cer_base64(&der).as_bytes(), FileAccess::Public)?,
        ExportFormat::Der => write(&a.out, &cer_der(&der), FileAccess::Public)?,
        ExportFormat::Pfx => {
            let Some(ws) = a.windows_server else {
                return Err(ErrorPayload::new(
                    "invalid_input",
                    "a PFX export needs --windows-server (2016, 2019, 2022, 2025 or unknown): Windows Server 2016 and older cannot import AES-256 PFX files",
                    None,
                ));
            };
            let no_key = || {
                ErrorPayload::new(
                    "file_unreadable",
                    format!("{} holds no private key, so no PFX can be made from it; export from the .pfx that holds the key", a.file.display()),
                    Some("certificate.choose"),
                )
            };
            if found.source_format != "pfx" || !found.has_private_key {
                return Err(no_key());
            }
            let contents =
                open_pfx(&bytes, password.as_deref()).map_err(|e| cert_error(&a.file, e))?;
            let Some(key) = contents.private_key_der.as_deref() else {
                return Err(ErrorPayload::new(
                    "file_unreadable",
                    format!("{} holds no private key, so no PFX can be made from it; export from the .pfx that holds the key", a.file.display()),
                    Some("certificate.choose"),
                ));
            };
            let (new_password, generated) = pfx_password(a.new_password_env.as_deref())?;
            let choice = ws.version().pfx_choice();
            let pfx = write_pfx(
                &contents.certificate_der,
                &contents.chain_der,
                key,
                &new_password,
                choice.encryption,
            )
            .map_err(|e| cert_error(&a.file, e))?;
            write(&a.out, &pfx, FileAccess::Private)?;
            if generated {
                w.password_in_keychain = Some(keep_or_remove(
                    &found.thumbprint_sha1,
                    &new_password,
                    &[&a.out],
                )?);
                shown = Some(new_password.clone());
            }
            w.pfx_encryption = Some(encryption_name(&choice));
            w.pfx_reason = Some(choice.reason);
        }
    }
    report(&w, a.json, shown.as_deref())?;
    Ok(exit::OK)
}
