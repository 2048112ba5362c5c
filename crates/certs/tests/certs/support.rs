//! Shared helpers: running the openssl CLI in a temporary folder, making certificates.

use std::path::Path;
use std::process::Command;

use hybridsync_certs::{generate_self_signed, GeneratedCertificate, KeySize, NewCertificate};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

pub const PASSWORD: &str = "Secret123";

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Runs `openssl args…` in `dir`; panics with its output unless it succeeds.
/// Returns stdout followed by stderr (`pkcs12 -info` prints its details on stderr).
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command-line tool must be installed for these tests");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "openssl {} failed:\n{text}",
        args.join(" ")
    );
    text
}

pub fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"))
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("writing {name}: {e}"));
}

/// `openssl req -x509` with a new key: writes NAME.key (PKCS#8 PEM) and NAME.pem.
pub fn openssl_cert(dir: &Path, name: &str, newkey: &str, extra: &[&str]) {
    let (key, pem, subj) = (
        format!("{name}.key"),
        format!("{name}.pem"),
        format!("/CN={name}/O=Contoso"),
    );
    let mut args = vec![
        "req", "-x509", "-newkey", newkey, "-nodes", "-keyout", &key, "-out", &pem, "-subj", &subj,
    ];
    args.extend_from_slice(extra);
    if !extra.contains(&"-days") {
        args.extend_from_slice(&["-days", "365"]);
    }
    openssl(dir, &args);
}

/// `openssl pkcs12 -export` of NAME.key + NAME.pem into NAME.pfx with [`PASSWORD`].
pub fn openssl_pfx(dir: &Path, name: &str, extra: &[&str]) -> Vec<u8> {
    let (key, pem, pfx, pass) = (
        format!("{name}.key"),
        format!("{name}.pem"),
        format!("{name}.pfx"),
        format!("pass:{PASSWORD}"),
    );
    let mut args = vec![
        "pkcs12", "-export", "-inkey", &key, "-in", &pem, "-out", &pfx, "-passout", &pass,
    ];
    args.extend_from_slice(extra);
    openssl(dir, &args);
    read(dir, &pfx)
}

/// The SHA-1 fingerprint openssl computes, as 40 upper-case hex digits.
pub fn openssl_thumbprint(dir: &Path, cert_file: &str, inform: &str) -> String {
    let out = openssl(
        dir,
        &[
            "x509",
            "-in",
            cert_file,
            "-inform",
            inform,
            "-noout",
            "-fingerprint",
            "-sha1",
        ],
    );
    let hexpart = out.trim().rsplit('=').next().unwrap_or_default();
    hexpart.replace(':', "").to_uppercase()
}

/// notAfter as openssl reports it, as an OffsetDateTime.
pub fn openssl_not_after(dir: &Path, cert_file: &str) -> OffsetDateTime {
    let out = openssl(dir, &["x509", "-in", cert_file, "-noout", "-enddate"]);
    let text = out
        .trim()
        .trim_start_matches("notAfter=")
        .trim_end_matches(" GMT")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let fmt = format_description!(
        "[month repr:short] [day padding:none] [hour]:[minute]:[second] [year]"
    );
    PrimitiveDateTime::parse(&text, &fmt)
        .unwrap_or_else(|e| panic!("parsing {text:?}: {e}"))
        .assume_utc()
}

pub fn parse_rfc3339(s: &str) -> OffsetDateTime {
    OffsetDateTime::parse(s, &Rfc3339).unwrap_or_else(|e| panic!("{s:?} is not RFC 3339: {e}"))
}

/// A self-signed RSA certificate made by this crate.
pub fn generated(
    cn: &str,
    size: KeySize,
    valid_from: OffsetDateTime,
    valid_days: u32,
) -> GeneratedCertificate {
    let mut req = NewCertificate::new(cn);
    req.key_size = size;
    req.valid_from = valid_from;
    req.valid_days = valid_days;
    generate_self_signed(&req).expect("certificate generation")
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}
