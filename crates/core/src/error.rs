//! The one error shape that crosses the IPC and CLI boundaries: `{code, message, remediation}`.
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct ErrorPayload {
    /// Stable machine code (`tenant_not_found`, `tls_untrusted`, …).
    pub code: String,
    /// What went wrong, why, and how to fix it, in one or two sentences.
    pub message: String,
    /// The troubleshooting entry that explains the fix.
    pub remediation: Option<String>,
}

impl ErrorPayload {
    pub fn new(code: &str, message: impl Into<String>, remediation: Option<&str>) -> Self {
        ErrorPayload {
            code: code.to_string(),
            message: message.into(),
            remediation: remediation.map(str::to_string),
        }
    }

    pub fn cancelled() -> Self {
        Self::new("cancelled", "the run was cancelled before it finished; nothing after the last recorded change was made", None)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("internal", message, Some("support.report-bug"))
    }
}

impl From<hybridsync_microsoft::Error> for ErrorPayload {
    fn from(e: hybridsync_microsoft::Error) -> Self {
        ErrorPayload::new(e.code(), e.to_string(), Some(e.remediation()))
    }
}
