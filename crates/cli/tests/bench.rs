//! The `bench bulk` contract and the Dynamics commands' refusals, through the real binary.
use std::process::{Command, Output};

fn hybridsync(args: &[&str], home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args(args)
        .env("HYBRIDSYNC_HOME", home)
        .output()
        .unwrap()
}

#[test]
fn bench_bulk_prints_the_contract_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(
        &[
            "bench",
            "bulk",
            "--mailboxes",
            "600",
            "--latency-ms",
            "5",
            "--op-ms",
            "1",
            "--capacity",
            "8",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "bulk_seconds",
        "serial_seconds",
        "speedup",
        "utilization",
        "requests_per_poll",
    ] {
        assert!(v[key].is_number(), "{key} missing: {v}");
    }
    assert_eq!(v["configured"], 600);
    assert_eq!(v["failed"], 0);
    assert_eq!(v["serial_sample"], 300);
    assert_eq!(v["serial_scaled_linearly"], true);
    assert_eq!(
        v["requests_per_poll"], 1,
        "600 statuses fit one page of 5000"
    );
    // The client was not told the capacity; it never had more than its ceiling in flight, and
    // the practice server reports what its queue saw.
    assert_eq!(v["client_told_capacity"], false);
    let peak = v["client_peak_concurrency"].as_u64().unwrap();
    assert!((1..=128).contains(&peak), "{v}");
    let share = v["queue_wait_share"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&share), "{v}");
    assert!(
        v["server_peak_concurrency"].as_u64().unwrap() <= 8,
        "the server serves at most its capacity: {v}"
    );
    assert_eq!(v["writes_per_mailbox"], 1.0);
    assert_eq!(
        out.stdout.iter().filter(|b| **b == b'\n').count(),
        1,
        "one object on one line"
    );
    let ratio = v["speedup"].as_f64().unwrap()
        - v["serial_seconds"].as_f64().unwrap() / v["bulk_seconds"].as_f64().unwrap();
    assert!(ratio.abs() < 1e-6, "speedup is serial/bulk");
    assert!(v["note"].as_str().unwrap().contains("scaled linearly"));
}

#[test]
fn bench_bulk_keeps_to_the_ceiling_and_survives_a_bad_day() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(
        &[
            "bench",
            "bulk",
            "--mailboxes",
            "800",
            "--latency-ms",
            "5",
            "--op-ms",
            "1",
            "--capacity",
            "16",
            "--ceiling",
            "3",
            "--fault-rate",
            "0.1",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["client_peak_concurrency"].as_u64().unwrap() <= 3, "{v}");
    assert!(v["faults_injected"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(v["configured"], 800, "{v}");
    assert_eq!(
        v["writes_per_mailbox"], 1.0,
        "every mailbox written exactly once: {v}"
    );
}

#[test]
fn bench_bulk_refuses_bad_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(&["bench", "bulk", "--mailboxes", "0", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--mailboxes 0 is outside"));
    let out = hybridsync(&["bench", "bulk", "--capacity", "0", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = hybridsync(&["bench", "bulk", "--ceiling", "0", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--ceiling"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = hybridsync(
        &["bench", "bulk", "--fault-rate", "2", "--json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let out = hybridsync(
        &[
            "mailboxes",
            "configure",
            "--url",
            "https://crm.contoso.com/contoso",
            "--ceiling",
            "0",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--ceiling"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `hybridsync sim` with a bad day's knobs: the practice Dynamics server answers 429 with
/// Retry-After, as an admin rehearsing against it would see.
#[test]
fn sim_rehearses_a_bad_day_from_its_flags() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(
        &["sim", "--fault-429", "0.8", "--fault-503", "0.5", "--json"],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "rates adding up to more than 1 are refused"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args([
            "sim",
            "--port",
            "0",
            "--fault-429",
            "1",
            "--retry-after-secs",
            "7",
            "--capacity",
            "2",
            "--dir",
        ])
        .arg(dir.path().join("practice"))
        .arg("--json")
        .env("HYBRIDSYNC_HOME", dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut text = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    while !text.trim_end().ends_with('}')
        || serde_json::from_str::<serde_json::Value>(&text).is_err()
    {
        if reader.read_line(&mut text).unwrap() == 0 {
            break;
        }
    }
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let url = format!("{}WhoAmI", v["dynamics"].as_str().unwrap());
    let ca = std::fs::read(v["ca_file"].as_str().unwrap()).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (status, retry_after) = rt.block_on(async {
        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .build()
            .unwrap();
        let r = client.get(&url).send().await.unwrap();
        (
            r.status().as_u16(),
            r.headers()
                .get("retry-after")
                .map(|h| h.to_str().unwrap().to_string()),
        )
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 429);
    assert_eq!(retry_after.as_deref(), Some("7"));
    assert_eq!(v["load"]["capacity"], 2);
}

#[test]
fn dynamics_commands_refuse_bad_input_before_connecting_and_need_a_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(
        &[
            "mailboxes",
            "list",
            "--url",
            "http://crm.contoso.com/contoso",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an https address"));
    let out = hybridsync(
        &[
            "mailboxes",
            "configure",
            "--url",
            "https://crm.contoso.com/contoso",
            "--approval",
            "maybe",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an approval state"));
    let out = hybridsync(
        &[
            "profile",
            "plan",
            "--url",
            "https://crm.contoso.com/contoso",
            "--tenant-id",
            "contoso",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a tenant ID"));
    let out = hybridsync(&["mailboxes", "watch", "--url", "not a url"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    // --include-passed belongs to `test`; on configure it is refused, before any connection.
    let out = hybridsync(
        &[
            "mailboxes",
            "configure",
            "--url",
            "https://crm.contoso.com/contoso",
            "--include-passed",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("only applies to `mailboxes test`"));
    let out = hybridsync(
        &[
            "mailboxes",
            "watch",
            "--url",
            "https://crm.contoso.com/contoso",
            "--crm-result",
            "/nonexistent/hybridsync-crm-result.json",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the CRM script result"));
    // An endless file is refused at the size limit, not read until the memory runs out.
    #[cfg(unix)]
    {
        let out = hybridsync(
            &[
                "mailboxes",
                "watch",
                "--url",
                "https://crm.contoso.com/contoso",
                "--crm-result",
                "/dev/zero",
            ],
            dir.path(),
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the CRM script result"));
    }
    let out = hybridsync(
        &[
            "profile",
            "apply",
            "--url",
            "https://crm.contoso.com/contoso",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(8));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Sign in first"));
}
