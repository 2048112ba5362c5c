//! An authoritative in-memory hickory-server on a loopback port.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, SOA, SRV, TXT};
use hickory_proto::rr::{LowerName, Name, RData, Record, RecordType, RrKey};
use hickory_server::net::runtime::Time;
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use hickory_server::Server;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::RwLock;

use crate::name::parse_name;

type Handler = InMemoryZoneHandler<TokioRuntimeProvider>;

/// TTL of records added without an explicit TTL.
pub const DEFAULT_TTL: u32 = 300;

/// A handle on one zone of a [`TestDnsServer`]; cheap to clone, changes are
/// served at once.
#[derive(Clone)]
pub struct TestZone {
    origin: Name,
    handler: Arc<Handler>,
    serial: Arc<AtomicU32>,
}

impl std::fmt::Debug for TestZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestZone")
            .field("origin", &self.origin)
            .finish()
    }
}

impl TestZone {
    fn new(origin: Name) -> Self {
        let handler = Handler::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
        Self {
            origin,
            handler: Arc::new(handler),
            serial: Arc::new(AtomicU32::new(1)),
        }
    }

    /// The zone apex.
    pub fn origin(&self) -> &Name {
        &self.origin
    }

    /// `@` is the apex; a name with a trailing dot or ending with the origin is
    /// absolute; anything else is relative to the origin (`www` → `www.<origin>`).
    pub fn name(&self, name: &str) -> Name {
        if name.trim().len() > 1 && name.trim().ends_with('.') {
            return parse_name(name).expect("valid test name");
        }
        let trimmed = name.trim().trim_end_matches('.');
        if trimmed == "@" || trimmed.is_empty() {
            return self.origin.clone();
        }
        let parsed = parse_name(trimmed).expect("valid test name");
        if self.origin.zone_of(&parsed) {
            parsed
        } else {
            parse_name(&format!("{trimmed}.{}", self.origin)).expect("valid test name")
        }
    }

    fn next_serial(&self) -> u32 {
        self.serial.fetch_add(1, Ordering::SeqCst) + 1
    }

    async fn upsert(&self, record: Record) {
        let serial = self.next_serial();
        assert!(
            self.handler.upsert(record, serial).await,
            "record not added to zone"
        );
    }

    async fn remove(&self, name: &Name, record_type: RecordType) {
        self.handler
            .records_mut()
            .await
            .remove(&RrKey::new(LowerName::from(name), record_type));
    }

    async fn add_soa(&self) {
        let mname = self.name("ns1");
        let rname = self.name("hostmaster");
        let soa = SOA::new(mname, rname, 1, 3600, 600, 86_400, 60);
        self.upsert(Record::from_rdata(
            self.origin.clone(),
            3600,
            RData::SOA(soa),
        ))
        .await;
    }

    /// Replaces the TXT records at `name` with one record per value (TTL 300).
    /// A value longer than 255 bytes is split into several strings.
    pub async fn set_txt(&self, name: &str, values: &[&str]) {
        self.set_txt_with_ttl(name, values, DEFAULT_TTL).await
    }

    /// [`set_txt`](Self::set_txt) with a TTL.
    pub async fn set_txt_with_ttl(&self, name: &str, values: &[&str], ttl: u32) {
        let records: Vec<Vec<String>> = values.iter().map(|v| split_255(v)).collect();
        self.put_txt(name, records, ttl).await
    }

    /// Replaces the TXT records at `name`; each record is given as its strings.
    pub async fn set_txt_records(&self, name: &str, records: &[&[&str]]) {
        let records = records
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect();
        self.put_txt(name, records, DEFAULT_TTL).await
    }

    async fn put_txt(&self, name: &str, records: Vec<Vec<String>>, ttl: u32) {
        let name = self.name(name);
        self.remove(&name, RecordType::TXT).await;
        for strings in records {
            self.upsert(Record::from_rdata(
                name.clone(),
                ttl,
                RData::TXT(TXT::new(strings)),
            ))
            .await;
        }
    }

    /// Removes every TXT record at `name`.
    pub async fn remove_txt(&self, name: &str) {
        let name = self.name(name);
        self.remove(&name, RecordType::TXT).await;
    }

    /// Replaces the apex NS records with `hosts`, and sets the addresses of the
    /// hosts that are inside this zone (glue).
    pub async fn set_ns(&self, hosts: &[(&str, &[IpAddr])]) {
        self.remove(&self.origin.clone(), RecordType::NS).await;
        for (host, addresses) in hosts {
            let host_name = self.name(host);
            self.upsert(Record::from_rdata(
                self.origin.clone(),
                3600,
                RData::NS(NS(host_name.clone())),
            ))
            .await;
            if self.origin.zone_of(&host_name) {
                self.set_addresses(host, addresses).await;
            }
        }
    }

    /// Replaces the MX records at `name` with `(preference, host)` pairs.
    pub async fn set_mx(&self, name: &str, hosts: &[(u16, &str)]) {
        let name = self.name(name);
        self.remove(&name, RecordType::MX).await;
        for (pref, host) in hosts {
            let host = self.name(&format!("{}.", host.trim_end_matches('.')));
            self.upsert(Record::from_rdata(
                name.clone(),
                3600,
                RData::MX(MX::new(*pref, host)),
            ))
            .await;
        }
    }

    /// Sets the CNAME at `name` to `target` (an absolute name).
    pub async fn set_cname(&self, name: &str, target: &str) {
        let name = self.name(name);
        self.remove(&name, RecordType::CNAME).await;
        let target = self.name(&format!("{}.", target.trim_end_matches('.')));
        self.upsert(Record::from_rdata(name, 3600, RData::CNAME(CNAME(target))))
            .await;
    }

    /// Replaces the A/AAAA records of `name`.
    pub async fn set_addresses(&self, name: &str, addresses: &[IpAddr]) {
        let name = self.name(name);
        self.remove(&name, RecordType::A).await;
        self.remove(&name, RecordType::AAAA).await;
        for ip in addresses {
            let data = match ip {
                IpAddr::V4(v4) => RData::A(A(*v4)),
                IpAddr::V6(v6) => RData::AAAA(AAAA(*v6)),
            };
            self.upsert(Record::from_rdata(name.clone(), 3600, data))
                .await;
        }
    }

    /// Replaces the SRV records of `name`: `(priority, weight, port, target)`.
    pub async fn set_srv(&self, name: &str, records: &[(u16, u16, u16, &str)]) {
        let name = self.name(name);
        self.remove(&name, RecordType::SRV).await;
        for (priority, weight, port, target) in records {
            let data = RData::SRV(SRV::new(*priority, *weight, *port, self.name(target)));
            self.upsert(Record::from_rdata(name.clone(), 3600, data))
                .await;
        }
    }
}

fn split_255(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in value.chars() {
        if current.len() + ch.len_utf8() > 255 {
            out.push(std::mem::take(&mut current));
        }
        current.push(ch);
    }
    out.push(current);
    out
}

/// The zones a server answers for; zones can be added while it runs.
#[derive(Clone, Default)]
struct SharedCatalog(Arc<RwLock<Catalog>>);

#[async_trait::async_trait]
impl RequestHandler for SharedCatalog {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        let catalog = self.0.read().await;
        catalog
            .handle_request::<R, T>(request, response_handle)
            .await
    }
}

/// An authoritative DNS server (hickory-server) on `127.0.0.1:<random port>`,
/// UDP and TCP on the same port. Stops when dropped.
pub struct TestDnsServer {
    addr: SocketAddr,
    zones: Mutex<BTreeMap<Name, TestZone>>,
    catalog: SharedCatalog,
    server: Server<SharedCatalog>,
}

impl std::fmt::Debug for TestDnsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDnsServer")
            .field("addr", &self.addr)
            .field("zones", &self.zone_names())
            .finish()
    }
}

impl TestDnsServer {
    /// Starts a server authoritative for `zones` (each with an SOA and no other
    /// record), on 127.0.0.1.
    pub async fn start(zones: &[&str]) -> io::Result<Self> {
        Self::start_on(Ipv4Addr::LOCALHOST.into(), zones).await
    }

    /// [`start`](Self::start) on another local address, on a random port.
    pub async fn start_on(ip: IpAddr, zones: &[&str]) -> io::Result<Self> {
        let (udp, tcp) = bind_pair(ip).await?;
        Self::serve(udp, tcp, zones).await
    }

    /// [`start`](Self::start) on a given address and port (UDP and TCP).
    pub async fn start_at(addr: SocketAddr, zones: &[&str]) -> io::Result<Self> {
        let udp = UdpSocket::bind(addr).await?;
        let tcp = TcpListener::bind(udp.local_addr()?).await?;
        Self::serve(udp, tcp, zones).await
    }

    async fn serve(udp: UdpSocket, tcp: TcpListener, zones: &[&str]) -> io::Result<Self> {
        let addr = udp.local_addr()?;
        let catalog = SharedCatalog::default();
        let mut server = Server::new(catalog.clone());
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 4096);
        let this = Self {
            addr,
            zones: Mutex::new(BTreeMap::new()),
            catalog,
            server,
        };
        for zone in zones {
            this.add_zone(zone).await?;
        }
        Ok(this)
    }

    /// Starts serving one more zone (an SOA and no other record), or returns
    /// the zone already served under that name.
    pub async fn add_zone(&self, origin: &str) -> io::Result<TestZone> {
        let origin =
            parse_name(origin).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        if let Some(z) = self.zones_map().get(&origin) {
            return Ok(z.clone());
        }
        let test_zone = TestZone::new(origin.clone());
        test_zone.add_soa().await;
        let handler: Arc<dyn ZoneHandler> = test_zone.handler.clone();
        self.catalog
            .0
            .write()
            .await
            .upsert(LowerName::from(&origin), vec![handler]);
        self.zones_map().insert(origin, test_zone.clone());
        Ok(test_zone)
    }

    fn zones_map(&self) -> std::sync::MutexGuard<'_, BTreeMap<Name, TestZone>> {
        self.zones.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The apexes of the zones served.
    pub fn zone_names(&self) -> Vec<Name> {
        self.zones_map().keys().cloned().collect()
    }

    /// Where the server listens (UDP and TCP).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The zone named `origin`, when served (case-insensitive, trailing dot optional).
    pub fn find_zone(&self, origin: &str) -> Option<TestZone> {
        let name = parse_name(origin).ok()?;
        self.zones_map().get(&name).cloned()
    }

    /// The zone named `origin` (case-insensitive, trailing dot optional).
    ///
    /// # Panics
    /// When the server does not serve that zone.
    pub fn zone(&self, origin: &str) -> TestZone {
        self.find_zone(origin)
            .unwrap_or_else(|| panic!("zone {origin} not served"))
    }

    /// Stops the server and waits for its tasks to end.
    pub async fn shutdown(mut self) {
        let _ = self.server.shutdown_gracefully().await;
    }
}

/// Binds UDP on `ip:0`, then TCP on the same port (retrying on a clash).
pub(crate) async fn bind_pair(ip: IpAddr) -> io::Result<(UdpSocket, TcpListener)> {
    let mut last = None;
    for _ in 0..50 {
        let udp = UdpSocket::bind(SocketAddr::new(ip, 0)).await?;
        let addr = udp.local_addr()?;
        match TcpListener::bind(addr).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free port")))
}
