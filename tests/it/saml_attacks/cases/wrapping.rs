//! §1.A signature wrapping (SAML Raider's XSWHelpers shapes, ancestors,
//! donors, Advice, relocation), the I5 multiple-assertion shapes, and §1.D
//! text splitting.

use super::*;

/// §1.A: SAML Raider's XSWHelpers shapes and their relatives.
pub(super) fn xsw(out: &mut Vec<Case>, both: &Fresh, resp: &Fresh, assn: &Fresh) {
    // XSW1/2 (SAML Raider applyXSW1/2): R' = R without its Signature; the
    // evil R gets a new ID and A*. Raider keeps the assertion's ID, so the
    // ID is duplicated: I4 refuses before any signature is looked at (the
    // Reference #R naming R' rather than the Signature's parent, I3, would
    // refuse it next).
    let x = &resp.xml;
    let r_prime = remove(x, R_SIG);
    let evil_r = to_evil(&set_attr(x, &[], "ID", "_evil_response_ID"));
    out.push(
        refused(
            "XSW1",
            "",
            "signed Response copy R' appended inside the evil Response's ds:Signature",
            resp,
            append_child(&evil_r, R_SIG, &r_prime),
            Reason::DuplicateId,
        )
        .corpus(),
    );
    out.push(
        refused(
            "XSW2",
            "",
            "signed Response copy R' inserted before the evil Response's ds:Signature",
            resp,
            insert_before(&evil_r, R_SIG, &r_prime),
            Reason::DuplicateId,
        )
        .corpus(),
    );

    let x = &assn.xml;
    let a_orig = get(x, &["Assertion"]);
    let a_evil = evil_assertion(x, Some("_evil_assertion_ID"));
    out.push(
        refused(
            "XSW3",
            "",
            "unsigned A* (new ID) inserted before the signed assertion",
            assn,
            insert_before(x, &["Assertion"], &a_evil),
            Reason::MultipleAssertions,
        )
        .corpus(),
    );
    // MA1/MA2 (I5): a second top-level assertion after the signed one,
    // unsigned, or signed by the IdP too (for another subject).
    out.push(refused(
        "MA1",
        "",
        "unsigned A* appended after the signed assertion",
        assn,
        insert_after(x, &["Assertion"], &a_evil),
        Reason::MultipleAssertions,
    ));
    let id = &assn.assertion_id;
    let second = a_orig
        .replace(&format!("ID=\"{id}\""), "ID=\"_second_assertion_ID\"")
        .replace(&format!("URI=\"#{id}\""), "URI=\"#_second_assertion_ID\"");
    let two = set_inner(
        &insert_after(x, &["Assertion"], &second),
        &["Assertion#1", "Subject", "NameID"],
        EVIL,
    );
    out.push(refused(
        "MA2",
        "",
        "two assertions, both signed by the IdP, for different subjects",
        assn,
        reseal(&two, &["Assertion#1", "Signature"], &assn.pkey()),
        Reason::MultipleAssertions,
    ));
    // XSW4: the only top-level assertion is A*; the signature now sits in
    // a nested assertion, which is neither the Response nor the consumed
    // Assertion (I2/I5).
    let xsw4 = append_child(
        &replace(x, &["Assertion"], &a_evil),
        &["Assertion"],
        &a_orig,
    );
    out.push(
        refused(
            "XSW4",
            "",
            "A* appended; the signed assertion moved inside A* as its child",
            assn,
            xsw4,
            Reason::UnexpectedSignature,
        )
        .corpus(),
    );
    let evil_in_place = to_evil(&set_attr(x, &["Assertion"], "ID", "_evil_assertion_ID"));
    let clean = clean_assertion(x);
    out.push(
        refused(
            "XSW5",
            "",
            "assertion edited in place (new ID, signature kept); clean original appended to the Response",
            assn,
            append_child(&evil_in_place, &[], &clean),
            Reason::MultipleAssertions,
        )
        .corpus(),
    );
    // XSW6: ds:Object-free, but foreign content in ds:Signature. The
    // Reference also names the clean copy, not the Signature's parent
    // (I3, reference-uri-mismatch); the shape check (XML-DSig 4.1 content
    // model) comes first.
    out.push(
        refused(
            "XSW6",
            "",
            "as XSW5, the clean original inside the evil assertion's ds:Signature",
            assn,
            append_child(&evil_in_place, A_SIG, &clean),
            Reason::SignatureShapeInvalid,
        )
        .corpus(),
    );
    let a_evil_same_id = evil_assertion(x, None);
    out.push(
        refused(
            "XSW7",
            "",
            "unqualified <Extensions> before the assertion holding A* with the same ID",
            assn,
            insert_before(
                x,
                &["Assertion"],
                &format!("<Extensions>{a_evil_same_id}</Extensions>"),
            ),
            Reason::DuplicateId,
        )
        .corpus(),
    );
    // XSW8 (Raider creates an unqualified <Object>, not ds:Object): I4
    // (duplicate-id) is checked before the signature, whose foreign child
    // would be refused next (signature-shape-invalid).
    out.push(
        refused(
            "XSW8",
            "",
            "assertion edited in place (ID and signature kept); clean copy with the same ID in an <Object> in its Signature",
            assn,
            append_child(&to_evil(x), A_SIG, &format!("<Object>{clean}</Object>")),
            Reason::DuplicateId,
        )
        .corpus(),
    );
    out.push(refused(
        "XSW8",
        "ds-object",
        "as XSW8 with a real ds:Object (samael's object_attack_response)",
        assn,
        append_child(
            &to_evil(x),
            A_SIG,
            &format!("<ds:Object>{clean}</ds:Object>"),
        ),
        Reason::DuplicateId,
    ));
    // XSW9 (CVE-2019-3465, Raider's applyXSW9): A*'s Signature holds the
    // original SignedInfo and SignatureValue, then a forged SignedInfo
    // whose Reference digests A*; the original signed assertion goes, with
    // its signature, into a <Wrapper> at the end of the Response. The
    // wrapped signature is a donor nobody may consume (I2): it is found
    // before A*'s two SignedInfos (I3) are looked at.
    let with_a_evil = replace(x, &["Assertion"], &a_evil);
    let original_si = get(x, &path(A_SIG, &["SignedInfo"]));
    let forged_si = original_si
        .replace(
            &format!("URI=\"#{}\"", assn.assertion_id),
            "URI=\"#_evil_assertion_ID\"",
        )
        .replace(
            &get(x, &path(A_SIG, &["SignedInfo", "Reference", "DigestValue"])),
            &format!(
                "<ds:DigestValue>{}</ds:DigestValue>",
                digest_of(&with_a_evil, &["Assertion"])
            ),
        );
    let raider_sig = format!(
        "<ds:Signature xmlns:ds=\"{DSIG_NS}\">{original_si}{}{forged_si}</ds:Signature>",
        get(x, &path(A_SIG, &["SignatureValue"]))
    );
    let xsw9 = append_child(
        &insert_after(&with_a_evil, &["Assertion", "Issuer"], &raider_sig),
        &[],
        &format!("<Wrapper>{a_orig}</Wrapper>"),
    );
    out.push(
        refused(
            "XSW9",
            "",
            "original SignedInfo + SignatureValue and a forged SignedInfo digesting A*; the signed original in a <Wrapper>",
            assn,
            xsw9,
            Reason::UnexpectedSignature,
        )
        .corpus(),
    );
    // The same idea with the original assertion (unsigned) and the forged
    // SignedInfo inside ds:Object: no donor signature, so the two
    // SignedInfos are what refuses it (I3).
    out.push(refused(
        "XSW9",
        "object",
        "forged SignedInfo and the original assertion in ds:Object of A*'s (original) Signature",
        assn,
        append_child(
            &insert_after(&with_a_evil, &["Assertion", "Issuer"], &get(x, A_SIG)),
            A_SIG,
            &format!("<ds:Object><Wrapper>{clean}</Wrapper>{forged_si}</ds:Object>"),
        ),
        Reason::SignatureShapeInvalid,
    ));

    // XSW-ANC: attacker-controlled ancestors around signed content. Only
    // a direct child of the Response is ever consumed (I2/I5).
    out.push(
        refused(
            "XSW-ANC",
            "",
            "the signed assertion moved under an attacker ancestor (samlp:Extensions) of the Response",
            assn,
            replace(
                x,
                &["Assertion"],
                &format!("<samlp:Extensions>{a_orig}</samlp:Extensions>"),
            ),
            Reason::NoAssertion,
        )
        .corpus(),
    );
    out.push(refused(
        "XSW-ANC",
        "root",
        "the genuine signed Response wrapped in an attacker root element",
        both,
        format!(
            "<evil:Envelope xmlns:evil=\"urn:evil:ancestor\" Destination=\"{ACS}\">{}</evil:Envelope>",
            both.xml
        ),
        Reason::NotAResponse,
    ));

    // XSW-DONOR: the IdP's own metadata, signed by the IdP, embedded in a
    // forged unsigned Response (CVE-2024-6800 class).
    let md = both.idp.metadata_xml();
    let md = md
        .trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .trim_end();
    let md = set_attr(md, &[], "ID", "_idp_metadata");
    let signed_md = sign_by_id(
        md.as_bytes(),
        "_idp_metadata",
        both.key(),
        &SignOptions::default(),
    )
    .unwrap();
    let forged = to_evil(&strip_signatures(&both.xml));
    out.push(
        refused(
            "XSW-DONOR",
            "",
            "the IdP's signed metadata embedded (samlp:Extensions) in a forged unsigned Response",
            both,
            insert_after(
                &forged,
                &["Issuer"],
                &format!("<samlp:Extensions>{signed_md}</samlp:Extensions>"),
            ),
            Reason::UnexpectedSignature,
        )
        .corpus(),
    );

    // XSW-ADV: Advice assertions are never identity.
    let advice = |inner: &str| format!("<saml:Advice>{inner}</saml:Advice>");
    out.push(
        refused(
            "XSW-ADV",
            "",
            "the signed assertion moved into the Advice of an unsigned top-level A*",
            assn,
            insert_before(
                &with_a_evil,
                &["Assertion", "AuthnStatement"],
                &advice(&a_orig),
            ),
            Reason::UnexpectedSignature,
        )
        .corpus(),
    );
    let advice_evil = evil_assertion(x, Some("_advice_assertion_ID"));
    out.push(refused(
        "XSW-ADV",
        "injected",
        "A* injected into Advice inside the genuinely signed assertion",
        assn,
        insert_before(x, &["Assertion", "AuthnStatement"], &advice(&advice_evil)),
        Reason::DigestMismatch,
    ));
    let idp_signed_advice = assn.signed(
        &insert_before(
            &strip_signatures(x),
            &["Assertion", "AuthnStatement"],
            &advice(&advice_evil),
        ),
        SignWhat::Assertion,
    );
    out.push(accepted(
        "XSW-ADV",
        "idp-signed",
        "the IdP itself signed an assertion whose Advice holds an admin assertion: accepted as the outer subject only",
        assn,
        idp_signed_advice,
    ));

    // XSW-REL: the assertion's signature relocated onto the Response.
    out.push(
        refused(
            "XSW-REL",
            "",
            "the assertion's ds:Signature moved to the Response (after Issuer), still referencing the assertion",
            assn,
            insert_after(&remove(x, A_SIG), &["Issuer"], &get(x, A_SIG)),
            Reason::ReferenceUriMismatch,
        )
        .corpus(),
    );
}

/// §1.D: comment, CDATA, PI and character-reference splitting.
pub(super) fn text_splitting(out: &mut Vec<Case>) {
    // The IdP signs the attacker's own account `ada@acme.test.evil.test`;
    // a comment makes a naive reader see `ada@acme.test`.
    let long = "ada@acme.test.evil.test";
    let yaml = format!("users:\n  - {{ email: {long}, first_name: Ada, groups: [Engineering] }}\n");
    let f = fresh_for(Vendor::Generic, &ProfileOptions::default(), &yaml, long);
    let split = |with: &str| {
        f.xml.replace(
            &format!(">{long}</saml:NameID>"),
            &format!(">ada@acme.test{with}.evil.test</saml:NameID>"),
        )
    };
    out.push(case(
        "TXT1",
        "",
        "comment splits the signed NameID ada@acme.test<!---->.evil.test",
        &f,
        split("<!---->"),
        Expect::Accepted {
            name_id: long.to_string(),
            attribute: None,
        },
    ));
    out.push(refused(
        "TXT3",
        "",
        "CDATA splits the NameID ada@acme.test<![CDATA[.evil.test]]>",
        &f,
        split("<![CDATA[]]>"),
        Reason::CdataForbidden,
    ));
    out.push(refused(
        "TXT4",
        "",
        "PI splits the NameID (<?p not-an-?>)",
        &f,
        split("<?p not-an-?>"),
        Reason::ProcessingInstructionForbidden,
    ));
    let g = generic();
    out.push(case(
        "TXT2",
        "",
        "comment inside an AttributeValue (Engi<!-- attack! -->neering)",
        &g,
        g.xml
            .replace(">Engineering<", ">Engi<!-- attack! -->neering<"),
        Expect::Accepted {
            name_id: USER.to_string(),
            attribute: Some(("groups", "anthropic-claudeai-1a2b3c4d-owner")),
        },
    ));
    out.push(accepted(
        "TXT5",
        "",
        "character reference in the NameID (&#x61;da@acme.test) decodes to the signed value",
        &g,
        g.xml.replace(
            &format!(">{USER}</saml:NameID>"),
            ">&#x61;da@acme.test</saml:NameID>",
        ),
    ));
}

/// The shapes whose target depends on what a vendor signs: Okta and
/// Google sign the Response only, Entra the Assertion only (VENDORS.md §2).
pub(super) fn vendor_shapes(out: &mut Vec<Case>) {
    for (vendor, name) in [(Vendor::Okta, "okta"), (Vendor::Google, "google")] {
        let f = fresh(vendor, None);
        let x = &f.xml;
        let r_prime = remove(x, R_SIG);
        let evil_r = to_evil(&set_attr(x, &[], "ID", "_evil_response_ID"));
        out.push(refused(
            "XSW1",
            name,
            "XSW1 against this vendor's Response-only signature",
            &f,
            append_child(&evil_r, R_SIG, &r_prime),
            Reason::DuplicateId,
        ));
        out.push(refused(
            "XSW2",
            name,
            "XSW2 against this vendor's Response-only signature",
            &f,
            insert_before(&evil_r, R_SIG, &r_prime),
            Reason::DuplicateId,
        ));
        out.push(
            refused(
                "SIG4",
                name,
                "this vendor's Response-only signature at an SP that wants assertions signed",
                &f,
                x.clone(),
                Reason::AssertionNotSigned,
            )
            .with_cfg(|c| c.want_assertions_signed = true),
        );
    }
    let entra = fresh(Vendor::Entra, None);
    let x = &entra.xml;
    let a_evil = evil_assertion(x, Some("_evil_assertion_ID"));
    out.push(refused(
        "XSW3",
        "entra",
        "XSW3 against Entra's assertion-only signature",
        &entra,
        insert_before(x, &["Assertion"], &a_evil),
        Reason::MultipleAssertions,
    ));
    out.push(refused(
        "XSW8",
        "entra",
        "XSW8 against Entra's assertion-only signature",
        &entra,
        append_child(
            &to_evil(x),
            A_SIG,
            &format!("<ds:Object>{}</ds:Object>", clean_assertion(x)),
        ),
        Reason::DuplicateId,
    ));
    out.push(refused(
        "XSW-REL",
        "entra",
        "Entra's assertion signature relocated onto the Response",
        &entra,
        insert_after(&remove(x, A_SIG), &["Issuer"], &get(x, A_SIG)),
        Reason::ReferenceUriMismatch,
    ));
    out.push(refused(
        "SIG5",
        "entra",
        "Entra (assertion-only): the unsigned envelope's Destination edited",
        &entra,
        set_attr(x, &[], "Destination", "https://evil.test/acs"),
        Reason::DestinationMismatch,
    ));
    out.push(refused(
        "SIG1",
        "entra",
        "Entra: the assertion signature deleted, NameID edited",
        &entra,
        to_evil(&strip_signatures(x)),
        Reason::SignatureMissing,
    ));
}
