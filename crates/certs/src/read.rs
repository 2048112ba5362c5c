//! `inspect`: read any certificate file and check it for S2S use.

use time::OffsetDateTime;

use crate::cert::{self, CertFacts};
use crate::checks::KeyStatus;
use crate::der::DerIssue;
use crate::inspection::{self, Inspection, Source};
use crate::key;
use crate::pem::{self, PemBlock};
use crate::pfx::{self, describe};
use crate::sniff::{self, DerKind};
use crate::CertError;

/// Reads a .pfx/.p12 (AES, 3DES or RC2) or .cer/.crt/.pem (PEM or DER) file and
/// checks it for Dynamics 365 ↔ Exchange Online S2S use, as of `now`.
///
/// The content decides the format; `file_name_hint` only sharpens error messages.
/// `password` is used for PFX files (none means the empty password is tried).
pub fn inspect(
    bytes: &[u8],
    file_name_hint: Option<&str>,
    password: Option<&str>,
    now: OffsetDateTime,
) -> Result<Inspection, CertError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(CertError::Empty);
    }
    if let Some(text) = pem::as_text(bytes) {
        if text.trim().is_empty() {
            return Err(CertError::Empty);
        }
        if pem::has_pem_header(&text) {
            return inspect_pem(&pem::parse(&text)?, now);
        }
        if let Some(der) = pem::bare_base64(&text) {
            return inspect_der(&der, file_name_hint, password, now);
        }
    }
    inspect_der(bytes, file_name_hint, password, now)
}

/// [`inspect`] as of the current time.
pub fn inspect_now(
    bytes: &[u8],
    file_name_hint: Option<&str>,
    password: Option<&str>,
) -> Result<Inspection, CertError> {
    inspect(bytes, file_name_hint, password, OffsetDateTime::now_utc())
}

fn inspect_der(
    bytes: &[u8],
    hint: Option<&str>,
    password: Option<&str>,
    now: OffsetDateTime,
) -> Result<Inspection, CertError> {
    let (kind, outer) = match sniff::classify(bytes) {
        Ok(found) => found,
        Err(DerIssue::Truncated { needed, available }) if looks_like_der(bytes) => {
            return Err(CertError::Truncated { needed, available })
        }
        Err(_) => return Err(not_a_certificate(bytes, hint)),
    };
    // One certificate or PFX and nothing after it: trailing bytes mean a damaged or doctored file.
    let trailing = bytes.len() - outer.raw.len();
    if trailing > 0 && matches!(kind, DerKind::Certificate | DerKind::Pfx) {
        let what = if kind == DerKind::Pfx {
            "PFX"
        } else {
            "certificate"
        };
        return Err(CertError::Damaged {
            what,
            detail: format!("{trailing} unexpected bytes after it"),
        });
    }
    match kind {
        DerKind::Certificate => {
            let facts = cert::parse(outer.raw)?;
            Ok(inspection::build(&facts, plain_source("der"), now))
        }
        DerKind::Pfx => inspect_pfx(outer.raw, password, now),
        DerKind::PrivateKey(format) => Err(CertError::BarePrivateKey {
            format: format!("{format}, DER"),
        }),
        DerKind::CertificateRequest => Err(CertError::CertificateRequest),
        DerKind::Pkcs7 => Err(CertError::Pkcs7Bundle),
        DerKind::PublicKey | DerKind::Unknown => Err(CertError::NotACertificate {
            detail: format!("the file holds {}{}", describe(kind), hint_note(hint)),
        }),
    }
}

fn inspect_pfx(
    bytes: &[u8],
    password: Option<&str>,
    now: OffsetDateTime,
) -> Result<Inspection, CertError> {
    let contents = pfx::open_pfx(bytes, password)?;
    let facts = cert::parse(&contents.certificate_der)?;
    let status = key_status(&facts, contents.private_key_der.as_deref(), true);
    let chain = contents
        .chain_der
        .iter()
        .filter_map(|d| cert::parse(d).ok())
        .map(|f| f.subject)
        .collect();
    let source = Source {
        format: "pfx",
        key: status,
        pfx_encryption: contents.encryption,
        chain,
    };
    Ok(inspection::build(&facts, source, now))
}

fn inspect_pem(blocks: &[PemBlock], now: OffsetDateTime) -> Result<Inspection, CertError> {
    let is_cert = |b: &&PemBlock| {
        matches!(
            b.label.as_str(),
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
        )
    };
    let is_key = |b: &&PemBlock| b.label.ends_with("PRIVATE KEY");
    let certs: Vec<&PemBlock> = blocks.iter().filter(is_cert).collect();
    let key_block = blocks.iter().find(is_key);
    let Some(first) = certs.first() else {
        if let Some(k) = key_block {
            return Err(CertError::BarePrivateKey {
                format: format!("PEM \"{}\"", k.label),
            });
        }
        return Err(match blocks.first().map(|b| b.label.as_str()) {
            Some("CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST") => {
                CertError::CertificateRequest
            }
            Some("PKCS7") => CertError::Pkcs7Bundle,
            Some(label) => CertError::NotACertificate {
                detail: format!("the PEM block is \"{label}\""),
            },
            None => CertError::NotACertificate {
                detail: "no PEM block could be read".into(),
            },
        });
    };
    let facts = cert_from_block(first)?;
    let key_der = key_block
        .filter(|k| !k.encrypted && k.label != "ENCRYPTED PRIVATE KEY")
        .map(|k| k.der.as_slice());
    let mut status = key_status(&facts, key_der, false);
    status.present = key_block.is_some();
    let chain = certs[1..]
        .iter()
        .filter_map(|b| cert_from_block(b).ok())
        .map(|f| f.subject)
        .collect();
    let source = Source {
        format: "pem",
        key: status,
        pfx_encryption: None,
        chain,
    };
    Ok(inspection::build(&facts, source, now))
}

fn cert_from_block(block: &PemBlock) -> Result<CertFacts, CertError> {
    match sniff::classify(&block.der) {
        Ok((DerKind::Certificate, outer)) => cert::parse(outer.raw),
        Ok((kind, _)) => Err(CertError::Damaged {
            what: "certificate",
            detail: format!("the CERTIFICATE block holds {}", describe(kind)),
        }),
        Err(DerIssue::Truncated { needed, available }) => {
            Err(CertError::Truncated { needed, available })
        }
        Err(DerIssue::Malformed) => Err(CertError::Damaged {
            what: "certificate",
            detail: "the CERTIFICATE block is not DER".into(),
        }),
    }
}

fn key_status(facts: &CertFacts, key_der: Option<&[u8]>, expected: bool) -> KeyStatus {
    let matches = key_der.and_then(|der| key::matches(&key::public_numbers(der), &facts.public));
    KeyStatus {
        expected,
        present: key_der.is_some(),
        matches,
    }
}

fn plain_source(format: &'static str) -> Source {
    Source {
        format,
        key: KeyStatus::default(),
        pfx_encryption: None,
        chain: Vec::new(),
    }
}

/// A DER SEQUENCE header with a plausible length form.
fn looks_like_der(bytes: &[u8]) -> bool {
    matches!(bytes, [0x30, len, ..] if *len != 0x80)
}

fn not_a_certificate(bytes: &[u8], hint: Option<&str>) -> CertError {
    let printable = bytes
        .iter()
        .take(512)
        .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        .count();
    let looks_text = printable * 10 >= bytes.len().min(512) * 9;
    let what = if looks_text {
        "text that is neither PEM nor Base-64"
    } else {
        "binary data that is neither DER nor PKCS#12"
    };
    CertError::NotACertificate {
        detail: format!("the file holds {what}{}", hint_note(hint)),
    }
}

fn hint_note(hint: Option<&str>) -> String {
    let ext = hint
        .and_then(|h| std::path::Path::new(h).extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .filter(|e| ["pfx", "p12", "cer", "crt", "pem", "der"].contains(&e.as_str()));
    match ext {
        Some(e) => format!(", although the file name ends in .{e}"),
        None => String::new(),
    }
}
