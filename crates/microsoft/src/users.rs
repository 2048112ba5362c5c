//! The Exchange Online side of a mailbox, read from Graph users: which user has an address as its
//! primary SMTP address (`mail`) or among its `proxyAddresses`, and which licences it holds
//! (`assignedLicenses` against the tenant's `subscribedSkus` service plans).
//! Sources (Graph v1.0 reference, "user resource type"): `mail` supports `$filter` with `eq` and
//! `in`; `proxyAddresses` needs `any` (`proxyAddresses/any(x:x eq 'smtp:…')`); `assignedLicenses`
//! and `proxyAddresses` are returned only with `$select`. "assignedLicense resource type":
//! `{skuId, disabledPlans}`, the disabled plans being `servicePlans.servicePlanId` of
//! `subscribedSkus`.
use serde::{Deserialize, Serialize};

use crate::skus::SubscribedSku;
use crate::{Graph, Result};

/// What a 403 asks for: reading other users' mail and licences (Graph "List users": User.Read.All
/// is the least-privileged delegated permission).
const NEEDS: &str = "User.Read.All";

/// Values per `in (…)` clause. ASSUMPTION: Graph's known-issues page limits `in` to 15 values on
/// directory objects; the exact limit for `mail` is UNCONFIRMED, so a larger set is split.
pub const IN_CLAUSE_LIMIT: usize = 15;

/// Service plans that give a user an Exchange Online mailbox. ASSUMPTION: the plan names of
/// Exchange Online (Plan 1), (Plan 2), Kiosk and Essentials from Microsoft's licensing service-plan
/// reference; the list is UNCONFIRMED for every SKU (EXCHANGE_S_FOUNDATION is not a mailbox).
pub const EXCHANGE_MAILBOX_PLANS: &[&str] = &[
    "EXCHANGE_S_STANDARD",
    "EXCHANGE_S_ENTERPRISE",
    "EXCHANGE_S_DESKLESS",
    "EXCHANGE_S_ESSENTIALS",
];

/// One licence of a user.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AssignedLicense {
    pub sku_id: String,
    #[serde(default)]
    pub disabled_plans: Vec<String>,
}

/// A user, the fields the mailbox checks read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MailUser {
    pub id: String,
    #[serde(default)]
    pub user_principal_name: String,
    /// The primary SMTP address; `None` for a user without a mailbox.
    pub mail: Option<String>,
    /// `SMTP:` (primary) and `smtp:` (secondary) addresses.
    #[serde(default)]
    pub proxy_addresses: Vec<String>,
    /// `false` for a shared mailbox's user (Exchange disables its account).
    #[serde(default)]
    pub account_enabled: Option<bool>,
    #[serde(default)]
    pub assigned_licenses: Vec<AssignedLicense>,
}

const SELECT: &str = "id,userPrincipalName,mail,proxyAddresses,accountEnabled,assignedLicenses";

fn quoted(s: &str) -> String {
    // OData string literal: a quote is doubled.
    format!("'{}'", s.replace('\'', "''"))
}

fn query(filter: &str) -> String {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("$filter", filter)
        .append_pair("$select", SELECT)
        .finish();
    format!("/users?{}", q.replace('+', "%20"))
}

/// The users whose primary SMTP address is one of `addresses`: one request per
/// [`IN_CLAUSE_LIMIT`] addresses.
pub async fn by_mail(graph: &Graph, addresses: &[&str]) -> Result<Vec<MailUser>> {
    let mut out = Vec::new();
    for chunk in addresses.chunks(IN_CLAUSE_LIMIT) {
        let list = chunk
            .iter()
            .map(|a| quoted(a))
            .collect::<Vec<_>>()
            .join(",");
        let rows = graph
            .get_all(&query(&format!("mail in ({list})")), NEEDS)
            .await?;
        out.extend(
            rows.into_iter()
                .filter_map(|v| serde_json::from_value::<MailUser>(v).ok()),
        );
    }
    Ok(out)
}

/// The user that has `address` among its proxy addresses (primary or secondary), if any.
pub async fn by_proxy_address(graph: &Graph, address: &str) -> Result<Option<MailUser>> {
    let rows = graph
        .get_all(
            &query(&format!(
                "proxyAddresses/any(x:x eq {})",
                quoted(&format!("smtp:{address}"))
            )),
            NEEDS,
        )
        .await?;
    Ok(rows
        .into_iter()
        .find_map(|v| serde_json::from_value::<MailUser>(v).ok()))
}

impl MailUser {
    /// Whether `address` is this user's primary SMTP address.
    pub fn has_primary(&self, address: &str) -> bool {
        self.mail
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case(address))
    }

    /// The SKUs of this user's licences that carry an enabled Exchange Online mailbox plan.
    pub fn exchange_licences<'a>(&self, skus: &'a [SubscribedSku]) -> Vec<&'a SubscribedSku> {
        self.assigned_licenses
            .iter()
            .filter_map(|l| {
                skus.iter()
                    .find(|s| s.sku_id.eq_ignore_ascii_case(&l.sku_id))
                    .map(|s| (l, s))
            })
            .filter(|(l, s)| {
                s.service_plans.iter().any(|p| {
                    EXCHANGE_MAILBOX_PLANS
                        .iter()
                        .any(|n| p.service_plan_name.eq_ignore_ascii_case(n))
                        && !l
                            .disabled_plans
                            .iter()
                            .any(|d| d.eq_ignore_ascii_case(&p.service_plan_id))
                })
            })
            .map(|(_, s)| s)
            .collect()
    }

    /// Part numbers of this user's licences (for "saw" lines), `skuId` when the SKU is unknown.
    pub fn licence_names(&self, skus: &[SubscribedSku]) -> Vec<String> {
        self.assigned_licenses
            .iter()
            .map(|l| {
                skus.iter()
                    .find(|s| s.sku_id.eq_ignore_ascii_case(&l.sku_id))
                    .map(|s| s.sku_part_number.clone())
                    .unwrap_or_else(|| l.sku_id.clone())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skus::ServicePlan;

    fn e3() -> SubscribedSku {
        SubscribedSku {
            sku_id: "6fd2c87f-b296-42f0-b197-1e91e994b900".into(),
            sku_part_number: "ENTERPRISEPACK".into(),
            capability_status: "Enabled".into(),
            service_plans: vec![
                ServicePlan {
                    service_plan_id: "efb87545-963c-4e0d-99df-69c6916d9eb0".into(),
                    service_plan_name: "EXCHANGE_S_ENTERPRISE".into(),
                },
                ServicePlan {
                    service_plan_id: "57ff2da0-773e-42df-b2af-ffb7a2317929".into(),
                    service_plan_name: "TEAMS1".into(),
                },
            ],
        }
    }

    fn user(disabled: &[&str]) -> MailUser {
        MailUser {
            mail: Some("User00007@contoso.com".into()),
            assigned_licenses: vec![AssignedLicense {
                sku_id: e3().sku_id,
                disabled_plans: disabled.iter().map(|s| s.to_string()).collect(),
            }],
            ..MailUser::default()
        }
    }

    #[test]
    fn a_licence_counts_only_while_its_exchange_plan_is_enabled() {
        let skus = [e3()];
        assert_eq!(user(&[]).exchange_licences(&skus).len(), 1);
        assert_eq!(
            user(&["57ff2da0-773e-42df-b2af-ffb7a2317929"])
                .exchange_licences(&skus)
                .len(),
            1,
            "Teams off leaves Exchange"
        );
        assert!(
            user(&["EFB87545-963C-4E0D-99DF-69C6916D9EB0"])
                .exchange_licences(&skus)
                .is_empty(),
            "Exchange turned off"
        );
        assert!(MailUser::default().exchange_licences(&skus).is_empty());
        assert!(
            user(&[]).exchange_licences(&[]).is_empty(),
            "an unknown SKU proves nothing"
        );
        assert_eq!(user(&[]).licence_names(&skus), ["ENTERPRISEPACK"]);
    }

    #[test]
    fn the_primary_address_compares_without_case_and_queries_are_encoded() {
        assert!(user(&[]).has_primary("user00007@CONTOSO.com"));
        assert!(!user(&[]).has_primary("user00008@contoso.com"));
        let q = query("mail in ('o''brien@contoso.com')");
        assert_eq!(q, "/users?%24filter=mail%20in%20%28%27o%27%27brien%40contoso.com%27%29&%24select=id%2CuserPrincipalName%2Cmail%2CproxyAddresses%2CaccountEnabled%2CassignedLicenses");
    }
}
