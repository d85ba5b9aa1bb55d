//! The IdP-side checks of SECURITY.md §1.K and the refusals a support
//! engineer sees most: not assigned to the app, unknown SP, ACS URLs not in
//! the metadata (never reflected), unsigned or badly signed requests when
//! signing is required, HTML escaping, IdP-initiated launches and IdP
//! sessions.

use ssosim::idp::{
    Decision, Idp, IdpSettings, Inbound, LaunchRelayState, ProfileOptions, Refusal, RefusalReason,
    Vendor,
};
use ssosim::saml::binding::redirect_url;
use ssosim::saml::request::build_authn_request;
use ssosim::sim::Rng;

use crate::idp_support::*;
use crate::idp_vendors::sign_in;

fn refused_page(d: Decision) -> ssosim::idp::ErrorPage {
    match d {
        Decision::Refuse(Refusal::Page(p)) => p,
        other => panic!("expected an IdP refusal page, got {other:?}"),
    }
}

fn sso_redirect(idp: &mut Idp, query: &str, session: Option<&str>) -> Decision {
    idp.sso(
        Inbound::Redirect { raw_query: query },
        session,
        now(),
        &mut Rng::new(9),
    )
}

#[test]
fn unassigned_user_is_refused_by_the_idp_with_a_clear_page() {
    for (vendor, code) in [
        (Vendor::Generic, "not-assigned"),
        (Vendor::Okta, "app-not-assigned"),
        (Vendor::Entra, "AADSTS50105"),
        (Vendor::Google, "app_not_configured_for_user"),
    ] {
        let mut idp = idp(vendor);
        let (_, query) = redirect_request(&request_params(ACS), None, false);
        let Decision::NeedLogin(p) = sso_redirect(&mut idp, &query, None) else {
            panic!()
        };
        let out = idp.login(&p.pending, "bob@acme.test", now(), &mut Rng::new(1));
        let page = refused_page(out.decision);
        assert_eq!(page.reason, RefusalReason::NotAssigned);
        assert_eq!(page.http_status, 403);
        assert_eq!(page.code, code);
        assert!(
            page.html.contains("Acme Claude"),
            "{vendor:?} names the app"
        );
        assert!(
            !page.html.contains("SAMLResponse"),
            "nothing goes to the SP"
        );
    }
}

#[test]
fn group_assignment_counts_and_suspended_users_cannot_sign_in() {
    let mut idp = idp(Vendor::Okta);
    // grace is assigned only through Engineering.
    let (id, a) = sign_in(&mut idp, "grace@acme.test");
    assert!(validate(&idp, ACS, &a.xml, Some(&id)).is_ok());
    let (_, query) = redirect_request(&request_params(ACS), None, false);
    let Decision::NeedLogin(p) = sso_redirect(&mut idp, &query, None) else {
        panic!()
    };
    let out = idp.login(&p.pending, "linus@acme.test", now(), &mut Rng::new(1));
    let Decision::NeedLogin(again) = out.decision else {
        panic!("the page is shown again")
    };
    assert!(again.error.unwrap().contains("suspended"));
    assert!(out.set_session.is_none());
    let out = idp.login(&p.pending, "nobody@acme.test", now(), &mut Rng::new(1));
    assert!(matches!(out.decision, Decision::NeedLogin(_)));
}

#[test]
fn idp1_acs_not_in_metadata_is_never_reflected() {
    let evil = "javascript:alert(1)//https://evil.test/acs";
    // Generic, Okta, Google: the metadata's default ACS answers instead.
    for vendor in [Vendor::Generic, Vendor::Okta, Vendor::Google] {
        let mut idp = idp(vendor);
        let (_, query) = redirect_request(&request_params(evil), None, false);
        let Decision::NeedLogin(p) = sso_redirect(&mut idp, &query, None) else {
            panic!()
        };
        let Decision::Respond(a) = idp
            .login(&p.pending, "ada@acme.test", now(), &mut Rng::new(1))
            .decision
        else {
            panic!("{vendor:?} falls back to the default ACS")
        };
        assert_eq!(a.acs_url, ACS);
        assert_eq!(form_action(&a.html_form).as_deref(), Some(ACS));
        assert!(!a.html_form.contains("evil.test") && !a.xml.contains("evil.test"));
    }
    // Entra: AADSTS50011, and the page does not echo the URL either.
    let mut entra = idp(Vendor::Entra);
    let (_, query) = redirect_request(&request_params(evil), None, false);
    let page = refused_page(sso_redirect(&mut entra, &query, None));
    assert_eq!(page.reason, RefusalReason::AcsNotRegistered);
    assert_eq!(page.code, "AADSTS50011");
    assert!(!page.html.contains("evil.test"));
    // A registered non-default ACS is honoured.
    let mut idp = idp(Vendor::Okta);
    let (_, query) = redirect_request(&request_params(ACS2), None, false);
    let Decision::NeedLogin(p) = sso_redirect(&mut idp, &query, None) else {
        panic!()
    };
    let Decision::Respond(a) = idp
        .login(&p.pending, "ada@acme.test", now(), &mut Rng::new(1))
        .decision
    else {
        panic!()
    };
    assert_eq!(a.acs_url, ACS2);
}

#[test]
fn idp2_unknown_acs_index_and_non_post_binding_are_refused() {
    let mut idp = idp(Vendor::Generic);
    let (_, xml) = build_authn_request(&request_params(ACS), now(), &mut Rng::new(5));
    let with_index = xml
        .replace(
            &format!(" AssertionConsumerServiceURL=\"{ACS}\""),
            " AssertionConsumerServiceIndex=\"7\"",
        )
        .replace(
            " ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"",
            "",
        );
    let url = redirect_url(
        &format!("{BASE}/sso"),
        "SAMLRequest",
        &with_index,
        None,
        None,
    );
    let page = refused_page(sso_redirect(&mut idp, url.split_once('?').unwrap().1, None));
    assert_eq!(page.reason, RefusalReason::AcsIndexInvalid);
    let artifact = xml.replace("bindings:HTTP-POST", "bindings:HTTP-Artifact");
    let url = redirect_url(&format!("{BASE}/sso"), "SAMLRequest", &artifact, None, None);
    let page = refused_page(sso_redirect(&mut idp, url.split_once('?').unwrap().1, None));
    assert_eq!(page.reason, RefusalReason::UnsupportedBinding);
}

#[test]
fn idp3_unknown_sp_issuer_is_refused_without_echoing_it() {
    let mut idp = idp(Vendor::Entra);
    let mut p = request_params(ACS);
    p.issuer = "https://evil.test/<b>sp</b>".to_string();
    let (_, query) = redirect_request(&p, None, false);
    let page = refused_page(sso_redirect(&mut idp, &query, None));
    assert_eq!(page.reason, RefusalReason::UnknownSp);
    assert_eq!(page.code, "AADSTS700016");
    assert!(!page.html.contains("evil.test"));
}

#[test]
fn idp3_signed_requests_required_unsigned_and_bad_signatures_refused() {
    let dir = ssosim::idp::users_file::parse_users_file(&users_yaml(), &mut Rng::new(1)).unwrap();
    let mut settings = IdpSettings::new(BASE);
    settings.want_authn_requests_signed = true;
    let mut idp = ssosim::idp::new_idp(
        Vendor::Generic,
        settings,
        dir,
        &ProfileOptions::default(),
        &Rng::new(1),
    )
    .unwrap();
    idp.add_sp(ssosim::idp::SpConfig::from_metadata(sp_metadata(false)).unwrap());
    assert!(idp
        .metadata_xml()
        .contains("WantAuthnRequestsSigned=\"true\""));

    let (_, unsigned) = redirect_request(&request_params(ACS), None, false);
    let page = refused_page(sso_redirect(&mut idp, &unsigned, None));
    assert_eq!(page.reason, RefusalReason::RequestSignatureMissing);

    let (_, signed) = redirect_request(&request_params(ACS), Some("x"), true);
    assert!(matches!(
        sso_redirect(&mut idp, &signed, None),
        Decision::NeedLogin(_)
    ));

    // Changing one signed octet (the RelayState) breaks the signature.
    let tampered = signed.replace("RelayState=x", "RelayState=y");
    let page = refused_page(sso_redirect(&mut idp, &tampered, None));
    assert_eq!(page.reason, RefusalReason::RequestSignatureInvalid);

    // Unsigned POST-bound request.
    let (_, body) = post_request(&request_params(ACS), None);
    let page = refused_page(idp.sso(Inbound::Post { body: &body }, None, now(), &mut Rng::new(1)));
    assert_eq!(page.reason, RefusalReason::RequestSignatureMissing);
}

#[test]
fn idp3_a_bad_redirect_signature_is_refused_even_when_not_required() {
    let mut idp = idp(Vendor::Okta);
    let (_, signed) = redirect_request(&request_params(ACS), Some("x"), true);
    let tampered = signed.replace("RelayState=x", "RelayState=y");
    let page = refused_page(sso_redirect(&mut idp, &tampered, None));
    assert_eq!(page.reason, RefusalReason::RequestSignatureInvalid);
}

#[test]
fn idp4_script_in_relay_state_is_escaped_everywhere() {
    let evil = "\"><script>alert(1)</script>";
    let mut idp = idp(Vendor::Generic);
    let (_, query) = redirect_request(&request_params(ACS), Some(evil), false);
    let Decision::NeedLogin(p) = sso_redirect(&mut idp, &query, None) else {
        panic!()
    };
    let Decision::Respond(a) = idp
        .login(&p.pending, "ada@acme.test", now(), &mut Rng::new(1))
        .decision
    else {
        panic!()
    };
    assert!(!a.html_form.contains("<script>"));
    assert!(a.html_form.contains("&quot;&gt;&lt;script&gt;"));
    assert_eq!(
        form_field(&a.html_form, "RelayState").as_deref(),
        Some(evil)
    );
    // The same through a launch, and on the login page's email echo.
    let Decision::Respond(a) = idp.launch(
        "ada@acme.test",
        None,
        LaunchRelayState::Given(evil.into()),
        now(),
        &mut Rng::new(1),
    ) else {
        panic!()
    };
    assert!(!a.html_form.contains("<script>"));
    let (_, query) = redirect_request(&request_params(ACS), None, false);
    let Decision::NeedLogin(p) = sso_redirect(&mut idp, &query, None) else {
        panic!()
    };
    let Decision::NeedLogin(again) = idp
        .login(&p.pending, evil, now(), &mut Rng::new(1))
        .decision
    else {
        panic!()
    };
    assert!(!again.html.contains("<script>"));
}

#[test]
fn idp_initiated_launch_has_no_in_response_to_and_three_relay_state_modes() {
    let dir = ssosim::idp::users_file::parse_users_file(&users_yaml(), &mut Rng::new(1)).unwrap();
    let opts = ProfileOptions {
        default_relay_state: Some("/dashboard".into()),
        ..Default::default()
    };
    for vendor in Vendor::ALL {
        let mut idp = idp_with(vendor, dir.clone(), &opts);
        let mut rng = Rng::new(4);
        let launch = |idp: &mut Idp, rs, rng: &mut Rng| match idp.launch(
            "ada@acme.test",
            None,
            rs,
            now(),
            rng,
        ) {
            Decision::Respond(a) => *a,
            other => panic!("{other:?}"),
        };
        let a = launch(&mut idp, LaunchRelayState::None, &mut rng);
        assert_eq!(a.in_response_to, None);
        assert!(!a.xml.contains("InResponseTo"), "{vendor:?}");
        assert_eq!(a.acs_url, ACS, "the metadata's default ACS");
        assert_eq!(form_field(&a.html_form, "RelayState"), None);
        let login = validate(&idp, ACS, &a.xml, None).unwrap_or_else(|e| panic!("{vendor:?}: {e}"));
        assert!(login.idp_initiated);
        let a = launch(&mut idp, LaunchRelayState::Default, &mut rng);
        assert_eq!(
            form_field(&a.html_form, "RelayState").as_deref(),
            Some("/dashboard")
        );
        let a = launch(
            &mut idp,
            LaunchRelayState::Given("/chat/1".into()),
            &mut rng,
        );
        assert_eq!(
            form_field(&a.html_form, "RelayState").as_deref(),
            Some("/chat/1")
        );
    }
    let mut okta = idp(Vendor::Okta);
    let page = refused_page(okta.launch(
        "bob@acme.test",
        None,
        LaunchRelayState::None,
        now(),
        &mut Rng::new(1),
    ));
    assert_eq!(page.reason, RefusalReason::NotAssigned);
}

#[test]
fn an_idp_session_skips_the_login_page_unless_force_authn() {
    let mut idp = idp(Vendor::Okta);
    let (_, query) = redirect_request(&request_params(ACS), None, false);
    let Decision::NeedLogin(p) = sso_redirect(&mut idp, &query, None) else {
        panic!()
    };
    let out = idp.login(&p.pending, "ada@acme.test", now(), &mut Rng::new(1));
    let cookie = out.set_session.unwrap();
    // The pending request is used up.
    assert!(idp.login_prompt(&p.pending, now()).is_none());
    let (id, query) = redirect_request(&request_params(ACS), None, false);
    let Decision::Respond(a) = sso_redirect(&mut idp, &query, Some(&cookie)) else {
        panic!("a live session answers at once")
    };
    assert_eq!(a.user.as_deref(), Some("ada@acme.test"));
    assert!(validate(&idp, ACS, &a.xml, Some(&id)).is_ok());
    let mut p = request_params(ACS);
    p.force_authn = true;
    let (_, query) = redirect_request(&p, None, false);
    assert!(matches!(
        sso_redirect(&mut idp, &query, Some(&cookie)),
        Decision::NeedLogin(_)
    ));
    assert!(matches!(
        sso_redirect(&mut idp, &query, Some("forged")),
        Decision::NeedLogin(_)
    ));
}

#[test]
fn auto_login_answers_without_a_page_and_post_binding_works() {
    let dir = ssosim::idp::users_file::parse_users_file(&users_yaml(), &mut Rng::new(1)).unwrap();
    let mut settings = IdpSettings::new(BASE);
    settings.auto_login = Some("ada@acme.test".into());
    let mut idp = ssosim::idp::new_idp(
        Vendor::Entra,
        settings,
        dir,
        &ProfileOptions::default(),
        &Rng::new(1),
    )
    .unwrap();
    idp.add_sp(ssosim::idp::SpConfig::from_metadata(sp_metadata(false)).unwrap());
    let (id, body) = post_request(&request_params(ACS), Some("state"));
    let Decision::Respond(a) =
        idp.sso(Inbound::Post { body: &body }, None, now(), &mut Rng::new(1))
    else {
        panic!()
    };
    assert_eq!(
        form_field(&a.html_form, "RelayState").as_deref(),
        Some("state")
    );
    assert!(validate(&idp, ACS, &a.xml, Some(&id)).is_ok());
}

#[test]
fn is_passive_without_a_session_gets_a_no_passive_saml_error() {
    let mut idp = idp(Vendor::Generic);
    let (_, xml) = build_authn_request(&request_params(ACS), now(), &mut Rng::new(5));
    let passive = xml.replace(
        "<samlp:AuthnRequest ",
        "<samlp:AuthnRequest IsPassive=\"true\" ",
    );
    let url = redirect_url(&format!("{BASE}/sso"), "SAMLRequest", &passive, None, None);
    match sso_redirect(&mut idp, url.split_once('?').unwrap().1, None) {
        Decision::Refuse(Refusal::SamlError { reason, answer }) => {
            assert_eq!(reason, RefusalReason::NoPassive);
            assert_eq!(answer.acs_url, ACS);
            assert!(answer
                .xml
                .contains("urn:oasis:names:tc:SAML:2.0:status:NoPassive"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_requests_get_a_page_not_a_panic() {
    let mut idp = idp(Vendor::Generic);
    for q in [
        "",
        "SAMLRequest=",
        "SAMLRequest=%%%",
        "SAMLRequest=AAAA",
        "RelayState=x",
    ] {
        let page = refused_page(sso_redirect(&mut idp, q, None));
        assert_eq!(page.reason, RefusalReason::MalformedRequest, "{q}");
    }
    let page = refused_page(idp.sso(
        Inbound::Post {
            body: b"SAMLRequest=PHg%2B",
        },
        None,
        now(),
        &mut Rng::new(1),
    ));
    assert_eq!(page.reason, RefusalReason::MalformedRequest);
}

#[test]
fn sessions_and_pending_sign_ins_expire_on_the_virtual_clock() {
    let mut idp = idp(Vendor::Generic);
    let (_, query) = redirect_request(&request_params(ACS), None, false);
    let Decision::NeedLogin(p) = sso_redirect(&mut idp, &query, None) else {
        panic!()
    };
    let cookie = idp
        .login(&p.pending, "ada@acme.test", now(), &mut Rng::new(1))
        .set_session
        .unwrap();
    let later = now() + time::Duration::hours(9);
    let (_, query) = redirect_request(&request_params(ACS), None, false);
    let d = idp.sso(
        Inbound::Redirect { raw_query: &query },
        Some(&cookie),
        later,
        &mut Rng::new(1),
    );
    let Decision::NeedLogin(p) = d else {
        panic!("an 8-hour session is over after 9 hours")
    };
    let out = idp.login(
        &p.pending,
        "ada@acme.test",
        later + time::Duration::hours(1),
        &mut Rng::new(1),
    );
    assert_eq!(
        refused_page(out.decision).reason,
        RefusalReason::PendingUnknown
    );
}
