//! Reading objects straight from a directory over LDAP: a domain controller
//! (`ldaps://dc:636`), its global catalog (`ldaps://dc:3269`, or
//! `ldap://dc:3268` with StartTLS) or any LDAP server, with a simple bind over
//! TLS and a paged search (RFC 2696), into the same rule pipeline as the
//! export files.
//!
//! TLS verification is always on: the server certificate must chain to the
//! platform's roots or to the CA file given explicitly. A plain `ldap://` URL
//! is only accepted together with StartTLS, so the bind password never
//! crosses the network in clear text. Negotiate (Kerberos/NTLM) binds are not
//! offered: they cannot be exercised against the test directory here.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ldap3::controls::{Control, ControlType, PagedResults, RawControl};
use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use serde::Serialize;

use crate::object::DirObject;
use crate::rules::RuleOptions;
use crate::scan::{ScanReport, Scanner};

/// The attributes the rules read, requested from the server by name.
pub const ATTRIBUTES: &[&str] = &[
    "objectClass",
    "cn",
    "userPrincipalName",
    "proxyAddresses",
    "mail",
    "mailNickname",
    "sAMAccountName",
    "targetAddress",
    "displayName",
    "givenName",
    "sn",
    "isCriticalSystemObject",
    "groupType",
    "msExchRecipientTypeDetails",
    "msExchHideFromAddressLists",
];

/// Users, contacts and groups: the objects directory synchronization reads.
pub const DEFAULT_FILTER: &str = "(|(objectClass=user)(objectClass=contact)(objectClass=group))";

/// Entries per page asked for. Active Directory's default `MaxPageSize` is
/// 1000; a server with a lower limit refuses a larger page (`--page-size`).
pub const DEFAULT_PAGE_SIZE: u32 = 500;

/// Where and how to read.
#[derive(Clone)]
pub struct LdapSource {
    /// `ldaps://host[:port]` or `ldap://host[:port]` (then StartTLS is used).
    pub url: String,
    /// DN (or `user@domain`) to bind as.
    pub bind_dn: String,
    /// The bind password. Never logged or printed (see the `Debug` impl).
    pub password: String,
    /// Search base, e.g. `DC=contoso,DC=local`.
    pub base: String,
    /// LDAP filter; [`DEFAULT_FILTER`] when empty.
    pub filter: String,
    /// PEM file of CA certificates trusted in addition to the platform roots.
    pub ca_file: Option<PathBuf>,
    /// Entries per page.
    pub page_size: u32,
    /// Timeout for connecting and for each operation.
    pub timeout: Duration,
}

impl fmt::Debug for LdapSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LdapSource")
            .field("url", &self.url)
            .field("bind_dn", &self.bind_dn)
            .field("password", &"<redacted>")
            .field("base", &self.base)
            .field("filter", &self.filter)
            .field("ca_file", &self.ca_file)
            .field("page_size", &self.page_size)
            .finish()
    }
}

/// What the read did, beside the objects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LdapStats {
    /// Pages the server returned.
    pub pages: u32,
    /// Entries read.
    #[ts(type = "number")]
    pub entries: u64,
    /// Whether the connection was protected by StartTLS (else `ldaps://`).
    pub starttls: bool,
}

/// Why an LDAP read failed, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdapError {
    #[error("the LDAP URL {url:?} is not valid ({detail}); give ldaps://HOST[:PORT] (636, global catalog 3269) or ldap://HOST[:PORT] (389, global catalog 3268; StartTLS is used)")]
    Url { url: String, detail: String },
    #[error("the CA file {path} cannot be used ({detail}); give a PEM file holding the CA certificate that issued the directory server's certificate")]
    CaFile { path: String, detail: String },
    #[error("cannot reach the directory at {url} ({detail}); check the host name, the port (636/3269 for LDAPS, 389/3268 for StartTLS) and the firewall")]
    Connect { url: String, detail: String },
    #[error("the directory server at {url} did not present a certificate this computer trusts ({detail}); pass the issuing CA with --ca FILE, or fix the server certificate's name")]
    Tls { url: String, detail: String },
    #[error("the directory rejected the bind as {bind_dn} ({detail}); check the account name (a DN or user@domain) and its password, and that the account is enabled")]
    Bind { bind_dn: String, detail: String },
    #[error("the directory refused a page of {page_size} entries ({detail}); lower --page-size to the server's limit (Active Directory's MaxPageSize, 1000 by default)")]
    PageSize { page_size: u32, detail: String },
    #[error("the search under {base} failed ({detail}); check the search base (a DN such as DC=contoso,DC=local) and the filter")]
    Search { base: String, detail: String },
    #[error("the directory server at {url} sent a reply that could not be read ({detail})")]
    Malformed { url: String, detail: String },
}

impl LdapError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            LdapError::Url { .. } => "invalid_input",
            LdapError::CaFile { .. } => "ca_file_invalid",
            LdapError::Connect { .. } => "network",
            LdapError::Tls { .. } => "tls_untrusted",
            LdapError::Bind { .. } => "ldap_bind_rejected",
            LdapError::PageSize { .. } => "ldap_page_size",
            LdapError::Search { .. } => "ldap_search_failed",
            LdapError::Malformed { .. } => "malformed_response",
        }
    }

    /// The troubleshooting entry that explains the fix.
    pub fn remediation(&self) -> &'static str {
        match self {
            LdapError::Url { .. } => "directory.ldap-url",
            LdapError::CaFile { .. } | LdapError::Tls { .. } => "directory.ldap-tls",
            LdapError::Connect { .. } => "directory.ldap-reach",
            LdapError::Bind { .. } => "directory.ldap-bind",
            LdapError::PageSize { .. } | LdapError::Search { .. } => "directory.ldap-search",
            LdapError::Malformed { .. } => "support.report-bug",
        }
    }
}

/// LDAP result codes used below (RFC 4511 appendix A.1).
const RC_SUCCESS: u32 = 0;
const RC_ADMIN_LIMIT_EXCEEDED: u32 = 11;
const RC_INVALID_CREDENTIALS: u32 = 49;
/// The paged results control (RFC 2696).
const PAGED_RESULTS_OID: &str = "1.2.840.113556.1.4.319";

/// Read every matching object and scan it with the rules.
pub async fn scan_ldap(
    src: &LdapSource,
    opts: RuleOptions,
) -> Result<(ScanReport, LdapStats), LdapError> {
    let mut scanner = Scanner::new(opts);
    let stats = read_ldap(src, |obj| scanner.add(&obj)).await?;
    Ok((scanner.finish(), stats))
}

/// Read every matching object, page by page, handing each to `each`.
///
/// The LDAP library panics on some malformed replies; the read runs in its
/// own task so such a reply becomes [`LdapError::Malformed`], not a crash.
pub async fn read_ldap(
    src: &LdapSource,
    mut each: impl FnMut(DirObject),
) -> Result<LdapStats, LdapError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<DirObject>(256);
    let owned = src.clone();
    let task = tokio::spawn(async move { read_into(&owned, tx).await });
    while let Some(obj) = rx.recv().await {
        each(obj);
    }
    match task.await {
        Ok(r) => r,
        Err(e) => Err(LdapError::Malformed {
            url: src.url.clone(),
            detail: if e.is_panic() {
                "the LDAP library could not decode it".into()
            } else {
                e.to_string()
            },
        }),
    }
}

/// Whether the URL needs StartTLS (plain `ldap://`) or is LDAPS.
fn starttls_for(url: &str) -> Result<bool, LdapError> {
    let bad = |detail: &str| LdapError::Url {
        url: url.to_string(),
        detail: detail.to_string(),
    };
    let lower = url.to_ascii_lowercase();
    let (starttls, rest) = if let Some(r) = lower.strip_prefix("ldaps://") {
        (false, r)
    } else if let Some(r) = lower.strip_prefix("ldap://") {
        (true, r)
    } else {
        return Err(bad("it must start with ldaps:// or ldap://"));
    };
    if rest.trim_end_matches('/').is_empty() {
        return Err(bad("it names no host"));
    }
    Ok(starttls)
}

fn tls_config(src: &LdapSource) -> Result<Arc<rustls::ClientConfig>, LdapError> {
    let mut roots = rustls::RootCertStore::empty();
    // Platform roots: those that fail to load are skipped, as browsers do.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = &src.ca_file {
        let shown = path.display().to_string();
        let ca_err = |detail: String| LdapError::CaFile {
            path: shown.clone(),
            detail,
        };
        let pem = hybridsync_files::read_limited(path, hybridsync_files::MAX_SMALL_FILE)
            .map_err(|e| ca_err(e.to_string()))?;
        let mut added = 0;
        for item in rustls_pemfile_certs(&pem) {
            let der = item.map_err(|e| ca_err(format!("not a PEM certificate bundle ({e})")))?;
            roots.add(der).map_err(|e| {
                ca_err(format!(
                    "a certificate in it cannot be used as a root ({e})"
                ))
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(ca_err(
                "the file holds no \"BEGIN CERTIFICATE\" block".into(),
            ));
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LdapError::Tls {
            url: src.url.clone(),
            detail: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The certificates of a PEM bundle.
fn rustls_pemfile_certs(
    pem: &[u8],
) -> impl Iterator<
    Item = Result<rustls::pki_types::CertificateDer<'static>, rustls::pki_types::pem::Error>,
> + '_ {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem)
}

/// Sort a connection error into unreachable vs. untrusted certificate.
fn connect_error(url: &str, e: ldap3::LdapError) -> LdapError {
    let detail = error_chain(&e);
    let lower = detail.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        LdapError::Tls {
            url: url.to_string(),
            detail,
        }
    } else {
        LdapError::Connect {
            url: url.to_string(),
            detail,
        }
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        src = s.source();
    }
    out
}

fn result_text(rc: u32, text: &str) -> String {
    if text.is_empty() {
        format!("result code {rc}")
    } else {
        format!("result code {rc}: {text}")
    }
}

async fn read_into(
    src: &LdapSource,
    tx: tokio::sync::mpsc::Sender<DirObject>,
) -> Result<LdapStats, LdapError> {
    let starttls = starttls_for(&src.url)?;
    let settings = LdapConnSettings::new()
        .set_conn_timeout(src.timeout)
        .set_starttls(starttls)
        .set_config(tls_config(src)?);
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &src.url)
        .await
        .map_err(|e| connect_error(&src.url, e))?;
    let driver = tokio::spawn(async move {
        let _ = conn.drive().await;
    });
    let result = session(src, &mut ldap, starttls, &tx).await;
    let _ = ldap.unbind().await;
    driver.abort();
    result
}

async fn session(
    src: &LdapSource,
    ldap: &mut ldap3::Ldap,
    starttls: bool,
    tx: &tokio::sync::mpsc::Sender<DirObject>,
) -> Result<LdapStats, LdapError> {
    let bind = ldap
        .with_timeout(src.timeout)
        .simple_bind(&src.bind_dn, &src.password)
        .await
        .map_err(|e| connect_error(&src.url, e))?;
    if bind.rc != RC_SUCCESS {
        let detail = if bind.rc == RC_INVALID_CREDENTIALS {
            "invalid credentials".to_string()
        } else {
            result_text(bind.rc, &bind.text)
        };
        return Err(LdapError::Bind {
            bind_dn: src.bind_dn.clone(),
            detail,
        });
    }
    tracing::info!(url = %src.url, bind_dn = %src.bind_dn, base = %src.base, "directory bind succeeded");
    let filter = if src.filter.trim().is_empty() {
        DEFAULT_FILTER
    } else {
        src.filter.as_str()
    };
    let page_size = src.page_size.clamp(1, i32::MAX as u32);
    let mut stats = LdapStats {
        starttls,
        ..LdapStats::default()
    };
    let mut cookie: Vec<u8> = Vec::new();
    loop {
        let control: RawControl = PagedResults {
            size: page_size as i32,
            cookie: std::mem::take(&mut cookie),
        }
        .into();
        let mut stream = ldap
            .with_controls(vec![RawControl {
                crit: true,
                ..control
            }])
            .with_timeout(src.timeout)
            .streaming_search(&src.base, Scope::Subtree, filter, ATTRIBUTES.to_vec())
            .await
            .map_err(|e| search_error(src, e))?;
        loop {
            match stream.next().await {
                Ok(Some(entry)) => {
                    // Search references (referrals to other partitions) are not followed.
                    if entry.is_ref() || entry.is_intermediate() {
                        continue;
                    }
                    stats.entries += 1;
                    if tx
                        .send(to_object(SearchEntry::construct(entry)))
                        .await
                        .is_err()
                    {
                        return Ok(stats);
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(search_error(src, e)),
            }
        }
        let res = stream.finish().await;
        stats.pages += 1;
        match res.rc {
            RC_SUCCESS => {}
            RC_ADMIN_LIMIT_EXCEEDED if stats.pages == 1 => {
                return Err(LdapError::PageSize {
                    page_size,
                    detail: result_text(res.rc, &res.text),
                })
            }
            rc => {
                return Err(LdapError::Search {
                    base: src.base.clone(),
                    detail: result_text(rc, &res.text),
                })
            }
        }
        let next = res.ctrls.iter().find_map(|c| match c {
            Control(Some(ControlType::PagedResults), raw) if raw.val.is_some() => {
                Some(raw.parse::<PagedResults>())
            }
            Control(_, raw) if raw.ctype == PAGED_RESULTS_OID && raw.val.is_some() => {
                Some(raw.parse::<PagedResults>())
            }
            _ => None,
        });
        match next {
            Some(pr) if !pr.cookie.is_empty() => cookie = pr.cookie,
            _ => break,
        }
    }
    tracing::info!(
        pages = stats.pages,
        entries = stats.entries,
        "directory read finished"
    );
    Ok(stats)
}

fn search_error(src: &LdapSource, e: ldap3::LdapError) -> LdapError {
    match e {
        ldap3::LdapError::LdapResult { result } => LdapError::Search {
            base: src.base.clone(),
            detail: result_text(result.rc, &result.text),
        },
        other => LdapError::Connect {
            url: src.url.clone(),
            detail: error_chain(&other),
        },
    }
}

/// A search entry as the rules' object. Values that are not UTF-8 (binary
/// attributes) are left out: no rule reads them.
pub fn to_object(entry: SearchEntry) -> DirObject {
    let mut obj = DirObject::new(entry.dn);
    // Attribute order does not matter to the rules; sort for stable output.
    let mut attrs: Vec<(String, Vec<String>)> = entry.attrs.into_iter().collect();
    attrs.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, values) in attrs {
        for v in values {
            obj.push(&name, v);
        }
    }
    obj
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_scheme_decides_starttls() {
        assert_eq!(starttls_for("ldaps://dc1.contoso.local:3269"), Ok(false));
        assert_eq!(starttls_for("LDAP://dc1.contoso.local:3268"), Ok(true));
        assert!(matches!(
            starttls_for("http://dc1"),
            Err(LdapError::Url { .. })
        ));
        assert!(matches!(
            starttls_for("ldap://"),
            Err(LdapError::Url { .. })
        ));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let src = LdapSource {
            url: "ldaps://dc1".into(),
            bind_dn: "CN=svc,DC=contoso,DC=local".into(),
            password: "Sup3r-Secret!".into(),
            base: "DC=contoso,DC=local".into(),
            filter: String::new(),
            ca_file: None,
            page_size: DEFAULT_PAGE_SIZE,
            timeout: Duration::from_secs(5),
        };
        let shown = format!("{src:?}");
        assert!(!shown.contains("Sup3r-Secret!"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn entry_becomes_object_with_every_value() {
        let mut attrs = std::collections::HashMap::new();
        attrs.insert(
            "objectClass".to_string(),
            vec!["top".into(), "person".into(), "user".into()],
        );
        attrs.insert(
            "proxyAddresses".to_string(),
            vec!["SMTP:a@contoso.com".into(), "smtp:b@contoso.com".into()],
        );
        let entry = SearchEntry {
            dn: "CN=A,DC=contoso,DC=local".into(),
            attrs,
            bin_attrs: Default::default(),
        };
        let obj = to_object(entry);
        assert!(obj.is_user());
        assert_eq!(
            obj.values("proxyaddresses"),
            ["SMTP:a@contoso.com", "smtp:b@contoso.com"]
        );
    }
}
