//! The standalone SP's IO shell: an HTTP/1.1 server (hyper) on 127.0.0.1
//! that moves bytes into and out of [`SamlSp`], with `now` from the clock
//! it was given (`Clock::live()` for `ssosim sp serve`, a fixed clock in
//! tests and the bench).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::net::TcpListener;

use super::core::{SamlSp, SpRequest, SpResponse};
use crate::httpd::{bind_loopback, HttpServer};
use crate::sim::Clock;

/// Where the core's log lines go.
pub type LogSink = Arc<dyn Fn(&str) + Send + Sync>;

/// Everything the shell shares between connections.
pub struct SamlSpShared {
    core: Mutex<SamlSp>,
    pub clock: Clock,
    log: Option<LogSink>,
}

impl SamlSpShared {
    pub fn new(core: SamlSp, clock: Clock, log: Option<LogSink>) -> Arc<SamlSpShared> {
        Arc::new(SamlSpShared {
            core: Mutex::new(core),
            clock,
            log,
        })
    }

    pub fn core(&self) -> MutexGuard<'_, SamlSp> {
        // A poisoned lock means a panic while holding it; the state is
        // still the best there is, so keep serving it.
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Handles one request at the clock's `now`.
    pub fn handle(&self, req: &SpRequest) -> SpResponse {
        let mut core = self.core();
        let resp = core.handle(req, self.clock.now());
        let lines = core.take_log();
        drop(core);
        if let Some(log) = &self.log {
            for l in lines {
                log(&l);
            }
        }
        resp
    }
}

/// A running SP.
pub struct SamlSpServer {
    http: HttpServer,
}

impl SamlSpServer {
    /// Binds `addr` (port 0 for an ephemeral one) and serves until shut down.
    /// Only loopback addresses are accepted: ssosim never listens elsewhere.
    pub async fn start(
        shared: Arc<SamlSpShared>,
        addr: SocketAddr,
    ) -> std::io::Result<SamlSpServer> {
        SamlSpServer::serve(shared, bind_loopback(Some(addr)).await?)
    }

    /// Serves on an already bound listener (so a caller can learn the port
    /// before building the SP's base URL).
    pub fn serve(
        shared: Arc<SamlSpShared>,
        listener: TcpListener,
    ) -> std::io::Result<SamlSpServer> {
        let http = HttpServer::serve(listener, move |req| {
            let shared = shared.clone();
            async move { serve(&shared, req).await }
        })?;
        Ok(SamlSpServer { http })
    }

    pub fn addr(&self) -> SocketAddr {
        self.http.addr()
    }

    pub async fn shutdown(self) {
        self.http.shutdown().await;
    }
}

/// Bodies above this are refused before decoding (the binding layer has
/// its own, lower, limit).
const BODY_LIMIT: usize = 4 << 20;

async fn serve(shared: &SamlSpShared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let resp = match read_request(req).await {
        Ok(r) => shared.handle(&r),
        Err(message) => SpResponse {
            status: 400,
            content_type: "text/plain; charset=utf-8",
            headers: vec![],
            body: message,
        },
    };
    let mut b = Response::builder()
        .status(resp.status)
        .header("content-type", resp.content_type)
        .header("cache-control", "no-store");
    for (k, v) in &resp.headers {
        b = b.header(*k, v);
    }
    b.body(Full::new(Bytes::from(resp.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(b"response build error"))))
}

async fn read_request(req: Request<Incoming>) -> Result<SpRequest, String> {
    let (parts, body) = req.into_parts();
    let cookies = parts
        .headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|c| c.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let wants_json = parts
        .headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    let bytes = http_body_util::Limited::new(body, BODY_LIMIT)
        .collect()
        .await
        .map_err(|e| format!("could not read the request body: {e}"))?
        .to_bytes();
    // Routes are plain ASCII paths; an encoded path simply does not match.
    let path = parts.uri.path().to_string();
    Ok(SpRequest {
        method: parts.method.as_str().to_string(),
        path,
        query: parts.uri.query().map(str::to_string),
        cookies,
        wants_json,
        body: bytes.to_vec(),
    })
}
