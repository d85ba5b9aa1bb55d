//! The scripted client that acts for people in scenarios: it speaks real
//! HTTP/1.1 to the in-process listeners on 127.0.0.1, addressing each by its
//! virtual host name (`claude.ai`, `platform.claude.com`), and records every
//! exchange for the transcript.
//!
//! [`browser::Browser`] builds a browser on top: a cookie jar on the
//! virtual clock (`cookies.rs`), redirects, auto-submitted SAML forms found
//! by a tolerant HTML scanner (`html.rs`), and a [`browser::Hop`] per request.

pub mod browser;
pub mod cookies;
pub mod html;

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, Connection, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// The header in which ssosim's SPs state their SAML verdict.
pub const SAML_VERDICT_HEADER: &str = "ssosim-saml-verdict";

/// One HTTP exchange, as the transcript shows it.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub method: String,
    /// `https://claude.ai/api/organizations/…` — the virtual URL, never a port.
    pub url: String,
    pub status: u16,
    pub content_type: String,
    pub body: String,
    /// The first `Set-Cookie` header.
    pub set_cookie: Option<String>,
    /// Every `Set-Cookie` header, in order.
    pub set_cookies: Vec<String>,
    /// The `Location` header, as sent.
    pub location: Option<String>,
    /// ssosim's own SPs say what they decided about a SAML message in a
    /// `ssosim-saml-verdict` header (`accepted ada@acme.test`,
    /// `refused audience-mismatch`), so transcripts show the named reason.
    pub saml_verdict: Option<String>,
}

/// Keeps one keep-alive connection per listener.
#[derive(Default)]
pub struct HttpClient {
    routes: BTreeMap<String, SocketAddr>,
    conns: BTreeMap<SocketAddr, Conn>,
}

/// A kept-alive connection: hyper's request handle and the connection
/// itself, which the exchange drives in its own task (no second task to
/// wake for every request and every part of a reply). Between exchanges
/// nothing drives it; a server that closed it meanwhile is found out at
/// the next request, which then goes to a new connection.
struct Conn {
    sender: SendRequest<Full<Bytes>>,
    io: Pin<Box<Connection<TokioIo<TcpStream>, Full<Bytes>>>>,
    /// The connection has ended (closed by either side, or failed).
    ended: bool,
}

impl Conn {
    fn usable(&self) -> bool {
        !self.ended && !self.sender.is_closed()
    }
}

/// Why an exchange on a kept-alive connection failed.
enum Failure {
    /// The connection was closed before the reply: try a new one.
    Closed,
    Other(String),
}

/// Runs `work` (which uses the connection's `SendRequest`) while driving
/// the connection `io` in the same task.
async fn drive<T>(
    io: &mut Pin<Box<Connection<TokioIo<TcpStream>, Full<Bytes>>>>,
    ended: &mut bool,
    work: impl Future<Output = T>,
) -> T {
    let mut work = std::pin::pin!(work);
    loop {
        tokio::select! {
            biased;
            out = &mut work => return out,
            // An ended connection fails the request it was carrying, so
            // `work` finishes too.
            _ = io.as_mut(), if !*ended => *ended = true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("no listener for virtual host {0}")]
    UnknownHost(String),
    #[error("HTTP to {host} failed: {message}")]
    Http { host: String, message: String },
}

impl HttpClient {
    pub fn new() -> HttpClient {
        HttpClient::default()
    }

    /// Routes a virtual host to a listener.
    pub fn route(&mut self, host: &str, addr: SocketAddr) {
        self.routes.insert(host.to_string(), addr);
    }

    /// The listener for `host`: a routed virtual host, or a literal
    /// loopback `127.0.0.1:PORT` (standalone servers; never another address).
    fn resolve(&self, host: &str) -> Option<SocketAddr> {
        self.routes.get(host).copied().or_else(|| {
            host.parse::<SocketAddr>()
                .ok()
                .filter(|a| a.ip().is_loopback())
        })
    }

    /// The URL scheme the transcript shows for `host`: virtual hosts are
    /// https (TLS is not simulated), a literal loopback address is http.
    pub fn scheme_of(&self, host: &str) -> &'static str {
        if !self.routes.contains_key(host) && host.parse::<SocketAddr>().is_ok() {
            "http"
        } else {
            "https"
        }
    }

    async fn connect(addr: SocketAddr, host: &str) -> Result<Conn, AgentError> {
        let err = |e: &dyn std::fmt::Display| AgentError::Http {
            host: host.to_string(),
            message: e.to_string(),
        };
        let stream = TcpStream::connect(addr).await.map_err(|e| err(&e))?;
        let _ = stream.set_nodelay(true);
        let (sender, io) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| err(&e))?;
        Ok(Conn {
            sender,
            io: Box::pin(io),
            ended: false,
        })
    }

    /// Sends one request to `host` (a virtual host) and reads the whole reply.
    pub async fn send(
        &mut self,
        method: &str,
        host: &str,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<String>,
    ) -> Result<Exchange, AgentError> {
        self.send_bytes(method, host, path_and_query, headers, body.map(Bytes::from))
            .await
    }

    /// [`HttpClient::send`] with a body that is shared, not copied, by the
    /// caller and by a retry.
    pub async fn send_bytes(
        &mut self,
        method: &str,
        host: &str,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<Bytes>,
    ) -> Result<Exchange, AgentError> {
        let addr = self
            .resolve(host)
            .ok_or_else(|| AgentError::UnknownHost(host.to_string()))?;
        let err = |e: &dyn std::fmt::Display| AgentError::Http {
            host: host.to_string(),
            message: e.to_string(),
        };
        let scheme = self.scheme_of(host);
        // A kept-alive connection may have been closed by the server: reconnect once.
        for attempt in 0..2 {
            let conn = match self.conns.get_mut(&addr) {
                Some(c) if c.usable() => c,
                _ => {
                    let c = Self::connect(addr, host).await?;
                    self.conns.insert(addr, c);
                    self.conns
                        .get_mut(&addr)
                        .ok_or_else(|| err(&"connection vanished"))?
                }
            };
            let mut b = hyper::Request::builder()
                .method(method)
                .uri(path_and_query)
                .header("host", host);
            for (k, v) in headers {
                b = b.header(*k, v);
            }
            let has_type = headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
            if body.is_some() && !has_type {
                b = b.header("content-type", "application/json");
            }
            let req = b
                .body(Full::new(body.clone().unwrap_or_default()))
                .map_err(|e| err(&e))?;
            let Conn { sender, io, ended } = conn;
            let reply = drive(io, ended, async {
                if sender.ready().await.is_err() {
                    return Err(Failure::Closed);
                }
                let resp = match sender.send_request(req).await {
                    Ok(resp) => resp,
                    Err(e) if e.is_canceled() => return Err(Failure::Closed),
                    Err(e) => return Err(Failure::Other(e.to_string())),
                };
                let (head, body) = resp.into_parts();
                let bytes = body
                    .collect()
                    .await
                    .map_err(|e| Failure::Other(e.to_string()))?
                    .to_bytes();
                Ok((head, bytes))
            })
            .await;
            let (head, bytes) = match reply {
                Ok(reply) => reply,
                Err(Failure::Closed) if attempt == 0 => {
                    self.conns.remove(&addr);
                    continue;
                }
                Err(Failure::Closed) => {
                    return Err(err(&"the server closed the connection"));
                }
                Err(Failure::Other(message)) => return Err(err(&message)),
            };
            let header = |n: &str| {
                head.headers
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let set_cookies: Vec<String> = head
                .headers
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_string)
                .collect();
            return Ok(Exchange {
                method: method.to_string(),
                url: format!("{scheme}://{host}{path_and_query}"),
                status: head.status.as_u16(),
                content_type: header("content-type").unwrap_or_default(),
                // Valid UTF-8 (every page here) is taken as is;
                // anything else is decoded lossily, as before.
                body: String::from_utf8(Vec::from(bytes))
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                set_cookie: header("set-cookie"),
                set_cookies,
                location: header("location"),
                saml_verdict: header(SAML_VERDICT_HEADER),
            });
        }
        Err(err(&"the server closed the connection twice"))
    }
}
