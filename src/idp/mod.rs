//! The mock SAML identity provider: a directory of users and groups with
//! app assignment, vendor profiles (generic, Okta, Entra, Google) that
//! shape what the IdP emits, a sans-IO core that answers AuthnRequests, and
//! an HTTP shell (hyper on 127.0.0.1) a browser can use.
//!
//! **Architecture Invariant:** [`core::Idp`] is sans-IO: AuthnRequest
//! bytes, the session cookie, `now` and the rng go in, a [`Decision`]
//! comes out. `server.rs` is the only file here that touches sockets, and
//! [`serve_standalone`] the only function that reads files.
//!
//! | file | what |
//! |---|---|
//! | `directory.rs` | users, groups, app assignment |
//! | `users_file.rs` | the YAML users file (spanned errors) |
//! | `profile.rs` | vendor profiles: message shape + claim rules |
//! | `claims.rs` | NameID and attributes for one user (group filters, Entra overage, Google cap) |
//! | `sp.rs` | an SP as the IdP knows it (metadata, pinned request keys) |
//! | `core.rs`, `decision.rs` | the sans-IO IdP and what it decides |
//! | `pages.rs` | the sign-in and refusal pages |
//! | `server.rs` | hyper on 127.0.0.1 |

pub mod claims;
pub mod core;
pub mod decision;
pub mod directory;
pub mod pages;
pub mod profile;
mod refusals;
pub mod server;
pub mod sp;
pub mod users_file;

use std::fmt;
use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;

pub use self::core::{Idp, IdpSettings, Inbound, SESSION_COOKIE};
pub use decision::*;
pub use directory::{Directory, NewUser};
pub use profile::{Profile, ProfileOptions, Vendor};
pub use server::{IdpServer, IdpShared};
pub use sp::SpConfig;

use crate::saml::keys::SigningKey;
use crate::sim::{Clock, Rng};

/// Builds an IdP of `vendor` with its committed signing key (embedded in
/// the binary). Vendor ids are drawn from `rng.fork("idp-profile")`.
pub fn new_idp(
    vendor: Vendor,
    settings: IdpSettings,
    directory: Directory,
    options: &ProfileOptions,
    rng: &Rng,
) -> anyhow::Result<Idp> {
    let profile = Profile::new(
        vendor,
        &settings.base_url,
        options,
        &mut rng.fork("idp-profile"),
    );
    let (key_pem, cert_pem) = vendor.key_pem();
    let key = SigningKey::from_pem(key_pem, cert_pem)
        .with_context(|| format!("loading the {} signing key", vendor.as_str()))?;
    Ok(Idp::new(profile, settings, directory, key))
}

/// `ssosim idp serve` options.
#[derive(Clone, Debug)]
pub struct IdpServeOptions {
    pub listen: SocketAddr,
    /// The SP's metadata XML file.
    pub sp_metadata: PathBuf,
    /// A users file; `None` uses [`Directory::builtin`].
    pub users: Option<PathBuf>,
    pub auto_login: Option<String>,
    pub vendor: Vendor,
    /// The URL browsers reach the IdP at (default `http://LISTEN`).
    pub base_url: Option<String>,
    pub seed: u64,
    pub want_authn_requests_signed: bool,
}

/// A mistake in what the person gave us (a file, a flag): exit code 2.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Reads the SP metadata and the users file, builds the IdP and serves
/// it on `opts.listen` until ctrl-c, on the live clock. Prints one line:
/// `idp listening on http://ADDR (metadata: URL/metadata)`.
pub async fn serve_standalone(opts: IdpServeOptions) -> anyhow::Result<()> {
    // The mock IdP's keys are public (fixtures/pki/README.md): it must not
    // be reachable from other machines.
    if !opts.listen.ip().is_loopback() {
        return Err(ConfigError(format!(
            "error: --listen {}: the mock IdP listens on loopback only (its signing keys are public); use 127.0.0.1",
            opts.listen
        ))
        .into());
    }
    let rng = Rng::new(opts.seed);
    let sp_xml = std::fs::read(&opts.sp_metadata).map_err(|e| {
        ConfigError(format!(
            "error: cannot read {}: {e}",
            opts.sp_metadata.display()
        ))
    })?;
    let sp = SpConfig::from_metadata_xml(&sp_xml).map_err(|e| {
        ConfigError(format!(
            "error: {}: not usable SP metadata: {e}",
            opts.sp_metadata.display()
        ))
    })?;
    let mut dir_rng = rng.fork("idp-directory");
    let file = match &opts.users {
        None => users_file::UsersFile {
            directory: Directory::builtin(&mut dir_rng),
            options: ProfileOptions::default(),
        },
        Some(path) => {
            let source = std::fs::read(path)
                .map_err(|e| ConfigError(format!("error: cannot read {}: {e}", path.display())))?;
            users_file::parse_users_file_with_settings(&source, &mut dir_rng).map_err(|d| {
                let color = crate::cli::use_color(std::io::stderr().is_terminal());
                ConfigError(d.render(&path.display().to_string(), &source, color))
            })?
        }
    };
    let users_file::UsersFile { directory, options } = file;
    if let Some(email) = &opts.auto_login {
        if directory.user(email).is_none() {
            return Err(ConfigError(format!(
                "error: --auto-login {email}: no such user in the directory"
            ))
            .into());
        }
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    let addr = listener.local_addr()?;
    let base_url = opts
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let mut settings = IdpSettings::new(&base_url);
    settings.auto_login = opts.auto_login.clone();
    settings.want_authn_requests_signed = opts.want_authn_requests_signed;
    let mut idp = new_idp(opts.vendor, settings, directory, &options, &rng)?;
    idp.add_sp(sp);
    let shared = IdpShared::new(idp, rng.fork("idp"), Clock::live());
    let server = IdpServer::serve(shared, listener)?;
    println!(
        "idp listening on http://{addr} (metadata: {}/metadata)",
        base_url.trim_end_matches('/')
    );
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}
