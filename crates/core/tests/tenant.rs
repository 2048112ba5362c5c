//! The Tenant step against the in-process practice tenant, over real TLS.
use std::time::Duration;

use hybridsync_core::steps::tenant::{discover_tenant, DiscoverRequest, TenantStep};
use hybridsync_core::{EventSink, Severity, Step, StepContext};
use hybridsync_microsoft::IssuerForm;
use hybridsync_practice_tenant::{Faults, Options, Running};

const CONTOSO: &str = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91";

async fn sim() -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(Options::in_dir(dir.path())).await.unwrap();
    (running, dir)
}

fn req(sim: &Running, input: &str) -> DiscoverRequest {
    DiscoverRequest {
        input: input.into(),
        authority: sim.authority().into(),
        ca_file: Some(sim.ca_file.display().to_string()),
    }
}

fn ctx() -> StepContext {
    StepContext::new(EventSink::none())
}

const T: Duration = Duration::from_secs(10);

#[tokio::test]
async fn finds_the_tenant_from_the_v2_document() {
    let (sim, _d) = sim().await;
    let r = discover_tenant(&req(&sim, "Contoso.COM"), &ctx(), T)
        .await
        .unwrap();
    assert_eq!(r.tenant_id, CONTOSO);
    assert_eq!(r.issuer_form, IssuerForm::V2);
    assert_eq!(r.tenant_region_scope.as_deref(), Some("NA"));
    assert_eq!(
        r.cloud_instance_name.as_deref(),
        Some("microsoftonline.com")
    );
    assert_eq!(r.input, "contoso.com");
    assert!(r.findings.iter().any(|f| f.code == "tenant_found"));
    let paths: Vec<String> = sim.sim.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/contoso.com/v2.0/.well-known/openid-configuration"]
    );
}

#[tokio::test]
async fn falls_back_to_the_v1_document_and_its_sts_issuer() {
    let (sim, _d) = sim().await;
    sim.sim.set_faults(Faults {
        openid_v2_missing: true,
        ..Faults::default()
    });
    let r = discover_tenant(&req(&sim, "fabrikam.eu"), &ctx(), T)
        .await
        .unwrap();
    assert_eq!(r.tenant_id, "7d9e2b40-51c3-4f8a-a6e2-0c4b19d7e385");
    assert_eq!(r.issuer_form, IssuerForm::V1);
    assert!(
        r.issuer.starts_with("https://sts.windows.net/"),
        "{}",
        r.issuer
    );
    assert_eq!(r.tenant_region_scope.as_deref(), Some("EU"));
    assert!(r.findings.iter().any(|f| f.code == "tenant_v1_document"));
}

#[tokio::test]
async fn accepts_a_tenant_guid_in_any_case() {
    let (sim, _d) = sim().await;
    let r = discover_tenant(&req(&sim, &CONTOSO.to_uppercase()), &ctx(), T)
        .await
        .unwrap();
    assert_eq!(r.tenant_id, CONTOSO);
}

#[tokio::test]
async fn an_unknown_domain_is_not_found() {
    let (sim, _d) = sim().await;
    let e = discover_tenant(&req(&sim, "nosuch.example"), &ctx(), T)
        .await
        .unwrap_err();
    assert_eq!(e.code, "tenant_not_found");
    assert!(
        e.message
            .contains("no Microsoft 365 tenant found for nosuch.example"),
        "{}",
        e.message
    );
    assert!(e.message.contains("AADSTS90002"), "{}", e.message);
    assert_eq!(e.remediation.as_deref(), Some("tenant.check-domain"));
}

#[tokio::test]
async fn the_step_turns_not_found_into_an_error_finding() {
    let (sim, _d) = sim().await;
    let step = TenantStep {
        request: req(&sim, "nosuch.example"),
        timeout: T,
    };
    let seen = step.check(&ctx()).await.unwrap();
    assert!(seen.blocked());
    assert_eq!(seen.findings[0].code, "tenant_not_found");
    assert_eq!(seen.findings[0].severity, Severity::Error);
}

#[tokio::test]
async fn an_untrusted_certificate_is_named_and_never_bypassed() {
    let (sim, _d) = sim().await;
    let mut r = req(&sim, "contoso.com");
    r.ca_file = None;
    let e = discover_tenant(&r, &ctx(), T).await.unwrap_err();
    assert_eq!(e.code, "tls_untrusted");
    assert!(e.message.contains("certificate"), "{}", e.message);
    assert!(e.message.contains("UnknownIssuer"), "{}", e.message);
    // Nothing reached the handler.
    assert!(sim.sim.requests().is_empty());
}

#[tokio::test]
async fn a_ca_file_that_is_not_pem_is_refused() {
    let (sim, d) = sim().await;
    let bad = d.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let mut r = req(&sim, "contoso.com");
    r.ca_file = Some(bad.display().to_string());
    let e = discover_tenant(&r, &ctx(), T).await.unwrap_err();
    assert_eq!(e.code, "ca_file_invalid", "{}", e.message);
}

#[tokio::test]
async fn a_silent_authority_times_out() {
    let (sim, _d) = sim().await;
    sim.sim.set_faults(Faults {
        openid_delay: Some(Duration::from_secs(5)),
        ..Faults::default()
    });
    let e = discover_tenant(
        &req(&sim, "contoso.com"),
        &ctx(),
        Duration::from_millis(300),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "timeout", "{}", e.message);
    assert!(e.message.contains("did not answer"), "{}", e.message);
}

#[tokio::test]
async fn malformed_json_is_reported_as_such() {
    let (sim, _d) = sim().await;
    sim.sim.set_faults(Faults {
        openid_malformed: true,
        ..Faults::default()
    });
    let e = discover_tenant(&req(&sim, "contoso.com"), &ctx(), T)
        .await
        .unwrap_err();
    assert_eq!(e.code, "malformed_response", "{}", e.message);
}

#[tokio::test]
async fn the_multi_tenant_alias_is_not_a_tenant() {
    let (sim, _d) = sim().await;
    let e = discover_tenant(&req(&sim, "common.example"), &ctx(), T)
        .await
        .unwrap_err();
    assert_eq!(e.code, "tenant_not_found");
    // "organizations" is a path alias, not a domain: refused as input before any request.
    let e = discover_tenant(&req(&sim, "organizations"), &ctx(), T)
        .await
        .unwrap_err();
    assert_eq!(e.code, "invalid_input");
}

#[tokio::test]
async fn cancellation_stops_a_pending_lookup() {
    let (sim, _d) = sim().await;
    sim.sim.set_faults(Faults {
        openid_delay: Some(Duration::from_secs(30)),
        ..Faults::default()
    });
    let c = ctx();
    let cancel = c.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        cancel.cancel();
    });
    let e = discover_tenant(&req(&sim, "contoso.com"), &c, T)
        .await
        .unwrap_err();
    assert_eq!(e.code, "cancelled");
}

#[tokio::test]
async fn progress_and_log_events_are_streamed() {
    let (sim, _d) = sim().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let c = StepContext::new(EventSink::new(move |e| s2.lock().unwrap().push(e)));
    discover_tenant(&req(&sim, "contoso.com"), &c, T)
        .await
        .unwrap();
    let events = seen.lock().unwrap();
    assert!(events.iter().any(|e| matches!(
        e,
        hybridsync_core::Event::Progress {
            done: 1,
            total: 1,
            ..
        }
    )));
    assert!(events.iter().any(
        |e| matches!(e, hybridsync_core::Event::Log { message, .. } if message.contains(CONTOSO))
    ));
}
