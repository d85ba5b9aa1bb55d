//! §1.B: signature presence and exclusion (SIG1–SIG6) and key trust
//! (KEY1–KEY7).

use super::*;

/// §1.B signature presence and exclusion.
pub(super) fn signatures(out: &mut Vec<Case>, both: &Fresh, resp: &Fresh, assn: &Fresh) {
    let x = &both.xml;
    out.push(refused(
        "SIG1",
        "",
        "every ds:Signature deleted, NameID edited",
        both,
        to_evil(&strip_signatures(x)),
        Reason::SignatureMissing,
    ));
    let sv = path(R_SIG, &["SignatureValue"]);
    out.push(refused(
        "SIG2",
        "empty",
        "empty Response SignatureValue",
        both,
        set_inner(x, &sv, ""),
        Reason::SignatureInvalid,
    ));
    out.push(refused(
        "SIG2",
        "garbage",
        "random base64 as the Response SignatureValue",
        both,
        set_inner(x, &sv, "Z2FyYmFnZSBnYXJiYWdlIGdhcmJhZ2U="),
        Reason::SignatureInvalid,
    ));
    out.push(refused(
        "SIG2",
        "not-base64",
        "SignatureValue that is not base64",
        both,
        set_inner(x, &sv, "!!!not base64!!!"),
        Reason::SignatureInvalid,
    ));
    out.push(refused(
        "SIG3",
        "",
        "ds:SignedInfo deleted from the Response signature",
        both,
        remove(x, &path(R_SIG, &["SignedInfo"])),
        Reason::SignatureShapeInvalid,
    ));
    out.push(accepted(
        "SIG4",
        "",
        "Response signed, assertion unsigned, want_assertions_signed off: the Response signature covers it",
        resp,
        resp.xml.clone(),
    ));
    out.push(
        refused(
            "SIG4",
            "want-assertions-signed",
            "Response signed, assertion unsigned, want_assertions_signed on",
            resp,
            resp.xml.clone(),
            Reason::AssertionNotSigned,
        )
        .with_cfg(|c| c.want_assertions_signed = true),
    );
    let y = &assn.xml;
    out.push(refused(
        "SIG5",
        "destination",
        "assertion-only signature; unsigned envelope Destination edited",
        assn,
        set_attr(y, &[], "Destination", "https://evil.test/acs"),
        Reason::DestinationMismatch,
    ));
    out.push(refused(
        "SIG5",
        "in-response-to",
        "assertion-only signature; unsigned envelope InResponseTo edited",
        assn,
        set_attr(y, &[], "InResponseTo", "_attacker_request_id"),
        Reason::InResponseToMismatch,
    ));
    out.push(refused(
        "SIG5",
        "status",
        "assertion-only signature; unsigned envelope StatusCode edited",
        assn,
        set_attr(
            y,
            &["Status", "StatusCode"],
            "Value",
            "urn:oasis:names:tc:SAML:2.0:status:Responder",
        ),
        Reason::StatusNotSuccess,
    ));
    out.push(
        refused(
            "SIG6",
            "",
            "no IdP key configured: a genuine signed response is refused (fail closed)",
            both,
            x.clone(),
            Reason::NoTrustedKeys,
        )
        .with_cfg(|c| c.idp_keys = TrustedKeys::new(vec![])),
    );
    // SIG6 unsigned: signature-missing comes before any key is needed;
    // no-trusted-keys is the signed case. Both fail closed.
    out.push(
        refused(
            "SIG6",
            "unsigned",
            "no IdP key configured and an unsigned response",
            both,
            strip_signatures(x),
            Reason::SignatureMissing,
        )
        .with_cfg(|c| c.idp_keys = TrustedKeys::new(vec![])),
    );
}

/// §1.B key trust.
pub(super) fn keys(out: &mut Vec<Case>, both: &Fresh, assn: &Fresh) {
    let x = &assn.xml;
    let by_attacker = sign_as(&to_evil(x), SignWhat::Assertion, &attacker_key());
    // In the corpus as the differential's negative control: the oracles,
    // with the IdP certificate pinned, must refuse the attacker's signature.
    out.push(
        refused(
            "KEY1",
            "",
            "assertion edited and re-signed by the attacker, attacker cert in KeyInfo",
            assn,
            by_attacker.clone(),
            Reason::UntrustedKey,
        )
        .corpus(),
    );
    out.push(refused(
        "KEY1",
        "both",
        "Response and assertion edited and re-signed by the attacker",
        both,
        sign_as(&to_evil(&both.xml), SignWhat::Both, &attacker_key()),
        Reason::UntrustedKey,
    ));
    let okta = fresh(Vendor::Okta, None);
    let clone = SigningKey::from_pem(&pki("attacker.key.pem"), &pki("okta-clone.crt.pem")).unwrap();
    out.push(refused(
        "KEY2",
        "",
        "Okta response edited, re-signed with the attacker key and a clone of Okta's certificate",
        &okta,
        sign_as(&to_evil(&okta.xml), SignWhat::Response, &clone),
        Reason::UntrustedKey,
    ));
    let ki = path(A_SIG, &["KeyInfo"]);
    let attacker_kv = format!(
        "<ds:KeyInfo>{}</ds:KeyInfo>",
        key_value(&pki("attacker.crt.pem"))
    );
    // KEY3: KeyInfo without certificates is no hint at all; the pinned key
    // is tried and the value does not verify (signature-invalid). With an
    // attacker *certificate* the answer is untrusted-key (KEY1): I6 either way.
    out.push(refused(
        "KEY3",
        "",
        "attacker-signed, KeyInfo holds only the attacker's RSAKeyValue",
        assn,
        replace(&by_attacker, &ki, &attacker_kv),
        Reason::SignatureInvalid,
    ));
    let pinned_kv = format!(
        "<ds:KeyInfo>{}</ds:KeyInfo>",
        key_value(&pki("idp-generic.crt.pem"))
    );
    out.push(accepted(
        "KEY3",
        "pinned",
        "genuine signature, KeyInfo holds the pinned key as RSAKeyValue (what some IdPs send)",
        assn,
        replace(x, &ki, &pinned_kv),
    ));
    let rm = "<ds:KeyInfo><ds:RetrievalMethod URI=\"http://attacker.test/key\" \
              Type=\"http://www.w3.org/2000/09/xmldsig#X509Data\"/></ds:KeyInfo>";
    out.push(accepted(
        "KEY4",
        "",
        "genuine signature, KeyInfo is a RetrievalMethod to an attacker URL: ignored, never fetched",
        assn,
        replace(x, &ki, rm),
    ));
    out.push(refused(
        "KEY4",
        "attacker",
        "attacker-signed, KeyInfo is a RetrievalMethod to the attacker's key",
        assn,
        replace(&by_attacker, &ki, rm),
        Reason::SignatureInvalid,
    ));
    out.push(refused(
        "KEY4",
        "key-name",
        "attacker-signed, KeyInfo names the IdP's key (KeyName)",
        assn,
        replace(
            &by_attacker,
            &ki,
            "<ds:KeyInfo><ds:KeyName>idp-generic</ds:KeyName></ds:KeyInfo>",
        ),
        Reason::SignatureInvalid,
    ));
    // KEY5/6: HMAC keyed with the IdP's public certificate.
    // The allow-list (I8) refuses the method before any key is chosen.
    let hmac_base = set_attr(
        &remove(&sign_as(&to_evil(x), SignWhat::Assertion, assn.key()), &ki),
        &path(A_SIG, &["SignedInfo", "SignatureMethod"]),
        "Algorithm",
        "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
    );
    let cert = pki("idp-generic.crt.pem");
    out.push(refused(
        "KEY5",
        "",
        "SignatureMethod hmac-sha256 keyed with the IdP's public certificate",
        assn,
        hmac_sign(&hmac_base, A_SIG, &cert),
        Reason::AlgorithmForbidden,
    ));
    let truncated = set_inner(
        &hmac_base,
        &path(A_SIG, &["SignedInfo", "SignatureMethod"]),
        "<ds:HMACOutputLength>8</ds:HMACOutputLength>",
    );
    out.push(refused(
        "KEY6",
        "",
        "HMAC with HMACOutputLength 8 (CVE-2009-0217)",
        assn,
        hmac_sign(&truncated, A_SIG, &cert),
        Reason::AlgorithmForbidden,
    ));
    // KEY7: IdP B's key with IdP A's issuer, and IdP B's genuine response.
    let okta_key = signing_key("idp-okta", "idp-okta.crt.pem");
    let by_b = sign_as(&both.xml, SignWhat::Both, &okta_key);
    out.push(refused(
        "KEY7",
        "",
        "issuer is IdP A (generic), signed by IdP B (okta) with B's cert in KeyInfo",
        both,
        by_b.clone(),
        Reason::UntrustedKey,
    ));
    out.push(refused(
        "KEY7",
        "no-key-info",
        "issuer A, signed by IdP B, KeyInfo removed",
        both,
        remove(&remove(&by_b, &path(R_SIG, &["KeyInfo"])), &ki),
        Reason::SignatureInvalid,
    ));
    let mut okta_at_generic = case(
        "KEY7",
        "b-issuer",
        "IdP B's genuine response (issuer B) sent to the SP of IdP A",
        both,
        okta.xml.clone(),
        Expect::Refused(Reason::IssuerMismatch),
    );
    okta_at_generic.pending = okta.request_id.clone();
    out.push(okta_at_generic);
}
