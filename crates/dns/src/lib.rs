//! DNS checks for Microsoft 365 domain verification.
//!
//! * [`txt`]: a TXT lookup at a given server (or the system resolver), no
//!   cache, typed outcomes (records / NOERROR-no-data / NXDOMAIN, and
//!   timeout / REFUSED / SERVFAIL as [`DnsError`]s), bounded in time.
//! * [`authority`]: the zone's authoritative name servers, each asked
//!   directly, plus the resolver: a per-server table.
//! * [`verify_check`]: specific findings (`txt_missing`, `txt_wrong_label`,
//!   `lame_delegation`, …) and readiness decided by the authoritative servers
//!   only, plus [`poll_until_ready`] to re-check with backoff.
//! * `testing` (feature `test-server`): in-process DNS servers for tests and
//!   the practice tenant.
//!
//! No Tauri, no other hybridsync crate.

pub mod authority;
pub mod error;
pub mod findings;
pub mod mail;
pub mod name;
pub mod poll;
pub mod txt;
pub mod values;
pub mod verify_check;
pub mod wire;

#[cfg(feature = "test-server")]
pub mod testing;

pub use authority::{AuthorityOptions, AuthorityTable, ServerRole, ServerRow, Zone};
pub use error::DnsError;
pub use name::parse_name;
pub use poll::{poll_until_ready, Backoff, PollOutcome, PollStatus, Readiness};
pub use txt::{TxtAnswer, TxtOutcome, TxtRecord};
pub use verify_check::{check, CheckOptions, CheckReport, Finding, FindingCode, Severity};
pub use wire::{QueryOptions, DNS_PORT};
