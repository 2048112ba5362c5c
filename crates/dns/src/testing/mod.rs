//! In-process DNS servers for tests and the practice tenant (feature `test-server`).
//!
//! * [`TestDnsServer`]: an authoritative hickory-server on `127.0.0.1:<random>`
//!   (UDP and TCP) serving in-memory zones that can be changed while it runs.
//! * [`ScriptedServer`]: a tiny server that always gives the same reply
//!   (REFUSED, SERVFAIL, a non-authoritative answer) or never replies at all,
//!   to play lame or unreachable name servers.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use std::time::Duration;
//! use hybridsync_dns::testing::TestDnsServer;
//!
//! let server = TestDnsServer::start(&["contoso.test"]).await.unwrap();
//! let zone = server.zone("contoso.test");
//! zone.set_txt("@", &["MS=ms12345678"]).await; // served at once
//! let answer = hybridsync_dns::txt::lookup("contoso.test", Some(server.addr()), Duration::from_secs(2))
//!     .await
//!     .unwrap();
//! assert_eq!(answer.values(), vec!["MS=ms12345678"]);
//! zone.remove_txt("@").await;
//! # }
//! ```

mod scripted;
mod zone_server;

pub use scripted::{Behaviour, ScriptedServer};
pub use zone_server::{TestDnsServer, TestZone};
