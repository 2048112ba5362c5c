//! `hybridsync directory scan (--ldif FILE | --csv FILE | --ldap URL …) [--json]`:
//! checks a directory export, or the directory itself over LDAP, against
//! Microsoft's directory-synchronization rules (the successor to IdFix).
//! Read-only: it never writes to the directory.
use std::fs::File;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Subcommand};
use hybridsync_core::ErrorPayload;
use hybridsync_directory::{scan_csv, scan_ldif, ReadError, RuleOptions, ScanReport, Severity};

use crate::exit;

#[derive(Subcommand)]
pub enum DirectoryCommand {
    /// Check an LDIF or CSV export of Active Directory against Microsoft's directory-synchronization rules.
    Scan(ScanArgs),
    /// Write a PowerShell fix script (Set-ADUser / Set-ADObject) for the suggested values, and its undo script.
    FixScript(super::directory_fix::FixScriptArgs),
    /// Keep a directory bind password in the OS keychain, for `scan --ldap … --password-keychain`.
    SavePassword(SavePasswordArgs),
}

#[derive(Args)]
#[command(group(ArgGroup::new("source").required(true).args(["ldif", "csv", "ldap"])))]
pub struct ScanArgs {
    /// An LDIF export, as `ldifde -f FILE` writes it.
    #[arg(long, value_name = "FILE")]
    pub ldif: Option<PathBuf>,
    /// A CSV export, as `Get-ADUser … | Export-Csv` writes it (join multi-valued attributes with ';').
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Read the directory itself: ldaps://DC[:636], a global catalog ldaps://DC:3269, or ldap://DC[:389|:3268] (StartTLS).
    #[arg(long, value_name = "URL", requires_all = ["bind_dn", "base"])]
    pub ldap: Option<String>,
    /// With --ldap: the account to bind as (a DN or user@domain); read access is enough.
    #[arg(long, value_name = "DN")]
    pub bind_dn: Option<String>,
    /// With --ldap: the name of an environment variable holding the bind password.
    #[arg(long, value_name = "VAR", conflicts_with = "password_keychain")]
    pub password_env: Option<String>,
    /// With --ldap: take the bind password from the OS keychain (kept there by `directory save-password`).
    #[arg(long)]
    pub password_keychain: bool,
    /// With --ldap: the search base, e.g. DC=contoso,DC=local.
    #[arg(long, value_name = "DN")]
    pub base: Option<String>,
    /// With --ldap: an LDAP filter (default: users, contacts and groups).
    #[arg(long, value_name = "FILTER")]
    pub filter: Option<String>,
    /// With --ldap: a PEM file of the CA that issued the directory server's certificate (trusted in addition to the system's).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// With --ldap: entries per page of the paged search.
    #[arg(long, value_name = "N", default_value_t = hybridsync_directory::ldap::DEFAULT_PAGE_SIZE)]
    pub page_size: u32,
    /// Suggest this domain in place of non-routable UPN suffixes (contoso.local → contoso.com).
    #[arg(long, value_name = "DOMAIN")]
    pub upn_suffix: Option<String>,
    /// The tenant's domains as saved from Graph (GET /v1.0/domains): adds the UPN suffix table (verified / unverified / not added / non-routable).
    #[arg(long, value_name = "FILE")]
    pub tenant_domains: Option<PathBuf>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SavePasswordArgs {
    /// The bind account (a DN or user@domain).
    #[arg(long, value_name = "DN")]
    pub bind_dn: String,
    /// The name of an environment variable holding the password to keep.
    #[arg(long, value_name = "VAR")]
    pub password_env: String,
}

pub fn run(cmd: DirectoryCommand) -> Result<u8, ErrorPayload> {
    match cmd {
        DirectoryCommand::Scan(a) if a.ldap.is_some() => super::directory_ldap::scan(a),
        DirectoryCommand::Scan(a) => scan(a),
        DirectoryCommand::FixScript(a) => super::directory_fix::fix_script(a),
        DirectoryCommand::SavePassword(a) => super::directory_ldap::save_password(a),
    }
}

/// The rules' options, `--upn-suffix` checked before anything is read.
pub(crate) fn rule_options(upn_suffix: Option<&str>) -> Result<RuleOptions, ErrorPayload> {
    let upn_suffix_replacement = upn_suffix
        .map(hybridsync_directory::domain::replacement_suffix)
        .transpose()
        .map_err(|m| ErrorPayload::new("invalid_input", m, Some("input.fix-value")))?;
    Ok(RuleOptions {
        upn_suffix_replacement,
    })
}

fn unreadable(path: &Path, e: ReadError) -> ErrorPayload {
    ErrorPayload::new(
        "file_unreadable",
        format!("{}: line {}: {}", path.display(), e.line, e.message),
        None,
    )
}

fn scan(a: ScanArgs) -> Result<u8, ErrorPayload> {
    let opts = rule_options(a.upn_suffix.as_deref())?;
    let (path, is_ldif) = match (&a.ldif, &a.csv) {
        (Some(p), _) => (p.as_path(), true),
        (None, Some(p)) => (p.as_path(), false),
        (None, None) => {
            return Err(ErrorPayload::new(
                "invalid_input",
                "give --ldif FILE or --csv FILE",
                None,
            ))
        }
    };
    let file = File::open(path).map_err(|e| {
        ErrorPayload::new(
            "file_unreadable",
            format!("{}: cannot open: {e}", path.display()),
            None,
        )
    })?;
    tracing::info!(path = %path.display(), ldif = is_ldif, "directory scan");
    let report = if is_ldif {
        scan_ldif(file, opts)
    } else {
        scan_csv(file, opts)
    }
    .map_err(|e| unreadable(path, e))?;
    emit(&report, &a, None)?;
    Ok(if report.findings.is_empty() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}

#[derive(serde::Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    report: &'a ScanReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    suffix_table: Option<Vec<hybridsync_directory::SuffixRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ldap: Option<&'a hybridsync_directory::ldap::LdapStats>,
}

/// Print a scan (JSON or human), with the UPN suffix table when the
/// tenant's domains were given.
pub(crate) fn emit(
    report: &ScanReport,
    a: &ScanArgs,
    ldap: Option<&hybridsync_directory::ldap::LdapStats>,
) -> Result<(), ErrorPayload> {
    let table = match &a.tenant_domains {
        Some(p) => Some(report.suffix_table(&super::directory_fix::tenant_domains(p)?)),
        None => None,
    };
    if a.json {
        super::print_json(&Output {
            report,
            suffix_table: table,
            ldap,
        })
    } else {
        print_human(report);
        if let Some(t) = &table {
            super::directory_fix::print_suffix_table(t);
        }
        if let Some(l) = ldap {
            println!("read over LDAP in {} pages", l.pages);
        }
        Ok(())
    }
}

fn print_human(r: &ScanReport) {
    for f in &r.findings {
        let sev = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        println!(
            "{sev:<7} {:<19} {:<17} {}",
            f.rule.code(),
            f.attribute,
            f.dn
        );
        println!("        value {:?}: {}", f.value, f.message);
        if let Some(s) = &f.suggestion {
            println!("        suggested {s:?}");
        }
    }
    if !r.upn_suffixes.is_empty() {
        println!();
        println!("UPN suffixes");
        for s in &r.upn_suffixes {
            println!("  {:>7}  {}", s.count, s.suffix);
        }
    }
    println!();
    println!(
        "{} objects read, {} skipped (system objects), {} findings ({} errors)",
        r.objects,
        r.skipped,
        r.findings.len(),
        r.errors()
    );
}
