//! Troubleshooting scenarios on the practice tenant (issue 8): a deployment with one thing wrong,
//! the mailbox test fails with the alert the practice tenant writes, the knowledge base names the
//! cause first; where the fix is within the wizard's reach, applying it and re-testing turns the
//! mailboxes green.
#[path = "support/dynamics_env.rs"]
mod dynamics_env;

use std::time::Duration;

use dynamics_env::*;
use hybridsync_core::steps::mailboxes::{self, Actions, MailboxFilter, MailboxesStep};
use hybridsync_core::steps::profile::{ProfileSettings, ProfileStep};
use hybridsync_core::troubleshoot::{card, Card, CheckResult, TroubleshootRequest};
use hybridsync_microsoft::dynamics::BulkOptions;
use hybridsync_practice_tenant::dynamics::testjob::PRACTICE_TENANT_ID;
use hybridsync_practice_tenant::{Deployment, Knobs};

/// Runs profile + mailboxes (configure, optionally approve, test) on a deployment and returns the
/// knowledge base's card for the first failed mailbox's alert, with the checks the wizard ran.
async fn failing_card(env: &Env, d: Deployment, approve: bool, checks: Vec<CheckResult>) -> (Card, usize) {
    env.sim.sim.dynamics.seed_mailboxes(4);
    env.sim.sim.dynamics.set_knobs(Knobs { test_delay: Duration::from_millis(20), ..Knobs::default() });
    env.sim.sim.dynamics.set_deployment(d);
    let profile = ProfileStep { client: env.client.clone(), settings: profile_settings() };
    let mbx = MailboxesStep {
        client: env.client.clone(),
        profile_name: profile_settings().name,
        filter: MailboxFilter::default(),
        actions: Actions { configure: true, approve, test: true },
        bulk: BulkOptions { batch_size: None, concurrency: 2 },
    };
    run_steps(env, &[&profile, &mbx], "first.jsonl").await;
    let (counts, failed) = watch(env).await;
    assert!(counts.failure > 0, "the scenario should fail a test: {counts:?}");
    let alerts = mailboxes::alerts(&env.client, &failed).await.expect("alerts");
    let a = alerts.first().expect("an alert for the failed mailbox");
    let req = TroubleshootRequest { text: Some(format!("{}\n{}", a.text, a.details)), checks, ..TroubleshootRequest::default() };
    (card(&req).expect("the knowledge base explains the alert"), counts.failure as usize)
}

async fn retest(env: &Env, profile: ProfileSettings, journal: &str) -> mailboxes::StatusCounts {
    let name = profile.name.clone();
    let p = ProfileStep { client: env.client.clone(), settings: profile };
    let mbx = MailboxesStep {
        client: env.client.clone(),
        profile_name: name,
        filter: MailboxFilter::default(),
        actions: Actions::ALL,
        bulk: BulkOptions { batch_size: None, concurrency: 2 },
    };
    run_steps(env, &[&p, &mbx], journal).await;
    watch(env).await.0
}

fn failed(id: &str) -> CheckResult {
    CheckResult { id: id.into(), passed: false }
}

fn passed(id: &str) -> CheckResult {
    CheckResult { id: id.into(), passed: true }
}

#[tokio::test(flavor = "multi_thread")]
async fn mailbox_not_approved_is_named_and_approving_then_retesting_turns_it_green() {
    let env = env().await;
    let (c, n) = failing_card(&env, Deployment::default(), false, vec![]).await;
    assert_eq!(n, 4);
    assert_eq!(c.entry_id, "mailbox.approval-required", "{c:#?}");
    assert!(c.causes[0].text.to_lowercase().contains("approv"), "{:?}", c.causes[0]);
    assert_eq!(c.fix.action.as_ref().map(|a| a.id.as_str()), Some("mailboxes.approve"));
    // The fix is the wizard's own: approve (emailrouteraccessapproval 1), then Test & Enable again.
    let counts = retest(&env, profile_settings(), "fix.jsonl").await;
    assert_eq!((counts.success, counts.failure), (4, 0), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tenant_id_not_set_is_named_and_setting_it_on_the_profile_turns_it_green() {
    let env = env().await;
    let d = Deployment { s2s_tenant_id: None, ..Deployment::default() };
    let (c, _) = failing_card(&env, d, true, vec![failed("tenant_ids_match")]).await;
    let top = &c.causes[0];
    assert_eq!(top.status, "confirmed", "{top:?}");
    assert!(top.text.to_lowercase().contains("tenant id"), "{top:?}");
    // Within the wizard's reach: give the profile the tenant ID explicitly (usedefaulttenantid false).
    let fixed = ProfileSettings { tenant_id: Some(PRACTICE_TENANT_ID.into()), ..profile_settings() };
    let counts = retest(&env, fixed, "fix.jsonl").await;
    assert_eq!((counts.success, counts.failure), (4, 0), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn certificate_not_on_the_service_principal_is_named_first() {
    let env = env().await;
    let d = Deployment { crm_certificate_on_service_principal: false, ..Deployment::default() };
    let checks = vec![failed("sp_has_crm_certificate"), passed("tenant_ids_match"), passed("certificate_not_expired")];
    let (c, _) = failing_card(&env, d, true, checks).await;
    assert_eq!(c.entry_id, "s2s.failed-authentication", "{c:#?}");
    let top = &c.causes[0];
    assert_eq!(top.status, "confirmed");
    assert!(top.checks.iter().any(|k| k.id == "sp_has_crm_certificate" && k.outcome == "failed"), "{top:?}");
    assert_eq!(c.fix.action.as_ref().map(|a| a.id.as_str()), Some("certificate.upload-to-sp"));
}

#[tokio::test(flavor = "multi_thread")]
async fn ews_not_allowed_for_the_tenant_is_named_from_the_401_challenge() {
    let env = env().await;
    let d = Deployment { ews_allowed: false, ..Deployment::default() };
    let (c, _) = failing_card(&env, d, true, vec![]).await;
    assert_eq!(c.entry_id, "ews.token-rejected", "{c:#?}");
    // The tenant is not enabled for this path: only Exchange Support can turn it on (ms-api.md §5.1).
    assert!(c.causes[0].text.contains("Exchange Support"), "{:?}", c.causes[0]);
    assert!(c.causes[0].checks.iter().any(|k| k.id == "ews_allowed"), "{:?}", c.causes[0]);
}

#[test]
fn no_hybrid_connector_is_named_from_the_crm_script_result() {
    use hybridsync_core::steps::crm_script::{import_result, parse_result};
    // The result file the generated script writes when Set-CrmSetting S2STenantId fails on a tenant
    // without the Hybrid Connector (seed 002's exact output).
    let result = serde_json::json!({
        "schema": "hybridsync-crm-script-result/1", "computer": "CRM01", "organization": "contoso",
        "thumbprint": "0123456789ABCDEF0123456789ABCDEF01234567",
        "parts": [
            {"name": "prerequisites", "ok": true, "skipped": false, "error": null},
            {"name": "certificate", "ok": true, "skipped": false, "error": null},
            {"name": "server_settings", "ok": true, "skipped": false, "error": null},
            {"name": "tenant_id", "ok": false, "skipped": false, "error": "You cannot call a method on a null-valued expression. Process Failed."}
        ]
    });
    let report = import_result(parse_result(result.to_string().as_bytes()).expect("a result file"), None);
    assert!(!report.done);
    let f = report.findings.iter().find(|f| f.severity == hybridsync_core::Severity::Error).expect("a failure");
    let c = card(&TroubleshootRequest::from(f)).expect("a card");
    assert_eq!(c.entry_id, "hybrid-connector.missing", "{c:#?}");
    assert!(c.causes[0].text.contains("Hybrid Connector"), "{:?}", c.causes[0]);
}

#[test]
fn an_expired_certificate_is_named_with_its_date_and_the_fix() {
    use hybridsync_core::steps::cert_health::{expiry_finding, Holder};
    use time::macros::datetime;
    let f = expiry_finding(Holder::Local, "the S2S certificate CN=crm.contoso.com", datetime!(2026-03-01 00:00 UTC), datetime!(2026-11-22 00:00 UTC))
        .expect("a finding for an expired certificate");
    let c = card(&TroubleshootRequest::from(&f)).expect("a card");
    assert_eq!(c.entry_id, "s2s.certificate-expired", "{c:#?}");
    assert!(c.causes[0].text.contains("past its NotAfter"), "{:?}", c.causes[0]);
    assert!(c.fix.action.is_some() || !c.fix.instructions.is_empty());
}
