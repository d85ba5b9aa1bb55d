//! The IdP core, sans-IO: an AuthnRequest (as the bytes of its binding),
//! the session cookie, `now` and the rng go in; a [`Decision`] comes out —
//! show the sign-in page, answer the SP with an auto-submitting form, or
//! refuse with the IdP's own page or a SAML error Response.
//!
//! IdP-side checks (SECURITY.md §1.K):
//! - **IDP1** An `AssertionConsumerServiceURL` that is not one of the SP
//!   metadata's POST endpoints is never used and never reflected into a
//!   page or form. What happens instead is the profile's [`AcsMismatch`]:
//!   generic, Okta and Google answer at the metadata's *default* ACS
//!   (`isDefault="true"`, else the first POST endpoint, SAML Metadata
//!   2.2.3); Entra refuses with its AADSTS50011 page.
//! - **IDP2** An unknown `AssertionConsumerServiceIndex` or a
//!   `ProtocolBinding` other than HTTP-POST is refused.
//! - **IDP3** An unknown SP Issuer is refused. When the IdP sets
//!   `WantAuthnRequestsSigned` (or the SP's metadata says
//!   `AuthnRequestsSigned`), an unsigned request, a bad Redirect
//!   signature, or a POST request whose signature is not on its root is
//!   refused. A Redirect request that carries a signature is verified even
//!   when none is required: a bad signature is never ignored.
//! - **IDP4** Every value on every page is HTML-escaped ([`pages::esc`],
//!   and the SAML layer's `post_form_html`).
//! - **IDP5** Responses come from the SAML layer's `build_response`.
//! - **IDP6** (SLO) is not implemented: the IdP has no logout endpoint.

use std::time::Duration;

use indexmap::IndexMap;
use time::OffsetDateTime;

use super::claims::claims_for;
pub use super::decision::*;
use super::directory::{Access, Directory, UserStatus};
use super::pages;
use super::profile::{AcsMismatch, Profile, Vendor};
use super::sp::SpConfig;
use crate::saml::binding::{decode_post_form, decode_redirect, post_form_html};
use crate::saml::keys::SigningKey;
use crate::saml::metadata::{write_idp_metadata, IdpMetadata};
use crate::saml::request::{
    parse_authn_request, verify_post_authn_request, AuthnRequest, BINDING_POST,
};
use crate::saml::response::{
    build_response, build_status_response, Grant, ResponseParams, Status, STATUS_NO_PASSIVE,
    STATUS_RESPONDER,
};
use crate::sim::Rng;

/// The name of the IdP's session cookie.
pub const SESSION_COOKIE: &str = "ssosim_idp_session";
/// How many sign-ins may wait on the login page at once; the oldest is
/// forgotten first (a client cannot grow the IdP without bound).
pub const PENDING_MAX: usize = 1024;
/// How many IdP sessions are kept; the oldest is forgotten first.
pub const SESSIONS_MAX: usize = 4096;
/// How long a pending sign-in waits for the login form.
pub const PENDING_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// An IdP session (the browser stays signed in to the IdP).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Session {
    email: String,
    session_index: String,
    expires: OffsetDateTime,
}

/// A request waiting for the sign-in form.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pending {
    sp_entity_id: String,
    request_id: String,
    acs_url: String,
    relay_state: Option<String>,
    expires: OffsetDateTime,
}

impl Pending {
    /// The request this answer answers; none for an IdP-initiated launch.
    fn in_response_to(&self) -> Option<String> {
        (!self.request_id.is_empty()).then(|| self.request_id.clone())
    }

    /// Where and to whom the Response goes: always the SP's registered ACS.
    fn response_params(&self) -> ResponseParams {
        ResponseParams {
            destination: self.acs_url.clone(),
            audience: self.sp_entity_id.clone(),
            in_response_to: self.in_response_to(),
        }
    }

    /// A Response posted to the SP's ACS; the caller fills in who and what.
    fn answer(&self, xml: String, response_id: String) -> Answer {
        Answer {
            sp_entity_id: self.sp_entity_id.clone(),
            acs_url: self.acs_url.clone(),
            html_form: post_form_html(
                &self.acs_url,
                "SAMLResponse",
                &xml,
                self.relay_state.as_deref(),
            ),
            xml,
            response_id,
            in_response_to: self.in_response_to(),
            relay_state: self.relay_state.clone(),
            user: None,
            claims: None,
            status: None,
        }
    }
}

/// Static settings of one IdP.
#[derive(Clone, Debug)]
pub struct IdpSettings {
    /// The IdP's public base URL (`http://127.0.0.1:7000`), no trailing slash.
    pub base_url: String,
    /// `WantAuthnRequestsSigned` in the IdP metadata, and enforced.
    pub want_authn_requests_signed: bool,
    /// Answer every request as this user, without a page (automation).
    pub auto_login: Option<String>,
    /// How long an IdP session lasts.
    pub session_lifetime: Duration,
}

impl IdpSettings {
    pub fn new(base_url: &str) -> IdpSettings {
        IdpSettings {
            base_url: base_url.trim_end_matches('/').to_string(),
            want_authn_requests_signed: false,
            auto_login: None,
            session_lifetime: Duration::from_secs(8 * 3600),
        }
    }
}

/// One mock IdP: profile, key, directory, registered SPs and sessions.
#[derive(Debug)]
pub struct Idp {
    pub profile: Profile,
    pub settings: IdpSettings,
    pub directory: Directory,
    key: SigningKey,
    sps: IndexMap<String, SpConfig>,
    sessions: IndexMap<String, Session>,
    pending: IndexMap<String, Pending>,
}

fn instant_plus(t: OffsetDateTime, d: Duration) -> OffsetDateTime {
    t + time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

impl Idp {
    pub fn new(
        profile: Profile,
        settings: IdpSettings,
        directory: Directory,
        key: SigningKey,
    ) -> Idp {
        Idp {
            profile,
            settings,
            directory,
            key,
            sps: IndexMap::new(),
            sessions: IndexMap::new(),
            pending: IndexMap::new(),
        }
    }

    pub fn vendor(&self) -> Vendor {
        self.profile.vendor
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// Registers (or replaces) an SP, keyed by its entity id.
    pub fn add_sp(&mut self, sp: SpConfig) {
        self.sps.insert(sp.entity_id.clone(), sp);
    }

    pub fn sp(&self, entity_id: &str) -> Option<&SpConfig> {
        self.sps.get(entity_id)
    }

    pub fn sps(&self) -> impl Iterator<Item = &SpConfig> {
        self.sps.values()
    }

    pub fn sso_url(&self) -> String {
        format!("{}/sso", self.settings.base_url)
    }

    /// Handles an AuthnRequest at `/sso`.
    pub fn sso(
        &mut self,
        inbound: Inbound<'_>,
        session: Option<&str>,
        now: OffsetDateTime,
        rng: &mut Rng,
    ) -> Decision {
        let (request, relay_state) = match self.read_request(inbound) {
            Ok(r) => r,
            Err(page) => return Decision::Refuse(Refusal::Page(page)),
        };
        let acs_url = match self.choose_acs(&request) {
            Ok(url) => url,
            Err(page) => return Decision::Refuse(Refusal::Page(page)),
        };
        let pending = Pending {
            sp_entity_id: request.issuer.clone(),
            request_id: request.id.clone(),
            acs_url,
            relay_state,
            expires: instant_plus(now, PENDING_LIFETIME),
        };
        if let Some(email) = self.settings.auto_login.clone() {
            return self.answer(&email, None, &pending, now, rng);
        }
        if !request.force_authn {
            if let Some(s) = self.live_session(session, now) {
                let (email, index) = (s.email.clone(), s.session_index.clone());
                return self.answer(&email, Some(index), &pending, now, rng);
            }
        }
        if request.is_passive {
            // SAML Core 3.4.1: IsPassive and no session → NoPassive.
            let status = Status {
                code: STATUS_RESPONDER.to_string(),
                sub_code: Some(STATUS_NO_PASSIVE.to_string()),
                message: Some("the user is not signed in to the IdP".to_string()),
            };
            return self.status_answer(&pending, status, RefusalReason::NoPassive, now, rng);
        }
        let sp_name = self.sp_name(&pending.sp_entity_id);
        let token = rng.hex(16);
        self.remember_pending(token.clone(), pending, now);
        Decision::NeedLogin(self.prompt(&token, &sp_name, "", None))
    }

    /// Handles the sign-in form for a pending request. Any password works.
    pub fn login(
        &mut self,
        pending_id: &str,
        email: &str,
        now: OffsetDateTime,
        rng: &mut Rng,
    ) -> LoginOutcome {
        let Some(pending) = self
            .pending
            .get(pending_id)
            .filter(|p| p.expires > now)
            .cloned()
        else {
            self.pending.shift_remove(pending_id);
            return LoginOutcome {
                decision: self.expired(),
                set_session: None,
            };
        };
        let sp_name = self.sp_name(&pending.sp_entity_id);
        let retry = |idp: &Idp, msg: &str| LoginOutcome {
            decision: Decision::NeedLogin(idp.prompt(pending_id, &sp_name, email, Some(msg))),
            set_session: None,
        };
        let Some(user) = self.directory.user(email) else {
            return retry(
                self,
                "There is no account with that email in this directory.",
            );
        };
        if user.status == UserStatus::Suspended {
            return retry(
                self,
                "This account is suspended. Contact your administrator.",
            );
        }
        let email = user.email.clone();
        self.pending.shift_remove(pending_id);
        let token = rng.hex(16);
        let index = format!("_{}", rng.hex(16));
        if self.sessions.len() >= SESSIONS_MAX {
            self.sessions.shift_remove_index(0);
        }
        self.sessions.insert(
            token.clone(),
            Session {
                email: email.clone(),
                session_index: index.clone(),
                expires: instant_plus(now, self.settings.session_lifetime),
            },
        );
        LoginOutcome {
            decision: self.answer(&email, Some(index), &pending, now, rng),
            set_session: Some(token),
        }
    }

    /// The sign-in page of a pending request, if it is still waiting.
    pub fn login_prompt(&self, pending_id: &str, now: OffsetDateTime) -> Option<LoginPrompt> {
        let p = self.pending.get(pending_id).filter(|p| p.expires > now)?;
        Some(self.prompt(pending_id, &self.sp_name(&p.sp_entity_id), "", None))
    }

    /// The refusal for a sign-in form whose request is gone.
    pub fn expired(&self) -> Decision {
        Decision::Refuse(Refusal::Page(self.page(
            RefusalReason::PendingUnknown,
            400,
            "pending-unknown",
            "Sign-in expired",
            "This sign-in request has expired or was already used. Go back to the application and sign in again.",
        )))
    }

    /// This IdP's metadata: entity id, both SSO bindings at `/sso`, the
    /// signing certificate and the NameID format it sends.
    pub fn metadata(&self) -> IdpMetadata {
        IdpMetadata {
            entity_id: self.profile.shape.issuer.clone(),
            sso_redirect: Some(self.sso_url()),
            sso_post: Some(self.sso_url()),
            signing_certs_der: vec![self.key.cert_der().to_vec()],
            want_authn_requests_signed: self.settings.want_authn_requests_signed,
            name_id_formats: vec![self.profile.shape.name_id_format.clone()],
        }
    }

    pub fn metadata_xml(&self) -> String {
        write_idp_metadata(&self.metadata())
    }

    /// IdP-initiated SSO (a tile click): an unsolicited Response, with no
    /// InResponseTo, to the default ACS of `sp` (default: the first SP
    /// registered).
    pub fn launch(
        &mut self,
        email: &str,
        sp: Option<&str>,
        relay_state: LaunchRelayState,
        now: OffsetDateTime,
        rng: &mut Rng,
    ) -> Decision {
        let sp = match sp {
            Some(id) => self.sps.get(id),
            None => self.sps.values().next(),
        };
        let Some(sp) = sp else {
            return Decision::Refuse(Refusal::Page(self.page(
                RefusalReason::NoSp,
                404,
                "no-sp",
                "No such application",
                "No application with that identifier is configured in this IdP.",
            )));
        };
        let Some(acs) = sp.default_acs() else {
            return Decision::Refuse(Refusal::Page(self.page(
                RefusalReason::AcsNotRegistered,
                400,
                "no-acs",
                "Application misconfigured",
                "The application's metadata has no HTTP-POST assertion consumer service.",
            )));
        };
        let relay_state = match relay_state {
            LaunchRelayState::None => None,
            LaunchRelayState::Default => self.profile.default_relay_state.clone(),
            LaunchRelayState::Given(s) => Some(s),
        };
        let pending = Pending {
            sp_entity_id: sp.entity_id.clone(),
            request_id: String::new(),
            acs_url: acs.to_string(),
            relay_state,
            expires: now,
        };
        self.answer(email, None, &pending, now, rng)
    }

    fn live_session(&self, token: Option<&str>, now: OffsetDateTime) -> Option<&Session> {
        let s = self.sessions.get(token?)?;
        (s.expires > now && self.directory.user(&s.email).is_some()).then_some(s)
    }

    fn remember_pending(&mut self, token: String, pending: Pending, now: OffsetDateTime) {
        self.pending.retain(|_, p| p.expires > now);
        if self.pending.len() >= PENDING_MAX {
            self.pending.shift_remove_index(0);
        }
        self.pending.insert(token, pending);
    }

    fn sp_name(&self, entity_id: &str) -> String {
        self.sps
            .get(entity_id)
            .map(|s| s.display_name().to_string())
            .unwrap_or_else(|| entity_id.to_string())
    }

    fn prompt(
        &self,
        pending: &str,
        sp_name: &str,
        email: &str,
        error: Option<&str>,
    ) -> LoginPrompt {
        LoginPrompt {
            pending: pending.to_string(),
            sp_name: sp_name.to_string(),
            email: email.to_string(),
            error: error.map(str::to_string),
            html: pages::login_page(self.vendor(), sp_name, pending, email, error),
        }
    }

    /// Decodes the binding, identifies the SP and checks the request
    /// signature (IDP3). Returns the request and its RelayState.
    fn read_request(
        &self,
        inbound: Inbound<'_>,
    ) -> Result<(AuthnRequest, Option<String>), ErrorPage> {
        let malformed = |idp: &Idp, detail: String| {
            idp.page(
                RefusalReason::MalformedRequest,
                400,
                "malformed-request",
                "Invalid sign-in request",
                &format!("The application sent a SAML request this IdP cannot read: {detail}."),
            )
        };
        let (xml, relay_state) = match inbound {
            Inbound::Redirect { raw_query } => {
                let m = decode_redirect(raw_query, "SAMLRequest", None)
                    .map_err(|r| malformed(self, r.to_string()))?;
                (m.xml, m.relay_state)
            }
            Inbound::Post { body } => {
                let m = decode_post_form(body, "SAMLRequest")
                    .map_err(|r| malformed(self, r.to_string()))?;
                (m.xml, m.relay_state)
            }
        };
        let request = parse_authn_request(&xml).map_err(|r| malformed(self, r.to_string()))?;
        let Some(sp) = self.sps.get(&request.issuer) else {
            return Err(self.unknown_sp_page());
        };
        let must_sign = self.settings.want_authn_requests_signed || sp.authn_requests_signed;
        match inbound {
            Inbound::Redirect { raw_query } => {
                if must_sign || query_has(raw_query, "Signature") {
                    decode_redirect(raw_query, "SAMLRequest", Some(&sp.signing_keys))
                        .map_err(|r| self.signature_page(&r))?;
                }
                Ok((request, relay_state))
            }
            Inbound::Post { .. } if must_sign => {
                // Values come from the tree that verified (I1, I2).
                let verified = verify_post_authn_request(&xml, &sp.signing_keys, false)
                    .map_err(|r| self.signature_page(&r))?;
                Ok((verified, relay_state))
            }
            Inbound::Post { .. } => Ok((request, relay_state)),
        }
    }

    /// IDP1/IDP2: the ACS URL to answer at; never one that is only in the
    /// request.
    fn choose_acs(&self, request: &AuthnRequest) -> Result<String, ErrorPage> {
        let sp = self
            .sps
            .get(&request.issuer)
            .ok_or_else(|| self.unknown_sp_page())?;
        if let Some(binding) = &request.protocol_binding {
            if binding != BINDING_POST {
                return Err(self.page(
                    RefusalReason::UnsupportedBinding,
                    400,
                    "unsupported-binding",
                    "Unsupported response binding",
                    "The application asked for the response over a binding this IdP does not offer; only HTTP-POST is supported.",
                ));
            }
        }
        if let Some(index) = request.acs_index {
            return sp.acs_by_index(index).map(str::to_string).ok_or_else(|| {
                self.page(
                    RefusalReason::AcsIndexInvalid,
                    400,
                    "acs-index-invalid",
                    "Application misconfigured",
                    "The request names an assertion consumer service index that the application's metadata does not define.",
                )
            });
        }
        let default = sp.default_acs().map(str::to_string);
        let Some(asked) = &request.acs_url else {
            return default.ok_or_else(|| self.no_acs_page());
        };
        if sp.has_acs(asked) {
            return Ok(asked.clone());
        }
        match self.profile.acs_mismatch {
            AcsMismatch::UseDefault => default.ok_or_else(|| self.no_acs_page()),
            // [UNVERIFIED: general knowledge] AADSTS50011. The URL is not shown.
            AcsMismatch::Refuse => Err(self.page(
                RefusalReason::AcsNotRegistered,
                400,
                "AADSTS50011",
                "Reply URL mismatch",
                "The reply URL specified in the request does not match the reply URLs configured for the application. \
                 Add it under Basic SAML Configuration > Reply URL, or fix the application's ACS URL.",
            )),
        }
    }

    /// Checks assignment and answers with a signed Response.
    fn answer(
        &mut self,
        email: &str,
        session_index: Option<String>,
        pending: &Pending,
        now: OffsetDateTime,
        rng: &mut Rng,
    ) -> Decision {
        let app = self.sp_name(&pending.sp_entity_id);
        let access = self.directory.access(email);
        if !access.allowed() {
            return Decision::Refuse(Refusal::Page(self.access_page(&access, email, &app)));
        }
        let Some(user) = self.directory.user(email) else {
            return Decision::Refuse(Refusal::Page(self.access_page(
                &Access::UnknownUser,
                email,
                &app,
            )));
        };
        let claims = claims_for(
            &self.directory,
            user,
            &self.profile.claims,
            &pending.sp_entity_id,
        );
        let grant = Grant {
            name_id: claims.name_id.clone(),
            attributes: claims
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            session_index,
        };
        let params = pending.response_params();
        let user_email = user.email.clone();
        match build_response(&self.profile.shape, &params, &grant, now, rng, &self.key) {
            Ok(built) => Decision::Respond(Box::new(Answer {
                user: Some(user_email),
                claims: Some(claims),
                ..pending.answer(built.xml, built.response_id)
            })),
            Err(e) => Decision::Refuse(Refusal::Page(self.page(
                RefusalReason::BuildFailed,
                500,
                "build-failed",
                "The IdP could not build a response",
                &e.to_string(),
            ))),
        }
    }

    fn status_answer(
        &mut self,
        pending: &Pending,
        status: Status,
        reason: RefusalReason,
        now: OffsetDateTime,
        rng: &mut Rng,
    ) -> Decision {
        let params = pending.response_params();
        let code = status.code.clone();
        match build_status_response(
            &self.profile.shape,
            &params,
            &status,
            now,
            rng,
            Some(&self.key),
        ) {
            Ok(built) => Decision::Refuse(Refusal::SamlError {
                reason,
                answer: Box::new(Answer {
                    status: Some(code),
                    ..pending.answer(built.xml, built.response_id)
                }),
            }),
            Err(e) => Decision::Refuse(Refusal::Page(self.page(
                RefusalReason::BuildFailed,
                500,
                "build-failed",
                "The IdP could not build a response",
                &e.to_string(),
            ))),
        }
    }
}

/// Whether a raw query has a parameter named `name`.
fn query_has(raw_query: &str, name: &str) -> bool {
    raw_query
        .trim_start_matches('?')
        .split('&')
        .any(|kv| kv.split('=').next() == Some(name))
}
