//! One scan as the desktop app asks for it: the source (an export file or
//! the directory over LDAP), the options, and the tenant's domains for the
//! UPN suffix table.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ldap::{scan_ldap, LdapError, LdapSource, LdapStats, DEFAULT_PAGE_SIZE};
use crate::rules::RuleOptions;
use crate::scan::{scan_csv, scan_ldif, ScanReport};
use crate::suffix::{SuffixRow, TenantDomain};

/// Where to read objects from.
#[derive(Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export, rename = "DirectorySource")]
pub enum ScanSource {
    /// An ldifde export.
    Ldif { path: String },
    /// A `Get-ADUser | Export-Csv` export.
    Csv { path: String },
    /// The directory itself; the password is used for the bind only, never
    /// logged or kept.
    Ldap {
        url: String,
        bind_dn: String,
        password: String,
        base: String,
        ca_file: Option<String>,
    },
}

impl std::fmt::Debug for ScanSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanSource::Ldif { path } => write!(f, "Ldif({path})"),
            ScanSource::Csv { path } => write!(f, "Csv({path})"),
            ScanSource::Ldap {
                url, bind_dn, base, ..
            } => write!(f, "Ldap({url}, {bind_dn}, {base}, password <redacted>)"),
        }
    }
}

/// A scan request.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, rename = "DirectoryScanRequest")]
pub struct ScanRequest {
    pub source: ScanSource,
    /// Suggest this domain in place of non-routable UPN suffixes.
    pub upn_suffix: Option<String>,
    /// The tenant's domains, when known, for the suffix table.
    pub tenant_domains: Option<Vec<TenantDomain>>,
}

/// A scan's result.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, rename = "DirectoryScanResult")]
pub struct ScanResult {
    pub report: ScanReport,
    /// Present when the tenant's domains were given.
    pub suffix_table: Option<Vec<SuffixRow>>,
    /// Present for an LDAP read.
    pub ldap: Option<LdapStats>,
}

/// Why a scan failed: a stable code, the message and the troubleshooting entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanFailure {
    pub code: &'static str,
    pub message: String,
    pub remediation: Option<&'static str>,
}

impl From<LdapError> for ScanFailure {
    fn from(e: LdapError) -> Self {
        ScanFailure {
            code: e.code(),
            message: e.to_string(),
            remediation: Some(e.remediation()),
        }
    }
}

/// Run one scan.
pub async fn run_scan(req: ScanRequest) -> Result<ScanResult, ScanFailure> {
    let opts = RuleOptions {
        upn_suffix_replacement: req.upn_suffix.clone().filter(|s| !s.trim().is_empty()),
    };
    let (report, ldap) = match req.source {
        ScanSource::Ldif { path } | ScanSource::Csv { path } if path.trim().is_empty() => {
            return Err(ScanFailure {
                code: "invalid_input",
                message: "give the path of the export file".into(),
                remediation: None,
            })
        }
        ScanSource::Ldif { path } => (read_file(path, true, opts).await?, None),
        ScanSource::Csv { path } => (read_file(path, false, opts).await?, None),
        ScanSource::Ldap {
            url,
            bind_dn,
            password,
            base,
            ca_file,
        } => {
            let src = LdapSource {
                url,
                bind_dn,
                password,
                base,
                filter: String::new(),
                ca_file: ca_file.filter(|c| !c.trim().is_empty()).map(PathBuf::from),
                page_size: DEFAULT_PAGE_SIZE,
                timeout: Duration::from_secs(30),
            };
            let (report, stats) = scan_ldap(&src, opts).await?;
            (report, Some(stats))
        }
    };
    let suffix_table = req
        .tenant_domains
        .as_deref()
        .map(|t| report.suffix_table(t));
    Ok(ScanResult {
        report,
        suffix_table,
        ldap,
    })
}

async fn read_file(path: String, ldif: bool, opts: RuleOptions) -> Result<ScanReport, ScanFailure> {
    tokio::task::spawn_blocking(move || {
        let file = std::fs::File::open(&path).map_err(|e| ScanFailure {
            code: "file_unreadable",
            message: format!("{path}: cannot open: {e}"),
            remediation: None,
        })?;
        let r = if ldif {
            scan_ldif(file, opts)
        } else {
            scan_csv(file, opts)
        };
        r.map_err(|e| ScanFailure {
            code: "file_unreadable",
            message: format!("{path}: line {}: {}", e.line, e.message),
            remediation: None,
        })
    })
    .await
    .map_err(|e| ScanFailure {
        code: "internal",
        message: format!("the scan stopped: {e}"),
        remediation: Some("support.report-bug"),
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_scan_gives_the_suffix_table_and_a_missing_file_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("hs-request-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("e.ldf");
        std::fs::write(
            &path,
            "dn: CN=A,DC=contoso,DC=local\nobjectClass: user\nuserPrincipalName: a@contoso.local\n",
        )
        .unwrap();
        let req = ScanRequest {
            source: ScanSource::Ldif {
                path: path.display().to_string(),
            },
            upn_suffix: Some("contoso.com".into()),
            tenant_domains: Some(vec![TenantDomain {
                name: "contoso.com".into(),
                verified: true,
            }]),
        };
        let r = run_scan(req).await.unwrap();
        assert_eq!(
            r.report.findings[0].suggestion.as_deref(),
            Some("a@contoso.com")
        );
        assert_eq!(
            r.suffix_table.unwrap()[0].state,
            crate::SuffixState::NonRoutable
        );
        let missing = ScanRequest {
            source: ScanSource::Csv {
                path: dir.join("missing.csv").display().to_string(),
            },
            upn_suffix: None,
            tenant_domains: None,
        };
        let e = run_scan(missing).await.unwrap_err();
        assert_eq!(e.code, "file_unreadable");
        assert!(e.message.contains("missing.csv"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn debug_hides_the_ldap_password() {
        let s = ScanSource::Ldap {
            url: "ldaps://dc1".into(),
            bind_dn: "svc".into(),
            password: "Secret-1!".into(),
            base: "DC=x".into(),
            ca_file: None,
        };
        assert!(!format!("{s:?}").contains("Secret-1!"));
    }
}
