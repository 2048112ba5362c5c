//! Loopback servers for the probe tests: HTTPS answering like Exchange's
//! virtual directories, and SMTP listeners with and without STARTTLS and
//! behind a firewall's SMTP fixup.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

pub struct Ca {
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A leaf certificate and its key.
#[derive(Clone)]
pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    pub key_der: Vec<u8>,
}

impl Ca {
    pub fn new() -> Ca {
        Ca::named("probe test CA")
    }

    pub fn named(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = p.self_signed(&key).unwrap();
        Ca {
            pem: cert.pem(),
            issuer: Issuer::new(p, key),
        }
    }

    /// A certificate for `names` (DNS names; "127.0.0.1" as an IP SAN),
    /// valid for `days_from_now` (start, end) days around now.
    pub fn leaf(&self, names: &[&str], valid: (i64, i64)) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let dns: Vec<String> = names
            .iter()
            .filter(|n| n.parse::<std::net::IpAddr>().is_err())
            .map(|s| s.to_string())
            .collect();
        let mut p = CertificateParams::new(dns).unwrap();
        for n in names {
            if let Ok(ip) = n.parse() {
                p.subject_alt_names.push(SanType::IpAddress(ip));
            }
        }
        p.distinguished_name.push(DnType::CommonName, names[0]);
        let now = time::OffsetDateTime::now_utc();
        p.not_before = now + time::Duration::days(valid.0);
        p.not_after = now + time::Duration::days(valid.1);
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            chain: vec![cert.der().clone()],
            key_der: key.serialize_der(),
        }
    }
}

fn server_config(leaf: &Leaf) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                leaf.chain.clone(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone())),
            )
            .unwrap(),
    )
}

/// An HTTPS server answering every request with `head` (status line and
/// headers, no body). Returns its port.
pub async fn https(leaf: &Leaf, head: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config(leaf));
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tls
                    .write_all(
                        format!("{head}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .as_bytes(),
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

/// How an SMTP listener behaves.
#[derive(Clone)]
pub enum Smtp {
    /// Offers STARTTLS and upgrades with this certificate.
    StartTls(Leaf),
    /// Offers no STARTTLS.
    Plain,
    /// Behind a Cisco SMTP fixup: asterisk banner, STARTTLS masked.
    Fixup,
}

pub async fn smtp(kind: Smtp) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let kind = kind.clone();
            tokio::spawn(async move {
                let mut conn = BufReader::new(tcp);
                let banner = match kind {
                    Smtp::Fixup => "220 *******************************2*0*0****2*0*0*******\r\n",
                    _ => "220 mail.contoso.com Microsoft ESMTP MAIL Service ready\r\n",
                };
                if conn.get_mut().write_all(banner.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    let mut line = String::new();
                    match conn.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let cmd = line.trim().to_ascii_uppercase();
                    let reply: String = if cmd.starts_with("EHLO") {
                        let ext = match kind {
                            Smtp::StartTls(_) => "250-STARTTLS\r\n",
                            Smtp::Fixup => "250-XXXXXXXA\r\n",
                            Smtp::Plain => "",
                        };
                        format!("250-mail.contoso.com Hello\r\n250-SIZE 37748736\r\n{ext}250 8BITMIME\r\n")
                    } else if cmd == "STARTTLS" {
                        if let Smtp::StartTls(leaf) = &kind {
                            let _ = conn
                                .get_mut()
                                .write_all(b"220 2.0.0 SMTP server ready\r\n")
                                .await;
                            let acceptor = tokio_rustls::TlsAcceptor::from(server_config(leaf));
                            if let Ok(tls) = acceptor.accept(conn.into_inner()).await {
                                let mut tls = BufReader::new(tls);
                                let mut l = String::new();
                                let _ = tls.read_line(&mut l).await;
                                let _ = tls.get_mut().write_all(b"221 2.0.0 Bye\r\n").await;
                            }
                            return;
                        }
                        "502 5.5.2 Command not recognized\r\n".into()
                    } else if cmd == "QUIT" {
                        let _ = conn.get_mut().write_all(b"221 2.0.0 Bye\r\n").await;
                        return;
                    } else {
                        "500 5.3.3 Unrecognized command\r\n".into()
                    };
                    if conn.get_mut().write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}
