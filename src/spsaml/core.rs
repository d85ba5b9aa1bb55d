//! The standalone SP's sans-IO core: routes, pending AuthnRequests bound
//! to browsers by a cookie, the replay cache, sessions, and the answers.
//! A request and `now` go in, a response comes out; nothing here touches
//! a socket or a clock.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use time::OffsetDateTime;

use super::pages;
use super::relay::check_relay_state;
use crate::saml::binding::{decode_post_form, redirect_url};
use crate::saml::metadata::{write_sp_metadata, AcsEndpoint, IdpMetadata, SpMetadata};
use crate::saml::reason::{explain, Rejection};
use crate::saml::replay::ReplayCache;
use crate::saml::request::{build_authn_request, AuthnRequestParams, BINDING_POST};
use crate::saml::validate::{validate_response, InResponseToCheck, Login, Pending, SpConfig};
use crate::sim::Rng;

/// The cookie that binds a browser to its outstanding AuthnRequest. It
/// rides on the IdP's cross-site POST to the ACS, so it must be
/// `SameSite=None; Secure`.
pub const PENDING_COOKIE: &str = "ssosim_sp_pending";
/// The cookie of a signed-in browser.
pub const SESSION_COOKIE: &str = "ssosim_sp_session";
/// How long a browser has to come back from the IdP.
pub const PENDING_TTL: time::Duration = time::Duration::minutes(10);
/// Outstanding requests kept at most; the oldest is dropped beyond this.
pub const PENDING_MAX: usize = 10_000;
/// Sessions kept at most; the oldest is dropped beyond this.
pub const SESSIONS_MAX: usize = 100_000;

/// How the SP is set up.
#[derive(Clone, Debug)]
pub struct SpSettings {
    /// `http://127.0.0.1:8080`, without a trailing slash.
    pub base_url: String,
    /// Default `<base_url>/saml/metadata`.
    pub entity_id: String,
    pub idp: IdpMetadata,
    pub allow_idp_initiated: bool,
    pub want_assertions_signed: bool,
}

impl SpSettings {
    /// Settings with the default entity id.
    pub fn new(base_url: &str, idp: IdpMetadata) -> SpSettings {
        let base_url = base_url.trim_end_matches('/').to_string();
        SpSettings {
            entity_id: format!("{base_url}/saml/metadata"),
            base_url,
            idp,
            allow_idp_initiated: false,
            want_assertions_signed: false,
        }
    }

    pub fn acs_url(&self) -> String {
        format!("{}/saml/acs", self.base_url)
    }

    pub fn metadata_url(&self) -> String {
        format!("{}/saml/metadata", self.base_url)
    }
}

/// Why the SP will not start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// SECURITY.md SIG6: with no pinned key nothing could ever verify, so
    /// the SP refuses to start rather than run fail-open or useless.
    #[error("the IdP metadata for {0} has no signing certificate; nothing could be verified (refusing to start)")]
    NoSigningKey(String),
    #[error("the IdP metadata's signing certificates are unusable: {0}")]
    BadKey(String),
}

/// One HTTP request, as the core sees it.
#[derive(Clone, Debug, Default)]
pub struct SpRequest {
    pub method: String,
    /// The path as received (routes are plain ASCII).
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    pub cookies: Vec<(String, String)>,
    /// The client asked for `application/json`.
    pub wants_json: bool,
    pub body: Vec<u8>,
}

impl SpRequest {
    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn query_param(&self, name: &str) -> Option<String> {
        let q = self.query.as_deref()?;
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// One HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpResponse {
    pub status: u16,
    pub content_type: &'static str,
    /// `location`, `set-cookie`, in order.
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl SpResponse {
    fn page(status: u16, body: String) -> SpResponse {
        SpResponse {
            status,
            content_type: "text/html; charset=utf-8",
            headers: vec![],
            body,
        }
    }

    fn json(status: u16, v: serde_json::Value) -> SpResponse {
        SpResponse {
            status,
            content_type: "application/json",
            headers: vec![],
            body: format!("{v}\n"),
        }
    }
}

/// What the ACS decided, for the page, the JSON answer and the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcsOutcome {
    pub result: Result<Login, Rejection>,
    /// The path to continue to, when RelayState was a safe one.
    pub relay_state: Option<String>,
    /// Things the reader should know (an ignored RelayState, a missing
    /// pending request).
    pub notes: Vec<String>,
}

impl AcsOutcome {
    /// `{"outcome","reason","explanation","name_id","attributes","relay_state","notes"}`.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.result {
            Ok(login) => serde_json::json!({
                "outcome": "accepted",
                "reason": null,
                "explanation": null,
                "name_id": login.name_id,
                "attributes": login.attributes,
                "relay_state": self.relay_state,
                "notes": self.notes,
            }),
            Err(r) => serde_json::json!({
                "outcome": "rejected",
                "reason": r.name(),
                "explanation": explain(r),
                "name_id": null,
                "attributes": {},
                "relay_state": self.relay_state,
                "notes": self.notes,
            }),
        }
    }
}

struct PendingLogin {
    request_id: String,
    expires: OffsetDateTime,
}

/// A signed-in browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpSession {
    pub name_id: String,
    pub attributes: BTreeMap<String, Vec<String>>,
    pub at: OffsetDateTime,
}

/// The standalone SAML SP.
pub struct SamlSp {
    settings: SpSettings,
    config: SpConfig,
    metadata_xml: String,
    rng: Rng,
    pending: IndexMap<String, PendingLogin>,
    /// No pending request expires before this (a lower bound, `None` when
    /// there are none): the expiry sweep is skipped while it is in the
    /// future, since it would remove nothing.
    pending_expires_min: Option<OffsetDateTime>,
    replay: ReplayCache,
    sessions: IndexMap<String, SpSession>,
    /// No session started before this (a lower bound, `None` when there
    /// are none); the same use for the session sweep.
    sessions_at_min: Option<OffsetDateTime>,
    /// The session token minted by the last accepted ACS call, for its answer.
    new_session: Option<String>,
    log: Vec<String>,
}

impl SamlSp {
    pub fn new(settings: SpSettings, rng: Rng) -> Result<SamlSp, SetupError> {
        if settings.idp.signing_certs_der.is_empty() {
            return Err(SetupError::NoSigningKey(settings.idp.entity_id.clone()));
        }
        let keys = settings
            .idp
            .trusted_keys()
            .map_err(|e| SetupError::BadKey(e.to_string()))?;
        let mut config = SpConfig::new(
            &settings.entity_id,
            &settings.acs_url(),
            &settings.idp.entity_id,
            keys,
        );
        config.allow_idp_initiated = settings.allow_idp_initiated;
        config.want_assertions_signed = settings.want_assertions_signed;
        let metadata_xml = write_sp_metadata(&SpMetadata {
            entity_id: settings.entity_id.clone(),
            acs: vec![AcsEndpoint {
                index: 0,
                binding: BINDING_POST.to_string(),
                location: settings.acs_url(),
                is_default: true,
            }],
            authn_requests_signed: false,
            want_assertions_signed: settings.want_assertions_signed,
            signing_certs_der: vec![],
            name_id_formats: vec![],
        });
        Ok(SamlSp {
            settings,
            config,
            metadata_xml,
            rng,
            pending: IndexMap::new(),
            pending_expires_min: None,
            replay: ReplayCache::default(),
            sessions: IndexMap::new(),
            sessions_at_min: None,
            new_session: None,
            log: vec![],
        })
    }

    pub fn settings(&self) -> &SpSettings {
        &self.settings
    }

    /// The validation config (for tests and the bench).
    pub fn config(&self) -> &SpConfig {
        &self.config
    }

    pub fn metadata_xml(&self) -> &str {
        &self.metadata_xml
    }

    /// Log lines produced since the last call.
    pub fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    /// The session behind a session-cookie value.
    pub fn session(&self, token: &str) -> Option<&SpSession> {
        self.sessions.get(token)
    }

    /// Handles one request at `now`.
    pub fn handle(&mut self, req: &SpRequest, now: OffsetDateTime) -> SpResponse {
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/saml/metadata") => SpResponse {
                status: 200,
                content_type: "application/samlmetadata+xml",
                headers: vec![],
                body: self.metadata_xml.clone(),
            },
            ("GET", "/login") => self.login(req, now),
            ("POST", "/saml/acs") => {
                let outcome = self.acs(req, now);
                self.acs_response(req, &outcome)
            }
            ("GET", "/") => {
                let who = req
                    .cookie(SESSION_COOKIE)
                    .and_then(|t| self.sessions.get(t))
                    .map(|s| s.name_id.clone());
                SpResponse::page(200, pages::home(&self.settings, who.as_deref()))
            }
            (_, "/saml/acs") | (_, "/login") | (_, "/saml/metadata") => {
                let mut r = SpResponse::page(405, pages::simple("405 method not allowed", ""));
                let allow = if req.path == "/saml/acs" {
                    "POST"
                } else {
                    "GET"
                };
                r.headers.push(("allow", allow.to_string()));
                r
            }
            _ => SpResponse::page(404, pages::simple("404 not found", &req.path)),
        }
    }

    /// SP-initiated login: an AuthnRequest over HTTP-Redirect, its id kept
    /// server-side under a fresh random cookie.
    fn login(&mut self, req: &SpRequest, now: OffsetDateTime) -> SpResponse {
        let Some(sso) = self.settings.idp.sso_redirect.clone() else {
            return SpResponse::page(
                501,
                pages::simple(
                    "SP-initiated login is unavailable",
                    "the IdP metadata lists no HTTP-Redirect SingleSignOnService",
                ),
            );
        };
        let relay = req
            .query_param("relay_state")
            .and_then(|rs| match check_relay_state(&rs) {
                Ok(p) => Some(p.to_string()),
                Err(why) => {
                    self.log.push(format!("login: {}", why.describe(&rs)));
                    None
                }
            });
        let (request_id, xml) = build_authn_request(
            &AuthnRequestParams {
                issuer: self.settings.entity_id.clone(),
                acs_url: self.settings.acs_url(),
                destination: sso.clone(),
                force_authn: false,
                name_id_policy: None,
            },
            now,
            &mut self.rng,
        );
        let token = self.rng.hex(16);
        // Drop expired requests. Removals elsewhere only raise the true
        // minimum, so the bound stays a bound.
        if self.pending_expires_min.is_some_and(|m| m <= now) {
            self.pending.retain(|_, p| p.expires > now);
            self.pending_expires_min = self.pending.values().map(|p| p.expires).min();
        }
        while self.pending.len() >= PENDING_MAX {
            self.pending.shift_remove_index(0);
        }
        let expires = now + PENDING_TTL;
        self.pending_expires_min =
            Some(self.pending_expires_min.map_or(expires, |m| m.min(expires)));
        self.pending.insert(
            token.clone(),
            PendingLogin {
                request_id: request_id.clone(),
                expires,
            },
        );
        self.log
            .push(format!("login: AuthnRequest {request_id} → {sso}"));
        let location = redirect_url(&sso, "SAMLRequest", &xml, relay.as_deref(), None);
        SpResponse {
            status: 302,
            content_type: "text/html; charset=utf-8",
            headers: vec![
                ("location", location.clone()),
                (
                    "set-cookie",
                    format!(
                        "{PENDING_COOKIE}={token}; Path=/saml/acs; Max-Age={}; HttpOnly; Secure; SameSite=None",
                        PENDING_TTL.whole_seconds()
                    ),
                ),
            ],
            body: pages::simple("Redirecting to the IdP", &location),
        }
    }

    /// The assertion consumer service: decide on a POSTed SAMLResponse.
    pub fn acs(&mut self, req: &SpRequest, now: OffsetDateTime) -> AcsOutcome {
        let mut notes = vec![];
        // The pending request is single-use, whatever the outcome.
        let pending = req
            .cookie(PENDING_COOKIE)
            .and_then(|t| self.pending.shift_remove(t))
            .filter(|p| p.expires > now)
            .map(|p| Pending {
                request_id: p.request_id,
            });
        if pending.is_none() {
            notes.push(
                "no pending AuthnRequest for this browser (IdP-initiated, expired, or the pending cookie was not sent)"
                    .to_string(),
            );
        }
        let msg = match decode_post_form(&req.body, "SAMLResponse") {
            Ok(m) => m,
            Err(r) => {
                return self.finish(AcsOutcome {
                    result: Err(r),
                    relay_state: None,
                    notes,
                })
            }
        };
        let result = validate_response(
            &self.config,
            now,
            &msg.xml,
            InResponseToCheck::Pending(pending.as_ref()),
            Some(&mut self.replay),
        );
        let relay_state = msg
            .relay_state
            .as_deref()
            .and_then(|rs| match check_relay_state(rs) {
                Ok(p) => Some(p.to_string()),
                Err(why) => {
                    notes.push(why.describe(rs));
                    None
                }
            });
        if let Ok(login) = &result {
            // Sessions last a day. The sweep runs only when the oldest
            // possible session is that old; otherwise it would keep all.
            let cutoff = now - time::Duration::days(1);
            if self.sessions_at_min.is_some_and(|m| m <= cutoff) {
                self.sessions.retain(|_, s| s.at > cutoff);
                self.sessions_at_min = self.sessions.values().map(|s| s.at).min();
            }
            while self.sessions.len() >= SESSIONS_MAX {
                self.sessions.shift_remove_index(0);
            }
            self.sessions_at_min = Some(self.sessions_at_min.map_or(now, |m| m.min(now)));
            let token = self.rng.hex(16);
            self.sessions.insert(
                token.clone(),
                SpSession {
                    name_id: login.name_id.clone(),
                    attributes: login.attributes.clone(),
                    at: now,
                },
            );
            self.new_session = Some(token);
        }
        self.finish(AcsOutcome {
            result,
            relay_state,
            notes,
        })
    }

    fn finish(&mut self, outcome: AcsOutcome) -> AcsOutcome {
        match &outcome.result {
            Ok(l) => self.log.push(format!(
                "acs: accepted {} ({} attribute{})",
                l.name_id,
                l.attributes.len(),
                if l.attributes.len() == 1 { "" } else { "s" }
            )),
            Err(r) => self.log.push(format!("acs: rejected {r}")),
        }
        for n in &outcome.notes {
            self.log.push(format!("acs: {n}"));
        }
        outcome
    }

    fn acs_response(&mut self, req: &SpRequest, outcome: &AcsOutcome) -> SpResponse {
        let status = if outcome.result.is_ok() { 200 } else { 403 };
        let mut resp = if req.wants_json {
            SpResponse::json(status, outcome.to_json())
        } else {
            SpResponse::page(status, pages::acs(outcome))
        };
        // The verdict with its stable reason name, for the browser agent's
        // transcript lines (a real browser ignores it).
        let verdict = match &outcome.result {
            Ok(login) => format!("accepted {}", login.name_id),
            Err(rejection) => format!("refused {}", rejection.reason.name()),
        };
        resp.headers
            .push((crate::agent::SAML_VERDICT_HEADER, verdict));
        if let Some(token) = self.new_session.take() {
            resp.headers.push((
                "set-cookie",
                format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Lax"),
            ));
        }
        if req.cookie(PENDING_COOKIE).is_some() {
            resp.headers.push((
                "set-cookie",
                format!(
                    "{PENDING_COOKIE}=; Path=/saml/acs; Max-Age=0; HttpOnly; Secure; SameSite=None"
                ),
            ));
        }
        resp
    }
}
