//! `hybridsync domain add|status|verify`, the real binary against the practice tenant and its
//! DNS. The signed-in test needs a Secret Service and runs under scripts/test-keychain.sh.
#[path = "support/practice_cli.rs"]
mod practice_cli;

use std::process::Command;

use hybridsync_practice_tenant::Running;
use practice_cli::{hybridsync, json, keychain_tests_wanted, run, signed_in};
const DOMAIN: &str = "northwindtraders.com";

#[test]
fn bad_input_is_refused_with_exit_2_before_the_keychain_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    // An unreachable session bus: had the command opened the keychain, it would exit 9.
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hybridsync"))
            .args(args)
            .env("HYBRIDSYNC_HOME", dir.path())
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/hybridsync-test-bus",
            )
            .output()
            .unwrap()
    };
    let out = run(&["domain", "add", "https://contoso.com/"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("web address") && err.contains("contoso.com"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let out = run(&[
        "domain",
        "status",
        "contoso.com",
        "--nameserver",
        "localhost:53",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("IP:PORT"), "{err}");
}

#[test]
fn without_a_sign_in_the_domain_commands_say_to_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(&["domain", "status", "contoso.com", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(8));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Sign in first"));
    let out = hybridsync(&["domain", "--help"], dir.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("add") && text.contains("status") && text.contains("verify"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a real Secret Service: run scripts/test-keychain.sh"]
async fn add_then_verify_only_after_every_name_server_has_the_record() {
    if !keychain_tests_wanted() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Signed in as the Domain Name Administrator with a device code.
    let (sim, home) = signed_in(dir.path(), "domains@contoso.onmicrosoft.com").await;

    let ns = sim.dns.resolver().to_string();
    let run = |args: Vec<String>| run(args, &home);
    let args = |cmd: &str| {
        vec![
            "domain".to_string(),
            cmd.to_string(),
            DOMAIN.to_string(),
            "--nameserver".into(),
            ns.clone(),
            "--json".into(),
        ]
    };

    let added = json(&run(args("add")).await);
    assert_eq!(added["tenant"]["is_verified"], false);
    let value = added["txt"]["value"].as_str().unwrap().to_string();
    assert!(value.starts_with("MS=ms"), "{value}");
    assert_eq!(added["txt"]["host"], "@");
    assert_eq!(added["txt"]["ttl"], 3600);

    // Not published: verify refuses (exit 1) and Graph's verify is not called.
    let out = run(args("verify")).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("was not sent for verification"));
    assert!(!sim
        .sim
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/verify")));

    // On ns1 only: status shows one server with the value, and verify still refuses.
    sim.sim
        .domains
        .publish(DOMAIN, hybridsync_practice_tenant::Servers::Only(0))
        .await
        .unwrap();
    let s = json(&run(args("status")).await);
    let rows = s["dns"]["rows"].as_array().unwrap();
    let with: Vec<bool> = rows
        .iter()
        .filter(|r| r["role"] == "authoritative")
        .map(|r| r["has_value"].as_bool().unwrap())
        .collect();
    assert_eq!(with, vec![true, false], "{rows:#?}");
    assert_eq!(run(args("verify")).await.status.code(), Some(1));
    assert!(!sim
        .sim
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/verify")));

    // Everywhere: verify succeeds; a second verify and add change nothing.
    sim.sim
        .domains
        .publish(DOMAIN, hybridsync_practice_tenant::Servers::All)
        .await
        .unwrap();
    let v = json(&run(args("verify")).await);
    assert_eq!(v["tenant"]["is_verified"], true);
    let posts = |sim: &Running| {
        sim.sim
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.starts_with("/v1.0/domains"))
            .count()
    };
    let before = posts(&sim);
    json(&run(args("verify")).await);
    json(&run(args("add")).await);
    assert_eq!(posts(&sim), before, "a re-run sent a change");
    let text = run(vec![
        "domain".into(),
        "status".into(),
        DOMAIN.into(),
        "--nameserver".into(),
        ns.clone(),
    ])
    .await;
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("verified") && text.contains("information only"),
        "{text}"
    );
}
