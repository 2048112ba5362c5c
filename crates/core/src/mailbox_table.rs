//! The run report's mailbox table (issue 8): every mailbox of a selection with its approval, the
//! three Test & Enable results and where it ended up, and for a failed one the troubleshooting
//! entry that explains its alert. One paged read of the mailboxes and one of the error alerts
//! (ms-api.md §6.5), never a request per mailbox; alerts are matched to the knowledge base once per
//! distinct alert, not once per mailbox.
use std::collections::HashMap;

use hybridsync_microsoft::dynamics::MAX_PAGE_SIZE;
use hybridsync_microsoft::Dynamics;
use hybridsync_report::{MailboxRow, MailboxStatus, TestStatus};
use serde_json::Value;

use crate::steps::mailboxes::{alerts, group_alerts, list, MailboxAlert, MailboxFilter};
use crate::troubleshoot::card;
use crate::ErrorPayload;

const SELECT: &str =
    "mailboxid,emailaddress,name,emailrouteraccessapproval,testemailconfigurationscheduled,incomingemailstatus,outgoingemailstatus,actstatus";

/// The table of the mailboxes of `filter`, read from Dynamics now.
pub async fn read(
    client: &Dynamics,
    filter: &MailboxFilter,
) -> Result<Vec<MailboxRow>, ErrorPayload> {
    let (rows, _) = list(client, filter, SELECT, MAX_PAGE_SIZE).await?;
    let failed: Vec<String> = rows
        .iter()
        .filter(|r| failed(r))
        .filter_map(|r| r["mailboxid"].as_str().map(str::to_string))
        .collect();
    let found = alerts(client, &failed).await?;
    Ok(table(&rows, &found))
}

fn test_status(v: &Value) -> TestStatus {
    // ms-api.md §6.2: incomingemailstatus / outgoingemailstatus / actstatus 0 not run, 1 success, 2 failure.
    match v.as_i64() {
        Some(1) => TestStatus::Success,
        Some(2) => TestStatus::Failure,
        _ => TestStatus::NotRun,
    }
}

fn failed(r: &Value) -> bool {
    r["testemailconfigurationscheduled"].as_bool() != Some(true)
        && (test_status(&r["incomingemailstatus"]) == TestStatus::Failure
            || test_status(&r["outgoingemailstatus"]) == TestStatus::Failure)
}

/// The rows from the mailbox records and their newest alerts (pure: the tests feed it).
pub fn table(rows: &[Value], alerts: &[MailboxAlert]) -> Vec<MailboxRow> {
    // One knowledge-base match per distinct alert.
    let mut entry_of: HashMap<String, Option<String>> = HashMap::new();
    for g in group_alerts(alerts) {
        let entry = card(&g.request()).map(|c| c.entry_id);
        for id in g.mailbox_ids {
            entry_of.insert(id, entry.clone());
        }
    }
    rows.iter()
        .map(|r| {
            let (incoming, outgoing, act) = (
                test_status(&r["incomingemailstatus"]),
                test_status(&r["outgoingemailstatus"]),
                test_status(&r["actstatus"]),
            );
            let status = if r["testemailconfigurationscheduled"].as_bool() == Some(true) {
                MailboxStatus::Pending
            } else if failed(r) {
                MailboxStatus::Failed
            } else if incoming == TestStatus::Success && outgoing == TestStatus::Success {
                MailboxStatus::Enabled
            } else {
                // Never tested (or only partly): not part of a test run.
                MailboxStatus::Skipped
            };
            let id = r["mailboxid"].as_str().unwrap_or_default();
            MailboxRow {
                address: r["emailaddress"].as_str().unwrap_or_default().to_string(),
                name: r["name"].as_str().map(str::to_string),
                // ms-api.md §6.2: emailrouteraccessapproval 1 = Approved.
                approved: r["emailrouteraccessapproval"].as_i64().map(|v| v == 1),
                incoming,
                outgoing,
                act,
                status,
                remediation: if status == MailboxStatus::Failed {
                    entry_of.get(id).cloned().flatten()
                } else {
                    None
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(id: &str, approval: i64, i: i64, o: i64, scheduled: bool) -> Value {
        json!({"mailboxid": id, "emailaddress": format!("{id}@contoso.com"), "name": id, "emailrouteraccessapproval": approval,
               "testemailconfigurationscheduled": scheduled, "incomingemailstatus": i, "outgoingemailstatus": o, "actstatus": 0})
    }

    #[test]
    fn each_mailbox_ends_where_its_statuses_say_and_a_failure_names_its_entry() {
        let rows = [
            row("a", 1, 1, 1, false),
            row("b", 2, 2, 2, false),
            row("c", 1, 0, 0, true),
            row("d", 2, 0, 0, false),
            row("e", 1, 2, 1, false),
        ];
        let alerts = [
            MailboxAlert {
                mailbox_id: "b".into(),
                text: "Email address requires approval by Office 365 administrator".into(),
                details: String::new(),
                at: String::new(),
            },
            MailboxAlert {
                mailbox_id: "e".into(),
                text: "Something nobody has documented".into(),
                details: String::new(),
                at: String::new(),
            },
        ];
        let t = table(&rows, &alerts);
        let status: Vec<MailboxStatus> = t.iter().map(|r| r.status).collect();
        assert_eq!(
            status,
            [
                MailboxStatus::Enabled,
                MailboxStatus::Failed,
                MailboxStatus::Pending,
                MailboxStatus::Skipped,
                MailboxStatus::Failed
            ]
        );
        assert_eq!(t[0].approved, Some(true));
        assert_eq!(t[1].approved, Some(false));
        assert_eq!(
            t[1].remediation.as_deref(),
            Some("mailbox.approval-required")
        );
        assert_eq!(
            (t[4].incoming, t[4].outgoing),
            (TestStatus::Failure, TestStatus::Success)
        );
        assert_eq!(t[4].remediation, None, "an unknown alert names no entry");
        assert_eq!(t[0].remediation, None);
        assert_eq!(t[0].address, "a@contoso.com");
    }
}
