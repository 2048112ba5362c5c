//! The Dynamics CRM service principal over Graph (ms-api.md §5.5, §5.6, G-SP): find it, read its
//! keyCredentials (the key only comes with a single-object `$select`), plan the new list the way
//! Microsoft's script does (keep, drop expired, skip a key already there, append) and PATCH it.
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use ts_rs::TS;

use crate::{Error, Graph, Result};

/// The Dynamics CRM / Dataverse first-party application (ms-api.md §2.5).
pub const CRM_APP_ID: &str = "00000007-0000-0000-c000-000000000000";

/// What a 403 asks the app registration for (ms-api.md §2.4).
const NEEDS: &str = "Application.ReadWrite.All";

/// One keyCredential as Graph returns it (ms-api.md §5.6).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct KeyCredential {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_key_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_time: Option<String>,
    /// Base64 of the DER certificate; null on collection queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(rename = "type", default)]
    pub key_type: String,
    #[serde(default)]
    pub usage: String,
}

impl KeyCredential {
    pub fn end(&self) -> Option<OffsetDateTime> {
        self.end_date_time
            .as_deref()
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
    }

    pub fn start(&self) -> Option<OffsetDateTime> {
        self.start_date_time
            .as_deref()
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
    }

    /// The non-secret summary shown in a diff (no key bytes).
    pub fn summary(&self) -> KeySummary {
        KeySummary {
            key_id: self.key_id.clone(),
            display_name: self.display_name.clone(),
            thumbprint: self.custom_key_identifier.clone(),
            start: self.start_date_time.clone(),
            end: self.end_date_time.clone(),
        }
    }
}

/// A keyCredential as the admin sees it in the diff.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct KeySummary {
    pub key_id: Option<String>,
    pub display_name: Option<String>,
    pub thumbprint: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// The CRM service principal: the fields the trust step reads.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub service_principal_names: Vec<String>,
    #[serde(default)]
    pub key_credentials: Vec<KeyCredential>,
}

/// The certificate to add, as the step read it from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct NewKey {
    /// Base64 of the DER certificate.
    pub key: String,
    pub subject: String,
    pub thumbprint: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

/// The planned keyCredentials list and what it does.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPlan {
    /// The list to PATCH.
    pub list: Vec<KeyCredential>,
    /// Expired keys left out.
    pub dropped: Vec<KeyCredential>,
    /// Whether the certificate's key is already on the principal (nothing to add).
    pub already_present: bool,
}

impl KeyPlan {
    /// Whether the PATCH would change anything.
    pub fn changes_anything(&self) -> bool {
        !self.already_present || !self.dropped.is_empty()
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// ms-api.md §5.5 step 2 (PS-SSS): keep the existing credentials (without `key` and
/// `displayName`, identified by `keyId`), drop the expired ones, skip the add when the same key
/// is there, else append `{AsymmetricX509Cert, Verify, key, displayName: subject, the
/// certificate's own NotBefore/NotAfter}` (never nulls: the script's bug, §5.5).
pub fn plan_keys(existing: &[KeyCredential], new: &NewKey, now: OffsetDateTime) -> KeyPlan {
    let mut list = Vec::new();
    let mut dropped = Vec::new();
    let mut already_present = false;
    for k in existing {
        if k.end().is_some_and(|end| end < now) {
            dropped.push(k.clone());
            continue;
        }
        let same = k.key.as_deref().is_some_and(|key| key.trim() == new.key)
            || k.custom_key_identifier
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(&new.thumbprint));
        already_present |= same;
        list.push(KeyCredential {
            key_id: k.key_id.clone(),
            custom_key_identifier: k.custom_key_identifier.clone(),
            display_name: None,
            start_date_time: k.start_date_time.clone(),
            end_date_time: k.end_date_time.clone(),
            key: None,
            key_type: k.key_type.clone(),
            usage: k.usage.clone(),
        });
    }
    if !already_present {
        list.push(KeyCredential {
            key_id: None,
            custom_key_identifier: None,
            display_name: Some(new.subject.clone()),
            start_date_time: Some(rfc3339(new.not_before)),
            end_date_time: Some(rfc3339(new.not_after)),
            key: Some(new.key.clone()),
            key_type: "AsymmetricX509Cert".into(),
            usage: "Verify".into(),
        });
    }
    KeyPlan {
        list,
        dropped,
        already_present,
    }
}

/// The servicePrincipalNames to PATCH, or `None` when every wanted name is there (ms-api.md §5.5
/// step 4: the bare appId; optionally `<appId>/*.<crm domain>`, open question 2).
pub fn plan_names(existing: &[String], crm_domain: Option<&str>) -> Option<Vec<String>> {
    let mut wanted = vec![CRM_APP_ID.to_string()];
    if let Some(d) = crm_domain.map(str::trim).filter(|d| !d.is_empty()) {
        wanted.push(format!(
            "{CRM_APP_ID}/*.{}",
            d.trim_start_matches("*.").trim_end_matches('.')
        ));
    }
    let mut out = existing.to_vec();
    let mut changed = false;
    for w in wanted {
        if !out.iter().any(|e| e.eq_ignore_ascii_case(&w)) {
            out.push(w);
            changed = true;
        }
    }
    changed.then_some(out)
}

/// ms-api.md §5.5 step 1: `GET /servicePrincipals?$filter=appId eq '…'&$select=…`.
pub async fn find_crm(graph: &Graph) -> Result<ServicePrincipal> {
    let path = format!(
        "/servicePrincipals?$filter=appId%20eq%20'{CRM_APP_ID}'&$select=id,appId,displayName,servicePrincipalNames,keyCredentials"
    );
    let found = graph.get_all(&path, NEEDS).await?;
    let first = found.into_iter().next().ok_or_else(|| Error::InvalidInput(format!(
        "the tenant has no service principal for Dynamics CRM (appId {CRM_APP_ID}). Add the Dynamics 365 Hybrid Connector to the tenant (Microsoft 365 admin center > Billing > Purchase services), then run this step again."
    )))?;
    serde_json::from_value(first).map_err(|e| Error::Http {
        url: path,
        status: 200,
        detail: format!("the service principal is not the documented JSON ({e})"),
    })
}

/// ms-api.md §5.6: the keys, read with a single-object `$select=keyCredentials` (only that gives `key`).
pub async fn read_keys(graph: &Graph, id: &str) -> Result<Vec<KeyCredential>> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Keys {
        #[serde(default)]
        key_credentials: Vec<KeyCredential>,
    }
    let k: Keys = graph
        .get_json(
            &format!("/servicePrincipals/{id}?$select=keyCredentials"),
            NEEDS,
        )
        .await?;
    Ok(k.key_credentials)
}

/// ms-api.md §5.5 step 3 (G-SP): PATCH the whole keyCredentials list (204).
pub async fn patch_keys(graph: &Graph, id: &str, list: &[KeyCredential]) -> Result<()> {
    let body = serde_json::json!({ "keyCredentials": list });
    graph
        .patch_json(&format!("/servicePrincipals/{id}"), &body, NEEDS)
        .await
}

/// ms-api.md §5.5 step 4: PATCH servicePrincipalNames (204).
pub async fn patch_names(graph: &Graph, id: &str, names: &[String]) -> Result<()> {
    let body = serde_json::json!({ "servicePrincipalNames": names });
    graph
        .patch_json(&format!("/servicePrincipals/{id}"), &body, NEEDS)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn key(id: &str, thumb: &str, end: &str, with_key: Option<&str>) -> KeyCredential {
        KeyCredential {
            key_id: Some(id.into()),
            custom_key_identifier: Some(thumb.into()),
            display_name: Some("CN=old".into()),
            start_date_time: Some("2020-01-01T00:00:00Z".into()),
            end_date_time: Some(end.into()),
            key: with_key.map(str::to_string),
            key_type: "AsymmetricX509Cert".into(),
            usage: "Verify".into(),
        }
    }

    fn new_key() -> NewKey {
        NewKey {
            key: "MIIBnew".into(),
            subject: "CN=Dynamics365-S2S".into(),
            thumbprint: "AB".repeat(20),
            not_before: datetime!(2026-01-01 0:00 UTC),
            not_after: datetime!(2028-01-01 0:00 UTC),
        }
    }

    #[test]
    fn keeps_valid_keys_without_their_bytes_drops_expired_and_appends_the_certificate_with_its_dates(
    ) {
        let now = datetime!(2026-06-01 0:00 UTC);
        let existing = [
            key("a", "11", "2025-01-01T00:00:00Z", Some("MIIold")),
            key("b", "22", "2027-01-01T00:00:00Z", Some("MIIother")),
        ];
        let p = plan_keys(&existing, &new_key(), now);
        assert_eq!(p.dropped.len(), 1);
        assert_eq!(p.dropped[0].key_id.as_deref(), Some("a"));
        assert!(!p.already_present && p.changes_anything());
        assert_eq!(p.list.len(), 2);
        assert_eq!(p.list[0].key_id.as_deref(), Some("b"));
        assert_eq!(
            p.list[0].key, None,
            "existing entries are sent by keyId, without the key"
        );
        let added = &p.list[1];
        assert_eq!(added.key.as_deref(), Some("MIIBnew"));
        assert_eq!(
            added.start_date_time.as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(added.end_date_time.as_deref(), Some("2028-01-01T00:00:00Z"));
        assert_eq!(added.display_name.as_deref(), Some("CN=Dynamics365-S2S"));
        assert_eq!(
            (added.key_type.as_str(), added.usage.as_str()),
            ("AsymmetricX509Cert", "Verify")
        );
    }

    #[test]
    fn the_same_key_already_present_is_not_added_again() {
        let now = datetime!(2026-06-01 0:00 UTC);
        let by_key = [key("c", "33", "2028-01-01T00:00:00Z", Some("MIIBnew"))];
        let p = plan_keys(&by_key, &new_key(), now);
        assert!(p.already_present && !p.changes_anything());
        assert_eq!(p.list.len(), 1);
        let by_thumbprint = [key("c", &"ab".repeat(20), "2028-01-01T00:00:00Z", None)];
        assert!(plan_keys(&by_thumbprint, &new_key(), now).already_present);
    }

    #[test]
    fn names_gain_the_bare_app_id_and_optionally_the_wildcard_once() {
        let have = vec![format!("{CRM_APP_ID}/*.crm.dynamics.com")];
        let out = plan_names(&have, None).unwrap();
        assert_eq!(out, vec![have[0].clone(), CRM_APP_ID.to_string()]);
        assert_eq!(plan_names(&out, None), None);
        let with = plan_names(&out, Some("contoso.com")).unwrap();
        assert_eq!(with.last().unwrap(), &format!("{CRM_APP_ID}/*.contoso.com"));
        assert_eq!(plan_names(&with, Some("*.contoso.com")), None);
    }
}
