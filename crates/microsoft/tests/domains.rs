//! The Graph domains client against the practice tenant's Graph domains routes (ms-api.md §3):
//! the answers' shapes and Graph's error bodies.
use std::time::Duration;

use hybridsync_microsoft::domains::{self, DOMAIN_SCOPES};
use hybridsync_microsoft::{Authority, ClientConfig, DevicePolling, Error, Graph, HttpOptions, Identity, Transport};
use hybridsync_practice_tenant::graph_domains::{DUPLICATE_ERROR, INVALID_NAME_ERROR, ONLY_ID_ERROR};
use hybridsync_practice_tenant::{Options, Running, PRACTICE_PASSWORD};
use tokio_util::sync::CancellationToken;

struct Env {
    sim: Running,
    _dir: tempfile::TempDir,
    identity: Identity,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let sim = Running::start(Options::in_dir(dir.path())).await.unwrap();
    let mut f = sim.sim.faults();
    f.device_interval_secs = Some(1);
    sim.sim.set_faults(f);
    let transport = Transport::new(&HttpOptions { ca_file: Some(sim.ca_file.clone()), timeout: Duration::from_secs(10) }).unwrap();
    let identity = Identity::new(
        transport,
        ClientConfig { authority: Authority::parse(sim.authority()).unwrap(), tenant: "contoso.com".into(), client_id: "5b1f0c4e-9a7d-4c2b-8e3f-6d0a1b2c3d4e".into() },
    );
    Env { sim, _dir: dir, identity }
}

async fn graph_for(env: &Env, user: &str) -> (Graph, String) {
    let code = env.identity.start_device_code(DOMAIN_SCOPES).await.unwrap();
    let resp = env
        .identity
        .transport()
        .client
        .post(format!("{}/devicelogin", env.sim.base_url))
        .form(&[("user_code", code.user_code.as_str()), ("username", user), ("password", PRACTICE_PASSWORD), ("action", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let tokens = env.identity.wait_for_device_code(&code, &DevicePolling::default(), &CancellationToken::new()).await.unwrap();
    let bearer = tokens.access_token.expose().to_string();
    (Graph::new(env.identity.clone(), tokens, DOMAIN_SCOPES), bearer)
}

#[tokio::test(flavor = "multi_thread")]
async fn list_add_records_and_graphs_error_bodies() {
    let env = env().await;
    let (graph, bearer) = graph_for(&env, "domains@contoso.onmicrosoft.com").await;

    let all = domains::list(&graph).await.unwrap();
    let ids: Vec<&str> = all.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["contoso.onmicrosoft.com", "contoso.com"]);
    assert!(all[0].is_initial && all[1].is_default && all.iter().all(|d| d.is_verified && d.authentication_type == "Managed"));
    assert_eq!(domains::get(&graph, "nosuch.example").await.unwrap(), None);

    let added = domains::add(&graph, "Fabrikam-Retail.com").await.unwrap();
    assert_eq!((added.id.as_str(), added.is_verified, added.is_root), ("fabrikam-retail.com", false, true));
    let records = domains::verification_records(&graph, "fabrikam-retail.com").await.unwrap();
    let txt = domains::txt_of(&records).unwrap();
    let text = txt.text.clone().unwrap();
    assert!(text.starts_with("MS=ms") && text[5..].len() == 8 && text[5..].chars().all(|c| c.is_ascii_digit()), "{text}");
    assert_eq!((txt.label.as_str(), txt.ttl, txt.is_optional), ("fabrikam-retail.com", 3600, false));
    let mx = records.iter().find(|r| r.record_type == "Mx").unwrap();
    assert_eq!(mx.preference, Some(32767));
    assert_eq!(mx.mail_exchange.as_deref(), Some(format!("{}.msv1.invalid", &text[3..]).as_str()));
    let service = domains::service_records(&graph, "fabrikam-retail.com").await.unwrap();
    assert!(service.iter().any(|r| r.record_type == "Mx" && r.mail_exchange.as_deref() == Some("fabrikam-retail-com.mail.protection.outlook.com") && r.preference == Some(0)));
    assert!(service.iter().any(|r| r.record_type == "CName" && r.canonical_name.as_deref() == Some("autodiscover.outlook.com")));

    // Graph's answers to a duplicate, a malformed name and a body with more than the id.
    let e = domains::add(&graph, "fabrikam-retail.com").await.unwrap_err();
    assert!(matches!(&e, Error::Http { status: 400, detail, .. } if detail.contains(DUPLICATE_ERROR.1)), "{e}");
    let raw = |body: serde_json::Value| {
        let client = env.identity.transport().client.clone();
        let url = format!("{}/v1.0/domains", env.sim.base_url);
        let bearer = bearer.clone();
        async move {
            let r = client.post(url).bearer_auth(bearer).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, body) = raw(serde_json::json!({"id": "bad_name.com"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some(INVALID_NAME_ERROR.0)));
    assert_eq!(body["error"]["message"], INVALID_NAME_ERROR.1);
    let (status, body) = raw(serde_json::json!({"id": "x.com", "isDefault": true})).await;
    assert_eq!((status, body["error"]["message"].as_str()), (400, Some(ONLY_ID_ERROR.1)));
    assert!(body["error"]["innerError"]["request-id"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_the_role_gets_graphs_403_and_another_tenant_sees_404() {
    let env = env().await;
    let (graph, _) = graph_for(&env, "user@contoso.onmicrosoft.com").await;
    // Reading is allowed; adding is refused.
    assert_eq!(domains::list(&graph).await.unwrap().len(), 2);
    let e = domains::add(&graph, "northwindtraders.com").await.unwrap_err();
    assert_eq!(e.code(), "graph_forbidden");
    assert!(e.to_string().contains("Authorization_RequestDenied"), "{e}");
    // Fabrikam's domain is not Contoso's.
    assert_eq!(domains::get(&graph, "fabrikam.eu").await.unwrap(), None);
}
