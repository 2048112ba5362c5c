//! Files that hold no usable certificate give a typed, one-line error.

use hybridsync_certs::{
    cer_base64, inspect, open_pfx, write_pfx, CertError, KeySize, PfxEncryption,
};

use crate::support::*;

fn error_of(bytes: &[u8], hint: &str, password: Option<&str>) -> CertError {
    let err = inspect(bytes, Some(hint), password, now()).expect_err("input must be refused");
    let message = err.to_string();
    assert!(
        !message.is_empty() && !message.contains('\n'),
        "not one line: {message:?}"
    );
    err
}

fn our_pfx(encryption: PfxEncryption) -> Vec<u8> {
    let cert = generated("pfx", KeySize::Rsa2048, now(), 365);
    write_pfx(
        &cert.certificate_der,
        &[],
        &cert.private_key_der,
        PASSWORD,
        encryption,
    )
    .unwrap()
}

#[test]
fn empty_file() {
    assert_eq!(error_of(b"", "a.pfx", None), CertError::Empty);
    assert_eq!(error_of(b"  \r\n\t", "a.cer", None), CertError::Empty);
    assert_eq!(
        error_of(&[0xef, 0xbb, 0xbf, b'\n'], "a.cer", None),
        CertError::Empty
    );
    assert!(CertError::Empty.to_string().contains("empty"));
    assert_eq!(open_pfx(b"", Some("x")).unwrap_err(), CertError::Empty);
}

#[test]
fn truncated_pfx_and_der() {
    let pfx = our_pfx(PfxEncryption::Aes256);
    let err = error_of(&pfx[..pfx.len() / 2], "cut.pfx", Some(PASSWORD));
    assert_eq!(
        err,
        CertError::Truncated {
            needed: pfx.len(),
            available: pfx.len() / 2
        }
    );
    assert!(err.to_string().contains("truncated"));

    let cert = generated("cut", KeySize::Rsa2048, now(), 365);
    let der = &cert.certificate_der;
    assert!(matches!(
        error_of(&der[..der.len() - 1], "cut.cer", None),
        CertError::Truncated { .. }
    ));
    assert!(matches!(
        error_of(&der[..10], "cut.cer", None),
        CertError::Truncated { .. }
    ));
}

#[test]
fn truncated_pem() {
    let cert = generated("cut", KeySize::Rsa2048, now(), 365);
    let pem = cer_base64(&cert.certificate_der);
    // the END line is missing
    let no_end = &pem[..pem.find("-----END").unwrap()];
    assert!(matches!(
        error_of(no_end.as_bytes(), "cut.cer", None),
        CertError::PemTruncated { .. }
    ));
    // lines missing in the middle, END intact
    let lines: Vec<&str> = pem.split("\r\n").collect();
    let shortened = [&lines[..3], &lines[lines.len() - 2..]]
        .concat()
        .join("\r\n");
    assert!(matches!(
        error_of(shortened.as_bytes(), "cut.cer", None),
        CertError::Truncated { .. }
    ));
}

#[test]
fn wrong_password_says_password() {
    for encryption in [PfxEncryption::Aes256, PfxEncryption::TripleDesSha1] {
        let pfx = our_pfx(encryption);
        let err = error_of(&pfx, "s2s.pfx", Some("not-the-password"));
        assert_eq!(err, CertError::WrongPassword);
        assert!(err.to_string().contains("password"), "{err}");
        let none = error_of(&pfx, "s2s.pfx", None);
        assert_eq!(none, CertError::PasswordRequired);
        assert!(none.to_string().contains("password"), "{none}");
    }
    let dir = temp_dir();
    openssl_cert(dir.path(), "legacy", "rsa:2048", &[]);
    let legacy = openssl_pfx(dir.path(), "legacy", &["-legacy"]);
    let err = error_of(&legacy, "legacy.pfx", Some("Secret124"));
    assert!(err.to_string().contains("password"), "{err}");
}

#[test]
fn pfx_with_empty_password_needs_none() {
    let cert = generated("nopass", KeySize::Rsa2048, now(), 365);
    let pfx = write_pfx(
        &cert.certificate_der,
        &[],
        &cert.private_key_der,
        "",
        PfxEncryption::Aes256,
    )
    .unwrap();
    let found = inspect(&pfx, None, None, now()).unwrap();
    assert_eq!(found.thumbprint_sha1, cert.thumbprint_sha1);
}

#[test]
fn not_a_certificate() {
    for (bytes, hint) in [
        (
            &b"hello world, this is a note and not a certificate"[..],
            "notes.cer",
        ),
        (&b"{\"thumbprint\": \"ABCDEF\"}"[..], "cert.pem"),
        (
            &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13][..],
            "picture.pfx",
        ),
        (&[0x30, 0x03, 0x02, 0x01, 0x05][..], "odd.der"),
    ] {
        let err = error_of(bytes, hint, None);
        assert!(
            matches!(err, CertError::NotACertificate { .. }),
            "{hint}: {err:?}"
        );
        assert!(err.to_string().contains("not a certificate"), "{err}");
    }
    let err = error_of(b"abc", "photo.pfx", None);
    assert!(err.to_string().contains(".pfx"), "{err}");
}

#[test]
fn requests_bundles_and_public_keys_are_named() {
    let dir = temp_dir();
    let d = dir.path();
    openssl(
        d,
        &[
            "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "r.key", "-out", "r.csr",
            "-subj", "/CN=r",
        ],
    );
    assert_eq!(
        error_of(&read(d, "r.csr"), "r.cer", None),
        CertError::CertificateRequest
    );
    openssl(
        d,
        &[
            "req",
            "-in",
            "r.csr",
            "-outform",
            "DER",
            "-out",
            "r.csr.der",
        ],
    );
    assert_eq!(
        error_of(&read(d, "r.csr.der"), "r.cer", None),
        CertError::CertificateRequest
    );
    openssl_cert(d, "c", "rsa:2048", &[]);
    openssl(
        d,
        &["crl2pkcs7", "-nocrl", "-certfile", "c.pem", "-out", "c.p7b"],
    );
    assert_eq!(
        error_of(&read(d, "c.p7b"), "c.p7b", None),
        CertError::Pkcs7Bundle
    );
    openssl(d, &["pkey", "-in", "c.key", "-pubout", "-out", "c.pub"]);
    assert!(matches!(
        error_of(&read(d, "c.pub"), "c.pem", None),
        CertError::NotACertificate { .. }
    ));
}

#[test]
fn bare_private_key_says_so() {
    let dir = temp_dir();
    let d = dir.path();
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "k.pem",
        ],
    );
    openssl(
        d,
        &["pkey", "-in", "k.pem", "-outform", "DER", "-out", "k.der"],
    );
    openssl(
        d,
        &[
            "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.p8.der",
        ],
    );
    openssl(
        d,
        &["rsa", "-in", "k.pem", "-traditional", "-out", "k.rsa.pem"],
    );
    openssl(
        d,
        &[
            "rsa",
            "-in",
            "k.pem",
            "-traditional",
            "-outform",
            "DER",
            "-out",
            "k.rsa.der",
        ],
    );
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "k.pem",
            "-out",
            "k.enc.pem",
            "-passout",
            "pass:x",
        ],
    );
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "k.pem",
            "-outform",
            "DER",
            "-out",
            "k.enc.der",
            "-passout",
            "pass:x",
        ],
    );
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ec.pem",
        ],
    );
    for file in [
        "k.pem",
        "k.der",
        "k.p8.der",
        "k.rsa.pem",
        "k.rsa.der",
        "k.enc.pem",
        "k.enc.der",
        "ec.pem",
    ] {
        let err = error_of(&read(d, file), "server.cer", None);
        assert!(
            matches!(err, CertError::BarePrivateKey { .. }),
            "{file}: {err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("this is a private key, not a certificate"),
            "{err}"
        );
    }
}

#[test]
fn pfx_with_only_a_key_is_a_bare_key() {
    let dir = temp_dir();
    let d = dir.path();
    openssl_cert(d, "k", "rsa:2048", &[]);
    let pass = format!("pass:{PASSWORD}");
    openssl(
        d,
        &[
            "pkcs12", "-export", "-nocerts", "-inkey", "k.key", "-out", "k.pfx", "-passout", &pass,
        ],
    );
    let err = error_of(&read(d, "k.pfx"), "k.pfx", Some(PASSWORD));
    assert!(matches!(err, CertError::BarePrivateKey { .. }), "{err:?}");
}

#[test]
fn pfx_with_unsupported_encryption_says_so() {
    let dir = temp_dir();
    openssl_cert(dir.path(), "cam", "rsa:2048", &[]);
    let pfx = openssl_pfx(
        dir.path(),
        "cam",
        &[
            "-keypbe",
            "CAMELLIA-256-CBC",
            "-certpbe",
            "CAMELLIA-256-CBC",
        ],
    );
    let err = error_of(&pfx, "cam.pfx", Some(PASSWORD));
    assert!(matches!(err, CertError::UnsupportedPfx { .. }), "{err:?}");
    assert!(err.to_string().contains("TripleDES"), "{err}");
}

/// Issue 18 item 7: a DER certificate or PFX with bytes after it is refused, not read as if whole.
#[test]
fn der_and_pfx_with_trailing_bytes() {
    let cert = generated("trail", KeySize::Rsa2048, now(), 365);
    let mut der = cert.certificate_der.clone();
    der.extend_from_slice(b"\x00\x01extra");
    let err = error_of(&der, "trail.cer", None);
    assert!(
        matches!(&err, CertError::Damaged { what: "certificate", detail } if detail.contains("7 unexpected bytes")),
        "{err:?}"
    );
    let mut pfx = our_pfx(PfxEncryption::Aes256);
    pfx.push(0);
    let err = error_of(&pfx, "trail.pfx", Some(PASSWORD));
    assert!(
        matches!(&err, CertError::Damaged { what: "PFX", .. }),
        "{err:?}"
    );
}
