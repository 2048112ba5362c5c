//! Replays the inputs kept in fuzz/regressions/<target>/ through the readers the fuzz targets
//! drive (fuzz/fuzz_targets/*.rs, run by scripts/fuzz.sh): none may panic, and the ones that
//! were accepted before issue 18 are refused.
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no regression input for {target}");
    out
}

fn now() -> time::OffsetDateTime {
    time::macros::datetime!(2026-01-01 0:00 UTC)
}

#[test]
fn certificate_readers() {
    for (p, data) in inputs("cert_read") {
        let refused =
            hybridsync_certs::inspect(&data, Some("fuzz.pfx"), Some("password"), now()).is_err();
        let _ = hybridsync_certs::inspect(&data, None, None, now());
        let _ = hybridsync_certs::certificate_der(&data, Some("password"));
        if p.to_string_lossy().contains("trailing") {
            assert!(refused, "{} was accepted", p.display());
        }
    }
}

#[test]
fn ldif_and_csv_readers() {
    for (p, data) in inputs("ldif") {
        let r = hybridsync_directory::scan_ldif(data.as_slice(), Default::default());
        if p.to_string_lossy().contains("empty") || p.to_string_lossy().contains("not-utf8") {
            assert!(r.is_err(), "{} was accepted", p.display());
        }
    }
    for (p, data) in inputs("csv") {
        let r = hybridsync_directory::scan_csv(data.as_slice(), Default::default());
        if p.to_string_lossy().contains("header-only") {
            assert!(r.is_err(), "{} was accepted", p.display());
        }
    }
}

#[test]
fn plan_toml_and_journal_lines() {
    for (_, data) in inputs("plan_toml") {
        if let Ok(text) = std::str::from_utf8(&data) {
            if let Err(e) = hybridsync_core::Plan::parse(text, Path::new("plan.toml")) {
                assert!(!e.message.contains("Hunter2"), "{}", e.message);
            }
        }
    }
    for (_, data) in inputs("journal_lines") {
        let _ = hybridsync_core::journal::read_records(&String::from_utf8_lossy(&data));
    }
}

#[test]
fn batch_responses_and_odata_errors() {
    for (p, data) in inputs("batch_response") {
        let started = std::time::Instant::now();
        let text = String::from_utf8_lossy(&data);
        let (content_type, body) = text
            .split_once('\n')
            .unwrap_or(("multipart/mixed; boundary=b", &text));
        let _ = hybridsync_microsoft::dynamics_batch::parse(body, content_type);
        let _ = hybridsync_microsoft::dynamics_batch::parse(
            &text,
            "multipart/mixed; boundary=batchresponse_1",
        );
        // The fuzzer's -timeout flagged one of these under load; parsing stays far below it.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{} took {:?}",
            p.display(),
            started.elapsed()
        );
    }
    for (_, data) in inputs("odata_error") {
        let _ = hybridsync_microsoft::dynamics::error_text(&data);
    }
}

#[test]
fn dns_names() {
    for (p, data) in inputs("dns_name") {
        let s = String::from_utf8_lossy(&data);
        let _ = hybridsync_dns::parse_name(&s);
        let graph = hybridsync_microsoft::domains::normalize_domain(&s);
        let suffix = hybridsync_directory::domain::replacement_suffix(&s);
        assert!(
            graph.is_err() && suffix.is_err(),
            "{} was accepted",
            p.display()
        );
    }
}
