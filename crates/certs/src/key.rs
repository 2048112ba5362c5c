//! Facts about a private key (PKCS#8, PKCS#1 or SEC1 DER): its algorithm and the
//! public numbers needed to check that it belongs to a certificate.

use crate::der::{self, BIT_STRING, INTEGER, OCTET_STRING, OID, SEQUENCE};

pub(crate) const OID_RSA: &str = "1.2.840.113549.1.1.1";
pub(crate) const OID_EC: &str = "1.2.840.10045.2.1";
pub(crate) const OID_ED25519: &str = "1.3.101.112";

/// The public half of a key, as far as it can be known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PublicNumbers {
    /// RSA modulus, big-endian, without leading zero bytes.
    Rsa { modulus: Vec<u8> },
    /// EC point as in the certificate (04 || X || Y), when the key file carries it.
    Ec { point: Option<Vec<u8>> },
    /// Another algorithm, named by its OID.
    Other { algorithm: String },
    /// Encrypted key: nothing can be known without its password.
    Unknown,
}

/// Reads a private key in any of the DER forms we accept.
pub(crate) fn public_numbers(der: &[u8]) -> PublicNumbers {
    pkcs8(der)
        .or_else(|| pkcs1(der))
        .or_else(|| sec1(der))
        .unwrap_or(PublicNumbers::Unknown)
}

fn pkcs8(der: &[u8]) -> Option<PublicNumbers> {
    let (outer, _) = der::expect(der, SEQUENCE).ok()?;
    let kids = der::children(outer.content);
    let (version, alg, key) = (kids.first()?, kids.get(1)?, kids.get(2)?);
    if version.tag != INTEGER || alg.tag != SEQUENCE || key.tag != OCTET_STRING {
        return None;
    }
    let (oid, _) = der::expect(alg.content, OID).ok()?;
    let algorithm = der::oid_string(oid.content)?;
    Some(match algorithm.as_str() {
        OID_RSA => pkcs1(key.content)?,
        OID_EC => sec1(key.content)?,
        _ => PublicNumbers::Other { algorithm },
    })
}

fn pkcs1(der: &[u8]) -> Option<PublicNumbers> {
    let (outer, _) = der::expect(der, SEQUENCE).ok()?;
    let kids = der::children(outer.content);
    if kids.len() < 9 || kids.iter().take(9).any(|k| k.tag != INTEGER) {
        return None;
    }
    Some(PublicNumbers::Rsa {
        modulus: der::unsigned(kids[1].content).to_vec(),
    })
}

fn sec1(der: &[u8]) -> Option<PublicNumbers> {
    let (outer, _) = der::expect(der, SEQUENCE).ok()?;
    let kids = der::children(outer.content);
    let (version, secret) = (kids.first()?, kids.get(1)?);
    if version.tag != INTEGER || version.content != [1] || secret.tag != OCTET_STRING {
        return None;
    }
    // publicKey [1] EXPLICIT BIT STRING (first content byte = unused bits, 0)
    let point = kids
        .iter()
        .find(|k| k.tag == 0xa1)
        .and_then(|k| der::expect(k.content, BIT_STRING).ok())
        .and_then(|(bits, _)| bits.content.split_first().map(|(_, p)| p.to_vec()));
    Some(PublicNumbers::Ec { point })
}

/// Whether the key belongs to a certificate with these public numbers.
/// `None` when it cannot be told (encrypted key, EC key without its point, …).
pub(crate) fn matches(key: &PublicNumbers, cert: &PublicNumbers) -> Option<bool> {
    match (key, cert) {
        (PublicNumbers::Rsa { modulus: a }, PublicNumbers::Rsa { modulus: b }) => Some(a == b),
        (PublicNumbers::Ec { point: Some(a) }, PublicNumbers::Ec { point: Some(b) }) => {
            Some(a == b)
        }
        (PublicNumbers::Ec { point: None }, PublicNumbers::Ec { .. }) => None,
        (PublicNumbers::Other { algorithm: a }, PublicNumbers::Other { algorithm: b })
            if a == b =>
        {
            None
        }
        (PublicNumbers::Unknown, _) | (_, PublicNumbers::Unknown) => None,
        _ => Some(false),
    }
}
