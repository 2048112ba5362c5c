//! The hybridsync run report: one self-contained HTML file (inline CSS, no external assets,
//! printable), plus JSON and Markdown, rendered from [`RunReport`].
//!
//! Secrets never appear: the model has no secret fields, and every render first runs a [`redact`]
//! pass over every string of the model (JWTs, bearer and refresh tokens, password fields, private
//! key PEM blocks). Files are written atomically and their SHA-256 is returned.
//!
//! This crate does not depend on `hybridsync-core`; the core fills a [`RunReport`] from its journal.
use std::path::{Path, PathBuf};

mod html;
mod model;
pub mod procedure;
mod redact;
mod render;
pub mod sample;
mod write;

pub use html::escape as html_escape;
pub use model::*;
pub use procedure::{procedure_map, SeedStep, SEED_PROCEDURE};
pub use redact::{redact, redact_value, MASK_JWT, MASK_PRIVATE_KEY, MASK_TOKEN, MASK_VALUE};
pub use render::md_escape;
pub use write::{sha256_hex, write_atomic};

/// Why a report could not be rendered or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not write the report to {}: {source}. Choose a folder you can write to.", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not serialize the report: {0}")]
    Serialize(#[from] serde_json::Error),
    #[error("{}: the report format is taken from the extension; use .html, .json or .md", .0.display())]
    UnknownFormat(PathBuf),
}

impl Error {
    /// A stable code for the IPC/CLI boundary.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "report_write_failed",
            Error::Serialize(_) => "internal",
            Error::UnknownFormat(_) => "invalid_input",
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The three outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
    Markdown,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Html, Format::Json, Format::Markdown];

    /// From a file name's extension (`.html`/`.htm`, `.json`, `.md`/`.markdown`).
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "html" | "htm" => Some(Format::Html),
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Json => "json",
            Format::Markdown => "md",
        }
    }
}

/// A file written: where, how big, and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub format: Format,
    pub bytes: usize,
    pub sha256: String,
}

impl RunReport {
    /// A copy with every string (and JSON value) passed through [`redact`]. The renderers call it;
    /// call it yourself before handing the model anywhere else.
    pub fn redacted(&self) -> Result<RunReport> {
        let mut v = serde_json::to_value(self)?;
        redact_value(&mut v);
        Ok(serde_json::from_value(v)?)
    }

    /// Fill [`RunReport::procedure`] from the seeds' procedure and this run's steps.
    pub fn map_procedure(&mut self) {
        self.procedure = procedure_map(&self.steps);
    }
}

/// The report as one self-contained HTML file.
pub fn render_html(report: &RunReport) -> Result<String> {
    Ok(html::render(&report.redacted()?))
}

/// The report as pretty JSON (the same model, redacted).
pub fn render_json(report: &RunReport) -> Result<String> {
    let mut s = serde_json::to_string_pretty(&report.redacted()?)?;
    s.push('\n');
    Ok(s)
}

/// The report as Markdown.
pub fn render_markdown(report: &RunReport) -> Result<String> {
    Ok(render::markdown(&report.redacted()?))
}

pub fn render(report: &RunReport, format: Format) -> Result<String> {
    match format {
        Format::Html => render_html(report),
        Format::Json => render_json(report),
        Format::Markdown => render_markdown(report),
    }
}

/// Render and write atomically; the format follows the extension.
pub fn write_report(report: &RunReport, path: &Path) -> Result<Written> {
    let format = Format::from_path(path).ok_or_else(|| Error::UnknownFormat(path.to_path_buf()))?;
    write_report_as(report, path, format)
}

/// Render in `format` and write atomically to `path`.
pub fn write_report_as(report: &RunReport, path: &Path, format: Format) -> Result<Written> {
    let text = render(report, format)?;
    let sha256 = write_atomic(path, text.as_bytes())?;
    Ok(Written {
        path: path.to_path_buf(),
        format,
        bytes: text.len(),
        sha256,
    })
}

/// Write `<dir>/<stem>.html`, `.json` and `.md`.
pub fn write_all(report: &RunReport, dir: &Path, stem: &str) -> Result<Vec<Written>> {
    Format::ALL
        .iter()
        .map(|f| write_report_as(report, &dir.join(format!("{stem}.{}", f.extension())), *f))
        .collect()
}
