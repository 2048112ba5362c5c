//! Exported files: CRLF .cer, owner-only PFX written atomically, the PFX choice, passwords.

use hybridsync_certs::{
    cer_base64, generate_password, generate_password_of_length, inspect, write_atomic, write_pfx,
    FileAccess, KeySize, PfxEncryption, WindowsVersion, PASSWORD_LENGTH,
};

use crate::support::*;

#[test]
fn base64_cer_has_crlf_lines_and_no_key() {
    let cert = generated("crlf", KeySize::Rsa2048, now(), 365);
    let text = cer_base64(&cert.certificate_der);
    assert!(
        text.starts_with("-----BEGIN CERTIFICATE-----\r\n"),
        "{text:?}"
    );
    assert!(text.ends_with("-----END CERTIFICATE-----\r\n"), "{text:?}");
    let bytes = text.as_bytes();
    let newlines: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect();
    assert!(newlines.len() > 5);
    assert!(
        newlines.iter().all(|&i| i > 0 && bytes[i - 1] == b'\r'),
        "a bare LF in {text:?}"
    );
    assert!(text.split("\r\n").all(|line| line.len() <= 64));
    assert!(!text.contains("PRIVATE"));
    let found = inspect(bytes, Some("s2s.cer"), None, now()).unwrap();
    assert_eq!(found.thumbprint_sha1, cert.thumbprint_sha1);
    assert!(!found.has_private_key);
}

#[test]
fn pfx_is_written_atomically_and_owner_only() {
    let dir = temp_dir();
    let path = dir.path().join("s2s.pfx");
    let cert = generated("atomic", KeySize::Rsa2048, now(), 365);
    let pfx = write_pfx(
        &cert.certificate_der,
        &[],
        &cert.private_key_der,
        PASSWORD,
        PfxEncryption::TripleDesSha1,
    )
    .unwrap();
    std::fs::write(&path, b"old contents").unwrap();
    write_atomic(&path, &pfx, FileAccess::Private).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), pfx);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["s2s.pfx"], "temporary files left behind");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "mode {mode:o}");
        let cer = dir.path().join("s2s.cer");
        write_atomic(
            &cer,
            cer_base64(&cert.certificate_der).as_bytes(),
            FileAccess::Public,
        )
        .unwrap();
        let cer_mode = std::fs::metadata(&cer).unwrap().permissions().mode() & 0o777;
        assert_ne!(
            cer_mode & 0o044,
            0,
            "a public .cer should stay readable, mode {cer_mode:o}"
        );
    }
}

#[test]
fn atomic_write_where_no_folder_can_be_made_fails_cleanly() {
    let dir = temp_dir();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"a file").unwrap();
    let path = blocker.join("s2s.pfx");
    assert!(write_atomic(&path, b"x", FileAccess::Private).is_err());
    assert!(!path.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a temp file was left behind"
    );
}

#[test]
fn pfx_encryption_follows_windows_version() {
    for v in [
        WindowsVersion::Server2019,
        WindowsVersion::Server2022,
        WindowsVersion::Server2025,
    ] {
        let choice = v.pfx_choice();
        assert_eq!(choice.encryption, PfxEncryption::Aes256, "{v:?}");
        assert!(choice.reason.contains(v.name()), "{}", choice.reason);
    }
    for v in [
        WindowsVersion::Server2012,
        WindowsVersion::Server2012R2,
        WindowsVersion::Server2016,
        WindowsVersion::Unknown,
    ] {
        let choice = v.pfx_choice();
        assert_eq!(choice.encryption, PfxEncryption::TripleDesSha1, "{v:?}");
        assert!(choice.reason.contains("TripleDES"), "{}", choice.reason);
    }
    assert!(WindowsVersion::Server2016
        .pfx_choice()
        .reason
        .contains("wrong password"));
}

#[test]
fn generated_passwords_are_strong_and_distinct() {
    let many: Vec<String> = (0..200).map(|_| generate_password()).collect();
    for p in &many {
        assert_eq!(p.len(), PASSWORD_LENGTH);
        assert!(p.chars().any(|c| c.is_ascii_uppercase()), "{p}");
        assert!(p.chars().any(|c| c.is_ascii_lowercase()), "{p}");
        assert!(p.chars().any(|c| c.is_ascii_digit()), "{p}");
        assert!(p.chars().any(|c| "-_.+=".contains(c)), "{p}");
        assert!(!p.chars().any(|c| "IlO01$`\"' %^&|<>".contains(c)), "{p}");
    }
    let mut unique = many.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), many.len());
    assert_eq!(generate_password_of_length(4).len(), 12);
    assert_eq!(generate_password_of_length(40).len(), 40);
}
