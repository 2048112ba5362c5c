//! Logging through `tracing`: a daily-rolling file in the OS's log folder, plus any extra layers
//! (the desktop app's log drawer, the CLI's `--verbose`).
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
            let (writer, g) = tracing_appender::non_blocking(a);
            guard = Some(g);
            let filter = EnvFilter::try_from_env("HYBRIDSYNC_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
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
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_filter(EnvFilter::new("info"))
        .boxed()
}
