//! Each problem code comes from a certificate that has the problem, and not from one that lacks it.

use hybridsync_certs::{inspect, write_pfx, CertError, Inspection, KeySize, ProblemCode, Severity};
use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
use time::macros::datetime;
use time::Duration;

use crate::support::*;

fn codes(found: &Inspection) -> Vec<ProblemCode> {
    found.problems.iter().map(|p| p.code).collect()
}

fn severity_of(found: &Inspection, code: ProblemCode) -> Severity {
    found
        .problems
        .iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("no {code:?} in {:?}", found.problems))
        .severity
}

#[test]
fn fresh_generated_certificate_has_no_problem() {
    let cert = generated("clean", KeySize::Rsa2048, now(), 730);
    let found = inspect(&cert.certificate_der, Some("clean.cer"), None, now()).unwrap();
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    assert!(!found.has_errors());
    assert!(
        (728..=730).contains(&found.days_left),
        "{}",
        found.days_left
    );
    assert_eq!(found.key_usage, ["Digital Signature", "Key Encipherment"]);
    assert_eq!(
        found.extended_key_usage,
        ["Server Authentication", "Client Authentication"]
    );
    assert!(found.self_signed);
}

#[test]
fn expired_certificate() {
    // really expired: valid for 30 days from 2020-01-01, checked now
    let cert = generated("old", KeySize::Rsa2048, datetime!(2020-01-01 0:00 UTC), 30);
    let found = inspect(&cert.certificate_der, None, None, now()).unwrap();
    assert_eq!(codes(&found), [ProblemCode::Expired]);
    assert_eq!(severity_of(&found, ProblemCode::Expired), Severity::Error);
    assert!(found.days_left < -2000);
    assert!(
        found.problems[0].message.contains("2020-01-31"),
        "{}",
        found.problems[0].message
    );
    assert_eq!(found.not_after, "2020-01-31T00:00:00Z");
}

#[test]
fn openssl_certificate_expired_after_its_days() {
    let dir = temp_dir();
    openssl_cert(dir.path(), "short", "rsa:2048", &["-days", "10"]);
    let bytes = read(dir.path(), "short.pem");
    let later = inspect(&bytes, None, None, now() + Duration::days(11)).unwrap();
    assert_eq!(codes(&later), [ProblemCode::Expired]);
    let today = inspect(&bytes, None, None, now()).unwrap();
    assert_eq!(codes(&today), [ProblemCode::ExpiringSoon]);
}

#[test]
fn not_yet_valid_certificate() {
    let start = now() + Duration::days(10);
    let cert = generated("future", KeySize::Rsa2048, start, 365);
    let found = inspect(&cert.certificate_der, None, None, now()).unwrap();
    assert_eq!(codes(&found), [ProblemCode::NotYetValid]);
    assert_eq!(
        severity_of(&found, ProblemCode::NotYetValid),
        Severity::Error
    );
    let at_start = inspect(&cert.certificate_der, None, None, start).unwrap();
    assert!(at_start.problems.is_empty(), "{:?}", at_start.problems);
}

#[test]
fn expiring_soon_is_a_warning_under_30_days() {
    let t0 = datetime!(2026-06-01 12:00 UTC);
    let cert = generated("soon", KeySize::Rsa2048, t0, 100);
    let at =
        |days: i64| inspect(&cert.certificate_der, None, None, t0 + Duration::days(days)).unwrap();
    let found = at(100 - 29);
    assert_eq!(codes(&found), [ProblemCode::ExpiringSoon]);
    assert_eq!(
        severity_of(&found, ProblemCode::ExpiringSoon),
        Severity::Warning
    );
    assert!(!found.has_errors());
    assert_eq!(found.days_left, 29);
    assert!(at(100 - 31).problems.is_empty());
    assert_eq!(codes(&at(101)), [ProblemCode::Expired]);
}

#[test]
fn rsa_1024_is_too_small() {
    let dir = temp_dir();
    openssl_cert(dir.path(), "small", "rsa:1024", &[]);
    let found = inspect(&read(dir.path(), "small.pem"), None, None, now()).unwrap();
    assert_eq!(found.key_bits, 1024);
    assert_eq!(codes(&found), [ProblemCode::KeyTooSmall]);
    assert_eq!(
        severity_of(&found, ProblemCode::KeyTooSmall),
        Severity::Error
    );
}

#[test]
fn ec_key_is_not_rsa() {
    let dir = temp_dir();
    let d = dir.path();
    openssl_cert(d, "ec", "ec", &["-pkeyopt", "ec_paramgen_curve:P-256"]);
    let found = inspect(&read(d, "ec.pem"), None, None, now()).unwrap();
    assert_eq!((found.key_algorithm.as_str(), found.key_bits), ("EC", 256));
    assert_eq!(codes(&found), [ProblemCode::NotRsa]);
    assert_eq!(found.signature_algorithm, "ecdsa-with-SHA256");
    // an EC PFX: key read and matched, still not RSA
    let pfx = openssl_pfx(d, "ec", &[]);
    let found = inspect(&pfx, Some("ec.pfx"), Some(PASSWORD), now()).unwrap();
    assert_eq!(found.private_key_matches, Some(true));
    assert_eq!(codes(&found), [ProblemCode::NotRsa]);
}

#[test]
fn pfx_without_key_lacks_private_key_but_a_cer_never_does() {
    let dir = temp_dir();
    let d = dir.path();
    openssl_cert(d, "nokey", "rsa:2048", &[]);
    let pass = format!("pass:{PASSWORD}");
    openssl(
        d,
        &[
            "pkcs12",
            "-export",
            "-nokeys",
            "-in",
            "nokey.pem",
            "-out",
            "nokey.pfx",
            "-passout",
            &pass,
        ],
    );
    let found = inspect(
        &read(d, "nokey.pfx"),
        Some("nokey.pfx"),
        Some(PASSWORD),
        now(),
    )
    .unwrap();
    assert!(!found.has_private_key);
    assert_eq!(codes(&found), [ProblemCode::NoPrivateKey]);
    assert_eq!(
        severity_of(&found, ProblemCode::NoPrivateKey),
        Severity::Error
    );
    let cer = inspect(&read(d, "nokey.pem"), Some("nokey.cer"), None, now()).unwrap();
    assert!(cer.problems.is_empty(), "{:?}", cer.problems);
}

#[test]
fn sha1_signature_is_weak() {
    let dir = temp_dir();
    openssl_cert(dir.path(), "sha1", "rsa:2048", &["-sha1"]);
    let found = inspect(&read(dir.path(), "sha1.pem"), None, None, now()).unwrap();
    assert_eq!(found.signature_algorithm, "sha1WithRSAEncryption");
    assert_eq!(codes(&found), [ProblemCode::WeakSignature]);
    assert_eq!(
        severity_of(&found, ProblemCode::WeakSignature),
        Severity::Warning
    );
}

#[test]
fn key_usage_without_digital_signature_is_a_warning() {
    let dir = temp_dir();
    openssl_cert(
        dir.path(),
        "ku",
        "rsa:2048",
        &["-addext", "keyUsage=critical,keyEncipherment"],
    );
    let found = inspect(&read(dir.path(), "ku.pem"), None, None, now()).unwrap();
    assert_eq!(found.key_usage, ["Key Encipherment"]);
    assert_eq!(codes(&found), [ProblemCode::NoDigitalSignature]);
}

/// A PFX whose key belongs to another certificate (written with p12-keystore directly,
/// since openssl and our writer both refuse to make one).
#[test]
fn pfx_with_someone_elses_key_is_a_mismatch() {
    let a = generated("A", KeySize::Rsa2048, now(), 365);
    let b = generated("B", KeySize::Rsa2048, now(), 365);
    let chain = PrivateKeyChain::new(
        vec![1, 2, 3],
        PrivateKey::from_der(&b.private_key_der).unwrap(),
        [Certificate::from_der(&a.certificate_der).unwrap()],
    );
    let mut store = KeyStore::new();
    store.add_entry("mixed", KeyStoreEntry::PrivateKeyChain(chain));
    let pfx = store.writer(PASSWORD).write().unwrap();
    let found = inspect(&pfx, Some("mixed.pfx"), Some(PASSWORD), now()).unwrap();
    assert_eq!(found.thumbprint_sha1, a.thumbprint_sha1);
    assert_eq!(found.private_key_matches, Some(false));
    assert_eq!(codes(&found), [ProblemCode::KeyMismatch]);
    assert_eq!(
        severity_of(&found, ProblemCode::KeyMismatch),
        Severity::Error
    );
    let refused = write_pfx(
        &a.certificate_der,
        &[],
        &b.private_key_der,
        PASSWORD,
        hybridsync_certs::PfxEncryption::Aes256,
    );
    assert_eq!(refused.unwrap_err(), CertError::KeyMismatch);
}

#[test]
fn pem_with_another_key_is_a_mismatch() {
    let dir = temp_dir();
    let d = dir.path();
    openssl_cert(d, "one", "rsa:2048", &[]);
    openssl_cert(d, "two", "rsa:2048", &[]);
    let mut mixed = read(d, "one.pem");
    mixed.extend(read(d, "two.key"));
    let found = inspect(&mixed, None, None, now()).unwrap();
    assert_eq!(codes(&found), [ProblemCode::KeyMismatch]);
}

#[test]
fn several_problems_at_once_and_json_contract() {
    let dir = temp_dir();
    openssl_cert(dir.path(), "bad", "rsa:1024", &["-sha1", "-days", "5"]);
    let found = inspect(&read(dir.path(), "bad.pem"), Some("bad.cer"), None, now()).unwrap();
    let mut got = codes(&found);
    got.sort_by_key(|c| c.as_str());
    assert_eq!(
        got,
        [
            ProblemCode::ExpiringSoon,
            ProblemCode::KeyTooSmall,
            ProblemCode::WeakSignature
        ]
    );
    assert!(found.has_errors());

    let json = serde_json::to_value(&found).unwrap();
    let thumb = json["thumbprint_sha1"].as_str().unwrap();
    assert_eq!(thumb.len(), 40);
    assert!(
        thumb
            .chars()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)),
        "{thumb}"
    );
    parse_rfc3339(json["not_before"].as_str().unwrap());
    parse_rfc3339(json["not_after"].as_str().unwrap());
    assert_eq!(json["key_algorithm"], "RSA");
    assert_eq!(json["key_bits"], 1024);
    assert_eq!(json["has_private_key"], false);
    assert_eq!(json["subject"], "CN=bad, O=Contoso");
    let problems = json["problems"].as_array().unwrap();
    for p in problems {
        let code = p["code"].as_str().unwrap();
        let severity = p["severity"].as_str().unwrap();
        let expected = if code == "key_too_small" {
            "error"
        } else {
            "warning"
        };
        assert_eq!(severity, expected, "{code}");
        assert!(!p["message"].as_str().unwrap().is_empty());
    }
    let mut json_codes: Vec<&str> = problems
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    json_codes.sort();
    assert_eq!(
        json_codes,
        ["expiring_soon", "key_too_small", "weak_signature"]
    );
}

#[test]
fn ec_curve_sizes_are_reported_in_bits() {
    let dir = temp_dir();
    let d = dir.path();
    for (curve, bits) in [("P-384", 384), ("P-521", 521)] {
        let name = format!("ec{bits}");
        let opt = format!("ec_paramgen_curve:{curve}");
        openssl_cert(d, &name, "ec", &["-pkeyopt", &opt]);
        let found = inspect(&read(d, &format!("{name}.pem")), None, None, now()).unwrap();
        assert_eq!(
            (found.key_algorithm.as_str(), found.key_bits),
            ("EC", bits),
            "{curve}"
        );
        assert_eq!(codes(&found), [ProblemCode::NotRsa]);
    }
}
