mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{bounded, ZONE};
use hybridsync_dns::testing::{Behaviour, ScriptedServer, TestDnsServer};
use hybridsync_dns::txt::{lookup, lookup_with};
use hybridsync_dns::{DnsError, QueryOptions, TxtOutcome};

async fn server() -> TestDnsServer {
    TestDnsServer::start(&[ZONE]).await.unwrap()
}

#[tokio::test]
async fn records_have_their_strings_concatenated_and_keep_their_ttl() {
    let s = server().await;
    s.zone(ZONE)
        .set_txt_records(
            "@",
            &[&["v=DKIM1; k=rsa; p=AAAA", "BBBB"], &["MS=ms12345678"]],
        )
        .await;
    let a = bounded(lookup(
        "contoso.test",
        Some(s.addr()),
        Duration::from_secs(2),
    ))
    .await
    .unwrap();
    let mut values = a.values();
    values.sort();
    assert_eq!(values, vec!["MS=ms12345678", "v=DKIM1; k=rsa; p=AAAABBBB"]);
    assert_eq!(a.ttl(), Some(300));
    assert_eq!(a.answer_code, "NOERROR");
    assert!(a.authoritative);
    let TxtOutcome::Records { records } = &a.outcome else {
        panic!("expected records, got {:?}", a.outcome)
    };
    let dkim = records
        .iter()
        .find(|r| r.value.starts_with("v=DKIM1"))
        .unwrap();
    assert_eq!(dkim.strings, vec!["v=DKIM1; k=rsa; p=AAAA", "BBBB"]);
}

#[tokio::test]
async fn nxdomain_and_no_data_are_different_outcomes() {
    let s = server().await;
    s.zone(ZONE)
        .set_addresses("www", &["198.51.100.1".parse().unwrap()])
        .await;
    let nx = bounded(lookup(
        "nothere.contoso.test",
        Some(s.addr()),
        Duration::from_secs(2),
    ))
    .await
    .unwrap();
    assert!(nx.is_nxdomain(), "{nx:?}");
    assert_eq!(nx.answer_code, "NXDOMAIN");
    // Negative TTL = min(SOA TTL, SOA minimum) = 60.
    assert_eq!(nx.ttl(), Some(60));

    let nodata = bounded(lookup(
        "www.contoso.test",
        Some(s.addr()),
        Duration::from_secs(2),
    ))
    .await
    .unwrap();
    assert!(
        matches!(nodata.outcome, TxtOutcome::NoData { .. }),
        "{nodata:?}"
    );
    assert_eq!(nodata.answer_code, "NOERROR");
    assert!(nodata.values().is_empty());
}

#[tokio::test]
async fn names_match_case_insensitively_with_or_without_the_trailing_dot() {
    let s = server().await;
    s.zone(ZONE).set_txt("@", &["MS=ms12345678"]).await;
    for name in [
        "contoso.test",
        "contoso.test.",
        "CONTOSO.Test",
        "Contoso.TEST.",
    ] {
        let a = bounded(lookup(name, Some(s.addr()), Duration::from_secs(2)))
            .await
            .unwrap();
        assert_eq!(a.values(), vec!["MS=ms12345678"], "{name}");
        assert_eq!(a.name, "contoso.test", "{name}");
    }
    // Zone-side names are case-insensitive too.
    s.zone("CONTOSO.TEST.").set_txt("WWW", &["x"]).await;
    let a = bounded(lookup(
        "www.contoso.test",
        Some(s.addr()),
        Duration::from_secs(2),
    ))
    .await
    .unwrap();
    assert_eq!(a.values(), vec!["x"]);
}

#[tokio::test]
async fn long_values_come_back_whole_over_tcp_when_udp_is_truncated() {
    let s = server().await;
    let long: String = (0..3000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    s.zone(ZONE).set_txt("big", &[&long]).await;
    let a = bounded(lookup(
        "big.contoso.test",
        Some(s.addr()),
        Duration::from_secs(2),
    ))
    .await
    .unwrap();
    assert_eq!(a.values(), vec![long.clone()]);
    let TxtOutcome::Records { records } = &a.outcome else {
        panic!()
    };
    assert_eq!(records[0].strings.len(), 3000usize.div_ceil(255));
}

#[tokio::test]
async fn refused_and_servfail_are_typed_errors() {
    let refuse = ScriptedServer::start(Behaviour::Refuse).await.unwrap();
    let err = bounded(lookup(
        "contoso.test",
        Some(refuse.addr()),
        Duration::from_secs(2),
    ))
    .await
    .unwrap_err();
    assert_eq!(
        err,
        DnsError::Refused {
            server: refuse.addr()
        }
    );
    assert_eq!(err.answer_code(), "REFUSED");

    let servfail = ScriptedServer::start(Behaviour::ServFail).await.unwrap();
    let err = bounded(lookup(
        "contoso.test",
        Some(servfail.addr()),
        Duration::from_secs(2),
    ))
    .await
    .unwrap_err();
    assert_eq!(
        err,
        DnsError::ServFail {
            server: servfail.addr()
        }
    );
    assert_eq!(err.answer_code(), "SERVFAIL");
}

#[tokio::test]
async fn a_silent_server_times_out_after_the_configured_attempts() {
    let silent = ScriptedServer::start(Behaviour::Silent).await.unwrap();
    let options = QueryOptions {
        timeout: Duration::from_millis(400),
        attempts: 2,
        recursion_desired: true,
    };
    let err = bounded(lookup_with("contoso.test", Some(silent.addr()), &options))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        DnsError::Timeout {
            server: silent.addr(),
            waited_ms: 800,
            attempts: 2
        }
    );
    assert_eq!(err.answer_code(), "TIMEOUT");

    // The budget form splits the time over two attempts.
    let err = bounded(lookup(
        "contoso.test",
        Some(silent.addr()),
        Duration::from_secs(1),
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            DnsError::Timeout {
                waited_ms: 1000,
                attempts: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_closed_port_fails_fast_without_an_answer() {
    let port = {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap().port()
    };
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let err = bounded(lookup("contoso.test", Some(addr), Duration::from_secs(1)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, DnsError::Unreachable { .. } | DnsError::Timeout { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalid_names_are_rejected_before_any_query() {
    let err = lookup(
        "bad name.test",
        Some(([127, 0, 0, 1], 9).into()),
        Duration::from_secs(1),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DnsError::InvalidName { .. }), "{err:?}");
}

#[tokio::test]
async fn non_authoritative_answers_are_flagged() {
    let cache = ScriptedServer::start(Behaviour::non_authoritative(&["MS=old"]))
        .await
        .unwrap();
    let a = bounded(lookup(
        "contoso.test",
        Some(cache.addr()),
        Duration::from_secs(2),
    ))
    .await
    .unwrap();
    assert_eq!(a.values(), vec!["MS=old"]);
    assert!(!a.authoritative);
}

#[tokio::test]
async fn several_resolvers_are_tried_in_turn_within_one_budget() {
    // The path used for the system resolver: the first usable answer wins.
    use hybridsync_dns::wire::exchange_first;
    let refuse = ScriptedServer::start(Behaviour::Refuse).await.unwrap();
    let silent = ScriptedServer::start(Behaviour::Silent).await.unwrap();
    let good = server().await;
    good.zone(ZONE).set_txt("@", &["MS=ms12345678"]).await;
    let options = QueryOptions {
        timeout: Duration::from_millis(400),
        attempts: 2,
        recursion_desired: true,
    };
    let name = hybridsync_dns::parse_name("contoso.test").unwrap();
    let servers = [refuse.addr(), silent.addr(), good.addr()];
    let (from, reply) = bounded(exchange_first(
        &servers,
        &name,
        hickory_proto::rr::RecordType::TXT,
        &options,
    ))
    .await
    .unwrap();
    assert_eq!(from, good.addr());
    assert_eq!(reply.answers.len(), 1);

    // None usable: the last error, after at most the budget (2 × 400 ms).
    let servers = [refuse.addr(), silent.addr()];
    let err = bounded(exchange_first(
        &servers,
        &name,
        hickory_proto::rr::RecordType::TXT,
        &options,
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            DnsError::Timeout { waited_ms: 800, .. } | DnsError::Refused { .. }
        ),
        "{err:?}"
    );
}
