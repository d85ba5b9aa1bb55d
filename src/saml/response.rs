//! Building SAML Responses (the IdP side): a login for one user, shaped
//! by a vendor personality ([`ResponseShape`], pure data), or a refusal
//! carrying a non-success status.
//!
//! Everything the message contains comes from the arguments: `now` (the
//! virtual clock), ids from the seeded [`Rng`], and the signing key. The
//! same inputs always give the same bytes (RSA PKCS#1 v1.5 signatures are
//! deterministic).
//!
//! SECURITY.md IDP5: ids are NCNames with at least 128 bits of
//! randomness; RSA-SHA256 over exc-c14n; no comments, DOCTYPE or PI;
//! `Destination`, `Recipient`, `InResponseTo` (when answering a request),
//! `Audience`, a short `NotOnOrAfter` and `SessionIndex` are all set.

use std::time::Duration;

use time::OffsetDateTime;

use crate::saml::dsig::{sign_by_id, sign_parsed_by_id, DsigError, SignOptions};
use crate::saml::escape::{check_xml_text, xml_attr, xml_text};
use crate::saml::instant::{format_instant, truncate_to_second};
use crate::saml::keys::SigningKey;
use crate::saml::reason::SamlError;
use crate::saml::xml::{Document, TreeWriter};
use crate::saml::{SAML_ASSERTION_NS, SAML_PROTOCOL_NS};
use crate::sim::Rng;

/// SAML Core 8.3.7: the entity identifier format.
pub const NAMEID_ENTITY: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";
/// SAML Core 8.3.2.
pub const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
/// SAML Core 8.3.1.
pub const NAMEID_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
/// SAML Core 8.3.7.
pub const NAMEID_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
/// SAML Core 8.3.8.
pub const NAMEID_TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
/// SAML Core 8.2.2 / 8.2.3: attribute name formats.
pub const ATTRNAME_BASIC: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";
pub const ATTRNAME_URI: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
pub const ATTRNAME_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified";
/// SAML Profiles 3.3: the bearer confirmation method.
pub const CM_BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// SAML Authn Context 3.4.
pub const AC_PASSWORD_PROTECTED_TRANSPORT: &str =
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
pub const AC_PASSWORD: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password";
/// SAML Core 3.2.2.2: top-level status codes.
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
pub const STATUS_REQUESTER: &str = "urn:oasis:names:tc:SAML:2.0:status:Requester";
pub const STATUS_RESPONDER: &str = "urn:oasis:names:tc:SAML:2.0:status:Responder";
pub const STATUS_VERSION_MISMATCH: &str = "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch";
/// SAML Core 3.2.2.2: second-level status codes used by the mock IdPs.
pub const STATUS_REQUEST_DENIED: &str = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied";
pub const STATUS_AUTHN_FAILED: &str = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed";
pub const STATUS_INVALID_NAMEID_POLICY: &str =
    "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy";
pub const STATUS_REQUEST_UNSUPPORTED: &str =
    "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported";
pub const STATUS_NO_PASSIVE: &str = "urn:oasis:names:tc:SAML:2.0:status:NoPassive";

const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Which elements the IdP signs (and, on the SP side, which verified).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignWhat {
    Response,
    Assertion,
    Both,
    Neither,
}

impl SignWhat {
    pub fn name(self) -> &'static str {
        match self {
            SignWhat::Response => "response",
            SignWhat::Assertion => "assertion",
            SignWhat::Both => "both",
            SignWhat::Neither => "neither",
        }
    }

    fn response(self) -> bool {
        matches!(self, SignWhat::Response | SignWhat::Both)
    }

    fn assertion(self) -> bool {
        matches!(self, SignWhat::Assertion | SignWhat::Both)
    }
}

/// How message ids look (VENDORS.md §2). All styles carry at least 122
/// bits of randomness and are NCNames (SAML Core 1.3.4: `xs:ID`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdStyle {
    /// `_` + 40 hex digits (160 bits): the generic profile.
    Underscore,
    /// Entra ID: `_` + a version-4 GUID (`_bf9c623d-cc20-407a-…`, 122 bits).
    EntraGuid,
    /// Okta: `id` + decimal digits. Real Okta ids carry about 25 digits
    /// (~83 bits); we draw 39 digits (a random u128) so that SECURITY.md
    /// IDP5's 128-bit floor holds. The shape (`id` + digits) is what SPs
    /// see and what matters for fidelity.
    OktaId,
    /// Google Workspace: `_` + 32 hex digits (128 bits).
    GoogleHex,
}

impl IdStyle {
    /// A fresh id in this style drawn from `rng`.
    pub fn generate(self, rng: &mut Rng) -> String {
        match self {
            IdStyle::Underscore => format!("_{}", rng.hex(20)),
            IdStyle::EntraGuid => format!("_{}", rng.uuid()),
            IdStyle::OktaId => {
                // A non-zero leading digit, then 38 digits from a random
                // u128 (≈126 + 3 bits), so the id never starts `id0`.
                let lead = 1 + rng.u64() % 9;
                let v = ((u128::from(rng.u64()) << 64) | u128::from(rng.u64())) % 10u128.pow(38);
                format!("id{lead}{v:038}")
            }
            IdStyle::GoogleHex => format!("_{}", rng.hex(16)),
        }
    }
}

/// Namespace prefixes on the wire (VENDORS.md §2.2/§2.3: Okta and Google
/// write `saml2p:`/`saml2:`; Entra writes a default namespace; most write
/// `samlp:`/`saml:`). SPs must match by namespace URI, never by prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NsStyle {
    /// `samlp:` and `saml:`.
    Samlp,
    /// `saml2p:` and `saml2:`.
    Saml2p,
}

impl NsStyle {
    fn prefixes(self) -> (&'static str, &'static str) {
        match self {
            NsStyle::Samlp => ("samlp", "saml"),
            NsStyle::Saml2p => ("saml2p", "saml2"),
        }
    }
}

/// A vendor personality's knobs for a login Response. Pure data; see the
/// constructors for the vendor presets of VENDORS.md §2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseShape {
    /// The IdP entity id (Issuer of the Response and the Assertion).
    pub issuer: String,
    pub id_style: IdStyle,
    /// NameID `Format`, e.g. [`NAMEID_EMAIL`].
    pub name_id_format: String,
    pub sign: SignWhat,
    /// Sign with rsa-sha1/sha1 (a legacy IdP setting; SPs refuse it by default).
    pub legacy_sha1: bool,
    /// Conditions NotOnOrAfter = issue instant + lifetime.
    pub assertion_lifetime: Duration,
    /// SubjectConfirmationData NotOnOrAfter = issue instant + this
    /// (Entra: 5 min while Conditions run 70 min); `None` = `assertion_lifetime`.
    pub subject_confirmation_lifetime: Option<Duration>,
    /// Conditions NotBefore = issue instant − skew.
    pub not_before_skew: Duration,
    /// The IdP's clock minus the world's clock, in seconds (skew scenarios).
    pub clock_offset_s: i64,
    /// `NameFormat` on each Attribute, e.g. [`ATTRNAME_BASIC`]; `None` omits it.
    pub attribute_name_format: Option<String>,
    /// AuthnContextClassRef, e.g. [`AC_PASSWORD_PROTECTED_TRANSPORT`].
    pub authn_context: String,
    /// Write `SessionIndex` on the AuthnStatement.
    pub include_session_index: bool,
    pub ns_style: NsStyle,
    /// `xsi:type="xs:string"` on each AttributeValue (Okta).
    pub xsi_typed_values: bool,
    /// `Format="…:nameid-format:entity"` on both Issuers (Okta).
    pub issuer_format_entity: bool,
}

impl ResponseShape {
    /// VENDORS.md §2.7: spec-clean; Response and Assertion both signed,
    /// RSA-SHA256, emailAddress NameID, 5-minute windows.
    pub fn generic(issuer: &str) -> ResponseShape {
        ResponseShape {
            issuer: issuer.to_string(),
            id_style: IdStyle::Underscore,
            name_id_format: NAMEID_EMAIL.to_string(),
            sign: SignWhat::Both,
            legacy_sha1: false,
            assertion_lifetime: Duration::from_secs(300),
            subject_confirmation_lifetime: None,
            not_before_skew: Duration::from_secs(300),
            clock_offset_s: 0,
            attribute_name_format: Some(ATTRNAME_BASIC.to_string()),
            authn_context: AC_PASSWORD_PROTECTED_TRANSPORT.to_string(),
            include_session_index: true,
            ns_style: NsStyle::Samlp,
            xsi_typed_values: false,
            issuer_format_entity: false,
        }
    }

    /// VENDORS.md §2.2.1: `http://www.okta.com/<key>` issuer with entity
    /// Format, `saml2p:` prefixes, `id…` ids, xsi-typed values, NotBefore
    /// T−5 min, NotOnOrAfter T+5 min, Response signed.
    pub fn okta(issuer: &str) -> ResponseShape {
        ResponseShape {
            id_style: IdStyle::OktaId,
            sign: SignWhat::Response,
            attribute_name_format: Some(ATTRNAME_UNSPECIFIED.to_string()),
            ns_style: NsStyle::Saml2p,
            xsi_typed_values: true,
            issuer_format_entity: true,
            ..ResponseShape::generic(issuer)
        }
    }

    /// VENDORS.md §2.1.1: `https://sts.windows.net/<tenant>/`, `_`+GUID
    /// ids, assertion signed, NotBefore ≈ T, Conditions T+70 min,
    /// SubjectConfirmationData T+5 min, claim-URI attribute names.
    pub fn entra(issuer: &str) -> ResponseShape {
        ResponseShape {
            id_style: IdStyle::EntraGuid,
            sign: SignWhat::Assertion,
            assertion_lifetime: Duration::from_secs(70 * 60),
            subject_confirmation_lifetime: Some(Duration::from_secs(300)),
            not_before_skew: Duration::ZERO,
            attribute_name_format: None,
            authn_context: AC_PASSWORD.to_string(),
            ..ResponseShape::generic(issuer)
        }
    }

    /// VENDORS.md §2.3.1: `https://accounts.google.com/o/saml2?idpid=…`,
    /// `_`+32 hex ids, `saml2p:` prefixes, assertion signed by default.
    pub fn google(issuer: &str) -> ResponseShape {
        ResponseShape {
            id_style: IdStyle::GoogleHex,
            sign: SignWhat::Assertion,
            attribute_name_format: Some(ATTRNAME_UNSPECIFIED.to_string()),
            ns_style: NsStyle::Saml2p,
            ..ResponseShape::generic(issuer)
        }
    }
}

/// Who logs in: the NameID value and the attributes, in emission order
/// (several entries with one name are allowed and emitted as given).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    pub name_id: String,
    pub attributes: Vec<(String, Vec<String>)>,
    /// `None`: the assertion id doubles as the SessionIndex (as Entra does).
    pub session_index: Option<String>,
}

/// Where the response goes and what it answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseParams {
    /// The SP's ACS URL: Response `Destination` and the bearer `Recipient`.
    pub destination: String,
    /// The SP entity id: the one `Audience`.
    pub audience: String,
    /// The AuthnRequest id for SP-initiated logins; `None` for IdP-initiated.
    pub in_response_to: Option<String>,
}

/// A built login Response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltResponse {
    pub xml: String,
    pub response_id: String,
    pub assertion_id: String,
}

/// A non-success status (SAML Core 3.2.2): a top-level code such as
/// [`STATUS_RESPONDER`], an optional nested code such as
/// [`STATUS_REQUEST_DENIED`], and an optional message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: String,
    pub sub_code: Option<String>,
    pub message: Option<String>,
}

impl Status {
    /// `Responder` / `RequestDenied` with a message (a user not assigned
    /// to the app, a disabled user, …).
    pub fn denied(message: &str) -> Status {
        Status {
            code: STATUS_RESPONDER.to_string(),
            sub_code: Some(STATUS_REQUEST_DENIED.to_string()),
            message: Some(message.to_string()),
        }
    }
}

/// A built status-only Response (no assertion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltStatusResponse {
    pub xml: String,
    pub response_id: String,
}

fn overflow(what: &str) -> SamlError {
    SamlError::Invalid(format!("{what} takes the instant out of the calendar"))
}

fn offset_now(now: OffsetDateTime, offset_s: i64) -> Result<OffsetDateTime, SamlError> {
    now.checked_add(time::Duration::seconds(offset_s))
        .map(truncate_to_second)
        .ok_or_else(|| overflow("clock_offset_s"))
}

fn plus(t: OffsetDateTime, d: Duration, what: &str) -> Result<OffsetDateTime, SamlError> {
    time::Duration::try_from(d)
        .ok()
        .and_then(|d| t.checked_add(d))
        .ok_or_else(|| overflow(what))
}

fn minus(t: OffsetDateTime, d: Duration, what: &str) -> Result<OffsetDateTime, SamlError> {
    time::Duration::try_from(d)
        .ok()
        .and_then(|d| t.checked_sub(d))
        .ok_or_else(|| overflow(what))
}

fn issuer_xml(shape: &ResponseShape, a: &str) -> String {
    let format = if shape.issuer_format_entity {
        format!(" Format=\"{NAMEID_ENTITY}\"")
    } else {
        String::new()
    };
    format!(
        "<{a}:Issuer{format}>{}</{a}:Issuer>",
        xml_text(&shape.issuer)
    )
}

fn check_inputs(shape: &ResponseShape, params: &ResponseParams) -> Result<(), SamlError> {
    check_xml_text("issuer", &shape.issuer)?;
    check_xml_text("destination", &params.destination)?;
    check_xml_text("audience", &params.audience)?;
    if let Some(irt) = &params.in_response_to {
        check_xml_text("in_response_to", irt)?;
    }
    Ok(())
}

/// The instants a Response carries, formatted.
struct Times<'a> {
    instant: &'a str,
    not_before: &'a str,
    not_on_or_after: &'a str,
    scd_not_on_or_after: &'a str,
}

/// The unsigned Response, as text and tree at once ([`TreeWriter`]); the
/// caller has checked every value with `check_xml_text`.
fn write_response(
    shape: &ResponseShape,
    params: &ResponseParams,
    grant: &Grant,
    response_id: &str,
    assertion_id: &str,
    t: &Times<'_>,
) -> Option<Document> {
    let (p, a) = shape.ns_style.prefixes();
    let (p, a) = (Some(p), Some(a));
    let mut w = TreeWriter::with_capacity(4096);
    let mut attrs = vec![
        ("ID", response_id),
        ("Version", "2.0"),
        ("IssueInstant", t.instant),
        ("Destination", params.destination.as_str()),
    ];
    if let Some(irt) = &params.in_response_to {
        attrs.push(("InResponseTo", irt.as_str()));
    }
    w.start(
        p,
        "Response",
        &[(p, SAML_PROTOCOL_NS), (a, SAML_ASSERTION_NS)],
        &attrs,
    );
    write_issuer(&mut w, shape, a);
    w.start(p, "Status", &[], &[]);
    w.empty(p, "StatusCode", &[], &[("Value", STATUS_SUCCESS)]);
    w.end();
    w.start(
        a,
        "Assertion",
        &[],
        &[
            ("ID", assertion_id),
            ("Version", "2.0"),
            ("IssueInstant", t.instant),
        ],
    );
    write_issuer(&mut w, shape, a);
    w.start(a, "Subject", &[], &[]);
    w.text_element(
        a,
        "NameID",
        &[("Format", shape.name_id_format.as_str())],
        &grant.name_id,
    );
    // SAML Profiles 4.1.4.2: a bearer SubjectConfirmationData with
    // Recipient and NotOnOrAfter, InResponseTo when answering a request,
    // and no NotBefore.
    w.start(a, "SubjectConfirmation", &[], &[("Method", CM_BEARER)]);
    let mut scd = vec![];
    if let Some(irt) = &params.in_response_to {
        scd.push(("InResponseTo", irt.as_str()));
    }
    scd.push(("NotOnOrAfter", t.scd_not_on_or_after));
    scd.push(("Recipient", params.destination.as_str()));
    w.empty(a, "SubjectConfirmationData", &[], &scd);
    w.end();
    w.end();
    w.start(
        a,
        "Conditions",
        &[],
        &[
            ("NotBefore", t.not_before),
            ("NotOnOrAfter", t.not_on_or_after),
        ],
    );
    w.start(a, "AudienceRestriction", &[], &[]);
    w.text_element(a, "Audience", &[], &params.audience);
    w.end();
    w.end();
    let session_index = grant.session_index.as_deref().unwrap_or(assertion_id);
    let mut authn = vec![("AuthnInstant", t.instant)];
    if shape.include_session_index {
        authn.push(("SessionIndex", session_index));
    }
    w.start(a, "AuthnStatement", &[], &authn);
    w.start(a, "AuthnContext", &[], &[]);
    w.text_element(a, "AuthnContextClassRef", &[], &shape.authn_context);
    w.end();
    w.end();
    if !grant.attributes.is_empty() {
        w.start(a, "AttributeStatement", &[], &[]);
        for (name, values) in &grant.attributes {
            let mut attr = vec![("Name", name.as_str())];
            if let Some(f) = &shape.attribute_name_format {
                attr.push(("NameFormat", f.as_str()));
            }
            w.start(a, "Attribute", &[], &attr);
            for v in values {
                if shape.xsi_typed_values {
                    w.start(
                        a,
                        "AttributeValue",
                        &[(Some("xs"), XS_NS), (Some("xsi"), XSI_NS)],
                        &[("xsi:type", "xs:string")],
                    );
                } else {
                    w.start(a, "AttributeValue", &[], &[]);
                }
                w.text(v);
                w.end();
            }
            w.end();
        }
        w.end();
    }
    w.end();
    w.end();
    w.finish()
}

fn write_issuer(w: &mut TreeWriter, shape: &ResponseShape, a: Option<&str>) {
    let format: &[(&str, &str)] = if shape.issuer_format_entity {
        &[("Format", NAMEID_ENTITY)]
    } else {
        &[]
    };
    w.text_element(a, "Issuer", format, &shape.issuer);
}

/// Builds a login Response for `grant`, signed as `shape.sign` says.
///
/// Layout (SAML Core 3.3.3, 2.3.3; Profiles 4.1.4.2): Response (Issuer,
/// Status Success) holding one Assertion (Issuer, Subject with a bearer
/// SubjectConfirmation, Conditions with one AudienceRestriction,
/// AuthnStatement, AttributeStatement when there are attributes). When
/// both are signed the Assertion is signed first, so the Response
/// signature covers the Assertion's.
pub fn build_response(
    shape: &ResponseShape,
    params: &ResponseParams,
    grant: &Grant,
    now: OffsetDateTime,
    rng: &mut Rng,
    key: &SigningKey,
) -> Result<BuiltResponse, SamlError> {
    check_inputs(shape, params)?;
    check_xml_text("name_id", &grant.name_id)?;
    for (name, values) in &grant.attributes {
        check_xml_text("attribute name", name)?;
        for v in values {
            check_xml_text("attribute value", v)?;
        }
    }
    let response_id = shape.id_style.generate(rng);
    let assertion_id = shape.id_style.generate(rng);
    let issued = offset_now(now, shape.clock_offset_s)?;
    let instant = format_instant(issued);
    let not_before = format_instant(minus(issued, shape.not_before_skew, "not_before_skew")?);
    let not_on_or_after = format_instant(plus(
        issued,
        shape.assertion_lifetime,
        "assertion_lifetime",
    )?);
    let scd_not_on_or_after = format_instant(plus(
        issued,
        shape
            .subject_confirmation_lifetime
            .unwrap_or(shape.assertion_lifetime),
        "subject_confirmation_lifetime",
    )?);
    if shape.include_session_index {
        check_xml_text(
            "session_index",
            grant.session_index.as_deref().unwrap_or(&assertion_id),
        )?;
    }
    let times = Times {
        instant: &instant,
        not_before: &not_before,
        not_on_or_after: &not_on_or_after,
        scd_not_on_or_after: &scd_not_on_or_after,
    };
    let unsigned = write_response(shape, params, grant, &response_id, &assertion_id, &times)
        .ok_or_else(|| SamlError::Invalid("the response writer left an element open".into()))?;
    let mut x = unsigned.source().to_string();

    let options = SignOptions {
        legacy_sha1: shape.legacy_sha1,
    };
    // Each signing starts from the tree of the current text: first the
    // writer's own (equal to a parse of it), then the signer's self-check
    // parse of its output whenever that used the default options (the
    // output fits their size limit), rather than parsing the same bytes
    // twice.
    let mut parsed: Option<Document> = Some(unsigned);
    let mut signed_any = false;
    for (sign, id) in [
        (shape.sign.assertion(), &assertion_id),
        (shape.sign.response(), &response_id),
    ] {
        if !sign {
            continue;
        }
        let doc = match parsed.take() {
            Some(d) => d,
            // As `sign_by_id` reports it: a signature error.
            None => Document::parse(x.as_bytes()).map_err(DsigError::from)?,
        };
        let (out, signed) = sign_parsed_by_id(&doc, id, key, &options)?;
        x = out;
        parsed = signed.parsed_with_defaults.then_some(signed.doc);
        signed_any = true;
    }
    // Self-check: whatever we emit passes our own strict profile (already
    // shown by the signer's parse when it used the default options).
    if !signed_any || parsed.is_none() {
        Document::parse(x.as_bytes())?;
    }
    Ok(BuiltResponse {
        xml: x,
        response_id,
        assertion_id,
    })
}

/// Builds a Response carrying only a non-success `status` (SAML Core
/// 3.2.2), e.g. when the IdP refuses an unassigned user. Signed when
/// `key` is given (the Response itself; there is no assertion).
pub fn build_status_response(
    shape: &ResponseShape,
    params: &ResponseParams,
    status: &Status,
    now: OffsetDateTime,
    rng: &mut Rng,
    key: Option<&SigningKey>,
) -> Result<BuiltStatusResponse, SamlError> {
    check_inputs(shape, params)?;
    check_xml_text("status code", &status.code)?;
    let (p, a) = shape.ns_style.prefixes();
    let response_id = shape.id_style.generate(rng);
    let instant = format_instant(offset_now(now, shape.clock_offset_s)?);
    let irt_attr = params
        .in_response_to
        .as_ref()
        .map(|v| format!(" InResponseTo=\"{}\"", xml_attr(v)))
        .unwrap_or_default();
    let mut x = format!(
        "<{p}:Response xmlns:{p}=\"{SAML_PROTOCOL_NS}\" xmlns:{a}=\"{SAML_ASSERTION_NS}\" \
         ID=\"{response_id}\" Version=\"2.0\" IssueInstant=\"{instant}\" Destination=\"{}\"{irt_attr}>",
        xml_attr(&params.destination)
    );
    x.push_str(&issuer_xml(shape, a));
    x.push_str(&format!(
        "<{p}:Status><{p}:StatusCode Value=\"{}\">",
        xml_attr(&status.code)
    ));
    if let Some(sub) = &status.sub_code {
        check_xml_text("status sub-code", sub)?;
        x.push_str(&format!("<{p}:StatusCode Value=\"{}\"/>", xml_attr(sub)));
    }
    x.push_str(&format!("</{p}:StatusCode>"));
    if let Some(m) = &status.message {
        check_xml_text("status message", m)?;
        x.push_str(&format!(
            "<{p}:StatusMessage>{}</{p}:StatusMessage>",
            xml_text(m)
        ));
    }
    x.push_str(&format!("</{p}:Status></{p}:Response>"));
    if let Some(key) = key {
        x = sign_by_id(
            x.as_bytes(),
            &response_id,
            key,
            &SignOptions {
                legacy_sha1: shape.legacy_sha1,
            },
        )?;
    }
    Document::parse(x.as_bytes())?;
    Ok(BuiltStatusResponse {
        xml: x,
        response_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signer canonicalises the writer's tree instead of parsing the
    /// text: the two must be the same tree, for every vendor shape and for
    /// values that need escaping.
    #[test]
    fn written_tree_equals_the_parse_of_its_text() {
        let tricky = "a&b <c> \"d\" 'e'\tf\ng\r\nh ]]> é 𝄞";
        let grant = Grant {
            name_id: format!("ada{tricky}@acme.test"),
            attributes: vec![
                ("email".to_string(), vec!["ada@acme.test".to_string()]),
                (
                    format!("groups{tricky}"),
                    vec![String::new(), tricky.to_string(), "Eng".to_string()],
                ),
            ],
            session_index: Some(format!("_s{tricky}")),
        };
        let times = Times {
            instant: "2026-11-29T10:00:00Z",
            not_before: "2026-11-29T09:55:00Z",
            not_on_or_after: "2026-11-29T10:05:00Z",
            scd_not_on_or_after: "2026-11-29T10:05:00Z",
        };
        let issuer = format!("https://idp.test/{tricky}");
        let mut shapes = vec![
            ResponseShape::generic(&issuer),
            ResponseShape::okta(&issuer),
            ResponseShape::entra(&issuer),
            ResponseShape::google(&issuer),
        ];
        let mut bare = ResponseShape::generic(&issuer);
        bare.include_session_index = false;
        bare.attribute_name_format = None;
        shapes.push(bare);
        for shape in &shapes {
            for in_response_to in [None, Some(format!("_r{tricky}"))] {
                let params = ResponseParams {
                    destination: format!("https://sp.test/acs?x={tricky}"),
                    audience: format!("https://sp.test/{tricky}"),
                    in_response_to,
                };
                let written =
                    write_response(shape, &params, &grant, "_resp", "_assn", &times).unwrap();
                let parsed = Document::parse(written.source().as_bytes()).unwrap();
                assert_eq!(written, parsed, "{shape:?}");
            }
        }
    }
}
