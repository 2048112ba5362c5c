//! The tenant's subscriptions over Graph `GET /subscribedSkus` (ms-api.md §4, G-ORG): `$select`
//! only (the API has no `$filter`, so the Hybrid Connector is found on this side).
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Graph, Result};

/// The Dynamics 365 Hybrid Connector's `skuPartNumber`. ASSUMPTION (ms-api.md §4): from
/// third-party SKU lists, not Microsoft's licensing CSV (UNCONFIRMED).
pub const HYBRID_CONNECTOR_SKU: &str = "CRM_HYBRIDCONNECTOR";

/// What a 403 asks for. ASSUMPTION (ms-api.md §2.4): the permission table is UNCONFIRMED;
/// Organization.Read.All is among the likely ones.
const NEEDS: &str = "Organization.Read.All";

/// One subscription, the fields the wizard reads.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SubscribedSku {
    pub sku_id: String,
    pub sku_part_number: String,
    /// `Enabled`, `Suspended`, `LockedOut`, `Warning`, …
    pub capability_status: String,
    /// The SKU's service plans (G-ORG: `servicePlans` of servicePlanInfo), e.g. Exchange Online.
    #[serde(default)]
    pub service_plans: Vec<ServicePlan>,
}

/// One service plan of a SKU (Graph servicePlanInfo), the fields the licence check reads.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServicePlan {
    pub service_plan_id: String,
    pub service_plan_name: String,
}

pub async fn subscribed_skus(graph: &Graph) -> Result<Vec<SubscribedSku>> {
    let rows = graph
        .get_all(
            "/subscribedSkus?$select=skuId,skuPartNumber,capabilityStatus,servicePlans",
            NEEDS,
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

/// ms-api.md §4 detection rule: `skuPartNumber == "CRM_HYBRIDCONNECTOR" && capabilityStatus == "Enabled"`.
pub fn hybrid_connector(skus: &[SubscribedSku]) -> Option<&SubscribedSku> {
    skus.iter().find(|s| {
        s.sku_part_number.eq_ignore_ascii_case(HYBRID_CONNECTOR_SKU)
            && s.capability_status == "Enabled"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sku(part: &str, status: &str) -> SubscribedSku {
        SubscribedSku {
            sku_id: "x".into(),
            sku_part_number: part.into(),
            capability_status: status.into(),
            service_plans: vec![],
        }
    }

    #[test]
    fn only_an_enabled_connector_counts() {
        assert!(hybrid_connector(&[
            sku("ENTERPRISEPACK", "Enabled"),
            sku("CRM_HYBRIDCONNECTOR", "Enabled")
        ])
        .is_some());
        assert!(hybrid_connector(&[sku("CRM_HYBRIDCONNECTOR", "Suspended")]).is_none());
        assert!(hybrid_connector(&[sku("ENTERPRISEPACK", "Enabled")]).is_none());
    }
}
