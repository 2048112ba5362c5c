//! `hybridsync probe` end to end with the real binary against loopback
//! HTTPS, SMTP and DNS servers started here.
use std::io::Write;
use std::process::Output;

#[path = "../../probes/tests/probes/servers.rs"]
#[allow(dead_code)]
mod servers;

use hybridsync_dns::testing::TestDnsServer;
use servers::{Ca, Smtp};

const CHALLENGE: &str =
    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM";

async fn hybridsync(args: Vec<String>, home: std::path::PathBuf) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_hybridsync"))
            .args(&args)
            .env("HYBRIDSYNC_HOME", home)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn codes(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    out.push((
        v["code"].as_str().unwrap_or_default().to_string(),
        v["status"].as_str().unwrap_or_default().to_string(),
    ));
    for c in v["children"].as_array().into_iter().flatten() {
        codes(c, out);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_passes_on_healthy_servers_and_fails_with_codes_on_broken_ones() {
    let home = tempfile::tempdir().unwrap();
    let ca = Ca::new();
    let mut ca_file = tempfile::NamedTempFile::new().unwrap();
    ca_file.write_all(ca.pem.as_bytes()).unwrap();
    let ca_path = ca_file.path().display().to_string();

    let good = servers::https(&ca.leaf(&["localhost"], (-1, 365)), CHALLENGE).await;
    let smtp = servers::smtp(Smtp::StartTls(ca.leaf(&["localhost"], (-1, 365)))).await;
    let dns = TestDnsServer::start(&["contoso.com"]).await.unwrap();
    let zone = dns.zone("contoso.com");
    zone.set_cname("autodiscover", "mail.contoso.com.").await;
    zone.set_addresses("mail", &["127.0.0.1".parse().unwrap()])
        .await;

    let base = |extra: &[String]| -> Vec<String> {
        let mut v: Vec<String> = ["probe", "--ca", &ca_path, "--no-outbound", "--json"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.extend(extra.iter().cloned());
        v
    };
    let healthy = base(&[
        "--domain".into(),
        "contoso.com".into(),
        "--nameserver".into(),
        dns.addr().to_string(),
        "--autodiscover-host".into(),
        format!("localhost:{good}"),
        "--ews-url".into(),
        format!("https://localhost:{good}/EWS/Exchange.asmx"),
        "--smtp".into(),
        format!("localhost:{smtp}"),
    ]);
    let out = hybridsync(healthy, home.path().to_path_buf()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "pass");
    let mut seen = Vec::new();
    codes(&v, &mut seen);
    for code in [
        "dns_cname_found",
        "http_auth_challenge",
        "smtp_starttls_offered",
        "cert_name_ok",
    ] {
        assert!(
            seen.iter().any(|(c, s)| c == code && s == "pass"),
            "{code} in {seen:?}"
        );
    }

    // Broken: an expired certificate on EWS and an SMTP fixup.
    let expired = servers::https(&ca.leaf(&["localhost"], (-400, -1)), CHALLENGE).await;
    let fixup = servers::smtp(Smtp::Fixup).await;
    let broken = base(&[
        "--ews-url".into(),
        format!("https://localhost:{expired}/EWS/Exchange.asmx"),
        "--smtp".into(),
        format!("127.0.0.1:{fixup}"),
    ]);
    let out = hybridsync(broken.clone(), home.path().to_path_buf()).await;
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "fail");
    let mut seen = Vec::new();
    codes(&v, &mut seen);
    for code in ["cert_expired", "smtp_fixup_banner", "smtp_no_starttls"] {
        assert!(
            seen.iter().any(|(c, s)| c == code && s == "fail"),
            "{code} in {seen:?}"
        );
    }

    // The human tree names the failures and their fixes.
    let human: Vec<String> = broken.into_iter().filter(|a| a != "--json").collect();
    let out = hybridsync(human, home.path().to_path_buf()).await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[FAIL] Certificate is within its validity period"),
        "{text}"
    );
    assert!(text.contains("fix (smtp_fixup_banner)"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_probe_options_exit_2_with_a_message() {
    let home = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (
            vec!["probe", "--no-outbound", "--smtp", "mail:notaport"],
            "HOST:PORT",
        ),
        (
            vec![
                "probe",
                "--no-outbound",
                "--ews-url",
                "http://mail.contoso.com/EWS/Exchange.asmx",
            ],
            "https://",
        ),
        (
            vec![
                "probe",
                "--no-outbound",
                "--ca",
                "/nonexistent/ca.pem",
                "--smtp",
                "127.0.0.1:1",
            ],
            "cannot be read",
        ),
    ] {
        let out = hybridsync(
            args.iter().map(|s| s.to_string()).collect(),
            home.path().to_path_buf(),
        )
        .await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(needle),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
