//! Both sign-in flows, refresh, Graph's token checks and the role check, against the in-process
//! practice tenant. The "browser" is a test that drives the tenant's sign-in form over HTTP.
use std::time::Duration;

use hybridsync_microsoft::graph::RoleRequirement;
use hybridsync_microsoft::identity::scopes;
use hybridsync_microsoft::{
    require_role, Authority, ClientConfig, DevicePolling, Error, Graph, HttpOptions, Identity,
    LoopbackOptions, Secret, Transport,
};
use hybridsync_practice_tenant::{Faults, Options, Running, PRACTICE_PASSWORD};
use tokio_util::sync::CancellationToken;

const CONTOSO: &str = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91";
const CLIENT_ID: &str = "5b1f0c4e-9a7d-4c2b-8e3f-6d0a1b2c3d4e";
const ADMIN: &str = "admin@contoso.onmicrosoft.com";
const DOMAINS_ADMIN: &str = "domains@contoso.onmicrosoft.com";
const NO_ROLE: &str = "user@contoso.onmicrosoft.com";

struct Env {
    sim: Running,
    _dir: tempfile::TempDir,
    identity: Identity,
}

async fn env(tenant: &str) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let sim = Running::start(Options::in_dir(dir.path())).await.unwrap();
    let transport = Transport::new(&HttpOptions {
        ca_file: Some(sim.ca_file.clone()),
        timeout: Duration::from_secs(10),
    })
    .unwrap();
    let identity = Identity::new(
        transport,
        ClientConfig {
            authority: Authority::parse(sim.authority()).unwrap(),
            tenant: tenant.into(),
            client_id: CLIENT_ID.into(),
        },
    );
    Env {
        sim,
        _dir: dir,
        identity,
    }
}

/// A plain HTTP client for the test's "browser": trusts the practice CA, follows no redirects.
fn browser_client(sim: &Running) -> reqwest::Client {
    let pem = std::fs::read(&sim.ca_file).unwrap();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(&pem).unwrap())
        .build()
        .unwrap()
}

#[derive(Clone, Copy, PartialEq)]
enum Tamper {
    None,
    /// The redirect that reaches the app carries another state (a forged or stale answer).
    State,
    /// The authorize request carried another PKCE challenge than the app's.
    Challenge,
}

/// What a user does in the browser: load the sign-in page, submit the form, follow the 302 to the
/// app's loopback address.
async fn drive_form(
    client: reqwest::Client,
    url: String,
    user: &str,
    action: &str,
    tamper: Tamper,
) -> Result<(), String> {
    let page = client.get(&url).send().await.map_err(|e| e.to_string())?;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\""), "{html}");
    let parsed = url::Url::parse(&url).unwrap();
    let mut form: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    if tamper == Tamper::Challenge {
        for (k, v) in form.iter_mut() {
            if k == "code_challenge" {
                *v = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into();
            }
        }
    }
    form.push(("username".into(), user.into()));
    form.push(("password".into(), PRACTICE_PASSWORD.into()));
    form.push(("action".into(), action.into()));
    let mut post_url = parsed.clone();
    post_url.set_query(None);
    let resp = client
        .post(post_url)
        .form(&form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(
        resp.status(),
        302,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    let mut location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.host_str(), Some("localhost"));
    if tamper == Tamper::State {
        let pairs: Vec<(String, String)> = location
            .query_pairs()
            .into_owned()
            .map(|(k, v)| {
                if k == "state" {
                    (k, "forged-state".to_string())
                } else {
                    (k, v)
                }
            })
            .collect();
        location.query_pairs_mut().clear().extend_pairs(pairs);
    }
    // The loopback listener answers on 127.0.0.1; go there directly.
    location.set_host(Some("127.0.0.1")).unwrap();
    let back = reqwest::Client::new()
        .get(location)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let _ = back.text().await;
    Ok(())
}

async fn browser_sign_in(
    env: &Env,
    scopes: &[&str],
    user: &str,
    action: &str,
    tamper: Tamper,
) -> Result<hybridsync_microsoft::Tokens, Error> {
    let client = browser_client(&env.sim);
    let user = user.to_string();
    let action = action.to_string();
    env.identity
        .sign_in_with_browser(
            scopes,
            move |url| async move { drive_form(client, url, &user, &action, tamper).await },
            &LoopbackOptions {
                timeout: Duration::from_secs(20),
            },
            &CancellationToken::new(),
        )
        .await
}

fn token_posts(sim: &Running) -> usize {
    sim.sim
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/oauth2/v2.0/token"))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_sign_in_shows_the_user_the_tenant_and_the_roles() {
    let env = env("organizations").await;
    let tokens = browser_sign_in(&env, scopes::SIGN_IN, ADMIN, "approve", Tamper::None)
        .await
        .unwrap();
    assert!(
        tokens.refresh_token.is_some(),
        "offline_access gives a refresh token"
    );
    assert!(
        !format!("{tokens:?}").contains(tokens.access_token.expose()),
        "Debug shows the token"
    );
    let graph = Graph::new(env.identity.clone(), tokens, scopes::SIGN_IN);
    let me = graph.signed_in_user().await.unwrap();
    assert_eq!(me.user_principal_name, ADMIN);
    assert_eq!(me.tenant_id, CONTOSO);
    assert_eq!(me.role_names(), vec!["Global Administrator".to_string()]);
    require_role(&me, &RoleRequirement::SERVICE_PRINCIPAL).unwrap();
    // The authorize request carried PKCE S256 and a state (the sim saw the form).
    assert!(env
        .sim
        .sim
        .requests()
        .iter()
        .any(|r| r.method == "POST" && r.path.ends_with("/authorize") && r.status == 302));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_with_a_wrong_state_is_refused_before_any_code_is_redeemed() {
    let env = env(CONTOSO).await;
    let err = browser_sign_in(&env, scopes::SIGN_IN, ADMIN, "approve", Tamper::State)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::StateMismatch), "{err:?}");
    assert_eq!(err.code(), "signin_state_mismatch");
    assert_eq!(
        token_posts(&env.sim),
        0,
        "a code from a forged redirect was redeemed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_pkce_verifier_is_rejected_by_the_token_endpoint() {
    let env = env(CONTOSO).await;
    let err = browser_sign_in(&env, scopes::SIGN_IN, ADMIN, "approve", Tamper::Challenge)
        .await
        .unwrap_err();
    match &err {
        Error::SignInRejected {
            error,
            aadsts,
            detail,
        } => {
            assert_eq!(error, "invalid_grant");
            assert_eq!(*aadsts, Some(501481));
            assert!(detail.contains("Code_Verifier does not match"), "{detail}");
            assert!(!detail.contains("Trace ID"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("AADSTS501481"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn declining_in_the_browser_is_reported_as_declined() {
    let env = env(CONTOSO).await;
    let err = browser_sign_in(&env, scopes::SIGN_IN, ADMIN, "decline", Tamper::None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "signin_declined", "{err:?}");
    assert!(err.to_string().contains("AADSTS65004"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_that_never_comes_back_times_out_and_cancel_stops_the_wait() {
    let env = env(CONTOSO).await;
    let never = |_url: String| async { Ok::<(), String>(()) };
    let err = env
        .identity
        .sign_in_with_browser(
            scopes::SIGN_IN,
            never,
            &LoopbackOptions {
                timeout: Duration::from_millis(300),
            },
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "signin_timeout", "{err:?}");

    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        c2.cancel();
    });
    let err = env
        .identity
        .sign_in_with_browser(scopes::SIGN_IN, never, &LoopbackOptions::default(), &cancel)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "cancelled");

    let failing = |_url: String| async { Err::<(), String>("no browser launcher".into()) };
    let err = env
        .identity
        .sign_in_with_browser(
            scopes::SIGN_IN,
            failing,
            &LoopbackOptions::default(),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "browser_open_failed");
    assert!(
        err.to_string().contains("/oauth2/v2.0/authorize?"),
        "the message gives the URL to open: {err}"
    );
}

/// The user enters the code on the verification page and approves or declines.
async fn device_login(sim: &Running, user_code: &str, user: &str, action: &str) {
    let resp = browser_client(sim)
        .post(format!("{}/devicelogin", sim.base_url))
        .form(&[
            ("user_code", user_code),
            ("username", user),
            ("password", PRACTICE_PASSWORD),
            ("action", action),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"result\""), "{html}");
}

fn fast_device(sim: &Running, f: impl FnOnce(&mut Faults)) {
    let mut faults = sim.sim.faults();
    faults.device_interval_secs = Some(1);
    f(&mut faults);
    sim.sim.set_faults(faults);
}

#[tokio::test(flavor = "multi_thread")]
async fn device_code_approved_after_a_pending_poll_signs_in() {
    let env = env("organizations").await;
    fast_device(&env.sim, |_| {});
    let code = env
        .identity
        .start_device_code(scopes::SIGN_IN)
        .await
        .unwrap();
    assert_eq!(code.interval, Duration::from_secs(1));
    assert!(
        code.verification_uri.ends_with("/devicelogin") && code.message.contains(&code.user_code)
    );
    let (sim_url, user_code) = (env.sim.base_url.clone(), code.user_code.clone());
    let client = browser_client(&env.sim);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        client
            .post(format!("{sim_url}/devicelogin"))
            .form(&[
                ("user_code", user_code.as_str()),
                ("username", DOMAINS_ADMIN),
                ("password", PRACTICE_PASSWORD),
                ("action", "approve"),
            ])
            .send()
            .await
            .unwrap();
    });
    let tokens = env
        .identity
        .wait_for_device_code(&code, &DevicePolling::default(), &CancellationToken::new())
        .await
        .unwrap();
    assert!(env
        .sim
        .sim
        .token_errors()
        .contains(&"authorization_pending".to_string()));
    let me = Graph::new(env.identity.clone(), tokens, scopes::SIGN_IN)
        .signed_in_user()
        .await
        .unwrap();
    assert_eq!(me.user_principal_name, DOMAINS_ADMIN);
    assert_eq!(
        me.role_names(),
        vec!["Domain Name Administrator".to_string()]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn device_code_declined_stops_polling() {
    let env = env(CONTOSO).await;
    fast_device(&env.sim, |_| {});
    let code = env
        .identity
        .start_device_code(scopes::SIGN_IN)
        .await
        .unwrap();
    device_login(&env.sim, &code.user_code, ADMIN, "decline").await;
    let err = env
        .identity
        .wait_for_device_code(&code, &DevicePolling::default(), &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "signin_declined", "{err:?}");
    assert_eq!(
        env.sim.sim.token_errors(),
        vec!["authorization_declined".to_string()]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_device_code_is_reported_as_expired() {
    let env = env(CONTOSO).await;
    fast_device(&env.sim, |f| {
        f.device_code_lifetime = Some(Duration::from_millis(400))
    });
    let code = env
        .identity
        .start_device_code(scopes::SIGN_IN)
        .await
        .unwrap();
    let err = env
        .identity
        .wait_for_device_code(&code, &DevicePolling::default(), &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "device_code_expired", "{err:?}");
    assert!(err.to_string().contains("expired"), "{err}");
    assert_eq!(
        env.sim.sim.token_errors(),
        vec!["expired_token".to_string()]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_down_makes_the_client_poll_less_often_and_it_still_signs_in() {
    let env = env(CONTOSO).await;
    // Advertises 1 s but enforces 2 s between polls: the second poll gets slow_down.
    fast_device(&env.sim, |f| {
        f.device_enforced_interval = Some(Duration::from_millis(1900))
    });
    let code = env
        .identity
        .start_device_code(scopes::SIGN_IN)
        .await
        .unwrap();
    let (sim_url, user_code) = (env.sim.base_url.clone(), code.user_code.clone());
    let client = browser_client(&env.sim);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(2600)).await;
        client
            .post(format!("{sim_url}/devicelogin"))
            .form(&[
                ("user_code", user_code.as_str()),
                ("username", ADMIN),
                ("password", PRACTICE_PASSWORD),
                ("action", "approve"),
            ])
            .send()
            .await
            .unwrap();
    });
    let polling = DevicePolling {
        slow_down_increment: Duration::from_secs(1),
    };
    let tokens = env
        .identity
        .wait_for_device_code(&code, &polling, &CancellationToken::new())
        .await
        .unwrap();
    assert!(tokens.refresh_token.is_some());
    let errors = env.sim.sim.token_errors();
    assert_eq!(
        errors.iter().filter(|e| *e == "slow_down").count(),
        1,
        "{errors:?}"
    );
    assert_eq!(
        errors.last().map(String::as_str),
        Some("slow_down"),
        "after slow_down the client kept to the longer interval: {errors:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_after_expiry_gives_a_working_token_and_an_unknown_one_asks_to_sign_in_again() {
    let env = env(CONTOSO).await;
    let mut f = env.sim.sim.faults();
    f.access_token_lifetime = Some(Duration::ZERO);
    env.sim.sim.set_faults(f.clone());
    let tokens = browser_sign_in(&env, scopes::SIGN_IN, ADMIN, "approve", Tamper::None)
        .await
        .unwrap();
    f.access_token_lifetime = None;
    env.sim.sim.set_faults(f);
    let rt = tokens.refresh_token.clone().unwrap();
    let renewed = env.identity.refresh(&rt, scopes::SIGN_IN).await.unwrap();
    assert_ne!(renewed.access_token, tokens.access_token);
    let me = Graph::new(env.identity.clone(), renewed, scopes::SIGN_IN)
        .signed_in_user()
        .await
        .unwrap();
    assert_eq!(me.user_principal_name, ADMIN);

    let err = env
        .identity
        .refresh(&Secret::new("0.not-a-refresh-token"), scopes::SIGN_IN)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "session_expired", "{err:?}");
    assert!(err.to_string().contains("Sign in again"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_mid_run_renews_the_token_once_and_the_call_succeeds() {
    let env = env(CONTOSO).await;
    let tokens = browser_sign_in(&env, scopes::SIGN_IN, ADMIN, "approve", Tamper::None)
        .await
        .unwrap();
    let graph = Graph::new(env.identity.clone(), tokens, scopes::SIGN_IN);
    graph.signed_in_user().await.unwrap();
    // Mid-run the token expires: the next refresh issues a good one.
    let before = env.sim.sim.requests().len();
    let mut f = env.sim.sim.faults();
    f.access_token_lifetime = Some(Duration::ZERO);
    env.sim.sim.set_faults(f.clone());
    graph.refresh().await.unwrap(); // now holds an expired token
    f.access_token_lifetime = None;
    env.sim.sim.set_faults(f);
    let me = graph.signed_in_user().await.unwrap();
    assert_eq!(me.user_principal_name, ADMIN);
    let seen: Vec<(String, u16)> = env.sim.sim.requests()[before..]
        .iter()
        .map(|r| (r.path.rsplit('/').next().unwrap().to_string(), r.status))
        .collect();
    let expect: Vec<(String, u16)> = [
        ("token", 200),
        ("me", 401),
        ("token", 200),
        ("me", 200),
        ("transitiveMemberOf", 200),
    ]
    .iter()
    .map(|(p, s)| (p.to_string(), *s))
    .collect();
    assert_eq!(seen, expect);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_still_refused_after_renewal_is_an_error_not_a_loop() {
    let env = env(CONTOSO).await;
    let mut f = env.sim.sim.faults();
    f.access_token_lifetime = Some(Duration::ZERO);
    env.sim.sim.set_faults(f);
    let tokens = browser_sign_in(&env, scopes::SIGN_IN, ADMIN, "approve", Tamper::None)
        .await
        .unwrap();
    let err = Graph::new(env.identity.clone(), tokens, scopes::SIGN_IN)
        .signed_in_user()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "graph_unauthorized", "{err:?}");
    assert!(err.to_string().contains("expired"), "{err}");
    let me_calls = env
        .sim
        .sim
        .requests()
        .iter()
        .filter(|r| r.path == "/v1.0/me")
        .count();
    assert_eq!(me_calls, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_under_scoped_token_gets_403_naming_the_permission() {
    let env = env(CONTOSO).await;
    let tokens = browser_sign_in(
        &env,
        &["openid", "offline_access", scopes::USER_READ],
        ADMIN,
        "approve",
        Tamper::None,
    )
    .await
    .unwrap();
    let err = Graph::new(env.identity.clone(), tokens, &[scopes::USER_READ])
        .signed_in_user()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "graph_forbidden", "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("Authorization_RequestDenied")
            && text.contains("RoleManagement.Read.Directory"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn graph_answers_missing_and_wrong_audience_tokens_with_401_and_a_bearer_challenge() {
    let env = env(CONTOSO).await;
    let client = browser_client(&env.sim);
    let resp = client
        .get(format!("{}/v1.0/me", env.sim.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer "));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(body["error"]["message"], "Access token is empty.");

    let other = [
        "offline_access",
        "https://outlook.office365.com/EWS.AccessAsUser.All",
    ];
    let tokens = browser_sign_in(&env, &other, ADMIN, "approve", Tamper::None)
        .await
        .unwrap();
    let resp = client
        .get(format!("{}/v1.0/me", env.sim.base_url))
        .bearer_auth(tokens.access_token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Invalid audience"),
        "{body}"
    );

    let resp = client
        .get(format!("{}/v1.0/me", env.sim.base_url))
        .bearer_auth("a.b.c")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // Two resources in one request: Microsoft's AADSTS28000.
    let err = browser_sign_in(
        &env,
        &[
            scopes::USER_READ,
            "https://outlook.office365.com/EWS.AccessAsUser.All",
        ],
        ADMIN,
        "approve",
        Tamper::None,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::SignInRejected {
                aadsts: Some(28000),
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_rs256_jwts_verifiable_with_the_published_key() {
    let env = env(CONTOSO).await;
    let tokens = browser_sign_in(&env, scopes::SIGN_IN, ADMIN, "approve", Tamper::None)
        .await
        .unwrap();
    let jwt = tokens.access_token.expose();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jwt.split('.').collect();
    let header: serde_json::Value = serde_json::from_slice(&b64.decode(parts[0]).unwrap()).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["aud"], "https://graph.microsoft.com");
    assert_eq!(claims["tid"], CONTOSO);
    assert_eq!(claims["upn"], ADMIN);
    assert_eq!(claims["scp"], "User.Read RoleManagement.Read.Directory");
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());
    let jwks: serde_json::Value = browser_client(&env.sim)
        .get(format!(
            "{}/{CONTOSO}/discovery/v2.0/keys",
            env.sim.base_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["kid"], header["kid"]);
    // Verify the signature with n and e from the JWKS.
    let n = b64.decode(key["n"].as_str().unwrap()).unwrap();
    let e = b64.decode(key["e"].as_str().unwrap()).unwrap();
    let sig = b64.decode(parts[2]).unwrap();
    aws_lc_rs::signature::RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &sig,
        )
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_the_role_is_refused_before_any_change_with_the_role_named() {
    let env = env(CONTOSO).await;
    let tokens = browser_sign_in(&env, scopes::SIGN_IN, NO_ROLE, "approve", Tamper::None)
        .await
        .unwrap();
    let me = Graph::new(env.identity.clone(), tokens, scopes::SIGN_IN)
        .signed_in_user()
        .await
        .unwrap();
    assert!(me.roles.is_empty());
    let err = require_role(&me, &RoleRequirement::DOMAINS).unwrap_err();
    assert_eq!(err.code(), "role_missing");
    let text = err.to_string();
    assert!(
        text.contains("user@contoso.onmicrosoft.com cannot add and verify the domain"),
        "{text}"
    );
    assert!(
        text.contains("needs the Domain Name Administrator role"),
        "{text}"
    );
    assert!(text.contains("Nothing was changed"), "{text}");
    // Nothing but reads reached Graph.
    assert!(env
        .sim
        .sim
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1.0/"))
        .all(|r| r.method == "GET"));
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_keeps_the_form_and_another_tenants_user_is_refused() {
    let env = env(CONTOSO).await;
    let client = browser_client(&env.sim);
    let authorize = format!("{}/{CONTOSO}/oauth2/v2.0/authorize", env.sim.base_url);
    let base = [
        ("client_id", CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", "http://localhost:1234/"),
        ("scope", "openid"),
        ("state", "s"),
        ("action", "approve"),
    ];
    let mut form: Vec<(&str, &str)> = base.to_vec();
    form.extend([("username", ADMIN), ("password", "wrong")]);
    let html = client
        .post(&authorize)
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("AADSTS50126"), "{html}");
    let mut form: Vec<(&str, &str)> = base.to_vec();
    form.extend([
        ("username", "admin@fabrikameu.onmicrosoft.com"),
        ("password", PRACTICE_PASSWORD),
    ]);
    let html = client
        .post(&authorize)
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("AADSTS50020"), "{html}");
    // A redirect URI that is plain http on another host is refused outright.
    let mut form: Vec<(&str, &str)> = base.to_vec();
    form[2] = ("redirect_uri", "http://evil.example/");
    let resp = client.post(&authorize).form(&form).send().await.unwrap();
    assert_eq!(resp.status(), 400);
}
