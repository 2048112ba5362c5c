//! `--report FILE`: the format from the extension (checked before anything runs), the file written
//! atomically by crates/report, and its SHA-256 for the admin to print.
use std::path::Path;

use hybridsync_core::ErrorPayload;
use hybridsync_report::RunReport;

/// Refuses a report path whose extension names no format, before the command does any work.
pub fn check_path(path: &Path) -> Result<(), ErrorPayload> {
    if hybridsync_report::Format::from_path(path).is_none() {
        return Err(ErrorPayload::new(
            "invalid_input",
            format!("{}: the report format is taken from the extension; use .html, .json or .md", path.display()),
            Some("input.fix-value"),
        ));
    }
    Ok(())
}

pub fn write(report: &RunReport, path: &Path) -> Result<hybridsync_report::Written, ErrorPayload> {
    hybridsync_report::write_report(report, path).map_err(|e| {
        ErrorPayload::new(if e.code() == "report_write_failed" { "file_unwritable" } else { e.code() }, e.to_string(), Some("files.check-permissions"))
    })
}

/// The `--json` form of a written report.
pub fn json(w: &hybridsync_report::Written) -> serde_json::Value {
    serde_json::json!({"path": w.path, "sha256": w.sha256, "bytes": w.bytes})
}
