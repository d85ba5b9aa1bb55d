//! Enveloped signing: the `ds:Signature` is spliced into the original text,
//! so the output is the input plus one element, byte for byte.

use super::{
    verify_element_by, DsigError, DsigErrorKind, Hash, SignOptions, SignatureCheck, VerifyOptions,
    DSIG_NS, ENVELOPED_SIGNATURE,
};
use crate::saml::b64;
use crate::saml::c14n::{exc_c14n, EXC_C14N};
use crate::saml::keys::{SigningKey, TrustedKeys};
use crate::saml::xml::{is_ncname, Document, NodeId, ParseOptions};
use crate::saml::SAML_ASSERTION_NS;

/// Signs the element whose unqualified `ID` is `id` and returns the whole
/// document with the `ds:Signature` spliced in.
pub fn sign_by_id(
    input: &[u8],
    id: &str,
    key: &SigningKey,
    options: &SignOptions,
) -> Result<String, DsigError> {
    let doc = Document::parse(input)?;
    sign_parsed_by_id(&doc, id, key, options).map(|(out, _)| out)
}

/// [`sign_by_id`] over a document already in tree form: parsed with the
/// default options, or written by `TreeWriter` (the same tree). Also returns the self-check's parse of the output: it was
/// made with the default options whenever the output is no longer than
/// their `max_bytes` ([`SignedDocument::parsed_with_defaults`]), so a
/// caller can use it instead of parsing the same bytes again.
pub(crate) fn sign_parsed_by_id(
    doc: &Document,
    id: &str,
    key: &SigningKey,
    options: &SignOptions,
) -> Result<(String, SignedDocument), DsigError> {
    let mut found = doc.elements_with_id(id);
    let element = match found.len() {
        0 => {
            return Err(DsigError::new(
                DsigErrorKind::IdNotFound,
                format!("no element has ID {id:?}"),
            ))
        }
        1 => found.remove(0),
        _ => {
            return Err(DsigError::new(
                DsigErrorKind::DuplicateId,
                format!("ID {id:?} appears {} times", found.len()),
            ))
        }
    };
    sign_element_checked(doc, element, key, options)
}

/// The signer's self-check parse of its own output.
pub(crate) struct SignedDocument {
    pub doc: Document,
    /// The output fits the default `max_bytes`, so `doc` is exactly what
    /// `Document::parse` (default options) gives for it.
    pub parsed_with_defaults: bool,
}

/// Signs `element` of `doc` (which must have a unique `ID`) with an
/// enveloped RSA signature over exc-c14n, and returns the document text
/// with the `ds:Signature` inserted after `saml:Issuer` (SAML Core 5.4.1:
/// the signature is enveloped; the schemas place it right after Issuer),
/// or as the first child when there is no Issuer.
pub fn sign_element(
    doc: &Document,
    element: NodeId,
    key: &SigningKey,
    options: &SignOptions,
) -> Result<String, DsigError> {
    sign_element_checked(doc, element, key, options).map(|(out, _)| out)
}

fn sign_element_checked(
    doc: &Document,
    element: NodeId,
    key: &SigningKey,
    options: &SignOptions,
) -> Result<(String, SignedDocument), DsigError> {
    if let Some(dup) = doc.find_duplicate_id() {
        return Err(DsigError::new(
            DsigErrorKind::DuplicateId,
            format!("ID {dup:?} appears twice"),
        ));
    }
    let e = doc
        .element(element)
        .ok_or_else(|| DsigError::new(DsigErrorKind::IdNotFound, "not an element"))?;
    let id = doc.id_of(element).ok_or_else(|| {
        DsigError::new(
            DsigErrorKind::IdNotFound,
            format!("{} has no ID", doc.describe(element)),
        )
    })?;
    if !is_ncname(id) {
        return Err(DsigError::new(
            DsigErrorKind::ReferenceUriInvalid,
            format!("ID {id:?} is not an NCName"),
        ));
    }
    if doc
        .first_child_named(element, DSIG_NS, "Signature")
        .is_some()
    {
        return Err(DsigError::new(
            DsigErrorKind::AlreadySigned,
            format!("{} already carries a ds:Signature", doc.describe(element)),
        ));
    }
    let hash = if options.legacy_sha1 {
        Hash::Sha1
    } else {
        Hash::Sha256
    };

    // SAML Core 5.4.3: exc-c14n; the digest of the element without the
    // signature equals the digest of the signed element minus the
    // enveloped Signature (XML-DSig 6.6.4), as nothing else is inserted.
    let canonical = exc_c14n(doc, element, None, &[]);
    let digest = crate::saml::rsa::digest(hash, canonical.as_bytes())
        .map_err(|e| DsigError::new(DsigErrorKind::CryptoFailure, e.to_string()))?;
    // SignedInfo is written directly in its canonical form: only the ds
    // prefix is visibly utilised and it is declared on SignedInfo itself,
    // so exc-c14n of it in place is these exact bytes.
    let mut signed_info_body = String::with_capacity(640);
    for part in [
        "<ds:CanonicalizationMethod Algorithm=\"",
        EXC_C14N,
        "\"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm=\"",
        hash.signature_uri(),
        "\"></ds:SignatureMethod><ds:Reference URI=\"#",
        id,
        "\"><ds:Transforms><ds:Transform Algorithm=\"",
        ENVELOPED_SIGNATURE,
        "\"></ds:Transform><ds:Transform Algorithm=\"",
        EXC_C14N,
        "\"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm=\"",
        hash.digest_uri(),
        "\"></ds:DigestMethod><ds:DigestValue>",
    ] {
        signed_info_body.push_str(part);
    }
    b64::encode_into(&mut signed_info_body, &digest);
    signed_info_body.push_str("</ds:DigestValue></ds:Reference>");
    let canonical_signed_info =
        format!("<ds:SignedInfo xmlns:ds=\"{DSIG_NS}\">{signed_info_body}</ds:SignedInfo>");
    let signature_value = key
        .sign(hash, canonical_signed_info.as_bytes())
        .map_err(|e| DsigError::new(DsigErrorKind::CryptoFailure, e.to_string()))?;
    let mut signature = String::with_capacity(signed_info_body.len() + 2400);
    for part in [
        "<ds:Signature xmlns:ds=\"",
        DSIG_NS,
        "\"><ds:SignedInfo>",
        &signed_info_body,
        "</ds:SignedInfo><ds:SignatureValue>",
    ] {
        signature.push_str(part);
    }
    b64::encode_into(&mut signature, &signature_value);
    for part in [
        "</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>",
        key.cert_base64(),
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>",
    ] {
        signature.push_str(part);
    }

    let src = doc.source();
    let mut out = String::with_capacity(src.len() + signature.len() + 64);
    if e.span.self_closing {
        // `<X …/>` becomes `<X …>SIG</X>`.
        let tag = &e.span.start_tag;
        out.push_str(&src[..tag.end - 2]);
        out.push('>');
        out.push_str(&signature);
        out.push_str("</");
        out.push_str(&e.qname());
        out.push('>');
        out.push_str(&src[tag.end..]);
    } else {
        let at = match doc.child_elements(element).next() {
            Some(first) if doc.is_named(first, SAML_ASSERTION_NS, "Issuer") => doc
                .element(first)
                .map_or(e.span.start_tag.end, |i| i.span.end),
            _ => e.span.start_tag.end,
        };
        out.push_str(&src[..at]);
        out.push_str(&signature);
        out.push_str(&src[at..]);
    }

    // Self-check: the output must verify with this key under the same
    // parser and verifier every consumer uses. The RSA step itself is
    // replaced by comparing the SignedInfo the verifier rebuilds with the
    // bytes OpenSSL signed (and checked) above: see `SignatureCheck::Signed`.
    let defaults = ParseOptions::default();
    let parsed_with_defaults = out.len() <= defaults.max_bytes;
    let options_out = ParseOptions {
        max_bytes: out.len().max(defaults.max_bytes),
        ..defaults
    };
    let signed_doc = Document::parse_with(out.as_bytes(), &options_out)?;
    let trusted = key
        .trusted("signer")
        .map_err(|e| DsigError::new(DsigErrorKind::CryptoFailure, e.to_string()))?;
    let target = signed_doc
        .element_by_id(id)
        .ok_or_else(|| DsigError::new(DsigErrorKind::CryptoFailure, "signed element lost"))?;
    verify_element_by(
        &signed_doc,
        target,
        &TrustedKeys::new(vec![trusted]),
        &VerifyOptions {
            legacy_sha1: options.legacy_sha1,
        },
        &SignatureCheck::Signed {
            hash,
            signed_info: canonical_signed_info.as_bytes(),
            signature: &signature_value,
            reference: canonical.as_bytes(),
            digest: &digest,
        },
    )?;
    Ok((
        out,
        SignedDocument {
            doc: signed_doc,
            parsed_with_defaults,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::saml::dsig::{verify_element, DsigErrorKind};

    fn key() -> SigningKey {
        SigningKey::from_pem(
            include_bytes!("../../../fixtures/pki/idp-generic.key.pem"),
            include_bytes!("../../../fixtures/pki/idp-generic.crt.pem"),
        )
        .unwrap()
    }

    /// The signer's self-check compares bytes instead of doing RSA: it
    /// must accept exactly what RSA verification accepts for its output,
    /// and refuse when the SignedInfo, SignatureValue or referenced
    /// octets a consumer would see are not what was signed.
    #[test]
    fn self_check_accepts_what_rsa_accepts_and_nothing_else() {
        let key = key();
        let input = r#"<r:Doc xmlns:r="urn:example:r" ID="_d1"><r:Item>one</r:Item></r:Doc>"#;
        let out = sign_by_id(input.as_bytes(), "_d1", &key, &SignOptions::default()).unwrap();
        let doc = Document::parse(out.as_bytes()).unwrap();
        let root = doc.root();
        let keys = TrustedKeys::new(vec![key.trusted("signer").unwrap()]);
        let options = VerifyOptions::default();
        verify_element(&doc, root, &keys, &options).expect("RSA verification");

        // What a consumer rebuilds, and the signature it finds.
        let sig = doc.first_child_named(root, DSIG_NS, "Signature").unwrap();
        let signed_info = doc.first_child_named(sig, DSIG_NS, "SignedInfo").unwrap();
        let canonical = exc_c14n(&doc, signed_info, None, &[]);
        let value_el = doc
            .first_child_named(sig, DSIG_NS, "SignatureValue")
            .unwrap();
        let value = b64::decode(doc.text(value_el).as_bytes()).unwrap();
        // The canonical octets the Reference's digest was taken over.
        let reference = exc_c14n(&doc, root, Some(sig), &[]);
        let digest = crate::saml::rsa::digest(Hash::Sha256, reference.as_bytes()).unwrap();
        let check_reference =
            |hash, signed_info: &[u8], signature: &[u8], reference: &[u8], digest: &[u8]| {
                verify_element_by(
                    &doc,
                    root,
                    &keys,
                    &options,
                    &SignatureCheck::Signed {
                        hash,
                        signed_info,
                        signature,
                        reference,
                        digest,
                    },
                )
                .map(|_| ())
                .map_err(|e| e.kind)
            };
        let check = |hash, signed_info: &[u8], signature: &[u8]| {
            check_reference(hash, signed_info, signature, reference.as_bytes(), &digest)
        };
        assert_eq!(check(Hash::Sha256, canonical.as_bytes(), &value), Ok(()));
        let mut other_reference = reference.clone().into_bytes();
        other_reference.pop();
        assert_eq!(
            check_reference(
                Hash::Sha256,
                canonical.as_bytes(),
                &value,
                &other_reference,
                &digest
            ),
            Err(DsigErrorKind::DigestMismatch)
        );
        let mut other_digest = digest.clone();
        other_digest[0] ^= 1;
        assert_eq!(
            check_reference(
                Hash::Sha256,
                canonical.as_bytes(),
                &value,
                reference.as_bytes(),
                &other_digest
            ),
            Err(DsigErrorKind::DigestMismatch)
        );
        let mut other_info = canonical.clone().into_bytes();
        other_info.push(b' ');
        let mut other_value = value.clone();
        other_value[0] ^= 1;
        for (what, got) in [
            ("SignedInfo", check(Hash::Sha256, &other_info, &value)),
            (
                "SignatureValue",
                check(Hash::Sha256, canonical.as_bytes(), &other_value),
            ),
            ("hash", check(Hash::Sha1, canonical.as_bytes(), &value)),
        ] {
            assert_eq!(got, Err(DsigErrorKind::SignatureInvalid), "{what}");
        }
    }
}
