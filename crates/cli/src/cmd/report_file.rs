//! `--report FILE`: the format from the extension (checked before anything runs), the file written
//! atomically by crates/report, and its SHA-256 for the admin to print.
use std::path::Path;

use hybridsync_core::ErrorPayload;
use hybridsync_report::RunReport;

/// Refuses a report path that cannot be written, before the command does any work (or change):
/// an extension that names no format, a folder, or a folder this account cannot write into.
pub fn check_path(path: &Path) -> Result<(), ErrorPayload> {
    if hybridsync_report::Format::from_path(path).is_none() {
        return Err(ErrorPayload::new(
            "invalid_input",
            format!(
                "{}: the report format is taken from the extension; use .html, .json or .md",
                path.display()
            ),
            Some("input.fix-value"),
        ));
    }
    let unwritable = |why: String| {
        ErrorPayload::new(
            "file_unwritable",
            format!("cannot write the report {}: {why}; nothing was run. Choose a file in a folder you can write to", path.display()),
            Some("files.check-permissions"),
        )
    };
    if path.is_dir() {
        return Err(unwritable("it is a folder (Is a directory)".into()));
    }
    // The folder it goes in (or the nearest one that exists: the writer creates the rest).
    let mut folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    while !folder.exists() {
        match folder.parent() {
            Some(p) if !p.as_os_str().is_empty() => folder = p.to_path_buf(),
            _ => {
                folder = std::path::PathBuf::from(".");
                break;
            }
        }
    }
    if !folder.is_dir() {
        return Err(unwritable(format!(
            "{} is a file, not a folder",
            folder.display()
        )));
    }
    let probe = folder.join(format!(
        ".hybridsync-report-probe-{}.tmp",
        std::process::id()
    ));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(unwritable(format!(
            "{} is not writable ({e})",
            folder.display()
        ))),
    }
}

pub fn write(report: &RunReport, path: &Path) -> Result<hybridsync_report::Written, ErrorPayload> {
    hybridsync_report::write_report(report, path).map_err(|e| {
        ErrorPayload::new(
            if e.code() == "report_write_failed" {
                "file_unwritable"
            } else {
                e.code()
            },
            e.to_string(),
            Some("files.check-permissions"),
        )
    })
}

/// The `--json` form of a written report.
pub fn json(w: &hybridsync_report::Written) -> serde_json::Value {
    serde_json::json!({"path": w.path, "sha256": w.sha256, "bytes": w.bytes})
}
