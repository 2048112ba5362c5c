//! The LDAP source against a real OpenLDAP slapd (see `slapd.rs`): paged
//! search over LDAPS and StartTLS with an explicit CA, into the same rules as
//! the export files.

mod slapd;

use std::time::Duration;

use hybridsync_directory::ldap::{scan_ldap, LdapError, LdapSource};
use hybridsync_directory::{Rule, RuleOptions};
use slapd::{Slapd, BASE, BIND_DN, PASSWORD, SIZE_LIMIT};

const USERS: usize = 250;

fn source(url: &str, ca: Option<&std::path::Path>) -> LdapSource {
    LdapSource {
        url: url.to_string(),
        bind_dn: BIND_DN.into(),
        password: PASSWORD.into(),
        base: BASE.into(),
        filter: String::new(),
        ca_file: ca.map(|p| p.to_path_buf()),
        page_size: 40,
        timeout: Duration::from_secs(20),
    }
}

/// Every user, the bind account and krbtgt.
fn expected_entries() -> u64 {
    slapd::users(USERS).len() as u64 + 2
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_limit_is_below_the_user_count_so_only_paging_reads_everything() {
    let server = Slapd::start(&slapd::users(USERS));
    // A search without the paged results control stops at the server's limit.
    let config = rustls_config(&server.ca_file);
    let settings = ldap3::LdapConnSettings::new().set_config(config);
    let (conn, mut ldap) = ldap3::LdapConnAsync::with_settings(settings, &server.ldaps_url)
        .await
        .unwrap();
    ldap3::drive!(conn);
    ldap.simple_bind(BIND_DN, PASSWORD)
        .await
        .unwrap()
        .success()
        .unwrap();
    let res = ldap
        .search(
            BASE,
            ldap3::Scope::Subtree,
            "(objectClass=user)",
            vec!["cn"],
        )
        .await
        .unwrap();
    assert_eq!(res.1.rc, 4, "sizeLimitExceeded expected, got {:?}", res.1);
    assert_eq!(res.0.len(), SIZE_LIMIT);
    const { assert!(SIZE_LIMIT < 200) };

    // The paged read gets every one of them, in several pages.
    let (report, stats) = scan_ldap(
        &source(&server.ldaps_url, Some(&server.ca_file)),
        RuleOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(stats.entries, expected_entries());
    assert_eq!(report.objects, expected_entries());
    assert_eq!(stats.pages as u64, expected_entries().div_ceil(40));
    assert!(!stats.starttls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldaps_scan_finds_the_planted_problems_and_skips_system_objects() {
    let server = Slapd::start(&slapd::users(USERS));
    let opts = RuleOptions {
        upn_suffix_replacement: Some("contoso.com".into()),
    };
    let (report, _) = scan_ldap(&source(&server.ldaps_url, Some(&server.ca_file)), opts)
        .await
        .unwrap();
    assert_eq!(report.skipped, 1, "krbtgt is a system object");
    let has = |rule: Rule, dn_part: &str, attr: &str| {
        report.findings.iter().any(|f| {
            f.rule == rule && f.dn.contains(dn_part) && f.attribute.eq_ignore_ascii_case(attr)
        })
    };
    assert!(
        has(Rule::Diacritic, "Garc", "userPrincipalName"),
        "{:#?}",
        report.findings
    );
    let dia = report
        .findings
        .iter()
        .find(|f| {
            f.rule == Rule::Diacritic && f.attribute.eq_ignore_ascii_case("userPrincipalName")
        })
        .unwrap();
    assert_eq!(dia.suggestion.as_deref(), Some("jose.garcia@contoso.com"));
    assert!(has(
        Rule::NonRoutableSuffix,
        "Legacy Account",
        "userPrincipalName"
    ));
    assert!(has(
        Rule::Duplicate,
        "Shared Mailbox Owner",
        "proxyAddresses"
    ));
    assert!(has(Rule::Duplicate, "User 001", "proxyAddresses"));
    // Nothing else: the 250 ordinary users are clean.
    assert!(
        report
            .findings
            .iter()
            .all(|f| !f.dn.contains("User 1") && !f.dn.contains("User 2")),
        "{:#?}",
        report.findings
    );
    let suffixes: Vec<(&str, u64)> = report
        .upn_suffixes
        .iter()
        .map(|s| (s.suffix.as_str(), s.count))
        .collect();
    assert_eq!(
        suffixes,
        [("contoso.com", USERS as u64 + 2), ("contoso.local", 1)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_reads_the_same_directory() {
    let server = Slapd::start(&slapd::users(USERS));
    let (report, stats) = scan_ldap(
        &source(&server.ldap_url, Some(&server.ca_file)),
        RuleOptions::default(),
    )
    .await
    .unwrap();
    assert!(stats.starttls);
    assert_eq!(report.objects, expected_entries());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_password_untrusted_certificate_and_oversized_page_are_clear_errors() {
    let server = Slapd::start(&slapd::users(10));
    let ca = Some(server.ca_file.as_path());

    let mut wrong = source(&server.ldaps_url, ca);
    wrong.password = "not-the-password".into();
    let err = scan_ldap(&wrong, RuleOptions::default()).await.unwrap_err();
    assert!(matches!(err, LdapError::Bind { .. }), "{err:?}");
    assert_eq!(err.code(), "ldap_bind_rejected");
    assert!(!err.to_string().contains("not-the-password"));

    for url in [&server.ldaps_url, &server.ldap_url] {
        let err = scan_ldap(
            &source(url, Some(&server.other_ca_file)),
            RuleOptions::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, LdapError::Tls { .. }), "{url}: {err:?}");
        assert_eq!(err.code(), "tls_untrusted");
    }

    let mut big = source(&server.ldaps_url, ca);
    big.page_size = SIZE_LIMIT as u32 + 1;
    let err = scan_ldap(&big, RuleOptions::default()).await.unwrap_err();
    assert!(matches!(err, LdapError::PageSize { .. }), "{err:?}");
    assert!(err.to_string().contains("--page-size"));

    let mut base = source(&server.ldaps_url, ca);
    base.base = "DC=fabrikam,DC=local".into();
    let err = scan_ldap(&base, RuleOptions::default()).await.unwrap_err();
    assert!(matches!(err, LdapError::Search { .. }), "{err:?}");

    let missing = source(
        &server.ldaps_url,
        Some(&server.dir.path().join("missing.pem")),
    );
    let err = scan_ldap(&missing, RuleOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LdapError::CaFile { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_is_a_network_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = scan_ldap(
        &source(&format!("ldaps://127.0.0.1:{port}"), None),
        RuleOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, LdapError::Connect { .. }), "{err:?}");
    assert_eq!(err.code(), "network");
}

fn rustls_config(ca: &std::path::Path) -> std::sync::Arc<rustls::ClientConfig> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    std::sync::Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}
