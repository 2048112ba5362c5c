//! The practice tenant's Dynamics Web API signed in over TLS, shared by the Dynamics and the
//! troubleshooting-scenario tests.
#![allow(dead_code)]
use std::sync::Arc;
use std::time::Duration;

use hybridsync_core::steps::mailboxes::{self, Actions, MailboxFilter, MailboxesStep};
use hybridsync_core::steps::profile::ProfileSettings;
use hybridsync_core::{engine, journal::Journal, EventSink, Step, StepContext};
use hybridsync_microsoft::dynamics::BulkOptions;
use hybridsync_microsoft::retry::RetryPolicy;
use hybridsync_microsoft::{
    Authority, ClientConfig, DevicePolling, Dynamics, DynamicsAuth, HttpOptions, Identity,
    Transport,
};
use hybridsync_practice_tenant::dynamics::{approve_device_code, PRACTICE_ORG};
use hybridsync_practice_tenant::{Options, Running};
use tokio_util::sync::CancellationToken;

pub const ADMIN: &str = "admin@contoso.onmicrosoft.com";

pub struct Env {
    pub sim: Running,
    pub dir: tempfile::TempDir,
    pub client: Arc<Dynamics>,
    /// For the raw requests of the error-format test.
    pub raw: reqwest::Client,
    pub token: hybridsync_microsoft::Secret,
}

/// Signs in to the practice tenant's identity for the Dynamics resource (AD FS OAuth style) and
/// builds a client for the practice organization.
pub async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let sim = Running::start(Options::in_dir(dir.path())).await.unwrap();
    let mut faults = sim.sim.faults();
    faults.device_interval_secs = Some(1);
    sim.sim.set_faults(faults);
    let transport = Transport::new(&HttpOptions {
        ca_file: Some(sim.ca_file.clone()),
        timeout: Duration::from_secs(30),
    })
    .unwrap();
    let identity = Identity::new(
        transport.clone(),
        ClientConfig {
            authority: Authority::parse(sim.authority()).unwrap(),
            tenant: "organizations".into(),
            client_id: "5b1f0c4e-9a7d-4c2b-8e3f-6d0a1b2c3d4e".into(),
        },
    );
    let scope = format!("{}/user_impersonation", sim.base_url);
    let code = identity.start_device_code(&[scope.as_str()]).await.unwrap();
    assert!(approve_device_code(&sim.sim, &code.user_code, ADMIN));
    let tokens = identity
        .wait_for_device_code(&code, &DevicePolling::default(), &CancellationToken::new())
        .await
        .unwrap();
    let raw = transport.client.clone();
    let token = tokens.access_token.clone();
    let mut client = Dynamics::new(
        transport,
        &format!("{}/{PRACTICE_ORG}", sim.base_url),
        "v9.0",
        DynamicsAuth::Bearer(tokens.access_token),
    )
    .unwrap();
    client.retry = RetryPolicy {
        base_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    };
    Env {
        sim,
        dir,
        client: Arc::new(client),
        raw,
        token,
    }
}

/// Signs the practice admin in to Graph with the trust step's scopes (the device code approved in
/// process, as the verification page would after the admin signs in).
pub async fn graph(env: &Env) -> Arc<hybridsync_microsoft::Graph> {
    let transport = Transport::new(&HttpOptions {
        ca_file: Some(env.sim.ca_file.clone()),
        timeout: Duration::from_secs(30),
    })
    .unwrap();
    let identity = Identity::new(
        transport,
        ClientConfig {
            authority: Authority::parse(env.sim.authority()).unwrap(),
            tenant: hybridsync_practice_tenant::dynamics::PRACTICE_TENANT_ID.into(),
            client_id: "5b1f0c4e-9a7d-4c2b-8e3f-6d0a1b2c3d4e".into(),
        },
    );
    let scopes = hybridsync_core::steps::trust::SCOPES;
    let code = identity.start_device_code(scopes).await.unwrap();
    assert!(approve_device_code(&env.sim.sim, &code.user_code, ADMIN));
    let tokens = identity
        .wait_for_device_code(&code, &DevicePolling::default(), &CancellationToken::new())
        .await
        .unwrap();
    Arc::new(hybridsync_microsoft::Graph::new(identity, tokens, scopes))
}

pub fn ctx() -> StepContext {
    StepContext::new(EventSink::none())
}

pub fn profile_settings() -> ProfileSettings {
    ProfileSettings {
        min_polling_interval_minutes: Some(5),
        ..ProfileSettings::default()
    }
}

pub async fn run_steps(
    env: &Env,
    steps: &[&dyn Step],
    journal: &str,
) -> Vec<hybridsync_core::Outcome> {
    let mut j = Journal::open(&env.dir.path().join(journal)).unwrap();
    engine::run(steps, &ctx(), &mut j).await.unwrap()
}

pub fn mailboxes_step(env: &Env, bulk: BulkOptions) -> MailboxesStep {
    MailboxesStep {
        client: env.client.clone(),
        profile_name: profile_settings().name,
        filter: MailboxFilter::default(),
        actions: Actions::ALL,
        bulk,
    }
}

/// Watches until no mailbox is pending; the number of polls.
pub async fn watch(env: &Env) -> (mailboxes::StatusCounts, Vec<String>) {
    for _ in 0..200 {
        let (c, failed) = mailboxes::read_statuses(&env.client, &MailboxFilter::default())
            .await
            .unwrap();
        if c.pending == 0 {
            return (c, failed);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the Test & Enable jobs never finished");
}
