//! `/v1.0/me`, `/v1.0/me/transitiveMemberOf` (directoryRole entries) and `/v1.0/organization`.
// Handlers answer refusals as ready HTTP responses, as axum does; their size is no concern here.
#![allow(clippy::result_large_err)]
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::auth::{caller, graph_error, Caller};
use crate::identity::users::TestUser;
use crate::server::AppState;

const READ_ME: &[&str] = &[
    "User.Read",
    "User.ReadWrite",
    "User.Read.All",
    "Directory.Read.All",
    "Directory.AccessAsUser.All",
];
/// Reading the signed-in user's directory roles (ms-api.md §2.4 "directory role read"; which
/// permission Graph requires for directoryRole entries is UNCONFIRMED there, so the simulator accepts these).
const READ_ROLES: &[&str] = &[
    "RoleManagement.Read.Directory",
    "Directory.Read.All",
    "Directory.AccessAsUser.All",
];
const READ_ORG: &[&str] = &["User.Read", "Organization.Read.All", "Directory.Read.All"];

fn user_of(app: &AppState, c: &Caller) -> Result<TestUser, Response> {
    app.sim.find_user_by_id(&c.oid).ok_or_else(|| {
        graph_error(StatusCode::NOT_FOUND, "Request_ResourceNotFound", &format!("Resource '{}' does not exist or one of its queried reference-property objects are not present.", c.oid))
    })
}

// Graph v1.0 user resource: GET /me.
pub async fn me(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let c = match caller(&app, &headers, READ_ME) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let u = match user_of(&app, &c) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let base = &app.base_url;
    Json(json!({
        "@odata.context": format!("{base}/v1.0/$metadata#users/$entity"),
        "id": u.id,
        "displayName": u.display_name,
        "userPrincipalName": u.user_principal_name,
        "mail": u.user_principal_name,
        "businessPhones": [],
        "givenName": null,
        "surname": null,
        "jobTitle": null,
        "officeLocation": null,
        "preferredLanguage": "en-US",
    }))
    .into_response()
}

// Graph v1.0 user-list-transitivememberof: directoryRole entries with displayName and roleTemplateId
// (issue 3; ms-api.md §2.4 names the roles each operation needs).
pub async fn transitive_member_of(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    let c = match caller(&app, &headers, READ_ROLES) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let u = match user_of(&app, &c) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let mut value: Vec<_> = u
        .roles
        .iter()
        .map(|r| {
            json!({
                "@odata.type": "#microsoft.graph.directoryRole",
                "id": format!("{}-{}", &r.role_template_id[..8], &c.tid[9..]),
                "deletedDateTime": null,
                "description": format!("Practice copy of the built-in role {}.", r.display_name),
                "displayName": r.display_name,
                "roleTemplateId": r.role_template_id,
            })
        })
        .collect();
    // A group, as real answers mix groups and roles; clients must pick the directoryRole entries.
    value.push(json!({
        "@odata.type": "#microsoft.graph.group",
        "id": format!("9a9a9a9a-0000-4000-8000-{}", &u.id[24..]),
        "displayName": "All practice staff",
        "securityEnabled": true,
        "mailEnabled": false,
    }));
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#directoryObjects", app.base_url),
        "value": value,
    }))
    .into_response()
}

// ms-api.md §4 (G-ORG): GET /organization, a collection of one.
pub async fn organization(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let c = match caller(&app, &headers, READ_ORG) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(t) = app.sim.find_tenant(&c.tid) else {
        return graph_error(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            "The tenant does not exist.",
        );
    };
    let domains: Vec<_> = t
        .domains
        .iter()
        .enumerate()
        .map(|(i, d)| json!({"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": i + 1 == t.domains.len(), "isInitial": i == 0, "name": d, "type": "Managed"}))
        .collect();
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#organization", app.base_url),
        "value": [{"id": t.id, "displayName": t.display_name, "verifiedDomains": domains, "tenantType": "AAD"}],
    }))
    .into_response()
}
