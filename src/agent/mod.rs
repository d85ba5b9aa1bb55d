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
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
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
    conns: BTreeMap<SocketAddr, SendRequest<Full<Bytes>>>,
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

    async fn connect(addr: SocketAddr, host: &str) -> Result<SendRequest<Full<Bytes>>, AgentError> {
        let err = |e: &dyn std::fmt::Display| AgentError::Http {
            host: host.to_string(),
            message: e.to_string(),
        };
        let stream = TcpStream::connect(addr).await.map_err(|e| err(&e))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| err(&e))?;
        tokio::spawn(async move {
            // The connection ends when either side closes it; nothing to report.
            let _ = conn.await;
        });
        Ok(sender)
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
        for _ in 0..2 {
            let sender = match self.conns.get_mut(&addr) {
                Some(s) if !s.is_closed() => s,
                _ => {
                    let s = Self::connect(addr, host).await?;
                    self.conns.insert(addr, s);
                    self.conns
                        .get_mut(&addr)
                        .ok_or_else(|| err(&"connection vanished"))?
                }
            };
            if sender.ready().await.is_err() {
                self.conns.remove(&addr);
                continue;
            }
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
            match sender.send_request(req).await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let header = |n: &str| {
                        resp.headers()
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string)
                    };
                    let content_type = header("content-type").unwrap_or_default();
                    let set_cookie = header("set-cookie");
                    let set_cookies: Vec<String> = resp
                        .headers()
                        .get_all("set-cookie")
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .map(str::to_string)
                        .collect();
                    let location = header("location");
                    let saml_verdict = header(SAML_VERDICT_HEADER);
                    let bytes = resp
                        .into_body()
                        .collect()
                        .await
                        .map_err(|e| err(&e))?
                        .to_bytes();
                    return Ok(Exchange {
                        method: method.to_string(),
                        url: format!("{scheme}://{host}{path_and_query}"),
                        status,
                        content_type,
                        // Valid UTF-8 (every page here) is taken as is;
                        // anything else is decoded lossily, as before.
                        body: String::from_utf8(Vec::from(bytes))
                            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                        set_cookie,
                        set_cookies,
                        location,
                        saml_verdict,
                    });
                }
                Err(e) if e.is_canceled() => {
                    self.conns.remove(&addr);
                }
                Err(e) => return Err(err(&e)),
            }
        }
        Err(err(
            &"the server closed the connection before answering, twice in a row",
        ))
    }
}
