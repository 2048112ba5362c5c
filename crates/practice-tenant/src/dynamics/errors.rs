//! Dataverse's error body: `{"error":{"code":"0x…","message":"…"}}` with the HTTP status.
use axum::http::StatusCode;
use serde_json::{json, Value};

/// Error code for a record that does not exist. Assumption: Dataverse's `0x80040217`
/// ("ObjectDoesNotExist"); the reference (ms-api.md §6) does not list Web API error codes.
pub const CODE_NOT_FOUND: &str = "0x80040217";
/// Error code for a bad query or body. Assumption: Dataverse answers `0x0` for OData parse errors.
pub const CODE_BAD_REQUEST: &str = "0x0";
/// Error code for a value outside an option set. Assumption: Dataverse's `0x80044331`.
pub const CODE_OUT_OF_RANGE: &str = "0x80044331";
/// Error code for an `If-Match` that does not match. Assumption: Dataverse's `0x80060882`.
pub const CODE_PRECONDITION: &str = "0x80060882";
/// ms-api.md §8 (P-LIM): the "number of requests" service-protection code, `-2147015902`.
pub const CODE_THROTTLED: &str = "0x80072322";
/// Error code for an unauthenticated call. Assumption: Dataverse's `0x80040220`.
pub const CODE_UNAUTHORIZED: &str = "0x80040220";

#[derive(Debug, Clone)]
pub struct DvError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl DvError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> DvError {
        DvError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> DvError {
        DvError::new(StatusCode::BAD_REQUEST, CODE_BAD_REQUEST, message)
    }

    pub fn not_found(logical: &str, id: &str) -> DvError {
        DvError::new(
            StatusCode::NOT_FOUND,
            CODE_NOT_FOUND,
            format!("{logical} With Id = {id} Does Not Exist"),
        )
    }

    pub fn body(&self) -> Value {
        json!({"error": {"code": self.code, "message": self.message}})
    }
}
