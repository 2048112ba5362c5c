//! `hybridsync directory fix-script (--ldif FILE | --csv FILE) --out DIR
//! [--upn-suffix D] [--rule R]…`: the PowerShell fix script for the accepted
//! suggestions (Set-ADUser for users, Set-ADObject for the rest) and its undo
//! script, both written whole or not at all. hybridsync never writes to AD.
//!
//! And the UPN suffix table against the tenant's domains as Graph lists them
//! (`GET /v1.0/domains`, ms-api.md §3.1/§3.2: `id`, `isVerified`).
use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args};
use hybridsync_core::ErrorPayload;
use hybridsync_directory::fix::{fix_scripts, Fix, ObjectKind};
use hybridsync_directory::{
    scan_objects, CsvReader, DirObject, LdifReader, ReadError, RuleOptions, ScanReport, SuffixRow,
    SuffixState, TenantDomain,
};
use hybridsync_files::{write_all_or_nothing, FileAccess, Member};
use serde::Deserialize;

use crate::exit;

/// File names written into `--out`.
pub const FIX_FILE: &str = "hybridsync-directory-fix.ps1";
pub const UNDO_FILE: &str = "hybridsync-directory-undo.ps1";

#[derive(Args)]
#[command(group(ArgGroup::new("source").required(true).args(["ldif", "csv"])))]
pub struct FixScriptArgs {
    /// An LDIF export, as `ldifde -f FILE` writes it.
    #[arg(long, value_name = "FILE")]
    pub ldif: Option<PathBuf>,
    /// A CSV export, as `Get-ADUser … | Export-Csv` writes it.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Suggest this domain in place of non-routable UPN suffixes (contoso.local → contoso.com).
    #[arg(long, value_name = "DOMAIN")]
    pub upn_suffix: Option<String>,
    /// Accept only the suggestions of this rule (repeatable; default: every suggestion).
    #[arg(long, value_name = "RULE")]
    pub rule: Vec<String>,
    /// Folder to write the fix and undo scripts into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn read_err(path: &Path, e: ReadError) -> ErrorPayload {
    ErrorPayload::new(
        "file_unreadable",
        format!("{}: line {}: {}", path.display(), e.line, e.message),
        None,
    )
}

/// Scan an export, remembering which objects are users.
fn scan_file(
    path: &Path,
    ldif: bool,
    opts: RuleOptions,
) -> Result<(ScanReport, HashSet<String>), ErrorPayload> {
    let file = File::open(path).map_err(|e| {
        ErrorPayload::new(
            "file_unreadable",
            format!("{}: cannot open: {e}", path.display()),
            None,
        )
    })?;
    let mut users = HashSet::new();
    let mut note = |r: &Result<DirObject, ReadError>| {
        if let Ok(o) = r {
            if o.is_user() || o.object_class.is_empty() {
                users.insert(o.dn.to_ascii_lowercase());
            }
        }
    };
    let report = if ldif {
        scan_objects(LdifReader::new(file).inspect(|r| note(r)), opts)
    } else {
        scan_objects(CsvReader::new(file).inspect(|r| note(r)), opts)
    }
    .map_err(|e| read_err(path, e))?;
    Ok((report, users))
}

pub fn fix_script(a: FixScriptArgs) -> Result<u8, ErrorPayload> {
    let (path, ldif) = match (&a.ldif, &a.csv) {
        (Some(p), _) => (p.clone(), true),
        (None, Some(p)) => (p.clone(), false),
        (None, None) => {
            return Err(ErrorPayload::new(
                "invalid_input",
                "give --ldif FILE or --csv FILE",
                None,
            ))
        }
    };
    let known = [
        "length",
        "character",
        "diacritic",
        "leading_period",
        "duplicate",
        "format",
        "top_level_domain",
        "non_routable_suffix",
        "blank",
    ];
    if let Some(bad) = a.rule.iter().find(|r| !known.contains(&r.as_str())) {
        return Err(ErrorPayload::new(
            "invalid_input",
            format!("unknown rule {bad:?}; the rules are {}", known.join(", ")),
            None,
        ));
    }
    let opts = super::directory::rule_options(a.upn_suffix.as_deref())?;
    let (report, users) = scan_file(&path, ldif, opts)?;
    let fixes: Vec<Fix> = report
        .findings
        .iter()
        .filter(|f| a.rule.is_empty() || a.rule.iter().any(|r| r == f.rule.code()))
        .filter_map(|f| {
            let kind = if users.contains(&f.dn.to_ascii_lowercase()) {
                ObjectKind::User
            } else {
                ObjectKind::Other
            };
            Fix::from_finding(f, kind)
        })
        .collect();
    let scripts = fix_scripts(&fixes);
    std::fs::create_dir_all(&a.out).map_err(|e| {
        ErrorPayload::new(
            "invalid_input",
            format!("cannot create the folder {}: {e}", a.out.display()),
            None,
        )
    })?;
    // The fix script never lands without its undo script: both or neither.
    let (fix_path, undo_path) = (a.out.join(FIX_FILE), a.out.join(UNDO_FILE));
    write_all_or_nothing(&[
        Member {
            path: &fix_path,
            bytes: scripts.apply.as_bytes(),
            access: FileAccess::Public,
        },
        Member {
            path: &undo_path,
            bytes: scripts.undo.as_bytes(),
            access: FileAccess::Public,
        },
    ])
    .map_err(|e| {
        ErrorPayload::new(
            "file_unwritable",
            format!(
                "cannot write {}: {}; neither script was written",
                e.path.display(),
                e.error
            ),
            Some("files.check-permissions"),
        )
    })?;
    eprintln!(
        "{} change(s) written to {} (undo: {}); review them, then run them on a domain-joined computer with the ActiveDirectory module (-WhatIf first)",
        fixes.len(),
        a.out.join(FIX_FILE).display(),
        a.out.join(UNDO_FILE).display()
    );
    Ok(exit::OK)
}

#[derive(Deserialize)]
struct GraphDomains {
    value: Vec<GraphDomain>,
}

// ms-api.md §3.2: the domain's `id` is its FQDN, `isVerified` its state.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphDomain {
    id: String,
    #[serde(default)]
    is_verified: bool,
}

/// The tenant's domains from a saved `GET /v1.0/domains` answer.
pub fn tenant_domains(path: &Path) -> Result<Vec<TenantDomain>, ErrorPayload> {
    let bytes = hybridsync_files::read_limited(path, hybridsync_files::MAX_SMALL_FILE);
    let text = bytes
        .and_then(|b| {
            String::from_utf8(b)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        })
        .map_err(|e| {
            ErrorPayload::new(
                "file_unreadable",
                format!("{}: cannot read: {e}", path.display()),
                None,
            )
        })?;
    let parsed: GraphDomains = serde_json::from_str(&text).map_err(|e| {
        ErrorPayload::new(
            "file_unreadable",
            format!(
                "{}: line {}: not a Graph domain list ({e}); save the answer of GET https://graph.microsoft.com/v1.0/domains",
                path.display(),
                e.line()
            ),
            None,
        )
    })?;
    Ok(parsed
        .value
        .into_iter()
        .map(|d| TenantDomain {
            name: d.id,
            verified: d.is_verified,
        })
        .collect())
}

pub fn state_name(s: SuffixState) -> &'static str {
    match s {
        SuffixState::Verified => "verified",
        SuffixState::Unverified => "unverified: verify it in the Domains step",
        SuffixState::NotAdded => "not added: add this domain in the Domains step",
        SuffixState::NonRoutable => "non-routable: change these users' UPN suffix",
    }
}

pub fn print_suffix_table(rows: &[SuffixRow]) {
    println!();
    println!("UPN suffixes against the tenant");
    for r in rows {
        println!("  {:>7}  {:<30} {}", r.count, r.suffix, state_name(r.state));
    }
}
