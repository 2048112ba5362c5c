//! Step "Defaults": the organization's default email server profile and default delivery methods
//! for new users and queues (ms-api.md §6.3, D-ORG).
use std::sync::Arc;

use async_trait::async_trait;
use hybridsync_microsoft::Dynamics;
use serde_json::{json, Value};

use super::profile::find_profile;
use crate::{Change, CheckReport, ErrorPayload, Finding, Severity, Step, StepContext};

pub const STEP_ID: &str = "defaults";

/// Server-side sync for incoming (2) and outgoing (2) email, and ACT (1) (ms-api.md §6.2 values).
/// The `<EmailSettings>` format is an assumption: ms-api.md §6.3 marks it UNCONFIRMED (3P).
pub const DELIVERY_METHODS: [(&str, i64); 3] = [
    ("IncomingEmailDeliveryMethod", 2),
    ("OutgoingEmailDeliveryMethod", 2),
    ("ACTDeliveryMethod", 1),
];

/// `xml` with the delivery-method elements set; other elements are kept as they are.
pub fn with_delivery_methods(xml: &str) -> String {
    let mut out = if xml.contains("<EmailSettings>") {
        xml.to_string()
    } else {
        "<EmailSettings></EmailSettings>".to_string()
    };
    for (tag, value) in DELIVERY_METHODS {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        let element = format!("{open}{value}{close}");
        match (out.find(&open), out.find(&close)) {
            (Some(a), Some(b)) if b > a => out.replace_range(a..b + close.len(), &element),
            _ => {
                if let Some(end) = out.find("</EmailSettings>") {
                    out.insert_str(end, &element);
                }
            }
        }
    }
    out
}

pub struct DefaultsStep {
    pub client: Arc<Dynamics>,
    pub profile_name: String,
}

#[async_trait]
impl Step for DefaultsStep {
    fn id(&self) -> &'static str {
        STEP_ID
    }

    async fn check(&self, _ctx: &StepContext) -> Result<CheckReport, ErrorPayload> {
        let (orgs, _) = self
            .client
            .get_all("organizations?$select=organizationid,_defaultemailserverprofileid_value,defaultemailsettings", 10)
            .await?;
        let org = orgs.into_iter().next().ok_or_else(|| {
            ErrorPayload::new(
                "organization_missing",
                "the Web API returned no organization record; check the organization URL.",
                Some("dynamics.check-url"),
            )
        })?;
        let profile = find_profile(&self.client, &self.profile_name).await?;
        let mut findings = Vec::new();
        if profile.is_none() {
            findings.push(
                Finding::new("profile_missing", Severity::Error, format!("The email server profile \"{}\" does not exist yet: run the profile step first.", self.profile_name))
                    .remediation("dynamics.profile-missing"),
            );
        }
        Ok(CheckReport {
            findings,
            facts: json!({"organization": org, "profile_id": profile.as_ref().map(|p| p["emailserverprofileid"].clone())}),
        })
    }

    async fn plan(
        &self,
        _ctx: &StepContext,
        seen: &CheckReport,
    ) -> Result<Vec<Change>, ErrorPayload> {
        let org = &seen.facts["organization"];
        let target = format!(
            "dynamics:organizations({})",
            org["organizationid"].as_str().unwrap_or("")
        );
        let mut changes = Vec::new();
        let want_profile = seen.facts["profile_id"].clone();
        if org["_defaultemailserverprofileid_value"] != want_profile {
            changes.push(Change {
                target: target.clone(),
                field: "defaultemailserverprofileid".into(),
                before: Some(org["_defaultemailserverprofileid_value"].clone()),
                after: Some(want_profile),
            });
        }
        let have = org["defaultemailsettings"].as_str().unwrap_or("");
        let want = with_delivery_methods(have);
        if want != have {
            changes.push(Change {
                target,
                field: "defaultemailsettings".into(),
                before: Some(json!(have)),
                after: Some(json!(want)),
            });
        }
        Ok(changes)
    }

    async fn apply(&self, _ctx: &StepContext, change: &Change) -> Result<(), ErrorPayload> {
        let org_id = change
            .target
            .trim_start_matches("dynamics:organizations(")
            .trim_end_matches(')');
        let after = change.after.clone().unwrap_or(Value::Null);
        let body = match change.field.as_str() {
            // ms-api.md §6.3: a lookup, bound with @odata.bind.
            "defaultemailserverprofileid" => {
                json!({"defaultemailserverprofileid@odata.bind": format!("/emailserverprofiles({})", after.as_str().unwrap_or(""))})
            }
            _ => json!({ change.field.clone(): after }),
        };
        self.client.patch("organizations", org_id, &body).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_methods_replace_their_elements_and_keep_the_rest() {
        let xml = "<EmailSettings><IncomingEmailDeliveryMethod>0</IncomingEmailDeliveryMethod><Other>x</Other></EmailSettings>";
        let out = with_delivery_methods(xml);
        assert!(out.contains("<IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod>"));
        assert!(out.contains("<OutgoingEmailDeliveryMethod>2</OutgoingEmailDeliveryMethod>"));
        assert!(
            out.contains("<ACTDeliveryMethod>1</ACTDeliveryMethod>")
                && out.contains("<Other>x</Other>")
        );
        assert_eq!(with_delivery_methods(&out), out);
    }
}
