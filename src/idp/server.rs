//! The IdP's IO shell: an HTTP/1.1 server (hyper) on 127.0.0.1 that moves
//! bytes into and out of the sans-IO [`Idp`] core.
//!
//! | route | what |
//! |---|---|
//! | `GET /` | a short page with links |
//! | `GET /metadata` | IdP metadata XML (entity id, SSO endpoints, signing certificate) |
//! | `GET /sso` | HTTP-Redirect AuthnRequest (`SAMLRequest`, `RelayState`, `SigAlg`, `Signature`) |
//! | `POST /sso` | HTTP-POST AuthnRequest |
//! | `GET /login?pending=ID` | the sign-in page for a waiting request |
//! | `POST /login` | the sign-in form (`pending`, `email`, `password`: any password works) |
//! | `GET /launch?user=EMAIL[&relay_state=…][&sp=ENTITY]` | IdP-initiated SSO: no `relay_state` parameter sends the profile default, an empty one sends none |
//!
//! The session cookie is `ssosim_idp_session` (`HttpOnly; SameSite=Lax`;
//! an SP and IdP on 127.0.0.1 are the same site, ports aside, so the
//! cookie rides along on a POST-binding request too).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use tokio::net::TcpListener;

use super::core::{Decision, Idp, Inbound, LaunchRelayState, Refusal, SESSION_COOKIE};
use super::pages;
use crate::httpd::{bind_loopback, HttpServer};
use crate::saml::binding::ENCODED_MAX;
use crate::sim::{Clock, Rng};

/// Everything the shell shares between connections.
pub struct IdpShared {
    idp: Mutex<Idp>,
    rng: Mutex<Rng>,
    pub clock: Clock,
}

impl IdpShared {
    pub fn new(idp: Idp, rng: Rng, clock: Clock) -> Arc<IdpShared> {
        Arc::new(IdpShared {
            idp: Mutex::new(idp),
            rng: Mutex::new(rng),
            clock,
        })
    }

    /// The core, for reading state or direct calls.
    pub fn core(&self) -> MutexGuard<'_, Idp> {
        // A poisoned lock means a panic while holding it; the state is
        // still consistent enough to keep serving (every method finishes
        // its own writes before returning).
        self.idp.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn rng(&self) -> MutexGuard<'_, Rng> {
        self.rng.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running IdP server.
pub struct IdpServer {
    http: HttpServer,
}

impl IdpServer {
    /// Binds `addr` (default 127.0.0.1 on an ephemeral port) and serves
    /// until shut down.
    pub async fn start(
        shared: Arc<IdpShared>,
        addr: Option<SocketAddr>,
    ) -> std::io::Result<IdpServer> {
        IdpServer::serve(shared, bind_loopback(addr).await?)
    }

    /// Serves on an already bound listener (so a caller can learn the port
    /// before building the IdP's base URL).
    pub fn serve(shared: Arc<IdpShared>, listener: TcpListener) -> std::io::Result<IdpServer> {
        let http = HttpServer::serve(listener, move |req| {
            let shared = shared.clone();
            async move { serve(&shared, req).await }
        })?;
        Ok(IdpServer { http })
    }

    pub fn addr(&self) -> SocketAddr {
        self.http.addr()
    }

    pub async fn shutdown(self) {
        self.http.shutdown().await;
    }
}

/// One HTTP answer, before hyper.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
    set_session: Option<String>,
    location: Option<String>,
}

const HTML: &str = "text/html; charset=utf-8";

impl Reply {
    fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: HTML,
            body,
            set_session: None,
            location: None,
        }
    }

    fn not_found() -> Reply {
        Reply::html(
            404,
            pages::info_page(
                "Not found",
                &["This mock IdP serves /metadata, /sso, /login and /launch.".to_string()],
            ),
        )
    }
}

fn decision_reply(d: Decision) -> Reply {
    match d {
        Decision::Respond(a) => Reply::html(200, a.html_form),
        Decision::NeedLogin(p) => Reply {
            status: 303,
            content_type: HTML,
            body: String::new(),
            set_session: None,
            location: Some(format!("/login?pending={}", p.pending)),
        },
        Decision::Refuse(Refusal::Page(p)) => Reply::html(p.http_status, p.html),
        Decision::Refuse(Refusal::SamlError { answer, .. }) => Reply::html(200, answer.html_form),
    }
}

async fn serve(shared: &IdpShared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let reply = route(shared, req).await;
    let mut b = Response::builder()
        .status(reply.status)
        .header("content-type", reply.content_type)
        .header("cache-control", "no-store")
        .header("x-frame-options", "DENY")
        .header("referrer-policy", "no-referrer");
    if let Some(token) = &reply.set_session {
        b = b.header(
            "set-cookie",
            format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"),
        );
    }
    if let Some(location) = &reply.location {
        b = b.header("location", location);
    }
    b.body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(b"response build error"))))
}

async fn route(shared: &IdpShared, req: Request<Incoming>) -> Reply {
    let (parts, body) = req.into_parts();
    let cookie = parts
        .headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|c| c.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string());
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    // Decoded only where a route reads a parameter: `/sso` takes the raw
    // query, whose SAMLRequest is most of it.
    let param = |name: &str| {
        url::form_urlencoded::parse(raw_query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let body = if parts.method == Method::POST {
        match http_body_util::Limited::new(body, ENCODED_MAX)
            .collect()
            .await
        {
            Ok(b) => b.to_bytes(),
            Err(_) => {
                return Reply::html(
                    413,
                    pages::info_page(
                        "Request too large",
                        &[format!(
                            "Request bodies are limited to {ENCODED_MAX} bytes."
                        )],
                    ),
                )
            }
        }
    } else {
        Bytes::new()
    };
    let now = shared.clock.now();
    match (&parts.method, parts.uri.path()) {
        (&Method::GET, "/") => {
            let idp = shared.core();
            Reply::html(
                200,
                pages::info_page(
                    &format!("ssosim mock IdP ({})", idp.vendor().product()),
                    &[
                        format!("Entity ID: {}", idp.profile.shape.issuer),
                        format!("Metadata: {}/metadata", idp.settings.base_url),
                        format!("SSO (Redirect and POST): {}", idp.sso_url()),
                        format!("IdP-initiated: {}/launch?user=EMAIL", idp.settings.base_url),
                    ],
                ),
            )
        }
        (&Method::GET, "/metadata") => Reply {
            status: 200,
            content_type: "application/samlmetadata+xml",
            body: shared.core().metadata_xml(),
            set_session: None,
            location: None,
        },
        (&Method::GET, "/sso") => {
            let d = shared.core().sso(
                Inbound::Redirect {
                    raw_query: &raw_query,
                },
                cookie.as_deref(),
                now,
                &mut shared.rng(),
            );
            decision_reply(d)
        }
        (&Method::POST, "/sso") => {
            let d = shared.core().sso(
                Inbound::Post { body: &body },
                cookie.as_deref(),
                now,
                &mut shared.rng(),
            );
            decision_reply(d)
        }
        (&Method::GET, "/login") => {
            let pending = param("pending").unwrap_or_default();
            match shared.core().login_prompt(&pending, now) {
                Some(p) => Reply::html(200, p.html),
                None => decision_reply(shared.core().expired()),
            }
        }
        (&Method::POST, "/login") => {
            let form: Vec<(String, String)> =
                url::form_urlencoded::parse(&body).into_owned().collect();
            let field = |name: &str| {
                form.iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            let outcome =
                shared
                    .core()
                    .login(&field("pending"), &field("email"), now, &mut shared.rng());
            let mut reply = match outcome.decision {
                // A failed attempt shows the page again, in place.
                Decision::NeedLogin(p) => Reply::html(200, p.html),
                d => decision_reply(d),
            };
            reply.set_session = outcome.set_session;
            reply
        }
        (&Method::GET, "/launch") => {
            let Some(user) = param("user") else {
                return Reply::html(
                    400,
                    pages::info_page(
                        "Missing user",
                        &["Use /launch?user=EMAIL[&relay_state=…]".to_string()],
                    ),
                );
            };
            let relay = match param("relay_state") {
                None => LaunchRelayState::Default,
                Some(s) if s.is_empty() => LaunchRelayState::None,
                Some(s) => LaunchRelayState::Given(s),
            };
            let sp = param("sp");
            let d = shared
                .core()
                .launch(&user, sp.as_deref(), relay, now, &mut shared.rng());
            decision_reply(d)
        }
        _ => Reply::not_found(),
    }
}
