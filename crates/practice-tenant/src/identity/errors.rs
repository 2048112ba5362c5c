//! Microsoft's error body for the identity endpoints (ms-api.md §2.2 "Error body"): `error`,
//! `error_description` holding `AADSTSnnnnn:`, `error_codes[]`, `timestamp`, `trace_id`, `correlation_id`.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

pub fn stamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// An identity platform error: HTTP `status`, OAuth `error`, and `AADSTS{code}: {message}`.
pub fn aad_error(status: StatusCode, error: &str, code: u32, message: &str) -> Response {
    let trace = uuid::Uuid::new_v4();
    let correlation = uuid::Uuid::new_v4();
    let ts = stamp();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {message} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {ts}"),
        "error_codes": [code],
        "timestamp": ts,
        "trace_id": trace.to_string(),
        "correlation_id": correlation.to_string(),
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (status, Json(body)).into_response()
}

pub fn bad_request(error: &str, code: u32, message: &str) -> Response {
    aad_error(StatusCode::BAD_REQUEST, error, code, message)
}
