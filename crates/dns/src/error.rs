//! Errors shared by every lookup in this crate.

use std::net::SocketAddr;

use serde::Serialize;

/// Why a DNS question got no usable answer.
///
/// NXDOMAIN and NOERROR-without-data are *answers*, not errors: they are
/// [`crate::txt::TxtOutcome`] variants. The variants here are the cases where a
/// server did not give an answer we can use (timeout, REFUSED, SERVFAIL, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DnsError {
    /// The name cannot be a DNS name.
    #[error("invalid DNS name {name:?}: {reason}")]
    InvalidName { name: String, reason: String },
    /// No answer within the time allowed (all attempts used).
    #[error("no answer from {server} within {waited_ms} ms ({attempts} attempt(s))")]
    Timeout {
        server: SocketAddr,
        waited_ms: u64,
        attempts: u32,
    },
    /// The server answered REFUSED (it does not serve this name for us).
    #[error("{server} refused the query (REFUSED)")]
    Refused { server: SocketAddr },
    /// The server answered SERVFAIL.
    #[error("{server} could not answer (SERVFAIL)")]
    ServFail { server: SocketAddr },
    /// Any other unexpected response code (FORMERR, NOTIMP, …).
    #[error("{server} answered {code}")]
    Rcode { server: SocketAddr, code: String },
    /// The server could not be reached (ICMP port unreachable, no route, …).
    #[error("cannot reach {server}: {message}")]
    Unreachable { server: SocketAddr, message: String },
    /// The reply could not be decoded.
    #[error("malformed answer from {server}: {message}")]
    Malformed { server: SocketAddr, message: String },
    /// No system resolver could be read from the operating system.
    #[error("no system resolver configured: {0}")]
    NoSystemResolver(String),
}

impl DnsError {
    /// A short, upper-case code for display in tables (`TIMEOUT`, `REFUSED`, `SERVFAIL`, …).
    pub fn answer_code(&self) -> String {
        match self {
            DnsError::InvalidName { .. } => "INVALID_NAME".into(),
            DnsError::Timeout { .. } => "TIMEOUT".into(),
            DnsError::Refused { .. } => "REFUSED".into(),
            DnsError::ServFail { .. } => "SERVFAIL".into(),
            DnsError::Rcode { code, .. } => code.clone(),
            DnsError::Unreachable { .. } => "UNREACHABLE".into(),
            DnsError::Malformed { .. } => "MALFORMED".into(),
            DnsError::NoSystemResolver(_) => "NO_RESOLVER".into(),
        }
    }

    /// True for failures where asking again later (or another server) may help.
    pub fn is_transient(&self) -> bool {
        !matches!(self, DnsError::InvalidName { .. })
    }
}
