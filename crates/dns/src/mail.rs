//! The domain's mail routing as DNS shows it now: its MX hosts and the target of its
//! `autodiscover` CNAME. The Domains step uses it to warn when mail already goes to Exchange
//! Online (it must stay on-premises until the hybrid is in place).
use std::net::SocketAddr;

use hickory_proto::rr::{RData, RecordType};
use serde::Serialize;

use crate::error::DnsError;
use crate::name::{display_name, join, parse_name};
use crate::wire::{exchange_first, system_nameservers, QueryOptions};

/// MX hosts (lower case, no trailing dot, by preference) and the Autodiscover CNAME target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MailRouting {
    pub mx: Vec<String>,
    pub autodiscover_cname: Option<String>,
}

/// Asks `resolver` (or the system resolver) for the MX records of `domain` and the CNAME of
/// `autodiscover.<domain>`. A name without records gives empty values; an unreachable resolver
/// is an error.
pub async fn mail_routing(
    domain: &str,
    resolver: Option<SocketAddr>,
    q: &QueryOptions,
) -> Result<MailRouting, DnsError> {
    let name = parse_name(domain)?;
    let servers = match resolver {
        Some(r) => vec![r],
        None => system_nameservers()?,
    };
    let (_, mx_reply) = exchange_first(&servers, &name, RecordType::MX, q).await?;
    let mut mx: Vec<(u16, String)> = mx_reply
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::MX(m) => Some((m.preference, display_name(&m.exchange))),
            _ => None,
        })
        .collect();
    mx.sort();
    let auto = join("autodiscover", &name)?;
    let (_, cname_reply) = exchange_first(&servers, &auto, RecordType::CNAME, q).await?;
    let autodiscover_cname = cname_reply.answers.iter().find_map(|r| match &r.data {
        RData::CNAME(c) => Some(display_name(&c.0)),
        _ => None,
    });
    Ok(MailRouting {
        mx: mx.into_iter().map(|(_, h)| h).collect(),
        autodiscover_cname,
    })
}
