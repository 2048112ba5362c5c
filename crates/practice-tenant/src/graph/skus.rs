//! `GET /v1.0/subscribedSkus` (ms-api.md §4, G-ORG): the tenant's subscriptions, `$select` only
//! (`$filter` is not supported and answers 400). Every practice tenant starts with Office 365 E3
//! (Exchange Online plan 2) and the free Dynamics 365 Hybrid Connector; a scenario removes the
//! connector, as in a tenant where nobody "purchased" it (seed 002).
// Handlers answer refusals as ready HTTP responses, as axum does; their size is no concern here.
#![allow(clippy::result_large_err)]
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::auth::{caller, graph_error};
use crate::server::AppState;
use crate::state::lock;

/// ms-api.md §4: the Hybrid Connector's `skuPartNumber`. ASSUMPTION: from third-party SKU lists
/// only (UNCONFIRMED in Microsoft's licensing CSV).
pub const HYBRID_CONNECTOR_SKU: &str = "CRM_HYBRIDCONNECTOR";
/// The skuId the practice tenant gives the connector. ASSUMPTION: the real GUID is UNCONFIRMED.
const HYBRID_CONNECTOR_SKU_ID: &str = "de176c31-616d-4eae-829a-718918d7ec23";
/// Office 365 E3 (ENTERPRISEPACK) with Exchange Online (Plan 2), a common SKU for the mailboxes.
pub(crate) const E3_SKU_ID: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
/// E3's Exchange Online (Plan 2) service plan, EXCHANGE_S_ENTERPRISE.
pub(crate) const EXCHANGE_ENTERPRISE_PLAN_ID: &str = "efb87545-963c-4e0d-99df-69c6916d9eb0";

/// The permissions that read subscribedSkus. ASSUMPTION: ms-api.md §2.4 marks the permission
/// table UNCONFIRMED ("likely LicenseAssignment.Read.All / Organization.Read.All /
/// Directory.Read.All"); all three are accepted.
const READ_SKUS: &[&str] = &[
    "Organization.Read.All",
    "LicenseAssignment.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// The subscriptions per tenant; a tenant not yet asked for starts with the defaults.
#[derive(Debug, Default)]
pub struct Skus {
    without_connector: Mutex<HashMap<String, ()>>,
}

impl Skus {
    /// Whether the tenant holds the Hybrid Connector (enabled).
    pub fn has_hybrid_connector(&self, tenant_id: &str) -> bool {
        !lock(&self.without_connector).contains_key(&tenant_id.to_ascii_lowercase())
    }

    /// Gives or takes the tenant's Hybrid Connector (a scenario; "purchasing" it in the admin center).
    pub fn set_hybrid_connector(&self, tenant_id: &str, present: bool) {
        let key = tenant_id.to_ascii_lowercase();
        let mut m = lock(&self.without_connector);
        if present {
            m.remove(&key);
        } else {
            m.insert(key, ());
        }
    }

    fn list(&self, tenant_id: &str) -> Vec<Value> {
        let mut v = vec![json!({
            "accountId": tenant_id, "accountName": "Contoso", "appliesTo": "User", "capabilityStatus": "Enabled",
            "consumedUnits": 253, "id": format!("{tenant_id}_{E3_SKU_ID}"), "skuId": E3_SKU_ID, "skuPartNumber": "ENTERPRISEPACK",
            "subscriptionIds": ["a1b2c3d4-0000-4000-8000-000000000e30"],
            "prepaidUnits": {"enabled": 300, "suspended": 0, "warning": 0, "lockedOut": 0},
            "servicePlans": [
                {"servicePlanId": EXCHANGE_ENTERPRISE_PLAN_ID, "servicePlanName": "EXCHANGE_S_ENTERPRISE", "provisioningStatus": "Success", "appliesTo": "User"},
                {"servicePlanId": "57ff2da0-773e-42df-b2af-ffb7a2317929", "servicePlanName": "TEAMS1", "provisioningStatus": "Success", "appliesTo": "User"},
            ],
        })];
        if self.has_hybrid_connector(tenant_id) {
            v.push(json!({
                "accountId": tenant_id, "accountName": "Contoso", "appliesTo": "Company", "capabilityStatus": "Enabled",
                "consumedUnits": 0, "id": format!("{tenant_id}_{HYBRID_CONNECTOR_SKU_ID}"), "skuId": HYBRID_CONNECTOR_SKU_ID,
                "skuPartNumber": HYBRID_CONNECTOR_SKU, "subscriptionIds": ["a1b2c3d4-0000-4000-8000-0000000c0de0"],
                "prepaidUnits": {"enabled": 1, "suspended": 0, "warning": 0, "lockedOut": 0},
                "servicePlans": [],
            }));
        }
        v
    }
}

// ms-api.md §4 (G-ORG): GET /subscribedSkus; `$select` only, `$filter` not supported.
pub async fn list(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = match caller(&app, &headers, READ_SKUS) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if q.contains_key("$filter") {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            "Unsupported Query: $filter is not supported on subscribedSkus.",
        );
    }
    let select: Option<Vec<String>> = q.get("$select").map(|s| {
        s.split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect()
    });
    let rows: Vec<Value> = app
        .sim
        .skus
        .list(&c.tid)
        .into_iter()
        .map(|row| match (&select, row) {
            (Some(fields), Value::Object(m)) => {
                let picked: Map<String, Value> = m
                    .into_iter()
                    .filter(|(k, _)| fields.iter().any(|f| f == k))
                    .collect();
                Value::Object(picked)
            }
            (_, row) => row,
        })
        .collect();
    Json(json!({"@odata.context": format!("{}/v1.0/$metadata#subscribedSkus", app.base_url), "value": rows})).into_response()
}
