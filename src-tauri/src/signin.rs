//! Sign-in commands: a few lines each over `hybridsync_core::steps::signin`.
use hybridsync_core::keychain::Keychain;
use hybridsync_core::steps::signin::{self, SignInReport, SignInRequest};
use hybridsync_core::{ErrorPayload, Event, EventSink, StepContext};
use hybridsync_microsoft::identity::{open_system_browser, DevicePolling, LoopbackOptions};
use tauri::ipc::Channel;
use tauri::State;

use crate::state::AppState;

fn context(state: &AppState, on_event: Channel<Event>) -> StepContext {
    let sink = EventSink::new(move |e| {
        let _ = on_event.send(e);
    });
    let ctx = StepContext::new(sink);
    state.replace_sign_in(ctx.cancel.clone());
    ctx
}

#[tauri::command]
pub async fn sign_in_device_code(
    state: State<'_, AppState>,
    request: SignInRequest,
    on_event: Channel<Event>,
) -> Result<SignInReport, ErrorPayload> {
    let ctx = context(&state, on_event);
    let events = ctx.events.clone();
    signin::sign_in_device_code(
        &request,
        &Keychain::default(),
        &ctx,
        |code| {
            events.send(Event::DeviceCode {
                user_code: code.user_code.clone(),
                verification_uri: code.verification_uri.clone(),
                message: code.message.clone(),
                expires_in_secs: code.expires_in.as_secs(),
            })
        },
        &DevicePolling::default(),
    )
    .await
}

#[tauri::command]
pub async fn sign_in_browser(
    state: State<'_, AppState>,
    request: SignInRequest,
    on_event: Channel<Event>,
) -> Result<SignInReport, ErrorPayload> {
    let ctx = context(&state, on_event);
    signin::sign_in_browser(
        &request,
        &Keychain::default(),
        &ctx,
        open_system_browser,
        &LoopbackOptions::default(),
    )
    .await
}

#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) {
    state.cancel_sign_in();
}

/// Who is signed in, or null when nobody is.
#[tauri::command]
pub async fn whoami() -> Result<Option<SignInReport>, ErrorPayload> {
    if signin::load_saved()?.is_none() {
        return Ok(None);
    }
    signin::whoami(&Keychain::default()).await.map(Some)
}

#[tauri::command]
pub fn sign_out() -> Result<(), ErrorPayload> {
    signin::sign_out(&Keychain::default()).map(|_| ())
}
