//! A TLS handshake that verifies the server (platform roots plus an
//! explicit CA file) and also keeps the certificate the server presented, so
//! a failed verification can still say why (wrong name, expired, unknown
//! issuer). The recorded certificate is only inspected: a connection whose
//! verification failed is never used.

use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::tree::{ProbeNode, Status};

/// A certificate expiring within this many days is a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Trust anchors for every probe.
#[derive(Clone)]
pub struct Trust {
    roots: Arc<rustls::RootCertStore>,
}

impl Trust {
    /// The platform's roots plus the CA certificates of `ca_file`.
    pub fn new(ca_file: Option<&Path>) -> Result<Trust, String> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        if let Some(path) = ca_file {
            use rustls::pki_types::pem::PemObject;
            let pem = std::fs::read(path)
                .map_err(|e| format!("the CA file {} cannot be read ({e})", path.display()))?;
            let mut added = 0;
            for c in CertificateDer::pem_slice_iter(&pem) {
                let c = c.map_err(|e| {
                    format!("the CA file {} is not a PEM bundle ({e})", path.display())
                })?;
                roots.add(c).map_err(|e| {
                    format!("a certificate in {} cannot be a root ({e})", path.display())
                })?;
                added += 1;
            }
            if added == 0 {
                return Err(format!(
                    "the CA file {} holds no \"BEGIN CERTIFICATE\" block",
                    path.display()
                ));
            }
        }
        Ok(Trust {
            roots: Arc::new(roots),
        })
    }
}

/// What the verifier saw.
#[derive(Default)]
struct Seen {
    chain: Vec<CertificateDer<'static>>,
    verdict: Option<Result<(), rustls::Error>>,
}

/// Delegates every decision to webpki and records what it was shown.
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    seen: Arc<Mutex<Seen>>,
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seen")
            .field("certificates", &self.chain.len())
            .finish()
    }
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        if let Ok(mut seen) = self.seen.lock() {
            seen.chain = std::iter::once(end_entity)
                .chain(intermediates.iter())
                .map(|c| c.clone().into_owned())
                .collect();
            seen.verdict = Some(result.as_ref().map(|_| ()).map_err(Clone::clone));
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The outcome of a handshake.
pub struct Handshake<S> {
    /// The verified stream, only when verification passed.
    pub stream: Option<tokio_rustls::client::TlsStream<S>>,
    /// The certificate tree node.
    pub node: ProbeNode,
}

/// Run a verified TLS handshake over `io` for `host` and judge the
/// certificate the server presented.
pub async fn handshake<S>(io: S, host: &str, trust: &Trust, timeout: Duration) -> Handshake<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let title = format!("TLS certificate of {host}");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let inner =
        match WebPkiServerVerifier::builder_with_provider(trust.roots.clone(), provider.clone())
            .build()
        {
            Ok(v) => v,
            Err(e) => {
                return Handshake {
                    stream: None,
                    node: ProbeNode::fail(
                        &title,
                        "tls_setup_failed",
                        e.to_string(),
                        "add a CA with --ca FILE",
                    ),
                }
            }
        };
    let seen = Arc::new(Mutex::new(Seen::default()));
    let verifier = Arc::new(Recording {
        inner,
        seen: seen.clone(),
    });
    let config = match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth(),
        Err(e) => {
            return Handshake {
                stream: None,
                node: ProbeNode::fail(
                    &title,
                    "tls_setup_failed",
                    e.to_string(),
                    "report this as a bug",
                ),
            }
        }
    };
    let name = match ServerName::try_from(host.to_string()) {
        Ok(n) => n,
        Err(e) => {
            return Handshake {
                stream: None,
                node: ProbeNode::fail(
                    &title,
                    "invalid_host",
                    format!("{host:?} is not a host name ({e})"),
                    "give a DNS name or IP address",
                ),
            }
        }
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let result = tokio::time::timeout(timeout, connector.connect(name, io)).await;
    let (chain, verdict) = match seen.lock() {
        Ok(mut s) => (std::mem::take(&mut s.chain), s.verdict.take()),
        Err(_) => (Vec::new(), None),
    };
    match result {
        Ok(Ok(stream)) => Handshake {
            stream: Some(stream),
            node: judge(&title, host, &chain, &Ok(())),
        },
        Ok(Err(e)) => {
            let node = match verdict {
                Some(v) if !chain.is_empty() => judge(&title, host, &chain, &v),
                _ => ProbeNode::fail(
                    &title,
                    "tls_handshake_failed",
                    format!("the TLS handshake failed before a certificate was checked ({e})"),
                    "check that the port speaks TLS and that the server has a certificate bound to it",
                ),
            };
            Handshake { stream: None, node }
        }
        Err(_) => Handshake {
            stream: None,
            node: ProbeNode::fail(
                &title,
                "tls_timeout",
                format!("no TLS handshake within {} s", timeout.as_secs()),
                "check the firewall and that the port speaks TLS",
            ),
        },
    }
}

/// The facts of a certificate the checks need.
#[derive(Debug, Clone)]
pub struct CertFacts {
    pub subject: String,
    pub issuer: String,
    pub dns_names: Vec<String>,
    pub ips: Vec<IpAddr>,
    pub not_before: i64,
    pub not_after: i64,
}

/// Parse the facts out of a DER certificate.
pub fn facts(der: &[u8]) -> Result<CertFacts, String> {
    use x509_parser::extensions::GeneralName;
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| e.to_string())?;
    let mut dns_names = Vec::new();
    let mut ips = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::DNSName(d) => dns_names.push(d.to_ascii_lowercase()),
                GeneralName::IPAddress(b) => match b.len() {
                    4 => ips.push(IpAddr::from(<[u8; 4]>::try_from(*b).unwrap_or_default())),
                    16 => ips.push(IpAddr::from(<[u8; 16]>::try_from(*b).unwrap_or_default())),
                    _ => {}
                },
                _ => {}
            }
        }
    }
    Ok(CertFacts {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        dns_names,
        ips,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
    })
}

/// Whether a certificate's names cover `host` (one leftmost `*` label, as
/// RFC 6125 allows; IP addresses only by IP SAN).
pub fn covers(f: &CertFacts, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return f.ips.contains(&ip);
    }
    f.dns_names.iter().any(|n| {
        let n = n.trim_end_matches('.');
        if let Some(rest) = n.strip_prefix("*.") {
            match host.split_once('.') {
                Some((first, tail)) => !first.is_empty() && tail == rest,
                None => false,
            }
        } else {
            n == host
        }
    })
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn date(secs: i64) -> String {
    x509_parser::time::ASN1Time::from_timestamp(secs)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| secs.to_string())
}

/// Judge a presented chain against the verifier's verdict.
fn judge(
    title: &str,
    host: &str,
    chain: &[CertificateDer<'static>],
    verdict: &Result<(), rustls::Error>,
) -> ProbeNode {
    let Some(leaf) = chain.first() else {
        return ProbeNode::fail(
            title,
            "tls_no_certificate",
            "the server presented no certificate",
            "bind a certificate to the service",
        );
    };
    let f = match facts(leaf) {
        Ok(f) => f,
        Err(e) => {
            return ProbeNode::fail(
                title,
                "cert_unreadable",
                format!("the certificate cannot be parsed ({e})"),
                "replace the certificate",
            )
        }
    };
    let mut children = Vec::new();
    let names = if f.dns_names.is_empty() && f.ips.is_empty() {
        "no subject alternative names".to_string()
    } else {
        f.dns_names
            .iter()
            .cloned()
            .chain(f.ips.iter().map(|i| i.to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    children.push(ProbeNode::pass(
        "Certificate presented",
        "cert_presented",
        format!(
            "subject {}, issued by {}, names: {names}",
            f.subject, f.issuer
        ),
    ));

    // Chain: judged by webpki; errors about name or dates say nothing against the issuer.
    let chain_node = match verdict {
        Ok(()) => ProbeNode::pass("Certificate chain is trusted", "cert_chain_trusted", format!("{} certificate(s) in the chain", chain.len())),
        Err(rustls::Error::InvalidCertificate(e)) => match e {
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                ProbeNode::pass("Certificate chain is trusted", "cert_chain_trusted", "issued by a trusted CA")
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => ProbeNode::skip(
                "Certificate chain is trusted",
                "cert_chain_not_judged",
                "not judged: the certificate is outside its validity period",
            ),
            CertificateError::UnknownIssuer => ProbeNode::fail(
                "Certificate chain is trusted",
                "cert_untrusted_issuer",
                format!("issued by {}, which this computer does not trust (or the server does not send the intermediate certificates)", f.issuer),
                "use a certificate from a public CA (Exchange Online needs one), install the full chain on the server, or pass a private CA with --ca FILE",
            ),
            CertificateError::BadSignature => ProbeNode::fail(
                "Certificate chain is trusted",
                "cert_untrusted_issuer",
                format!("the signature does not verify against the trusted CA named {}: another CA of the same name issued it", f.issuer),
                "use a certificate from a public CA (Exchange Online needs one), or pass the CA that really issued it with --ca FILE",
            ),
            other => ProbeNode::fail(
                "Certificate chain is trusted",
                "cert_invalid",
                format!("the certificate was rejected: {other:?}"),
                "replace the certificate",
            ),
        },
        Err(other) => ProbeNode::fail("Certificate chain is trusted", "cert_invalid", other.to_string(), "replace the certificate"),
    };
    children.push(chain_node);

    children.push(if covers(&f, host) {
        ProbeNode::pass(format!("Certificate covers {host}"), "cert_name_ok", format!("names: {names}"))
    } else {
        ProbeNode::fail(
            format!("Certificate covers {host}"),
            "cert_name_mismatch",
            format!("{host} is not among the certificate's names ({names})"),
            format!("issue a certificate that lists {host} as a subject alternative name and bind it to the service"),
        )
    });

    let now = now_secs();
    let days_left = (f.not_after - now).div_euclid(86_400);
    children.push(if now > f.not_after {
        ProbeNode::fail(
            "Certificate is within its validity period",
            "cert_expired",
            format!("expired on {}", date(f.not_after)),
            "renew the certificate and bind the new one to the service",
        )
    } else if now < f.not_before {
        ProbeNode::fail(
            "Certificate is within its validity period",
            "cert_not_yet_valid",
            format!("valid only from {}", date(f.not_before)),
            "check the server clock, or wait for the certificate's start date",
        )
    } else if days_left < EXPIRY_WARNING_DAYS {
        ProbeNode::warn(
            "Certificate is within its validity period",
            "cert_expires_soon",
            format!("expires on {} ({days_left} days)", date(f.not_after)),
            "renew the certificate before it expires",
        )
    } else {
        ProbeNode::pass(
            "Certificate is within its validity period",
            "cert_dates_ok",
            format!("valid until {} ({days_left} days)", date(f.not_after)),
        )
    });
    let mut node = ProbeNode::group(title, "tls_ok", children);
    // A handshake that failed is a failure even if no single check explains it.
    if verdict.is_err() && node.status != Status::Fail {
        node.status = Status::Fail;
        node.code = "tls_rejected".into();
        node.detail = format!("{verdict:?}");
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(names: &[&str]) -> CertFacts {
        CertFacts {
            subject: String::new(),
            issuer: String::new(),
            dns_names: names.iter().map(|s| s.to_string()).collect(),
            ips: vec!["127.0.0.1".parse().unwrap()],
            not_before: 0,
            not_after: 0,
        }
    }

    #[test]
    fn name_coverage_follows_rfc_6125_wildcards() {
        let c = f(&["mail.contoso.com", "*.contoso.com"]);
        assert!(covers(&c, "mail.contoso.com"));
        assert!(covers(&c, "Autodiscover.Contoso.com."));
        assert!(!covers(&c, "contoso.com"));
        assert!(!covers(&c, "a.b.contoso.com"));
        assert!(!covers(&c, "mail.fabrikam.com"));
        assert!(covers(&c, "127.0.0.1"));
        assert!(!covers(&c, "127.0.0.2"));
    }
}
