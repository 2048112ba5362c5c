//! PKCS#12 (.pfx/.p12) reading and writing with p12-keystore (AES/PBES2, 3DES, RC2).

use p12_keystore::error::Error as P12Error;
use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, Pkcs12Archive,
    PrivateKey, PrivateKeyChain,
};
use sha1::{Digest, Sha1};

use crate::der::DerIssue;
use crate::key;
use crate::sniff::{self, DerKind};
use crate::CertError;

/// What a PFX holds once opened. `Debug` never shows the private key.
#[derive(Clone)]
pub struct PfxContents {
    /// The end-entity certificate (DER): the one that goes with the key.
    pub certificate_der: Vec<u8>,
    /// Other certificates in the file (issuers), DER.
    pub chain_der: Vec<Vec<u8>>,
    /// The private key as PKCS#8 DER, if the PFX has one.
    pub private_key_der: Option<Vec<u8>>,
    /// The encryption found inside, named as `openssl pkcs12 -info` does.
    pub encryption: Option<String>,
}

impl std::fmt::Debug for PfxContents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PfxContents")
            .field(
                "certificate_der",
                &format_args!("{} bytes", self.certificate_der.len()),
            )
            .field("chain_der", &self.chain_der.len())
            .field(
                "private_key_der",
                &self.private_key_der.as_ref().map(|_| "<redacted>"),
            )
            .field("encryption", &self.encryption)
            .finish()
    }
}

/// How a PFX is encrypted when we write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PfxEncryption {
    /// PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC, MAC HMAC-SHA256 (Windows Server 2019 and later).
    Aes256,
    /// pbeWithSHAAnd3-KeyTripleDES-CBC for key and certificates, MAC HMAC-SHA1 (any Windows).
    TripleDesSha1,
}

/// Opens a PFX. With no password, the empty password is tried.
pub fn open_pfx(bytes: &[u8], password: Option<&str>) -> Result<PfxContents, CertError> {
    if bytes.is_empty() {
        return Err(CertError::Empty);
    }
    let outer = match sniff::classify(bytes) {
        Ok((DerKind::Pfx, outer)) => outer,
        Ok((kind, _)) => {
            return Err(CertError::NotACertificate {
                detail: format!("expected a PFX, found {}", describe(kind)),
            })
        }
        Err(DerIssue::Truncated { needed, available }) => {
            return Err(CertError::Truncated { needed, available })
        }
        Err(DerIssue::Malformed) => {
            return Err(CertError::NotACertificate {
                detail: "the content is not PKCS#12 (PFX) data".into(),
            })
        }
    };
    let archive = Pkcs12Archive::from_pkcs12(outer.raw, password.unwrap_or(""))
        .map_err(|e| map_error(e, password.is_some(), sniff::pfx_has_mac(&outer)))?;
    let encryption = sniff::pfx_encryption(outer.raw);

    let certs: Vec<&p12_keystore::CertificateBag> = archive.certs.iter().collect();
    let key_bag = archive.keys.first();
    let Some(leaf_index) = leaf_index(&certs, key_bag) else {
        if archive.keys.is_empty() {
            return Err(CertError::NotACertificate {
                detail: "the PFX holds neither a certificate nor a key".into(),
            });
        }
        return Err(CertError::BarePrivateKey {
            format: "a PFX with a key but no certificate".into(),
        });
    };
    let chain_der = certs
        .iter()
        .enumerate()
        .filter(|(i, c)| *i != leaf_index && c.cert.as_der() != certs[leaf_index].cert.as_der())
        .map(|(_, c)| c.cert.as_der().to_vec())
        .collect();
    Ok(PfxContents {
        certificate_der: certs[leaf_index].cert.as_der().to_vec(),
        chain_der,
        private_key_der: key_bag.map(|k| k.key.as_der().to_vec()),
        encryption,
    })
}

/// The certificate that goes with the key: same localKeyId, else same public key,
/// else the first certificate that issued no other one in the file.
fn leaf_index(
    certs: &[&p12_keystore::CertificateBag],
    key_bag: Option<&p12_keystore::PrivateKeyBag>,
) -> Option<usize> {
    if certs.is_empty() {
        return None;
    }
    if let Some(bag) = key_bag {
        if let Some(id) = &bag.local_key_id {
            if let Some(i) = certs
                .iter()
                .position(|c| c.local_key_id.as_deref() == Some(id.as_ref()))
            {
                return Some(i);
            }
        }
        let numbers = key::public_numbers(bag.key.as_der());
        let by_key = certs.iter().position(|c| {
            crate::cert::parse(c.cert.as_der())
                .is_ok_and(|f| key::matches(&numbers, &f.public) == Some(true))
        });
        if by_key.is_some() {
            return by_key;
        }
    }
    let issued_other = |c: &p12_keystore::CertificateBag| {
        certs
            .iter()
            .any(|o| o.cert.as_der() != c.cert.as_der() && o.cert.issuer() == c.cert.subject())
    };
    Some(certs.iter().position(|c| !issued_other(c)).unwrap_or(0))
}

fn map_error(e: P12Error, password_given: bool, has_mac: bool) -> CertError {
    let password_problem = || {
        if password_given {
            CertError::WrongPassword
        } else {
            CertError::PasswordRequired
        }
    };
    match e {
        P12Error::MacError(_) => password_problem(),
        P12Error::UnpadError | P12Error::Pkcs5Error(_) if has_mac => CertError::Damaged {
            what: "PFX",
            detail: "its contents could not be decrypted although the password is right".into(),
        },
        P12Error::UnpadError | P12Error::Pkcs5Error(_) => {
            if password_given {
                CertError::DecryptFailed
            } else {
                CertError::PasswordRequired
            }
        }
        // Without a MAC, a wrong password shows up as garbage after decryption.
        P12Error::DerError(_) | P12Error::X509Error(_) | P12Error::InvalidPrivateKey
            if !has_mac =>
        {
            if password_given {
                CertError::DecryptFailed
            } else {
                CertError::PasswordRequired
            }
        }
        P12Error::UnsupportedEncryptionScheme
        | P12Error::UnsupportedMacAlgorithm
        | P12Error::UnsupportedContentType
        | P12Error::UnsupportedCertificateType
        | P12Error::InvalidVersion => CertError::UnsupportedPfx {
            detail: e.to_string(),
        },
        other if other.to_string().contains("unsupported OID") => CertError::UnsupportedPfx {
            detail: other.to_string(),
        },
        other => CertError::Damaged {
            what: "PFX",
            detail: other.to_string(),
        },
    }
}

pub(crate) fn describe(kind: DerKind) -> String {
    match kind {
        DerKind::Certificate => "a certificate".into(),
        DerKind::Pfx => "a PFX".into(),
        DerKind::PrivateKey(f) => format!("a {f} private key"),
        DerKind::CertificateRequest => "a certificate signing request".into(),
        DerKind::Pkcs7 => "a PKCS#7 bundle".into(),
        DerKind::PublicKey => "a bare public key".into(),
        DerKind::Unknown => "unknown DER data".into(),
    }
}

/// Writes a PFX holding `certificate_der` (and `chain_der`) with its PKCS#8 key.
/// Refuses a key that does not belong to the certificate.
pub fn write_pfx(
    certificate_der: &[u8],
    chain_der: &[Vec<u8>],
    private_key_der: &[u8],
    password: &str,
    encryption: PfxEncryption,
) -> Result<Vec<u8>, CertError> {
    let facts = crate::cert::parse(certificate_der)?;
    if key::matches(&key::public_numbers(private_key_der), &facts.public) != Some(true) {
        return Err(CertError::KeyMismatch);
    }
    let export = |e: p12_keystore::error::Error| CertError::Export {
        detail: e.to_string(),
    };
    let mut certs = vec![Certificate::from_der(certificate_der).map_err(export)?];
    for der in chain_der {
        certs.push(Certificate::from_der(der).map_err(export)?);
    }
    let key = PrivateKey::from_der(private_key_der).map_err(export)?;
    let local_key_id = Sha1::digest(certificate_der).to_vec();
    let mut store = KeyStore::new();
    store.add_entry(
        &friendly_name(&facts.subject),
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(local_key_id, key, certs)),
    );
    let writer = store.writer(password);
    let writer = match encryption {
        PfxEncryption::Aes256 => writer
            .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
            .mac_algorithm(MacAlgorithm::HmacSha256),
        PfxEncryption::TripleDesSha1 => writer
            .encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
            .mac_algorithm(MacAlgorithm::HmacSha1),
    };
    writer.write().map_err(export)
}

/// The key's friendly name: the certificate's CN, else a fixed name.
fn friendly_name(subject: &str) -> String {
    subject
        .split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .filter(|cn| !cn.is_empty())
        .unwrap_or("Dynamics365-S2S")
        .to_owned()
}
