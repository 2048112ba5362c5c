//! The `dns txt` contract, end to end: the real binary against an in-process
//! authoritative server on 127.0.0.1.
use std::process::{Command, Output};
use std::time::Duration;

use hybridsync_dns::testing::{Behaviour, ScriptedServer, TestDnsServer};

fn hybridsync(args: Vec<String>, home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args(args)
        .env("HYBRIDSYNC_HOME", home)
        .output()
        .unwrap()
}

/// Runs the binary off the runtime (the servers live on it), with an upper bound.
async fn run(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let home = dir.path().to_path_buf();
    tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || hybridsync(args, &home)),
    )
    .await
    .expect("the command returned within 30 s")
    .unwrap()
}

async fn server() -> TestDnsServer {
    let s = TestDnsServer::start(&["contoso.test"]).await.unwrap();
    let z = s.zone("contoso.test");
    z.set_txt_records(
        "@",
        &[&["v=DKIM1; k=rsa; p=AAAA", "BBBB"], &["MS=ms12345678"]],
    )
    .await;
    z.set_addresses("www", &["198.51.100.1".parse().unwrap()])
        .await;
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn records_print_one_json_object_with_concatenated_strings() {
    let s = server().await;
    let ns = s.addr().to_string();
    for name in ["contoso.test", "CONTOSO.Test."] {
        let out = run(&["dns", "txt", name, "--nameserver", &ns, "--json"]).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut records: Vec<&str> = v["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        records.sort();
        assert_eq!(
            records,
            ["MS=ms12345678", "v=DKIM1; k=rsa; p=AAAABBBB"],
            "{name}"
        );
        assert_eq!(v["name"], "contoso.test");
        assert_eq!(v["answer_code"], "NOERROR");
        assert_eq!(v["ttl"], 300);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn nxdomain_and_no_txt_exit_3() {
    let s = server().await;
    let ns = s.addr().to_string();
    for (name, code) in [
        ("nothere.contoso.test", "NXDOMAIN"),
        ("www.contoso.test", "NOERROR"),
    ] {
        let out = run(&["dns", "txt", name, "--nameserver", &ns, "--json"]).await;
        assert_eq!(
            out.status.code(),
            Some(3),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["records"], serde_json::json!([]), "{name}");
        assert_eq!(v["answer_code"], code, "{name}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refusal_and_timeout_exit_5_with_a_message() {
    let refuse = ScriptedServer::start(Behaviour::Refuse).await.unwrap();
    let out = run(&[
        "dns",
        "txt",
        "contoso.test",
        "--nameserver",
        &refuse.addr().to_string(),
        "--json",
    ])
    .await;
    assert_eq!(out.status.code(), Some(5));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("REFUSED"));

    let silent = ScriptedServer::start(Behaviour::Silent).await.unwrap();
    let out = run(&[
        "dns",
        "txt",
        "contoso.test",
        "--nameserver",
        &silent.addr().to_string(),
        "--timeout",
        "1",
        "--json",
    ])
    .await;
    assert_eq!(out.status.code(), Some(5));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no answer"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_2() {
    let out = run(&[
        "dns",
        "txt",
        "contoso.test",
        "--nameserver",
        "not-an-address",
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["dns", "txt", "bad name.test", "--nameserver", "127.0.0.1:9"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid DNS name"));
}

#[tokio::test(flavor = "multi_thread")]
async fn human_output_lists_the_records() {
    let s = server().await;
    let out = run(&[
        "dns",
        "txt",
        "contoso.test",
        "--nameserver",
        &s.addr().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"MS=ms12345678\""), "{text}");
    assert!(text.contains("authoritative"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dns_commands_have_help() {
    for args in [vec!["dns", "--help"], vec!["dns", "txt", "--help"]] {
        let out = run(&args).await;
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Usage:") && text.contains("--nameserver") == (args.len() == 3),
            "{args:?}: {text}"
        );
    }
}
