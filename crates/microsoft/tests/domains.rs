//! The Graph domains client against the practice tenant's Graph domains routes (ms-api.md §3):
//! the answers' shapes and Graph's error bodies.
#[path = "support/practice_graph.rs"]
mod practice_graph;

use hybridsync_microsoft::domains::{self, DOMAIN_SCOPES};
use hybridsync_microsoft::Error;
use hybridsync_practice_tenant::graph_domains::{
    DUPLICATE_ERROR, INVALID_NAME_ERROR, ONLY_ID_ERROR,
};
use practice_graph::{env, graph_for};

#[tokio::test(flavor = "multi_thread")]
async fn list_add_records_and_graphs_error_bodies() {
    let env = env().await;
    let (graph, bearer) = graph_for(&env, "domains@contoso.onmicrosoft.com", DOMAIN_SCOPES).await;

    let all = domains::list(&graph).await.unwrap();
    let ids: Vec<&str> = all.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["contoso.onmicrosoft.com", "contoso.com"]);
    assert!(
        all[0].is_initial
            && all[1].is_default
            && all
                .iter()
                .all(|d| d.is_verified && d.authentication_type == "Managed")
    );
    assert_eq!(domains::get(&graph, "nosuch.example").await.unwrap(), None);

    let added = domains::add(&graph, "Fabrikam-Retail.com").await.unwrap();
    assert_eq!(
        (added.id.as_str(), added.is_verified, added.is_root),
        ("fabrikam-retail.com", false, true)
    );
    let records = domains::verification_records(&graph, "fabrikam-retail.com")
        .await
        .unwrap();
    let txt = domains::txt_of(&records).unwrap();
    let text = txt.text.clone().unwrap();
    assert!(
        text.starts_with("MS=ms")
            && text[5..].len() == 8
            && text[5..].chars().all(|c| c.is_ascii_digit()),
        "{text}"
    );
    assert_eq!(
        (txt.label.as_str(), txt.ttl, txt.is_optional),
        ("fabrikam-retail.com", 3600, false)
    );
    let mx = records.iter().find(|r| r.record_type == "Mx").unwrap();
    assert_eq!(mx.preference, Some(32767));
    assert_eq!(
        mx.mail_exchange.as_deref(),
        Some(format!("{}.msv1.invalid", &text[3..]).as_str())
    );
    let service = domains::service_records(&graph, "fabrikam-retail.com")
        .await
        .unwrap();
    assert!(service.iter().any(|r| r.record_type == "Mx"
        && r.mail_exchange.as_deref() == Some("fabrikam-retail-com.mail.protection.outlook.com")
        && r.preference == Some(0)));
    assert!(service.iter().any(|r| r.record_type == "CName"
        && r.canonical_name.as_deref() == Some("autodiscover.outlook.com")));

    // Graph's answers to a duplicate, a malformed name and a body with more than the id.
    let e = domains::add(&graph, "fabrikam-retail.com")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Http { status: 400, detail, .. } if detail.contains(DUPLICATE_ERROR.1)),
        "{e}"
    );
    let raw = |body: serde_json::Value| {
        let client = env.identity.transport().client.clone();
        let url = format!("{}/v1.0/domains", env.sim.base_url);
        let bearer = bearer.clone();
        async move {
            let r = client
                .post(url)
                .bearer_auth(bearer)
                .json(&body)
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (status, body) = raw(serde_json::json!({"id": "bad_name.com"})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some(INVALID_NAME_ERROR.0))
    );
    assert_eq!(body["error"]["message"], INVALID_NAME_ERROR.1);
    let (status, body) = raw(serde_json::json!({"id": "x.com", "isDefault": true})).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (400, Some(ONLY_ID_ERROR.1))
    );
    assert!(body["error"]["innerError"]["request-id"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_the_role_gets_graphs_403_and_another_tenant_sees_404() {
    let env = env().await;
    let (graph, _) = graph_for(&env, "user@contoso.onmicrosoft.com", DOMAIN_SCOPES).await;
    // Reading is allowed; adding is refused.
    assert_eq!(domains::list(&graph).await.unwrap().len(), 2);
    let e = domains::add(&graph, "northwindtraders.com")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "graph_forbidden");
    assert!(e.to_string().contains("Authorization_RequestDenied"), "{e}");
    // Fabrikam's domain is not Contoso's.
    assert_eq!(domains::get(&graph, "fabrikam.eu").await.unwrap(), None);
}
