//! The X.509 certificate behind Dynamics 365 (on-premises) ↔ Exchange Online
//! server-to-server trust: read and check it, generate one, export it the way
//! Windows expects.
//!
//! * [`inspect`] reads .pfx/.p12 (AES, 3DES, RC2) and .cer/.crt/.pem (PEM or DER)
//!   and lists [`Problem`]s (expired, key too small, not RSA, no private key, …).
//! * [`generate_self_signed`] makes an RSA 2048/3072/4096 certificate.
//! * [`cer_base64`], [`cer_der`], [`write_pfx`] export it; [`WindowsVersion::pfx_choice`]
//!   picks AES-256 or TripleDES-SHA1 for the CRM server; [`generate_password`]
//!   makes the PFX password; [`write_atomic`] saves files (private ones 0600).

mod cert;
mod checks;
mod der;
mod der_of;
mod error;
mod export;
mod generate;
mod inspection;
mod key;
mod password;
mod pem;
mod pfx;
mod read;
mod sniff;

pub use checks::{EXPIRY_WARNING_DAYS, MIN_RSA_BITS};
pub use der_of::certificate_der;
pub use error::CertError;
pub use export::{cer_base64, cer_der, PfxChoice, WindowsVersion};
pub use generate::{generate_self_signed, GeneratedCertificate, KeySize, NewCertificate};
pub use hybridsync_files::{write_atomic, FileAccess};
pub use inspection::{Inspection, Problem, ProblemCode, Severity};
pub use password::{generate_password, generate_password_of_length, PASSWORD_LENGTH};
pub use pfx::{open_pfx, write_pfx, PfxContents, PfxEncryption};
pub use read::{inspect, inspect_now};

/// SHA-1 of DER bytes in upper-case hex: the Windows "Thumbprint" of a certificate.
pub fn thumbprint_of(der: &[u8]) -> String {
    use sha1::Digest;
    hex::encode_upper(sha1::Sha1::digest(der))
}
