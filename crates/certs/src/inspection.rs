//! The result of reading a certificate file: the contract fields first, then extras.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::cert::CertFacts;
use crate::checks::{self, KeyStatus};

/// What a certificate file holds and what is wrong with it for S2S trust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    /// Subject distinguished name, e.g. `CN=Dynamics365-S2S, O=Contoso`.
    pub subject: String,
    /// SHA-1 of the DER certificate, 40 upper-case hex digits (the Windows "Thumbprint").
    pub thumbprint_sha1: String,
    /// Start of validity, RFC 3339 (UTC).
    pub not_before: String,
    /// End of validity, RFC 3339 (UTC).
    pub not_after: String,
    /// "RSA", "EC", "DSA", "Ed25519", or the algorithm OID.
    pub key_algorithm: String,
    /// Public key size in bits (RSA modulus bits, EC curve bits).
    pub key_bits: u32,
    /// Whether the file carries the private key (PFX, or PEM with a key block).
    pub has_private_key: bool,
    /// What is wrong, errors and warnings.
    pub problems: Vec<Problem>,

    // ---- extras ----
    pub issuer: String,
    /// Serial number in upper-case hex, as Windows shows it.
    pub serial_number: String,
    pub signature_algorithm: String,
    /// Key Usage names as Windows shows them; empty when the extension is absent.
    pub key_usage: Vec<String>,
    pub extended_key_usage: Vec<String>,
    /// Whole days from "now" to `not_after` (negative once expired).
    pub days_left: i64,
    /// Whether the private key belongs to the certificate; `None` without a key or when unknowable.
    pub private_key_matches: Option<bool>,
    pub self_signed: bool,
    /// "pfx", "pem" or "der".
    pub source_format: String,
    /// PFX only: the encryption found inside, named as `openssl pkcs12 -info` does.
    pub pfx_encryption: Option<String>,
    /// Further certificates in the file (issuers), by subject.
    pub chain: Vec<String>,
}

/// One thing wrong with the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub code: ProblemCode,
    pub severity: Severity,
    /// One sentence: what is wrong, why it matters, what to do.
    pub message: String,
}

/// Whether a problem blocks S2S trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Stable problem codes (serialized in snake_case, e.g. `"expiring_soon"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    Expired,
    NotYetValid,
    ExpiringSoon,
    KeyTooSmall,
    NotRsa,
    NoPrivateKey,
    WeakSignature,
    KeyMismatch,
    NoDigitalSignature,
}

impl ProblemCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::Expired => "expired",
            ProblemCode::NotYetValid => "not_yet_valid",
            ProblemCode::ExpiringSoon => "expiring_soon",
            ProblemCode::KeyTooSmall => "key_too_small",
            ProblemCode::NotRsa => "not_rsa",
            ProblemCode::NoPrivateKey => "no_private_key",
            ProblemCode::WeakSignature => "weak_signature",
            ProblemCode::KeyMismatch => "key_mismatch",
            ProblemCode::NoDigitalSignature => "no_digital_signature",
        }
    }
}

impl Inspection {
    /// Whether any problem has error severity (the CLI exits 1 then).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// Whether a problem with this code was found.
    pub fn has_problem(&self, code: ProblemCode) -> bool {
        self.problems.iter().any(|p| p.code == code)
    }
}

/// Where the certificate came from, and what came with it.
pub(crate) struct Source {
    pub format: &'static str,
    pub key: KeyStatus,
    pub pfx_encryption: Option<String>,
    pub chain: Vec<String>,
}

pub(crate) fn build(cert: &CertFacts, source: Source, now: OffsetDateTime) -> Inspection {
    Inspection {
        subject: cert.subject.clone(),
        thumbprint_sha1: cert.thumbprint_sha1(),
        not_before: rfc3339(cert.not_before),
        not_after: rfc3339(cert.not_after),
        key_algorithm: cert.key_algorithm.clone(),
        key_bits: cert.key_bits,
        has_private_key: source.key.present,
        problems: checks::problems(cert, &source.key, now),
        issuer: cert.issuer.clone(),
        serial_number: cert.serial.clone(),
        signature_algorithm: cert.signature_algorithm.clone(),
        key_usage: cert.key_usage.clone().unwrap_or_default(),
        extended_key_usage: cert.extended_key_usage.clone(),
        days_left: (cert.not_after - now).whole_days(),
        private_key_matches: source.key.matches,
        self_signed: cert.self_signed,
        source_format: source.format.to_owned(),
        pfx_encryption: source.pfx_encryption,
        chain: source.chain,
    }
}

/// RFC 3339 in UTC; years outside 0000–9999 fall back to a plain rendering.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.format(&Rfc3339).unwrap_or_else(|_| utc.to_string())
}

/// A date for messages, e.g. "2027-03-01".
pub(crate) fn day(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}",
        utc.year(),
        u8::from(utc.month()),
        utc.day()
    )
}
