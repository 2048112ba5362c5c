//! CSV reader for `Get-ADUser … | Export-Csv` (and `Get-ADObject`,
//! `Get-ADGroup`) exports.
//!
//! Accepts an optional `#TYPE …` first line (Windows PowerShell 5.1 writes
//! one unless `-NoTypeInformation`), quoted fields, header names in any case,
//! and multi-valued attributes joined with `;`
//! (`@{n='proxyAddresses';e={$_.proxyAddresses -join ';'}}`). Empty cells
//! mean "not set" (that is how Export-Csv writes `$null`).
//!
//! PowerShell property names map to LDAP names where they differ:
//! `DistinguishedName` → the DN, `EmailAddress` → `mail`, `Surname` → `sn`,
//! `Name` → `cn`.

use std::io::{BufRead, BufReader, Cursor, Read};

use crate::error::ReadError;
use crate::object::DirObject;
use crate::text::Decoded;

/// Attributes that are multi-valued in AD and so are split on `;`.
const MULTI_VALUED: &[&str] = &[
    "proxyaddresses",
    "objectclass",
    "othermailbox",
    "memberof",
    "serviceprincipalname",
    "url",
    "othertelephone",
    "othermobile",
    "showinaddressbook",
];

/// What Export-Csv writes for a multi-valued property that was not joined.
const UNJOINED: &str = "Microsoft.ActiveDirectory.Management.ADPropertyValueCollection";

type Inner<R> = std::io::Chain<Cursor<Vec<u8>>, BufReader<Decoded<R>>>;

/// Streaming CSV reader.
pub struct CsvReader<R: Read> {
    reader: Option<csv::Reader<Inner<R>>>,
    /// Lines skipped before the CSV proper (the `#TYPE` line).
    offset: u64,
    columns: Vec<Column>,
    dn_col: Option<usize>,
    record: csv::ByteRecord,
    pending_err: Option<ReadError>,
    done: bool,
}

struct Column {
    /// LDAP name, lower case.
    name: String,
    /// A PowerShell alias (EmailAddress for mail): used only if the real
    /// column is absent or empty.
    alias: bool,
    multi: bool,
}

impl<R: Read> CsvReader<R> {
    /// Read CSV from any byte source (UTF-8, UTF-8 with BOM, or UTF-16 with
    /// BOM). The header is read lazily on the first `next()`.
    pub fn new(input: R) -> Self {
        let mut buffered = BufReader::new(Decoded::new(input));
        let mut first = Vec::new();
        let mut offset = 0;
        let mut pending_err = None;
        match buffered.read_until(b'\n', &mut first) {
            Ok(_) => {
                if first.starts_with(b"#") {
                    first.clear();
                    offset = 1;
                }
            }
            Err(e) => pending_err = Some(ReadError::new(1, format!("cannot read: {e}"))),
        }
        let reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(Cursor::new(first).chain(buffered));
        let mut this = CsvReader {
            reader: Some(reader),
            offset,
            columns: Vec::new(),
            dn_col: None,
            record: csv::ByteRecord::new(),
            pending_err,
            done: false,
        };
        if this.pending_err.is_none() {
            if let Err(e) = this.read_header() {
                this.pending_err = Some(e);
            }
        }
        this
    }

    fn read_header(&mut self) -> Result<(), ReadError> {
        let line = self.offset + 1;
        let reader = self.reader.as_mut().expect("reader present");
        let headers = reader
            .byte_headers()
            .map_err(|e| self::map_err(e, self.offset))?;
        if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
            return Err(ReadError::new(line, "the file has no header line"));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, h) in headers.iter().enumerate() {
            let h = std::str::from_utf8(h)
                .map_err(|_| ReadError::new(line, "header is not UTF-8"))?
                .trim()
                .to_ascii_lowercase();
            let (name, alias) = match h.as_str() {
                "distinguishedname" | "dn" => {
                    self.dn_col = Some(i);
                    (h.clone(), false)
                }
                "emailaddress" => ("mail".to_string(), true),
                "surname" => ("sn".to_string(), true),
                "name" => ("cn".to_string(), true),
                _ => (h.clone(), false),
            };
            if !alias && !seen.insert(h.clone()) {
                return Err(ReadError::new(
                    line,
                    format!("column \"{h}\" appears twice"),
                ));
            }
            let multi = MULTI_VALUED.contains(&name.as_str());
            self.columns.push(Column { name, alias, multi });
        }
        if self.dn_col.is_none() {
            return Err(ReadError::new(
                line,
                "no DistinguishedName column: export with Select-Object DistinguishedName,…",
            ));
        }
        Ok(())
    }

    fn read_row(&mut self) -> Result<Option<DirObject>, ReadError> {
        let reader = self.reader.as_mut().expect("reader present");
        let more = reader
            .read_byte_record(&mut self.record)
            .map_err(|e| map_err(e, self.offset))?;
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map(|p| p.line()).unwrap_or(0) + self.offset;
        let dn_col = self.dn_col.expect("checked in header");
        let cell = |i: usize| -> Result<&str, ReadError> {
            std::str::from_utf8(&self.record[i])
                .map_err(|_| ReadError::new(line, format!("field {} is not UTF-8", i + 1)))
        };
        let dn = cell(dn_col)?.trim();
        if dn.is_empty() {
            return Err(ReadError::new(line, "empty DistinguishedName"));
        }
        let mut obj = DirObject::new(dn);
        let mut aliases = Vec::new();
        for (i, col) in self.columns.iter().enumerate() {
            if i == dn_col {
                continue;
            }
            let value = cell(i)?;
            if value.is_empty() {
                continue;
            }
            if value == UNJOINED {
                return Err(ReadError::new(
                    line,
                    format!(
                        "column \"{}\" holds the type name {UNJOINED}: join multi-valued attributes with ';' before Export-Csv",
                        col.name
                    ),
                ));
            }
            if col.alias {
                aliases.push((col.name.as_str(), value));
                continue;
            }
            push_cell(&mut obj, &col.name, col.multi, value);
        }
        for (name, value) in aliases {
            if obj.values(name).is_empty() {
                let multi = MULTI_VALUED.contains(&name);
                push_cell(&mut obj, name, multi, value);
            }
        }
        Ok(Some(obj))
    }
}

fn push_cell(obj: &mut DirObject, name: &str, multi: bool, value: &str) {
    if !multi {
        obj.push(name, value.to_string());
        return;
    }
    if name == "proxyaddresses" {
        for v in split_proxies(value) {
            obj.push(name, v);
        }
        return;
    }
    for v in value.split(';').map(str::trim).filter(|v| !v.is_empty()) {
        obj.push(name, v.to_string());
    }
}

/// Split joined proxyAddresses on `;`, keeping X400 values (which contain
/// `;`) whole: a piece that does not start with `type:` continues the
/// previous value.
pub(crate) fn split_proxies(joined: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in joined.split(';') {
        let starts_value = piece
            .find(':')
            .map(|c| c > 0 && c <= 9 && piece[..c].bytes().all(|b| b.is_ascii_alphanumeric()))
            .unwrap_or(false);
        match out.last_mut() {
            Some(prev) if !starts_value => {
                prev.push(';');
                prev.push_str(piece);
            }
            _ => out.push(piece.to_string()),
        }
    }
    out.into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

fn map_err(e: csv::Error, offset: u64) -> ReadError {
    let line = e.position().map(|p| p.line()).unwrap_or(0) + offset;
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields, the header has {expected_len}")
        }
        csv::ErrorKind::Io(io) => format!("cannot read: {io}"),
        _ => e.to_string(),
    };
    ReadError::new(line.max(1), message)
}

impl<R: Read> Iterator for CsvReader<R> {
    type Item = Result<DirObject, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Some(e) = self.pending_err.take() {
            self.done = true;
            return Some(Err(e));
        }
        match self.read_row() {
            Ok(Some(o)) => Some(Ok(o)),
            Ok(None) => {
                self.done = true;
                self.reader = None;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
