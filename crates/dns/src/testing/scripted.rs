//! A server that always gives the same reply, or none.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;

use super::zone_server::bind_pair;

/// What a [`ScriptedServer`] does with every question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// Reply REFUSED.
    Refuse,
    /// Reply SERVFAIL.
    ServFail,
    /// Never reply (UDP dropped, TCP accepted and left open).
    Silent,
    /// Reply NOERROR with these TXT values for TXT questions (nothing for
    /// other types), with or without the AA bit.
    Answer {
        authoritative: bool,
        txt: Vec<String>,
        ttl: u32,
    },
}

impl Behaviour {
    /// A non-authoritative NOERROR answer with `txt` (a cache or a lame server).
    pub fn non_authoritative(txt: &[&str]) -> Self {
        Behaviour::Answer {
            authoritative: false,
            txt: txt.iter().map(|s| s.to_string()).collect(),
            ttl: 3600,
        }
    }
}

/// A scripted DNS server on `127.0.0.1:<random port>` (UDP and TCP). Stops when dropped.
#[derive(Debug)]
pub struct ScriptedServer {
    addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn reply(request: &Message, behaviour: &Behaviour) -> Option<Vec<u8>> {
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.queries = request.queries.clone();
    match behaviour {
        Behaviour::Silent => return None,
        Behaviour::Refuse => response.metadata.response_code = ResponseCode::Refused,
        Behaviour::ServFail => response.metadata.response_code = ResponseCode::ServFail,
        Behaviour::Answer {
            authoritative,
            txt,
            ttl,
        } => {
            response.metadata.authoritative = *authoritative;
            response.metadata.recursion_available = !*authoritative;
            if let Some(q) = request.queries.first() {
                if q.query_type == RecordType::TXT {
                    for value in txt {
                        response.add_answer(Record::from_rdata(
                            q.name.clone(),
                            *ttl,
                            RData::TXT(TXT::new(vec![value.clone()])),
                        ));
                    }
                }
            }
        }
    }
    response.to_vec().ok()
}

impl ScriptedServer {
    /// Starts the server on 127.0.0.1.
    pub async fn start(behaviour: Behaviour) -> io::Result<Self> {
        Self::start_on(Ipv4Addr::LOCALHOST.into(), behaviour).await
    }

    /// Starts the server on a local address, random port.
    pub async fn start_on(ip: IpAddr, behaviour: Behaviour) -> io::Result<Self> {
        let (udp, tcp) = bind_pair(ip).await?;
        let addr = udp.local_addr()?;
        let behaviour = Arc::new(behaviour);
        let tasks = vec![
            tokio::spawn(serve_udp(udp, behaviour.clone())),
            tokio::spawn(serve_tcp(tcp, behaviour)),
        ];
        Ok(Self { addr, tasks })
    }

    /// Where the server listens (UDP and TCP).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

async fn serve_udp(socket: UdpSocket, behaviour: Arc<Behaviour>) {
    let mut buf = vec![0u8; 4096];
    loop {
        let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let Ok(request) = Message::from_vec(&buf[..n]) else {
            continue;
        };
        if let Some(bytes) = reply(&request, &behaviour) {
            let _ = socket.send_to(&bytes, peer).await;
        }
    }
}

async fn serve_tcp(listener: TcpListener, behaviour: Arc<Behaviour>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let behaviour = behaviour.clone();
        tokio::spawn(async move {
            loop {
                let mut len = [0u8; 2];
                if stream.read_exact(&mut len).await.is_err() {
                    return;
                }
                let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
                if stream.read_exact(&mut body).await.is_err() {
                    return;
                }
                let Ok(request) = Message::from_vec(&body) else {
                    return;
                };
                match reply(&request, &behaviour) {
                    Some(bytes) => {
                        let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
                        framed.extend_from_slice(&bytes);
                        if stream.write_all(&framed).await.is_err() {
                            return;
                        }
                    }
                    // Keep the connection open and say nothing.
                    None => std::future::pending::<()>().await,
                }
            }
        });
    }
}
