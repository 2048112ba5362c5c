//! Errors: every message is one line saying what is wrong, why, and how to fix it.

/// Why a file could not be read, or a certificate could not be made or exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    #[error("the file is empty (0 bytes), so it holds no certificate; export the certificate again and pick the file that was written")]
    Empty,

    #[error("the file is truncated: it declares {needed} bytes but holds only {available}; the copy or download was cut short, so copy or export it again")]
    Truncated { needed: usize, available: usize },

    #[error("the PEM file is truncated: \"-----BEGIN {label}-----\" has no matching END line; copy or export the whole file again")]
    PemTruncated { label: String },

    #[error("this PFX is protected by a password and none was given; supply the password that was chosen when the PFX was exported")]
    PasswordRequired,

    #[error("wrong password for this PFX: its integrity check failed with the password given; enter the password that was chosen when the PFX was exported")]
    WrongPassword,

    #[error("could not decrypt the PFX: the password is wrong or the file is damaged; check the password, or export the PFX again")]
    DecryptFailed,

    #[error("this is a private key, not a certificate ({format}); pick the .cer/.crt file, or a .pfx that holds the certificate together with its key")]
    BarePrivateKey { format: String },

    #[error("this is a certificate signing request (CSR), not a certificate; submit it to your CA and pick the issued .cer/.crt, or generate a self-signed certificate instead")]
    CertificateRequest,

    #[error("this is a PKCS#7 bundle (.p7b/.p7c), not a single certificate; open it in Windows and export the server certificate as \"Base-64 encoded X.509 (.CER)\"")]
    Pkcs7Bundle,

    #[error("this is not a certificate: {detail}; pick a .cer, .crt, .pem, .pfx or .p12 file")]
    NotACertificate { detail: String },

    #[error("the {what} in this file is damaged ({detail}); export it again")]
    Damaged { what: &'static str, detail: String },

    #[error("this PFX uses a format or encryption this tool cannot read ({detail}); export it again with AES-256 or TripleDES-SHA1 encryption")]
    UnsupportedPfx { detail: String },

    #[error("the private key does not belong to this certificate; export the certificate together with its own key")]
    KeyMismatch,

    #[error("could not create the certificate: {detail}")]
    Generate { detail: String },

    #[error("could not write the PFX: {detail}")]
    Export { detail: String },
}

impl CertError {
    /// A stable machine-readable name for the error, e.g. `"wrong_password"`.
    pub fn code(&self) -> &'static str {
        match self {
            CertError::Empty => "empty",
            CertError::Truncated { .. } | CertError::PemTruncated { .. } => "truncated",
            CertError::PasswordRequired => "password_required",
            CertError::WrongPassword | CertError::DecryptFailed => "wrong_password",
            CertError::BarePrivateKey { .. } => "private_key_only",
            CertError::CertificateRequest => "certificate_request",
            CertError::Pkcs7Bundle => "pkcs7_bundle",
            CertError::NotACertificate { .. } => "not_a_certificate",
            CertError::Damaged { .. } => "damaged",
            CertError::UnsupportedPfx { .. } => "unsupported_pfx",
            CertError::KeyMismatch => "key_mismatch",
            CertError::Generate { .. } => "generate_failed",
            CertError::Export { .. } => "export_failed",
        }
    }
}
