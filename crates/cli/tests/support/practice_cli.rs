//! The real `hybridsync` binary against an in-process practice tenant: a runner with a private
//! HYBRIDSYNC_HOME and the device-code sign-in approved on the practice verification page. The
//! signed-in tests need a Secret Service and run under scripts/test-keychain.sh.
#![allow(dead_code)]
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use hybridsync_practice_tenant::{Running, PRACTICE_PASSWORD};

pub const CLIENT_ID: &str = "5b1f0c4e-9a7d-4c2b-8e3f-6d0a1b2c3d4e";

pub fn hybridsync(args: &[&str], home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args(args)
        .env("HYBRIDSYNC_HOME", home)
        .env_remove("HYBRIDSYNC_CLIENT_ID")
        .output()
        .unwrap()
}

/// Runs the binary off the async runtime (the practice tenant serves on it meanwhile).
pub async fn run(args: Vec<String>, home: &Path) -> Output {
    let h: PathBuf = home.to_path_buf();
    tokio::task::spawn_blocking(move || {
        hybridsync(&args.iter().map(String::as_str).collect::<Vec<_>>(), &h)
    })
    .await
    .unwrap()
}

pub fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Whether the Secret Service tests were asked for (scripts/test-keychain.sh sets this).
pub fn keychain_tests_wanted() -> bool {
    let wanted = std::env::var("HYBRIDSYNC_KEYCHAIN_TESTS").as_deref() == Ok("1");
    if !wanted {
        eprintln!("skipped: needs a Secret Service; run scripts/test-keychain.sh");
    }
    wanted
}

/// A practice tenant in `dir/sim` (device-code polls every second) and the CLI's home `dir/home`,
/// signed in as `user` of contoso.com.
pub async fn signed_in(dir: &Path, user: &str) -> (Running, PathBuf) {
    let sim = Running::start(hybridsync_practice_tenant::Options::in_dir(dir.join("sim")))
        .await
        .unwrap();
    let mut f = sim.sim.faults();
    f.device_interval_secs = Some(1);
    sim.sim.set_faults(f);
    let home = dir.join("home");
    sign_in(&sim, &home, "contoso.com", user).await;
    (sim, home)
}

/// `hybridsync signin --device-code` as `user`, the code approved on the practice tenant's page.
pub async fn sign_in(sim: &Running, home: &Path, tenant: &str, user: &str) {
    let (auth, ca) = (
        sim.authority().to_string(),
        sim.ca_file.display().to_string(),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args([
            "signin",
            "--device-code",
            "--tenant",
            tenant,
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
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(code) = line.strip_prefix("Code: ") {
                let _ = tx.send(code.trim().to_string());
            }
        }
    });
    let code =
        tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)).unwrap())
            .await
            .unwrap();
    let page = practice_client(sim)
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
    let status = tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        child.wait().unwrap()
    })
    .await
    .unwrap();
    assert!(status.success());
}

/// An HTTPS client that trusts the practice tenant's CA.
pub fn practice_client(sim: &Running) -> reqwest::Client {
    let pem = std::fs::read(&sim.ca_file).unwrap();
    reqwest::Client::builder()
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(&pem).unwrap())
        .build()
        .unwrap()
}
