//! Step "Mailboxes": list users' and queues' mailboxes with filters; in bulk bind the profile, set
//! server-side sync (incoming 2, outgoing 2, ACT 1), approve (`emailrouteraccessapproval` 1) and
//! schedule Test & Enable (`testemailconfigurationscheduled`); then watch the statuses with paged,
//! filtered queries and fetch the alerts of the failures (ms-api.md §6.2, §6.4).
use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use hybridsync_microsoft::dynamics::{
    BulkOptions, BulkOutcome, BulkProgress, Update, MAX_PAGE_SIZE,
};
use hybridsync_microsoft::Dynamics;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use super::profile::{odata_string, url_query};
use crate::org_lock::OrgLock;
use crate::{Change, CheckReport, ErrorPayload, Finding, Severity, Step, StepContext};

pub const STEP_ID: &str = "mailboxes";

/// The properties read for a mailbox (ms-api.md §6.2).
pub const SELECT: &str = "mailboxid,name,emailaddress,_emailserverprofile_value,_owningbusinessunit_value,incomingemaildeliverymethod,outgoingemaildeliverymethod,actdeliverymethod,emailrouteraccessapproval,testemailconfigurationscheduled,incomingemailstatus,outgoingemailstatus,actstatus";
/// The properties read when watching (the statuses only).
pub const STATUS_SELECT: &str =
    "mailboxid,testemailconfigurationscheduled,incomingemailstatus,outgoingemailstatus,actstatus";

/// Which mailboxes. Every part is optional; they combine with `and`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct MailboxFilter {
    /// Part of the name or the email address.
    pub text: Option<String>,
    /// `approved`, `pending`, `rejected` or `empty` (ms-api.md §6.2 emailrouteraccessapproval).
    pub approval: Option<String>,
    /// `success`, `failure` or `not_run` (incoming and outgoing email status).
    pub status: Option<String>,
    /// Bound to this email server profile (GUID), or `none`.
    pub profile: Option<String>,
    /// Owned by this business unit (GUID).
    pub business_unit: Option<String>,
}

fn bad(message: String) -> ErrorPayload {
    ErrorPayload::new("invalid_input", message, Some("input.fix-value"))
}

fn guid(s: &str, what: &str) -> Result<String, ErrorPayload> {
    let ok = s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(bad(format!("\"{s}\" is not a GUID: give the {what}'s ID (36 characters, e.g. 3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91).")))
    }
}

impl MailboxFilter {
    /// The `$filter` expression, or `None` for all mailboxes.
    pub fn odata(&self) -> Result<Option<String>, ErrorPayload> {
        let mut parts = Vec::new();
        if let Some(t) = self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let lit = odata_string(t);
            parts.push(format!(
                "(contains(name,{lit}) or contains(emailaddress,{lit}))"
            ));
        }
        if let Some(a) = &self.approval {
            let v = match a.as_str() {
                "empty" => 0,
                "approved" => 1,
                "pending" => 2,
                "rejected" => 3,
                other => return Err(bad(format!("\"{other}\" is not an approval state: use approved, pending, rejected or empty."))),
            };
            parts.push(format!("emailrouteraccessapproval eq {v}"));
        }
        if let Some(s) = &self.status {
            parts.push(match s.as_str() {
                "success" => "(incomingemailstatus eq 1 and outgoingemailstatus eq 1)".to_string(),
                "failure" => "(incomingemailstatus eq 2 or outgoingemailstatus eq 2)".to_string(),
                "not_run" => "(incomingemailstatus eq 0 and outgoingemailstatus eq 0)".to_string(),
                other => {
                    return Err(bad(format!(
                        "\"{other}\" is not a status: use success, failure or not_run."
                    )))
                }
            });
        }
        if let Some(p) = &self.profile {
            if p == "none" {
                parts.push("_emailserverprofile_value eq null".into());
            } else {
                parts.push(format!(
                    "_emailserverprofile_value eq {}",
                    guid(p, "email server profile")?
                ));
            }
        }
        if let Some(b) = &self.business_unit {
            parts.push(format!(
                "_owningbusinessunit_value eq {}",
                guid(b, "business unit")?
            ));
        }
        Ok(if parts.is_empty() {
            None
        } else {
            Some(parts.join(" and "))
        })
    }
}

/// What to do to the selected mailboxes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct Actions {
    /// Bind the profile and set incoming 2 / outgoing 2 / ACT 1.
    pub configure: bool,
    /// `emailrouteraccessapproval` 1.
    pub approve: bool,
    /// Schedule Test & Enable.
    pub test: bool,
    /// With `test`: also test the mailboxes that passed before and do not change now (after a
    /// certificate rotation or a tenant change, to see that they still pass).
    #[serde(default)]
    pub retest_passed: bool,
}

impl Actions {
    pub const ALL: Actions = Actions {
        configure: true,
        approve: true,
        test: true,
        retest_passed: false,
    };
    pub const CONFIGURE: Actions = Actions {
        configure: true,
        approve: false,
        test: false,
        retest_passed: false,
    };
    pub const APPROVE: Actions = Actions {
        configure: false,
        approve: true,
        test: false,
        retest_passed: false,
    };
    pub const TEST: Actions = Actions {
        configure: false,
        approve: false,
        test: true,
        retest_passed: false,
    };
}

/// The fields of `row` that differ from what `actions` want: the PATCH body (with the profile
/// bound by `@odata.bind`), empty when the mailbox is already as wanted.
pub fn wanted_changes(row: &Value, profile_id: &str, actions: Actions) -> Map<String, Value> {
    let mut body = Map::new();
    if actions.configure {
        if row["_emailserverprofile_value"]
            .as_str()
            .map(str::to_ascii_lowercase)
            .as_deref()
            != Some(profile_id)
        {
            // ms-api.md §6.2: bind with "emailserverprofile@odata.bind": "/emailserverprofiles(<id>)".
            body.insert(
                "emailserverprofile@odata.bind".into(),
                json!(format!("/emailserverprofiles({profile_id})")),
            );
        }
        for (k, v) in [
            ("incomingemaildeliverymethod", 2),
            ("outgoingemaildeliverymethod", 2),
            ("actdeliverymethod", 1),
        ] {
            if row[k].as_i64() != Some(v) {
                body.insert(k.into(), json!(v));
            }
        }
    }
    if actions.approve && row["emailrouteraccessapproval"].as_i64() != Some(1) {
        body.insert("emailrouteraccessapproval".into(), json!(1));
    }
    if actions.test {
        let passed = row["incomingemailstatus"].as_i64() == Some(1)
            && row["outgoingemailstatus"].as_i64() == Some(1);
        let scheduled = row["testemailconfigurationscheduled"].as_bool() == Some(true);
        // A mailbox whose configuration changes now is tested again; one that passed and stays is
        // not, unless the admin asks for it.
        if !scheduled && (!passed || !body.is_empty() || actions.retest_passed) {
            body.insert("testemailconfigurationscheduled".into(), json!(true));
        }
    }
    body
}

/// The mailboxes matching `filter`, every page.
pub async fn list(
    client: &Dynamics,
    filter: &MailboxFilter,
    select: &str,
    page_size: usize,
) -> Result<(Vec<Value>, usize), ErrorPayload> {
    let mut pairs = vec![("$select", select.to_string())];
    if let Some(f) = filter.odata()? {
        pairs.push(("$filter", f));
    }
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok(client
        .get_all(&format!("mailboxes?{}", url_query(&refs)), page_size)
        .await?)
}

/// One read of the statuses of all mailboxes matching `filter`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct StatusCounts {
    pub total: u32,
    pub success: u32,
    pub failure: u32,
    /// Scheduled or not run yet.
    pub pending: u32,
    /// HTTP requests this read took (pages).
    pub requests: u32,
}

/// A failed mailbox and the alert Dynamics wrote for it (ms-api.md §6.4 tracelog, §7 texts).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct MailboxAlert {
    pub mailbox_id: String,
    pub text: String,
    pub details: String,
    pub at: String,
}

/// Failed mailboxes that share one alert (text and details): one troubleshooting card for all.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct AlertGroup {
    pub text: String,
    pub details: String,
    pub mailbox_ids: Vec<String>,
}

/// At most this many mailboxes of a group are read by the troubleshooting checks (they share the
/// alert; a few rows tell as much as all of them).
pub const CHECKED_PER_GROUP: usize = 20;

impl AlertGroup {
    /// What the troubleshooting card asks about this alert.
    pub fn request(&self) -> crate::troubleshoot::TroubleshootRequest {
        let text = [self.text.as_str(), self.details.as_str()]
            .iter()
            .filter(|s| !s.trim().is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        crate::troubleshoot::TroubleshootRequest {
            code: Some("mailbox_test_failed".into()),
            text: Some(text),
            mailbox_ids: self
                .mailbox_ids
                .iter()
                .take(CHECKED_PER_GROUP)
                .cloned()
                .collect(),
            ..Default::default()
        }
    }
}

/// Groups alerts by text and details, the largest group first (ties keep their first-seen order).
pub fn group_alerts(alerts: &[MailboxAlert]) -> Vec<AlertGroup> {
    let mut groups: Vec<AlertGroup> = Vec::new();
    for a in alerts {
        match groups
            .iter_mut()
            .find(|g| g.text == a.text && g.details == a.details)
        {
            Some(g) => g.mailbox_ids.push(a.mailbox_id.clone()),
            None => groups.push(AlertGroup {
                text: a.text.clone(),
                details: a.details.clone(),
                mailbox_ids: vec![a.mailbox_id.clone()],
            }),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.mailbox_ids.len()));
    groups
}

/// The statuses of every mailbox of `filter`, in pages of the largest size (ms-api.md §6.5):
/// N / 5000 requests, never one per mailbox.
pub async fn read_statuses(
    client: &Dynamics,
    filter: &MailboxFilter,
) -> Result<(StatusCounts, Vec<String>), ErrorPayload> {
    let (rows, pages) = list(client, filter, STATUS_SELECT, MAX_PAGE_SIZE).await?;
    let mut c = StatusCounts {
        total: rows.len() as u32,
        requests: pages as u32,
        ..StatusCounts::default()
    };
    let mut failed = Vec::new();
    for r in &rows {
        let (i, o) = (
            r["incomingemailstatus"].as_i64(),
            r["outgoingemailstatus"].as_i64(),
        );
        if r["testemailconfigurationscheduled"].as_bool() == Some(true) {
            c.pending += 1;
        } else if i == Some(2) || o == Some(2) {
            c.failure += 1;
            failed.push(r["mailboxid"].as_str().unwrap_or("").to_string());
        } else if i == Some(1) && o == Some(1) {
            c.success += 1;
        } else {
            c.pending += 1;
        }
    }
    Ok((c, failed))
}

/// The newest error alert of each of `mailbox_ids`: one paged query of the error tracelogs,
/// matched here (never one request per mailbox).
pub async fn alerts(
    client: &Dynamics,
    mailbox_ids: &[String],
) -> Result<Vec<MailboxAlert>, ErrorPayload> {
    if mailbox_ids.is_empty() {
        return Ok(Vec::new());
    }
    let q = url_query(&[
        (
            "$select",
            "text,errordetails,_regardingobjectid_value,createdon",
        ),
        ("$filter", "level eq 3"),
        ("$orderby", "createdon desc"),
    ]);
    let (rows, _) = client
        .get_all(&format!("tracelogs?{q}"), MAX_PAGE_SIZE)
        .await?;
    let wanted: std::collections::HashSet<&str> = mailbox_ids.iter().map(String::as_str).collect();
    let mut newest: HashMap<String, MailboxAlert> = HashMap::new();
    for r in rows {
        let id = r["_regardingobjectid_value"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if wanted.contains(id.as_str()) && !newest.contains_key(&id) {
            newest.insert(
                id.clone(),
                MailboxAlert {
                    mailbox_id: id,
                    text: r["text"].as_str().unwrap_or("").into(),
                    details: r["errordetails"].as_str().unwrap_or("").into(),
                    at: r["createdon"].as_str().unwrap_or("").into(),
                },
            );
        }
    }
    let mut out: Vec<MailboxAlert> = newest.into_values().collect();
    out.sort_by(|a, b| a.mailbox_id.cmp(&b.mailbox_id));
    Ok(out)
}

/// Sends the updates in bulk at the server's own pace ([`hybridsync_microsoft::bulk`]), holding
/// the organization so a second run waits its turn ([`OrgLock`]), and reports progress with the
/// time left as events.
pub async fn apply_bulk(
    client: &Arc<Dynamics>,
    updates: Vec<Update>,
    opts: &BulkOptions,
    ctx: &StepContext,
) -> Result<BulkOutcome, ErrorPayload> {
    let organization = client
        .service_root()
        .split("/api/data/")
        .next()
        .unwrap_or_default()
        .to_string();
    let _held = OrgLock::acquire(&organization, "a bulk mailbox run")?;
    let total = updates.len() as u32;
    Ok(client
        .bulk_patch(updates, opts, |p| {
            ctx.events.progress(
                STEP_ID,
                (p.done + p.failed) as u32,
                total,
                progress_label(&p),
            );
        })
        .await)
}

/// "4,200 of 10,000 mailboxes updated, 0 failed; 12 requests at once; about 8 s left".
pub fn progress_label(p: &BulkProgress) -> String {
    let eta = match p.eta_seconds {
        Some(s) if s >= 90.0 => format!("; about {} min left", (s / 60.0).round() as u64),
        Some(s) => format!("; about {} s left", s.ceil() as u64),
        None => String::new(),
    };
    format!(
        "{} of {} mailboxes updated, {} failed; {} request{} at once (at most {}){eta}",
        p.done,
        p.total,
        p.failed,
        p.in_flight,
        if p.in_flight == 1 { "" } else { "s" },
        p.window
    )
}

pub struct MailboxesStep {
    pub client: Arc<Dynamics>,
    pub profile_name: String,
    pub filter: MailboxFilter,
    pub actions: Actions,
    pub bulk: BulkOptions,
}

#[async_trait]
impl Step for MailboxesStep {
    fn id(&self) -> &'static str {
        STEP_ID
    }

    async fn check(&self, ctx: &StepContext) -> Result<CheckReport, ErrorPayload> {
        let profile = super::profile::find_profile(&self.client, &self.profile_name).await?;
        let Some(profile) = profile else {
            return Ok(CheckReport {
                findings: vec![Finding::new("profile_missing", Severity::Error, format!("The email server profile \"{}\" does not exist yet: run the profile step first.", self.profile_name))
                    .remediation("dynamics.profile-missing")],
                facts: Value::Null,
            });
        };
        let profile_id = profile["emailserverprofileid"]
            .as_str()
            .unwrap_or("")
            .to_ascii_lowercase();
        ctx.events.progress(STEP_ID, 0, 1, "Reading the mailboxes");
        let (rows, pages) = list(&self.client, &self.filter, SELECT, MAX_PAGE_SIZE).await?;
        let mut pending = Vec::new();
        for r in &rows {
            let body = wanted_changes(r, &profile_id, self.actions);
            if !body.is_empty() {
                pending.push(json!({"id": r["mailboxid"], "body": body}));
            }
        }
        let findings = vec![Finding::new(
            "mailboxes_selected",
            Severity::Info,
            format!(
                "{} mailboxes match; {} need a change.",
                rows.len(),
                pending.len()
            ),
        )];
        Ok(CheckReport {
            findings,
            facts: json!({"profile_id": profile_id, "matched": rows.len(), "pages": pages, "pending": pending}),
        })
    }

    /// One change for the whole selection: the diff lists each mailbox's fields.
    async fn plan(
        &self,
        _ctx: &StepContext,
        seen: &CheckReport,
    ) -> Result<Vec<Change>, ErrorPayload> {
        let pending = seen.facts["pending"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![Change {
            target: format!(
                "dynamics:mailboxes[{}]",
                self.filter.odata()?.unwrap_or_else(|| "all".into())
            ),
            field: "server-side sync".into(),
            before: Some(json!({"mailboxes": pending.len()})),
            after: Some(
                json!({"profile_id": seen.facts["profile_id"], "actions": self.actions, "updates": pending}),
            ),
        }])
    }

    async fn apply(&self, ctx: &StepContext, change: &Change) -> Result<(), ErrorPayload> {
        let updates: Vec<Update> = change
            .after
            .as_ref()
            .and_then(|a| a["updates"].as_array())
            .map(|list| {
                list.iter()
                    .map(|u| Update {
                        set: "mailboxes",
                        id: u["id"].as_str().unwrap_or("").to_string(),
                        body: u["body"].clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let outcome = apply_bulk(&self.client, updates, &self.bulk, ctx).await?;
        if outcome.failed.is_empty() {
            return Ok(());
        }
        let first: Vec<String> = outcome
            .failed
            .iter()
            .take(3)
            .map(|(id, m)| format!("{id}: {m}"))
            .collect();
        Err(ErrorPayload::new(
            "mailboxes_partly_failed",
            format!(
                "{} of {} mailboxes were not updated ({}). The others are done; fix the cause and run the step again to retry only these.",
                outcome.failed.len(),
                outcome.failed.len() + outcome.succeeded.len(),
                first.join("; ")
            ),
            Some("dynamics.mailbox-update-failed"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_and_passed_mailbox_needs_nothing() {
        let p = "a0000000-0000-4000-8000-000000000001";
        let done = json!({"_emailserverprofile_value": p, "incomingemaildeliverymethod": 2, "outgoingemaildeliverymethod": 2, "actdeliverymethod": 1, "emailrouteraccessapproval": 1, "testemailconfigurationscheduled": false, "incomingemailstatus": 1, "outgoingemailstatus": 1});
        assert!(wanted_changes(&done, p, Actions::ALL).is_empty());
        let fresh = json!({"_emailserverprofile_value": null, "incomingemaildeliverymethod": 0, "outgoingemaildeliverymethod": 0, "actdeliverymethod": 2, "emailrouteraccessapproval": 2, "testemailconfigurationscheduled": false, "incomingemailstatus": 0, "outgoingemailstatus": 0});
        let body = wanted_changes(&fresh, p, Actions::ALL);
        assert_eq!(body.len(), 6, "{body:?}");
        assert_eq!(
            body["emailserverprofile@odata.bind"],
            json!(format!("/emailserverprofiles({p})"))
        );
    }

    #[test]
    fn filters_become_odata_and_bad_values_are_refused() {
        let f = MailboxFilter {
            text: Some("O'Neil".into()),
            approval: Some("pending".into()),
            ..Default::default()
        };
        assert_eq!(f.odata().unwrap().unwrap(), "(contains(name,'O''Neil') or contains(emailaddress,'O''Neil')) and emailrouteraccessapproval eq 2");
        assert!(MailboxFilter {
            approval: Some("maybe".into()),
            ..Default::default()
        }
        .odata()
        .unwrap_err()
        .message
        .contains("approved, pending"));
        assert!(MailboxFilter {
            profile: Some("x".into()),
            ..Default::default()
        }
        .odata()
        .unwrap_err()
        .message
        .contains("not a GUID"));
    }
}

#[cfg(test)]
mod retest_tests {
    use super::*;

    #[test]
    fn a_mailbox_that_passed_is_tested_again_only_when_asked() {
        let passed = json!({"_emailserverprofile_value": "p1", "incomingemaildeliverymethod": 2, "outgoingemaildeliverymethod": 2,
            "actdeliverymethod": 1, "emailrouteraccessapproval": 1, "incomingemailstatus": 1, "outgoingemailstatus": 1,
            "testemailconfigurationscheduled": false});
        assert!(
            wanted_changes(&passed, "p1", Actions::ALL).is_empty(),
            "idempotent by default"
        );
        let again = Actions {
            retest_passed: true,
            ..Actions::TEST
        };
        let body = wanted_changes(&passed, "p1", again);
        assert_eq!(
            body.get("testemailconfigurationscheduled"),
            Some(&json!(true))
        );
        assert_eq!(body.len(), 1);
        let mut scheduled = passed.clone();
        scheduled["testemailconfigurationscheduled"] = json!(true);
        assert!(
            wanted_changes(&scheduled, "p1", again).is_empty(),
            "a test already scheduled is not scheduled twice"
        );
    }
}

#[cfg(test)]
mod alert_group_tests {
    use super::*;

    fn alert(id: &str, text: &str) -> MailboxAlert {
        MailboxAlert {
            mailbox_id: id.into(),
            text: text.into(),
            details: String::new(),
            at: String::new(),
        }
    }

    #[test]
    fn mailboxes_sharing_an_alert_form_one_group_the_largest_first() {
        let mut other = alert("m4", "Failed Authentication");
        other.details = "another cause".into();
        let groups = group_alerts(&[
            alert("m1", "Failed Authentication"),
            alert("m2", "approval"),
            alert("m3", "approval"),
            other,
        ]);
        assert_eq!(
            groups.len(),
            3,
            "the same text with other details is another group"
        );
        assert_eq!(groups[0].mailbox_ids, ["m2", "m3"]);
        assert_eq!(groups[1].mailbox_ids, ["m1"]);
        assert_eq!(groups[2].mailbox_ids, ["m4"]);
        let many: Vec<MailboxAlert> = (0..50)
            .map(|i| alert(&format!("m{i}"), "approval"))
            .collect();
        let req = group_alerts(&many)[0].request();
        assert_eq!(
            req.mailbox_ids.len(),
            CHECKED_PER_GROUP,
            "the checks read a bounded sample"
        );
        assert_eq!(req.text.as_deref(), Some("approval"));
        assert_eq!(req.code.as_deref(), Some("mailbox_test_failed"));
    }
}
