//! Logging through `tracing`: a daily-rolling file in the OS's log folder, plus any extra layers
//! (the desktop app's log drawer, the CLI's `--verbose`).
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

pub type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// Starts logging. Keep the guard alive for the life of the process: it flushes the file.
/// A log folder that cannot be created leaves file logging off and says so on the other layers.
pub fn init(mut layers: Vec<BoxedLayer>) -> Option<WorkerGuard> {
    let dir = crate::paths::log_dir();
    let _ = std::fs::create_dir_all(&dir);
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("hybridsync")
        .filename_suffix("log")
        .max_log_files(14)
        .build(&dir);
    let mut guard = None;
    let mut problem = None;
    match appender {
        Ok(a) => {
            owner_only(&dir, 0o700);
            let (writer, g) = tracing_appender::non_blocking(LogFile {
                inner: a,
                dir: dir.clone(),
                day: None,
            });
            guard = Some(g);
            let filter = EnvFilter::try_from_env("HYBRIDSYNC_LOG")
                .unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
            layers.push(
                tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .with_ansi(false)
                    .with_filter(filter)
                    .boxed(),
            );
        }
        Err(e) => problem = Some(format!("cannot write logs to {}: {e}", dir.display())),
    }
    let _ = tracing_subscriber::registry().with(layers).try_init();
    if let Some(p) = problem {
        tracing::warn!("{p}");
    }
    guard
}

/// Info, except the practice tenant's DNS servers, which log every query at info.
const DEFAULT_FILTER: &str = "info,hickory_server=warn";

/// Log lines on stderr (the CLI's `--verbose`).
pub fn stderr_layer() -> BoxedLayer {
    tracing_subscriber::fmt::layer()
        .with_writer(|| Redacting(std::io::stderr()))
        .with_target(false)
        .with_filter(EnvFilter::new("info"))
        .boxed()
}

/// Every log line passes the redaction before it reaches its writer (the log file, stderr):
/// one event is one write, so a secret is never split across two.
pub struct Redacting<W>(pub W);

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(crate::redact::text(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The daily log file: lines redacted, and the log folder and its files readable by the owner
/// only (checked again when the day, and so the file, changes).
struct LogFile {
    inner: RollingFileAppender,
    dir: PathBuf,
    day: Option<time::Date>,
}

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = Redacting(&mut self.inner).write(buf)?;
        let today = time::OffsetDateTime::now_utc().date();
        if self.day != Some(today) {
            self.day = Some(today);
            if let Ok(entries) = std::fs::read_dir(&self.dir) {
                for e in entries.flatten() {
                    owner_only(&e.path(), 0o600);
                }
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(unix)]
fn owner_only(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn owner_only(_path: &Path, _mode: u32) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18 item 2: what reaches a log is redacted, and the log file is the owner's only.
    #[test]
    fn log_lines_are_redacted_and_the_file_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let appender = RollingFileAppender::builder()
            .rotation(Rotation::NEVER)
            .filename_prefix("hybridsync")
            .filename_suffix("log")
            .build(dir.path())
            .unwrap();
        let mut file = LogFile {
            inner: appender,
            dir: dir.path().to_path_buf(),
            day: None,
        };
        file.write_all(b"GET https://svc:Pa55w0rd-Log@crm.contoso.com/org failed; password = \"Hunter2-Log\"\n").unwrap();
        file.flush().unwrap();
        let path = std::fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("Pa55w0rd-Log") && !text.contains("Hunter2-Log"),
            "{text}"
        );
        assert!(text.contains("crm.contoso.com/org"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
}
