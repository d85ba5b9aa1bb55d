//! XML-DSig enveloped signatures: our signatures round-trip and match the
//! committed evidence that xmlsec1 verifies (`interop/saml/check_dsig.sh`);
//! xmlsec1's signatures verify with our verifier; and every attack shape of
//! SECURITY.md §1.A–1.C and 1.F that needs only the signature layer is
//! refused with its named reason. Attack messages are built here from a
//! fresh RSA-SHA256 signature by the mock IdP's own key.

use std::fs;

use ssosim::saml::c14n::exc_c14n;
use ssosim::saml::dsig::{
    find_signatures, sign_by_id, sign_element, verify_element, verify_signature, DsigError, Hash,
    SignOptions, Verified, VerifyOptions, DSIG_NS,
};
use ssosim::saml::keys::{SigningKey, TrustedKey, TrustedKeys};
use ssosim::saml::xml::Document;
use ssosim::saml::{SAML_ASSERTION_NS, SAML_PROTOCOL_NS};

use crate::saml_support::{fixtures, pinned, pki, read_args, signing_key, xml_names};

/// A Response whose Assertion `_a1` (NameID `alice`) the IdP signs.
const RESPONSE: &str = concat!(
    r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" "#,
    r#"xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" "#,
    r#"IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://idp.example.test/</saml:Issuer>"#,
    r#"<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>"#,
    r#"<saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">"#,
    r#"<saml:Issuer>https://idp.example.test/</saml:Issuer>"#,
    r#"<saml:Subject><saml:NameID>alice@example.test</saml:NameID></saml:Subject>"#,
    r#"</saml:Assertion></samlp:Response>"#
);

fn okta() -> SigningKey {
    signing_key("idp-okta", "idp-okta.crt.pem")
}

fn sign(xml: &str, id: &str, key: &SigningKey) -> String {
    sign_by_id(xml.as_bytes(), id, key, &SignOptions::default()).unwrap()
}

/// The Response with its Assertion signed by the Okta IdP key.
fn signed_assertion() -> String {
    sign(RESPONSE, "_a1", &okta())
}

/// Verifies the first top-level Assertion of `xml` against `keys`.
fn verify_assertion_with(
    xml: &str,
    keys: &TrustedKeys,
    options: &VerifyOptions,
) -> Result<Verified, DsigError> {
    let doc = Document::parse(xml.as_bytes()).map_err(DsigError::from)?;
    let assertion = doc
        .first_child_named(doc.root(), SAML_ASSERTION_NS, "Assertion")
        .expect("a top-level Assertion");
    verify_element(&doc, assertion, keys, options)
}

/// The reason `xml`'s Assertion is refused when Okta's key is pinned.
fn refusal(xml: &str) -> &'static str {
    match verify_assertion_with(xml, &pinned(&["idp-okta"]), &VerifyOptions::default()) {
        Ok(v) => panic!("accepted: {v:?}\n{xml}"),
        Err(e) => e.reason(),
    }
}

/// The `<ds:Signature>…</ds:Signature>` text of the first signature.
fn signature_text(xml: &str) -> &str {
    let start = xml.find("<ds:Signature").unwrap();
    let end = xml.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    &xml[start..end]
}

fn replace_once(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "{from:?} not in the message");
    xml.replacen(from, to, 1)
}

#[test]
fn sign_then_verify_round_trips_and_names_the_signed_element() {
    let xml = signed_assertion();
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let assertion = doc.element_by_id("_a1").unwrap();
    let v = verify_element(
        &doc,
        assertion,
        &pinned(&["idp-okta"]),
        &VerifyOptions::default(),
    )
    .unwrap();
    assert_eq!(v.signed, assertion);
    assert_eq!(v.hash, Hash::Sha256);
    assert_eq!(v.key_label, "idp-okta");
    // Schema position: right after the Assertion's Issuer.
    let kids: Vec<_> = doc.child_elements(assertion).collect();
    assert!(doc.is_named(kids[0], SAML_ASSERTION_NS, "Issuer"));
    assert!(doc.is_named(kids[1], DSIG_NS, "Signature"));
    // Signing only inserted the Signature: removing it gives back the input.
    assert_eq!(xml.replace(signature_text(&xml), ""), RESPONSE);
}

#[test]
fn signing_is_deterministic() {
    assert_eq!(signed_assertion(), signed_assertion());
}

#[test]
fn signature_goes_first_when_there_is_no_issuer() {
    let xml = r#"<r:Thing xmlns:r="urn:r" ID="_t"><r:a/></r:Thing>"#;
    let unsigned = Document::parse(xml.as_bytes()).unwrap();
    let signed =
        sign_element(&unsigned, unsigned.root(), &okta(), &SignOptions::default()).unwrap();
    assert!(
        signed.starts_with(r#"<r:Thing xmlns:r="urn:r" ID="_t"><ds:Signature"#),
        "{signed}"
    );
    let doc = Document::parse(signed.as_bytes()).unwrap();
    verify_element(
        &doc,
        doc.root(),
        &pinned(&["idp-okta"]),
        &VerifyOptions::default(),
    )
    .unwrap();
}

#[test]
fn our_signatures_match_the_committed_evidence_that_xmlsec1_verifies() {
    // fixtures/saml/dsig/ours/NAME.xml is what we sign from unsigned/NAME.xml;
    // interop/saml/check_dsig.sh verifies those files with xmlsec1. Set
    // SSOSIM_WRITE_FIXTURES=1 to rewrite them after a deliberate change.
    let dir = fixtures().join("saml/dsig");
    let write = std::env::var_os("SSOSIM_WRITE_FIXTURES").is_some();
    let names = xml_names(&dir.join("unsigned"));
    assert!(names.len() >= 5);
    for name in names {
        let args = read_args(&dir.join(format!("unsigned/{name}.args")));
        let key_name = &args["key"];
        let input = fs::read(dir.join(format!("unsigned/{name}.xml"))).unwrap();
        let key = signing_key(key_name, &format!("{key_name}.crt.pem"));
        let signed = sign_by_id(&input, &args["id"], &key, &SignOptions::default()).unwrap();
        let path = dir.join(format!("ours/{name}.xml"));
        if write {
            fs::create_dir_all(dir.join("ours")).unwrap();
            fs::write(&path, &signed).unwrap();
        }
        let committed = fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            signed, committed,
            "{name}: rerun with SSOSIM_WRITE_FIXTURES=1"
        );
        let doc = Document::parse(signed.as_bytes()).unwrap();
        let el = doc.element_by_id(&args["id"]).unwrap();
        verify_element(&doc, el, &pinned(&[key_name]), &VerifyOptions::default()).unwrap();
    }
}

#[test]
fn xmlsec1_signed_documents_verify_with_our_verifier() {
    // Made by interop/saml/gen_c14n.py with `xmlsec1 --sign` and the
    // idp-generic key; xmlsec1's own canonical SignedInfo is stored beside.
    let dir = fixtures().join("saml/dsig/xmlsec1");
    let names = xml_names(&dir);
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        let xml = fs::read(dir.join(format!("{name}.xml"))).unwrap();
        let doc = Document::parse(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        // xmlsec1 fills the first Signature template in document order.
        let sig = find_signatures(&doc)[0];
        let v = verify_signature(
            &doc,
            sig,
            &pinned(&["idp-generic"]),
            &VerifyOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc.parent(sig), Some(v.signed));
        let signed_info = doc.first_child_named(sig, DSIG_NS, "SignedInfo").unwrap();
        let expected = fs::read(dir.join(format!("{name}.signedinfo.c14n"))).unwrap();
        assert_eq!(
            exc_c14n(&doc, signed_info, None, &[]).as_bytes(),
            expected.as_slice(),
            "{name}: SignedInfo c14n differs from xmlsec1's"
        );
    }
}

#[test]
fn comment_injected_into_name_id_keeps_the_signature_valid_and_the_full_text() {
    // SECURITY.md TXT1 (CVE-2017-11427 family): exc-c14n drops comments, so
    // the digest is unchanged; the extracted value must be the whole text.
    let xml = sign(
        &RESPONSE.replace("alice@example.test", "user@victim.com.evil.com"),
        "_a1",
        &okta(),
    );
    let attacked = replace_once(
        &xml,
        "user@victim.com.evil.com",
        "user@victim.com<!---->.evil.com",
    );
    let doc = Document::parse(attacked.as_bytes()).unwrap();
    let assertion = doc.element_by_id("_a1").unwrap();
    let v = verify_element(
        &doc,
        assertion,
        &pinned(&["idp-okta"]),
        &VerifyOptions::default(),
    )
    .unwrap();
    let subject = doc
        .first_child_named(v.signed, SAML_ASSERTION_NS, "Subject")
        .unwrap();
    let name_id = doc
        .first_child_named(subject, SAML_ASSERTION_NS, "NameID")
        .unwrap();
    assert_eq!(doc.text(name_id), "user@victim.com.evil.com");
    assert!(doc.has_comment_child(name_id));
}

#[test]
fn editing_signed_content_is_a_digest_mismatch() {
    let xml = replace_once(
        &signed_assertion(),
        "alice@example.test",
        "admin@example.test",
    );
    assert_eq!(refusal(&xml), "digest-mismatch");
}

#[test]
fn character_reference_rewrite_of_signed_text_still_verifies() {
    // SECURITY.md TXT5: `&#x61;` is `a`; the canonical form and the
    // extracted value agree, so this is the same message.
    let xml = replace_once(&signed_assertion(), "alice@", "&#x61;lice@");
    verify_assertion_with(&xml, &pinned(&["idp-okta"]), &VerifyOptions::default()).unwrap();
}

#[test]
fn unsigned_assertion_is_signature_missing() {
    assert_eq!(refusal(RESPONSE), "signature-missing");
}

#[test]
fn second_signed_info_is_refused() {
    // SECURITY.md REF3 / XSW9 (CVE-2025-29774, CVE-2019-3465).
    let xml = signed_assertion();
    let sig = signature_text(&xml);
    let si_start = sig.find("<ds:SignedInfo>").unwrap();
    let si_end = sig.find("</ds:SignedInfo>").unwrap() + "</ds:SignedInfo>".len();
    let signed_info = &sig[si_start..si_end];
    let doubled = replace_once(&xml, signed_info, &format!("{signed_info}{signed_info}"));
    assert_eq!(refusal(&doubled), "signature-shape-invalid");
    // Wrapped inside KeyInfo instead of a sibling.
    let wrapped = replace_once(
        &xml,
        "<ds:X509Data>",
        &format!("{signed_info}<ds:X509Data>"),
    );
    assert_eq!(refusal(&wrapped), "signature-shape-invalid");
}

#[test]
fn two_references_are_refused() {
    // SECURITY.md REF4 (goxmldsig CVE-2026-33487).
    let xml = signed_assertion();
    let start = xml.find("<ds:Reference ").unwrap();
    let end = xml.find("</ds:Reference>").unwrap() + "</ds:Reference>".len();
    let reference = xml[start..end].to_string();
    let attacked = replace_once(&xml, &reference, &format!("{reference}{reference}"));
    assert_eq!(refusal(&attacked), "signature-shape-invalid");
}

#[test]
fn transforms_other_than_enveloped_then_exc_c14n_are_refused() {
    // SECURITY.md ALG1–ALG3.
    let xml = signed_assertion();
    let enveloped = r#"<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform>"#;
    let exc =
        r#"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></ds:Transform>"#;
    let only_exc = replace_once(&xml, enveloped, "");
    assert_eq!(refusal(&only_exc), "transforms-invalid");
    let swapped = replace_once(
        &xml,
        &format!("{enveloped}{exc}"),
        &format!("{exc}{enveloped}"),
    );
    assert_eq!(refusal(&swapped), "transforms-invalid");
    let twice = replace_once(&xml, enveloped, &format!("{enveloped}{enveloped}"));
    assert_eq!(refusal(&twice), "transforms-invalid");
    let xpath = replace_once(
        &xml,
        exc,
        r#"<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::saml:Subject)</ds:XPath></ds:Transform>"#,
    );
    assert_eq!(refusal(&xpath), "algorithm-forbidden");
    let xslt = replace_once(
        &xml,
        exc,
        r#"<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"></ds:Transform>"#,
    );
    assert_eq!(refusal(&xslt), "algorithm-forbidden");
    let with_comments = replace_once(
        &xml,
        exc,
        r#"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"></ds:Transform>"#,
    );
    assert_eq!(refusal(&with_comments), "algorithm-forbidden");
}

#[test]
fn signed_info_c14n_other_than_exc_c14n_is_refused() {
    // SECURITY.md REF10.
    let xml = replace_once(
        &signed_assertion(),
        r#"<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#">"#,
        r#"<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments">"#,
    );
    assert_eq!(refusal(&xml), "algorithm-forbidden");
}

#[test]
fn hmac_and_other_signature_methods_are_refused() {
    // SECURITY.md KEY5, KEY6, ALG5.
    let rsa_sha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    for forbidden in [
        "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
        "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#RSA-SHA256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 ",
    ] {
        let xml = replace_once(&signed_assertion(), rsa_sha256, forbidden);
        assert_eq!(refusal(&xml), "algorithm-forbidden", "{forbidden}");
    }
    let truncated = replace_once(
        &signed_assertion(),
        &format!(r#"<ds:SignatureMethod Algorithm="{rsa_sha256}"></ds:SignatureMethod>"#),
        r#"<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"><ds:HMACOutputLength>8</ds:HMACOutputLength></ds:SignatureMethod>"#,
    );
    assert_eq!(refusal(&truncated), "algorithm-forbidden");
    let md5 = replace_once(
        &signed_assertion(),
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmldsig-more#md5",
    );
    assert_eq!(refusal(&md5), "algorithm-forbidden");
}

#[test]
fn signature_and_digest_hashes_must_agree() {
    // SECURITY.md ALG6.
    let xml = replace_once(
        &signed_assertion(),
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmlenc#sha512",
    );
    assert_eq!(refusal(&xml), "algorithm-mismatch");
}

#[test]
fn sha1_is_refused_unless_the_legacy_switch_is_on() {
    // SECURITY.md ALG4.
    let legacy = SignOptions { legacy_sha1: true };
    let xml = sign_by_id(RESPONSE.as_bytes(), "_a1", &okta(), &legacy).unwrap();
    assert!(xml.contains("http://www.w3.org/2000/09/xmldsig#rsa-sha1"));
    assert_eq!(refusal(&xml), "sha1-forbidden");
    let v = verify_assertion_with(
        &xml,
        &pinned(&["idp-okta"]),
        &VerifyOptions { legacy_sha1: true },
    )
    .unwrap();
    assert_eq!(v.hash, Hash::Sha1);
}

#[test]
fn attacker_resigning_with_their_cert_in_key_info_is_untrusted_key() {
    // SECURITY.md KEY1.
    let evil = RESPONSE.replace("alice@example.test", "admin@example.test");
    let attacker = signing_key("attacker", "attacker.crt.pem");
    let xml = sign(&evil, "_a1", &attacker);
    assert_eq!(refusal(&xml), "untrusted-key");
    // Without KeyInfo the pinned key is tried, and it does not verify.
    let start = xml.find("<ds:KeyInfo>").unwrap();
    let end = xml.find("</ds:KeyInfo>").unwrap() + "</ds:KeyInfo>".len();
    let bare = xml.replace(&xml[start..end], "");
    assert_eq!(refusal(&bare), "signature-invalid");
    // Nor does a KeyInfo carrying only KeyName / RetrievalMethod (KEY4).
    let hinted = xml.replace(
        &xml[start..end],
        r#"<ds:KeyInfo><ds:KeyName>okta</ds:KeyName><ds:RetrievalMethod URI="http://attacker.test/key"/></ds:KeyInfo>"#,
    );
    assert_eq!(refusal(&hinted), "signature-invalid");
}

#[test]
fn cloned_certificate_with_the_attacker_key_is_untrusted_key() {
    // SECURITY.md KEY2: same subject, issuer, serial and validity as the
    // Okta certificate, the attacker's key.
    let clone = signing_key("attacker", "okta-clone.crt.pem");
    let xml = sign(&RESPONSE.replace("alice", "admin"), "_a1", &clone);
    assert_eq!(refusal(&xml), "untrusted-key");
}

#[test]
fn key_info_is_only_a_hint_among_pinned_keys() {
    let xml = signed_assertion();
    let keys = pinned(&["idp-generic", "idp-okta"]);
    let v = verify_assertion_with(&xml, &keys, &VerifyOptions::default()).unwrap();
    assert_eq!(v.key_label, "idp-okta");
    // KeyInfo naming a pinned but different key: the hinted key is used
    // and fails, rather than falling back to a search.
    let generic_cert = {
        let k = signing_key("idp-generic", "idp-generic.crt.pem");
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, k.cert_der())
    };
    let start = xml.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len();
    let end = xml.find("</ds:X509Certificate>").unwrap();
    let swapped = format!("{}{}{}", &xml[..start], generic_cert, &xml[end..]);
    let e = verify_assertion_with(&swapped, &keys, &VerifyOptions::default()).unwrap_err();
    assert_eq!(e.reason(), "signature-invalid");
}

#[test]
fn no_pinned_key_fails_closed() {
    // SECURITY.md SIG6.
    let e = verify_assertion_with(
        &signed_assertion(),
        &TrustedKeys::default(),
        &VerifyOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.reason(), "no-trusted-keys");
}

#[test]
fn empty_or_garbage_signature_value_is_signature_invalid() {
    // SECURITY.md SIG2.
    let xml = signed_assertion();
    let start = xml.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let end = xml.find("</ds:SignatureValue>").unwrap();
    for garbage in ["", "AAAA", "not base64!"] {
        let attacked = format!("{}{}{}", &xml[..start], garbage, &xml[end..]);
        assert_eq!(refusal(&attacked), "signature-invalid", "{garbage:?}");
    }
}

#[test]
fn missing_signed_info_is_a_shape_error() {
    // SECURITY.md SIG3.
    let xml = signed_assertion();
    let start = xml.find("<ds:SignedInfo>").unwrap();
    let end = xml.find("</ds:SignedInfo>").unwrap() + "</ds:SignedInfo>".len();
    let attacked = xml.replace(&xml[start..end], "");
    assert_eq!(refusal(&attacked), "signature-shape-invalid");
}

#[test]
fn digest_value_comment_is_a_shape_error() {
    // SECURITY.md REF2 (CVE-2025-29775).
    let xml = replace_once(
        &signed_assertion(),
        "<ds:DigestValue>",
        "<ds:DigestValue><!--forged-->",
    );
    assert_eq!(refusal(&xml), "signature-shape-invalid");
}

#[test]
fn digest_value_elsewhere_in_the_document_is_ignored() {
    // SECURITY.md REF1 (CVE-2024-45409): a DigestValue of the edited
    // assertion placed before the Signature changes nothing.
    let xml = replace_once(
        &signed_assertion(),
        "alice@example.test",
        "admin@example.test",
    );
    let attacked = replace_once(
        &xml,
        "<samlp:Status>",
        r#"<samlp:Extensions><ds:DigestValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#">AAAA</ds:DigestValue></samlp:Extensions><samlp:Status>"#,
    );
    assert_eq!(refusal(&attacked), "digest-mismatch");
}

#[test]
fn object_in_signature_is_refused() {
    // SECURITY.md XSW8, with a fresh ID so the duplicate-ID rule is not
    // what catches it.
    let xml = replace_once(
        &signed_assertion(),
        "</ds:KeyInfo>",
        r#"</ds:KeyInfo><ds:Object><saml:Assertion ID="_clean"/></ds:Object>"#,
    );
    assert_eq!(refusal(&xml), "signature-shape-invalid");
}

#[test]
fn duplicate_ids_are_refused() {
    // SECURITY.md I4, XSW7, XSW8, REF5: a copy with the same ID anywhere.
    let xml = signed_assertion();
    let in_extensions = replace_once(
        &xml,
        "<samlp:Status>",
        r#"<samlp:Extensions><saml:Assertion ID="_a1"><saml:Subject><saml:NameID>admin</saml:NameID></saml:Subject></saml:Assertion></samlp:Extensions><samlp:Status>"#,
    );
    assert_eq!(refusal(&in_extensions), "duplicate-id");
    let in_object = replace_once(
        &xml,
        "</ds:KeyInfo>",
        r#"</ds:KeyInfo><ds:Object><saml:Assertion ID="_a1"/></ds:Object>"#,
    );
    assert_eq!(refusal(&in_object), "duplicate-id");
    let doc = Document::parse(in_object.as_bytes()).unwrap();
    assert_eq!(doc.find_duplicate_id(), Some("_a1"));
}

#[test]
fn only_the_unqualified_id_attribute_is_an_id() {
    // SECURITY.md REF6: `x:ID`, `Id`, `id`, `xml:id` name nothing.
    let xml = signed_assertion();
    let polluted = replace_once(
        &xml,
        "<samlp:Status>",
        r#"<samlp:Extensions xmlns:x="urn:x"><saml:Assertion x:ID="_a1" Id="_a1" id="_a1" xml:id="_a1"/></samlp:Extensions><samlp:Status>"#,
    );
    let doc = Document::parse(polluted.as_bytes()).unwrap();
    assert_eq!(doc.elements_with_id("_a1").len(), 1);
    verify_assertion_with(&polluted, &pinned(&["idp-okta"]), &VerifyOptions::default()).unwrap();
}

#[test]
fn signature_relocated_to_the_response_is_a_reference_mismatch() {
    // SECURITY.md XSW-REL: the Response carries the Assertion's signature.
    let xml = signed_assertion();
    let sig = signature_text(&xml).to_string();
    let moved = replace_once(
        &xml.replace(&sig, ""),
        "<samlp:Status>",
        &format!("{sig}<samlp:Status>"),
    );
    let doc = Document::parse(moved.as_bytes()).unwrap();
    let e = verify_element(
        &doc,
        doc.root(),
        &pinned(&["idp-okta"]),
        &VerifyOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.reason(), "reference-uri-mismatch");
    assert_eq!(refusal(&moved), "signature-missing");
}

#[test]
fn evil_assertion_keeping_the_signature_is_a_reference_mismatch() {
    // SECURITY.md XSW5: ID changed in place, signature kept.
    let xml = replace_once(
        &signed_assertion(),
        r#"<saml:Assertion ID="_a1""#,
        r#"<saml:Assertion ID="_evil""#,
    );
    assert_eq!(refusal(&xml), "reference-uri-mismatch");
}

#[test]
fn reference_uris_other_than_hash_ncname_are_refused() {
    // SECURITY.md REF7, REF8.
    for uri in [
        "",
        "#",
        "_a1",
        "#xpointer(/)",
        "#xpointer(id('_a1'))",
        "http://attacker.test/x",
        "#x'] or eval('1') or /[@ID='v",
    ] {
        let escaped = uri.replace('\'', "&apos;");
        let xml = replace_once(
            &signed_assertion(),
            r##"URI="#_a1""##,
            &format!(r#"URI="{escaped}""#),
        );
        assert_eq!(refusal(&xml), "reference-uri-invalid", "{uri:?}");
    }
}

#[test]
fn signature_out_of_schema_position_or_doubled_is_misplaced() {
    // SECURITY.md REF9.
    let xml = signed_assertion();
    let sig = signature_text(&xml).to_string();
    let after_subject = replace_once(
        &xml.replace(&sig, ""),
        "</saml:Subject>",
        &format!("</saml:Subject>{sig}"),
    );
    assert_eq!(refusal(&after_subject), "signature-misplaced");
    let doubled = replace_once(&xml, &sig, &format!("{sig}{sig}"));
    assert_eq!(refusal(&doubled), "signature-misplaced");
}

#[test]
fn weak_and_mismatched_keys_are_refused_at_load() {
    // SECURITY.md KEY8.
    for name in ["weak-1024", "weak-e3"] {
        let cert = pki(&format!("{name}.crt.pem"));
        assert_eq!(
            TrustedKey::from_cert_pem(name, &cert).unwrap_err().reason(),
            "weak-key"
        );
        let key = pki(&format!("{name}.key.pem"));
        assert_eq!(
            SigningKey::from_pem(&key, &cert).unwrap_err().reason(),
            "weak-key"
        );
    }
    let e =
        SigningKey::from_pem(&pki("idp-okta.key.pem"), &pki("idp-generic.crt.pem")).unwrap_err();
    assert_eq!(e.reason(), "key-cert-mismatch");
}

#[test]
fn signing_refuses_unknown_duplicate_and_already_signed_ids() {
    let key = okta();
    let o = SignOptions::default();
    assert_eq!(
        sign_by_id(RESPONSE.as_bytes(), "_nope", &key, &o)
            .unwrap_err()
            .reason(),
        "id-not-found"
    );
    let dup = RESPONSE.replace(r#"ID="_r1""#, r#"ID="_a1""#);
    assert_eq!(
        sign_by_id(dup.as_bytes(), "_a1", &key, &o)
            .unwrap_err()
            .reason(),
        "duplicate-id"
    );
    let signed = signed_assertion();
    assert_eq!(
        sign_by_id(signed.as_bytes(), "_a1", &key, &o)
            .unwrap_err()
            .reason(),
        "already-signed"
    );
    let bad = sign_by_id(b"<!DOCTYPE x><x ID='_x'/>", "_x", &key, &o).unwrap_err();
    assert_eq!(bad.reason(), "doctype-forbidden");
}

#[test]
fn response_and_assertion_signed_both_verify_independently() {
    let inner = signed_assertion();
    let both = sign(&inner, "_r1", &okta());
    let doc = Document::parse(both.as_bytes()).unwrap();
    let keys = pinned(&["idp-okta"]);
    let r = verify_element(&doc, doc.root(), &keys, &VerifyOptions::default()).unwrap();
    assert_eq!(r.signed, doc.root());
    assert!(doc.is_named(r.signed, SAML_PROTOCOL_NS, "Response"));
    let a = doc.element_by_id("_a1").unwrap();
    assert_eq!(
        verify_element(&doc, a, &keys, &VerifyOptions::default())
            .unwrap()
            .signed,
        a
    );
    // Editing the inner assertion breaks both digests; the Response's is
    // checked first here.
    let edited = replace_once(&both, "alice@example.test", "admin@example.test");
    let doc = Document::parse(edited.as_bytes()).unwrap();
    let e = verify_element(&doc, doc.root(), &keys, &VerifyOptions::default()).unwrap_err();
    assert_eq!(e.reason(), "digest-mismatch");
}

#[test]
fn key_info_chain_holding_the_pinned_certificate_verifies() {
    // An IdP may send its certificate chain; the pinned leaf is the hint.
    let attacker_cert = {
        let k = signing_key("attacker", "attacker.crt.pem");
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, k.cert_der())
    };
    let xml = replace_once(
        &signed_assertion(),
        "</ds:X509Data>",
        &format!("<ds:X509Certificate>{attacker_cert}</ds:X509Certificate></ds:X509Data>"),
    );
    let v = verify_assertion_with(&xml, &pinned(&["idp-okta"]), &VerifyOptions::default()).unwrap();
    assert_eq!(v.key_label, "idp-okta");
    // The attacker cannot borrow the trick: their signature plus the pinned
    // certificate in KeyInfo is checked with the pinned key, and fails.
    let okta_cert = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        okta().cert_der(),
    );
    let forged = sign(
        &RESPONSE.replace("alice", "admin"),
        "_a1",
        &signing_key("attacker", "attacker.crt.pem"),
    );
    let forged = replace_once(
        &forged,
        "</ds:X509Data>",
        &format!("<ds:X509Certificate>{okta_cert}</ds:X509Certificate></ds:X509Data>"),
    );
    assert_eq!(refusal(&forged), "signature-invalid");
}

/// The Response signed by the Okta key (Response signature only).
fn signed_response() -> String {
    sign(RESPONSE, "_r1", &okta())
}

fn response_refusal(xml: &str) -> &'static str {
    let doc = Document::parse(xml.as_bytes()).map_err(DsigError::from);
    match doc.and_then(|d| {
        verify_element(
            &d,
            d.root(),
            &pinned(&["idp-okta"]),
            &VerifyOptions::default(),
        )
    }) {
        Ok(v) => panic!("accepted: {v:?}\n{xml}"),
        Err(e) => e.reason(),
    }
}

#[test]
fn xsw1_signed_copy_inside_the_signature_is_refused() {
    // SECURITY.md XSW1: R' (the original, signature removed) appended to
    // the Signature; the outer Response gets a new ID and evil content.
    let xml = signed_response();
    let sig = signature_text(&xml).to_string();
    let original = xml.replace(&sig, "");
    let evil =
        replace_once(&xml, r#"ID="_r1""#, r#"ID="_evil_response_ID""#).replace("alice", "admin");
    let attacked = replace_once(
        &evil,
        "</ds:Signature>",
        &format!("{original}</ds:Signature>"),
    );
    // A* keeps the assertion ID `_a1`, so the copy duplicates it (I4).
    assert_eq!(response_refusal(&attacked), "duplicate-id");
    // With a fresh ID on A*, the Signature's shape gives it away (I3).
    let fresh = replace_once(&evil, r#"ID="_a1""#, r#"ID="_evil_assertion""#);
    let attacked = replace_once(
        &fresh,
        "</ds:Signature>",
        &format!("{original}</ds:Signature>"),
    );
    assert_eq!(response_refusal(&attacked), "signature-shape-invalid");
}

#[test]
fn xsw2_signed_copy_beside_the_signature_is_refused() {
    // SECURITY.md XSW2: R' inserted before the Signature inside evil R.
    let xml = signed_response();
    let sig = signature_text(&xml).to_string();
    let original = xml.replace(&sig, "");
    let evil =
        replace_once(&xml, r#"ID="_r1""#, r#"ID="_evil_response_ID""#).replace("alice", "admin");
    let fresh = replace_once(&evil, r#"ID="_a1""#, r#"ID="_evil_assertion""#);
    let attacked = replace_once(&fresh, "<ds:Signature", &format!("{original}<ds:Signature"));
    assert_eq!(response_refusal(&attacked), "signature-misplaced");
}

#[test]
fn xsw4_signed_assertion_nested_in_an_evil_one_leaves_the_top_unsigned() {
    // SECURITY.md XSW4: the consumed (top-level) assertion carries no
    // signature of its own.
    let xml = signed_assertion();
    let start = xml.find("<saml:Assertion").unwrap();
    let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let original = &xml[start..end];
    let evil = format!(
        r#"<saml:Assertion ID="_evil" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://idp.example.test/</saml:Issuer><saml:Subject><saml:NameID>admin@example.test</saml:NameID></saml:Subject>{original}</saml:Assertion>"#
    );
    let attacked = xml.replace(original, &evil);
    assert_eq!(refusal(&attacked), "signature-missing");
}

#[test]
fn signature_donor_verifies_only_its_own_subtree() {
    // SECURITY.md XSW-DONOR / I2: the IdP's signed metadata embedded in a
    // forged Response verifies, but what it covers is the EntityDescriptor,
    // so a consumer holding `signed` never reads the forged assertion.
    let metadata =
        fs::read_to_string(fixtures().join("saml/dsig/ours/metadata-self-closing.xml")).unwrap();
    let forged = RESPONSE.replace(
        "<samlp:Status>",
        &format!("{}<samlp:Status>", metadata.trim_end()),
    );
    let doc = Document::parse(forged.as_bytes()).unwrap();
    let keys = pinned(&["idp-generic"]);
    let e = verify_element(&doc, doc.root(), &keys, &VerifyOptions::default()).unwrap_err();
    assert_eq!(e.reason(), "signature-missing");
    let donor = find_signatures(&doc)[0];
    let v = verify_signature(&doc, donor, &keys, &VerifyOptions::default()).unwrap();
    let assertion = doc
        .first_child_named(doc.root(), SAML_ASSERTION_NS, "Assertion")
        .unwrap();
    assert!(doc.is_named(
        v.signed,
        "urn:oasis:names:tc:SAML:2.0:metadata",
        "EntityDescriptor"
    ));
    assert!(!doc.is_within(assertion, v.signed));
    assert!(doc.is_within(donor, v.signed));
}

#[test]
fn non_rsa_and_unreadable_keys_are_refused_at_load() {
    let ec = pki("ec-p256.pub.pem");
    assert_eq!(
        TrustedKey::from_public_key_pem("ec", &ec)
            .unwrap_err()
            .reason(),
        "unsupported-key"
    );
    let e = SigningKey::from_pem(&pki("ec-p256.key.pem"), &pki("idp-okta.crt.pem")).unwrap_err();
    assert_eq!(e.reason(), "unsupported-key");
    let garbage = b"-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n";
    assert_eq!(
        TrustedKey::from_cert_pem("x", garbage)
            .unwrap_err()
            .reason(),
        "invalid-key"
    );
    assert_eq!(
        SigningKey::from_pem(b"", &pki("idp-okta.crt.pem"))
            .unwrap_err()
            .reason(),
        "invalid-key"
    );
}

#[test]
fn rsa_key_value_in_key_info_is_never_used() {
    // SECURITY.md KEY3: KeyInfo carrying only an RSAKeyValue (the
    // attacker's modulus) is ignored; the pinned key decides. The same
    // shape from the genuine IdP verifies.
    let rsa_key_value = r#"<ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>"#;
    let with_key_value = |xml: &str| {
        let start = xml.find("<ds:KeyInfo>").unwrap();
        let end = xml.find("</ds:KeyInfo>").unwrap() + "</ds:KeyInfo>".len();
        xml.replace(&xml[start..end], rsa_key_value)
    };
    let forged = sign(
        &RESPONSE.replace("alice", "admin"),
        "_a1",
        &signing_key("attacker", "attacker.crt.pem"),
    );
    assert_eq!(refusal(&with_key_value(&forged)), "signature-invalid");
    let genuine = with_key_value(&signed_assertion());
    verify_assertion_with(&genuine, &pinned(&["idp-okta"]), &VerifyOptions::default()).unwrap();
}

/// Re-signs the (edited) SignedInfo of the first signature with `key_pem`,
/// as a genuine IdP would have signed that exact SignedInfo: used to check
/// rules that must hold even when the SignatureValue is good.
fn resign_signed_info(xml: &str, key_pem: &[u8]) -> String {
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let sig = find_signatures(&doc)[0];
    let signed_info = doc.first_child_named(sig, DSIG_NS, "SignedInfo").unwrap();
    let canonical = exc_c14n(&doc, signed_info, None, &[]);
    let key = openssl::pkey::PKey::private_key_from_pem(key_pem).unwrap();
    let mut signer =
        openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &key).unwrap();
    let value = signer.sign_oneshot_to_vec(canonical.as_bytes()).unwrap();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, value);
    let start = xml.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let end = xml.find("</ds:SignatureValue>").unwrap();
    format!("{}{}{}", &xml[..start], b64, &xml[end..])
}

#[test]
fn base64_whitespace_is_accepted_and_invalid_base64_refused() {
    // SECURITY.md REF11: base64Binary allows whitespace (and .NET writes
    // `&#xD;`); anything else is not base64.
    let xml = signed_assertion();
    let okta_key = pki("idp-okta.key.pem");
    let start = xml.find("<ds:DigestValue>").unwrap() + "<ds:DigestValue>".len();
    let end = xml.find("</ds:DigestValue>").unwrap();
    let digest = &xml[start..end];
    let spaced = format!("\n  {}&#xD;\n {}\t", &digest[..10], &digest[10..]);
    let spaced_xml = resign_signed_info(
        &format!("{}{}{}", &xml[..start], spaced, &xml[end..]),
        &okta_key,
    );
    verify_assertion_with(
        &spaced_xml,
        &pinned(&["idp-okta"]),
        &VerifyOptions::default(),
    )
    .unwrap();
    let junk = format!("{}!{}", &digest[..10], &digest[11..]);
    let junk_xml = resign_signed_info(
        &format!("{}{}{}", &xml[..start], junk, &xml[end..]),
        &okta_key,
    );
    assert_eq!(refusal(&junk_xml), "digest-mismatch");

    let sv_start = xml.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let sv_end = xml.find("</ds:SignatureValue>").unwrap();
    let value = &xml[sv_start..sv_end];
    let wrapped: String = value
        .as_bytes()
        .chunks(64)
        .map(|c| format!("{}&#xD;\n", std::str::from_utf8(c).unwrap()))
        .collect();
    let wrapped_xml = format!("{}{}{}", &xml[..sv_start], wrapped, &xml[sv_end..]);
    verify_assertion_with(
        &wrapped_xml,
        &pinned(&["idp-okta"]),
        &VerifyOptions::default(),
    )
    .unwrap();
    let bad_padding = format!("{}{}={}", &xml[..sv_start], value, &xml[sv_end..]);
    assert_eq!(refusal(&bad_padding), "signature-invalid");
}

#[test]
fn shape_rules_hold_even_under_a_good_signature_value() {
    // The IdP's own key signs each malformed SignedInfo, so only the shape
    // rule can refuse it (SECURITY.md I3, ALG3, REF4, REF7).
    let okta_key = pki("idp-okta.key.pem");
    let xml = signed_assertion();
    let enveloped = r#"<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform>"#;
    let only_exc = resign_signed_info(&replace_once(&xml, enveloped, ""), &okta_key);
    assert_eq!(refusal(&only_exc), "transforms-invalid");
    let start = xml.find("<ds:Reference ").unwrap();
    let end = xml.find("</ds:Reference>").unwrap() + "</ds:Reference>".len();
    let reference = xml[start..end].to_string();
    let two = resign_signed_info(
        &replace_once(&xml, &reference, &format!("{reference}{reference}")),
        &okta_key,
    );
    assert_eq!(refusal(&two), "signature-shape-invalid");
    let no_hash = resign_signed_info(
        &replace_once(&xml, r##"URI="#_a1""##, r#"URI="_a1""#),
        &okta_key,
    );
    assert_eq!(refusal(&no_hash), "reference-uri-invalid");
    // And the control: re-signing the untouched SignedInfo changes nothing.
    verify_assertion_with(
        &resign_signed_info(&xml, &okta_key),
        &pinned(&["idp-okta"]),
        &VerifyOptions::default(),
    )
    .unwrap();
}
