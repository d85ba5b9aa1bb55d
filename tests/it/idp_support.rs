//! Shared helpers for the mock-IdP tests: an SP registered from metadata,
//! AuthnRequests over both bindings, the SP validator configured from the
//! IdP's own metadata, and reading the auto-submit form.

use base64::Engine as _;
use time::macros::datetime;
use time::OffsetDateTime;

use ssosim::idp::{new_idp, Directory, Idp, IdpSettings, ProfileOptions, SpConfig, Vendor};
use ssosim::saml::binding::redirect_url;
use ssosim::saml::keys::SigningKey;
use ssosim::saml::metadata::{parse_idp_metadata, write_sp_metadata, AcsEndpoint, SpMetadata};
use ssosim::saml::reason::Rejection;
use ssosim::saml::request::{build_authn_request, AuthnRequestParams, BINDING_POST};
use ssosim::saml::validate::{
    validate_response, InResponseToCheck, Login, Pending, SpConfig as Validator,
};
use ssosim::sim::Rng;

use crate::saml_support::{fixtures, pki};

pub const SP: &str = "https://sp.acme.test/saml/metadata";
pub const ACS: &str = "https://sp.acme.test/saml/acs";
pub const ACS2: &str = "https://sp.acme.test/saml/acs2";
pub const BASE: &str = "https://idp.acme.test";

pub fn now() -> OffsetDateTime {
    datetime!(2026-01-01 10:00:00 UTC)
}

/// The SP of every test: two POST endpoints (index 0 default, index 1),
/// request-signing certificate `sp.crt.pem`.
pub fn sp_metadata(authn_requests_signed: bool) -> SpMetadata {
    let cert = openssl::x509::X509::from_pem(&pki("sp.crt.pem")).unwrap();
    SpMetadata {
        entity_id: SP.to_string(),
        acs: vec![
            AcsEndpoint {
                index: 0,
                binding: BINDING_POST.to_string(),
                location: ACS.to_string(),
                is_default: true,
            },
            AcsEndpoint {
                index: 1,
                binding: BINDING_POST.to_string(),
                location: ACS2.to_string(),
                is_default: false,
            },
        ],
        authn_requests_signed,
        want_assertions_signed: false,
        signing_certs_der: vec![cert.to_der().unwrap()],
        name_id_formats: vec![],
    }
}

pub fn sp_metadata_xml() -> String {
    write_sp_metadata(&sp_metadata(false))
}

pub fn sp_key() -> SigningKey {
    SigningKey::from_pem(&pki("sp.key.pem"), &pki("sp.crt.pem")).unwrap()
}

/// The example users file.
pub fn users_yaml() -> Vec<u8> {
    std::fs::read(fixtures().join("idp/users.yaml")).unwrap()
}

pub fn idp_with(vendor: Vendor, dir: Directory, opts: &ProfileOptions) -> Idp {
    let mut idp = new_idp(vendor, IdpSettings::new(BASE), dir, opts, &Rng::new(1)).unwrap();
    // Registered from the XML, as `idp serve --sp-metadata` does.
    idp.add_sp(
        SpConfig::from_metadata_xml(sp_metadata_xml().as_bytes())
            .unwrap()
            .with_name("Acme Claude"),
    );
    idp
}

pub fn idp(vendor: Vendor) -> Idp {
    let dir = ssosim::idp::users_file::parse_users_file(&users_yaml(), &mut Rng::new(1)).unwrap();
    idp_with(vendor, dir, &ProfileOptions::default())
}

pub fn request_params(acs: &str) -> AuthnRequestParams {
    AuthnRequestParams {
        issuer: SP.to_string(),
        acs_url: acs.to_string(),
        destination: format!("{BASE}/sso"),
        force_authn: false,
        name_id_policy: None,
    }
}

/// An HTTP-Redirect AuthnRequest: (request id, raw query).
pub fn redirect_request(
    p: &AuthnRequestParams,
    relay: Option<&str>,
    sign: bool,
) -> (String, String) {
    let (id, xml) = build_authn_request(p, now(), &mut Rng::new(5));
    let key = sp_key();
    let url = redirect_url(
        &format!("{BASE}/sso"),
        "SAMLRequest",
        &xml,
        relay,
        sign.then_some(&key),
    );
    let query = url.split_once('?').unwrap().1.to_string();
    (id, query)
}

/// An HTTP-POST AuthnRequest body (unsigned).
pub fn post_request(p: &AuthnRequestParams, relay: Option<&str>) -> (String, Vec<u8>) {
    let (id, xml) = build_authn_request(p, now(), &mut Rng::new(5));
    let b64 = base64::engine::general_purpose::STANDARD.encode(xml);
    let mut body: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("SAMLRequest", &b64)
        .finish();
    if let Some(r) = relay {
        body.push('&');
        body.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .append_pair("RelayState", r)
                .finish(),
        );
    }
    (id, body.into_bytes())
}

/// The SP validator configured from the IdP's own metadata.
pub fn validator(idp: &Idp, acs: &str) -> Validator {
    let md = parse_idp_metadata(idp.metadata_xml().as_bytes()).unwrap();
    let mut v = Validator::new(SP, acs, &md.entity_id, md.trusted_keys().unwrap());
    v.allow_idp_initiated = true;
    v
}

pub fn validate(
    idp: &Idp,
    acs: &str,
    xml: &str,
    request_id: Option<&str>,
) -> Result<Login, Rejection> {
    let pending = request_id.map(|r| Pending {
        request_id: r.to_string(),
    });
    validate_response(
        &validator(idp, acs),
        now(),
        xml.as_bytes(),
        InResponseToCheck::Pending(pending.as_ref()),
        None,
    )
}

/// The value of the hidden input `name` in an auto-submit form, unescaped.
pub fn form_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = start + html[start..].find('"')?;
    Some(unescape(&html[start..end]))
}

/// The form's action, unescaped.
pub fn form_action(html: &str) -> Option<String> {
    let start = html.find("action=\"")? + "action=\"".len();
    let end = start + html[start..].find('"')?;
    Some(unescape(&html[start..end]))
}

pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The decoded SAMLResponse XML of an auto-submit form.
pub fn response_xml(html: &str) -> String {
    let b64 = form_field(html, "SAMLResponse").expect("a SAMLResponse field");
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
}
