//! One HTTPS client for every Microsoft endpoint. TLS verification is always on; a custom CA
//! (corporate TLS inspection, the practice tenant) is added explicitly next to the platform roots.
use std::error::Error as StdError;
use std::path::PathBuf;
use std::time::Duration;

use crate::{Error, Result};

#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// A PEM file of CA certificates to trust in addition to the platform's roots.
    pub ca_file: Option<PathBuf>,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            ca_file: None,
            timeout: Duration::from_secs(20),
        }
    }
}

/// The configured client plus what is needed to explain its failures.
#[derive(Debug, Clone)]
pub struct Transport {
    pub client: reqwest::Client,
    pub timeout: Duration,
}

impl Transport {
    pub fn new(opts: &HttpOptions) -> Result<Transport> {
        let mut builder = reqwest::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("hybridsync/", env!("CARGO_PKG_VERSION")))
            .https_only(true);
        if let Some(path) = &opts.ca_file {
            let shown = path.display().to_string();
            let pem = hybridsync_files::read_limited(path, hybridsync_files::MAX_SMALL_FILE)
                .map_err(|e| Error::CaFile {
                    path: shown.clone(),
                    detail: e.to_string(),
                })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| Error::CaFile {
                path: shown.clone(),
                detail: format!("not a PEM certificate bundle ({e})"),
            })?;
            if certs.is_empty() {
                return Err(Error::CaFile {
                    path: shown,
                    detail: "the file holds no \"BEGIN CERTIFICATE\" block".into(),
                });
            }
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder.build().map_err(|e| Error::Network {
            url: "(client set-up)".into(),
            detail: chain(&e),
        })?;
        Ok(Transport {
            client,
            timeout: opts.timeout,
        })
    }

    /// Turns a transport failure into the error an admin can act on.
    pub fn explain(&self, url: &str, err: reqwest::Error) -> Error {
        let detail = chain(&err);
        if err.is_timeout() {
            return Error::Timeout {
                url: url.to_string(),
                timeout: self.timeout,
            };
        }
        if let Some(tls) = certificate_problem(&detail) {
            let host = reqwest::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| url.to_string());
            return Error::TlsUntrusted { host, detail: tls };
        }
        Error::Network {
            url: url.to_string(),
            detail,
        }
    }
}

/// The error and all its sources, joined, so the root cause (often a rustls error) is visible.
pub fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// Picks the certificate complaint out of an error chain (rustls words them
/// "invalid peer certificate: UnknownIssuer", "…: Expired", "…: NotValidForName").
fn certificate_problem(detail: &str) -> Option<String> {
    let lower = detail.to_ascii_lowercase();
    if !lower.contains("certificate") {
        return None;
    }
    let reason = if lower.contains("unknownissuer") {
        "certificate issued by an unknown CA (UnknownIssuer)"
    } else if lower.contains("expired") {
        "certificate expired"
    } else if lower.contains("notvalidforname") {
        "certificate does not cover this host name (NotValidForName)"
    } else {
        "certificate rejected"
    };
    let raw = detail
        .split(": ")
        .find(|p| p.to_ascii_lowercase().contains("certificate"))
        .unwrap_or(detail);
    Some(format!("{reason}; {raw}"))
}
