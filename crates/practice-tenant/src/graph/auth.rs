//! How Graph answers a request's bearer token: 401 `InvalidAuthenticationToken` with
//! `WWW-Authenticate: Bearer …` when it is missing, broken, expired or for another audience;
//! 403 `Authorization_RequestDenied` when it lacks the permission (ms-api.md §2.4, §7).
// Handlers answer refusals as ready HTTP responses, as axum does; their size is no concern here.
#![allow(clippy::result_large_err)]
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::identity::oauth::GRAPH_RESOURCE;
use crate::server::AppState;

/// Microsoft Graph's application ID, its other accepted audience (ms-api.md §2.5).
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

pub struct Caller {
    pub oid: String,
    pub tid: String,
}

/// Graph's error body: `{"error":{"code","message","innerError":{date, request-id, client-request-id}}}`.
pub fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    let body = json!({"error": {
        "code": code,
        "message": message,
        "innerError": {"date": crate::identity::errors::stamp().replace(' ', "T"), "request-id": id, "client-request-id": id}
    }});
    let mut resp = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        let challenge = format!(
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"{GRAPH_APP_ID}\", error=\"invalid_token\", error_description=\"{message}\""
        );
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            challenge.parse().expect("ASCII header"),
        );
    }
    resp
}

fn unauthorized(message: &str) -> Response {
    graph_error(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
    )
}

/// The caller of a Graph route, or Graph's refusal. `any_of`: the delegated permissions any one
/// of which allows the call.
pub fn caller(app: &AppState, headers: &HeaderMap, any_of: &[&str]) -> Result<Caller, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or("");
    if token.is_empty() {
        return Err(unauthorized("Access token is empty."));
    }
    let claims: Value = app
        .keys
        .verify(token)
        .map_err(|_| unauthorized("Access token validation failure. Invalid signature."))?;
    let aud = claims["aud"].as_str().unwrap_or("");
    if aud != GRAPH_RESOURCE && aud != GRAPH_APP_ID && aud != format!("{GRAPH_RESOURCE}/") {
        return Err(unauthorized(
            "Access token validation failure. Invalid audience.",
        ));
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if claims["exp"].as_i64().unwrap_or(0) <= now {
        return Err(unauthorized(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    let scopes: Vec<String> = claims["scp"]
        .as_str()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if !any_of
        .iter()
        .any(|need| scopes.iter().any(|s| s.eq_ignore_ascii_case(need)))
    {
        return Err(graph_error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ));
    }
    Ok(Caller {
        oid: claims["oid"].as_str().unwrap_or("").to_string(),
        tid: claims["tid"].as_str().unwrap_or("").to_string(),
    })
}
