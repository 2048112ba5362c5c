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
    dirs()
        .map(|d| d.data_local_dir().join("logs"))
        .unwrap_or_else(|| fallback().join("logs"))
}

/// Journals, reports and the practice tenant's files.
pub fn data_dir() -> PathBuf {
    if let Some(h) = home_override() {
        return h.join("data");
    }
    dirs()
        .map(|d| d.data_local_dir().to_path_buf())
        .unwrap_or_else(|| fallback().join("data"))
}

/// Settings (which mode the wizard runs in, the admin's app registration).
pub fn config_dir() -> PathBuf {
    if let Some(h) = home_override() {
        return h.join("config");
    }
    dirs()
        .map(|d| d.config_dir().to_path_buf())
        .unwrap_or_else(|| fallback().join("config"))
}

/// A new run journal for `step` in the data folder, unique per run. An existing journal is
/// resumed (its steps count as done), so two runs, even in the same second, must not share one:
/// a later apply (a rotated certificate, a re-test) would otherwise be skipped.
pub fn new_journal(step: &str) -> PathBuf {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{}.{:09}-{}",
        now.unix_timestamp(),
        now.nanosecond(),
        std::process::id()
    );
    data_dir()
        .join("journals")
        .join(format!("{step}-{stamp}.jsonl"))
}

#[cfg(test)]
mod journal_name_tests {
    #[test]
    fn two_runs_never_share_a_journal() {
        let a = super::new_journal("trust");
        let b = super::new_journal("trust");
        assert_ne!(a, b);
        assert!(a
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("trust-"));
    }
}
