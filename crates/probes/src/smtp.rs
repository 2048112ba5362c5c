//! SMTP on port 25: banner, EHLO, STARTTLS offered, its certificate, and the
//! asterisk banner of a firewall's SMTP inspection ("fixup"), which breaks
//! ESMTP and hides STARTTLS.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::tls::{handshake, Trust};
use crate::tree::ProbeNode;

/// Longest reply read (lines × line length guard).
const MAX_REPLY_LINES: usize = 100;

/// One SMTP reply: code and its lines' text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

async fn read_reply<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Result<Reply, String> {
    let mut reply = Reply::default();
    for _ in 0..MAX_REPLY_LINES {
        let mut line = String::new();
        let n = r.read_line(&mut line).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
        let line = line.trim_end_matches(['\r', '\n']);
        let code = line.get(..3).and_then(|c| c.parse::<u16>().ok());
        let Some(code) = code else {
            return Err(format!(
                "not an SMTP reply: {:?}",
                line.chars().take(80).collect::<String>()
            ));
        };
        reply.code = code;
        reply
            .lines
            .push(line.get(4..).unwrap_or_default().to_string());
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(reply);
        }
    }
    Err("the reply has too many lines".into())
}

/// True for a banner masked by a firewall's SMTP fixup (`220 ****…`): most
/// of its visible characters are asterisks.
pub fn is_fixup_banner(text: &str) -> bool {
    let visible: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let stars = visible.iter().filter(|&&c| c == '*').count();
    stars >= 4 && stars * 2 >= visible.len()
}

fn fixup_fix() -> &'static str {
    "turn off SMTP/ESMTP inspection on the firewall in front of the mail server (Cisco ASA/PIX: `no inspect esmtp` or `no fixup protocol smtp 25`); it masks the banner and removes STARTTLS"
}

/// Probe an SMTP server.
pub async fn probe(host: &str, port: u16, trust: &Trust, timeout: Duration) -> ProbeNode {
    let title = format!("SMTP on {host}:{port}");
    let mut children = Vec::new();
    let tcp_title = format!("TCP connection to {host}:{port}");
    let tcp = match tokio::time::timeout(timeout, TcpStream::connect((host, port))).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            children.push(ProbeNode::fail(tcp_title, "tcp_unreachable", format!("cannot connect ({e})"), format!("check that the mail server listens on port {port} and that the firewall and the ISP allow inbound port {port}")));
            return ProbeNode::group(title, "smtp_ok", children);
        }
        Err(_) => {
            children.push(ProbeNode::fail(
                tcp_title,
                "tcp_timeout",
                format!("no connection within {} s", timeout.as_secs()),
                format!("check the firewall for port {port}"),
            ));
            return ProbeNode::group(title, "smtp_ok", children);
        }
    };
    children.push(ProbeNode::pass(tcp_title, "tcp_ok", "connected"));
    let mut conn = BufReader::new(tcp);
    let t = |d: Duration| d;
    macro_rules! step {
        ($fut:expr, $title:expr) => {
            match tokio::time::timeout(t(timeout), $fut).await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => {
                    children.push(ProbeNode::fail(
                        $title,
                        "smtp_protocol_error",
                        e,
                        "check the mail server's SMTP receive connector",
                    ));
                    return ProbeNode::group(title, "smtp_ok", children);
                }
                Err(_) => {
                    children.push(ProbeNode::fail(
                        $title,
                        "smtp_timeout",
                        format!("no reply within {} s", timeout.as_secs()),
                        "check the mail server and any firewall inspecting SMTP",
                    ));
                    return ProbeNode::group(title, "smtp_ok", children);
                }
            }
        };
    }

    let banner = step!(read_reply(&mut conn), "Banner");
    let banner_text = banner.lines.join(" ");
    if banner.code != 220 {
        children.push(ProbeNode::fail(
            "Banner",
            "smtp_banner_refused",
            format!("{} {banner_text}", banner.code),
            "the server refuses connections: check its receive connector's remote IP ranges",
        ));
        return ProbeNode::group(title, "smtp_ok", children);
    }
    let fixup = is_fixup_banner(&banner_text);
    children.push(if fixup {
        ProbeNode::fail(
            "Banner",
            "smtp_fixup_banner",
            format!("220 {banner_text}: masked by a firewall's SMTP inspection"),
            fixup_fix(),
        )
    } else {
        ProbeNode::pass("Banner", "smtp_banner_ok", format!("220 {banner_text}"))
    });

    let ehlo = step!(
        async {
            conn.get_mut()
                .write_all(b"EHLO hybridsync-probe.invalid\r\n")
                .await
                .map_err(|e| e.to_string())?;
            read_reply(&mut conn).await
        },
        "EHLO"
    );
    if ehlo.code != 250 {
        children.push(ProbeNode::fail(
            "EHLO",
            "smtp_ehlo_refused",
            format!("{} {}", ehlo.code, ehlo.lines.join(" ")),
            if fixup {
                fixup_fix()
            } else {
                "enable ESMTP on the receive connector"
            },
        ));
        return ProbeNode::group(title, "smtp_ok", children);
    }
    children.push(ProbeNode::pass(
        "EHLO",
        "smtp_ehlo_ok",
        format!("250, {} extension(s)", ehlo.lines.len().saturating_sub(1)),
    ));
    let offers_starttls = ehlo
        .lines
        .iter()
        .any(|l| l.trim().eq_ignore_ascii_case("STARTTLS"));
    if !offers_starttls {
        let masked = ehlo
            .lines
            .iter()
            .any(|l| l.trim().chars().all(|c| c == 'X' || c == 'A') && l.trim().len() >= 4);
        children.push(ProbeNode::fail(
            "STARTTLS offered",
            "smtp_no_starttls",
            if masked { "STARTTLS is not offered; an extension is masked as XXXXXXXA by a firewall".to_string() } else { "the EHLO reply does not list STARTTLS".to_string() },
            if masked || fixup { fixup_fix().to_string() } else { "enable TLS on the receive connector and bind a certificate for this host name to the SMTP service (Exchange: Enable-ExchangeCertificate -Services SMTP)".to_string() },
        ));
        let _ = conn.get_mut().write_all(b"QUIT\r\n").await;
        return ProbeNode::group(title, "smtp_ok", children);
    }
    children.push(ProbeNode::pass(
        "STARTTLS offered",
        "smtp_starttls_offered",
        "the EHLO reply lists STARTTLS",
    ));
    let go = step!(
        async {
            conn.get_mut()
                .write_all(b"STARTTLS\r\n")
                .await
                .map_err(|e| e.to_string())?;
            read_reply(&mut conn).await
        },
        "STARTTLS"
    );
    if go.code != 220 {
        children.push(ProbeNode::fail(
            "STARTTLS",
            "smtp_starttls_refused",
            format!("{} {}", go.code, go.lines.join(" ")),
            "check the certificate bound to the SMTP service",
        ));
        return ProbeNode::group(title, "smtp_ok", children);
    }
    let hs = handshake(conn.into_inner(), host, trust, timeout).await;
    children.push(hs.node);
    if let Some(mut s) = hs.stream {
        let _ = s.write_all(b"QUIT\r\n").await;
    }
    ProbeNode::group(title, "smtp_ok", children)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixup_banners_are_recognised() {
        assert!(is_fixup_banner(
            "*****************************2*0*0**2*0*0*******"
        ));
        assert!(is_fixup_banner("**********************************"));
        assert!(!is_fixup_banner(
            "mail.contoso.com Microsoft ESMTP MAIL Service ready"
        ));
        assert!(!is_fixup_banner("mail.contoso.com ESMTP *"));
    }
}
