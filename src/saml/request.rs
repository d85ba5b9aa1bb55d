//! AuthnRequest (SAML Core 3.4.1): building it on the SP side, reading it
//! strictly on the IdP side.
//!
//! Over the Redirect binding the query-string signature is authoritative
//! and an embedded `ds:Signature` must be ignored (Bindings 3.4.4.1), so
//! [`parse_authn_request`] never looks at one. A POST-bound request is
//! signed in the XML; [`verify_post_authn_request`] verifies the signature
//! enveloped in the request root and reads values from that same tree,
//! refusing any signature elsewhere (SECURITY.md XSW-REQ).

use time::OffsetDateTime;

use crate::saml::dsig::{find_signatures, verify_element, VerifyOptions};
use crate::saml::escape::{check_xml_text, xml_attr, xml_text};
use crate::saml::instant::{format_instant, parse_instant};
use crate::saml::keys::TrustedKeys;
use crate::saml::metadata::{AcsEndpoint, SpMetadata};
use crate::saml::reason::{Reason, Rejection, SamlError};
use crate::saml::response::NAMEID_ENTITY;
use crate::saml::xml::{is_ncname, Document, NodeId};
use crate::saml::{SAML_ASSERTION_NS, SAML_PROTOCOL_NS};
use crate::sim::Rng;

/// SAML Bindings 3.5: HTTP-POST.
pub const BINDING_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// SAML Bindings 3.4: HTTP-Redirect.
pub const BINDING_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// SAML Bindings 3.6: HTTP-Artifact.
pub const BINDING_ARTIFACT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact";

/// What the SP puts in its AuthnRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthnRequestParams {
    /// The SP entity id.
    pub issuer: String,
    /// Where the response must go (AssertionConsumerServiceURL).
    pub acs_url: String,
    /// The IdP's SSO URL (Destination).
    pub destination: String,
    pub force_authn: bool,
    /// NameIDPolicy Format, e.g. emailAddress.
    pub name_id_policy: Option<String>,
}

/// A request as the IdP read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthnRequest {
    pub id: String,
    pub issuer: String,
    pub acs_url: Option<String>,
    pub acs_index: Option<u32>,
    pub destination: Option<String>,
    pub issue_instant: OffsetDateTime,
    pub protocol_binding: Option<String>,
    pub force_authn: bool,
    pub is_passive: bool,
    pub name_id_policy: Option<String>,
}

/// Builds an AuthnRequest answered over HTTP-POST. Returns (id, xml).
pub fn build_authn_request(
    p: &AuthnRequestParams,
    now: OffsetDateTime,
    rng: &mut Rng,
) -> (String, String) {
    let id = format!("_{}", rng.hex(20));
    let force = if p.force_authn {
        " ForceAuthn=\"true\""
    } else {
        ""
    };
    let mut x = format!(
        "<samlp:AuthnRequest xmlns:samlp=\"{SAML_PROTOCOL_NS}\" xmlns:saml=\"{SAML_ASSERTION_NS}\" \
         ID=\"{id}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\"{force} \
         AssertionConsumerServiceURL=\"{}\" ProtocolBinding=\"{BINDING_POST}\">\
         <saml:Issuer>{}</saml:Issuer>",
        format_instant(now),
        xml_attr(&p.destination),
        xml_attr(&p.acs_url),
        xml_text(&p.issuer),
    );
    if let Some(f) = &p.name_id_policy {
        x.push_str(&format!(
            "<samlp:NameIDPolicy Format=\"{}\" AllowCreate=\"true\"/>",
            xml_attr(f)
        ));
    }
    x.push_str("</samlp:AuthnRequest>");
    (id, x)
}

/// Like [`build_authn_request`] but refuses text XML cannot carry.
pub fn try_build_authn_request(
    p: &AuthnRequestParams,
    now: OffsetDateTime,
    rng: &mut Rng,
) -> Result<(String, String), SamlError> {
    for (what, v) in [
        ("issuer", &p.issuer),
        ("acs_url", &p.acs_url),
        ("destination", &p.destination),
    ] {
        check_xml_text(what, v)?;
    }
    if let Some(f) = &p.name_id_policy {
        check_xml_text("name_id_policy", f)?;
    }
    Ok(build_authn_request(p, now, rng))
}

/// `xs:boolean` (XML Schema 2 §3.2.2): `true`, `false`, `1`, `0`.
pub(crate) fn xs_boolean(v: &str) -> Option<bool> {
    match v {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn invalid(detail: impl Into<String>) -> Rejection {
    Rejection::new(Reason::RequestInvalid, detail)
}

fn read_authn_request(doc: &Document) -> Result<AuthnRequest, Rejection> {
    let root = doc.root();
    if !doc.is_named(root, SAML_PROTOCOL_NS, "AuthnRequest") {
        return Err(Rejection::mismatch(
            Reason::NotAnAuthnRequest,
            format!("the root element is {}", doc.describe(root)),
            format!("{{{SAML_PROTOCOL_NS}}}AuthnRequest"),
            doc.describe(root),
        ));
    }
    check_version(doc, root)?;
    let id = read_id(doc, root)?;
    let issue_instant = read_instant(doc, root, "IssueInstant")?;
    // SAML Profiles 4.1.4.1: the Issuer MUST be present and name the SP.
    let issuer_el = doc
        .first_child_named(root, SAML_ASSERTION_NS, "Issuer")
        .ok_or_else(|| Rejection::new(Reason::IssuerMissing, "the AuthnRequest has no Issuer"))?;
    if let Some(f) = doc.attribute(issuer_el, "Format") {
        if f != NAMEID_ENTITY {
            return Err(invalid(format!(
                "Issuer Format is {f:?}; SAML Profiles 4.1.4.1 requires the entity format or none"
            )));
        }
    }
    let issuer = doc.text(issuer_el).trim().to_string();
    if issuer.is_empty() {
        return Err(Rejection::new(Reason::IssuerMissing, "the Issuer is empty"));
    }
    let acs_url = doc
        .attribute(root, "AssertionConsumerServiceURL")
        .map(str::to_string);
    let acs_index = match doc.attribute(root, "AssertionConsumerServiceIndex") {
        Some(v) => Some(v.parse::<u16>().map(u32::from).map_err(|_| {
            invalid(format!(
                "AssertionConsumerServiceIndex {v:?} is not an unsignedShort"
            ))
        })?),
        None => None,
    };
    let protocol_binding = doc.attribute(root, "ProtocolBinding").map(str::to_string);
    // SAML Core 3.4.1: the index is mutually exclusive with the URL and
    // with ProtocolBinding.
    if acs_index.is_some() && (acs_url.is_some() || protocol_binding.is_some()) {
        return Err(invalid(
            "AssertionConsumerServiceIndex is mutually exclusive with AssertionConsumerServiceURL \
             and ProtocolBinding (SAML Core 3.4.1)",
        ));
    }
    let flag = |name: &str| -> Result<bool, Rejection> {
        match doc.attribute(root, name) {
            None => Ok(false),
            Some(v) => {
                xs_boolean(v).ok_or_else(|| invalid(format!("{name} {v:?} is not an xs:boolean")))
            }
        }
    };
    let force_authn = flag("ForceAuthn")?;
    let is_passive = flag("IsPassive")?;
    let name_id_policy = doc
        .first_child_named(root, SAML_PROTOCOL_NS, "NameIDPolicy")
        .and_then(|n| doc.attribute(n, "Format"))
        .map(str::to_string);
    Ok(AuthnRequest {
        id,
        issuer,
        acs_url,
        acs_index,
        destination: doc.attribute(root, "Destination").map(str::to_string),
        issue_instant,
        protocol_binding,
        force_authn,
        is_passive,
        name_id_policy,
    })
}

pub(crate) fn check_version(doc: &Document, el: NodeId) -> Result<(), Rejection> {
    match doc.attribute(el, "Version") {
        Some("2.0") => Ok(()),
        other => Err(Rejection::mismatch(
            Reason::VersionUnsupported,
            match other {
                Some(v) => format!("{} has Version {v:?}, not \"2.0\"", doc.describe(el)),
                None => format!("{} has no Version", doc.describe(el)),
            },
            "2.0",
            other.unwrap_or("(none)"),
        )),
    }
}

pub(crate) fn read_id(doc: &Document, el: NodeId) -> Result<String, Rejection> {
    match doc.id_of(el) {
        Some(v) if is_ncname(v) => Ok(v.to_string()),
        Some(v) => Err(Rejection::new(
            Reason::IdInvalid,
            format!("{} has ID {v:?}, which is not an NCName", doc.describe(el)),
        )),
        None => Err(Rejection::new(
            Reason::IdInvalid,
            format!("{} has no ID", doc.describe(el)),
        )),
    }
}

pub(crate) fn read_instant(
    doc: &Document,
    el: NodeId,
    attr: &str,
) -> Result<OffsetDateTime, Rejection> {
    let v = doc.attribute(el, attr).ok_or_else(|| {
        Rejection::new(
            Reason::InstantInvalid,
            format!("{} has no {attr}", doc.describe(el)),
        )
    })?;
    parse_instant(v).ok_or_else(|| {
        Rejection::new(
            Reason::InstantInvalid,
            format!(
                "{attr} {v:?} on {} is not a UTC xs:dateTime like 2026-01-01T00:00:00Z",
                doc.describe(el)
            ),
        )
    })
}

/// Reads an AuthnRequest under the strict profile. Any `ds:Signature` in
/// it is ignored: over HTTP-Redirect the query-string signature is the
/// one that counts (Bindings 3.4.4.1).
pub fn parse_authn_request(xml: &[u8]) -> Result<AuthnRequest, Rejection> {
    let doc = Document::parse(xml)?;
    read_authn_request(&doc)
}

/// Reads a POST-bound AuthnRequest whose root carries an enveloped
/// signature by one of `keys`; values come from the same tree that
/// verified (I1, I2). A signature anywhere but on the root is refused.
pub fn verify_post_authn_request(
    xml: &[u8],
    keys: &TrustedKeys,
    legacy_sha1: bool,
) -> Result<AuthnRequest, Rejection> {
    let doc = Document::parse(xml)?;
    let root = doc.root();
    for s in find_signatures(&doc) {
        if doc.parent(s) != Some(root) {
            return Err(Rejection::new(
                Reason::UnexpectedSignature,
                "a ds:Signature sits inside the request rather than on its root (XSW-REQ)",
            ));
        }
    }
    let request = read_authn_request(&doc)?;
    verify_element(&doc, root, keys, &VerifyOptions { legacy_sha1 })?;
    Ok(request)
}

/// The IdP's checks of a (read, and if required verified) AuthnRequest
/// against the SP's metadata, returning the endpoint to answer at:
/// - the Issuer is the SP's entity id (`issuer-mismatch`);
/// - an AssertionConsumerServiceURL must be registered exactly, never
///   reflected (SECURITY.md IDP1, `acs-not-registered`); an index must
///   exist (IDP2); with neither, the metadata default (SAML Metadata 2.2.3);
/// - the response binding (requested or registered) must be HTTP-POST,
///   the only one the Web SSO profile lets us use here (`binding-unsupported`).
pub fn resolve_acs(req: &AuthnRequest, sp: &SpMetadata) -> Result<AcsEndpoint, Rejection> {
    if req.issuer != sp.entity_id {
        return Err(Rejection::mismatch(
            Reason::IssuerMismatch,
            format!(
                "the AuthnRequest's Issuer is {:?} but the SP is registered as {:?}",
                req.issuer, sp.entity_id
            ),
            sp.entity_id.clone(),
            req.issuer.clone(),
        ));
    }
    let registered = || {
        sp.acs
            .iter()
            .map(|a| a.location.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let endpoint = match (&req.acs_url, req.acs_index) {
        (Some(url), _) => sp
            .acs
            .iter()
            .find(|a| a.location == *url && a.binding == BINDING_POST)
            .or_else(|| sp.acs.iter().find(|a| a.location == *url))
            .ok_or_else(|| {
                Rejection::mismatch(
                    Reason::AcsNotRegistered,
                    format!("AssertionConsumerServiceURL {url:?} is not registered for this SP"),
                    registered(),
                    url.clone(),
                )
            })?,
        (None, Some(i)) => sp.acs_by_index(i).ok_or_else(|| {
            Rejection::mismatch(
                Reason::AcsNotRegistered,
                format!("AssertionConsumerServiceIndex {i} is not registered for this SP"),
                sp.acs
                    .iter()
                    .map(|a| a.index.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                i.to_string(),
            )
        })?,
        (None, None) => sp.default_acs().ok_or_else(|| {
            Rejection::new(
                Reason::AcsNotRegistered,
                "the SP's metadata has no ACS endpoint",
            )
        })?,
    };
    let binding = req.protocol_binding.as_deref().unwrap_or(&endpoint.binding);
    if binding != BINDING_POST || endpoint.binding != BINDING_POST {
        return Err(Rejection::mismatch(
            Reason::BindingUnsupported,
            format!(
                "the response would go over {binding:?} to an endpoint registered for {:?}; only \
                 HTTP-POST is supported",
                endpoint.binding
            ),
            BINDING_POST,
            binding,
        ));
    }
    Ok(endpoint.clone())
}

/// The IdP's envelope checks of an AuthnRequest:
/// - Destination, when present, must be one of the IdP's SSO URLs, and a
///   signed request must carry one (Bindings 3.4.5.2 and 3.5.5.2: a signed
///   message's Destination MUST be present and checked), else
///   `destination-mismatch`;
/// - IssueInstant within `max_age` (plus `allowed_skew`) before `now` and
///   no more than `allowed_skew` after it, else `issue-instant-out-of-range`.
pub fn check_authn_request(
    req: &AuthnRequest,
    sso_urls: &[&str],
    signed: bool,
    now: OffsetDateTime,
    max_age: std::time::Duration,
    allowed_skew: std::time::Duration,
) -> Result<(), Rejection> {
    match &req.destination {
        Some(d) if !sso_urls.contains(&d.as_str()) => {
            return Err(Rejection::mismatch(
                Reason::DestinationMismatch,
                format!("the AuthnRequest's Destination is {d:?}, not this IdP's SSO URL"),
                sso_urls.join(", "),
                d.clone(),
            ))
        }
        None if signed => {
            return Err(Rejection::mismatch(
                Reason::DestinationMismatch,
                "the AuthnRequest is signed but has no Destination (SAML Bindings 3.4.5.2)",
                sso_urls.join(", "),
                "(none)",
            ))
        }
        _ => {}
    }
    let dur = |d: std::time::Duration| time::Duration::try_from(d).unwrap_or(time::Duration::MAX);
    let age = now - req.issue_instant;
    if age >= dur(max_age.saturating_add(allowed_skew)) || -age > dur(allowed_skew) {
        return Err(Rejection::mismatch(
            Reason::IssueInstantOutOfRange,
            format!(
                "the AuthnRequest was issued at {} and now is {}; it must be at most {} s old \
                 (plus {} s skew)",
                format_instant(req.issue_instant),
                format_instant(now),
                max_age.as_secs(),
                allowed_skew.as_secs()
            ),
            format!("within {} s", max_age.as_secs()),
            format_instant(req.issue_instant),
        ));
    }
    Ok(())
}
