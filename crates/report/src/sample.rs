//! A realistic, deterministic run report (demo mode, tests and the benchmark).
use serde_json::json;
use time::macros::datetime;
use time::Duration;

use crate::model::*;
use crate::procedure::procedure_map;

/// A run against the Contoso practice tenant with `mailboxes` mailboxes: most enabled, every 50th
/// unapproved, every 200th (from the 101st) disabled by Autodiscover.
pub fn demo_report(mailboxes: usize) -> RunReport {
    let t0 = datetime!(2026-11-22 03:00:00 UTC);
    let step = |i: i64,
                id: &str,
                title: &str,
                status: StepStatus,
                evidence: &[&str],
                changes: Vec<ChangeRecord>| StepRecord {
        id: id.into(),
        title: title.into(),
        status,
        started_at: t0 + Duration::seconds(i * 30),
        finished_at: Some(t0 + Duration::seconds(i * 30 + 12)),
        evidence: evidence.iter().map(|s| s.to_string()).collect(),
        changes,
    };
    let tenant = "8d2b0a6c-5e4f-4a3b-9c1d-2e3f4a5b6c7d";
    let steps = vec![
        step(0, "tenant", "Find the tenant", StepStatus::Passed, &[
            "GET https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration → 200",
            "tenant ID 8d2b0a6c-5e4f-4a3b-9c1d-2e3f4a5b6c7d (issuer https://login.microsoftonline.com/8d2b0a6c-5e4f-4a3b-9c1d-2e3f4a5b6c7d/v2.0)",
        ], vec![]),
        step(1, "signin", "Sign in", StepStatus::Passed, &["signed in as admin@contoso.com; roles: Global Administrator"], vec![]),
        step(2, "certificate", "Load the S2S certificate", StepStatus::Passed, &[
            "crm-s2s.pfx: AES-256 PBES2, KeySpec 1, RSA 2048, chain to Contoso Issuing CA",
        ], vec![]),
        step(3, "trust", "Upload certificate to the Dynamics service principal", StepStatus::Changed, &[
            "GET /v1.0/servicePrincipals(appId='00000007-0000-0000-c000-000000000000') → 1 keyCredential (expired 2026-03-01)",
            "PATCH /v1.0/servicePrincipals/3c4d… → 204",
        ], vec![
            ChangeRecord {
                target: "graph:servicePrincipals/00000007-0000-0000-c000-000000000000".into(),
                field: "keyCredentials".into(),
                before: Some(json!([{"keyId": "0d6a…", "endDateTime": "2026-03-01T00:00:00Z", "type": "AsymmetricX509Cert", "usage": "Verify"}])),
                after: Some(json!([{"keyId": "9b1e…", "displayName": "CN=crm.contoso.com", "startDateTime": "2026-11-01T00:00:00Z", "endDateTime": "2027-11-01T00:00:00Z", "type": "AsymmetricX509Cert", "usage": "Verify"}])),
                applied: true,
                at: Some(t0 + Duration::seconds(100)),
            },
            ChangeRecord {
                target: "graph:servicePrincipals/00000007-0000-0000-c000-000000000000".into(),
                field: "servicePrincipalNames".into(),
                before: Some(json!(["00000007-0000-0000-c000-000000000000/*.contoso.com"])),
                after: Some(json!(["00000007-0000-0000-c000-000000000000/*.contoso.com", "00000007-0000-0000-c000-000000000000"])),
                applied: true,
                at: Some(t0 + Duration::seconds(101)),
            },
        ]),
        step(4, "crm_script", "Configure the CRM server (script)", StepStatus::Manual, &[
            "generated configure-crm-s2s.ps1 (CertificateReconfiguration.ps1, Set-CrmAdvancedSetting ServerSettings and S2STenantId)",
        ], vec![ChangeRecord {
            target: "crm-deployment:Organization/contosocrm".into(),
            field: "S2STenantId".into(),
            before: None,
            after: Some(json!(tenant)),
            applied: false,
            at: None,
        }]),
        step(5, "profile", "Email server profile", StepStatus::Changed, &["Test Connection: incoming success, outgoing success, ACT success"], vec![ChangeRecord {
            target: "crm:emailserverprofiles(5f0e…)".into(),
            field: "useautodiscover".into(),
            before: Some(json!(true)),
            after: Some(json!(false)),
            applied: true,
            at: Some(t0 + Duration::seconds(160)),
        }]),
        step(6, "mailboxes", "Approve, test and enable mailboxes", if mailboxes >= 50 { StepStatus::Failed } else { StepStatus::Changed }, &[
            "PATCH mailboxes ($batch of 1000) → all 204",
            "polled mailboxstatus every 30 s until every test finished",
        ], vec![ChangeRecord {
            target: "crm:mailboxes (selection)".into(),
            field: "emailrouteraccessapproval".into(),
            before: Some(json!({"pending approval": mailboxes})),
            after: Some(json!({"approved": mailboxes - mailboxes / 50})),
            applied: true,
            at: Some(t0 + Duration::seconds(190)),
        }]),
    ];
    let rows = (0..mailboxes)
        .map(|i| {
            let unapproved = i % 50 == 49;
            let autodiscover = i % 200 == 100;
            let (status, fail, rem) = if unapproved {
                (
                    MailboxStatus::Failed,
                    TestStatus::Failure,
                    Some("mailbox.approval-required".to_string()),
                )
            } else if autodiscover {
                (
                    MailboxStatus::Disabled,
                    TestStatus::Failure,
                    Some("profile.autodiscover-failed".to_string()),
                )
            } else {
                (MailboxStatus::Enabled, TestStatus::Success, None)
            };
            MailboxRow {
                address: format!("user{i:05}@contoso.com"),
                name: Some(format!("User {i:05}")),
                approved: Some(!unapproved),
                incoming: fail,
                outgoing: fail,
                act: if unapproved { TestStatus::NotRun } else { fail },
                status,
                remediation: rem,
            }
        })
        .collect();
    let mut report = RunReport {
        schema_version: SCHEMA_VERSION,
        run_id: "2026-11-22T030000Z-contoso".into(),
        title: "hybridsync run report — Contoso (Dynamics 365 on-premises ↔ Exchange Online)".into(),
        generated_at: t0 + Duration::minutes(10),
        dry_run: false,
        operator: Some("admin@contoso.com".into()),
        environment: Environment {
            hybridsync_version: "0.1.0".into(),
            os: "Windows Server 2022 (10.0.20348)".into(),
            cloud: "Global".into(),
            tenant_id: Some(tenant.into()),
            tenant_domain: Some("contoso.com".into()),
            crm_url: Some("https://crm.contoso.com/contosocrm".into()),
            crm_organization: Some("contosocrm".into()),
            crm_version: Some("9.1.24.5".into()),
            extra: [("EWS URL".to_string(), "https://outlook.office365.com/EWS/Exchange.asmx".to_string())].into(),
        },
        steps,
        mailboxes: rows,
        findings: vec![
            FindingRecord {
                step: Some("mailboxes".into()),
                code: "mailbox_not_approved".into(),
                severity: Severity::Error,
                message: format!("{} mailboxes were not approved and failed Test & Enable", mailboxes / 50),
                evidence: vec!["Email cannot be sent/received because the email address of the mailbox user00049@contoso.com requires an approval by an Office 365 administrator.".into()],
                remediation: Some(Remediation {
                    id: "mailbox.approval-required".into(),
                    title: Some("The mailbox's email address is not approved".into()),
                    instructions: vec!["Approve Email for the mailboxes, then Test & Enable.".into()],
                }),
            },
            FindingRecord {
                step: Some("trust".into()),
                code: "sp_key_expired".into(),
                severity: Severity::Warning,
                message: "an expired keyCredential was removed from the Dynamics service principal".into(),
                evidence: vec!["keyId 0d6a…, endDateTime 2026-03-01T00:00:00Z".into()],
                remediation: None,
            },
            FindingRecord {
                step: Some("tenant".into()),
                code: "ews_retirement".into(),
                severity: Severity::Warning,
                message: "EWS in Exchange Online is allow-list only since 2026-10-01 and ends on 2027-04-01 (130 days)".into(),
                evidence: vec![],
                remediation: Some(Remediation { id: "ews.token-rejected".into(), title: None, instructions: vec![] }),
            },
        ],
        certificates: vec![
            CertificateRecord {
                role: "Dynamics S2STokenIssuer".into(),
                subject: "CN=crm.contoso.com".into(),
                thumbprint: Some("3B7E0F2A9C1D4E5F60718293A4B5C6D7E8F90123".into()),
                not_before: datetime!(2026-11-01 00:00:00 UTC),
                not_after: datetime!(2027-11-01 00:00:00 UTC),
            },
            CertificateRecord {
                role: "keyCredential on SP 00000007-0000-0000-c000-000000000000 (removed)".into(),
                subject: "CN=crm.contoso.com".into(),
                thumbprint: Some("0A1B2C3D4E5F60718293A4B5C6D7E8F901234567".into()),
                not_before: datetime!(2025-03-01 00:00:00 UTC),
                not_after: datetime!(2026-03-01 00:00:00 UTC),
            },
        ],
        assumptions: vec![
            Assumption {
                statement: "Approve + Test & Enable through the Web API (emailrouteraccessapproval = 1, testemailconfigurationscheduled = true) is equivalent to the UI commands".into(),
                source: "ms-api.md §6.2 (community practice)".into(),
                used_by: Some("mailboxes".into()),
            },
            Assumption {
                statement: "The wildcard SPN 00000007-…/*.<domain> is no longer needed".into(),
                source: "ms-api.md §5.5, open question 2".into(),
                used_by: Some("trust".into()),
            },
        ],
        procedure: vec![],
    };
    report.procedure = procedure_map(&report.steps);
    report
}
