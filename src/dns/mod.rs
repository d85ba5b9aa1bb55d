//! The mock DNS: a BIND-compatible zone-file parser, a record store whose
//! records appear and disappear after a virtual-time propagation delay, an
//! authoritative server over UDP and TCP on 127.0.0.1 (hickory-server), and
//! a cache-less resolver pointed at it (hickory-resolver).
//!
//! Time: the server answers at `clock.elapsed()`, the virtual instant; it
//! never reads the wall clock. Publishing a TXT record with `visible_from =
//! now + 10m` means queries see it once a scenario step has advanced the
//! clock ten minutes.

mod bind_text;
mod lexer;
pub mod name;
pub mod rdata;
mod resolver;
mod server;
pub mod store;
pub mod zone;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_server::server::Server;

pub use name::DnsName;
pub use resolver::{Resolver, TxtLookup, QUERY_TIMEOUT};
pub use zone::{parse_zone, parse_zone_file, parse_zone_with, RRset, Zone, ZoneError, ZoneWarning};

use rdata::{Rdata, CHARACTER_STRING_MAX_OCTETS};
use server::Handler;
use store::{Store, StoredRecord};

use crate::sim::{Clock, DEFAULT_EPOCH};

/// How a query reached the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Transport {
    Udp,
    Tcp,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        })
    }
}

/// One answered query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryLogEntry {
    pub transport: Transport,
    /// The name asked, absolute, as BIND prints it (`_acme-challenge.acme.test.`).
    pub qname: String,
    /// `TXT`, `A`, …
    pub qtype: String,
    /// `NOERROR`, `NXDOMAIN`, `REFUSED`, …
    pub rcode: String,
    /// The rdata of each answer record in presentation form, e.g.
    /// `"verification_token=abc"` (with the quotes).
    pub answers: Vec<String>,
    /// The UDP answer did not fit and was sent with TC set.
    pub truncated: bool,
}

/// What can go wrong with the mock DNS or a lookup through it.
#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    #[error("{name} is not inside any zone the mock DNS serves; declare its zone first")]
    NotInAnyZone { name: String },
    #[error("the DNS server refused to answer for {name} (it is not authoritative for that name)")]
    Refused { name: String },
    #[error("no answer from the DNS server for {name} within {}s", QUERY_TIMEOUT.as_secs())]
    Timeout { name: String },
    #[error("bad domain name {name:?}: {reason}")]
    BadName { name: String, reason: String },
    #[error("DNS socket error: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

struct Inner {
    store: Arc<Mutex<Store>>,
    log: Arc<Mutex<Vec<QueryLogEntry>>>,
    addr: SocketAddr,
    server: tokio::sync::Mutex<Option<Server<Handler>>>,
}

/// A running mock DNS server. Cloning gives another handle on the same
/// server.
#[derive(Clone)]
pub struct MockDns {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for MockDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockDns")
            .field("addr", &self.inner.addr)
            .finish()
    }
}

fn parse_name(name: &str) -> Result<DnsName, DnsError> {
    let text = if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    };
    DnsName::parse(text.as_bytes(), None).map_err(|reason| DnsError::BadName {
        name: name.to_string(),
        reason,
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep serving.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MockDns {
    /// Starts on 127.0.0.1 with a free port, UDP and TCP on the same port.
    pub async fn start(clock: Clock) -> std::io::Result<MockDns> {
        MockDns::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), clock).await
    }

    /// Starts on `addr` (a loopback address; port 0 picks a free port).
    pub async fn start_on(addr: SocketAddr, clock: Clock) -> std::io::Result<MockDns> {
        let store = Arc::new(Mutex::new(Store::new()));
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler = Handler {
            store: store.clone(),
            log: log.clone(),
            clock,
            gate: tokio::sync::Mutex::new(()),
        };
        let (server, addr) = server::bind(addr, handler).await?;
        Ok(MockDns {
            inner: Arc::new(Inner {
                store,
                log,
                addr,
                server: tokio::sync::Mutex::new(Some(server)),
            }),
        })
    }

    /// Where the server listens (UDP and TCP).
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// Serves `zone` (replacing a zone with the same origin); its records
    /// are visible at once.
    pub fn add_zone(&self, zone: Zone) {
        lock(&self.inner.store).add_zone(&zone);
    }

    /// Serves a zone with only a synthesised SOA and NS (see [`Zone::empty`]).
    pub fn add_empty_zone(&self, origin: &str) -> Result<(), DnsError> {
        let zone = Zone::empty(origin).map_err(|reason| DnsError::BadName {
            name: origin.to_string(),
            reason,
        })?;
        self.add_zone(zone);
        Ok(())
    }

    /// Publishes one TXT record at `name`, visible from `visible_from`
    /// (elapsed virtual time). Each string is at most 255 octets.
    pub fn publish_txt(
        &self,
        name: &str,
        strings: Vec<Vec<u8>>,
        ttl: u32,
        visible_from: Duration,
    ) -> Result<(), DnsError> {
        let owner = parse_name(name)?;
        if let Some(long) = strings
            .iter()
            .find(|s| s.len() > CHARACTER_STRING_MAX_OCTETS)
        {
            return Err(DnsError::Other(format!(
                "a TXT string for {name} is {} octets; each string holds at most {CHARACTER_STRING_MAX_OCTETS} (split the value into several strings)",
                long.len()
            )));
        }
        let strings = if strings.is_empty() {
            vec![Vec::new()]
        } else {
            strings
        };
        let record = StoredRecord {
            owner,
            ttl,
            rdata: Rdata::Txt(strings),
            visible_from,
            visible_until: None,
        };
        lock(&self.inner.store)
            .insert(record)
            .ok_or_else(|| DnsError::NotInAnyZone {
                name: name.to_string(),
            })
    }

    /// Makes every TXT record at `name` disappear at `visible_until`
    /// (elapsed virtual time). Returns how many records will disappear.
    pub fn withdraw_txt(&self, name: &str, visible_until: Duration) -> Result<usize, DnsError> {
        let owner = parse_name(name)?;
        lock(&self.inner.store)
            .withdraw(&owner, 16, visible_until)
            .ok_or_else(|| DnsError::NotInAnyZone {
                name: name.to_string(),
            })
    }

    /// The log entries since the last call, in arrival order.
    pub fn take_log(&self) -> Vec<QueryLogEntry> {
        std::mem::take(&mut *lock(&self.inner.log))
    }

    /// A copy of the served records; its `lookup` says what the server
    /// would answer at any instant, without a socket (for transcripts and
    /// debugging).
    pub fn store_snapshot(&self) -> Store {
        lock(&self.inner.store).clone()
    }

    /// Stops listening and waits for the server's tasks to end.
    pub async fn shutdown(self) {
        let server = self.inner.server.lock().await.take();
        if let Some(mut server) = server {
            if let Err(e) = server.shutdown_gracefully().await {
                eprintln!("mock DNS did not shut down cleanly: {e}");
            }
        }
    }
}

/// Runs the mock DNS alone (`ssosim dns serve`): prints `listening on ADDR
/// (udp+tcp)` and serves `zones` until ctrl-c. The clock stands still at
/// [`DEFAULT_EPOCH`], so every record in the zones is visible.
pub async fn serve_standalone(listen: SocketAddr, zones: Vec<Zone>) -> anyhow::Result<()> {
    let dns = MockDns::start_on(listen, Clock::new(DEFAULT_EPOCH)).await?;
    for zone in zones {
        dns.add_zone(zone);
    }
    println!("listening on {} (udp+tcp)", dns.addr());
    tokio::signal::ctrl_c().await?;
    dns.shutdown().await;
    Ok(())
}
