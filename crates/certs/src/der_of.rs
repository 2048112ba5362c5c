//! The certificate's own DER bytes from any file [`crate::inspect`] reads: what the Graph upload
//! sends (ms-api.md §5.5: base64 of the DER certificate).

use crate::pem;
use crate::pfx;
use crate::sniff::{self, DerKind};
use crate::CertError;

/// The DER of the (end-entity) certificate in a .pfx/.p12, .cer/.crt/.pem (PEM, bare Base-64 or
/// DER) file. Reads the file the way [`crate::inspect`] does; call that first for the checks.
pub fn certificate_der(bytes: &[u8], password: Option<&str>) -> Result<Vec<u8>, CertError> {
    // inspect gives the specific error for every unreadable case; it also proves the content is a certificate.
    crate::inspect_now(bytes, None, password)?;
    if let Some(text) = pem::as_text(bytes) {
        if pem::has_pem_header(&text) {
            let blocks = pem::parse(&text)?;
            if let Some(b) = blocks.iter().find(|b| {
                matches!(
                    b.label.as_str(),
                    "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
                )
            }) {
                return Ok(outer(&b.der));
            }
        }
        if let Some(der) = pem::bare_base64(&text) {
            return from_der(&der, password);
        }
    }
    from_der(bytes, password)
}

fn from_der(bytes: &[u8], password: Option<&str>) -> Result<Vec<u8>, CertError> {
    match sniff::classify(bytes) {
        Ok((DerKind::Pfx, o)) => Ok(pfx::open_pfx(o.raw, password)?.certificate_der),
        Ok((DerKind::Certificate, o)) => Ok(o.raw.to_vec()),
        _ => Err(CertError::NotACertificate {
            detail: "no certificate found".into(),
        }),
    }
}

fn outer(der: &[u8]) -> Vec<u8> {
    match sniff::classify(der) {
        Ok((_, o)) => o.raw.to_vec(),
        Err(_) => der.to_vec(),
    }
}
