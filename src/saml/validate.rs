//! The SP's Response validation, sans-IO: config, `now` and the bytes in;
//! a [`Login`] or a named [`Rejection`] out (DESIGN.md invariant 3).
//!
//! Order (each step refuses with its own reason):
//! 1. strict parse (XML reasons pass through); root is `samlp:Response`,
//!    Version 2.0, an NCName ID, a valid IssueInstant;
//! 2. Status is Success, else `status-not-success` with the codes;
//! 3. the Response Issuer, when present, is the configured IdP;
//! 4. exactly one top-level Assertion (I5): EncryptedAssertion is not
//!    supported yet; Advice assertions never count;
//! 5. no duplicate ID anywhere (I4); the Assertion has Version, ID,
//!    IssueInstant and exactly one Issuer, the configured one (likewise
//!    at most one Response Issuer, Subject and Subject identifier);
//! 6. signatures: only on the Response root or the one Assertion (any
//!    other is a donor, XSW-DONOR); every present signature must verify
//!    (strict shape, pinned keys: dsig); at least one must; the
//!    assertion's own when `want_assertions_signed`;
//! 7. Destination, bearer SubjectConfirmation (Recipient, NotOnOrAfter),
//!    Conditions (time window, audience), AuthnStatement, NameID;
//! 8. InResponseTo against the browser's pending request;
//! 9. replay (assertion and response ids).
//!
//! Values are read only from the verified subtree (I2): the Assertion is
//! inside whichever element verified. When only the Assertion is signed,
//! the envelope's Destination and InResponseTo are used only to refuse
//! inconsistencies (SIG5), never as authority.
//!
//! Time (SAML Core 2.5.1.2, 2.4.1.2): an assertion is valid while
//! `NotBefore − skew ≤ now < NotOnOrAfter + skew`; NotOnOrAfter is
//! exclusive, so at exactly `NotOnOrAfter + skew` it is expired. SAML
//! instants are whole seconds here; `now` is exact to the millisecond.
//!
//! Deliberate differences from python3-saml: a missing AudienceRestriction
//! is refused (`audience-missing`; Profiles 4.1.4.2 requires one naming
//! the SP for bearer assertions), and URLs (Destination, Recipient) are
//! compared as exact strings, with no normalisation of case, port or
//! trailing slash: the IdP app must hold exactly the SP's ACS URL.

use std::collections::BTreeMap;
use std::time::Duration;

use time::OffsetDateTime;

use crate::saml::dsig::{find_signatures, verify_element, VerifyOptions, DSIG_NS};
use crate::saml::instant::format_instant;
use crate::saml::keys::TrustedKeys;
use crate::saml::reason::{Reason, Rejection};
use crate::saml::replay::{IdKind, ReplayCache};
use crate::saml::request::{check_version, read_id, read_instant};
use crate::saml::response::{SignWhat, CM_BEARER};
use crate::saml::xml::{Document, NodeId};
use crate::saml::{SAML_ASSERTION_NS, SAML_PROTOCOL_NS};

mod checks;

use checks::{
    at_most_one, at_or_after, before, check_bearer, check_conditions, check_issuer, check_status,
    dur, fmt_ms,
};

/// Default clock skew an SP tolerates: 180 s, as crewjam/saml and
/// Shibboleth use, and VENDORS.md §1.1's inferred WorkOS default.
/// python3-saml allows 300 s, node-saml 0.
pub const DEFAULT_ALLOWED_SKEW: Duration = Duration::from_secs(180);

/// What the SP knows about itself and the one IdP of this connection.
#[derive(Clone, Debug)]
pub struct SpConfig {
    /// The SP entity id: the Audience the assertion must name.
    pub entity_id: String,
    /// The ACS URL: Destination and Recipient must equal it exactly.
    pub acs_url: String,
    /// The IdP entity id: every Issuer must equal it.
    pub idp_entity_id: String,
    /// The IdP's pinned signing keys (empty: nothing verifies, SIG6).
    pub idp_keys: TrustedKeys,
    /// Tolerance on every time comparison.
    pub allowed_skew: Duration,
    /// Require a signature on the Assertion itself, not only the Response.
    pub want_assertions_signed: bool,
    /// Accept responses with no InResponseTo (IdP-initiated SSO).
    pub allow_idp_initiated: bool,
    /// Accept rsa-sha1/sha1 signatures (fixture mode, legacy IdPs).
    pub legacy_sha1: bool,
    /// Refuse assertions issued longer ago than this (plus skew), like
    /// crewjam's MaxIssueDelay of 90 s; `None` does not check.
    pub max_issue_delay: Option<Duration>,
}

impl SpConfig {
    /// A config with the defaults: 180 s skew, assertion signature not
    /// required (a signed Response covering it is enough), SP-initiated
    /// only, no SHA-1, no issue-age limit.
    pub fn new(entity_id: &str, acs_url: &str, idp_entity_id: &str, idp_keys: TrustedKeys) -> Self {
        SpConfig {
            entity_id: entity_id.to_string(),
            acs_url: acs_url.to_string(),
            idp_entity_id: idp_entity_id.to_string(),
            idp_keys,
            allowed_skew: DEFAULT_ALLOWED_SKEW,
            want_assertions_signed: false,
            allow_idp_initiated: false,
            legacy_sha1: false,
            max_issue_delay: None,
        }
    }
}

/// The browser's outstanding AuthnRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub request_id: String,
}

/// How to treat InResponseTo. With a pending request, a response that
/// answers another request is refused; one that answers none is treated
/// as IdP-initiated (accepted only with `allow_idp_initiated`, as
/// crewjam/saml does), so a stale pending request never blocks a tile
/// login.
#[derive(Clone, Copy, Debug)]
pub enum InResponseToCheck<'a> {
    /// A normal SP: the browser's pending request, if any.
    Pending(Option<&'a Pending>),
    /// `saml inspect`: judge everything else and report what was seen.
    Skip,
}

/// A successful login, read from the verified subtree only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    pub issuer: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    /// Attribute name → values, values in document order; several
    /// Attribute elements with one name are merged.
    pub attributes: BTreeMap<String, Vec<String>>,
    pub session_index: Option<String>,
    pub response_id: String,
    pub assertion_id: String,
    pub in_response_to: Option<String>,
    /// Which signatures verified.
    pub signed: SignWhat,
    /// Conditions NotOnOrAfter (or the bearer confirmation's when the
    /// Conditions have none).
    pub not_on_or_after: OffsetDateTime,
    pub idp_initiated: bool,
    /// AuthnStatement SessionNotOnOrAfter: the SP session should end then.
    pub session_not_on_or_after: Option<OffsetDateTime>,
    /// AuthnContextClassRef of the AuthnStatement.
    pub authn_context: Option<String>,
}

/// Validates a SAML Response for the SP described by `cfg` (see the
/// module header for the order of checks).
pub fn validate_response(
    cfg: &SpConfig,
    now: OffsetDateTime,
    xml: &[u8],
    irt: InResponseToCheck<'_>,
    replay: Option<&mut ReplayCache>,
) -> Result<Login, Rejection> {
    // 1. One strict parse (I1, I7).
    let doc = Document::parse(xml)?;
    let root = doc.root();
    if !doc.is_named(root, SAML_PROTOCOL_NS, "Response") {
        return Err(Rejection::mismatch(
            Reason::NotAResponse,
            format!("the root element is {}", doc.describe(root)),
            format!("{{{SAML_PROTOCOL_NS}}}Response"),
            doc.describe(root),
        ));
    }
    check_version(&doc, root)?;
    let response_id = read_id(&doc, root)?;
    read_instant(&doc, root, "IssueInstant")?;

    // 2. Status.
    check_status(&doc, root)?;

    // 3. Response Issuer (optional unless the Response is signed).
    let response_issuer = at_most_one(&doc, root, "Issuer", Reason::IssuerMismatch)?;
    if let Some(i) = response_issuer {
        check_issuer(&doc, i, cfg, "Response")?;
    }

    // 4. Exactly one top-level Assertion (I5).
    if doc
        .first_child_named(root, SAML_ASSERTION_NS, "EncryptedAssertion")
        .is_some()
    {
        return Err(Rejection::new(
            Reason::EncryptedAssertionUnsupported,
            "the Response carries an EncryptedAssertion (XML Encryption is not supported yet)",
        ));
    }
    let assertions: Vec<NodeId> = doc
        .children_named(root, SAML_ASSERTION_NS, "Assertion")
        .collect();
    let assertion = match assertions.as_slice() {
        [] => {
            return Err(Rejection::new(
                Reason::NoAssertion,
                "the Response carries no Assertion",
            ))
        }
        [one] => *one,
        _ => {
            return Err(Rejection::new(
                Reason::MultipleAssertions,
                format!(
                    "the Response carries {} top-level Assertions; exactly 1 is allowed",
                    assertions.len()
                ),
            ))
        }
    };

    // 5. IDs and the Assertion's own header.
    if let Some(dup) = doc.find_duplicate_id() {
        return Err(Rejection::new(
            Reason::DuplicateId,
            format!("ID {dup:?} appears more than once in the document"),
        ));
    }
    check_version(&doc, assertion)?;
    let assertion_id = read_id(&doc, assertion)?;
    let issue_instant = read_instant(&doc, assertion, "IssueInstant")?;
    let issuer_el = at_most_one(&doc, assertion, "Issuer", Reason::IssuerMismatch)?
        .ok_or_else(|| Rejection::new(Reason::IssuerMissing, "the Assertion has no Issuer"))?;
    let issuer = check_issuer(&doc, issuer_el, cfg, "Assertion")?;

    // 6. Signatures: where they may be, and that every one verifies.
    for s in find_signatures(&doc) {
        let parent = doc.parent(s);
        if parent != Some(root) && parent != Some(assertion) {
            let at = parent.map_or("the document".to_string(), |p| doc.describe(p));
            return Err(Rejection::new(
                Reason::UnexpectedSignature,
                format!(
                    "a ds:Signature sits in {at}; only the Response and its Assertion may be signed \
                     (signature donor, SECURITY.md XSW-DONOR)"
                ),
            ));
        }
    }
    let response_signed = doc.first_child_named(root, DSIG_NS, "Signature").is_some();
    let assertion_signed = doc
        .first_child_named(assertion, DSIG_NS, "Signature")
        .is_some();
    if !response_signed && !assertion_signed {
        return Err(Rejection::new(
            Reason::SignatureMissing,
            "neither the Response nor the Assertion is signed",
        ));
    }
    let options = VerifyOptions {
        legacy_sha1: cfg.legacy_sha1,
    };
    if response_signed {
        verify_element(&doc, root, &cfg.idp_keys, &options)?;
        // SAML Profiles 4.1.4.2: a signed Response MUST carry an Issuer.
        if response_issuer.is_none() {
            return Err(Rejection::new(
                Reason::IssuerMissing,
                "the Response is signed but has no Issuer (SAML Profiles 4.1.4.2)",
            ));
        }
    }
    if assertion_signed {
        verify_element(&doc, assertion, &cfg.idp_keys, &options)?;
    }
    if cfg.want_assertions_signed && !assertion_signed {
        return Err(Rejection::new(
            Reason::AssertionNotSigned,
            "only the Response is signed and this SP requires a signature on the Assertion itself",
        ));
    }
    let signed = match (response_signed, assertion_signed) {
        (true, true) => SignWhat::Both,
        (true, false) => SignWhat::Response,
        (false, true) => SignWhat::Assertion,
        (false, false) => SignWhat::Neither,
    };
    // I2: everything below reads inside the verified element (the
    // Response when it verified, else the Assertion).
    let verified = if response_signed { root } else { assertion };
    if !doc.is_within(assertion, verified) {
        return Err(Rejection::new(
            Reason::InternalError,
            "the consumed assertion is outside the verified element",
        ));
    }

    // 7. Destination (Bindings 3.5.5.2: required on a signed Response).
    match doc.attribute(root, "Destination") {
        Some(d) if d != cfg.acs_url => {
            return Err(Rejection::mismatch(
                Reason::DestinationMismatch,
                format!(
                    "the Response's Destination is {d:?} but this SP's ACS URL is {:?}",
                    cfg.acs_url
                ),
                cfg.acs_url.clone(),
                d,
            ))
        }
        None if response_signed => {
            return Err(Rejection::mismatch(
                Reason::DestinationMismatch,
                "the Response is signed but has no Destination (SAML Bindings 3.5.5.2)",
                cfg.acs_url.clone(),
                "(none)",
            ))
        }
        _ => {}
    }

    // Subject: NameID and a bearer confirmation (Profiles 4.1.4.2).
    let subject = at_most_one(&doc, assertion, "Subject", Reason::NameIdMissing)?;
    if let Some(s) = subject {
        // SAML Core 2.4.1: (BaseID | NameID | EncryptedID)?, one identifier.
        let ids = doc
            .child_elements(s)
            .filter(|c| {
                ["BaseID", "NameID", "EncryptedID"]
                    .iter()
                    .any(|l| doc.is_named(*c, SAML_ASSERTION_NS, l))
            })
            .count();
        if ids > 1 {
            return Err(Rejection::new(
                Reason::NameIdMissing,
                format!("the Subject carries {ids} identifiers; SAML Core 2.4.1 allows one"),
            ));
        }
    }
    let name_id_el = subject.and_then(|s| doc.first_child_named(s, SAML_ASSERTION_NS, "NameID"));
    let name_id = name_id_el
        .map(|n| doc.text(n).trim().to_string())
        .unwrap_or_default();
    if name_id.is_empty() {
        let why = match (subject, name_id_el) {
            (None, _) => "the Assertion has no Subject",
            (Some(s), None)
                if doc
                    .first_child_named(s, SAML_ASSERTION_NS, "EncryptedID")
                    .is_some() =>
            {
                "the Subject carries an EncryptedID, which this SP does not decrypt"
            }
            (Some(_), None) => "the Subject has no NameID",
            (Some(_), Some(_)) => "the NameID is empty",
        };
        return Err(Rejection::new(Reason::NameIdMissing, why));
    }
    // SAML Core 2.2.3: NameID is a string. An element inside it would
    // make our text (which skips child elements) differ from the XPath
    // string-value another consumer reads (`ada@x<e>.evil</e>`), the
    // TXT1 truncation by other means.
    if let Some(n) = name_id_el {
        if doc.child_elements(n).next().is_some() {
            return Err(Rejection::new(
                Reason::NameIdMissing,
                "the NameID has element content; SAML Core 2.2.3 makes it a plain string",
            ));
        }
    }
    let name_id_format = name_id_el
        .and_then(|n| doc.attribute(n, "Format"))
        .map(str::to_string);
    // SAML Core 2.2.2: SPNameQualifier names the SP the identifier was
    // made for (pairwise persistent ids); another SP's is not ours.
    if let Some(q) = name_id_el.and_then(|n| doc.attribute(n, "SPNameQualifier")) {
        if q != cfg.entity_id {
            return Err(Rejection::mismatch(
                Reason::NameIdQualifierMismatch,
                format!(
                    "the NameID's SPNameQualifier is {q:?} but this SP is {:?}",
                    cfg.entity_id
                ),
                cfg.entity_id.clone(),
                q,
            ));
        }
    }
    let mut bearer = None;
    let mut first_error = None;
    if let Some(s) = subject {
        for sc in doc.children_named(s, SAML_ASSERTION_NS, "SubjectConfirmation") {
            if doc.attribute(sc, "Method") != Some(CM_BEARER) {
                continue;
            }
            // SECURITY.md SC2: one bearer confirmation that passes is enough.
            match check_bearer(&doc, sc, cfg, now) {
                Ok(b) => {
                    bearer = Some(b);
                    break;
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
    }
    let bearer = match (bearer, first_error) {
        (Some(b), _) => b,
        (None, Some(e)) => return Err(e),
        (None, None) => {
            return Err(Rejection::new(
                Reason::SubjectConfirmationInvalid,
                format!("the Subject has no SubjectConfirmation with Method {CM_BEARER}"),
            ))
        }
    };

    let conditions_noa = check_conditions(&doc, assertion, cfg, now)?;

    // SAML Profiles 4.1.4.2: at least one AuthnStatement.
    let authn = doc
        .first_child_named(assertion, SAML_ASSERTION_NS, "AuthnStatement")
        .ok_or_else(|| {
            Rejection::new(
                Reason::AuthnStatementMissing,
                "the Assertion has no AuthnStatement (SAML Profiles 4.1.4.2)",
            )
        })?;
    let session_index = doc.attribute(authn, "SessionIndex").map(str::to_string);
    let session_not_on_or_after = match doc.attribute(authn, "SessionNotOnOrAfter") {
        Some(_) => Some(read_instant(&doc, authn, "SessionNotOnOrAfter")?),
        None => None,
    };
    if let Some(end) = session_not_on_or_after {
        // SAML Core 2.7.2: the session ends at SessionNotOnOrAfter (exclusive).
        if at_or_after(now, end, cfg.allowed_skew) {
            return Err(Rejection::mismatch(
                Reason::SessionExpired,
                format!(
                    "the AuthnStatement's SessionNotOnOrAfter is {} (plus {} s skew) but now is {}",
                    format_instant(end),
                    cfg.allowed_skew.as_secs(),
                    fmt_ms(now)
                ),
                format_instant(end),
                fmt_ms(now),
            ));
        }
    }
    let authn_context = doc
        .first_child_named(authn, SAML_ASSERTION_NS, "AuthnContext")
        .and_then(|c| doc.first_child_named(c, SAML_ASSERTION_NS, "AuthnContextClassRef"))
        .map(|r| doc.text(r).trim().to_string());

    if let Some(max) = cfg.max_issue_delay {
        let window = max.saturating_add(cfg.allowed_skew);
        if at_or_after(now, issue_instant, window) || before(now, issue_instant, cfg.allowed_skew) {
            return Err(Rejection::mismatch(
                Reason::IssueInstantOutOfRange,
                format!(
                    "the Assertion was issued at {} and now is {}; at most {} s (plus {} s skew) \
                     may pass",
                    format_instant(issue_instant),
                    fmt_ms(now),
                    max.as_secs(),
                    cfg.allowed_skew.as_secs()
                ),
                format!("within {} s", max.as_secs()),
                format_instant(issue_instant),
            ));
        }
    }

    // 8. InResponseTo. The bearer confirmation's value is signed whenever
    // the Assertion verified; the envelope's only when the Response did.
    let envelope_irt = doc.attribute(root, "InResponseTo").map(str::to_string);
    if let (Some(env), Some(scd)) = (&envelope_irt, &bearer.in_response_to) {
        if env != scd {
            return Err(Rejection::mismatch(
                Reason::InResponseToMismatch,
                format!(
                    "the Response answers {env:?} but its assertion's SubjectConfirmationData \
                     answers {scd:?} (SECURITY.md SIG5/IR3)"
                ),
                scd.clone(),
                env.clone(),
            ));
        }
    }
    if !response_signed && envelope_irt.is_some() && bearer.in_response_to.is_none() {
        return Err(Rejection::new(
            Reason::InResponseToMismatch,
            "the unsigned Response envelope claims an InResponseTo that the signed assertion does \
             not carry (SECURITY.md SIG5)",
        ));
    }
    let in_response_to =
        bearer
            .in_response_to
            .clone()
            .or(if response_signed { envelope_irt } else { None });
    match (irt, &in_response_to) {
        (InResponseToCheck::Skip, _) => {}
        (InResponseToCheck::Pending(Some(p)), Some(got)) if *got != p.request_id => {
            return Err(Rejection::mismatch(
                Reason::InResponseToMismatch,
                format!(
                    "the response answers request {got:?} but the outstanding request is {:?}",
                    p.request_id
                ),
                p.request_id.clone(),
                got.clone(),
            ))
        }
        (InResponseToCheck::Pending(Some(_)), Some(_)) => {}
        (InResponseToCheck::Pending(None), Some(got)) => {
            return Err(Rejection::mismatch(
                Reason::UnexpectedInResponseTo,
                format!("the response answers request {got:?} but no request is outstanding"),
                "(no request)",
                got.clone(),
            ))
        }
        (InResponseToCheck::Pending(_), None) => {
            if !cfg.allow_idp_initiated {
                return Err(Rejection::new(
                    Reason::UnsolicitedResponse,
                    "the response answers no request (IdP-initiated) and this SP accepts only \
                     logins it started",
                ));
            }
        }
    }

    // Attributes, from the verified assertion only.
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for st in doc.children_named(assertion, SAML_ASSERTION_NS, "AttributeStatement") {
        for at in doc.children_named(st, SAML_ASSERTION_NS, "Attribute") {
            let Some(name) = doc.attribute(at, "Name") else {
                continue;
            };
            let values = attributes.entry(name.to_string()).or_default();
            for v in doc.children_named(at, SAML_ASSERTION_NS, "AttributeValue") {
                values.push(doc.text(v));
            }
        }
    }

    // 9. Replay: both ids, kept until the assertion could no longer pass.
    let not_on_or_after = conditions_noa.unwrap_or(bearer.not_on_or_after);
    if let Some(cache) = replay {
        let keep_until = conditions_noa
            .map_or(bearer.not_on_or_after, |c| c.max(bearer.not_on_or_after))
            .checked_add(dur(cfg.allowed_skew))
            .unwrap_or(time::PrimitiveDateTime::MAX.assume_utc());
        for (kind, id) in [
            (IdKind::Assertion, &assertion_id),
            (IdKind::Response, &response_id),
        ] {
            if cache.contains(kind, id, now) {
                return Err(Rejection::new(
                    Reason::ReplayedAssertion,
                    format!(
                        "{} ID {id:?} was already used to sign in",
                        match kind {
                            IdKind::Assertion => "assertion",
                            IdKind::Response => "response",
                        }
                    ),
                ));
            }
        }
        if !cache.make_room(2, now) {
            return Err(Rejection::new(
                Reason::ReplayCacheFull,
                format!(
                    "the replay cache holds {} live entries (capacity {})",
                    cache.len(),
                    cache.capacity()
                ),
            ));
        }
        cache.insert(IdKind::Assertion, &assertion_id, keep_until);
        cache.insert(IdKind::Response, &response_id, keep_until);
    }

    Ok(Login {
        issuer,
        name_id,
        name_id_format,
        attributes,
        session_index,
        response_id,
        assertion_id,
        idp_initiated: in_response_to.is_none(),
        in_response_to,
        signed,
        not_on_or_after,
        session_not_on_or_after,
        authn_context,
    })
}
