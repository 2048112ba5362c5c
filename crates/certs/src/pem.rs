//! PEM ("-----BEGIN …-----") and bare Base-64 text, tolerant of CRLF, UTF-8 and
//! UTF-16 byte-order marks (PowerShell 5 writes UTF-16 with `>`), and headers.

use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use crate::CertError;

/// One decoded PEM block.
#[derive(Debug, Clone)]
pub(crate) struct PemBlock {
    pub label: String,
    pub der: Vec<u8>,
    /// Old OpenSSL style "Proc-Type: 4,ENCRYPTED" header.
    pub encrypted: bool,
}

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The input as text, if it is text: strips a UTF-8 BOM and decodes UTF-16 (with BOM).
pub(crate) fn as_text(bytes: &[u8]) -> Option<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8(rest.to_vec()).ok();
    }
    let utf16 = |rest: &[u8], little: bool| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return utf16(rest, false);
    }
    std::str::from_utf8(bytes).ok().map(str::to_owned)
}

/// Whether the text holds at least one PEM header.
pub(crate) fn has_pem_header(text: &str) -> bool {
    text.contains("-----BEGIN ")
}

/// Parses every PEM block in `text`. Text outside blocks is ignored.
pub(crate) fn parse(text: &str) -> Result<Vec<PemBlock>, CertError> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let label = label.trim().to_owned();
        let mut body = String::new();
        let mut encrypted = false;
        let mut ended = false;
        for inner in lines.by_ref() {
            if inner.starts_with("-----END ") {
                ended = true;
                break;
            }
            if let Some((name, value)) = inner.split_once(':') {
                encrypted |=
                    name.trim().eq_ignore_ascii_case("Proc-Type") && value.contains("ENCRYPTED");
                continue;
            }
            body.push_str(inner);
        }
        if !ended {
            return Err(CertError::PemTruncated { label });
        }
        let der = decode_base64(&body).ok_or_else(|| CertError::Damaged {
            what: "PEM block",
            detail: format!("the Base-64 text of \"{label}\" is not valid"),
        })?;
        blocks.push(PemBlock {
            label,
            der,
            encrypted,
        });
    }
    Ok(blocks)
}

/// Decodes Base-64 text, ignoring whitespace. `None` if it is not Base-64.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    LENIENT.decode(compact.as_bytes()).ok()
}

/// Bare Base-64 text without PEM headers (e.g. a pasted keyCredential value).
pub(crate) fn bare_base64(text: &str) -> Option<Vec<u8>> {
    let meaningful = text.chars().filter(|c| !c.is_whitespace()).count();
    let only_b64 = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c) || c.is_whitespace());
    if meaningful < 64 || !only_b64 {
        return None;
    }
    decode_base64(text)
}

/// Base-64 PEM text with 64-character lines and the given line ending.
pub(crate) fn encode(label: &str, der: &[u8], line_ending: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----{line_ending}");
    for chunk in b64.as_bytes().chunks(64) {
        // Base-64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push_str(line_ending);
    }
    out.push_str(&format!("-----END {label}-----{line_ending}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_crlf_and_headers() {
        let der: Vec<u8> = (0..=200u8).collect();
        let text = encode("CERTIFICATE", &der, "\r\n");
        let blocks = parse(&text).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(blocks[0].der, der);
        let enc = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(parse(enc).unwrap()[0].encrypted);
    }

    #[test]
    fn missing_end_is_truncation() {
        let err = parse("-----BEGIN CERTIFICATE-----\nAAAA\n").unwrap_err();
        assert_eq!(
            err,
            CertError::PemTruncated {
                label: "CERTIFICATE".into()
            }
        );
    }

    #[test]
    fn reads_utf16_text() {
        let mut bytes = vec![0xff, 0xfe];
        for u in "-----BEGIN X-----".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert!(has_pem_header(&as_text(&bytes).unwrap()));
    }
}
