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

/// Runs the SP on `listen` until interrupted, printing one line when ready
/// and a log line per login on standard error.
pub async fn serve_standalone(
    listen: SocketAddr,
    settings: SpSettings,
    seed: u64,
) -> anyhow::Result<()> {
    let metadata = settings.metadata_url();
    let acs = settings.acs_url();
    let core = SamlSp::new(settings, Rng::new(seed).fork("sp-saml"))?;
    let log: LogSink = std::sync::Arc::new(|l: &str| eprintln!("{l}"));
    let shared = SamlSpShared::new(core, Clock::live(), Some(log));
    let server = SamlSpServer::start(shared, listen).await?;
    println!(
        "sp listening on http://{} (metadata: {metadata}, acs: {acs})",
        server.addr()
    );
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}
