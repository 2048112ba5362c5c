//! The `tenant discover` contract, end to end: the real binary against the practice tenant.
use std::process::{Command, Output};

use hybridsync_practice_tenant::{Options, Running};

const CONTOSO: &str = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91";

fn hybridsync(args: &[&str], home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args(args)
        .env("HYBRIDSYNC_HOME", home)
        .output()
        .unwrap()
}

async fn sim() -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(Options::in_dir(dir.path())).await.unwrap();
    (running, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn found_prints_one_json_object_with_the_lower_case_guid() {
    let (sim, dir) = sim().await;
    let ca = sim.ca_file.display().to_string();
    let out = tokio::task::spawn_blocking({
        let auth = sim.authority().to_string();
        let home = dir.path().to_path_buf();
        move || {
            hybridsync(
                &[
                    "tenant",
                    "discover",
                    "CONTOSO.com.",
                    "--authority",
                    &auth,
                    "--ca-file",
                    &ca,
                    "--json",
                ],
                &home,
            )
        }
    })
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tenant_id"], CONTOSO);
    assert_eq!(v["tenant_region_scope"], "NA");
    assert_eq!(v["cloud_instance_name"], "microsoftonline.com");
    // The run left a log file in the log folder.
    let logs: Vec<_> = std::fs::read_dir(dir.path().join("logs"))
        .unwrap()
        .collect();
    assert!(!logs.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn not_found_exits_non_zero_and_says_not_found() {
    let (sim, dir) = sim().await;
    let ca = sim.ca_file.display().to_string();
    let auth = sim.authority().to_string();
    let home = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        hybridsync(
            &[
                "tenant",
                "discover",
                "nosuch.example",
                "--authority",
                &auth,
                "--ca-file",
                &ca,
                "--json",
            ],
            &home,
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not found"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_certificate_exits_non_zero_and_names_it() {
    let (sim, dir) = sim().await;
    let auth = sim.authority().to_string();
    let home = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        hybridsync(
            &[
                "tenant",
                "discover",
                "contoso.com",
                "--authority",
                &auth,
                "--json",
            ],
            &home,
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("certificate") && err.contains("not trusted"),
        "{err}"
    );
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(
        &["tenant", "discover", "not a domain", "--json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a domain name or a tenant ID"), "{err}");
    let out = hybridsync(
        &[
            "tenant",
            "discover",
            "contoso.com",
            "--authority",
            "http://x.example",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must use https"));
}

#[test]
fn every_command_has_help_and_the_exit_codes_are_documented() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["tenant", "--help"],
        vec!["tenant", "discover", "--help"],
        vec!["sim", "--help"],
        vec!["run", "--help"],
        vec!["paths", "--help"],
    ] {
        let out = hybridsync(&args, dir.path());
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage:"), "{args:?}: {text}");
    }
    let top = String::from_utf8_lossy(&hybridsync(&["--help"], dir.path()).stdout).to_string();
    assert!(
        top.contains("Exit status:") && top.contains("3   not found"),
        "{top}"
    );
    let logs = dir.path().join("logs");
    assert!(
        top.contains(&format!("Log folder: {}", logs.display())),
        "{top}"
    );
    let v = hybridsync(&["--version"], dir.path());
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("hybridsync "));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_runs_through_the_engine_and_a_rerun_skips_the_done_step() {
    let (sim, dir) = sim().await;
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            "[tenant]\ndomain = \"contoso.com\"\nauthority = \"{}\"\nca_file = '{}'\n",
            sim.authority(),
            sim.ca_file.display()
        ),
    )
    .unwrap();
    let journal = dir.path().join("run.jsonl");
    let args: Vec<String> = [
        "run",
        "--plan",
        plan.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let home = dir.path().to_path_buf();
    let run = move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        hybridsync(&a, &home)
    };
    let first = tokio::task::spawn_blocking(run.clone()).await.unwrap();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(v["outcomes"][0]["facts"]["tenant_id"], CONTOSO);
    assert_eq!(v["outcomes"][0]["skipped_as_done"], false);
    let served = sim.sim.requests().len();

    let second = tokio::task::spawn_blocking(run).await.unwrap();
    let v: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(v["outcomes"][0]["skipped_as_done"], true);
    assert_eq!(v["outcomes"][0]["facts"]["tenant_id"], CONTOSO);
    assert_eq!(
        sim.sim.requests().len(),
        served,
        "the finished step asked the tenant again"
    );
}
