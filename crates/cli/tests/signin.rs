//! `signin`, `whoami`, `signout`, end to end: the real binary against the practice tenant.
//! The tests that keep a sign-in need a Secret Service and run under scripts/test-keychain.sh.
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use hybridsync_practice_tenant::{Options, Running, PRACTICE_PASSWORD};

const CONTOSO: &str = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91";
const CLIENT_ID: &str = "5b1f0c4e-9a7d-4c2b-8e3f-6d0a1b2c3d4e";
/// The refresh token the practice tenant hands out in the leak test.
const CANARY: &str = "0.LEAK-CANARY-refresh-token-7f3c9a1e5b2d";

fn hybridsync(args: &[&str], home: &Path, envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hybridsync"));
    cmd.args(args)
        .env("HYBRIDSYNC_HOME", home)
        .env_remove("HYBRIDSYNC_CLIENT_ID");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

async fn sim() -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(Options::in_dir(dir.path().join("sim")))
        .await
        .unwrap();
    (running, dir)
}

fn real_keychain_wanted() -> bool {
    if std::env::var("HYBRIDSYNC_KEYCHAIN_TESTS").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("skipped: needs a Secret Service; run scripts/test-keychain.sh");
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn signin_without_a_secret_service_stops_before_anyone_signs_in() {
    let (sim, dir) = sim().await;
    let (auth, ca, home) = (
        sim.authority().to_string(),
        sim.ca_file.display().to_string(),
        dir.path().join("home"),
    );
    let out = tokio::task::spawn_blocking(move || {
        hybridsync(
            &[
                "signin",
                "--device-code",
                "--tenant",
                "contoso.com",
                "--authority",
                &auth,
                "--ca-file",
                &ca,
                "--client-id",
                CLIENT_ID,
            ],
            &home,
            &[
                (
                    "DBUS_SESSION_BUS_ADDRESS",
                    "unix:path=/nonexistent/hybridsync-test-bus",
                ),
                ("DISPLAY", ""),
            ],
        )
    })
    .await
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(9), "{err}");
    assert!(
        err.contains("no Secret Service (gnome-keyring / KWallet) is running on the session bus"),
        "{err}"
    );
    assert!(err.contains("never writes tokens to a file"), "{err}");
    assert!(
        !sim.sim
            .requests()
            .iter()
            .any(|r| r.path.contains("/oauth2/")),
        "the sign-in started although the token could not be kept"
    );
}

#[test]
fn whoami_and_signout_without_a_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(&["whoami", "--json"], dir.path(), &[]);
    assert_eq!(out.status.code(), Some(8));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Sign in first"));
    let out = hybridsync(&["signout"], dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nobody was signed in"));
}

#[test]
fn signin_without_a_client_id_says_how_to_register_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(&["signin", "--device-code"], dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no client ID") && err.contains("App registrations"),
        "{err}"
    );
}

#[test]
fn the_signin_commands_have_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["signin", "--help"],
        vec!["signout", "--help"],
        vec!["whoami", "--help"],
    ] {
        let out = hybridsync(&args, dir.path(), &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"));
    }
    let top = hybridsync(&["--help"], dir.path(), &[]);
    let text = String::from_utf8_lossy(&top.stdout);
    assert!(
        text.contains("signin") && text.contains("9   the OS keychain"),
        "{text}"
    );
}

/// Every file under `root` that holds `needle`.
fn files_holding(root: &Path, needle: &str) -> (Vec<String>, usize) {
    let mut hits = Vec::new();
    let mut seen = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&p) {
            seen += 1;
            if String::from_utf8_lossy(&bytes).contains(needle) {
                hits.push(p.display().to_string());
            }
        }
    }
    (hits, seen)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a real Secret Service: run scripts/test-keychain.sh"]
async fn device_code_signin_then_whoami_from_a_new_process_then_signout_and_no_file_holds_the_token(
) {
    if !real_keychain_wanted() {
        return;
    }
    let (sim, dir) = sim().await;
    let mut f = sim.sim.faults();
    f.device_interval_secs = Some(1);
    f.refresh_token_value = Some(CANARY.into());
    sim.sim.set_faults(f);
    let home = dir.path().join("home");
    let (auth, ca) = (
        sim.authority().to_string(),
        sim.ca_file.display().to_string(),
    );

    // Sign in with a device code; the "user" approves on the practice tenant's page.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args([
            "signin",
            "--device-code",
            "--tenant",
            "contoso.com",
            "--authority",
            &auth,
            "--ca-file",
            &ca,
            "--client-id",
            CLIENT_ID,
            "--json",
            "--verbose",
        ])
        .env("HYBRIDSYNC_HOME", &home)
        .env("HYBRIDSYNC_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if let Some(code) = line.strip_prefix("Code: ") {
                tx.send(code.trim().to_string()).unwrap();
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let code = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
        .await
        .unwrap();
    let Ok(code) = code else {
        let status = child.wait().unwrap();
        panic!(
            "signin printed no code ({status}):\n{}",
            reader.join().unwrap()
        );
    };
    let pem = std::fs::read(&sim.ca_file).unwrap();
    let browser = reqwest::Client::builder()
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(&pem).unwrap())
        .build()
        .unwrap();
    let page = browser
        .post(format!("{}/devicelogin", sim.base_url))
        .form(&[
            ("user_code", code.as_str()),
            ("username", "admin@contoso.onmicrosoft.com"),
            ("password", PRACTICE_PASSWORD),
            ("action", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let (status, stdout, stderr) = tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let status = child.wait().unwrap();
        (status, out, reader.join().unwrap())
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        v["user"]["user_principal_name"],
        "admin@contoso.onmicrosoft.com"
    );
    assert_eq!(v["user"]["tenant_id"], CONTOSO);
    assert_eq!(
        v["user"]["roles"][0]["display_name"],
        "Global Administrator"
    );

    // A new process finds the sign-in in the keychain.
    let mut outputs = vec![stdout, stderr];
    let h = home.clone();
    let who = tokio::task::spawn_blocking(move || {
        hybridsync(
            &["whoami", "--json", "--verbose"],
            &h,
            &[("HYBRIDSYNC_LOG", "debug")],
        )
    })
    .await
    .unwrap();
    outputs.push(String::from_utf8_lossy(&who.stdout).into());
    outputs.push(String::from_utf8_lossy(&who.stderr).into());
    assert_eq!(who.status.code(), Some(0), "{}", outputs.last().unwrap());
    let w: serde_json::Value = serde_json::from_slice(&who.stdout).unwrap();
    assert_eq!(
        w["user"]["roles"][0]["display_name"],
        "Global Administrator"
    );

    // A plan run writes its plan, journal and report under the same home.
    let plan = home.join("plan.toml");
    std::fs::write(
        &plan,
        format!("[tenant]\ndomain = \"contoso.com\"\nauthority = \"{auth}\"\nca_file = '{ca}'\n"),
    )
    .unwrap();
    let (h, p, j) = (
        home.clone(),
        plan.display().to_string(),
        home.join("run.jsonl").display().to_string(),
    );
    let run = tokio::task::spawn_blocking(move || {
        hybridsync(&["run", "--plan", &p, "--journal", &j, "--json"], &h, &[])
    })
    .await
    .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // The leak test: the refresh token is in no file and no output.
    let (hits, files) = files_holding(&home, CANARY);
    assert!(
        files >= 3,
        "expected logs, the sign-in record, the plan and the journal; saw {files} files"
    );
    assert!(hits.is_empty(), "the refresh token leaked into {hits:?}");
    for (i, o) in outputs.iter().enumerate() {
        assert!(!o.contains(CANARY), "output {i} printed the refresh token");
    }
    let logs: Vec<_> = std::fs::read_dir(home.join("logs")).unwrap().collect();
    assert!(
        !logs.is_empty(),
        "no log file was written, so the leak check saw none"
    );
    // It is in the keychain, though, under this home's and this authority's entry.
    let entry = entry_of(&home, "admin@contoso.onmicrosoft.com");
    if let Ok(o) = Command::new("secret-tool")
        .args(["lookup", "service", "hybridsync", "username", &entry])
        .output()
    {
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), CANARY);
    }

    // Sign-out deletes the entry; whoami then says so.
    let h = home.clone();
    let out = tokio::task::spawn_blocking(move || hybridsync(&["signout", "--json"], &h, &[]))
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Ok(o) = Command::new("secret-tool")
        .args(["lookup", "service", "hybridsync", "username", &entry])
        .output()
    {
        assert!(o.stdout.is_empty(), "the keychain entry survived sign-out");
    }
    let h = home.clone();
    let out = tokio::task::spawn_blocking(move || hybridsync(&["whoami"], &h, &[]))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(8));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a real Secret Service: run scripts/test-keychain.sh"]
async fn browser_signin_through_the_binary_shows_the_domain_admin_role() {
    if !real_keychain_wanted() {
        return;
    }
    let (sim, dir) = sim().await;
    let home = dir.path().join("home");
    let (auth, ca) = (
        sim.authority().to_string(),
        sim.ca_file.display().to_string(),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args([
            "signin",
            "--no-browser",
            "--tenant",
            CONTOSO,
            "--authority",
            &auth,
            "--ca-file",
            &ca,
            "--client-id",
            CLIENT_ID,
            "--json",
        ])
        .env("HYBRIDSYNC_HOME", &home)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if line.starts_with("https://") && line.contains("/oauth2/v2.0/authorize?") {
                tx.send(line.clone()).unwrap();
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let url = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
        .await
        .unwrap();
    let Ok(url) = url else {
        let status = child.wait().unwrap();
        panic!(
            "signin printed no sign-in address ({status}):\n{}",
            reader.join().unwrap()
        );
    };
    // The "browser": the sign-in form, then the 302 back to the app's loopback address.
    let pem = std::fs::read(&sim.ca_file).unwrap();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(&pem).unwrap())
        .build()
        .unwrap();
    let parsed = url::Url::parse(&url).unwrap();
    assert_eq!(
        parsed
            .query_pairs()
            .find(|(k, _)| k == "code_challenge_method")
            .map(|(_, v)| v.to_string())
            .as_deref(),
        Some("S256")
    );
    let mut form: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    form.extend([
        (
            "username".to_string(),
            "domains@contoso.onmicrosoft.com".to_string(),
        ),
        ("password".to_string(), PRACTICE_PASSWORD.to_string()),
        ("action".to_string(), "approve".to_string()),
    ]);
    let mut post = parsed.clone();
    post.set_query(None);
    let resp = browser.post(post).form(&form).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    let mut back = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    back.set_host(Some("127.0.0.1")).unwrap();
    let page = reqwest::Client::new()
        .get(back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Signed in"), "{page}");
    let (status, stdout, stderr) = tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let status = child.wait().unwrap();
        (status, out, reader.join().unwrap())
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        v["user"]["user_principal_name"],
        "domains@contoso.onmicrosoft.com"
    );
    assert_eq!(
        v["user"]["roles"][0]["display_name"],
        "Domain Name Administrator"
    );
    let h = home.clone();
    let out = tokio::task::spawn_blocking(move || hybridsync(&["signout"], &h, &[]))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Signed out domains@contoso.onmicrosoft.com")
    );
}

/// The keychain entry name of `account`'s sign-in in `home` (the authority from its signin.json).
fn entry_of(home: &Path, account: &str) -> String {
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.join("config/signin.json")).unwrap()).unwrap();
    hybridsync_core::keychain::Keychain::for_home(
        hybridsync_core::keychain::SERVICE,
        &home.join("config"),
    )
    .refresh_entry_name(saved["authority"].as_str().unwrap(), CONTOSO, account)
}

/// Signs `user` in with a device code in `home`, approving on the practice tenant's page.
async fn device_signin(sim: &Running, home: &Path, user: &str) {
    let (auth, ca) = (
        sim.authority().to_string(),
        sim.ca_file.display().to_string(),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args([
            "signin",
            "--device-code",
            "--tenant",
            "contoso.com",
            "--authority",
            &auth,
            "--ca-file",
            &ca,
            "--client-id",
            CLIENT_ID,
            "--json",
        ])
        .env("HYBRIDSYNC_HOME", home)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if let Some(code) = line.strip_prefix("Code: ") {
                tx.send(code.trim().to_string()).unwrap();
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let code = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
        .await
        .unwrap();
    let Ok(code) = code else {
        let status = child.wait().unwrap();
        panic!(
            "signin printed no code ({status}):\n{}",
            reader.join().unwrap()
        );
    };
    let pem = std::fs::read(&sim.ca_file).unwrap();
    let browser = reqwest::Client::builder()
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(&pem).unwrap())
        .build()
        .unwrap();
    let page = browser
        .post(format!("{}/devicelogin", sim.base_url))
        .form(&[
            ("user_code", code.as_str()),
            ("username", user),
            ("password", PRACTICE_PASSWORD),
            ("action", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let (status, stderr) = tokio::task::spawn_blocking(move || {
        let status = child.wait().unwrap();
        (status, reader.join().unwrap())
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

/// Issue 18 item 3: two homes keep their own sign-ins (one's sign-out leaves the other's), and a
/// second account signed in in the same home replaces the first without orphaning its token.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a real Secret Service: run scripts/test-keychain.sh"]
async fn two_homes_and_a_second_account_keep_and_delete_exactly_their_own_tokens() {
    if !real_keychain_wanted() {
        return;
    }
    let (sim, dir) = sim().await;
    let mut f = sim.sim.faults();
    f.device_interval_secs = Some(1);
    sim.sim.set_faults(f);
    let (a, b) = (dir.path().join("home-a"), dir.path().join("home-b"));
    device_signin(&sim, &a, "admin@contoso.onmicrosoft.com").await;
    device_signin(&sim, &b, "admin@contoso.onmicrosoft.com").await;

    let h = a.clone();
    let out = tokio::task::spawn_blocking(move || hybridsync(&["signout", "--json"], &h, &[]))
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["token_deleted"], true, "{v}");
    let h = b.clone();
    let who = tokio::task::spawn_blocking(move || hybridsync(&["whoami", "--json"], &h, &[]))
        .await
        .unwrap();
    assert_eq!(
        who.status.code(),
        Some(0),
        "home a's sign-out deleted home b's sign-in: {}",
        String::from_utf8_lossy(&who.stderr)
    );

    // In home b, a second account replaces the first: the first's token is deleted, not orphaned.
    let first = entry_of(&b, "admin@contoso.onmicrosoft.com");
    let kc = hybridsync_core::keychain::Keychain::for_home(
        hybridsync_core::keychain::SERVICE,
        &b.join("config"),
    );
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.join("config/signin.json")).unwrap()).unwrap();
    let authority = saved["authority"].as_str().unwrap().to_string();
    assert!(
        kc.refresh_token(&authority, CONTOSO, "admin@contoso.onmicrosoft.com")
            .unwrap()
            .is_some(),
        "{first}"
    );
    device_signin(&sim, &b, "domains@contoso.onmicrosoft.com").await;
    assert!(
        kc.refresh_token(&authority, CONTOSO, "admin@contoso.onmicrosoft.com")
            .unwrap()
            .is_none(),
        "the first account's token was orphaned"
    );
    let h = b.clone();
    let out = tokio::task::spawn_blocking(move || hybridsync(&["signout"], &h, &[]))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("Signed out domains@contoso.onmicrosoft.com")
            && text.contains("deleted its refresh token"),
        "{text}"
    );
    assert!(kc
        .refresh_token(&authority, CONTOSO, "domains@contoso.onmicrosoft.com")
        .unwrap()
        .is_none());
}
