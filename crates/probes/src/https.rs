//! HTTPS probes: Autodiscover and EWS must answer an anonymous request with
//! 401 and an authentication challenge (ms-api.md §7: EWS answers 401 with a
//! `WWW-Authenticate` header); outbound endpoints must simply answer.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::tls::{handshake, Trust};
use crate::tree::ProbeNode;

/// Where an HTTPS probe goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub path: String,
}

impl Target {
    /// Parse an `https://` URL.
    pub fn parse(url: &str) -> Result<Target, String> {
        let u = url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL ({e})"))?;
        if u.scheme() != "https" {
            return Err(format!("{url:?} must be an https:// URL"));
        }
        let host = match u.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(format!("{url:?} names no host")),
        };
        let mut path = u.path().to_string();
        if let Some(q) = u.query() {
            path.push('?');
            path.push_str(q);
        }
        Ok(Target {
            host,
            port: u.port().unwrap_or(443),
            path,
        })
    }

    pub fn url(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("https://{host}:{}{}", self.port, self.path)
    }
}

/// The head of an HTTP answer.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub challenges: Vec<String>,
}

/// What the probe expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// 401 with a `WWW-Authenticate` challenge (Autodiscover, EWS).
    Challenge,
    /// Any HTTP answer (outbound reachability).
    AnyAnswer,
}

/// Largest answer head read.
const MAX_HEAD: usize = 64 * 1024;

async fn read_head<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> Result<Answer, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() > MAX_HEAD {
            break;
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split_whitespace();
    let (Some(version), Some(code)) = (parts.next(), parts.next()) else {
        return Err(format!(
            "not an HTTP answer: {:?}",
            status_line.chars().take(80).collect::<String>()
        ));
    };
    if !version.starts_with("HTTP/") {
        return Err(format!(
            "not an HTTP answer: {:?}",
            status_line.chars().take(80).collect::<String>()
        ));
    }
    let status = code
        .parse::<u16>()
        .map_err(|_| format!("bad HTTP status {code:?}"))?;
    let challenges = lines
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("www-authenticate"))
        .map(|(_, v)| v.trim().to_string())
        .collect();
    Ok(Answer { status, challenges })
}

/// The scheme names of the challenges (`Negotiate`, `NTLM`, `Bearer`, …).
fn schemes(challenges: &[String]) -> String {
    challenges
        .iter()
        .map(|c| {
            c.split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_end_matches(',')
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Connect, check TLS, send one anonymous GET and judge the answer.
pub async fn probe(
    title: &str,
    target: &Target,
    expect: Expect,
    trust: &Trust,
    timeout: Duration,
) -> ProbeNode {
    let url = target.url();
    let tcp_title = format!("TCP connection to {}:{}", target.host, target.port);
    let tcp = match tokio::time::timeout(timeout, TcpStream::connect((target.host.as_str(), target.port))).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            return ProbeNode::group(
                title,
                "https_ok",
                vec![ProbeNode::fail(
                    tcp_title,
                    "tcp_unreachable",
                    format!("cannot connect ({e})"),
                    format!("check that {} resolves, that the service listens on port {} and that the firewall lets HTTPS in", target.host, target.port),
                )],
            )
        }
        Err(_) => {
            return ProbeNode::group(
                title,
                "https_ok",
                vec![ProbeNode::fail(
                    tcp_title,
                    "tcp_timeout",
                    format!("no connection within {} s", timeout.as_secs()),
                    format!("check the firewall for port {}", target.port),
                )],
            )
        }
    };
    let mut children = vec![ProbeNode::pass(tcp_title, "tcp_ok", "connected")];
    let hs = handshake(tcp, &target.host, trust, timeout).await;
    children.push(hs.node);
    let Some(mut tls) = hs.stream else {
        children.push(ProbeNode::skip(
            format!("HTTP answer from {url}"),
            "http_not_checked",
            "not checked: the TLS connection was not trusted",
        ));
        return ProbeNode::group(title, "https_ok", children);
    };
    let host_header = if target.port == 443 {
        target.host.clone()
    } else {
        format!("{}:{}", target.host, target.port)
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: hybridsync-probe/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        target.path,
        env!("CARGO_PKG_VERSION")
    );
    let exchange = async {
        tls.write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        read_head(&mut tls).await
    };
    let http_title = format!("HTTP answer from {url}");
    let node = match tokio::time::timeout(timeout, exchange).await {
        Err(_) => ProbeNode::fail(
            http_title,
            "http_timeout",
            format!("no answer within {} s", timeout.as_secs()),
            "check the web server (IIS) and any reverse proxy in front of it",
        ),
        Ok(Err(e)) => ProbeNode::fail(
            http_title,
            "http_malformed",
            e,
            "check the web server (IIS) and any reverse proxy in front of it",
        ),
        Ok(Ok(a)) => judge(http_title, &a, expect),
    };
    children.push(node);
    ProbeNode::group(title, "https_ok", children)
}

fn judge(title: String, a: &Answer, expect: Expect) -> ProbeNode {
    match expect {
        Expect::AnyAnswer => ProbeNode::pass(title, "http_answered", format!("HTTP {}", a.status)),
        Expect::Challenge if a.status == 401 && !a.challenges.is_empty() => ProbeNode::pass(
            title,
            "http_auth_challenge",
            format!("HTTP 401 with WWW-Authenticate: {}", schemes(&a.challenges)),
        ),
        Expect::Challenge if a.status == 401 => ProbeNode::fail(
            title,
            "http_no_challenge",
            "HTTP 401 without a WWW-Authenticate header",
            "enable an authentication method (Negotiate/NTLM or OAuth) on the virtual directory; a proxy may be stripping the header",
        ),
        Expect::Challenge => ProbeNode::fail(
            title,
            "http_unexpected_status",
            format!("HTTP {} where 401 with an authentication challenge was expected", a.status),
            "check that the URL reaches Exchange's virtual directory (not a proxy or a default web page) and that anonymous access is off",
        ),
    }
}
