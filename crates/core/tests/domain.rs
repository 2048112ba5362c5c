//! The Domains step against the in-process practice tenant over real TLS, its Graph domains and
//! its own two authoritative DNS servers on loopback.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hybridsync_core::journal::Journal;
use hybridsync_core::steps::domain::{self, DomainRequest, DomainStatus, DomainStep, Polling};
use hybridsync_core::{engine, EventSink, StepContext};
use hybridsync_dns::Backoff;
use hybridsync_microsoft::domains::DOMAIN_SCOPES;
use hybridsync_microsoft::{
    Authority, ClientConfig, DevicePolling, Graph, HttpOptions, Identity, SignedInUser, Transport,
};
use hybridsync_practice_tenant::{Options, Running, Servers, PRACTICE_PASSWORD};
use tokio_util::sync::CancellationToken;

const ADMIN: &str = "admin@contoso.onmicrosoft.com";
const DOMAINS_ADMIN: &str = "domains@contoso.onmicrosoft.com";
const NO_ROLE: &str = "user@contoso.onmicrosoft.com";
const NEW_DOMAIN: &str = "northwindtraders.com";

struct Env {
    sim: Running,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let sim = Running::start(Options::in_dir(dir.path())).await.unwrap();
    let mut f = sim.sim.faults();
    f.device_interval_secs = Some(1);
    sim.sim.set_faults(f);
    Env { sim, _dir: dir }
}

/// Signs `user` in with a device code approved on the practice tenant's page.
async fn sign_in(env: &Env, user: &str) -> (Graph, SignedInUser) {
    let transport = Transport::new(&HttpOptions {
        ca_file: Some(env.sim.ca_file.clone()),
        timeout: Duration::from_secs(10),
    })
    .unwrap();
    let identity = Identity::new(
        transport,
        ClientConfig {
            authority: Authority::parse(env.sim.authority()).unwrap(),
            tenant: "contoso.com".into(),
            client_id: "5b1f0c4e-9a7d-4c2b-8e3f-6d0a1b2c3d4e".into(),
        },
    );
    let code = identity.start_device_code(DOMAIN_SCOPES).await.unwrap();
    let page = identity
        .transport()
        .client
        .post(format!("{}/devicelogin", env.sim.base_url))
        .form(&[
            ("user_code", code.user_code.as_str()),
            ("username", user),
            ("password", PRACTICE_PASSWORD),
            ("action", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let tokens = identity
        .wait_for_device_code(&code, &DevicePolling::default(), &CancellationToken::new())
        .await
        .unwrap();
    let graph = Graph::new(identity, tokens, DOMAIN_SCOPES);
    let me = graph.signed_in_user().await.unwrap();
    (graph, me)
}

fn req(env: &Env, domain: &str) -> DomainRequest {
    DomainRequest {
        domain: domain.into(),
        nameserver: Some(env.sim.dns.resolver().to_string()),
    }
}

fn ctx() -> StepContext {
    StepContext::new(EventSink::none())
}

/// The paths of the requests the practice tenant served, as `METHOD path`.
fn log(env: &Env) -> Vec<String> {
    env.sim
        .sim
        .requests()
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect()
}

fn verify_calls(lines: &[String]) -> usize {
    lines
        .iter()
        .filter(|l| l.starts_with("POST ") && l.contains("/verify "))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_is_never_called_before_every_authoritative_server_has_the_record() {
    let env = env().await;
    assert_eq!(
        env.sim.dns.addresses().len(),
        2,
        "the practice DNS needs two name servers for this test"
    );
    let (graph, me) = sign_in(&env, DOMAINS_ADMIN).await;
    let r = req(&env, NEW_DOMAIN);
    let added = domain::add(&graph, &me, &r).await.unwrap();
    let txt = added.txt.clone().expect("a TXT record to publish");
    assert!(
        txt.value.starts_with("MS=ms") && txt.value.len() == 13,
        "{}",
        txt.value
    );

    // The wait runs in the background, polling every 50 ms; each check is recorded.
    let checks: Arc<Mutex<Vec<DomainStatus>>> = Arc::default();
    let polling = Polling {
        interval: Duration::from_millis(50),
        backoff: Backoff::fixed().with_give_up_after(Duration::from_secs(60)),
    };
    let waiter = {
        let (checks, r) = (checks.clone(), r.clone());
        async move {
            let graph = graph;
            domain::wait_and_verify(&graph, &me, &r, &ctx(), &polling, |s| {
                checks.lock().unwrap().push(s.clone())
            })
            .await
        }
    };
    let task = tokio::spawn(waiter);
    let wait_for_checks = |n: usize| {
        let checks = checks.clone();
        async move {
            for _ in 0..400 {
                if checks.lock().unwrap().len() >= n {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            panic!("fewer than {n} DNS checks ran");
        }
    };
    wait_for_checks(2).await;

    // The record on ns1 only: the checks see one server with it, one without; no verify.
    assert!(env
        .sim
        .sim
        .domains
        .publish(NEW_DOMAIN, Servers::Only(0))
        .await
        .is_some());
    let seen_before = checks.lock().unwrap().len();
    wait_for_checks(seen_before + 4).await;
    let half = checks.lock().unwrap().last().cloned().unwrap();
    let dns = half.dns.unwrap();
    let auth: Vec<_> = dns
        .rows
        .iter()
        .filter(|r| r.role == "authoritative")
        .collect();
    assert_eq!(auth.len(), 2, "{auth:?}");
    assert_eq!(auth.iter().filter(|r| r.has_value).count(), 1, "{auth:?}");
    assert!(!dns.ready);
    assert!(
        dns.findings.iter().any(|f| f.code == "servers_disagree"),
        "{:?}",
        dns.findings
    );
    let before_second = log(&env);
    assert_eq!(
        verify_calls(&before_second),
        0,
        "verify was called while ns2 lacked the record: {before_second:#?}"
    );

    // Then on ns2: the next check is ready and verify is called, once.
    env.sim
        .sim
        .domains
        .publish(NEW_DOMAIN, Servers::Only(1))
        .await
        .unwrap();
    let second_published = std::time::Instant::now();
    let done = tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    // A measurement for the report, not an assertion: verified this long after ns2 had the record.
    eprintln!(
        "verified {:?} after the second name server had the record (poll interval 50 ms)",
        second_published.elapsed()
    );
    assert!(done.verified(), "{done:?}");
    let after = log(&env);
    assert_eq!(verify_calls(&after), 1, "{after:#?}");
    let at = after.iter().position(|l| l.contains("/verify ")).unwrap();
    assert!(
        at >= before_second.len(),
        "verify appears in the log before the second server had the record"
    );
    assert!(after[at].ends_with(" 200"), "{}", after[at]);
}

#[tokio::test(flavor = "multi_thread")]
async fn add_records_publish_verify_then_a_rerun_changes_nothing() {
    let env = env().await;
    let (graph, me) = sign_in(&env, ADMIN).await;
    let graph = Arc::new(graph);
    let step = DomainStep {
        graph: graph.clone(),
        user: me.clone(),
        request: req(&env, NEW_DOMAIN),
    };
    let dir = tempfile::tempdir().unwrap();

    // Run 1: the domain is added; DNS has no record, so no verify is planned.
    let mut journal = Journal::open(&dir.path().join("run1.jsonl")).unwrap();
    let out = engine::run(&[&step], &ctx(), &mut journal).await.unwrap();
    assert_eq!(
        out[0]
            .applied
            .iter()
            .map(|c| c.field.as_str())
            .collect::<Vec<_>>(),
        ["id"]
    );
    let s = domain::status(&graph, &step.request).await.unwrap();
    let txt = s.txt.clone().unwrap();
    assert_eq!(
        (txt.host.as_str(), txt.ttl, txt.zone.as_deref()),
        ("@", 3600, Some(NEW_DOMAIN))
    );
    assert!(
        s.findings.iter().any(|f| f.code == "txt_missing"),
        "{:?}",
        s.findings
    );
    assert!(s
        .service_records
        .iter()
        .any(|r| r.mail_exchange.as_deref()
            == Some("northwindtraders-com.mail.protection.outlook.com")));
    assert!(s.guard_reason.contains("on-premises"));
    assert_eq!(verify_calls(&log(&env)), 0);

    // The demo's publish action, over HTTP, then run 2 verifies.
    let resp = graph_client(&env)
        .post(format!(
            "{}/_practice/dns/{NEW_DOMAIN}/publish",
            env.sim.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["published"]["text"], txt.value.as_str());
    let mut journal = Journal::open(&dir.path().join("run2.jsonl")).unwrap();
    let out = engine::run(&[&step], &ctx(), &mut journal).await.unwrap();
    assert_eq!(
        out[0]
            .applied
            .iter()
            .map(|c| c.field.as_str())
            .collect::<Vec<_>>(),
        ["isVerified"]
    );
    let s = domain::status(&graph, &step.request).await.unwrap();
    assert!(s.verified());

    // Run 3 on a fresh journal: nothing planned, no POST at all.
    let posts_before = log(&env)
        .iter()
        .filter(|l| l.starts_with("POST /v1.0/domains"))
        .count();
    let mut journal = Journal::open(&dir.path().join("run3.jsonl")).unwrap();
    let out = engine::run(&[&step], &ctx(), &mut journal).await.unwrap();
    assert!(out[0].applied.is_empty(), "{:?}", out[0].applied);
    let posts_after = log(&env)
        .iter()
        .filter(|l| l.starts_with("POST /v1.0/domains"))
        .count();
    assert_eq!(posts_before, posts_after);
    // The same journal again: the step is skipped as done.
    let out = engine::run(&[&step], &ctx(), &mut journal).await.unwrap();
    assert!(out[0].skipped_as_done);
}

fn graph_client(env: &Env) -> reqwest::Client {
    Transport::new(&HttpOptions {
        ca_file: Some(env.sim.ca_file.clone()),
        timeout: Duration::from_secs(10),
    })
    .unwrap()
    .client
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_verify_shows_graphs_message_and_dns_not_ready_sends_nothing() {
    let env = env().await;
    let (graph, me) = sign_in(&env, ADMIN).await;
    let r = req(&env, NEW_DOMAIN);
    domain::add(&graph, &me, &r).await.unwrap();

    // The step refuses to call verify while DNS lacks the record.
    let e = domain::verify(&graph, &me, &r).await.unwrap_err();
    assert_eq!(e.code, "dns_not_ready");
    assert!(
        e.message.contains("was not sent for verification"),
        "{}",
        e.message
    );
    assert_eq!(verify_calls(&log(&env)), 0);

    // Called directly, Graph refuses; its message reaches the admin.
    let e: hybridsync_core::ErrorPayload =
        hybridsync_microsoft::domains::verify(&graph, NEW_DOMAIN)
            .await
            .unwrap_err()
            .into();
    assert_eq!(e.code, "domain_not_verified");
    assert!(
        e.message
            .contains(hybridsync_practice_tenant::graph_domains::VERIFY_FAILED_ERROR.1),
        "{}",
        e.message
    );
    assert_eq!(e.remediation.as_deref(), Some("domains.verify-failed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_the_role_is_refused_with_the_role_named_and_nothing_is_sent() {
    let env = env().await;
    let (graph, me) = sign_in(&env, NO_ROLE).await;
    let e = domain::add(&graph, &me, &req(&env, NEW_DOMAIN))
        .await
        .unwrap_err();
    assert_eq!(e.code, "role_missing");
    assert!(
        e.message.contains("Domain Name Administrator"),
        "{}",
        e.message
    );
    assert!(
        !log(&env)
            .iter()
            .any(|l| l.starts_with("POST /v1.0/domains")),
        "{:#?}",
        log(&env)
    );
    // Graph itself refuses too (403), when asked directly.
    let e = hybridsync_microsoft::domains::add(&graph, NEW_DOMAIN)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "graph_forbidden");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subdomain_of_a_verified_root_is_verified_without_a_txt_record() {
    let env = env().await;
    let (graph, me) = sign_in(&env, ADMIN).await;
    let r = req(&env, "sales.contoso.com");
    let before = domain::status(&graph, &r).await.unwrap();
    assert_eq!(before.verified_through.as_deref(), Some("contoso.com"));
    assert!(before
        .findings
        .iter()
        .any(|f| f.code == "domain_subdomain_of_verified"));
    let s = domain::add(&graph, &me, &r).await.unwrap();
    assert!(s.verified(), "{s:?}");
    assert!(s.txt.is_none());
    assert_eq!(verify_calls(&log(&env)), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mail_guard_warns_when_mx_or_autodiscover_already_point_at_microsoft() {
    let env = env().await;
    let (graph, me) = sign_in(&env, ADMIN).await;
    let r = req(&env, NEW_DOMAIN);
    let s = domain::add(&graph, &me, &r).await.unwrap();
    assert!(!s
        .findings
        .iter()
        .any(|f| f.code.starts_with("mx_") || f.code.starts_with("autodiscover_")));
    let addresses = env.sim.dns.addresses();
    assert!(!addresses.is_empty());
    env.sim
        .dns
        .set_mx(
            NEW_DOMAIN,
            &[(0, "northwindtraders-com.mail.protection.outlook.com")],
        )
        .await;
    env.sim
        .dns
        .set_cname(
            &format!("autodiscover.{NEW_DOMAIN}"),
            "autodiscover.outlook.com",
        )
        .await;
    let s = domain::status(&graph, &r).await.unwrap();
    let codes: Vec<&str> = s.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(
        codes.contains(&"mx_points_to_exchange_online")
            && codes.contains(&"autodiscover_points_to_office365"),
        "{codes:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_before_any_request() {
    let env = env().await;
    let (graph, me) = sign_in(&env, ADMIN).await;
    let n = log(&env).len();
    let e = domain::add(&graph, &me, &req(&env, "https://northwindtraders.com/"))
        .await
        .unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert!(e.message.contains("web address"), "{}", e.message);
    let e = domain::status(
        &graph,
        &DomainRequest {
            domain: NEW_DOMAIN.into(),
            nameserver: Some("not-an-address".into()),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert!(e.message.contains("IP:PORT"), "{}", e.message);
    assert_eq!(log(&env).len(), n);
}
