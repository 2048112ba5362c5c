use std::sync::Mutex;
use std::time::Instant;

use hybridsync_practice_tenant::Running;

use crate::diagnostics::Ring;
use crate::settings::Settings;

pub struct AppState {
    pub started: Instant,
    pub settings: Mutex<Settings>,
    /// The in-process practice tenant, once chosen.
    pub practice: tokio::sync::Mutex<Option<Running>>,
    pub ring: Ring,
    /// Cancels the sign-in in progress, if any.
    sign_in: Mutex<Option<tokio_util::sync::CancellationToken>>,
}

impl AppState {
    /// `practice_if_unconfigured`: with no mode saved yet, run on the practice tenant without
    /// saving that choice (the launcher's default, so a first look needs no Microsoft account).
    pub fn new(started: Instant, ring: Ring, practice_if_unconfigured: bool) -> AppState {
        let mut settings = Settings::load();
        if settings.mode.is_none() && practice_if_unconfigured {
            settings.mode = Some(crate::settings::Mode::Practice);
        }
        AppState {
            started,
            settings: Mutex::new(settings),
            practice: tokio::sync::Mutex::new(None),
            ring,
            sign_in: Mutex::new(None),
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl AppState {
    pub fn replace_sign_in(&self, token: tokio_util::sync::CancellationToken) {
        if let Some(old) = self
            .sign_in
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(token)
        {
            old.cancel();
        }
    }

    pub fn cancel_sign_in(&self) {
        if let Some(t) = self
            .sign_in
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            t.cancel();
        }
    }
}
