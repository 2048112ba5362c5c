//! Facts about one X.509 certificate, read with x509-parser.

use sha1::{Digest, Sha1};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use crate::der;
use crate::key::{PublicNumbers, OID_ED25519};
use crate::CertError;

/// What we need to know about a certificate.
#[derive(Debug, Clone)]
pub(crate) struct CertFacts {
    pub der: Vec<u8>,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub signature_algorithm: String,
    pub weak_signature: bool,
    pub key_algorithm: String,
    pub key_bits: u32,
    pub public: PublicNumbers,
    /// `None` when the certificate has no Key Usage extension (any use allowed).
    pub key_usage: Option<Vec<String>>,
    pub extended_key_usage: Vec<String>,
    pub self_signed: bool,
}

impl CertFacts {
    /// SHA-1 of the DER bytes in upper-case hex: the Windows "Thumbprint".
    pub fn thumbprint_sha1(&self) -> String {
        hex::encode_upper(Sha1::digest(&self.der))
    }
}

/// Parses one DER certificate (exactly one element; trailing bytes are an error).
pub(crate) fn parse(der_bytes: &[u8]) -> Result<CertFacts, CertError> {
    let damaged = |detail: String| CertError::Damaged {
        what: "certificate",
        detail,
    };
    let (rest, x) = X509Certificate::from_der(der_bytes).map_err(|e| damaged(e.to_string()))?;
    if !rest.is_empty() {
        return Err(damaged(format!("{} unexpected bytes after it", rest.len())));
    }
    let sig_oid = x.signature_algorithm.algorithm.to_id_string();
    let (signature_algorithm, weak_signature) = signature_name(&sig_oid);
    let spki = x.public_key();
    let alg_oid = spki.algorithm.algorithm.to_id_string();
    let (key_algorithm, key_bits, public) = match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            let modulus = der::unsigned(rsa.modulus).to_vec();
            (
                "RSA".to_owned(),
                bit_length(&modulus),
                PublicNumbers::Rsa { modulus },
            )
        }
        Ok(PublicKey::EC(ec)) => {
            let point = ec.data().to_vec();
            (
                "EC".to_owned(),
                // P-521 coordinates take 66 bytes, which x509-parser counts as 528 bits
                match ec.key_size() as u32 {
                    528 => 521,
                    other => other,
                },
                PublicNumbers::Ec { point: Some(point) },
            )
        }
        Ok(PublicKey::DSA(y)) => (
            "DSA".to_owned(),
            bit_length(der::unsigned(y)),
            other(&alg_oid),
        ),
        _ if alg_oid == OID_ED25519 => ("Ed25519".to_owned(), 256, other(&alg_oid)),
        _ => {
            let bits = spki.subject_public_key.data.len() as u32 * 8;
            (alg_oid.clone(), bits, other(&alg_oid))
        }
    };
    let key_usage = match x.key_usage() {
        Ok(Some(ext)) => Some(key_usage_names(ext.value)),
        Ok(None) => None,
        Err(e) => return Err(damaged(format!("key usage: {e}"))),
    };
    let extended_key_usage = match x.extended_key_usage() {
        Ok(Some(ext)) => eku_names(ext.value),
        Ok(None) => Vec::new(),
        Err(e) => return Err(damaged(format!("extended key usage: {e}"))),
    };
    Ok(CertFacts {
        der: der_bytes.to_vec(),
        subject: x.subject().to_string(),
        issuer: x.issuer().to_string(),
        serial: hex::encode_upper(x.raw_serial()),
        not_before: x.validity().not_before.to_datetime(),
        not_after: x.validity().not_after.to_datetime(),
        signature_algorithm,
        weak_signature,
        key_algorithm,
        key_bits,
        public,
        key_usage,
        extended_key_usage,
        self_signed: x.subject().as_raw() == x.issuer().as_raw(),
    })
}

fn other(oid: &str) -> PublicNumbers {
    PublicNumbers::Other {
        algorithm: oid.to_owned(),
    }
}

/// Number of significant bits in a big-endian unsigned integer.
fn bit_length(unsigned: &[u8]) -> u32 {
    match unsigned.first() {
        Some(&top) => unsigned.len() as u32 * 8 - top.leading_zeros(),
        None => 0,
    }
}

/// Name of a signature algorithm, and whether it is weak (MD2, MD5, SHA-1).
fn signature_name(oid: &str) -> (String, bool) {
    let (name, weak) = match oid {
        "1.2.840.113549.1.1.2" => ("md2WithRSAEncryption", true),
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", true),
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => ("sha1WithRSAEncryption", true),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", false),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", false),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", false),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", false),
        "1.2.840.113549.1.1.14" => ("sha224WithRSAEncryption", false),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", true),
        "1.2.840.10045.4.3.1" => ("ecdsa-with-SHA224", false),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", false),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", false),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", false),
        "1.2.840.10040.4.3" => ("dsa-with-SHA1", true),
        "1.3.101.112" => ("Ed25519", false),
        other => return (other.to_owned(), false),
    };
    (name.to_owned(), weak)
}

fn key_usage_names(ku: &x509_parser::extensions::KeyUsage) -> Vec<String> {
    let flags = [
        (ku.digital_signature(), "Digital Signature"),
        (ku.non_repudiation(), "Non-Repudiation"),
        (ku.key_encipherment(), "Key Encipherment"),
        (ku.data_encipherment(), "Data Encipherment"),
        (ku.key_agreement(), "Key Agreement"),
        (ku.key_cert_sign(), "Certificate Signing"),
        (ku.crl_sign(), "CRL Signing"),
        (ku.encipher_only(), "Encipher Only"),
        (ku.decipher_only(), "Decipher Only"),
    ];
    flags
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| (*name).to_owned())
        .collect()
}

fn eku_names(eku: &x509_parser::extensions::ExtendedKeyUsage) -> Vec<String> {
    let flags = [
        (eku.any, "Any Purpose"),
        (eku.server_auth, "Server Authentication"),
        (eku.client_auth, "Client Authentication"),
        (eku.code_signing, "Code Signing"),
        (eku.email_protection, "Secure Email"),
        (eku.time_stamping, "Time Stamping"),
        (eku.ocsp_signing, "OCSP Signing"),
    ];
    let mut names: Vec<String> = flags
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| (*n).to_owned())
        .collect();
    names.extend(eku.other.iter().map(|oid| oid.to_id_string()));
    names
}
