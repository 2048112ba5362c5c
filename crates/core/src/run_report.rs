//! Fills the run report (crates/report) from the run journal and the steps' outcomes: every step
//! with the timestamps the journal recorded, every applied change with its before/after, the
//! findings with their troubleshooting entries, and the assumptions the run relied on.
//!
//! The journal is the source of truth, so a failed or interrupted run still gets a report.
use std::collections::BTreeMap;

use hybridsync_report::{
    Assumption, ChangeRecord, Environment, FindingRecord, Remediation, RunReport, StepRecord,
    StepStatus, SCHEMA_VERSION,
};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::journal::{Entry, Record};
use crate::troubleshoot::{card, Card, TroubleshootRequest};
use crate::{Finding, Outcome, Severity};

/// What the caller knows beyond the journal.
pub struct ReportInput<'a> {
    pub title: String,
    pub run_id: String,
    pub environment: Environment,
    pub records: &'a [Record],
    /// Outcomes of the steps that finished (their findings); failed steps come from the journal.
    pub outcomes: &'a [Outcome],
    /// Step id → title, in the order the steps ran.
    pub titles: &'a [(&'a str, &'a str)],
}

/// The report of one run.
pub fn build(input: ReportInput<'_>) -> RunReport {
    let mut steps: Vec<StepRecord> = Vec::new();
    let mut findings: Vec<FindingRecord> = Vec::new();
    let mut order: Vec<String> = Vec::new();
    let mut by_step: BTreeMap<String, StepRecord> = BTreeMap::new();
    for r in input.records {
        let at = parse_time(&r.at);
        let rec = by_step.entry(r.step.clone()).or_insert_with(|| {
            order.push(r.step.clone());
            StepRecord {
                id: r.step.clone(),
                title: title_of(input.titles, &r.step),
                status: StepStatus::Passed,
                started_at: at.unwrap_or(OffsetDateTime::UNIX_EPOCH),
                finished_at: None,
                evidence: Vec::new(),
                changes: Vec::new(),
            }
        });
        match &r.entry {
            Entry::StepStarted => {
                // A resumed run starts the step again; the report keeps the latest attempt's times.
                if let Some(at) = at {
                    rec.started_at = at;
                }
                rec.finished_at = None;
            }
            Entry::ChangeApplied { change } => {
                rec.status = StepStatus::Changed;
                rec.changes.push(ChangeRecord {
                    target: change.target.clone(),
                    field: change.field.clone(),
                    before: change.before.clone(),
                    after: change.after.clone(),
                    applied: true,
                    at,
                });
            }
            Entry::StepDone { .. } => {
                rec.finished_at = at;
                if rec.status == StepStatus::Failed {
                    rec.status = if rec.changes.is_empty() {
                        StepStatus::Passed
                    } else {
                        StepStatus::Changed
                    };
                }
            }
            Entry::StepFailed { code, message } => {
                rec.status = StepStatus::Failed;
                rec.finished_at = at;
                rec.evidence
                    .push(format!("failed: {message} (code {code})"));
                findings.push(finding_record(
                    &r.step,
                    &Finding::new(code, Severity::Error, message.clone()),
                ));
            }
        }
    }
    for o in input.outcomes {
        if let Some(rec) = by_step.get_mut(&o.step) {
            if o.skipped_as_done {
                rec.evidence
                    .push("already done in an earlier run (from the journal)".into());
            }
            for f in &o.findings {
                rec.evidence.push(format!("{}: {}", f.code, f.message));
                rec.evidence.extend(f.evidence.iter().cloned());
                if f.severity != Severity::Info {
                    findings.push(finding_record(&o.step, f));
                }
            }
        }
    }
    for id in order {
        if let Some(rec) = by_step.remove(&id) {
            steps.push(rec);
        }
    }
    let mut report = RunReport {
        schema_version: SCHEMA_VERSION,
        run_id: input.run_id,
        title: input.title,
        generated_at: OffsetDateTime::now_utc(),
        dry_run: false,
        operator: None,
        environment: input.environment,
        steps,
        mailboxes: Vec::new(),
        findings,
        certificates: Vec::new(),
        assumptions: assumptions(),
        procedure: Vec::new(),
    };
    report.map_procedure();
    report
}

fn title_of(titles: &[(&str, &str)], id: &str) -> String {
    titles
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| id.to_string())
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

fn finding_record(step: &str, f: &Finding) -> FindingRecord {
    let remediation = card(&TroubleshootRequest::from(f)).map(|c| Remediation {
        id: c.entry_id,
        title: Some(c.title),
        instructions: c.fix.instructions,
    });
    FindingRecord {
        step: Some(step.to_string()),
        code: f.code.clone(),
        severity: match f.severity {
            Severity::Info => hybridsync_report::Severity::Info,
            Severity::Warning => hybridsync_report::Severity::Warning,
            Severity::Error => hybridsync_report::Severity::Error,
        },
        message: f.message.clone(),
        evidence: f.evidence.clone(),
        remediation,
    }
}

/// Who ran the wizard and against what, as far as the caller knows: the saved sign-in (tenant,
/// authority, the account as the report's operator) and the CRM organization (its URL, the
/// organization's unique name from the URL's path, the version RetrieveVersion gave). Values the
/// report already holds are kept.
pub fn connected_to(
    report: &mut hybridsync_report::RunReport,
    saved: Option<&crate::steps::signin::SavedSignIn>,
    crm: Option<(&str, &hybridsync_microsoft::dynamics::ServerInfo)>,
) {
    let env = &mut report.environment;
    if env.cloud.is_empty() {
        env.cloud = match saved.map(|s| hybridsync_microsoft::Authority::parse(&s.authority)) {
            Some(Ok(hybridsync_microsoft::Authority::Worldwide)) => "worldwide".into(),
            Some(Ok(hybridsync_microsoft::Authority::UsGovernment)) => "US Government".into(),
            Some(Ok(hybridsync_microsoft::Authority::China)) => "China (21Vianet)".into(),
            Some(Ok(hybridsync_microsoft::Authority::Custom(u))) => u.to_string(),
            Some(Err(_)) | None => "not known (no saved sign-in)".into(),
        };
    }
    if let Some(s) = saved {
        env.tenant_id.get_or_insert_with(|| s.tenant_id.clone());
        env.extra
            .entry("authority".into())
            .or_insert_with(|| s.authority.clone());
        report.operator.get_or_insert_with(|| s.account.clone());
    }
    if let Some((url, info)) = crm {
        env.crm_url.get_or_insert_with(|| url.to_string());
        // https://crm.contoso.com/contoso: the first path segment (IFD puts the organization in the host).
        if env.crm_organization.is_none() {
            env.crm_organization = url::Url::parse(url).ok().and_then(|u| {
                u.path_segments()?
                    .find(|s| !s.is_empty())
                    .map(str::to_string)
            });
        }
        if !info.version.is_empty() {
            env.crm_version.get_or_insert_with(|| info.version.clone());
        }
    }
}

/// A troubleshooting card the admin saw, as a finding of the report: what failed (`subject`), the
/// most likely cause, every check with what it saw, and the fix.
pub fn card_finding(step: &str, subject: &str, c: &Card) -> FindingRecord {
    let top = c
        .causes
        .first()
        .map(|x| {
            format!(
                " Most likely cause ({}): {}",
                x.status.replace('_', " "),
                x.text
            )
        })
        .unwrap_or_default();
    let evidence = c
        .causes
        .iter()
        .flat_map(|x| &x.checks)
        .map(|k| match &k.saw {
            Some(saw) => format!("{}: {} ({saw})", k.id, k.outcome.replace('_', " ")),
            None => format!("{}: {}", k.id, k.outcome.replace('_', " ")),
        })
        .collect();
    let mut instructions = c.fix.instructions.clone();
    if let Some(a) = &c.fix.action {
        instructions.insert(0, format!("In the wizard: {}.", a.label));
    }
    FindingRecord {
        step: Some(step.to_string()),
        code: c.entry_id.clone(),
        severity: hybridsync_report::Severity::Error,
        message: format!("{subject}: {}.{top}", c.title),
        evidence,
        remediation: Some(Remediation {
            id: c.entry_id.clone(),
            title: Some(c.title.clone()),
            instructions,
        }),
    }
}

/// The facts no public source confirms, each a named constant in the code that uses it.
pub fn assumptions() -> Vec<Assumption> {
    crate::assumptions::ALL
        .iter()
        .map(|a| Assumption {
            statement: a.statement.to_string(),
            source: a.source.to_string(),
            used_by: Some(a.used_by.to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Change;
    use serde_json::json;

    fn rec(at: &str, step: &str, entry: Entry) -> Record {
        Record {
            at: at.into(),
            step: step.into(),
            entry,
        }
    }

    #[test]
    fn steps_changes_and_failures_come_from_the_journal() {
        let change = Change {
            target: "graph:servicePrincipals/00000007".into(),
            field: "keyCredentials".into(),
            before: Some(json!([])),
            after: Some(json!([{"displayName": "CN=crm"}])),
        };
        let records = vec![
            rec("2026-11-22T06:00:00Z", "tenant", Entry::StepStarted),
            rec(
                "2026-11-22T06:00:02Z",
                "tenant",
                Entry::StepDone { facts: json!({}) },
            ),
            rec("2026-11-22T06:00:03Z", "trust", Entry::StepStarted),
            rec(
                "2026-11-22T06:00:04Z",
                "trust",
                Entry::ChangeApplied {
                    change: change.clone(),
                },
            ),
            rec(
                "2026-11-22T06:00:05Z",
                "trust",
                Entry::StepDone { facts: json!({}) },
            ),
            rec("2026-11-22T06:00:06Z", "domains", Entry::StepStarted),
            rec(
                "2026-11-22T06:00:09Z",
                "domains",
                Entry::StepFailed {
                    code: "role_missing".into(),
                    message: "user@contoso.com holds none of Domain Name Administrator".into(),
                },
            ),
        ];
        let outcomes = vec![Outcome {
            step: "tenant".into(),
            skipped_as_done: false,
            findings: vec![Finding::new(
                "tenant_region",
                Severity::Warning,
                "a US Government tenant",
            )],
            applied: vec![],
            facts: json!({}),
        }];
        let r = build(ReportInput {
            title: "t".into(),
            run_id: "r".into(),
            environment: Environment::default(),
            records: &records,
            outcomes: &outcomes,
            titles: &[("tenant", "Find the tenant")],
        });
        let ids: Vec<&str> = r.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["tenant", "trust", "domains"]);
        assert_eq!(r.steps[0].title, "Find the tenant");
        assert_eq!(r.steps[0].status, StepStatus::Passed);
        assert_eq!(r.steps[0].finished_at, parse_time("2026-11-22T06:00:02Z"));
        assert_eq!(r.steps[1].status, StepStatus::Changed);
        assert_eq!(r.steps[1].changes.len(), 1);
        assert_eq!(r.steps[1].changes[0].after, change.after);
        assert_eq!(r.steps[2].status, StepStatus::Failed);
        // The failure carries its troubleshooting entry; the warning finding is listed too.
        let failed = r
            .findings
            .iter()
            .find(|f| f.code == "role_missing")
            .expect("the failure");
        assert_eq!(
            failed.remediation.as_ref().map(|x| x.id.as_str()),
            Some("signin.role-missing")
        );
        assert!(r.findings.iter().any(|f| f.code == "tenant_region"));
        assert!(!r.assumptions.is_empty());
        assert!(!r.procedure.is_empty());
    }

    #[test]
    fn a_card_becomes_a_finding_with_its_cause_checks_and_fix() {
        let req = TroubleshootRequest {
            text: Some("Email address requires approval by Office 365 administrator".into()),
            checks: vec![crate::troubleshoot::CheckResult {
                id: "mailbox_approved".into(),
                passed: false,
                saw: Some(
                    "not approved (emailrouteraccessapproval is not 1): user00001@contoso.com"
                        .into(),
                ),
            }],
            ..TroubleshootRequest::default()
        };
        let c = card(&req).expect("a card");
        let f = card_finding("mailboxes", "50 mailboxes", &c);
        assert_eq!(f.code, "mailbox.approval-required");
        assert!(f.message.starts_with("50 mailboxes: "), "{}", f.message);
        assert!(
            f.message.contains("Most likely cause (confirmed)"),
            "{}",
            f.message
        );
        assert!(f.evidence.iter().any(|e| e == "mailbox_approved: failed (not approved (emailrouteraccessapproval is not 1): user00001@contoso.com)"), "{:?}", f.evidence);
        let r = f.remediation.expect("the fix");
        assert_eq!(r.instructions[0], "In the wizard: Approve email addresses.");
    }

    #[test]
    fn the_report_names_the_operator_the_tenant_and_the_crm_organization() {
        let mut r = build(ReportInput {
            title: "t".into(),
            run_id: "r".into(),
            environment: Environment::default(),
            records: &[],
            outcomes: &[],
            titles: &[],
        });
        let saved = crate::steps::signin::SavedSignIn {
            authority: "https://login.microsoftonline.com".into(),
            tenant_id: "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91".into(),
            account: "admin@contoso.onmicrosoft.com".into(),
            client_id: "c".into(),
            ca_file: None,
        };
        let info = hybridsync_microsoft::dynamics::ServerInfo {
            version: "9.1.0.0".into(),
            ..Default::default()
        };
        connected_to(
            &mut r,
            Some(&saved),
            Some(("https://crm.contoso.com/contoso/", &info)),
        );
        assert_eq!(r.operator.as_deref(), Some("admin@contoso.onmicrosoft.com"));
        assert_eq!(
            r.environment.tenant_id.as_deref(),
            Some("3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91")
        );
        assert_eq!(r.environment.crm_organization.as_deref(), Some("contoso"));
        assert_eq!(r.environment.crm_version.as_deref(), Some("9.1.0.0"));
        assert_eq!(
            r.environment.extra["authority"],
            "https://login.microsoftonline.com"
        );
        assert_eq!(r.environment.cloud, "worldwide");
        // An IFD address names no organization in its path; a value already known is kept.
        let mut ifd = r.clone();
        ifd.environment.crm_organization = None;
        ifd.environment.crm_url = None;
        ifd.environment.tenant_id = Some("kept".into());
        connected_to(
            &mut ifd,
            Some(&saved),
            Some(("https://contoso.crm.contoso.com/", &info)),
        );
        assert_eq!(ifd.environment.crm_organization, None);
        assert_eq!(ifd.environment.tenant_id.as_deref(), Some("kept"));
    }
}
