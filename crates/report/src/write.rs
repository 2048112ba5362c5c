//! Atomic writes (temp file in the same folder, fsync, rename) that return the SHA-256 of the bytes.
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::Error;

/// The SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Write `bytes` to `path` atomically and return their SHA-256 (hex). Readers see the old file or
/// the new one, never half of it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<String, Error> {
    hybridsync_files::write_atomic(path, bytes, hybridsync_files::FileAccess::Public).map_err(
        |source| Error::Io {
            path: path.to_path_buf(),
            source,
        },
    )?;
    Ok(sha256_hex(bytes))
}
