//! Step "Profile": find the "Exchange Online (Hybrid)" email server profile by name or create it,
//! and bring its settings to the wanted ones, showing the diff first (ms-api.md §6.1, D-ESP).
use std::sync::Arc;

use async_trait::async_trait;
use hybridsync_microsoft::Dynamics;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use crate::{Change, CheckReport, ErrorPayload, Finding, Severity, Step, StepContext};

pub const STEP_ID: &str = "profile";

/// ms-api.md §6.1: `servertype` 3, Exchange Online (Hybrid).
pub const SERVERTYPE_EXCHANGE_ONLINE_HYBRID: i64 = 3;

/// The EWS address for a profile that does not use autodiscover. Assumption: the reference marks
/// `https://outlook.office365.com/EWS/Exchange.asmx` UNCONFIRMED (ms-api.md §6.1); the field
/// report recommends it.
pub const EXCHANGE_ONLINE_EWS_URL: &str = "https://outlook.office365.com/EWS/Exchange.asmx";

/// The profile the admin wants.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct ProfileSettings {
    pub name: String,
    /// `None`: use the organization's S2STenantId (`usedefaulttenantid`, "highly recommended");
    /// otherwise this tenant GUID (`exchangeonlinetenantid`).
    pub tenant_id: Option<String>,
    /// Autodiscover, or the EWS URL of [`EXCHANGE_ONLINE_EWS_URL`] for incoming and outgoing.
    pub use_autodiscover: bool,
    /// ISO 8601 date-time (`processemailsreceivedafter`), optional.
    pub process_emails_received_after: Option<String>,
    /// `minpollingintervalinminutes`, 0–1440.
    pub min_polling_interval_minutes: Option<u32>,
    pub move_undelivered_emails: bool,
}

impl Default for ProfileSettings {
    fn default() -> Self {
        ProfileSettings {
            name: "Exchange Online (Hybrid)".into(),
            tenant_id: None,
            use_autodiscover: false,
            process_emails_received_after: None,
            min_polling_interval_minutes: None,
            move_undelivered_emails: false,
        }
    }
}

fn bad(message: String) -> ErrorPayload {
    ErrorPayload::new("invalid_input", message, Some("input.fix-value"))
}

impl ProfileSettings {
    pub fn validate(&self) -> Result<(), ErrorPayload> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(bad(format!("the profile name \"{}\" must hold 1 to 100 characters (ms-api.md §6.1: String(100)).", self.name)));
        }
        if let Some(t) = &self.tenant_id {
            let ok = t.len() == 36
                && t.chars().enumerate().all(|(i, c)| {
                    if [8, 13, 18, 23].contains(&i) {
                        c == '-'
                    } else {
                        c.is_ascii_hexdigit()
                    }
                });
            if !ok {
                return Err(bad(format!("\"{t}\" is not a tenant ID: give the tenant's GUID (tenant discover shows it), or leave it empty to use the organization's default tenant ID.")));
            }
        }
        if let Some(m) = self.min_polling_interval_minutes {
            if m > 1440 {
                return Err(bad(format!(
                    "the minimum polling interval {m} is outside 0–1440 minutes."
                )));
            }
        }
        if let Some(d) = &self.process_emails_received_after {
            if time::OffsetDateTime::parse(d, &time::format_description::well_known::Rfc3339)
                .is_err()
            {
                return Err(bad(format!(
                    "\"{d}\" is not a date and time such as 2026-11-01T00:00:00Z."
                )));
            }
        }
        Ok(())
    }

    /// The profile's wanted properties, as the Web API names them (ms-api.md §6.1).
    pub fn fields(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name.trim()));
        m.insert(
            "servertype".into(),
            json!(SERVERTYPE_EXCHANGE_ONLINE_HYBRID),
        );
        m.insert("usedefaulttenantid".into(), json!(self.tenant_id.is_none()));
        if let Some(t) = &self.tenant_id {
            m.insert(
                "exchangeonlinetenantid".into(),
                json!(t.to_ascii_lowercase()),
            );
        }
        m.insert("useautodiscover".into(), json!(self.use_autodiscover));
        if !self.use_autodiscover {
            m.insert(
                "incomingserverlocation".into(),
                json!(EXCHANGE_ONLINE_EWS_URL),
            );
            m.insert(
                "outgoingserverlocation".into(),
                json!(EXCHANGE_ONLINE_EWS_URL),
            );
        }
        if let Some(d) = &self.process_emails_received_after {
            m.insert("processemailsreceivedafter".into(), json!(d));
        }
        if let Some(p) = self.min_polling_interval_minutes {
            m.insert("minpollingintervalinminutes".into(), json!(p));
        }
        m.insert(
            "moveundeliveredemails".into(),
            json!(self.move_undelivered_emails),
        );
        m
    }
}

/// An OData string literal (single quotes doubled).
pub fn odata_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

const SELECT: &str = "emailserverprofileid,name,servertype,usedefaulttenantid,exchangeonlinetenantid,useautodiscover,incomingserverlocation,outgoingserverlocation,processemailsreceivedafter,minpollingintervalinminutes,moveundeliveredemails,lasttestexecutionstatus,lasttestresponse";

/// The profile named `name`, if there is one.
pub async fn find_profile(client: &Dynamics, name: &str) -> Result<Option<Value>, ErrorPayload> {
    let filter = format!("name eq {}", odata_string(name.trim()));
    let q: String = url_query(&[("$select", SELECT), ("$filter", &filter)]);
    let (rows, _) = client
        .get_all(&format!("emailserverprofiles?{q}"), 50)
        .await?;
    Ok(rows.into_iter().next())
}

pub(crate) fn url_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b','
            | b'('
            | b')'
            | b'$' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The Test Connection result of a profile (ms-api.md §6.1 lasttestexecutionstatus/lasttestresponse).
pub fn test_finding(profile: &Value) -> Finding {
    let response = profile["lasttestresponse"]
        .as_str()
        .unwrap_or("")
        .to_string();
    match profile["lasttestexecutionstatus"].as_i64() {
        Some(1) => Finding::new(
            "profile_test_succeeded",
            Severity::Info,
            "The profile's last Test Connection succeeded.",
        )
        .evidence(response),
        Some(2) => Finding::new(
            "profile_test_warning",
            Severity::Warning,
            "The profile's last Test Connection ended with a warning.",
        )
        .evidence(response),
        Some(0) => Finding::new(
            "profile_test_failed",
            Severity::Warning,
            format!("The profile's last Test Connection failed: {response}"),
        )
        .evidence(response)
        .remediation("dynamics.profile-test-failed"),
        _ => Finding::new(
            "profile_test_not_run",
            Severity::Info,
            "The profile has not been tested yet.",
        ),
    }
}

pub struct ProfileStep {
    pub client: Arc<Dynamics>,
    pub settings: ProfileSettings,
}

fn target(name: &str) -> String {
    format!("dynamics:emailserverprofiles/{}", name.trim())
}

#[async_trait]
impl Step for ProfileStep {
    fn id(&self) -> &'static str {
        STEP_ID
    }

    async fn check(&self, ctx: &StepContext) -> Result<CheckReport, ErrorPayload> {
        self.settings.validate()?;
        ctx.events.progress(
            STEP_ID,
            0,
            1,
            format!(
                "Looking for the email server profile \"{}\"",
                self.settings.name
            ),
        );
        let found = find_profile(&self.client, &self.settings.name).await?;
        let mut findings = Vec::new();
        let facts = match &found {
            Some(p) => {
                findings.push(Finding::new(
                    "profile_found",
                    Severity::Info,
                    format!(
                        "The email server profile \"{}\" exists.",
                        self.settings.name
                    ),
                ));
                findings.push(test_finding(p));
                json!({"profile_id": p["emailserverprofileid"], "profile": p})
            }
            None => {
                findings.push(Finding::new(
                    "profile_missing",
                    Severity::Info,
                    format!(
                        "No email server profile is named \"{}\"; it will be created.",
                        self.settings.name
                    ),
                ));
                json!({"profile_id": null})
            }
        };
        Ok(CheckReport { findings, facts })
    }

    async fn plan(
        &self,
        _ctx: &StepContext,
        seen: &CheckReport,
    ) -> Result<Vec<Change>, ErrorPayload> {
        let want = self.settings.fields();
        let Some(have) = seen.facts.get("profile").filter(|p| p.is_object()) else {
            return Ok(vec![Change {
                target: target(&self.settings.name),
                field: "(new profile)".into(),
                before: None,
                after: Some(Value::Object(want)),
            }]);
        };
        Ok(want
            .into_iter()
            .filter(|(k, v)| have.get(k) != Some(v))
            .map(|(k, v)| Change {
                target: target(&self.settings.name),
                field: k.clone(),
                before: have.get(&k).cloned(),
                after: Some(v),
            })
            .collect())
    }

    async fn apply(&self, ctx: &StepContext, change: &Change) -> Result<(), ErrorPayload> {
        let after = change.after.clone().unwrap_or(Value::Null);
        // Looked up again: a change applied by an earlier, interrupted run is not made twice.
        let existing = find_profile(&self.client, &self.settings.name).await?;
        if change.field == "(new profile)" {
            match existing {
                Some(_) => ctx.events.log(
                    "info",
                    format!(
                        "the profile \"{}\" exists already; not created again",
                        self.settings.name
                    ),
                ),
                None => {
                    let id = self.client.create("emailserverprofiles", &after).await?;
                    ctx.events.log(
                        "info",
                        format!(
                            "created the email server profile \"{}\" ({id})",
                            self.settings.name
                        ),
                    );
                }
            }
            return Ok(());
        }
        let Some(p) = existing else {
            return Err(ErrorPayload::new("profile_missing", format!("the profile \"{}\" disappeared during the run; run the step again to create it.", self.settings.name), Some("dynamics.profile-missing")));
        };
        let id = p["emailserverprofileid"].as_str().unwrap_or("").to_string();
        self.client
            .patch(
                "emailserverprofiles",
                &id,
                &json!({ change.field.clone(): after }),
            )
            .await?;
        Ok(())
    }
}
