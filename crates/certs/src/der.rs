//! A tiny, bounds-checked DER reader, used only to tell what kind of file we
//! were given (certificate, PFX, private key, …) and to pull public-key
//! numbers out of private keys. It never panics and never allocates.

/// One DER element: its tag byte, its content and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

/// Why an element could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DerIssue {
    /// The header claims more bytes than the input holds.
    Truncated { needed: usize, available: usize },
    /// The bytes are not DER (bad length form, multi-byte tag, …).
    Malformed,
}

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;

/// Reads one element from the start of `input`; returns it and the rest.
pub(crate) fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), DerIssue> {
    let (&tag, after_tag) = input.split_first().ok_or(DerIssue::Truncated {
        needed: 2,
        available: input.len(),
    })?;
    if tag & 0x1f == 0x1f {
        return Err(DerIssue::Malformed); // multi-byte tags never occur in our formats
    }
    let (&first, after_len) = after_tag.split_first().ok_or(DerIssue::Truncated {
        needed: 2,
        available: input.len(),
    })?;
    let (len, body) = if first < 0x80 {
        (first as usize, after_len)
    } else {
        let count = (first & 0x7f) as usize;
        if count == 0 || count > 4 {
            return Err(DerIssue::Malformed); // indefinite or absurd lengths
        }
        if after_len.len() < count {
            return Err(DerIssue::Truncated {
                needed: 2 + count,
                available: input.len(),
            });
        }
        let len = after_len[..count]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | b as usize);
        (len, &after_len[count..])
    };
    let header = input.len() - body.len();
    if body.len() < len {
        return Err(DerIssue::Truncated {
            needed: header.saturating_add(len),
            available: input.len(),
        });
    }
    let tlv = Tlv {
        tag,
        content: &body[..len],
        raw: &input[..header + len],
    };
    Ok((tlv, &body[len..]))
}

/// Reads one element that must have tag `tag`.
pub(crate) fn expect(input: &[u8], tag: u8) -> Result<(Tlv<'_>, &[u8]), DerIssue> {
    let (tlv, rest) = read(input)?;
    if tlv.tag != tag {
        return Err(DerIssue::Malformed);
    }
    Ok((tlv, rest))
}

/// The children of a constructed element, as long as they parse.
pub(crate) fn children(content: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        match read(rest) {
            Ok((tlv, r)) => {
                out.push(tlv);
                rest = r;
            }
            Err(_) => break,
        }
    }
    out
}

/// An unsigned big-endian integer without its leading zero bytes.
pub(crate) fn unsigned(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Dotted form of an OBJECT IDENTIFIER's content ("1.2.840.113549.1.1.1").
pub(crate) fn oid_string(content: &[u8]) -> Option<String> {
    let (&first, rest) = content.split_first()?;
    if first & 0x80 != 0 {
        return None; // first arcs above 2.47 do not occur in our formats
    }
    let mut parts = vec![
        (first / 40).min(2) as u64,
        (first as u64) - 40 * (first / 40).min(2) as u64,
    ];
    let mut value: u64 = 0;
    let mut pending = false;
    for &b in rest {
        if value > (u64::MAX >> 8) {
            return None;
        }
        value = (value << 7) | (b & 0x7f) as u64;
        pending = b & 0x80 != 0;
        if !pending {
            parts.push(value);
            value = 0;
        }
    }
    if pending {
        return None;
    }
    Some(
        parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths() {
        let (t, rest) = read(&[0x04, 0x02, 0xaa, 0xbb, 0x05]).unwrap();
        assert_eq!(
            (t.tag, t.content, rest),
            (0x04, &[0xaa, 0xbb][..], &[0x05][..])
        );
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(7u8, 0x80));
        let (t, _) = read(&long).unwrap();
        assert_eq!(t.content.len(), 0x80);
    }

    #[test]
    fn reports_truncation_with_sizes() {
        assert_eq!(
            read(&[0x30, 0x82, 0x01, 0x00, 1, 2]).unwrap_err(),
            DerIssue::Truncated {
                needed: 260,
                available: 6
            }
        );
        assert!(matches!(read(&[]), Err(DerIssue::Truncated { .. })));
        assert_eq!(read(&[0x30, 0x80]).unwrap_err(), DerIssue::Malformed);
    }

    #[test]
    fn decodes_oids() {
        let rsa = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
        assert_eq!(oid_string(&rsa).unwrap(), "1.2.840.113549.1.1.1");
        assert_eq!(oid_string(&[0x2b, 0x65, 0x70]).unwrap(), "1.3.101.112");
        assert_eq!(oid_string(&[0x2a, 0x86]), None);
    }
}
