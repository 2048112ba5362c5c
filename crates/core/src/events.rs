//! Progress and log lines, streamed to the UI (a Tauri channel) and the CLI (a progress bar).
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Event {
    Progress {
        step: String,
        done: u32,
        total: u32,
        label: String,
    },
    Log {
        level: String,
        message: String,
        at: String,
    },
    /// A device-code sign-in is waiting: show the code and the address (ms-api.md §2.3).
    DeviceCode {
        user_code: String,
        verification_uri: String,
        message: String,
        #[ts(type = "number")]
        expires_in_secs: u64,
    },
}

/// Where a step sends its events. Cheap to clone.
#[derive(Clone)]
pub struct EventSink(Arc<dyn Fn(Event) + Send + Sync>);

impl EventSink {
    pub fn new(f: impl Fn(Event) + Send + Sync + 'static) -> Self {
        EventSink(Arc::new(f))
    }

    pub fn none() -> Self {
        EventSink::new(|_| {})
    }

    pub fn progress(&self, step: &str, done: u32, total: u32, label: impl Into<String>) {
        (self.0)(Event::Progress {
            step: step.into(),
            done,
            total,
            label: label.into(),
        });
    }

    pub fn send(&self, event: Event) {
        (self.0)(event);
    }

    /// Also written to the log file through `tracing`.
    pub fn log(&self, level: &str, message: impl Into<String>) {
        let message = message.into();
        match level {
            "error" => tracing::error!("{message}"),
            "warn" => tracing::warn!("{message}"),
            _ => tracing::info!("{message}"),
        }
        (self.0)(Event::Log {
            level: level.into(),
            message,
            at: now_rfc3339(),
        });
    }
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
