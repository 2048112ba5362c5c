//! `directory scan --ldap` end to end with the real binary against a real slapd.
use std::path::Path;
use std::process::{Command, Output};

#[path = "../../directory/tests/ldap/slapd.rs"]
#[allow(dead_code)]
mod slapd;

use slapd::{Slapd, BASE, BIND_DN, PASSWORD};

fn hybridsync(args: &[&str], home: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hybridsync"));
    c.args(args)
        .env("HYBRIDSYNC_HOME", home)
        .env_remove("HYBRIDSYNC_TEST_BIND_PW");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn ldap_scan_reads_every_page_and_keeps_the_password_out_of_every_output() {
    let server = Slapd::start(&slapd::users(210));
    let home = tempfile::tempdir().unwrap();
    let ca = server.ca_file.display().to_string();
    let args = [
        "directory",
        "scan",
        "--ldap",
        &server.ldaps_url,
        "--bind-dn",
        BIND_DN,
        "--password-env",
        "HYBRIDSYNC_TEST_BIND_PW",
        "--base",
        BASE,
        "--ca",
        &ca,
        "--page-size",
        "50",
        "--json",
    ];
    let out = hybridsync(&args, home.path(), &[("HYBRIDSYNC_TEST_BIND_PW", PASSWORD)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["objects"], 215);
    assert_eq!(v["ldap"]["pages"], 5);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"diacritic")
            && rules.contains(&"non_routable_suffix")
            && rules.contains(&"duplicate"),
        "{rules:?}"
    );
    // The password is nowhere: not on stdout, stderr, nor in the log folder.
    assert!(!String::from_utf8_lossy(&out.stdout).contains(PASSWORD));
    assert!(!stderr.contains(PASSWORD));
    for entry in walk(home.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(
            !text.contains(PASSWORD),
            "password found in {}",
            entry.display()
        );
    }
}

#[test]
fn ldap_scan_errors_exit_with_their_codes() {
    let server = Slapd::start(&slapd::users(5));
    let home = tempfile::tempdir().unwrap();
    let ca = server.ca_file.display().to_string();
    let base_args = |url: &str| -> Vec<String> {
        [
            "directory",
            "scan",
            "--ldap",
            url,
            "--bind-dn",
            BIND_DN,
            "--password-env",
            "HYBRIDSYNC_TEST_BIND_PW",
            "--base",
            BASE,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let run = |args: Vec<String>, pw: &str| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        hybridsync(&refs, home.path(), &[("HYBRIDSYNC_TEST_BIND_PW", pw)])
    };

    // Wrong password: 8 (authentication).
    let mut a = base_args(&server.ldaps_url);
    a.extend(["--ca".to_string(), ca.clone()]);
    let out = run(a, "wrong-password");
    assert_eq!(
        out.status.code(),
        Some(8),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("rejected the bind"));

    // Server certificate from a CA not given: 4 (TLS), and it says to pass --ca.
    let out = run(base_args(&server.ldaps_url), PASSWORD);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--ca FILE"));

    // No password source: 2.
    let out = hybridsync(
        &[
            "directory",
            "scan",
            "--ldap",
            &server.ldaps_url,
            "--bind-dn",
            BIND_DN,
            "--base",
            BASE,
        ],
        home.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--password-env"));

    // An unset variable: 2, naming the variable.
    let out = hybridsync(
        &[
            "directory",
            "scan",
            "--ldap",
            &server.ldaps_url,
            "--bind-dn",
            BIND_DN,
            "--base",
            BASE,
            "--password-env",
            "HYBRIDSYNC_TEST_BIND_PW",
        ],
        home.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HYBRIDSYNC_TEST_BIND_PW is not set"));

    // Not an LDAP URL: 2.
    let mut a = base_args("https://dc1.contoso.local");
    a.extend(["--ca".to_string(), ca]);
    let out = run(a, PASSWORD);
    assert_eq!(out.status.code(), Some(2));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/test-keychain.sh"]
fn the_bind_password_can_come_from_the_os_keychain() {
    if std::env::var("HYBRIDSYNC_KEYCHAIN_TESTS").as_deref() != Ok("1") {
        eprintln!("skipped: needs a Secret Service; run scripts/test-keychain.sh");
        return;
    }
    let server = Slapd::start(&slapd::users(3));
    let home = tempfile::tempdir().unwrap();
    let ca = server.ca_file.display().to_string();
    let out = hybridsync(
        &[
            "directory",
            "save-password",
            "--bind-dn",
            BIND_DN,
            "--password-env",
            "HYBRIDSYNC_TEST_BIND_PW",
        ],
        home.path(),
        &[("HYBRIDSYNC_TEST_BIND_PW", PASSWORD)],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = hybridsync(
        &[
            "directory",
            "scan",
            "--ldap",
            &server.ldaps_url,
            "--bind-dn",
            BIND_DN,
            "--password-keychain",
            "--base",
            BASE,
            "--ca",
            &ca,
            "--page-size",
            "50",
            "--json",
        ],
        home.path(),
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["objects"], 8);
    // Nothing under the app's folder holds the password.
    for entry in walk(home.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(
            !text.contains(PASSWORD),
            "password found in {}",
            entry.display()
        );
    }
}
