//! `ssosim sp serve`: the standalone SAML SP (see `spsaml`), on the live
//! clock, for testing IdPs we did not write.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::saml::metadata::{parse_idp_metadata, IdpMetadata};

/// `ssosim sp serve` flags.
#[derive(clap::Args, Debug, Clone)]
pub struct SpServeArgs {
    /// Address to listen on (loopback only).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The IdP's SAML metadata: its entity id, SSO URL and signing certificate(s).
    #[arg(long, value_name = "FILE")]
    pub idp_metadata: PathBuf,
    /// The URL browsers reach this SP at (default http://LISTEN).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The SP entity id (default BASE-URL/saml/metadata).
    #[arg(long, value_name = "ID")]
    pub entity_id: Option<String>,
    /// Accept responses that answer no AuthnRequest (IdP-initiated SSO).
    #[arg(long)]
    pub allow_idp_initiated: bool,
    /// Require a signature on the Assertion itself, not only on the Response.
    #[arg(long)]
    pub want_assertions_signed: bool,
    /// Seed for request ids and cookie tokens.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Reads and parses an IdP metadata file; the error is a sentence.
pub fn load_idp_metadata(path: &Path) -> Result<IdpMetadata, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_idp_metadata(&bytes)
        .map_err(|e| format!("{}: not usable IdP metadata: {e}", path.display()))
}

pub fn sp_serve(args: &SpServeArgs) -> i32 {
    let idp = match load_idp_metadata(&args.idp_metadata) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if let Some(base) = &args.base_url {
        if url::Url::parse(base).is_err() {
            eprintln!("error: --base-url {base:?} is not a URL");
            return 2;
        }
    }
    let opts = crate::spsaml::StandaloneOptions {
        listen: args.listen,
        idp,
        base_url: args.base_url.clone(),
        entity_id: args.entity_id.clone(),
        allow_idp_initiated: args.allow_idp_initiated,
        want_assertions_signed: args.want_assertions_signed,
        seed: args.seed,
    };
    let rt = match super::server_runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(crate::spsaml::serve_standalone(opts)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<crate::spsaml::SetupError>().is_some() {
                2
            } else {
                3
            }
        }
    }
}
