//! Hybrid readiness commands: the directory scan (export file or LDAP) and
//! the connectivity probes. Each is a thin call into its crate.
use hybridsync_core::ErrorPayload;
use hybridsync_directory::request::{run_scan, ScanRequest, ScanResult};
use hybridsync_probes::{ProbeNode, ProbeRequest};

#[tauri::command]
pub async fn directory_scan(request: ScanRequest) -> Result<ScanResult, ErrorPayload> {
    tracing::info!(source = ?request.source, "directory scan");
    run_scan(request)
        .await
        .map_err(|f| ErrorPayload::new(f.code, f.message, f.remediation))
}

#[tauri::command]
pub async fn probe_connectivity(request: ProbeRequest) -> Result<ProbeNode, ErrorPayload> {
    let opts = request
        .options()
        .map_err(|e| ErrorPayload::new("invalid_input", e.0, None))?;
    tracing::info!(?opts, "connectivity probes");
    hybridsync_probes::run(&opts)
        .await
        .map_err(|e| ErrorPayload::new("invalid_input", e.0, None))
}
