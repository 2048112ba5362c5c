//! Platform differences of the desktop shell, each behind its own cfg.

/// Called first thing in `main`, before any thread exists.
#[cfg(target_os = "linux")]
pub fn prepare() {
    // WebKitGTK's DMA-BUF renderer costs ~70 MB more per window on machines without a GPU and
    // breaks on some drivers; the shared-memory renderer draws this wizard's pages just as well.
    // An admin who set the variable keeps their value.
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
}

#[cfg(not(target_os = "linux"))]
pub fn prepare() {}
