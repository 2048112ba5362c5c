//! Where a file the wizard exports goes: the native save dialog (rfd, shown on the main thread as
//! GTK and Cocoa require), or — for automated tests only — the folder or file named by
//! `HYBRIDSYNC_SAVE_PATH_FOR_TESTS`, which answers the dialog without showing it.
use std::path::PathBuf;

use hybridsync_core::ErrorPayload;

pub const SAVE_PATH_FOR_TESTS: &str = "HYBRIDSYNC_SAVE_PATH_FOR_TESTS";

/// The path the admin chose for `name`; a dismissed dialog is `cancelled` and nothing is written.
pub async fn choose(
    app: &tauri::AppHandle,
    name: &str,
    filter: (&str, &[&str]),
) -> Result<PathBuf, ErrorPayload> {
    if let Ok(p) = std::env::var(SAVE_PATH_FOR_TESTS) {
        let p = PathBuf::from(p);
        return Ok(if p.is_dir() { p.join(name) } else { p });
    }
    let dir = default_dir();
    let name = name.to_string();
    let (label, extensions) = (
        filter.0.to_string(),
        filter.1.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
    );
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.run_on_main_thread(move || {
        let _ = std::fs::create_dir_all(&dir);
        let picked = rfd::FileDialog::new()
            .set_title("Save as")
            .set_directory(&dir)
            .set_file_name(&name)
            .add_filter(&label, &extensions)
            .save_file();
        let _ = tx.send(picked);
    })
    .map_err(|e| ErrorPayload::internal(format!("the save dialog could not open: {e}")))?;
    match rx.await {
        Ok(Some(path)) => Ok(path),
        Ok(None) => Err(ErrorPayload::new(
            "cancelled",
            "no file was chosen, so nothing was written",
            None,
        )),
        Err(_) => Err(ErrorPayload::internal(
            "the save dialog closed without an answer",
        )),
    }
}

/// Documents/hybridsync, or the data folder where the OS has no Documents folder.
fn default_dir() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(|d| d.join("hybridsync")))
        .unwrap_or_else(hybridsync_core::paths::data_dir)
}
