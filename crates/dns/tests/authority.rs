mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::{bounded, ns_ip, Lab, EXPECTED, ZONE};
use hybridsync_dns::authority::{find_zone, survey};
use hybridsync_dns::testing::{Behaviour, TestDnsServer};
use hybridsync_dns::{parse_name, AuthorityOptions, ServerRole};

#[tokio::test]
async fn the_table_has_one_row_per_name_server_plus_the_resolver() {
    let lab = Lab::new(2, vec![Behaviour::Refuse]).await;
    lab.publish("@", &[EXPECTED]).await;
    let table = bounded(survey("contoso.test", &lab.options)).await.unwrap();

    let zone = table.zone.as_ref().expect("zone found");
    assert_eq!(zone.name, "contoso.test");
    let names: Vec<&str> = zone.nameservers.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        ["ns1.contoso.test", "ns2.contoso.test", "ns3.contoso.test"]
    );

    let auth: Vec<_> = table.authoritative_rows().collect();
    assert_eq!(auth.len(), 3);
    for (i, row) in auth.iter().enumerate() {
        assert_eq!(row.server_name, format!("ns{}.contoso.test", i + 1));
        assert_eq!(row.address, Some(lab.options.ns_socket(ns_ip(i))));
    }
    for row in &auth[..2] {
        assert_eq!(row.values, vec![EXPECTED]);
        assert_eq!(row.ttl, Some(300));
        assert_eq!(row.answer_code, "NOERROR");
        assert!(row.authoritative);
    }
    assert_eq!(auth[2].answer_code, "REFUSED");
    assert!(!auth[2].authoritative);
    assert!(auth[2].error.is_some());

    let resolver = table.resolver_row().unwrap();
    assert_eq!(resolver.role, ServerRole::Resolver);
    assert_eq!(resolver.server_name, "resolver");
    assert_eq!(resolver.address, Some(lab.resolver.addr()));
    assert!(
        resolver.values.is_empty(),
        "the resolver was not given the record"
    );
    assert_eq!(resolver.answer_code, "NOERROR");
}

#[tokio::test]
async fn the_zone_is_found_by_walking_up_from_a_subdomain() {
    let lab = Lab::new(1, vec![]).await;
    for name in [
        "deep.sub.contoso.test",
        "www.contoso.test",
        "WWW.Contoso.Test.",
    ] {
        let zone = bounded(find_zone(&parse_name(name).unwrap(), &lab.options))
            .await
            .unwrap()
            .expect("zone");
        assert_eq!(zone.name, ZONE, "{name}");
        assert_eq!(zone.nameservers.len(), 1);
        assert_eq!(zone.nameservers[0].addresses, vec![ns_ip(0)]);
    }
    let missing = bounded(find_zone(
        &parse_name("nothere.test").unwrap(),
        &lab.options,
    ))
    .await
    .unwrap()
    .expect("parent zone");
    assert_eq!(missing.name, "test");
    assert!(missing.name_nxdomain);
}

#[tokio::test]
async fn the_name_server_port_is_injectable() {
    // One server plays resolver and name server; the NS glue says 127.0.0.1,
    // and only the port tells where to ask.
    let s = TestDnsServer::start(&[ZONE]).await.unwrap();
    let zone = s.zone(ZONE);
    zone.set_ns(&[("ns1", &[IpAddr::V4(Ipv4Addr::LOCALHOST)])])
        .await;
    zone.set_txt("@", &[EXPECTED]).await;
    let mut options = AuthorityOptions::with_resolver(s.addr());
    options.ns_port = s.addr().port();
    options.query.timeout = Duration::from_secs(1);
    let table = bounded(survey(ZONE, &options)).await.unwrap();
    let auth: Vec<_> = table.authoritative_rows().collect();
    assert_eq!(auth.len(), 1);
    assert_eq!(auth[0].address, Some(s.addr()));
    assert_eq!(auth[0].values, vec![EXPECTED]);
    assert!(auth[0].authoritative);

    // With the production port the same glue points nowhere useful.
    assert_eq!(AuthorityOptions::default().ns_port, 53);
    assert_eq!(
        AuthorityOptions::default().ns_socket(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        "127.0.0.1:53".parse().unwrap()
    );
}

#[tokio::test]
async fn a_name_server_without_address_gets_a_no_address_row() {
    let lab = Lab::new(1, vec![]).await;
    for z in [lab.zone(0), lab.resolver_zone()] {
        z.set_ns(&[("ns1", &[ns_ip(0)]), ("ns.elsewhere.example.", &[])])
            .await;
    }
    let table = bounded(survey(ZONE, &lab.options)).await.unwrap();
    let row = table
        .authoritative_rows()
        .find(|r| r.server_name == "ns.elsewhere.example")
        .expect("row for the unresolvable name server");
    assert_eq!(row.answer_code, "NO_ADDRESS");
    assert_eq!(row.address, None);
}

#[tokio::test]
async fn a_dead_resolver_is_reported_not_hung_on() {
    let silent = hybridsync_dns::testing::ScriptedServer::start(Behaviour::Silent)
        .await
        .unwrap();
    let mut options = AuthorityOptions::with_resolver(silent.addr());
    options.query.timeout = Duration::from_millis(300);
    let table = bounded(survey(ZONE, &options)).await.unwrap();
    assert!(table.zone.is_none());
    assert!(
        table.zone_error.as_deref().unwrap().contains("no answer"),
        "{table:?}"
    );
    assert_eq!(table.resolver_row().unwrap().answer_code, "TIMEOUT");
}
