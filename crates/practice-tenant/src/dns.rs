//! The practice tenant's own DNS: the zones of the practice domains, served by two authoritative
//! name servers on loopback (hickory-server), so `verify` (ms-api.md §3.1) looks a real record up
//! and clients can check every authoritative server as they would on the internet.
//!
//! `ns1` listens on 127.0.0.1:P and also answers as the resolver to point clients at; `ns2` on
//! 127.0.0.2:P, the same port, so a client that reaches name servers on port P finds both. Where
//! the second loopback address cannot be bound, the zones have `ns1` alone.
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use hybridsync_dns::testing::{TestDnsServer, TestZone};
use hybridsync_dns::txt::lookup;

/// The second name server's address (the first is 127.0.0.1).
const NS2_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

/// How long `verify` waits for the practice name server.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(2);

/// Which name servers a record goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Servers {
    All,
    /// One server, by index (0 = ns1).
    Only(usize),
}

/// The practice DNS servers.
pub struct PracticeDns {
    servers: Vec<TestDnsServer>,
}

impl std::fmt::Debug for PracticeDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PracticeDns")
            .field("addresses", &self.addresses())
            .finish()
    }
}

impl PracticeDns {
    /// Starts `ns1` (and `ns2` where 127.0.0.2 can be bound on the same port), serving `zones`.
    pub async fn start(zones: &[&str]) -> io::Result<PracticeDns> {
        let ns1 = TestDnsServer::start(&[]).await?;
        let mut servers = vec![ns1];
        match TestDnsServer::start_at(
            SocketAddr::new(NS2_IP.into(), servers[0].addr().port()),
            &[],
        )
        .await
        {
            Ok(ns2) => servers.push(ns2),
            Err(e) => {
                tracing::info!(error = %e, "practice DNS: 127.0.0.2 not available, the zones have one name server")
            }
        }
        let dns = PracticeDns { servers };
        for z in zones {
            dns.ensure_zone(z).await?;
        }
        Ok(dns)
    }

    /// The address to use as the resolver (and whose port reaches every name server).
    pub fn resolver(&self) -> SocketAddr {
        self.servers[0].addr()
    }

    /// Every name server's address, `ns1` first.
    pub fn addresses(&self) -> Vec<SocketAddr> {
        self.servers.iter().map(TestDnsServer::addr).collect()
    }

    /// The zone that holds `domain`, if any is served.
    pub fn zone_of(&self, domain: &str) -> Option<String> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let names = self.servers[0].zone_names();
        let mut best: Option<String> = None;
        for n in names {
            let apex = n.to_ascii().trim_end_matches('.').to_ascii_lowercase();
            if (domain == apex || domain.ends_with(&format!(".{apex}")))
                && best.as_ref().is_none_or(|b| apex.len() > b.len())
            {
                best = Some(apex);
            }
        }
        best
    }

    /// Serves `domain` as a zone on every name server (NS records `ns1`/`ns2.<zone>` with their
    /// addresses), unless a served zone already holds it. Returns the zone's apex.
    pub async fn ensure_zone(&self, domain: &str) -> io::Result<String> {
        if let Some(apex) = self.zone_of(domain) {
            return Ok(apex);
        }
        let apex = domain.trim_end_matches('.').to_ascii_lowercase();
        let hosts: Vec<(String, Vec<IpAddr>)> = self
            .servers
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("ns{}", i + 1), vec![s.addr().ip()]))
            .collect();
        let host_refs: Vec<(&str, &[IpAddr])> = hosts
            .iter()
            .map(|(h, a)| (h.as_str(), a.as_slice()))
            .collect();
        for s in &self.servers {
            let zone = s.add_zone(&apex).await?;
            zone.set_ns(&host_refs).await;
        }
        Ok(apex)
    }

    fn zones(&self, domain: &str, servers: Servers) -> Vec<TestZone> {
        let Some(apex) = self.zone_of(domain) else {
            return Vec::new();
        };
        self.servers
            .iter()
            .enumerate()
            .filter(|(i, _)| servers == Servers::All || servers == Servers::Only(*i))
            .filter_map(|(_, s)| s.find_zone(&apex))
            .collect()
    }

    /// Publishes TXT `values` at `domain` (replacing its TXT records). False when no served zone
    /// holds `domain`.
    pub async fn set_txt(&self, domain: &str, values: &[&str], servers: Servers) -> bool {
        let zones = self.zones(domain, servers);
        for z in &zones {
            z.set_txt_with_ttl(&format!("{}.", domain.trim_end_matches('.')), values, 3600)
                .await;
        }
        !zones.is_empty()
    }

    /// Removes the TXT records at `domain`.
    pub async fn remove_txt(&self, domain: &str, servers: Servers) {
        for z in self.zones(domain, servers) {
            z.remove_txt(&format!("{}.", domain.trim_end_matches('.')))
                .await;
        }
    }

    /// Replaces the MX records at `domain` on every name server (a zone must hold it).
    pub async fn set_mx(&self, domain: &str, hosts: &[(u16, &str)]) {
        for z in self.zones(domain, Servers::All) {
            z.set_mx(&format!("{}.", domain.trim_end_matches('.')), hosts)
                .await;
        }
    }

    /// Sets a CNAME at `name` on every name server (a zone must hold it).
    pub async fn set_cname(&self, name: &str, target: &str) {
        for z in self.zones(name, Servers::All) {
            z.set_cname(&format!("{}.", name.trim_end_matches('.')), target)
                .await;
        }
    }

    /// The TXT values at `domain` as `ns1` serves them (the lookup `verify` makes).
    pub async fn txt_values(&self, domain: &str) -> Vec<String> {
        match lookup(domain, Some(self.resolver()), LOOKUP_TIMEOUT).await {
            Ok(answer) => answer.values(),
            Err(e) => {
                tracing::info!(domain, error = %e, "practice DNS: TXT lookup failed");
                Vec::new()
            }
        }
    }
}
