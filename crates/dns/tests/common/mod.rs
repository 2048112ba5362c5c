//! A small DNS "lab" on loopback: authoritative servers for `contoso.test`, a
//! resolver (another in-process server, which can hold stale data), and
//! scripted lame servers. Name servers get documentation addresses
//! (192.0.2.x) in DNS, mapped to their real loopback sockets through
//! `AuthorityOptions::address_map`.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use hybridsync_dns::testing::{Behaviour, ScriptedServer, TestDnsServer, TestZone};
use hybridsync_dns::{AuthorityOptions, CheckOptions, QueryOptions};

pub const ZONE: &str = "contoso.test";
pub const EXPECTED: &str = "MS=ms12345678";

pub fn ns_ip(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1 + i as u8))
}

pub struct Lab {
    /// The resolver used to find NS records (and shown as the resolver row).
    pub resolver: TestDnsServer,
    /// Authoritative servers ns1, ns2, … for contoso.test.
    pub auth: Vec<TestDnsServer>,
    /// Lame servers, listed after the good ones.
    pub lame: Vec<ScriptedServer>,
    pub options: AuthorityOptions,
}

impl Lab {
    /// `good` authoritative servers plus one lame server per behaviour.
    pub async fn new(good: usize, lame: Vec<Behaviour>) -> Lab {
        let resolver = TestDnsServer::start(&[ZONE, "test"]).await.unwrap();
        let mut auth = Vec::new();
        for _ in 0..good {
            auth.push(TestDnsServer::start(&[ZONE]).await.unwrap());
        }
        let mut lame_servers = Vec::new();
        for b in lame {
            lame_servers.push(ScriptedServer::start(b).await.unwrap());
        }
        let mut options = AuthorityOptions::with_resolver(resolver.addr());
        options.query = QueryOptions {
            timeout: Duration::from_millis(1000),
            attempts: 2,
            recursion_desired: true,
        };
        let hosts: Vec<(String, Vec<IpAddr>)> = (0..good + lame_servers.len())
            .map(|i| (format!("ns{}", i + 1), vec![ns_ip(i)]))
            .collect();
        for (i, s) in auth.iter().enumerate() {
            options.address_map.insert(ns_ip(i), s.addr());
        }
        for (j, s) in lame_servers.iter().enumerate() {
            options.address_map.insert(ns_ip(good + j), s.addr());
        }
        let host_refs: Vec<(&str, &[IpAddr])> = hosts
            .iter()
            .map(|(h, a)| (h.as_str(), a.as_slice()))
            .collect();
        for s in auth
            .iter()
            .map(|s| s.zone(ZONE))
            .chain([resolver.zone(ZONE)])
        {
            s.set_ns(&host_refs).await;
            s.set_addresses("www", &[IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1))])
                .await;
        }
        // The parent zone `test.` is served by the resolver itself, so that
        // names that do not exist under it get NXDOMAIN from its "authority".
        let parent_ns = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 200));
        resolver
            .zone("test")
            .set_ns(&[("ns.test", &[parent_ns])])
            .await;
        options.address_map.insert(parent_ns, resolver.addr());
        Lab {
            resolver,
            auth,
            lame: lame_servers,
            options,
        }
    }

    pub fn check_options(&self) -> CheckOptions {
        CheckOptions {
            authority: self.options.clone(),
            extra_labels: Vec::new(),
        }
    }

    pub fn zone(&self, i: usize) -> TestZone {
        self.auth[i].zone(ZONE)
    }

    pub fn resolver_zone(&self) -> TestZone {
        self.resolver.zone(ZONE)
    }

    /// Publishes TXT values at `name` on every good authoritative server.
    pub async fn publish(&self, name: &str, values: &[&str]) {
        for s in &self.auth {
            s.zone(ZONE).set_txt(name, values).await;
        }
    }

    /// Publishes on the authoritative servers and the resolver alike.
    pub async fn publish_everywhere(&self, name: &str, values: &[&str]) {
        self.publish(name, values).await;
        self.resolver_zone().set_txt(name, values).await;
    }
}

/// Runs a future with a generous upper bound, so that a hang fails the test
/// instead of blocking it.
pub async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("did not return within 20 s")
}
