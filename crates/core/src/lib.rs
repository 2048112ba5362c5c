//! The hybridsync engine, shared by the desktop wizard and the CLI. Nothing here depends on Tauri.
//!
//! Every step goes check → plan → apply ([`step::Step`]); what it finds is a [`Finding`]; what it
//! would change is a [`Change`], shown before it is made; what it made is recorded in the
//! [`journal::Journal`] so a restarted run skips what is done.
pub mod assumptions;
pub mod atomic;
pub mod change;
pub mod checks;
pub mod engine;
pub mod error;
pub mod events;
pub mod finding;
pub mod journal;
pub mod keychain;
pub mod logging;
pub mod mailbox_table;
pub mod org_lock;
pub mod paths;
pub mod plan;
pub mod redact;
pub mod run_report;
pub mod step;
pub mod steps;
pub mod troubleshoot;

pub use change::Change;
pub use error::ErrorPayload;
pub use events::{Event, EventSink};
pub use finding::{Finding, Severity};
pub use plan::Plan;
pub use step::{CheckReport, Outcome, Step, StepContext};
