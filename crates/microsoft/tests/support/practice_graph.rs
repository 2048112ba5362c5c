//! The set-up the Graph client tests share: a practice tenant over TLS, an identity client for
//! contoso.com that trusts its CA, and a device-code sign-in "approved" on its page.
use std::time::Duration;

use hybridsync_microsoft::{
    Authority, ClientConfig, DevicePolling, Graph, HttpOptions, Identity, Transport,
};
use hybridsync_practice_tenant::{Options, Running, PRACTICE_PASSWORD};
use tokio_util::sync::CancellationToken;

pub struct Env {
    pub sim: Running,
    _dir: tempfile::TempDir,
    pub identity: Identity,
}

pub async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let sim = Running::start(Options::in_dir(dir.path())).await.unwrap();
    let mut f = sim.sim.faults();
    f.device_interval_secs = Some(1);
    sim.sim.set_faults(f);
    let transport = Transport::new(&HttpOptions {
        ca_file: Some(sim.ca_file.clone()),
        timeout: Duration::from_secs(10),
    })
    .unwrap();
    let identity = Identity::new(
        transport,
        ClientConfig {
            authority: Authority::parse(sim.authority()).unwrap(),
            tenant: "contoso.com".into(),
            client_id: "5b1f0c4e-9a7d-4c2b-8e3f-6d0a1b2c3d4e".into(),
        },
    );
    Env {
        sim,
        _dir: dir,
        identity,
    }
}

/// `user` signs in with `scopes` (device code); the Graph client and the raw bearer token.
pub async fn graph_for(env: &Env, user: &str, scopes: &'static [&'static str]) -> (Graph, String) {
    let code = env.identity.start_device_code(scopes).await.unwrap();
    let resp = env
        .identity
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
    assert_eq!(resp.status(), 200);
    let tokens = env
        .identity
        .wait_for_device_code(&code, &DevicePolling::default(), &CancellationToken::new())
        .await
        .unwrap();
    let bearer = tokens.access_token.expose().to_string();
    (Graph::new(env.identity.clone(), tokens, scopes), bearer)
}
