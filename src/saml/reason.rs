//! Every named refusal of the SAML layer in one place: [`Reason`] (with
//! [`Reason::ALL`], the single list of refusal names), the [`Rejection`]
//! an SP or IdP hands back, [`explain`] for support engineers, and
//! [`SamlError`] for building and metadata failures.
//!
//! The strict XML profile ([`XmlErrorKind`]) and the signature layer
//! ([`DsigErrorKind`]) keep their own kinds; they are mapped in here so a
//! transcript shows one vocabulary (`doctype-forbidden`,
//! `digest-mismatch`, `audience-mismatch`, …).

use std::fmt;

use crate::saml::dsig::{DsigError, DsigErrorKind};
use crate::saml::keys::KeyError;
use crate::saml::xml::{XmlError, XmlErrorKind};

macro_rules! reasons {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, $describe:literal; )*) => {
        /// Why a SAML message was refused. [`Reason::name`] is the stable
        /// kebab-case name shown in transcripts and asserted by tests.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Reason {
            $( $(#[$doc])* $variant, )*
        }

        impl Reason {
            /// Every reason, in declaration order: the one list of refusal
            /// names (XML profile and signature reasons included).
            pub const ALL: &'static [Reason] = &[ $( Reason::$variant, )* ];

            /// The stable kebab-case name.
            pub fn name(self) -> &'static str {
                match self { $( Reason::$variant => $name, )* }
            }

            /// One sentence saying what the name means.
            pub fn describe(self) -> &'static str {
                match self { $( Reason::$variant => $describe, )* }
            }
        }
    };
}

reasons! {
    // ---- strict XML profile (SECURITY.md I7), mapped from XmlErrorKind ----
    TooLarge => "too-large", "the document is larger than the strict profile allows";
    NotUtf8 => "not-utf8", "the document is not UTF-8";
    BomForbidden => "bom-forbidden", "the document starts with a byte-order mark";
    InvalidChar => "invalid-char", "the document holds a character XML 1.0 forbids";
    DoctypeForbidden => "doctype-forbidden", "the document has a DOCTYPE (entities, XXE and DTD tricks are refused outright)";
    ProcessingInstructionForbidden => "processing-instruction-forbidden", "the document has a processing instruction";
    CdataForbidden => "cdata-forbidden", "the document has a CDATA section";
    XmlDeclarationInvalid => "xml-declaration-invalid", "the XML declaration is malformed or names another encoding";
    NoRootElement => "no-root-element", "the document has no root element";
    MultipleRoots => "multiple-roots", "the document has more than one root element";
    ContentOutsideRoot => "content-outside-root", "there is content outside the root element";
    MismatchedEndTag => "mismatched-end-tag", "an end tag does not match its start tag";
    UnboundPrefix => "unbound-prefix", "a namespace prefix is used without a declaration";
    DuplicateAttribute => "duplicate-attribute", "an element has the same (or a namespace-equivalent) attribute twice";
    InvalidName => "invalid-name", "an element or attribute name is not a valid XML name";
    InvalidNamespace => "invalid-namespace", "a namespace declaration is invalid";
    UndefinedEntity => "undefined-entity", "an entity other than the five predefined ones is referenced";
    InvalidComment => "invalid-comment", "a comment is malformed (for example it contains `--`)";
    TooDeep => "too-deep", "elements are nested deeper than the strict profile allows";
    TooManyAttributes => "too-many-attributes", "an element has more attributes than the strict profile allows";
    TooManyNamespaces => "too-many-namespaces", "more namespaces are in scope than the strict profile allows";
    MalformedXml => "malformed-xml", "the document is not well-formed XML";

    // ---- XML-DSig (SECURITY.md I3, I4, I6, I8), mapped from DsigErrorKind ----
    SignatureMissing => "signature-missing", "no valid signature covers the consumed assertion";
    SignatureInvalid => "signature-invalid", "a signature value does not verify under any pinned key";
    DigestMismatch => "digest-mismatch", "the signed content was changed after signing";
    ReferenceUriInvalid => "reference-uri-invalid", "a signature Reference URI is not `#` plus an NCName";
    ReferenceUriMismatch => "reference-uri-mismatch", "a signature Reference names an element other than the one it sits in";
    SignatureShapeInvalid => "signature-shape-invalid", "a signature's structure is not the strict enveloped shape";
    SignatureMisplaced => "signature-misplaced", "a signature is not right after Issuer, or an element has two";
    TransformsInvalid => "transforms-invalid", "the transforms are not exactly [enveloped-signature, exc-c14n]";
    AlgorithmForbidden => "algorithm-forbidden", "an algorithm outside the allow-list was used";
    Sha1Forbidden => "sha1-forbidden", "SHA-1 was used without the legacy switch";
    AlgorithmMismatch => "algorithm-mismatch", "the signature and digest algorithms use different hashes";
    UntrustedKey => "untrusted-key", "the signature names a key that is not pinned for this IdP";
    NoTrustedKeys => "no-trusted-keys", "no verification key is configured, so nothing can verify (fail closed)";
    DuplicateId => "duplicate-id", "two elements share one ID";
    InternalError => "internal-error", "an internal failure (a bug or an OpenSSL error), not the message's fault";

    // ---- SAML Core / Profiles: the Response (SP side) ----
    NotAResponse => "not-a-response", "the root element is not samlp:Response";
    VersionUnsupported => "version-unsupported", "the message is not SAML 2.0";
    IdInvalid => "id-invalid", "a required ID is missing or not an NCName";
    InstantInvalid => "instant-invalid", "a required time instant is missing or not a UTC xs:dateTime";
    StatusNotSuccess => "status-not-success", "the IdP answered with an error status instead of a login";
    IssuerMissing => "issuer-missing", "a required Issuer is missing";
    IssuerMismatch => "issuer-mismatch", "the Issuer is not the IdP this SP is configured for";
    EncryptedAssertionUnsupported => "encrypted-assertion-unsupported", "the response carries an EncryptedAssertion, which this SP does not decrypt yet";
    NoAssertion => "no-assertion", "the response carries no assertion";
    MultipleAssertions => "multiple-assertions", "the response carries more than one top-level assertion";
    UnexpectedSignature => "unexpected-signature", "a signature sits somewhere other than on the Response or its one Assertion (signature donor)";
    AssertionNotSigned => "assertion-not-signed", "this SP requires a signature on the assertion itself";
    DestinationMismatch => "destination-mismatch", "the Response's Destination is not this SP's ACS URL";
    SubjectConfirmationInvalid => "subject-confirmation-invalid", "no usable bearer SubjectConfirmation with SubjectConfirmationData";
    RecipientMismatch => "recipient-mismatch", "the SubjectConfirmationData Recipient is not this SP's ACS URL";
    SubjectConfirmationExpired => "subject-confirmation-expired", "the bearer confirmation window (SubjectConfirmationData NotOnOrAfter) has passed";
    InResponseToMismatch => "in-response-to-mismatch", "the response answers a different request than the one outstanding";
    UnexpectedInResponseTo => "unexpected-in-response-to", "the response answers a request, but no request is outstanding";
    UnsolicitedResponse => "unsolicited-response", "an IdP-initiated (unsolicited) response, and IdP-initiated login is off";
    AssertionNotYetValid => "assertion-not-yet-valid", "the assertion's Conditions NotBefore is still in the future";
    AssertionExpired => "assertion-expired", "the assertion's Conditions NotOnOrAfter has passed";
    AudienceMissing => "audience-missing", "the assertion has no AudienceRestriction";
    AudienceMismatch => "audience-mismatch", "the assertion is meant for another SP (Audience)";
    UnknownCondition => "unknown-condition", "the assertion carries a condition this SP does not understand";
    AuthnStatementMissing => "authn-statement-missing", "the assertion has no AuthnStatement";
    NameIdMissing => "name-id-missing", "the assertion's Subject has no (or an empty) NameID";
    NameIdQualifierMismatch => "name-id-qualifier-mismatch", "the NameID's SPNameQualifier names another SP";
    SessionExpired => "session-expired", "the IdP session the assertion vouches for has ended (SessionNotOnOrAfter)";
    IssueInstantOutOfRange => "issue-instant-out-of-range", "the assertion was issued too long ago or in the future";
    ReplayedAssertion => "replayed-assertion", "this assertion (or response) was already used";
    ReplayCacheFull => "replay-cache-full", "the replay cache is full, so new logins are refused (fail closed)";

    // ---- SAML Core 3.4: the AuthnRequest (IdP side) ----
    NotAnAuthnRequest => "not-an-authn-request", "the root element is not samlp:AuthnRequest";
    RequestInvalid => "request-invalid", "the AuthnRequest breaks a SAML Core rule";
    AcsNotRegistered => "acs-not-registered", "the requested AssertionConsumerService is not in the SP's metadata";
    BindingUnsupported => "binding-unsupported", "the requested response binding is not HTTP-POST";

    // ---- SAML Bindings 3.4 (Redirect) and 3.5 (POST) ----
    MessageTooLarge => "message-too-large", "the encoded message is larger than the binding accepts";
    ParameterMissing => "parameter-missing", "the binding's message parameter is missing";
    DuplicateParameter => "duplicate-parameter", "a binding parameter appears more than once";
    FormEncodingInvalid => "form-encoding-invalid", "the URL or form encoding is malformed";
    Base64Invalid => "base64-invalid", "the message is not valid standard base64";
    InflateFailed => "inflate-failed", "the Redirect message is not a valid raw DEFLATE stream";
    InflateTooLarge => "inflate-too-large", "the Redirect message inflates beyond the size cap (DEFLATE bomb)";
    DeflateWrapperForbidden => "deflate-wrapper-forbidden", "the Redirect message is zlib- or gzip-wrapped; SAML Bindings 3.4.4.1 requires raw DEFLATE";
}

impl Reason {
    /// Which layer refused: `xml` (strict profile), `signature`
    /// (XML-DSig), `response` (SAML Core/Profiles on the SP side),
    /// `request` (the IdP side) or `binding` (POST/Redirect encoding).
    pub fn layer(self) -> &'static str {
        use Reason::*;
        match self {
            TooLarge
            | NotUtf8
            | BomForbidden
            | InvalidChar
            | DoctypeForbidden
            | ProcessingInstructionForbidden
            | CdataForbidden
            | XmlDeclarationInvalid
            | NoRootElement
            | MultipleRoots
            | ContentOutsideRoot
            | MismatchedEndTag
            | UnboundPrefix
            | DuplicateAttribute
            | InvalidName
            | InvalidNamespace
            | UndefinedEntity
            | InvalidComment
            | TooDeep
            | TooManyAttributes
            | TooManyNamespaces
            | MalformedXml => "xml",
            SignatureMissing
            | SignatureInvalid
            | DigestMismatch
            | ReferenceUriInvalid
            | ReferenceUriMismatch
            | SignatureShapeInvalid
            | SignatureMisplaced
            | TransformsInvalid
            | AlgorithmForbidden
            | Sha1Forbidden
            | AlgorithmMismatch
            | UntrustedKey
            | NoTrustedKeys
            | DuplicateId
            | InternalError => "signature",
            NotAnAuthnRequest | RequestInvalid | AcsNotRegistered | BindingUnsupported => "request",
            MessageTooLarge
            | ParameterMissing
            | DuplicateParameter
            | FormEncodingInvalid
            | Base64Invalid
            | InflateFailed
            | InflateTooLarge
            | DeflateWrapperForbidden => "binding",
            _ => "response",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<XmlErrorKind> for Reason {
    fn from(k: XmlErrorKind) -> Reason {
        match k {
            XmlErrorKind::TooLarge => Reason::TooLarge,
            XmlErrorKind::NotUtf8 => Reason::NotUtf8,
            XmlErrorKind::BomForbidden => Reason::BomForbidden,
            XmlErrorKind::InvalidChar => Reason::InvalidChar,
            XmlErrorKind::DoctypeForbidden => Reason::DoctypeForbidden,
            XmlErrorKind::ProcessingInstructionForbidden => Reason::ProcessingInstructionForbidden,
            XmlErrorKind::CdataForbidden => Reason::CdataForbidden,
            XmlErrorKind::XmlDeclarationInvalid => Reason::XmlDeclarationInvalid,
            XmlErrorKind::NoRoot => Reason::NoRootElement,
            XmlErrorKind::MultipleRoots => Reason::MultipleRoots,
            XmlErrorKind::ContentOutsideRoot => Reason::ContentOutsideRoot,
            XmlErrorKind::MismatchedEndTag => Reason::MismatchedEndTag,
            XmlErrorKind::UnboundPrefix => Reason::UnboundPrefix,
            XmlErrorKind::DuplicateAttribute => Reason::DuplicateAttribute,
            XmlErrorKind::InvalidName => Reason::InvalidName,
            XmlErrorKind::InvalidNamespace => Reason::InvalidNamespace,
            XmlErrorKind::UndefinedEntity => Reason::UndefinedEntity,
            XmlErrorKind::InvalidComment => Reason::InvalidComment,
            XmlErrorKind::TooDeep => Reason::TooDeep,
            XmlErrorKind::TooManyAttributes => Reason::TooManyAttributes,
            XmlErrorKind::TooManyNamespaces => Reason::TooManyNamespaces,
            XmlErrorKind::Malformed => Reason::MalformedXml,
        }
    }
}

impl From<DsigErrorKind> for Reason {
    fn from(k: DsigErrorKind) -> Reason {
        match k {
            DsigErrorKind::SignatureMissing => Reason::SignatureMissing,
            DsigErrorKind::SignatureInvalid => Reason::SignatureInvalid,
            DsigErrorKind::DigestMismatch => Reason::DigestMismatch,
            DsigErrorKind::ReferenceUriInvalid => Reason::ReferenceUriInvalid,
            DsigErrorKind::ReferenceUriMismatch => Reason::ReferenceUriMismatch,
            DsigErrorKind::SignatureShapeInvalid => Reason::SignatureShapeInvalid,
            DsigErrorKind::SignatureMisplaced => Reason::SignatureMisplaced,
            DsigErrorKind::TransformsInvalid => Reason::TransformsInvalid,
            DsigErrorKind::AlgorithmForbidden => Reason::AlgorithmForbidden,
            DsigErrorKind::Sha1Forbidden => Reason::Sha1Forbidden,
            DsigErrorKind::AlgorithmMismatch => Reason::AlgorithmMismatch,
            DsigErrorKind::UntrustedKey => Reason::UntrustedKey,
            DsigErrorKind::NoTrustedKeys => Reason::NoTrustedKeys,
            DsigErrorKind::DuplicateId => Reason::DuplicateId,
            // Signing-only kinds cannot come out of verification; if one
            // ever does, it is our bug, not the message's.
            DsigErrorKind::IdNotFound
            | DsigErrorKind::AlreadySigned
            | DsigErrorKind::CryptoFailure => Reason::InternalError,
            DsigErrorKind::Xml(x) => Reason::from(x),
        }
    }
}

/// A refused message: the named reason, words a support engineer can act
/// on, and (where it applies) what was expected and what was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub reason: Reason,
    /// What was expected and what was found, in a sentence.
    pub detail: String,
    /// The value this side expected (an entity id, a URL, a request id).
    pub expected: Option<String>,
    /// The value the message carried.
    pub found: Option<String>,
}

impl Rejection {
    pub fn new(reason: Reason, detail: impl Into<String>) -> Rejection {
        Rejection {
            reason,
            detail: detail.into(),
            expected: None,
            found: None,
        }
    }

    /// A rejection comparing an expected value with the one found.
    pub fn mismatch(
        reason: Reason,
        detail: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Rejection {
        Rejection {
            reason,
            detail: detail.into(),
            expected: Some(expected.into()),
            found: Some(found.into()),
        }
    }

    /// The stable kebab-case name of the reason.
    pub fn name(&self) -> &'static str {
        self.reason.name()
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason.name(), self.detail)
    }
}

impl std::error::Error for Rejection {}

impl From<XmlError> for Rejection {
    fn from(e: XmlError) -> Rejection {
        Rejection::new(
            Reason::from(e.kind),
            format!("{} (at byte {})", e.detail, e.offset),
        )
    }
}

impl From<DsigError> for Rejection {
    fn from(e: DsigError) -> Rejection {
        Rejection::new(Reason::from(e.kind), e.detail)
    }
}

/// Failures while building messages or loading metadata (the caller's
/// input or key material is at fault, not a peer's message).
#[derive(Debug, thiserror::Error)]
pub enum SamlError {
    #[error("xml: {0}")]
    Xml(#[from] XmlError),
    #[error("signature: {0}")]
    Dsig(#[from] DsigError),
    #[error("key: {0}")]
    Key(#[from] KeyError),
    /// Metadata that is not usable (missing entityID, no IdP role, …).
    #[error("metadata: {0}")]
    Metadata(String),
    /// Builder input that cannot go into a message (e.g. a control
    /// character in a NameID).
    #[error("invalid input: {0}")]
    Invalid(String),
}

fn quoted(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("{s:?}"),
        None => "(nothing)".to_string(),
    }
}

/// A paragraph a support engineer can act on: what happened, which value
/// was expected and which was found, and where to fix it (usually a field
/// in the IdP's app configuration).
pub fn explain(r: &Rejection) -> String {
    let mut out = format!(
        "{} ({}): {}",
        r.reason.name(),
        r.reason.describe(),
        r.detail
    );
    if !out.ends_with('.') {
        out.push('.');
    }
    out.push(' ');
    out.push_str(&advice(r));
    out
}

/// What to do about `r`, in a few sentences; never empty.
pub fn advice(r: &Rejection) -> String {
    let exp = quoted(&r.expected);
    let got = quoted(&r.found);
    match r.reason {
        Reason::AudienceMismatch => format!(
            "The assertion's audience was {got} but this SP is {exp}: set the Audience URI \
             (SP Entity ID) in the IdP app to {exp}."
        ),
        Reason::AudienceMissing => format!(
            "The assertion names no audience, so it could be replayed to any SP. Set the \
             Audience URI (SP Entity ID) in the IdP app to {exp}."
        ),
        Reason::IssuerMismatch => format!(
            "The message was issued by {got} but this SP trusts {exp}: the SSO connection \
             points at another IdP app or tenant. Copy the IdP Entity ID (Issuer) from the IdP's \
             metadata into the SP's connection, or send the user through the right IdP app."
        ),
        Reason::IssuerMissing => {
            "The IdP sent no Issuer. Check the IdP app is a SAML 2.0 app and re-download its \
             metadata."
                .to_string()
        }
        Reason::DestinationMismatch | Reason::RecipientMismatch => format!(
            "The IdP addressed the response to {got} but this SP's ACS URL is {exp}: set the \
             Single sign-on URL / Reply URL (ACS URL) in the IdP app to exactly {exp} (scheme, \
             host, path and trailing slash all count)."
        ),
        Reason::StatusNotSuccess => format!(
            "The IdP refused the login itself ({got}); nothing is wrong with the SP. Look at the \
             IdP's sign-in logs for this user: common causes are a user not assigned to the \
             app, or a NameID format the IdP cannot produce."
        ),
        Reason::AssertionExpired | Reason::SubjectConfirmationExpired => format!(
            "The assertion was valid until {exp} but arrived at {got}. Either the response was \
             delayed or replayed, or the IdP's clock is behind: check the IdP host's time \
             (NTP) and the assertion lifetime in the IdP app."
        ),
        Reason::AssertionNotYetValid => format!(
            "The assertion becomes valid at {exp} but arrived at {got}: the IdP's clock is ahead \
             of the SP's by more than the allowed skew. Fix the IdP host's time (NTP)."
        ),
        Reason::SignatureMissing | Reason::AssertionNotSigned => {
            "The response carries no signature this SP accepts. In the IdP app, turn on \
             signing of the assertion (or of the response and the assertion), with RSA-SHA256."
                .to_string()
        }
        Reason::NoTrustedKeys => {
            "This SP has no signing certificate for the IdP, so it refuses everything (it never \
             trusts the certificate inside a message). Upload the IdP's metadata or signing \
             certificate to the SSO connection."
                .to_string()
        }
        Reason::SignatureInvalid | Reason::UntrustedKey => {
            "The signature does not verify with the certificate this SP has for the IdP. The \
             IdP probably rotated its signing certificate: download the current certificate \
             (or metadata) from the IdP app and update the SSO connection."
                .to_string()
        }
        Reason::Sha1Forbidden => {
            "The IdP signs with SHA-1, which this SP refuses. Set the signature algorithm in the \
             IdP app to RSA-SHA256 (and the digest to SHA-256)."
                .to_string()
        }
        Reason::UnexpectedInResponseTo => format!(
            "The response answers request {got}, but this browser has no login in progress: \
             the SP lost its login state (a blocked or expired cookie, another browser), or an \
             old IdP link replayed a stale request. Ask the user to start again from the SP."
        ),
        Reason::InResponseToMismatch => format!(
            "The response answers request {got} but the browser's outstanding request is {exp}. \
             Usually the user started two logins in different tabs, or the login took so long \
             that the SP forgot the request: ask the user to start again from the SP."
        ),
        Reason::UnsolicitedResponse => {
            "The login started at the IdP (a tile or bookmark) and this SP only accepts logins \
             it started. Start from the SP's login page, or enable IdP-initiated login."
                .to_string()
        }
        Reason::ReplayedAssertion => {
            "This exact assertion was already used to sign in. A browser back-button or a \
             double-submitted form does this; an attacker replaying a captured response does \
             too. Ask the user to start again."
                .to_string()
        }
        Reason::AcsNotRegistered => format!(
            "The SP asked for its response at {got}, which is not among the ACS URLs the IdP \
             has for it ({exp}). Add the URL to the IdP app's Reply / ACS URLs, or fix the SP's \
             ACS URL; the IdP never sends a response to an unregistered address."
        ),
        Reason::NameIdQualifierMismatch => format!(
            "The NameID was issued for SP {got} but this SP is {exp}: the IdP app's SP Name \
             Qualifier (or the app's entity ID) must be {exp}."
        ),
        Reason::NameIdMissing => {
            "The IdP sent no NameID. Set the Name ID format and value (usually the user's \
             email) in the IdP app."
                .to_string()
        }
        Reason::EncryptedAssertionUnsupported => {
            "The IdP encrypts the assertion, which this SP does not support yet: turn off \
             assertion encryption in the IdP app."
                .to_string()
        }
        Reason::DigestMismatch => {
            "The signed content was changed after the IdP signed it. Something between the \
             IdP and the SP rewrote the message (a proxy, a hand edit while debugging), or \
             this is a tampering attempt: capture the raw SAMLResponse and compare it with \
             what the IdP logged."
                .to_string()
        }
        Reason::AlgorithmForbidden | Reason::AlgorithmMismatch => {
            "The IdP signs with an algorithm outside the allow-list. Set the signature \
             algorithm to RSA-SHA256 and the digest to SHA-256 in the IdP app."
                .to_string()
        }
        Reason::MultipleAssertions
        | Reason::UnexpectedSignature
        | Reason::DuplicateId
        | Reason::ReferenceUriMismatch
        | Reason::ReferenceUriInvalid
        | Reason::SignatureMisplaced
        | Reason::SignatureShapeInvalid
        | Reason::TransformsInvalid => {
            "No IdP produces this shape: it is the signature of a known XML-signature-wrapping \
             attack (SECURITY.md 1.A), or a message edited by hand. Treat it as an incident: \
             keep the raw message and check where the browser got it."
                .to_string()
        }
        Reason::SubjectConfirmationInvalid => {
            "The assertion is not a bearer assertion for browser SSO. Use a SAML 2.0 web SSO \
             app (not WS-Federation or a holder-of-key profile) in the IdP."
                .to_string()
        }
        Reason::UnknownCondition => {
            "The IdP attached a condition this SP cannot evaluate, and SAML requires refusing \
             such an assertion. Remove the extra condition in the IdP app, if it offers one."
                .to_string()
        }
        Reason::AuthnStatementMissing => {
            "The assertion says who the user is but not that they signed in: it is not a web \
             SSO assertion. Use a SAML 2.0 web SSO app in the IdP."
                .to_string()
        }
        Reason::SessionExpired => format!(
            "The IdP's session for this user ended at {exp}: the user must sign in at the IdP \
             again. If this repeats, the IdP's clock or session lifetime is wrong."
        ),
        Reason::IssueInstantOutOfRange => format!(
            "The assertion was issued at {got}, outside the window this SP accepts ({exp}): the \
             response sat in the browser too long, or the IdP's clock is off (check NTP)."
        ),
        Reason::VersionUnsupported | Reason::NotAResponse | Reason::NotAnAuthnRequest => {
            "The message is not the SAML 2.0 message this endpoint expects: check that the IdP \
             app is a SAML 2.0 app and posts to the ACS URL, not to the metadata or SLO URL."
                .to_string()
        }
        Reason::BindingUnsupported => {
            "The SP asked for a response binding other than HTTP-POST. Set the SP's ACS binding \
             to HTTP-POST."
                .to_string()
        }
        Reason::NoAssertion => {
            "The IdP answered with Success but no assertion. Check the IdP's sign-in logs for \
             this user; an IdP normally sends an error status instead."
                .to_string()
        }
        Reason::MessageTooLarge => {
            "The message is far larger than any login needs. A user in very many groups can do \
             this: limit the groups the IdP app sends (a group filter). Otherwise it is an \
             attempt to exhaust the SP."
                .to_string()
        }
        Reason::InflateTooLarge => {
            "A few bytes on the wire inflate to a huge message: a DEFLATE bomb. No IdP or SP \
             sends this; treat it as an attack."
                .to_string()
        }
        Reason::DeflateWrapperForbidden => {
            "The sender compressed the message with a zlib or gzip header. SAML's Redirect \
             binding requires raw DEFLATE: fix the sending software's Redirect encoding."
                .to_string()
        }
        Reason::ReplayCacheFull => {
            "This SP's replay cache is full of unexpired entries, so it refuses new logins \
             rather than forget one early. Raise its capacity or shorten the IdP's assertion \
             lifetime."
                .to_string()
        }
        Reason::InternalError => {
            "This is a bug in ssosim, not a problem with the message: please report it with \
             the raw message."
                .to_string()
        }
        _ => match r.reason.layer() {
            "xml" => "Real IdPs never send this: the message was built by hand, altered in \
                      transit, or is an attack on the XML parser."
                .to_string(),
            "binding" => "The form or URL carrying the message was damaged: a proxy or a \
                          copy-and-paste changed its encoding. Capture the raw HTTP request."
                .to_string(),
            "signature" => "Check the IdP app's signing settings (sign the assertion with \
                            RSA-SHA256) and that this SP holds the IdP's current certificate."
                .to_string(),
            "request" => "The SP's AuthnRequest does not fit what the IdP has registered for \
                          it: compare the SP's entity ID and ACS URL with the IdP app."
                .to_string(),
            _ => "Compare the message (ssosim saml inspect) with the IdP app's settings for \
                  this SP."
                .to_string(),
        },
    }
}
