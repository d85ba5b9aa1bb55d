//! XML-DSig enveloped signatures: RSA-SHA256 + SHA-256 + exc-c14n, signed
//! and verified over the strict tree.
//!
//! Signing (`dsig/sign.rs`) splices a `ds:Signature` into the original
//! text at the schema position (right after `saml:Issuer`, else as the
//! first child), so the output is the input plus one element, byte for
//! byte, and deterministic (RSA PKCS#1 v1.5 has no randomness).
//!
//! Verification enforces the strict shape of SECURITY.md I3 and the
//! allow-list of I8, takes the key only from the caller's pinned set (I6;
//! `KeyInfo` is at most a hint that must itself be pinned), refuses
//! duplicate IDs (I4), and returns the node that the signature covers so
//! that the caller reads only that subtree (I2).

use std::fmt;

use openssl::x509::X509;

use crate::saml::c14n::{exc_c14n, parse_prefix_list, EXC_C14N};
use crate::saml::keys::TrustedKeys;
use crate::saml::xml::{is_ncname, Document, NodeId, NodeKind, XmlError, XmlErrorKind};
use crate::saml::SAML_ASSERTION_NS;

mod sign;

pub(crate) use sign::sign_parsed_by_id;
pub use sign::{sign_by_id, sign_element};

/// XML-DSig namespace (XML-DSig 2nd ed. §4).
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// XML-DSig 6.6.4 enveloped-signature transform.
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// RFC 6931 §2.3.2 (originally RFC 4051).
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const RSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
pub const RSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
/// XML-DSig 6.4.2; allowed only with `legacy_sha1`.
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
/// XML Encryption 5.7.2.
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// RFC 6931 §2.1.3.
pub const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
/// XML Encryption 5.7.3.
pub const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";
/// XML-DSig 6.2.1; allowed only with `legacy_sha1`.
pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";

/// Why a signature was refused (or could not be made).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DsigErrorKind {
    /// The element carries no `ds:Signature`.
    SignatureMissing,
    /// SignatureValue does not verify under the chosen pinned key, or is
    /// not valid base64.
    SignatureInvalid,
    /// The recomputed digest differs from the Reference's DigestValue.
    DigestMismatch,
    /// The Reference URI is not `#` + NCName (REF7, REF8).
    ReferenceUriInvalid,
    /// The Reference names an element other than the Signature's parent.
    ReferenceUriMismatch,
    /// Anything else about the structure (I3): SignedInfo count/position,
    /// Reference count, `ds:Object`, comments, stray content.
    SignatureShapeInvalid,
    /// A Signature that is not right after `Issuer` (or first), or two.
    SignatureMisplaced,
    /// The transform list is not exactly [enveloped-signature, exc-c14n].
    TransformsInvalid,
    /// An algorithm outside the allow-list (HMAC, DSA, MD5, XPath, XSLT,
    /// `#WithComments`, inclusive c14n, unknown URIs).
    AlgorithmForbidden,
    /// SHA-1 without the `legacy_sha1` switch.
    Sha1Forbidden,
    /// The signature hash and the digest hash differ (ALG6).
    AlgorithmMismatch,
    /// KeyInfo names a key outside the pinned set.
    UntrustedKey,
    /// The caller pinned no key at all (fail closed, SIG6).
    NoTrustedKeys,
    /// Two elements share an `ID` (I4).
    DuplicateId,
    /// Signing: no element has the requested `ID`, or it has none.
    IdNotFound,
    /// Signing: the element already carries a signature.
    AlreadySigned,
    /// OpenSSL failed while signing (not expected with a loaded key).
    CryptoFailure,
    /// The document itself was refused by the strict XML profile.
    Xml(XmlErrorKind),
}

impl DsigErrorKind {
    pub fn reason(self) -> &'static str {
        match self {
            DsigErrorKind::SignatureMissing => "signature-missing",
            DsigErrorKind::SignatureInvalid => "signature-invalid",
            DsigErrorKind::DigestMismatch => "digest-mismatch",
            DsigErrorKind::ReferenceUriInvalid => "reference-uri-invalid",
            DsigErrorKind::ReferenceUriMismatch => "reference-uri-mismatch",
            DsigErrorKind::SignatureShapeInvalid => "signature-shape-invalid",
            DsigErrorKind::SignatureMisplaced => "signature-misplaced",
            DsigErrorKind::TransformsInvalid => "transforms-invalid",
            DsigErrorKind::AlgorithmForbidden => "algorithm-forbidden",
            DsigErrorKind::Sha1Forbidden => "sha1-forbidden",
            DsigErrorKind::AlgorithmMismatch => "algorithm-mismatch",
            DsigErrorKind::UntrustedKey => "untrusted-key",
            DsigErrorKind::NoTrustedKeys => "no-trusted-keys",
            DsigErrorKind::DuplicateId => "duplicate-id",
            DsigErrorKind::IdNotFound => "id-not-found",
            DsigErrorKind::AlreadySigned => "already-signed",
            DsigErrorKind::CryptoFailure => "crypto-failure",
            DsigErrorKind::Xml(k) => k.reason(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DsigError {
    pub kind: DsigErrorKind,
    pub detail: String,
}

impl DsigError {
    fn new(kind: DsigErrorKind, detail: impl Into<String>) -> DsigError {
        DsigError {
            kind,
            detail: detail.into(),
        }
    }

    pub fn reason(&self) -> &'static str {
        self.kind.reason()
    }
}

impl fmt::Display for DsigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason(), self.detail)
    }
}

impl std::error::Error for DsigError {}

impl From<XmlError> for DsigError {
    fn from(e: XmlError) -> DsigError {
        DsigError::new(DsigErrorKind::Xml(e.kind), e.to_string())
    }
}

fn shape(detail: impl Into<String>) -> DsigError {
    DsigError::new(DsigErrorKind::SignatureShapeInvalid, detail)
}

/// The hash behind an allowed algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn signature_uri(self) -> &'static str {
        match self {
            Hash::Sha1 => RSA_SHA1,
            Hash::Sha256 => RSA_SHA256,
            Hash::Sha384 => RSA_SHA384,
            Hash::Sha512 => RSA_SHA512,
        }
    }

    fn digest_uri(self) -> &'static str {
        match self {
            Hash::Sha1 => SHA1,
            Hash::Sha256 => SHA256,
            Hash::Sha384 => SHA384,
            Hash::Sha512 => SHA512,
        }
    }
}

/// SECURITY.md I8: exact-match allow-list; anything else is forbidden.
fn signature_hash(uri: &str, legacy_sha1: bool) -> Result<Hash, DsigError> {
    match uri {
        RSA_SHA256 => Ok(Hash::Sha256),
        RSA_SHA384 => Ok(Hash::Sha384),
        RSA_SHA512 => Ok(Hash::Sha512),
        RSA_SHA1 if legacy_sha1 => Ok(Hash::Sha1),
        RSA_SHA1 => Err(DsigError::new(
            DsigErrorKind::Sha1Forbidden,
            "SignatureMethod rsa-sha1 needs the legacy_sha1 switch",
        )),
        _ => Err(DsigError::new(
            DsigErrorKind::AlgorithmForbidden,
            format!("SignatureMethod {uri:?} is not allowed"),
        )),
    }
}

fn digest_hash(uri: &str, legacy_sha1: bool) -> Result<Hash, DsigError> {
    match uri {
        SHA256 => Ok(Hash::Sha256),
        SHA384 => Ok(Hash::Sha384),
        SHA512 => Ok(Hash::Sha512),
        SHA1 if legacy_sha1 => Ok(Hash::Sha1),
        SHA1 => Err(DsigError::new(
            DsigErrorKind::Sha1Forbidden,
            "DigestMethod sha1 needs the legacy_sha1 switch",
        )),
        _ => Err(DsigError::new(
            DsigErrorKind::AlgorithmForbidden,
            format!("DigestMethod {uri:?} is not allowed"),
        )),
    }
}

/// Decodes base64 content, allowing XML whitespace anywhere (SignatureValue,
/// XML-DSig 4.2, and DigestValue, 4.3.3.6, are XML Schema `base64Binary`,
/// whose lexical form allows whitespace; .NET IdPs emit `&#xD;` in them).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    // Unwrapped base64 (the usual case) is decoded in place.
    let bytes = text.as_bytes();
    let has_space = memchr::memchr3(b' ', b'\t', b'\r', bytes).is_some()
        || memchr::memchr(b'\n', bytes).is_some();
    let compact: std::borrow::Cow<'_, [u8]> = if has_space {
        text.bytes()
            .filter(|b| !space(b))
            .collect::<Vec<u8>>()
            .into()
    } else {
        text.as_bytes().into()
    };
    crate::saml::b64::decode(&compact).ok()
}

/// Signing switches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignOptions {
    /// Sign with rsa-sha1/sha1 instead of rsa-sha256/sha256 (legacy IdP
    /// personalities only).
    pub legacy_sha1: bool,
}

/// Verification switches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Accept rsa-sha1/sha1 (fixture mode for legacy corpora only).
    pub legacy_sha1: bool,
}

/// What a successful verification proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The element the signature covers (the Signature's parent). Read
    /// values only from this subtree (I2).
    pub signed: NodeId,
    /// The `ds:Signature` element.
    pub signature: NodeId,
    /// The pinned key that verified, as labelled by the caller.
    pub key_label: String,
    pub hash: Hash,
}

/// Every `ds:Signature` element in the document, in document order.
pub fn find_signatures(doc: &Document) -> Vec<NodeId> {
    doc.descendants(doc.root())
        .filter(|n| doc.is_named(*n, DSIG_NS, "Signature"))
        .collect()
}

/// Verifies the signature enveloped in `element`: exactly one
/// `ds:Signature` child, placed right after `saml:Issuer` or first
/// (SECURITY.md I3, REF9), whose Reference names `element`.
pub fn verify_element(
    doc: &Document,
    element: NodeId,
    keys: &TrustedKeys,
    options: &VerifyOptions,
) -> Result<Verified, DsigError> {
    verify_element_by(doc, element, keys, options, &SignatureCheck::Rsa)
}

/// How the SignatureValue over the canonical SignedInfo is judged.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SignatureCheck<'a> {
    /// RSA verification under the pinned key: every consumer.
    Rsa,
    /// The signer's self-check of its own output. OpenSSL checks every RSA
    /// private-key result against the public exponent before returning it
    /// (`rsa_ossl_mod_exp`, a fault-attack countermeasure), so `signature`
    /// is known to verify over `signed_info`. What is left to show is that
    /// a consumer's parser and c14n rebuild exactly those bytes from the
    /// output and find exactly that SignatureValue. The same goes for the
    /// Reference: the signed SignedInfo carries `digest`, the digest of
    /// `reference`, so rebuilding exactly those canonical octets (and
    /// decoding exactly that DigestValue, as a consumer does) proves the
    /// digest without hashing them again. Every shape rule is checked as
    /// for any consumer.
    Signed {
        hash: Hash,
        signed_info: &'a [u8],
        signature: &'a [u8],
        /// The canonical octets whose digest the SignedInfo carries.
        reference: &'a [u8],
        /// Their digest.
        digest: &'a [u8],
    },
}

/// [`verify_element`] with the SignatureValue judged by `check`.
pub(crate) fn verify_element_by(
    doc: &Document,
    element: NodeId,
    keys: &TrustedKeys,
    options: &VerifyOptions,
    check: &SignatureCheck<'_>,
) -> Result<Verified, DsigError> {
    let sigs: Vec<NodeId> = doc.children_named(element, DSIG_NS, "Signature").collect();
    let sig = match sigs.as_slice() {
        [] => {
            return Err(DsigError::new(
                DsigErrorKind::SignatureMissing,
                format!("{} carries no ds:Signature", doc.describe(element)),
            ))
        }
        [one] => *one,
        _ => {
            return Err(DsigError::new(
                DsigErrorKind::SignatureMisplaced,
                format!(
                    "{} carries {} ds:Signature elements",
                    doc.describe(element),
                    sigs.len()
                ),
            ))
        }
    };
    let mut kids = doc.child_elements(element);
    let first = kids.next();
    let expected = if first.is_some_and(|f| doc.is_named(f, SAML_ASSERTION_NS, "Issuer")) {
        kids.next()
    } else {
        first
    };
    if expected != Some(sig) {
        return Err(DsigError::new(
            DsigErrorKind::SignatureMisplaced,
            "ds:Signature must directly follow Issuer (or come first)",
        ));
    }
    verify_signature_by(doc, sig, keys, options, check)
}

/// The parts of a well-shaped Signature.
struct Parts<'a> {
    signed_info: NodeId,
    c14n_prefixes: Vec<String>,
    signature_hash: Hash,
    reference_uri: &'a str,
    transform_prefixes: Vec<String>,
    digest_hash: Hash,
    digest_value: String,
    signature_value: String,
    key_info_certs: Vec<String>,
}

/// Verifies one `ds:Signature` element (enveloped in its parent).
pub fn verify_signature(
    doc: &Document,
    signature: NodeId,
    keys: &TrustedKeys,
    options: &VerifyOptions,
) -> Result<Verified, DsigError> {
    verify_signature_by(doc, signature, keys, options, &SignatureCheck::Rsa)
}

fn verify_signature_by(
    doc: &Document,
    signature: NodeId,
    keys: &TrustedKeys,
    options: &VerifyOptions,
    check: &SignatureCheck<'_>,
) -> Result<Verified, DsigError> {
    if keys.is_empty() {
        return Err(DsigError::new(
            DsigErrorKind::NoTrustedKeys,
            "no verification key is configured; nothing can verify",
        ));
    }
    if let Some(dup) = doc.find_duplicate_id() {
        return Err(DsigError::new(
            DsigErrorKind::DuplicateId,
            format!("ID {dup:?} appears more than once in the document"),
        ));
    }
    if !doc.is_named(signature, DSIG_NS, "Signature") {
        return Err(DsigError::new(
            DsigErrorKind::SignatureMissing,
            "not a ds:Signature element",
        ));
    }
    let parts = signature_parts(doc, signature, options)?;

    // Reference: `#` + NCName naming the Signature's parent (enveloped).
    let target_id = parts
        .reference_uri
        .strip_prefix('#')
        .filter(|id| is_ncname(id))
        .ok_or_else(|| {
            DsigError::new(
                DsigErrorKind::ReferenceUriInvalid,
                format!(
                    "Reference URI {:?} is not '#' followed by an NCName",
                    parts.reference_uri
                ),
            )
        })?;
    let parent = doc
        .parent(signature)
        .ok_or_else(|| shape("ds:Signature has no parent element"))?;
    if doc.id_of(parent) != Some(target_id) {
        return Err(DsigError::new(
            DsigErrorKind::ReferenceUriMismatch,
            format!(
                "Reference URI #{target_id} does not name the signature's parent {}",
                doc.describe(parent)
            ),
        ));
    }

    // Key: pinned only (I6). Certificates in KeyInfo are a hint that must
    // name a pinned key: if KeyInfo carries certificates and none of them
    // is pinned, refuse outright (KEY1, KEY2). A chain with the pinned
    // leaf among other certificates is fine; the pinned key is what
    // verifies, never the certificate's.
    let mut hinted = None;
    for b64 in &parts.key_info_certs {
        let der = decode_base64(b64).ok_or_else(|| shape("X509Certificate is not base64"))?;
        // Byte-identical to a pinned certificate: that key, no parse needed.
        if let Some(k) = keys.find_by_cert_der(&der) {
            hinted.get_or_insert(k);
            continue;
        }
        let cert =
            X509::from_der(&der).map_err(|_| shape("X509Certificate is not a DER certificate"))?;
        let spki = cert
            .public_key()
            .and_then(|k| k.public_key_to_der())
            .map_err(|_| shape("X509Certificate carries an unreadable key"))?;
        if let Some(k) = keys.find_by_spki(&spki) {
            hinted.get_or_insert(k);
        }
    }
    if hinted.is_none() && !parts.key_info_certs.is_empty() {
        return Err(DsigError::new(
            DsigErrorKind::UntrustedKey,
            "KeyInfo carries only certificates whose keys are not pinned for this issuer",
        ));
    }

    let signature_value = decode_base64(&parts.signature_value)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            DsigError::new(
                DsigErrorKind::SignatureInvalid,
                "SignatureValue is not base64",
            )
        })?;
    let canonical_signed_info = exc_c14n(doc, parts.signed_info, None, &parts.c14n_prefixes);
    let candidates: Vec<_> = match hinted {
        Some(k) => vec![k],
        None => keys.iter().collect(),
    };
    let mut verified_by = None;
    for k in candidates {
        let good = match *check {
            SignatureCheck::Rsa => k.verifies(
                parts.signature_hash,
                canonical_signed_info.as_bytes(),
                &signature_value,
            ),
            SignatureCheck::Signed {
                hash,
                signed_info,
                signature,
                ..
            } => {
                parts.signature_hash == hash
                    && canonical_signed_info.as_bytes() == signed_info
                    && signature_value == signature
            }
        };
        if good {
            verified_by = Some(k);
            break;
        }
    }
    let key = verified_by.ok_or_else(|| {
        DsigError::new(
            DsigErrorKind::SignatureInvalid,
            "SignatureValue does not verify under any pinned key",
        )
    })?;

    // XML-DSig 3.2.1 reference validation, with the enveloped Signature
    // left out (6.6.4) and exc-c14n with the transform's PrefixList.
    let canonical = exc_c14n(doc, parent, Some(signature), &parts.transform_prefixes);
    let digest_matches = match *check {
        SignatureCheck::Rsa => {
            let expected = decode_base64(&parts.digest_value).ok_or_else(|| {
                DsigError::new(DsigErrorKind::DigestMismatch, "DigestValue is not base64")
            })?;
            let actual = super::rsa::digest(parts.digest_hash, canonical.as_bytes())
                .map_err(|e| DsigError::new(DsigErrorKind::CryptoFailure, e.to_string()))?;
            expected.len() == actual.len() && openssl::memcmp::eq(&expected, &actual)
        }
        SignatureCheck::Signed {
            reference, digest, ..
        } => {
            decode_base64(&parts.digest_value).as_deref() == Some(digest)
                && canonical.as_bytes() == reference
        }
    };
    if !digest_matches {
        return Err(DsigError::new(
            DsigErrorKind::DigestMismatch,
            format!(
                "the digest of {} does not match its Reference",
                doc.describe(parent)
            ),
        ));
    }
    Ok(Verified {
        signed: parent,
        signature,
        key_label: key.label.clone(),
        hash: parts.signature_hash,
    })
}

/// The element children of `id`, refusing non-whitespace text anywhere.
fn element_children(doc: &Document, id: NodeId, what: &str) -> Result<Vec<NodeId>, DsigError> {
    let mut out = Vec::new();
    for &c in doc.children(id) {
        match &doc.node(c).kind {
            NodeKind::Element(_) => out.push(c),
            NodeKind::Text(t) if t.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) => {}
            NodeKind::Text(_) => return Err(shape(format!("text inside {what}"))),
            NodeKind::Comment(_) => return Err(shape(format!("comment inside {what}"))),
        }
    }
    Ok(out)
}

/// Requires `id` to be `ds:local`.
fn expect_ds(doc: &Document, id: Option<NodeId>, local: &str) -> Result<NodeId, DsigError> {
    match id {
        Some(n) if doc.is_named(n, DSIG_NS, local) => Ok(n),
        Some(n) => Err(shape(format!(
            "expected ds:{local}, found {}",
            doc.describe(n)
        ))),
        None => Err(shape(format!("ds:{local} is missing"))),
    }
}

fn algorithm(doc: &Document, id: NodeId) -> Result<&str, DsigError> {
    doc.attribute(id, "Algorithm")
        .ok_or_else(|| shape(format!("{} has no Algorithm", doc.describe(id))))
}

/// Text-only content (no child elements or comments).
fn simple_text(doc: &Document, id: NodeId) -> Result<String, DsigError> {
    if doc
        .children(id)
        .iter()
        .any(|c| !matches!(doc.node(*c).kind, NodeKind::Text(_)))
    {
        return Err(shape(format!("{} must hold text only", doc.describe(id))));
    }
    Ok(doc.text(id))
}

/// The optional `ec:InclusiveNamespaces PrefixList` child of a c14n
/// method or transform; nothing else may be inside.
fn inclusive_prefixes(doc: &Document, id: NodeId) -> Result<Vec<String>, DsigError> {
    let kids = element_children(doc, id, "a c14n method")?;
    match kids.as_slice() {
        [] => Ok(Vec::new()),
        [inc] if doc.is_named(*inc, EXC_C14N, "InclusiveNamespaces") => {
            let list = doc
                .attribute(*inc, "PrefixList")
                .ok_or_else(|| shape("InclusiveNamespaces without PrefixList"))?;
            Ok(parse_prefix_list(list))
        }
        _ => Err(shape("unexpected content in a c14n method")),
    }
}

fn signature_parts<'a>(
    doc: &'a Document,
    sig: NodeId,
    options: &VerifyOptions,
) -> Result<Parts<'a>, DsigError> {
    // No comment anywhere inside the Signature (REF2: a comment in
    // DigestValue once fooled a verifier), and one SignedInfo only (REF3).
    let mut signed_infos = 0;
    for n in doc.descendants(sig) {
        if matches!(doc.node(n).kind, NodeKind::Comment(_)) {
            return Err(shape("comment inside ds:Signature"));
        }
        if doc.is_named(n, DSIG_NS, "SignedInfo") {
            signed_infos += 1;
        }
    }
    if signed_infos != 1 {
        return Err(shape(format!(
            "{signed_infos} ds:SignedInfo elements; exactly 1 is required"
        )));
    }

    // XML-DSig 4.1: SignedInfo, SignatureValue, KeyInfo?, Object*. The SAML
    // profile has no use for Object (XSW8), so it is refused.
    let kids = element_children(doc, sig, "ds:Signature")?;
    let mut it = kids.iter().copied();
    let signed_info = expect_ds(doc, it.next(), "SignedInfo")?;
    let signature_value_el = expect_ds(doc, it.next(), "SignatureValue")?;
    let mut key_info = None;
    if let Some(n) = it.next() {
        if doc.is_named(n, DSIG_NS, "KeyInfo") {
            key_info = Some(n);
        } else if doc.is_named(n, DSIG_NS, "Object") {
            return Err(shape("ds:Object is not allowed in a SAML signature"));
        } else {
            return Err(shape(format!(
                "unexpected {} in ds:Signature",
                doc.describe(n)
            )));
        }
    }
    if let Some(n) = it.next() {
        return Err(shape(format!(
            "unexpected {} in ds:Signature",
            doc.describe(n)
        )));
    }

    // XML-DSig 4.3: CanonicalizationMethod, SignatureMethod, Reference+;
    // SAML Core 5.4.2: a single Reference, to the signed element's ID.
    let si = element_children(doc, signed_info, "ds:SignedInfo")?;
    let mut it = si.iter().copied();
    let c14n_method = expect_ds(doc, it.next(), "CanonicalizationMethod")?;
    let signature_method = expect_ds(doc, it.next(), "SignatureMethod")?;
    let reference = expect_ds(doc, it.next(), "Reference")?;
    if let Some(n) = it.next() {
        return Err(shape(if doc.is_named(n, DSIG_NS, "Reference") {
            "more than one ds:Reference; exactly 1 is required".to_string()
        } else {
            format!("unexpected {} in ds:SignedInfo", doc.describe(n))
        }));
    }

    let c14n_alg = algorithm(doc, c14n_method)?;
    if c14n_alg != EXC_C14N {
        return Err(DsigError::new(
            DsigErrorKind::AlgorithmForbidden,
            format!("CanonicalizationMethod {c14n_alg:?} is not exc-c14n"),
        ));
    }
    let c14n_prefixes = inclusive_prefixes(doc, c14n_method)?;
    let signature_hash = signature_hash(algorithm(doc, signature_method)?, options.legacy_sha1)?;
    if doc.child_elements(signature_method).next().is_some() {
        return Err(shape(
            "ds:SignatureMethod must be empty (no HMACOutputLength)",
        ));
    }

    // XML-DSig 4.3.3: Transforms?, DigestMethod, DigestValue.
    let reference_uri = doc.attribute(reference, "URI").ok_or_else(|| {
        DsigError::new(
            DsigErrorKind::ReferenceUriInvalid,
            "ds:Reference has no URI",
        )
    })?;
    let rk = element_children(doc, reference, "ds:Reference")?;
    let mut it = rk.iter().copied();
    let transforms = expect_ds(doc, it.next(), "Transforms")?;
    let digest_method = expect_ds(doc, it.next(), "DigestMethod")?;
    let digest_value_el = expect_ds(doc, it.next(), "DigestValue")?;
    if let Some(n) = it.next() {
        return Err(shape(format!(
            "unexpected {} in ds:Reference",
            doc.describe(n)
        )));
    }
    let digest_hash = digest_hash(algorithm(doc, digest_method)?, options.legacy_sha1)?;
    if digest_hash != signature_hash {
        return Err(DsigError::new(
            DsigErrorKind::AlgorithmMismatch,
            format!("signature uses {signature_hash:?} but the digest uses {digest_hash:?}"),
        ));
    }

    // SAML Core 5.4.4 (only enveloped-signature and exc-c14n transforms),
    // tightened to exactly [enveloped-signature, exc-c14n] (I3).
    let tk = element_children(doc, transforms, "ds:Transforms")?;
    let mut algs = Vec::new();
    for &t in &tk {
        let t = expect_ds(doc, Some(t), "Transform")?;
        let alg = algorithm(doc, t)?;
        if alg != ENVELOPED_SIGNATURE && alg != EXC_C14N {
            return Err(DsigError::new(
                DsigErrorKind::AlgorithmForbidden,
                format!("Transform {alg:?} is not allowed"),
            ));
        }
        algs.push((alg, t));
    }
    let transform_prefixes = match algs.as_slice() {
        [(ENVELOPED_SIGNATURE, env), (EXC_C14N, exc)] => {
            if doc.child_elements(*env).next().is_some() {
                return Err(DsigError::new(
                    DsigErrorKind::TransformsInvalid,
                    "the enveloped-signature transform takes no parameters",
                ));
            }
            inclusive_prefixes(doc, *exc)?
        }
        _ => {
            return Err(DsigError::new(
                DsigErrorKind::TransformsInvalid,
                "transforms must be exactly [enveloped-signature, exc-c14n]",
            ))
        }
    };

    let mut key_info_certs = Vec::new();
    if let Some(ki) = key_info {
        for x509_data in doc.children_named(ki, DSIG_NS, "X509Data") {
            for c in doc.children_named(x509_data, DSIG_NS, "X509Certificate") {
                key_info_certs.push(simple_text(doc, c)?);
            }
        }
    }

    Ok(Parts {
        signed_info,
        c14n_prefixes,
        signature_hash,
        reference_uri,
        transform_prefixes,
        digest_hash,
        digest_value: simple_text(doc, digest_value_el)?,
        signature_value: simple_text(doc, signature_value_el)?,
        key_info_certs,
    })
}
