//! OpenSSL interop both ways: files openssl makes are read right; files we write
//! are read by openssl with the expected algorithms, and the key matches.

use std::path::Path;

use hybridsync_certs::{cer_base64, cer_der, inspect, open_pfx, write_pfx, KeySize, PfxEncryption};

use crate::support::*;

/// Makes an RSA-2048 certificate with openssl, exports it as a PFX with `extra`
/// options, and checks every field we read against what openssl says.
fn check_openssl_pfx(extra: &[&str], expected_encryption: &str) {
    let dir = temp_dir();
    let d = dir.path();
    openssl_cert(d, "interop", "rsa:2048", &[]);
    let pfx = openssl_pfx(d, "interop", extra);
    let found = inspect(&pfx, Some("interop.pfx"), Some(PASSWORD), now())
        .expect("openssl PFX must be readable");
    assert_eq!(found.subject, "CN=interop, O=Contoso");
    assert_eq!(
        found.thumbprint_sha1,
        openssl_thumbprint(d, "interop.pem", "PEM")
    );
    assert_eq!(
        parse_rfc3339(&found.not_after),
        openssl_not_after(d, "interop.pem")
    );
    assert_eq!(
        (found.key_algorithm.as_str(), found.key_bits),
        ("RSA", 2048)
    );
    assert!(found.has_private_key);
    assert_eq!(found.private_key_matches, Some(true));
    assert_eq!(found.source_format, "pfx");
    assert_eq!(found.signature_algorithm, "sha256WithRSAEncryption");
    assert!(
        found.problems.is_empty(),
        "unexpected problems: {:?}",
        found.problems
    );
    let enc = found.pfx_encryption.unwrap_or_default();
    assert!(
        enc.contains(expected_encryption),
        "encryption {enc:?} lacks {expected_encryption:?}"
    );
}

#[test]
fn reads_openssl_default_aes_pfx() {
    check_openssl_pfx(&[], "PBES2, PBKDF2, AES-256-CBC");
}

#[test]
fn reads_openssl_legacy_rc2_pfx() {
    check_openssl_pfx(&["-legacy"], "pbeWithSHA1And40BitRC2-CBC");
}

#[test]
fn reads_openssl_pbe_3des_sha1_pfx() {
    check_openssl_pfx(
        &[
            "-keypbe",
            "PBE-SHA1-3DES",
            "-certpbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
        ],
        "pbeWithSHA1And3-KeyTripleDES-CBC",
    );
}

#[test]
fn reads_openssl_pbes2_3des_sha1_pfx() {
    check_openssl_pfx(
        &[
            "-keypbe",
            "DES-EDE3-CBC",
            "-certpbe",
            "DES-EDE3-CBC",
            "-macalg",
            "sha1",
        ],
        "PBES2, PBKDF2, DES-EDE3-CBC",
    );
}

#[test]
fn reads_openssl_cer_in_pem_and_der_whatever_the_extension() {
    let dir = temp_dir();
    let d = dir.path();
    openssl_cert(d, "web", "rsa:2048", &[]);
    openssl(
        d,
        &[
            "x509", "-in", "web.pem", "-outform", "DER", "-out", "web.der",
        ],
    );
    let expected = openssl_thumbprint(d, "web.pem", "PEM");
    for (file, hint, format) in [
        ("web.pem", "web.cer", "pem"),
        ("web.der", "web.cer", "der"),
        ("web.der", "web.pem", "der"), // wrong extension: content decides
        ("web.pem", "web.pfx", "pem"),
    ] {
        let found = inspect(&read(d, file), Some(hint), None, now())
            .unwrap_or_else(|e| panic!("{file} as {hint}: {e}"));
        assert_eq!(found.thumbprint_sha1, expected, "{file} as {hint}");
        assert_eq!(found.source_format, format);
        assert!(!found.has_private_key);
        assert!(found.problems.is_empty(), "{file}: {:?}", found.problems);
    }
}

#[test]
fn reads_pem_with_certificate_and_key() {
    let dir = temp_dir();
    let d = dir.path();
    openssl_cert(d, "both", "rsa:2048", &[]);
    let mut combined = read(d, "both.pem");
    combined.extend(read(d, "both.key"));
    let found = inspect(&combined, Some("both.pem"), None, now()).unwrap();
    assert!(found.has_private_key);
    assert_eq!(found.private_key_matches, Some(true));
    assert!(found.problems.is_empty(), "{:?}", found.problems);
}

#[test]
fn openssl_pfx_opens_to_matching_cert_and_key() {
    let dir = temp_dir();
    let d = dir.path();
    openssl_cert(d, "open", "rsa:2048", &[]);
    let pfx = openssl_pfx(d, "open", &["-legacy"]);
    let contents = open_pfx(&pfx, Some(PASSWORD)).unwrap();
    openssl(
        d,
        &[
            "x509", "-in", "open.pem", "-outform", "DER", "-out", "open.der",
        ],
    );
    assert_eq!(contents.certificate_der, read(d, "open.der"));
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "open.key",
            "-outform",
            "DER",
            "-out",
            "open.key.der",
        ],
    );
    assert_eq!(
        contents.private_key_der.as_deref(),
        Some(read(d, "open.key.der").as_slice())
    );
}

/// Writes our PFX and checks it with `openssl pkcs12 -info`; returns openssl's report.
fn check_our_pfx(encryption: PfxEncryption, size: KeySize) -> String {
    let dir = temp_dir();
    let d = dir.path();
    let cert = generated("Dynamics365-S2S-contoso", size, now(), 730);
    let pfx = write_pfx(
        &cert.certificate_der,
        &[],
        &cert.private_key_der,
        PASSWORD,
        encryption,
    )
    .unwrap();
    write(d, "ours.pfx", &pfx);
    let pass = format!("pass:{PASSWORD}");
    let info = openssl(
        d,
        &[
            "pkcs12", "-info", "-in", "ours.pfx", "-nokeys", "-passin", &pass,
        ],
    );
    let full = openssl(
        d,
        &[
            "pkcs12", "-info", "-in", "ours.pfx", "-nodes", "-passin", &pass, "-out", "all.pem",
        ],
    );
    assert_key_matches_cert(d, "all.pem");
    openssl(
        d,
        &[
            "pkcs12", "-in", "ours.pfx", "-nokeys", "-clcerts", "-passin", &pass, "-out",
            "leaf.pem",
        ],
    );
    assert_eq!(
        openssl_thumbprint(d, "leaf.pem", "PEM"),
        cert.thumbprint_sha1
    );
    let text = openssl(d, &["x509", "-in", "leaf.pem", "-noout", "-text"]);
    assert!(
        text.contains(&format!("Public-Key: ({} bit)", size.bits())),
        "{text}"
    );
    // and we read our own file back
    let found = inspect(&pfx, Some("ours.pfx"), Some(PASSWORD), now()).unwrap();
    assert_eq!(found.thumbprint_sha1, cert.thumbprint_sha1);
    assert_eq!(
        (found.key_bits, found.private_key_matches),
        (size.bits(), Some(true))
    );
    format!("{info}\n{full}")
}

/// The modulus of the certificate equals the modulus of the private key.
fn assert_key_matches_cert(d: &Path, pem: &str) {
    let cert_modulus = openssl(d, &["x509", "-in", pem, "-noout", "-modulus"]);
    let key_modulus = openssl(d, &["rsa", "-in", pem, "-noout", "-modulus"]);
    assert!(cert_modulus.starts_with("Modulus="), "{cert_modulus}");
    assert_eq!(cert_modulus.trim(), key_modulus.trim());
}

#[test]
fn openssl_reads_our_aes_pfx() {
    let report = check_our_pfx(PfxEncryption::Aes256, KeySize::Rsa2048);
    assert!(
        report.contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC"),
        "{report}"
    );
    assert!(
        report.contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"),
        "{report}"
    );
    assert!(report.contains("MAC: sha256"), "{report}");
    assert!(!report.contains("TripleDES"), "{report}");
}

#[test]
fn openssl_reads_our_3des_pfx() {
    let report = check_our_pfx(PfxEncryption::TripleDesSha1, KeySize::Rsa2048);
    assert!(
        report.contains("PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC"),
        "{report}"
    );
    assert!(
        report.contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"),
        "{report}"
    );
    assert!(report.contains("MAC: sha1"), "{report}");
    assert!(!report.contains("AES"), "{report}");
}

#[test]
fn openssl_reads_our_3072_and_4096_bit_pfx() {
    check_our_pfx(PfxEncryption::Aes256, KeySize::Rsa3072);
    check_our_pfx(PfxEncryption::TripleDesSha1, KeySize::Rsa4096);
}

#[test]
fn openssl_reads_our_cer_files() {
    let dir = temp_dir();
    let d = dir.path();
    let cert = generated("Dynamics365-S2S-contoso", KeySize::Rsa2048, now(), 730);
    write(d, "b64.cer", cer_base64(&cert.certificate_der).as_bytes());
    write(d, "der.cer", &cer_der(&cert.certificate_der));
    assert_eq!(
        openssl_thumbprint(d, "b64.cer", "PEM"),
        cert.thumbprint_sha1
    );
    assert_eq!(
        openssl_thumbprint(d, "der.cer", "DER"),
        cert.thumbprint_sha1
    );
    let text = openssl(d, &["x509", "-in", "b64.cer", "-noout", "-text"]);
    for expected in [
        "Subject: CN = Dynamics365-S2S-contoso",
        "sha256WithRSAEncryption",
        "Public-Key: (2048 bit)",
        "CA:FALSE",
        "Digital Signature, Key Encipherment",
        "TLS Web Server Authentication, TLS Web Client Authentication",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    openssl(d, &["verify", "-CAfile", "b64.cer", "b64.cer"]);
}

#[test]
fn pfx_with_chain_picks_the_leaf() {
    let dir = temp_dir();
    let d = dir.path();
    openssl_cert(
        d,
        "ca",
        "rsa:2048",
        &["-addext", "basicConstraints=critical,CA:TRUE"],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=crm.contoso.com",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "90",
            "-out",
            "leaf.pem",
        ],
    );
    // the CA certificate first, to show that order does not decide
    let pass = format!("pass:{PASSWORD}");
    let mut bundle = read(d, "ca.pem");
    bundle.extend(read(d, "leaf.pem"));
    write(d, "bundle.pem", &bundle);
    openssl(
        d,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "leaf.key",
            "-in",
            "bundle.pem",
            "-out",
            "leaf.pfx",
            "-passout",
            &pass,
        ],
    );
    let found = inspect(
        &read(d, "leaf.pfx"),
        Some("leaf.pfx"),
        Some(PASSWORD),
        now(),
    )
    .unwrap();
    assert_eq!(found.subject, "CN=crm.contoso.com");
    assert_eq!(found.issuer, "CN=ca, O=Contoso");
    assert_eq!(
        found.thumbprint_sha1,
        openssl_thumbprint(d, "leaf.pem", "PEM")
    );
    assert_eq!(found.chain, ["CN=ca, O=Contoso"]);
    assert!(!found.self_signed);
    assert_eq!(found.private_key_matches, Some(true));
    // our writer keeps the chain
    let contents = open_pfx(&read(d, "leaf.pfx"), Some(PASSWORD)).unwrap();
    let key = contents.private_key_der.as_deref().unwrap();
    let ours = write_pfx(
        &contents.certificate_der,
        &contents.chain_der,
        key,
        PASSWORD,
        PfxEncryption::TripleDesSha1,
    )
    .unwrap();
    write(d, "ours.pfx", &ours);
    let out = openssl(
        d,
        &[
            "pkcs12", "-in", "ours.pfx", "-nokeys", "-cacerts", "-passin", &pass,
        ],
    );
    assert!(out.contains("subject=CN = ca, O = Contoso"), "{out}");
}

#[test]
fn reads_pfx_without_mac() {
    let dir = temp_dir();
    let d = dir.path();
    openssl_cert(d, "nomac", "rsa:2048", &[]);
    let pfx = openssl_pfx(d, "nomac", &["-nomac"]);
    let found = inspect(&pfx, None, Some(PASSWORD), now()).unwrap();
    assert_eq!(
        found.thumbprint_sha1,
        openssl_thumbprint(d, "nomac.pem", "PEM")
    );
    let err = inspect(&pfx, None, Some("Secret124"), now()).unwrap_err();
    assert!(err.to_string().contains("password"), "{err}");
}

#[test]
fn reads_utf16_pem_and_bare_base64() {
    let cert = generated("text", KeySize::Rsa2048, now(), 365);
    // PowerShell 5 `>` writes UTF-16LE with a byte-order mark
    let mut utf16 = vec![0xff, 0xfe];
    for unit in cer_base64(&cert.certificate_der).encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    assert_eq!(
        inspect(&utf16, Some("s2s.cer"), None, now())
            .unwrap()
            .thumbprint_sha1,
        cert.thumbprint_sha1
    );
    // the keyCredential "key" value: Base-64 of the DER, no header
    use base64::Engine;
    let bare = base64::engine::general_purpose::STANDARD.encode(&cert.certificate_der);
    assert_eq!(
        inspect(bare.as_bytes(), None, None, now())
            .unwrap()
            .thumbprint_sha1,
        cert.thumbprint_sha1
    );
}
