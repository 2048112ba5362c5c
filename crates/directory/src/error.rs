//! Reader errors.

/// A file that could not be read; `line` is 1-based (0 when the error is not
/// tied to a line, e.g. an I/O failure before anything was read).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct ReadError {
    /// 1-based line number where the problem starts.
    pub line: u64,
    /// What is wrong, in plain words.
    pub message: String,
}

impl ReadError {
    pub(crate) fn new(line: u64, message: impl Into<String>) -> Self {
        ReadError {
            line,
            message: message.into(),
        }
    }
}
