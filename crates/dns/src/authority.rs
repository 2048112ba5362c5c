//! Finding a name's authoritative servers and asking each of them directly.
//!
//! The zone is found by walking up the labels at the (system or injected)
//! resolver until a name with NS records is met. Each name server is then
//! resolved to its A/AAAA addresses and asked without recursion, and the
//! resolver is asked too, giving one row per server.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use futures::future::join_all;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use serde::Serialize;

use crate::error::DnsError;
use crate::name::{display_name, parse_name};
use crate::txt::{lookup_name, rcode_name};
use crate::wire::{exchange_first, system_nameservers, QueryOptions, DNS_PORT};

/// Where to ask, and how hard.
#[derive(Debug, Clone)]
pub struct AuthorityOptions {
    /// Resolver used to find the zone, its NS records and their addresses, and
    /// shown as the "resolver" row. `None` = the operating system's resolvers.
    pub resolver: Option<SocketAddr>,
    /// Port used to talk to authoritative name servers (53 in production).
    pub ns_port: u16,
    /// Optional per-address override: a name server address found in DNS is
    /// reached at this socket address instead of `ip:ns_port`. Lets tests run
    /// several "name servers" on one loopback address.
    pub address_map: BTreeMap<IpAddr, SocketAddr>,
    /// Timeout and attempts for every question (the RD bit is set per use).
    pub query: QueryOptions,
}

impl Default for AuthorityOptions {
    fn default() -> Self {
        Self {
            resolver: None,
            ns_port: DNS_PORT,
            address_map: BTreeMap::new(),
            query: QueryOptions::default(),
        }
    }
}

impl AuthorityOptions {
    /// Options that use `resolver` instead of the system resolver.
    pub fn with_resolver(resolver: SocketAddr) -> Self {
        Self {
            resolver: Some(resolver),
            ..Self::default()
        }
    }

    /// The socket address used to reach a name server found at `ip`.
    pub fn ns_socket(&self, ip: IpAddr) -> SocketAddr {
        self.address_map
            .get(&ip)
            .copied()
            .unwrap_or_else(|| SocketAddr::new(ip, self.ns_port))
    }

    fn resolvers(&self) -> Result<Vec<SocketAddr>, DnsError> {
        match self.resolver {
            Some(r) => Ok(vec![r]),
            None => system_nameservers(),
        }
    }

    fn recursive(&self) -> QueryOptions {
        QueryOptions {
            recursion_desired: true,
            ..self.query
        }
    }
}

/// One name server of the zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameServer {
    /// Host name from the NS record, lower case, no trailing dot.
    pub name: String,
    /// Its A and AAAA addresses.
    pub addresses: Vec<IpAddr>,
    /// Why no address could be found, when `addresses` is empty.
    pub address_error: Option<String>,
}

/// The zone that holds a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Zone {
    /// Zone apex, lower case, no trailing dot.
    pub name: String,
    #[serde(skip)]
    pub apex: Name,
    /// Its name servers, sorted by name.
    pub nameservers: Vec<NameServer>,
    /// The resolver said NXDOMAIN for the name that was asked.
    pub name_nxdomain: bool,
}

/// Whether a row is an authoritative name server or the resolver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerRole {
    Authoritative,
    Resolver,
}

/// One row of the per-server table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerRow {
    pub role: ServerRole,
    /// NS host name, or `resolver` / `system resolver`.
    pub server_name: String,
    /// The socket address asked (none when the name server has no address).
    pub address: Option<SocketAddr>,
    /// The TXT values seen (several strings of a record concatenated).
    pub values: Vec<String>,
    /// Lowest TTL of the records, or the negative-caching TTL.
    pub ttl: Option<u32>,
    /// `NOERROR`, `NXDOMAIN`, `REFUSED`, `SERVFAIL`, `TIMEOUT`, `UNREACHABLE`, `NO_ADDRESS`.
    pub answer_code: String,
    /// The AA bit of the reply.
    pub authoritative: bool,
    /// NOERROR without a TXT record.
    pub no_data: bool,
    /// Error text when there was no usable reply.
    pub error: Option<String>,
}

impl ServerRow {
    /// A reply came back (any of NOERROR/NXDOMAIN), whatever the AA bit.
    pub fn answered(&self) -> bool {
        self.error.is_none()
    }

    /// A reply came back with the AA bit set.
    pub fn answered_authoritatively(&self) -> bool {
        self.error.is_none() && self.authoritative
    }
}

/// The per-server table for one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorityTable {
    /// The name asked, lower case, no trailing dot.
    pub name: String,
    /// The zone found, when one was.
    pub zone: Option<Zone>,
    /// Why the zone could not be determined (resolver failure).
    pub zone_error: Option<String>,
    /// Authoritative rows first, then the resolver row.
    pub rows: Vec<ServerRow>,
}

impl AuthorityTable {
    /// Rows of the zone's name servers.
    pub fn authoritative_rows(&self) -> impl Iterator<Item = &ServerRow> {
        self.rows
            .iter()
            .filter(|r| r.role == ServerRole::Authoritative)
    }

    /// The resolver's row.
    pub fn resolver_row(&self) -> Option<&ServerRow> {
        self.rows.iter().find(|r| r.role == ServerRole::Resolver)
    }
}

fn ns_names(reply: &Message, owner: &Name) -> Vec<Name> {
    let mut names: Vec<Name> = reply
        .answers
        .iter()
        .filter(|r| r.name.eq_ignore_root_case(owner))
        .filter_map(|r| match &r.data {
            RData::NS(ns) => Some(ns.0.to_lowercase()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

fn soa_owner(reply: &Message) -> Option<Name> {
    reply.authorities.iter().find_map(|r| match r.data {
        RData::SOA(_) => Some(r.name.to_lowercase()),
        _ => None,
    })
}

fn glue(reply: &Message, host: &Name) -> Vec<IpAddr> {
    reply
        .additionals
        .iter()
        .filter(|r| r.name.eq_ignore_root_case(host))
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect()
}

/// Finds the zone holding `name`: the closest enclosing name with NS records,
/// then each NS host's addresses. `Ok(None)` when no zone with NS records exists
/// below the root.
pub async fn find_zone(name: &Name, options: &AuthorityOptions) -> Result<Option<Zone>, DnsError> {
    let resolvers = options.resolvers()?;
    let q = options.recursive();
    let mut candidate = name.to_lowercase();
    let mut name_nxdomain = false;
    for _ in 0..128 {
        if candidate.is_root() {
            return Ok(None);
        }
        let (_server, reply) = exchange_first(&resolvers, &candidate, RecordType::NS, &q).await?;
        let code = reply.metadata.response_code;
        if code == ResponseCode::NXDomain && candidate == *name {
            name_nxdomain = true;
        }
        if code == ResponseCode::NoError {
            let hosts = ns_names(&reply, &candidate);
            if !hosts.is_empty() {
                let nameservers = join_all(
                    hosts
                        .iter()
                        .map(|h| name_server(h, glue(&reply, h), &resolvers, &q)),
                )
                .await;
                return Ok(Some(Zone {
                    name: display_name(&candidate),
                    apex: candidate,
                    nameservers,
                    name_nxdomain,
                }));
            }
        }
        // NODATA or NXDOMAIN: jump to the zone named by the SOA when the
        // resolver gave one, else go up one label.
        candidate = match soa_owner(&reply) {
            Some(owner) if owner != candidate && owner.zone_of(&candidate) => owner,
            _ => candidate.base_name(),
        };
    }
    Ok(None)
}

async fn name_server(
    host: &Name,
    mut addresses: Vec<IpAddr>,
    resolvers: &[SocketAddr],
    q: &QueryOptions,
) -> NameServer {
    let (a, aaaa) = tokio::join!(
        exchange_first(resolvers, host, RecordType::A, q),
        exchange_first(resolvers, host, RecordType::AAAA, q),
    );
    let mut errors = Vec::new();
    for result in [a, aaaa] {
        match result {
            Ok((_, reply)) => {
                for r in &reply.answers {
                    match &r.data {
                        RData::A(a) => addresses.push(IpAddr::V4(a.0)),
                        RData::AAAA(a) => addresses.push(IpAddr::V6(a.0)),
                        _ => {}
                    }
                }
                if reply.metadata.response_code != ResponseCode::NoError {
                    errors.push(rcode_name(reply.metadata.response_code));
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    addresses.sort();
    addresses.dedup();
    let address_error = if addresses.is_empty() {
        errors.dedup();
        Some(if errors.is_empty() {
            "no A or AAAA record".to_string()
        } else {
            errors.join("; ")
        })
    } else {
        None
    };
    NameServer {
        name: display_name(host),
        addresses,
        address_error,
    }
}

fn row_from(
    role: ServerRole,
    server_name: String,
    address: Option<SocketAddr>,
    result: Result<crate::txt::TxtAnswer, DnsError>,
) -> ServerRow {
    match result {
        Ok(answer) => ServerRow {
            role,
            server_name,
            address: Some(answer.server),
            values: answer.values(),
            ttl: answer.ttl(),
            no_data: matches!(answer.outcome, crate::txt::TxtOutcome::NoData { .. }),
            answer_code: answer.answer_code,
            authoritative: answer.authoritative,
            error: None,
        },
        Err(e) => ServerRow {
            role,
            server_name,
            address,
            values: Vec::new(),
            ttl: None,
            answer_code: e.answer_code(),
            authoritative: false,
            no_data: false,
            error: Some(e.to_string()),
        },
    }
}

/// Asks every address of every name server of `zone` for the TXT records of
/// `name`, without recursion. One row per address (one `NO_ADDRESS` row for a
/// name server without address).
pub async fn ask_authoritative(
    name: &Name,
    zone: &Zone,
    options: &AuthorityOptions,
) -> Vec<ServerRow> {
    let q = options.query.non_recursive();
    let mut jobs = Vec::new();
    let mut rows_without_address = Vec::new();
    for ns in &zone.nameservers {
        if ns.addresses.is_empty() {
            rows_without_address.push(ServerRow {
                role: ServerRole::Authoritative,
                server_name: ns.name.clone(),
                address: None,
                values: Vec::new(),
                ttl: None,
                answer_code: "NO_ADDRESS".into(),
                authoritative: false,
                no_data: false,
                error: ns.address_error.clone(),
            });
        }
        for ip in &ns.addresses {
            let socket = options.ns_socket(*ip);
            let host = ns.name.clone();
            jobs.push(async move {
                let result = lookup_name(name, Some(socket), &q).await;
                row_from(ServerRole::Authoritative, host, Some(socket), result)
            });
        }
    }
    let mut rows = join_all(jobs).await;
    rows.extend(rows_without_address);
    rows.sort_by(|a, b| {
        a.server_name
            .cmp(&b.server_name)
            .then(a.address.cmp(&b.address))
    });
    rows
}

/// Asks the resolver (injected or system) for the TXT records of `name`.
pub async fn ask_resolver(name: &Name, options: &AuthorityOptions) -> ServerRow {
    let label = if options.resolver.is_some() {
        "resolver"
    } else {
        "system resolver"
    };
    let result = lookup_name(name, options.resolver, &options.recursive()).await;
    row_from(
        ServerRole::Resolver,
        label.to_string(),
        options.resolver,
        result,
    )
}

/// The per-server table for `name`: every authoritative server asked directly
/// plus the resolver. Fails only for an invalid name; DNS failures become rows
/// (or `zone_error`).
pub async fn survey(name: &str, options: &AuthorityOptions) -> Result<AuthorityTable, DnsError> {
    let name = parse_name(name)?;
    Ok(survey_name(&name, options).await)
}

/// [`survey`] for a parsed name.
pub async fn survey_name(name: &Name, options: &AuthorityOptions) -> AuthorityTable {
    let (zone, resolver_row) = tokio::join!(find_zone(name, options), ask_resolver(name, options));
    let (zone, zone_error) = match zone {
        Ok(zone) => (zone, None),
        Err(e) => (None, Some(e.to_string())),
    };
    let mut rows = match &zone {
        Some(zone) => ask_authoritative(name, zone, options).await,
        None => Vec::new(),
    };
    rows.push(resolver_row);
    AuthorityTable {
        name: display_name(name),
        zone,
        zone_error,
        rows,
    }
}
