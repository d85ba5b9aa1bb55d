//! Each vendor profile's Response validates at an SP configured from the
//! IdP's own metadata, and carries that vendor's shape (VENDORS.md §2):
//! issuer, id style, NameID, attribute names, which element is signed.

use ssosim::idp::profile::names;
use ssosim::idp::{Answer, Decision, Idp, Inbound, ProfileOptions, Vendor};
use ssosim::saml::response::SignWhat;
use ssosim::sim::Rng;

use crate::idp_support::*;

/// SP-initiated over Redirect, signed in as `email` on the login page.
pub fn sign_in(idp: &mut Idp, email: &str) -> (String, Answer) {
    let mut rng = Rng::new(2);
    let (id, query) = redirect_request(&request_params(ACS), Some("rs-1"), false);
    let Decision::NeedLogin(prompt) = idp.sso(
        Inbound::Redirect { raw_query: &query },
        None,
        now(),
        &mut rng,
    ) else {
        panic!("expected the login page");
    };
    assert!(
        prompt.html.contains("Acme Claude"),
        "the login page names the SP"
    );
    let out = idp.login(&prompt.pending, email, now(), &mut rng);
    assert!(out.set_session.is_some());
    match out.decision {
        Decision::Respond(a) => (id, *a),
        other => panic!("expected a response, got {other:?}"),
    }
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn every_vendor_response_validates_from_the_idp_metadata() {
    for vendor in Vendor::ALL {
        let mut idp = idp(vendor);
        let (id, a) = sign_in(&mut idp, "ada@acme.test");
        assert_eq!(a.acs_url, ACS);
        assert_eq!(a.in_response_to.as_deref(), Some(id.as_str()));
        assert_eq!(
            form_field(&a.html_form, "RelayState").as_deref(),
            Some("rs-1")
        );
        assert_eq!(response_xml(&a.html_form), a.xml);
        let login =
            validate(&idp, ACS, &a.xml, Some(&id)).unwrap_or_else(|e| panic!("{vendor:?}: {e}"));
        assert_eq!(login.in_response_to.as_deref(), Some(id.as_str()));
        assert!(login.session_index.is_some(), "{vendor:?}: SessionIndex");
        let expected_sign = match vendor {
            Vendor::Generic => SignWhat::Both,
            Vendor::Okta | Vendor::Google => SignWhat::Response,
            Vendor::Entra => SignWhat::Assertion,
        };
        assert_eq!(login.signed, expected_sign, "{vendor:?}");
    }
}

#[test]
fn generic_is_spec_clean() {
    let mut idp = idp(Vendor::Generic);
    let (id, a) = sign_in(&mut idp, "ada@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    assert_eq!(login.issuer, format!("{BASE}/metadata"));
    assert_eq!(login.name_id, "ada@acme.test");
    assert_eq!(
        login.name_id_format.as_deref(),
        Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    );
    assert_eq!(login.attributes["email"], ["ada@acme.test"]);
    assert_eq!(login.attributes["firstName"], ["Ada"]);
    assert_eq!(login.attributes["lastName"], ["Lovelace"]);
    assert_eq!(
        login.attributes["groups"],
        ["anthropic-claudeai-1a2b3c4d-owner", "Engineering"]
    );
    let rid = &a.response_id;
    assert!(
        rid.starts_with('_') && rid.len() == 41 && is_hex(&rid[1..]),
        "{rid}"
    );
}

#[test]
fn okta_shape_issuer_ids_prefixes_and_group_filter() {
    let mut idp = idp(Vendor::Okta);
    let (id, a) = sign_in(&mut idp, "ada@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    let key = login
        .issuer
        .strip_prefix("http://www.okta.com/exk")
        .expect("okta issuer");
    assert_eq!(key.len(), 17);
    assert!(
        a.response_id.starts_with("id") && a.response_id[2..].bytes().all(|b| b.is_ascii_digit())
    );
    assert!(a.xml.starts_with("<saml2p:Response"));
    assert!(a
        .xml
        .contains("Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:entity\""));
    assert_eq!(login.attributes["email"], ["ada@acme.test"]);
    assert_eq!(
        login.attributes["groups"],
        ["anthropic-claudeai-1a2b3c4d-owner", "Engineering"]
    );

    // VENDORS.md §6 case 11: `Starts with anthropic-` is case-sensitive, and
    // an empty result omits the attribute.
    let opts = ProfileOptions {
        okta_group_filter: Some(ssosim::idp::profile::GroupFilter::StartsWith(
            "anthropic-".into(),
        )),
        ..Default::default()
    };
    let dir = ssosim::idp::users_file::parse_users_file(&users_yaml(), &mut Rng::new(1)).unwrap();
    let mut idp = idp_with(Vendor::Okta, dir, &opts);
    let (id, a) = sign_in(&mut idp, "ada@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    assert_eq!(
        login.attributes["groups"],
        ["anthropic-claudeai-1a2b3c4d-owner"]
    );
    let (id, a) = sign_in(&mut idp, "grace@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    assert!(
        !login.attributes.contains_key("groups"),
        "Anthropic-Users does not start with anthropic-"
    );
}

#[test]
fn entra_shape_issuer_guid_ids_claim_uris_and_group_guids() {
    let mut idp = idp(Vendor::Entra);
    let (id, a) = sign_in(&mut idp, "eve@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    let tenant = login
        .issuer
        .strip_prefix("https://sts.windows.net/")
        .and_then(|t| t.strip_suffix('/'))
        .expect("entra issuer");
    assert!(uuid::Uuid::parse_str(tenant).is_ok());
    assert!(uuid::Uuid::parse_str(a.response_id.strip_prefix('_').unwrap()).is_ok());
    // NameID is the UPN; the email claim is mail (VENDORS.md §6 case 9).
    assert_eq!(login.name_id, "eve@acme.onmicrosoft.test");
    assert_eq!(login.attributes[names::ENTRA_EMAIL], ["eve@acme.test"]);
    assert_eq!(login.attributes[names::ENTRA_GIVEN_NAME], ["Eve"]);
    assert_eq!(login.attributes[names::ENTRA_SURNAME], ["Moneypenny"]);
    assert_eq!(login.attributes[names::ENTRA_TENANT_ID], [tenant]);
    let (id, a) = sign_in(&mut idp, "ada@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    let eng = idp
        .directory
        .group("Engineering")
        .unwrap()
        .object_id
        .to_string();
    let groups = &login.attributes[names::ENTRA_GROUPS];
    assert_eq!(groups.len(), 2);
    assert!(
        groups.iter().all(|g| uuid::Uuid::parse_str(g).is_ok()),
        "GUIDs, not names"
    );
    assert!(groups.contains(&eng));
    // The names option (cloud-only display names, VENDORS.md §6 case 2).
    let dir = ssosim::idp::users_file::parse_users_file(&users_yaml(), &mut Rng::new(1)).unwrap();
    let opts = ProfileOptions {
        entra_group_names: true,
        ..Default::default()
    };
    let mut idp = idp_with(Vendor::Entra, dir, &opts);
    let (id, a) = sign_in(&mut idp, "ada@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    assert_eq!(
        login.attributes[names::ENTRA_GROUPS],
        ["anthropic-claudeai-1a2b3c4d-owner", "Engineering"]
    );
}

#[test]
fn entra_overage_sends_groups_link_instead_of_groups() {
    let groups: Vec<String> = (0..151).map(|i| format!("g-{i:03}")).collect();
    let yaml = format!(
        "users:\n  - {{ email: many@acme.test, groups: [{}] }}\n",
        groups.join(", ")
    );
    let dir = ssosim::idp::users_file::parse_users_file(yaml.as_bytes(), &mut Rng::new(1)).unwrap();
    let mut idp = idp_with(Vendor::Entra, dir, &ProfileOptions::default());
    let (id, a) = sign_in(&mut idp, "many@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    assert!(!login.attributes.contains_key(names::ENTRA_GROUPS));
    let user = idp.directory.user("many@acme.test").unwrap().object_id;
    let tenant = idp.profile.ids.tenant_id;
    assert_eq!(
        login.attributes[names::ENTRA_GROUPS_LINK],
        [format!(
            "https://graph.windows.net/{tenant}/users/{user}/getMemberObjects"
        )]
    );
    assert_eq!(a.claims.unwrap().overage, Some(151));
    // 150 is still under the limit.
    let yaml = format!(
        "users:\n  - {{ email: many@acme.test, groups: [{}] }}\n",
        groups[..150].join(", ")
    );
    let dir = ssosim::idp::users_file::parse_users_file(yaml.as_bytes(), &mut Rng::new(1)).unwrap();
    let mut idp = idp_with(Vendor::Entra, dir, &ProfileOptions::default());
    let (id, a) = sign_in(&mut idp, "many@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    assert_eq!(login.attributes[names::ENTRA_GROUPS].len(), 150);
}

#[test]
fn google_shape_issuer_hex_ids_response_only_and_75_group_cap() {
    let groups: Vec<String> = (0..80).map(|i| format!("g-{i:02}")).collect();
    let yaml = format!(
        "users:\n  - {{ email: many@acme.test, groups: [{}] }}\n",
        groups.join(", ")
    );
    let dir = ssosim::idp::users_file::parse_users_file(yaml.as_bytes(), &mut Rng::new(1)).unwrap();
    let mut idp = idp_with(Vendor::Google, dir, &ProfileOptions::default());
    let (id, a) = sign_in(&mut idp, "many@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    assert!(login
        .issuer
        .starts_with("https://accounts.google.com/o/saml2?idpid=C0"));
    let rid = &a.response_id;
    assert!(
        rid.starts_with('_') && rid.len() == 33 && is_hex(&rid[1..]),
        "{rid}"
    );
    assert!(a.xml.starts_with("<saml2p:Response"));
    assert_eq!(login.signed, SignWhat::Response);
    assert_eq!(login.attributes["groups"].len(), 75);
    // VENDORS.md §6 case 17: an SP that wants a signed assertion refuses it.
    let mut strict = validator(&idp, ACS);
    strict.want_assertions_signed = true;
    let pending = ssosim::saml::validate::Pending { request_id: id };
    let err = ssosim::saml::validate::validate_response(
        &strict,
        now(),
        a.xml.as_bytes(),
        ssosim::saml::validate::InResponseToCheck::Pending(Some(&pending)),
        None,
    )
    .unwrap_err();
    assert_eq!(err.name(), "assertion-not-signed");
}

#[test]
fn same_seed_same_vendor_identifiers_and_bytes() {
    let a = sign_in(&mut idp(Vendor::Okta), "ada@acme.test").1;
    let b = sign_in(&mut idp(Vendor::Okta), "ada@acme.test").1;
    assert_eq!(a.xml, b.xml);
}

#[test]
fn profile_knobs_clock_offset_lifetime_and_signing_reach_the_response() {
    let dir = ssosim::idp::users_file::parse_users_file(&users_yaml(), &mut Rng::new(1)).unwrap();
    // An IdP clock 10 minutes fast is outside the SP's 180 s skew.
    let fast = ProfileOptions {
        clock_offset_s: Some(600),
        ..Default::default()
    };
    let mut idp = idp_with(Vendor::Okta, dir.clone(), &fast);
    let (id, a) = sign_in(&mut idp, "ada@acme.test");
    let err = validate(&idp, ACS, &a.xml, Some(&id)).unwrap_err();
    assert_eq!(err.name(), "assertion-not-yet-valid", "{err}");
    let slightly = ProfileOptions {
        clock_offset_s: Some(60),
        ..Default::default()
    };
    let mut idp = idp_with(Vendor::Okta, dir.clone(), &slightly);
    let (id, a) = sign_in(&mut idp, "ada@acme.test");
    assert!(validate(&idp, ACS, &a.xml, Some(&id)).is_ok());
    // Both signed on request, and the generic lifetime knob.
    let opts = ProfileOptions {
        sign: Some(SignWhat::Both),
        assertion_lifetime: Some(std::time::Duration::from_secs(60)),
        ..Default::default()
    };
    let mut idp = idp_with(Vendor::Google, dir, &opts);
    let (id, a) = sign_in(&mut idp, "ada@acme.test");
    let login = validate(&idp, ACS, &a.xml, Some(&id)).unwrap();
    assert_eq!(login.signed, SignWhat::Both);
    assert_eq!(login.not_on_or_after, now() + time::Duration::seconds(60));
}

#[test]
fn nested_groups_reach_entra_and_google_but_not_entra_assigned_groups_only() {
    let yaml = "users:\n  - { email: lead@acme.test, groups: [Eng-Leads] }\ngroups:\n  - { name: Engineering, assigned: true }\n  - { name: Eng-Leads, member_of: [Engineering] }\n";
    let dir = ssosim::idp::users_file::parse_users_file(yaml.as_bytes(), &mut Rng::new(1)).unwrap();
    let names_opt = ProfileOptions {
        entra_group_names: true,
        ..Default::default()
    };
    let mut idp = idp_with(Vendor::Entra, dir.clone(), &names_opt);
    let (_, a) = sign_in(&mut idp, "lead@acme.test");
    assert_eq!(
        a.claims.unwrap().attributes[names::ENTRA_GROUPS],
        ["Eng-Leads", "Engineering"]
    );
    let mut idp = idp_with(Vendor::Google, dir.clone(), &ProfileOptions::default());
    let (_, a) = sign_in(&mut idp, "lead@acme.test");
    assert_eq!(
        a.claims.unwrap().attributes["groups"],
        ["Eng-Leads", "Engineering"]
    );
    // VENDORS.md §6 case 4: "Groups assigned to the application" sends direct
    // memberships in assigned groups only; Eng-Leads is not assigned.
    let assigned_only = ProfileOptions {
        entra_assigned_groups_only: true,
        entra_group_names: true,
        ..Default::default()
    };
    let mut idp = idp_with(Vendor::Entra, dir, &assigned_only);
    let (_, a) = sign_in(&mut idp, "lead@acme.test");
    assert!(!a
        .claims
        .unwrap()
        .attributes
        .contains_key(names::ENTRA_GROUPS));
}

/// One Response per vendor, committed in `fixtures/idp/responses/` so
/// oracles (xmlsec1, signxml, python3-saml) can check our IdP's output
/// offline; same seed, same bytes. `SSOSIM_WRITE_FIXTURES=1` rewrites them.
#[test]
fn vendor_responses_match_their_committed_fixtures() {
    let dir = crate::saml_support::fixtures().join("idp/responses");
    let write = std::env::var_os("SSOSIM_WRITE_FIXTURES").is_some();
    if write {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for vendor in Vendor::ALL {
        let (_, a) = sign_in(&mut idp(vendor), "ada@acme.test");
        let path = dir.join(format!("{}.xml", vendor.as_str()));
        if write {
            std::fs::write(&path, &a.xml).unwrap();
        }
        let stored = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{}: rerun with SSOSIM_WRITE_FIXTURES=1", path.display()));
        assert_eq!(stored, a.xml, "{vendor:?}");
    }
}
