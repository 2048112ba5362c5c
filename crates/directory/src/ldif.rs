//! LDIF reader for exports as `ldifde -f` (and OpenLDAP's `ldapsearch -L`)
//! write them: RFC 2849 content records.
//!
//! Handles folded lines (a line starting with one space continues the
//! previous one), `attr:: base64` values, repeated attribute lines for
//! multi-valued attributes, `#` comments (folded too), `version: 1`,
//! `changetype: add`, blank-line separated records, and CRLF or LF line
//! ends. Attribute options (`cn;lang-de`) are dropped. Base64 values that are
//! not UTF-8 (objectGUID, objectSid, …) are skipped when no rule reads them,
//! and an error for the text attributes the rules read.
//!
//! The reader is an iterator of `Result<DirObject, ReadError>` and holds one
//! record at a time, so a file of any size streams in constant memory.

use std::io::{BufRead, BufReader, Read};

use base64::Engine as _;

use crate::error::ReadError;
use crate::object::DirObject;
use crate::text::Decoded;

/// Text attributes the rules read: a base64 value of one of them that is not UTF-8 is an error,
/// not a silently skipped value.
const TEXT_ATTRIBUTES: &[&str] = &[
    "userPrincipalName",
    "mail",
    "proxyAddresses",
    "sAMAccountName",
    "displayName",
    "givenName",
    "sn",
    "cn",
    "mailNickname",
    "targetAddress",
    "otherMailbox",
    "objectClass",
    "groupType",
    "msExchRecipientTypeDetails",
    "msExchHideFromAddressLists",
    "userAccountControl",
    "isCriticalSystemObject",
];

/// Streaming LDIF reader.
pub struct LdifReader<R: Read> {
    input: BufReader<Decoded<R>>,
    /// Number of the last physical line read.
    line_no: u64,
    /// The current logical (unfolded) line.
    text: Vec<u8>,
    /// A physical line read ahead while looking for continuations, and its
    /// number (None: nothing read ahead).
    look: Vec<u8>,
    look_line: Option<u64>,
    done: bool,
}

/// Read one physical line into `into` (line end removed); its number, or
/// None at end of input.
fn read_physical<B: BufRead>(
    input: &mut B,
    line_no: &mut u64,
    into: &mut Vec<u8>,
) -> Result<Option<u64>, ReadError> {
    into.clear();
    let n = input
        .read_until(b'\n', into)
        .map_err(|e| ReadError::new(*line_no + 1, format!("cannot read: {e}")))?;
    if n == 0 {
        return Ok(None);
    }
    *line_no += 1;
    if into.last() == Some(&b'\n') {
        into.pop();
    }
    if into.last() == Some(&b'\r') {
        into.pop();
    }
    Ok(Some(*line_no))
}

impl<R: Read> LdifReader<R> {
    /// Read LDIF from any byte source (UTF-8, UTF-8 with BOM, or UTF-16
    /// with BOM).
    pub fn new(input: R) -> Self {
        LdifReader {
            input: BufReader::with_capacity(64 * 1024, Decoded::new(input)),
            line_no: 0,
            text: Vec::new(),
            look: Vec::new(),
            look_line: None,
            done: false,
        }
    }

    /// Read the next logical line (folds joined) into `self.text` and return
    /// the number of its first physical line. Blank lines come back with
    /// empty text; comments are dropped.
    fn logical(&mut self) -> Result<Option<u64>, ReadError> {
        loop {
            let line = match self.look_line.take() {
                Some(n) => {
                    std::mem::swap(&mut self.text, &mut self.look);
                    n
                }
                None => match read_physical(&mut self.input, &mut self.line_no, &mut self.text)? {
                    Some(n) => n,
                    None => return Ok(None),
                },
            };
            if self.text.first() == Some(&b' ') {
                return Err(ReadError::new(
                    line,
                    "continuation line (starting with a space) with no line before it",
                ));
            }
            // Join continuation lines.
            while let Some(n) = read_physical(&mut self.input, &mut self.line_no, &mut self.look)? {
                if self.look.first() == Some(&b' ') && !self.text.is_empty() {
                    self.text.extend_from_slice(&self.look[1..]);
                } else {
                    self.look_line = Some(n);
                    break;
                }
            }
            if self.text.first() == Some(&b'#') {
                continue;
            }
            return Ok(Some(line));
        }
    }

    fn blank(&self) -> bool {
        self.text.iter().all(|b| b.is_ascii_whitespace())
    }

    fn read_record(&mut self) -> Result<Option<DirObject>, ReadError> {
        // Skip blank lines and the version line before a record.
        let first = loop {
            let Some(line) = self.logical()? else {
                return Ok(None);
            };
            if self.blank() {
                continue;
            }
            let (name, _) = split_attr(&self.text, line)?;
            if name.eq_ignore_ascii_case("version") {
                continue;
            }
            break line;
        };
        let (name, value) = split_attr(&self.text, first)?;
        if !name.eq_ignore_ascii_case("dn") {
            return Err(ReadError::new(
                first,
                format!("a record must start with \"dn:\", found \"{name}:\""),
            ));
        }
        let dn = decode_value(value, first)?
            .ok_or_else(|| ReadError::new(first, "the DN is base64 but not UTF-8 text"))?;
        let mut obj = DirObject::new(dn);
        while let Some(line) = self.logical()? {
            if self.blank() {
                break;
            }
            let (name, value) = split_attr(&self.text, line)?;
            if name.eq_ignore_ascii_case("changetype") {
                let kind = decode_value(value, line)?.unwrap_or_default();
                if !kind.trim().eq_ignore_ascii_case("add") {
                    return Err(ReadError::new(
                        line,
                        format!(
                            "changetype \"{}\" is not supported: export with ldifde -f (content records or changetype: add)",
                            kind.trim()
                        ),
                    ));
                }
                continue;
            }
            let base = name.split(';').next().unwrap_or(name);
            match decode_value(value, line)? {
                Some(v) => obj.push(base, v),
                // Binary attributes (objectGUID, objectSid, photos) are skipped; a text attribute
                // the rules read must not vanish from the check unnoticed.
                None if TEXT_ATTRIBUTES.iter().any(|t| t.eq_ignore_ascii_case(base)) => {
                    return Err(ReadError::new(
                        line,
                        format!("the {base} value is base64 but not UTF-8 text, so the rules cannot check it; fix the value in the directory (or re-export with ldifde -u)"),
                    ))
                }
                None => {}
            }
        }
        Ok(Some(obj))
    }
}

/// Split `name: value` / `name:: b64` / `name:< url` at the first colon.
/// Returns the attribute name and the raw value spec (starting at the colon).
fn split_attr(text: &[u8], line: u64) -> Result<(&str, &[u8]), ReadError> {
    let colon = text.iter().position(|&b| b == b':').ok_or_else(|| {
        ReadError::new(
            line,
            "expected \"attribute: value\" (no colon on this line)",
        )
    })?;
    let name = std::str::from_utf8(&text[..colon])
        .map_err(|_| ReadError::new(line, "attribute name is not UTF-8"))?;
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b';' || b == b'.');
    if !valid {
        return Err(ReadError::new(
            line,
            format!("\"{}\" is not a valid attribute name", name.escape_debug()),
        ));
    }
    Ok((name, &text[colon..]))
}

/// Decode the value part (starting at the colon). `Ok(None)` for base64
/// values that are binary (not UTF-8).
fn decode_value(spec: &[u8], line: u64) -> Result<Option<String>, ReadError> {
    let rest = &spec[1..];
    match rest.first() {
        Some(b':') => {
            let b64: Vec<u8> = rest[1..]
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&b64)
                .map_err(|e| ReadError::new(line, format!("invalid base64 value: {e}")))?;
            Ok(String::from_utf8(bytes).ok())
        }
        Some(b'<') => Err(ReadError::new(
            line,
            "URL values (\"attr:< file://…\") are not supported",
        )),
        _ => {
            let start = rest.iter().position(|&b| b != b' ').unwrap_or(rest.len());
            let text = std::str::from_utf8(&rest[start..])
                .map_err(|_| ReadError::new(line, "value is not UTF-8 (use base64 \"::\")"))?;
            Ok(Some(text.to_string()))
        }
    }
}

impl<R: Read> Iterator for LdifReader<R> {
    type Item = Result<DirObject, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.read_record() {
            Ok(Some(o)) => Some(Ok(o)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
