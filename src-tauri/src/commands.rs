//! The IPC commands: each a few lines over hybridsync-core. Errors cross as `ErrorPayload`.
use std::time::Duration;

use hybridsync_core::steps::tenant::{discover_tenant as discover, DiscoverRequest, TenantReport};
use hybridsync_core::{ErrorPayload, Event, EventSink, StepContext};
use hybridsync_microsoft::{Authority, AuthorityPreset};
use hybridsync_practice_tenant::{Options, Running};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

use crate::settings::Mode;

/// The practice tenant accepts any client ID; the wizard uses this one there.
pub const PRACTICE_CLIENT_ID: &str = "4a1c0b8e-5d3f-4c2a-9e7b-61f0d2a9c3b5";
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PracticeInfo {
    pub authority: String,
    /// The client ID the practice tenant's sign-in accepts.
    pub client_id: String,
    pub ca_file: String,
    pub tenant_domain: String,
    pub tenant_id: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub log_dir: String,
    pub mode: Option<Mode>,
    pub practice: Option<PracticeInfo>,
    /// The admin's app registration for sign-in, from `HYBRIDSYNC_CLIENT_ID` (the Sign-in page asks otherwise).
    pub client_id: Option<String>,
    pub authorities: Vec<AuthorityPreset>,
}

async fn practice_info(state: &AppState) -> Result<Option<PracticeInfo>, ErrorPayload> {
    if state.settings().mode != Some(Mode::Practice) {
        return Ok(None);
    }
    let mut slot = state.practice.lock().await;
    if slot.is_none() {
        let dir = hybridsync_core::paths::data_dir().join("practice");
        let running = Running::start(Options::in_dir(dir)).await.map_err(|e| {
            ErrorPayload::new(
                "practice_start_failed",
                e.to_string(),
                Some("practice.start"),
            )
        })?;
        *slot = Some(running);
    }
    Ok(slot.as_ref().map(|r| {
        let tenant = r.sim.tenants().into_iter().next();
        PracticeInfo {
            authority: r.authority().to_string(),
            client_id: PRACTICE_CLIENT_ID.to_string(),
            ca_file: r.ca_file.display().to_string(),
            tenant_domain: tenant
                .as_ref()
                .map(|t| t.default_domain().to_string())
                .unwrap_or_default(),
            tenant_id: tenant.map(|t| t.id).unwrap_or_default(),
        }
    }))
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, ErrorPayload> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        log_dir: hybridsync_core::paths::log_dir().display().to_string(),
        mode: state.settings().mode,
        practice: practice_info(&state).await?,
        client_id: std::env::var("HYBRIDSYNC_CLIENT_ID")
            .ok()
            .filter(|s| !s.trim().is_empty()),
        authorities: Authority::presets(),
    })
}

#[tauri::command]
pub async fn choose_mode(state: State<'_, AppState>, mode: Mode) -> Result<AppInfo, ErrorPayload> {
    let settings = {
        let mut s = state.settings.lock().unwrap_or_else(|e| e.into_inner());
        s.mode = Some(mode);
        s.clone()
    };
    settings.save()?;
    tracing::info!(?mode, "mode chosen");
    app_info(state).await
}

#[tauri::command]
pub async fn discover_tenant(
    request: DiscoverRequest,
    on_event: Channel<Event>,
) -> Result<TenantReport, ErrorPayload> {
    let sink = EventSink::new(move |e| {
        let _ = on_event.send(e);
    });
    discover(&request, &StepContext::new(sink), Duration::from_secs(20)).await
}

#[tauri::command]
pub async fn diagnostics(state: State<'_, AppState>) -> Result<String, ErrorPayload> {
    let mode = match state.settings().mode {
        Some(Mode::Practice) => "practice tenant",
        Some(Mode::Microsoft) => "Microsoft 365",
        None => "not chosen",
    };
    let practice = state
        .practice
        .lock()
        .await
        .as_ref()
        .map(|r| r.authority().to_string());
    Ok(crate::diagnostics::text(
        mode,
        practice.as_deref(),
        &state.ring,
    ))
}

/// The UI calls this once its first step is interactive. With `HYBRIDSYNC_STARTUP_PROBE=<file>`
/// the timing is written there for the start-up benchmark.
#[tauri::command]
pub fn ui_ready(state: State<'_, AppState>, ms: f64) -> Result<(), ErrorPayload> {
    let since_start = state.started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        ui_ms = ms,
        since_start_ms = since_start,
        "first step interactive"
    );
    if let Some(path) = std::env::var_os("HYBRIDSYNC_STARTUP_PROBE") {
        let body = serde_json::json!({"ui_ms": ms, "since_start_ms": since_start, "pid": std::process::id()});
        hybridsync_core::atomic::write(
            std::path::Path::new(&path),
            body.to_string().as_bytes(),
            hybridsync_core::atomic::FileAccess::Public,
        )
        .map_err(|e| ErrorPayload::internal(format!("cannot write the start-up probe: {e}")))?;
    }
    Ok(())
}
