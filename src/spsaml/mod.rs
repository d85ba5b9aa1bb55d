//! `ssosim sp serve`: a standalone SAML service provider for testing IdPs
//! we did not write, and the SP half of `ssosim bench login`.
//!
//! - `GET /saml/metadata`: SP metadata (entity id, ACS over HTTP-POST).
//! - `GET /login[?relay_state=/path]`: SP-initiated login, an AuthnRequest
//!   over HTTP-Redirect; its id is kept server-side under a random cookie.
//! - `POST /saml/acs`: the POST binding, validated by the SAML layer's
//!   `validate_response` against the IdP metadata's pinned keys, the
//!   browser's pending request and a replay cache; 200 "accepted: NAME" or
//!   403 with the reason and its explanation (JSON with `Accept:
//!   application/json`).
//! - `GET /`: who is signed in.
//!
//! **Architecture Invariant:** [`SamlSp`] is sans-IO (request and `now`
//! in, response out); `server.rs` is the only file here with sockets.
//! RelayState is only ever a same-origin path (`relay.rs`, SECURITY.md B2).

pub mod core;
pub mod inspect;
pub mod pages;
pub mod relay;
pub mod server;

use std::net::SocketAddr;

pub use self::core::{
    AcsOutcome, SamlSp, SetupError, SpRequest, SpResponse, SpSession, SpSettings, PENDING_COOKIE,
    SESSION_COOKIE,
};
pub use self::server::{LogSink, SamlSpServer, SamlSpShared};
use crate::sim::{Clock, Rng};

/// `ssosim sp serve` options.
#[derive(Clone, Debug)]
pub struct StandaloneOptions {
    pub listen: SocketAddr,
    pub idp: crate::saml::metadata::IdpMetadata,
    /// Default `http://ADDR`, with the port actually bound.
    pub base_url: Option<String>,
    pub entity_id: Option<String>,
    pub allow_idp_initiated: bool,
    pub want_assertions_signed: bool,
    pub seed: u64,
}

/// Runs the SP on `opts.listen` until interrupted, on the live clock,
/// printing one line when ready and a log line per login on standard error.
pub async fn serve_standalone(opts: StandaloneOptions) -> anyhow::Result<()> {
    if !opts.listen.ip().is_loopback() {
        anyhow::bail!(
            "{} is not a loopback address; ssosim listens on 127.0.0.1 only",
            opts.listen
        );
    }
    let listener = tokio::net::TcpListener::bind(opts.listen).await?;
    let addr = listener.local_addr()?;
    let base = opts
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    if let Ok(u) = url::Url::parse(&base) {
        let local = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if u.scheme() == "http" && !local {
            // The pending-request cookie must be `SameSite=None; Secure` to
            // ride on the IdP's cross-site POST; browsers drop Secure
            // cookies set over plain http from non-local hosts.
            eprintln!(
                "warning: --base-url {base} is plain http on a non-local host: browsers will drop the Secure pending-request cookie, so SP-initiated logins will fail (use https or 127.0.0.1)"
            );
        }
    }
    let mut settings = SpSettings::new(&base, opts.idp);
    if let Some(e) = opts.entity_id {
        settings.entity_id = e;
    }
    settings.allow_idp_initiated = opts.allow_idp_initiated;
    settings.want_assertions_signed = opts.want_assertions_signed;
    let metadata = settings.metadata_url();
    let acs = settings.acs_url();
    let core = SamlSp::new(settings, Rng::new(opts.seed).fork("sp-saml"))?;
    let log: LogSink = std::sync::Arc::new(|l: &str| eprintln!("{l}"));
    let shared = SamlSpShared::new(core, Clock::live(), Some(log));
    let server = SamlSpServer::serve(shared, listener)?;
    println!("sp listening on http://{addr} (metadata: {metadata}, acs: {acs})");
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}
