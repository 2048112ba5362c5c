//! A running test server starts answering for a zone added after it started.
use std::time::Duration;

use hybridsync_dns::testing::TestDnsServer;
use hybridsync_dns::txt::lookup;
use hybridsync_dns::{DnsError, TxtOutcome};

#[tokio::test]
async fn a_zone_added_while_running_is_served_at_once() {
    let server = TestDnsServer::start(&["contoso.test"]).await.unwrap();
    let t = Duration::from_secs(2);
    // Not served yet: the server refuses names outside its zones.
    let before = lookup("fabrikam.test", Some(server.addr()), t).await;
    assert!(
        matches!(before, Err(DnsError::Refused { .. })),
        "{before:?}"
    );

    let zone = server.add_zone("Fabrikam.TEST.").await.unwrap();
    zone.set_txt("@", &["MS=ms87654321"]).await;
    let answer = lookup("fabrikam.test", Some(server.addr()), t)
        .await
        .unwrap();
    assert_eq!(answer.values(), vec!["MS=ms87654321"]);
    assert!(matches!(answer.outcome, TxtOutcome::Records { .. }));

    // Adding it again hands back the same zone, records kept.
    let again = server.add_zone("fabrikam.test").await.unwrap();
    assert_eq!(again.origin(), zone.origin());
    let answer = lookup("fabrikam.test", Some(server.addr()), t)
        .await
        .unwrap();
    assert_eq!(answer.values(), vec!["MS=ms87654321"]);
    assert_eq!(server.zone_names().len(), 2);
    assert!(server.find_zone("nosuch.test").is_none());
}

#[tokio::test]
async fn mail_routing_reads_mx_hosts_and_the_autodiscover_cname() {
    use hybridsync_dns::mail::mail_routing;
    use hybridsync_dns::QueryOptions;
    let server = TestDnsServer::start(&["contoso.test"]).await.unwrap();
    let q = QueryOptions::default();
    let none = mail_routing("contoso.test", Some(server.addr()), &q)
        .await
        .unwrap();
    assert!(
        none.mx.is_empty() && none.autodiscover_cname.is_none(),
        "{none:?}"
    );

    let zone = server.zone("contoso.test");
    zone.set_mx(
        "@",
        &[
            (10, "backup.contoso.test"),
            (0, "Contoso-Test.mail.protection.outlook.com"),
        ],
    )
    .await;
    zone.set_cname("autodiscover", "autodiscover.outlook.com")
        .await;
    let r = mail_routing("CONTOSO.test.", Some(server.addr()), &q)
        .await
        .unwrap();
    assert_eq!(
        r.mx,
        vec![
            "contoso-test.mail.protection.outlook.com",
            "backup.contoso.test"
        ]
    );
    assert_eq!(
        r.autodiscover_cname.as_deref(),
        Some("autodiscover.outlook.com")
    );
}
