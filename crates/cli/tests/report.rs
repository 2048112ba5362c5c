//! `run --report FILE` and `diagnose`, end to end: the real binary against the practice tenant.
use std::process::{Command, Output};

use hybridsync_practice_tenant::{Options, Running};
use sha2::{Digest, Sha256};

const CONTOSO: &str = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91";

fn hybridsync(args: Vec<String>, home: std::path::PathBuf) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args(&args)
        .env("HYBRIDSYNC_HOME", home)
        .output()
        .expect("the binary runs")
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

async fn plan_for(domain: &str) -> (Running, tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = Running::start(Options::in_dir(dir.path()))
        .await
        .expect("practice tenant");
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            "[tenant]\ndomain = \"{domain}\"\nauthority = \"{}\"\nca_file = '{}'\n",
            sim.authority(),
            sim.ca_file.display()
        ),
    )
    .expect("plan written");
    (sim, dir, plan)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_writes_its_report_in_every_format_with_the_printed_sha256() {
    let (_sim, dir, plan) = plan_for("contoso.com").await;
    for ext in ["html", "json", "md"] {
        let report = dir.path().join(format!("out/run.{ext}"));
        let journal = dir.path().join(format!("run-{ext}.jsonl"));
        let a = args(&[
            "run",
            "--plan",
            plan.to_str().unwrap(),
            "--journal",
            journal.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ]);
        let out = tokio::task::spawn_blocking({
            let home = dir.path().to_path_buf();
            move || hybridsync(a, home)
        })
        .await
        .expect("joined");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let bytes = std::fs::read(&report).expect("report written");
        let line = stdout
            .lines()
            .find(|l| l.starts_with("Report: "))
            .expect("a Report: line");
        assert!(
            line.ends_with(&format!("(SHA-256 {})", sha256_hex(&bytes))),
            "{line}"
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains(CONTOSO),
            "the tenant ID is in the {ext} report"
        );
        assert!(
            text.contains("Find the tenant"),
            "the step is in the {ext} report"
        );
        if ext == "json" {
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON report");
            assert_eq!(v["steps"][0]["id"], "tenant");
            assert_eq!(v["steps"][0]["status"], "passed");
            assert!(v["steps"][0]["finished_at"].is_string());
            assert!(!v["assumptions"].as_array().expect("assumptions").is_empty());
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_run_still_writes_its_report_with_the_failure_and_its_fix() {
    let (_sim, dir, plan) = plan_for("nope.example").await;
    let report = dir.path().join("failed.json");
    let journal = dir.path().join("failed.jsonl");
    let a = args(&[
        "run",
        "--plan",
        plan.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let home = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || hybridsync(a, home))
        .await
        .expect("joined");
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Report: "), "{stderr}");
    // The error is explained on stderr from the knowledge base.
    assert!(stderr.contains("likely cause: "), "{stderr}");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("written")).expect("JSON");
    assert_eq!(v["steps"][0]["status"], "failed");
    let f = &v["findings"][0];
    assert_eq!(f["code"], "tenant_not_found");
    assert_eq!(f["remediation"]["id"], "tenant.check-domain");
}

#[test]
fn a_report_path_with_an_unknown_extension_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, "[tenant]\ndomain = \"contoso.com\"\n").expect("plan");
    let report = dir.path().join("report.pdf");
    let out = hybridsync(
        args(&[
            "run",
            "--plan",
            plan.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ]),
        dir.path().to_path_buf(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(".html, .json or .md"));
    assert!(!report.exists());
    // The same for `mailboxes watch --report`, before it connects to anything (the host does not exist).
    let out = hybridsync(
        args(&[
            "mailboxes",
            "watch",
            "--url",
            "https://crm.contoso.invalid/contoso",
            "--report",
            report.to_str().unwrap(),
        ]),
        dir.path().to_path_buf(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(".html, .json or .md"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!report.exists());
}

/// Issue 18 item 7: a report path that is a folder, or under a file, is refused before the run
/// (the journal stays untouched: nothing ran).
#[test]
fn a_report_path_that_cannot_be_written_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "[tenant]\ndomain = \"contoso.com\"\nauthority = \"https://127.0.0.1:9\"\n",
    )
    .expect("plan");
    std::fs::create_dir(dir.path().join("folder.html")).unwrap();
    std::fs::write(dir.path().join("afile"), "x").unwrap();
    for report in [
        dir.path().join("folder.html"),
        dir.path().join("afile").join("report.html"),
    ] {
        let journal = dir.path().join("run.jsonl");
        let out = hybridsync(
            args(&[
                "run",
                "--plan",
                plan.to_str().unwrap(),
                "--journal",
                journal.to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ]),
            dir.path().to_path_buf(),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("cannot write the report") && err.contains("nothing was run"),
            "{err}"
        );
        assert!(
            !journal.exists(),
            "the run started before the report path was checked"
        );
    }
}

#[test]
fn diagnose_names_the_cause_of_a_seed_error_and_refuses_empty_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = hybridsync(
        args(&[
            "diagnose",
            "--text",
            "You cannot call a method on a null-valued expression. Process Failed.",
            "--json",
        ]),
        dir.path().to_path_buf(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["card"]["entry_id"], "hybrid-connector.missing");
    assert_eq!(v["card"]["causes"][0]["rank"], 1);

    let text = hybridsync(
        args(&["diagnose", "--code", "mailbox_not_approved"]),
        dir.path().to_path_buf(),
    );
    assert_eq!(text.status.code(), Some(0));
    let shown = String::from_utf8_lossy(&text.stdout);
    assert!(
        shown.contains("Causes, most likely first:") && shown.contains("Fix:"),
        "{shown}"
    );

    let unknown = hybridsync(
        args(&["diagnose", "--text", "zzz nothing known zzz"]),
        dir.path().to_path_buf(),
    );
    assert_eq!(unknown.status.code(), Some(3));

    let empty = hybridsync(args(&["diagnose"]), dir.path().to_path_buf());
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("nothing to diagnose"));
}
