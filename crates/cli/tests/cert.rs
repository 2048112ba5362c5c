//! The `cert inspect` contract, end to end with the real binary.
use std::path::Path;
use std::process::{Command, Output};

use hybridsync_certs::{
    cer_base64, generate_self_signed, write_pfx, GeneratedCertificate, NewCertificate,
    PfxEncryption,
};

const PASSWORD: &str = "Secret123";

fn hybridsync(args: &[&str], home: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args(args)
        .env("HYBRIDSYNC_HOME", home)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn cert(days_ago: u64, valid_days: u32) -> GeneratedCertificate {
    let mut req = NewCertificate::new("Dynamics365-S2S-contoso");
    req.valid_from -= std::time::Duration::from_secs(days_ago * 86_400);
    req.valid_days = valid_days;
    generate_self_signed(&req).unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {text}"))
}

/// Unreadable input: exit 2, nothing on stdout, one line on stderr.
fn assert_refused(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
    assert!(
        !err.is_empty() && !err.contains('\n'),
        "not one line: {err:?}"
    );
    err
}

#[test]
fn good_pfx_prints_the_contract_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let c = cert(0, 730);
    let pfx = write_pfx(
        &c.certificate_der,
        &[],
        &c.private_key_der,
        PASSWORD,
        PfxEncryption::TripleDesSha1,
    )
    .unwrap();
    let file = dir.path().join("s2s.pfx");
    std::fs::write(&file, pfx).unwrap();
    let f = file.to_str().unwrap();
    let out = hybridsync(
        &[
            "cert",
            "inspect",
            f,
            "--password-env",
            "S2S_PFX_PW",
            "--json",
        ],
        dir.path(),
        &[("S2S_PFX_PW", PASSWORD)],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["subject"], "CN=Dynamics365-S2S-contoso");
    assert_eq!(v["thumbprint_sha1"], c.thumbprint_sha1.as_str());
    assert_eq!(v["key_algorithm"], "RSA");
    assert_eq!(v["key_bits"], 2048);
    assert_eq!(v["has_private_key"], true);
    assert!(v["not_before"].as_str().unwrap().ends_with('Z'));
    assert!(v["not_after"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["problems"], serde_json::json!([]));
}

#[test]
fn expired_cer_exits_1_with_an_error_problem() {
    let dir = tempfile::tempdir().unwrap();
    let c = cert(400, 365);
    let file = dir.path().join("old.cer");
    std::fs::write(&file, cer_base64(&c.certificate_der)).unwrap();
    let out = hybridsync(
        &["cert", "inspect", file.to_str().unwrap(), "--json"],
        dir.path(),
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["has_private_key"], false);
    let problems = v["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["code"] == "expired" && p["severity"] == "error"),
        "{problems:?}"
    );
}

#[test]
fn expiring_soon_is_only_a_warning_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let c = cert(0, 10);
    let file = dir.path().join("soon.cer");
    std::fs::write(&file, &c.certificate_der).unwrap();
    let out = hybridsync(
        &["cert", "inspect", file.to_str().unwrap(), "--json"],
        dir.path(),
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["problems"][0]["code"], "expiring_soon");
    assert_eq!(v["problems"][0]["severity"], "warning");
}

#[test]
fn wrong_password_exits_2_and_says_password() {
    let dir = tempfile::tempdir().unwrap();
    let c = cert(0, 730);
    let pfx = write_pfx(
        &c.certificate_der,
        &[],
        &c.private_key_der,
        PASSWORD,
        PfxEncryption::Aes256,
    )
    .unwrap();
    let file = dir.path().join("s2s.pfx");
    std::fs::write(&file, pfx).unwrap();
    let f = file.to_str().unwrap();
    let out = hybridsync(
        &["cert", "inspect", f, "--password-env", "PW", "--json"],
        dir.path(),
        &[("PW", "wrong")],
    );
    let err = assert_refused(&out);
    assert!(err.contains("password"), "{err}");
    assert!(!err.contains("wrong\n") && !err.contains(PASSWORD));
}

#[test]
fn unreadable_files_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let c = cert(0, 730);
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("empty.cer", Vec::new(), "empty"),
        (
            "cut.cer",
            c.certificate_der[..c.certificate_der.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "notes.pem",
            b"just some notes, not a certificate".to_vec(),
            "not a certificate",
        ),
        (
            "server.key",
            c.private_key_der.clone(),
            "private key, not a certificate",
        ),
    ];
    for (name, bytes, expected) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = hybridsync(
            &["cert", "inspect", file.to_str().unwrap(), "--json"],
            dir.path(),
            &[],
        );
        let err = assert_refused(&out);
        assert!(err.contains(expected), "{name}: {err}");
    }
    let missing = dir.path().join("missing.pfx");
    let err = assert_refused(&hybridsync(
        &["cert", "inspect", missing.to_str().unwrap(), "--json"],
        dir.path(),
        &[],
    ));
    assert!(err.contains("missing.pfx"), "{err}");
}

#[test]
fn missing_password_variable_exits_2_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let c = cert(0, 730);
    let pfx = write_pfx(
        &c.certificate_der,
        &[],
        &c.private_key_der,
        PASSWORD,
        PfxEncryption::Aes256,
    )
    .unwrap();
    let file = dir.path().join("s2s.pfx");
    std::fs::write(&file, pfx).unwrap();
    let f = file.to_str().unwrap();
    let out = hybridsync(
        &[
            "cert",
            "inspect",
            f,
            "--password-env",
            "HYBRIDSYNC_TEST_UNSET_PW",
            "--json",
        ],
        dir.path(),
        &[],
    );
    let err = assert_refused(&out);
    assert!(err.contains("HYBRIDSYNC_TEST_UNSET_PW"), "{err}");
    // without --password-env the PFX needs a password, and the message says so
    let out = hybridsync(&["cert", "inspect", f, "--json"], dir.path(), &[]);
    let err = assert_refused(&out);
    assert!(err.contains("password"), "{err}");
}
