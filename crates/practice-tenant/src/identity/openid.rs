//! `/{tenant}/v2.0/.well-known/openid-configuration` and `/{tenant}/.well-known/openid-configuration`
//! with Microsoft's full field set (ms-api.md §1.1, E-OIDC and the 3P dumps it cites).
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::server::AppState;

/// The `error` value Microsoft returns with AADSTS90002 on this document is UNCONFIRMED
/// (ms-api.md §1.1): clients must key on `AADSTS90002` in `error_description` instead.
pub const UNKNOWN_TENANT_ERROR: &str = "invalid_tenant";

/// The multi-tenant aliases, whose issuer holds the `{tenantid}` placeholder (ms-api.md §1.1).
const ALIASES: &[&str] = &["common", "organizations", "consumers"];

pub async fn v2(State(app): State<Arc<AppState>>, Path(tenant): Path<String>) -> Response {
    if app.sim.faults().openid_v2_missing {
        return (StatusCode::NOT_FOUND, "").into_response();
    }
    answer(&app, &tenant, Form::V2).await
}

pub async fn v1(State(app): State<Arc<AppState>>, Path(tenant): Path<String>) -> Response {
    answer(&app, &tenant, Form::V1).await
}

#[derive(Clone, Copy)]
enum Form {
    V1,
    V2,
}

async fn answer(app: &AppState, key: &str, form: Form) -> Response {
    let faults = app.sim.faults();
    if let Some(d) = faults.openid_delay {
        tokio::time::sleep(d).await;
    }
    if faults.openid_malformed {
        return (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"token_endpoint\":\"https://",
        )
            .into_response();
    }
    let lower = key.to_ascii_lowercase();
    let tid = if ALIASES.contains(&lower.as_str()) {
        "{tenantid}".to_string()
    } else {
        match app.sim.find_tenant(&lower) {
            Some(t) => t.id,
            None => return unknown_tenant(key),
        }
    };
    let region = app
        .sim
        .find_tenant(&lower)
        .map(|t| t.region_scope)
        .unwrap_or_else(|| "WW".into());
    let path_tenant = if tid.starts_with('{') {
        lower.clone()
    } else {
        tid.clone()
    };
    let doc = match form {
        Form::V2 => v2_document(&app.base_url, &app.graph_host, &tid, &path_tenant, &region),
        Form::V1 => v1_document(&app.base_url, &app.graph_host, &tid, &path_tenant, &region),
    };
    Json(doc).into_response()
}

fn v2_document(base: &str, graph: &str, tid: &str, t: &str, region: &str) -> Value {
    json!({
        "token_endpoint": format!("{base}/{t}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{t}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{tid}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("https://{graph}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{t}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": format!("{base}/{t}/kerberos"),
        "tenant_region_scope": region,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": graph,
        "rbac_url": "https://pas.windows.net"
    })
}

/// The v1 issuer stays `https://sts.windows.net/{tid}/` whatever host serves it (ms-api.md §1.1).
fn v1_document(base: &str, graph: &str, tid: &str, t: &str, region: &str) -> Value {
    json!({
        "token_endpoint": format!("{base}/{t}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/common/discovery/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": format!("https://sts.windows.net/{tid}/"),
        "microsoft_multi_refresh_token": true,
        "authorization_endpoint": format!("{base}/{t}/oauth2/authorize"),
        "device_authorization_endpoint": format!("{base}/{t}/oauth2/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{t}/oauth2/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname"],
        "check_session_iframe": format!("{base}/{t}/oauth2/checksession"),
        "userinfo_endpoint": format!("{base}/{t}/openid/userinfo"),
        "kerberos_endpoint": format!("{base}/{t}/kerberos"),
        "tenant_region_scope": region,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": graph,
        "rbac_url": "https://pas.windows.net"
    })
}

/// HTTP 400 with AADSTS90002 in `error_description` and `error_codes: [90002]` (ms-api.md §1.1).
fn unknown_tenant(key: &str) -> Response {
    super::errors::bad_request(
        UNKNOWN_TENANT_ERROR,
        90002,
        &format!("Tenant '{key}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."),
    )
}
