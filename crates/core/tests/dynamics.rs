//! The Dynamics steps and client against the practice tenant's Web API over TLS.
#[path = "support/dynamics_env.rs"]
mod dynamics_env;
use dynamics_env::*;
use std::time::Duration;

use hybridsync_core::steps::defaults::DefaultsStep;
use hybridsync_core::steps::mailboxes::{self, MailboxFilter};
use hybridsync_core::steps::profile::{ProfileSettings, ProfileStep};
use hybridsync_core::Step;
use hybridsync_microsoft::dynamics::{BulkOptions, Update};
use hybridsync_microsoft::dynamics_batch::BatchOp;
use hybridsync_microsoft::{Dynamics, DynamicsAuth, HttpOptions, Transport};
use hybridsync_practice_tenant::dynamics::{mailbox_address, mailbox_id, testjob, PRACTICE_ORG};
use hybridsync_practice_tenant::{Deployment, FaultRates, Knobs};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn whoami_and_version_come_first_and_a_foreign_token_is_refused() {
    let env = env().await;
    let info = env.client.server_info().await.unwrap();
    assert_eq!(
        info.version,
        hybridsync_practice_tenant::dynamics::PRACTICE_VERSION
    );
    let admin = env.sim.sim.find_user(ADMIN).unwrap();
    assert_eq!(info.user_id, admin.id);
    // A Graph token is not a token for the CRM server.
    let transport = Transport::new(&HttpOptions {
        ca_file: Some(env.sim.ca_file.clone()),
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    let other = Dynamics::new(
        transport,
        &format!("{}/{PRACTICE_ORG}", env.sim.base_url),
        "v9.1",
        DynamicsAuth::Bearer(hybridsync_microsoft::Secret::new("not.a.token")),
    )
    .unwrap();
    let e = other.server_info().await.unwrap_err();
    assert!(
        e.to_string().contains("HTTP 401") && e.to_string().contains("Sign in again"),
        "{e}"
    );
    assert!(Dynamics::new(
        Transport::new(&HttpOptions::default()).unwrap(),
        "http://crm/contoso",
        "v9.0",
        DynamicsAuth::Bearer(hybridsync_microsoft::Secret::new("t"))
    )
    .is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_defaults_and_mailboxes_apply_and_a_rerun_changes_nothing() {
    let env = env().await;
    env.sim.sim.dynamics.seed_mailboxes(30);
    env.sim.sim.dynamics.set_knobs(Knobs {
        test_delay: Duration::from_millis(50),
        ..Knobs::default()
    });
    let profile = ProfileStep {
        client: env.client.clone(),
        settings: profile_settings(),
    };
    let defaults = DefaultsStep {
        client: env.client.clone(),
        profile_name: profile_settings().name,
    };
    let mbx = mailboxes_step(
        &env,
        BulkOptions {
            ceiling: 3,
            max_batch: 7,
        },
    );
    let out = run_steps(&env, &[&profile, &defaults, &mbx], "run1.jsonl").await;
    assert_eq!(out[0].applied.len(), 1, "the profile is created");
    assert_eq!(
        out[1].applied.len(),
        2,
        "default profile and delivery methods"
    );
    assert_eq!(out[2].applied.len(), 1, "one bulk change for the mailboxes");
    let profiles = env.sim.sim.dynamics.rows("emailserverprofiles");
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0]["servertype"], 3);
    assert_eq!(
        profiles[0]["incomingserverlocation"],
        hybridsync_core::steps::profile::EXCHANGE_ONLINE_EWS_URL
    );
    assert_eq!(
        profiles[0]["lasttestexecutionstatus"], 1,
        "Test Connection passed: {}",
        profiles[0]["lasttestresponse"]
    );
    let org = &env.sim.sim.dynamics.rows("organizations")[0];
    assert_eq!(
        org["_defaultemailserverprofileid_value"],
        profiles[0]["emailserverprofileid"]
    );
    assert!(org["defaultemailsettings"]
        .as_str()
        .unwrap()
        .contains("<ACTDeliveryMethod>1</ACTDeliveryMethod>"));
    let (counts, failed) = watch(&env).await;
    assert_eq!(
        (counts.total, counts.success, counts.failure),
        (30, 30, 0),
        "{failed:?}"
    );
    let writes = env.sim.sim.dynamics.audit().len();

    // A fresh run (new journal): check finds everything in place; nothing is planned or written.
    let out = run_steps(&env, &[&profile, &defaults, &mbx], "run2.jsonl").await;
    assert!(
        out.iter().all(|o| o.applied.is_empty()),
        "{:?}",
        out.iter().map(|o| &o.applied).collect::<Vec<_>>()
    );
    assert_eq!(
        env.sim.sim.dynamics.audit().len(),
        writes,
        "a re-run wrote nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_profile_setting_is_shown_as_a_diff_and_patched() {
    let env = env().await;
    let step = ProfileStep {
        client: env.client.clone(),
        settings: profile_settings(),
    };
    run_steps(&env, &[&step], "a.jsonl").await;
    let changed = ProfileStep {
        client: env.client.clone(),
        settings: ProfileSettings {
            min_polling_interval_minutes: Some(10),
            use_autodiscover: true,
            ..profile_settings()
        },
    };
    let seen = changed.check(&ctx()).await.unwrap();
    let plan = changed.plan(&ctx(), &seen).await.unwrap();
    let fields: Vec<&str> = plan.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        fields,
        vec!["minpollingintervalinminutes", "useautodiscover"]
    );
    assert_eq!(plan[0].before, Some(json!(5)));
    run_steps(&env, &[&changed], "b.jsonl").await;
    let p = &env.sim.sim.dynamics.rows("emailserverprofiles")[0];
    assert_eq!(
        (
            p["minpollingintervalinminutes"].clone(),
            p["useautodiscover"].clone()
        ),
        (json!(10), json!(true))
    );
    assert_eq!(
        env.sim.sim.dynamics.rows("emailserverprofiles").len(),
        1,
        "not created twice"
    );
    let bad = ProfileStep {
        client: env.client.clone(),
        settings: ProfileSettings {
            tenant_id: Some("contoso".into()),
            ..profile_settings()
        },
    };
    let e = bad.check(&ctx()).await.unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert!(e.message.contains("not a tenant ID"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mailbox_without_a_license_fails_its_test_with_the_401_alert() {
    let env = env().await;
    env.sim.sim.dynamics.seed_mailboxes(12);
    env.sim.sim.dynamics.set_knobs(Knobs {
        test_delay: Duration::from_millis(50),
        ..Knobs::default()
    });
    let unlicensed = mailbox_address(3);
    let mut d = Deployment::default();
    d.unlicensed.insert(unlicensed.clone());
    env.sim.sim.dynamics.set_deployment(d);
    let profile = ProfileStep {
        client: env.client.clone(),
        settings: profile_settings(),
    };
    let mbx = mailboxes_step(
        &env,
        BulkOptions {
            ceiling: 4,
            ..BulkOptions::default()
        },
    );
    run_steps(&env, &[&profile, &mbx], "run.jsonl").await;
    let (counts, failed) = watch(&env).await;
    assert_eq!((counts.success, counts.failure), (11, 1));
    assert_eq!(failed, vec![mailbox_id(3)]);
    let alerts = mailboxes::alerts(&env.client, &failed).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].text.starts_with(testjob::ALERT_401),
        "{}",
        alerts[0].text
    );
    assert!(
        alerts[0].details.contains("no Exchange Online license"),
        "{}",
        alerts[0].details
    );
    let rows = env.sim.sim.dynamics.rows("mailboxes");
    let bad = rows
        .iter()
        .find(|r| r["mailboxid"] == mailbox_id(3))
        .unwrap();
    assert_eq!(
        (
            bad["incomingemailstatus"].clone(),
            bad["outgoingemailstatus"].clone(),
            bad["actstatus"].clone()
        ),
        (json!(2), json!(2), json!(2))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mismatched_tenant_fails_every_test_and_the_profile_test_connection() {
    let env = env().await;
    env.sim.sim.dynamics.seed_mailboxes(3);
    env.sim.sim.dynamics.set_knobs(Knobs {
        test_delay: Duration::ZERO,
        ..Knobs::default()
    });
    env.sim.sim.dynamics.set_deployment(Deployment {
        s2s_tenant_id: Some("7d9e2b40-51c3-4f8a-a6e2-0c4b19d7e385".into()),
        ..Deployment::default()
    });
    let profile = ProfileStep {
        client: env.client.clone(),
        settings: profile_settings(),
    };
    let mbx = mailboxes_step(
        &env,
        BulkOptions {
            ceiling: 1,
            ..BulkOptions::default()
        },
    );
    run_steps(&env, &[&profile, &mbx], "run.jsonl").await;
    let seen = profile.check(&ctx()).await.unwrap();
    assert!(
        seen.findings
            .iter()
            .any(|f| f.code == "profile_test_failed" && f.message.contains("is not the tenant")),
        "{:?}",
        seen.findings
    );
    let (counts, failed) = watch(&env).await;
    assert_eq!(counts.failure, 3);
    let alerts = mailboxes::alerts(&env.client, &failed).await.unwrap();
    assert!(
        alerts.iter().all(|a| a.details.contains("SUP-401 cause 4")),
        "{alerts:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_follows_next_links_across_three_pages_with_filters() {
    let env = env().await;
    env.sim.sim.dynamics.seed_mailboxes(25);
    let (rows, pages) = env
        .client
        .get_all("mailboxes?$select=mailboxid,name", 10)
        .await
        .unwrap();
    assert_eq!((rows.len(), pages), (25, 3));
    let mut ids: Vec<&str> = rows
        .iter()
        .map(|r| r["mailboxid"].as_str().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 25, "no row twice");
    let f = MailboxFilter {
        text: Some("queue".into()),
        ..Default::default()
    };
    let (queues, _) = mailboxes::list(&env.client, &f, mailboxes::SELECT, 1)
        .await
        .unwrap();
    assert_eq!(queues.len(), 2, "mailboxes 10 and 20 belong to queues");
    let e = env
        .client
        .get_all("mailboxes?$filter=nosuch eq 1", 10)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("HTTP 400")
            && e.to_string()
                .contains("Could not find a property named 'nosuch'"),
        "{e}"
    );
    let requests = env.sim.sim.requests();
    assert!(
        requests
            .iter()
            .filter(|r| r.path.ends_with("/mailboxes"))
            .count()
            >= 3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changeset_with_a_failing_operation_is_rolled_back_whole() {
    let env = env().await;
    env.sim.sim.dynamics.seed_mailboxes(3);
    let ops = vec![
        BatchOp {
            method: "PATCH",
            path: format!("mailboxes({})", mailbox_id(1)),
            body: Some(json!({"emailrouteraccessapproval": 1})),
            if_match_any: true,
        },
        BatchOp {
            method: "PATCH",
            path: format!("mailboxes({})", mailbox_id(2)),
            body: Some(json!({"incomingemaildeliverymethod": 9})),
            if_match_any: true,
        },
    ];
    let answers = env.client.batch(&ops, true).await.unwrap();
    assert_eq!(answers.len(), 1, "only the failing operation answers");
    assert_eq!((answers[0].status, answers[0].content_id), (400, Some(2)));
    assert!(
        answers[0].body.contains("outside the valid range"),
        "{}",
        answers[0].body
    );
    let rows = env.sim.sim.dynamics.rows("mailboxes");
    assert_eq!(
        rows[0]["emailrouteraccessapproval"], 2,
        "the first write was rolled back"
    );
    assert!(env.sim.sim.dynamics.audit().is_empty());
    // The bulk path sends the changeset again without the bad row and reports it.
    let updates = vec![
        Update {
            set: "mailboxes",
            id: mailbox_id(1),
            body: json!({"emailrouteraccessapproval": 1}),
        },
        Update {
            set: "mailboxes",
            id: "a0000000-0000-4000-8000-00000000ffff".into(),
            body: json!({"emailrouteraccessapproval": 1}),
        },
        Update {
            set: "mailboxes",
            id: mailbox_id(3),
            body: json!({"emailrouteraccessapproval": 1}),
        },
    ];
    let out = env
        .client
        .bulk_patch(
            updates,
            &BulkOptions {
                ceiling: 1,
                ..BulkOptions::default()
            },
            |_| {},
        )
        .await;
    assert_eq!(out.succeeded, vec![mailbox_id(1), mailbox_id(3)]);
    assert_eq!(out.failed.len(), 1);
    assert!(
        out.failed[0].1.contains("Does Not Exist"),
        "{:?}",
        out.failed
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_with_retry_after_mid_run_is_waited_out_and_the_run_completes() {
    let env = env().await;
    env.sim.sim.dynamics.seed_mailboxes(40);
    env.sim.sim.dynamics.set_knobs(Knobs {
        retry_after_secs: 1,
        test_delay: Duration::from_secs(3600),
        ..Knobs::default()
    });
    let profile = ProfileStep {
        client: env.client.clone(),
        settings: profile_settings(),
    };
    run_steps(&env, &[&profile], "p.jsonl").await;
    env.sim.sim.dynamics.throttle_next(3);
    let mbx = mailboxes_step(
        &env,
        BulkOptions {
            ceiling: 2,
            max_batch: 10,
        },
    );
    run_steps(&env, &[&mbx], "m.jsonl").await;
    assert_eq!(env.sim.sim.dynamics.fault_counts().throttled, 3);
    let statuses: Vec<u16> = env.sim.sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 3);
    assert!(env.client.retry_count() >= 3);
    let rows = env.sim.sim.dynamics.rows("mailboxes");
    assert!(rows.iter().all(
        |r| r["emailrouteraccessapproval"] == 1 && r["testemailconfigurationscheduled"] == true
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fault_run_over_10000_mailboxes_configures_each_exactly_once() {
    let env = env().await;
    let n = 10_000;
    env.sim.sim.dynamics.seed_mailboxes(n);
    let profile = ProfileStep {
        client: env.client.clone(),
        settings: profile_settings(),
    };
    run_steps(&env, &[&profile], "p.jsonl").await;
    env.sim.sim.dynamics.set_knobs(Knobs {
        faults: FaultRates::even(0.10),
        retry_after_secs: 0,
        test_delay: Duration::from_secs(3600),
        ..Knobs::default()
    });
    let mbx = mailboxes_step(
        &env,
        BulkOptions {
            ceiling: 8,
            max_batch: 25,
        },
    );
    run_steps(&env, &[&mbx], "m.jsonl").await;
    let faults = env.sim.sim.dynamics.fault_counts();
    let requests = env.sim.sim.requests().len();
    eprintln!(
        "fault run: {requests} requests, injected {faults:?}, client retries {}",
        env.client.retry_count()
    );
    assert!(
        faults.throttled > 0
            && faults.unavailable > 0
            && faults.reset_before > 0
            && faults.reset_after > 0,
        "{faults:?}"
    );
    let mut per_mailbox = std::collections::HashMap::new();
    for a in env
        .sim
        .sim
        .dynamics
        .audit()
        .iter()
        .filter(|a| a.entity == "mailbox")
    {
        *per_mailbox.entry(a.id.clone()).or_insert(0) += 1;
    }
    assert_eq!(per_mailbox.len(), n, "every mailbox was written");
    assert!(per_mailbox.values().all(|c| *c == 1), "each exactly once");
    let rows = env.sim.sim.dynamics.rows("mailboxes");
    assert!(rows.iter().all(|r| r["emailrouteraccessapproval"] == 1
        && r["incomingemaildeliverymethod"] == 2
        && r["actdeliverymethod"] == 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_come_in_the_dataverse_format_404_412_and_an_oversized_batch_400() {
    let env = env().await;
    env.sim.sim.dynamics.seed_mailboxes(2);
    let root = env.client.service_root().to_string();
    let missing = "a0000000-0000-4000-8000-00000000ffff";
    let r = env
        .raw
        .get(format!("{root}mailboxes({missing})"))
        .bearer_auth(env.token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "0x80040217");
    assert_eq!(
        v["error"]["message"],
        format!("mailbox With Id = {missing} Does Not Exist")
    );
    // An ETag from before a change no longer matches.
    let url = format!("{root}mailboxes({})", mailbox_id(1));
    let etag = env
        .raw
        .get(&url)
        .bearer_auth(env.token.expose())
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["@odata.etag"]
        .as_str()
        .unwrap()
        .to_string();
    env.client
        .patch(
            "mailboxes",
            &mailbox_id(1),
            &json!({"emailrouteraccessapproval": 1}),
        )
        .await
        .unwrap();
    let r = env
        .raw
        .patch(&url)
        .bearer_auth(env.token.expose())
        .header("If-Match", etag)
        .json(&json!({"emailrouteraccessapproval": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "0x80060882");
    // 1001 operations are refused as a whole; the client refuses them before sending.
    let ops: Vec<BatchOp> = (0..1001)
        .map(|_| BatchOp {
            method: "PATCH",
            path: format!("mailboxes({})", mailbox_id(2)),
            body: Some(json!({"emailrouteraccessapproval": 1})),
            if_match_any: true,
        })
        .collect();
    assert_eq!(
        env.client.batch(&ops, true).await.unwrap_err().code(),
        "invalid_input"
    );
    let body = hybridsync_microsoft::dynamics_batch::render(&ops, &root, "batch_big", true);
    let r = env
        .raw
        .post(format!("{root}$batch"))
        .bearer_auth(env.token.expose())
        .header("Content-Type", "multipart/mixed; boundary=batch_big")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exceeds the maximum of 1000"),
        "{v}"
    );
    let rows = env.sim.sim.dynamics.rows("mailboxes");
    assert_eq!(
        rows[1]["emailrouteraccessapproval"], 2,
        "nothing of the refused batch was applied"
    );
}

/// The app's bulk path (the engine's `apply_bulk` with the app's defaults, as the Mailboxes page
/// runs it) is never told the server's capacity: against a server that serves 2 at once it keeps
/// few requests waiting; against one that serves 12 it finds and uses far more. (The queue's
/// share of the time is the benchmark's to measure, on a quiet machine: here other tests share
/// the cores.)
#[tokio::test(flavor = "multi_thread")]
async fn the_apps_bulk_path_adapts_to_the_servers_capacity() {
    let env = env().await;
    let profile = ProfileStep {
        client: env.client.clone(),
        settings: profile_settings(),
    };
    run_steps(&env, &[&profile], "p.jsonl").await;
    let found =
        hybridsync_core::steps::profile::find_profile(&env.client, &profile_settings().name)
            .await
            .unwrap()
            .unwrap();
    let profile_id = found["emailserverprofileid"].as_str().unwrap().to_string();
    let mut seen = Vec::new();
    for capacity in [2, 12] {
        let n = 3000;
        env.sim.sim.dynamics.seed_mailboxes(n);
        let (rows, _) = mailboxes::list(
            &env.client,
            &MailboxFilter::default(),
            mailboxes::SELECT,
            5000,
        )
        .await
        .unwrap();
        let updates: Vec<Update> = rows
            .iter()
            .map(|r| Update {
                set: "mailboxes",
                id: r["mailboxid"].as_str().unwrap().to_string(),
                body: serde_json::Value::Object(mailboxes::wanted_changes(
                    r,
                    &profile_id,
                    mailboxes::Actions::ALL,
                )),
            })
            .collect();
        env.sim.sim.dynamics.set_knobs(Knobs {
            latency: Duration::from_millis(40),
            op_time: Duration::from_millis(2),
            capacity: Some(capacity),
            test_delay: Duration::from_secs(3600),
            ..Knobs::default()
        });
        env.sim.sim.dynamics.reset_load();
        let out = mailboxes::apply_bulk(&env.client, updates, &BulkOptions::default(), &ctx())
            .await
            .unwrap();
        let load = env.sim.sim.dynamics.load_stats();
        eprintln!(
            "capacity {capacity}: {load:?}, client peak {}",
            out.peak_in_flight
        );
        assert_eq!((out.succeeded.len(), out.failed.len()), (n, 0));
        seen.push((load, out.peak_in_flight));
    }
    let (small, large) = (&seen[0], &seen[1]);
    assert!(
        small.0.mean_queue <= 4.0,
        "against 2 slots: {:.1} requests queued on average",
        small.0.mean_queue
    );
    assert!(
        small.1 < large.1,
        "against 2 slots at most {} requests in flight, against 12 {}",
        small.1,
        large.1
    );
    assert!(
        large.0.peak_served >= 3 * small.0.peak_served,
        "it used the larger server: {} against {} at once",
        large.0.peak_served,
        small.0.peak_served
    );
    assert!(
        large.0.mean_served > small.0.mean_served,
        "{:.1} against {:.1} served at once on average",
        large.0.mean_served,
        small.0.mean_served
    );
}

/// Two bulk runs against one organization would each send every update: the second is refused,
/// naming the first, and the first writes each mailbox exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_bulk_run_on_the_same_organization_is_refused() {
    let env = env().await;
    let n = 400;
    env.sim.sim.dynamics.seed_mailboxes(n);
    env.sim.sim.dynamics.set_knobs(Knobs {
        latency: Duration::from_millis(20),
        op_time: Duration::from_millis(2),
        capacity: Some(2),
        test_delay: Duration::from_secs(3600),
        ..Knobs::default()
    });
    let updates = |from: usize| -> Vec<Update> {
        (from..=n)
            .map(|i| Update {
                set: "mailboxes",
                id: mailbox_id(i),
                body: json!({"emailrouteraccessapproval": 1}),
            })
            .collect()
    };
    let client = env.client.clone();
    let first = tokio::spawn({
        let all = updates(1);
        async move { mailboxes::apply_bulk(&client, all, &BulkOptions::default(), &ctx()).await }
    });
    // Until the first run has written something, it holds the organization.
    while env.sim.sim.dynamics.audit().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let second = mailboxes::apply_bulk(&env.client, updates(1), &BulkOptions::default(), &ctx())
        .await
        .unwrap_err();
    assert_eq!(second.code, "already_running");
    assert!(
        second.message.contains(&std::process::id().to_string()),
        "{}",
        second.message
    );
    let done = first.await.unwrap().unwrap();
    assert_eq!(done.succeeded.len(), n);
    assert_eq!(
        env.sim
            .sim
            .dynamics
            .audit()
            .iter()
            .filter(|a| a.entity == "mailbox")
            .count(),
        n,
        "each mailbox written once"
    );
    // Once it is over, the organization is free again.
    assert!(
        mailboxes::apply_bulk(&env.client, Vec::new(), &BulkOptions::default(), &ctx())
            .await
            .is_ok()
    );
}
