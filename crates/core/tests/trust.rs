//! The Trust step against the in-process practice tenant over real TLS: the first upload, a
//! re-run that changes nothing, the expired key pruned, the certificate's own dates sent, and a
//! user without the role refused before any change.
use std::sync::Arc;
use std::time::Duration;

use hybridsync_certs::{generate_self_signed, NewCertificate};
use hybridsync_core::journal::Journal;
use hybridsync_core::steps::trust::{TrustCertificate, TrustStep};
use hybridsync_core::{engine, EventSink, Step, StepContext};
use hybridsync_microsoft::identity::scopes;
use hybridsync_microsoft::{
    Authority, ClientConfig, DevicePolling, Graph, HttpOptions, Identity, Transport,
};
use hybridsync_practice_tenant::{Faults, Options, Running, CRM_APP_ID, PRACTICE_PASSWORD};
use tokio_util::sync::CancellationToken;

const CONTOSO: &str = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91";
const CLIENT_ID: &str = "5b1f0c4e-9a7d-4c2b-8e3f-6d0a1b2c3d4e";
const ADMIN: &str = "admin@contoso.onmicrosoft.com";
const NO_ROLE: &str = "user@contoso.onmicrosoft.com";
const STEP_SCOPES: &[&str] = &[
    "offline_access",
    scopes::USER_READ,
    scopes::ROLES_READ,
    scopes::SERVICE_PRINCIPAL,
];

async fn sim() -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(Options::in_dir(dir.path().join("sim")))
        .await
        .unwrap();
    running.sim.set_faults(Faults {
        device_interval_secs: Some(1),
        ..Faults::default()
    });
    (running, dir)
}

/// Signs `user` in with a device code; the "user" approves on the practice tenant's page.
async fn graph_for(sim: &Running, user: &str) -> Arc<Graph> {
    let transport = Transport::new(&HttpOptions {
        ca_file: Some(sim.ca_file.clone()),
        timeout: Duration::from_secs(10),
    })
    .unwrap();
    let identity = Identity::new(
        transport,
        ClientConfig {
            authority: Authority::parse(sim.authority()).unwrap(),
            tenant: CONTOSO.into(),
            client_id: CLIENT_ID.into(),
        },
    );
    let code = identity.start_device_code(STEP_SCOPES).await.unwrap();
    let pem = std::fs::read(&sim.ca_file).unwrap();
    let browser = reqwest::Client::builder()
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(&pem).unwrap())
        .build()
        .unwrap();
    let resp = browser
        .post(format!("{}/devicelogin", sim.base_url))
        .form(&[
            ("user_code", code.user_code.as_str()),
            ("username", user),
            ("password", PRACTICE_PASSWORD),
            ("action", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let tokens = identity
        .wait_for_device_code(&code, &DevicePolling::default(), &CancellationToken::new())
        .await
        .unwrap();
    Arc::new(Graph::new(identity, tokens, STEP_SCOPES))
}

fn certificate() -> TrustCertificate {
    let generated = generate_self_signed(&NewCertificate::new("Dynamics365-S2S-contoso")).unwrap();
    TrustCertificate::from_file_bytes(
        &hybridsync_certs::cer_base64(&generated.certificate_der).into_bytes(),
        None,
    )
    .unwrap()
}

fn patches(sim: &Running) -> usize {
    sim.sim
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count()
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn first_upload_prunes_the_expired_key_sends_the_certificate_dates_and_a_rerun_changes_nothing(
) {
    let (sim, dir) = sim().await;
    let before = sim.sim.service_principals.crm(CONTOSO);
    assert_eq!(
        before.key_credentials.len(),
        1,
        "the practice principal starts with one expired key"
    );
    let graph = graph_for(&sim, ADMIN).await;
    let cert = certificate();
    let step = TrustStep {
        graph: graph.clone(),
        certificate: cert.clone(),
        crm_domain: Some("contoso.com".into()),
    };
    let ctx = StepContext::new(EventSink::none());

    // The diff first: both fields, the expired key gone in "after", the new one with its dates.
    let seen = step.check(&ctx).await.unwrap();
    assert!(
        seen.findings.iter().any(|f| f.code == "sp_key_expired"),
        "{:?}",
        seen.findings
    );
    let changes = step.plan(&ctx, &seen).await.unwrap();
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["keyCredentials", "servicePrincipalNames"]);
    let after = changes[0].after.as_ref().unwrap().as_array().unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["thumbprint"], cert.thumbprint.as_str());
    assert!(
        !serde_json::to_string(&changes).unwrap().contains("MII"),
        "the diff shows no key bytes"
    );
    assert_eq!(patches(&sim), 0, "check and plan change nothing");

    let mut journal = Journal::open(&dir.path().join("run1.jsonl")).unwrap();
    let out = engine::run(&[&step as &dyn Step], &ctx, &mut journal)
        .await
        .unwrap();
    assert_eq!(out[0].applied.len(), 2);
    assert!(
        journal
            .records()
            .iter()
            .any(|r| serde_json::to_string(r).unwrap().contains("keyCredentials")),
        "the change is journaled"
    );

    let sp = sim.sim.service_principals.crm(CONTOSO);
    assert_eq!(sp.key_credentials.len(), 1, "the expired key was pruned");
    let k = &sp.key_credentials[0];
    assert_eq!(k.custom_key_identifier, cert.thumbprint);
    assert_eq!(
        (k.key_type.as_str(), k.usage.as_str()),
        ("AsymmetricX509Cert", "Verify")
    );
    assert_eq!(k.display_name.as_deref(), Some(cert.subject.as_str()));
    // The certificate's own dates, not Graph's one-year default for missing dates.
    assert_eq!(
        rfc3339(k.start),
        rfc3339(cert.not_before.replace_nanosecond(0).unwrap())
    );
    assert_eq!(
        rfc3339(k.end),
        rfc3339(cert.not_after.replace_nanosecond(0).unwrap())
    );
    let sent = &sim.sim.service_principals.patches()[0]["keyCredentials"][0];
    assert_eq!(
        sent["startDateTime"],
        rfc3339(cert.not_before.replace_nanosecond(0).unwrap()).as_str()
    );
    assert_eq!(
        sent["endDateTime"],
        rfc3339(cert.not_after.replace_nanosecond(0).unwrap()).as_str()
    );
    assert!(sp.service_principal_names.contains(&CRM_APP_ID.to_string()));
    assert!(sp
        .service_principal_names
        .contains(&format!("{CRM_APP_ID}/*.contoso.com")));
    assert_eq!(patches(&sim), 2);

    // A new run (a fresh journal): the key is there, nothing to change, no PATCH.
    let mut journal = Journal::open(&dir.path().join("run2.jsonl")).unwrap();
    let out = engine::run(&[&step as &dyn Step], &ctx, &mut journal)
        .await
        .unwrap();
    assert!(out[0].applied.is_empty(), "{:?}", out[0].applied);
    assert!(out[0]
        .findings
        .iter()
        .any(|f| f.code == "trust_key_present"));
    assert_eq!(patches(&sim), 2, "the re-run sent no PATCH");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_certificate_is_added_beside_the_first_for_a_rotation() {
    let (sim, dir) = sim().await;
    let graph = graph_for(&sim, ADMIN).await;
    let ctx = StepContext::new(EventSink::none());
    let (first, second) = (certificate(), certificate());
    for (i, cert) in [first.clone(), second.clone()].into_iter().enumerate() {
        let step = TrustStep {
            graph: graph.clone(),
            certificate: cert,
            crm_domain: None,
        };
        let mut journal = Journal::open(&dir.path().join(format!("run{i}.jsonl"))).unwrap();
        engine::run(&[&step as &dyn Step], &ctx, &mut journal)
            .await
            .unwrap();
    }
    let thumbs: Vec<String> = sim
        .sim
        .service_principals
        .crm(CONTOSO)
        .key_credentials
        .iter()
        .map(|k| k.custom_key_identifier.clone())
        .collect();
    assert_eq!(
        thumbs,
        vec![first.thumbprint, second.thumbprint],
        "the old key stays, keyed by keyId, while the new one is added"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_the_role_is_refused_before_any_change() {
    let (sim, dir) = sim().await;
    let graph = graph_for(&sim, NO_ROLE).await;
    let step = TrustStep {
        graph,
        certificate: certificate(),
        crm_domain: None,
    };
    let mut journal = Journal::open(&dir.path().join("run.jsonl")).unwrap();
    let err = engine::run(
        &[&step as &dyn Step],
        &StepContext::new(EventSink::none()),
        &mut journal,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, "role_missing");
    assert!(
        err.message.contains("needs the Global Administrator role"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("Nothing was changed"),
        "{}",
        err.message
    );
    assert_eq!(patches(&sim), 0);
    assert_eq!(
        sim.sim
            .service_principals
            .crm(CONTOSO)
            .key_credentials
            .len(),
        1
    );
}

// ---- the practice tenant's Graph semantics for the principal (ms-api.md §5.5, §5.6) ----

use hybridsync_microsoft::service_principal as sp;

#[tokio::test(flavor = "multi_thread")]
async fn the_key_comes_only_with_a_single_object_select() {
    let (sim, _dir) = sim().await;
    let graph = graph_for(&sim, ADMIN).await;
    let found = sp::find_crm(&graph).await.unwrap();
    assert_eq!(found.app_id, CRM_APP_ID);
    assert_eq!(found.key_credentials.len(), 1);
    assert_eq!(
        found.key_credentials[0].key, None,
        "key is null in a collection"
    );
    let keys = sp::read_keys(&graph, &found.id).await.unwrap();
    assert!(
        keys[0].key.as_deref().is_some_and(|k| k.starts_with("MII")),
        "{keys:?}"
    );
    let plain: serde_json::Value = graph
        .get_json(&format!("/servicePrincipals/{}", found.id), "x")
        .await
        .unwrap();
    assert!(
        plain["keyCredentials"][0]["key"].is_null(),
        "without $select the key is null too"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn graph_refuses_a_patch_from_a_user_without_the_role_even_when_the_client_skips_its_check() {
    let (sim, _dir) = sim().await;
    let graph = graph_for(&sim, NO_ROLE).await;
    let found = sp::find_crm(&graph).await.unwrap();
    let err = sp::patch_names(&graph, &found.id, &[CRM_APP_ID.to_string()])
        .await
        .unwrap_err();
    assert_eq!(err.code(), "graph_forbidden");
    assert!(
        err.to_string().contains("Authorization_RequestDenied"),
        "{err}"
    );
    assert!(sim
        .sim
        .requests()
        .iter()
        .any(|r| r.method == "PATCH" && r.status == 403));
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_key_credentials_get_graphs_400_and_missing_dates_get_the_one_year_default() {
    let (sim, _dir) = sim().await;
    let graph = graph_for(&sim, ADMIN).await;
    let id = sp::find_crm(&graph).await.unwrap().id;
    let path = format!("/servicePrincipals/{id}");
    let cert = certificate();
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD.encode(&cert.der);
    for (body, why) in [
        (
            serde_json::json!({"keyCredentials": [{"type": "AsymmetricX509Cert", "usage": "Verify", "key": "***not base64***"}]}),
            "base64",
        ),
        (
            serde_json::json!({"keyCredentials": [{"type": "AsymmetricX509Cert", "usage": "Verify", "key": key, "startDateTime": "yesterday"}]}),
            "ISO 8601",
        ),
        (
            serde_json::json!({"keyCredentials": [{"type": "AsymmetricX509Cert", "usage": "Verify", "key": "aGVsbG8="}]}),
            "DER",
        ),
        (
            serde_json::json!({"keyCredentials": [{"keyId": "00000000-0000-0000-0000-000000000000"}]}),
            "existing keyId",
        ),
    ] {
        let err = graph.patch_json(&path, &body, "x").await.unwrap_err();
        assert_eq!(err.code(), "http_error");
        let text = err.to_string();
        assert!(
            text.contains("HTTP 400") && text.contains(why),
            "{why}: {text}"
        );
    }
    assert_eq!(
        sim.sim
            .service_principals
            .crm(CONTOSO)
            .key_credentials
            .len(),
        1,
        "nothing changed"
    );
    // Microsoft's script sends null dates (ms-api.md §5.5): Graph then makes the key valid for one year.
    let body = serde_json::json!({"keyCredentials": [{"type": "AsymmetricX509Cert", "usage": "Verify", "key": key, "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": null}]});
    graph.patch_json(&path, &body, "x").await.unwrap();
    let k = &sim.sim.service_principals.crm(CONTOSO).key_credentials[0];
    assert_eq!(rfc3339(k.end), "2027-01-01T00:00:00Z");
    assert_ne!(
        rfc3339(k.end),
        rfc3339(cert.not_after.replace_nanosecond(0).unwrap()),
        "not the certificate's NotAfter"
    );
}

// ---- the practice CRM deployment: "running" the script, then importing its result ----

use hybridsync_core::steps::crm_script::{import_result, parse_result, METADATA_URL_WORLDWIDE};

async fn run_practice_script(sim: &Running, cert: &TrustCertificate) -> Vec<u8> {
    use base64::Engine;
    let pem = std::fs::read(&sim.ca_file).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(&pem).unwrap())
        .build()
        .unwrap();
    let resp = client
        .post(format!("{}/_practice/crm/run-script", sim.base_url))
        .json(&serde_json::json!({
            "certificate": base64::engine::general_purpose::STANDARD.encode(&cert.der),
            "service_account": "CONTOSO\\svc-crm-async",
            "organization": "contoso",
            "tenant_id": CONTOSO,
            "principal_id": "00000001-0000-0000-c000-000000000000",
            "metadata_url": METADATA_URL_WORLDWIDE,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.bytes().await.unwrap().to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_practice_script_run_updates_the_crm_deployment_and_its_result_imports_as_done() {
    let (sim, _dir) = sim().await;
    let cert = certificate();
    let result = run_practice_script(&sim, &cert).await;
    let report = import_result(parse_result(&result).unwrap(), Some(&cert.thumbprint));
    assert!(report.done, "{:?}", report.findings);
    let state = sim.sim.crm.state();
    assert_eq!(
        state.certificate_thumbprint.as_deref(),
        Some(cert.thumbprint.as_str())
    );
    assert_eq!(
        state.s2s_tenant_ids.get("contoso").map(String::as_str),
        Some(CONTOSO)
    );
    assert_eq!(
        state.server_settings["S2SDefaultAuthorizationServerMetadataUrl"],
        METADATA_URL_WORLDWIDE
    );

    sim.sim.crm.fail_script_with(
        "tenant_id",
        "You cannot call a method on a null-valued expression. Process Failed.",
    );
    let report = import_result(
        parse_result(&run_practice_script(&sim, &cert).await).unwrap(),
        Some(&cert.thumbprint),
    );
    assert!(!report.done);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code == "hybrid_connector_missing"),
        "{:?}",
        report.findings
    );
}
