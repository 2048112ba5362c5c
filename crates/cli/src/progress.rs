//! Human output helpers: a spinner on a terminal, log lines on stderr with --verbose.
use std::io::IsTerminal;
use std::time::Duration;

use hybridsync_core::logging::BoxedLayer;
use hybridsync_core::{Event, EventSink};
use indicatif::{ProgressBar, ProgressStyle};

pub fn stderr_layer(verbose: bool) -> Vec<BoxedLayer> {
    if verbose {
        vec![hybridsync_core::logging::stderr_layer()]
    } else {
        Vec::new()
    }
}

/// A spinner when a person watches (stderr is a terminal and no --json), else nothing.
pub fn sink(json: bool) -> (EventSink, Option<ProgressBar>) {
    if json || !std::io::stderr().is_terminal() {
        return (EventSink::none(), None);
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    let b = bar.clone();
    let sink = EventSink::new(move |e| {
        if let Event::Progress { label, .. } = e {
            b.set_message(label);
        }
    });
    (sink, Some(bar))
}
