//! Troubleshooting scenarios on the practice tenant (issue 8): a deployment with one thing wrong,
//! the mailbox test fails with the alert the practice tenant writes, the wizard runs its automatic
//! checks (profile, mailboxes, the service principal's keys, what the CRM server holds) and the
//! knowledge base names the cause first; where the fix is within the wizard's reach, applying it and
//! re-testing turns the mailboxes green. No check result is fed by hand.
#[path = "support/dynamics_env.rs"]
mod dynamics_env;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use dynamics_env::*;
use hybridsync_certs::{generate_self_signed, NewCertificate};
use hybridsync_core::checks::{card_with_checks, CheckContext, CrmFacts};
use hybridsync_core::steps::crm_script::{
    import_result, parse_result, ScriptResult, METADATA_URL_WORLDWIDE,
};
use hybridsync_core::steps::mailboxes::{self, Actions, MailboxFilter, MailboxesStep};
use hybridsync_core::steps::profile::{ProfileSettings, ProfileStep};
use hybridsync_core::steps::trust::{TrustCertificate, TrustStep};
use hybridsync_core::troubleshoot::{card, Card, CardCheck, TroubleshootRequest};
use hybridsync_microsoft::dynamics::BulkOptions;
use hybridsync_microsoft::Graph;
use hybridsync_practice_tenant::dynamics::mailbox_address;
use hybridsync_practice_tenant::dynamics::testjob::PRACTICE_TENANT_ID;
use hybridsync_practice_tenant::{CrmDeploymentState, Deployment, Knobs};

/// What the CRM server holds as the app sees it on the practice tenant (Get-CrmSetting's view).
fn practice_crm(env: &Env) -> CrmFacts {
    let v = env.sim.sim.crm_view();
    CrmFacts {
        certificate_thumbprint: v.certificate_thumbprint,
        s2s_tenant_id: v.s2s_tenant_ids.get("contoso").cloned(),
    }
}

/// Runs profile + mailboxes (configure, optionally approve, test) on a deployment and returns the
/// card for the first failed mailbox's alert, after the wizard's automatic checks.
async fn failing_card(
    env: &Env,
    graph: &Arc<Graph>,
    d: Deployment,
    approve: bool,
) -> (Card, usize) {
    env.sim.sim.dynamics.seed_mailboxes(4);
    env.sim.sim.dynamics.set_knobs(Knobs {
        test_delay: Duration::from_millis(20),
        ..Knobs::default()
    });
    env.sim.sim.dynamics.set_deployment(d);
    let profile = ProfileStep {
        client: env.client.clone(),
        settings: profile_settings(),
    };
    let mbx = MailboxesStep {
        client: env.client.clone(),
        profile_name: profile_settings().name,
        filter: MailboxFilter::default(),
        actions: Actions {
            approve,
            ..Actions::ALL
        },
        bulk: BulkOptions {
            ceiling: 2,
            ..BulkOptions::default()
        },
    };
    run_steps(env, &[&profile, &mbx], "first.jsonl").await;
    let (counts, failed) = watch(env).await;
    assert!(
        counts.failure > 0,
        "the scenario should fail a test: {counts:?}"
    );
    let alerts = mailboxes::alerts(&env.client, &failed)
        .await
        .expect("alerts");
    let a = alerts.first().expect("an alert for the failed mailbox");
    let req = TroubleshootRequest {
        text: Some(format!("{}\n{}", a.text, a.details)),
        ..TroubleshootRequest::default()
    };
    let ctx = CheckContext {
        tenant_id: Some(PRACTICE_TENANT_ID.into()),
        graph: Some(graph.clone()),
        dynamics: Some(env.client.clone()),
        mailbox_ids: failed.clone(),
        crm: Some(practice_crm(env)),
        ..CheckContext::default()
    };
    let before = env.sim.sim.requests().len();
    let c = card_with_checks(&req, &ctx)
        .await
        .expect("the knowledge base explains the alert");
    // The checks read the failed mailboxes with one query, never one request per mailbox.
    let reads = env.sim.sim.requests()[before..]
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/mailboxes"))
        .count();
    assert!(reads <= 1, "{reads} mailbox reads for one card");
    (c, counts.failure as usize)
}

async fn retest(env: &Env, profile: ProfileSettings, journal: &str) -> mailboxes::StatusCounts {
    let name = profile.name.clone();
    let p = ProfileStep {
        client: env.client.clone(),
        settings: profile,
    };
    let mbx = MailboxesStep {
        client: env.client.clone(),
        profile_name: name,
        filter: MailboxFilter::default(),
        actions: Actions::ALL,
        bulk: BulkOptions {
            ceiling: 2,
            ..BulkOptions::default()
        },
    };
    run_steps(env, &[&p, &mbx], journal).await;
    watch(env).await.0
}

/// A check the card shows, by id.
fn shown<'a>(c: &'a Card, id: &str) -> &'a CardCheck {
    c.causes
        .iter()
        .flat_map(|x| &x.checks)
        .find(|k| k.id == id)
        .unwrap_or_else(|| panic!("no check {id} on the card: {c:#?}"))
}

fn new_certificate() -> TrustCertificate {
    let generated = generate_self_signed(&NewCertificate::new("Dynamics365-S2S-contoso")).unwrap();
    TrustCertificate::from_file_bytes(
        &hybridsync_certs::cer_base64(&generated.certificate_der).into_bytes(),
        None,
    )
    .unwrap()
}

/// "Runs" the generated CRM-server script on the practice deployment with `cert`; its result file.
async fn run_crm_script(env: &Env, cert: &TrustCertificate) -> ScriptResult {
    use base64::Engine;
    let resp = env
        .raw
        .post(format!("{}/_practice/crm/run-script", env.sim.base_url))
        .json(&serde_json::json!({
            "certificate": base64::engine::general_purpose::STANDARD.encode(&cert.der),
            "service_account": "CONTOSO\\svc-crm-async",
            "organization": "contoso",
            "tenant_id": PRACTICE_TENANT_ID,
            "principal_id": "00000001-0000-0000-c000-000000000000",
            "metadata_url": METADATA_URL_WORLDWIDE,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    parse_result(&resp.bytes().await.unwrap()).unwrap()
}

async fn upload(env: &Env, graph: &Arc<Graph>, cert: &TrustCertificate, journal: &str) {
    let step = TrustStep {
        graph: graph.clone(),
        certificate: cert.clone(),
        crm_domain: None,
    };
    run_steps(env, &[&step], journal).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mailbox_not_approved_is_named_and_approving_then_retesting_turns_it_green() {
    let env = env().await;
    let graph = graph(&env).await;
    let (c, n) = failing_card(&env, &graph, Deployment::default(), false).await;
    assert_eq!(n, 4);
    assert_eq!(c.entry_id, "mailbox.approval-required", "{c:#?}");
    assert!(
        c.causes[0].text.to_lowercase().contains("approv"),
        "{:?}",
        c.causes[0]
    );
    assert_eq!(
        c.causes[0].status, "confirmed",
        "the wizard read the mailbox row: {:?}",
        c.causes[0]
    );
    let k = shown(&c, "mailbox_approved");
    assert_eq!(k.outcome, "failed");
    assert!(
        k.saw.as_deref().unwrap_or("").contains("@contoso.com"),
        "{k:?}"
    );
    assert_eq!(
        c.fix.action.as_ref().map(|a| a.id.as_str()),
        Some("mailboxes.approve")
    );
    // The fix is the wizard's own: approve (emailrouteraccessapproval 1), then Test & Enable again.
    let counts = retest(&env, profile_settings(), "fix.jsonl").await;
    assert_eq!((counts.success, counts.failure), (4, 0), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tenant_id_not_set_is_named_and_setting_it_on_the_profile_turns_it_green() {
    let env = env().await;
    let graph = graph(&env).await;
    let d = Deployment {
        s2s_tenant_id: None,
        ..Deployment::default()
    };
    let (c, _) = failing_card(&env, &graph, d, true).await;
    let top = &c.causes[0];
    assert_eq!(top.status, "confirmed", "{top:?}");
    assert!(top.text.to_lowercase().contains("tenant id"), "{top:?}");
    let k = shown(&c, "tenant_ids_match");
    assert_eq!(k.outcome, "failed");
    assert!(k.saw.as_deref().unwrap_or("").contains("not set"), "{k:?}");
    // The profile type was read too, and is right: that cause is ruled out, not guessed.
    assert_eq!(
        shown(&c, "profile_is_exchange_online_hybrid").outcome,
        "passed"
    );
    // Within the wizard's reach: give the profile the tenant ID explicitly (usedefaulttenantid false).
    let fixed = ProfileSettings {
        tenant_id: Some(PRACTICE_TENANT_ID.into()),
        ..profile_settings()
    };
    let counts = retest(&env, fixed, "fix.jsonl").await;
    assert_eq!((counts.success, counts.failure), (4, 0), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn certificate_not_on_the_service_principal_is_named_first_and_uploading_it_turns_it_green() {
    let env = env().await;
    let graph = graph(&env).await;
    // The CRM server got a new certificate (the generated script ran) but its key was never
    // uploaded: the practice tenant joins the CRM deployment with the service principal's keys.
    let cert = new_certificate();
    let crm = CrmFacts::from_result(&run_crm_script(&env, &cert).await);
    assert_eq!(
        crm.certificate_thumbprint.as_deref(),
        Some(cert.thumbprint.as_str())
    );
    let (c, _) = failing_card(&env, &graph, Deployment::default(), true).await;
    assert_eq!(c.entry_id, "s2s.failed-authentication", "{c:#?}");
    let top = &c.causes[0];
    assert_eq!(top.status, "confirmed", "{top:?}");
    assert!(
        top.checks
            .iter()
            .any(|k| k.id == "sp_has_crm_certificate" && k.outcome == "failed"),
        "{top:?}"
    );
    let k = shown(&c, "sp_has_crm_certificate");
    assert!(
        k.saw.as_deref().unwrap_or("").contains(&cert.thumbprint),
        "the card says which certificate: {k:?}"
    );
    assert_eq!(shown(&c, "crm_certificate_installed").outcome, "passed");
    assert_eq!(
        c.fix.action.as_ref().map(|a| a.id.as_str()),
        Some("certificate.upload-to-sp")
    );
    // The fix: the trust step uploads the key; Test & Enable again.
    upload(&env, &graph, &cert, "trust.jsonl").await;
    let counts = retest(&env, profile_settings(), "fix.jsonl").await;
    assert_eq!((counts.success, counts.failure), (4, 0), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_certificate_on_the_service_principal_is_named_and_rotating_turns_it_green() {
    let env = env().await;
    let graph = graph(&env).await;
    // The CRM server still uses last year's certificate, whose key on the service principal
    // ended on 2024-01-01 (the practice principal's seeded key).
    let old = env
        .sim
        .sim
        .service_principals
        .crm(PRACTICE_TENANT_ID)
        .key_credentials[0]
        .custom_key_identifier
        .clone();
    env.sim.sim.crm.set_state(CrmDeploymentState {
        certificate_thumbprint: Some(old.clone()),
        s2s_tenant_ids: BTreeMap::from([("contoso".to_string(), PRACTICE_TENANT_ID.to_string())]),
        ..CrmDeploymentState::default()
    });
    let (c, _) = failing_card(&env, &graph, Deployment::default(), true).await;
    assert_eq!(c.entry_id, "s2s.failed-authentication", "{c:#?}");
    let top = &c.causes[0];
    assert_eq!(top.status, "confirmed", "{top:?}");
    assert!(top.text.contains("expired"), "{top:?}");
    let k = shown(&c, "certificate_not_expired");
    assert_eq!(k.outcome, "failed");
    assert!(
        k.saw.as_deref().unwrap_or("").contains("2024-01-01"),
        "{k:?}"
    );
    assert_eq!(shown(&c, "sp_has_crm_certificate").outcome, "passed");
    // The fix (rotation): a new certificate, its key uploaded, the CRM script run with it, re-test.
    let cert = new_certificate();
    upload(&env, &graph, &cert, "trust.jsonl").await;
    run_crm_script(&env, &cert).await;
    let counts = retest(&env, profile_settings(), "fix.jsonl").await;
    assert_eq!((counts.success, counts.failure), (4, 0), "{counts:?}");
}

/// Graph user reads since request `from` (the Exchange side of the checks).
fn user_reads(env: &Env, from: usize) -> usize {
    env.sim.sim.requests()[from..]
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/v1.0/users"))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_exchange_online_licence_is_named_from_the_users_licences_and_assigning_one_turns_it_green(
) {
    let env = env().await;
    let graph = graph(&env).await;
    // The user holds Office 365 E3 with its Exchange Online plan turned off (SUP-401 cause 3).
    let address = mailbox_address(3);
    let mut d = Deployment::default();
    d.unlicensed.insert(address.clone());
    let before = env.sim.sim.requests().len();
    let (c, n) = failing_card(&env, &graph, d, true).await;
    assert_eq!(n, 1, "only that mailbox fails");
    assert_eq!(c.entry_id, "sss.http-401", "{c:#?}");
    let top = &c.causes[0];
    assert_eq!(top.status, "confirmed", "{top:?}");
    assert!(top.text.contains("licence"), "{top:?}");
    let k = shown(&c, "exchange_online_licensed");
    assert_eq!(k.outcome, "failed");
    let saw = k.saw.as_deref().unwrap_or("");
    assert!(
        saw.contains(&address)
            && saw.contains("ENTERPRISEPACK with no enabled Exchange Online plan"),
        "{saw}"
    );
    // The address is right: that cause is ruled out, from one Graph read.
    assert_eq!(
        shown(&c, "mailbox_address_matches_exchange").outcome,
        "passed"
    );
    assert_eq!(user_reads(&env, before), 1);
    // The fix is in the admin center (turn the plan on); then Test & Enable again.
    env.sim.sim.dynamics.set_deployment(Deployment::default());
    let counts = retest(&env, profile_settings(), "fix.jsonl").await;
    assert_eq!((counts.success, counts.failure), (4, 0), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_exchange_does_not_know_is_named_and_ruled_in_before_the_licence() {
    let env = env().await;
    let graph = graph(&env).await;
    // Exchange Online knows this user by another primary address (SUP-401 cause 1).
    let address = mailbox_address(2);
    let mut d = Deployment::default();
    d.not_in_exchange.insert(address.clone());
    let (c, _) = failing_card(&env, &graph, d, true).await;
    assert_eq!(c.entry_id, "sss.http-401", "{c:#?}");
    let top = &c.causes[0];
    assert_eq!(top.status, "confirmed", "{top:?}");
    assert!(top.text.contains("email address"), "{top:?}");
    let k = shown(&c, "mailbox_address_matches_exchange");
    assert_eq!(k.outcome, "failed");
    let other = address.replace("@contoso.com", "@contoso.onmicrosoft.com");
    assert!(k.saw.as_deref().unwrap_or("").contains(&format!("{address} is only a secondary address: the mailbox's primary address is {other} (user {address})")), "{k:?}");
    // The user found through the alias is licensed: that cause is ruled out.
    assert_eq!(shown(&c, "exchange_online_licensed").outcome, "passed");
    // The fix: the Exchange admin gives the mailbox that address (or Dynamics gets Exchange's); re-test.
    env.sim.sim.dynamics.set_deployment(Deployment::default());
    let counts = retest(&env, profile_settings(), "fix.jsonl").await;
    assert_eq!((counts.success, counts.failure), (4, 0), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ews_not_allowed_for_the_tenant_is_named_from_the_401_challenge() {
    let env = env().await;
    let graph = graph(&env).await;
    let d = Deployment {
        ews_allowed: false,
        ..Deployment::default()
    };
    let (c, _) = failing_card(&env, &graph, d, true).await;
    assert_eq!(c.entry_id, "ews.token-rejected", "{c:#?}");
    // The tenant is not enabled for this path: only Exchange Support can turn it on (ms-api.md §5.1).
    assert!(
        c.causes[0].text.contains("Exchange Support"),
        "{:?}",
        c.causes[0]
    );
    assert!(
        c.causes[0].checks.iter().any(|k| k.id == "ews_allowed"),
        "{:?}",
        c.causes[0]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_hybrid_connector_is_named_by_the_trust_step_the_script_and_the_mailbox_tests() {
    let env = env().await;
    let graph = graph(&env).await;
    // Nobody "purchased" the free connector (seed 002).
    env.sim
        .sim
        .skus
        .set_hybrid_connector(PRACTICE_TENANT_ID, false);
    let cert = new_certificate();
    let trust = TrustStep {
        graph: graph.clone(),
        certificate: cert.clone(),
        crm_domain: None,
    };
    let (_, findings) = trust.look().await.unwrap();
    let warn = findings
        .iter()
        .find(|f| f.code == "hybrid_connector_missing")
        .unwrap_or_else(|| panic!("the trust step warns: {findings:?}"));
    assert!(warn.message.contains("CRM_HYBRIDCONNECTOR"), "{warn:?}");
    upload(&env, &graph, &cert, "trust.jsonl").await;

    // The script stops at S2STenantId with the seed's output; its card names the connector, confirmed.
    let result = run_crm_script(&env, &cert).await;
    let report = import_result(result.clone(), Some(&cert.thumbprint));
    assert!(!report.done);
    let f = report
        .findings
        .iter()
        .find(|f| f.severity == hybridsync_core::Severity::Error)
        .expect("a failure");
    let ctx = CheckContext {
        tenant_id: Some(PRACTICE_TENANT_ID.into()),
        graph: Some(graph.clone()),
        crm: Some(CrmFacts::from_result(&result)),
        ..CheckContext::default()
    };
    let c = card_with_checks(&TroubleshootRequest::from(f), &ctx)
        .await
        .expect("a card");
    assert_eq!(c.entry_id, "hybrid-connector.missing", "{c:#?}");
    assert_eq!(c.causes[0].status, "confirmed", "{:?}", c.causes[0]);
    assert!(
        c.causes[0].text.contains("Hybrid Connector"),
        "{:?}",
        c.causes[0]
    );
    assert!(shown(&c, "hybrid_connector_licensed")
        .saw
        .as_deref()
        .unwrap_or("")
        .contains("CRM_HYBRIDCONNECTOR"));

    // The mailboxes fail too: their card confirms the tenant ID the script could not set and the
    // missing connector behind it, and rules nothing else in.
    let (c, _) = failing_card(&env, &graph, Deployment::default(), true).await;
    assert_eq!(c.entry_id, "sss.http-401", "{c:#?}");
    let confirmed: Vec<&str> = c
        .causes
        .iter()
        .filter(|x| x.status == "confirmed")
        .map(|x| x.text.as_str())
        .collect();
    assert_eq!(confirmed.len(), 2, "{confirmed:?}");
    assert!(
        confirmed[0].contains("same tenant") && confirmed[1].contains("Hybrid Connector"),
        "{confirmed:?}"
    );
    assert_eq!(shown(&c, "hybrid_connector_licensed").outcome, "failed");
    assert_eq!(
        shown(&c, "profile_is_exchange_online_hybrid").outcome,
        "passed"
    );

    // The fix is outside the wizard (a purchase in the admin center); then the script and a re-test.
    env.sim
        .sim
        .skus
        .set_hybrid_connector(PRACTICE_TENANT_ID, true);
    assert!(import_result(run_crm_script(&env, &cert).await, Some(&cert.thumbprint)).done);
    let counts = retest(&env, profile_settings(), "fix.jsonl").await;
    assert_eq!((counts.success, counts.failure), (4, 0), "{counts:?}");
}

#[test]
fn an_expired_certificate_is_named_with_its_date_and_the_fix() {
    use hybridsync_core::steps::cert_health::{expiry_finding, Holder};
    use time::macros::datetime;
    let f = expiry_finding(
        Holder::Local,
        "the S2S certificate CN=crm.contoso.com",
        datetime!(2026-03-01 00:00 UTC),
        datetime!(2026-11-22 00:00 UTC),
    )
    .expect("a finding for an expired certificate");
    let c = card(&TroubleshootRequest::from(&f)).expect("a card");
    assert_eq!(c.entry_id, "s2s.certificate-expired", "{c:#?}");
    assert!(
        c.causes[0].text.contains("past its NotAfter"),
        "{:?}",
        c.causes[0]
    );
    assert!(c.fix.action.is_some() || !c.fix.instructions.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_certificate_change_a_retest_of_passed_mailboxes_shows_what_a_plain_one_skips() {
    let env = env().await;
    env.sim.sim.dynamics.seed_mailboxes(4);
    env.sim.sim.dynamics.set_knobs(Knobs {
        test_delay: Duration::from_millis(20),
        ..Knobs::default()
    });
    assert_eq!(
        retest(&env, profile_settings(), "first.jsonl")
            .await
            .success,
        4
    );
    // The CRM server now signs with a new certificate whose key nobody uploaded.
    run_crm_script(&env, &new_certificate()).await;
    let step = |retest_passed| MailboxesStep {
        client: env.client.clone(),
        profile_name: profile_settings().name,
        filter: MailboxFilter::default(),
        actions: Actions {
            retest_passed,
            ..Actions::TEST
        },
        bulk: BulkOptions {
            ceiling: 2,
            ..BulkOptions::default()
        },
    };
    // A plain test leaves mailboxes that passed alone: nothing is scheduled, they stay green.
    let out = run_steps(&env, &[&step(false)], "plain.jsonl").await;
    assert!(out[0].applied.is_empty(), "{:?}", out[0].applied);
    assert_eq!(watch(&env).await.0.success, 4);
    // Including them schedules all four, and the new certificate's missing key shows.
    let out = run_steps(&env, &[&step(true)], "again.jsonl").await;
    assert!(!out[0].applied.is_empty());
    let (counts, failed) = watch(&env).await;
    assert_eq!((counts.success, counts.failure), (0, 4), "{counts:?}");
    let alerts = mailboxes::alerts(&env.client, &failed).await.unwrap();
    assert!(
        alerts
            .iter()
            .all(|a| a.text.contains("Failed Authentication")),
        "{alerts:?}"
    );
}
