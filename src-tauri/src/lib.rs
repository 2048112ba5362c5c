//! The desktop shell: state, commands (a few lines each) and start-up. The work is in hybridsync-core.
mod commands;
mod diagnostics;
mod domains;
mod dynamics;
mod platform;
mod readiness;
mod report;
mod save_dialog;
mod session;
mod settings;
mod signin;
mod state;
mod troubleshoot;
mod trust;

use std::time::Instant;

pub fn run() {
    let started = Instant::now();
    platform::prepare();
    let ring = diagnostics::Ring::new(400);
    let _guard = hybridsync_core::logging::init(vec![ring.layer()]);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "Hybrid Sync Wizard starting"
    );
    let practice = std::env::args().any(|a| a == "--practice-if-unconfigured");
    let app_state = state::AppState::new(started, ring, practice);
    let result = tauri::Builder::default()
        .manage(app_state)
        .manage(trust::TrustState::default())
        .manage(session::Session::start())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::choose_mode,
            commands::discover_tenant,
            commands::diagnostics,
            commands::ui_ready,
            signin::sign_in_device_code,
            signin::sign_in_browser,
            signin::cancel_sign_in,
            signin::whoami,
            signin::sign_out,
            troubleshoot::troubleshoot,
            report::report_export,
            readiness::directory_scan,
            readiness::probe_connectivity,
            domains::domains_list,
            domains::domain_status,
            domains::domain_add,
            domains::domain_verify,
            domains::domain_publish_practice,
            trust::cert_generate,
            trust::cert_export,
            trust::trust_plan,
            trust::trust_apply,
            trust::crm_script_save,
            trust::crm_script_import,
            dynamics::crm_target,
            dynamics::profile_plan,
            dynamics::profile_apply,
            dynamics::mailboxes_run,
            dynamics::mailboxes_status,
            dynamics::mailboxes_alerts,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the wizard window could not start");
        eprintln!("error: the wizard window could not start: {e}");
        std::process::exit(10);
    }
}
