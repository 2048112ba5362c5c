//! The checks that decide whether a certificate can carry S2S trust.

use time::{Duration, OffsetDateTime};

use crate::cert::CertFacts;
use crate::inspection::{day, Problem, ProblemCode, Severity};

/// Days before expiry from which `expiring_soon` is reported.
pub const EXPIRY_WARNING_DAYS: i64 = 30;
/// Smallest RSA key Exchange Online and Entra accept for S2S.
pub const MIN_RSA_BITS: u32 = 2048;

/// What we know about the private key that came with the certificate.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KeyStatus {
    /// The file type must carry the key (PFX).
    pub expected: bool,
    pub present: bool,
    pub matches: Option<bool>,
}

pub(crate) fn problems(cert: &CertFacts, key: &KeyStatus, now: OffsetDateTime) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut add = |code, severity, message: String| {
        out.push(Problem {
            code,
            severity,
            message,
        })
    };
    let left = cert.not_after - now;
    if now > cert.not_after {
        add(
            ProblemCode::Expired,
            Severity::Error,
            format!(
                "the certificate expired on {} ({} days ago); Exchange Online rejects tokens signed with it, so renew it or generate a new one",
                day(cert.not_after),
                (-left).whole_days()
            ),
        );
    } else if now < cert.not_before {
        add(
            ProblemCode::NotYetValid,
            Severity::Error,
            format!(
                "the certificate is valid only from {}; check the clock of the machine that made it, or wait until then",
                day(cert.not_before)
            ),
        );
    }
    if now <= cert.not_after && left < Duration::days(EXPIRY_WARNING_DAYS) {
        add(
            ProblemCode::ExpiringSoon,
            Severity::Warning,
            format!(
                "the certificate expires in {} days (on {}); server-side sync stops silently when it does, so plan its renewal now",
                left.whole_days(),
                day(cert.not_after)
            ),
        );
    }
    if cert.key_algorithm == "RSA" {
        if cert.key_bits < MIN_RSA_BITS {
            add(
                ProblemCode::KeyTooSmall,
                Severity::Error,
                format!(
                    "the RSA key has {} bits; server-to-server trust needs at least {MIN_RSA_BITS}, so make a new certificate with a 2048-bit or larger key",
                    cert.key_bits
                ),
            );
        }
    } else {
        add(
            ProblemCode::NotRsa,
            Severity::Error,
            format!(
                "the key is {}, but Exchange Online server-to-server trust needs an RSA key; use an RSA certificate",
                cert.key_algorithm
            ),
        );
    }
    if key.expected && !key.present {
        add(
            ProblemCode::NoPrivateKey,
            Severity::Error,
            "the PFX holds no private key, which Dynamics needs to sign its tokens; export the certificate again with \"Yes, export the private key\"".to_owned(),
        );
    }
    if key.present && key.matches == Some(false) {
        add(
            ProblemCode::KeyMismatch,
            Severity::Error,
            "the private key in the file does not belong to the certificate; export the certificate together with its own key".to_owned(),
        );
    }
    if cert.weak_signature {
        add(
            ProblemCode::WeakSignature,
            Severity::Warning,
            format!(
                "the certificate is signed with {}, a weak hash; use SHA-256 when you renew it",
                cert.signature_algorithm
            ),
        );
    }
    if let Some(usages) = &cert.key_usage {
        if !usages.iter().any(|u| u == "Digital Signature") {
            add(
                ProblemCode::NoDigitalSignature,
                Severity::Warning,
                "the certificate's Key Usage lacks Digital Signature, which signing S2S tokens relies on; prefer a certificate that allows it".to_owned(),
            );
        }
    }
    out
}
