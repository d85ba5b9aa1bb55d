//! SAML bindings (SECURITY.md §1.J, IDP4, X7): the POST form escapes
//! everything and decodes strictly; the Redirect binding round-trips
//! signed and unsigned, verifies over the raw received octets (reordered
//! parameters still verify, `%2F`→`%2f` does not), refuses duplicates,
//! SHA-1 and unknown SigAlgs, DEFLATE bombs and zlib/gzip wrappers; and
//! AuthnRequests are read strictly, with POST-bound signatures verified on
//! the request root only (XSW-REQ).

use base64::Engine as _;
use time::macros::datetime;
use time::OffsetDateTime;

use ssosim::saml::binding::{
    decode_post_form, decode_redirect, inflate, post_form_html, redirect_url, INFLATE_MAX,
};
use ssosim::saml::dsig::{sign_by_id, SignOptions};
use ssosim::saml::keys::{SigningKey, TrustedKeys};
use ssosim::saml::reason::Reason;
use ssosim::saml::request::{
    build_authn_request, parse_authn_request, resolve_acs, verify_post_authn_request,
    AuthnRequestParams,
};
use ssosim::sim::Rng;

use crate::saml_support::{pinned, signing_key};

const SSO: &str = "https://idp.example.test/saml/sso";
const ACS: &str = "https://sp.example.test/saml/acs";
const SP: &str = "https://sp.example.test/saml/metadata";

fn now() -> OffsetDateTime {
    datetime!(2026-01-01 10:00:00 UTC)
}

fn sp_key() -> SigningKey {
    signing_key("sp", "sp.crt.pem")
}

fn sp_pinned() -> TrustedKeys {
    pinned(&["sp"])
}

fn request() -> (String, String) {
    build_authn_request(
        &AuthnRequestParams {
            issuer: SP.to_string(),
            acs_url: ACS.to_string(),
            destination: SSO.to_string(),
            force_authn: true,
            name_id_policy: Some(
                "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".to_string(),
            ),
        },
        now(),
        &mut Rng::new(11),
    )
}

fn query(url: &str) -> &str {
    url.split_once('?').unwrap().1
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn form_value(s: &str) -> String {
    s.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
        .replace("\r\n", "%0D%0A")
}

fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn reason<T: std::fmt::Debug>(r: Result<T, ssosim::saml::Rejection>) -> Reason {
    r.unwrap_err().reason
}

// ---- POST ----

#[test]
fn idp4_post_form_escapes_action_message_and_relay_state() {
    let evil = "\"><script>alert(1)</script>";
    let html = post_form_html(
        &format!("https://sp.example.test/acs?x={evil}"),
        "SAMLResponse",
        "<samlp:Response/>",
        Some(evil),
    );
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("<noscript>"));
    assert!(html.contains("type=\"submit\" value=\"Continue\""));
    assert!(html.contains("document.forms[0].submit()"));
    assert!(html.contains(&format!("value=\"{}\"", b64(b"<samlp:Response/>"))));
}

#[test]
fn b1_post_accepts_line_wrapped_base64_and_decodes_relay_state() {
    let xml = "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>".repeat(4);
    let flat = b64(xml.as_bytes());
    let wrapped: Vec<String> = flat
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let body = format!(
        "RelayState=%2Fdashboard%3Ftab%3D1+2&SAMLResponse={}",
        form_value(&wrapped.join("\r\n"))
    );
    let m = decode_post_form(body.as_bytes(), "SAMLResponse").unwrap();
    assert_eq!(m.xml, xml.as_bytes());
    assert_eq!(m.relay_state.as_deref(), Some("/dashboard?tab=1 2"));
}

#[test]
fn b1_post_refuses_url_safe_junk_bad_padding_and_duplicates() {
    let good = form_value(&b64(b"<a/>"));
    let cases: &[(&str, Reason)] = &[
        ("SAMLResponse=PGEvPg", Reason::Base64Invalid), // missing padding
        ("SAMLResponse=PGEvPg%3D%3D%3D", Reason::Base64Invalid), // extra padding
        ("SAMLResponse=PGEv*g%3D%3D", Reason::Base64Invalid), // junk
        ("SAMLResponse=PGEvPg%3D%3D%20", Reason::Base64Invalid), // trailing space
        ("SAMLResponse=PG+vPg%3D%3D", Reason::Base64Invalid), // raw `+` became a space
        ("SAMLResponse=_-8%3D", Reason::Base64Invalid), // URL-safe alphabet
        ("SAMLResponse=%G1", Reason::FormEncodingInvalid),
        ("SAMLResponse=%4", Reason::FormEncodingInvalid),
        ("SAMLResponse=%+1", Reason::FormEncodingInvalid),
        ("SAMLRequest=PGEvPg%3D%3D", Reason::ParameterMissing),
    ];
    for (body, want) in cases {
        assert_eq!(
            reason(decode_post_form(body.as_bytes(), "SAMLResponse")),
            *want,
            "{body}"
        );
    }
    let dup = format!("SAMLResponse={good}&SAMLResponse={good}");
    assert_eq!(
        reason(decode_post_form(dup.as_bytes(), "SAMLResponse")),
        Reason::DuplicateParameter
    );
    // An encoded field name is still the same field.
    let dup2 = format!("SAMLResponse={good}&SAML%52esponse={good}");
    assert_eq!(
        reason(decode_post_form(dup2.as_bytes(), "SAMLResponse")),
        Reason::DuplicateParameter
    );
    let dup_rs = format!("SAMLResponse={good}&RelayState=a&RelayState=b");
    assert_eq!(
        reason(decode_post_form(dup_rs.as_bytes(), "SAMLResponse")),
        Reason::DuplicateParameter
    );
}

// ---- Redirect ----

#[test]
fn redirect_round_trips_unsigned() {
    let (id, xml) = request();
    let url = redirect_url(SSO, "SAMLRequest", &xml, Some("/after login"), None);
    assert!(url.starts_with(&format!("{SSO}?SAMLRequest=")));
    assert!(url.contains("&RelayState=%2Fafter%20login"));
    assert!(!url.contains("SigAlg"));
    let m = decode_redirect(query(&url), "SAMLRequest", None).unwrap();
    assert_eq!(m.xml, xml.as_bytes());
    assert_eq!(m.relay_state.as_deref(), Some("/after login"));
    assert!(!m.signed);
    let req = parse_authn_request(&m.xml).unwrap();
    assert_eq!(req.id, id);
    assert!(req.force_authn);
    assert_eq!(req.issuer, SP);
    assert_eq!(req.destination.as_deref(), Some(SSO));
    assert_eq!(req.issue_instant, now());
    // Same input, same bytes.
    assert_eq!(
        url,
        redirect_url(SSO, "SAMLRequest", &xml, Some("/after login"), None)
    );
    // An endpoint with a query keeps it.
    let u2 = redirect_url(
        "https://idp.test/sso?tenant=7",
        "SAMLRequest",
        &xml,
        None,
        None,
    );
    assert!(u2.starts_with("https://idp.test/sso?tenant=7&SAMLRequest="));
    assert!(decode_redirect(query(&u2), "SAMLRequest", None).is_ok());
}

#[test]
fn b3_redirect_round_trips_signed_and_verifies_over_raw_octets() {
    let (_, xml) = request();
    let url = redirect_url(
        SSO,
        "SAMLRequest",
        &xml,
        Some("https://sp.example.test/a?b=c&d=e"),
        Some(&sp_key()),
    );
    assert!(url.contains(
        "&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature="
    ));
    let q = query(&url);
    let m = decode_redirect(q, "SAMLRequest", Some(&sp_pinned())).unwrap();
    assert!(m.signed);
    assert_eq!(m.xml, xml.as_bytes());
    assert_eq!(
        m.relay_state.as_deref(),
        Some("https://sp.example.test/a?b=c&d=e")
    );

    // Reordered parameters: the signed octets are rebuilt in the spec's
    // order from the raw values, so the signature still verifies.
    let parts: Vec<&str> = q.split('&').collect();
    let reordered = [parts[3], parts[2], parts[1], parts[0]].join("&");
    assert!(
        decode_redirect(&reordered, "SAMLRequest", Some(&sp_pinned()))
            .unwrap()
            .signed
    );
    // Extra unrelated parameters are ignored.
    let extra = format!("tenant=7&{q}");
    assert!(decode_redirect(&extra, "SAMLRequest", Some(&sp_pinned())).is_ok());

    // One octet changed in the message: refused.
    let i = q.find("SAMLRequest=").unwrap() + "SAMLRequest=".len() + 10;
    let c = if &q[i..i + 1] == "A" { "B" } else { "A" };
    let tampered = format!("{}{}{}", &q[..i], c, &q[i + 1..]);
    assert_eq!(
        reason(decode_redirect(
            &tampered,
            "SAMLRequest",
            Some(&sp_pinned())
        )),
        Reason::SignatureInvalid
    );
    // RelayState changed: refused.
    let rs = q.replace("RelayState=https", "RelayState=http");
    assert_eq!(
        reason(decode_redirect(&rs, "SAMLRequest", Some(&sp_pinned()))),
        Reason::SignatureInvalid
    );
    // Wrong pinned key, or none.
    assert_eq!(
        reason(decode_redirect(
            q,
            "SAMLRequest",
            Some(&pinned(&["attacker"]))
        )),
        Reason::SignatureInvalid
    );
    assert_eq!(
        reason(decode_redirect(
            q,
            "SAMLRequest",
            Some(&TrustedKeys::default())
        )),
        Reason::NoTrustedKeys
    );
    // Unsigned when a signature is required.
    let unsigned = redirect_url(SSO, "SAMLRequest", &xml, None, None);
    assert_eq!(
        reason(decode_redirect(
            query(&unsigned),
            "SAMLRequest",
            Some(&sp_pinned())
        )),
        Reason::SignatureMissing
    );
}

#[test]
fn b3_lowercase_percent_escapes_break_the_signature_but_not_the_message() {
    let (_, xml) = request();
    let url = redirect_url(SSO, "SAMLRequest", &xml, Some("/a/b"), Some(&sp_key()));
    let q = query(&url);
    assert!(q.contains("RelayState=%2Fa%2Fb"));
    // A proxy that lowercases the escapes changes the octets that were
    // signed; we never re-encode, so the signature no longer verifies.
    let lowered = q.replace("RelayState=%2Fa%2Fb", "RelayState=%2fa%2fb");
    assert_eq!(
        reason(decode_redirect(&lowered, "SAMLRequest", Some(&sp_pinned()))),
        Reason::SignatureInvalid
    );
    // Decoded without verification, the value is the same.
    let m = decode_redirect(&lowered, "SAMLRequest", None).unwrap();
    assert_eq!(m.relay_state.as_deref(), Some("/a/b"));
    // `+` and `%20` are different octets too.
    let url2 = redirect_url(SSO, "SAMLRequest", &xml, Some("a b"), Some(&sp_key()));
    let plus = query(&url2).replace("RelayState=a%20b", "RelayState=a+b");
    assert_eq!(
        reason(decode_redirect(&plus, "SAMLRequest", Some(&sp_pinned()))),
        Reason::SignatureInvalid
    );
}

#[test]
fn b3_b4_duplicates_and_sig_alg_allow_list() {
    let (_, xml) = request();
    let url = redirect_url(SSO, "SAMLRequest", &xml, None, Some(&sp_key()));
    let q = query(&url);
    let sig_alg = q.split('&').find(|p| p.starts_with("SigAlg=")).unwrap();
    let msg = q
        .split('&')
        .find(|p| p.starts_with("SAMLRequest="))
        .unwrap();
    for dup in [
        format!("{q}&{sig_alg}"),
        format!("{q}&{msg}"),
        format!("{q}&RelayState=a&RelayState=b"),
        format!("{q}&Signature=AAAA"),
    ] {
        assert_eq!(
            reason(decode_redirect(&dup, "SAMLRequest", Some(&sp_pinned()))),
            Reason::DuplicateParameter,
            "{dup}"
        );
    }
    let sha1 = q
        .replace("xmldsig-more%23rsa-sha256", "PLACEHOLDER")
        .replace(
            "http%3A%2F%2Fwww.w3.org%2F2001%2F04%2FPLACEHOLDER",
            "http%3A%2F%2Fwww.w3.org%2F2000%2F09%2Fxmldsig%23rsa-sha1",
        );
    assert_eq!(
        reason(decode_redirect(&sha1, "SAMLRequest", Some(&sp_pinned()))),
        Reason::Sha1Forbidden
    );
    for alg in [
        "http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23hmac-sha256",
        "http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256%20",
        "",
    ] {
        let other = q.replace(
            "http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256",
            alg,
        );
        assert_eq!(
            reason(decode_redirect(&other, "SAMLRequest", Some(&sp_pinned()))),
            Reason::AlgorithmForbidden,
            "{alg}"
        );
    }
}

#[test]
fn b5_x7_deflate_is_raw_capped_and_unwrapped() {
    let ok = inflate(&deflate(b"hello"), 16).unwrap();
    assert_eq!(ok, b"hello");
    // Exactly at the cap is fine; one byte over is a bomb.
    assert!(inflate(&deflate(&[b'x'; 64]), 64).is_ok());
    assert_eq!(
        reason(inflate(&deflate(&[b'x'; 65]), 64)),
        Reason::InflateTooLarge
    );
    // 1 KiB of DEFLATE that would inflate to 10 MiB stops at the cap.
    let bomb = deflate(&vec![0u8; 10 << 20]);
    assert!(bomb.len() < 16 * 1024, "{}", bomb.len());
    let q = format!("SAMLRequest={}", form_value(&b64(&bomb)));
    assert_eq!(
        reason(decode_redirect(&q, "SAMLRequest", None)),
        Reason::InflateTooLarge
    );
    const { assert!(INFLATE_MAX >= 64 * 1024) };
    // gzip and zlib wrappers are refused by name.
    use std::io::Write;
    let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    g.write_all(b"<a/>").unwrap();
    assert_eq!(
        reason(inflate(&g.finish().unwrap(), 1024)),
        Reason::DeflateWrapperForbidden
    );
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(b"<a/>").unwrap();
    assert_eq!(
        reason(inflate(&z.finish().unwrap(), 1024)),
        Reason::DeflateWrapperForbidden
    );
    // Truncated and trailing garbage.
    let d = deflate(b"<samlp:AuthnRequest xmlns:samlp=\"urn:x\"/>");
    assert_eq!(
        reason(inflate(&d[..d.len() - 3], 1024)),
        Reason::InflateFailed
    );
    let mut t = d.clone();
    t.push(0);
    assert_eq!(reason(inflate(&t, 1024)), Reason::InflateFailed);
    assert_eq!(reason(inflate(b"", 1024)), Reason::InflateFailed);
}

// ---- AuthnRequest ----

#[test]
fn b6_embedded_signature_in_a_redirect_bound_request_is_ignored() {
    let (id, xml) = request();
    let signed = sign_by_id(
        xml.as_bytes(),
        &id,
        &pinless_attacker(),
        &SignOptions::default(),
    )
    .unwrap();
    // parse_authn_request reads it; the signature is neither trusted nor refused.
    assert_eq!(parse_authn_request(signed.as_bytes()).unwrap().id, id);
}

fn pinless_attacker() -> SigningKey {
    signing_key("attacker", "attacker.crt.pem")
}

#[test]
fn post_bound_signed_request_verifies_on_its_root_only() {
    let (id, xml) = request();
    let signed = sign_by_id(xml.as_bytes(), &id, &sp_key(), &SignOptions::default()).unwrap();
    let req = verify_post_authn_request(signed.as_bytes(), &sp_pinned(), false).unwrap();
    assert_eq!(req.id, id);
    assert_eq!(
        reason(verify_post_authn_request(
            xml.as_bytes(),
            &sp_pinned(),
            false
        )),
        Reason::SignatureMissing
    );
    assert_eq!(
        reason(verify_post_authn_request(
            signed.as_bytes(),
            &pinned(&["attacker"]),
            false
        )),
        Reason::UntrustedKey
    );
    // XSW-REQ: an outer unsigned request wrapping a signed one.
    let outer = format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_outer\" Version=\"2.0\" \
         IssueInstant=\"2026-01-01T10:00:00Z\" AssertionConsumerServiceURL=\"https://evil.test/acs\">\
         <saml:Issuer>{SP}</saml:Issuer><samlp:Extensions>{signed}</samlp:Extensions></samlp:AuthnRequest>"
    );
    assert_eq!(
        reason(verify_post_authn_request(
            outer.as_bytes(),
            &sp_pinned(),
            false
        )),
        Reason::UnexpectedSignature
    );
}

#[test]
fn saml_core_3_4_1_authn_request_rules() {
    let (_, xml) = request();
    let with = |from: &str, to: &str| parse_authn_request(xml.replace(from, to).as_bytes());
    assert_eq!(
        reason(with("Version=\"2.0\"", "Version=\"1.0\"")),
        Reason::VersionUnsupported
    );
    assert_eq!(
        reason(with(&format!("<saml:Issuer>{SP}</saml:Issuer>"), "")),
        Reason::IssuerMissing
    );
    assert_eq!(
        reason(with("ForceAuthn=\"true\"", "ForceAuthn=\"yes\"")),
        Reason::RequestInvalid
    );
    assert_eq!(
        reason(with(
            "IssueInstant=\"2026-01-01T10:00:00Z\"",
            "IssueInstant=\"yesterday\""
        )),
        Reason::InstantInvalid
    );
    assert_eq!(reason(with(" ID=\"_", " ID=\"1")), Reason::IdInvalid);
    // Index form (no URL, no binding) is fine.
    let idx = xml
        .replace(&format!(" AssertionConsumerServiceURL=\"{ACS}\""), "")
        .replace(
            " ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"",
            " AssertionConsumerServiceIndex=\"2\"",
        );
    let r = parse_authn_request(idx.as_bytes()).unwrap();
    assert_eq!(
        (r.acs_url, r.acs_index, r.protocol_binding),
        (None, Some(2), None)
    );
    assert_eq!(
        reason(parse_authn_request(
            idx.replace("Index=\"2\"", "Index=\"70000\"").as_bytes()
        )),
        Reason::RequestInvalid
    );
    let r = parse_authn_request(xml.as_bytes()).unwrap();
    assert_eq!(
        r.name_id_policy.as_deref(),
        Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    );
    assert_eq!(r.acs_url.as_deref(), Some(ACS));
    assert!(!r.is_passive);
}

#[test]
fn idp1_idp2_acs_is_resolved_from_metadata_never_reflected() {
    let sp = ssosim::saml::metadata::parse_sp_metadata(
        &std::fs::read(crate::saml_support::fixtures().join("saml/messages/sp-metadata.xml"))
            .unwrap(),
    )
    .unwrap();
    let (_, xml) = request();
    let req = parse_authn_request(xml.as_bytes()).unwrap();
    assert_eq!(resolve_acs(&req, &sp).unwrap().location, ACS);
    let with = |from: &str, to: &str| {
        let x = xml.replace(from, to);
        resolve_acs(&parse_authn_request(x.as_bytes()).unwrap(), &sp)
    };
    for evil in [
        "https://evil.test/acs",
        "https://sp.example.test/saml/acs/",
        "data:text/html,x",
    ] {
        assert_eq!(
            reason(with(&format!("\"{ACS}\""), &format!("\"{evil}\""))),
            Reason::AcsNotRegistered,
            "{evil}"
        );
    }
    // By index, and the default when neither is given.
    let no_url = xml
        .replace(&format!(" AssertionConsumerServiceURL=\"{ACS}\""), "")
        .replace(
            " ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"",
            "",
        );
    let r = parse_authn_request(no_url.as_bytes()).unwrap();
    assert_eq!(resolve_acs(&r, &sp).unwrap().index, 1);
    let by_index = no_url.replace(
        " ForceAuthn=",
        " AssertionConsumerServiceIndex=\"0\" ForceAuthn=",
    );
    let r = parse_authn_request(by_index.as_bytes()).unwrap();
    assert_eq!(
        resolve_acs(&r, &sp).unwrap().location,
        "https://sp.example.test/saml/acs/legacy"
    );
    let bad_index = no_url.replace(
        " ForceAuthn=",
        " AssertionConsumerServiceIndex=\"9\" ForceAuthn=",
    );
    let r = parse_authn_request(bad_index.as_bytes()).unwrap();
    assert_eq!(reason(resolve_acs(&r, &sp)), Reason::AcsNotRegistered);
    // Another SP's request.
    assert_eq!(
        reason(with(
            &format!("<saml:Issuer>{SP}"),
            "<saml:Issuer>https://other-sp.test"
        )),
        Reason::IssuerMismatch
    );
}

/// The value of the hidden input `name` in our auto-submit form, HTML
/// entities undone (what a browser would post).
fn form_input(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A browser's `application/x-www-form-urlencoded` serialisation.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn sp_initiated_login_round_trips_through_both_bindings() {
    use ssosim::saml::response::{build_response, Grant, ResponseParams, ResponseShape};
    use ssosim::saml::validate::{validate_response, InResponseToCheck, Pending, SpConfig};
    // SP: AuthnRequest over Redirect, signed, with a RelayState that
    // needs escaping everywhere.
    let relay = "/projects?id=7&tab=\"members\"";
    let (request_id, req_xml) = request();
    let url = redirect_url(SSO, "SAMLRequest", &req_xml, Some(relay), Some(&sp_key()));
    // IdP: verify, read, resolve where to answer.
    let m = decode_redirect(query(&url), "SAMLRequest", Some(&sp_pinned())).unwrap();
    assert!(m.signed);
    let req = parse_authn_request(&m.xml).unwrap();
    let sp_meta = ssosim::saml::metadata::parse_sp_metadata(
        &std::fs::read(crate::saml_support::fixtures().join("saml/messages/sp-metadata.xml"))
            .unwrap(),
    )
    .unwrap();
    let acs = resolve_acs(&req, &sp_meta).unwrap();
    let idp = "https://idp.example.test/saml/metadata";
    let built = build_response(
        &ResponseShape::generic(idp),
        &ResponseParams {
            destination: acs.location.clone(),
            audience: req.issuer.clone(),
            in_response_to: Some(req.id.clone()),
        },
        &Grant {
            name_id: "ada@acme.test".to_string(),
            attributes: vec![("groups".to_string(), vec!["anthropic-admins".to_string()])],
            session_index: None,
        },
        now(),
        &mut Rng::new(21),
        &signing_key("idp-generic", "idp-generic.crt.pem"),
    )
    .unwrap();
    let html = post_form_html(
        &acs.location,
        "SAMLResponse",
        &built.xml,
        m.relay_state.as_deref(),
    );
    // Browser: post the form.
    let body = format!(
        "SAMLResponse={}&RelayState={}",
        urlencode(&form_input(&html, "SAMLResponse")),
        urlencode(&form_input(&html, "RelayState"))
    );
    // SP: decode and validate against the pending request.
    let post = decode_post_form(body.as_bytes(), "SAMLResponse").unwrap();
    assert_eq!(post.relay_state.as_deref(), Some(relay));
    let cfg = SpConfig::new(SP, ACS, idp, pinned(&["idp-generic"]));
    let login = validate_response(
        &cfg,
        now() + time::Duration::seconds(3),
        &post.xml,
        InResponseToCheck::Pending(Some(&Pending { request_id })),
        None,
    )
    .unwrap();
    assert_eq!(login.name_id, "ada@acme.test");
    assert_eq!(login.attributes["groups"], ["anthropic-admins"]);
}

#[test]
fn idp_checks_request_destination_and_age() {
    use ssosim::saml::request::check_authn_request;
    use std::time::Duration;
    let (_, xml) = request();
    let req = parse_authn_request(xml.as_bytes()).unwrap();
    let min = Duration::from_secs(60);
    let five = Duration::from_secs(300);
    let ok = |r: &ssosim::saml::AuthnRequest, signed, at| {
        check_authn_request(r, &[SSO], signed, at, five, min)
    };
    assert!(ok(&req, true, now()).is_ok());
    // Age: up to max_age + skew (exclusive), at most skew in the future.
    let s = time::Duration::seconds;
    assert!(ok(&req, true, now() + s(359)).is_ok());
    assert_eq!(
        reason(ok(&req, true, now() + s(360))),
        Reason::IssueInstantOutOfRange
    );
    assert!(ok(&req, true, now() - s(60)).is_ok());
    assert_eq!(
        reason(ok(&req, true, now() - s(61))),
        Reason::IssueInstantOutOfRange
    );
    // Destination.
    let other =
        parse_authn_request(xml.replace(SSO, "https://other-idp.test/sso").as_bytes()).unwrap();
    assert_eq!(
        reason(ok(&other, false, now())),
        Reason::DestinationMismatch
    );
    let none = parse_authn_request(
        xml.replace(&format!(" Destination=\"{SSO}\""), "")
            .as_bytes(),
    )
    .unwrap();
    assert!(ok(&none, false, now()).is_ok());
    assert_eq!(reason(ok(&none, true, now())), Reason::DestinationMismatch);
}
