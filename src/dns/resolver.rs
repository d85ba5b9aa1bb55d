//! A stub resolver pointed at exactly one name server (the mock): hickory's
//! resolver with its cache off, no hosts file, no search list, UDP first
//! with a retry over TCP when an answer comes back truncated, and a short
//! timeout with a single attempt (a local server either answers or is
//! broken).

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError as NetDnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;

use super::DnsError;

/// How long one query may take.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(2);

/// The outcome of a TXT lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxtLookup {
    /// One entry per TXT record, each its strings in order.
    Records(Vec<Vec<Vec<u8>>>),
    /// The name exists but has no TXT record.
    NoData,
    /// The name does not exist.
    NxDomain,
}

/// A resolver that asks one server.
#[derive(Clone)]
pub struct Resolver {
    inner: TokioResolver,
    server: SocketAddr,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("server", &self.server)
            .finish()
    }
}

impl Resolver {
    pub fn new(server: SocketAddr) -> Resolver {
        let mut udp = ConnectionConfig::udp();
        udp.port = server.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = server.port();
        let ns = NameServerConfig::new(server.ip(), true, vec![udp, tcp]);
        let config = ResolverConfig::from_parts(None, Vec::new(), vec![ns]);
        let mut opts = ResolverOpts::default();
        opts.cache_size = 0;
        opts.positive_max_ttl = Some(Duration::ZERO);
        opts.negative_max_ttl = Some(Duration::ZERO);
        opts.timeout = QUERY_TIMEOUT;
        opts.attempts = 1;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.ndots = 0;
        opts.edns0 = false;
        opts.recursion_desired = false;
        // Invariant: `build` fails only while setting up TLS (loading root
        // certificates), and ssosim builds hickory-resolver without any TLS
        // feature (default features: system-config, tokio), so this cannot
        // fail.
        let inner = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            .with_options(opts)
            .build()
            .expect("hickory-resolver without TLS features builds infallibly");
        Resolver { inner, server }
    }

    /// The server this resolver asks.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// Looks up the TXT records at `name` (absolute; a trailing dot is
    /// optional).
    pub async fn lookup_txt(&self, name: &str) -> Result<TxtLookup, DnsError> {
        let fqdn = if name.ends_with('.') {
            name.to_string()
        } else {
            format!("{name}.")
        };
        let result = self.inner.lookup(fqdn.as_str(), RecordType::TXT).await;
        match result {
            Ok(lookup) => {
                let records: Vec<Vec<Vec<u8>>> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::TXT(txt) => Some(txt.txt_data.iter().map(|s| s.to_vec()).collect()),
                        _ => None,
                    })
                    .collect();
                if records.is_empty() {
                    Ok(TxtLookup::NoData)
                } else {
                    Ok(TxtLookup::Records(records))
                }
            }
            Err(e) => classify(e, name),
        }
    }
}

/// Maps a resolver error to a negative answer or a [`DnsError`].
fn classify(e: NetError, name: &str) -> Result<TxtLookup, DnsError> {
    let name = name.trim_end_matches('.').to_string();
    match &e {
        NetError::Dns(NetDnsError::NoRecordsFound(no)) => match no.response_code {
            ResponseCode::NXDomain => Ok(TxtLookup::NxDomain),
            ResponseCode::NoError => Ok(TxtLookup::NoData),
            ResponseCode::Refused => Err(DnsError::Refused { name }),
            other => Err(DnsError::Other(format!(
                "looking up TXT {name}: the server answered {other}"
            ))),
        },
        NetError::Dns(NetDnsError::ResponseCode(ResponseCode::Refused)) => {
            Err(DnsError::Refused { name })
        }
        NetError::Timeout => Err(DnsError::Timeout { name }),
        NetError::Io(io) => Err(DnsError::Io(std::io::Error::new(io.kind(), io.to_string()))),
        _ => Err(DnsError::Other(format!("looking up TXT {name}: {e}"))),
    }
}
