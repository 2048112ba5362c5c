//! Autodiscover in DNS: `autodiscover.DOMAIN` (A, or a CNAME to a name with
//! an address) and the SRV record `_autodiscover._tcp.DOMAIN`, asked of an
//! injectable name server (the system's by default).

use std::net::SocketAddr;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, RecordType};
use hybridsync_dns::wire::{exchange_first, system_nameservers};
use hybridsync_dns::{parse_name, QueryOptions};

use crate::tree::{ProbeNode, Status};

/// What one question found.
struct Found {
    addresses: Vec<String>,
    cname: Option<String>,
    srv: Vec<String>,
}

async fn ask(
    servers: &[SocketAddr],
    name: &str,
    rtype: RecordType,
    q: &QueryOptions,
) -> Result<Option<Found>, String> {
    let parsed = parse_name(name).map_err(|e| e.to_string())?;
    let (_, reply) = exchange_first(servers, &parsed, rtype, q)
        .await
        .map_err(|e| e.to_string())?;
    match reply.metadata.response_code {
        ResponseCode::NoError => {}
        ResponseCode::NXDomain => return Ok(None),
        other => return Err(format!("the name server answered {other}")),
    }
    let mut f = Found {
        addresses: Vec::new(),
        cname: None,
        srv: Vec::new(),
    };
    for r in &reply.answers {
        match &r.data {
            RData::A(a) => f.addresses.push(a.0.to_string()),
            RData::AAAA(a) => f.addresses.push(a.0.to_string()),
            RData::CNAME(c) => f.cname = Some(c.0.to_string().trim_end_matches('.').to_string()),
            RData::SRV(s) => f.srv.push(format!(
                "{} (port {}, priority {}, weight {})",
                s.target.to_string().trim_end_matches('.'),
                s.port,
                s.priority,
                s.weight
            )),
            _ => {}
        }
    }
    Ok(Some(f))
}

/// Check Autodiscover's DNS records for `domain`.
pub async fn probe(domain: &str, nameserver: Option<SocketAddr>, q: &QueryOptions) -> ProbeNode {
    let title = format!("Autodiscover DNS for {domain}");
    let servers = match nameserver {
        Some(s) => vec![s],
        None => match system_nameservers() {
            Ok(s) => s,
            Err(e) => {
                return ProbeNode::group(
                    title,
                    "autodiscover_dns_ok",
                    vec![ProbeNode::fail(
                        "Name server",
                        "dns_no_resolver",
                        e.to_string(),
                        "configure a DNS server, or pass --nameserver IP:PORT",
                    )],
                )
            }
        },
    };
    let host = format!("autodiscover.{domain}");
    let srv_name = format!("_autodiscover._tcp.{domain}");
    let mut children = Vec::new();

    // CNAME first (what Exchange Online's setup asks for), then the address.
    let cname = ask(&servers, &host, RecordType::CNAME, q).await;
    let a = ask(&servers, &host, RecordType::A, q).await;
    let cname_target = match &cname {
        Ok(Some(f)) => f.cname.clone(),
        _ => None,
    };
    children.push(match (&cname, &cname_target) {
        (Err(e), _) => ProbeNode::fail(
            format!("CNAME {host}"),
            "dns_query_failed",
            e.clone(),
            "check the name server, or pass --nameserver IP:PORT",
        ),
        (_, Some(t)) => ProbeNode::pass(
            format!("CNAME {host}"),
            "dns_cname_found",
            format!("{host} is an alias of {t}"),
        ),
        (_, None) => ProbeNode::skip(
            format!("CNAME {host}"),
            "dns_no_cname",
            format!("{host} has no CNAME"),
        ),
    });
    let host_node = match a {
        Err(e) => ProbeNode::fail(
            format!("Address of {host}"),
            "dns_query_failed",
            e,
            "check the name server, or pass --nameserver IP:PORT",
        ),
        Ok(Some(f)) if !f.addresses.is_empty() => ProbeNode::pass(
            format!("Address of {host}"),
            "dns_a_found",
            f.addresses.join(", "),
        ),
        Ok(_) => ProbeNode::leaf(
            format!("Address of {host}"),
            Status::Fail,
            "dns_autodiscover_missing",
            match &cname_target {
                Some(t) => format!("{host} is an alias of {t}, which has no address"),
                None => format!("{host} has no A or AAAA record"),
            },
        ),
    };
    let srv = match ask(&servers, &srv_name, RecordType::SRV, q).await {
        Err(e) => ProbeNode::fail(
            format!("SRV {srv_name}"),
            "dns_query_failed",
            e,
            "check the name server, or pass --nameserver IP:PORT",
        ),
        Ok(Some(f)) if !f.srv.is_empty() => {
            ProbeNode::pass(format!("SRV {srv_name}"), "dns_srv_found", f.srv.join("; "))
        }
        Ok(_) => ProbeNode::skip(
            format!("SRV {srv_name}"),
            "dns_no_srv",
            format!("{srv_name} has no SRV record"),
        ),
    };
    // Either the host or the SRV record is enough for Autodiscover.
    let host_node = if host_node.code == "dns_autodiscover_missing" && srv.status == Status::Pass {
        ProbeNode::skip(
            host_node.title,
            "dns_no_address",
            format!("{}; the SRV record is used instead", host_node.detail),
        )
    } else if host_node.code == "dns_autodiscover_missing" {
        host_node.fix(format!(
            "publish autodiscover.{domain} (a CNAME to the Exchange server's name, or an A record), or the SRV record {srv_name}"
        ))
    } else {
        host_node
    };
    children.push(host_node);
    children.push(srv);
    ProbeNode::group(title, "autodiscover_dns_ok", children)
}
