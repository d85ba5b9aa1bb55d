//! What the IdP core decides, as data: show the sign-in page, answer the
//! SP, or refuse (with the IdP's own page or a SAML error Response).

use super::claims::Claims;

/// How an AuthnRequest arrived.
#[derive(Clone, Copy, Debug)]
pub enum Inbound<'a> {
    /// HTTP-Redirect: the raw query string exactly as received (the
    /// signature covers its octets).
    Redirect { raw_query: &'a str },
    /// HTTP-POST: the raw `application/x-www-form-urlencoded` body.
    Post { body: &'a [u8] },
}

/// What the IdP does next.
#[derive(Clone, Debug)]
pub enum Decision {
    /// Show the sign-in page for the pending request.
    NeedLogin(LoginPrompt),
    /// Send the browser to the SP with this auto-submitting form.
    Respond(Box<Answer>),
    Refuse(Refusal),
}

/// The sign-in page's inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginPrompt {
    pub pending: String,
    /// The SP's display name (metadata Organization, else its entity id).
    pub sp_name: String,
    /// The email typed last time, if the page is shown again.
    pub email: String,
    pub error: Option<String>,
    /// The page, rendered.
    pub html: String,
}

/// A Response on its way to an SP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub sp_entity_id: String,
    /// A URL from the SP's metadata (never one taken from the request).
    pub acs_url: String,
    /// The auto-submitting POST form (Bindings 3.5.4).
    pub html_form: String,
    pub xml: String,
    pub response_id: String,
    pub in_response_to: Option<String>,
    pub relay_state: Option<String>,
    /// Who signed in (`None` for a status-only error Response).
    pub user: Option<String>,
    /// The claims sent (`None` for a status-only error Response).
    pub claims: Option<Claims>,
    /// The top-level status when it is not Success.
    pub status: Option<String>,
}

/// Why the IdP refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalReason {
    MalformedRequest,
    UnknownSp,
    RequestSignatureMissing,
    RequestSignatureInvalid,
    AcsNotRegistered,
    AcsIndexInvalid,
    UnsupportedBinding,
    NotAssigned,
    Suspended,
    UnknownUser,
    PendingUnknown,
    NoSp,
    NoPassive,
    BuildFailed,
}

impl RefusalReason {
    /// A stable kebab-case name for transcripts and tests.
    pub fn name(self) -> &'static str {
        match self {
            RefusalReason::MalformedRequest => "malformed-request",
            RefusalReason::UnknownSp => "unknown-sp",
            RefusalReason::RequestSignatureMissing => "request-signature-missing",
            RefusalReason::RequestSignatureInvalid => "request-signature-invalid",
            RefusalReason::AcsNotRegistered => "acs-not-registered",
            RefusalReason::AcsIndexInvalid => "acs-index-invalid",
            RefusalReason::UnsupportedBinding => "unsupported-binding",
            RefusalReason::NotAssigned => "not-assigned",
            RefusalReason::Suspended => "user-suspended",
            RefusalReason::UnknownUser => "unknown-user",
            RefusalReason::PendingUnknown => "pending-unknown",
            RefusalReason::NoSp => "no-sp",
            RefusalReason::NoPassive => "no-passive",
            RefusalReason::BuildFailed => "build-failed",
        }
    }
}

/// A refusal: the IdP's own page, or a SAML error Response to the SP.
#[derive(Clone, Debug)]
pub enum Refusal {
    Page(ErrorPage),
    SamlError {
        reason: RefusalReason,
        answer: Box<Answer>,
    },
}

impl Refusal {
    pub fn reason(&self) -> RefusalReason {
        match self {
            Refusal::Page(p) => p.reason,
            Refusal::SamlError { reason, .. } => *reason,
        }
    }
}

/// A page the IdP shows instead of going back to the SP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorPage {
    pub reason: RefusalReason,
    pub http_status: u16,
    /// The vendor's code (`AADSTS50105`) or ours (`not-assigned`).
    pub code: String,
    pub title: String,
    pub message: String,
    pub html: String,
}

/// What [`Idp::login`](super::core::Idp::login) decided, and the session it opened.
#[derive(Clone, Debug)]
pub struct LoginOutcome {
    pub decision: Decision,
    /// A new session token for the [`SESSION_COOKIE`](super::core::SESSION_COOKIE) cookie.
    pub set_session: Option<String>,
}

/// The RelayState of an IdP-initiated launch (VENDORS.md 1.2: absent,
/// static default, per-launch override).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LaunchRelayState {
    None,
    /// The profile's `default_relay_state` (none if it has none).
    Default,
    Given(String),
}
