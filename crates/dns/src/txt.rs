//! TXT lookups with typed outcomes and no cache.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use serde::Serialize;

use crate::error::DnsError;
use crate::name::{display_name, parse_name};
use crate::wire::{exchange, exchange_first, system_nameservers, QueryOptions};

/// One TXT record: its character-strings, and their concatenation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxtRecord {
    /// The record's character-strings joined with nothing in between
    /// (what SPF, DKIM and Microsoft's verification read).
    pub value: String,
    /// The record's character-strings as published.
    pub strings: Vec<String>,
    /// TTL in seconds as served.
    pub ttl: u32,
}

/// What the server said about the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TxtOutcome {
    /// NOERROR with one or more TXT records.
    Records { records: Vec<TxtRecord> },
    /// NOERROR, the name exists but has no TXT record.
    NoData { negative_ttl: Option<u32> },
    /// NXDOMAIN: the name does not exist.
    NxDomain { negative_ttl: Option<u32> },
}

/// A server's answer to a TXT question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxtAnswer {
    /// The name asked, lower case, without the trailing dot.
    pub name: String,
    /// The server that answered.
    pub server: SocketAddr,
    /// The typed outcome.
    pub outcome: TxtOutcome,
    /// The response code for display (`NOERROR`, `NXDOMAIN`).
    pub answer_code: String,
    /// The AA bit: the server answered from its own zone data.
    pub authoritative: bool,
}

impl TxtAnswer {
    /// The concatenated value of each TXT record (empty for NXDOMAIN/no data).
    pub fn values(&self) -> Vec<String> {
        match &self.outcome {
            TxtOutcome::Records { records } => records.iter().map(|r| r.value.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// The TTL shown to users: the lowest record TTL, or the negative-caching TTL.
    pub fn ttl(&self) -> Option<u32> {
        match &self.outcome {
            TxtOutcome::Records { records } => records.iter().map(|r| r.ttl).min(),
            TxtOutcome::NoData { negative_ttl } | TxtOutcome::NxDomain { negative_ttl } => {
                *negative_ttl
            }
        }
    }

    /// True when at least one TXT record came back.
    pub fn has_records(&self) -> bool {
        matches!(self.outcome, TxtOutcome::Records { .. })
    }

    /// True for NXDOMAIN.
    pub fn is_nxdomain(&self) -> bool {
        matches!(self.outcome, TxtOutcome::NxDomain { .. })
    }
}

/// Upper-case display form of a response code (`NOERROR`, `NXDOMAIN`, …).
pub fn rcode_name(code: ResponseCode) -> String {
    match code {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::NotAuth => "NOTAUTH".into(),
        ResponseCode::NotZone => "NOTZONE".into(),
        other => format!("RCODE{}", u16::from(other)),
    }
}

/// Negative-caching TTL from the SOA in the authority section (RFC 2308).
pub(crate) fn negative_ttl(reply: &Message) -> Option<u32> {
    reply.authorities.iter().find_map(|r| match &r.data {
        RData::SOA(soa) => Some(r.ttl.min(soa.minimum)),
        _ => None,
    })
}

/// Turns a raw reply into a [`TxtAnswer`], or the typed error for REFUSED,
/// SERVFAIL and other failure codes.
pub(crate) fn answer_from_reply(
    name: &Name,
    server: SocketAddr,
    reply: &Message,
) -> Result<TxtAnswer, DnsError> {
    let code = reply.metadata.response_code;
    let outcome = match code {
        ResponseCode::NoError => {
            let records: Vec<TxtRecord> = reply
                .answers
                .iter()
                .filter_map(|r| match &r.data {
                    RData::TXT(txt) => {
                        let strings: Vec<String> = txt
                            .txt_data
                            .iter()
                            .map(|s| String::from_utf8_lossy(s).into_owned())
                            .collect();
                        Some(TxtRecord {
                            value: strings.concat(),
                            strings,
                            ttl: r.ttl,
                        })
                    }
                    _ => None,
                })
                .collect();
            if records.is_empty() {
                TxtOutcome::NoData {
                    negative_ttl: negative_ttl(reply),
                }
            } else {
                TxtOutcome::Records { records }
            }
        }
        ResponseCode::NXDomain => TxtOutcome::NxDomain {
            negative_ttl: negative_ttl(reply),
        },
        ResponseCode::Refused => return Err(DnsError::Refused { server }),
        ResponseCode::ServFail => return Err(DnsError::ServFail { server }),
        other => {
            return Err(DnsError::Rcode {
                server,
                code: rcode_name(other),
            })
        }
    };
    Ok(TxtAnswer {
        name: display_name(name),
        server,
        outcome,
        answer_code: rcode_name(code),
        authoritative: reply.metadata.authoritative,
    })
}

/// Options for [`lookup`] derived from a total time budget: two attempts,
/// each allowed half of `timeout` (at least 100 ms).
pub fn options_for_budget(timeout: Duration) -> QueryOptions {
    QueryOptions {
        timeout: (timeout / 2).max(Duration::from_millis(100)),
        attempts: 2,
        recursion_desired: true,
    }
}

/// Looks up the TXT records of `name` at `server`, or at the system resolver when
/// `None`. Nothing is cached. `timeout` bounds the whole lookup (two attempts of
/// half of it each).
///
/// ```no_run
/// # async fn f() -> Result<(), hybridsync_dns::DnsError> {
/// use std::time::Duration;
/// let answer = hybridsync_dns::txt::lookup("contoso.com", None, Duration::from_secs(3)).await?;
/// println!("{:?} {:?}", answer.values(), answer.ttl());
/// # Ok(()) }
/// ```
pub async fn lookup(
    name: &str,
    server: Option<SocketAddr>,
    timeout: Duration,
) -> Result<TxtAnswer, DnsError> {
    lookup_with(name, server, &options_for_budget(timeout)).await
}

/// [`lookup`] with explicit attempts, per-attempt timeout and RD bit.
pub async fn lookup_with(
    name: &str,
    server: Option<SocketAddr>,
    options: &QueryOptions,
) -> Result<TxtAnswer, DnsError> {
    let name = parse_name(name)?;
    lookup_name(&name, server, options).await
}

/// [`lookup_with`] for an already parsed name.
pub async fn lookup_name(
    name: &Name,
    server: Option<SocketAddr>,
    options: &QueryOptions,
) -> Result<TxtAnswer, DnsError> {
    let (server, reply) = match server {
        Some(server) => (
            server,
            exchange(server, name, RecordType::TXT, options).await?,
        ),
        None => {
            let servers = system_nameservers()?;
            exchange_first(&servers, name, RecordType::TXT, options).await?
        }
    };
    answer_from_reply(name, server, &reply)
}
