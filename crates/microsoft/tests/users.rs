//! The Graph users client (crates/microsoft/src/users.rs) against the practice tenant's
//! `GET /v1.0/users` over TLS: mail and proxy-address filters, `$select`, paging, licences, and
//! Graph's refusals.
#[path = "support/practice_graph.rs"]
mod practice_graph;

use hybridsync_microsoft::identity::scopes;
use hybridsync_microsoft::{skus, users, Error};
use hybridsync_practice_tenant::dynamics::mailbox_address;
use hybridsync_practice_tenant::Deployment;
use practice_graph::{env, graph_for, Env};

const READ: &[&str] = &[
    "offline_access",
    scopes::USER_READ_ALL,
    scopes::ORGANIZATION_READ,
];

async fn sign_in(
    env: &Env,
    scopes: &'static [&'static str],
) -> (hybridsync_microsoft::Graph, String) {
    graph_for(env, "admin@contoso.onmicrosoft.com", scopes).await
}

#[tokio::test(flavor = "multi_thread")]
async fn users_by_mail_and_proxy_address_with_their_licences() {
    let env = env().await;
    env.sim.sim.dynamics.seed_mailboxes(40);
    let mut d = Deployment::default();
    d.unlicensed.insert(mailbox_address(3));
    d.not_in_exchange.insert(mailbox_address(4));
    env.sim.sim.dynamics.set_deployment(d);
    let (graph, _) = sign_in(&env, READ).await;
    let skus = skus::subscribed_skus(&graph).await.unwrap();

    // 20 addresses: two `in` requests of at most 15; mailbox 4's address is nobody's primary.
    let addresses: Vec<String> = (1..=20)
        .map(|i| {
            if i % 10 == 0 {
                format!("queue{i:05}@contoso.com")
            } else {
                mailbox_address(i)
            }
        })
        .collect();
    let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let before = env.sim.sim.requests().len();
    let found = users::by_mail(&graph, &refs).await.unwrap();
    assert_eq!(
        env.sim.sim.requests()[before..]
            .iter()
            .filter(|r| r.path.starts_with("/v1.0/users"))
            .count(),
        2
    );
    assert_eq!(found.len(), 19, "{found:?}");
    assert!(!found.iter().any(|u| u.has_primary(&mailbox_address(4))));
    let licensed = |a: &str| {
        !found
            .iter()
            .find(|u| u.has_primary(a))
            .unwrap()
            .exchange_licences(&skus)
            .is_empty()
    };
    assert!(licensed(&mailbox_address(1)));
    assert!(
        !licensed(&mailbox_address(3)),
        "E3 with Exchange turned off"
    );
    let queue = found
        .iter()
        .find(|u| u.has_primary("queue00010@contoso.com"))
        .unwrap();
    assert_eq!(
        (queue.account_enabled, queue.assigned_licenses.len()),
        (Some(false), 0),
        "a shared mailbox"
    );
    assert!(
        found[0]
            .proxy_addresses
            .iter()
            .any(|p| p.starts_with("SMTP:")),
        "proxyAddresses come with $select"
    );

    // Mailbox 4's address is only an alias of its user; an address nobody has finds none.
    let alias_of = users::by_proxy_address(&graph, &mailbox_address(4))
        .await
        .unwrap()
        .expect("the alias's user");
    assert!(
        alias_of.has_primary("user00004@contoso.onmicrosoft.com"),
        "{alias_of:?}"
    );
    assert_eq!(
        users::by_proxy_address(&graph, "nobody@contoso.com")
            .await
            .unwrap(),
        None
    );
    let by_alias = users::by_proxy_address(&graph, "user00001@contoso.onmicrosoft.com")
        .await
        .unwrap()
        .expect("the alias's user");
    assert!(by_alias.has_primary(&mailbox_address(1)));
}

#[tokio::test(flavor = "multi_thread")]
async fn graph_pages_the_list_refuses_other_filters_and_asks_for_user_read_all() {
    let env = env().await;
    env.sim.sim.dynamics.seed_mailboxes(250);
    let (graph, bearer) = sign_in(&env, READ).await;
    // No filter: every user (the sign-in accounts, then the 250 mailbox users), in pages of 100
    // followed through @odata.nextLink; the default properties leave out proxyAddresses and licences.
    let accounts = env
        .sim
        .sim
        .users()
        .iter()
        .filter(|u| u.tenant_id == "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91")
        .count();
    assert!(accounts > 0);
    let all = graph.get_all("/users", "User.Read.All").await.unwrap();
    assert_eq!(all.len(), accounts + 250);
    assert!(all
        .iter()
        .any(|u| u["userPrincipalName"] == "admin@contoso.onmicrosoft.com" && u["mail"].is_null()));
    let last = all.last().unwrap();
    assert!(
        last.get("proxyAddresses").is_none()
            && last.get("assignedLicenses").is_none()
            && last["mail"].is_string(),
        "{last}"
    );
    let pages = env
        .sim
        .sim
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1.0/users"))
        .count();
    assert_eq!(pages, (accounts + 250).div_ceil(100));

    let client = &env.identity.transport().client;
    let url = format!(
        "{}/v1.0/users?$filter=startswith(displayName,'Practice')",
        env.sim.base_url
    );
    let resp = client.get(&url).bearer_auth(&bearer).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");

    // A token without a users permission: 403, and the client names the permission to grant.
    let (narrow, _) = sign_in(&env, &["offline_access", scopes::ORGANIZATION_READ]).await;
    match users::by_mail(&narrow, &["user00001@contoso.com"]).await {
        Err(e @ Error::GraphForbidden { .. }) => {
            assert!(e.to_string().contains("User.Read.All"), "{e}")
        }
        other => panic!("expected Graph's refusal, got {other:?}"),
    }
}
