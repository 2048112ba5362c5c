//! What the wizard remembers between starts (never a secret): the mode chosen at first start.
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use hybridsync_core::atomic::{self, FileAccess};
use hybridsync_core::ErrorPayload;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Mode {
    Microsoft,
    Practice,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    pub mode: Option<Mode>,
}

fn path() -> std::path::PathBuf {
    hybridsync_core::paths::config_dir().join("settings.toml")
}

impl Settings {
    /// Missing or unreadable settings mean a first start.
    pub fn load() -> Settings {
        std::fs::read_to_string(path())
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default()
    }

    pub fn save(&self) -> Result<(), ErrorPayload> {
        let text = toml::to_string(self).map_err(|e| ErrorPayload::internal(e.to_string()))?;
        atomic::write(&path(), text.as_bytes(), FileAccess::Public).map_err(|e| {
            ErrorPayload::new(
                "settings_write_failed",
                format!("cannot save the settings to {}: {e}", path().display()),
                Some("files.check-permissions"),
            )
        })
    }
}
