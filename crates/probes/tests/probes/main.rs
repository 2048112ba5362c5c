//! The probes against loopback servers started here: HTTPS with a healthy,
//! a wrong-name and an expired certificate; SMTP with STARTTLS, without it
//! and behind a firewall's fixup; Autodiscover DNS on a real DNS server.

mod servers;

use std::io::Write;
use std::time::Duration;

use hybridsync_dns::testing::TestDnsServer;
use hybridsync_probes::{run, ProbeNode, ProbeOptions, Status};
use servers::{Ca, Smtp};

const CHALLENGE: &str =
    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM";

struct Setup {
    ca: Ca,
    ca_file: tempfile::NamedTempFile,
}

fn setup() -> Setup {
    let ca = Ca::new();
    let mut ca_file = tempfile::NamedTempFile::new().unwrap();
    ca_file.write_all(ca.pem.as_bytes()).unwrap();
    Setup { ca, ca_file }
}

fn opts(s: &Setup) -> ProbeOptions {
    ProbeOptions {
        outbound: Vec::new(),
        ca_file: Some(s.ca_file.path().to_path_buf()),
        timeout: Duration::from_secs(10),
        ..ProbeOptions::default()
    }
}

fn codes(n: &ProbeNode) -> Vec<&str> {
    n.walk().iter().map(|n| n.code.as_str()).collect()
}

fn status_of(root: &ProbeNode, code: &str) -> Status {
    root.find(code)
        .unwrap_or_else(|| panic!("no {code} in {root:#?}"))
        .status
}

#[tokio::test]
async fn healthy_autodiscover_and_ews_answer_401_with_a_challenge() {
    let s = setup();
    let leaf = s.ca.leaf(&["localhost"], (-1, 365));
    let port = servers::https(&leaf, CHALLENGE).await;
    let mut o = opts(&s);
    o.autodiscover_host = Some(format!("localhost:{port}"));
    o.ews_url = Some(format!("https://localhost:{port}/EWS/Exchange.asmx"));
    let root = run(&o).await.unwrap();
    assert_eq!(root.status, Status::Pass, "{root:#?}");
    assert_eq!(root.children.len(), 2);
    let ch = root.find("http_auth_challenge").unwrap();
    assert!(ch.detail.contains("Negotiate, NTLM"), "{}", ch.detail);
    for code in ["cert_chain_trusted", "cert_name_ok", "cert_dates_ok"] {
        assert_eq!(status_of(&root, code), Status::Pass);
    }
}

#[tokio::test]
async fn a_wrong_name_certificate_is_named_and_never_trusted() {
    let s = setup();
    let leaf = s.ca.leaf(&["mail.fabrikam.com"], (-1, 365));
    let port = servers::https(&leaf, CHALLENGE).await;
    let mut o = opts(&s);
    o.autodiscover_host = Some(format!("localhost:{port}"));
    let root = run(&o).await.unwrap();
    assert_eq!(root.status, Status::Fail);
    let n = root.find("cert_name_mismatch").unwrap();
    assert!(n.detail.contains("mail.fabrikam.com"), "{}", n.detail);
    assert!(n
        .remediation
        .as_deref()
        .unwrap_or_default()
        .contains("localhost"));
    // The issuer is trusted; the request itself is never sent over the rejected connection.
    assert_eq!(status_of(&root, "cert_chain_trusted"), Status::Pass);
    assert_eq!(status_of(&root, "http_not_checked"), Status::Skip);
    assert!(!codes(&root).contains(&"http_auth_challenge"));
    assert_eq!(root.code, "cert_name_mismatch");
}

#[tokio::test]
async fn an_expired_certificate_is_reported_with_its_date() {
    let s = setup();
    let leaf = s.ca.leaf(&["localhost"], (-400, -10));
    let port = servers::https(&leaf, CHALLENGE).await;
    let mut o = opts(&s);
    o.ews_url = Some(format!("https://localhost:{port}/EWS/Exchange.asmx"));
    let root = run(&o).await.unwrap();
    assert_eq!(root.status, Status::Fail);
    let n = root.find("cert_expired").unwrap();
    assert_eq!(n.status, Status::Fail);
    assert!(n.detail.starts_with("expired on"), "{}", n.detail);
    assert_eq!(status_of(&root, "cert_name_ok"), Status::Pass);
    assert_eq!(status_of(&root, "http_not_checked"), Status::Skip);
}

#[tokio::test]
async fn an_unknown_issuer_and_a_soon_expiring_certificate() {
    let s = setup();
    let mut o = opts(&s);
    // A CA nobody trusts, and an impostor CA with the trusted CA's name.
    for other in [Ca::named("some other CA"), Ca::new()] {
        let port = servers::https(&other.leaf(&["localhost"], (-1, 365)), CHALLENGE).await;
        o.ews_url = Some(format!("https://localhost:{port}/EWS/Exchange.asmx"));
        let root = run(&o).await.unwrap();
        assert_eq!(status_of(&root, "cert_untrusted_issuer"), Status::Fail);
        assert_eq!(status_of(&root, "http_not_checked"), Status::Skip);
    }

    let port = servers::https(&s.ca.leaf(&["localhost"], (-300, 10)), CHALLENGE).await;
    o.ews_url = Some(format!("https://localhost:{port}/EWS/Exchange.asmx"));
    let root = run(&o).await.unwrap();
    assert_eq!(root.status, Status::Warn, "{root:#?}");
    assert_eq!(status_of(&root, "cert_expires_soon"), Status::Warn);
    assert_eq!(status_of(&root, "http_auth_challenge"), Status::Pass);
}

#[tokio::test]
async fn wrong_http_answers_fail() {
    let s = setup();
    let leaf = s.ca.leaf(&["localhost", "127.0.0.1"], (-1, 365));
    let ok = servers::https(&leaf, "HTTP/1.1 200 OK\r\nContent-Type: text/html").await;
    let bare = servers::https(&leaf, "HTTP/1.1 401 Unauthorized").await;
    let mut o = opts(&s);
    o.autodiscover_host = Some(format!("127.0.0.1:{ok}"));
    o.ews_url = Some(format!("https://localhost:{bare}/EWS/Exchange.asmx"));
    let root = run(&o).await.unwrap();
    assert_eq!(status_of(&root, "http_unexpected_status"), Status::Fail);
    assert_eq!(status_of(&root, "http_no_challenge"), Status::Fail);

    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    o.autodiscover_host = Some(format!("127.0.0.1:{closed}"));
    o.ews_url = None;
    let root = run(&o).await.unwrap();
    assert_eq!(status_of(&root, "tcp_unreachable"), Status::Fail);
}

#[tokio::test]
async fn smtp_with_starttls_passes_and_its_certificate_is_checked() {
    let s = setup();
    let port = servers::smtp(Smtp::StartTls(s.ca.leaf(&["localhost"], (-1, 365)))).await;
    let mut o = opts(&s);
    o.smtp = Some(format!("localhost:{port}"));
    let root = run(&o).await.unwrap();
    assert_eq!(root.status, Status::Pass, "{root:#?}");
    for code in [
        "smtp_banner_ok",
        "smtp_ehlo_ok",
        "smtp_starttls_offered",
        "cert_name_ok",
    ] {
        assert_eq!(status_of(&root, code), Status::Pass);
    }

    // STARTTLS with a certificate for another name.
    let port = servers::smtp(Smtp::StartTls(s.ca.leaf(&["mail.fabrikam.com"], (-1, 365)))).await;
    o.smtp = Some(format!("localhost:{port}"));
    let root = run(&o).await.unwrap();
    assert_eq!(status_of(&root, "cert_name_mismatch"), Status::Fail);
}

#[tokio::test]
async fn smtp_without_starttls_fails() {
    let s = setup();
    let port = servers::smtp(Smtp::Plain).await;
    let mut o = opts(&s);
    o.smtp = Some(format!("127.0.0.1:{port}"));
    let root = run(&o).await.unwrap();
    assert_eq!(root.status, Status::Fail);
    assert_eq!(root.code, "smtp_no_starttls");
    assert!(root
        .remediation
        .as_deref()
        .unwrap_or_default()
        .contains("Enable-ExchangeCertificate"));
}

#[tokio::test]
async fn smtp_behind_a_firewall_fixup_is_recognised() {
    let s = setup();
    let port = servers::smtp(Smtp::Fixup).await;
    let mut o = opts(&s);
    o.smtp = Some(format!("127.0.0.1:{port}"));
    let root = run(&o).await.unwrap();
    assert_eq!(root.status, Status::Fail);
    let n = root.find("smtp_fixup_banner").unwrap();
    assert_eq!(n.status, Status::Fail);
    assert!(n
        .remediation
        .as_deref()
        .unwrap_or_default()
        .contains("inspect esmtp"));
    let st = root.find("smtp_no_starttls").unwrap();
    assert!(st.detail.contains("XXXXXXXA"), "{}", st.detail);
}

#[tokio::test]
async fn autodiscover_dns_cname_a_and_srv() {
    let dns = TestDnsServer::start(&["contoso.com", "fabrikam.com", "litware.com"])
        .await
        .unwrap();
    let contoso = dns.zone("contoso.com");
    contoso.set_cname("autodiscover", "mail.contoso.com.").await;
    contoso
        .set_addresses("mail", &["127.0.0.1".parse().unwrap()])
        .await;
    contoso
        .set_srv("_autodiscover._tcp", &[(0, 0, 443, "mail.contoso.com.")])
        .await;
    let litware = dns.zone("litware.com");
    litware
        .set_srv("_autodiscover._tcp", &[(0, 0, 443, "mail.litware.com.")])
        .await;

    let s = setup();
    let mut o = opts(&s);
    o.nameserver = Some(dns.addr());
    o.autodiscover_host = Some("127.0.0.1:1".into()); // keep the HTTPS probe off the network
    let dns_only = |o: &ProbeOptions, domain: &str| {
        let mut o = o.clone();
        o.domain = Some(domain.into());
        o
    };
    let root = run(&dns_only(&o, "contoso.com")).await.unwrap();
    let tree = &root.children[0];
    assert_eq!(tree.status, Status::Pass, "{tree:#?}");
    assert!(tree
        .find("dns_cname_found")
        .unwrap()
        .detail
        .contains("mail.contoso.com"));
    assert_eq!(tree.find("dns_a_found").unwrap().detail, "127.0.0.1");
    assert!(tree
        .find("dns_srv_found")
        .unwrap()
        .detail
        .contains("port 443"));

    // No records at all: a failure that says what to publish.
    let root = run(&dns_only(&o, "fabrikam.com")).await.unwrap();
    let tree = &root.children[0];
    assert_eq!(tree.status, Status::Fail);
    assert_eq!(tree.code, "dns_autodiscover_missing");
    assert!(tree
        .remediation
        .as_deref()
        .unwrap_or_default()
        .contains("_autodiscover._tcp.fabrikam.com"));

    // Only the SRV record: enough.
    let root = run(&dns_only(&o, "litware.com")).await.unwrap();
    assert_eq!(
        root.children[0].status,
        Status::Pass,
        "{:#?}",
        root.children[0]
    );
}

#[tokio::test]
async fn outbound_endpoints_just_need_to_answer() {
    let s = setup();
    let leaf = s.ca.leaf(&["localhost"], (-1, 365));
    let port = servers::https(&leaf, "HTTP/1.1 404 Not Found").await;
    let mut o = opts(&s);
    o.outbound = vec![format!("https://localhost:{port}/")];
    let root = run(&o).await.unwrap();
    assert_eq!(root.status, Status::Pass, "{root:#?}");
    assert_eq!(status_of(&root, "http_answered"), Status::Pass);
}
