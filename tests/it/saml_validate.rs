//! SP-side Response validation: fresh responses built by our IdP code with
//! the committed PKI validate for every signing mode and vendor shape, and
//! every [`Reason`] is triggered by a minimal mutation of a freshly built
//! message (`every_reason_is_triggered_by_a_minimal_mutation`, an
//! exhaustive `match`: a new Reason does not compile until it has a
//! trigger). Named tests pin the boundaries and the attack shapes of
//! SECURITY.md §1.A, §1.B, §1.D and §1.G.

use std::time::Duration;

use base64::Engine as _;
use time::macros::datetime;
use time::OffsetDateTime;

use ssosim::saml::binding::{decode_post_form, decode_redirect, redirect_url, INFLATE_MAX};
use ssosim::saml::dsig::{sign_by_id, DsigErrorKind, SignOptions};
use ssosim::saml::keys::{SigningKey, TrustedKeys};
use ssosim::saml::metadata::{AcsEndpoint, SpMetadata};
use ssosim::saml::reason::{explain, Reason, Rejection};
use ssosim::saml::replay::ReplayCache;
use ssosim::saml::request::{
    build_authn_request, parse_authn_request, resolve_acs, AuthnRequestParams, BINDING_ARTIFACT,
    BINDING_POST,
};
use ssosim::saml::response::{
    build_response, build_status_response, BuiltResponse, Grant, ResponseParams, ResponseShape,
    SignWhat, Status,
};
use ssosim::saml::summary::summarize;
use ssosim::saml::validate::{
    validate_response, InResponseToCheck, Login, Pending, SpConfig, DEFAULT_ALLOWED_SKEW,
};
use ssosim::saml::xml::XmlErrorKind;
use ssosim::sim::Rng;

use crate::saml_support::{pinned, signing_key};

const IDP: &str = "https://idp.example.test/saml/metadata";
const SP: &str = "https://sp.example.test/saml/metadata";
const ACS: &str = "https://sp.example.test/saml/acs";
const REQ: &str = "_8f3c1a9e0b7d4c2a9e1f3b5d7c9a0e2f4b6d8c1a";
const ALICE: &str = "alice@example.test";

fn now() -> OffsetDateTime {
    datetime!(2026-01-01 10:00:00 UTC)
}

fn key() -> SigningKey {
    signing_key("idp-generic", "idp-generic.crt.pem")
}

fn cfg() -> SpConfig {
    SpConfig::new(SP, ACS, IDP, pinned(&["idp-generic"]))
}

fn pending() -> Pending {
    Pending {
        request_id: REQ.to_string(),
    }
}

fn params() -> ResponseParams {
    ResponseParams {
        destination: ACS.to_string(),
        audience: SP.to_string(),
        in_response_to: Some(REQ.to_string()),
    }
}

fn grant() -> Grant {
    Grant {
        name_id: ALICE.to_string(),
        attributes: vec![
            ("email".to_string(), vec![ALICE.to_string()]),
            (
                "groups".to_string(),
                vec!["Engineering".to_string(), "anthropic-admins".to_string()],
            ),
        ],
        session_index: None,
    }
}

/// A response built by the generic IdP after `f` adjusts its inputs.
fn build_with(
    f: impl FnOnce(&mut ResponseShape, &mut ResponseParams, &mut Grant),
) -> BuiltResponse {
    let mut shape = ResponseShape::generic(IDP);
    let mut p = params();
    let mut g = grant();
    f(&mut shape, &mut p, &mut g);
    build_response(&shape, &p, &g, now(), &mut Rng::new(7), &key()).unwrap()
}

fn built(sign: SignWhat) -> BuiltResponse {
    build_with(|s, _, _| s.sign = sign)
}

/// Builds unsigned, edits the text, then signs what `sign` says: the
/// "minimal mutation, re-signed by the IdP's own key" of SECURITY.md.
fn edited(sign: SignWhat, edit: impl FnOnce(String, &BuiltResponse) -> String) -> String {
    let b = built(SignWhat::Neither);
    let mut x = edit(b.xml.clone(), &b);
    let opts = SignOptions::default();
    if matches!(sign, SignWhat::Assertion | SignWhat::Both) {
        x = sign_by_id(x.as_bytes(), &b.assertion_id, &key(), &opts).unwrap();
    }
    if matches!(sign, SignWhat::Response | SignWhat::Both) {
        x = sign_by_id(x.as_bytes(), &b.response_id, &key(), &opts).unwrap();
    }
    x
}

fn check_at(cfg: &SpConfig, at: OffsetDateTime, xml: &str) -> Result<Login, Rejection> {
    validate_response(
        cfg,
        at,
        xml.as_bytes(),
        InResponseToCheck::Pending(Some(&pending())),
        None,
    )
}

fn check(xml: &str) -> Result<Login, Rejection> {
    check_at(&cfg(), now(), xml)
}

fn refused(r: Result<Login, Rejection>) -> Rejection {
    match r {
        Ok(l) => panic!("accepted: {l:?}"),
        Err(e) => e,
    }
}

/// Replaces the `n`th (0-based) occurrence of `from`.
fn replace_nth(s: &str, from: &str, to: &str, n: usize) -> String {
    let (i, _) = s
        .match_indices(from)
        .nth(n)
        .unwrap_or_else(|| panic!("{from:?} occurs fewer than {} times", n + 1));
    format!("{}{}{}", &s[..i], to, &s[i + from.len()..])
}

/// Cuts `<tag …>…</tag>` (the first, by qname) out of `s`.
fn cut(s: &str, qname: &str) -> (String, String) {
    let start = s
        .find(&format!("<{qname}"))
        .unwrap_or_else(|| panic!("no <{qname}"));
    let close = format!("</{qname}>");
    let end = s[start..]
        .find(&close)
        .map(|e| start + e + close.len())
        .or_else(|| s[start..].find("/>").map(|e| start + e + 2))
        .unwrap();
    (
        format!("{}{}", &s[..start], &s[end..]),
        s[start..end].to_string(),
    )
}

fn tamper_signature_value(x: &str) -> String {
    let i = x.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let c = if &x[i..i + 1] == "A" { "B" } else { "A" };
    format!("{}{}{}", &x[..i], c, &x[i + 1..])
}

fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn pct(s: &str) -> String {
    s.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// The rejection `r` produces from a minimal mutation of a fresh message.
/// Exhaustive on purpose: a new Reason needs a trigger here to compile.
fn trigger(r: Reason) -> Rejection {
    let assertion_signed = || built(SignWhat::Assertion).xml;
    let xml_err = |x: String| refused(check(&x));
    let in_name_id = |to: &str| {
        xml_err(replace_nth(
            &assertion_signed(),
            &format!("{ALICE}</saml:NameID>"),
            &format!("{to}</saml:NameID>"),
            0,
        ))
    };
    match r {
        // ---- strict XML profile ----
        Reason::TooLarge => xml_err(format!("{}{}", assertion_signed(), " ".repeat(1 << 20))),
        Reason::NotUtf8 => {
            let mut bytes = assertion_signed().into_bytes();
            let i = bytes.windows(5).position(|w| w == b"alice").unwrap();
            bytes[i] = 0xff;
            refused(validate_response(
                &cfg(),
                now(),
                &bytes,
                InResponseToCheck::Skip,
                None,
            ))
        }
        Reason::BomForbidden => xml_err(format!("\u{feff}{}", assertion_signed())),
        Reason::InvalidChar => in_name_id("al\u{1}ice@example.test"),
        Reason::DoctypeForbidden => xml_err(format!(
            "<!DOCTYPE samlp:Response [<!ENTITY x \"y\">]>{}",
            assertion_signed()
        )),
        Reason::ProcessingInstructionForbidden => in_name_id("<?p not-an-?>alice@example.test"),
        Reason::CdataForbidden => in_name_id("alice@<![CDATA[example.test]]>"),
        Reason::XmlDeclarationInvalid => {
            xml_err(format!("<?xml version=\"1.1\"?>{}", assertion_signed()))
        }
        Reason::NoRootElement => xml_err("<!-- nothing here -->".to_string()),
        Reason::MultipleRoots => xml_err(format!("{}<samlp:Response/>", assertion_signed())),
        Reason::ContentOutsideRoot => xml_err(format!("{}trailing", assertion_signed())),
        Reason::MismatchedEndTag => xml_err(replace_nth(
            &assertion_signed(),
            "</saml:Issuer>",
            "</saml:Issuerx>",
            0,
        )),
        Reason::UnboundPrefix => xml_err(replace_nth(
            &assertion_signed(),
            "<saml:Subject>",
            "<saml:Subject><x:Extra/>",
            0,
        )),
        Reason::DuplicateAttribute => xml_err(replace_nth(
            &assertion_signed(),
            " Version=\"2.0\"",
            " Version=\"2.0\" Version=\"2.0\"",
            0,
        )),
        Reason::InvalidName => xml_err(replace_nth(
            &assertion_signed(),
            "<saml:Subject>",
            "<saml:Subject><:a/>",
            0,
        )),
        Reason::InvalidNamespace => xml_err(replace_nth(
            &assertion_signed(),
            "<saml:Subject>",
            "<saml:Subject xmlns:r=\"relative/uri\">",
            0,
        )),
        Reason::UndefinedEntity => in_name_id("&nbsp;alice@example.test"),
        Reason::InvalidComment => in_name_id("alice@example.test<!-- a -- b -->"),
        Reason::TooDeep => in_name_id(&format!(
            "{}{}",
            "<saml:X>".repeat(70),
            "</saml:X>".repeat(70)
        )),
        Reason::TooManyAttributes => xml_err(replace_nth(
            &assertion_signed(),
            "<saml:NameID ",
            &format!(
                "<saml:NameID {}",
                (0..300).map(|i| format!("a{i}=\"\" ")).collect::<String>()
            ),
            0,
        )),
        Reason::TooManyNamespaces => xml_err(replace_nth(
            &assertion_signed(),
            "<saml:NameID ",
            &format!(
                "<saml:NameID {}",
                (0..130)
                    .map(|i| format!("xmlns:p{i}=\"urn:p{i}\" "))
                    .collect::<String>()
            ),
            0,
        )),
        Reason::MalformedXml => in_name_id("alice&example.test"),

        // ---- XML-DSig ----
        Reason::SignatureMissing => refused(check(&built(SignWhat::Neither).xml)),
        Reason::SignatureInvalid => refused(check(&tamper_signature_value(&assertion_signed()))),
        Reason::DigestMismatch => refused(check(&assertion_signed().replace(ALICE, "admin@example.test"))),
        Reason::ReferenceUriInvalid => {
            let b = built(SignWhat::Assertion);
            refused(check(&b.xml.replace(
                &format!("URI=\"#{}\"", b.assertion_id),
                &format!("URI=\"{}\"", b.assertion_id),
            )))
        }
        Reason::ReferenceUriMismatch => {
            let b = built(SignWhat::Assertion);
            refused(check(&b.xml.replace(
                &format!("ID=\"{}\"", b.assertion_id),
                "ID=\"_evil_assertion_ID\"",
            )))
        }
        Reason::SignatureShapeInvalid => refused(check(&assertion_signed().replace(
            "</ds:KeyInfo>",
            "</ds:KeyInfo><ds:Object/>",
        ))),
        Reason::SignatureMisplaced => {
            // The Assertion's signature moved to its end (REF9).
            let x = assertion_signed();
            let (rest, sig) = cut(&x, "ds:Signature");
            refused(check(&rest.replace(
                "</saml:Assertion>",
                &format!("{sig}</saml:Assertion>"),
            )))
        }
        Reason::TransformsInvalid => refused(check(&assertion_signed().replace(
            "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>",
            "",
        ))),
        Reason::AlgorithmForbidden => refused(check(&assertion_signed().replace(
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
        ))),
        Reason::Sha1Forbidden => refused(check(
            &build_with(|s, _, _| {
                s.sign = SignWhat::Assertion;
                s.legacy_sha1 = true;
            })
            .xml,
        )),
        Reason::AlgorithmMismatch => refused(check(&assertion_signed().replace(
            "http://www.w3.org/2001/04/xmlenc#sha256",
            "http://www.w3.org/2001/04/xmlenc#sha512",
        ))),
        Reason::UntrustedKey => {
            let attacker = signing_key("attacker", "attacker.crt.pem");
            let x = build_response(
                &ResponseShape::generic(IDP),
                &params(),
                &grant(),
                now(),
                &mut Rng::new(7),
                &attacker,
            )
            .unwrap()
            .xml;
            refused(check(&x))
        }
        Reason::NoTrustedKeys => {
            let c = SpConfig {
                idp_keys: TrustedKeys::default(),
                ..cfg()
            };
            refused(check_at(&c, now(), &assertion_signed()))
        }
        Reason::DuplicateId => {
            // XSW7: an Extensions element holding an element with the
            // assertion's ID.
            let b = built(SignWhat::Assertion);
            refused(check(&replace_nth(
                &b.xml,
                "<samlp:Status>",
                &format!(
                    "<samlp:Extensions><saml:Evil ID=\"{}\"/></samlp:Extensions><samlp:Status>",
                    b.assertion_id
                ),
                0,
            )))
        }
        Reason::InternalError => Rejection::new(
            Reason::from(DsigErrorKind::CryptoFailure),
            "signing-only failures map to internal-error",
        ),

        // ---- the Response ----
        Reason::NotAResponse => {
            let (_, xml) = build_authn_request(&request_params(), now(), &mut Rng::new(1));
            refused(check(&xml))
        }
        Reason::VersionUnsupported => refused(check(&replace_nth(
            &assertion_signed(),
            "Version=\"2.0\"",
            "Version=\"1.1\"",
            0,
        ))),
        Reason::IdInvalid => {
            let b = built(SignWhat::Assertion);
            refused(check(&b.xml.replace(
                &format!("ID=\"{}\"", b.response_id),
                "ID=\"1-not-an-ncname\"",
            )))
        }
        Reason::InstantInvalid => refused(check(&replace_nth(
            &assertion_signed(),
            "IssueInstant=\"2026-01-01T10:00:00Z\"",
            "IssueInstant=\"2026-01-01T10:00:00\"",
            0,
        ))),
        Reason::StatusNotSuccess => {
            let x = build_status_response(
                &ResponseShape::generic(IDP),
                &params(),
                &Status::denied("User is not assigned to this application"),
                now(),
                &mut Rng::new(7),
                Some(&key()),
            )
            .unwrap()
            .xml;
            refused(check(&x))
        }
        Reason::IssuerMissing => refused(check(&edited(SignWhat::Assertion, |x, _| {
            replace_nth(&x, &format!("<saml:Issuer>{IDP}</saml:Issuer>"), "", 1)
        }))),
        Reason::IssuerMismatch => refused(check(
            &build_with(|s, _, _| s.issuer = "https://other-idp.example.test/".to_string()).xml,
        )),
        Reason::EncryptedAssertionUnsupported => refused(check(&replace_nth(
            &assertion_signed(),
            "<saml:Assertion ",
            "<saml:EncryptedAssertion/><saml:Assertion ",
            0,
        ))),
        Reason::NoAssertion => {
            let (x, _) = cut(&built(SignWhat::Neither).xml, "saml:Assertion");
            refused(check(&x))
        }
        Reason::MultipleAssertions => refused(check(&xsw3())),
        Reason::UnexpectedSignature => refused(check(&donor_attack())),
        Reason::AssertionNotSigned => {
            let c = SpConfig {
                want_assertions_signed: true,
                ..cfg()
            };
            refused(check_at(&c, now(), &built(SignWhat::Response).xml))
        }
        Reason::DestinationMismatch => refused(check(
            &build_with(|_, p, _| p.destination = "https://sp.example.test/other".to_string()).xml,
        )),
        Reason::SubjectConfirmationInvalid => refused(check(&edited(SignWhat::Assertion, |x, _| {
            x.replace(
                "urn:oasis:names:tc:SAML:2.0:cm:bearer",
                "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key",
            )
        }))),
        Reason::RecipientMismatch => refused(check(&edited(SignWhat::Assertion, |x, _| {
            x.replace(
                &format!("Recipient=\"{ACS}\""),
                "Recipient=\"https://evil.example.test/acs\"",
            )
        }))),
        Reason::SubjectConfirmationExpired => {
            let x = build_with(|s, _, _| s.subject_confirmation_lifetime = Some(Duration::from_secs(10))).xml;
            refused(check_at(
                &cfg(),
                now() + time::Duration::seconds(10) + DEFAULT_ALLOWED_SKEW,
                &x,
            ))
        }
        Reason::InResponseToMismatch => {
            let x = built(SignWhat::Both).xml;
            let other = Pending {
                request_id: "_another_request".to_string(),
            };
            refused(validate_response(
                &cfg(),
                now(),
                x.as_bytes(),
                InResponseToCheck::Pending(Some(&other)),
                None,
            ))
        }
        Reason::UnexpectedInResponseTo => refused(validate_response(
            &cfg(),
            now(),
            built(SignWhat::Both).xml.as_bytes(),
            InResponseToCheck::Pending(None),
            None,
        )),
        Reason::UnsolicitedResponse => {
            let x = build_with(|_, p, _| p.in_response_to = None).xml;
            refused(validate_response(
                &cfg(),
                now(),
                x.as_bytes(),
                InResponseToCheck::Pending(None),
                None,
            ))
        }
        Reason::AssertionNotYetValid => {
            refused(check(&build_with(|s, _, _| s.clock_offset_s = 600).xml))
        }
        Reason::AssertionExpired => {
            let x = build_with(|s, _, _| s.subject_confirmation_lifetime = Some(Duration::from_secs(3600))).xml;
            refused(check_at(&cfg(), now() + time::Duration::minutes(10), &x))
        }
        Reason::AudienceMissing => refused(check(&edited(SignWhat::Assertion, |x, _| {
            cut(&x, "saml:AudienceRestriction").0
        }))),
        Reason::AudienceMismatch => refused(check(
            &build_with(|_, p, _| p.audience = "https://other-sp.example.test".to_string()).xml,
        )),
        Reason::UnknownCondition => refused(check(&edited(SignWhat::Assertion, |x, _| {
            x.replace(
                "</saml:AudienceRestriction>",
                "</saml:AudienceRestriction><saml:Condition/>",
            )
        }))),
        Reason::AuthnStatementMissing => refused(check(&edited(SignWhat::Assertion, |x, _| {
            cut(&x, "saml:AuthnStatement").0
        }))),
        Reason::NameIdMissing => {
            refused(check(&build_with(|_, _, g| g.name_id = String::new()).xml))
        }
        Reason::NameIdQualifierMismatch => refused(check(&edited(SignWhat::Assertion, |x, _| {
            x.replace(
                "<saml:NameID ",
                "<saml:NameID SPNameQualifier=\"https://other-sp.example.test\" ",
            )
        }))),
        Reason::SessionExpired => refused(check(&edited(SignWhat::Assertion, |x, _| {
            x.replace(
                "<saml:AuthnStatement ",
                "<saml:AuthnStatement SessionNotOnOrAfter=\"2026-01-01T09:00:00Z\" ",
            )
        }))),
        Reason::IssueInstantOutOfRange => {
            let c = SpConfig {
                max_issue_delay: Some(Duration::from_secs(90)),
                ..cfg()
            };
            refused(check_at(
                &c,
                now() + time::Duration::seconds(90) + DEFAULT_ALLOWED_SKEW,
                &built(SignWhat::Both).xml,
            ))
        }
        Reason::ReplayedAssertion => {
            let x = built(SignWhat::Both).xml;
            let mut cache = ReplayCache::default();
            let p = pending();
            let run = |cache: &mut ReplayCache| {
                validate_response(
                    &cfg(),
                    now(),
                    x.as_bytes(),
                    InResponseToCheck::Pending(Some(&p)),
                    Some(cache),
                )
            };
            run(&mut cache).unwrap();
            refused(run(&mut cache))
        }
        Reason::ReplayCacheFull => {
            let mut cache = ReplayCache::new(1);
            refused(validate_response(
                &cfg(),
                now(),
                built(SignWhat::Both).xml.as_bytes(),
                InResponseToCheck::Pending(Some(&pending())),
                Some(&mut cache),
            ))
        }

        // ---- AuthnRequest ----
        Reason::NotAnAuthnRequest => parse_authn_request(assertion_signed().as_bytes()).unwrap_err(),
        Reason::RequestInvalid => {
            let (_, xml) = build_authn_request(&request_params(), now(), &mut Rng::new(1));
            let x = xml.replace(
                "ProtocolBinding=",
                "AssertionConsumerServiceIndex=\"1\" ProtocolBinding=",
            );
            parse_authn_request(x.as_bytes()).unwrap_err()
        }

        Reason::AcsNotRegistered => {
            let (_, xml) = build_authn_request(
                &AuthnRequestParams {
                    acs_url: "javascript:alert(1)".to_string(),
                    ..request_params()
                },
                now(),
                &mut Rng::new(1),
            );
            resolve_acs(&parse_authn_request(xml.as_bytes()).unwrap(), &sp_metadata()).unwrap_err()
        }
        Reason::BindingUnsupported => {
            let (_, xml) = build_authn_request(&request_params(), now(), &mut Rng::new(1));
            let x = xml.replace(BINDING_POST, BINDING_ARTIFACT);
            resolve_acs(&parse_authn_request(x.as_bytes()).unwrap(), &sp_metadata()).unwrap_err()
        }

        // ---- bindings ----
        Reason::MessageTooLarge => {
            let body = format!("SAMLResponse={}", "A".repeat(3 << 20));
            decode_post_form(body.as_bytes(), "SAMLResponse").unwrap_err()
        }
        Reason::ParameterMissing => {
            decode_post_form(b"RelayState=%2Fhome", "SAMLResponse").unwrap_err()
        }
        Reason::DuplicateParameter => {
            let one = pct(&b64(assertion_signed().as_bytes()));
            let body = format!("SAMLResponse={one}&SAMLResponse={one}");
            decode_post_form(body.as_bytes(), "SAMLResponse").unwrap_err()
        }
        Reason::FormEncodingInvalid => {
            decode_post_form(b"SAMLResponse=PHNhbWw%zz", "SAMLResponse").unwrap_err()
        }
        Reason::Base64Invalid => {
            // The URL-safe alphabet is refused (B1).
            let url_safe =
                base64::engine::general_purpose::URL_SAFE.encode(b"<\xfb\xff samlp:Response/>");
            assert!(url_safe.contains('-') || url_safe.contains('_'));
            decode_post_form(format!("SAMLResponse={url_safe}").as_bytes(), "SAMLResponse")
                .unwrap_err()
        }
        Reason::InflateFailed => {
            let mut d = deflate(b"<samlp:AuthnRequest/>");
            d.extend_from_slice(b"garbage");
            decode_redirect(&format!("SAMLRequest={}", pct(&b64(&d))), "SAMLRequest", None)
                .unwrap_err()
        }
        Reason::InflateTooLarge => {
            let bomb = deflate(&vec![b' '; INFLATE_MAX + 1]);
            decode_redirect(
                &format!("SAMLRequest={}", pct(&b64(&bomb))),
                "SAMLRequest",
                None,
            )
            .unwrap_err()
        }
        Reason::DeflateWrapperForbidden => {
            use std::io::Write;
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(b"<samlp:AuthnRequest/>").unwrap();
            let z = z.finish().unwrap();
            decode_redirect(&format!("SAMLRequest={}", pct(&b64(&z))), "SAMLRequest", None)
                .unwrap_err()
        }
    }
}

fn sp_metadata() -> SpMetadata {
    SpMetadata {
        entity_id: SP.to_string(),
        acs: vec![AcsEndpoint {
            index: 0,
            binding: BINDING_POST.to_string(),
            location: ACS.to_string(),
            is_default: true,
        }],
        authn_requests_signed: false,
        want_assertions_signed: true,
        signing_certs_der: vec![],
        name_id_formats: vec![],
    }
}

fn request_params() -> AuthnRequestParams {
    AuthnRequestParams {
        issuer: SP.to_string(),
        acs_url: ACS.to_string(),
        destination: "https://idp.example.test/saml/sso".to_string(),
        force_authn: false,
        name_id_policy: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".to_string()),
    }
}

/// XSW3: an unsigned evil assertion inserted before the signed one.
fn xsw3() -> String {
    let b = built(SignWhat::Assertion);
    let (_, assertion) = cut(&b.xml, "saml:Assertion");
    let (evil, _) = cut(&assertion, "ds:Signature");
    let evil = evil
        .replace(&b.assertion_id, "_evil_assertion_ID")
        .replace(ALICE, "admin@example.test");
    replace_nth(
        &b.xml,
        "<saml:Assertion ",
        &format!("{evil}<saml:Assertion "),
        0,
    )
}

/// XSW-DONOR: the IdP's own signed metadata embedded in a Response whose
/// assertion is unsigned and forged.
fn donor_attack() -> String {
    let metadata = format!(
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" ID=\"_meta1\" \
         entityID=\"{IDP}\"><md:IDPSSODescriptor protocolSupportEnumeration=\
         \"urn:oasis:names:tc:SAML:2.0:protocol\"/></md:EntityDescriptor>"
    );
    let signed_metadata = sign_by_id(
        metadata.as_bytes(),
        "_meta1",
        &key(),
        &SignOptions::default(),
    )
    .unwrap();
    let b = built(SignWhat::Neither);
    let forged = b.xml.replace(ALICE, "admin@example.test");
    replace_nth(
        &forged,
        "<samlp:Status>",
        &format!("<samlp:Extensions>{signed_metadata}</samlp:Extensions><samlp:Status>"),
        0,
    )
}

#[test]
fn every_reason_is_triggered_by_a_minimal_mutation() {
    let mut failures = vec![];
    for &r in Reason::ALL {
        let got = trigger(r);
        if got.reason != r {
            failures.push(format!(
                "{}: got {} ({})",
                r.name(),
                got.reason.name(),
                got.detail
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn reason_names_are_unique_kebab_case_and_cover_the_xml_and_dsig_layers() {
    let mut names: Vec<&str> = Reason::ALL.iter().map(|r| r.name()).collect();
    for n in &names {
        assert!(
            n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{n}"
        );
    }
    for r in Reason::ALL {
        assert!(!r.describe().is_empty());
    }
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate reason names");
    // Every XML-profile name is one of ours, spelled the same.
    for k in [
        XmlErrorKind::DoctypeForbidden,
        XmlErrorKind::NoRoot,
        XmlErrorKind::Malformed,
        XmlErrorKind::TooManyNamespaces,
    ] {
        assert_eq!(Reason::from(k).name(), k.reason());
    }
    for k in [
        DsigErrorKind::SignatureInvalid,
        DsigErrorKind::DigestMismatch,
        DsigErrorKind::UntrustedKey,
        DsigErrorKind::Xml(XmlErrorKind::CdataForbidden),
    ] {
        assert_eq!(Reason::from(k).name(), k.reason());
    }
}

#[test]
fn each_signing_mode_round_trips_and_yields_what_was_granted() {
    for sign in [SignWhat::Response, SignWhat::Assertion, SignWhat::Both] {
        let b = built(sign);
        let login = check(&b.xml).unwrap_or_else(|e| panic!("{sign:?}: {e}"));
        assert_eq!(login.signed, sign);
        assert_eq!(login.issuer, IDP);
        assert_eq!(login.name_id, ALICE);
        assert_eq!(
            login.name_id_format.as_deref(),
            Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
        );
        assert_eq!(login.response_id, b.response_id);
        assert_eq!(login.assertion_id, b.assertion_id);
        assert_eq!(login.in_response_to.as_deref(), Some(REQ));
        assert!(!login.idp_initiated);
        assert_eq!(
            login.session_index.as_deref(),
            Some(b.assertion_id.as_str())
        );
        assert_eq!(login.not_on_or_after, datetime!(2026-01-01 10:05:00 UTC));
        assert_eq!(
            login.attributes["groups"],
            ["Engineering", "anthropic-admins"]
        );
        assert_eq!(login.attributes["email"], [ALICE]);
    }
    assert_eq!(
        refused(check(&built(SignWhat::Neither).xml)).reason,
        Reason::SignatureMissing
    );
}

#[test]
fn vendor_shapes_validate_with_their_own_keys() {
    let cases = [
        (
            ResponseShape::okta("http://www.okta.com/exk5zt0r12Edi4rD20h7"),
            "idp-okta",
        ),
        (
            ResponseShape::entra("https://sts.windows.net/6a1f3b2c-0d4e-4f5a-9b8c-7d6e5f4a3b2c/"),
            "idp-entra",
        ),
        (
            ResponseShape::google("https://accounts.google.com/o/saml2?idpid=C01abcdef"),
            "idp-google",
        ),
    ];
    for (shape, name) in cases {
        let k = signing_key(name, &format!("{name}.crt.pem"));
        let b = build_response(&shape, &params(), &grant(), now(), &mut Rng::new(3), &k).unwrap();
        let c = SpConfig::new(SP, ACS, &shape.issuer, pinned(&[name]));
        let login = check_at(&c, now(), &b.xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(login.signed, shape.sign, "{name}");
        assert_eq!(login.name_id, ALICE);
        // Okta's ids are `id` + digits; the others `_` + hex or a GUID.
        if name == "idp-okta" {
            assert!(b.response_id.starts_with("id"));
            assert!(b.xml.starts_with("<saml2p:Response"));
            assert!(b.xml.contains("xsi:type=\"xs:string\""));
        } else {
            assert!(b.response_id.starts_with('_'));
        }
    }
}

#[test]
fn saml_core_2_5_1_2_skew_boundaries_are_exact() {
    // Conditions NotBefore = T−5 min, NotOnOrAfter = T+5 min; the bearer
    // confirmation lasts an hour so only the Conditions are at stake.
    let x =
        build_with(|s, _, _| s.subject_confirmation_lifetime = Some(Duration::from_secs(3600))).xml;
    let skew = time::Duration::try_from(DEFAULT_ALLOWED_SKEW).unwrap();
    let not_before = now() - time::Duration::minutes(5);
    let not_on_or_after = now() + time::Duration::minutes(5);
    let ms = time::Duration::milliseconds(1);
    let at = |t| check_at(&cfg(), t, &x).map(|_| ()).map_err(|e| e.reason);
    assert_eq!(
        at(not_before - skew - ms),
        Err(Reason::AssertionNotYetValid)
    );
    assert_eq!(at(not_before - skew), Ok(()));
    assert_eq!(at(not_on_or_after + skew - ms), Ok(()));
    // SAML Core 2.5.1.2: NotOnOrAfter is exclusive.
    assert_eq!(at(not_on_or_after + skew), Err(Reason::AssertionExpired));
    assert_eq!(
        at(not_on_or_after + skew + ms),
        Err(Reason::AssertionExpired)
    );

    // The bearer confirmation's NotOnOrAfter is exclusive too.
    let y =
        build_with(|s, _, _| s.subject_confirmation_lifetime = Some(Duration::from_secs(60))).xml;
    let scd_end = now() + time::Duration::seconds(60) + skew;
    assert!(check_at(&cfg(), scd_end - ms, &y).is_ok());
    assert_eq!(
        refused(check_at(&cfg(), scd_end, &y)).reason,
        Reason::SubjectConfirmationExpired
    );

    // With no skew the instants themselves are the boundaries.
    let strict = SpConfig {
        allowed_skew: Duration::ZERO,
        ..cfg()
    };
    assert!(check_at(&strict, not_before, &x).is_ok());
    assert_eq!(
        refused(check_at(&strict, not_before - ms, &x)).reason,
        Reason::AssertionNotYetValid
    );
    assert_eq!(
        refused(check_at(&strict, not_on_or_after, &x)).reason,
        Reason::AssertionExpired
    );
}

#[test]
fn idp_clock_offset_within_skew_is_tolerated_and_beyond_is_refused() {
    // Entra-like NotBefore = T (no buffer): an IdP 120 s ahead is fine
    // with 180 s skew, 200 s ahead is not.
    let ahead = |s: i64| {
        build_with(|sh, _, _| {
            sh.not_before_skew = Duration::ZERO;
            sh.clock_offset_s = s;
        })
        .xml
    };
    assert!(check(&ahead(120)).is_ok());
    assert_eq!(
        refused(check(&ahead(200))).reason,
        Reason::AssertionNotYetValid
    );
}

#[test]
fn sig4_response_signature_covering_the_assertion_is_enough_unless_assertions_must_be_signed() {
    let x = built(SignWhat::Response).xml;
    assert_eq!(check(&x).unwrap().signed, SignWhat::Response);
    let strict = SpConfig {
        want_assertions_signed: true,
        ..cfg()
    };
    assert_eq!(
        refused(check_at(&strict, now(), &x)).reason,
        Reason::AssertionNotSigned
    );
    assert!(check_at(&strict, now(), &built(SignWhat::Both).xml).is_ok());
    assert!(check_at(&strict, now(), &built(SignWhat::Assertion).xml).is_ok());
}

#[test]
fn a_bad_signature_refuses_even_when_the_other_one_is_good() {
    // Both signed; break the Response's signature only (it comes first in
    // the document), the Assertion's still verifies.
    let x = built(SignWhat::Both).xml;
    assert_eq!(
        refused(check(&tamper_signature_value(&x))).reason,
        Reason::SignatureInvalid
    );
    // Assertion signed, Response signed by the attacker.
    let b = built(SignWhat::Assertion);
    let attacker = signing_key("attacker", "attacker.crt.pem");
    let y = sign_by_id(
        b.xml.as_bytes(),
        &b.response_id,
        &attacker,
        &SignOptions::default(),
    )
    .unwrap();
    assert_eq!(refused(check(&y)).reason, Reason::UntrustedKey);
}

#[test]
fn sig5_unsigned_envelope_is_checked_against_the_signed_assertion() {
    let b = built(SignWhat::Assertion);
    // Destination edited in the unsigned envelope.
    let x = b.xml.replacen(
        &format!("Destination=\"{ACS}\""),
        "Destination=\"https://evil.example.test/acs\"",
        1,
    );
    assert_eq!(refused(check(&x)).reason, Reason::DestinationMismatch);
    // InResponseTo edited in the unsigned envelope only.
    let y = b.xml.replacen(
        &format!("InResponseTo=\"{REQ}\""),
        "InResponseTo=\"_other\"",
        1,
    );
    assert_eq!(refused(check(&y)).reason, Reason::InResponseToMismatch);
    // An envelope InResponseTo added to an unsolicited, assertion-signed
    // response cannot make it look solicited.
    let u = build_with(|s, p, _| {
        s.sign = SignWhat::Assertion;
        p.in_response_to = None;
    });
    let z = u.xml.replacen(
        " Destination=",
        &format!(" InResponseTo=\"{REQ}\" Destination="),
        1,
    );
    assert_eq!(refused(check(&z)).reason, Reason::InResponseToMismatch);
}

#[test]
fn signed_response_needs_issuer_and_destination() {
    let no_dest = edited(SignWhat::Response, |x, _| {
        x.replacen(&format!(" Destination=\"{ACS}\""), "", 1)
    });
    assert_eq!(refused(check(&no_dest)).reason, Reason::DestinationMismatch);
    let no_issuer = edited(SignWhat::Response, |x, _| {
        replace_nth(&x, &format!("<saml:Issuer>{IDP}</saml:Issuer>"), "", 0)
    });
    assert_eq!(refused(check(&no_issuer)).reason, Reason::IssuerMissing);
    // Unsigned envelope without Destination: allowed (assertion signed).
    let ok = edited(SignWhat::Assertion, |x, _| {
        x.replacen(&format!(" Destination=\"{ACS}\""), "", 1)
    });
    assert!(check(&ok).is_ok());
}

#[test]
fn xsw_shapes_are_refused() {
    let b = built(SignWhat::Assertion);
    // XSW3: evil unsigned assertion first.
    assert_eq!(refused(check(&xsw3())).reason, Reason::MultipleAssertions);
    // XSW4: the signed assertion moved inside an evil one.
    let (rest, original) = cut(&b.xml, "saml:Assertion");
    let (evil, _) = cut(&original, "ds:Signature");
    let evil = evil
        .replace(&b.assertion_id, "_evil")
        .replace(ALICE, "admin@example.test")
        .replace("</saml:Assertion>", &format!("{original}</saml:Assertion>"));
    let xsw4 = rest.replace("</samlp:Response>", &format!("{evil}</samlp:Response>"));
    assert_eq!(refused(check(&xsw4)).reason, Reason::UnexpectedSignature);
    // XSW8: a clean copy with the same ID inside ds:Object.
    let (clean, _) = cut(&original, "ds:Signature");
    let xsw8 = b.xml.replace(
        "</ds:KeyInfo>",
        &format!("</ds:KeyInfo><ds:Object>{clean}</ds:Object>"),
    );
    assert_eq!(refused(check(&xsw8)).reason, Reason::DuplicateId);
    // XSW-REL: the assertion's signature moved onto the Response.
    let (no_sig, sig) = cut(&b.xml, "ds:Signature");
    let rel = replace_nth(
        &no_sig,
        "</saml:Issuer>",
        &format!("</saml:Issuer>{sig}"),
        0,
    );
    assert_eq!(refused(check(&rel)).reason, Reason::ReferenceUriMismatch);
    // XSW-DONOR: the IdP's signed metadata as signature donor.
    assert_eq!(
        refused(check(&donor_attack())).reason,
        Reason::UnexpectedSignature
    );
}

#[test]
fn advice_assertions_are_never_counted_or_consumed() {
    let x = edited(SignWhat::Assertion, |x, _| {
        x.replace(
            "<saml:AuthnStatement",
            "<saml:Advice><saml:Assertion ID=\"_advice1\" Version=\"2.0\" \
             IssueInstant=\"2026-01-01T10:00:00Z\"><saml:Issuer>https://idp.example.test/saml/metadata\
             </saml:Issuer><saml:Subject><saml:NameID>admin@example.test</saml:NameID></saml:Subject>\
             </saml:Assertion></saml:Advice><saml:AuthnStatement",
        )
    });
    let login = check(&x).unwrap();
    assert_eq!(login.name_id, ALICE);
}

#[test]
fn txt1_comment_in_name_id_never_truncates_the_value() {
    // The IdP signs `alice@example.test.evil.test`; the attacker splits it
    // with a comment (c14n drops comments, so the digest still matches).
    let b = build_with(|s, _, g| {
        s.sign = SignWhat::Assertion;
        g.name_id = "alice@example.test.evil.test".to_string();
    });
    let x = b.xml.replace(
        "alice@example.test.evil.test</saml:NameID>",
        "alice@example.test<!---->.evil.test</saml:NameID>",
    );
    let login = check(&x).unwrap();
    assert_eq!(login.name_id, "alice@example.test.evil.test");
    // Likewise in attribute values (TXT2).
    let y = built(SignWhat::Assertion)
        .xml
        .replace(">Engineering<", ">Engi<!-- attack! -->neering<");
    assert_eq!(check(&y).unwrap().attributes["groups"][0], "Engineering");
}

#[test]
fn idp_initiated_is_accepted_only_when_enabled() {
    let x = build_with(|_, p, _| p.in_response_to = None).xml;
    let open = SpConfig {
        allow_idp_initiated: true,
        ..cfg()
    };
    for pending_request in [None, Some(&pending())] {
        let login = validate_response(
            &open,
            now(),
            x.as_bytes(),
            InResponseToCheck::Pending(pending_request),
            None,
        )
        .unwrap();
        assert!(login.idp_initiated);
        assert_eq!(login.in_response_to, None);
    }
    assert_eq!(refused(check(&x)).reason, Reason::UnsolicitedResponse);
}

#[test]
fn inspect_mode_skips_in_response_to_and_reports_it() {
    let x = built(SignWhat::Both).xml;
    let login =
        validate_response(&cfg(), now(), x.as_bytes(), InResponseToCheck::Skip, None).unwrap();
    assert_eq!(login.in_response_to.as_deref(), Some(REQ));
}

#[test]
fn replay_cache_remembers_until_not_on_or_after_plus_skew() {
    let mut cache = ReplayCache::default();
    let x = build_with(|s, _, _| s.sign = SignWhat::Both).xml;
    let open = SpConfig {
        allowed_skew: Duration::from_secs(60),
        ..cfg()
    };
    let p = pending();
    let run = |cache: &mut ReplayCache, at| {
        validate_response(
            &open,
            at,
            x.as_bytes(),
            InResponseToCheck::Pending(Some(&p)),
            Some(cache),
        )
    };
    run(&mut cache, now()).unwrap();
    assert_eq!(cache.len(), 2);
    let later = now() + time::Duration::minutes(5);
    assert_eq!(
        refused(run(&mut cache, later)).reason,
        Reason::ReplayedAssertion
    );
    // After NotOnOrAfter + skew the entries may go: the assertion is dead.
    cache.purge(now() + time::Duration::minutes(6) - time::Duration::milliseconds(1));
    assert_eq!(cache.len(), 2);
    cache.purge(now() + time::Duration::minutes(6));
    assert!(cache.is_empty());
    // A fresh response for the same user is a different assertion.
    let other = build_response(
        &ResponseShape::generic(IDP),
        &params(),
        &grant(),
        now(),
        &mut Rng::new(8),
        &key(),
    )
    .unwrap();
    validate_response(
        &open,
        now(),
        other.xml.as_bytes(),
        InResponseToCheck::Pending(Some(&pending())),
        Some(&mut cache),
    )
    .unwrap();
}

#[test]
fn audience_restrictions_and_across_or_within() {
    let within = edited(SignWhat::Assertion, |x, _| {
        x.replace(
            &format!("<saml:Audience>{SP}</saml:Audience>"),
            &format!("<saml:Audience>https://other.test</saml:Audience><saml:Audience>{SP}</saml:Audience>"),
        )
    });
    assert!(check(&within).is_ok());
    let across = edited(SignWhat::Assertion, |x, _| {
        x.replace(
            "</saml:AudienceRestriction>",
            "</saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>https://other.test\
             </saml:Audience></saml:AudienceRestriction>",
        )
    });
    assert_eq!(refused(check(&across)).reason, Reason::AudienceMismatch);
}

#[test]
fn one_good_bearer_confirmation_is_enough() {
    // SECURITY.md SC2: a bad bearer confirmation before a good one.
    let x = edited(SignWhat::Assertion, |x, _| {
        x.replace(
            "<saml:SubjectConfirmation ",
            "<saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">\
             <saml:SubjectConfirmationData NotOnOrAfter=\"2026-01-01T10:05:00Z\" \
             Recipient=\"https://evil.example.test/acs\"/></saml:SubjectConfirmation><saml:SubjectConfirmation ",
        )
    });
    assert!(check(&x).is_ok());
}

#[test]
fn explain_tells_a_support_engineer_what_to_change() {
    let r = trigger(Reason::AudienceMismatch);
    let text = explain(&r);
    assert!(text.contains("https://other-sp.example.test"), "{text}");
    assert!(
        text.contains(&format!(
            "set the Audience URI (SP Entity ID) in the IdP app to \"{SP}\""
        )),
        "{text}"
    );
    let s = explain(&trigger(Reason::StatusNotSuccess));
    assert!(s.contains("RequestDenied"), "{s}");
    assert!(
        s.contains("User is not assigned to this application"),
        "{s}"
    );
    // Every reason gets advice beyond its one-line description.
    for &r in Reason::ALL {
        let e = explain(&trigger(r));
        assert!(e.starts_with(r.name()), "{e}");
        let detail_end = e.find(". ").map_or(e.len(), |i| i + 1);
        assert!(
            e.len() > detail_end + 20 || r.layer() == "response",
            "{}: no advice in {e:?}",
            r.name()
        );
    }
}

#[test]
fn redirect_bound_request_builds_and_reads_back() {
    let (id, xml) = build_authn_request(&request_params(), now(), &mut Rng::new(1));
    let url = redirect_url(
        "https://idp.example.test/saml/sso",
        "SAMLRequest",
        &xml,
        None,
        None,
    );
    let q = url.split_once('?').unwrap().1;
    let m = decode_redirect(q, "SAMLRequest", None).unwrap();
    let req = parse_authn_request(&m.xml).unwrap();
    assert_eq!(req.id, id);
    assert_eq!(req.acs_url.as_deref(), Some(ACS));
}

#[test]
fn summary_shows_everything_a_message_carries_without_deciding() {
    let s = summarize(xsw3().as_bytes()).unwrap();
    assert_eq!(s.kind.as_deref(), Some("Response"));
    assert_eq!(s.assertions.len(), 2);
    assert_eq!(s.assertions[0].id.as_deref(), Some("_evil_assertion_ID"));
    assert_eq!(
        s.assertions[0].name_id.as_deref(),
        Some("admin@example.test")
    );
    assert_eq!(s.assertions[1].name_id.as_deref(), Some(ALICE));
    assert_eq!(s.signed_elements.len(), 1);
    assert!(s.signed_elements[0].contains("Assertion"));
    assert_eq!(s.status, ["urn:oasis:names:tc:SAML:2.0:status:Success"]);
    let a = &s.assertions[1];
    assert_eq!(a.audiences, [SP]);
    assert_eq!(a.recipient.as_deref(), Some(ACS));
    assert_eq!(a.in_response_to.as_deref(), Some(REQ));
    assert_eq!(a.not_on_or_after.as_deref(), Some("2026-01-01T10:05:00Z"));
    assert_eq!(a.attributes["groups"], ["Engineering", "anthropic-admins"]);

    let denied = build_status_response(
        &ResponseShape::generic(IDP),
        &params(),
        &Status::denied("User is not assigned to this application"),
        now(),
        &mut Rng::new(7),
        None,
    )
    .unwrap();
    let d = summarize(denied.xml.as_bytes()).unwrap();
    assert_eq!(
        d.status,
        [
            "urn:oasis:names:tc:SAML:2.0:status:Responder",
            "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
        ]
    );
    assert_eq!(
        d.status_message.as_deref(),
        Some("User is not assigned to this application")
    );
    assert!(d.assertions.is_empty() && d.signed_elements.is_empty());

    let (_, req) = build_authn_request(&request_params(), now(), &mut Rng::new(1));
    let r = summarize(req.as_bytes()).unwrap();
    assert_eq!(r.kind.as_deref(), Some("AuthnRequest"));
    assert_eq!(r.acs_url.as_deref(), Some(ACS));
    assert_eq!(r.issuer.as_deref(), Some(SP));
    assert_eq!(
        summarize(b"<!DOCTYPE x><x/>").unwrap_err().reason,
        Reason::DoctypeForbidden
    );
}

/// Golden copies of what the IdP builders emit, so a change in any byte
/// is a reviewed change (`SSOSIM_WRITE_FIXTURES=1 cargo test saml_validate`
/// rewrites them). They also feed the interop check against python3-saml
/// (`interop/saml/check_sp_oracles.sh`).
#[test]
fn built_messages_match_the_committed_fixtures() {
    let dir = crate::saml_support::fixtures().join("saml/messages/built");
    let write = std::env::var_os("SSOSIM_WRITE_FIXTURES").is_some();
    let mut cases: Vec<(String, String)> = vec![];
    for (name, shape, key_name) in [
        ("generic", ResponseShape::generic(IDP), "idp-generic"),
        (
            "okta",
            ResponseShape::okta("http://www.okta.com/exk5zt0r12Edi4rD20h7"),
            "idp-okta",
        ),
        (
            "entra",
            ResponseShape::entra("https://sts.windows.net/6a1f3b2c-0d4e-4f5a-9b8c-7d6e5f4a3b2c/"),
            "idp-entra",
        ),
        (
            "google",
            ResponseShape::google("https://accounts.google.com/o/saml2?idpid=C01abcdef"),
            "idp-google",
        ),
    ] {
        let k = signing_key(key_name, &format!("{key_name}.crt.pem"));
        let b = build_response(&shape, &params(), &grant(), now(), &mut Rng::new(7), &k).unwrap();
        cases.push((format!("{name}-response.xml"), b.xml));
    }
    let denied = build_status_response(
        &ResponseShape::generic(IDP),
        &params(),
        &Status::denied("User is not assigned to this application"),
        now(),
        &mut Rng::new(7),
        Some(&key()),
    )
    .unwrap();
    cases.push(("generic-denied-response.xml".to_string(), denied.xml));
    // Unsigned, for independent signers (`sign_with_signxml.py`).
    cases.push((
        "generic-unsigned-response.xml".to_string(),
        built(SignWhat::Neither).xml,
    ));
    let (_, req) = build_authn_request(&request_params(), now(), &mut Rng::new(1));
    cases.push(("authn-request.xml".to_string(), req));
    for (file, xml) in cases {
        let path = dir.join(&file);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &xml).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (SSOSIM_WRITE_FIXTURES=1 writes it)",
                path.display()
            )
        });
        assert_eq!(
            committed, xml,
            "{file} changed; review, then SSOSIM_WRITE_FIXTURES=1"
        );
    }
}

/// SAML Raider's XSW1/XSW2 (response wrapping) and XSW5/XSW6 (assertion
/// wrapping), built from fresh signed output.
#[test]
fn xsw1_xsw2_xsw5_xsw6_are_refused() {
    let evil = "admin@example.test";
    // XSW1: signed copy R' inside the evil Response's Signature.
    let b = built(SignWhat::Response);
    let (r_prime, _) = cut(&b.xml, "ds:Signature");
    let evil_r = b
        .xml
        .replacen(
            &format!("ID=\"{}\"", b.response_id),
            "ID=\"_evil_response_ID\"",
            1,
        )
        .replacen(ALICE, evil, 1);
    let xsw1 = evil_r.replacen("</ds:Signature>", &format!("{r_prime}</ds:Signature>"), 1);
    let r1 = refused(check(&xsw1));
    // XSW2: R' as a sibling before the Signature.
    let xsw2 = evil_r.replacen("<ds:Signature", &format!("{r_prime}<ds:Signature"), 1);
    let r2 = refused(check(&xsw2));
    // XSW5: the assertion edited in place (new ID, signature kept), a
    // clean copy of the original appended to the Response.
    let a = built(SignWhat::Assertion);
    let (_, original) = cut(&a.xml, "saml:Assertion");
    let (clean, _) = cut(&original, "ds:Signature");
    let evil_a = a
        .xml
        .replacen(
            &format!("ID=\"{}\"", a.assertion_id),
            "ID=\"_evil_assertion_ID\"",
            1,
        )
        .replacen(
            &format!("{ALICE}</saml:NameID>"),
            &format!("{evil}</saml:NameID>"),
            1,
        );
    let xsw5 = evil_a.replace("</samlp:Response>", &format!("{clean}</samlp:Response>"));
    let r5 = refused(check(&xsw5));
    // XSW6: the clean copy inside the evil assertion's Signature.
    let xsw6 = evil_a.replacen("</ds:Signature>", &format!("{clean}</ds:Signature>"), 1);
    let r6 = refused(check(&xsw6));
    assert_eq!(
        [r1.reason, r2.reason, r5.reason, r6.reason],
        [
            Reason::DuplicateId,
            Reason::DuplicateId,
            Reason::MultipleAssertions,
            Reason::SignatureShapeInvalid
        ],
        "{r1}\n{r2}\n{r5}\n{r6}"
    );
}

/// Truncations and seeded byte corruptions of signed responses, POST
/// bodies and Redirect queries: every one is refused (or, for harmless
/// edits outside the signed bytes, accepted) without a panic, and no
/// corruption inside a signed Response is ever accepted with another
/// NameID.
#[test]
fn corrupted_messages_never_panic_and_never_change_identity() {
    let mut rng = Rng::new(99);
    for sign in [SignWhat::Both, SignWhat::Response, SignWhat::Assertion] {
        let x = built(sign).xml.into_bytes();
        let mut inputs: Vec<Vec<u8>> = (0..x.len()).step_by(97).map(|n| x[..n].to_vec()).collect();
        for _ in 0..300 {
            let mut y = x.clone();
            let i = (rng.u64() % y.len() as u64) as usize;
            y[i] = (rng.u64() % 256) as u8;
            inputs.push(y);
        }
        for y in inputs {
            if let Ok(login) = validate_response(&cfg(), now(), &y, InResponseToCheck::Skip, None) {
                assert_eq!(login.name_id, ALICE);
                assert_eq!(
                    login.attributes["groups"],
                    ["Engineering", "anthropic-admins"]
                );
            }
        }
    }
    let (_, req) = build_authn_request(&request_params(), now(), &mut Rng::new(1));
    let url = redirect_url(
        "https://idp.test/sso",
        "SAMLRequest",
        &req,
        Some("rs"),
        Some(&signing_key("sp", "sp.crt.pem")),
    );
    let q = url.split_once('?').unwrap().1.as_bytes().to_vec();
    let sp_keys = crate::saml_support::pinned(&["sp"]);
    for _ in 0..300 {
        let mut y = q.clone();
        let i = (rng.u64() % y.len() as u64) as usize;
        y[i] = b"%+=&AZaz09/-_."[(rng.u64() % 14) as usize];
        let s = String::from_utf8_lossy(&y);
        if let Ok(m) = decode_redirect(&s, "SAMLRequest", Some(&sp_keys)) {
            // Only an edit the signature does not cover may pass.
            assert_eq!(m.xml, req.as_bytes());
        }
        let _ = parse_authn_request(&y);
        let _ = decode_post_form(&y, "SAMLRequest");
    }
}

/// An independent signer (signxml, `sign_with_signxml.py`) signed the
/// Assertion and then the Response of our unsigned golden response; our
/// SP accepts its output, and still refuses it once edited.
#[test]
fn our_sp_accepts_a_response_signed_by_signxml() {
    let path = crate::saml_support::fixtures()
        .join("saml/messages/signxml/generic-both-signed-response.xml");
    let x = std::fs::read_to_string(path).unwrap();
    let login = check(&x).unwrap();
    assert_eq!(login.signed, SignWhat::Both);
    assert_eq!(login.name_id, ALICE);
    assert_eq!(
        refused(check(&x.replace(ALICE, "admin@example.test"))).reason,
        Reason::DigestMismatch
    );
}

#[test]
fn extreme_durations_neither_panic_nor_overflow() {
    let huge = SpConfig {
        allowed_skew: Duration::MAX,
        max_issue_delay: Some(Duration::MAX),
        ..cfg()
    };
    let mut cache = ReplayCache::default();
    let x = built(SignWhat::Both).xml;
    let login = validate_response(
        &huge,
        now() + time::Duration::days(3650),
        x.as_bytes(),
        InResponseToCheck::Pending(Some(&pending())),
        Some(&mut cache),
    )
    .unwrap();
    assert_eq!(login.name_id, ALICE);
    let mut shape = ResponseShape::generic(IDP);
    shape.assertion_lifetime = Duration::MAX;
    assert!(build_response(&shape, &params(), &grant(), now(), &mut Rng::new(1), &key()).is_err());
    shape = ResponseShape::generic(IDP);
    shape.clock_offset_s = i64::MAX;
    assert!(build_response(&shape, &params(), &grant(), now(), &mut Rng::new(1), &key()).is_err());
}

/// The remaining rows of SECURITY.md §1.G, each a minimal re-signed edit.
#[test]
fn security_md_1g_semantic_rows() {
    let reason_of = |sign: SignWhat, edit: &dyn Fn(String) -> String| {
        check(&edited(sign, |x, _| edit(x)))
            .map(|_| ())
            .map_err(|e| e.reason)
    };
    // IS4: an Issuer Format other than entity.
    assert_eq!(
        reason_of(SignWhat::Assertion, &|x| replace_nth(
            &x,
            "<saml:Issuer>",
            "<saml:Issuer Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:transient\">",
            1
        )),
        Err(Reason::IssuerMismatch)
    );
    // RC1: no URL normalisation; a trailing slash is another URL.
    assert_eq!(
        reason_of(SignWhat::Assertion, &|x| x.replace(
            &format!("Recipient=\"{ACS}\""),
            &format!("Recipient=\"{ACS}/\"")
        )),
        Err(Reason::RecipientMismatch)
    );
    assert_eq!(
        reason_of(SignWhat::Assertion, &|x| x.replace(
            &format!("Recipient=\"{ACS}\""),
            "Recipient=\"HTTPS://SP.EXAMPLE.TEST/saml/acs\""
        )),
        Err(Reason::RecipientMismatch)
    );
    // SC1: a bearer confirmation without SubjectConfirmationData.
    assert_eq!(
        reason_of(SignWhat::Assertion, &|x| cut(
            &x,
            "saml:SubjectConfirmationData"
        )
        .0),
        Err(Reason::SubjectConfirmationInvalid)
    );
    // TM3: NotOnOrAfter missing, NotBefore present (Profiles 4.1.4.2).
    assert_eq!(
        reason_of(SignWhat::Assertion, &|x| x.replace(
            " NotOnOrAfter=\"2026-01-01T10:05:00Z\" Recipient",
            " Recipient"
        )),
        Err(Reason::SubjectConfirmationInvalid)
    );
    assert_eq!(
        reason_of(SignWhat::Assertion, &|x| x.replace(
            " NotOnOrAfter=\"2026-01-01T10:05:00Z\" Recipient",
            " NotBefore=\"2026-01-01T09:59:00Z\" NotOnOrAfter=\"2026-01-01T10:05:00Z\" Recipient"
        )),
        Err(Reason::SubjectConfirmationInvalid)
    );
    // ST1: no Status, two StatusCodes.
    assert_eq!(
        reason_of(SignWhat::Assertion, &|x| cut(&x, "samlp:Status").0),
        Err(Reason::StatusNotSuccess)
    );
    assert_eq!(
        reason_of(SignWhat::Response, &|x| {
            x.replace(
            "</samlp:Status>",
            "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>"
        )
        }),
        Err(Reason::StatusNotSuccess)
    );
    // TXT5: a character reference decodes to the same value c14n signed.
    assert_eq!(
        check(&built(SignWhat::Assertion).xml.replace(
            "alice@example.test</saml:NameID>",
            "al&#x69;ce@example.test</saml:NameID>"
        ))
        .unwrap()
        .name_id,
        ALICE
    );
    // KEY7: a response validly signed by another IdP (Okta) but naming
    // this one as Issuer.
    let okta = signing_key("idp-okta", "idp-okta.crt.pem");
    let cross = build_response(
        &ResponseShape::generic(IDP),
        &params(),
        &grant(),
        now(),
        &mut Rng::new(7),
        &okta,
    )
    .unwrap();
    assert_eq!(refused(check(&cross.xml)).reason, Reason::UntrustedKey);
}

/// RP2: a second assertion, re-signed, inside a Response whose ID was
/// already used.
#[test]
fn rp2_replayed_response_id_with_a_fresh_assertion_is_refused() {
    let first = built(SignWhat::Both);
    let fresh = "_fresh_assertion_id_0000000000000000000000";
    let unsigned = built(SignWhat::Neither)
        .xml
        .replace(&first.assertion_id, fresh);
    let opts = SignOptions::default();
    let second = sign_by_id(unsigned.as_bytes(), fresh, &key(), &opts).unwrap();
    let second = sign_by_id(second.as_bytes(), &first.response_id, &key(), &opts).unwrap();
    let mut cache = ReplayCache::default();
    let p = pending();
    let run = |x: &str, cache: &mut ReplayCache| {
        validate_response(
            &cfg(),
            now(),
            x.as_bytes(),
            InResponseToCheck::Pending(Some(&p)),
            Some(cache),
        )
    };
    run(&first.xml, &mut cache).unwrap();
    let r = refused(run(&second, &mut cache));
    assert_eq!(r.reason, Reason::ReplayedAssertion);
    assert!(r.detail.starts_with("response ID"), "{}", r.detail);
}
