//! One DNS question to one server over UDP (TCP when truncated), with an
//! explicit per-attempt timeout and attempt count. No cache anywhere.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, Query};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::{timeout_at, Instant};

use crate::error::DnsError;

/// Standard DNS port, used to reach authoritative name servers in production.
pub const DNS_PORT: u16 = 53;

/// How hard to try one server.
///
/// The worst case for one question is `timeout × attempts` (plus one TCP
/// exchange of at most `timeout` when a UDP answer is truncated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryOptions {
    /// Time allowed for each attempt.
    pub timeout: Duration,
    /// Number of UDP attempts (at least 1).
    pub attempts: u32,
    /// Set the RD bit. `false` when asking authoritative servers directly.
    pub recursion_desired: bool,
}

impl Default for QueryOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_millis(1500),
            attempts: 2,
            recursion_desired: true,
        }
    }
}

impl QueryOptions {
    /// The same options with the RD bit cleared (for authoritative servers).
    pub fn non_recursive(mut self) -> Self {
        self.recursion_desired = false;
        self
    }

    /// Upper bound of the time one question may take.
    pub fn worst_case(&self) -> Duration {
        self.timeout * (self.attempts.max(1) + 1)
    }
}

/// Sends one question and returns the server's reply, whatever its response code.
pub async fn exchange(
    server: SocketAddr,
    name: &Name,
    record_type: RecordType,
    options: &QueryOptions,
) -> Result<Message, DnsError> {
    let mut request = Message::query();
    request.metadata.recursion_desired = options.recursion_desired;
    request.add_query(Query::query(name.clone(), record_type));
    let mut edns = Edns::new();
    edns.set_max_payload(1232);
    request.set_edns(edns);
    let bytes = request.to_vec().map_err(|e| DnsError::Malformed {
        server,
        message: format!("cannot encode the question: {e}"),
    })?;
    let id = request.metadata.id;

    let attempts = options.attempts.max(1);
    for attempt in 1..=attempts {
        tracing::trace!(%server, %name, ?record_type, attempt, "dns question");
        match udp_exchange(server, &bytes, id, name, record_type, options.timeout).await? {
            Some(reply) if reply.metadata.truncation => {
                tracing::trace!(%server, "truncated over UDP, retrying over TCP");
                return tcp_exchange(server, &bytes, id, name, record_type, options.timeout).await;
            }
            Some(reply) => return Ok(reply),
            None => continue,
        }
    }
    Err(DnsError::Timeout {
        server,
        waited_ms: (options.timeout * attempts).as_millis() as u64,
        attempts,
    })
}

fn matches(reply: &Message, id: u16, name: &Name, record_type: RecordType) -> bool {
    reply.metadata.id == id
        && reply.metadata.message_type == MessageType::Response
        && reply
            .queries
            .first()
            .is_none_or(|q| q.query_type == record_type && q.name.eq_ignore_root_case(name))
}

fn unreachable(server: SocketAddr, e: std::io::Error) -> DnsError {
    DnsError::Unreachable {
        server,
        message: e.to_string(),
    }
}

/// `Ok(None)` on timeout.
async fn udp_exchange(
    server: SocketAddr,
    bytes: &[u8],
    id: u16,
    name: &Name,
    record_type: RecordType,
    timeout: Duration,
) -> Result<Option<Message>, DnsError> {
    let deadline = Instant::now() + timeout;
    let local: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local)
        .await
        .map_err(|e| unreachable(server, e))?;
    socket
        .connect(server)
        .await
        .map_err(|e| unreachable(server, e))?;
    socket
        .send(bytes)
        .await
        .map_err(|e| unreachable(server, e))?;
    let mut buf = vec![0u8; 4096];
    loop {
        let n = match timeout_at(deadline, socket.recv(&mut buf)).await {
            Err(_) => return Ok(None),
            Ok(Err(e)) => return Err(unreachable(server, e)),
            Ok(Ok(n)) => n,
        };
        // Ignore anything that is not the reply to this question (late replies
        // to an earlier attempt, spoofing attempts): keep waiting.
        if let Ok(reply) = Message::from_vec(&buf[..n]) {
            if matches(&reply, id, name, record_type) {
                return Ok(Some(reply));
            }
        }
    }
}

async fn tcp_exchange(
    server: SocketAddr,
    bytes: &[u8],
    id: u16,
    name: &Name,
    record_type: RecordType,
    timeout: Duration,
) -> Result<Message, DnsError> {
    let deadline = Instant::now() + timeout;
    let timed_out = || DnsError::Timeout {
        server,
        waited_ms: timeout.as_millis() as u64,
        attempts: 1,
    };
    let work = async {
        let mut stream = TcpStream::connect(server)
            .await
            .map_err(|e| unreachable(server, e))?;
        let len = u16::try_from(bytes.len()).map_err(|_| DnsError::Malformed {
            server,
            message: "question too long".into(),
        })?;
        let mut framed = Vec::with_capacity(bytes.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(bytes);
        stream
            .write_all(&framed)
            .await
            .map_err(|e| unreachable(server, e))?;
        let mut len_buf = [0u8; 2];
        stream
            .read_exact(&mut len_buf)
            .await
            .map_err(|e| unreachable(server, e))?;
        let mut body = vec![0u8; u16::from_be_bytes(len_buf) as usize];
        stream
            .read_exact(&mut body)
            .await
            .map_err(|e| unreachable(server, e))?;
        let reply = Message::from_vec(&body).map_err(|e| DnsError::Malformed {
            server,
            message: e.to_string(),
        })?;
        if matches(&reply, id, name, record_type) {
            Ok(reply)
        } else {
            Err(DnsError::Malformed {
                server,
                message: "TCP reply does not match the question".into(),
            })
        }
    };
    timeout_at(deadline, work)
        .await
        .unwrap_or_else(|_| Err(timed_out()))
}

/// The name servers the operating system is configured to use.
pub fn system_nameservers() -> Result<Vec<SocketAddr>, DnsError> {
    let (config, _opts) = hickory_resolver::system_conf::read_system_conf()
        .map_err(|e| DnsError::NoSystemResolver(e.to_string()))?;
    let mut out = Vec::new();
    for ns in config.name_servers() {
        let port = ns.connections.first().map(|c| c.port).unwrap_or(DNS_PORT);
        let addr = SocketAddr::new(ns.ip, port);
        if !out.contains(&addr) {
            out.push(addr);
        }
    }
    if out.is_empty() {
        return Err(DnsError::NoSystemResolver("no name server listed".into()));
    }
    Ok(out)
}

/// Asks `servers` in turn (one attempt each, round after round) and returns the
/// first usable reply: any reply that is not REFUSED/SERVFAIL and not a failure
/// to reach the server. Otherwise the last error. The whole call is bounded by
/// `timeout × attempts`, however many servers are listed.
pub async fn exchange_first(
    servers: &[SocketAddr],
    name: &Name,
    record_type: RecordType,
    options: &QueryOptions,
) -> Result<(SocketAddr, Message), DnsError> {
    use hickory_proto::op::ResponseCode;
    let attempts = options.attempts.max(1);
    let budget = options.timeout * attempts;
    let deadline = Instant::now() + budget;
    let mut last = DnsError::NoSystemResolver("no name server listed".into());
    for _round in 0..attempts {
        for &server in servers {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(last);
            }
            let one = QueryOptions {
                timeout: options.timeout.min(left),
                attempts: 1,
                ..*options
            };
            match exchange(server, name, record_type, &one).await {
                Ok(reply) => match reply.metadata.response_code {
                    ResponseCode::Refused => last = DnsError::Refused { server },
                    ResponseCode::ServFail => last = DnsError::ServFail { server },
                    _ => return Ok((server, reply)),
                },
                Err(DnsError::Timeout { .. }) => {
                    last = DnsError::Timeout {
                        server,
                        waited_ms: budget.as_millis() as u64,
                        attempts,
                    }
                }
                Err(e) => last = e,
            }
        }
    }
    Err(last)
}
