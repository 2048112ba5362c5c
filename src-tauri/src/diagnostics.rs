//! "Copy diagnostics": versions, mode, paths and the recent log lines (which never hold secrets).
use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Mutex};

use hybridsync_core::logging::BoxedLayer;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::Layer;

/// The last N log lines, kept in memory for the diagnostics text.
#[derive(Clone)]
pub struct Ring {
    lines: Arc<Mutex<VecDeque<String>>>,
    cap: usize,
}

impl Ring {
    pub fn new(cap: usize) -> Ring {
        Ring {
            lines: Arc::new(Mutex::new(VecDeque::with_capacity(cap))),
            cap,
        }
    }

    pub fn layer(&self) -> BoxedLayer {
        tracing_subscriber::fmt::layer()
            .with_writer(self.clone())
            .with_ansi(false)
            .with_target(false)
            .with_filter(tracing_subscriber::filter::LevelFilter::INFO)
            .boxed()
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

pub struct RingWriter(Ring);

impl Write for RingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // What "Copy diagnostics" copies passes the same redaction as the log file.
        let raw = String::from_utf8_lossy(buf);
        let text = hybridsync_core::redact::text(&raw);
        let mut lines = self.0.lines.lock().unwrap_or_else(|e| e.into_inner());
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if lines.len() == self.0.cap {
                lines.pop_front();
            }
            lines.push_back(line.to_string());
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Ring {
    type Writer = RingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        RingWriter(self.clone())
    }
}

pub fn text(mode: &str, practice: Option<&str>, ring: &Ring) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Hybrid Sync Wizard {}\n",
        env!("CARGO_PKG_VERSION")
    ));
    out.push_str(&format!(
        "OS: {} {}\n",
        std::env::consts::OS,
        std::env::consts::ARCH
    ));
    out.push_str(&format!("Mode: {mode}\n"));
    if let Some(p) = practice {
        out.push_str(&format!("Practice tenant: {p}\n"));
    }
    out.push_str(&format!(
        "Log folder: {}\n",
        hybridsync_core::paths::log_dir().display()
    ));
    out.push_str("\nRecent log lines:\n");
    for l in ring.lines() {
        out.push_str(&l);
        out.push('\n');
    }
    out
}
