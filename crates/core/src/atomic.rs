//! Files are never half-written: temp file in the same folder, fsync, rename (hybridsync-files).
pub use hybridsync_files::{write_atomic as write, FileAccess};
