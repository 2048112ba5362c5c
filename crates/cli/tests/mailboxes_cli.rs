//! `hybridsync profile apply` and `hybridsync mailboxes configure|approve|test|watch`, the real binary
//! against the practice tenant's Dynamics organization. The CRM server got a new certificate (the
//! generated script ran; its result file is at hand) whose key was never uploaded: every mailbox
//! fails with "Failed Authentication", and `watch` prints one troubleshooting card for them all,
//! after checks that compare the certificate with the service principal's keys. After
//! `trust apply`, the same mailboxes pass. Later one user's Exchange Online plan is turned off: a
//! re-test that includes the passed mailboxes finds it, and the card's licence check names the
//! user from Graph. Needs a Secret Service: scripts/test-keychain.sh.
#[path = "support/practice_cli.rs"]
mod practice_cli;

use hybridsync_practice_tenant::dynamics::{
    mailbox_address, PRACTICE_ORG, PRACTICE_TENANT_ID, PRACTICE_VERSION,
};
use hybridsync_practice_tenant::{Deployment, Knobs};
use practice_cli::{json, keychain_tests_wanted, practice_client, run, signed_in};

const ADMIN: &str = "admin@contoso.onmicrosoft.com";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a real Secret Service: run scripts/test-keychain.sh"]
async fn watch_explains_failed_authentication_with_the_key_comparison_and_trust_apply_fixes_it() {
    if !keychain_tests_wanted() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (sim, home) = signed_in(dir.path(), ADMIN).await;
    sim.sim.dynamics.seed_mailboxes(6);
    sim.sim.dynamics.set_knobs(Knobs {
        test_delay: std::time::Duration::from_millis(20),
        ..Knobs::default()
    });

    // A certificate: the CRM server runs the script with it; its key stays off the principal.
    let out = dir.path().join("out");
    let made = json(
        &run(
            [
                "cert",
                "new",
                "--common-name",
                "Dynamics365-S2S-contoso",
                "--windows-server",
                "2022",
                "--out-dir",
                &out.display().to_string(),
                "--json",
            ]
            .map(String::from)
            .to_vec(),
            &home,
        )
        .await,
    );
    let cer = made["files"]
        .as_array()
        .and_then(|f| {
            f.iter()
                .filter_map(|v| v.as_str())
                .find(|p| p.ends_with(".cer"))
        })
        .map(str::to_string);
    let cer = cer.unwrap_or_else(|| panic!("cert new names its .cer: {made}"));
    let thumb = made["thumbprint_sha1"]
        .as_str()
        .unwrap_or_else(|| panic!("a thumbprint: {made}"))
        .to_string();
    let pem = std::fs::read_to_string(&cer).unwrap();
    let der_b64: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let result = practice_client(&sim)
        .post(format!("{}/_practice/crm/run-script", sim.base_url))
        .json(&serde_json::json!({
            "certificate": der_b64, "service_account": "CONTOSO\\svc-crm-async", "organization": PRACTICE_ORG,
            "tenant_id": PRACTICE_TENANT_ID, "principal_id": "00000001-0000-0000-c000-000000000000",
            "metadata_url": "https://accounts.accesscontrol.windows.net/metadata/json/1",
        }))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let result_file = dir.path().join("hybridsync-crm-result.json");
    std::fs::write(&result_file, &result).unwrap();

    let url = format!("{}/{PRACTICE_ORG}", sim.base_url);
    let ca = sim.ca_file.display().to_string();
    let crm = |cmd: &[&str]| {
        let mut v: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        v.extend([
            "--url".into(),
            url.clone(),
            "--ca-file".into(),
            ca.clone(),
            "--json".into(),
        ]);
        v
    };
    json(&run(crm(&["profile", "apply"]), &home).await);
    for step in ["configure", "approve", "test"] {
        json(&run(crm(&["mailboxes", step]), &home).await);
    }
    let mut watch = crm(&["mailboxes", "watch", "--interval", "1", "--timeout", "60"]);
    watch.extend(["--crm-result".into(), result_file.display().to_string()]);
    let out = run(watch.clone(), &home).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["counts"]["failure"], 6, "{v}");
    let cards = v["cards"].as_array().unwrap();
    assert_eq!(cards.len(), 1, "six mailboxes, one alert, one card: {v}");
    assert_eq!(
        cards[0]["alert"]["mailbox_ids"].as_array().unwrap().len(),
        6
    );
    let card = &cards[0]["card"];
    assert_eq!(card["entry_id"], "s2s.failed-authentication", "{card}");
    assert_eq!(card["causes"][0]["status"], "confirmed", "{card}");
    let checks: Vec<&serde_json::Value> = card["causes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["checks"].as_array().unwrap())
        .collect();
    let sp = checks
        .iter()
        .find(|c| c["id"] == "sp_has_crm_certificate")
        .expect("the key comparison is on the card");
    assert_eq!(sp["outcome"], "failed");
    assert!(sp["saw"].as_str().unwrap_or("").contains(&thumb), "{sp}");

    // The fix: upload the key, test again, and they pass.
    json(
        &run(
            ["trust", "apply", "--certificate", &cer, "--json"]
                .map(String::from)
                .to_vec(),
            &home,
        )
        .await,
    );
    json(&run(crm(&["mailboxes", "test"]), &home).await);
    let out = run(watch.clone(), &home).await;
    let v = json(&out);
    assert_eq!(
        (
            v["counts"]["success"].as_u64(),
            v["counts"]["failure"].as_u64()
        ),
        (Some(6), Some(0)),
        "{v}"
    );
    assert!(v["cards"].as_array().unwrap().is_empty());

    // Later the admin center turns one user's Exchange Online plan off (SUP-401 cause 3).
    let unlicensed = mailbox_address(2);
    let mut d = Deployment::default();
    d.unlicensed.insert(unlicensed.clone());
    sim.sim.dynamics.set_deployment(d);
    json(&run(crm(&["mailboxes", "test", "--include-passed"]), &home).await);
    let report = dir.path().join("reports").join("watch.html");
    watch.extend(["--report".into(), report.display().to_string()]);
    let out = run(watch, &home).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["counts"]["success"].as_u64(),
            v["counts"]["failure"].as_u64()
        ),
        (Some(5), Some(1)),
        "{v}"
    );
    let card = &v["cards"][0]["card"];
    assert_eq!(card["entry_id"], "sss.http-401", "{card}");
    assert_eq!(card["causes"][0]["status"], "confirmed", "{card}");
    let checks: Vec<&serde_json::Value> = card["causes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["checks"].as_array().unwrap())
        .collect();
    let licence = checks
        .iter()
        .find(|c| c["id"] == "exchange_online_licensed")
        .expect("the licence check is on the card");
    assert_eq!(licence["outcome"], "failed", "{licence}");
    assert!(
        licence["saw"].as_str().unwrap_or("").contains(&unlicensed),
        "{licence}"
    );

    // The report of the watch: the mailbox table as it ended and the card as a finding, with its SHA-256.
    let bytes = std::fs::read(&report).expect("the report is written");
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v["report"]["sha256"], sha.as_str(), "{v}");
    let html = String::from_utf8_lossy(&bytes);
    assert!(
        html.contains("6 mailboxes: 5 enabled, 1 failed"),
        "the mailbox table"
    );
    assert!(html.contains(&unlicensed) && html.contains("sss.http-401"));
    assert!(
        html.contains("exchange_online_licensed: failed"),
        "what the check saw"
    );
    assert!(
        html.contains(&format!("operator {ADMIN}")),
        "the signed-in admin is the operator"
    );
    assert!(
        html.contains(&format!(
            "<th scope=row>CRM version</th><td>{PRACTICE_VERSION}</td>"
        )),
        "RetrieveVersion's answer"
    );
    assert!(
        html.contains("<th scope=row>Cloud</th><td>"),
        "the cloud from the saved sign-in"
    );
    assert!(!html.contains("refresh_token") && !html.contains("PRIVATE KEY"));
}
