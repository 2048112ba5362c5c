//! Where the app keeps its files, per OS (the `directories` crate). `HYBRIDSYNC_HOME` puts every
//! folder under one directory (tests, portable use).
use std::path::PathBuf;

use directories::ProjectDirs;

fn home_override() -> Option<PathBuf> {
    std::env::var_os("HYBRIDSYNC_HOME").map(PathBuf::from)
}

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("app", "hybridsync", "hybridsync")
}

fn fallback() -> PathBuf {
    std::env::temp_dir().join("hybridsync")
}

/// Logs: `%LOCALAPPDATA%\hybridsync\hybridsync\data\logs` on Windows,
/// `~/Library/Application Support/app.hybridsync.hybridsync/logs` on macOS, `~/.local/share/hybridsync/logs` on Linux.
pub fn log_dir() -> PathBuf {
    if let Some(h) = home_override() {
        return h.join("logs");
    }
    dirs().map(|d| d.data_local_dir().join("logs")).unwrap_or_else(|| fallback().join("logs"))
}

/// Journals, reports and the practice tenant's files.
pub fn data_dir() -> PathBuf {
    if let Some(h) = home_override() {
        return h.join("data");
    }
    dirs().map(|d| d.data_local_dir().to_path_buf()).unwrap_or_else(|| fallback().join("data"))
}

/// Settings (which mode the wizard runs in, the admin's app registration).
pub fn config_dir() -> PathBuf {
    if let Some(h) = home_override() {
        return h.join("config");
    }
    dirs().map(|d| d.config_dir().to_path_buf()).unwrap_or_else(|| fallback().join("config"))
}
