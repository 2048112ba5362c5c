//! The OS keychain, for real. The tests that need a Secret Service are `#[ignore]`d unless run by
//! `scripts/test-keychain.sh`, which starts gnome-keyring-daemon inside dbus-run-session and sets
//! HYBRIDSYNC_KEYCHAIN_TESTS=1. "A new process" is this test binary run again with
//! HYBRIDSYNC_KEYCHAIN_CHILD set (see `child`).
use std::process::Command;

use hybridsync_core::keychain::Keychain;
use hybridsync_microsoft::Secret;

const TENANT: &str = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91";
const ACCOUNT: &str = "admin@contoso.onmicrosoft.com";
const AUTHORITY: &str = "https://login.microsoftonline.com";

/// Runs only as a child: does one keychain action and prints `RESULT:<outcome>`.
#[test]
fn child() {
    let Ok(action) = std::env::var("HYBRIDSYNC_KEYCHAIN_CHILD") else {
        return;
    };
    let kc = Keychain::with_service(std::env::var("HYBRIDSYNC_KEYCHAIN_SERVICE").unwrap());
    let outcome = match action.as_str() {
        "probe" => match kc.probe() {
            Ok(()) => "ok".to_string(),
            Err(e) => format!("{}|{}", e.code(), e),
        },
        "read" => match kc.refresh_token(AUTHORITY, TENANT, ACCOUNT) {
            Ok(Some(s)) if s.expose() == std::env::var("HYBRIDSYNC_KEYCHAIN_EXPECT").unwrap() => {
                "match".into()
            }
            Ok(Some(_)) => "different".into(),
            Ok(None) => "none".into(),
            Err(e) => format!("{}|{}", e.code(), e),
        },
        other => format!("unknown action {other}"),
    };
    println!("\nRESULT:{outcome}");
}

fn run_child(action: &str, service: &str, envs: &[(&str, &str)], remove: &[&str]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env("HYBRIDSYNC_KEYCHAIN_CHILD", action)
        .env("HYBRIDSYNC_KEYCHAIN_SERVICE", service);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    for k in remove {
        cmd.env_remove(k);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines()
        .find_map(|l| l.split_once("RESULT:").map(|(_, r)| r))
        .unwrap_or_else(|| {
            panic!(
                "child printed no result: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .to_string()
}

fn real_keychain_wanted() -> bool {
    if std::env::var("HYBRIDSYNC_KEYCHAIN_TESTS").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("skipped: needs a Secret Service; run scripts/test-keychain.sh");
    false
}

#[test]
fn without_a_session_bus_the_keychain_error_names_what_is_missing() {
    let out = run_child(
        "probe",
        "hybridsync-test-nobus",
        &[(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/hybridsync-test-bus",
        )],
        &["DISPLAY", "WAYLAND_DISPLAY"],
    );
    let (code, message) = out
        .split_once('|')
        .unwrap_or_else(|| panic!("the probe passed without a bus: {out}"));
    assert_eq!(code, "keychain_unavailable", "{message}");
    assert!(
        message
            .contains("no Secret Service (gnome-keyring / KWallet) is running on the session bus"),
        "{message}"
    );
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/test-keychain.sh"]
fn keychain_stores_a_token_a_new_process_reads_it_and_sign_out_deletes_it() {
    if !real_keychain_wanted() {
        return;
    }
    let service = format!("hybridsync-test-{}", std::process::id());
    let kc = Keychain::with_service(&service);
    kc.probe().unwrap();
    let value = format!("0.keychain-test-refresh-token-{}", std::process::id());
    kc.store_refresh_token(AUTHORITY, TENANT, ACCOUNT, &Secret::new(&value))
        .unwrap();

    // Another process sees the same entry.
    assert_eq!(
        run_child(
            "read",
            &service,
            &[("HYBRIDSYNC_KEYCHAIN_EXPECT", &value)],
            &[]
        ),
        "match"
    );
    // And so does the Secret Service's own client, so the token is in the real store.
    if let Ok(out) = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            &service,
            "username",
            &kc.refresh_entry_name(AUTHORITY, TENANT, ACCOUNT),
        ])
        .output()
    {
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            value,
            "secret-tool did not find the entry"
        );
    }

    assert!(kc.delete_refresh_token(AUTHORITY, TENANT, ACCOUNT).unwrap());
    assert!(
        !kc.delete_refresh_token(AUTHORITY, TENANT, ACCOUNT).unwrap(),
        "a second delete found something"
    );
    assert_eq!(
        run_child(
            "read",
            &service,
            &[("HYBRIDSYNC_KEYCHAIN_EXPECT", &value)],
            &[]
        ),
        "none"
    );
    assert!(kc
        .refresh_token(AUTHORITY, TENANT, ACCOUNT)
        .unwrap()
        .is_none());
}

/// Issue 18 item 3: two homes and two authorities keep separate entries; deleting one leaves the
/// others.
#[test]
#[ignore = "needs a real Secret Service: run scripts/test-keychain.sh"]
fn two_homes_and_two_authorities_never_share_an_entry() {
    if !real_keychain_wanted() {
        return;
    }
    let service = format!("hybridsync-test-scope-{}", std::process::id());
    let a = Keychain::for_home(
        &service,
        std::path::Path::new("/tmp/hybridsync-home-a/config"),
    );
    let b = Keychain::for_home(
        &service,
        std::path::Path::new("/tmp/hybridsync-home-b/config"),
    );
    let us = "https://login.microsoftonline.us";
    a.store_refresh_token(AUTHORITY, TENANT, ACCOUNT, &Secret::new("0.home-a"))
        .unwrap();
    b.store_refresh_token(AUTHORITY, TENANT, ACCOUNT, &Secret::new("0.home-b"))
        .unwrap();
    a.store_refresh_token(us, TENANT, ACCOUNT, &Secret::new("0.home-a-usgov"))
        .unwrap();
    assert_eq!(
        a.refresh_token(AUTHORITY, TENANT, ACCOUNT)
            .unwrap()
            .unwrap()
            .expose(),
        "0.home-a"
    );
    assert!(a.delete_refresh_token(AUTHORITY, TENANT, ACCOUNT).unwrap());
    assert_eq!(
        b.refresh_token(AUTHORITY, TENANT, ACCOUNT)
            .unwrap()
            .unwrap()
            .expose(),
        "0.home-b",
        "home a's sign-out deleted home b's token"
    );
    assert_eq!(
        a.refresh_token(us, TENANT, ACCOUNT)
            .unwrap()
            .unwrap()
            .expose(),
        "0.home-a-usgov",
        "one authority's sign-out deleted the other's"
    );
    assert!(b.delete_refresh_token(AUTHORITY, TENANT, ACCOUNT).unwrap());
    assert!(a.delete_refresh_token(us, TENANT, ACCOUNT).unwrap());
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/test-keychain.sh"]
fn sign_ins_at_the_same_time_all_pass_the_keychain_probe() {
    if !real_keychain_wanted() {
        return;
    }
    // The app and the CLI (or two CLI runs) start a sign-in at once: each probe must see only its
    // own throw-away entry.
    let service = format!("hybridsync-test-probe-{}", std::process::id());
    let failures: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..6)
            .map(|_| {
                s.spawn(|| {
                    (0..15)
                        .filter_map(|_| {
                            Keychain::with_service(&service)
                                .probe()
                                .err()
                                .map(|e| e.to_string())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        runs.into_iter().flat_map(|r| r.join().unwrap()).collect()
    });
    assert!(
        failures.is_empty(),
        "{} of 90 probes failed: {:?}",
        failures.len(),
        failures.first()
    );
    // Nothing is left behind.
    if let Ok(out) = Command::new("secret-tool")
        .args(["search", "--all", "service", &service])
        .output()
    {
        let listed = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            !listed.contains("probe"),
            "a probe entry was left: {listed}"
        );
    }
}

#[test]
#[ignore = "needs a locked Secret Service: run scripts/test-keychain.sh"]
fn a_locked_keychain_is_named_and_nothing_is_stored_elsewhere() {
    if std::env::var("HYBRIDSYNC_KEYCHAIN_LOCKED").as_deref() != Ok("1") {
        eprintln!("skipped: needs a locked Secret Service; run scripts/test-keychain.sh");
        return;
    }
    let kc = Keychain::with_service(format!("hybridsync-test-locked-{}", std::process::id()));
    let err = kc
        .store_refresh_token(
            AUTHORITY,
            TENANT,
            ACCOUNT,
            &Secret::new("0.should-not-be-kept"),
        )
        .unwrap_err();
    assert_eq!(err.code(), "keychain_locked", "{err}");
    assert!(err.to_string().contains("keychain is locked"), "{err}");
    let err = kc.probe().unwrap_err();
    assert_eq!(err.code(), "keychain_locked", "{err}");
}
