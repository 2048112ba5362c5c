//! The Dynamics CRM service principal (appId `00000007-0000-0000-c000-000000000000`) with Graph's
//! semantics (ms-api.md §5.5, §5.6, G-SP): list by `$filter=appId eq '…'` (keyCredentials' `key`
//! is null in collections), single-object GET (the `key` only with `$select=keyCredentials`),
//! PATCH replacing `keyCredentials` / `servicePrincipalNames` (204 No Content).
// Handlers answer refusals as ready HTTP responses, as axum does; their size is no concern here.
#![allow(clippy::result_large_err)]
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::auth::{caller, graph_error, Caller};
use crate::identity::users::GLOBAL_ADMINISTRATOR;
use crate::server::AppState;
use crate::state::lock;

/// The Dynamics CRM / Dataverse first-party application (ms-api.md §2.5).
pub const CRM_APP_ID: &str = "00000007-0000-0000-c000-000000000000";

/// Reading service principals (ms-api.md §2.4 lists the write permissions; reads by the same
/// family are assumed).
const READ_SP: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// PATCH servicePrincipal (ms-api.md §2.4, G-SP).
const WRITE_SP: &[&str] = &[
    "Application.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];

/// The directory role a delegated caller needs to change the first-party CRM principal.
/// ASSUMPTION (ms-api.md §2.4 and open question 5: UNCONFIRMED which role suffices; D-EXO still
/// says Global Administrator), so only Global Administrator is accepted.
pub const ROLE_FOR_CRM_SP: (&str, &str) = GLOBAL_ADMINISTRATOR;

/// Graph's error code for a malformed `keyCredentials` value. ASSUMPTION: ms-api.md does not give
/// the exact 400 body; Graph's generic bad-request code is used.
pub const BAD_KEY_CREDENTIAL_CODE: &str = "Request_BadRequest";

/// How long Graph makes a key valid when `endDateTime` is missing: one year after
/// `startDateTime` (ms-api.md §5.5, G-SP how-to).
pub const DEFAULT_KEY_LIFETIME_DAYS: i64 = 365;

/// One stored keyCredential (ms-api.md §5.6).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredKey {
    pub key_id: String,
    pub custom_key_identifier: String,
    pub display_name: Option<String>,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    /// Base64 of the DER certificate.
    pub key: String,
    pub key_type: String,
    pub usage: String,
}

/// The CRM service principal of one tenant.
#[derive(Debug, Clone, Serialize)]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub service_principal_names: Vec<String>,
    pub key_credentials: Vec<StoredKey>,
}

/// Every tenant's CRM service principal, seeded on first use.
#[derive(Debug, Default)]
pub struct ServicePrincipals {
    by_tenant: Mutex<HashMap<String, ServicePrincipal>>,
    patches: Mutex<Vec<Value>>,
}

impl ServicePrincipals {
    /// The tenant's CRM service principal (seeded with one expired key so pruning is exercised).
    pub fn crm(&self, tenant_id: &str) -> ServicePrincipal {
        lock(&self.by_tenant)
            .entry(tenant_id.to_string())
            .or_insert_with(|| seed(tenant_id))
            .clone()
    }

    pub fn set_crm(&self, tenant_id: &str, sp: ServicePrincipal) {
        lock(&self.by_tenant).insert(tenant_id.to_string(), sp);
    }

    /// Every PATCH body accepted, in order (tests check what the client sent).
    pub fn patches(&self) -> Vec<Value> {
        lock(&self.patches).clone()
    }
}

fn seed(tenant_id: &str) -> ServicePrincipal {
    let expired = expired_seed_certificate();
    let start =
        OffsetDateTime::from_unix_timestamp(1_672_531_200).unwrap_or(OffsetDateTime::UNIX_EPOCH); // 2023-01-01
    let end =
        OffsetDateTime::from_unix_timestamp(1_704_067_200).unwrap_or(OffsetDateTime::UNIX_EPOCH); // 2024-01-01
    let mut keys = Vec::new();
    if let Some(der) = expired {
        keys.push(StoredKey {
            key_id: "6c1d2a3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d".into(),
            custom_key_identifier: thumbprint(&der),
            display_name: Some("CN=Dynamics365-S2S-2023".into()),
            start,
            end,
            key: base64::engine::general_purpose::STANDARD.encode(&der),
            key_type: "AsymmetricX509Cert".into(),
            usage: "Verify".into(),
        });
    }
    ServicePrincipal {
        id: format!("5f1e0d2c-{}", &tenant_id[9.min(tenant_id.len())..]),
        app_id: CRM_APP_ID.into(),
        display_name: "Dataverse".into(),
        service_principal_names: vec![
            format!("{CRM_APP_ID}/*.crm.dynamics.com"),
            "Microsoft.CRM".into(),
        ],
        key_credentials: keys,
    }
}

/// A certificate that expired on 2024-01-01 (a year's key left behind by an earlier setup).
fn expired_seed_certificate() -> Option<Vec<u8>> {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).ok()?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Dynamics365-S2S-2023");
    params.not_before = OffsetDateTime::from_unix_timestamp(1_672_531_200).ok()?;
    params.not_after = OffsetDateTime::from_unix_timestamp(1_704_067_200).ok()?;
    let key = rcgen::KeyPair::generate().ok()?;
    Some(params.self_signed(&key).ok()?.der().to_vec())
}

fn thumbprint(der: &[u8]) -> String {
    Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

fn stamp(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn key_json(k: &StoredKey, with_key: bool) -> Value {
    json!({
        "customKeyIdentifier": k.custom_key_identifier,
        "displayName": k.display_name,
        "endDateTime": stamp(k.end),
        "key": if with_key { Value::String(k.key.clone()) } else { Value::Null },
        "keyId": k.key_id,
        "startDateTime": stamp(k.start),
        "type": k.key_type,
        "usage": k.usage,
    })
}

fn sp_json(sp: &ServicePrincipal, with_key: bool, select: Option<&[String]>) -> Value {
    let full = json!({
        "id": sp.id,
        "appId": sp.app_id,
        "displayName": sp.display_name,
        "accountEnabled": true,
        "servicePrincipalType": "Application",
        "servicePrincipalNames": sp.service_principal_names,
        "keyCredentials": sp.key_credentials.iter().map(|k| key_json(k, with_key)).collect::<Vec<_>>(),
    });
    match select {
        None => full,
        Some(fields) => {
            let mut out = serde_json::Map::new();
            for f in fields {
                if let Some(v) = full.get(f.as_str()) {
                    out.insert(f.clone(), v.clone());
                }
            }
            Value::Object(out)
        }
    }
}

fn select_of(q: &HashMap<String, String>) -> Option<Vec<String>> {
    q.get("$select").map(|s| {
        s.split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect()
    })
}

fn auth(app: &AppState, headers: &HeaderMap, perms: &[&str]) -> Result<Caller, Response> {
    caller(app, headers, perms)
}

// ms-api.md §5.5 step 1 (G-SP): GET /servicePrincipals?$filter=appId eq '…'; `key` is null in lists (§5.6).
pub async fn list(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = match auth(&app, &headers, READ_SP) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let sp = app.sim.service_principals.crm(&c.tid);
    let matches = match q.get("$filter") {
        None => true,
        Some(f) => match parse_app_id_filter(f) {
            Some(app_id) => app_id.eq_ignore_ascii_case(&sp.app_id),
            None => {
                return graph_error(
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    &format!("Unsupported or invalid query filter clause specified for property 'appId' of resource 'ServicePrincipal': {f}"),
                )
            }
        },
    };
    let select = select_of(&q);
    let value: Vec<Value> = if matches {
        vec![sp_json(&sp, false, select.as_deref())]
    } else {
        Vec::new()
    };
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#servicePrincipals", app.base_url),
        "value": value,
    }))
    .into_response()
}

/// `appId eq '<guid>'` → the GUID.
fn parse_app_id_filter(f: &str) -> Option<String> {
    let rest = f
        .trim()
        .strip_prefix("appId")?
        .trim_start()
        .strip_prefix("eq")?
        .trim();
    let inner = rest.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.to_string())
}

fn not_found(id: &str) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

// ms-api.md §5.6 (G-SP): GET /servicePrincipals/{id}; the key only with $select=keyCredentials.
pub async fn get_one(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = match auth(&app, &headers, READ_SP) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let sp = app.sim.service_principals.crm(&c.tid);
    if !id.eq_ignore_ascii_case(&sp.id) {
        return not_found(&id);
    }
    let select = select_of(&q);
    let with_key = select
        .as_ref()
        .is_some_and(|s| s.iter().any(|f| f == "keyCredentials"));
    let mut body = sp_json(&sp, with_key, select.as_deref());
    if let Value::Object(m) = &mut body {
        m.insert(
            "@odata.context".into(),
            json!(format!(
                "{}/v1.0/$metadata#servicePrincipals/$entity",
                app.base_url
            )),
        );
    }
    Json(body).into_response()
}

fn bad_request(message: &str) -> Response {
    graph_error(StatusCode::BAD_REQUEST, BAD_KEY_CREDENTIAL_CODE, message)
}

// ms-api.md §5.5 steps 3–4 (G-SP): PATCH /servicePrincipals/{id} → 204, replacing the lists given.
pub async fn patch(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let c = match auth(&app, &headers, WRITE_SP) {
        Ok(c) => c,
        Err(r) => return r,
    };
    // Delegated calls act with the user's own privileges: without the role Graph refuses.
    let holds_role = app.sim.find_user_by_id(&c.oid).is_some_and(|u| {
        u.roles
            .iter()
            .any(|r| r.role_template_id == ROLE_FOR_CRM_SP.1)
    });
    if !holds_role {
        return graph_error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
    }
    let mut sp = app.sim.service_principals.crm(&c.tid);
    if !id.eq_ignore_ascii_case(&sp.id) {
        return not_found(&id);
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
    };
    if let Some(list) = v.get("keyCredentials") {
        match key_list(list, &sp.key_credentials) {
            Ok(keys) => sp.key_credentials = keys,
            Err(msg) => return bad_request(&msg),
        }
    }
    if let Some(names) = v.get("servicePrincipalNames") {
        let Some(arr) = names.as_array() else {
            return bad_request("Invalid value specified for property 'servicePrincipalNames' of resource 'ServicePrincipal'.");
        };
        let mut out = Vec::new();
        for n in arr {
            match n.as_str() {
                Some(s) if !s.trim().is_empty() => out.push(s.to_string()),
                _ => return bad_request("Invalid value specified for property 'servicePrincipalNames' of resource 'ServicePrincipal'."),
            }
        }
        sp.service_principal_names = out;
    }
    lock(&app.sim.service_principals.patches).push(v);
    app.sim.service_principals.set_crm(&c.tid, sp);
    StatusCode::NO_CONTENT.into_response()
}

/// The new list from a PATCH: entries without `key` keep the stored key of the same `keyId`.
fn key_list(list: &Value, existing: &[StoredKey]) -> Result<Vec<StoredKey>, String> {
    let invalid = |why: &str| {
        format!("Invalid value specified for property 'keyCredentials' of resource 'ServicePrincipal'. {why}")
    };
    let arr = list
        .as_array()
        .ok_or_else(|| invalid("It must be an array."))?;
    let mut out = Vec::new();
    for item in arr {
        let key_id = item
            .get("keyId")
            .and_then(Value::as_str)
            .map(str::to_string);
        let stored = key_id
            .as_ref()
            .and_then(|id| existing.iter().find(|k| &k.key_id == id));
        let key = match item.get("key").and_then(Value::as_str) {
            Some(k) => {
                let der = base64::engine::general_purpose::STANDARD
                    .decode(k.trim())
                    .map_err(|_| invalid("The key is not valid base64."))?;
                if der.len() < 64 || der[0] != 0x30 {
                    return Err(invalid("The key is not a DER-encoded X.509 certificate."));
                }
                k.trim().to_string()
            }
            None => match stored {
                Some(s) => s.key.clone(),
                None => {
                    return Err(invalid(
                        "A key credential without a key must name an existing keyId.",
                    ))
                }
            },
        };
        let date = |field: &str| -> Result<Option<OffsetDateTime>, String> {
            match item.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => OffsetDateTime::parse(s, &Rfc3339)
                    .map(Some)
                    .map_err(|_| invalid(&format!("{field} '{s}' is not an ISO 8601 date-time."))),
                Some(_) => Err(invalid(&format!("{field} must be a string."))),
            }
        };
        let start = date("startDateTime")?
            .or(stored.map(|s| s.start))
            .unwrap_or_else(OffsetDateTime::now_utc);
        let end = date("endDateTime")?
            .or(stored.map(|s| s.end))
            .unwrap_or(start + time::Duration::days(DEFAULT_KEY_LIFETIME_DAYS));
        if end <= start {
            return Err(invalid("endDateTime must be later than startDateTime."));
        }
        let key_type = item
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("AsymmetricX509Cert");
        if !["AsymmetricX509Cert", "Symmetric", "X509CertAndPassword"].contains(&key_type) {
            return Err(invalid(&format!("type '{key_type}' is not supported.")));
        }
        let usage = item
            .get("usage")
            .and_then(Value::as_str)
            .unwrap_or("Verify");
        if !["Verify", "Sign"].contains(&usage) {
            return Err(invalid(&format!("usage '{usage}' is not supported.")));
        }
        let der = base64::engine::general_purpose::STANDARD
            .decode(&key)
            .unwrap_or_default();
        out.push(StoredKey {
            key_id: key_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            // ms-api.md §5.6: defaults to the certificate's thumbprint.
            custom_key_identifier: item
                .get("customKeyIdentifier")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| thumbprint(&der)),
            display_name: item
                .get("displayName")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| stored.and_then(|s| s.display_name.clone())),
            start,
            end,
            key,
            key_type: key_type.to_string(),
            usage: usage.to_string(),
        });
    }
    Ok(out)
}
