//! Tells what a DER blob is from its structure, not from the file name.

use crate::der::{self, DerIssue, Tlv, BIT_STRING, INTEGER, OCTET_STRING, OID, SEQUENCE};

const PKCS7_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";

/// What kind of DER object the bytes start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DerKind {
    Certificate,
    Pfx,
    /// Format name of an unencrypted or encrypted private key.
    PrivateKey(&'static str),
    CertificateRequest,
    Pkcs7,
    PublicKey,
    Unknown,
}

/// Classifies the first DER element of `bytes`; returns the kind and that element.
pub(crate) fn classify(bytes: &[u8]) -> Result<(DerKind, Tlv<'_>), DerIssue> {
    let (outer, _trailing) = der::expect(bytes, SEQUENCE)?;
    let kids = der::children(outer.content);
    let tag = |i: usize| kids.get(i).map(|t| t.tag);
    let small_int = |t: &Tlv| (t.tag == INTEGER && t.content.len() == 1).then(|| t.content[0]);
    let kind = match kids.first() {
        Some(first) if first.tag == INTEGER => match (small_int(first), tag(1), tag(2)) {
            (Some(3), Some(SEQUENCE), _) => DerKind::Pfx,
            (Some(0 | 1), Some(SEQUENCE), Some(OCTET_STRING)) => DerKind::PrivateKey("PKCS#8"),
            (Some(0), Some(INTEGER), Some(INTEGER)) => DerKind::PrivateKey("PKCS#1 RSA"),
            (Some(1), Some(OCTET_STRING), _) => DerKind::PrivateKey("SEC1 EC"),
            _ => DerKind::Unknown,
        },
        Some(first) if first.tag == OID => {
            if starts_with_oid(outer.content, PKCS7_SIGNED_DATA) {
                DerKind::Pkcs7
            } else {
                DerKind::Unknown
            }
        }
        Some(first) if first.tag == SEQUENCE => match (tag(1), tag(2), kids.len()) {
            (Some(OCTET_STRING), None, 2) => DerKind::PrivateKey("encrypted PKCS#8"),
            (Some(BIT_STRING), None, 2) => DerKind::PublicKey,
            (Some(SEQUENCE), Some(BIT_STRING), 3) => {
                let inner = der::children(first.content);
                let is_request = inner.len() <= 4 && inner.last().is_some_and(|t| t.tag == 0xa0);
                if is_request {
                    DerKind::CertificateRequest
                } else {
                    DerKind::Certificate
                }
            }
            _ => DerKind::Unknown,
        },
        _ => DerKind::Unknown,
    };
    Ok((kind, outer))
}

fn starts_with_oid(content: &[u8], dotted: &str) -> bool {
    der::expect(content, OID)
        .ok()
        .and_then(|(t, _)| der::oid_string(t.content))
        .is_some_and(|s| s == dotted)
}

/// Whether a PFX carries a MAC (version, authSafe, macData).
pub(crate) fn pfx_has_mac(pfx: &Tlv) -> bool {
    der::children(pfx.content).len() >= 3
}

/// The encryption used inside a PFX, named as `openssl pkcs12 -info` would.
/// Algorithm identifiers are in the clear, so this needs no password.
pub(crate) fn pfx_encryption(bytes: &[u8]) -> Option<String> {
    const NAMES: [(&[u8], &str); 5] = [
        // id-aes256-CBC 2.16.840.1.101.3.4.1.42
        (
            &[
                0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a,
            ],
            "PBES2, PBKDF2, AES-256-CBC",
        ),
        // des-ede3-cbc 1.2.840.113549.3.7 (inside PBES2)
        (
            &[0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07],
            "PBES2, PBKDF2, DES-EDE3-CBC",
        ),
        // pbeWithSHAAnd3-KeyTripleDES-CBC 1.2.840.113549.1.12.1.3
        (
            &[
                0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03,
            ],
            "pbeWithSHA1And3-KeyTripleDES-CBC",
        ),
        // pbeWithSHAAnd40BitRC2-CBC 1.2.840.113549.1.12.1.6
        (
            &[
                0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x06,
            ],
            "pbeWithSHA1And40BitRC2-CBC",
        ),
        // pbeWithSHAAnd128BitRC2-CBC 1.2.840.113549.1.12.1.5
        (
            &[
                0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x05,
            ],
            "pbeWithSHA1And128BitRC2-CBC",
        ),
    ];
    let found: Vec<&str> = NAMES
        .iter()
        .filter(|(pattern, _)| bytes.windows(pattern.len()).any(|w| w == *pattern))
        .map(|(_, n)| *n)
        .collect();
    (!found.is_empty()).then(|| found.join(" + "))
}
