//! The SP's IO shell: an HTTP/1.1 server (hyper) on 127.0.0.1 that moves
//! bytes into and out of the sans-IO core, and performs the DNS lookups the
//! core asks for through an injected lookup function.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};

use super::api::{self, ApiRequest, ApiResponse, Routed};
use super::views::DomainView;
use super::{DnsCheck, Effect, Sp, TxtAnswer};
use crate::httpd::{bind_loopback, HttpServer};
use crate::sim::Clock;

/// Looks up the TXT records at a name. The world passes one backed by the
/// mock DNS; tests may pass a table.
pub type LookupFn =
    Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = TxtAnswer> + Send>> + Send + Sync>;
/// Receives the core's effects (scheduled re-checks) for the world's scheduler.
pub type EffectSink = Arc<dyn Fn(Effect) + Send + Sync>;

/// Everything the shell shares between connections.
pub struct SpShared {
    sp: Mutex<Sp>,
    pub clock: Clock,
    lookup: LookupFn,
    effects: EffectSink,
    operator_token: String,
}

impl SpShared {
    pub fn new(
        sp: Sp,
        clock: Clock,
        lookup: LookupFn,
        effects: EffectSink,
        operator_token: String,
    ) -> Arc<SpShared> {
        Arc::new(SpShared {
            sp: Mutex::new(sp),
            clock,
            lookup,
            effects,
            operator_token,
        })
    }

    /// The core, for reading state (final-state dumps) or direct calls.
    pub fn core(&self) -> MutexGuard<'_, Sp> {
        // A poisoned lock means a panic while holding it; the state is still
        // the best evidence we have, so keep going with it.
        self.sp.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn flush_effects(&self, sp: &mut Sp) {
        for e in sp.take_effects() {
            (self.effects)(e);
        }
    }

    /// Handles one admin-API request end to end, DNS included.
    pub async fn handle(&self, req: ApiRequest) -> ApiResponse {
        let routed = {
            let mut sp = self.core();
            let r = api::route(&mut sp, &req, self.clock.elapsed(), &self.operator_token);
            self.flush_effects(&mut sp);
            r
        };
        match routed {
            Routed::Done(resp) => resp,
            Routed::Lookup(check) => {
                let answer = (self.lookup)(check.record_name.clone()).await;
                let mut sp = self.core();
                let resp = api::finish_check(&mut sp, &check, &answer, self.clock.elapsed());
                self.flush_effects(&mut sp);
                resp
            }
        }
    }

    /// Runs a scheduled re-check (DOM-3) if it is still wanted.
    pub async fn run_scheduled_check(&self, check: &DnsCheck) -> Option<(DomainView, TxtAnswer)> {
        let due = self.core().due_check(check)?;
        let answer = (self.lookup)(due.record_name.clone()).await;
        let mut sp = self.core();
        let view = sp
            .complete_check(&due, &answer, self.clock.elapsed(), true)
            .ok();
        self.flush_effects(&mut sp);
        view.map(|v| (v, answer))
    }
}

/// A running admin-API server.
pub struct SpServer {
    http: HttpServer,
}

impl SpServer {
    /// Binds 127.0.0.1 on an ephemeral port (or `addr`) and serves until shut down.
    pub async fn start(
        shared: Arc<SpShared>,
        addr: Option<SocketAddr>,
    ) -> std::io::Result<SpServer> {
        let listener = bind_loopback(addr).await?;
        let http = HttpServer::serve(listener, move |req| {
            let shared = shared.clone();
            async move { serve(&shared, req).await }
        })?;
        Ok(SpServer { http })
    }

    pub fn addr(&self) -> SocketAddr {
        self.http.addr()
    }

    pub async fn shutdown(self) {
        self.http.shutdown().await;
    }
}

async fn serve(shared: &SpShared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let resp = match read_request(req).await {
        Ok(api_req) => shared.handle(api_req).await,
        Err(message) => ApiResponse {
            status: 400,
            content_type: "application/json",
            body: serde_json::json!({"error": {"code": "invalid-request", "message": message}})
                .to_string(),
            set_session: None,
        },
    };
    let mut b = Response::builder()
        .status(resp.status)
        .header("content-type", resp.content_type);
    if let Some(token) = &resp.set_session {
        b = b.header(
            "set-cookie",
            format!("session={token}; Path=/; HttpOnly; Secure; SameSite=Lax"),
        );
    }
    b.body(Full::new(Bytes::from(resp.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(b"response build error"))))
}

/// Admin request bodies are small JSON documents; anything larger is refused.
const BODY_LIMIT: usize = 1 << 20;

async fn read_request(req: Request<Incoming>) -> Result<ApiRequest, String> {
    let (parts, body) = req.into_parts();
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(|h| h.rsplit_once(':').map(|(h, _)| h).unwrap_or(h).to_string())
        .unwrap_or_default();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let session = header("cookie").and_then(|c| {
        c.split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == "session")
            .map(|(_, v)| v.to_string())
    });
    let bytes = http_body_util::Limited::new(body, BODY_LIMIT)
        .collect()
        .await
        .map_err(|e| format!("could not read the request body: {e}"))?
        .to_bytes();
    let body = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).map_err(|e| format!("the request body is not JSON: {e}"))?
    };
    let query = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    Ok(ApiRequest {
        method: parts.method.as_str().to_string(),
        host,
        path: parts.uri.path().to_string(),
        query,
        session,
        operator_token: header("x-operator-token"),
        body,
    })
}
