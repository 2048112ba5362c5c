//! Self-signed RSA certificates for S2S evaluation (rcgen with aws-lc-rs).

use rand::RngExt;
use rcgen::{
    CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, RsaKeySize,
    SerialNumber, PKCS_RSA_SHA256,
};
use sha1::{Digest, Sha1};
use time::{Duration, OffsetDateTime};

use crate::CertError;

/// RSA key sizes offered for a new certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeySize {
    #[default]
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

impl KeySize {
    pub fn bits(self) -> u32 {
        match self {
            KeySize::Rsa2048 => 2048,
            KeySize::Rsa3072 => 3072,
            KeySize::Rsa4096 => 4096,
        }
    }
}

/// What to put in a new self-signed certificate.
#[derive(Debug, Clone)]
pub struct NewCertificate {
    /// Common name, e.g. "Dynamics365-S2S-contoso".
    pub common_name: String,
    /// Optional organization (O=).
    pub organization: Option<String>,
    pub key_size: KeySize,
    /// Start of validity; backdated 5 minutes to absorb clock skew.
    pub valid_from: OffsetDateTime,
    /// Length of validity in days.
    pub valid_days: u32,
}

impl NewCertificate {
    /// RSA-2048, valid for two years from now.
    pub fn new(common_name: impl Into<String>) -> Self {
        NewCertificate {
            common_name: common_name.into(),
            organization: None,
            key_size: KeySize::Rsa2048,
            valid_from: OffsetDateTime::now_utc(),
            valid_days: 730,
        }
    }
}

/// A freshly generated certificate and its private key.
#[derive(Clone)]
pub struct GeneratedCertificate {
    /// DER certificate ("DER encoded binary X.509 (.CER)").
    pub certificate_der: Vec<u8>,
    /// PKCS#8 DER private key; goes only into a PFX.
    pub private_key_der: Vec<u8>,
    /// Windows thumbprint: SHA-1 of the DER, upper-case hex.
    pub thumbprint_sha1: String,
}

impl std::fmt::Debug for GeneratedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedCertificate")
            .field("thumbprint_sha1", &self.thumbprint_sha1)
            .field("private_key_der", &"<redacted>")
            .finish()
    }
}

/// Generates a self-signed RSA certificate: CN (and O), SHA-256 signature, random
/// 16-byte serial, CA:FALSE, Digital Signature + Key Encipherment, EKU server and client auth.
pub fn generate_self_signed(request: &NewCertificate) -> Result<GeneratedCertificate, CertError> {
    let fail = |e: rcgen::Error| CertError::Generate {
        detail: e.to_string(),
    };
    if request.common_name.trim().is_empty() {
        return Err(CertError::Generate {
            detail: "the common name (CN) is empty; give the certificate a name".into(),
        });
    }
    if request.valid_days == 0 {
        return Err(CertError::Generate {
            detail: "the validity is 0 days; choose at least 1 day".into(),
        });
    }
    let size = match request.key_size {
        KeySize::Rsa2048 => RsaKeySize::_2048,
        KeySize::Rsa3072 => RsaKeySize::_3072,
        KeySize::Rsa4096 => RsaKeySize::_4096,
    };
    let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, size).map_err(fail)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    params
        .distinguished_name
        .push(DnType::CommonName, request.common_name.trim());
    if let Some(org) = request
        .organization
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        params
            .distinguished_name
            .push(DnType::OrganizationName, org);
    }
    params.not_before = request.valid_from - Duration::minutes(5);
    params.not_after = request.valid_from + Duration::days(i64::from(request.valid_days));
    params.serial_number = Some(SerialNumber::from_slice(&random_serial()));
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = params.self_signed(&key).map_err(fail)?;
    let certificate_der = cert.der().to_vec();
    Ok(GeneratedCertificate {
        thumbprint_sha1: hex::encode_upper(Sha1::digest(&certificate_der)),
        certificate_der,
        private_key_der: key.serialize_der(),
    })
}

/// 16 random bytes, positive (top bit clear) and with a non-zero first byte.
fn random_serial() -> [u8; 16] {
    let mut serial: [u8; 16] = rand::rng().random();
    serial[0] = (serial[0] & 0x7f) | 0x40;
    serial
}
