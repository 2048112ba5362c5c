//! Byte-order-mark sniffing: export files arrive as UTF-8 (with or without a
//! BOM) or as UTF-16 (`Export-Csv -Encoding Unicode`, `ldifde -u`). Readers
//! see UTF-8 either way.

use std::io::{self, Read};

enum Mode {
    Unknown,
    Utf8,
    Utf16 { big_endian: bool },
}

/// A `Read` adapter that strips a UTF-8 BOM and transcodes UTF-16 (LE or BE,
/// recognised by its BOM) to UTF-8, streaming.
pub struct Decoded<R> {
    inner: R,
    mode: Mode,
    /// Bytes ready to hand out (UTF-8).
    out: Vec<u8>,
    out_pos: usize,
    /// Raw bytes read but not yet consumed (sniffing / odd UTF-16 byte).
    raw: Vec<u8>,
    /// A high surrogate waiting for its pair.
    high: Option<u16>,
    eof: bool,
    /// Bytes handed out so far, and since the last line feed (the limits below).
    total: u64,
    line_len: u64,
}

impl<R: Read> Decoded<R> {
    /// Wrap a reader.
    pub fn new(inner: R) -> Self {
        Decoded {
            inner,
            mode: Mode::Unknown,
            out: Vec::new(),
            out_pos: 0,
            raw: Vec::new(),
            high: None,
            eof: false,
            total: 0,
            line_len: 0,
        }
    }

    fn fill_raw(&mut self, want: usize) -> io::Result<()> {
        let mut buf = [0u8; 8192];
        while self.raw.len() < want && !self.eof {
            let n = self.inner.read(&mut buf)?;
            if n == 0 {
                self.eof = true;
            }
            self.raw.extend_from_slice(&buf[..n]);
        }
        Ok(())
    }

    fn sniff(&mut self) -> io::Result<()> {
        self.fill_raw(3)?;
        if self.raw.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.raw.drain(..3);
            self.mode = Mode::Utf8;
        } else if self.raw.starts_with(&[0xFF, 0xFE]) {
            self.raw.drain(..2);
            self.mode = Mode::Utf16 { big_endian: false };
        } else if self.raw.starts_with(&[0xFE, 0xFF]) {
            self.raw.drain(..2);
            self.mode = Mode::Utf16 { big_endian: true };
        } else {
            self.mode = Mode::Utf8;
        }
        Ok(())
    }

    fn transcode(&mut self, big_endian: bool) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() {
            self.fill_raw(2)?;
            if self.raw.len() < 2 {
                if !self.raw.is_empty() || self.high.take().is_some() {
                    self.raw.clear();
                    self.out.extend_from_slice("\u{FFFD}".as_bytes());
                }
                return Ok(());
            }
            let pairs = self.raw.len() / 2;
            let mut tmp = [0u8; 4];
            for i in 0..pairs {
                let b = [self.raw[2 * i], self.raw[2 * i + 1]];
                let unit = if big_endian {
                    u16::from_be_bytes(b)
                } else {
                    u16::from_le_bytes(b)
                };
                let ch = match (self.high.take(), unit) {
                    (None, 0xD800..=0xDBFF) => {
                        self.high = Some(unit);
                        continue;
                    }
                    (Some(h), 0xDC00..=0xDFFF) => {
                        let c = 0x10000 + (((h as u32) - 0xD800) << 10) + (unit as u32 - 0xDC00);
                        char::from_u32(c).unwrap_or('\u{FFFD}')
                    }
                    (Some(_), _) => {
                        self.out.extend_from_slice("\u{FFFD}".as_bytes());
                        char::from_u32(unit as u32).unwrap_or('\u{FFFD}')
                    }
                    (None, _) => char::from_u32(unit as u32).unwrap_or('\u{FFFD}'),
                };
                self.out
                    .extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
            }
            self.raw.drain(..pairs * 2);
        }
        Ok(())
    }
}

/// The longest line an export may hold (a folded jpegPhoto is well under this); longer is not
/// an LDIF or CSV export (`/dev/zero`, a binary file) and is refused before it fills the memory.
pub const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;
/// The largest export read (a million-object directory is a few GiB at most).
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024 * 1024;

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.read_decoded(buf)?;
        let chunk = &buf[..n];
        self.total += n as u64;
        match chunk.iter().rposition(|&b| b == b'\n') {
            Some(i) => self.line_len = (n - i - 1) as u64,
            None => self.line_len += n as u64,
        }
        if self.line_len > MAX_LINE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a line is longer than {} MiB, so this is not an LDIF or CSV export (is it a binary file?)", MAX_LINE_BYTES >> 20),
            ));
        }
        if self.total > MAX_INPUT_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the file is larger than {} GiB; export one organizational unit at a time",
                    MAX_INPUT_BYTES >> 30
                ),
            ));
        }
        Ok(n)
    }
}

impl<R: Read> Decoded<R> {
    fn read_decoded(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if matches!(self.mode, Mode::Unknown) {
            self.sniff()?;
        }
        match self.mode {
            Mode::Utf16 { big_endian } => {
                if self.out_pos >= self.out.len() {
                    self.transcode(big_endian)?;
                }
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                Ok(n)
            }
            _ => {
                if !self.raw.is_empty() {
                    let n = buf.len().min(self.raw.len());
                    buf[..n].copy_from_slice(&self.raw[..n]);
                    self.raw.drain(..n);
                    return Ok(n);
                }
                if self.eof {
                    return Ok(0);
                }
                self.inner.read(buf)
            }
        }
    }
}
