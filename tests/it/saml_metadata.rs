//! SAML metadata: write → parse gives back the same struct for IdPs and
//! SPs; realistic Okta-, Entra- and Google-shaped IdP metadata and an SP's
//! metadata (`fixtures/saml/messages/`) read as expected; aggregates pick
//! the descriptor with the wanted role; weak keys are refused at load
//! (SECURITY.md KEY8); and keys read from metadata verify that IdP's
//! responses end to end.

use std::fs;

use base64::Engine as _;
use time::macros::datetime;

use ssosim::saml::metadata::{
    parse_idp_metadata, parse_idp_metadata_for, parse_sp_metadata, write_idp_metadata,
    write_sp_metadata, AcsEndpoint, IdpMetadata, SpMetadata,
};
use ssosim::saml::reason::SamlError;
use ssosim::saml::request::BINDING_POST;
use ssosim::saml::response::{build_response, Grant, ResponseParams, ResponseShape};
use ssosim::saml::validate::{validate_response, InResponseToCheck, SpConfig};
use ssosim::sim::Rng;

use crate::saml_support::{fixtures, pki, signing_key};

fn message(name: &str) -> Vec<u8> {
    fs::read(fixtures().join("saml/messages").join(name)).unwrap()
}

/// The DER of `fixtures/pki/NAME.crt.pem`.
fn der(name: &str) -> Vec<u8> {
    let pem = String::from_utf8(pki(&format!("{name}.crt.pem"))).unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn idp() -> IdpMetadata {
    IdpMetadata {
        entity_id: "https://idp.example.test/saml/metadata".to_string(),
        sso_redirect: Some("https://idp.example.test/saml/sso?tenant=a&b=c".to_string()),
        sso_post: Some("https://idp.example.test/saml/sso/post".to_string()),
        signing_certs_der: vec![der("idp-generic"), der("idp-okta")],
        want_authn_requests_signed: true,
        name_id_formats: vec!["urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".to_string()],
    }
}

fn sp() -> SpMetadata {
    SpMetadata {
        entity_id: "https://sp.example.test/saml/metadata".to_string(),
        acs: vec![
            AcsEndpoint {
                index: 0,
                binding: BINDING_POST.to_string(),
                location: "https://sp.example.test/saml/acs".to_string(),
                is_default: true,
            },
            AcsEndpoint {
                index: 3,
                binding: BINDING_POST.to_string(),
                location: "https://sp.example.test/saml/acs?\"quoted\"&<x>".to_string(),
                is_default: false,
            },
        ],
        authn_requests_signed: true,
        want_assertions_signed: false,
        signing_certs_der: vec![der("sp")],
        name_id_formats: vec![],
    }
}

#[test]
fn idp_metadata_round_trips() {
    let m = idp();
    let xml = write_idp_metadata(&m);
    assert_eq!(parse_idp_metadata(xml.as_bytes()).unwrap(), m);
    // Only Redirect, no formats, not wanting signed requests.
    let m2 = IdpMetadata {
        sso_post: None,
        want_authn_requests_signed: false,
        name_id_formats: vec![],
        signing_certs_der: vec![der("idp-google")],
        ..idp()
    };
    assert_eq!(
        parse_idp_metadata(write_idp_metadata(&m2).as_bytes()).unwrap(),
        m2
    );
}

#[test]
fn sp_metadata_round_trips() {
    let m = sp();
    let xml = write_sp_metadata(&m);
    let back = parse_sp_metadata(xml.as_bytes()).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.default_acs().unwrap().index, 0);
    assert_eq!(back.acs_by_index(3).unwrap().location, m.acs[1].location);
    assert!(back.has_acs_url("https://sp.example.test/saml/acs"));
    assert!(!back.has_acs_url("https://sp.example.test/saml/acs/"));
    let unsigned = SpMetadata {
        signing_certs_der: vec![],
        authn_requests_signed: false,
        ..sp()
    };
    assert_eq!(
        parse_sp_metadata(write_sp_metadata(&unsigned).as_bytes()).unwrap(),
        unsigned
    );
}

#[test]
fn okta_shaped_idp_metadata() {
    let m = parse_idp_metadata(&message("okta-idp-metadata.xml")).unwrap();
    assert_eq!(m.entity_id, "http://www.okta.com/exk5zt0r12Edi4rD20h7");
    let sso = "https://acme.okta.test/app/acme_ssosim_1/exk5zt0r12Edi4rD20h7/sso/saml";
    assert_eq!(m.sso_post.as_deref(), Some(sso));
    assert_eq!(m.sso_redirect.as_deref(), Some(sso));
    assert_eq!(m.signing_certs_der, vec![der("idp-okta")]);
    assert!(!m.want_authn_requests_signed);
    assert_eq!(m.name_id_formats.len(), 2);
}

#[test]
fn entra_shaped_idp_metadata_with_rotation_and_ws_fed_role() {
    // Entra's metadata is sometimes saved with a BOM; accept one.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(message("entra-idp-metadata.xml"));
    let m = parse_idp_metadata(&bytes).unwrap();
    assert_eq!(
        m.entity_id,
        "https://sts.windows.net/6a1f3b2c-0d4e-4f5a-9b8c-7d6e5f4a3b2c/"
    );
    // Only the IDPSSODescriptor's keys, both of them, in order; the
    // RoleDescriptor's key is not read.
    assert_eq!(
        m.signing_certs_der,
        vec![der("idp-entra"), der("idp-generic")]
    );
    assert_eq!(
        m.sso_redirect.as_deref(),
        Some("https://login.microsoftonline.test/6a1f3b2c-0d4e-4f5a-9b8c-7d6e5f4a3b2c/saml2")
    );
    assert_eq!(m.sso_post, m.sso_redirect);
    assert!(!m.want_authn_requests_signed);
    assert_eq!(m.trusted_keys().unwrap().iter().count(), 2);
}

#[test]
fn google_shaped_idp_metadata_with_wrapped_certificate() {
    let m = parse_idp_metadata(&message("google-idp-metadata.xml")).unwrap();
    assert_eq!(
        m.entity_id,
        "https://accounts.google.com/o/saml2?idpid=C01abcdef"
    );
    assert_eq!(m.signing_certs_der, vec![der("idp-google")]);
    assert_eq!(
        m.sso_redirect.as_deref(),
        Some("https://accounts.google.test/o/saml2/idp?idpid=C01abcdef")
    );
}

#[test]
fn sp_metadata_fixture_skips_encryption_keys_and_finds_the_default_acs() {
    let m = parse_sp_metadata(&message("sp-metadata.xml")).unwrap();
    assert_eq!(m.entity_id, "https://sp.example.test/saml/metadata");
    assert!(m.authn_requests_signed && m.want_assertions_signed);
    assert_eq!(m.signing_certs_der, vec![der("sp")]);
    assert_eq!(m.acs.len(), 2);
    assert_eq!(
        m.default_acs().unwrap().location,
        "https://sp.example.test/saml/acs"
    );
    // SP metadata is not IdP metadata.
    assert!(matches!(
        parse_idp_metadata(&message("sp-metadata.xml")),
        Err(SamlError::Metadata(_))
    ));
}

#[test]
fn aggregates_yield_the_descriptor_with_the_wanted_role() {
    let agg = message("aggregate-metadata.xml");
    let i = parse_idp_metadata(&agg).unwrap();
    assert_eq!(i.entity_id, "http://www.okta.com/exk5zt0r12Edi4rD20h7");
    let s = parse_sp_metadata(&agg).unwrap();
    assert_eq!(s.entity_id, "https://sp.example.test/saml/metadata");
    assert!(parse_idp_metadata_for(&agg, Some("http://www.okta.com/exk5zt0r12Edi4rD20h7")).is_ok());
    assert!(parse_idp_metadata_for(&agg, Some("https://nope.test")).is_err());
    // Two IdPs in one aggregate: the caller must say which.
    let two = format!(
        "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">{}{}</md:EntitiesDescriptor>",
        strip_decl(&write_idp_metadata(&idp())),
        strip_decl(&write_idp_metadata(&IdpMetadata {
            entity_id: "https://idp2.example.test".to_string(),
            ..idp()
        }))
    );
    assert!(matches!(
        parse_idp_metadata(two.as_bytes()),
        Err(SamlError::Metadata(m)) if m.contains("name the entityID")
    ));
    assert_eq!(
        parse_idp_metadata_for(two.as_bytes(), Some("https://idp2.example.test"))
            .unwrap()
            .entity_id,
        "https://idp2.example.test"
    );
}

fn strip_decl(s: &str) -> &str {
    s.split_once("?>\n").unwrap().1
}

#[test]
fn key8_weak_keys_are_refused_at_load() {
    for weak in ["weak-1024", "weak-e3"] {
        let m = IdpMetadata {
            signing_certs_der: vec![der(weak)],
            ..idp()
        };
        match parse_idp_metadata(write_idp_metadata(&m).as_bytes()) {
            Err(SamlError::Key(k)) => assert_eq!(k.reason(), "weak-key", "{weak}"),
            other => panic!("{weak}: {other:?}"),
        }
    }
    // No signing key at all: nothing could ever verify, refuse now.
    let none = IdpMetadata {
        signing_certs_der: vec![],
        ..idp()
    };
    assert!(matches!(
        parse_idp_metadata(write_idp_metadata(&none).as_bytes()),
        Err(SamlError::Metadata(_))
    ));
}

#[test]
fn metadata_is_read_under_the_strict_profile() {
    let xml = write_idp_metadata(&idp());
    let doctype = format!("<!DOCTYPE x>{}", strip_decl(&xml));
    assert!(matches!(
        parse_idp_metadata(doctype.as_bytes()),
        Err(SamlError::Xml(e)) if e.reason() == "doctype-forbidden"
    ));
    let no_saml2 = xml.replace(
        "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"",
        "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:1.1:protocol\"",
    );
    assert!(parse_idp_metadata(no_saml2.as_bytes()).is_err());
    let bad_flag = xml.replace(
        "WantAuthnRequestsSigned=\"true\"",
        "WantAuthnRequestsSigned=\"yes\"",
    );
    assert!(parse_idp_metadata(bad_flag.as_bytes()).is_err());
}

#[test]
fn keys_from_okta_metadata_verify_an_okta_shaped_response() {
    let m = parse_idp_metadata(&message("okta-idp-metadata.xml")).unwrap();
    let shape = ResponseShape::okta(&m.entity_id);
    let acs = "https://sp.example.test/saml/acs";
    let sp_entity = "https://sp.example.test/saml/metadata";
    let now = datetime!(2026-01-01 10:00:00 UTC);
    let b = build_response(
        &shape,
        &ResponseParams {
            destination: acs.to_string(),
            audience: sp_entity.to_string(),
            in_response_to: None,
        },
        &Grant {
            name_id: "ada@acme.test".to_string(),
            ..Grant::default()
        },
        now,
        &mut Rng::new(5),
        &signing_key("idp-okta", "idp-okta.crt.pem"),
    )
    .unwrap();
    let cfg = SpConfig {
        allow_idp_initiated: true,
        ..SpConfig::new(sp_entity, acs, &m.entity_id, m.trusted_keys().unwrap())
    };
    let login = validate_response(
        &cfg,
        now,
        b.xml.as_bytes(),
        InResponseToCheck::Pending(None),
        None,
    )
    .unwrap();
    assert_eq!(login.name_id, "ada@acme.test");
    assert!(login.idp_initiated);
    assert!(login.attributes.is_empty());
}
