//! `hybridsync directory scan (--ldif FILE | --csv FILE) [--json]`: checks a
//! directory export against Microsoft's directory-synchronization rules (the
//! successor to IdFix). Read-only: it never writes to the directory.
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
}

#[derive(Args)]
#[command(group(ArgGroup::new("source").required(true).args(["ldif", "csv"])))]
pub struct ScanArgs {
    /// An LDIF export, as `ldifde -f FILE` writes it.
    #[arg(long, value_name = "FILE")]
    pub ldif: Option<PathBuf>,
    /// A CSV export, as `Get-ADUser … | Export-Csv` writes it (join multi-valued attributes with ';').
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Suggest this domain in place of non-routable UPN suffixes (contoso.local → contoso.com).
    #[arg(long, value_name = "DOMAIN")]
    pub upn_suffix: Option<String>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: DirectoryCommand) -> Result<u8, ErrorPayload> {
    match cmd {
        DirectoryCommand::Scan(a) => scan(a),
    }
}

fn unreadable(path: &Path, e: ReadError) -> ErrorPayload {
    ErrorPayload::new(
        "file_unreadable",
        format!("{}: line {}: {}", path.display(), e.line, e.message),
        None,
    )
}

fn scan(a: ScanArgs) -> Result<u8, ErrorPayload> {
    let opts = RuleOptions {
        upn_suffix_replacement: a.upn_suffix.clone(),
    };
    let (path, is_ldif) = match (&a.ldif, &a.csv) {
        (Some(p), _) => (p.as_path(), true),
        (None, Some(p)) => (p.as_path(), false),
        (None, None) => return Err(ErrorPayload::new("invalid_input", "give --ldif FILE or --csv FILE", None)),
    };
    let file = File::open(path).map_err(|e| {
        ErrorPayload::new("file_unreadable", format!("{}: cannot open: {e}", path.display()), None)
    })?;
    tracing::info!(path = %path.display(), ldif = is_ldif, "directory scan");
    let report = if is_ldif { scan_ldif(file, opts) } else { scan_csv(file, opts) }
        .map_err(|e| unreadable(path, e))?;
    if a.json {
        super::print_json(&report)?;
    } else {
        print_human(&report);
    }
    Ok(if report.findings.is_empty() { exit::OK } else { exit::FINDINGS })
}

fn print_human(r: &ScanReport) {
    for f in &r.findings {
        let sev = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        println!("{sev:<7} {:<19} {:<17} {}", f.rule.code(), f.attribute, f.dn);
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
