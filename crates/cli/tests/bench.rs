//! The `bench bulk` contract and the Dynamics commands' refusals, through the real binary.
use std::process::{Command, Output};

fn hybridsync(args: &[&str], home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsync")).args(args).env("HYBRIDSYNC_HOME", home).output().unwrap()
}

#[test]
fn bench_bulk_prints_the_contract_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(
        &["bench", "bulk", "--mailboxes", "600", "--latency-ms", "5", "--op-ms", "1", "--capacity", "8", "--json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["bulk_seconds", "serial_seconds", "speedup", "utilization", "requests_per_poll"] {
        assert!(v[key].is_number(), "{key} missing: {v}");
    }
    assert_eq!(v["configured"], 600);
    assert_eq!(v["failed"], 0);
    assert_eq!(v["serial_sample"], 300);
    assert_eq!(v["serial_scaled_linearly"], true);
    assert_eq!(v["requests_per_poll"], 1, "600 statuses fit one page of 5000");
    assert_eq!(v["bulk_requests"], 8, "one $batch per capacity slot");
    let ratio = v["speedup"].as_f64().unwrap() - v["serial_seconds"].as_f64().unwrap() / v["bulk_seconds"].as_f64().unwrap();
    assert!(ratio.abs() < 1e-6, "speedup is serial/bulk");
    assert!(v["note"].as_str().unwrap().contains("scaled linearly"));
}

#[test]
fn bench_bulk_refuses_bad_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(&["bench", "bulk", "--mailboxes", "0", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--mailboxes 0 is outside"));
    let out = hybridsync(&["bench", "bulk", "--capacity", "0", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn dynamics_commands_refuse_bad_input_before_connecting_and_need_a_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(&["mailboxes", "list", "--url", "http://crm.contoso.com/contoso", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an https address"));
    let out = hybridsync(&["mailboxes", "configure", "--url", "https://crm.contoso.com/contoso", "--approval", "maybe"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an approval state"));
    let out = hybridsync(&["profile", "plan", "--url", "https://crm.contoso.com/contoso", "--tenant-id", "contoso"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a tenant ID"));
    let out = hybridsync(&["mailboxes", "watch", "--url", "not a url"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    // --include-passed belongs to `test`; on configure it is refused, before any connection.
    let out = hybridsync(&["mailboxes", "configure", "--url", "https://crm.contoso.com/contoso", "--include-passed"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only applies to `mailboxes test`"));
    let out = hybridsync(&["mailboxes", "watch", "--url", "https://crm.contoso.com/contoso", "--crm-result", "/nonexistent/hybridsync-crm-result.json"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the CRM script result"));
    let out = hybridsync(&["profile", "apply", "--url", "https://crm.contoso.com/contoso"], dir.path());
    assert_eq!(out.status.code(), Some(8));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Sign in first"));
}
